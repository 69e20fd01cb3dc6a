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
import itertools
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar, Protocol

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
from remontada.ties.recalibration import PRIOR_STRENGTH, CompetitionRecalibration, walk_forward
from remontada.ties.second_leg import SecondLegAdjustment
from remontada.ties.second_leg import packaged as packaged_second_leg

HORIZONS: tuple[str, ...] = ("before_tie", "between_legs")
HORIZON_LABELS = {"before_tie": "before the tie", "between_legs": "between the legs"}
TARGET_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl")
TARGET_STAGES: tuple[str, ...] = ("knockout", "playoff")
HISTORY_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc")
BASE_RATE = "base rate"
MARKET = "market"
#: The first season nothing was tuned on: the second-leg adjustment is fitted on earlier ties only.
HELD_OUT_FROM = "2016-17"
#: Eras of the reports, by first season (the last one is the held-out era).
ERAS: tuple[tuple[int, str], ...] = (
    (1955, "1955-56..1979-80"), (1980, "1980-81..1999-00"), (2000, "2000-01..2015-16"), (2016, "2016-17 on"),
)


def era_of(season: str) -> str:
    """The report era of ``season`` (see :data:`ERAS`)."""
    year = season_start_year(season)
    return next(label for start, label in reversed(ERAS) if year >= start)


def held_out_label(season: str) -> str:
    """``"fitted (before 2016-17)"`` or ``"held out (2016-17 on)"``."""
    if season_start_year(season) >= season_start_year(HELD_OUT_FROM):
        return f"held out ({HELD_OUT_FROM} on)"
    return f"fitted (before {HELD_OUT_FROM})"
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
    #: Per tie, the model's 90-minute second-leg grid between the legs (B at home), for refits of
    #: the second-leg adjustment without refitting the model.
    leg2_grids: tuple[np.ndarray | None, ...] = ()
    #: The second-leg adjustment behind the "+ second-leg adjustment" forecaster, if any.
    adjustment: SecondLegAdjustment | None = None

    @property
    def names(self) -> list[str]:
        return list(next(iter(self.forecasts.values())).keys()) if self.forecasts else []

    def keys(self, by: str) -> np.ndarray:
        """Per tie, its ``competition``, ``season``, ``era`` (:func:`era_of`) or ``held_out`` label."""
        if by == "era":
            return np.array([era_of(t.season) for t in self.ties])
        if by == "held_out":
            return np.array([held_out_label(t.season) for t in self.ties])
        return np.array([getattr(t, by) for t in self.ties])

    def summary(
        self, by: str | None = None, *, with_market: bool = False, mask: np.ndarray | None = None
    ) -> pd.DataFrame:
        """Brier score and log loss (nats) per horizon and forecaster, with the paired Brier
        difference to the base rate (negative: better) and its standard error; ``by`` =
        ``"competition"``, ``"season"``, ``"era"`` or ``"held_out"`` splits the rows.

        Every forecaster is scored on the same ties. Without ``with_market`` the market (priced
        ties only) is left out; with it, only the ties the market prices at that horizon count,
        and the paired Brier difference to the market is added (``brier_minus_market``, ``se_market``).
        ``mask`` restricts the ties further.
        """
        keep = np.ones(len(self.ties), bool) if mask is None else np.asarray(mask, bool)
        groups: dict[Any, np.ndarray] = {None: keep}
        if by is not None:
            keys = self.keys(by)
            groups = {k: keep & (keys == k) for k in sorted(set(keys[keep].tolist()))}
        rows = []
        for key, group in groups.items():
            for horizon, per_name in self.forecasts.items():
                chosen = group.copy()
                if with_market:
                    if MARKET not in per_name:
                        continue
                    chosen &= np.isfinite(per_name[MARKET])
                y = self.outcome[chosen]
                base = per_name.get(BASE_RATE)
                market = per_name.get(MARKET) if with_market else None
                for name, p in per_name.items():
                    if name == MARKET and not with_market:
                        continue
                    row = _score_row(horizon, name, p[chosen], y, None if base is None else base[chosen], by, key)
                    if market is not None and name != MARKET and len(y):
                        diff = (p[chosen] - y) ** 2 - (market[chosen] - y) ** 2
                        row["brier_minus_market"] = float(diff.mean())
                        row["se_market"] = float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else np.nan
                    rows.append(row)
        return pd.DataFrame(rows)

    def calibration(
        self, horizon: str, name: str, bins: int | Sequence[float] = 10, *, mask: np.ndarray | None = None
    ) -> scoring.CalibrationTable:
        """Reliability table of ``name``'s P(B through) at ``horizon`` (on the ties of ``mask``; the
        ties ``name`` has no forecast for are left out)."""
        p = self.forecasts[horizon][name]
        keep = np.isfinite(p) if mask is None else np.isfinite(p) & np.asarray(mask, bool)
        return scoring.calibration_table(p[keep], self.outcome[keep], bins)

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

    def held_out_reliability(self, bins: int = 10) -> dict[str, dict[str, Any]]:
        """Between the legs on the held-out ties, per forecaster: the worst reliability gap among bins
        of 30+ ties and how often a perfectly calibrated forecaster with the same forecasts keeps every
        such bin within 5 points (:mod:`remontada.evaluation.reliability_target`)."""
        from remontada.evaluation.reliability_target import reliability_target_chance

        held = self.keys("held_out") == held_out_label(HELD_OUT_FROM)
        if "between_legs" not in self.forecasts or not held.any():
            return {}
        return {
            name: reliability_target_chance(p[held], self.outcome[held], bins).to_dict()
            for name, p in self.forecasts["between_legs"].items()
        }

    def to_dict(self, bins: int = 10) -> dict[str, Any]:
        return {
            "ties": len(self.ties),
            "model": self.model,
            "event": "the side at home in the second leg goes through",
            "scope": SCOPE_NOTE,
            "summary": self.summary().to_dict(orient="records"),
            "by_competition": self.summary("competition").to_dict(orient="records"),
            "by_era": self.summary("era").to_dict(orient="records"),
            "with_market": self.summary(with_market=True).to_dict(orient="records"),
            "with_market_by_era": self.summary("era", with_market=True).to_dict(orient="records"),
            "with_market_by_competition": self.summary("competition", with_market=True).to_dict(orient="records"),
            "second_leg_adjustment": None if self.adjustment is None else self.adjustment.to_csv(),
            "held_out_reliability": self.held_out_reliability(bins),
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
def fit_day(day: dt.date, step_days: int = 1) -> dt.date:
    """The morning the model is fitted for a forecast on ``day``: ``day`` itself (``step_days`` 1) or,
    with ``step_days`` 7, the Monday of its week (one fit serves a round's Tuesday-Thursday legs;
    the model then knows less, never more)."""
    if step_days == 1:
        return day
    if step_days == 7:
        return day - dt.timedelta(days=day.weekday())
    raise ValueError(f"step_days must be 1 (every forecast date) or 7 (weekly, on Mondays), got {step_days}")


#: One forecast request: (tie index, tie, horizon).
Request = tuple[int, Tie, str]
#: Its answer: (tie index, horizon, P(B through) or NaN, second-leg grid between the legs, error or None).
Answer = tuple[int, str, float, np.ndarray | None, str | None]


def forecast_day(source: GridSource, requests: Sequence[Request], day: dt.date) -> list[Answer]:
    """Answer every request of one fit day from ``source`` (grids as of ``day``)."""
    answers: list[Answer] = []
    for i, tie, horizon in requests:
        try:
            p, leg2 = _model_p_b(source, tie, horizon, day)
        except KeyError as exc:
            why = f"the model cannot rate a club as of {day.isoformat()}: {exc}"
            answers.append((i, horizon, float("nan"), None, why))
            continue
        answers.append((i, horizon, p, leg2.probs if horizon == "between_legs" else None, None))
    return answers


def _forecast_day_job(factory: Callable[[], GridSource], requests: Sequence[Request], day: dt.date) -> list[Answer]:
    """One Dask task: a fresh forecaster on the worker, then :func:`forecast_day`."""
    return forecast_day(factory(), requests, day)


def backtest_ties(
    targets: Sequence[Tie],
    history: Iterable[Tie],
    forecaster_for_date: Callable[[], GridSource],
    *,
    model: str = "model",
    horizons: Sequence[str] = HORIZONS,
    progress: bool = False,
    step_days: int = 1,
    client: Any = None,
) -> TieBacktest:
    """Forecast every tie of ``targets`` at each horizon with a model and with the base rate.

    ``forecaster_for_date()`` is called once per fit day and asked for grids as of that day only:
    the forecast date itself, or with ``step_days=7`` the Monday of its week (:func:`fit_day`).
    ``history`` feeds the base rate (only ties ended before each forecast date count). A tie the
    model cannot price (``KeyError``: a club it has not rated) is skipped at every horizon, so all
    forecasters are scored on the same ties.

    With a Dask ``client`` (see :mod:`remontada.simulate.distributed`) the fit days run as tasks on
    its workers; ``forecaster_for_date`` must then pickle (e.g. :class:`StoreForecasterFactory`).
    Each task fits from the same data as the single-process run, so the forecasts are identical.
    """
    unknown = sorted(set(horizons) - set(HORIZONS))
    if unknown:
        raise ValueError(f"unknown horizon(s) {', '.join(unknown)}; choose from {', '.join(HORIZONS)}")
    started = time.perf_counter()
    baseline = BaseRateBaseline(history)
    requests: dict[dt.date, list[Request]] = defaultdict(list)
    for i, tie in enumerate(targets):
        assert tie.leg1 is not None and tie.leg2 is not None and tie.leg1.date and tie.leg2.date
        if "before_tie" in horizons:
            requests[fit_day(tie.leg1.date, step_days)].append((i, tie, "before_tie"))
        if "between_legs" in horizons:
            requests[fit_day(tie.leg2.date, step_days)].append((i, tie, "between_legs"))
    days = sorted(requests)
    answers: list[list[Answer]]
    if client is None:
        answers = []
        with _Progress(progress, len(days)) as advance:
            for day in days:
                answers.append(forecast_day(forecaster_for_date(), requests[day], day))
                advance()
    else:
        futures = client.map(
            _forecast_day_job, [forecaster_for_date] * len(days), [requests[d] for d in days], days, pure=False
        )
        answers = client.gather(futures)
    model_p = {h: np.full(len(targets), np.nan) for h in horizons}
    base_p = {h: np.full(len(targets), np.nan) for h in horizons}
    grids: list[np.ndarray | None] = [None] * len(targets)
    failed: dict[int, str] = {}
    for day_answers in answers:  # in day order, so the first failure of a tie is reported
        for i, horizon, p, leg2, error in day_answers:
            if error is not None:
                failed.setdefault(i, error)
                continue
            model_p[horizon][i] = p
            if leg2 is not None:
                grids[i] = leg2
    for i, tie in enumerate(targets):
        assert tie.leg1 is not None and tie.leg2 is not None
        if "before_tie" in horizons:
            base_p["before_tie"][i] = baseline.before_tie(tie.leg1.date)  # type: ignore[arg-type]
        if "between_legs" in horizons:
            base_p["between_legs"][i] = baseline.between_legs(tie, tie.leg2.date)  # type: ignore[arg-type]
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
        fits=len(days),
        leg2_grids=tuple(g for g, k in zip(grids, keep, strict=True) if k),
    )


def _model_p_b(source: GridSource, tie: Tie, horizon: str, day: dt.date) -> tuple[float, ScoreGrid]:
    """P(B through) from ``source``'s grids as of ``day``, and the second-leg grid it used."""
    assert tie.leg1 is not None and tie.leg2 is not None and tie.rules is not None
    a, b, comp = tie.team_a, tie.team_b, tie.competition
    leg2 = source.grid(b, a, day, neutral=tie.leg2.neutral, competition=comp)
    if horizon == "between_legs":
        first_leg = (int(tie.leg1.home_goals), int(tie.leg1.away_goals))  # type: ignore[arg-type]
        forecast = forecast_second_leg(first_leg, leg2, rules=tie.rules, on_unmodelled="even")
    else:
        leg1 = source.grid(a, b, day, neutral=tie.leg1.neutral, competition=comp)
        forecast = forecast_tie(leg1, leg2, rules=tie.rules, on_unmodelled="even")
    return float(np.clip(forecast.p_b, 0.0, 1.0)), leg2


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


class StoreForecasterFactory:
    """Makes a fresh :class:`~remontada.forecast.Forecaster` of ``model`` on the store at ``path``.

    It pickles (a path and two names), so a Dask worker can build forecasters from it; each process
    opens the store once, read-only.
    """

    _open: ClassVar[dict[str, Store]] = {}

    def __init__(self, path: str | Path, model: str, cache_dir: Path | bool | None = None) -> None:
        self.path, self.model, self.cache_dir = str(path), model, cache_dir

    def __call__(self) -> GridSource:
        from remontada.forecast import Forecaster

        store = self._open.get(self.path)
        if store is None:
            store = self._open[self.path] = Store(self.path)
        return Forecaster(store, self.model, cache_dir=self.cache_dir)


def adjusted_name(model: str) -> str:
    """The forecaster name of ``model`` with the second-leg adjustment."""
    return f"{model} + second-leg adjustment"


#: The second-leg designs compared on the validation folds (keyword arguments of
#: :meth:`SecondLegAdjustment.fit`); the first is the earlier release's.
SECOND_LEG_DESIGNS: dict[str, dict[str, Any]] = {
    "per lead, prior 10 goals at factor 1 (the earlier fit)": {
        "prior_goals": 10.0, "prior_to": "model", "gap_slopes": False,
    },
    "per lead, prior 200 goals at the pooled factor": {"prior_goals": 200.0, "prior_to": "pooled", "gap_slopes": False},
    "per lead, prior 200 goals at the pooled factor, + strength-gap slopes": {
        "prior_goals": 200.0, "prior_to": "pooled", "gap_slopes": True,
    },
}  # fmt: skip
#: The design fitted by :func:`fit_second_leg`: the lowest mean log loss on :data:`VALIDATION_FOLDS` (only) with
#: the country prior's grids (issue 12; with the earlier grids the gap slopes had been lowest, by noise).
SHIPPED_DESIGN = "per lead, prior 200 goals at the pooled factor"
#: Validation folds inside the fitted period: (fit on seasons before, validate from, validate to).
VALIDATION_FOLDS: tuple[tuple[str, str, str], ...] = (
    ("2011-12", "2011-12", "2015-16"),
    ("2006-07", "2006-07", "2010-11"),
)


def _second_legs(
    result: TieBacktest, keep: Callable[[Tie], bool]
) -> tuple[list[np.ndarray], list[tuple[int, int]], list[tuple[int, int]], list[int]]:
    """The walk-forward second-leg grids, first-leg and second-leg scores of the ties ``keep`` accepts
    (second leg hosted by B, 90-minute score known), and their indices in ``result.ties``."""
    grids, firsts, seconds, index = [], [], [], []
    for i, (tie, grid) in enumerate(zip(result.ties, result.leg2_grids, strict=True)):
        if grid is None or not keep(tie):
            continue
        assert tie.leg1 is not None and tie.leg2 is not None
        if tie.leg2.home_goals is None or tie.leg2.away_goals is None or tie.leg2.home_id != tie.team_b:
            continue
        grids.append(grid)
        firsts.append((int(tie.leg1.home_goals), int(tie.leg1.away_goals)))  # type: ignore[arg-type]
        seconds.append((int(tie.leg2.home_goals), int(tie.leg2.away_goals)))
        index.append(i)
    return grids, firsts, seconds, index


def fit_second_leg(
    result: TieBacktest, *, before: str = HELD_OUT_FROM, since: str | None = None, design: str = SHIPPED_DESIGN
) -> SecondLegAdjustment:
    """The second-leg adjustment fitted (maximum likelihood, :data:`SECOND_LEG_DESIGNS` ``[design]``)
    on the backtest's ties of seasons ``since`` (default: the first) to the one before ``before``: the
    model's walk-forward second-leg grids against the real second legs' 90-minute scores."""
    lo = season_start_year(since) if since is not None else -1
    hi = season_start_year(before)
    grids, firsts, seconds, index = _second_legs(result, lambda t: lo <= season_start_year(t.season) < hi)
    seasons = [result.ties[i].season for i in index]
    span = f"{min(seasons, key=season_start_year)}..{max(seasons, key=season_start_year)}" if seasons else "?..?"
    note = f"fitted on {len(grids)} second legs of {span} against walk-forward {result.model} grids ({design})"
    return SecondLegAdjustment.fit(grids, firsts, seconds, note=note, **SECOND_LEG_DESIGNS[design])


def second_leg_p(result: TieBacktest, adjustment: SecondLegAdjustment, index: Sequence[int] | np.ndarray) -> np.ndarray:
    """P(B through) between the legs with ``adjustment`` on the ties at ``index`` (NaN: no grid)."""
    p = np.full(len(index), np.nan)
    for j, i in enumerate(index):
        tie, grid = result.ties[i], result.leg2_grids[i]
        if grid is None:
            continue
        assert tie.leg1 is not None and tie.rules is not None
        assert tie.leg1.home_goals is not None and tie.leg1.away_goals is not None
        first_leg = (int(tie.leg1.home_goals), int(tie.leg1.away_goals))
        leg2 = adjustment.apply(ScoreGrid(grid), first_leg)
        forecast = forecast_second_leg(first_leg, leg2, rules=tie.rules, on_unmodelled="even")
        p[j] = float(np.clip(forecast.p_b, 0.0, 1.0))
    return p


def second_leg_validation(
    result: TieBacktest,
    designs: dict[str, dict[str, Any]] | None = None,
    folds: Sequence[tuple[str, str, str]] = VALIDATION_FOLDS,
    bins: int = 10,
) -> pd.DataFrame:
    """Each second-leg design fitted on the seasons before a fold and scored between the legs on the
    fold's seasons (all inside the fitted period, before :data:`HELD_OUT_FROM`): log loss (nats),
    Brier, the paired log-loss difference to the first design with its standard error, and the
    worst reliability gap among ``bins`` bins of 30+ ties."""
    designs = SECOND_LEG_DESIGNS if designs is None else designs
    years = np.array([season_start_year(t.season) for t in result.ties])
    rows = []
    for before, first, last in folds:
        cut = season_start_year(before)
        grids, firsts, seconds, _ = _second_legs(result, lambda t, c=cut: season_start_year(t.season) < c)  # type: ignore[misc]
        span = (years >= season_start_year(first)) & (years <= season_start_year(last))
        index = np.flatnonzero(span & np.array([g is not None for g in result.leg2_grids], bool))
        if not grids or not len(index):
            continue
        y = result.outcome[index]
        reference = None
        for name, options in designs.items():
            adjustment = SecondLegAdjustment.fit(grids, firsts, seconds, **options)
            p = np.clip(second_leg_p(result, adjustment, index), 1e-12, 1 - 1e-12)
            loss = -(y * np.log(p) + (1 - y) * np.log(1 - p))
            reference = loss if reference is None else reference
            diff = loss - reference
            table = scoring.calibration_table(p, y, bins).to_records()
            gaps = [
                abs(float(r["observed"] or 0.0) - float(r["mean_forecast"] or 0.0))
                for r in table
                if int(r["count"] or 0) >= 30
            ]
            rows.append({
                "fit": f"before {before} ({len(grids)} second legs)", "validate": f"{first}..{last}",
                "design": name, "ties": len(index), "log_loss": float(loss.mean()),
                "brier": float(((p - y) ** 2).mean()),
                "log_loss_minus_first": float(diff.mean()),
                "se": float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan"),
                "worst_gap": max(gaps, default=float("nan")),
            })  # fmt: skip
    return pd.DataFrame(rows)


def second_leg_by_era(
    result: TieBacktest, eras: Sequence[tuple[str, str]] | None = None
) -> list[tuple[str, SecondLegAdjustment]]:
    """The per-lead factors (no prior, no gap slopes: the raw goals / expected goals) fitted on each
    era of ``eras`` (first season, season after the last; default the report's eras before
    :data:`HELD_OUT_FROM`)."""
    if eras is None:
        starts = [f"{y}-{(y + 1) % 100:02d}" for y, _ in ERAS]
        eras = list(itertools.pairwise(starts))
    out = []
    for first, after in eras:
        lo, hi = season_start_year(first), season_start_year(after)
        grids, firsts, seconds, _ = _second_legs(result, lambda t, a=lo, b=hi: a <= season_start_year(t.season) < b)  # type: ignore[misc]
        label = f"{first}..{hi - 1}-{hi % 100:02d}"
        out.append((label, SecondLegAdjustment.fit(grids, firsts, seconds, prior_goals=0.0, prior_to="model",
                                                   gap_slopes=False, note=label)))  # fmt: skip
    return out


def by_strength_gap(result: TieBacktest, *, before: str = HELD_OUT_FROM, groups: int = 8) -> pd.DataFrame:
    """Between the legs, on the ties before ``before``: per ``groups``-quantile of the model's strength
    gap (:func:`remontada.ties.second_leg.strength_gap` of its second-leg grid), the host's and the
    visitor's goals over the model's expected goals, and the mean forecast against the observed rate."""
    from remontada.ties.second_leg import strength_gap

    cut = season_start_year(before)
    grids, _, seconds, keep = _second_legs(result, lambda t: season_start_year(t.season) < cut)
    if len(grids) < 2 * groups:
        return pd.DataFrame()
    expected = np.array([ScoreGrid(g).expected_goals() for g in grids]).reshape(-1, 2)
    goals = np.array(seconds, float).reshape(-1, 2)
    gap = np.array([strength_gap((h, a)) for h, a in expected])
    between = result.forecasts.get("between_legs", {})
    frame = pd.DataFrame({
        "gap": gap, "host_goals": goals[:, 0], "host_expected": expected[:, 0], "visitor_goals": goals[:, 1],
        "visitor_expected": expected[:, 1], "observed": result.outcome[keep],
        "model": between[result.model][keep] if result.model in between else np.nan,
        "adjusted": between[adjusted_name(result.model)][keep] if adjusted_name(result.model) in between else np.nan,
    })  # fmt: skip
    frame["group"] = pd.qcut(frame["gap"], groups, labels=False, duplicates="drop")
    rows = []
    for _, g in frame.groupby("group"):
        rows.append({
            "gap_low": float(g["gap"].min()), "gap_high": float(g["gap"].max()), "mean_gap": float(g["gap"].mean()),
            "ties": len(g), "host_ratio": float(g["host_goals"].sum() / g["host_expected"].sum()),
            "visitor_ratio": float(g["visitor_goals"].sum() / g["visitor_expected"].sum()),
            "model": float(g["model"].mean()), "adjusted": float(g["adjusted"].mean()),
            "observed": float(g["observed"].mean()),
        })  # fmt: skip
    return pd.DataFrame(rows)


def with_second_leg(result: TieBacktest, adjustment: SecondLegAdjustment) -> TieBacktest:
    """``result`` with the forecaster "``model`` + second-leg adjustment" between the legs: the same
    walk-forward second-leg grids, adjusted for the first-leg score, through the tie engine."""
    p = second_leg_p(result, adjustment, np.arange(len(result.ties)))
    forecasts = {h: dict(per_name) for h, per_name in result.forecasts.items()}
    if "between_legs" in forecasts:
        forecasts["between_legs"][adjusted_name(result.model)] = p
    return replace(result, forecasts=forecasts)


def recalibrated_name(model: str) -> str:
    """The forecaster name of ``model`` with the second-leg adjustment and the competition recalibration."""
    return f"{adjusted_name(model)} + competition recalibration"


#: Prior strengths compared on the validation folds (:func:`recalibration_validation`); ``inf`` is the identity.
RECALIBRATION_STRENGTHS: tuple[float, ...] = (0.0, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, float("inf"))
#: Groupings compared: per competition, or per competition and stage (main draw / qualifying and play-off).
RECALIBRATION_GROUPS: tuple[str, ...] = ("competition", "competition x stage")


def _decided_day(tie: Tie) -> dt.date:
    """The day a tie ended (its last leg or replay)."""
    days = [leg.date for leg in (tie.leg1, tie.leg2, *tie.replays) if leg is not None and leg.date is not None]
    if not days:
        raise ValueError(f"{tie.describe()}: no leg has a date")
    return max(days)


def _group_keys(result: TieBacktest, grouping: str) -> list[str]:
    if grouping == "competition":
        return [t.competition for t in result.ties]
    if grouping == "competition x stage":
        return [f"{t.competition}|{'main' if t.stage == 'knockout' else 'qualifying'}" for t in result.ties]
    raise ValueError(f"grouping is one of {RECALIBRATION_GROUPS}, got {grouping!r}")


def recalibrated_p(
    result: TieBacktest,
    p: np.ndarray,
    *,
    prior_strength: float = PRIOR_STRENGTH,
    grouping: str = "competition",
    targets: np.ndarray | None = None,
    visible: np.ndarray | None = None,
) -> np.ndarray:
    """Walk-forward per-competition recalibration (:func:`remontada.ties.recalibration.walk_forward`) of
    ``p`` (P(B through) between the legs, aligned with ``result.ties``): each tie of ``targets`` recalibrated
    by the line fitted on its group's ties decided before the Monday of its second leg's week, with their
    forecasts ``p``. ``visible`` (default: all) hides ties from the learning (a competition that "starts" later)."""
    y = result.outcome.astype(float)
    if visible is not None:
        y = np.where(np.asarray(visible, bool), y, np.nan)
    decided = [_decided_day(t) for t in result.ties]
    days = [
        t.leg2.date if t.leg2 is not None and t.leg2.date is not None else end
        for t, end in zip(result.ties, decided, strict=True)
    ]
    return walk_forward(_group_keys(result, grouping), p, y, decided, days, prior_strength=prior_strength,
                        targets=targets)  # fmt: skip


def with_recalibration(result: TieBacktest, prior_strength: float = PRIOR_STRENGTH) -> TieBacktest:
    """``result`` with the forecaster "``model`` + second-leg adjustment + competition recalibration" between
    the legs: the adjusted forecasts recalibrated walk-forward per competition (:func:`recalibrated_p`)."""
    between = result.forecasts.get("between_legs", {})
    name = adjusted_name(result.model)
    if name not in between:
        return result
    forecasts = {h: dict(per_name) for h, per_name in result.forecasts.items()}
    forecasts["between_legs"][recalibrated_name(result.model)] = recalibrated_p(
        result, between[name], prior_strength=prior_strength
    )
    return replace(result, forecasts=forecasts)


def fit_recalibration(result: TieBacktest, prior_strength: float = PRIOR_STRENGTH) -> CompetitionRecalibration:
    """The per-competition recalibration fitted on every tie of ``result`` (all decided by now), with the
    model's adjusted forecasts between the legs (``remontada backtest-ties --fit-recalibration``; not applied
    to the answers of ``tie``: see ``docs/tie-calibration.md``)."""
    p = result.forecasts["between_legs"][adjusted_name(result.model)]
    seasons = sorted({t.season for t in result.ties}, key=season_start_year)
    span = f"{seasons[0]}..{seasons[-1]}" if seasons else "?..?"
    note = (f"fitted on {int(np.isfinite(p).sum())} ties of {span} against walk-forward {adjusted_name(result.model)} "
            f"forecasts between the legs")  # fmt: skip
    return CompetitionRecalibration(prior_strength).fit([t.competition for t in result.ties], p, result.outcome,
                                                        note=note)  # fmt: skip


def recalibration_validation(
    result: TieBacktest,
    strengths: Sequence[float] = RECALIBRATION_STRENGTHS,
    groupings: Sequence[str] = RECALIBRATION_GROUPS,
    folds: Sequence[tuple[str, str, str]] = VALIDATION_FOLDS,
) -> pd.DataFrame:
    """The recalibration's choices scored on the validation folds only (before :data:`HELD_OUT_FROM`).

    Per fold, the shipped second-leg design is fitted on the seasons before it and applied to every tie;
    the recalibration then learns walk-forward on these forecasts in two settings: ``history`` (every
    earlier tie of the competition, as for a long-running competition) and ``new`` (the competition's
    ties before the fold hidden, as if it began with the fold: the Conference League's position in
    2021-22). Rows: setting, grouping, prior strength, fold, ties, log loss (nats), Brier, and the paired
    log-loss difference to the identity with its standard error."""
    years = np.array([season_start_year(t.season) for t in result.ties])
    rows = []
    for before, first, last in folds:
        adjustment = fit_second_leg(result, before=before)
        p = second_leg_p(result, adjustment, np.arange(len(result.ties)))
        span = (years >= season_start_year(first)) & (years <= season_start_year(last)) & np.isfinite(p)
        if not span.any():
            continue
        y = result.outcome[span]
        identity = _log_loss(p[span], y)
        for setting, visible in (("history", None), ("new", years >= season_start_year(first))):
            for grouping in groupings:
                for strength in strengths:
                    q = recalibrated_p(result, p, prior_strength=strength, grouping=grouping, targets=span,
                                       visible=visible)[span]  # fmt: skip
                    loss = _log_loss(q, y)
                    diff = loss - identity
                    rows.append({
                        "setting": setting, "grouping": grouping, "prior_strength": strength,
                        "validate": f"{first}..{last}", "ties": int(span.sum()), "log_loss": float(loss.mean()),
                        "brier": float(((q - y) ** 2).mean()), "minus_identity": float(diff.mean()),
                        "se": float(diff.std(ddof=1) / np.sqrt(len(diff))) if len(diff) > 1 else float("nan"),
                    })  # fmt: skip
    return pd.DataFrame(rows)


def choose_recalibration(validation: pd.DataFrame) -> tuple[str, float]:
    """The rule fixed before any held-out tie was scored: the (grouping, prior strength) with the lowest
    log loss averaged over the folds and over the two settings (``history`` and ``new``) with equal weight."""
    means = validation.groupby(["grouping", "prior_strength"])["log_loss"].mean()
    grouping, strength = means.idxmin()
    return str(grouping), float(strength)


def _log_loss(p: np.ndarray, y: np.ndarray) -> np.ndarray:
    q = np.clip(p, 1e-12, 1 - 1e-12)
    return -(y * np.log(q) + (1 - y) * np.log(1 - q))


def with_market(result: TieBacktest, market: Any) -> TieBacktest:
    """``result`` with the market's forecasts (a :class:`remontada.ties.market.MarketForecasts`
    aligned with ``result.ties``; NaN where a leg is not priced)."""
    forecasts = {h: dict(per_name) for h, per_name in result.forecasts.items()}
    for horizon in forecasts:
        forecasts[horizon][MARKET] = np.asarray(getattr(market, horizon), dtype=float)
    odds = {
        **result.odds,
        "market_priced": {h: int(np.isfinite(forecasts[h][MARKET]).sum()) for h in forecasts},
        "market_home_factor": market.home,
        "market_home_pairs": market.home_pairs,
        "market_books": market.books,
        "market_margin_method": "shin",
        "market_max_residual": market.max_residual,
    }
    return replace(result, forecasts=forecasts, odds=odds)


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
    step_days: int = 1,
    client: Any = None,
    market: bool = True,
    second_leg: SecondLegAdjustment | str | None = "fit",
    recalibration: float | None = PRIOR_STRENGTH,
) -> TieBacktest:
    """The walk-forward tie backtest on ``store`` with a :class:`~remontada.forecast.Forecaster` of
    ``model`` (default: the forecast module's default). ``cache_dir`` as for the Forecaster
    (``None``: fits are kept in memory only, one date at a time); ``step_days`` and ``client`` as
    for :func:`backtest_ties`.

    ``market`` adds the market's forecasts (:mod:`remontada.ties.market`) where the legs are priced.
    ``second_leg`` adds the model with the second-leg adjustment between the legs: ``"fit"`` fits it
    on this backtest's ties before :data:`HELD_OUT_FROM` (when there are any), ``"packaged"`` uses
    the packaged fit, an adjustment object is used as given, ``None`` adds nothing. ``recalibration``
    (a prior strength; ``None``: not added) adds that forecaster recalibrated walk-forward per competition
    (:func:`with_recalibration`).
    """
    from remontada.forecast import DEFAULT_MODEL

    name = model or DEFAULT_MODEL
    history = rebuild_ties(store, history_competitions)
    targets, left_out = evaluation_ties(history, competitions=competitions, since=since, until=until, stages=stages)
    factory = StoreForecasterFactory(store.path, name, cache_dir)
    if client is None:

        def fresh() -> GridSource:
            from remontada.forecast import Forecaster

            return Forecaster(store, name, cache_dir=cache_dir)

        source_factory: Callable[[], GridSource] = fresh
    else:
        source_factory = factory
    result = backtest_ties(
        targets, history, source_factory, model=name, horizons=horizons, progress=progress, step_days=step_days,
        client=client,
    )  # fmt: skip
    since_text = f"{season_start_year(since)}-{(season_start_year(since) + 1) % 100:02d}"
    result = replace(result, skipped=(*left_out, *result.skipped), odds=odds_coverage(store, competitions, since_text))
    if market and len(result.ties):
        from remontada.ties.market import market_forecasts

        try:
            result = with_market(result, market_forecasts(store, result.ties))
        except LookupError as exc:  # no priced matches in the store (no OddsPortal source)
            result = replace(result, odds={**result.odds, "market_note": f"no market forecasts: {exc}"})
    if second_leg is not None and "between_legs" in result.forecasts:
        if isinstance(second_leg, SecondLegAdjustment):
            adjustment = second_leg
        elif second_leg == "packaged":
            adjustment = packaged_second_leg()
        elif any(season_start_year(t.season) < season_start_year(HELD_OUT_FROM) for t in result.ties):
            adjustment = fit_second_leg(result)
        else:
            adjustment = packaged_second_leg()
        result = replace(with_second_leg(result, adjustment), adjustment=adjustment)
        if recalibration is not None:
            result = with_recalibration(result, recalibration)
    return result
