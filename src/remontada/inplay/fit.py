"""Estimating the in-play model (:class:`remontada.inplay.model.InplayParams`) from the mirror's evidence.

Four stages, each on the evidence that identifies its effects (see :mod:`remontada.inplay.data`):

1. **Time profile** (:func:`fit_time_profile`): from matches with every goal's minute, a Poisson
   regression of goals per side per minute on the half, the position in the half, the added-time
   minutes 45 and 90 and the side's lead, with the pre-match expected goals as offset. Gives how
   scoring rises through each half and how many minutes of added time each half has.
2. **Half levels and state effects** (:func:`fit_half_times`): from league matches with odds,
   half-time and full-time scores and no red card, the exact likelihood of the half-time score
   and of the second-half goals given it, computed with the in-play chain (the path inside a
   half is not observed, so no regression can do this). The time profile's slopes and added
   time are held fixed.
3. **Red cards** (:func:`fit_red_cards`): from the same leagues' matches with exactly one red
   card, whose minute the sources do not give: the chain carries whether the card has been
   shown yet, with the card's time drawn from a density ``exp(timing * t / T)`` over the match,
   and the likelihood of both halves' scores estimates the two red-card effects. ``timing`` is
   fixed at :data:`RED_TIMING` (cards grow more frequent through a match; one in three before
   half-time): left free, the scores put 85% of cards in the first half, because goals and
   cards come together (a penalty with the sending-off, a side behind losing its temper) in
   a way the scores alone cannot separate from the card's effect.
4. **Extra time** (:func:`fit_extra_time`): from matches with 90-minute and after-extra-time
   scores, the level of extra time's rate relative to the end of the second half.

Standard errors come from the inverse of the observed information (numerical Hessian).
:class:`InplayFitter` runs all four and returns the parameters with a table of every effect.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
from scipy import optimize

from remontada.inplay.data import ExtraTimes, GoalTimes, HalfTimes
from remontada.inplay.model import (
    LEADS,
    InplayParams,
    extra_time_steps,
    forward_many,
    regular_steps,
)
from remontada.store.reader import Store

#: Grid of goals per half in the likelihoods; the last row/column stands for "this many or more".
_HALF_GRID = 8
#: Half-time leads beyond this are treated as this (their second halves hardly differ).
_MAX_HT_LEAD = 4
_NON_ZERO_LEADS = tuple(lead for lead in LEADS if lead != 0)
#: Shape of the red-card timing density ``exp(RED_TIMING * t / T)``: a third of cards before half-time.
RED_TIMING = 1.3


@dataclass(frozen=True, slots=True)
class Estimate:
    """One fitted effect: ``value`` on the log scale with its standard error, and where it came from."""

    name: str
    value: float
    se: float
    evidence: str

    @property
    def multiplier(self) -> float:
        return math.exp(self.value)

    def interval(self, z: float = 1.96) -> tuple[float, float]:
        """95% interval of the rate multiplier ``exp(value)``."""
        return math.exp(self.value - z * self.se), math.exp(self.value + z * self.se)


def _with_leads(values: np.ndarray) -> tuple[float, ...]:
    """Four effects for leads -2, -1, +1, +2 -> five with the reference lead 0."""
    return (float(values[0]), float(values[1]), 0.0, float(values[2]), float(values[3]))


# ---- generic pieces ----------------------------------------------------------------------------


def _poisson_glm(
    design: np.ndarray, counts: np.ndarray, exposure: np.ndarray, iterations: int = 50
) -> tuple[np.ndarray, np.ndarray]:
    """Newton-Raphson for ``counts ~ Poisson(exposure * exp(design @ beta))``: ``(beta, covariance)``."""
    beta = np.zeros(design.shape[1])
    total = counts.sum() / exposure.sum()
    if design.shape[1] and total > 0:
        beta = np.linalg.lstsq(design, np.full(len(counts), math.log(total)), rcond=None)[0]
    for _ in range(iterations):
        mean = exposure * np.exp(design @ beta)
        information = design.T @ (design * mean[:, None])
        step = np.linalg.solve(information, design.T @ (counts - mean))
        beta += step
        if np.abs(step).max() < 1e-10:
            break
    mean = exposure * np.exp(design @ beta)
    return beta, np.linalg.inv(design.T @ (design * mean[:, None]))


#: A batched objective: total negative log-likelihoods ``(T,)`` for parameter vectors ``(T, p)``.
ManyNll = Callable[[np.ndarray], np.ndarray]


def _evaluate(total_nll: ManyNll, thetas: np.ndarray, chunk: int) -> np.ndarray:
    return np.concatenate([total_nll(thetas[s : s + chunk]) for s in range(0, len(thetas), chunk)])


def _value_and_gradient(total_nll: ManyNll, theta: np.ndarray, step: float, chunk: int) -> tuple[float, np.ndarray]:
    """The objective and its forward-difference gradient, all points in one batched evaluation."""
    points = np.vstack([theta, theta + step * np.eye(len(theta))])
    values = _evaluate(total_nll, points, chunk)
    return float(values[0]), (values[1:] - values[0]) / step


def _numerical_hessian(total_nll: ManyNll, x: np.ndarray, step: float, chunk: int) -> np.ndarray:
    """Central second differences of ``total_nll`` at ``x``, every stencil point in batched calls."""
    n = len(x)
    eye = np.eye(n) * step
    pairs = [(a, b) for a in range(n) for b in range(a)]
    points = [x] + [x + eye[a] for a in range(n)] + [x - eye[a] for a in range(n)]
    for a, b in pairs:
        points += [x + eye[a] + eye[b], x + eye[a] - eye[b], x - eye[a] + eye[b], x - eye[a] - eye[b]]
    values = _evaluate(total_nll, np.vstack(points), chunk)
    f0, plus, minus = values[0], values[1 : n + 1], values[n + 1 : 2 * n + 1]
    hessian = np.diag((plus - 2.0 * f0 + minus) / step**2)
    for index, (a, b) in enumerate(pairs):
        pp, pm, mp, mm = values[2 * n + 1 + 4 * index : 2 * n + 5 + 4 * index]
        hessian[a, b] = hessian[b, a] = (pp - pm - mp + mm) / (4.0 * step**2)
    return hessian


def _standard_errors(total_nll: ManyNll, x: np.ndarray, chunk: int = 64, step: float = 1e-3) -> np.ndarray:
    """Standard errors from the numerical Hessian of a total (not mean) negative log-likelihood."""
    hessian = _numerical_hessian(total_nll, x, step, chunk)
    try:
        covariance = np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return np.full(len(x), np.nan)
    return np.sqrt(np.maximum(np.diag(covariance), 0.0))


def _minimize(total_nll: ManyNll, x0: np.ndarray, scale: float, chunk: int = 64) -> np.ndarray:
    """Minimise ``total_nll / scale`` (a mean log-loss) with batched forward-difference gradients."""

    def fun(theta: np.ndarray) -> tuple[float, np.ndarray]:
        value, gradient = _value_and_gradient(total_nll, theta, 1e-5, chunk)
        return value / scale, gradient / scale

    result = optimize.minimize(fun, x0, jac=True, method="L-BFGS-B", options={"maxiter": 200})
    return np.asarray(result.x)


# ---- 1. the time profile -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TimeProfile:
    """How scoring moves through a match, from goal minutes (log rate multipliers per minute).

    ``home_lead``/``away_lead`` are the state effects this evidence gives (national teams with
    Elo-based pre-match rates); they are reported, not used, when league evidence is fitted.
    """

    first_half_level: float
    first_half_slope: float
    second_half_level: float
    second_half_slope: float
    first_half_added: float
    second_half_added: float
    home_lead: tuple[float, ...]
    away_lead: tuple[float, ...]
    estimates: tuple[Estimate, ...]
    n_matches: int
    n_goals: int


def goals_by_minute(data: GoalTimes) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(home goals, away goals, home lead before the minute)``, each ``(matches, 90)``."""
    n = len(data)
    home = np.zeros((n, 91))
    away = np.zeros((n, 91))
    np.add.at(home, (data.goal_match[data.goal_home], data.goal_minute[data.goal_home]), 1.0)
    np.add.at(away, (data.goal_match[~data.goal_home], data.goal_minute[~data.goal_home]), 1.0)
    lead = (np.cumsum(home, axis=1) - np.cumsum(away, axis=1))[:, :-1].astype(np.int64)
    return home[:, 1:], away[:, 1:], lead


def fit_time_profile(data: GoalTimes, *, since: int | None = 2010) -> TimeProfile:
    """Fit the time profile on matches played in or after the year ``since``.

    Regression cells are (side, minute, the side's own lead clipped to -2..2), with goals
    summed and exposure ``sum(rate / 90)`` over matches. Columns: one level per half, the
    position in each half (0 at its start, 1 at its end), indicators of minutes 45 and 90
    (whose recorded goals include added time), nuisance indicators of minutes 1 and 46 (kick-off
    minutes, recorded short in the sources) and four lead effects per side.
    """
    if since is not None:
        data = data.select(data.year >= since)
    if not len(data):
        raise ValueError("no matches with goal minutes to fit the time profile on")
    home_goals, away_goals, lead = goals_by_minute(data)
    minute = np.arange(1, 91)
    rows, counts, exposure = [], [], []
    for side, (goals, rate, own) in enumerate(
        ((home_goals, data.home_rate, lead), (away_goals, data.away_rate, -lead))
    ):
        own = np.clip(own, -2, 2)
        for lead_value in LEADS:
            at = own == lead_value
            counts.append((goals * at).sum(axis=0))
            exposure.append((rate[:, None] / 90.0 * at).sum(axis=0))
            design = np.zeros((90, 16))
            second = minute > 45
            design[:, 0] = ~second
            design[:, 1] = second
            design[:, 2] = np.where(second, 0.0, (minute - 0.5) / 45.0)
            design[:, 3] = np.where(second, (minute - 45.5) / 45.0, 0.0)
            design[:, 4] = minute == 45
            design[:, 5] = minute == 90
            design[:, 6] = minute == 1
            design[:, 7] = minute == 46
            if lead_value:
                design[:, 8 + 4 * side + _NON_ZERO_LEADS.index(lead_value)] = 1.0
            rows.append(design)
    design = np.vstack(rows)
    y = np.concatenate(counts)
    e = np.concatenate(exposure)
    used = e > 0
    beta, covariance = _poisson_glm(design[used], y[used], e[used])
    se = np.sqrt(np.diag(covariance))
    # added time: the minute-45 cell holds one minute at the rate half a minute before the end of
    # the half plus the added minutes at the end-of-half rate
    first_added = (math.exp(beta[4]) - 1.0) * math.exp(-beta[2] / 90.0)
    second_added = (math.exp(beta[5]) - 1.0) * math.exp(-beta[3] / 90.0)
    years = f"{int(data.year.min())}-{int(data.year.max())}"
    evidence = f"goal minutes, {len(data)} matches {years}, {int(y.sum())} goals"
    names = [
        "first_half_level",
        "second_half_level",
        "first_half_slope",
        "second_half_slope",
        "minute_45_cell",
        "minute_90_cell",
        "minute_1_cell",
        "minute_46_cell",
    ] + [f"{side}_lead_{lead:+d}" for side in ("home", "away") for lead in _NON_ZERO_LEADS]
    estimates = tuple(Estimate(n, float(b), float(s), evidence) for n, b, s in zip(names, beta, se, strict=True))
    return TimeProfile(
        first_half_level=float(beta[0]),
        first_half_slope=float(beta[2]),
        second_half_level=float(beta[1]),
        second_half_slope=float(beta[3]),
        first_half_added=float(first_added),
        second_half_added=float(second_added),
        home_lead=_with_leads(beta[8:12]),
        away_lead=_with_leads(beta[12:16]),
        estimates=estimates,
        n_matches=len(data),
        n_goals=int(y.sum()),
    )


# ---- 2. half levels and state effects from half-time scores ---------------------------------------


def _cell(home: np.ndarray, away: np.ndarray, size: int = _HALF_GRID) -> np.ndarray:
    """Flat index of (home, away) goals on a ``size x size`` grid whose last row/column is "or more"."""
    return np.minimum(home, size - 1) * size + np.minimum(away, size - 1)


@dataclass(frozen=True, eq=False)
class _Groups:
    """Matches grouped by pre-match rates (binned) and half-time lead, with summed cell counts."""

    home_rate: np.ndarray  # (G,) mean rate of each rate group
    away_rate: np.ndarray
    pair_group: np.ndarray  # (P,) rate group of each (group, half-time lead) pair
    pair_lead: np.ndarray  # (P,) half-time lead of the home side
    first_counts: np.ndarray  # (G, cells) half-time scores
    second_counts: np.ndarray  # (P, cells) second-half goals
    n_matches: int


def _group(data: HalfTimes, bin_width: float) -> tuple[_Groups, np.ndarray, np.ndarray]:
    """Group matches; also return each match's group and (group, lead) pair index."""
    bins = np.column_stack([np.round(data.home_rate / bin_width), np.round(data.away_rate / bin_width)])
    _, group = np.unique(bins, axis=0, return_inverse=True)
    group = group.ravel()
    n_groups = int(group.max()) + 1
    counts = np.bincount(group, minlength=n_groups)
    home_rate = np.bincount(group, weights=data.home_rate, minlength=n_groups) / counts
    away_rate = np.bincount(group, weights=data.away_rate, minlength=n_groups) / counts
    lead = np.clip(data.ht_home - data.ht_away, -_MAX_HT_LEAD, _MAX_HT_LEAD)
    pairs, pair = np.unique(np.column_stack([group, lead]), axis=0, return_inverse=True)
    pair = pair.ravel()
    cells = _HALF_GRID * _HALF_GRID
    first = np.bincount(group * cells + _cell(data.ht_home, data.ht_away), minlength=n_groups * cells)
    second = np.bincount(
        pair * cells + _cell(data.ft_home - data.ht_home, data.ft_away - data.ht_away), minlength=len(pairs) * cells
    )
    groups = _Groups(
        home_rate=home_rate,
        away_rate=away_rate,
        pair_group=pairs[:, 0],
        pair_lead=pairs[:, 1],
        first_counts=first.reshape(n_groups, cells).astype(float),
        second_counts=second.reshape(len(pairs), cells).astype(float),
        n_matches=len(data),
    )
    return groups, group, pair


def _halves(params: InplayParams) -> tuple[np.ndarray, np.ndarray]:
    """Expected goals per step per unit rate for the first and the second half's steps."""
    start, duration, log_rate = regular_steps(params)
    weight = np.exp(log_rate) * duration / 90.0
    first = start < 45.0 + params.first_half_added - 1e-9
    return weight[first], weight[~first]


def _lead_grid(offset: np.ndarray, size: int = _HALF_GRID) -> np.ndarray:
    """``(len(offset), size, size)`` home lead index (clipped lead + 2) with ``offset`` on the board."""
    more_home, more_away = np.indices((size, size))
    return np.clip(offset[:, None, None] + more_home - more_away, -2, 2) + 2


def _start(batch: tuple[int, ...], size: int = _HALF_GRID) -> np.ndarray:
    start = np.zeros((*batch, size, size))
    start[..., 0, 0] = 1.0
    return start


def _unit_weights(params: InplayParams) -> tuple[np.ndarray, np.ndarray]:
    """Expected goals per step per unit rate in each half, without the halves' levels."""
    return _halves(replace(params, first_half_level=0.0, second_half_level=0.0))


def half_probabilities(
    params: InplayParams,
    home_rate: np.ndarray,
    away_rate: np.ndarray,
    ht_lead: np.ndarray | None = None,
    *,
    first_half: bool = False,
) -> np.ndarray:
    """``(batch, 8, 8)``: P(goals in a half) for each pair of pre-match rates (no red cards).

    ``first_half``: the first half from 0-0; otherwise the second half with the home side
    leading by ``ht_lead`` at half-time. The last row/column is "7 or more".
    """
    levels = np.array([[params.first_half_level, params.second_half_level]])
    home_lead = np.asarray(params.home_lead if first_half else params.home_lead_late)[None]
    away_lead = np.asarray(params.away_lead if first_half else params.away_lead_late)[None]
    return _half_probabilities_many(
        _unit_weights(params), levels, home_lead, away_lead, home_rate, away_rate, ht_lead, first_half
    )[0]


def _half_probabilities_many(
    weights: tuple[np.ndarray, np.ndarray],
    levels: np.ndarray,
    home_lead: np.ndarray,
    away_lead: np.ndarray,
    home_rate: np.ndarray,
    away_rate: np.ndarray,
    ht_lead: np.ndarray | None,
    first_half: bool,
) -> np.ndarray:
    """``(T, batch, 8, 8)`` half probabilities for T parameter sets at once (levels ``(T, 2)``,
    lead effects ``(T, 5)``)."""
    weight = weights[0] if first_half else weights[1]
    level = levels[:, 0] if first_half else levels[:, 1]
    n = len(home_rate)
    offset = np.zeros(n, dtype=np.int64) if (first_half or ht_lead is None) else np.asarray(ht_lead)
    time_scale = weight[:, None] * np.exp(level)[None, :]  # (steps, T)
    home_expected = (
        time_scale[:, :, None, None] * np.asarray(home_rate)[None, None, :, None] * np.exp(home_lead)[None, :, None, :]
    )
    away_expected = (
        time_scale[:, :, None, None] * np.asarray(away_rate)[None, None, :, None] * np.exp(away_lead)[None, :, None, :]
    )
    return forward_many(_start((len(levels), n)), home_expected, away_expected, _lead_grid(offset))


@dataclass(frozen=True, slots=True)
class HalfTimeFit:
    params: InplayParams
    estimates: tuple[Estimate, ...]
    log_likelihood: float
    n_matches: int


def _half_time_params(theta: np.ndarray, base: InplayParams, state_effects: bool, late: bool) -> InplayParams:
    changes: dict[str, Any] = {"first_half_level": float(theta[0]), "second_half_level": float(theta[1])}
    if state_effects:
        changes["home_lead"] = _with_leads(theta[2:6])
        changes["away_lead"] = _with_leads(theta[6:10])
        later = theta[10:18] if late else theta[2:10]
        changes["home_lead_late"] = _with_leads(later[:4])
        changes["away_lead_late"] = _with_leads(later[4:])
    return replace(base, **changes)


def _leads_many(values: np.ndarray) -> np.ndarray:
    """``(T, 4)`` effects of leads -2, -1, +1, +2 -> ``(T, 5)`` with the reference 0."""
    return np.column_stack([values[:, 0], values[:, 1], np.zeros(len(values)), values[:, 2], values[:, 3]])


def fit_half_times(
    data: HalfTimes,
    profile: TimeProfile,
    *,
    state_effects: bool = True,
    late_effects: bool = True,
    bin_width: float = 0.1,
    standard_errors: bool = True,
) -> HalfTimeFit:
    """Half levels (and lead effects) from half-time and 90-minute scores of matches without red cards.

    ``late_effects``: the lead effects of the second half are fitted apart from the first
    half's (otherwise one set serves both). Slopes and added time come from ``profile``.
    Matches are grouped by pre-match rates on a ``bin_width`` grid (each group at its mean
    rates) and by half-time lead, so the chain runs once per group, not per match.
    """
    clean = data.select((data.home_red == 0) & (data.away_red == 0))
    if not len(clean):
        raise ValueError("no matches without red cards to fit half-time evidence on")
    groups, _, _ = _group(clean, bin_width)
    base = InplayParams(
        first_half_slope=profile.first_half_slope,
        second_half_slope=profile.second_half_slope,
        first_half_added=profile.first_half_added,
        second_half_added=profile.second_half_added,
    )
    weights = _unit_weights(base)
    pair_home = groups.home_rate[groups.pair_group]
    pair_away = groups.away_rate[groups.pair_group]

    def total_nll(thetas: np.ndarray) -> np.ndarray:
        levels = thetas[:, :2]
        if state_effects:
            home_lead, away_lead = _leads_many(thetas[:, 2:6]), _leads_many(thetas[:, 6:10])
            later = thetas[:, 10:18] if late_effects else thetas[:, 2:10]
            home_late, away_late = _leads_many(later[:, :4]), _leads_many(later[:, 4:])
        else:
            home_lead = away_lead = home_late = away_late = np.zeros((len(thetas), len(LEADS)))
        first = _half_probabilities_many(
            weights, levels, home_lead, away_lead, groups.home_rate, groups.away_rate, None, True
        )
        second = _half_probabilities_many(
            weights, levels, home_late, away_late, pair_home, pair_away, groups.pair_lead, False
        )
        log_first = np.log(np.maximum(first.reshape(len(thetas), len(groups.home_rate), -1), 1e-300))
        log_second = np.log(np.maximum(second.reshape(len(thetas), len(pair_home), -1), 1e-300))
        return -(
            (groups.first_counts * log_first).sum(axis=(1, 2)) + (groups.second_counts * log_second).sum(axis=(1, 2))
        )

    chunk = max(1, 2_000_000 // (len(pair_home) * _HALF_GRID * _HALF_GRID))
    theta0 = np.zeros((18 if late_effects else 10) if state_effects else 2)
    theta0[:2] = (profile.first_half_level, profile.second_half_level)
    theta = _minimize(total_nll, theta0, groups.n_matches, chunk)
    se = _standard_errors(total_nll, theta, chunk) if standard_errors else np.full(len(theta), np.nan)
    evidence = f"half-time and 90-minute scores, {groups.n_matches} league matches without red cards"
    names = ["first_half_level", "second_half_level"]
    if state_effects:
        names += [f"{side}_lead_{lead:+d}" for side in ("home", "away") for lead in _NON_ZERO_LEADS]
        if late_effects:
            names += [f"{side}_lead_late_{lead:+d}" for side in ("home", "away") for lead in _NON_ZERO_LEADS]
    estimates = tuple(Estimate(n, float(v), float(s), evidence) for n, v, s in zip(names, theta, se, strict=True))
    log_likelihood = -float(total_nll(theta[None])[0])
    params = _half_time_params(theta, base, state_effects, late_effects)
    return HalfTimeFit(params, estimates, log_likelihood, groups.n_matches)


# ---- 3. red cards ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RedCardFit:
    red_own: float
    red_opponent: float
    timing: float
    estimates: tuple[Estimate, ...]
    n_matches: int

    def share_first_half(self, params: InplayParams) -> float:
        """P(the card comes in the first half) under the fitted timing density."""
        start, duration, _ = regular_steps(params)
        mass = _timing_mass(self.timing, start, duration)
        return float(mass[start < 45.0 + params.first_half_added - 1e-9].sum())


def _timing_mass(timing: float, start: np.ndarray, duration: np.ndarray) -> np.ndarray:
    """Probability that the card falls in each step, density ``exp(timing * t / T)`` on [0, T]."""
    total = float(start[-1] + duration[-1])
    edges = np.concatenate([start, [total]]) / total
    cdf = edges if abs(timing) < 1e-8 else np.expm1(timing * edges) / math.expm1(timing)
    return np.diff(cdf)


def fit_red_cards(
    data: HalfTimes,
    params: InplayParams,
    *,
    bin_width: float = 0.15,
    timing: float | None = None,
    standard_errors: bool = True,
) -> RedCardFit:
    """Red-card effects from matches with exactly one red card (minute unknown).

    Each such match is two chains glued at the card: before it both sides play at the rates of
    ``params``; after it the carded side's rate is multiplied by ``exp(red_own)`` and its
    opponent's by ``exp(red_opponent)``. The card's time has density ``exp(timing * t / T)``
    over the match (``T`` its length with added time); ``timing`` is fitted unless given.
    """
    one_home = (data.home_red == 1) & (data.away_red == 0)
    one_away = (data.home_red == 0) & (data.away_red == 1)
    carded = data.select(one_home | one_away)
    if not len(carded):
        raise ValueError("no matches with exactly one red card to fit red-card effects on")
    home_carded = carded.home_red == 1
    # group by rates and which side was carded: the side is a third grouping key
    bins = np.column_stack(
        [np.round(carded.home_rate / bin_width), np.round(carded.away_rate / bin_width), home_carded]
    )
    _, group = np.unique(bins, axis=0, return_inverse=True)
    group = group.ravel()
    n_groups = int(group.max()) + 1
    counts = np.bincount(group, minlength=n_groups)
    home_rate = np.bincount(group, weights=carded.home_rate, minlength=n_groups) / counts
    away_rate = np.bincount(group, weights=carded.away_rate, minlength=n_groups) / counts
    group_home_carded = np.bincount(group, weights=home_carded, minlength=n_groups) > 0
    lead = np.clip(carded.ht_home - carded.ht_away, -_MAX_HT_LEAD, _MAX_HT_LEAD)
    pairs, pair = np.unique(np.column_stack([group, lead]), axis=0, return_inverse=True)
    pair = pair.ravel()
    ht_cell = _cell(carded.ht_home, carded.ht_away)
    second_cell = _cell(carded.ft_home - carded.ht_home, carded.ft_away - carded.ht_away)
    start, duration, log_rate = regular_steps(params)
    weight = np.exp(log_rate) * duration / 90.0
    first_steps = start < 45.0 + params.first_half_added - 1e-9
    home_leads = (np.exp(np.asarray(params.home_lead)), np.exp(np.asarray(params.home_lead_late)))
    away_leads = (np.exp(np.asarray(params.away_lead)), np.exp(np.asarray(params.away_lead_late)))

    def expected(
        weights: np.ndarray, groups_of: np.ndarray, own: np.ndarray, opponent: np.ndarray, half: int
    ) -> tuple[np.ndarray, ...]:
        """(steps, T, batch, card state, 5) expected goals of each side; card state 1 = card shown."""
        carded_home = group_home_carded[groups_of][None, :]
        home_after = np.where(carded_home, own[:, None], opponent[:, None])  # (T, batch)
        away_after = np.where(carded_home, opponent[:, None], own[:, None])
        home_scale = np.stack([np.ones_like(home_after), np.exp(home_after)], axis=-1)  # (T, batch, 2)
        away_scale = np.stack([np.ones_like(away_after), np.exp(away_after)], axis=-1)
        rate_home = (home_rate[groups_of][None, :, None] * home_scale)[None, ..., None]
        rate_away = (away_rate[groups_of][None, :, None] * away_scale)[None, ..., None]
        return (
            weights[:, None, None, None, None] * rate_home * home_leads[half],
            weights[:, None, None, None, None] * rate_away * away_leads[half],
        )

    def card_shown(hazard: np.ndarray) -> Callable[[int, np.ndarray], np.ndarray]:
        """``hazard`` is (steps, T): the chance the card comes in the step if not yet shown."""

        def after_step(k: int, probs: np.ndarray) -> np.ndarray:
            rate = hazard[k].reshape((-1,) + (1,) * (probs.ndim - 2))
            moving = probs[..., 0, :] * rate
            probs[..., 0, :] -= moving
            probs[..., 1, :] += moving
            return probs

        return after_step

    pair_groups = pairs[:, 0]
    second_lead = _lead_grid(pairs[:, 1])[:, None, None]
    first_lead = _lead_grid(np.zeros(n_groups, np.int64))[:, None]

    def total_nll(thetas: np.ndarray) -> np.ndarray:
        n_theta = len(thetas)
        own, opponent = thetas[:, 0], thetas[:, 1]
        shapes = np.full(n_theta, timing) if timing is not None else thetas[:, 2]
        mass = np.stack([_timing_mass(float(t), start, duration) for t in shapes], axis=1)  # (steps, T)
        survival = np.vstack([np.ones((1, n_theta)), 1.0 - np.cumsum(mass, axis=0)[:-1]])
        hazard = np.clip(mass / np.maximum(survival, 1e-300), 0.0, 1.0)
        h1, a1 = expected(weight[first_steps], np.arange(n_groups), own, opponent, 0)
        kick_off = np.zeros((n_theta, n_groups, 2, _HALF_GRID, _HALF_GRID))
        kick_off[:, :, 0, 0, 0] = 1.0  # 0-0, card not yet shown
        first = forward_many(kick_off, h1, a1, first_lead, card_shown(hazard[first_steps])).reshape(
            n_theta, n_groups, 2, -1
        )
        h2, a2 = expected(weight[~first_steps], pair_groups, own, opponent, 1)
        # two runs per pair: from "card not yet shown" and from "card shown" at half-time
        begin = np.zeros((n_theta, len(pairs), 2, 2, _HALF_GRID, _HALF_GRID))
        begin[:, :, 0, 0, 0, 0] = 1.0
        begin[:, :, 1, 1, 0, 0] = 1.0
        second = forward_many(
            begin,
            np.repeat(h2[:, :, :, None], 2, axis=3),
            np.repeat(a2[:, :, :, None], 2, axis=3),
            second_lead,
            card_shown(hazard[~first_steps]),
        ).reshape(n_theta, len(pairs), 2, 2, -1)
        out = np.empty(n_theta)
        for t in range(n_theta):
            at_half_time = first[t][group, :, ht_cell]  # (matches, state at HT)
            after = second[t][pair, :, :, second_cell].sum(axis=2)  # (matches, start state)
            likelihood = (at_half_time * after).sum(axis=1)
            out[t] = -np.log(np.maximum(likelihood, 1e-300)).sum()
        return out

    chunk = max(1, 1_000_000 // (len(pairs) * 4 * _HALF_GRID * _HALF_GRID))
    theta0 = np.array([-0.3, 0.3] + ([] if timing is not None else [1.0]))
    theta = _minimize(total_nll, theta0, len(carded), chunk)
    se = _standard_errors(total_nll, theta, chunk) if standard_errors else np.full(len(theta), np.nan)
    evidence = f"half-time and 90-minute scores, {len(carded)} league matches with one red card (minute unknown)"
    names = ["red_own", "red_opponent"] + ([] if timing is not None else ["red_timing"])
    estimates = tuple(Estimate(n, float(v), float(s), evidence) for n, v, s in zip(names, theta, se, strict=True))
    return RedCardFit(
        float(theta[0]), float(theta[1]), float(timing if timing is not None else theta[2]), estimates, len(carded)
    )


# ---- 4. extra time ----------------------------------------------------------------------------------


def extra_time_probabilities(params: InplayParams, home_rate: np.ndarray, away_rate: np.ndarray) -> np.ndarray:
    """``(batch, 8, 8)`` P(goals in 30 minutes of extra time from a level score)."""
    _, duration, log_rate = extra_time_steps(params)
    weight = np.exp(log_rate) * duration / 90.0
    home_effect = np.exp(np.asarray(params.home_lead_late))
    away_effect = np.exp(np.asarray(params.away_lead_late))
    home_expected = weight[:, None, None] * np.asarray(home_rate)[None, :, None] * home_effect
    away_expected = weight[:, None, None] * np.asarray(away_rate)[None, :, None] * away_effect
    lead = _lead_grid(np.zeros(len(home_rate), np.int64))
    return forward_many(_start((len(home_rate),)), home_expected, away_expected, lead)


def fit_extra_time(data: ExtraTimes, params: InplayParams, *, bin_width: float = 0.05) -> Estimate:
    """``extra_time_level``: the log rate of extra time relative to the end of the second half.

    Matches are grouped by pre-match rates on a ``bin_width`` grid (each group at its mean rates).
    """
    if not len(data):
        raise ValueError("no matches with extra time to fit on")
    bins = np.column_stack([np.round(data.home_rate / bin_width), np.round(data.away_rate / bin_width)])
    _, group = np.unique(bins, axis=0, return_inverse=True)
    group = group.ravel()
    n_groups = int(group.max()) + 1
    size = np.bincount(group, minlength=n_groups)
    home_rate = np.bincount(group, weights=data.home_rate, minlength=n_groups) / size
    away_rate = np.bincount(group, weights=data.away_rate, minlength=n_groups) / size
    cells = _HALF_GRID * _HALF_GRID
    counts = np.bincount(group * cells + _cell(data.et_home, data.et_away), minlength=n_groups * cells).reshape(
        n_groups, cells
    )

    def total_nll(thetas: np.ndarray) -> np.ndarray:
        out = np.empty(len(thetas))
        for t, theta in enumerate(thetas):
            probs = extra_time_probabilities(replace(params, extra_time_level=float(theta[0])), home_rate, away_rate)
            out[t] = -(counts * np.log(np.maximum(probs.reshape(n_groups, -1), 1e-300))).sum()
        return out

    result = optimize.minimize_scalar(
        lambda x: float(total_nll(np.array([[x]]))[0]), bounds=(-2.0, 2.0), method="bounded"
    )
    value = float(result.x)
    se = float(_standard_errors(total_nll, np.array([value]))[0])
    goals = int(data.et_home.sum() + data.et_away.sum())
    return Estimate(
        "extra_time_level", value, se, f"after-extra-time scores, {len(data)} matches, {goals} extra-time goals"
    )


# ---- all together ------------------------------------------------------------------------------------


@dataclass
class InplayFitter:
    """Estimate :class:`InplayParams` from the four kinds of evidence.

    ``profile_since``: first calendar year of goal-minute evidence for the time profile (added
    time has grown; recent matches describe today's). ``state_effects=False`` fits the
    time-only variant; ``late_effects=False`` one set of lead effects for the whole match.
    ``red_timing``: shape of the red-card timing density (``None`` fits it).
    ``standard_errors=False`` skips the numerical Hessians (faster). After :meth:`fit`:
    ``params_``, ``estimates_`` (every effect with its evidence), ``profile_``.
    """

    profile_since: int | None = 2010
    state_effects: bool = True
    late_effects: bool = True
    red_cards: bool = True
    red_timing: float | None = RED_TIMING
    bin_width: float = 0.1
    standard_errors: bool = True
    verbose: bool = False
    params_: InplayParams = field(init=False, repr=False)
    estimates_: tuple[Estimate, ...] = field(init=False, repr=False)
    profile_: TimeProfile = field(init=False, repr=False)
    red_fit_: RedCardFit | None = field(init=False, repr=False, default=None)

    def _say(self, text: str, began: float) -> None:
        if self.verbose:
            print(f"[{time.perf_counter() - began:7.1f}s] {text}", flush=True)

    def fit(self, goal_times: GoalTimes, half_times: HalfTimes, extra_times: ExtraTimes | None = None) -> InplayFitter:
        began = time.perf_counter()
        profile = fit_time_profile(goal_times, since=self.profile_since)
        self._say(f"time profile from {profile.n_matches} matches", began)
        halves = fit_half_times(
            half_times,
            profile,
            state_effects=self.state_effects,
            late_effects=self.late_effects,
            bin_width=self.bin_width,
            standard_errors=self.standard_errors,
        )
        self._say(f"half levels and lead effects from {halves.n_matches} matches", began)
        params = halves.params
        estimates = [e for e in profile.estimates if e.name.endswith(("slope", "cell"))]
        estimates += list(halves.estimates)
        if self.red_cards:
            reds = fit_red_cards(half_times, params, timing=self.red_timing, standard_errors=self.standard_errors)
            params = replace(params, red_own=reds.red_own, red_opponent=reds.red_opponent)
            estimates += list(reds.estimates)
            self.red_fit_ = reds
            self._say(f"red cards from {reds.n_matches} matches", began)
        if extra_times is not None and len(extra_times):
            extra = fit_extra_time(extra_times, params)
            params = replace(params, extra_time_level=extra.value)
            estimates.append(extra)
            self._say(f"extra time from {len(extra_times)} matches", began)
        seasons = sorted({str(s) for s in half_times.season})
        params = replace(
            params,
            source=(
                f"fitted by remontada.inplay.fit: time profile from {profile.n_matches} matches with goal minutes "
                f"(since {self.profile_since}); half levels, lead and red-card effects from football-data.co.uk "
                f"league matches {seasons[0]}..{seasons[-1]} with odds-implied pre-match rates"
            ),
        )
        self.params_ = params
        self.estimates_ = tuple(estimates)
        self.profile_ = profile
        return self

    def notes(self) -> dict[str, str]:
        """Per parameter name: the estimate, its standard error and its evidence (for the CSV)."""
        notes = {}
        for e in self.estimates_:
            notes[e.name] = f"{e.value:+.4f} se {e.se:.4f}; {e.evidence}"
        profile_rows = {e.name: e for e in self.profile_.estimates}
        for name, cell in (("first_half_added", "minute_45_cell"), ("second_half_added", "minute_90_cell")):
            e = profile_rows[cell]
            notes[name] = f"from the minute-{cell[7:9]} excess {e.value:+.4f} se {e.se:.4f}; {e.evidence}"
        if self.red_fit_ is not None:
            share = self.red_fit_.share_first_half(self.params_)
            how = "fitted" if self.red_timing is None else "assumed"
            timing = f"exp({self.red_fit_.timing:.2f} t/T) {how}: {share:.0%} in the first half"
            notes["red_own"] += f"; card timing {timing}"
        return notes


def fit_from_store(
    store: Store,
    *,
    holdout_from: int | None = 2022,
    **options: object,
) -> InplayFitter:
    """Pull the evidence from ``store`` and fit; league seasons starting in or after ``holdout_from``
    are left out (kept for :mod:`remontada.inplay.validate`). ``options`` go to :class:`InplayFitter`."""
    from remontada.inplay.data import elo_rates, extra_times_from_store, goal_times_from_store, half_times_from_store

    rates = elo_rates(store)
    goal_times = goal_times_from_store(store, rates)
    half_times = half_times_from_store(store)
    if holdout_from is not None:
        half_times = half_times.select(half_times.season_start() < holdout_from)
    extra_times = extra_times_from_store(store, rates)
    return InplayFitter(**options).fit(goal_times, half_times, extra_times)  # type: ignore[arg-type]
