"""Small DuckDB helpers shared by the store's readers and writers."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb
    import pandas as pd


def first_row(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> tuple[Any, ...] | None:
    """The first row of a query, or ``None``; the result is fully consumed.

    DuckDB refuses further work on a connection whose last result was only partly fetched, so
    ``fetchone()`` on a multi-row result would poison the connection.
    """
    rows = con.execute(sql, params or []).fetchall()
    return tuple(rows[0]) if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> Any:
    row = first_row(con, sql, params)
    return None if row is None else row[0]


def insert_frame(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    """Append the rows of ``frame`` to ``table``, its columns matched by name (nothing when empty)."""
    if frame.empty:
        return
    con.register("_frame", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
    finally:
        con.unregister("_frame")


def wasted_fraction(path: Path) -> float:
    """The share of the DuckDB file at ``path`` made of free blocks (left by replaced rows), in [0, 1]."""
    import duckdb

    con = duckdb.connect(str(path), read_only=True)
    try:
        row = first_row(con, "SELECT total_blocks, free_blocks FROM pragma_database_size()")
    finally:
        con.close()
    return float(row[1]) / float(row[0]) if row and row[0] else 0.0


def compact(path: Path) -> bool:
    """Rewrite the DuckDB file at ``path`` without its free blocks, then move it into place in one rename.

    DuckDB reuses the blocks of deleted rows only slowly, so an update that replaces most rows
    (``--force``) would leave a file twice the size of its data. The copy is made beside the file
    (``<path>.compact``) and renamed over it only once complete; the caller holds the write lock.
    Returns False, leaving the file as it is, when another process has it open.
    """
    import duckdb

    target = path.with_name(path.name + ".compact")
    target.unlink(missing_ok=True)
    try:
        con = duckdb.connect(str(path))
    except duckdb.IOException:
        # another process holds the file (a `remontada serve` copying it): compaction only saves
        # space, so the committed update stands and the next update compacts
        return False
    try:
        con.execute("SET enable_progress_bar = false")
        name = scalar(con, "SELECT current_database()")
        con.execute(f"ATTACH '{_sql_text(str(target))}' AS compacted")
        con.execute(f'COPY FROM DATABASE "{_sql_name(name)}" TO compacted')
        con.execute("DETACH compacted")
    except BaseException:
        con.close()
        target.unlink(missing_ok=True)
        raise
    con.close()
    os.replace(target, path)
    return True


def _sql_text(text: str) -> str:
    return text.replace("'", "''")


def _sql_name(name: str) -> str:
    return name.replace('"', '""')
