"""Per-competition recalibration of "the second-leg host goes through", learned from earlier ties.

Between the legs the model's P(host through) ``p`` is mapped, per competition ``c``, to
``logit p' = a_c + b_c * logit p``. ``(a_c, b_c)`` is a penalised logistic regression of the outcomes
of the competition's earlier ties on the logit of the model's own forecasts for them; the penalty
``prior_strength / 2 * (a**2 + (b - 1)**2)`` (a normal prior centred on the identity, standard
deviation ``1 / sqrt(prior_strength)`` on both coefficients) is the one hyperparameter. A competition
with no earlier tie (the Conference League in its first weeks of 2021-22) gets the identity and
learns as its ties are decided.

:class:`CompetitionRecalibration` is the estimator (configure, :meth:`~CompetitionRecalibration.fit`
on decided ties, :meth:`~CompetitionRecalibration.predict`); :func:`walk_forward` refits it for every
forecast day on the ties decided before it, as a backtest must. The prior strength and the grouping
(per competition, no main-draw/qualifying split) were chosen on the validation folds 2006-07..2010-11
and 2011-12..2015-16 only (``docs/tie-calibration.md``, "A per-competition recalibration"). It is
evaluated by the tie backtest and not applied to the answers of ``tie``, ``read`` or ``live``: its
validation gain is noise-sized and on the held-out seasons it left the Brier score unchanged.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Precision of the prior on (intercept, slope - 1), in units of the logistic log likelihood
#: (prior standard deviation 1 / sqrt(300) = 0.058 on each); chosen on the validation folds.
PRIOR_STRENGTH = 300.0
#: Forecasts are clipped to [EPS, 1 - EPS] before the logit.
EPS = 1e-6


def logit(p: np.ndarray | float) -> np.ndarray:
    """log(p / (1 - p)) of probabilities in [0, 1], clipped to [:data:`EPS`, 1 - :data:`EPS`]."""
    q = np.clip(np.asarray(p, float), EPS, 1.0 - EPS)
    return np.log(q / (1.0 - q))


def expit(x: np.ndarray | float) -> np.ndarray:
    """The inverse of :func:`logit`: 1 / (1 + exp(-x))."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x, float)))


def fit_line(z: np.ndarray, y: np.ndarray, prior_strength: float) -> tuple[float, float]:
    """(a, b) maximising ``sum log P(y | expit(a + b z)) - prior_strength / 2 * (a**2 + (b - 1)**2)``
    by Newton's method (the objective is concave). No data, or an infinite prior: the identity (0, 1)."""
    z = np.asarray(z, float).reshape(-1)
    y = np.asarray(y, float).reshape(-1)
    if len(z) != len(y):
        raise ValueError(f"{len(z)} forecasts but {len(y)} outcomes")
    if not len(z) or math.isinf(prior_strength):
        return 0.0, 1.0
    if prior_strength < 0:
        raise ValueError(f"prior_strength must be >= 0, got {prior_strength}")
    a, b = 0.0, 1.0
    for _ in range(100):
        p = expit(a + b * z)
        w = p * (1.0 - p)
        grad = np.array([(p - y).sum() + prior_strength * a, ((p - y) * z).sum() + prior_strength * (b - 1.0)])
        wz = float((w * z).sum())
        hess = np.array([[w.sum() + prior_strength, wz], [wz, (w * z * z).sum() + prior_strength]])
        step = np.linalg.solve(hess + 1e-9 * np.eye(2), grad)
        a, b = a - float(step[0]), b - float(step[1])
        if float(np.abs(step).max()) < 1e-10:
            break
    return a, b


@dataclass(frozen=True)
class Line:
    """One competition's recalibration: ``logit p' = intercept + slope * logit p``, fitted on ``ties``."""

    intercept: float = 0.0
    slope: float = 1.0
    ties: int = 0

    def apply(self, p: np.ndarray | float) -> np.ndarray:
        """The recalibrated probabilities (in [0, 1]) of ``p``; the identity returns ``p`` unchanged."""
        if self.intercept == 0.0 and self.slope == 1.0:
            return np.asarray(p, float)
        return expit(self.intercept + self.slope * logit(p))


class CompetitionRecalibration:
    """Per-competition logistic recalibration of P(second-leg host goes through) between the legs.

    Parameters
    ----------
    prior_strength
        Precision of the normal prior on (intercept, slope - 1) centred on the identity
        (:data:`PRIOR_STRENGTH`; 0: unpenalised; ``inf``: always the identity).
    """

    def __init__(self, prior_strength: float = PRIOR_STRENGTH) -> None:
        if not prior_strength >= 0:
            raise ValueError(f"prior_strength must be >= 0, got {prior_strength}")
        self.prior_strength = float(prior_strength)
        self.lines: dict[str, Line] = {}
        self.note = ""

    def fit(
        self, competitions: Sequence[str], p: np.ndarray, outcome: np.ndarray, *, note: str = ""
    ) -> CompetitionRecalibration:
        """Fit one :class:`Line` per competition on decided ties: ``p`` the model's P(host through)
        for them (in [0, 1]), ``outcome`` 1 where the host went through. Returns ``self``."""
        comps = np.asarray(competitions, dtype=object)
        p, y = np.asarray(p, float), np.asarray(outcome, float)
        if not (len(comps) == len(p) == len(y)):
            raise ValueError(f"lengths differ: {len(comps)} competitions, {len(p)} forecasts, {len(y)} outcomes")
        keep = np.isfinite(p) & np.isfinite(y)
        self.lines = {}
        for comp in sorted(set(comps[keep].tolist())):
            m = keep & (comps == comp)
            a, b = fit_line(logit(p[m]), y[m], self.prior_strength)
            self.lines[str(comp)] = Line(a, b, int(m.sum()))
        self.note = note
        return self

    def line(self, competition: str) -> Line:
        """The competition's line (the identity for a competition it has not seen)."""
        return self.lines.get(competition, Line())

    def predict(self, competitions: Sequence[str], p: np.ndarray) -> np.ndarray:
        """Recalibrated P(host through) per tie (NaN stays NaN)."""
        comps = np.asarray(competitions, dtype=object)
        out = np.asarray(p, float).copy()
        for comp in set(comps.tolist()):
            m = (comps == comp) & np.isfinite(out)
            out[m] = self.line(str(comp)).apply(out[m])
        return out

    def p_through(self, competition: str, p: float) -> float:
        """One recalibrated probability (in [0, 1])."""
        return float(self.line(competition).apply(float(p)))

    # ---- persistence -----------------------------------------------------------------------------
    def to_csv(self) -> str:
        out = io.StringIO()
        out.write(f"# {self.note}\n" if self.note else "")
        out.write(f"# prior_strength={self.prior_strength:g}\n")
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(["competition", "intercept", "slope", "ties"])
        for comp, line in sorted(self.lines.items()):
            writer.writerow([comp, f"{line.intercept:.6f}", f"{line.slope:.6f}", line.ties])
        return out.getvalue()

    @classmethod
    def from_csv(cls, text: str, location: str = "<text>") -> CompetitionRecalibration:
        """Read :meth:`to_csv`'s format; a bad row is a ``ValueError`` naming ``location`` and the line."""
        note, strength = "", PRIOR_STRENGTH
        body: list[tuple[int, str]] = []
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            if line.startswith("# prior_strength="):
                try:
                    strength = float(line.split("=", 1)[1])
                except ValueError:
                    raise ValueError(f"{location}:{number}: bad prior strength {line!r}") from None
            elif line.startswith("#"):
                note = line[1:].strip()
            else:
                body.append((number, line))
        if not body or [c.strip() for c in body[0][1].split(",")] != ["competition", "intercept", "slope", "ties"]:
            raise ValueError(f"{location}: expected the header competition,intercept,slope,ties")
        out = cls(strength)
        out.note = note
        for number, line in body[1:]:
            row = next(csv.reader([line]))
            try:
                comp, a, b, n = row
                out.lines[comp.strip()] = Line(float(a), float(b), int(n))
            except ValueError as exc:
                raise ValueError(f"{location}:{number}: bad row {line!r} ({exc})") from None
        return out

    def save(self, path: str | Path) -> Path:
        path = Path(path)
        path.write_text(self.to_csv(), encoding="utf-8")
        return path


def monday(day: dt.date) -> dt.date:
    """The Monday of ``day``'s week: the recalibration for a forecast learns from ties decided before it."""
    return day - dt.timedelta(days=day.weekday())


def walk_forward(
    competitions: Sequence[str],
    p: np.ndarray,
    outcome: np.ndarray,
    decided: Sequence[dt.date],
    forecast_days: Sequence[dt.date],
    *,
    prior_strength: float = PRIOR_STRENGTH,
    targets: np.ndarray | None = None,
) -> np.ndarray:
    """Walk-forward recalibrated forecasts: for each tie of ``targets`` (default: all), the
    :class:`CompetitionRecalibration` fitted on its competition's ties decided (``decided``: the day
    the tie ended) before the Monday of its forecast day (:func:`monday`), with the model's own
    forecasts ``p`` for them; one fit per competition and week. Ties outside ``targets`` keep ``p``."""
    comps = np.asarray(competitions, dtype=object)
    p, y = np.asarray(p, float), np.asarray(outcome, float)
    ends = np.array([np.datetime64(d, "D") for d in decided])
    weeks = np.array([np.datetime64(monday(d), "D") for d in forecast_days])
    if not (len(comps) == len(p) == len(y) == len(ends) == len(weeks)):
        raise ValueError("competitions, forecasts, outcomes, decided and forecast days must have one entry per tie")
    chosen = np.ones(len(p), bool) if targets is None else np.asarray(targets, bool)
    out = p.copy()
    z = logit(p)
    known = np.isfinite(p) & np.isfinite(y)
    for comp in sorted(set(comps[chosen].tolist())):
        same = comps == comp
        rows = np.flatnonzero(same & chosen & np.isfinite(p))
        for week in np.unique(weeks[rows]):
            train = same & known & (ends < week)
            a, b = fit_line(z[train], y[train], prior_strength)
            hit = rows[weeks[rows] == week]
            out[hit] = expit(a + b * z[hit])
    return out
