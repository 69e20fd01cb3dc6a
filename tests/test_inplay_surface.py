"""The value surface: one backward pass from kick-off must give the comeback curve the exact path gives
from every (minute, score) on the step grid, and say "ask the exact path" everywhere else."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pytest

import remontada as rm
from remontada.inplay.comeback import ComebackCurve, LiveSecondLeg
from remontada.inplay.model import InplayModel, MatchClock
from remontada.inplay.surface import SCORES, LiveSurface, surface_for
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
