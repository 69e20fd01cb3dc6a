"""Scoring rules and calibration for probability forecasts of match outcomes.

Forecasts are ``(n, K)`` arrays of probabilities in [0, 1], one row per match summing to
one, in a fixed outcome order; for 1X2 the order is (home win, draw, away win), which is
also the ranking the RPS uses. Outcomes are given as the index of what happened (``0``
home, ``1`` draw, ``2`` away) or as a one-hot ``(n, K)`` array. Binary forecasts are a
1-D array of P(event) with outcomes 0/1. Lower is better for every score here.

Conventions:

- RPS (Epstein 1969; Constantinou & Fenton 2012): ``sum_{r<K} (F_r - O_r)^2 / (K - 1)``
  with ``F``, ``O`` the cumulative forecast and observation; in [0, 1].
- Brier (multi-class, Brier 1950's original form): ``sum_k (p_k - o_k)^2``; in [0, 2].
  The binary Brier score is ``(p - y)^2``, in [0, 1] (half the two-class multi-class value).
- Log loss: ``-ln p(outcome)`` in nats; probabilities are clipped at ``eps`` so a
  confident miss costs ``-ln(eps)`` rather than infinity.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from remontada.stats import wilson_interval

_SUM_TOL = 1e-6


def _forecasts(probs: Any) -> np.ndarray:
    p = np.asarray(probs, dtype=float)
    if p.ndim != 2 or p.shape[1] < 2:
        raise ValueError(f"forecasts must be an (n, K) array with K >= 2 outcomes, got shape {p.shape}")
    bad = np.flatnonzero(~np.isfinite(p).all(axis=1) | (p < 0).any(axis=1))
    if bad.size:
        raise ValueError(f"forecast row {bad[0]} is not a set of probabilities: {p[bad[0]].tolist()}")
    off = np.flatnonzero(np.abs(p.sum(axis=1) - 1.0) > _SUM_TOL)
    if off.size:
        raise ValueError(f"forecast row {off[0]} sums to {p[off[0]].sum():.9f}, not 1")
    return p


def _one_hot(outcomes: Any, n: int, k: int) -> np.ndarray:
    """Outcomes as an ``(n, k)`` 0/1 array from indices or from a one-hot array."""
    o = np.asarray(outcomes)
    if o.ndim == 2:
        if o.shape != (n, k) or not np.isin(o, (0, 1)).all() or not (o.sum(axis=1) == 1).all():
            raise ValueError(f"one-hot outcomes must be ({n}, {k}) with a single 1 per row")
        return o.astype(float)
    if o.shape != (n,):
        raise ValueError(f"expected {n} outcomes, got shape {o.shape}")
    if not np.issubdtype(o.dtype, np.integer):
        if not np.all(np.equal(np.mod(o, 1), 0)):
            raise ValueError("outcomes must be integer indices of the outcome that happened")
        o = o.astype(int)
    bad = np.flatnonzero((o < 0) | (o >= k))
    if bad.size:
        raise ValueError(f"outcome {o[bad[0]]} at row {bad[0]} is not an index in 0..{k - 1}")
    hot = np.zeros((n, k))
    hot[np.arange(n), o] = 1.0
    return hot


def _prepared(probs: Any, outcomes: Any) -> tuple[np.ndarray, np.ndarray]:
    p = _forecasts(probs)
    return p, _one_hot(outcomes, *p.shape)


def _binary(probs: Any, outcomes: Any) -> tuple[np.ndarray, np.ndarray]:
    p = np.asarray(probs, dtype=float)
    y = np.asarray(outcomes, dtype=float)
    if p.ndim != 1 or p.shape != y.shape:
        raise ValueError(f"binary forecasts and outcomes must be 1-D of equal length, got {p.shape} and {y.shape}")
    bad = np.flatnonzero(~np.isfinite(p) | (p < 0) | (p > 1))
    if bad.size:
        raise ValueError(f"binary forecast {bad[0]} is {p[bad[0]]}, not a probability")
    bad = np.flatnonzero((y != 0) & (y != 1))
    if bad.size:
        raise ValueError(f"binary outcome {bad[0]} is {y[bad[0]]}; outcomes are 0 or 1")
    return p, y


# ---- scores per match -----------------------------------------------------------------------


def rps_per_match(probs: Any, outcomes: Any) -> np.ndarray:
    """Ranked probability score of each forecast, in [0, 1] (0 = certain and right)."""
    p, o = _prepared(probs, outcomes)
    cum_diff = np.cumsum(p - o, axis=1)[:, :-1]
    return (cum_diff**2).sum(axis=1) / (p.shape[1] - 1)


def brier_per_match(probs: Any, outcomes: Any) -> np.ndarray:
    """Multi-class Brier score of each forecast, ``sum_k (p_k - o_k)^2``, in [0, 2]."""
    p, o = _prepared(probs, outcomes)
    return ((p - o) ** 2).sum(axis=1)


def log_loss_per_match(probs: Any, outcomes: Any, eps: float = 1e-15) -> np.ndarray:
    """``-ln p(outcome)`` of each forecast in nats, with ``p`` clipped below at ``eps``."""
    p, o = _prepared(probs, outcomes)
    return -np.log(np.clip((p * o).sum(axis=1), eps, None))


# ---- averages -------------------------------------------------------------------------------


def rps(probs: Any, outcomes: Any) -> float:
    """Mean ranked probability score over matches; see :func:`rps_per_match`."""
    return float(rps_per_match(probs, outcomes).mean())


def brier(probs: Any, outcomes: Any) -> float:
    """Mean multi-class Brier score over matches; see :func:`brier_per_match`."""
    return float(brier_per_match(probs, outcomes).mean())


def log_loss(probs: Any, outcomes: Any, eps: float = 1e-15) -> float:
    """Mean log loss (nats per match); see :func:`log_loss_per_match`."""
    return float(log_loss_per_match(probs, outcomes, eps).mean())


def brier_binary(probs: Any, outcomes: Any) -> float:
    """Mean ``(p - y)^2`` for forecasts ``p`` = P(event) and outcomes ``y`` in {0, 1}; in [0, 1]."""
    p, y = _binary(probs, outcomes)
    return float(((p - y) ** 2).mean())


def log_loss_binary(probs: Any, outcomes: Any, eps: float = 1e-15) -> float:
    """Mean ``-ln P(what happened)`` in nats for binary forecasts, clipped at ``eps``."""
    p, y = _binary(probs, outcomes)
    hit = np.where(y == 1, p, 1.0 - p)
    return float(-np.log(np.clip(hit, eps, None)).mean())


# ---- calibration ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CalibrationTable:
    """Forecasts grouped into probability bins against how often the event happened.

    Bin ``b`` holds forecasts in ``[edges[b], edges[b+1])`` (the last bin includes 1).
    ``mean_forecast`` and ``observed`` are in [0, 1] (NaN for empty bins); ``lower`` and
    ``upper`` bound ``observed`` with a Wilson interval at the table's ``z``.
    """

    edges: np.ndarray
    mean_forecast: np.ndarray
    observed: np.ndarray
    count: np.ndarray
    hits: np.ndarray
    lower: np.ndarray
    upper: np.ndarray

    @property
    def n_forecasts(self) -> int:
        return int(self.count.sum())

    def calibration_error(self) -> float:
        """Count-weighted mean of ``|observed - mean_forecast|`` over bins (ECE), in [0, 1]."""
        used = self.count > 0
        gaps = np.abs(self.observed[used] - self.mean_forecast[used])
        return float((gaps * self.count[used]).sum() / self.count[used].sum())

    def to_records(self) -> list[dict[str, float | int | None]]:
        """One JSON-ready dict per bin; NaN (empty bins) becomes ``None``."""

        def clean(x: float) -> float | None:
            return None if np.isnan(x) else float(x)

        return [
            {
                "bin_low": float(self.edges[b]),
                "bin_high": float(self.edges[b + 1]),
                "mean_forecast": clean(self.mean_forecast[b]),
                "observed": clean(self.observed[b]),
                "count": int(self.count[b]),
                "lower": clean(self.lower[b]),
                "upper": clean(self.upper[b]),
            }
            for b in range(len(self.count))
        ]


def calibration_table(
    probs: Any, outcomes: Any, bins: int | Any = 10, *, category: int | None = None, z: float = 1.96
) -> CalibrationTable:
    """Reliability table of forecasts against outcomes.

    ``probs`` 1-D with 0/1 ``outcomes`` is a binary event. ``probs`` ``(n, K)`` with outcome
    indices (or one-hot) is read one-vs-rest: every one of the ``n * K`` probabilities is
    a forecast of its own outcome, pooled, unless ``category`` picks one column (e.g. 1
    for draws). ``bins`` is a number of equal-width bins on [0, 1] or an array of edges.
    """
    p = np.asarray(probs, dtype=float)
    if p.ndim == 1:
        forecast, event = _binary(p, outcomes)
    else:
        full, hot = _prepared(p, outcomes)
        if category is None:
            forecast, event = full.ravel(), hot.ravel()
        else:
            if not 0 <= category < full.shape[1]:
                raise ValueError(f"category {category} is not an outcome index in 0..{full.shape[1] - 1}")
            forecast, event = full[:, category], hot[:, category]
    if np.ndim(bins) == 0:
        if int(bins) < 1:
            raise ValueError(f"need at least one bin, got {bins}")
        edges = np.linspace(0.0, 1.0, int(bins) + 1)
    else:
        edges = np.asarray(bins, dtype=float)
        if edges.ndim != 1 or len(edges) < 2 or np.any(np.diff(edges) <= 0) or edges[0] > 0 or edges[-1] < 1:
            raise ValueError("bin edges must increase and cover [0, 1]")
    n_bins = len(edges) - 1
    which = np.clip(np.searchsorted(edges, forecast, side="right") - 1, 0, n_bins - 1)
    count = np.bincount(which, minlength=n_bins)
    hits = np.bincount(which, weights=event, minlength=n_bins)
    total_forecast = np.bincount(which, weights=forecast, minlength=n_bins)
    with np.errstate(divide="ignore", invalid="ignore"):
        mean_forecast = np.where(count > 0, total_forecast / count, np.nan)
        observed = np.where(count > 0, hits / count, np.nan)
    lower, upper = wilson_interval(hits, count, z)
    return CalibrationTable(
        edges=edges,
        mean_forecast=mean_forecast,
        observed=observed,
        count=count,
        hits=hits.round().astype(int),
        lower=np.asarray(lower),
        upper=np.asarray(upper),
    )


#: Characters per line of a legend entry of :func:`plot_calibration`.
LEGEND_WIDTH = 62


def plot_calibration(
    tables_by_name: Mapping[str, CalibrationTable], path: str | Path, *, title: str = "Calibration"
) -> Path:
    """Write a reliability diagram (observed vs forecast, Wilson bars) and bin counts as a PNG."""
    # Figure + Agg canvas directly: no pyplot global state, works headless.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    if not tables_by_name:
        raise ValueError("plot_calibration needs at least one table")
    fig = Figure(figsize=(6.0, 7.0), layout="constrained")
    FigureCanvasAgg(fig)
    reliability, counts = fig.subplots(2, 1, sharex=True, height_ratios=[3, 1])
    reliability.plot([0, 1], [0, 1], color="0.6", linestyle="--", linewidth=1, label="perfect")
    for name, table in tables_by_name.items():
        used = table.count > 0
        x, y = table.mean_forecast[used], table.observed[used]
        # Wilson bounds can sit a rounding error inside the observed rate at 0 or 1.
        err = np.clip(np.vstack([y - table.lower[used], table.upper[used] - y]), 0.0, None)
        label = f"{name} (ECE {table.calibration_error():.3f}, n={table.n_forecasts})"
        # a long forecaster name wraps instead of widening the legend past the axes (which would squeeze them)
        label = "\n".join(textwrap.wrap(label, LEGEND_WIDTH, subsequent_indent="  "))
        line = reliability.errorbar(x, y, yerr=err, marker="o", markersize=4, capsize=2, linewidth=1.2, label=label)
        centres = (table.edges[:-1] + table.edges[1:]) / 2
        counts.step(centres, table.count, where="mid", color=line.lines[0].get_color())
    reliability.set(xlim=(0, 1), ylim=(0, 1), ylabel="observed frequency", title=title)
    reliability.legend(loc="upper left", fontsize="small")
    reliability.grid(alpha=0.3)
    counts.set(xlabel="forecast probability", ylabel="forecasts")
    counts.grid(alpha=0.3)
    target = Path(path)
    fig.savefig(target, dpi=120)
    return target
