"""The second leg of a knockout tie is not an ordinary match: the first-leg score changes how it is played.

A model of club strength prices a second leg like any match between the two clubs. Between the
legs that misses what the first leg set up: the side that trails must score and opens up, the side
that leads can sit back or rest players, and a knockout second leg may carry its own home
advantage. :class:`SecondLegAdjustment` models it on the expected goals: per first-leg margin of the
second-leg host (``lead`` = host's first-leg goals minus the visitor's, margins beyond
:data:`MAX_LEAD` pooled), the host's and the visitor's 90-minute goals are multiplied by
``exp(beta_host[lead])`` and ``exp(beta_visitor[lead])``, i.e. the model's grid is tilted
(:meth:`remontada.grid.ScoreGrid.tilted`) before the exact tie engine combines it with the first leg.
Extra time follows the adjusted second leg's rates.

The factors are maximum-likelihood estimates from the real second legs: with the model's
walk-forward grids as the offset, the Poisson likelihood of the observed 90-minute goals in one
margin cell is maximised at ``exp(beta) = sum(goals) / sum(expected goals)``. A weak prior of
:data:`PRIOR_GOALS` goals at the model's own rate (pseudo-counts added to both sums) keeps a thin
cell near 1. Fit only on ties before the held-out seasons.
"""

from __future__ import annotations

import csv
import importlib.resources
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from remontada.grid import ScoreGrid

#: First-leg margins from -MAX_LEAD to +MAX_LEAD (the host's view); larger margins are pooled.
MAX_LEAD = 3
#: Pseudo-goals at the model's rate added to each cell's sums (per side).
PRIOR_GOALS = 10.0
#: Packaged fit (see ``remontada backtest-ties --fit-second-leg``).
PACKAGED = "second_leg.csv"


def lead_of(first_leg: tuple[int, int]) -> int:
    """The second-leg host's first-leg margin, pooled at +-:data:`MAX_LEAD`. ``first_leg`` is
    (first-leg host's goals, visitor's goals); the second-leg host is the first-leg visitor."""
    return int(np.clip(first_leg[1] - first_leg[0], -MAX_LEAD, MAX_LEAD))


@dataclass(frozen=True)
class SecondLegAdjustment:
    """Log multipliers of the second-leg host's and visitor's expected goals per first-leg lead.

    ``host[k]``/``visitor[k]`` apply at lead ``k - MAX_LEAD`` (index 0 = host trails by 3+);
    ``ties``, ``host_goals``, ``host_expected`` (and the visitor's) record the evidence per cell.
    """

    host: tuple[float, ...]
    visitor: tuple[float, ...]
    ties: tuple[int, ...] = ()
    host_goals: tuple[float, ...] = ()
    host_expected: tuple[float, ...] = ()
    visitor_goals: tuple[float, ...] = ()
    visitor_expected: tuple[float, ...] = ()
    note: str = ""

    @classmethod
    def none(cls) -> SecondLegAdjustment:
        """No adjustment (every factor 1)."""
        zeros = (0.0,) * (2 * MAX_LEAD + 1)
        return cls(zeros, zeros, note="no adjustment")

    def factors(self, first_leg: tuple[int, int]) -> tuple[float, float]:
        """(host, visitor) multipliers of the second leg's expected goals after ``first_leg``."""
        k = lead_of(first_leg) + MAX_LEAD
        return float(np.exp(self.host[k])), float(np.exp(self.visitor[k]))

    def apply(self, leg2: ScoreGrid, first_leg: tuple[int, int]) -> ScoreGrid:
        """The second leg's grid (host = rows) given the first-leg score (first-leg host's goals first)."""
        host, visitor = self.factors(first_leg)
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
        note: str = "",
    ) -> SecondLegAdjustment:
        """Maximum-likelihood factors from the model's second-leg grids (host = rows), the first-leg
        scores (first-leg host's goals first) and the second legs' 90-minute scores (host's first)."""
        n = 2 * MAX_LEAD + 1
        ties = np.zeros(n, int)
        goals = np.zeros((n, 2))
        expected = np.zeros((n, 2))
        for grid, first, second in zip(grids, first_legs, second_legs, strict=True):
            probs = grid.probs if isinstance(grid, ScoreGrid) else np.asarray(grid)
            k = lead_of(first) + MAX_LEAD
            ties[k] += 1
            goals[k] += second
            rows, cols = probs.shape
            expected[k] += (probs.sum(axis=1) @ np.arange(rows), probs.sum(axis=0) @ np.arange(cols))
        # the prior: ``prior_goals`` pseudo-goals scored exactly as expected, in every cell and side;
        # a cell without evidence keeps the model as it is
        num, den = goals + prior_goals, expected + prior_goals
        beta = np.zeros_like(num)
        known = (num > 0) & (den > 0)
        beta[known] = np.log(num[known] / den[known])
        return cls(
            tuple(beta[:, 0].tolist()), tuple(beta[:, 1].tolist()), tuple(ties.tolist()),
            tuple(goals[:, 0].tolist()), tuple(expected[:, 0].tolist()),
            tuple(goals[:, 1].tolist()), tuple(expected[:, 1].tolist()), note,
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
                         "visitor_expected"])  # fmt: skip
        for k in range(2 * MAX_LEAD + 1):
            writer.writerow([
                k - MAX_LEAD, f"{self.host[k]:.6f}", f"{self.visitor[k]:.6f}",
                self.ties[k] if self.ties else "", _num(self.host_goals, k), _num(self.host_expected, k),
                _num(self.visitor_goals, k), _num(self.visitor_expected, k),
            ])  # fmt: skip
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str, location: str = "<text>") -> SecondLegAdjustment:
        lines = [line for line in text.splitlines() if line.strip()]
        note = lines[0][1:].strip() if lines and lines[0].startswith("#") else ""
        rows = list(csv.DictReader(line for line in lines if not line.startswith("#")))
        if len(rows) != 2 * MAX_LEAD + 1:
            raise ValueError(f"{location}: expected one row per lead -{MAX_LEAD}..{MAX_LEAD}, got {len(rows)} rows")
        by_lead: dict[int, dict[str, str]] = {}
        for i, row in enumerate(rows, start=2):
            try:
                by_lead[int(row["lead"])] = row
                float(row["host_log"]), float(row["visitor_log"])
            except (KeyError, ValueError, TypeError) as exc:
                raise ValueError(f"{location}:{i}: bad row ({exc})") from None
        leads = range(-MAX_LEAD, MAX_LEAD + 1)
        if sorted(by_lead) != list(leads):
            raise ValueError(f"{location}: leads must be -{MAX_LEAD}..{MAX_LEAD}")

        def column(name: str, kind: type = float) -> tuple[Any, ...]:
            values = [by_lead[k].get(name, "") for k in leads]
            return tuple(kind(v) for v in values) if all(values) else ()

        return cls(
            column("host_log"), column("visitor_log"), column("ties", int), column("host_goals"),
            column("host_expected"), column("visitor_goals"), column("visitor_expected"), note,
        )  # fmt: skip

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_csv(), encoding="utf-8")
        return path


def _num(values: tuple[float, ...], k: int) -> str:
    return f"{values[k]:.3f}" if values else ""


def packaged() -> SecondLegAdjustment:
    """The packaged fit (``remontada/data/second_leg.csv``), or no adjustment when absent."""
    resource = importlib.resources.files("remontada.data") / PACKAGED
    if not resource.is_file():
        return SecondLegAdjustment.none()
    return SecondLegAdjustment.from_csv(resource.read_text(encoding="utf-8"), f"remontada/data/{PACKAGED}")
