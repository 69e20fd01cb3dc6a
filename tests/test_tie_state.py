"""Reading a tie's state from the store, and the `remontada tie` command, on a small real store.

The store is built by the real downloaders from a slice of the mirror served over a local HTTP
server: openfootball's 2023-24 UEFA files (Champions, Europa and Conference League) plus the
English and Italian 2023-24 files, so Liverpool and Atalanta have their league seasons too.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.forecast import Forecaster
from remontada.ingest.update import update
from remontada.sources.openfootball import OpenFootball
from remontada.store.reader import Store
from remontada.ties.answer import answer_tie, forecast_state, plot_next_match
from remontada.ties.state import TieNotFound, default_as_of, find_tie, season_of, tie_state, unplayed_tie
from tests.httpmirror import serve

LATER = dt.date(2025, 1, 1)  # a "today" after the 2023-24 season


@pytest.fixture(scope="module")
def store_path(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tie-store") / "store.duckdb"
    sources = [OpenFootball(repos=["champions-league", "england", "italy"], seasons=["2023-24"])]
    with serve(mirror) as (base, _):
        report = update(path, mirror=base, sources=sources)
    assert report.errors == [] and report.committed
    return path


@pytest.fixture(scope="module")
def store(store_path: Path):  # type: ignore[no-untyped-def]
    with Store(store_path) as st:
        yield st


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Fitted models are cached under the user cache directory: keep them out of the real one."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


# ---- finding the tie -----------------------------------------------------------------------------
def test_the_quarter_final_is_found_from_either_order_of_names_with_liverpool_hosting_the_first_leg(
    store: Store,
) -> None:
    one = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    other = find_tie(store, "Atalanta", "Liverpool", competition="uefa.el", season="2023/24")
    for tie in (one, other):
        assert (tie.team_a, tie.team_b) == ("liverpool-eng", "atalanta-ita")
        assert tie.leg1 is not None and tie.leg2 is not None
        assert (tie.leg1.date, tie.leg1.home_id, tie.leg1.home_goals, tie.leg1.away_goals) == (
            dt.date(2024, 4, 11), "liverpool-eng", 0, 3,
        )  # fmt: skip
        assert (tie.leg2.date, tie.leg2.home_id) == (dt.date(2024, 4, 18), "atalanta-ita")
        assert tie.rules.legs == 2 and not tie.rules.away_goals and tie.rules.extra_time_minutes == 30
        assert tie.round == "Quarterfinals" and tie.competition == "uefa.el"


def test_the_morning_of_the_second_leg_knows_the_first_leg_but_not_the_second(store: Store) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=LATER)
    assert state.as_of == dt.date(2024, 4, 18)
    assert (state.phase, state.first_leg, state.second_leg) == ("between_legs", (0, 3), None)
    assert state.next_match is not None and state.next_match.home_id == "atalanta-ita"
    assert state.hypothetical == ()


@pytest.mark.parametrize(
    ("as_of", "phase", "first_leg", "second_leg"),
    [
        ("2024-04-11", "before_first_leg", None, None),  # the morning of the first leg
        ("2024-04-12", "between_legs", (0, 3), None),
        ("2024-04-18", "between_legs", (0, 3), None),  # the morning of the second leg
        ("2024-04-19", "over", (0, 3), (0, 1)),
    ],
)
def test_which_legs_are_played_depends_on_the_as_of_date(
    store: Store, as_of: str, phase: str, first_leg: tuple[int, int] | None, second_leg: tuple[int, int] | None
) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, as_of=as_of, today=LATER)
    assert (state.phase, state.first_leg, state.second_leg) == (phase, first_leg, second_leg)


def test_before_the_first_leg_is_played_the_default_is_the_morning_of_the_first_leg(store: Store) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    assert default_as_of(stored, dt.date(2024, 4, 10)) == dt.date(2024, 4, 11)
    assert default_as_of(stored, dt.date(2024, 4, 11)) == dt.date(2024, 4, 11)  # played that evening
    assert default_as_of(stored, dt.date(2024, 4, 12)) == dt.date(2024, 4, 18)


def test_the_final_is_a_single_match_at_a_neutral_ground(store: Store) -> None:
    stored = find_tie(store, "Bayer Leverkusen", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=LATER)
    assert stored.rules.legs == 1 and stored.rules.neutral_venue and stored.leg1 is not None and stored.leg1.neutral
    assert (state.phase, state.as_of) == ("single_match", dt.date(2024, 5, 22))
    assert tie_state(stored, as_of="2024-05-23").phase == "over"


def test_a_round_that_does_not_match_is_not_found_and_the_error_says_where_they_met(store: Store) -> None:
    assert find_tie(store, "Liverpool", "Atalanta", round="QF").round == "Quarterfinals"
    with pytest.raises(TieNotFound, match=r"meeting in: Europa League 2023-24 \(knockout\)"):
        find_tie(store, "Liverpool", "Atalanta", competition="Europa League", round="Semifinals")
    with pytest.raises(TieNotFound, match="no match between"):
        find_tie(store, "Liverpool", "Inter")


# ---- hypotheticals -----------------------------------------------------------------------------------
def test_the_other_club_hosting_the_first_leg_keeps_each_clubs_goals(store: Store) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=LATER, first_leg_host="atalanta-ita")
    assert (state.team_a, state.team_b, state.first_leg) == ("atalanta-ita", "liverpool-eng", (3, 0))
    assert state.leg2 is not None and state.leg2.home_id == "liverpool-eng"
    assert any("Atalanta host the first leg" in h for h in state.hypothetical)


def test_a_stated_first_leg_and_rules_are_used_and_listed(store: Store) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(
        stored, today=LATER, first_leg=(1, 0), rule_changes={"away_goals": True, "away_goals_in_extra_time": True}
    )
    assert (state.phase, state.first_leg, state.as_of) == ("between_legs", (1, 0), dt.date(2024, 4, 18))
    assert state.rules.away_goals and state.rules.away_goals_in_extra_time
    assert len(state.hypothetical) == 2
    with pytest.raises(ValueError, match="cannot change rule field"):
        tie_state(stored, rule_changes={"legs": 1})


def test_a_tie_the_store_does_not_hold_can_be_stated(store: Store) -> None:
    stored = unplayed_tie(store, "Inter", "Liverpool", competition="Champions League", date=dt.date(2024, 3, 5))
    state = tie_state(stored, as_of=dt.date(2024, 3, 5), first_leg=(2, 0), today=LATER)
    assert (stored.season, stored.team_a, stored.leg1) == ("2023-24", "inter-ita", None)
    assert state.phase == "between_legs" and state.first_leg == (2, 0)
    assert season_of(dt.date(2024, 7, 1)) == "2024-25"


# ---- the forecast ------------------------------------------------------------------------------------
def test_the_forecast_uses_only_matches_before_the_as_of_date(store: Store, tmp_path: Path) -> None:
    stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=LATER)
    forecaster = Forecaster(store, cache_dir=None)
    answer = answer_tie(store, state, forecaster=forecaster)
    assert answer.fit.as_of == dt.date(2024, 4, 18)
    assert answer.fit.latest_match is not None and answer.fit.latest_match < dt.date(2024, 4, 18)
    assert forecaster.fitted("2024-04-18").as_of_ == dt.date(2024, 4, 18)
    forecast = answer.forecast
    assert forecast.p_through("Liverpool") + forecast.p_through("Atalanta") == pytest.approx(1.0)
    assert forecast.p_through("Liverpool") < 0.5  # three goals down
    # the second leg's needs for Liverpool start at a three-goal win in Bergamo
    assert all(s.away_goals - s.home_goals >= 3 for s in forecast.needs("Liverpool", 5))
    assert answer.history is not None and answer.history.side == "liverpool-eng"
    assert answer.record is not None and "Atalanta through 3-1" in answer.record
    assert plot_next_match(forecast, tmp_path / "grid.png").stat().st_size > 10_000
    over = dataclasses.replace(state, second_leg=(0, 1))
    with pytest.raises(ValueError, match="was over"):
        forecast_state(forecaster, over)


# ---- the command -------------------------------------------------------------------------------------
ARGS = ["tie", "Liverpool", "Atalanta", "--competition", "Europa League", "--season", "2023-24"]


def test_the_tie_command_prints_the_answer(store_path: Path) -> None:
    result = CliRunner().invoke(app, [*ARGS, "--store", str(store_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    assert "first leg 2024-04-11: Liverpool 0-3 Atalanta" in out
    assert "forecast as of the morning of 2024-04-18" in out
    assert "what Liverpool need" in out and "who goes through" in out
    assert "sides that lost the first leg by 3 goals at home" in out
    assert "Atalanta through 3-1 on aggregate" in out  # the record, labelled as not used


def test_the_tie_command_gives_valid_json_with_the_state_and_the_split(store_path: Path, tmp_path: Path) -> None:
    plot = tmp_path / "tie.png"
    result = CliRunner().invoke(app, [*ARGS, "--json", "--plot", str(plot), "--store", str(store_path)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["tie"]["first_leg"] == [0, 3] and data["tie"]["phase"] == "between_legs"
    assert data["model"]["as_of"] == "2024-04-18" and data["model"]["latest_match"] < "2024-04-18"
    p = data["forecast"]["p_through"]
    assert p["Liverpool"] + p["Atalanta"] == pytest.approx(1.0)
    routes = data["forecast"]["routes"]["Liverpool"]
    assert sum(routes.values()) == pytest.approx(p["Liverpool"])
    assert plot.is_file()


def test_hypotheticals_from_the_command_line_change_the_answer(store_path: Path) -> None:
    def forecast(*extra: str) -> dict:  # type: ignore[type-arg]
        result = CliRunner().invoke(app, [*ARGS, *extra, "--json", "--store", str(store_path)])
        assert result.exit_code == 0, result.output
        return json.loads(result.output)["forecast"]

    real = forecast()
    stated = forecast("--first-leg", "1-0")  # Liverpool won the stated first leg
    assert stated["p_through"]["Liverpool"] > 0.5 > real["p_through"]["Liverpool"]
    # without extra time, a tie level after 90 minutes (e.g. 0-3 in Bergamo) goes straight to penalties
    no_et = forecast("--no-extra-time")
    assert no_et["p_extra_time"] == 0.0 and no_et["routes"]["Liverpool"]["extra_time"] == 0.0
    assert no_et["p_decider"] == pytest.approx(real["p_extra_time"])
    assert no_et["routes"]["Liverpool"]["regulation"] == pytest.approx(real["routes"]["Liverpool"]["regulation"])


def test_an_unknown_club_is_a_clear_error(store_path: Path) -> None:
    result = CliRunner().invoke(app, ["tie", "Liverpol", "Atalanta", "--store", str(store_path)])
    assert result.exit_code == 1
    assert "Liverpol" in result.output
