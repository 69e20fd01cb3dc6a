"""Small DuckDB helpers shared by the store's readers and writers."""

from __future__ import annotations

from typing import Any

import duckdb


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
