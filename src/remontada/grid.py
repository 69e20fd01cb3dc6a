"""ScoreGrid: the full scoreline distribution of one match, and every market read off it.

``probs[i, j]`` is P(home goals = i, away goals = j) over the period the grid describes
(90 minutes, 30 minutes of extra time, or the time left in a live match). Grids are
truncated where the tail mass falls below ``tail`` (1e-9 by default) and renormalised, so
they always sum to one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

DEFAULT_TAIL = 1e-9


def _poisson_upper(rate: float, tail: float) -> int:
    """Smallest n with P(X > n) < tail for X ~ Poisson(rate)."""
    return int(stats.poisson.isf(tail, max(rate, 1e-12))) + 1


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


@dataclass(frozen=True, slots=True, eq=False)
class ScoreGrid:
    """P(home goals = i, away goals = j) as a 2-D array that sums to one."""

    probs: np.ndarray

    def __post_init__(self) -> None:
        p = np.asarray(self.probs, dtype=float)
        if p.ndim != 2 or (p < -1e-15).any() or not np.isclose(p.sum(), 1.0, atol=1e-9):
            raise ValueError("probs must be a 2-D non-negative array summing to 1")
        p = np.clip(p, 0.0, None)
        p.setflags(write=False)
        object.__setattr__(self, "probs", p)

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
        n_home = _poisson_upper(home_rate, tail / 2)
        n_away = _poisson_upper(away_rate, tail / 2)
        ph = stats.poisson.pmf(np.arange(n_home + 1), home_rate)
        pa = stats.poisson.pmf(np.arange(n_away + 1), away_rate)
        m = np.outer(ph, pa)
        if rho:
            m[0, 0] *= 1.0 - home_rate * away_rate * rho
            if n_away >= 1:
                m[0, 1] *= 1.0 + home_rate * rho
            if n_home >= 1:
                m[1, 0] *= 1.0 + away_rate * rho
            if n_home >= 1 and n_away >= 1:
                m[1, 1] *= 1.0 - rho
            if (m < 0).any():
                raise ValueError(f"rho={rho} gives negative probabilities at rates {home_rate}, {away_rate}")
        return cls.from_matrix(m, tail)

    # ---- basic reads ----------------------------------------------------------------
    @property
    def shape(self) -> tuple[int, int]:
        return self.probs.shape  # type: ignore[return-value]

    @property
    def home_win(self) -> float:
        """P(home scores more), in [0, 1]."""
        return float(np.tril(self.probs, -1).sum())

    @property
    def draw(self) -> float:
        return float(np.trace(self.probs))

    @property
    def away_win(self) -> float:
        return float(np.triu(self.probs, 1).sum())

    def outcome_probs(self) -> np.ndarray:
        """``[P(home win), P(draw), P(away win)]``."""
        return np.array([self.home_win, self.draw, self.away_win])

    def expected_goals(self) -> tuple[float, float]:
        """Mean goals of (home, away) over the grid's period."""
        i = np.arange(self.probs.shape[0])
        j = np.arange(self.probs.shape[1])
        return float(self.probs.sum(axis=1) @ i), float(self.probs.sum(axis=0) @ j)
