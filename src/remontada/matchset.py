"""MatchSet: played matches as aligned numpy arrays, the input every model learns from.

The store answers queries with a MatchSet; models never see SQL or files. Team ids are
the store's stable club keys (strings such as ``"liverpool-eng"``); names for display are
looked up in the store, not carried here.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np


def to_day(value: str | dt.date | np.datetime64) -> np.datetime64:
    """An ISO date string, ``date`` or ``datetime64`` as ``datetime64[D]``."""
    day: Any = value  # numpy's stubs have no overload for the union; every member is accepted at run time
    return np.datetime64(day, "D")


@dataclass(frozen=True, eq=False)
class MatchSet:
    """Matches in date order, one entry per match in every array.

    Goals are after 90 minutes. ``extras`` holds optional aligned columns such as
    ``home_shots``, ``away_sot``, ``ht_home``, ``home_red`` or closing odds ``psch``/``pscd``/
    ``psca`` (NaN where unknown).
    """

    date: np.ndarray  # datetime64[D]
    home: np.ndarray  # str team ids
    away: np.ndarray
    home_goals: np.ndarray  # int64
    away_goals: np.ndarray
    neutral: np.ndarray  # bool
    competition: np.ndarray  # str competition ids
    season: np.ndarray  # str, "2023-24"
    match_id: np.ndarray  # int64 store ids (-1 when not from the store)
    extras: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = len(self.date)
        for f in fields(self):
            if f.name == "extras":
                continue
            if len(getattr(self, f.name)) != n:
                raise ValueError(f"MatchSet column {f.name} has {len(getattr(self, f.name))} rows, expected {n}")
        for name, col in self.extras.items():
            if len(col) != n:
                raise ValueError(f"MatchSet extra {name} has {len(col)} rows, expected {n}")

    def __len__(self) -> int:
        return len(self.date)

    @classmethod
    def from_columns(
        cls,
        *,
        date: Any,
        home: Any,
        away: Any,
        home_goals: Any,
        away_goals: Any,
        neutral: Any = None,
        competition: Any = None,
        season: Any = None,
        match_id: Any = None,
        extras: dict[str, Any] | None = None,
    ) -> MatchSet:
        """Build from any sequences (lists, numpy or pandas columns) and sort by date (stable)."""
        d = np.asarray(date, dtype="datetime64[D]")
        n = len(d)
        cols = dict(
            date=d,
            home=np.asarray(home, dtype=object),
            away=np.asarray(away, dtype=object),
            home_goals=np.asarray(home_goals, dtype=np.int64),
            away_goals=np.asarray(away_goals, dtype=np.int64),
            neutral=np.zeros(n, bool) if neutral is None else np.asarray(neutral, dtype=bool),
            competition=np.full(n, "", object) if competition is None else np.asarray(competition, dtype=object),
            season=np.full(n, "", object) if season is None else np.asarray(season, dtype=object),
            match_id=np.full(n, -1, np.int64) if match_id is None else np.asarray(match_id, dtype=np.int64),
        )
        ex = {k: np.asarray(v) for k, v in (extras or {}).items()}
        order = np.argsort(d, kind="stable")
        return cls(**{k: v[order] for k, v in cols.items()}, extras={k: v[order] for k, v in ex.items()})

    def select(self, mask: np.ndarray | slice) -> MatchSet:
        """The matches where ``mask`` is true (a boolean array, an index array or a slice)."""
        kw = {f.name: getattr(self, f.name)[mask] for f in fields(self) if f.name != "extras"}
        return MatchSet(**kw, extras={k: v[mask] for k, v in self.extras.items()})

    def before(self, day: str | dt.date | np.datetime64) -> MatchSet:
        """Matches played strictly before ``day`` (no peeking at that day's results)."""
        return self.select(self.date < to_day(day))

    def between(self, start: str | dt.date | np.datetime64, end: str | dt.date | np.datetime64) -> MatchSet:
        """Matches with ``start <= date < end``."""
        return self.select((self.date >= to_day(start)) & (self.date < to_day(end)))

    def teams(self) -> np.ndarray:
        """Sorted unique team ids appearing at home or away."""
        return np.unique(np.concatenate([self.home, self.away]).astype(str))

    def with_extras(self, **columns: np.ndarray) -> MatchSet:
        return replace(self, extras={**self.extras, **columns})
