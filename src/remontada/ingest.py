"""Writes parsed source files into the store's raw layer.

A file is identified by its public URL. Ingesting a file replaces every raw row that came from
that URL before, so re-ingesting is idempotent; the caller wraps a whole update in one
transaction, so a failure leaves the store as it was. Rows are buffered across files and
written in large batches, because DuckDB ingests a few big frames far faster than many small ones.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb
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


class RawWriter:
    """Buffers the raw rows of parsed files and writes them in batches of ``batch_rows``.

    Call :meth:`add` per file and :meth:`flush` before reading the raw layer back.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, *, batch_rows: int = 250_000) -> None:
        self.con = con
        self.batch_rows = batch_rows
        self.next_id = next_raw_id(con)
        self._rows: dict[str, list[tuple[Any, ...]]] = {t: [] for t in _TABLES}

    def add(self, fetched: Fetched, parsed: ParsedFile, *, replacing: bool) -> None:
        """Queue ``parsed`` as the content of ``fetched``'s URL (removing older rows if ``replacing``)."""
        url = fetched.remote.url
        if replacing:
            self.flush()
            remove_file(self.con, url)
        rows = self._rows
        for rec in parsed.matches:
            raw_id = self.next_id
            self.next_id += 1
            rows["raw_matches"].append(
                (
                    raw_id, rec.source, url, rec.line, rec.competition, rec.season, rec.date, rec.kickoff,
                    rec.stage, rec.round, rec.leg, rec.home.name, rec.home.country, rec.away.name,
                    rec.away.country, rec.home.national or rec.away.national,
                    *(getattr(rec, c) for c in RESULT_COLUMNS), bool(rec.neutral), rec.status, rec.referee,
                    rec.tie_winner.name if rec.tie_winner else None, rec.agg_home, rec.agg_away, rec.note,
                    *(_stat(rec.stats.get(c)) for c in STAT_COLUMNS),
                )
            )  # fmt: skip
            rows["raw_odds"].extend(
                (raw_id, q.bookmaker, q.market, bool(q.closing), q.line, float(q.prices[0]), float(q.prices[1]),
                 float(q.prices[2]) if len(q.prices) > 2 else None)
                for q in rec.odds
            )  # fmt: skip
        rows["raw_goals"].extend(
            (url, g.line, g.match_line, g.date, _name(g.home), _name(g.away), g.side, g.minute, g.stoppage,
             g.player, bool(g.own_goal), bool(g.penalty))
            for g in parsed.goals
        )  # fmt: skip
        rows["raw_ratings"].extend(
            (r.source, url, r.line, r.team.name, r.team.country, r.date_from, r.date_to, r.rating, r.rank, r.level)
            for r in parsed.ratings
        )
        rows["raw_forecasts"].extend(
            (f.source, url, f.line, f.competition, f.date, f.home.name, f.home.country, f.away.name, f.away.country,
             f.home.national or f.away.national, f.p_home, f.p_draw, f.p_away, f.rating_home, f.rating_away,
             f.proj_home, f.proj_away, f.home_goals, f.away_goals, f.xg_home, f.xg_away)
            for f in parsed.forecasts
        )  # fmt: skip
        rows["raw_shootouts"].extend(
            (s.source, url, s.line, s.date, s.home.name, s.away.name, s.winner.name, _name(s.first_shooter))
            for s in parsed.shootouts
        )
        rows["raw_competitions"].extend((url, c.id, c.name, c.country, c.kind, c.tier) for c in parsed.competitions)
        n_records = len(parsed.goals) + len(parsed.ratings) + len(parsed.forecasts) + len(parsed.shootouts)
        remote = fetched.remote
        rows["source_files"].append(
            (url, remote.source, remote.path, fetched.location, fetched.sha256, len(fetched.data or b""),
             remote.competition, remote.season, len(parsed.matches), n_records, len(parsed.warnings),
             dt.datetime.now(dt.UTC).replace(tzinfo=None))
        )  # fmt: skip
        if len(rows["raw_matches"]) + len(rows["raw_odds"]) // 8 >= self.batch_rows:
            self.flush()

    def flush(self) -> None:
        for table, columns in _TABLES.items():
            rows = self._rows[table]
            if not rows:
                continue
            frame = pd.DataFrame.from_records(rows, columns=list(columns))
            names = ", ".join(columns)
            self.con.register("_incoming", frame)
            try:
                self.con.execute(f"INSERT INTO {table} ({names}) SELECT {names} FROM _incoming")
            finally:
                self.con.unregister("_incoming")
            rows.clear()


def _stat(value: float | None) -> int | None:
    return None if value is None else int(value)


def _name(team: TeamRef | None) -> str | None:
    return None if team is None else team.name
