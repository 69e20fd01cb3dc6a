"""Pre-match forecasts from the store: fit a model on what was known before a date, then ask it.

This is the one place that turns "Atalanta v Liverpool on 18 April 2024" into a ScoreGrid:
it loads every club match played before that day from the store, fits the chosen model
(all leagues and UEFA competitions at once, so clubs of different leagues share one scale),
and caches the fit in memory and on disk, keyed by the store's last update, the model and the date.

The memory cache is shared by every :class:`Forecaster` of the process (a server's requests each make
their own) and is thread-safe: concurrent requests for the same (store, model, date) wait for one fit.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import pickle
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from remontada import __version__
from remontada.errors import InvalidInput
from remontada.grid import ScoreGrid
from remontada.matchset import MatchSet, to_day
from remontada.paths import user_cache_dir
from remontada.store.reader import Store


class MatchModel(Protocol):
    """What every fitted strength model answers."""

    def rates(
        self, home: str, away: str, *, neutral: bool = False, competition: str | None = None
    ) -> tuple[float, float]: ...

    def predict(self, home: str, away: str, *, neutral: bool = False, competition: str | None = None) -> ScoreGrid: ...


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """A named model configuration: how far back it learns and how to build it."""

    name: str
    description: str
    history_days: int | None  # None: every match in the store
    build: Callable[[], Any]


def _goal_model(kind: str, **kwargs: Any) -> Callable[[], Any]:
    def build() -> Any:
        from remontada import models

        return getattr(models, kind)(**kwargs)

    return build


def _elo(**kwargs: Any) -> Callable[[], Any]:
    def build() -> Any:
        from remontada.models.elo import Elo

        return Elo(**kwargs)

    return build


#: The models ``--model`` accepts. The default is the one the README's backtest supports.
MODELS: dict[str, ModelSpec] = {
    spec.name: spec
    for spec in (
        ModelSpec(
            "dixon-coles",
            "Dixon-Coles, time decay 0.0018/day, teams shrunk to their league (joint fit; clubs of leagues the "
            "data lack, seen only in UEFA competitions, shrunk to their country's European level)",
            4 * 365, _goal_model("DixonColes", home_advantage_by="scope", unlisted_by_country=True),
        ),
        ModelSpec(
            "poisson", "independent Poisson, same prior and decay as dixon-coles",
            4 * 365, _goal_model("Poisson", home_advantage_by="scope"),
        ),
        ModelSpec(
            "bivariate", "bivariate Poisson (Karlis-Ntzoufras), same prior and decay",
            4 * 365, _goal_model("BivariatePoisson", home_advantage_by="scope"),
        ),
        ModelSpec("elo", "ClubElo-style Elo over all history, scored through a fitted goal map", None, _elo()),
    )
}  # fmt: skip
DEFAULT_MODEL = "dixon-coles"

#: Fitted models kept in memory per process (a fit is a few MB), least recently used dropped first.
SHARED_FITS = 64


class _SharedFits:
    """Fitted models of the whole process keyed by (store data, model, date); one fit per key at a time."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._models: OrderedDict[tuple[str, str, np.datetime64], Any] = OrderedDict()
        self._locks: dict[tuple[str, str, np.datetime64], threading.Lock] = {}
        self._guard = threading.Lock()

    def get_or_fit(self, key: tuple[str, str, np.datetime64], fit: Callable[[], Any]) -> Any:
        with self._guard:
            if key in self._models:
                self._models.move_to_end(key)
                return self._models[key]
            lock = self._locks.setdefault(key, threading.Lock())
        with lock:
            with self._guard:
                if key in self._models:
                    return self._models[key]
            model = fit()
            with self._guard:
                self._models[key] = model
                self._locks.pop(key, None)
                while len(self._models) > self.size:
                    self._models.popitem(last=False)
            return model

    def clear(self) -> None:
        with self._guard:
            self._models.clear()


_shared = _SharedFits(SHARED_FITS)
_seen = _SharedFits(4 * SHARED_FITS)


class Forecaster:
    """Fits ``model`` on the store's club matches before a date and forecasts from it.

    ``cache_dir``: where fitted models are pickled (``None``: memory only).
    """

    def __init__(self, store: Store, model: str = DEFAULT_MODEL, *, cache_dir: Path | bool | None = True) -> None:
        if model not in MODELS:
            raise InvalidInput(
                f"unknown model {model!r}; choose from {', '.join(MODELS)}", field="model", allowed=list(MODELS)
            )
        self.store = store
        self.spec = MODELS[model]
        self.cache_dir = user_cache_dir() / "models" if cache_dir is True else (cache_dir or None)
        self._fitted: dict[np.datetime64, Any] = {}

    def history(self, as_of: np.datetime64) -> MatchSet:
        """Club matches the model learns from: played before ``as_of`` (within its history window)."""
        start = None if self.spec.history_days is None else as_of - np.timedelta64(self.spec.history_days, "D")
        return self.store.match_set(start=None if start is None else str(start), end=str(as_of))

    def fitted(self, as_of: str | dt.date | np.datetime64) -> Any:
        """The model fitted on everything played strictly before ``as_of`` (ISO date).

        Fitted once per process for each (store data, model, date): every Forecaster shares the fit.
        """
        day = to_day(as_of)
        if day in self._fitted:
            return self._fitted[day]
        key = (self._data_key(), self.spec.name, day)
        model = _shared.get_or_fit(key, lambda: self._load_or_fit(day))
        self._fitted[day] = model
        return model

    def seen(self, as_of: str | dt.date | np.datetime64) -> tuple[int, np.datetime64 | None]:
        """How many club matches the model fitted as of ``as_of`` learnt from, and the day of the latest.

        Counted once per process for each (store data, model, date), like the fit.
        """
        day = to_day(as_of)
        key = (self._data_key(), self.spec.name, day)

        def count() -> tuple[int, np.datetime64 | None]:
            matches = self.history(day)
            return len(matches), (matches.date.max() if len(matches) else None)

        return _seen.get_or_fit(key, count)

    def _load_or_fit(self, day: np.datetime64) -> Any:
        path = self._cache_path(day)
        model = None
        if path is not None and path.is_file():
            try:
                model = pickle.loads(path.read_bytes())
            except (pickle.UnpicklingError, EOFError, AttributeError, ImportError):
                model = None
        if model is None:
            matches = self.history(day)
            if len(matches) == 0:
                raise InvalidInput(f"the store has no club matches before {day}", field="date")
            model = self.spec.build()
            if self.spec.name == "elo":
                model.fit(matches)
            elif getattr(model, "unlisted_by_country", False):
                model.fit(matches, as_of=day, countries=self.store.club_countries())
            else:
                model.fit(matches, as_of=day)
            if path is not None:
                path.parent.mkdir(parents=True, exist_ok=True)
                tmp = path.with_name(f"{path.stem}.{os.getpid()}-{threading.get_ident()}.tmp")
                tmp.write_bytes(pickle.dumps(model))
                tmp.replace(path)
        return model

    def _config_key(self) -> str:
        """The model's configuration when it differs from the one the cache key always meant: a fit
        cached before a setting was added keeps its key, a fit with the setting on gets a new one."""
        params: dict[str, Any] = getattr(self.spec.build(), "get_params", dict)()
        return "|unlisted_by_country" if params.get("unlisted_by_country") else ""

    def _data_key(self) -> str:
        """Which data the store holds: the file it came from (``Store.origin``) and its last update."""
        stamp = self.store.meta("last_update") or "never"
        return f"{self.store.origin.resolve()}|{stamp}"

    def rates(
        self,
        home: str,
        away: str,
        as_of: str | dt.date | np.datetime64,
        *,
        neutral: bool = False,
        competition: str | None = None,
    ) -> tuple[float, float]:
        """Expected goals per 90 minutes of club ids ``home`` and ``away`` on ``as_of``.

        ``competition`` (id, name or abbreviation; it sets the home advantage) is resolved to its id.
        """
        comp = self._competition(competition)
        return self.fitted(as_of).rates(home, away, neutral=neutral, competition=comp)

    def grid(
        self,
        home: str,
        away: str,
        as_of: str | dt.date | np.datetime64,
        *,
        neutral: bool = False,
        competition: str | None = None,
    ) -> ScoreGrid:
        """The 90-minute ScoreGrid of club ids ``home`` v ``away`` on ``as_of`` (``competition``: see :meth:`rates`)."""
        comp = self._competition(competition)
        return self.fitted(as_of).predict(home, away, neutral=neutral, competition=comp)

    def _competition(self, competition: str | None) -> str | None:
        return None if competition is None else self.store.competition(competition).id

    def _cache_path(self, day: np.datetime64) -> Path | None:
        if self.cache_dir is None:
            return None
        text = f"{__version__}|{self._data_key()}|{self.spec.name}{self._config_key()}"
        key = hashlib.sha256(text.encode()).hexdigest()[:16]
        return self.cache_dir / f"{self.spec.name}-{key}-{day}.pkl"


class KeptForecaster(Forecaster):
    """A :class:`Forecaster` that keeps what it computed (grids, rates, fit summaries) by their arguments.

    For a store opened read-only, whose data cannot change while it is open: every hypothetical first leg
    of a tie prices the same second leg from the same fit, so asking again is a lookup. Grids are read-only
    arrays, shared safely. At most ``kept`` values are held; past it they are all forgotten.
    """

    def __init__(
        self, store: Store, model: str = DEFAULT_MODEL, *, cache_dir: Path | bool | None = True, kept: int = 512
    ) -> None:
        super().__init__(store, model, cache_dir=cache_dir)
        self.kept = kept
        self._kept: dict[tuple[Any, ...], Any] = {}

    def _keep(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        if key in self._kept:
            return self._kept[key]
        if len(self._kept) >= self.kept:
            self._kept.clear()
        value = self._kept[key] = compute()
        return value

    def rates(
        self,
        home: str,
        away: str,
        as_of: str | dt.date | np.datetime64,
        *,
        neutral: bool = False,
        competition: str | None = None,
    ) -> tuple[float, float]:
        rates: tuple[float, float] = self._keep(
            ("rates", home, away, str(as_of), neutral, competition),
            lambda: super(KeptForecaster, self).rates(home, away, as_of, neutral=neutral, competition=competition),
        )
        return rates

    def grid(
        self,
        home: str,
        away: str,
        as_of: str | dt.date | np.datetime64,
        *,
        neutral: bool = False,
        competition: str | None = None,
    ) -> ScoreGrid:
        grid: ScoreGrid = self._keep(
            ("grid", home, away, str(as_of), neutral, competition),
            lambda: super(KeptForecaster, self).grid(home, away, as_of, neutral=neutral, competition=competition),
        )
        return grid

    def seen(self, as_of: str | dt.date | np.datetime64) -> tuple[int, np.datetime64 | None]:
        seen: tuple[int, np.datetime64 | None] = self._keep(
            ("seen", str(as_of)), lambda: super(KeptForecaster, self).seen(as_of)
        )
        return seen
