"""The ``remontada`` command line: a thin shell over the library.

Every command takes ``--json`` for scripts and ``--store PATH`` (or ``$REMONTADA_STORE``).
Commands live in one module per topic; each module's ``register(app)`` adds its commands.
"""

from __future__ import annotations

import typer

from remontada.cli import data, history, live, models, news, serve, simulate, tie

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Football forecasting: can they come back?")
for module in (data, history, simulate, live, tie, models, news, serve):
    module.register(app)


def main() -> None:
    app()
