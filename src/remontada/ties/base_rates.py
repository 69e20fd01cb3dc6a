"""Base-rate forecasts of who goes through a two-legged tie, from earlier ties only.

The baseline a tie model has to beat: how often a side in the same position went through,
counted over ties that *ended before* the forecast date (no look-ahead).

* **Between the legs** the position is the first-leg margin and where the side played the first
  leg, exactly as :func:`remontada.ties.history.base_rate` counts it (both sides of every decided tie
  are a view; a side three goals down after a home first leg is ``deficit=3, venue="home"``).
  Margins of :attr:`BaseRateBaseline.or_more_from` goals or more are pooled (4+ down, 4+ up);
  a cell with fewer than ``min_n`` earlier ties falls back to the same margin at any venue.
* **Before the tie** nothing is known but who hosts the second leg, so the forecast is the share
  of earlier ties won by the side at home in the second leg.

Rates are smoothed with half a success in one extra trial (the Jeffreys prior's posterior mean,
``(k + 1/2) / (n + 1)``) so that a position no side ever recovered from is a small probability
rather than zero (a comeback would otherwise cost infinite log loss). Counting is vectorised:
one row per (tie, side) view, queried with numpy masks.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from remontada.stats import wilson_interval
from remontada.ties.history import Tie

_VENUE_CODE = {"home": 0, "away": 1, "neutral": 2}


@dataclass(frozen=True, slots=True)
class RateCount:
    """``k`` of ``n`` earlier ties went the side's way; ``p`` the smoothed rate in [0, 1];
    ``low``/``high`` the 95% Wilson interval of ``k / n``. ``deficit``/``venue``/``or_more``
    describe the cell actually used (``venue`` ``None``: any venue, after a fallback)."""

    k: int
    n: int
    p: float
    low: float
    high: float
    deficit: int | None = None
    venue: str | None = None
    or_more: bool = False

    @property
    def raw(self) -> float:
        """``k / n`` without smoothing (NaN when ``n`` is 0)."""
        return self.k / self.n if self.n else float("nan")


def _to_day(value: dt.date | str) -> np.datetime64:
    return np.datetime64(value.isoformat() if isinstance(value, dt.date) else value, "D")


class BaseRateBaseline:
    """Base rates from ``ties`` (any competitions and stages; undecided ties are ignored).

    ``or_more_from``: margins at least this large are pooled; ``min_n``: smallest cell used before
    falling back to any venue; ``prior_weight``: pseudo-trials of the smoothing (1 = Jeffreys).
    """

    def __init__(self, ties: Iterable[Tie], *, or_more_from: int = 4, min_n: int = 10, prior_weight: float = 1.0):
        if or_more_from < 1:
            raise ValueError(f"or_more_from must be at least 1 goal, got {or_more_from}")
        if prior_weight < 0:
            raise ValueError(f"prior_weight must be non-negative, got {prior_weight}")
        self.or_more_from = or_more_from
        self.min_n = min_n
        self.prior_weight = prior_weight
        ends, margins, neutral, b_won = [], [], [], []
        for tie in ties:
            if not tie.decided or tie.first_leg_margin is None or tie.date is None or tie.leg1 is None:
                continue
            ends.append(tie.date.isoformat())
            margins.append(tie.first_leg_margin)
            neutral.append(tie.leg1.neutral)
            b_won.append(tie.winner == tie.team_b)
        end = np.array(ends, dtype="datetime64[D]")
        margin = np.array(margins, dtype=int)
        is_neutral = np.array(neutral, dtype=bool)
        won_b = np.array(b_won, dtype=bool)
        #: per tie: the day it ended, A's first-leg margin, whether the first leg was neutral, B won
        self.tie_end, self.tie_margin, self.tie_neutral, self.tie_b_won = end, margin, is_neutral, won_b
        # per view: A's view then B's view of every tie
        self.view_end = np.concatenate([end, end])
        self.view_deficit = np.concatenate([-margin, margin])
        self.view_venue = np.concatenate([np.where(is_neutral, 2, 0), np.where(is_neutral, 2, 1)])
        self.view_won = np.concatenate([~won_b, won_b])
        self.view_is_a = np.concatenate([np.ones(len(end), bool), np.zeros(len(end), bool)])

    def __len__(self) -> int:
        return len(self.tie_end)

    def _rate(self, k: int, n: int, **cell: object) -> RateCount:
        low, high = wilson_interval(k, n)
        p = (k + 0.5 * self.prior_weight) / (n + self.prior_weight) if n + self.prior_weight > 0 else 0.5
        return RateCount(k, n, float(p), low, high, **cell)  # type: ignore[arg-type]

    def position(self, deficit: int, venue: str | None, before: dt.date | str) -> RateCount:
        """The rate for a side ``deficit`` goals down after the first leg (negative: up), played at
        ``venue`` (``home``/``away``/``neutral``; ``None``: anywhere), from ties that ended before
        ``before``. Falls back to any venue when the cell has fewer than ``min_n`` ties."""
        if venue is not None and venue not in _VENUE_CODE:
            raise ValueError(f"venue must be home, away, neutral or None, got {venue!r}")
        or_more = abs(deficit) >= self.or_more_from
        bucket = int(np.sign(deficit)) * self.or_more_from if or_more else deficit
        earlier = self.view_end < _to_day(before)
        if or_more:
            same_margin = self.view_deficit >= bucket if bucket > 0 else self.view_deficit <= bucket
        else:
            same_margin = self.view_deficit == bucket
        base = earlier & same_margin
        if venue is not None:
            cell = base & (self.view_venue == _VENUE_CODE[venue])
            n = int(cell.sum())
            if n >= self.min_n:
                return self._rate(int(self.view_won[cell].sum()), n, deficit=bucket, venue=venue, or_more=or_more)
        if bucket == 0:  # a draw at any venue is seen from the first-leg host only, as history counts it
            base &= self.view_is_a
        return self._rate(int(self.view_won[base].sum()), int(base.sum()), deficit=bucket, venue=None, or_more=or_more)

    def second_leg_host(self, before: dt.date | str) -> RateCount:
        """The share of ties that ended before ``before`` won by the side at home in the second leg
        (first legs at a neutral ground left out)."""
        cell = (self.tie_end < _to_day(before)) & ~self.tie_neutral
        return self._rate(int(self.tie_b_won[cell].sum()), int(cell.sum()))

    def between_legs(self, tie: Tie, before: dt.date | str) -> float:
        """P(B goes through) given the first-leg margin of ``tie``, from ties ended before ``before``."""
        if tie.first_leg_margin is None or tie.leg1 is None:
            raise ValueError(f"no first-leg score for {tie.describe()}")
        venue = "neutral" if tie.leg1.neutral else "away"
        return self.position(tie.first_leg_margin, venue, before).p

    def before_tie(self, before: dt.date | str) -> float:
        """P(B goes through) knowing only that B hosts the second leg."""
        return self.second_leg_host(before).p
