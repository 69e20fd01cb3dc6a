"""The numeric kernels every score model shares, written once.

* :func:`poisson_pmf` — P(X = k) for X ~ Poisson(rate), broadcasting over counts and rates.
* :func:`poisson_upper` — where a Poisson score grid may be cut (tail mass below ``tail``).
* :func:`dixon_coles_factors` / :func:`dixon_coles_tau` — the Dixon & Coles (1997) multipliers of
  the four low scores 0-0, 0-1, 1-0 and 1-1.
* :func:`shift_scores` — a grid of goals still to come turned into a grid of final scores once
  a score is on the board.

Rates are expected goals over the period a grid describes (goals per 90 minutes for a full
match); probabilities are in [0, 1]. :mod:`remontada.grid`, :mod:`remontada.models`,
:mod:`remontada.ties.engine` and :mod:`remontada.inplay` call these; none re-implements them.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from scipy import special


def poisson_pmf(counts: Any, rate: Any) -> np.ndarray:
    """P(X = ``counts``) for X ~ Poisson(``rate``), broadcasting ``counts`` against ``rate``.

    Parameters
    ----------
    counts : array_like of float
        Goal counts (whole numbers, as floats).
    rate : float or array_like
        Expected goals over the period, >= 0; ``rate = 0`` puts all mass on 0 goals.

    Returns
    -------
    numpy.ndarray
        Probabilities in [0, 1], of the broadcast shape.
    """
    # scipy.special directly: scipy.stats' generic distribution machinery costs ~30x more per call.
    return np.exp(special.xlogy(counts, rate) - rate - special.gammaln(counts + 1.0))


def poisson_upper(rate: float, tail: float) -> int:
    """The smallest ``n`` with P(X > n) < ``tail`` for X ~ Poisson(``rate``) (``rate`` in goals)."""
    if rate <= 0:
        return 0
    # Beyond rate + 12 sd + 30 goals the Poisson tail is far below any tail we truncate at.
    counts = np.arange(int(rate + 12.0 * math.sqrt(rate) + 30.0))
    at_least = np.cumsum(poisson_pmf(counts, rate)[::-1])[::-1]  # P(X >= k), summed small-to-large
    return int(np.argmax(at_least < tail)) - 1


def dixon_coles_factors(home_rate: Any, away_rate: Any, rho: Any) -> tuple[Any, Any, Any, Any]:
    """Multipliers of P(0-0), P(0-1), P(1-0), P(1-1) in Dixon & Coles (1997); scalars or arrays.

    ``1 - lh la rho``, ``1 + lh rho``, ``1 + la rho`` and ``1 - rho`` for home and away expected
    goals ``lh``, ``la``; ``rho < 0`` makes 0-0 and 1-1 more likely, ``rho = 0`` is independence.
    """
    return 1.0 - home_rate * away_rate * rho, 1.0 + home_rate * rho, 1.0 + away_rate * rho, 1.0 - rho


def dixon_coles_tau(home_goals: Any, away_goals: Any, home_rate: Any, away_rate: Any, rho: Any) -> np.ndarray:
    """The Dixon-Coles multiplier of each observed score: :func:`dixon_coles_factors` at 0-0,
    0-1, 1-0 and 1-1, and 1 at every other score (arrays broadcast together)."""
    f00, f01, f10, f11 = dixon_coles_factors(home_rate, away_rate, rho)
    hg, ag = np.asarray(home_goals), np.asarray(away_goals)
    return np.select(
        [(hg == 0) & (ag == 0), (hg == 0) & (ag == 1), (hg == 1) & (ag == 0), (hg == 1) & (ag == 1)],
        [f00, f01, f10, f11],
        default=1.0,
    )


def apply_dixon_coles(grids: np.ndarray, home_rate: Any, away_rate: Any, rho: Any) -> np.ndarray:
    """Multiply the low scores of score grids, in place, by :func:`dixon_coles_factors`.

    ``grids`` is one grid ``(H, A)`` with scalar rates or a stack ``(n, H, A)`` with one rate per
    grid; cells the grid does not have (a side cut at 0 goals) are skipped. Returns ``grids``.
    """
    f00, f01, f10, f11 = dixon_coles_factors(home_rate, away_rate, rho)
    rows, cols = grids.shape[-2], grids.shape[-1]
    grids[..., 0, 0] *= f00
    if cols > 1:
        grids[..., 0, 1] *= f01
    if rows > 1:
        grids[..., 1, 0] *= f10
    if rows > 1 and cols > 1:
        grids[..., 1, 1] *= f11
    return grids


def shift_scores(probs: np.ndarray, home: int, away: int) -> np.ndarray:
    """The grid of final scores when ``home``-``away`` is on the board and ``probs`` holds the
    goals still to come: ``out[home + i, away + j] = probs[i, j]``, zero elsewhere."""
    if home < 0 or away < 0:
        raise ValueError(f"a known score has non-negative goals, got {home}-{away}")
    # a zeroed grid with ``probs`` copied into its corner: what ``np.pad`` gives, at a tenth of its cost on
    # the small grids of a live answer
    out = np.zeros((probs.shape[0] + home, probs.shape[1] + away), dtype=probs.dtype)
    out[home:, away:] = probs
    return out
