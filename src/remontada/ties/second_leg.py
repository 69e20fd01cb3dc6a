"""The second leg of a knockout tie is not an ordinary match: the first-leg score changes how it is played.

A model of club strength prices a second leg like any match between the two clubs. Between the
legs that misses what the first leg set up: the side that trails must score and opens up, the side
that leads can sit back or rest players, and a knockout second leg may carry its own home
advantage. :class:`SecondLegAdjustment` models it on the expected goals: per first-leg margin of the
second-leg host (``lead`` = host's first-leg goals minus the visitor's, margins beyond
:data:`MAX_LEAD` pooled), the host's and the visitor's 90-minute goals are multiplied by
``exp(host_log[lead] + host_gap * (gap - gap_center))`` and
``exp(visitor_log[lead] + visitor_gap * (gap - gap_center))``, where ``gap`` is the natural log of
the ratio of the model's own expected goals (host over visitor) for that second leg: the model's
strength gap, home advantage included. The model's grid is tilted
(:meth:`remontada.grid.ScoreGrid.tilted`) before the exact tie engine combines it with the first
leg. Extra time follows the adjusted second leg's rates.

The fit is Poisson maximum likelihood on the real second legs, with the model's walk-forward grids
as the offset (:meth:`SecondLegAdjustment.fit`): per side, one log factor per lead and one slope on
the gap. A prior of :data:`PRIOR_GOALS` pseudo-goals per lead cell, scored at the pooled (all leads)
rate, pulls a thin cell towards the pooled factor. With ``gap_slopes=False`` and the prior centred
on the model's own rate (``prior_to="model"``) it is the earlier per-lead fit, whose factors have the
closed form ``sum(goals) / sum(expected goals)``. Fit only on ties before the held-out seasons.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from remontada.grid import ScoreGrid

#: First-leg margins from -MAX_LEAD to +MAX_LEAD (the host's view); larger margins are pooled.
MAX_LEAD = 3
#: Pseudo-goals per lead cell and side, scored at the prior's rate (the pooled factor by default).
PRIOR_GOALS = 200.0
#: Packaged fit (see ``remontada backtest-ties --fit-second-leg``).
PACKAGED = "second_leg.csv"
_CELLS = 2 * MAX_LEAD + 1


def lead_of(first_leg: tuple[int, int]) -> int:
    """The second-leg host's first-leg margin, pooled at +-:data:`MAX_LEAD`. ``first_leg`` is
    (first-leg host's goals, visitor's goals); the second-leg host is the first-leg visitor."""
    return int(np.clip(first_leg[1] - first_leg[0], -MAX_LEAD, MAX_LEAD))


def strength_gap(expected: tuple[float, float]) -> float:
    """The model's strength gap of a second leg: log(host's expected goals / visitor's), home
    advantage included (0: an even match on neutral terms; 0.4: the host expects about 1.5 times the
    visitor's goals)."""
    host, visitor = expected
    if not (host > 0 and visitor > 0):
        raise ValueError(f"expected goals must be positive, got {host}, {visitor}")
    return math.log(host / visitor)


@dataclass(frozen=True)
class SecondLegAdjustment:
    """Log multipliers of the second-leg host's and visitor's expected goals per first-leg lead,
    and their slopes on the model's strength gap (:func:`strength_gap`).

    ``host[k]``/``visitor[k]`` apply at lead ``k - MAX_LEAD`` (index 0 = host trails by 3+) and at the
    gap ``gap_center``; ``host_gap``/``visitor_gap`` are the change of the log multiplier per unit of
    gap (0: no gap dependence). ``ties``, ``host_goals``, ``host_expected`` (and the visitor's) record
    the evidence per cell (expected goals: the model's, before the adjustment).
    """

    host: tuple[float, ...]
    visitor: tuple[float, ...]
    ties: tuple[int, ...] = ()
    host_goals: tuple[float, ...] = ()
    host_expected: tuple[float, ...] = ()
    visitor_goals: tuple[float, ...] = ()
    visitor_expected: tuple[float, ...] = ()
    note: str = ""
    host_gap: float = 0.0
    visitor_gap: float = 0.0
    gap_center: float = 0.0

    @classmethod
    def none(cls) -> SecondLegAdjustment:
        """No adjustment (every factor 1)."""
        zeros = (0.0,) * _CELLS
        return cls(zeros, zeros, note="no adjustment")

    @property
    def uses_gap(self) -> bool:
        """Whether the factors depend on the model's strength gap (and so need its expected goals)."""
        return self.host_gap != 0.0 or self.visitor_gap != 0.0

    def factors(self, first_leg: tuple[int, int], expected: tuple[float, float] | None = None) -> tuple[float, float]:
        """(host, visitor) multipliers of the second leg's expected goals after ``first_leg``.

        ``expected`` is the model's (host, visitor) expected goals for the second leg (goals per 90
        minutes), needed when the factors depend on the strength gap (:attr:`uses_gap`).
        """
        k = lead_of(first_leg) + MAX_LEAD
        host, visitor = self.host[k], self.visitor[k]
        if self.uses_gap:
            if expected is None:
                raise ValueError("this second-leg adjustment depends on the strength gap: pass the expected goals")
            d = strength_gap(expected) - self.gap_center
            host, visitor = host + self.host_gap * d, visitor + self.visitor_gap * d
        return float(np.exp(host)), float(np.exp(visitor))

    def apply(self, leg2: ScoreGrid, first_leg: tuple[int, int]) -> ScoreGrid:
        """The second leg's grid (host = rows) given the first-leg score (first-leg host's goals first)."""
        host, visitor = self.factors(first_leg, leg2.expected_goals())
        if host == 1.0 and visitor == 1.0:
            return leg2
        return leg2.tilted(host, visitor)

    @classmethod
    def fit(
        cls,
        grids: Iterable[np.ndarray | ScoreGrid],
        first_legs: Iterable[tuple[int, int]],
        second_legs: Iterable[tuple[int, int]],
        *,
        prior_goals: float = PRIOR_GOALS,
        prior_to: str = "pooled",
        gap_slopes: bool = True,
        note: str = "",
    ) -> SecondLegAdjustment:
        """Maximum-likelihood factors from the model's second-leg grids (host = rows), the first-leg
        scores (first-leg host's goals first) and the second legs' 90-minute scores (host's first).

        Per side, the observed goals are Poisson with mean ``expected * exp(beta[lead] + slope *
        (gap - center))``, ``center`` the mean gap of the fitted legs. ``prior_goals`` pseudo-goals per
        lead cell are scored at the pooled factor (``prior_to="pooled"``) or at the model's own rate
        (``"model"``: factor 1). ``gap_slopes=False`` fixes the slopes at 0.
        """
        if prior_to not in ("pooled", "model"):
            raise ValueError(f"prior_to is 'pooled' or 'model', got {prior_to!r}")
        leads: list[int] = []
        observed: list[tuple[int, int]] = []
        means: list[tuple[float, float]] = []
        for grid, first, second in zip(grids, first_legs, second_legs, strict=True):
            g = grid if isinstance(grid, ScoreGrid) else ScoreGrid(np.asarray(grid))
            leads.append(lead_of(first) + MAX_LEAD)
            observed.append((int(second[0]), int(second[1])))
            means.append(g.expected_goals())
        k = np.asarray(leads, int).reshape(-1)
        y = np.asarray(observed, float).reshape(-1, 2)
        mu = np.asarray(means, float).reshape(-1, 2)
        ties = np.bincount(k, minlength=_CELLS)
        goals = np.stack([np.bincount(k, y[:, s], _CELLS) for s in (0, 1)], axis=1)
        expected = np.stack([np.bincount(k, mu[:, s], _CELLS) for s in (0, 1)], axis=1)
        center = float(np.mean(np.log(mu[:, 0] / mu[:, 1]))) if gap_slopes and len(k) else 0.0
        d = np.log(mu[:, 0] / mu[:, 1]) - center if len(k) else np.zeros(0)
        beta = np.zeros((_CELLS, 2))
        slope = np.zeros(2)
        for side in (0, 1):
            beta[:, side], slope[side] = _fit_side(
                k, y[:, side], mu[:, side], d, prior_goals=prior_goals, pooled=prior_to == "pooled", slope=gap_slopes
            )
        return cls(
            tuple(beta[:, 0].tolist()), tuple(beta[:, 1].tolist()), tuple(ties.tolist()),
            tuple(goals[:, 0].tolist()), tuple(expected[:, 0].tolist()),
            tuple(goals[:, 1].tolist()), tuple(expected[:, 1].tolist()), note,
            float(slope[0]), float(slope[1]), center,
        )  # fmt: skip

    def log_likelihood_gain(
        self, grids: Sequence[np.ndarray], first_legs: Sequence[tuple[int, int]], second_legs: Sequence[tuple[int, int]]
    ) -> float:
        """Sum over second legs of log P(score | adjusted grid) - log P(score | model grid) (nats)."""
        gain = 0.0
        for probs, first, (h, a) in zip(grids, first_legs, second_legs, strict=True):
            grid = ScoreGrid(probs)
            adjusted = self.apply(grid, first)
            before = grid.probs[h, a] if h < grid.shape[0] and a < grid.shape[1] else 0.0
            after = adjusted.probs[h, a] if h < adjusted.shape[0] and a < adjusted.shape[1] else 0.0
            if before > 0 and after > 0:
                gain += float(np.log(after) - np.log(before))
        return gain

    # ---- persistence -----------------------------------------------------------------------------
    def to_csv(self) -> str:
        out = io.StringIO()
        out.write(f"# {self.note}\n" if self.note else "")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["lead", "host_log", "visitor_log", "ties", "host_goals", "host_expected", "visitor_goals",
                         "visitor_expected", "host_gap", "visitor_gap", "gap_center"])  # fmt: skip
        for k in range(_CELLS):
            writer.writerow([
                k - MAX_LEAD, f"{self.host[k]:.6f}", f"{self.visitor[k]:.6f}",
                self.ties[k] if self.ties else "", _num(self.host_goals, k), _num(self.host_expected, k),
                _num(self.visitor_goals, k), _num(self.visitor_expected, k),
                f"{self.host_gap:.6f}", f"{self.visitor_gap:.6f}", f"{self.gap_center:.6f}",
            ])  # fmt: skip
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str, location: str = "<text>") -> SecondLegAdjustment:
        """Read :meth:`to_csv`'s format (files without the gap columns have no gap dependence)."""
        lines = [line for line in text.splitlines() if line.strip()]
        note = lines[0][1:].strip() if lines and lines[0].startswith("#") else ""
        rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
        if len(rows) != _CELLS:
            raise ValueError(f"{location}: expected one row per lead -{MAX_LEAD}..{MAX_LEAD}, got {len(rows)} rows")
        by_lead: dict[int, dict[str, str]] = {}
        gap_columns = ("host_gap", "visitor_gap", "gap_center")
        for i, row in enumerate(rows, start=2 + (1 if note else 0)):
            try:
                by_lead[int(row["lead"])] = row
                float(row["host_log"]), float(row["visitor_log"])
                for name in gap_columns:
                    if row.get(name):
                        float(row[name])
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{location}:{i}: bad row ({exc})") from None
        leads = range(-MAX_LEAD, MAX_LEAD + 1)
        if sorted(by_lead) != list(leads):
            raise ValueError(f"{location}: leads must be -{MAX_LEAD}..{MAX_LEAD}")

        def column(name: str, kind: type = float) -> tuple[Any, ...]:
            values = [by_lead[k].get(name) or "" for k in leads]
            return tuple(kind(v) for v in values) if all(values) else ()

        gap = []
        for name in gap_columns:
            values = set(column(name))
            if len(values) > 1:
                raise ValueError(f"{location}: column {name} must hold one value on every row, got {sorted(values)}")
            gap.append(values.pop() if values else 0.0)
        return cls(
            column("host_log"), column("visitor_log"), column("ties", int), column("host_goals"),
            column("host_expected"), column("visitor_goals"), column("visitor_expected"), note, *gap,
        )  # fmt: skip

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_csv(), encoding="utf-8")
        return path


def _fit_side(
    k: np.ndarray, y: np.ndarray, mu: np.ndarray, d: np.ndarray, *, prior_goals: float, pooled: bool, slope: bool
) -> tuple[np.ndarray, float]:
    """One side's log factors per lead cell and gap slope (Poisson likelihood with a pseudo-goal prior).

    Alternates the closed-form cell factors given the slope with Newton steps on the slope given the
    factors (the penalised likelihood is concave in each); 200 rounds are far more than it needs.
    """
    b = 0.0
    beta = np.zeros(_CELLS)
    for _ in range(200):
        scaled = mu * np.exp(b * d)
        base = float(y.sum() / scaled.sum()) if pooled and scaled.sum() > 0 and y.sum() > 0 else 1.0
        num = np.bincount(k, y, _CELLS) + prior_goals * base
        den = np.bincount(k, scaled, _CELLS) + prior_goals
        new = np.zeros(_CELLS)
        known = (num > 0) & (den > 0)
        new[known] = np.log(num[known] / den[known])
        step = 0.0
        if slope and len(y):
            m = mu * np.exp(new[k] + b * d)
            hess = float((d * d * m).sum())
            step = float((d * (y - m)).sum()) / hess if hess > 0 else 0.0
            b += step
        converged = np.max(np.abs(new - beta)) < 1e-10 and abs(step) < 1e-10
        beta = new
        if converged:
            break
    return beta, b


def _num(values: tuple[float, ...], k: int) -> str:
    return f"{values[k]:.3f}" if values else ""


def packaged() -> SecondLegAdjustment:
    """The packaged fit (``remontada/data/second_leg.csv``), or no adjustment when absent."""
    resource = importlib.resources.files("remontada.data") / PACKAGED
    if not resource.is_file():
        return SecondLegAdjustment.none()
    return SecondLegAdjustment.from_csv(resource.read_text(encoding="utf-8"), f"remontada/data/{PACKAGED}")
