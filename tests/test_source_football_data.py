"""The football-data.co.uk source: its catalogue, its parser on the real mirror, its errors."""

from __future__ import annotations

import csv
import datetime as dt
import os
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from remontada.sources.base import RemoteFile
from remontada.sources.football_data import (
    DIVISIONS,
    KNOWN_COLUMNS,
    ODDS_COLUMNS,
    SEASONS,
    FootballData,
    _handicap,
    season_code,
    season_from_code,
)
from remontada.sources.records import MatchRecord, OddsQuote, ParsedFile, SourceError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "football_data"


def remote_for(path: str) -> RemoteFile:
    """The catalogue entry for ``mmz4281/<code>/<div>.csv``."""
    return next(remote for remote in FootballData().files() if remote.path == path)


def parse_mirror(mirror: Path, path: str, strict: bool = False) -> ParsedFile:
    remote = remote_for(path)
    location = mirror / remote.mirror_path
    return FootballData(strict=strict).parse(location.read_bytes(), remote, str(location))


def quote(match: MatchRecord, bookmaker: str, market: str, closing: bool) -> OddsQuote | None:
    found = [q for q in match.odds if (q.bookmaker, q.market, q.closing) == (bookmaker, market, closing)]
    assert len(found) <= 1, f"duplicate {bookmaker} {market} quotes"
    return found[0] if found else None


def at_line(parsed: ParsedFile, line: int) -> MatchRecord:
    return next(match for match in parsed.matches if match.line == line)


# -- catalogue --------------------------------------------------------------------------------


def test_catalogue_lists_one_optional_file_per_season_and_division() -> None:
    files = FootballData().files()
    assert len(SEASONS) == 33 and SEASONS[0] == "1993-94" and SEASONS[-1] == "2025-26"
    assert len(DIVISIONS) == 22
    assert len(files) == 33 * 22
    assert len({f.path for f in files}) == len(files)
    assert all(f.optional and f.source == "football-data" for f in files)
    e0 = next(f for f in files if f.path == "mmz4281/2324/E0.csv")
    assert e0.url == "https://www.football-data.co.uk/mmz4281/2324/E0.csv"
    assert e0.mirror_path == "football-data.co.uk/mmz4281/2324/E0.csv"
    assert (e0.competition, e0.season) == ("eng.1", "2023-24")
    millennium = next(f for f in files if f.path == "mmz4281/9900/SC3.csv")
    assert (millennium.competition, millennium.season) == ("sco.4", "1999-00")


def test_every_division_maps_to_a_catalogued_competition_and_its_country() -> None:
    from remontada.competitions import CATALOGUE

    for division, (competition, country) in DIVISIONS.items():
        assert CATALOGUE[competition].country == country, division


def test_catalogue_can_be_narrowed_and_pointed_at_a_mirror() -> None:
    source = FootballData(seasons=["2019-20", "2023-24"], divisions=["SP1", "T1"], base_url="http://localhost:8000")
    files = source.files()
    assert [f.path for f in files] == [
        "mmz4281/1920/SP1.csv",
        "mmz4281/1920/T1.csv",
        "mmz4281/2324/SP1.csv",
        "mmz4281/2324/T1.csv",
    ]
    assert files[0].url == "http://localhost:8000/mmz4281/1920/SP1.csv"
    assert [f.competition for f in files] == ["esp.1", "tur.1", "esp.1", "tur.1"]


@pytest.mark.parametrize(("seasons", "divisions"), [(["2023-2024"], None), (["1992-93"], None), (None, ["E5"])])
def test_catalogue_rejects_unknown_seasons_and_divisions(
    seasons: list[str] | None, divisions: list[str] | None
) -> None:
    with pytest.raises(ValueError, match="unknown football-data"):
        FootballData(seasons=seasons, divisions=divisions)


def test_season_codes_round_trip_across_the_century() -> None:
    assert season_code("1999-00") == "9900"
    assert season_code("2000-01") == "0001"
    assert [season_from_code(season_code(s)) for s in SEASONS] == list(SEASONS)


def test_odds_column_mapping_has_no_column_claimed_twice_for_the_same_role() -> None:
    price_columns = [name for spec in ODDS_COLUMNS for name in spec.prices]
    assert len(price_columns) == len(set(price_columns))
    assert {"PSCH", "PSCD", "PSCA", "B365C>2.5", "PCAHH", "AHCh", "BbAHh", "LBAH"} <= KNOWN_COLUMNS


# -- the whole mirror -------------------------------------------------------------------------


def summarise_mirror_file(job: tuple[RemoteFile, Path]) -> tuple[str, dict[str, object]]:
    """Per-file facts of one parsed mirror file (the records themselves would not fit in memory)."""
    remote, location = job
    parsed = FootballData().parse(location.read_bytes(), remote, str(location))
    closing = {(q.bookmaker, q.market) for m in parsed.matches for q in m.odds if q.closing}
    return "mirror/" + remote.mirror_path, {
        "rows": len(parsed.matches),
        "pinnacle_closing_1x2": ("pinnacle", "1x2") in closing,
        "average_closing_1x2": ("market_avg", "1x2") in closing,
        "unknown_columns": [text for _, text in parsed.warnings if text.startswith("unknown column")],
        "unplayed": sum(m.status != "played" for m in parsed.matches),
    }


@pytest.fixture(scope="module")
def mirror_summary(mirror: Path) -> dict[str, dict[str, object]]:
    """Parse every mirrored file once, spread over the machine's cores."""
    jobs = [(r, mirror / r.mirror_path) for r in FootballData().files() if (mirror / r.mirror_path).exists()]
    with ProcessPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(pool.map(summarise_mirror_file, jobs, chunksize=8))


@pytest.fixture(scope="module")
def provenance(mirror: Path) -> dict[str, dict[str, str]]:
    table = mirror.parent / "football-data_provenance.csv"
    with table.open(newline="") as handle:
        return {row["path"]: row for row in csv.DictReader(handle)}


def test_whole_mirror_parses_to_the_row_counts_of_its_provenance(
    mirror_summary: dict[str, dict[str, object]], provenance: dict[str, dict[str, str]]
) -> None:
    assert len(mirror_summary) == len(provenance) == 652
    assert set(mirror_summary) == set(provenance)
    mismatched = {
        p: (s["rows"], provenance[p]["rows"])
        for p, s in mirror_summary.items()
        if s["rows"] != int(provenance[p]["rows"])
    }
    assert mismatched == {}
    assert sum(s["rows"] for s in mirror_summary.values()) == 227_415  # type: ignore[misc]


def test_whole_mirror_has_no_unknown_columns(mirror_summary: dict[str, dict[str, object]]) -> None:
    assert {p: s["unknown_columns"] for p, s in mirror_summary.items() if s["unknown_columns"]} == {}


def test_pinnacle_and_average_closing_prices_come_from_the_files_that_carry_them(
    mirror_summary: dict[str, dict[str, object]], provenance: dict[str, dict[str, str]]
) -> None:
    with_pinnacle = {p for p, s in mirror_summary.items() if s["pinnacle_closing_1x2"]}
    with_average = {p for p, s in mirror_summary.items() if s["average_closing_1x2"]}
    assert len(with_pinnacle) == 252
    assert with_pinnacle == {p for p, row in provenance.items() if row["has_PSCH"] == "1"}
    assert with_average == {p for p, row in provenance.items() if row["has_AvgCH"] == "1"}


def test_only_two_mirrored_matches_lack_a_result(mirror_summary: dict[str, dict[str, object]]) -> None:
    assert {p: s["unplayed"] for p, s in mirror_summary.items() if s["unplayed"]} == {
        "mirror/football-data.co.uk/mmz4281/1819/G1.csv": 1,
        "mirror/football-data.co.uk/mmz4281/2526/F2.csv": 1,
    }


# -- spot checks on real files ----------------------------------------------------------------


def test_premier_league_2023_24_opens_with_burnley_0_3_man_city(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/2324/E0.csv")
    assert len(parsed.matches) == 380
    assert parsed.warnings == []
    match = parsed.matches[0]
    assert match.line == 2
    assert (match.source, match.competition, match.season, match.stage) == (
        "football-data",
        "eng.1",
        "2023-24",
        "league",
    )
    assert match.date == dt.date(2023, 8, 11)
    assert (match.home.name, match.home.country, match.away.name) == ("Burnley", "ENG", "Man City")
    assert (match.home_goals, match.away_goals, match.ht_home, match.ht_away) == (0, 3, 0, 2)
    assert (match.home_red, match.away_red) == (1, 0)
    assert (match.kickoff, match.referee, match.status) == ("20:00", "C Pawson", "played")
    assert match.stats == {
        "home_shots": 6,
        "away_shots": 17,
        "home_sot": 1,
        "away_sot": 8,
        "home_fouls": 11,
        "away_fouls": 8,
        "home_corners": 6,
        "away_corners": 5,
        "home_yellow": 0,
        "away_yellow": 0,
    }
    assert quote(match, "pinnacle", "1x2", closing=True) == OddsQuote("pinnacle", "1x2", True, (9.62, 5.81, 1.33))
    assert quote(match, "pinnacle", "1x2", closing=False).prices == (8.58, 5.51, 1.37)  # type: ignore[union-attr]
    assert quote(match, "bet365", "ou", closing=False) == OddsQuote("bet365", "ou", False, (1.67, 2.2), 2.5)
    assert quote(match, "pinnacle", "ou", closing=True) == OddsQuote("pinnacle", "ou", True, (1.65, 2.35), 2.5)
    assert quote(match, "market_avg", "ah", closing=False) == OddsQuote("market_avg", "ah", False, (1.85, 2.03), 1.5)
    assert quote(match, "pinnacle", "ah", closing=True) == OddsQuote("pinnacle", "ah", True, (1.95, 1.97), 1.5)
    # MaxCAHH/MaxCAHA are empty on this row: no quote rather than a partial one.
    assert quote(match, "market_max", "ah", closing=True) is None
    # 1X2: 8 bookmakers before and 8 at the close; totals: 4 + 4; handicap: 4 + 3 (MaxC empty).
    assert len(match.odds) == 31


def test_1993_94_file_has_two_digit_years_and_results_only(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/9394/E0.csv")
    assert len(parsed.matches) == 462  # 22 clubs; 90 blank spreadsheet rows skipped
    first = parsed.matches[0]
    assert first.date == dt.date(1993, 8, 14)
    assert (first.home.name, first.away.name, first.home_goals, first.away_goals) == ("Arsenal", "Coventry", 0, 3)
    assert (first.ht_home, first.odds, first.stats, first.kickoff) == (None, (), {}, None)
    assert max(m.date for m in parsed.matches) == dt.date(1994, 5, 8)  # type: ignore[type-var]


def test_utf8_bom_file_reads_its_first_column(mirror: Path) -> None:
    assert (mirror / "football-data.co.uk/mmz4281/2425/E0.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    parsed = parse_mirror(mirror, "mmz4281/2425/E0.csv", strict=True)
    first = parsed.matches[0]
    assert (first.date, first.home.name, first.away.name, first.home_goals, first.away_goals) == (
        dt.date(2024, 8, 16),
        "Man United",
        "Fulham",
        1,
        0,
    )
    assert quote(first, "betfair_exchange", "1x2", closing=True) is not None


def test_cp1252_bytes_decode_to_the_real_names(mirror: Path) -> None:
    national_league = parse_mirror(mirror, "mmz4281/2021/EC.csv")
    assert at_line(national_league, 11).home.name == "King\u2019s Lynn"
    bundesliga = parse_mirror(mirror, "mmz4281/0001/D1.csv")
    opener = bundesliga.matches[0]
    assert opener.referee == "J\u00f6rg Kessler"
    assert opener.stats == {
        "home_shots": 17,
        "away_shots": 5,
        "home_sot": 7,
        "away_sot": 2,
        "home_woodwork": 0,
        "away_woodwork": 0,
        "home_corners": 7,
        "away_corners": 3,
        "home_fouls": 25,
        "away_fouls": 19,
        "home_offsides": 4,
        "away_offsides": 8,
        "home_yellow": 1,
        "away_yellow": 5,
        "home_booking_points": 10,
        "away_booking_points": 50,
        "attendance": 61000,
    }


def test_quoted_referee_with_comma_keeps_columns_aligned(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/0102/E0.csv")
    match = next(m for m in parsed.matches if m.home.name == "Charlton" and m.away.name == "Blackburn")
    assert match.referee == "Wiley, A. G."
    assert match.stats["attendance"] == 25857
    assert (match.home_goals, match.away_goals, match.stats["home_shots"]) == (0, 2, 10)


@pytest.mark.parametrize("path", ["mmz4281/1718/F1.csv", "mmz4281/1617/SP1.csv"])
def test_third_party_resaved_totals_columns_are_understood(mirror: Path, path: str) -> None:
    parsed = parse_mirror(mirror, path, strict=True)
    with_totals = [m for m in parsed.matches if quote(m, "betbrain_max", "ou", closing=False)]
    assert len(with_totals) >= 370


def test_ligue_1_2017_18_resaved_totals_keep_over_before_under(mirror: Path) -> None:
    monaco_toulouse = parse_mirror(mirror, "mmz4281/1718/F1.csv").matches[0]
    assert quote(monaco_toulouse, "betbrain_max", "ou", closing=False) == OddsQuote(
        "betbrain_max", "ou", False, (1.66, 2.41), 2.5
    )
    assert quote(monaco_toulouse, "betbrain_avg", "ah", closing=False) == OddsQuote(
        "betbrain_avg", "ah", False, (1.95, 1.91), -1.5
    )


def test_ladbrokes_spelt_lb_lb_lb_becomes_a_1x2_quote(mirror: Path) -> None:
    dresden_duisburg = parse_mirror(mirror, "mmz4281/0405/D2.csv", strict=True).matches[0]
    assert quote(dresden_duisburg, "ladbrokes", "1x2", closing=False) == OddsQuote(
        "ladbrokes", "1x2", False, (2.25, 3.2, 2.75)
    )


def test_split_handicap_written_as_two_lines_is_their_quarter_line(mirror: Path) -> None:
    gimnastic_elche = at_line(parse_mirror(mirror, "mmz4281/0910/SP2.csv"), 444)
    assert (gimnastic_elche.home.name, gimnastic_elche.away.name) == ("Gimnastic", "Elche")
    assert quote(gimnastic_elche, "betbrain_max", "ah", closing=False) == OddsQuote(
        "betbrain_max", "ah", False, (1.81, 2.2), -0.75
    )


def test_junk_price_drops_only_that_bookmakers_quote(mirror: Path) -> None:
    lamia_atromitos = at_line(parse_mirror(mirror, "mmz4281/2425/G1.csv"), 123)
    assert (lamia_atromitos.home.name, lamia_atromitos.away.name) == ("Lamia", "Atromitos")
    assert quote(lamia_atromitos, "1xbet", "1x2", closing=False) is None  # 1XBH is the text "1xBet"
    assert quote(lamia_atromitos, "pinnacle", "1x2", closing=False).prices == (3.74, 2.96, 2.22)  # type: ignore[union-attr]


def test_half_time_score_without_a_final_score_is_an_abandoned_match(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/1819/G1.csv")
    derby = at_line(parsed, 199)
    assert (derby.home.name, derby.away.name, derby.date) == ("Panathinaikos", "Olympiakos", dt.date(2019, 3, 17))
    assert (derby.status, derby.home_goals, derby.away_goals, derby.ht_home, derby.ht_away) == (
        "abandoned",
        None,
        None,
        0,
        3,
    )
    assert any(line == 199 and "abandoned" in text for line, text in parsed.warnings)


# -- handcrafted quirks -----------------------------------------------------------------------


def parse_bytes(data: bytes, path: str = "mmz4281/2324/E0.csv", strict: bool = False) -> ParsedFile:
    return FootballData(strict=strict).parse(data, remote_for(path), "memory.csv")


def test_unplayed_fixtures_are_scheduled_and_lines_stay_physical() -> None:
    location = FIXTURES / "unplayed.csv"
    parsed = FootballData().parse(location.read_bytes(), remote_for("mmz4281/2324/E0.csv"), str(location))
    assert [(m.line, m.status) for m in parsed.matches] == [
        (2, "played"),
        (4, "played"),
        (5, "scheduled"),
        (6, "scheduled"),
    ]
    brentford = parsed.matches[2]
    assert (brentford.home_goals, brentford.away_goals, brentford.ht_home) == (None, None, None)
    assert quote(brentford, "bet365", "1x2", closing=False) == OddsQuote("bet365", "1x2", False, (2.1, 3.4, 3.5))
    assert parsed.matches[1].odds == ()  # the short row stops before any price
    assert parsed.warnings == [(5, "2 fixture(s) without a score recorded as scheduled")]


def test_prices_that_are_empty_junk_or_not_above_one_are_skipped() -> None:
    data = (
        b"Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,B365H,B365D,B365A,BWH,BWD,BWA,IWH,IWD,IWA,WHH,WHD,WHA,PSH,PSD,PSA\r\n"
        b"E0,11/08/2023,Burnley,Man City,0,3,1.0,5.5,1.33,8.75,#,1.34,8,,1.35,8,5,1.25,NaN,5.51,1.37\r\n"
    )
    match = parse_bytes(data).matches[0]
    assert [q.bookmaker for q in match.odds] == ["william_hill"]


def test_pinnacle_old_alias_ph_is_read_and_not_doubled() -> None:
    header = b"Div,Date,HomeTeam,AwayTeam,HG,AG,Res,PH,PD,PA"
    row = b"E0,11/08/23,Burnley,Man City,0,3,A,8.58,5.51,1.37"
    match = parse_bytes(header + b"\n" + row + b"\n", strict=True).matches[0]
    assert (match.home_goals, match.away_goals) == (0, 3)
    assert match.odds == (OddsQuote("pinnacle", "1x2", False, (8.58, 5.51, 1.37)),)
    both = parse_bytes(header + b",PSH,PSD,PSA\n" + row + b",8.6,5.5,1.38\n").matches[0]
    assert both.odds == (OddsQuote("pinnacle", "1x2", False, (8.6, 5.5, 1.38)),)


def test_latin1_team_names_and_no_break_spaces() -> None:
    data = "Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,Referee\nD1,11/08/00,M\u00fcnchen 1860,K\u00f6ln,1,0,M\xa0Merk \n"
    match = parse_bytes(data.encode("cp1252"), "mmz4281/0001/D1.csv").matches[0]
    assert (match.home.name, match.away.name, match.referee) == ("M\u00fcnchen 1860", "K\u00f6ln", "M Merk")
    assert (match.competition, match.home.country, match.season) == ("ger.1", "GER", "2000-01")


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ("-0.75", -0.75),
        ("0", 0.0),
        ("-0", 0.0),
        ("+0.5,+1", 0.75),
        ("-1,-1.5", -1.25),
        ("-1 1/4", -1.25),
        ("0.758", None),
        ("-0.390625", None),
        ("-1.2", None),
        ("", None),
        ("c", None),
        ("0,-1", None),
    ],
)
def test_handicap_lines_accept_quarter_goal_forms_only(text: str, line: float | None) -> None:
    assert _handicap(text) == line


def test_a_file_without_a_catalogued_path_takes_division_and_season_from_its_content() -> None:
    remote = RemoteFile("football-data", "mmz4281/2324/custom.csv", "u", "m")
    data = b"Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\nSP1,11/08/2023,Almeria,Rayo Vallecano,0,2\n"
    match = FootballData().parse(data, remote, "custom.csv").matches[0]
    assert (match.competition, match.season, match.home.country) == ("esp.1", "2023-24", "ESP")


# -- errors name the file and the line --------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "line", "fragment"),
    [
        ("bad_score.csv", 4, "impossible score FTHG='x'"),
        ("negative_score.csv", 3, "impossible score FTAG='-1'"),
        ("ht_exceeds_ft.csv", 4, "half-time score 2-0 exceeds full-time score 1-1"),
        ("bad_date.csv", 5, "bad date '31/02/2024'"),
        ("iso_date.csv", 3, "bad date '2024-13-01'"),
        ("missing_team.csv", 4, "missing home team name"),
        ("truncated.csv", 4, "truncated last row"),
        ("missing_essential.csv", 1, "header lacks essential column(s) FTHG, FTAG"),
        ("html.csv", None, "HTML served instead of CSV"),
        ("empty.csv", None, "empty file"),
    ],
)
def test_malformed_file_raises_source_error_at_its_line(fixture: str, line: int | None, fragment: str) -> None:
    location = FIXTURES / fixture
    with pytest.raises(SourceError) as caught:
        FootballData().parse(location.read_bytes(), remote_for("mmz4281/2324/E0.csv"), str(location))
    error = caught.value
    assert error.location == str(location)
    assert error.line == line
    assert fragment in error.message
    assert str(location) in str(error)


def test_unknown_column_is_a_warning_unless_strict() -> None:
    location = FIXTURES / "unknown_column.csv"
    remote = remote_for("mmz4281/2324/E0.csv")
    parsed = FootballData().parse(location.read_bytes(), remote, str(location))
    assert parsed.warnings == [(1, "unknown column 'XYZ' ignored")]
    assert [m.home.name for m in parsed.matches] == ["Burnley", "Arsenal"]
    with pytest.raises(SourceError) as caught:
        FootballData(strict=True).parse(location.read_bytes(), remote, str(location))
    assert (caught.value.location, caught.value.line) == (str(location), 1)
    assert "'XYZ'" in caught.value.message


def test_the_first_problem_in_file_order_is_reported() -> None:
    data = (
        b"Div,Date,HomeTeam,AwayTeam,FTHG,FTAG\n"
        b"E0,11/08/2023,Burnley,Man City,0,3\n"
        b"E0,12/08/2023,Arsenal,Nott'm Forest,2,one\n"
        b"E0,32/08/2023,Bournemouth,West Ham,1,1\n"
    )
    with pytest.raises(SourceError) as caught:
        parse_bytes(data)
    assert caught.value.line == 3


def test_a_header_without_rows_is_an_empty_season_not_an_error() -> None:
    parsed = parse_bytes(b"\xef\xbb\xbfDiv,Date,Time,HomeTeam,AwayTeam,FTHG,FTAG,FTR\r\n")
    assert (parsed.matches, parsed.warnings) == ([], [])


def test_line_numbers_stay_physical_when_a_quoted_field_spans_lines() -> None:
    data = (
        b"Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,Referee\n"
        b'E0,22/12/01,Charlton,Blackburn,0,2,"Wiley,\nA. G."\n'
        b"E0,22/12/01,Derby,Aston Villa,3,1,D Elleray\n"
    )
    parsed = parse_bytes(data, "mmz4281/0102/E0.csv")
    assert [(m.line, m.referee) for m in parsed.matches] == [(2, "Wiley, A. G."), (4, "D Elleray")]


def test_one_sided_half_time_score_is_dropped_with_a_warning(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/0203/I2.csv")
    sampdoria_siena = at_line(parsed, 321)
    assert (sampdoria_siena.home.name, sampdoria_siena.away.name) == ("Sampdoria", "Siena")
    assert (sampdoria_siena.home_goals, sampdoria_siena.away_goals) == (0, 0)
    assert (sampdoria_siena.ht_home, sampdoria_siena.ht_away) == (None, None)
    assert parsed.warnings == [(321, "one-sided half-time score 0-None: half-time dropped")]


def test_values_outside_named_columns_are_reported_once(mirror: Path) -> None:
    parsed = parse_mirror(mirror, "mmz4281/0607/T1.csv")
    assert len(parsed.warnings) == 1
    line, text = parsed.warnings[0]
    assert line == 224
    assert text.startswith("values in unnamed columns ignored on 1 row(s)") and "Abandoned" in text
    assert (at_line(parsed, 224).home_goals, at_line(parsed, 224).away_goals) == (0, 3)


def test_a_repeated_column_name_keeps_the_first_and_warns() -> None:
    data = (
        b"Div,Date,HomeTeam,AwayTeam,FTHG,FTAG,B365H,B365D,B365A,B365H\nE0,11/08/23,Burnley,Man City,0,3,8,5.5,1.33,9\n"
    )
    parsed = parse_bytes(data)
    assert parsed.warnings == [(1, "duplicate column 'B365H': the first one is used")]
    assert parsed.matches[0].odds[0].prices == (8.0, 5.5, 1.33)


def row_by_row_quotes(data: bytes) -> list[list[tuple[str, str, bool, tuple[float, ...], float | None]]]:
    """The quotes of every match, read one CSV row and one bookmaker at a time (files with plain-number lines)."""
    reader = csv.DictReader(data.decode("utf-8-sig").splitlines())
    header = reader.fieldnames or []
    plans, seen = [], set()
    for spec in ODDS_COLUMNS:
        line_column = next((c for c in spec.line_columns if c in header), None)
        key = (spec.bookmaker, spec.market, spec.closing)
        if all(c in header for c in spec.prices) and (spec.market != "ah" or line_column) and key not in seen:
            seen.add(key)
            plans.append((spec, line_column))

    def price(text: str) -> float | None:
        try:
            value = float(text)
        except ValueError:
            return None
        return value if value > 1 else None

    matches = []
    for row in reader:
        if not any((v or "").strip() for v in row.values() if isinstance(v, str)):
            continue
        quotes = []
        for spec, line_column in plans:
            prices = tuple(price(row[c] or "") for c in spec.prices)
            line = spec.line if line_column is None else (float(row[line_column]) if row[line_column] else None)
            if None not in prices and (spec.market != "ah" or line is not None):
                quotes.append((spec.bookmaker, spec.market, spec.closing, prices, line))
        matches.append(quotes)
    return matches


@pytest.mark.parametrize("path", ["mmz4281/2324/E0.csv", "mmz4281/0506/E0.csv", "mmz4281/1213/SP1.csv"])
def test_column_wise_odds_equal_a_row_by_row_reading(mirror: Path, path: str) -> None:
    """Every kept quote, in the same order and with the same prices, as reading the CSV row by row."""
    data = (mirror / remote_for(path).mirror_path).read_bytes()
    parsed = parse_mirror(mirror, path)
    expected = row_by_row_quotes(data)
    got = [[(q.bookmaker, q.market, q.closing, q.prices, q.line) for q in m.odds] for m in parsed.matches]
    assert len(got) == len(expected) and sum(map(len, got)) > 10 * len(got)
    assert got == expected
    assert parsed.odds is not None and len(parsed.odds) == sum(map(len, expected))
