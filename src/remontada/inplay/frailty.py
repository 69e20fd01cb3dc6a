"""Does a match's scoring vary beyond its odds? A gamma frailty, scored on held-out seasons.

If each side's rate in a match is its odds-implied rate times an unknown multiplier drawn from a
gamma(alpha, alpha) distribution (mean one, variance ``1 / alpha``), the goals so far are evidence
about the multiplier, and the rate expected at minute t given what has happened is ::

    base rate(t) * (alpha + N(t)) / (alpha + L(t))

where ``N(t)`` is the goals so far and ``L(t)`` the goals expected so far from the pre-match rate
and the clock (no state effects: the multiplier stays a function of the minute and the score, so
the in-play chain could carry it at no cost). ``kind`` says whose goals update whose rate:
``"own"`` (a multiplier per side), ``"shared"`` (one per match: both sides' goals), ``"both"``
(the product of the two, one ``alpha`` for each).

:func:`frailty_profile` fits the chosen design of :mod:`remontada.inplay.minutes` with the
update as a known offset for each ``alpha`` on the training seasons and scores it on the held-out
ones; no frailty (``alpha`` infinite) is the reference. The answer on the club matches of
2009-10..2019-20 is that every finite ``alpha`` loses (README, "In-play").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from remontada.inplay.data import FIRST_ADDED_CELL, N_CELLS, SECOND_ADDED_CELL, EventTimes
from remontada.inplay.minutes import (
    FIRST_SEASON,
    HOLDOUT_FROM,
    TREND_SEASON,
    CellFit,
    CellTable,
    _goals_in,
    _poisson_fit,
    _state,
    cell_table,
    design,
)

#: How the goals so far update the rates (see the module docstring).
KINDS: tuple[str, ...] = ("own", "shared", "both")


def expected_so_far(data: EventTimes, fit: CellFit) -> np.ndarray:
    """``(2, matches, 92)`` goals each side (home, away) was expected to score before each cell,
    from its pre-match rate and ``fit``'s time profile and added time (no lead or red-card effect)."""
    cell = np.arange(N_CELLS)
    first = cell < FIRST_ADDED_CELL
    second = (cell > FIRST_ADDED_CELL) & (cell < SECOND_ADDED_CELL)
    log_time = np.where(
        first,
        fit.value("first_half_level") + fit.value("first_half_slope") * (cell + 0.5) / 45.0,
        fit.value("second_half_level") + fit.value("second_half_slope") * (cell - 45.5) / 45.0,
    )
    years = (data.season_start - TREND_SEASON).astype(float)[:, None]
    trend = ("first_half_added_trend", "second_half_added_trend")
    has_trend = all(name in fit.names for name in trend)
    per_cell = np.broadcast_to(np.where(first | second, np.exp(log_time), 0.0), (len(data), N_CELLS)).copy()
    for index, cell_name, trend_name in (
        (FIRST_ADDED_CELL, "first_half_added_cell", trend[0]),
        (SECOND_ADDED_CELL, "second_half_added_cell", trend[1]),
    ):
        slope = fit.value(trend_name) if has_trend else 0.0
        per_cell[:, index] = np.exp(fit.value(cell_name) + slope * years[:, 0])
    out = np.empty((2, len(data), N_CELLS))
    for side, rate in enumerate((data.home_rate, data.away_rate)):
        expected = rate[:, None] / 90.0 * per_cell
        out[side] = np.cumsum(expected, axis=1) - expected
    return out


def goals_so_far(data: EventTimes) -> np.ndarray:
    """``(2, matches, 92)`` goals each side (home, away) scored before each cell."""
    return np.stack([_state(data, False, True), _state(data, False, False)])


def frailty_multiplier(kind: str, alpha: float, goals: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """``(2, matches, 92)`` rate multipliers after the goals so far, for a gamma(``alpha``, ``alpha``)
    frailty of ``kind`` (:data:`KINDS`); ``goals``/``expected`` from :func:`goals_so_far` and
    :func:`expected_so_far`. ``alpha`` must be positive (infinite: no frailty, all ones)."""
    if kind not in KINDS:
        raise ValueError(f"unknown frailty kind {kind!r}; use one of {', '.join(KINDS)}")
    if not alpha > 0:
        raise ValueError(f"alpha must be positive, got {alpha}")
    if math.isinf(alpha):
        return np.ones_like(expected)
    own = (alpha + goals) / (alpha + expected)
    total_goals, total_expected = goals.sum(axis=0), expected.sum(axis=0)
    shared = np.broadcast_to((alpha + total_goals) / (alpha + total_expected), goals.shape)
    if kind == "own":
        return own
    if kind == "shared":
        return np.array(shared)
    return own * shared


def _row_constant(data: EventTimes, multiplier: np.ndarray) -> float:
    """``sum(goals * log(multiplier))`` over every side, match and cell: the part of the exact
    log-likelihood the aggregated table does not carry."""
    goals = np.stack([_goals_in(data, True), _goals_in(data, False)])
    scored = goals > 0
    return float((goals[scored] * np.log(multiplier[scored])).sum())


def _exact_log_likelihood(table: CellTable, matrix: np.ndarray, beta: np.ndarray, constant: float) -> float:
    """Log-likelihood of the goals with the multiplier folded into the exposure, up to the terms
    every frailty shares (``log(goals!)`` and ``goals * log(rate / 90)``)."""
    used = table.exposure > 0
    eta = matrix[used] @ beta
    mean = table.exposure[used] * np.exp(eta)
    return float((table.goals[used] * eta - mean).sum()) + constant


@dataclass(frozen=True)
class FrailtyScore:
    """One frailty fitted on the training seasons: log-likelihood gains over no frailty on the
    training seasons (total) and the held-out ones (per 1,000 matches)."""

    kind: str
    alpha: float
    train_gain: float
    held_out_gain_per_1000: float


def frailty_profile(
    data: EventTimes,
    alphas: Sequence[float] = (2.0, 5.0, 20.0, 100.0),
    kinds: Sequence[str] = ("own", "shared"),
    *,
    first_season: int = FIRST_SEASON,
    holdout_from: int = HOLDOUT_FROM,
    progress: Callable[[str], None] | None = None,
) -> list[FrailtyScore]:
    """Fit the chosen design with each frailty (``kinds`` x ``alphas``) on seasons ``first_season``
    .. ``holdout_from - 1`` and score it on the later ones against the design without frailty.

    The expected goals so far come from the fit without frailty (its time profile and added time);
    the other coefficients are refitted with each frailty. ``kind="both"`` uses one ``alpha`` for
    both updates.
    """
    train = data.select((data.season_start >= first_season) & (data.season_start < holdout_from))
    test = data.select(data.season_start >= holdout_from)
    if not len(train) or not len(test):
        raise ValueError(f"need matches before and from {holdout_from} (from {first_season})")
    competitions = tuple(sorted({str(c) for c in train.competition}))
    plain_train = cell_table(train, competitions)
    matrix, names = design(plain_train, "chosen")
    beta, covariance = _poisson_fit(matrix, plain_train.goals, plain_train.exposure)
    base_fit = CellFit("chosen", names, beta, covariance, 0.0, len(train), int(plain_train.goals.sum()))
    plain_test = cell_table(test, competitions)
    test_matrix, _ = design(plain_test, "chosen")
    reference = (
        _exact_log_likelihood(plain_train, matrix, beta, 0.0),
        _exact_log_likelihood(plain_test, test_matrix, beta, 0.0),
    )
    so_far = {
        "train": (goals_so_far(train), expected_so_far(train, base_fit)),
        "test": (goals_so_far(test), expected_so_far(test, base_fit)),
    }
    scores = []
    for kind in kinds:
        for alpha in alphas:
            f_train = frailty_multiplier(kind, alpha, *so_far["train"])
            f_test = frailty_multiplier(kind, alpha, *so_far["test"])
            table = cell_table(train, competitions, f_train)
            matrix_f, _ = design(table, "chosen")
            beta_f, _ = _poisson_fit(matrix_f, table.goals, table.exposure)
            train_ll = _exact_log_likelihood(table, matrix_f, beta_f, _row_constant(train, f_train))
            held = cell_table(test, competitions, f_test)
            held_matrix, _ = design(held, "chosen")
            test_ll = _exact_log_likelihood(held, held_matrix, beta_f, _row_constant(test, f_test))
            scores.append(
                FrailtyScore(kind, float(alpha), train_ll - reference[0], 1000.0 * (test_ll - reference[1]) / len(test))
            )
            if progress:
                progress(f"{kind} alpha={alpha:g}")
    return scores
