"""How often a perfectly calibrated forecaster meets a "every bin within x points" reliability bar.

A reliability table bins the forecasts (equal-width bins on [0, 1]) and sets each bin's mean forecast
beside its observed rate. A bar such as "every bin with 30+ forecasts within 5 points of the observed
rate" is missed by chance even by a forecaster that is exactly right: with ``n`` forecasts near ``p``
in a bin the observed rate has a binomial standard deviation of ``sqrt(p (1 - p) / n)``, about 5 points
at ``p = 0.5`` and ``n = 100``. :func:`reliability_target_chance` measures that chance for a given set
of forecasts by simulation: each outcome is drawn from its own forecast (the forecaster is then
calibrated by construction), the table is rebuilt with the same bins, and the bar is checked. The bins
and their counts depend on the forecasts only, so they are the same in every draw.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

#: Default seed of the simulation (any fixed seed gives a reproducible figure).
SEED = 2016


@dataclass(frozen=True)
class ReliabilityChance:
    """The bar, and how a calibrated forecaster with these forecasts fares against it.

    ``chance``: share of draws in which every bin with ``min_count``+ forecasts is within
    ``tolerance`` (probability, e.g. 0.05 = 5 points) of its observed rate; ``median_worst`` and
    ``q95_worst``: the median and 95th percentile of the draws' worst gap; ``observed_worst`` (if
    outcomes were given): the real worst gap, and ``p_value``: the share of draws whose worst gap is
    at least as large.
    """

    chance: float
    draws: int
    seed: int
    bins_checked: int
    forecasts: int
    min_count: int
    tolerance: float
    median_worst: float
    q95_worst: float
    observed_worst: float = float("nan")
    p_value: float = float("nan")

    def sentence(self) -> str:
        """One line for reports."""
        text = (
            f"a perfectly calibrated forecaster with these {self.forecasts:,} forecasts meets the bar (every bin of "
            f"{self.min_count}+ within {100 * self.tolerance:.0f} points) in {100 * self.chance:.1f}% of "
            f"{self.draws:,} seeded draws (seed {self.seed}; {self.bins_checked} bins checked); "
            f"its worst gap has median "
            f"{100 * self.median_worst:.1f} points, 95th percentile {100 * self.q95_worst:.1f}"
        )
        if self.observed_worst == self.observed_worst:
            text += (
                f"; the observed worst gap, {100 * self.observed_worst:.1f} points, is reached or exceeded in "
                f"{100 * self.p_value:.1f}% of the draws"
            )
        return text

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def reliability_target_chance(
    probs: Any,
    outcomes: Any = None,
    bins: int = 10,
    *,
    min_count: int = 30,
    tolerance: float = 0.05,
    draws: int = 10_000,
    seed: int = SEED,
) -> ReliabilityChance:
    """The chance that a calibrated forecaster meets the reliability bar with forecasts ``probs``.

    Parameters
    ----------
    probs
        1-D forecast probabilities of a binary event, in [0, 1] (NaN are left out).
    outcomes
        Optional 0/1 outcomes aligned with ``probs``: the observed worst gap and its simulated
        p-value are added.
    bins
        Equal-width bins on [0, 1] (as :func:`remontada.evaluation.scoring.calibration_table`).
    min_count
        Only bins with at least this many forecasts are checked.
    tolerance
        The bar on ``|observed rate - mean forecast|`` (probability; 0.05 = 5 points).
    draws, seed
        Simulated outcome sets and the seed of the NumPy generator.
    """
    p = np.asarray(probs, dtype=float).reshape(-1)
    keep = np.isfinite(p)
    if outcomes is not None:
        y = np.asarray(outcomes, dtype=float).reshape(-1)
        if y.shape != p.shape:
            raise ValueError(f"outcomes has {y.size} values for {p.size} forecasts")
        keep &= np.isfinite(y)
        y = y[keep]
    p = p[keep]
    if p.size and (p.min() < 0 or p.max() > 1):
        raise ValueError("forecasts must be probabilities in [0, 1]")
    if draws < 1 or bins < 1:
        raise ValueError(f"draws and bins must be positive, got {draws}, {bins}")
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, p, side="right") - 1, 0, bins - 1)
    checked = [b for b in range(bins) if np.sum(which == b) >= min_count]
    members = [which == b for b in checked]
    means = [float(p[m].mean()) for m in members]
    rng = np.random.default_rng(seed)
    worst = np.zeros(draws)
    chunk = max(1, min(draws, 2_000_000 // max(p.size, 1)))
    for start in range(0, draws, chunk):
        size = min(chunk, draws - start)
        simulated = rng.random((size, p.size)) < p
        gaps = np.zeros(size)
        for m, mean in zip(members, means, strict=True):
            gaps = np.maximum(gaps, np.abs(simulated[:, m].mean(axis=1) - mean))
        worst[start : start + size] = gaps
    observed = p_value = float("nan")
    if outcomes is not None:
        observed = max((abs(float(y[m].mean()) - mean) for m, mean in zip(members, means, strict=True)), default=0.0)
        p_value = float(np.mean(worst >= observed - 1e-12))
    return ReliabilityChance(
        chance=float(np.mean(worst <= tolerance)), draws=draws, seed=seed, bins_checked=len(checked),
        forecasts=int(p.size), min_count=min_count, tolerance=tolerance, median_worst=float(np.median(worst)),
        q95_worst=float(np.quantile(worst, 0.95)), observed_worst=observed, p_value=p_value,
    )  # fmt: skip
