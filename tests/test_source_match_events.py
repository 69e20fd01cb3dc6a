"""Match-events source (schochastics goals_time2): minutes, kinds, sides, and broken lists reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from remontada.sources.match_events import PROBLEM_PREFIX, MatchEvents, parse_events
from remontada.sources.records import MatchEvent, ParsedFile, SourceError

from .conftest import FIXTURES

FIXTURE_DIR = FIXTURES / "match_events"
PL_2023 = "england_premier-league-2023-2024.json"


def _fixture(name: str) -> ParsedFile:
    return parse_events((FIXTURE_DIR / name).read_bytes(), f"fixtures/{name}", PL_2023)


def _events(parsed: ParsedFile, line: int) -> list[MatchEvent]:
    return [e for e in parsed.events if e.match_line == line]


def test_the_catalogue_lists_202_league_seasons_with_competition_ids() -> None:
    files = MatchEvents().files()
    assert len(files) == 202
    first = files[0]
    assert first.url == (
        "https://raw.githubusercontent.com/schochastics/football-data/6ba5e7e8f8657b6ccdeb0e89778765423f8d5aaf/"
        "data/goals_time2/england_premier-league-2000-2001.json"
    )
    assert first.mirror_path.startswith("schochastics/football-data/6ba5e7e8f8657b6ccdeb0e89778765423f8d5aaf/")
    assert (first.competition, first.season) == ("eng.1", "2000-01")
    assert {f.competition for f in files} == {
        "eng.1", "ger.1", "esp.1", "ita.1", "fra.1", "bel.1", "den.1", "ned.1", "aut.1", "pol.1", "por.1", "sui.1"
    }  # fmt: skip


def test_added_time_is_kept_apart_and_own_goals_count_for_the_side_credited() -> None:
    parsed = _fixture("good.json")
    first = parsed.matches[0]
    assert (first.competition, first.season, str(first.date)) == ("eng.1", "2023-24", "2023-09-30")
    assert (first.home.name, first.home.country, first.home_goals, first.away_goals) == ("fc-home", "ENG", 2, 1)
    assert first.note is None
    events = [(e.side, e.minute, e.added, e.kind) for e in _events(parsed, 1) if e.kind != "substitution"]
    assert events == [
        ("away", 26, None, "red_card"),
        ("home", 36, None, "goal"),
        ("away", 45, 4, "goal"),
        ("away", 70, None, "penalty_missed"),  # no running score in a file that writes them
        ("home", 90, 6, "own_goal"),
    ]


def test_a_penalty_with_a_running_score_is_a_goal_and_squad_notes_are_left_out() -> None:
    parsed = _fixture("good.json")
    second = _events(parsed, 2)
    kinds = [(e.kind, e.home_score, e.away_score) for e in second]
    assert kinds == [("penalty_goal", 1, 0), ("yellow_card", None, None)]
    assert parsed.matches[1].note is None and not parsed.warnings


def test_goals_that_do_not_add_up_an_unreadable_minute_and_extra_time_are_reported_per_match() -> None:
    parsed = _fixture("inconsistent.json")
    notes = {m.line: m.note for m in parsed.matches}
    assert notes[1] == PROBLEM_PREFIX + "goals add up to 2-0, the score is 3-0"
    assert notes[2] == PROBLEM_PREFIX + "incident 1 (Goal) has an unreadable minute 'abc'"
    assert notes[3] == PROBLEM_PREFIX + "incident 2 (Goal) after full time, at \"96'\""
    assert notes[4] == PROBLEM_PREFIX + "no incident listed"
    warnings = dict(parsed.warnings)
    assert warnings[2].startswith("match 2 (fc-away v fc-home, 2023-08-19): events unusable")
    # the match without a score is not a result; it is reported and skipped
    assert 5 not in notes and "no score (GH/GA missing); skipped" in warnings[5]
    # a shoot-out kick (minute "1") is neither an event nor a problem
    assert [e.kind for e in _events(parsed, 3)] == ["goal", "goal"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not JSON"),
        (b'{"home": "a"}', "expected a JSON list of matches"),
        (b'[{"home": "", "away": "b", "date": "2023-08-12", "GH": 1, "GA": 0}]', "home '' is not a non-empty string"),
        (b'[{"home": "a", "away": "b", "date": "12/08/2023", "GH": 1, "GA": 0}]', "date '12/08/2023' is not an ISO"),
        (b'[{"home": "a", "away": "b", "date": "2023-08-12", "GH": "x", "GA": 0}]', "is not two goal counts"),
        (b'[{"league": "italien_serie-a-2023-2024", "home": "a", "away": "b", "date": "2023-08-12"}]', "not the file"),
    ],
)
def test_a_broken_file_is_an_error_naming_file_and_match(data: bytes, message: str) -> None:
    with pytest.raises(SourceError) as info:
        parse_events(data, "events.json", PL_2023)
    assert message in str(info.value)
    assert str(info.value).startswith("events.json")


def test_a_file_name_outside_the_catalogue_is_refused() -> None:
    with pytest.raises(SourceError, match="is not <country>_<league>"):
        parse_events(b"[]", "x.json", "mars_league-2023-2024.json")


def test_tottenham_2_1_liverpool_2023_keeps_jones_red_card_and_matips_stoppage_time_own_goal(mirror: Path) -> None:
    source = MatchEvents(leagues=["england_premier-league"])
    remote = next(f for f in source.files() if f.season == "2023-24")
    parsed = source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)
    assert len(parsed.matches) == 380
    match = next(m for m in parsed.matches if (m.home.name, m.away.name) == ("tottenham-hotspur", "fc-liverpool"))
    assert (str(match.date), match.home_goals, match.away_goals, match.note) == ("2023-09-30", 2, 1, None)
    key = [(e.side, e.minute, e.added, e.kind) for e in _events(parsed, match.line)
           if e.kind in ("goal", "own_goal", "red_card")]  # fmt: skip
    assert key == [("away", 26, None, "red_card"), ("home", 36, None, "goal"), ("away", 45, 4, "goal"),
                   ("home", 90, 6, "own_goal")]  # fmt: skip


def test_early_files_without_running_scores_count_penalties_as_goals(mirror: Path) -> None:
    source = MatchEvents(leagues=["deutschland_bundesliga"])
    remote = next(f for f in source.files() if f.season == "2006-07")
    parsed = source.parse((mirror / remote.mirror_path).read_bytes(), remote, remote.mirror_path)
    # Schalke 2-1 Aachen, 31 January 2007: a goal, a penalty and an own goal, no running scores
    match = next(m for m in parsed.matches if (m.home.name, m.away.name, str(m.date)) ==
                 ("fc-schalke-04", "aachen", "2007-01-31"))  # fmt: skip
    kinds = [(e.side, e.kind) for e in _events(parsed, match.line) if e.kind in ("goal", "penalty_goal", "own_goal")]
    assert kinds == [("away", "goal"), ("home", "penalty_goal"), ("home", "own_goal")]
    assert match.note is None
