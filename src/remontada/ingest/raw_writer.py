"""Writes parsed source files into the store's raw layer.

A file is identified by its public URL. Ingesting a file replaces every raw row that came from
that URL before, so re-ingesting is idempotent; the caller makes a whole update all or nothing
(see :mod:`remontada.ingest.update`), so a failure leaves the store as it was. Rows are buffered across files and
written in large batches, because DuckDB ingests a few big frames far faster than many small ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from operator import attrgetter
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from remontada.ingest.fetch import Fetched
from remontada.sources.records import ParsedFile, TeamRef
from remontada.store.db import insert_frame
from remontada.store.schema import RESULT_COLUMNS, STAT_COLUMNS
from remontada.store.writer import next_raw_id, remove_file

if TYPE_CHECKING:
    import duckdb

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
_EVENT_COLUMNS = (
    "url", "match_line", "seq", "side", "minute", "added", "kind", "incident", "player", "home_score", "away_score",
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
    "raw_events": _EVENT_COLUMNS,
    "raw_ratings": _RATING_COLUMNS,
    "raw_forecasts": _FORECAST_COLUMNS,
    "raw_shootouts": _SHOOTOUT_COLUMNS,
    "raw_competitions": _COMPETITION_COLUMNS,
    "source_files": _FILE_COLUMNS,
}


#: Columns stored as integers; they travel as float64 (NaN for missing), which DuckDB reads as NULL.
_INTEGER_COLUMNS = frozenset(
    {"line", "leg", "agg_home", "agg_away", "match_line", "minute", "stoppage", "seq", "added", "home_score",
     "away_score", "rank", "level", "tier",
     "home_goals", "away_goals", *RESULT_COLUMNS, *STAT_COLUMNS}
)  # fmt: skip
_FLOAT_COLUMNS = frozenset(
    {"price1", "price2", "price3", "rating", "p_home", "p_draw", "p_away", "rating_home", "rating_away",
     "proj_home", "proj_away", "xg_home", "xg_away"}
)  # fmt: skip
_BOOL_COLUMNS = frozenset({"national", "neutral", "closing", "own_goal", "penalty"})

_DATE_COLUMNS = frozenset({"date", "date_from", "date_to"})
_UNIX_EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
_NAT = np.iinfo(np.int64).min  # the int64 behind numpy's NaT

#: Per raw table, column name -> values of one or more files (numpy arrays: float64 with NaN for numbers,
#: datetime64[D] with NaT for dates, bool, object for text).
RawColumns = dict[str, dict[str, np.ndarray]]


@dataclass(slots=True)
class FileRows:
    """The raw rows of one parsed file, column by column, ready to be queued by :meth:`RawWriter.add_rows`.

    Built by :func:`file_rows`, possibly in a worker process, so it carries as little as it can:
    ``tables`` holds only the tables with rows and, in each, only the columns with a value (the
    writer fills the rest with NULL); the ``url`` column is implied by the file. ``odds_match``
    gives, per odds row, the index of its match within the file (raw ids are assigned when the
    rows are queued).
    """

    tables: RawColumns
    odds_match: np.ndarray
    n_matches: int
    n_records: int
    n_warnings: int
    warnings: tuple[tuple[int, str], ...] = ()  # (1-based line, message) of each warning


def file_rows(parsed: ParsedFile, url: str) -> FileRows:
    """Turn ``parsed`` (the content of ``url``) into column arrays for the raw tables (see :class:`FileRows`)."""
    tables: RawColumns = {}
    matches = parsed.matches
    if matches:
        homes = list(map(_HOME, matches))
        aways = list(map(_AWAY, matches))
        stats = list(map(_STATS, matches))
        stat_columns = [c for c in STAT_COLUMNS if c in set().union(*stats)]
        tables["raw_matches"] = _columns(
            {
                **{c: list(map(attrgetter(c), matches)) for c in _MATCH_ATTRIBUTES},
                "home_name": list(map(_NAME, homes)),
                "home_country": list(map(_COUNTRY, homes)),
                "away_name": list(map(_NAME, aways)),
                "away_country": list(map(_COUNTRY, aways)),
                "national": [h.national or a.national for h, a in zip(homes, aways, strict=True)],
                "tie_winner_name": [_name(m.tie_winner) for m in matches],
                **{c: [s.get(c) for s in stats] for c in stat_columns},
            }
        )
    if parsed.odds is not None:  # built column-wise by the parser
        table = parsed.odds
        odds_match = table.match_index
        odds_cols: dict[str, list[Any] | np.ndarray] = {c: getattr(table, c) for c in _ODDS_COLUMNS[1:]}
    else:
        odds_match = np.repeat(np.arange(len(matches), dtype=np.int64), [len(m.odds) for m in matches])
        quotes = [q for m in matches for q in m.odds]
        prices = [q.prices for q in quotes]
        odds_cols = {
            "bookmaker": [q.bookmaker for q in quotes],
            "market": [q.market for q in quotes],
            "closing": [q.closing for q in quotes],
            "line": [q.line for q in quotes],
            "price1": [p[0] for p in prices],
            "price2": [p[1] for p in prices],
            "price3": [p[2] if len(p) > 2 else None for p in prices],
        }
    if len(odds_match):
        tables["raw_odds"] = _columns(odds_cols)
    goals = parsed.goals
    if goals:
        tables["raw_goals"] = _columns(
            {
                **{c: list(map(attrgetter(c), goals)) for c in _GOAL_ATTRIBUTES},
                "home_name": [_name(g.home) for g in goals],
                "away_name": [_name(g.away) for g in goals],
            }
        )
    events = parsed.events
    if events:
        tables["raw_events"] = _columns({c: list(map(attrgetter(c), events)) for c in _EVENT_COLUMNS[1:]})
    ratings = parsed.ratings
    if ratings:
        teams = [r.team for r in ratings]
        tables["raw_ratings"] = _columns(
            {
                **{c: list(map(attrgetter(c), ratings)) for c in _RATING_ATTRIBUTES},
                "team_name": list(map(_NAME, teams)),
                "team_country": list(map(_COUNTRY, teams)),
            }
        )
    forecasts = parsed.forecasts
    if forecasts:
        tables["raw_forecasts"] = _columns(
            {
                **{c: list(map(attrgetter(c), forecasts)) for c in _FORECAST_ATTRIBUTES},
                "home_name": [f.home.name for f in forecasts],
                "home_country": [f.home.country for f in forecasts],
                "away_name": [f.away.name for f in forecasts],
                "away_country": [f.away.country for f in forecasts],
                "national": [f.home.national or f.away.national for f in forecasts],
            }
        )
    shootouts = parsed.shootouts
    if shootouts:
        tables["raw_shootouts"] = _columns(
            {
                "source": [s.source for s in shootouts],
                "line": [s.line for s in shootouts],
                "date": [s.date for s in shootouts],
                "home_name": [s.home.name for s in shootouts],
                "away_name": [s.away.name for s in shootouts],
                "winner_name": [s.winner.name for s in shootouts],
                "first_shooter_name": [_name(s.first_shooter) for s in shootouts],
            }
        )
    _check_ranges(tables)
    comps = parsed.competitions
    if comps:
        tables["raw_competitions"] = _columns(
            {
                "competition_id": [c.id for c in comps],
                **{k: [getattr(c, k) for c in comps] for k in _COMPETITION_COLUMNS[2:]},
            }
        )
    return FileRows(
        tables=tables,
        odds_match=odds_match,
        n_matches=len(matches),
        n_records=len(goals) + len(events) + len(ratings) + len(forecasts) + len(shootouts),
        n_warnings=len(parsed.warnings),
        warnings=tuple((int(line), str(text)) for line, text in parsed.warnings),
    )


_HOME, _AWAY, _STATS = attrgetter("home"), attrgetter("away"), attrgetter("stats")
_NAME, _COUNTRY = attrgetter("name"), attrgetter("country")
#: Raw columns read straight off the record attribute of the same name.
_MATCH_ATTRIBUTES = (
    "source", "line", "competition", "season", "date", "kickoff", "stage", "round", "leg", *RESULT_COLUMNS,
    "neutral", "status", "referee", "agg_home", "agg_away", "note",
)  # fmt: skip
_GOAL_ATTRIBUTES = ("line", "match_line", "date", "side", "minute", "stoppage", "player", "own_goal", "penalty")
_RATING_ATTRIBUTES = ("source", "line", "date_from", "date_to", "rating", "rank", "level")
_FORECAST_ATTRIBUTES = ("source", "line", "competition", "date", *_FORECAST_COLUMNS[10:])


class OutOfRange(ValueError):
    """A number no football file can hold (``FTHG=40000``); ``line`` is its line in the file."""

    def __init__(self, line: int | None, message: str) -> None:
        self.line, self.message = line, message
        super().__init__(message)


#: The plausible range of every integer column, checked before a file's rows are queued, so a
#: junk number is a parse error naming its line rather than an overflow inside DuckDB. The bounds
#: are wide: the largest values of the whole mirror are 31 goals, 145 fouls and 126,047 spectators.
_RANGES: dict[str, tuple[float, float]] = {
    **dict.fromkeys(("home_goals", "away_goals", "ht_home", "ht_away", "aet_home", "aet_away", "agg_home",
                     "agg_away"), (0, 199)),
    **dict.fromkeys(("pen_home", "pen_away"), (0, 99)),
    **dict.fromkeys(("home_red", "away_red"), (0, 11)),
    **dict.fromkeys([c for c in STAT_COLUMNS if c != "attendance"], (0, 999)),
    "attendance": (0, 300_000),
    "leg": (1, 3),
    "minute": (0, 200),
    "stoppage": (0, 60),
    "rank": (0, 1_000_000),
    "level": (0, 99),
}  # fmt: skip


def _check_ranges(tables: RawColumns) -> None:
    """Raise :class:`OutOfRange` at the first value outside :data:`_RANGES` (or not finite)."""
    for columns in tables.values():
        lines = columns.get("line")
        for column, (low, high) in _RANGES.items():
            values = columns.get(column)
            if values is None or values.dtype != np.float64:
                continue
            with np.errstate(invalid="ignore"):
                bad = ~np.isnan(values) & ~((values >= low) & (values <= high))
            if bad.any():
                i = int(np.argmax(bad))
                line = int(lines[i]) if lines is not None and np.isfinite(lines[i]) else None
                raise OutOfRange(line, f"{column} = {values[i]:g} is outside {low:g}..{high:,} (a junk number?)")


def _columns(values: dict[str, list[Any] | np.ndarray]) -> dict[str, np.ndarray]:
    """Typed arrays of the columns that hold at least one value (booleans always)."""
    arrays = {}
    for column, column_values in values.items():
        array = _array(column, column_values)
        if array is not None:
            arrays[column] = array
    return arrays


def _array(column: str, values: list[Any] | np.ndarray) -> np.ndarray | None:
    """``values`` as the column's array, or ``None`` when none is set (NULL throughout)."""
    if isinstance(values, np.ndarray):  # already typed by the parser
        return None if values.dtype == np.float64 and np.isnan(values).all() else values
    if column in _BOOL_COLUMNS:
        return np.array([bool(v) for v in values], dtype=bool)
    if values.count(None) == len(values):
        return None
    if column in _INTEGER_COLUMNS:
        array = np.array(values, dtype=np.float64)
        # stored integers truncate like int() (a DuckDB cast from DOUBLE would round)
        return np.trunc(array) if column in STAT_COLUMNS else array
    if column in _FLOAT_COLUMNS:
        return np.array(values, dtype=np.float64)
    if column in _DATE_COLUMNS:
        # via day ordinals: numpy converts date objects one by one, many times slower
        days = {d: _NAT if d is None else d.toordinal() - _UNIX_EPOCH_ORDINAL for d in set(values)}
        return np.fromiter(map(days.__getitem__, values), dtype=np.int64, count=len(values)).view("datetime64[D]")
    array = np.empty(len(values), dtype=object)
    array[:] = values
    return array


def _nulls(column: str, n: int) -> np.ndarray:
    """``n`` NULLs of ``column``'s array type."""
    if column in _INTEGER_COLUMNS or column in _FLOAT_COLUMNS:
        return np.full(n, np.nan)
    if column in _DATE_COLUMNS:
        return np.full(n, _NAT, dtype=np.int64).view("datetime64[D]")
    if column in _BOOL_COLUMNS:
        return np.zeros(n, dtype=bool)
    return np.full(n, None, dtype=object)


class RawWriter:
    """Buffers the raw rows of parsed files and writes them in batches of ``batch_rows``.

    Call :meth:`add` (or :meth:`add_rows` with :func:`file_rows` built elsewhere) per file, and
    :meth:`flush` before reading the raw layer back.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, batch_rows: int = 250_000) -> None:
        self.con = con
        self.batch_rows = batch_rows
        self.next_id = next_raw_id(con)
        #: per table, (url, row count, columns) of each queued file
        self._pieces: dict[str, list[tuple[str, int, dict[str, np.ndarray]]]] = {
            t: [] for t in _TABLES if t != "source_files"
        }
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
            n = len(next(iter(columns.values())))
            if n:
                self._pieces[table].append((url, n, columns))
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
            # columns no queued file has a value for are left to their default, NULL
            columns = tuple(c for c in _TABLES[table] if c == "url" or any(c in p for _, _, p in pieces))
            frame: dict[str, np.ndarray] = {}
            for c in columns:
                if c == "url":
                    urls = np.array([url for url, _, _ in pieces], dtype=object)
                    frame[c] = np.repeat(urls, [n for _, n, _ in pieces])
                else:
                    frame[c] = np.concatenate([p[c] if c in p else _nulls(c, n) for _, n, p in pieces])
            insert_frame(self.con, table, _data_frame(frame))
            pieces.clear()
        if self._files:
            insert_frame(self.con, "source_files", pd.DataFrame.from_records(self._files, columns=_FILE_COLUMNS))
            self._files.clear()
        self._queued = 0


def _data_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    # Text stays an object column: pandas would otherwise copy it into its own string type first.
    return pd.DataFrame(
        {c: pd.Series(a, dtype=object, copy=False) if a.dtype == object else a for c, a in columns.items()}, copy=False
    )


def _name(team: TeamRef | None) -> str | None:
    return None if team is None else team.name
