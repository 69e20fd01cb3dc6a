"""What every command shares: the console, the ``--store``/``--json`` options, JSON and table output."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    import pandas as pd

    from remontada.store.reader import Store


console = Console()
err_console = Console(stderr=True)

StoreOpt = Annotated[Path | None, typer.Option("--store", help="DuckDB store file (env REMONTADA_STORE).")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON instead of tables.")]


# ---- helpers -----------------------------------------------------------------------------------
def store_path(store: Path | None) -> Path:
    from remontada.paths import default_store_path

    return store or default_store_path()


def open_store(store: Path | None) -> Store:
    from remontada.store.reader import Store, StoreError

    try:
        return Store(store_path(store), read_only=True)
    except StoreError as exc:
        fail(str(exc))


def fail(message: str, code: int = 1) -> NoReturn:
    err_console.print(f"[red]error:[/red] {message}")
    raise typer.Exit(code)


def jsonable(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, pd.DataFrame):
        return [jsonable(r) for r in value.to_dict(orient="records")]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NA or value is pd.NaT:
        return None
    if hasattr(value, "item") and not isinstance(value, str):
        try:
            return jsonable(value.item())
        except (ValueError, AttributeError):
            pass
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value


def print_json(value: Any) -> None:
    sys.stdout.write(json.dumps(jsonable(value), indent=2, ensure_ascii=False) + "\n")


def frame_table(frame: pd.DataFrame, title: str | None = None, columns: list[str] | None = None) -> Table:
    table = Table(title=title, show_lines=False)
    cols = columns or list(frame.columns)
    for c in cols:
        table.add_column(c)
    for row in frame[cols].itertuples(index=False):
        table.add_row(*(cell_text(v) for v in row))
    return table


def cell_text(value: Any) -> str:
    """A table cell: blank for missing values, dates as ISO days, integers without ``.0``, markup escaped."""
    import pandas as pd

    if value is None or value is pd.NA or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, pd.Timestamp):
        return value.date().isoformat() if value == value.normalize() else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return escape(str(value))


def team_error(exc: LookupError) -> Any:
    return fail(str(exc))
