"""Writes parsed source files into the store's raw layer.

A file is identified by its public URL. Ingesting a file replaces every raw row that came from
that URL before, so re-ingesting is idempotent; the caller wraps a whole update in one
transaction, so a failure leaves the store as it was. Rows are buffered across files and
written in large batches, because DuckDB ingests a few big frames far faster than many small ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import pandas as pd

from remontada.db import first_row
from remontada.fetch import Fetched
from remontada.schema import RESULT_COLUMNS, STAT_COLUMNS
from remontada.sources.records import ParsedFile, TeamRef

_RAW_TABLES_BY_URL = ("raw_matches", "raw_goals", "raw_ratings", "raw_forecasts", "raw_shootouts", "raw_competitions")

_MATCH_COLUMNS = (
    "raw_id", "source", "url", "line", "competition", "season", "date", "kickoff", "stage", "round", "leg",
    "home_name", "home_country", "away_name", "away_country", "national", *RESULT_COLUMNS, "neutral", "status",
    "referee", "tie_winner_name", "agg_home", "agg_away", "note", *STAT_COLUMNS,
)  # fmt: skip
_ODDS_COLUMNS = ("raw_id", "bookmaker", "market", "closing", "line", "price1", "price2", "price3")
_GOAL_COLUMNS = (
    "url", "line", "match_line", "date", "home_name", "away_name", "side", "minute", "stoppage", "player",
    "own_goal", "penalty",
)  # fmt: skip
_RATING_COLUMNS = (
    "source", "url", "line", "team_name", "team_country", "date_from", "date_to", "rating", "rank", "level",
)  # fmt: skip
_FORECAST_COLUMNS = (
    "source", "url", "line", "competition", "date", "home_name", "home_country", "away_name", "away_country",
    "national", "p_home", "p_draw", "p_away", "rating_home", "rating_away", "proj_home", "proj_away", "home_goals",
    "away_goals", "xg_home", "xg_away",
)  # fmt: skip
_SHOOTOUT_COLUMNS = ("source", "url", "line", "date", "home_name", "away_name", "winner_name", "first_shooter_name")
_COMPETITION_COLUMNS = ("url", "competition_id", "name", "country", "kind", "tier")
_FILE_COLUMNS = (
    "url", "source", "path", "read_from", "sha256", "bytes", "competition", "season", "n_matches", "n_records",
    "n_warnings", "ingested_at",
)  # fmt: skip

_TABLES: dict[str, tuple[str, ...]] = {
    "raw_matches": _MATCH_COLUMNS,
    "raw_odds": _ODDS_COLUMNS,
    "raw_goals": _GOAL_COLUMNS,
    "raw_ratings": _RATING_COLUMNS,
    "raw_forecasts": _FORECAST_COLUMNS,
    "raw_shootouts": _SHOOTOUT_COLUMNS,
    "raw_competitions": _COMPETITION_COLUMNS,
    "source_files": _FILE_COLUMNS,
}


def next_raw_id(con: duckdb.DuckDBPyConnection) -> int:
    row = first_row(con, "SELECT coalesce(max(raw_id), 0) FROM raw_matches")
    return int(row[0]) + 1 if row else 1


def remove_file(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """Forget every raw row that came from ``url``."""
    con.execute("DELETE FROM raw_odds WHERE raw_id IN (SELECT raw_id FROM raw_matches WHERE url = ?)", [url])
    for table in _RAW_TABLES_BY_URL:
        con.execute(f"DELETE FROM {table} WHERE url = ?", [url])
    con.execute("DELETE FROM source_files WHERE url = ?", [url])


#: Columns stored as integers; they travel as float64 (NaN for missing), which DuckDB reads as NULL.
_INTEGER_COLUMNS = frozenset(
    {"line", "leg", "agg_home", "agg_away", "match_line", "minute", "stoppage", "rank", "level", "tier",
     "home_goals", "away_goals", *RESULT_COLUMNS, *STAT_COLUMNS}
)  # fmt: skip
_FLOAT_COLUMNS = frozenset(
    {"price1", "price2", "price3", "rating", "p_home", "p_draw", "p_away", "rating_home", "rating_away",
     "proj_home", "proj_away", "xg_home", "xg_away"}
)  # fmt: skip
_BOOL_COLUMNS = frozenset({"national", "neutral", "closing", "own_goal", "penalty"})

#: Per raw table, column name -> values of one or more files (numpy arrays, object arrays for text and dates).
RawColumns = dict[str, dict[str, np.ndarray]]


@dataclass(slots=True)
class FileRows:
    """The raw rows of one parsed file, column by column, ready to be queued by :meth:`RawWriter.add_rows`.

    Built by :func:`file_rows`, possibly in a worker process: numpy arrays pickle far faster than
    hundreds of thousands of record objects. ``odds_match`` gives, per odds row, the index of its
    match within the file (raw ids are assigned when the rows are queued).
    """

    tables: RawColumns
    odds_match: np.ndarray
    n_matches: int
    n_records: int
    n_warnings: int


def file_rows(parsed: ParsedFile, url: str) -> FileRows:
    """Turn ``parsed`` (the content of ``url``) into column arrays, one per raw-table column."""
    matches = parsed.matches
    homes = [m.home for m in matches]
    aways = [m.away for m in matches]
    stats = [m.stats for m in matches]
    match_cols: dict[str, list[Any]] = {
        "source": [m.source for m in matches],
        "url": [url] * len(matches),
        "line": [m.line for m in matches],
        "competition": [m.competition for m in matches],
        "season": [m.season for m in matches],
        "date": [m.date for m in matches],
        "kickoff": [m.kickoff for m in matches],
        "stage": [m.stage for m in matches],
        "round": [m.round for m in matches],
        "leg": [m.leg for m in matches],
        "home_name": [t.name for t in homes],
        "home_country": [t.country for t in homes],
        "away_name": [t.name for t in aways],
        "away_country": [t.country for t in aways],
        "national": [h.national or a.national for h, a in zip(homes, aways, strict=True)],
        **{c: [getattr(m, c) for m in matches] for c in RESULT_COLUMNS},
        "neutral": [m.neutral for m in matches],
        "status": [m.status for m in matches],
        "referee": [m.referee for m in matches],
        "tie_winner_name": [_name(m.tie_winner) for m in matches],
        "agg_home": [m.agg_home for m in matches],
        "agg_away": [m.agg_away for m in matches],
        "note": [m.note for m in matches],
        **{c: [s.get(c) for s in stats] for c in STAT_COLUMNS},
    }
    odds_counts = [len(m.odds) for m in matches]
    quotes = [q for m in matches for q in m.odds]
    prices = [q.prices for q in quotes]
    odds_cols: dict[str, list[Any]] = {
        "bookmaker": [q.bookmaker for q in quotes],
        "market": [q.market for q in quotes],
        "closing": [q.closing for q in quotes],
        "line": [q.line for q in quotes],
        "price1": [p[0] for p in prices],
        "price2": [p[1] for p in prices],
        "price3": [p[2] if len(p) > 2 else None for p in prices],
    }
    goals = parsed.goals
    goal_cols: dict[str, list[Any]] = {
        "url": [url] * len(goals),
        "line": [g.line for g in goals],
        "match_line": [g.match_line for g in goals],
        "date": [g.date for g in goals],
        "home_name": [_name(g.home) for g in goals],
        "away_name": [_name(g.away) for g in goals],
        "side": [g.side for g in goals],
        "minute": [g.minute for g in goals],
        "stoppage": [g.stoppage for g in goals],
        "player": [g.player for g in goals],
        "own_goal": [g.own_goal for g in goals],
        "penalty": [g.penalty for g in goals],
    }
    ratings = parsed.ratings
    rating_cols: dict[str, list[Any]] = {
        "source": [r.source for r in ratings],
        "url": [url] * len(ratings),
        "line": [r.line for r in ratings],
        "team_name": [r.team.name for r in ratings],
        "team_country": [r.team.country for r in ratings],
        "date_from": [r.date_from for r in ratings],
        "date_to": [r.date_to for r in ratings],
        "rating": [r.rating for r in ratings],
        "rank": [r.rank for r in ratings],
        "level": [r.level for r in ratings],
    }
    forecasts = parsed.forecasts
    forecast_cols: dict[str, list[Any]] = {
        "source": [f.source for f in forecasts],
        "url": [url] * len(forecasts),
        **{c: [getattr(f, c) for f in forecasts] for c in ("line", "competition", "date")},
        "home_name": [f.home.name for f in forecasts],
        "home_country": [f.home.country for f in forecasts],
        "away_name": [f.away.name for f in forecasts],
        "away_country": [f.away.country for f in forecasts],
        "national": [f.home.national or f.away.national for f in forecasts],
        **{c: [getattr(f, c) for f in forecasts] for c in _FORECAST_COLUMNS[10:]},
    }
    shootouts = parsed.shootouts
    shootout_cols: dict[str, list[Any]] = {
        "source": [s.source for s in shootouts],
        "url": [url] * len(shootouts),
        "line": [s.line for s in shootouts],
        "date": [s.date for s in shootouts],
        "home_name": [s.home.name for s in shootouts],
        "away_name": [s.away.name for s in shootouts],
        "winner_name": [s.winner.name for s in shootouts],
        "first_shooter_name": [_name(s.first_shooter) for s in shootouts],
    }
    comps = parsed.competitions
    competition_cols: dict[str, list[Any]] = {
        "url": [url] * len(comps),
        "competition_id": [c.id for c in comps],
        **{k: [getattr(c, k) for c in comps] for k in ("name", "country", "kind", "tier")},
    }
    tables = {
        "raw_matches": match_cols,
        "raw_odds": odds_cols,
        "raw_goals": goal_cols,
        "raw_ratings": rating_cols,
        "raw_forecasts": forecast_cols,
        "raw_shootouts": shootout_cols,
        "raw_competitions": competition_cols,
    }
    return FileRows(
        tables={t: {c: _array(c, v) for c, v in cols.items()} for t, cols in tables.items()},
        odds_match=np.repeat(np.arange(len(matches), dtype=np.int64), odds_counts),
        n_matches=len(matches),
        n_records=len(goals) + len(ratings) + len(forecasts) + len(shootouts),
        n_warnings=len(parsed.warnings),
    )


def _array(column: str, values: list[Any]) -> np.ndarray:
    if column in _INTEGER_COLUMNS:
        array = np.array(values, dtype=np.float64)
        # stored integers truncate like int() (a DuckDB cast from DOUBLE would round)
        return np.trunc(array) if column in STAT_COLUMNS else array
    if column in _FLOAT_COLUMNS:
        return np.array(values, dtype=np.float64)
    if column in _BOOL_COLUMNS:
        return np.array([bool(v) for v in values], dtype=bool)
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


class RawWriter:
    """Buffers the raw rows of parsed files and writes them in batches of ``batch_rows``.

    Call :meth:`add` (or :meth:`add_rows` with :func:`file_rows` built elsewhere) per file, and
    :meth:`flush` before reading the raw layer back.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, batch_rows: int = 250_000) -> None:
        self.con = con
        self.batch_rows = batch_rows
        self.next_id = next_raw_id(con)
        self._pieces: dict[str, list[dict[str, np.ndarray]]] = {t: [] for t in _TABLES if t != "source_files"}
        self._files: list[tuple[Any, ...]] = []
        self._queued = 0

    def add(self, fetched: Fetched, parsed: ParsedFile, *, replacing: bool) -> None:
        """Queue ``parsed`` as the content of ``fetched``'s URL (removing older rows if ``replacing``)."""
        self.add_rows(fetched, file_rows(parsed, fetched.remote.url), replacing=replacing)

    def add_rows(self, fetched: Fetched, rows: FileRows, *, replacing: bool) -> None:
        """Queue the rows of one file (from :func:`file_rows`) as the content of ``fetched``'s URL."""
        url = fetched.remote.url
        if replacing:
            self.flush()
            remove_file(self.con, url)
        raw_ids = np.arange(self.next_id, self.next_id + rows.n_matches, dtype=np.int64)
        self.next_id += rows.n_matches
        for table, columns in rows.tables.items():
            if table == "raw_matches":
                columns = {"raw_id": raw_ids, **columns}
            elif table == "raw_odds":
                columns = {"raw_id": raw_ids[rows.odds_match], **columns}
            if len(next(iter(columns.values()))):
                self._pieces[table].append(columns)
        remote = fetched.remote
        self._files.append(
            (url, remote.source, remote.path, fetched.location, fetched.sha256, len(fetched.data or b""),
             remote.competition, remote.season, rows.n_matches, rows.n_records, rows.n_warnings,
             dt.datetime.now(dt.UTC).replace(tzinfo=None))
        )  # fmt: skip
        self._queued += rows.n_matches + len(rows.odds_match) // 8
        if self._queued >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        for table, pieces in self._pieces.items():
            if not pieces:
                continue
            columns = _TABLES[table]
            frame = pd.DataFrame({c: np.concatenate([p[c] for p in pieces]) for c in columns}, copy=False)
            self._insert(table, columns, frame)
            pieces.clear()
        if self._files:
            self._insert("source_files", _FILE_COLUMNS, pd.DataFrame.from_records(self._files, columns=_FILE_COLUMNS))
            self._files.clear()
        self._queued = 0

    def _insert(self, table: str, columns: tuple[str, ...], frame: pd.DataFrame) -> None:
        names = ", ".join(columns)
        self.con.register("_incoming", frame)
        try:
            self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming")
        finally:
            self.con.unregister("_incoming")


def _name(team: TeamRef | None) -> str | None:
    return None if team is None else team.name
