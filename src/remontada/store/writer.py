"""The store's write statements: transactions, the raw layer's bookkeeping, the update stamp.

:mod:`remontada.ingest.update` drives an update (what to fetch, parse and write, and when to
commit); every statement it needs against the database is here, so the ingest side holds no SQL.
The resolved layer is rebuilt by :mod:`remontada.store.rebuild`.
"""

from __future__ import annotations

import datetime as dt

import duckdb

from remontada.store.db import first_row

#: Raw tables whose rows carry the URL of the file they came from.
RAW_TABLES_BY_URL = (
    "raw_matches", "raw_goals", "raw_events", "raw_ratings", "raw_forecasts", "raw_shootouts", "raw_competitions",
)  # fmt: skip


def begin(con: duckdb.DuckDBPyConnection) -> None:
    """Open a transaction."""
    con.execute("BEGIN TRANSACTION")


def commit(con: duckdb.DuckDBPyConnection) -> None:
    """Commit the open transaction."""
    con.execute("COMMIT")


def rollback(con: duckdb.DuckDBPyConnection) -> None:
    """Undo the open transaction."""
    con.execute("ROLLBACK")


def stored_checksums(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The SHA-256 of every ingested file, by URL."""
    return {str(url): str(sha) for url, sha in con.execute("SELECT url, sha256 FROM source_files").fetchall()}


def stored_counts(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[str, int, int]]:
    """Per stored file URL: its sha256, matches and records (goals, ratings, forecasts, shoot-outs)."""
    rows = con.execute("SELECT url, sha256, n_matches, n_records FROM source_files").fetchall()
    return {url: (sha, int(n or 0), int(r or 0)) for url, sha, n, r in rows}


def stored_odds(con: duckdb.DuckDBPyConnection, url: str) -> int:
    """How many odds quotes the stored matches of ``url`` carry."""
    row = first_row(
        con, "SELECT count(*) FROM raw_odds WHERE raw_id IN (SELECT raw_id FROM raw_matches WHERE url = ?)", [url]
    )
    return int(row[0]) if row else 0


def stamp_last_update(con: duckdb.DuckDBPyConnection) -> None:
    """Record now (UTC, ISO 8601 to the microsecond) as the time of the last update.

    The stamp names the store's data in every cache keyed by it (fits, rebuilt ties, club names, the
    web server's answers): two updates within one second must not share it.
    """
    con.execute("INSERT OR REPLACE INTO meta VALUES ('last_update', ?)", [dt.datetime.now(dt.UTC).isoformat()])


def holds_no_rows(con: duckdb.DuckDBPyConnection) -> bool:
    """True when neither a raw row nor an ingested file is stored."""
    row = first_row(con, "SELECT (SELECT count(*) FROM raw_matches) + (SELECT count(*) FROM source_files) = 0")
    return bool(row and row[0])


def never_built(con: duckdb.DuckDBPyConnection) -> bool:
    """True when the raw layer holds rows but the resolved layer was never built from them."""
    row = first_row(con, "SELECT (SELECT count(*) FROM raw_matches) > 0 AND (SELECT count(*) FROM matches) = 0")
    return bool(row and row[0])


def next_raw_id(con: duckdb.DuckDBPyConnection) -> int:
    """The first unused raw match id."""
    row = first_row(con, "SELECT coalesce(max(raw_id), 0) FROM raw_matches")
    return int(row[0]) + 1 if row else 1


def remove_file(con: duckdb.DuckDBPyConnection, url: str) -> None:
    """Forget every raw row that came from ``url``."""
    con.execute("DELETE FROM raw_odds WHERE raw_id IN (SELECT raw_id FROM raw_matches WHERE url = ?)", [url])
    for table in RAW_TABLES_BY_URL:
        con.execute(f"DELETE FROM {table} WHERE url = ?", [url])
    con.execute("DELETE FROM source_files WHERE url = ?", [url])
