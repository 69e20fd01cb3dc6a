"""The command line starts without the numeric stack: ``remontada --help`` needs none of it.

(Timing lives in ``benchmarks/startup.py``; here only what is imported, in a fresh interpreter.)
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import remontada

HEAVY = ("numpy", "pandas", "scipy", "duckdb", "matplotlib")
SRC = str(Path(remontada.__file__).resolve().parents[1])


def _loaded_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in (SRC, os.environ.get("PYTHONPATH")) if p)}
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True)
    return set(out.stdout.split()[-1000:])


@pytest.mark.parametrize("module", ["remontada", "remontada.cli"])
def test_importing_does_not_load_the_numeric_stack(module: str) -> None:
    assert not _loaded_after(f"import {module}") & set(HEAVY)


def test_help_of_every_command_builds_without_the_numeric_stack() -> None:
    """Rendering ``--help`` (which evaluates every command's options) loads none of them either."""
    code = (
        "import contextlib, io\n"
        "from typer.main import get_command\n"
        "from remontada.cli import app\n"
        "command = get_command(app)\n"
        "for name in [None, *command.commands]:\n"
        "    args = ['--help'] if name is None else [name, '--help']\n"
        "    with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "        command.main(args, prog_name='remontada', standalone_mode=True)\n"
    )
    assert not _loaded_after(code) & set(HEAVY)


def test_the_probe_sees_a_heavy_import() -> None:
    """The check is not vacuous: importing the grid module does load numpy."""
    assert "numpy" in _loaded_after("import remontada.grid")


def test_the_model_names_written_out_for_start_up_are_the_forecasters() -> None:
    """The model names are written out where start-up must stay light (the facade's input check,
    ``--model``'s help): they must be the forecaster's."""
    from remontada._api import common
    from remontada.cli import models as cli_models
    from remontada.cli import simulate as cli_simulate
    from remontada.forecast import DEFAULT_MODEL, MODELS

    assert tuple(MODELS) == common.MODEL_NAMES
    assert ", ".join(MODELS) == cli_models._MODELS
    assert DEFAULT_MODEL == common.DEFAULT_MODEL == cli_simulate._DEFAULT_MODEL
