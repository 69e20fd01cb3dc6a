"""Walk-forward calibration of "who goes through" on real two-legged ties.

Every decided two-legged knockout tie of the chosen UEFA competitions (default: Champions League,
Europa League and Conference League knockout rounds and knockout play-offs since 2011-12) is
forecast twice, each time knowing only the past:

* ``before_tie``: on the morning of the first leg (``as_of`` = first-leg date): both legs priced
  by a model fitted on every club match played before that day, combined by the exact tie engine;
* ``between_legs``: on the morning of the second leg (``as_of`` = second-leg date), given the real
  first-leg score: the second leg priced by a model fitted on matches before that day.

The event is "the side at home in the second leg (B) went through". Each forecast is compared
with the base-rate baseline of :mod:`remontada.ties.base_rates` for the same tie and horizon,
computed from the ties in ``history`` (by default every UEFA tie in the store since 1955) that
ended before the forecast date: the first-leg margin and venue between the legs; before the tie,
the share of earlier ties won by the second-leg host. Single-match ties (finals, the 2019-20
one-match quarter- and semi-finals) are not two-legged and are left out; so are ties the store
has incomplete or undecided, and ties the model cannot rate (each reported with its reason).

A bookmaker baseline (tie odds implied by the first-leg match odds) needs 1X2 prices for UEFA
matches; the public sources carry none (football-data.co.uk covers domestic leagues only), so
:func:`odds_coverage` counts them and the report states the absence instead of a number.

Models are refitted once per distinct forecast date (a few hundred fits); a fresh
:class:`~remontada.forecast.Forecaster` is made per date so fitted models do not pile up in memory.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import pandas as pd

from remontada.evaluation import scoring
from remontada.grid import ScoreGrid
from remontada.rules import season_start_year
from remontada.store.reader import Store
from remontada.store.ties import odds_counts
from remontada.ties.base_rates import BaseRateBaseline
from remontada.ties.engine import forecast_second_leg, forecast_tie
from remontada.ties.history import Tie, rebuild_ties, select_ties

HORIZONS: tuple[str, ...] = ("before_tie", "between_legs")
HORIZON_LABELS = {"before_tie": "before the tie", "between_legs": "between the legs"}
TARGET_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl")
TARGET_STAGES: tuple[str, ...] = ("knockout", "playoff")
HISTORY_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc")
BASE_RATE = "base rate"
SCOPE_NOTE = (
    "two-legged ties only: single-match ties (finals, the 2019-20 one-match quarter- and semi-finals) are left out; "
    "base rates count UEFA ties (1955-56 on) that ended before each forecast date"
)


class GridSource(Protocol):
    """What the backtest asks of a model: a 90-minute grid of club ids on a date (ISO)."""

    def grid(
        self, home: str, away: str, as_of: Any, *, neutral: bool = False, competition: str | None = None
    ) -> ScoreGrid: ...


# ---- which ties --------------------------------------------------------------------------------
def evaluation_ties(
    ties: Iterable[Tie],
    *,
    competitions: Sequence[str] = TARGET_COMPETITIONS,
    since: str | int = "2011-12",
    until: str | int | None = None,
    stages: Sequence[str] = TARGET_STAGES,
) -> tuple[list[Tie], list[tuple[Tie, str]]]:
    """The ties to forecast (decided, two legs on two dates, rules known), in order of first leg,
    and the left-out ties of the same selection with the reason."""
    span = (season_start_year(since), season_start_year(until) if until is not None else 9999)
    chosen, left_out = [], []
    for tie in select_ties(ties, competitions=competitions, seasons=span, stages=stages):
        reason = _unusable(tie)
        if reason is None:
            chosen.append(tie)
        else:
            left_out.append((tie, reason))
    chosen.sort(key=lambda t: (t.leg1.date, t.competition, t.team_a))  # type: ignore[union-attr]
    return chosen, left_out


def _unusable(tie: Tie) -> str | None:
    if not tie.complete:
        return tie.issue or "incomplete"
    if not tie.decided:
        return tie.issue or "undecided"
    assert tie.leg1 is not None and tie.leg2 is not None
    if tie.leg1.date is None or tie.leg2.date is None:
        return "a leg has no date"
    if tie.leg1.date >= tie.leg2.date:
        return "the second leg is not dated after the first"
    if tie.leg1.home_goals is None or tie.leg1.away_goals is None:
        return "no 90-minute first-leg score"
    if tie.rules is None or tie.rules.legs != 2:
        return "no two-legged rules for this round"
    return None


# ---- the result --------------------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class TieBacktest:
    """Forecasts of P(B goes through) per horizon and forecaster on the same ties.

    ``forecasts[horizon][name]`` is aligned with ``ties`` and ``outcome`` (1 = B went through).
    ``skipped`` lists ties left out, with the reason; ``odds`` the bookmaker-price coverage.
    """

    ties: tuple[Tie, ...]
    outcome: np.ndarray
    forecasts: dict[str, dict[str, np.ndarray]]
    model: str
    skipped: tuple[tuple[Tie, str], ...] = ()
    odds: dict[str, Any] = field(default_factory=dict)
    seconds: float = float("nan")
    fits: int = 0

    @property
    def names(self) -> list[str]:
        return list(next(iter(self.forecasts.values())).keys()) if self.forecasts else []

    def summary(self, by: str | None = None) -> pd.DataFrame:
        """Brier score and log loss (nats) per horizon and forecaster, with the paired Brier
        difference to the base rate (negative: better) and its standard error; ``by`` =
        ``"competition"`` or ``"season"`` splits the rows."""
        groups: dict[Any, np.ndarray] = {None: np.ones(len(self.ties), bool)}
        if by is not None:
            keys = np.array([getattr(t, by) for t in self.ties])
            groups = {k: keys == k for k in sorted(set(keys.tolist()))}
        rows = []
        for key, mask in groups.items():
            y = self.outcome[mask]
            for horizon, per_name in self.forecasts.items():
                base = per_name.get(BASE_RATE)
                for name, p in per_name.items():
                    rows.append(_score_row(horizon, name, p[mask], y, None if base is None else base[mask], by, key))
        return pd.DataFrame(rows)

    def calibration(self, horizon: str, name: str, bins: int | Sequence[float] = 10) -> scoring.CalibrationTable:
        """Reliability table of ``name``'s P(B through) at ``horizon``."""
        return scoring.calibration_table(self.forecasts[horizon][name], self.outcome, bins)

    def plot(self, path: str | Path, bins: int = 10) -> Path:
        """One reliability diagram (PNG) with a curve per horizon and forecaster."""
        tables = {
            f"{HORIZON_LABELS[h]}: {name}": self.calibration(h, name, bins)
            for h in self.forecasts
            for name in self.forecasts[h]
        }
        title = f"P(second-leg host goes through), {len(self.ties)} UEFA ties"
        return scoring.plot_calibration(tables, path, title=title)

    def per_tie(self) -> pd.DataFrame:
        """One row per tie: identity, first leg, outcome and every forecast."""
        rows = []
        for i, tie in enumerate(self.ties):
            assert tie.leg1 is not None and tie.leg2 is not None
            row: dict[str, Any] = {
                "competition": tie.competition,
                "season": tie.season,
                "round": tie.round,
                "leg1_date": tie.leg1.date,
                "leg2_date": tie.leg2.date,
                "team_a": tie.team_a,
                "team_b": tie.team_b,
                "first_leg": f"{tie.leg1.home_goals}-{tie.leg1.away_goals}",
                "b_through": int(self.outcome[i]),
                "how": tie.how,
            }
            for horizon, per_name in self.forecasts.items():
                for name, p in per_name.items():
                    row[f"{horizon}:{name}"] = float(p[i])
            rows.append(row)
        return pd.DataFrame(rows)

    def to_dict(self, bins: int = 10) -> dict[str, Any]:
        return {
            "ties": len(self.ties),
            "model": self.model,
            "event": "the side at home in the second leg goes through",
            "scope": SCOPE_NOTE,
            "summary": self.summary().to_dict(orient="records"),
            "by_competition": self.summary("competition").to_dict(orient="records"),
            "reliability": {
                h: {name: self.calibration(h, name, bins).to_records() for name in per_name}
                for h, per_name in self.forecasts.items()
            },
            "skipped": [{"tie": t.describe(), "reason": r} for t, r in self.skipped],
            "odds": self.odds,
            "seconds": self.seconds,
            "fits": self.fits,
        }


def _score_row(
    horizon: str, name: str, p: np.ndarray, y: np.ndarray, base: np.ndarray | None, by: str | None, key: Any
) -> dict[str, Any]:
    row: dict[str, Any] = {}
    if by is not None:
        row[by] = key
    row.update(horizon=horizon, forecaster=name, n=len(y))
    if len(y) == 0:
        return row
    brier = (p - y) ** 2
    row.update(
        brier=float(brier.mean()),
        log_loss=scoring.log_loss_binary(p, y),
        mean_forecast=float(p.mean()),
        observed=float(y.mean()),
    )
    if base is not None:
        diff = brier - (base - y) ** 2
        se = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan")
        base_brier = float(((base - y) ** 2).mean())
        row.update(
            brier_minus_base=float(diff.mean()),
            se=se,
            skill_vs_base=1.0 - row["brier"] / base_brier if base_brier > 0 else float("nan"),
        )
    return row


# ---- running it ----------------------------------------------------------------------------------
def backtest_ties(
    targets: Sequence[Tie],
    history: Iterable[Tie],
    forecaster_for_date: Callable[[], GridSource],
    *,
    model: str = "model",
    horizons: Sequence[str] = HORIZONS,
    progress: bool = False,
) -> TieBacktest:
    """Forecast every tie of ``targets`` at each horizon with a model and with the base rate.

    ``forecaster_for_date()`` is called once per distinct forecast date and asked for grids as of
    that date only. ``history`` feeds the base rate (only ties ended before each date count).
    A tie the model cannot price (``KeyError``: a club it has not rated) is skipped at every
    horizon, so all forecasters are scored on the same ties.
    """
    unknown = sorted(set(horizons) - set(HORIZONS))
    if unknown:
        raise ValueError(f"unknown horizon(s) {', '.join(unknown)}; choose from {', '.join(HORIZONS)}")
    started = time.perf_counter()
    baseline = BaseRateBaseline(history)
    requests: dict[dt.date, list[tuple[int, str]]] = defaultdict(list)
    for i, tie in enumerate(targets):
        assert tie.leg1 is not None and tie.leg2 is not None and tie.leg1.date and tie.leg2.date
        if "before_tie" in horizons:
            requests[tie.leg1.date].append((i, "before_tie"))
        if "between_legs" in horizons:
            requests[tie.leg2.date].append((i, "between_legs"))
    model_p = {h: np.full(len(targets), np.nan) for h in horizons}
    base_p = {h: np.full(len(targets), np.nan) for h in horizons}
    failed: dict[int, str] = {}
    with _Progress(progress, len(requests)) as advance:
        for day in sorted(requests):
            source = forecaster_for_date()
            for i, horizon in requests[day]:
                tie = targets[i]
                if i in failed:
                    continue
                try:
                    model_p[horizon][i] = _model_p_b(source, tie, horizon, day)
                except KeyError as exc:
                    failed[i] = f"the model cannot rate a club as of {day.isoformat()}: {exc}"
                    continue
                base_p[horizon][i] = (
                    baseline.before_tie(day) if horizon == "before_tie" else baseline.between_legs(tie, day)
                )
            advance()
    keep = np.array([i not in failed for i in range(len(targets))], dtype=bool)
    outcome = np.array([t.winner == t.team_b for t in targets], dtype=float)
    forecasts = {h: {model: model_p[h][keep], BASE_RATE: base_p[h][keep]} for h in horizons}
    return TieBacktest(
        ties=tuple(t for t, k in zip(targets, keep, strict=True) if k),
        outcome=outcome[keep],
        forecasts=forecasts,
        model=model,
        skipped=tuple((targets[i], why) for i, why in sorted(failed.items())),
        seconds=time.perf_counter() - started,
        fits=len(requests),
    )


def _model_p_b(source: GridSource, tie: Tie, horizon: str, day: dt.date) -> float:
    """P(B through) from ``source``'s grids as of ``day``."""
    assert tie.leg1 is not None and tie.leg2 is not None and tie.rules is not None
    a, b, comp = tie.team_a, tie.team_b, tie.competition
    leg2 = source.grid(b, a, day, neutral=tie.leg2.neutral, competition=comp)
    if horizon == "between_legs":
        first_leg = (int(tie.leg1.home_goals), int(tie.leg1.away_goals))  # type: ignore[arg-type]
        forecast = forecast_second_leg(first_leg, leg2, rules=tie.rules, on_unmodelled="even")
    else:
        leg1 = source.grid(a, b, day, neutral=tie.leg1.neutral, competition=comp)
        forecast = forecast_tie(leg1, leg2, rules=tie.rules, on_unmodelled="even")
    return float(np.clip(forecast.p_b, 0.0, 1.0))


class _Progress:
    """A rich progress bar over forecast dates, or nothing."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total
        self._bar: Any = None

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn, TimeRemainingColumn

        self._bar = Progress(
            "forecast dates", BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), TimeRemainingColumn(),
            transient=True,
        )  # fmt: skip
        self._bar.__enter__()
        task = self._bar.add_task("dates", total=self.total)
        return lambda: self._bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)


def odds_coverage(store: Store, competitions: Sequence[str] = TARGET_COMPETITIONS, since: str = "2011-12") -> dict:
    """How many matches of ``competitions`` since ``since`` have any 1X2 price in the store."""
    matches, priced = odds_counts(store, competitions, since)
    note = (
        "no bookmaker prices for these matches in the store (football-data.co.uk, the only odds source, "
        "covers domestic leagues): the odds-implied baseline cannot be computed"
        if priced == 0
        else f"{priced} of {matches} matches have 1X2 prices"
    )
    return {"competitions": list(competitions), "since": since, "matches": matches, "with_odds": priced, "note": note}


def run_tie_backtest(
    store: Store,
    *,
    model: str | None = None,
    since: str | int = "2011-12",
    until: str | int | None = None,
    competitions: Sequence[str] = TARGET_COMPETITIONS,
    stages: Sequence[str] = TARGET_STAGES,
    history_competitions: Sequence[str] = HISTORY_COMPETITIONS,
    horizons: Sequence[str] = HORIZONS,
    cache_dir: Path | bool | None = None,
    progress: bool = False,
) -> TieBacktest:
    """The walk-forward tie backtest on ``store`` with a :class:`~remontada.forecast.Forecaster` of
    ``model`` (default: the forecast module's default). ``cache_dir`` as for the Forecaster
    (``None``: fits are kept in memory only, one date at a time)."""
    from remontada.forecast import DEFAULT_MODEL, Forecaster

    name = model or DEFAULT_MODEL
    history = rebuild_ties(store, history_competitions)
    targets, left_out = evaluation_ties(history, competitions=competitions, since=since, until=until, stages=stages)

    def fresh() -> GridSource:
        return Forecaster(store, name, cache_dir=cache_dir)

    result = backtest_ties(targets, history, fresh, model=name, horizons=horizons, progress=progress)
    since_text = f"{season_start_year(since)}-{(season_start_year(since) + 1) % 100:02d}"
    return TieBacktest(
        ties=result.ties,
        outcome=result.outcome,
        forecasts=result.forecasts,
        model=name,
        skipped=(*left_out, *result.skipped),
        odds=odds_coverage(store, competitions, since_text),
        seconds=result.seconds,
        fits=result.fits,
    )
