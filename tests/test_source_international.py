"""International results source (martj42): results, shoot-outs, goals, former names, extra time."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
from collections.abc import Callable
from pathlib import Path

import pytest

from remontada.sources.international import (
    InternationalResults,
    former_names,
    parse_goals,
    parse_results,
    parse_shootouts,
)
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "international"
FINAL_2022 = (dt.date(2022, 12, 18), "Argentina", "France")


@functools.cache
def _parsed(mirror: str, name: str) -> ParsedFile:
    # results.csv and goalscorers.csv are 3-4 MB each: parse each once per session.
    source = InternationalResults()
    remote = next(f for f in source.files() if f.path == name)
    return source.parse((Path(mirror) / remote.mirror_path).read_bytes(), remote, remote.mirror_path)


def _match(matches: list[MatchRecord], day: dt.date, home: str, away: str) -> MatchRecord:
    (match,) = [m for m in matches if (m.date, m.home.name, m.away.name) == (day, home, away)]
    return match


def test_files_are_the_four_published_csvs() -> None:
    files = InternationalResults(base_url="http://mirror.test/intl").files()
    assert [f.path for f in files] == ["results.csv", "shootouts.csv", "goalscorers.csv", "former_names.csv"]
    assert files[0].url == "http://mirror.test/intl/results.csv"
    assert files[0].mirror_path == "martj42/international_results/results.csv"


def test_every_mirrored_file_parses_with_the_published_counts(mirror: Path) -> None:
    results = _parsed(str(mirror), "results.csv")
    shootouts = _parsed(str(mirror), "shootouts.csv")
    goals = _parsed(str(mirror), "goalscorers.csv")
    assert (len(results.matches), len(shootouts.shootouts), len(goals.goals)) == (49_520, 683, 47_914)
    assert results.warnings == shootouts.warnings == goals.warnings == []
    assert _parsed(str(mirror), "former_names.csv") == ParsedFile()
    names = former_names((mirror / "martj42/international_results/former_names.csv").read_bytes(), "former_names.csv")
    assert len(names) == 36


def test_every_tournament_is_listed_as_a_competition(mirror: Path) -> None:
    results = _parsed(str(mirror), "results.csv")
    raw = (mirror / "martj42/international_results/results.csv").read_text(encoding="utf-8")
    tournaments = {row["tournament"] for row in csv.DictReader(io.StringIO(raw))}
    assert {c.name for c in results.competitions} == tournaments
    assert len(tournaments) == 202
    assert {m.competition for m in results.matches} == {c.id for c in results.competitions}


def test_first_international_scotland_england_1872(mirror: Path) -> None:
    first = _parsed(str(mirror), "results.csv").matches[0]
    assert (first.date, first.home, first.away) == (
        dt.date(1872, 11, 30),
        TeamRef("Scotland", national=True),
        TeamRef("England", national=True),
    )
    assert (first.home_goals, first.away_goals) == (0, 0)
    assert (first.competition, first.season, first.neutral, first.line) == ("int.friendly", "1872", False, 2)
    assert first.source == "international"


def test_world_cup_final_2022_with_its_shootout(mirror: Path) -> None:
    final = _match(_parsed(str(mirror), "results.csv").matches, *FINAL_2022)
    assert (final.home_goals, final.away_goals) == (3, 3)  # as published: after extra time
    assert (final.competition, final.neutral, final.season) == ("int.fifa-world-cup", True, "2022")
    (shootout,) = [
        s for s in _parsed(str(mirror), "shootouts.csv").shootouts if (s.date, s.home.name) == FINAL_2022[:2]
    ]
    assert shootout.away == TeamRef("France", national=True)
    assert shootout.winner == TeamRef("Argentina", national=True)
    assert shootout.first_shooter == TeamRef("France", national=True)


def test_goal_minutes_of_the_2022_final(mirror: Path) -> None:
    goals = [
        g for g in _parsed(str(mirror), "goalscorers.csv").goals if (g.date, g.home.name, g.away.name) == FINAL_2022
    ]
    assert [(g.minute, g.side, g.player, g.penalty) for g in goals] == [
        (23, "home", "Lionel Messi", True),
        (36, "home", "Ángel Di María", False),
        (80, "away", "Kylian Mbappé", True),
        (81, "away", "Kylian Mbappé", False),
        (109, "home", "Lionel Messi", False),
        (118, "away", "Kylian Mbappé", True),
    ]
    assert all(g.match_line is None and g.stoppage is None and not g.own_goal for g in goals)
    assert [g.line for g in goals] == list(range(43060, 43066))


def test_own_goal_is_credited_to_the_side_that_benefits(mirror: Path) -> None:
    goals = _parsed(str(mirror), "goalscorers.csv").goals
    (demiral,) = [g for g in goals if g.date == dt.date(2021, 6, 11) and g.player == "Merih Demiral"]
    assert (demiral.home, demiral.away) == (TeamRef("Italy", national=True), TeamRef("Turkey", national=True))
    assert demiral.own_goal and demiral.side == "home" and demiral.minute == 53


def test_shootouts_refer_to_published_matches_except_one(mirror: Path) -> None:
    keys = {(m.date, m.home.name, m.away.name) for m in _parsed(str(mirror), "results.csv").matches}
    orphans = [
        s for s in _parsed(str(mirror), "shootouts.csv").shootouts if (s.date, s.home.name, s.away.name) not in keys
    ]
    assert [(o.date, o.home.name, o.away.name, o.line) for o in orphans] == [
        (dt.date(2011, 6, 29), "Saare County", "Åland Islands", 424)
    ]


def test_former_names_give_the_period_of_each_name(mirror: Path) -> None:
    names = former_names((mirror / "martj42/international_results/former_names.csv").read_bytes(), "former_names.csv")
    (zaire,) = [n for n in names if n.former == "Zaïre"]
    assert zaire == ("DR Congo", "Zaïre", dt.date(1971, 1, 10), dt.date(1997, 4, 27))
    assert zaire.current == "DR Congo"


def test_unplayed_fixture_is_scheduled_and_blank_lines_are_skipped() -> None:
    parsed = parse_results((FIXTURE_DIR / "results_scheduled.csv").read_bytes(), "results_scheduled.csv")
    assert [(m.line, m.status, m.home_goals) for m in parsed.matches] == [(2, "played", 0), (4, "scheduled", None)]
    assert parsed.matches[1].competition == "int.fifa-world-cup"


def test_stoppage_and_unknown_minutes_in_goal_lists() -> None:
    path = FIXTURE_DIR / "goal_minutes.csv"
    with pytest.raises(SourceError, match="minute 'eighty'") as caught:
        parse_goals(path.read_bytes(), str(path))
    assert caught.value.line == 4
    good = b"".join(path.read_bytes().splitlines(keepends=True)[:3])
    first, second = parse_goals(good, str(path)).goals
    assert (first.minute, first.stoppage) == (45, 2)
    assert (second.minute, second.stoppage, second.side) == (None, None, "away")


@pytest.mark.parametrize(
    ("fixture", "parser", "line", "message"),
    [
        ("goal_for_third_team.csv", parse_goals, 3, "team 'Brazil' is neither 'Argentina' nor 'France'"),
        ("shootout_bad_winner.csv", parse_shootouts, 3, "winner 'Croatia'"),
        ("results_bad_neutral.csv", parse_results, 2, "neutral 'maybe' is not TRUE or FALSE"),
        ("results_half_score.csv", parse_results, 2, "only one side of the score"),
        ("results_wrong_header.csv", parse_results, 1, "expected header"),
        ("former_reversed.csv", former_names, 2, "before start_date"),
    ],
)
def test_malformed_rows_name_file_and_line(
    fixture: str, parser: Callable[[bytes, str], object], line: int, message: str
) -> None:
    path = FIXTURE_DIR / fixture
    with pytest.raises(SourceError, match=message) as caught:
        parser(path.read_bytes(), str(path))
    assert (caught.value.location, caught.value.line) == (str(path), line)


def test_a_file_of_another_source_is_refused() -> None:
    source = InternationalResults()
    remote = source.files()[0]
    other = type(remote)(source="international", path="players.csv", url="x", mirror_path="y")
    with pytest.raises(SourceError, match="not a file of international"):
        source.parse(b"a,b\n", other, "players.csv")
