"""FiveThirtyEight SPI source: canonical files, commit-pinned snapshots, league mapping and errors."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
from pathlib import Path

import pytest

from remontada import competitions
from remontada.sources.base import RemoteFile
from remontada.sources.fivethirtyeight import SNAPSHOTS, FiveThirtyEight, parse_matches
from remontada.sources.records import ForecastRecord, ParsedFile, SourceError, TeamRef

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "fivethirtyeight"


def _remote(path: str) -> RemoteFile:
    return next(f for f in FiveThirtyEight().files() if f.path == path)


def _parse(mirror: Path, path: str, include_women: bool = False) -> ParsedFile:
    return _parse_cached(str(mirror), path, include_women)


@functools.cache
def _parse_cached(mirror: str, path: str, include_women: bool) -> ParsedFile:
    # Several tests read the same 4 MB files; parse each once per session.
    remote = _remote(path)
    source = FiveThirtyEight(include_women=include_women)
    return source.parse((Path(mirror) / remote.mirror_path).read_bytes(), remote, remote.mirror_path)


def _find(parsed: ParsedFile, day: dt.date, home: str, away: str) -> ForecastRecord:
    (record,) = [r for r in parsed.forecasts if (r.date, r.home.name, r.away.name) == (day, home, away)]
    return record


def test_files_are_the_canonical_urls_then_commit_pinned_snapshots(mirror: Path) -> None:
    files = FiveThirtyEight().files()
    assert [f.url for f in files[:3]] == [
        "https://projects.fivethirtyeight.com/soccer-api/club/spi_matches.csv",
        "https://projects.fivethirtyeight.com/soccer-api/club/spi_matches_latest.csv",
        "https://projects.fivethirtyeight.com/soccer-api/international/spi_matches_intl.csv",
    ]
    for remote in files[3:]:
        assert re.fullmatch(r"https://raw\.githubusercontent\.com/[\w.-]+/[\w.-]+/[0-9a-f]{40}/\S+", remote.url)
        assert remote.mirror_path.startswith("_history/projects.fivethirtyeight.com/soccer-api/club/")
    assert all((mirror / f.mirror_path).is_file() for f in files)
    assert len({f.path for f in files}) == len(files) == 6


def test_snapshot_urls_match_the_mirror_provenance(mirror: Path) -> None:
    provenance = (mirror.parent / "provenance_other.csv").read_text(encoding="utf-8")
    rows = {row["mirror_path"]: row for row in csv.DictReader(io.StringIO(provenance))}
    for snap in SNAPSHOTS:
        row = rows["mirror/_history/projects.fivethirtyeight.com/soccer-api/" + snap.path]
        assert (snap.repo, snap.commit, snap.repo_path) == (
            row["source_repo"],
            row["source_commit"],
            row["source_path"],
        )


def test_liverpool_four_barcelona_nil_forecast(mirror: Path) -> None:
    parsed = _parse(mirror, "club/spi_matches.csv")
    record = _find(parsed, dt.date(2019, 5, 7), "Liverpool", "Barcelona")
    assert record.competition == "uefa.cl"
    assert record.home == TeamRef("Liverpool", None) and record.away == TeamRef("Barcelona", None)
    assert (record.p_home, record.p_draw, record.p_away) == (0.4925, 0.2292, 0.2784)
    assert (record.rating_home, record.rating_away) == (92.97, 92.61)
    assert (record.proj_home, record.proj_away) == (1.82, 1.32)
    assert (record.home_goals, record.away_goals) == (4, 0)
    assert (record.xg_home, record.xg_away) == (2.79, 1.28)
    assert record.source == "fivethirtyeight"


def test_domestic_league_gives_competition_and_country(mirror: Path) -> None:
    parsed = _parse(mirror, "club/spi_matches.csv")
    record = _find(parsed, dt.date(2016, 8, 13), "Hull City", "Leicester City")
    assert record.competition == "eng.1"
    assert record.home == TeamRef("Hull City", "ENG")
    assert (record.home_goals, record.away_goals) == (2, 1)
    bundesliga = {r.home.country for r in parsed.forecasts if r.competition == "ger.1"}
    assert bundesliga == {"GER"}


def test_month_first_snapshot_dates_agree_with_the_iso_file(mirror: Path) -> None:
    canonical = _parse(mirror, "club/spi_matches.csv")
    resaved = _parse(mirror, "club/2020-09-09_thirdparty-resaved/spi_matches.csv")
    for day, home, away in [
        (dt.date(2019, 5, 7), "Liverpool", "Barcelona"),
        (dt.date(2016, 8, 12), "AS Monaco", "Guingamp"),
    ]:
        a, b = _find(canonical, day, home, away), _find(resaved, day, home, away)
        assert (a.p_home, a.p_draw, a.p_away, a.home_goals, a.away_goals) == (
            b.p_home,
            b.p_draw,
            b.p_away,
            b.home_goals,
            b.away_goals,
        )
    assert max(r.date for r in resaved.forecasts) == dt.date(2020, 10, 3)


def test_month_first_dates_are_refused_in_an_iso_file() -> None:
    path = FIXTURE_DIR / "month_first_date.csv"
    with pytest.raises(SourceError, match="'5-7-2019' is not an ISO date") as caught:
        parse_matches(path.read_bytes(), str(path))
    assert caught.value.line == 2
    assert parse_matches(path.read_bytes(), str(path), month_first=True).forecasts[0].date == dt.date(2019, 5, 7)


def test_international_file_reads_national_teams_with_martj42_tournament_ids(mirror: Path) -> None:
    parsed = _parse(mirror, "international/spi_matches_intl.csv")
    final = _find(parsed, dt.date(2022, 12, 18), "Argentina", "France")
    assert final.home == TeamRef("Argentina", national=True)
    assert final.competition == competitions.international("FIFA World Cup").id == "int.fifa-world-cup"
    assert (final.home_goals, final.away_goals) == (3, 3)
    # A knockout match: 538 gives probabilities to advance, with no draw.
    assert final.p_draw == 0.0 and final.p_home + final.p_away == pytest.approx(1.0)
    friendly_ids = {r.competition for r in parsed.forecasts if r.competition.startswith("int.friendly")}
    assert friendly_ids == {competitions.international("Friendly").id}
    assert all(r.home.national and r.away.national for r in parsed.forecasts)


def test_repeated_match_in_one_file_is_reported(mirror: Path) -> None:
    parsed = _parse(mirror, "international/spi_matches_intl.csv")
    repeats = [text for _, text in parsed.warnings if "listed again" in text]
    assert any(text.startswith("Egypt v Botswana on 2019-10-14") for text in repeats)
    advance = [text for _, text in parsed.warnings if "probtie = 0" in text]
    assert advance == [
        "16 row(s) have probtie = 0: probabilities to advance in a single-match knockout, not 90-minute results"
    ]


def test_womens_leagues_are_skipped_unless_asked_for(mirror: Path) -> None:
    skipped = _parse(mirror, "club/spi_matches_latest.csv")
    assert not any(r.competition.endswith((".w1", ".wcup")) for r in skipped.forecasts)
    assert any("FA Women's Super League" in text for _, text in skipped.warnings)
    included = _parse(mirror, "club/spi_matches_latest.csv", include_women=True)
    wsl = [r for r in included.forecasts if r.competition == "eng.w1"]
    assert len(included.forecasts) - len(skipped.forecasts) == 39 + 132 + 132
    assert len(wsl) == 132 and wsl[0].home.country == "ENG"


def test_every_mirrored_spi_file_parses_every_row(mirror: Path) -> None:
    distinct = {}
    for remote in FiveThirtyEight().files():
        data = (mirror / remote.mirror_path).read_bytes()
        parsed = _parse(mirror, remote.path)
        rows = data.decode().strip().count("\n")
        skipped = sum(int(m[1]) for _, text in parsed.warnings if (m := re.match(r"skipped (\d+) row", text)))
        assert len(parsed.forecasts) + skipped == rows, remote.path
        assert not any("not catalogued" in text for _, text in parsed.warnings), remote.path
        assert all(abs(r.p_home + r.p_draw + r.p_away - 1) < 0.01 for r in parsed.forecasts)
        distinct[remote.path] = len({(r.date, r.home.name, r.away.name) for r in parsed.forecasts})
    assert distinct["club/spi_matches.csv"] == 31_761
    assert distinct["international/spi_matches_intl.csv"] == 4_621


@pytest.mark.parametrize(
    ("fixture", "line", "message"),
    [
        ("probabilities_do_not_sum.csv", 3, r"prob1 \+ probtie \+ prob2 = 1\.1001"),
        ("half_score.csv", 2, "only one side of the score"),
        ("missing_probtie.csv", 1, "missing column"),
    ],
)
def test_malformed_rows_name_file_and_line(fixture: str, line: int, message: str) -> None:
    path = FIXTURE_DIR / fixture
    with pytest.raises(SourceError, match=message) as caught:
        parse_matches(path.read_bytes(), str(path))
    assert (caught.value.location, caught.value.line) == (str(path), line)


def test_unknown_club_league_gets_a_fallback_id_and_a_warning() -> None:
    parsed = parse_matches((FIXTURE_DIR / "unknown_league.csv").read_bytes(), "unknown_league.csv")
    assert parsed.forecasts[0].competition == "538.some-new-league"
    assert parsed.forecasts[0].home.country is None
    assert parsed.warnings == [(2, "league 'Some New League' is not catalogued; id 538.some-new-league")]


def test_competitions_outside_the_catalogue_are_listed_once(mirror: Path) -> None:
    club = _parse(mirror, "club/spi_matches.csv")
    assert sorted(c.id for c in club.competitions) == ["aus.1", "usa.2"]
    assert {r.competition for r in club.forecasts} >= {"aus.1", "usa.2"}
    intl = _parse(mirror, "international/spi_matches_intl.csv")
    assert len({c.id for c in intl.competitions}) == len(intl.competitions) == 22
    assert {r.competition for r in intl.forecasts} == {c.id for c in intl.competitions}
    (world_cup,) = [c for c in intl.competitions if c.id == "int.fifa-world-cup"]
    assert (world_cup.name, world_cup.kind) == ("FIFA World Cup", "international")
