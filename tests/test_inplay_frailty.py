"""Gamma frailty on the in-play rates: found when matches have one, rejected when they do not."""

from __future__ import annotations

import math

import numpy as np
import pytest

from remontada.inplay.data import N_CELLS, EventTimes
from remontada.inplay.frailty import expected_so_far, frailty_multiplier, frailty_profile, goals_so_far
from remontada.inplay.minutes import cell_table, fit_variant


def _simulate(n: int, seed: int, alpha: float | None) -> EventTimes:
    """League matches played cell by cell; with ``alpha`` each side's rate in a match is multiplied
    by its own gamma(alpha, alpha) draw (a frailty), without it the rates are the pre-match ones."""
    rng = np.random.default_rng(seed)
    home_rate, away_rate = rng.uniform(0.8, 2.2, n), rng.uniform(0.6, 1.8, n)
    season = rng.integers(2014, 2022, n)
    level = np.ones((n, 2)) if alpha is None else rng.gamma(alpha, 1.0 / alpha, (n, 2))
    score = np.zeros((n, 2), dtype=np.int64)
    reds = np.zeros((n, 2), dtype=np.int64)
    events: list[tuple[np.ndarray, bool, bool, int]] = []
    for cell in range(N_CELLS):
        base = 1.5 if cell == 91 else 0.6 if cell == 45 else 0.1 * (cell > 45)  # added time: its whole length
        for side, rate in ((0, home_rate), (1, away_rate)):
            lead = score[:, side] - score[:, 1 - side]
            effect = np.where(lead < 0, 0.08, np.where(lead > 0, -0.05, 0.0))
            effect = effect - 0.5 * reds[:, side] + 0.5 * reds[:, 1 - side]
            goals = rng.poisson(rate / 90 * level[:, side] * np.exp(base + effect))
            red = (rng.random(n) < 0.0015) & (reds[:, side] == 0)
            for k in range(1, int(goals.max(initial=0)) + 1):
                events.append((np.flatnonzero(goals >= k), side == 0, False, cell))
            events.append((np.flatnonzero(red), side == 0, True, cell))
            score[:, side] += goals
            reds[:, side] += red
    return EventTimes(
        match_id=np.arange(n), season_start=season, competition=np.full(n, "sim.1", dtype=object),
        home_rate=home_rate, away_rate=away_rate, home_goals=score[:, 0], away_goals=score[:, 1],
        event_match=np.concatenate([e[0] for e in events]),
        event_home=np.concatenate([np.full(len(e[0]), e[1]) for e in events]),
        event_red=np.concatenate([np.full(len(e[0]), e[2]) for e in events]),
        event_cell=np.concatenate([np.full(len(e[0]), e[3]) for e in events]),
    )  # fmt: skip


def test_a_frailty_the_matches_have_gains_on_held_out_seasons() -> None:
    data = _simulate(8_000, seed=3, alpha=2.0)
    scores = {(s.kind, s.alpha): s for s in frailty_profile(data, alphas=(2.0, 100.0), kinds=("own",),
                                                             first_season=2014, holdout_from=2020)}  # fmt: skip
    assert scores["own", 2.0].held_out_gain_per_1000 > scores["own", 100.0].held_out_gain_per_1000 > 0.0
    assert scores["own", 2.0].train_gain > 0.0


def test_without_a_frailty_every_alpha_loses() -> None:
    data = _simulate(8_000, seed=4, alpha=None)
    scores = {(s.kind, s.alpha): s for s in frailty_profile(data, alphas=(2.0, 20.0), kinds=("own", "shared"),
                                                             first_season=2014, holdout_from=2020)}  # fmt: skip
    for kind in ("own", "shared"):
        strong, weak = scores[kind, 2.0], scores[kind, 20.0]
        assert strong.held_out_gain_per_1000 < weak.held_out_gain_per_1000 < 0.0
        assert strong.train_gain < 0.0


def test_the_update_is_the_gamma_posterior_mean() -> None:
    data = _simulate(300, seed=5, alpha=None)
    fit = fit_variant(cell_table(data), "chosen")
    goals, expected = goals_so_far(data), expected_so_far(data, fit)
    assert (expected[:, :, 0] == 0).all() and (np.diff(expected, axis=2) > 0).all()
    in_last = ~data.event_red & data.event_home & (data.event_cell == N_CELLS - 1)
    last_cell_goals = np.bincount(data.event_match[in_last], minlength=len(data))
    assert (goals[0, :, -1] + last_cell_goals == data.home_goals).all()  # goals before the last cell, and in it
    own = frailty_multiplier("own", 3.0, goals, expected)
    k = 7
    assert own[1, k, 60] == pytest.approx((3.0 + goals[1, k, 60]) / (3.0 + expected[1, k, 60]))
    shared = frailty_multiplier("shared", 3.0, goals, expected)
    assert shared[0, k, 60] == shared[1, k, 60]
    assert (frailty_multiplier("both", math.inf, goals, expected) == 1.0).all()
    with pytest.raises(ValueError, match="kind"):
        frailty_multiplier("match", 3.0, goals, expected)
