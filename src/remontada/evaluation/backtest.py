"""Walk-forward backtests: every forecaster prices the same matches knowing only the past.

The evaluation matches are cut into consecutive blocks of ``step_days`` days. Before a
block starting on day ``d`` each forecaster is updated with every match played strictly
before ``d`` (all competitions, not only the evaluated one), then asked for
``[P(home win), P(draw), P(away win)]`` of the block's fixtures. Fixtures are handed over
with their goals masked (``-1``) and only the ``extras`` known before kick-off (bookmaker
prices), so a forecaster cannot see a result it is asked to predict; a later match in the
same block is forecast with the same (slightly older) knowledge, never with more.

Scores are computed on exactly the matches every compared forecaster priced. Forecasters
that read bookmaker prices say so (``uses_market``) and are labelled in the summary.
"""

from __future__ import annotations

import inspect
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import pandas as pd

from remontada import odds
from remontada.evaluation import scoring
from remontada.matchset import MatchSet

#: Extras known before kick-off, passed to forecasters with the fixtures: football-data's
#: Pinnacle and market-average prices, pre-match (``psh``...) and closing (``psch``...),
#: plus Bet365 and market maximum. Anything else (shots, cards, half-time score) is withheld.
PRE_MATCH_COLUMNS: tuple[str, ...] = (
    "psh", "psd", "psa", "psch", "pscd", "psca",
    "avgh", "avgd", "avga", "avgch", "avgcd", "avgca",
    "maxh", "maxd", "maxa", "maxch", "maxcd", "maxca",
    "b365h", "b365d", "b365a", "b365ch", "b365cd", "b365ca",
)  # fmt: skip

OUTCOMES = ("home", "draw", "away")


@runtime_checkable
class WalkForwardForecaster(Protocol):
    """Something that learns from past matches and prices fixtures (1X2 probabilities)."""

    name: str
    #: True when the forecast reads bookmaker prices (reported next to the pure models).
    uses_market: bool

    def update(self, history: MatchSet, new: MatchSet) -> None:
        """Learn from ``history`` (every match before the block); ``new`` is its part not seen at the last update."""
        ...

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        """``(n, 3)`` probabilities in [0, 1] of home win, draw, away win; a row of NaN where it cannot price."""
        ...


def match_outcome(home_goals: np.ndarray, away_goals: np.ndarray) -> np.ndarray:
    """0 for a home win, 1 for a draw, 2 for an away win."""
    diff = np.asarray(home_goals) - np.asarray(away_goals)
    return np.where(diff > 0, 0, np.where(diff == 0, 1, 2))


def mask_results(fixtures: MatchSet, pre_match_columns: Sequence[str] = PRE_MATCH_COLUMNS) -> MatchSet:
    """The fixtures as a forecaster may see them: goals ``-1``, only pre-match extras."""
    hidden = np.full(len(fixtures), -1, dtype=np.int64)
    keep = {name: col for name, col in fixtures.extras.items() if name in set(pre_match_columns)}
    return MatchSet(
        date=fixtures.date,
        home=fixtures.home,
        away=fixtures.away,
        home_goals=hidden,
        away_goals=hidden.copy(),
        neutral=fixtures.neutral,
        competition=fixtures.competition,
        season=fixtures.season,
        match_id=fixtures.match_id,
        extras=keep,
    )


# ---- result --------------------------------------------------------------------------------
@dataclass(frozen=True)
class WalkForwardResult:
    """Per-match forecasts of every forecaster on the evaluated matches, and their scores.

    ``probs[name]`` is ``(n, 3)``; NaN rows are matches that forecaster could not price.
    ``seconds[name]`` is the wall time spent updating and forecasting.
    """

    fixtures: MatchSet
    outcome: np.ndarray
    probs: dict[str, np.ndarray]
    uses_market: dict[str, bool]
    seconds: dict[str, float]
    notes: list[str] = field(default_factory=list)

    def subset(self, mask: np.ndarray) -> WalkForwardResult:
        """The same result restricted to some evaluated matches (e.g. the reported seasons)."""
        mask = np.asarray(mask)
        return WalkForwardResult(
            fixtures=self.fixtures.select(mask),
            outcome=self.outcome[mask],
            probs={name: p[mask] for name, p in self.probs.items()},
            uses_market=dict(self.uses_market),
            seconds=dict(self.seconds),
            notes=list(self.notes),
        )

    def covered(self, names: Sequence[str] | None = None) -> np.ndarray:
        """Matches priced by every forecaster in ``names`` (all by default)."""
        names = list(self.probs) if names is None else list(names)
        ok = np.ones(len(self.outcome), dtype=bool)
        for name in names:
            ok &= np.isfinite(self.probs[name]).all(axis=1)
        return ok

    def scores(self, name: str) -> dict[str, np.ndarray]:
        """Per-match RPS, log loss and Brier score of one forecaster (NaN where it did not price)."""
        return per_match_scores(self.probs[name], self.outcome)

    def summary(self, names: Sequence[str] | None = None, mask: np.ndarray | None = None) -> pd.DataFrame:
        """Mean RPS, log loss and Brier per forecaster on exactly the same matches, best RPS first.

        The matches are those priced by every forecaster in ``names`` (default: every forecaster
        that priced at least 99% of the evaluated matches), within ``mask`` if given.
        """
        if names is None:
            names = [n for n, p in self.probs.items() if np.isfinite(p).all(axis=1).mean() >= 0.99]
        common = self.covered(names)
        if mask is not None:
            common &= np.asarray(mask, dtype=bool)
        rows = []
        for name in names:
            s = per_match_scores(self.probs[name][common], self.outcome[common])
            rows.append(
                {
                    "forecaster": name,
                    "matches": int(common.sum()),
                    "rps": float(s["rps"].mean()),
                    "log_loss": float(s["log_loss"].mean()),
                    "brier": float(s["brier"].mean()),
                    "uses_market": self.uses_market[name],
                    "seconds": round(self.seconds[name], 1),
                }
            )
        return pd.DataFrame(rows).sort_values("rps", kind="stable").reset_index(drop=True)

    def calibration(
        self, names: Sequence[str] | None = None, bins: int = 10, category: int | None = None
    ) -> dict[str, scoring.CalibrationTable]:
        """Reliability tables (:func:`remontada.evaluation.scoring.calibration_table`) on the common matches.

        One-vs-rest over home, draw and away unless ``category`` (0, 1, 2) picks one outcome.
        """
        if names is None:
            names = [n for n, p in self.probs.items() if np.isfinite(p).all(axis=1).mean() >= 0.99]
        common = self.covered(names)
        return {
            name: scoring.calibration_table(self.probs[name][common], self.outcome[common], bins, category=category)
            for name in names
        }

    def plot_calibration(self, path: str | Path, names: Sequence[str] | None = None, *, title: str = "") -> Path:
        """Write the reliability diagram of ``names`` (default: all with full coverage) as a PNG."""
        tables = self.calibration(names)
        n_matches = int(self.covered(list(tables)).sum())
        return scoring.plot_calibration(tables, path, title=title or f"Calibration, {n_matches} matches")

    def to_frame(self) -> pd.DataFrame:
        """One row per evaluated match: teams, score, outcome and every forecaster's three probabilities."""
        f = self.fixtures
        frame = pd.DataFrame(
            {
                "date": f.date,
                "competition": f.competition,
                "season": f.season,
                "home": f.home,
                "away": f.away,
                "home_goals": f.home_goals,
                "away_goals": f.away_goals,
                "outcome": self.outcome,
            }
        )
        for name, p in self.probs.items():
            for k, outcome in enumerate(OUTCOMES):
                frame[f"{name}:{outcome}"] = p[:, k]
        return frame


def per_match_scores(probs: np.ndarray, outcome: np.ndarray) -> dict[str, np.ndarray]:
    """RPS, log loss (natural log) and Brier score of each match, via :mod:`remontada.evaluation.scoring`."""
    return {
        "rps": scoring.rps_per_match(probs, outcome),
        "log_loss": scoring.log_loss_per_match(probs, outcome),
        "brier": scoring.brier_per_match(probs, outcome),
    }


# ---- the engine ----------------------------------------------------------------------------
def walk_forward(
    matches: MatchSet,
    evaluate: np.ndarray,
    forecasters: Sequence[WalkForwardForecaster],
    *,
    step_days: int = 7,
    pre_match_columns: Sequence[str] = PRE_MATCH_COLUMNS,
    progress: bool = True,
) -> WalkForwardResult:
    """Walk forward through the evaluated matches, updating every forecaster before each block.

    ``matches`` is the whole history (every competition) in date order, the evaluated matches
    among them; ``evaluate`` is a boolean mask over ``matches`` (e.g. one competition's seasons).
    ``step_days`` is the refit cadence: each block covers at most that many days, starting
    at its first evaluated match.
    """
    if step_days < 1:
        raise ValueError(f"step_days must be at least 1, got {step_days}")
    evaluate = np.asarray(evaluate, dtype=bool)
    if evaluate.shape != (len(matches),):
        raise ValueError(f"evaluate has shape {evaluate.shape}, expected ({len(matches)},)")
    day = matches.date.astype("datetime64[D]").astype(np.int64)
    if len(day) and (np.diff(day) < 0).any():
        raise ValueError("matches must be in date order (MatchSet.from_columns sorts them)")
    names = [f.name for f in forecasters]
    if len(set(names)) != len(names):
        raise ValueError(f"forecaster names must be unique, got {names}")

    eval_index = np.flatnonzero(evaluate)
    blocks = _blocks(day[eval_index], step_days)
    probs = {f.name: np.full((len(eval_index), 3), np.nan) for f in forecasters}
    seconds = dict.fromkeys(names, 0.0)
    seen = dict.fromkeys(names, 0)  # history rows already passed to each forecaster

    with _progress_bar(progress, len(blocks)) as advance:
        for start, stop in blocks:
            first_day = day[eval_index[start]]
            n_history = int(np.searchsorted(day, first_day, side="left"))
            history = matches.select(slice(0, n_history))
            fixtures = mask_results(matches.select(eval_index[start:stop]), pre_match_columns)
            for f in forecasters:
                began = time.perf_counter()
                f.update(history, matches.select(slice(seen[f.name], n_history)))
                seen[f.name] = n_history
                out = np.asarray(f.forecast(fixtures), dtype=float)
                if out.shape != (stop - start, 3):
                    raise ValueError(f"{f.name} returned shape {out.shape} for {stop - start} fixtures")
                probs[f.name][start:stop] = out
                seconds[f.name] += time.perf_counter() - began
            advance()

    evaluated = matches.select(eval_index)
    return WalkForwardResult(
        fixtures=evaluated,
        outcome=match_outcome(evaluated.home_goals, evaluated.away_goals),
        probs=probs,
        uses_market={f.name: bool(f.uses_market) for f in forecasters},
        seconds=seconds,
    )


def _blocks(days: np.ndarray, step_days: int) -> list[tuple[int, int]]:
    """Consecutive ``[start, stop)`` index ranges of sorted days, each spanning under ``step_days`` days."""
    blocks = []
    start = 0
    while start < len(days):
        stop = int(np.searchsorted(days, days[start] + step_days, side="left"))
        blocks.append((start, stop))
        start = stop
    return blocks


class _progress_bar:
    """A rich progress bar over blocks, or nothing when disabled."""

    def __init__(self, enabled: bool, total: int) -> None:
        self.enabled, self.total = enabled, total

    def __enter__(self) -> Callable[[], None]:
        if not self.enabled:
            return lambda: None
        from rich.progress import Progress

        self._bar = Progress(transient=True)
        self._bar.start()
        task = self._bar.add_task("walk-forward", total=self.total)
        return lambda: self._bar.advance(task)

    def __exit__(self, *exc: object) -> None:
        if self.enabled:
            self._bar.stop()


# ---- forecasters ---------------------------------------------------------------------------
def _outcomes_from_model(model: Any, fixtures: MatchSet) -> np.ndarray:
    """1X2 probabilities from a fitted model; fixtures it cannot price (an unknown club) get NaN rows.

    Uses the batch ``predict_many(..., outcomes=True)`` of the goal models and Elo, and falls
    back to one ``predict`` per fixture when the batch fails or the model has none.
    """
    n = len(fixtures)
    if hasattr(model, "predict_many"):
        try:
            return np.asarray(
                model.predict_many(
                    fixtures.home, fixtures.away, fixtures.neutral, competition=fixtures.competition, outcomes=True
                ),
                dtype=float,
            ).reshape(n, 3)
        except (KeyError, ValueError):
            pass  # some fixture is unknown to the model: price the others one by one
    out = np.full((n, 3), np.nan)
    for i in range(n):
        try:
            grid = model.predict(
                str(fixtures.home[i]),
                str(fixtures.away[i]),
                neutral=bool(fixtures.neutral[i]),
                competition=str(fixtures.competition[i]),
            )
        except (KeyError, ValueError):
            continue
        out[i] = grid.outcome_probs()
    return out


class ModelForecaster:
    """A :mod:`remontada.models` model (``fit``/``predict``) as a backtest forecaster.

    ``factory()`` makes a fresh, configured model. With ``warm_start`` and a model that has
    ``partial_fit`` (Elo), the model only sees new matches at each update; otherwise a new
    model is fitted on the history of the last ``window_days`` days (all of it when ``None``)
    restricted to ``competitions`` (all when ``None``), at most every ``refit_days`` days.
    """

    uses_market = False

    def __init__(
        self,
        name: str,
        factory: Callable[[], Any],
        *,
        window_days: int | None = None,
        competitions: Sequence[str] | None = None,
        refit_days: int = 0,
        warm_start: bool = True,
    ) -> None:
        self.name = name
        self.factory = factory
        self.window_days = window_days
        self.competitions = None if competitions is None else set(competitions)
        self.refit_days = refit_days
        self.warm_start = warm_start
        self.model: Any = None
        self._fitted_day: np.datetime64 | None = None

    def update(self, history: MatchSet, new: MatchSet) -> None:
        if not len(history):
            return
        if self.warm_start and self.window_days is None and self.competitions is None:
            if self.model is None:
                self.model = self.factory()
            if hasattr(self.model, "partial_fit"):
                if len(new):
                    self.model.partial_fit(new)
                return
        today = history.date[-1]
        if self._fitted_day is not None and (today - self._fitted_day).astype(int) < self.refit_days:
            return
        train = history
        if self.competitions is not None:
            train = train.select(np.isin(train.competition, list(self.competitions)))
        if self.window_days is not None:
            train = train.select(train.date > today - np.timedelta64(self.window_days, "D"))
        model = self.factory()
        if self.warm_start and self.model is not None and "warm_start" in inspect.signature(model.fit).parameters:
            model.fit(train, warm_start=self.model)  # last fit's strengths start the optimiser
        else:
            model.fit(train)
        self.model, self._fitted_day = model, today

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        if self.model is None:
            return np.full((len(fixtures), 3), np.nan)
        return _outcomes_from_model(self.model, fixtures)


class MarketForecaster:
    """De-margined bookmaker prices read from the fixtures' extras (e.g. Pinnacle closing).

    ``columns`` names the home, draw and away decimal-price extras; ``method`` is the margin
    removal of :func:`remontada.odds.remove_margin` (``"multiplicative"``, ``"power"``,
    ``"shin"``, ``"odds_ratio"``). Missing or invalid prices give a NaN row.
    """

    uses_market = True

    def __init__(self, name: str, columns: tuple[str, str, str], method: odds.Method = "shin") -> None:
        self.name, self.columns, self.method = name, columns, method

    def update(self, history: MatchSet, new: MatchSet) -> None:
        return None

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        n = len(fixtures)
        if not all(c in fixtures.extras for c in self.columns):
            return np.full((n, 3), np.nan)
        prices = np.column_stack([np.asarray(fixtures.extras[c], dtype=float) for c in self.columns])
        return demargin(prices, self.method)


def demargin(prices: np.ndarray, method: odds.Method) -> np.ndarray:
    """Fair 1X2 probabilities from ``(n, 3)`` decimal prices via :mod:`remontada.odds`; NaN rows where invalid."""
    out = np.full(prices.shape, np.nan)
    valid = np.isfinite(prices).all(axis=1) & (prices > 1.0).all(axis=1)
    if valid.any():
        out[valid] = odds.remove_margin(prices[valid], method)
    return out


class ClimatologyForecaster:
    """Base rates of home win, draw and away win in the fixture's competition over past seasons.

    Uses the ``seasons`` most recent completed seasons of that competition before the
    fixture's own season (all past matches of every competition when it has none).
    """

    uses_market = False

    def __init__(self, name: str = "climatology", seasons: int = 5) -> None:
        self.name, self.seasons = name, seasons
        self._history: MatchSet | None = None
        self._rates: dict[tuple[str, str], np.ndarray] = {}  # past seasons' rates never change

    def update(self, history: MatchSet, new: MatchSet) -> None:
        self._history = history

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        out = np.full((len(fixtures), 3), np.nan)
        h = self._history
        if h is None or not len(h):
            return out
        for (comp, season), rows in _group(fixtures.competition, fixtures.season).items():
            key = (str(comp), str(season))
            if key not in self._rates:
                in_comp = (h.competition == comp) & (h.season < season)
                past = sorted(set(h.season[in_comp].tolist()))[-self.seasons :]
                pick = in_comp & np.isin(h.season, past) if past else np.ones(len(h), dtype=bool)
                outcome = match_outcome(h.home_goals[pick], h.away_goals[pick])
                self._rates[key] = np.bincount(outcome, minlength=3) / len(outcome)
            out[rows] = self._rates[key]
        return out


def _group(*keys: np.ndarray) -> dict[tuple[Any, ...], np.ndarray]:
    groups: dict[tuple[Any, ...], list[int]] = {}
    for i, key in enumerate(zip(*keys, strict=True)):
        groups.setdefault(key, []).append(i)
    return {k: np.asarray(v) for k, v in groups.items()}


class PenaltyblogForecaster:
    """penaltyblog's ``DixonColesGoalModel``, the open-source peer, refitted at every update.

    Configured as in its documentation: matches of the last ``window_days`` days (3 years)
    weighted ``exp(-xi * age in days)`` with ``xi = 0.0018``; ``competitions`` restricts the
    training matches (default: every competition in the history, so promoted clubs are known).
    A benchmark-only dependency: build it with :func:`penaltyblog_forecaster`, which returns
    ``None`` when penaltyblog is not installed.
    """

    uses_market = False

    def __init__(
        self,
        name: str = "penaltyblog-dixon-coles",
        *,
        window_days: int = 3 * 365,
        xi: float = 0.0018,
        competitions: Sequence[str] | None = None,
        refit_days: int = 0,
    ) -> None:
        import penaltyblog  # noqa: F401  (fail early when the peer is missing)

        self.name, self.window_days, self.xi, self.refit_days = name, window_days, xi, refit_days
        self.competitions = None if competitions is None else list(competitions)
        self.model: Any = None
        self._fitted_day: np.datetime64 | None = None

    def update(self, history: MatchSet, new: MatchSet) -> None:
        from penaltyblog.models import DixonColesGoalModel

        if not len(history):
            return
        today = history.date[-1]
        if self._fitted_day is not None and (today - self._fitted_day).astype(int) < self.refit_days:
            return
        keep = history.date > today - np.timedelta64(self.window_days, "D")
        if self.competitions is not None:
            keep &= np.isin(history.competition, self.competitions)
        train = history.select(keep)
        age = (today - train.date).astype(np.int64).astype(float)
        model = DixonColesGoalModel(
            train.home_goals,
            train.away_goals,
            train.home.astype(str),
            train.away.astype(str),
            weights=np.exp(-self.xi * age),
        )
        model.fit()
        self.model, self._fitted_day = model, today

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        out = np.full((len(fixtures), 3), np.nan)
        if self.model is None:
            return out
        known = set(self.model.teams)
        for i in range(len(fixtures)):
            home, away = str(fixtures.home[i]), str(fixtures.away[i])
            if home in known and away in known:
                grid = self.model.predict(home, away, neutral_venue=bool(fixtures.neutral[i]))
                out[i] = grid.home_draw_away
        return out


def penaltyblog_forecaster(**kwargs: Any) -> PenaltyblogForecaster | None:
    """The penaltyblog peer, or ``None`` (with nothing raised) when penaltyblog is not installed."""
    try:
        return PenaltyblogForecaster(**kwargs)
    except ImportError:
        return None


class SharedForecaster:
    """One forecaster listed on its own and inside pools, computed once per block.

    Without it a component would need a second instance (and twice the fitting) to appear
    both in the summary and in a :class:`PooledForecaster`. Its time is charged to whichever
    caller reaches it first in a block.
    """

    def __init__(self, inner: WalkForwardForecaster) -> None:
        self.inner = inner
        self.name, self.uses_market = inner.name, inner.uses_market
        self._seen = -1
        self._cache: tuple[tuple[Any, ...], np.ndarray] | None = None

    def update(self, history: MatchSet, new: MatchSet) -> None:
        if len(history) == self._seen:
            return
        start = max(self._seen, 0)
        self.inner.update(history, history.select(slice(start, len(history))))
        self._seen = len(history)

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        key = (self._seen, len(fixtures), *(_keys(fixtures.select(slice(0, 1)))))
        if self._cache is None or self._cache[0] != key:
            self._cache = (key, np.asarray(self.inner.forecast(fixtures), dtype=float))
        return self._cache[1].copy()


class PooledForecaster:
    """Logarithmic pooling of other forecasters, with weights learnt from their own past forecasts.

    Each update attaches results to the component forecasts made earlier (now in the
    history) and refits ``pool_factory()`` (e.g. :class:`remontada.models.blend.LogitPool`) on
    those out-of-sample forecasts, at most every ``refit_days`` days and once at least
    ``min_matches`` are available; until then the components are pooled with equal weights.
    Components are updated by the pool; wrap them in :class:`SharedForecaster` to also list
    them on their own without fitting them twice.
    """

    def __init__(
        self,
        name: str,
        components: Sequence[WalkForwardForecaster],
        pool_factory: Callable[[], Any],
        *,
        min_matches: int = 300,
        refit_days: int = 28,
    ) -> None:
        self.name = name
        self.components = list(components)
        self.uses_market = any(c.uses_market for c in self.components)
        self.pool_factory = pool_factory
        self.min_matches, self.refit_days = min_matches, refit_days
        self.pool: Any = None
        self._fitted_day: np.datetime64 | None = None
        self._pending: dict[tuple[Any, ...], np.ndarray] = {}
        self._learned: list[tuple[np.ndarray, int]] = []
        #: (day of the last match in the history, number of matches learnt from) at each fit.
        self.fits_: list[tuple[np.datetime64, int]] = []

    def update(self, history: MatchSet, new: MatchSet) -> None:
        for c in self.components:
            c.update(history, new)
        for key, outcome in zip(_keys(new), match_outcome(new.home_goals, new.away_goals), strict=True):
            stack = self._pending.pop(key, None)
            if stack is not None:
                self._learned.append((stack, int(outcome)))
        if not len(history) or len(self._learned) < self.min_matches:
            return
        today = history.date[-1]
        if self._fitted_day is not None and (today - self._fitted_day).astype(int) < self.refit_days:
            return
        stacks = np.stack([s for s, _ in self._learned])  # (n, k, 3)
        outcomes = np.array([o for _, o in self._learned])
        pool = self.pool_factory()
        pool.fit([stacks[:, k] for k in range(stacks.shape[1])], outcomes)
        self.pool, self._fitted_day = pool, today
        self.fits_.append((today, len(outcomes)))

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        parts = [np.asarray(c.forecast(fixtures), dtype=float) for c in self.components]
        stacks = np.stack(parts, axis=1)  # (n, k, 3)
        ok = np.isfinite(stacks).all(axis=(1, 2))
        for key, stack, good in zip(_keys(fixtures), stacks, ok, strict=True):
            if good:
                self._pending[key] = stack
        out = np.full((len(fixtures), 3), np.nan)
        if not ok.any():
            return out
        if self.pool is None:
            logs = np.log(np.clip(stacks[ok], 1e-12, None)).mean(axis=1)
            p = np.exp(logs - logs.max(axis=1, keepdims=True))
            out[ok] = p / p.sum(axis=1, keepdims=True)
        else:
            out[ok] = self.pool.predict([stacks[ok, k] for k in range(stacks.shape[1])])
        return out


def _keys(matches: MatchSet) -> list[tuple[Any, ...]]:
    """A key per match that survives masking: the store id, or date and clubs."""
    return [
        (int(mid),) if mid >= 0 else (str(d), str(h), str(a))
        for mid, d, h, a in zip(matches.match_id, matches.date, matches.home, matches.away, strict=True)
    ]


def rps_of(probs: np.ndarray, outcome: np.ndarray) -> float:
    """Mean ranked probability score of ``(n, 3)`` forecasts (a convenience over :func:`per_match_scores`)."""
    value = per_match_scores(probs, outcome)["rps"].mean()
    return float(value) if math.isfinite(value) else float("nan")
