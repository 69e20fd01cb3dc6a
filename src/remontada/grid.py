"""ScoreGrid: the full scoreline distribution of one match, and every market read off it.

``probs[i, j]`` is P(home goals = i, away goals = j) over the period the grid describes
(90 minutes, 30 minutes of extra time, or the time left in a live match). Grids are
truncated where the tail mass falls below ``tail`` (1e-9 by default) and renormalised, so
they always sum to one.

Markets are exact sums over the grid. Lines are in goals and must be multiples of a
quarter goal: ``x.5`` lines settle win/loss, whole lines can push, and quarter lines
(2.25, -0.75, ...) split the stake into two halves on the neighbouring lines, which gives
half-wins and half-losses. Prices are decimal odds (stake included).

The module also builds many grids at once (:func:`poisson_grids`, shape ``(n, H, A)``)
and reads markets off such stacks without Python loops, for backtests and simulators.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from remontada.kernels import apply_dixon_coles, poisson_pmf, poisson_upper, shift_scores

DEFAULT_TAIL = 1e-9


def _truncate(matrix: np.ndarray, tail: float) -> np.ndarray:
    """Drop trailing rows/columns whose mass is below ``tail`` and renormalise."""
    total = matrix.sum()
    if not np.isfinite(total) or total <= 0:
        raise ValueError("a score grid needs positive, finite total probability")
    m = matrix / total
    row_tail = np.cumsum(m.sum(axis=1)[::-1])[::-1]  # mass in rows >= i
    col_tail = np.cumsum(m.sum(axis=0)[::-1])[::-1]
    n_rows = max(1, int(np.searchsorted(-row_tail, -tail, side="right")))
    n_cols = max(1, int(np.searchsorted(-col_tail, -tail, side="right")))
    m = m[:n_rows, :n_cols]
    return m / m.sum()


def _check_rate(name: str, rate: float) -> None:
    if not math.isfinite(rate) or rate < 0:
        raise ValueError(f"{name} must be a finite, non-negative number of goals, got {rate}")


# ---- market results ----------------------------------------------------------------------


class BetSettlement(NamedTuple):
    """How one bet settles, as probabilities in [0, 1] that sum to one.

    ``half_win`` and ``half_loss`` arise only on quarter lines (half the stake wins or loses,
    the other half is refunded); ``push`` (whole stake refunded) only on whole lines.
    """

    win: float
    half_win: float
    push: float
    half_loss: float
    loss: float

    def expected_profit(self, price: float) -> float:
        """Expected profit per unit stake at decimal ``price`` (0 at the fair price)."""
        return (self.win + 0.5 * self.half_win) * (price - 1.0) - self.loss - 0.5 * self.half_loss

    def fair_price(self) -> float:
        """Decimal price at which the expected profit is zero; ``inf`` when the bet cannot win."""
        winning = self.win + 0.5 * self.half_win
        losing = self.loss + 0.5 * self.half_loss
        if winning <= 0.0:
            return math.inf
        return 1.0 + losing / winning

    def opposite(self) -> BetSettlement:
        """The other side of the same bet (under for over; away handicap for home)."""
        return BetSettlement(self.loss, self.half_loss, self.push, self.half_win, self.win)


class DoubleChance(NamedTuple):
    """P(home or draw) "1X", P(home or away) "12", P(draw or away) "X2"; each in [0, 1]."""

    home_or_draw: float
    home_or_away: float
    draw_or_away: float


class DrawNoBet(NamedTuple):
    """Win probabilities once a draw is refunded, and the matching fair decimal prices."""

    home: float
    away: float
    home_price: float
    away_price: float


class YesNo(NamedTuple):
    """A two-way yes/no market such as both teams to score; probabilities in [0, 1]."""

    yes: float
    no: float


@dataclass(frozen=True, slots=True, eq=False)
class GoalDistribution:
    """The law of an integer goal count: ``P(X = offset + k) = probs[k]``.

    Used for total goals (``offset = 0``) and goal difference home minus away (``offset``
    negative: the away side's largest winning margin).
    """

    probs: np.ndarray
    offset: int = 0

    @property
    def values(self) -> np.ndarray:
        """The goal counts the entries of ``probs`` refer to."""
        return np.arange(self.offset, self.offset + len(self.probs))

    def prob(self, value: int) -> float:
        """P(X = value); zero outside the truncated support."""
        k = value - self.offset
        return float(self.probs[k]) if 0 <= k < len(self.probs) else 0.0

    def cdf(self, value: float) -> float:
        """P(X <= value)."""
        return float(self.probs[self.values <= value].sum())

    def sf(self, value: float) -> float:
        """P(X > value)."""
        return float(self.probs[self.values > value].sum())

    def mean(self) -> float:
        return float(self.probs @ self.values)

    def settle(self, handicap: float) -> BetSettlement:
        """BetSettlement of a bet that wins when ``X + handicap > 0`` (Asian rules)."""
        return _settle(self.values, self.probs, handicap)


def _frozen_distribution(probs: np.ndarray, offset: int) -> GoalDistribution:
    probs.setflags(write=False)  # shared by every later read of the same grid
    return GoalDistribution(probs, offset)


def _check_line(line: float) -> None:
    if not math.isfinite(line) or abs(line * 4 - round(line * 4)) > 1e-9:
        raise ValueError(f"betting lines are multiples of 0.25 goals, got {line}")


def _settle(values: np.ndarray, probs: np.ndarray, handicap: float) -> BetSettlement:
    """Settle "``values + handicap > 0``" over an integer-valued distribution.

    A quarter line is two half stakes on the lines 0.25 either side; other lines are
    treated as two identical halves, so one rule covers all three kinds: the sum of the two
    halves' signs (+1 win, 0 push, -1 loss) is 2 win, 1 half-win, 0 push, -1 half-loss,
    -2 loss.
    """
    _check_line(handicap)
    quarters = round(handicap * 4)
    if quarters % 2:  # odd number of quarter goals: a split line
        low, high = handicap - 0.25, handicap + 0.25
    else:
        low = high = handicap
    halves = np.sign(values + low) + np.sign(values + high)
    # bin 0 = both halves win ... bin 4 = both lose
    parts = np.bincount((2.0 - halves).astype(np.intp), weights=probs, minlength=5)
    return BetSettlement(*(float(x) for x in parts))


# ---- the grid ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ScoreGrid:
    """P(home goals = i, away goals = j) as a 2-D array that sums to one."""

    probs: np.ndarray
    # Distributions derived on first use (goal difference, totals, 1X2); grids are immutable.
    _derived: dict[str, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        p = np.asarray(self.probs, dtype=float)
        # same tolerance as np.isclose(total, 1, atol=1e-9), without its per-call cost
        if p.ndim != 2 or p.size == 0 or p.min() < -1e-15 or not abs(p.sum() - 1.0) <= 1e-5 + 1e-9:
            raise ValueError("probs must be a 2-D non-negative array summing to 1")
        p = np.maximum(p, 0.0)  # a copy: never freeze the caller's array
        p.setflags(write=False)
        object.__setattr__(self, "probs", p)

    def _memo(self, key: str, compute: Any) -> Any:
        value = self._derived.get(key)
        if value is None:
            value = self._derived[key] = compute()
        return value

    # ---- construction ---------------------------------------------------------------
    @classmethod
    def from_matrix(cls, matrix: np.ndarray, tail: float = DEFAULT_TAIL) -> ScoreGrid:
        """Normalise any non-negative matrix of scoreline weights and truncate its tail."""
        return cls(_truncate(np.asarray(matrix, dtype=float), tail))

    @classmethod
    def from_rates(
        cls, home_rate: float, away_rate: float, *, rho: float = 0.0, tail: float = DEFAULT_TAIL
    ) -> ScoreGrid:
        """Independent Poisson goals with the given expected goals over the period.

        ``rho`` applies the Dixon-Coles (1997) adjustment to the four low scores
        (0-0, 1-0, 0-1, 1-1); ``rho = 0`` is plain independence.
        """
        _check_rate("home_rate", home_rate)
        _check_rate("away_rate", away_rate)
        n_home = poisson_upper(home_rate, tail / 2)
        n_away = poisson_upper(away_rate, tail / 2)
        ph = poisson_pmf(np.arange(n_home + 1.0), home_rate)
        pa = poisson_pmf(np.arange(n_away + 1.0), away_rate)
        m = np.outer(ph, pa)
        if rho:
            apply_dixon_coles(m, home_rate, away_rate, rho)
            if (m < 0).any():
                raise ValueError(f"rho={rho} gives negative probabilities at rates {home_rate}, {away_rate}")
        return cls.from_matrix(m, tail)

    # ---- basic reads ----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.probs.shape

    def _result(self) -> tuple[float, float, float]:
        def compute() -> tuple[float, float, float]:
            diff = self.goal_difference()
            level = -diff.offset  # index of a zero goal difference
            return float(diff.probs[level + 1 :].sum()), float(diff.probs[level]), float(diff.probs[:level].sum())

        return self._memo("result", compute)

    @property
    def home_win(self) -> float:
        """P(home scores more), in [0, 1]."""
        return self._result()[0]

    @property
    def draw(self) -> float:
        return self._result()[1]

    @property
    def away_win(self) -> float:
        return self._result()[2]

    def outcome_probs(self) -> np.ndarray:
        """``[P(home win), P(draw), P(away win)]``."""
        return np.array(self._result())

    def expected_goals(self) -> tuple[float, float]:
        """Mean goals of (home, away) over the grid's period."""
        i = np.arange(self.probs.shape[0])
        j = np.arange(self.probs.shape[1])
        return float(self.probs.sum(axis=1) @ i), float(self.probs.sum(axis=0) @ j)

    def marginals(self) -> tuple[np.ndarray, np.ndarray]:
        """``(P(home goals = i), P(away goals = j))`` as two 1-D arrays summing to one."""
        return self.probs.sum(axis=1), self.probs.sum(axis=0)

    def correct_score(self, home: int, away: int) -> float:
        """P(the period ends ``home``-``away``); zero beyond the truncated grid (mass < tail)."""
        if home < 0 or away < 0:
            raise ValueError(f"scores are non-negative goal counts, got {home}-{away}")
        if home >= self.probs.shape[0] or away >= self.probs.shape[1]:
            return 0.0
        return float(self.probs[home, away])

    def most_likely(self, n: int = 5) -> list[tuple[tuple[int, int], float]]:
        """The ``n`` most probable scorelines, most likely first, as ``((home, away), p)``."""
        flat = self.probs.ravel()
        order = np.argsort(-flat, kind="stable")[: max(n, 0)]
        cols = self.probs.shape[1]
        return [((int(k // cols), int(k % cols)), float(flat[k])) for k in order]

    # ---- result markets -------------------------------------------------------------
    def double_chance(self) -> DoubleChance:
        """Probabilities of the three double-chance bets 1X, 12 and X2."""
        home, draw, away = self.outcome_probs()
        return DoubleChance(home + draw, home + away, draw + away)

    def draw_no_bet(self) -> DrawNoBet:
        """Home/away win probabilities with the draw refunded, and their fair decimal prices.

        With a draw refunded, a home bet at price ``o`` breaks even when
        ``P(H) (o - 1) = P(A)``, i.e. ``o = 1 / (P(H) / (P(H) + P(A)))``.
        """
        home, _, away = self.outcome_probs()
        decided = home + away
        if decided <= 0.0:
            raise ValueError("draw no bet is undefined when a draw is certain")
        p_home, p_away = home / decided, away / decided
        return DrawNoBet(
            p_home, p_away, 1.0 / p_home if p_home > 0 else math.inf, 1.0 / p_away if p_away > 0 else math.inf
        )

    # ---- goal counts ----------------------------------------------------------------
    def total_goals(self) -> GoalDistribution:
        """Distribution of home + away goals (offset 0)."""

        def compute() -> GoalDistribution:
            rows, cols = self.probs.shape
            index = np.add.outer(np.arange(rows), np.arange(cols))
            return _frozen_distribution(np.bincount(index.ravel(), weights=self.probs.ravel()), 0)

        return self._memo("total", compute)

    def goal_difference(self) -> GoalDistribution:
        """Distribution of home minus away goals; ``offset`` is the most negative difference."""

        def compute() -> GoalDistribution:
            rows, cols = self.probs.shape
            index = np.subtract.outer(np.arange(rows), np.arange(cols)) + (cols - 1)
            return _frozen_distribution(np.bincount(index.ravel(), weights=self.probs.ravel()), 1 - cols)

        return self._memo("difference", compute)

    def over(self, line: float) -> BetSettlement:
        """BetSettlement of "over ``line``" total goals (any multiple of 0.25 goals)."""
        return self.total_goals().settle(-line)

    def under(self, line: float) -> BetSettlement:
        """BetSettlement of "under ``line``" total goals: the opposite side of :meth:`over`."""
        return self.over(line).opposite()

    def p_over(self, line: float) -> float:
        """P(total goals > ``line``), in [0, 1]; e.g. ``p_over(2.5)`` = P(3 or more goals)."""
        return self.total_goals().sf(line)

    def btts(self) -> YesNo:
        """Both teams to score: ``yes`` = P(home >= 1 and away >= 1)."""
        yes = float(self.probs[1:, 1:].sum())
        return YesNo(yes, 1.0 - yes)

    def asian_handicap(self, line: float) -> BetSettlement:
        """BetSettlement of a bet on the home side with handicap ``line`` goals.

        The bet wins when home goals + ``line`` > away goals. ``line = -0.25`` is half the
        stake on 0 (draw refunded) and half on -0.5 (home must win). The away side of the
        same market (away handicap ``-line``) is ``asian_handicap(line).opposite()``;
        ``.fair_price()`` gives the zero-profit decimal price.
        """
        return self.goal_difference().settle(line)

    # ---- transforms -----------------------------------------------------------------
    def tilted(self, home_factor: float, away_factor: float) -> ScoreGrid:
        """The grid with P(i, j) reweighted by ``home_factor**i * away_factor**j`` and renormalised.

        For independent Poisson goals this is exactly the grid of the rates times the factors
        (Dixon-Coles grids: to the low-score correction's dependence on the rates). The support
        is not widened, so factors far above one lose the mass beyond the grid's last row: for
        factors up to 1.5 on a grid cut at 1e-9 that is below 1e-6.
        """
        if not (home_factor > 0 and away_factor > 0 and math.isfinite(home_factor) and math.isfinite(away_factor)):
            raise ValueError(f"tilt factors must be finite and positive, got {home_factor}, {away_factor}")
        rows, cols = self.shape
        weights = np.power(home_factor, np.arange(rows))[:, None] * np.power(away_factor, np.arange(cols))[None, :]
        return ScoreGrid.from_matrix(self.probs * weights)

    def swap(self) -> ScoreGrid:
        """The same match with the sides exchanged: ``probs[j, i]`` (e.g. a second leg)."""
        return ScoreGrid(self.probs.T.copy())

    def shift(self, home: int, away: int) -> ScoreGrid:
        """The grid of final scores when ``home``-``away`` is already on the board."""
        return ScoreGrid(shift_scores(self.probs, home, away))

    def convolve(self, other: ScoreGrid, tail: float = DEFAULT_TAIL) -> ScoreGrid:
        """Summed goals of two independent periods (e.g. 90 minutes then extra time)."""
        from scipy import signal  # imported when first needed: scipy.signal alone takes ~0.5 s to import

        # Direct (not FFT) convolution: exact sums, no round-off below zero.
        summed = signal.convolve2d(self.probs, other.probs, mode="full", boundary="fill")
        return ScoreGrid.from_matrix(np.clip(summed, 0.0, None), tail)

    # ---- output ---------------------------------------------------------------------
    def to_dict(self, top: int = 5) -> dict[str, Any]:
        """JSON-ready summary: 1X2, expected goals, over/under 2.5, BTTS and the top scores."""
        home_xg, away_xg = self.expected_goals()
        over = self.p_over(2.5)
        btts = self.btts()
        return {
            "home_win": self.home_win,
            "draw": self.draw,
            "away_win": self.away_win,
            "expected_goals": {"home": home_xg, "away": away_xg},
            "over_2_5": over,
            "under_2_5": 1.0 - over,
            "btts_yes": btts.yes,
            "btts_no": btts.no,
            "top_scores": [{"home": h, "away": a, "p": p} for (h, a), p in self.most_likely(top)],
        }


# ---- many matches at once ----------------------------------------------------------------


def poisson_grids(
    home_rates: Any,
    away_rates: Any,
    *,
    rho: Any = 0.0,
    max_goals: int | None = None,
    tail: float = DEFAULT_TAIL,
) -> np.ndarray:
    """Independent-Poisson (optionally Dixon-Coles) score grids for many matches at once.

    ``home_rates`` and ``away_rates`` are expected goals over the period, shape ``(n,)``;
    ``rho`` is one value or one per match. Returns ``(n, H, A)`` with every grid
    renormalised to sum to one. Without ``max_goals`` the common shape is the smallest
    that leaves less than ``tail`` mass outside every grid (as :meth:`ScoreGrid.from_rates`
    does for one match); with it, both sides stop at ``max_goals`` goals.
    """
    home = np.atleast_1d(np.asarray(home_rates, dtype=float))
    away = np.atleast_1d(np.asarray(away_rates, dtype=float))
    if home.ndim != 1 or home.shape != away.shape:
        raise ValueError(f"home and away rates need the same 1-D shape, got {home.shape} and {away.shape}")
    for name, rates in (("home", home), ("away", away)):
        bad = np.flatnonzero(~np.isfinite(rates) | (rates < 0))
        if bad.size:
            raise ValueError(f"{name} rate at index {bad[0]} is {rates[bad[0]]}; rates are finite goals >= 0")
    if home.size == 0:
        raise ValueError("poisson_grids needs at least one match")
    if max_goals is None:
        n_home = poisson_upper(float(home.max()), tail / 2)
        n_away = poisson_upper(float(away.max()), tail / 2)
    else:
        if max_goals < 1:
            raise ValueError(f"max_goals must be at least 1, got {max_goals}")
        n_home = n_away = int(max_goals)
    ph = poisson_pmf(np.arange(n_home + 1.0)[None, :], home[:, None])
    pa = poisson_pmf(np.arange(n_away + 1.0)[None, :], away[:, None])
    grids = ph[:, :, None] * pa[:, None, :]
    rhos = np.broadcast_to(np.asarray(rho, dtype=float), home.shape)
    if np.any(rhos != 0):
        apply_dixon_coles(grids, home, away, rhos)
        bad = np.flatnonzero((grids[:, :2, :2] < 0).any(axis=(1, 2)))
        if bad.size:
            k = bad[0]
            raise ValueError(f"rho={rhos[k]} gives negative probabilities at match {k} (rates {home[k]}, {away[k]})")
    grids /= grids.sum(axis=(1, 2), keepdims=True)
    return grids


def stack_grids(grids: Sequence[ScoreGrid]) -> np.ndarray:
    """Stack grids of different shapes into one ``(n, H, A)`` array, zero-padded."""
    if not grids:
        raise ValueError("stack_grids needs at least one grid")
    rows = max(g.shape[0] for g in grids)
    cols = max(g.shape[1] for g in grids)
    out = np.zeros((len(grids), rows, cols))
    for k, g in enumerate(grids):
        out[k, : g.shape[0], : g.shape[1]] = g.probs
    return out


def _check_stack(grids: np.ndarray) -> np.ndarray:
    g = np.asarray(grids, dtype=float)
    if g.ndim != 3:
        raise ValueError(f"expected a stack of grids with shape (n, H, A), got shape {g.shape}")
    return g


def outcome_probs_batch(grids: np.ndarray) -> np.ndarray:
    """``[P(home win), P(draw), P(away win)]`` for each grid of an ``(n, H, A)`` stack → ``(n, 3)``."""
    g = _check_stack(grids)
    rows, cols = g.shape[1:]
    diff = np.arange(rows)[:, None] - np.arange(cols)[None, :]
    home = np.einsum("nij,ij->n", g, (diff > 0).astype(float))
    draw = np.einsum("nij,ij->n", g, (diff == 0).astype(float))
    away = np.einsum("nij,ij->n", g, (diff < 0).astype(float))
    return np.stack([home, draw, away], axis=1)


def p_over_batch(grids: np.ndarray, line: float) -> np.ndarray:
    """P(total goals > ``line``) for each grid of an ``(n, H, A)`` stack → ``(n,)``."""
    g = _check_stack(grids)
    rows, cols = g.shape[1:]
    total = np.arange(rows)[:, None] + np.arange(cols)[None, :]
    return np.einsum("nij,ij->n", g, (total > line).astype(float))


def btts_batch(grids: np.ndarray) -> np.ndarray:
    """P(both teams score) for each grid of an ``(n, H, A)`` stack → ``(n,)``."""
    g = _check_stack(grids)
    return g[:, 1:, 1:].sum(axis=(1, 2))
