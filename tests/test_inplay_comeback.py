"""The comeback curve: one backward pass must agree with the tie engine asked minute by minute."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada.inplay.comeback import LiveSecondLeg, curve_rows
from remontada.inplay.model import InplayModel, InplayParams
from remontada.rules import rules_for
from remontada.ties.engine import forecast_live_from_rates

# Atalanta v Liverpool, 18 April 2024, second leg of the Europa League quarter-final: Liverpool (A)
# lost the first leg 0-3 at Anfield; the leg's pre-match expected goals from the store's
# Dixon-Coles fit on matches before that day (Atalanta at home).
RATES = (1.3697, 1.8119)
RULES_2023 = rules_for("uefa.el", "2023-24", "qf")
RULES_2020 = rules_for("uefa.el", "2020-21", "qf")
MODEL = InplayModel(
    InplayParams(
        first_half_level=-0.27,
        first_half_slope=0.20,
        second_half_level=-0.04,
        second_half_slope=0.05,
        first_half_added=2.3,
        second_half_added=5.0,
        extra_time_level=0.1,
        home_lead=(0.10, 0.05, 0.0, -0.11, -0.08),
        away_lead=(0.03, 0.12, 0.0, 0.02, 0.0),
        red_own=-0.36,
        red_opponent=0.27,
    )
)
TIE = LiveSecondLeg((0, 3), RATES, RULES_2023, teams=("Liverpool", "Atalanta"))


def p_liverpool(minute: str | float, score: tuple[int, int], rules: object = RULES_2023, leg=(0, 3)) -> float:
    return forecast_live_from_rates(
        RATES,
        score,
        minute=minute,
        rules=rules,
        first_leg=leg,
        model=MODEL,  # type: ignore[arg-type]
    ).p_a


def test_curve_starts_at_the_tie_engines_answer() -> None:
    curve = TIE.comeback_curve("Liverpool", minute=7, score=(0, 1), model=MODEL)
    assert curve.if_unchanged[0] == pytest.approx(p_liverpool(7, (0, 1)), abs=1e-9)


@pytest.mark.parametrize("minute", [20, 45, 60, 75, 89])
def test_score_unchanged_at_a_later_minute_is_the_live_forecast_then(minute: int) -> None:
    curve = TIE.comeback_curve("Liverpool", minute=7, score=(0, 1), model=MODEL)
    row = curve.at(minute)
    assert row["minute"] == minute
    assert row["if_unchanged"] == pytest.approx(p_liverpool(minute, (0, 1)), abs=1e-9)
    # and the next goal being Liverpool's at that minute is the live forecast at 0-2
    assert row["if_next_goal_at"] == pytest.approx(p_liverpool(minute, (0, 2)), abs=1e-9)


def test_the_chance_falls_while_nothing_happens_and_a_goal_is_worth_less_late() -> None:
    curve = TIE.comeback_curve("Liverpool", minute=0, score=(0, 0), model=MODEL)
    assert (np.diff(curve.if_unchanged) <= 1e-12).all()
    assert curve.if_unchanged[-1] == 0.0  # 0-0 in Bergamo: Atalanta through 3-0
    assert (np.diff(curve.if_next_goal_at) <= 1e-12).all()
    # scoring first by a later minute is averaged over earlier goals: it lies above the "at" curve
    late = curve.minute >= 30
    assert (curve.if_next_goal_by[late] >= curve.if_next_goal_at[late] - 1e-12).all()
    assert 0.0 < curve.next_goal_share[-1] < 1.0


def test_the_favourites_curve_is_the_complement() -> None:
    liverpool = TIE.comeback_curve("Liverpool", minute="HT", score=(0, 1), model=MODEL)
    atalanta = TIE.comeback_curve("Atalanta", minute="HT", score=(0, 1), model=MODEL)
    assert atalanta.if_unchanged == pytest.approx(1.0 - liverpool.if_unchanged)
    assert atalanta.label[0] == "HT" and liverpool.label[-1] == "FT"


def test_away_goals_rules_shape_the_curve() -> None:
    # 2020-21 rules, first leg A 1-1 B: at 2-2 in the second leg the aggregate is 3-3 and A lead
    # 2-1 on away goals; at 1-1 it would be 2-2 with one away goal each: extra time
    tie = LiveSecondLeg((1, 1), RATES, RULES_2020, teams=("A", "B"))
    ahead = tie.comeback_curve("A", minute=60, score=(2, 2), model=MODEL)
    assert ahead.if_unchanged[-1] == 1.0
    assert ahead.if_unchanged[0] == pytest.approx(p_liverpool(60, (2, 2), RULES_2020, (1, 1)), abs=1e-9)
    level = tie.comeback_curve("A", minute=60, score=(1, 1), model=MODEL)
    assert 0.0 < level.if_unchanged[-1] < 1.0  # extra time, then penalties


def test_rows_every_five_minutes_and_the_plot(tmp_path: Path) -> None:
    curve = TIE.comeback_curve("Liverpool", minute=7, score=(0, 1), model=MODEL)
    rows = curve_rows(curve, every=15)
    labels = [r["minute"] for r in rows]
    assert labels[0] == "7" and "HT" in labels and labels[-1] == "FT" and "60" in labels
    path = curve.plot(tmp_path / "curve.png")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
