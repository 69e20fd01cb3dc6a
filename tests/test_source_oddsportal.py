"""OddsPortal source (Seb943/scrapeOP): real rows, mixed dates, duplicates, bad rows, and attaching odds."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from remontada.ingest.update import update
from remontada.sources.engsoccerdata import EngSoccerData
from remontada.sources.oddsportal import OddsPortal, parse_date, team
from remontada.sources.openfootball import OpenFootball
from remontada.sources.records import ParsedFile, SourceError, TeamRef


def _parsed(mirror: Path, competition: str) -> ParsedFile:
    (remote,) = OddsPortal([competition]).files()
    return OddsPortal().parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)


def _one(parsed: ParsedFile, home: str, away: str, date: dt.date):  # type: ignore[no-untyped-def]
    (match,) = [m for m in parsed.matches if (m.home.name, m.away.name, m.date) == (home, away, date)]
    return match


def test_files_point_at_the_pinned_commit_and_the_mirror() -> None:
    cl, el = OddsPortal().files()
    commit = "72c062841d7bf7e626e28f8dedc70e0eb706c1d8"
    assert cl.url == f"https://raw.githubusercontent.com/Seb943/scrapeOP/{commit}/DATA/soccer/All_data_champions-league_foot_CLEAN.csv"
    assert el.mirror_path == f"Seb943/scrapeOP/{commit}/DATA/soccer/All_data_europa-league_08042020_CLEAN.csv"
    assert (cl.competition, el.competition) == ("uefa.cl", "uefa.el")


def test_liverpool_4_0_barcelona_carries_pinnacle_2_60_3_75_2_72(mirror: Path) -> None:
    parsed = _parsed(mirror, "uefa.cl")
    match = _one(parsed, "Liverpool", "Barcelona", dt.date(2019, 5, 7))
    assert (match.season, match.home_goals, match.away_goals) == ("2018-19", 4, 0)
    quotes = {q.bookmaker: q.prices for q in match.odds}
    assert quotes["pinnacle"] == (2.60, 3.75, 2.72)
    assert quotes["bet365"] == (2.6, 3.8, 2.62)
    assert len(quotes) == 9  # BetJoe and Betago are Na
    assert all(q.market == "1x2" for q in match.odds)


def test_columns_are_read_by_name_though_the_files_order_bookmakers_differently(mirror: Path) -> None:
    # The Europa League file puts Unibet before William Hill; Atletico-Fulham, 2010 final.
    match = _one(_parsed(mirror, "uefa.el"), "Atl. Madrid", "Fulham", dt.date(2010, 5, 12))
    quotes = {q.bookmaker: q.prices for q in match.odds}
    assert quotes["unibet"] == (2.15, 3.25, 3.3)
    assert quotes["william_hill"] == (2.1, 3.2, 3.6)


def test_dates_in_iso_english_and_french_forms() -> None:
    assert parse_date("2019-05-07") == dt.date(2019, 5, 7)
    assert parse_date("12 May 2010") == dt.date(2010, 5, 12)
    assert parse_date("27-juin-19") == dt.date(2019, 6, 27)
    assert parse_date("19-sept-19") == dt.date(2019, 9, 19)
    assert parse_date("3-juil-19") == dt.date(2019, 7, 3)
    with pytest.raises(ValueError):
        parse_date("31-foo-19")


def test_a_country_suffix_becomes_the_clubs_country() -> None:
    assert team("Tre Penne (San)") == TeamRef("Tre Penne", "SMR")
    assert team("Manchester Utd") == TeamRef("Manchester Utd")


def test_the_2005_final_keeps_the_score_oddsportal_writes(mirror: Path) -> None:
    final = _one(_parsed(mirror, "uefa.cl"), "AC Milan", "Liverpool", dt.date(2005, 5, 25))
    assert (final.home_goals, final.away_goals, final.aet_home) == (3, 4, None)


def test_the_twice_scraped_2019_20_europa_league_is_deduplicated_and_a_disagreement_reported(mirror: Path) -> None:
    parsed = _parsed(mirror, "uefa.el")
    keys = [(m.home.name, m.away.name, m.date) for m in parsed.matches]
    assert len(keys) == len(set(keys)) == 7416 - 495
    assert (1, "495 duplicated home/away/date row(s) dropped (first one kept)") in parsed.warnings
    (disagreement,) = [w for w in parsed.warnings if "different" in w[1]]
    assert disagreement[0] == 7267 and "line 5103" in disagreement[1] and "Torino v Debrecen" in disagreement[1]


def test_malformed_rows_are_skipped_with_their_line_and_nothing_else_is_lost() -> None:
    header = "MatchId,Season,Home_id,Away_id,Date,Score_home,Score_away,Pinnacle_H,Pinnacle_D,Pinnacle_A\n"
    rows = [
        "1,2018-2019,Liverpool,Barcelona,2019-05-07,4,0,2.6,3.75,2.72",
        "2,2018-2019,Ajax,Tottenham,2019-05-08,2,x,1.9,3.8,4.0",  # bad score
        "3,2018-2019,Porto,Liverpool,31-foo-19,1,4,3.0,3.5,2.3",  # bad date
        "4,2018-2019,Tottenham,Ajax,2019-04-30,0,1,0.5,3.5,4.0",  # impossible price: quote dropped
        "5,2018-2019,Tottenham,Ajax",  # short row
    ]
    (remote,) = OddsPortal(["uefa.cl"]).files()
    parsed = OddsPortal().parse((header + "\n".join(rows) + "\n").encode(), remote, "x.csv")
    assert [m.line for m in parsed.matches] == [2, 5]
    assert parsed.matches[1].odds == ()
    lines = {line: text for line, text in parsed.warnings}
    assert "bad score Score_away='x'" in lines[3]
    assert "bad date '31-foo-19'" in lines[4]
    assert "pinnacle" in lines[5] and "quote dropped" in lines[5]
    assert "row skipped" in lines[6]


def test_a_file_without_its_columns_is_an_error_naming_the_file() -> None:
    (remote,) = OddsPortal(["uefa.cl"]).files()
    with pytest.raises(SourceError, match=r"x\.csv:1: missing column"):
        OddsPortal().parse(b"a,b\n1,2\n", remote, "x.csv")


@pytest.fixture(scope="module")
def odds_store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """European Cup 1955-2016 (engsoccerdata), Champions League 2018-19 (openfootball), OddsPortal CL odds."""
    path = tmp_path_factory.mktemp("oddsportal") / "store.duckdb"
    sources = [
        EngSoccerData(names=["champs"]),
        OpenFootball(repos=["champions-league"], seasons=["2018-19"]),
        OddsPortal(["uefa.cl"]),
    ]
    report = update(path, mirror=str(mirror), sources=sources, workers=1)  # type: ignore[arg-type]
    assert report.committed and not report.errors
    return path


def test_odds_attach_to_the_stored_match_whose_result_stays(odds_store: Path) -> None:
    con = duckdb.connect(str(odds_store), read_only=True)
    (row,) = con.execute(
        """
        SELECT m.home_goals, m.away_goals, o.price1, o.price2, o.price3, m.n_sources
        FROM matches m JOIN clubs h ON h.club_id = m.home_id JOIN clubs a ON a.club_id = m.away_id
        JOIN odds o USING (match_id)
        WHERE m.date = '2019-05-07' AND h.name LIKE 'Liverpool%' AND a.name LIKE '%Barcelona%'
              AND o.bookmaker = 'pinnacle'
        """
    ).fetchall()
    assert row == (4, 0, 2.60, 3.75, 2.72, 2)


def test_oddsportal_never_creates_a_match_nor_overrides_a_90_minute_score(odds_store: Path) -> None:
    con = duckdb.connect(str(odds_store), read_only=True)
    # every stored match has a row of a results source
    assert con.execute(
        "SELECT count(*) FROM matches WHERE match_id NOT IN"
        " (SELECT match_id FROM match_sources WHERE source <> 'oddsportal')"
    ).fetchone() == (0,)
    # Istanbul 2005: 3-3 after 90 minutes (engsoccerdata, Liverpool first at the neutral venue);
    # OddsPortal's AC Milan 3-4 Liverpool is turned round and reported as a conflict
    (final,) = con.execute(
        """
        SELECT m.match_id, m.home_goals, m.away_goals, m.aet_home, m.aet_away
        FROM matches m JOIN match_sources s USING (match_id) JOIN raw_matches r USING (raw_id)
        WHERE r.source = 'oddsportal' AND r.date = '2005-05-25'
        """
    ).fetchall()
    assert final[1:] == (3, 3, 3, 3)
    conflict = con.execute("SELECT values_by_source FROM conflicts WHERE match_id = ? AND field = 'home_goals'",
                           [final[0]]).fetchone()  # fmt: skip
    assert conflict is not None and "oddsportal=4" in conflict[0]
    # no club is known only by an OddsPortal name
    assert con.execute(
        "SELECT count(*) FROM clubs WHERE club_id NOT IN"
        " (SELECT club_id FROM club_names WHERE source <> 'oddsportal' AND club_id IS NOT NULL)"
    ).fetchone() == (0,)
