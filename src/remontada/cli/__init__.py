"""The ``remontada`` command line: a thin shell over the public facade (``import remontada as rm``).

Every command takes ``--json`` for scripts (it prints the facade result's ``to_dict()``) and
``--store PATH`` (or ``$REMONTADA_STORE``). Commands live in one module per topic; each module's
``register(app)`` adds its commands. Errors print one line and exit with code 1.
"""

from __future__ import annotations

import os
import sys

import typer

from remontada.cli import data, history, live, models, news, serve, simulate, tie
from remontada.cli.guard import GuardedGroup

app = typer.Typer(
    cls=GuardedGroup, add_completion=False, no_args_is_help=True, pretty_exceptions_enable=False,
    help="Football forecasting: can they come back?",
)  # fmt: skip
for module in (data, history, simulate, live, tie, models, news, serve):
    module.register(app)


def main() -> None:
    """The console script: an unexpected exception is one line too (``REMONTADA_DEBUG=1`` re-raises it)."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as exc:  # a bug, not a user error: say so in one line
        if os.environ.get("REMONTADA_DEBUG"):
            raise
        from remontada.cli.common import err_console

        err_console.print(
            f"error: internal error {type(exc).__name__}: {exc} (set REMONTADA_DEBUG=1 for the traceback)",
            markup=False, soft_wrap=True,
        )  # fmt: skip
        sys.exit(2)
