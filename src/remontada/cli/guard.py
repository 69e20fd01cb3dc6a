"""The last line of defence of the command line: no traceback reaches a user.

Commands validate their options and report bad input themselves (one line naming the option or
the file and line). What is left, an interrupt or an operating-system error such as writing a
plot into a missing or read-only directory, is turned into one clear line and an exit status
here, for every command, by :class:`GuardedGroup`:

* a :class:`~remontada.errors.RemontadaError` (bad input): its one-line message, status 1.
* ``Ctrl-C`` (``KeyboardInterrupt``, or DuckDB's ``InterruptException`` / ``RuntimeError: Query
  interrupted`` when the signal lands in a query): ``interrupted`` and status 130; an update in
  flight rolls back, so the store is unchanged. A Ctrl-C after an update's final commit also exits
  130, saying the update was committed (:mod:`remontada.ingest.interrupt`).
* ``OSError`` (a file that cannot be read or written): the path and the reason, status 1.
* ``MemoryError``: status 1 with a hint to ask for less.
* anything else is a bug: one line saying so, status 3 (``REMONTADA_DEBUG=1`` shows the traceback).
"""

from __future__ import annotations

import os
from typing import Any, NoReturn

import typer
from typer.core import TyperGroup

from remontada.cli.common import err_console
from remontada.errors import RemontadaError
from remontada.ingest.interrupt import InterruptedAfterCommit


class GuardedGroup(TyperGroup):
    """A Typer group whose commands end with one line, never a traceback (see the module docstring)."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except RemontadaError as exc:  # bad input reaching a command that does not report it itself
            _say(str(exc))
            raise typer.Exit(1) from None
        except InterruptedAfterCommit:
            _say("interrupted after the update was committed: the store holds the complete update")
            raise typer.Exit(130) from None
        except KeyboardInterrupt:
            _interrupted()
        except OSError as exc:
            where = f"{exc.filename}: " if exc.filename else ""
            _say(f"{where}{exc.strerror or exc}")
            raise typer.Exit(1) from None
        except MemoryError:
            _say("out of memory: ask for less work (fewer simulations, a smaller grid)")
            raise typer.Exit(1) from None
        except Exception as exc:
            if _is_cli_exit(exc) or os.environ.get("REMONTADA_DEBUG"):
                raise
            if _is_duckdb_interrupt(exc):
                _interrupted()
            _say(f"internal error, please report it: {type(exc).__name__}: {exc}".splitlines()[0][:500])
            raise typer.Exit(3) from None


def _interrupted() -> NoReturn:
    _say("interrupted; an update in progress was rolled back and the store is unchanged")
    raise typer.Exit(130) from None


def _is_duckdb_interrupt(exc: Exception) -> bool:
    """DuckDB's ``InterruptException`` (Ctrl-C inside a query), known by name: importing duckdb here
    would load it for every command, even ``--help``. DuckDB 2 raises a plain ``RuntimeError: Query
    interrupted`` instead."""
    if type(exc) is RuntimeError and str(exc) == "Query interrupted":
        return True
    return type(exc).__name__ == "InterruptException" and type(exc).__module__.lstrip("_").startswith("duckdb")


def _say(message: str) -> None:
    err_console.print(f"[red]error:[/red] {message}", markup=True, highlight=False, soft_wrap=True)


def _is_cli_exit(exc: Exception) -> bool:
    """Typer's and click's own exits, aborts and usage errors (whichever click Typer bundles)."""
    return isinstance(exc, typer.Exit | typer.Abort) or type(exc).__module__.split(".")[0] in ("click", "typer")
