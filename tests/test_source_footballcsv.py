"""footballcsv caches: the catalogue matches the repositories, every file parses, real matches check out."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections import Counter
from pathlib import Path

import pytest

from remontada.competitions import CATALOGUE
from remontada.sources.footballcsv import (
    LEAGUES,
    FootballCsv,
    catalog,
    catalog_from_mirror,
    catalog_text,
    describe,
)
from remontada.sources.records import MatchRecord, ParsedFile, SourceError

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "footballcsv"
SOURCE = FootballCsv()


@pytest.fixture(scope="module")
def parsed_all(mirror: Path) -> dict[str, ParsedFile]:
    """Every catalogued file, parsed once, by repository path."""
    result = {}
    for remote in SOURCE.files():
        path = mirror / remote.mirror_path
        result[remote.mirror_path.removeprefix("footballcsv/")] = SOURCE.parse(path.read_bytes(), remote, str(path))
    return result


def find(parsed: ParsedFile, home: str, away: str) -> MatchRecord:
    found = [m for m in parsed.matches if m.home.name == home and m.away.name == away]
    assert len(found) == 1, f"{home} v {away}: {len(found)} records"
    return found[0]


# ---- catalogue ----------------------------------------------------------------------------------


def test_catalogue_lists_exactly_the_mirrored_files(mirror: Path) -> None:
    assert list(catalog()) == catalog_from_mirror(mirror)
    assert len(catalog()) == 1256
    repos = Counter(path.split("/", 1)[0] for path in catalog())
    assert repos == {"cache.soccerdata": 411, "cache.footballdata": 845}


def test_catalogue_file_is_what_the_generator_writes(mirror: Path) -> None:
    from importlib import resources

    stored = resources.files("remontada.sources").joinpath("catalog/footballcsv.txt").read_text(encoding="utf-8")
    assert stored == catalog_text(catalog_from_mirror(mirror))


def test_remote_files_carry_url_mirror_path_competition_and_season() -> None:
    files = {remote.mirror_path: remote for remote in SOURCE.files()}
    first = files["footballcsv/cache.soccerdata/1800s/1888-89/eng.1.csv"]
    assert first.url == "https://raw.githubusercontent.com/footballcsv/cache.soccerdata/master/1800s/1888-89/eng.1.csv"
    assert (first.competition, first.season, first.optional) == ("eng.1", "1888-89", False)
    german = files["footballcsv/cache.footballdata/2023-24/de.1.csv"]
    assert (german.competition, german.season) == ("ger.1", "2023-24")
    brazil = files["footballcsv/cache.footballdata/2016/br.1.csv"]
    assert (brazil.competition, brazil.season) == ("bra.1", "2016")
    only_history = FootballCsv(repositories=["cache.soccerdata"], base_url="http://mirror.local/fcsv").files()
    assert len(only_history) == 411
    assert only_history[0].url.startswith("http://mirror.local/fcsv/cache.soccerdata/master/")


def test_every_league_code_maps_to_a_catalogued_competition() -> None:
    assert set(LEAGUES.values()) <= set(CATALOGUE)
    assert len(set(LEAGUES.values())) == len(LEAGUES)


def test_describe_maps_league_codes_and_rejects_other_paths() -> None:
    assert describe("cache.soccerdata/1900s/1921-22/eng.3a.csv") == ("eng.3n", "1921-22")
    assert describe("cache.soccerdata/1900s/1921-22/eng.3b.csv") == ("eng.3s", "1921-22")
    assert describe("cache.footballdata/2012-13/ch.1.csv") == ("sui.1", "2012-13")
    with pytest.raises(ValueError, match="unknown league code"):
        describe("cache.footballdata/2012-13/xx.1.csv")
    with pytest.raises(ValueError, match="not a footballcsv cache file"):
        describe("README.md")


# ---- every file ---------------------------------------------------------------------------------


def test_every_file_parses_and_accounts_for_every_row(mirror: Path, parsed_all: dict[str, ParsedFile]) -> None:
    rows = 0
    for repo_path in catalog():
        rows += (mirror / "footballcsv" / repo_path).read_bytes().count(b"\n") - 1
    records = sum(len(p.matches) for p in parsed_all.values())
    skipped = {(path, line) for path, p in parsed_all.items() for line, _ in p.warnings}
    assert rows == 472_499
    assert records + len(skipped) == rows
    assert skipped == {
        ("cache.footballdata/2014-15/gr.1.csv", 302),
        ("cache.footballdata/2018-19/gr.1.csv", 199),
        ("cache.footballdata/2016/br.1.csv", 373),
    }


def _coverage_table(text: str) -> dict[tuple[str, str], int]:
    """COVERAGE.md §3: matches per footballcsv league and season (``.`` = no file)."""
    section = text.split("## 3.", 1)[1].split("\n## ", 1)[0]
    lines = [line for line in section.splitlines() if line.startswith("|")]
    seasons = [cell.strip() for cell in lines[0].strip("|").split("|")[1:]]
    counts = {}
    for line in lines[2:]:
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        for short, cell in zip(seasons, cells[1:], strict=True):
            if cell.isdigit():
                start = int(short[:2])
                year = 1900 + start if start >= 90 else 2000 + start
                counts[(cells[0], f"{year}-{short[3:]}")] = int(cell)
    return counts


def test_match_counts_agree_with_coverage(mirror: Path, parsed_all: dict[str, ParsedFile]) -> None:
    coverage = mirror.parent / "COVERAGE.md"
    if not coverage.is_file():
        pytest.skip("COVERAGE.md is not next to the mirror")
    expected = _coverage_table(coverage.read_text(encoding="utf-8"))
    assert len(expected) > 600
    for (league, season), count in expected.items():
        parsed = parsed_all[f"cache.footballdata/{season}/{league}.csv"]
        skipped = len(parsed.warnings)
        assert len(parsed.matches) + skipped == count, (league, season)


# ---- real matches -------------------------------------------------------------------------------


def test_first_football_league_day(parsed_all: dict[str, ParsedFile]) -> None:
    season = parsed_all["cache.soccerdata/1800s/1888-89/eng.1.csv"]
    assert len(season.matches) == 132  # 12 clubs, home and away
    match = find(season, "Bolton Wanderers", "Derby County")
    assert (match.date, match.home_goals, match.away_goals) == (dt.date(1888, 9, 8), 3, 6)
    assert (match.competition, match.season, match.home.country, match.ht_home) == ("eng.1", "1888-89", "ENG", None)
    preston = [m for m in season.matches if "Preston North End" in (m.home.name, m.away.name)]
    assert sum(m.home_goals == m.away_goals for m in preston) == 4  # the Invincibles: 18 won, 4 drawn, 0 lost
    assert all(
        (m.home_goals > m.away_goals) if m.home.name == "Preston North End" else (m.away_goals > m.home_goals)
        for m in preston
        if m.home_goals != m.away_goals
    )


def test_third_division_north_and_south(parsed_all: dict[str, ParsedFile]) -> None:
    north = parsed_all["cache.soccerdata/1900s/1921-22/eng.3a.csv"]
    south = parsed_all["cache.soccerdata/1900s/1921-22/eng.3b.csv"]
    assert {m.competition for m in north.matches} == {"eng.3n"}
    assert {m.competition for m in south.matches} == {"eng.3s"}
    assert "Stockport County" in {m.home.name for m in north.matches}
    assert "Plymouth Argyle" in {m.home.name for m in south.matches}


def test_results_match_football_data_for_a_whole_season(mirror: Path, parsed_all: dict[str, ParsedFile]) -> None:
    source = mirror / "football-data.co.uk/mmz4281/2324/E0.csv"
    rows = list(csv.DictReader(io.StringIO(source.read_bytes().decode("utf-8-sig"))))
    expected = {
        (dt.datetime.strptime(r["Date"], "%d/%m/%Y").date(), r["HomeTeam"], r["AwayTeam"]): tuple(
            int(r[c]) for c in ("FTHG", "FTAG", "HTHG", "HTAG")
        )
        for r in rows
    }
    season = parsed_all["cache.footballdata/2023-24/eng.1.csv"]
    got = {
        (m.date, m.home.name, m.away.name): (m.home_goals, m.away_goals, m.ht_home, m.ht_away) for m in season.matches
    }
    assert len(expected) == 380
    assert got == expected
    opener = find(season, "Burnley", "Man City")
    assert (opener.date, opener.home_goals, opener.away_goals) == (dt.date(2023, 8, 11), 0, 3)


def test_unknown_half_time_is_none_and_calendar_seasons_keep_the_year(parsed_all: dict[str, ParsedFile]) -> None:
    mls = parsed_all["cache.footballdata/2019/us.1.csv"]
    assert {m.season for m in mls.matches} == {"2019"} and {m.competition for m in mls.matches} == {"usa.1"}
    assert all(m.ht_home is None and m.ht_away is None for m in mls.matches)
    assert {m.home.country for m in mls.matches} == {"USA"}


def test_match_never_completed_is_skipped_with_a_warning(parsed_all: dict[str, ParsedFile]) -> None:
    brazil = parsed_all["cache.footballdata/2016/br.1.csv"]
    assert brazil.warnings == [(373, "Chapecoense-SC v Atletico-MG has no score; skipped")]


# ---- other columns and malformed input --------------------------------------------------------


def test_optional_round_extra_time_and_penalty_columns() -> None:
    path = FIXTURES / "extra_columns.csv"
    remote = SOURCE.remote("cache.footballdata/2015-16/eng.1.csv")
    parsed = SOURCE.parse(path.read_bytes(), remote, str(path))
    final, semi = parsed.matches
    assert (final.round, final.home_goals, final.away_goals, final.aet_home, final.aet_away) == ("Final", 1, 1, 2, 1)
    assert final.pen_home is None and (semi.round, semi.ht_home, semi.ht_away) == ("Semifinals", 0, 1)


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("bad_score.csv", 3, "bad FT score '5:2'"),
        ("bad_date.csv", 4, "1888-09-08 is a Sat"),
        ("wrong_header.csv", 1, "unexpected header 'Date,Home,FT,Away'"),
        ("truncated.csv", 3, "expected 5 fields, found 4"),
    ],
)
def test_malformed_rows_name_file_and_line(fixture: str, line: int, message: str) -> None:
    path = FIXTURES / fixture
    remote = SOURCE.remote("cache.soccerdata/1800s/1888-89/eng.1.csv")
    with pytest.raises(SourceError) as error:
        SOURCE.parse(path.read_bytes(), remote, str(path))
    assert error.value.location == str(path)
    assert error.value.line == line
    assert message in error.value.message
    assert re.match(rf"{re.escape(str(path))}:{line}: ", str(error.value))


def test_competition_and_season_come_from_the_path_when_not_given() -> None:
    path = FIXTURES / "extra_columns.csv"
    bare = SOURCE.remote("cache.footballdata/2015-16/eng.1.csv")
    from dataclasses import replace

    parsed = SOURCE.parse(path.read_bytes(), replace(bare, competition=None, season=None), str(path))
    assert {(m.competition, m.season) for m in parsed.matches} == {("eng.1", "2015-16")}
    with pytest.raises(SourceError, match="not a footballcsv cache file"):
        SOURCE.parse(b"Date,Team 1,FT,Team 2\n", replace(bare, competition=None, mirror_path="x/y.csv"), "y.csv")
    with pytest.raises(SourceError, match="empty"):
        SOURCE.parse(b"", bare, "empty.csv")
