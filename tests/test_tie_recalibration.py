"""The per-competition recalibration of P(second-leg host goes through): its fit, its walk-forward use, its
persistence, and its place in the tie backtest and its validation (never a held-out tie)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math

import numpy as np
import pytest

from remontada.ties.backtest import (
    TieBacktest,
    adjusted_name,
    backtest_ties,
    evaluation_ties,
    recalibrated_name,
    recalibration_validation,
    with_recalibration,
    with_second_leg,
)
from remontada.ties.recalibration import CompetitionRecalibration, Line, expit, fit_line, logit, walk_forward
from remontada.ties.second_leg import SecondLegAdjustment
from tests.test_tie_backtest import REAL, RecordingSource, real_tie


def test_the_unpenalised_fit_recovers_the_line_of_simulated_outcomes() -> None:
    rng = np.random.default_rng(2021)
    z = rng.normal(0.0, 1.5, 20_000)
    y = (rng.random(z.size) < expit(0.3 + 0.7 * z)).astype(float)
    a, b = fit_line(z, y, prior_strength=0.0)
    assert a == pytest.approx(0.3, abs=0.05) and b == pytest.approx(0.7, abs=0.05)
    # the prior pulls the line towards the identity, the more the stronger
    a_weak, b_weak = fit_line(z, y, prior_strength=300.0)
    a_strong, b_strong = fit_line(z, y, prior_strength=1e6)
    assert b < b_weak < b_strong < 1.0 and abs(a_strong) < abs(a_weak) < abs(a) + 1e-9
    assert fit_line(z, y, prior_strength=math.inf) == (0.0, 1.0)
    assert fit_line(np.zeros(0), np.zeros(0), prior_strength=0.0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="outcomes"):
        fit_line(z, y[:-1], prior_strength=1.0)


def test_an_over_confident_competition_is_flattened_and_an_unseen_one_is_left_alone() -> None:
    rng = np.random.default_rng(2022)
    p = rng.uniform(0.05, 0.95, 4000)
    truth = expit(0.6 * logit(p))  # the model says 90%, the hosts go through 79%
    y = (rng.random(p.size) < truth).astype(float)
    recalibration = CompetitionRecalibration(prior_strength=10.0).fit(["uefa.ecl"] * p.size, p, y)
    line = recalibration.line("uefa.ecl")
    assert line.ties == 4000 and line.slope == pytest.approx(0.6, abs=0.08)
    assert recalibration.p_through("uefa.ecl", 0.9) == pytest.approx(float(expit(0.6 * logit(0.9))), abs=0.03)
    assert recalibration.line("uefa.cl") == Line() and recalibration.p_through("uefa.cl", 0.9) == pytest.approx(0.9)
    both = recalibration.predict(["uefa.ecl", "uefa.cl", "uefa.cl"], np.array([0.9, 0.9, np.nan]))
    assert both[0] < 0.9 and both[1] == 0.9 and np.isnan(both[2])
    with pytest.raises(ValueError, match=">= 0"):
        CompetitionRecalibration(prior_strength=-1.0)


def test_walk_forward_learns_only_from_ties_decided_before_the_monday_of_the_forecast_week() -> None:
    monday = dt.date(2022, 3, 7)
    # 60 Conference League ties of 2021-22 the model called 80% for the host; a third of the hosts went through
    decided = [dt.date(2021, 9, 1) + dt.timedelta(days=3 * i) for i in range(60)]
    comps, p, y = ["uefa.ecl"] * 60, [0.8] * 60, [1.0 if i % 3 == 0 else 0.0 for i in range(60)]
    # the target tie (second leg on Thursday 10 March), a tie decided on that Monday, one in another competition
    comps += ["uefa.ecl", "uefa.ecl", "uefa.cl"]
    p += [0.8, 0.8, 0.8]
    y += [1.0, 1.0, 0.0]
    decided += [dt.date(2022, 3, 10), monday, dt.date(2022, 3, 9)]
    days = [*decided[:60], dt.date(2022, 3, 10), monday, dt.date(2022, 3, 9)]
    targets = np.zeros(63, bool)
    targets[[60, 62]] = True
    out = walk_forward(comps, np.array(p), np.array(y), decided, days, prior_strength=0.0, targets=targets)
    # unpenalised on the 60 earlier ties (one forecast value): the observed share exactly
    assert out[60] == pytest.approx(1 / 3, abs=1e-6)
    # the Champions League has no earlier tie: the identity; ties outside the targets keep their forecast
    assert out[62] == pytest.approx(0.8) and np.allclose(out[:60], 0.8)
    # the tie decided on the Monday of the forecast week is not used: changing its outcome changes nothing
    flipped = list(y)
    flipped[61] = 0.0
    again = walk_forward(comps, np.array(p), np.array(flipped), decided, days, prior_strength=0.0, targets=targets)
    assert again[60] == out[60]


def test_the_recalibration_round_trips_through_csv_and_a_bad_row_names_its_line() -> None:
    recalibration = CompetitionRecalibration(prior_strength=300.0)
    recalibration.lines = {"uefa.ecl": Line(-0.1, 0.8, 341), "uefa.el": Line(0.05, 0.98, 4522)}
    recalibration.note = "test fit"
    again = CompetitionRecalibration.from_csv(recalibration.to_csv())
    assert again.note == "test fit" and again.prior_strength == 300.0
    assert again.lines["uefa.ecl"] == Line(-0.1, 0.8, 341) and again.lines["uefa.el"].ties == 4522
    broken = recalibration.to_csv().replace("0.800000", "abc")
    with pytest.raises(ValueError, match=r"x\.csv:4: bad row"):
        CompetitionRecalibration.from_csv(broken, "x.csv")
    with pytest.raises(ValueError, match=r"x\.csv: expected the header"):
        CompetitionRecalibration.from_csv("competition,a,b\n", "x.csv")


def _backtest() -> TieBacktest:
    ties = [real_tie(row) for row in REAL]
    targets, _ = evaluation_ties(ties, since="2003-04")
    result = backtest_ties(targets, ties, lambda: RecordingSource([], set()), model="fixed")
    adjustment = SecondLegAdjustment((0.1, 0.1, 0.05, 0.0, 0.0, -0.05, -0.1), (0.0,) * 7, note="hand-made")
    return with_second_leg(result, adjustment)


def test_the_backtest_recalibrates_each_tie_on_its_competitions_earlier_ties_only() -> None:
    result = _backtest()
    recalibrated = with_recalibration(result, prior_strength=3.0)
    between = recalibrated.forecasts["between_legs"]
    adjusted, q = between[adjusted_name("fixed")], between[recalibrated_name("fixed")]
    first = min(range(len(recalibrated.ties)), key=lambda i: recalibrated.ties[i].leg2.date)  # type: ignore[union-attr]
    assert q[first] == adjusted[first]  # Deportivo 4-0 Milan: nothing decided before it, the identity
    for i, tie in enumerate(recalibrated.ties):
        week = tie.leg2.date - dt.timedelta(days=tie.leg2.date.weekday())  # type: ignore[union-attr]
        earlier = [j for j, t in enumerate(recalibrated.ties) if t.leg2.date < week]  # type: ignore[union-attr]
        by_hand = CompetitionRecalibration(3.0).fit(
            [recalibrated.ties[j].competition for j in earlier], adjusted[earlier], recalibrated.outcome[earlier]
        )
        assert q[i] == pytest.approx(by_hand.p_through(tie.competition, float(adjusted[i])), abs=1e-9)
    assert np.any(np.abs(q - adjusted) > 1e-4)


def test_the_recalibration_validation_never_reads_a_held_out_tie() -> None:
    result = _backtest()
    folds = (("2012-13", "2012-13", "2012-13"),)
    table = recalibration_validation(result, strengths=(3.0, math.inf), folds=folds)
    assert set(table["setting"]) == {"history", "new"} and set(table["ties"]) == {2}
    identity = table[table["prior_strength"] == math.inf]
    assert (identity["minus_identity"] == 0.0).all()
    later = tuple(
        dataclasses.replace(t, leg2=dataclasses.replace(t.leg2, home_goals=7, away_goals=7))  # type: ignore[arg-type]
        if t.season >= "2016-17" else t
        for t in result.ties
    )  # fmt: skip
    held = np.array([t.season >= "2016-17" for t in later])
    flipped = dataclasses.replace(result, ties=later, outcome=np.where(held, 1 - result.outcome, result.outcome))
    again = recalibration_validation(flipped, strengths=(3.0, math.inf), folds=folds)
    assert table.drop(columns="se").round(12).equals(again.drop(columns="se").round(12))
