"""The value surface: one backward pass from kick-off must give the comeback curve the exact path gives
from every (minute, score) on the step grid, and say "ask the exact path" everywhere else."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import numpy as np
import pytest

import remontada as rm
from remontada.inplay.comeback import ComebackCurve, LiveSecondLeg
from remontada.inplay.model import InplayModel, MatchClock, match_lead, second_leg_lead
from remontada.inplay.surface import SCORES, FinalsSurface, LiveSurface, surface_for
from remontada.rules import rules_for

# Atalanta v Liverpool, 18 April 2024, Europa League quarter-final second leg after Liverpool's 0-3 at
# Anfield: the leg's pre-match expected goals (Atalanta, Liverpool) from the store's Dixon-Coles fit.
RATES = (1.3697, 1.8119)
DAY = dt.date(2024, 4, 18)
RULES_2023 = rules_for("uefa.el", "2023-24", "qf")
RULES_2020 = rules_for("uefa.el", "2020-21", "qf")  # away goals, in extra time too
MODEL = InplayModel().for_date(DAY)  # the packaged fit with that season's added time
FIELDS = ("minute", "if_unchanged", "if_next_goal_at", "if_next_goal_by", "next_goal_share")
#: Every minute of the grid kind: whole minutes, 45 and 90 before added time, half-time.
ON_GRID: list[str | int] = [*range(0, 91), "45", "HT", "90", "KO"]


def assert_same_curve(looked_up: ComebackCurve | None, exact: ComebackCurve) -> None:
    assert looked_up is not None
    assert (looked_up.team, looked_up.opponent, looked_up.start, looked_up.score, looked_up.first_leg) == (
        exact.team, exact.opponent, exact.start, exact.score, exact.first_leg)  # fmt: skip
    assert list(looked_up.label) == list(exact.label)
    for name in FIELDS:
        np.testing.assert_allclose(getattr(looked_up, name), getattr(exact, name), rtol=0, atol=1e-9, err_msg=name)


@pytest.mark.parametrize(
    ("first_leg", "rules", "red_cards"),
    [((0, 3), RULES_2023, (0, 0)), ((0, 3), RULES_2023, (1, 0)), ((2, 1), RULES_2020, (0, 1))],
    ids=["after-0-3", "after-0-3-atalanta-red", "away-goals-2-1-liverpool-red"],
)
def test_every_whole_minute_and_score_is_the_exact_paths_curve(
    first_leg: tuple[int, int], rules: object, red_cards: tuple[int, int]
) -> None:
    tie = LiveSecondLeg(first_leg, RATES, rules, teams=("Liverpool", "Atalanta"), red_cards=red_cards)  # type: ignore[arg-type]
    surface = LiveSurface.build(tie, MODEL)
    scores = [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (3, 2), (SCORES, SCORES)]
    for minute in ON_GRID[::3] + ON_GRID[-4:]:
        for score in scores:
            for team in ("Liverpool", "Atalanta"):
                exact = tie.comeback_curve(team, minute=minute, score=score, model=MODEL)
                assert_same_curve(surface.curve(team, minute=minute, score=score), exact)


def test_minutes_inside_a_step_and_scores_beyond_the_surface_are_left_to_the_exact_path() -> None:
    tie = LiveSecondLeg((0, 3), RATES, RULES_2023, teams=("Liverpool", "Atalanta"))
    surface = LiveSurface.build(tie, MODEL)
    for minute in ("45+1", "90+3", 60.5, "90+30"):
        assert surface.curve("Liverpool", minute=minute, score=(0, 0)) is None
    assert surface.curve("Liverpool", minute=60, score=(SCORES + 1, 0)) is None
    assert surface.curve("Liverpool", minute=60, score=(0, SCORES + 1)) is None
    # half-time falls a hair before its boundary on the float clock: found, with the exact path's extra row
    assert surface.boundary(MatchClock.parse("HT")) is not None


def test_one_surface_per_match_and_state_is_kept_and_shared() -> None:
    tie = LiveSecondLeg((0, 3), RATES, RULES_2023, teams=("Liverpool", "Atalanta"))
    same = LiveSecondLeg((0, 3), tuple(RATES), RULES_2023, teams=("Liverpool", "Atalanta"))
    assert surface_for(tie, MODEL) is surface_for(same, MODEL)
    red = LiveSecondLeg((0, 3), RATES, RULES_2023, teams=("Liverpool", "Atalanta"), red_cards=(1, 0))
    assert surface_for(red, MODEL) is not surface_for(tie, MODEL)


@pytest.mark.parametrize("minute", [0, 7, "HT", 60, 88, "45+1", "90+2"])
@pytest.mark.parametrize("score", ["0-0", "0-1", "1-1", "2-0"])
def test_the_live_answer_on_the_real_tie_carries_the_exact_curve(
    minute: str | int, score: str, full_store_path: Path
) -> None:
    """``rm.live`` for Atalanta v Liverpool after the 0-3 (rates from the store): its curve is the exact path's,
    looked up on the grid and computed off it."""
    answer = rm.live("Atalanta", "Liverpool", date=DAY, minute=minute, score=score, store=full_store_path)
    match = answer.forecast.match
    assert match.first_leg == (0, 3) and match.rules is not None
    tie = LiveSecondLeg(match.first_leg, answer.forecast.rates, match.rules, teams=(match.away, match.home))
    now = answer.forecast.score
    assert answer.curve is not None
    exact = tie.comeback_curve(answer.curve.team, minute=minute, score=now, model=MODEL)
    assert_same_curve(answer.curve, exact)


# ---- the goals to come -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("lead", "red_cards"),
    [
        (second_leg_lead((0, 3), (0, 0), away_goals=False), (0, 0)),
        (second_leg_lead((0, 3), (0, 0), away_goals=False), (1, 0)),
        (second_leg_lead((2, 1), (0, 0), away_goals=True), (0, 1)),
        (match_lead((0, 0)), (0, 0)),
    ],
    ids=["after-0-3", "after-0-3-atalanta-red", "away-goals-2-1-liverpool-red", "league-match"],
)
def test_every_whole_minute_and_score_has_the_exact_paths_goals_to_come(
    lead: object, red_cards: tuple[int, int]
) -> None:
    """The goals-to-come surface gives :meth:`InplayModel.remaining`'s grid (same shape, same numbers) at
    every state on the grid, with the lead rule taken from the state as the exact path takes it."""
    finals = FinalsSurface.build(MODEL, RATES, red_cards=red_cards, lead=lead)  # type: ignore[arg-type]
    worst = 0.0
    for minute in ON_GRID[::2] + ON_GRID[-4:]:
        for score in [(0, 0), (0, 1), (1, 0), (1, 1), (0, 2), (3, 2), (SCORES, 0), (SCORES, SCORES)]:

            def state_lead(more_home: np.ndarray, more_away: np.ndarray, score: tuple[int, int] = score) -> np.ndarray:
                return lead(score[0] + more_home, score[1] + more_away)  # type: ignore[operator, no-any-return]

            looked_up = finals.remaining(minute, score)
            exact = MODEL.remaining(*RATES, minute=minute, score=score, red_cards=red_cards, lead=state_lead)
            assert looked_up is not None, (minute, score)
            assert looked_up.shape == exact.shape, (minute, score)
            worst = max(worst, float(np.abs(looked_up.probs - exact.probs).max()))
    assert worst < 1e-12


def test_goals_to_come_off_the_grid_are_left_to_the_exact_path() -> None:
    finals = FinalsSurface.build(MODEL, RATES, red_cards=(0, 0), lead=match_lead((0, 0)))
    for minute in ("45+1", "90+3", 60.5, "90+30"):
        assert finals.remaining(minute, (0, 0)) is None
    assert finals.remaining(60, (SCORES + 1, 0)) is None and finals.remaining(60, (0, SCORES + 1)) is None
    assert finals.remaining("HT", (1, 1)) is not None


def assert_same_json(looked_up: object, exact: object, where: str = "answer") -> None:
    """The same JSON, floats to 1e-12 (the surface and the chain add the same terms in another order)."""
    if isinstance(exact, float) and isinstance(looked_up, float):
        assert looked_up == pytest.approx(exact, abs=1e-12, rel=0), where
    elif isinstance(exact, dict):
        assert isinstance(looked_up, dict) and looked_up.keys() == exact.keys(), where
        for key in exact:
            assert_same_json(looked_up[key], exact[key], f"{where}.{key}")
    elif isinstance(exact, list):
        assert isinstance(looked_up, list) and len(looked_up) == len(exact), where
        for i, (a, b) in enumerate(zip(looked_up, exact, strict=True)):
            assert_same_json(a, b, f"{where}[{i}]")
    else:
        assert looked_up == exact, where


@pytest.mark.parametrize(
    ("home", "away", "day"),
    [("Atalanta", "Liverpool", "2024-04-18"), ("Liverpool", "Crystal Palace", "2024-04-14")],
    ids=["second-leg-after-0-3", "league-match"],
)
def test_the_live_answer_from_surfaces_is_the_exact_paths_answer(
    home: str, away: str, day: str, monkeypatch: pytest.MonkeyPatch, full_store_path: Path
) -> None:
    """The whole live answer (final score, goals to come, the tie's routes, aggregate, scenarios, "needs",
    the comeback curve) read off the surfaces equals the answer computed by running the chain from the state."""
    from remontada._api import live as live_api
    from remontada.inplay import surface

    monkeypatch.setattr(surface, "BACKGROUND", False)  # built before answering (a server builds them aside)

    states = [(m, s, r) for m in (0, 1, 12, 30, 44, "45", "HT", 46, 61, 75, 89, "90", "90+2", "45+1")
              for s in ("0-0", "1-0", "0-1", "2-1", "0-3", "7-0") for r in ("0-0", "1-0", "0-1")]  # fmt: skip
    looked_up = [rm.live(home, away, date=day, minute=m, score=s, red_cards=r, store=full_store_path).to_dict()
                 for m, s, r in states]  # fmt: skip
    assert looked_up[0].get("tie") is not None or home == "Liverpool"
    monkeypatch.setattr(live_api, "_tabled", lambda *args: None)  # not the per-match tables (test_inplay_tables.py)
    monkeypatch.setattr(live_api, "_remaining", lambda *args: None)  # the exact path: the chain run forward
    for (m, s, r), answer in zip(states, looked_up, strict=True):
        exact = rm.live(home, away, date=day, minute=m, score=s, red_cards=r, store=full_store_path).to_dict()
        assert_same_json(answer, exact, f"{home} v {away} at {m}, {s}, red cards {r}")


def test_a_server_builds_the_goals_to_come_aside_and_answers_by_the_exact_path_meanwhile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from remontada.inplay import surface

    monkeypatch.setattr(surface, "BACKGROUND", True)
    rates = (1.11, 2.22)  # a match no other test asks about
    lead = match_lead((0, 0))
    first = surface.finals_for(MODEL, rates, red_cards=(0, 0), lead=lead, lead_key=("match",))
    assert first is None, "the first question does not wait for the build"
    for _ in range(600):
        built = surface.finals_for(MODEL, rates, red_cards=(0, 0), lead=lead, lead_key=("match",))
        if built is not None:
            break
        time.sleep(0.05)
    assert built is not None, "the build finished within 30 s"
    looked_up = built.remaining(60, (1, 0))
    assert looked_up is not None
    exact = MODEL.remaining(*rates, minute=60, score=(1, 0), lead=match_lead((1, 0)))
    np.testing.assert_allclose(looked_up.probs, exact.probs, rtol=0, atol=1e-12)
