"""What every command shares: the console, the ``--store``/``--json`` options, JSON and table output,
and turning a :class:`~remontada.errors.RemontadaError` into one line on stderr and exit code 1.

Commands call only the public facade (``import remontada as rm``); this package formats.
"""

from __future__ import annotations

import functools
import json
import math
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from remontada.errors import RemontadaError

console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[Path | None, typer.Option("--store", help="DuckDB store file (env REMONTADA_STORE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]

F = TypeVar("F", bound=Callable[..., Any])

#: The widths the consoles were made with (``None``: follow the terminal).
_MADE_WITH = {id(c): c._width for c in (console, err_console)}


def follow_columns() -> None:
    """Size the consoles by ``$COLUMNS`` as it is now (rich reads it only when a console is made),
    so ``COLUMNS=80 remontada status`` and a test's ``env={"COLUMNS": ...}`` both take effect."""
    columns = os.environ.get("COLUMNS", "").strip()
    for c in (console, err_console):
        c._width = int(columns) if columns.isdigit() and int(columns) > 0 else _MADE_WITH[id(c)]


# ---- helpers -----------------------------------------------------------------------------------
def store_path(store: Path | None) -> Path:
    from remontada.paths import default_store_path

    return store or default_store_path()


def fail(message: str, code: int = 1) -> Any:
    err_console.print(f"[red]error:[/red] {escape(message)}", soft_wrap=True)
    raise typer.Exit(code)


def guarded(command: F) -> F:
    """``command`` with every :class:`RemontadaError` shown as one line (``error: ...``) and exit code
    1; with ``--json`` the error's ``to_dict()`` is printed on stdout as well."""

    @functools.wraps(command)
    def run(*args: Any, **kwargs: Any) -> Any:
        follow_columns()
        try:
            return command(*args, **kwargs)
        except RemontadaError as exc:
            if kwargs.get("as_json"):
                print_json(exc.to_dict())
            return fail(str(exc))

    return run  # type: ignore[return-value]


def jsonable(value: Any) -> Any:
    from remontada._api.common import jsonable as to_json

    return to_json(value)


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def frame_table(frame: Any, title: str | None = None, columns: list[str] | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    cols = columns or list(frame.columns)
    for c in cols:
        table.add_column(c)
    for row in frame[cols].itertuples(index=False):
        table.add_row(*(cell_text(v) for v in row))
    return table


def records_table(rows: list[dict[str, Any]], title: str | None = None, columns: list[str] | None = None,
                  **column_options: dict[str, Any]) -> Table:  # fmt: skip
    """A table of dict rows (``columns`` picks and orders them); ``column_options[name]`` is passed
    to ``add_column`` (``justify``, ``no_wrap``, ``max_width``...)."""
    table = Table(title=title, show_lines=False)
    cols = columns or (list(rows[0]) if rows else [])
    for c in cols:
        table.add_column(c, **column_options.get(c, {}))
    for row in rows:
        table.add_row(*(cell_text(row.get(c)) for c in cols))
    return table


def cell_text(value: Any) -> str:
    """A table cell: blank for missing values, dates as ISO days, integers without ``.0``, markup escaped."""
    import datetime as dt

    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type(value).__name__ in ("NAType", "NaTType"):
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return escape(str(value))


def pct(p: float | None) -> str:
    """A probability in [0, 1] as a percentage with one decimal (blank when missing)."""
    return "" if p is None or p != p else f"{100 * p:.1f}%"


def terminal_width() -> int:
    """Columns of the terminal (``$COLUMNS`` when set)."""
    try:
        return int(os.environ.get("COLUMNS", "")) or console.width
    except ValueError:
        return console.width
