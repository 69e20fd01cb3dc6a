"""Property: any option value given to any command ends in an answer or one clear error, never a traceback.

Hypothesis picks a command, one to three of its options (read from the Typer app itself, so new
options are fuzzed too) and a value for each from hostile strings (not numbers, huge numbers,
nan, impossible dates and scores, unknown names, control characters) and ordinary ones, then
runs it with Typer's CliRunner on a small store built from the mirror. The property: exit status
0, 1 (a bad value, reported on one line) or 2 (a usage error), and no exception escaping.

Left out: ``update`` (it would download), ``backtest``, ``backtest-ties`` and ``inplay fit``
(each run is a walk-forward fit of minutes; their options are checked in ``test_robust_cli.py``),
and options naming files to write (``--plot``, ``--chart``, ``--out``, ``--params``), which would
write into the working directory; a dask scheduler (``--dask``) and worker processes (``--workers``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import typer.main
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from remontada.cli import app
from remontada.ingest.update import update
from tests.store_support import slice_sources

runner = CliRunner()
# update/backtests run for minutes; serve runs a server until stopped (its HTTP input is fuzzed in
# tests/test_web_api.py, its options here would bind a real port).
SKIP_COMMANDS = {"update", "backtest", "backtest-ties", "inplay fit", "serve"}
SKIP_OPTIONS = {"--store", "--json", "--plot", "--chart", "--out", "--params", "--dask", "--workers", "--cache"}
HOSTILE = [
    "", " ", "-1", "0", "1", "11-0", "-1-0", "1e6,1", "1e400", "9" * 400, "nan", "inf", "-inf", "nan,1", "1,2,3",
    "tomorrow", "1850-01-01", "2024-02-30", "9999-12-31", "2024-04-18", "2023-24", "2030-31..2031-32", "garbage..",
    "45+2", "HT", "90+99", "200", "0-3", "3-0", "(2-1)", "Liverpool", "Liverpool FC", "Atalanta", "Everton=6",
    "Everton=99999999999999999999", "premier-league", "uefa.el", "nonsense", "dixon-coles", "elo", "\x00", "é" * 30,
    "quarter-finals", "Quarterfinals", "--json", "-", "--", "%s%n", "'; DROP TABLE matches; --",
]  # fmt: skip
TEAMS = ["Liverpool", "Atalanta", "Everton", "Liverpol", "FC", "", "Liverpool", "(2-1)", "9" * 50]


def commands() -> dict[str, Any]:
    """Every leaf command of the CLI by its full name (``inplay check``)."""
    found: dict[str, Any] = {}

    def walk(group: Any, prefix: str) -> None:
        for name, command in group.commands.items():
            if hasattr(command, "commands"):
                walk(command, f"{prefix}{name} ")
            else:
                found[f"{prefix}{name}"] = command

    walk(typer.main.get_command(app), "")
    return found


COMMANDS = {name: c for name, c in commands().items() if name not in SKIP_COMMANDS}


@pytest.fixture(scope="module")
def store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    assert update(path, mirror=str(mirror), sources=slice_sources()).committed
    return path


@st.composite
def invocation(draw: st.DrawFn, name: str) -> list[str]:
    command = COMMANDS[name]
    args = name.split()
    for param in command.params:
        if param.param_type_name == "argument" and (param.required or draw(st.booleans())):
            args.append(draw(st.sampled_from(TEAMS) | st.text(max_size=15)))
    options = [p for p in command.params if p.param_type_name == "option" and p.opts[0] not in SKIP_OPTIONS]
    for param in draw(st.lists(st.sampled_from(options), min_size=1, max_size=3, unique_by=lambda p: p.name)):
        args.append(param.opts[0])
        if not getattr(param, "is_flag", False):
            args.append(draw(st.sampled_from(HOSTILE) | st.text(max_size=15) | st.integers().map(str)))
    for param in options:  # a required option missing is a usage error: give it a good value now and then
        if param.required and param.opts[0] not in args and draw(st.booleans()):
            args += [param.opts[0], "Premier League"]
    if name == "simulate" and "--sims" not in args:
        args += ["--sims", "20"]
    return args


@pytest.mark.parametrize("name", list(COMMANDS))
def test_any_option_values_end_in_an_answer_or_one_clear_error(name: str, store: Path) -> None:
    @settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(invocation(name))
    def check(args: list[str]) -> None:
        result = runner.invoke(app, [*args, "--store", str(store)])
        assert result.exit_code in (0, 1, 2), (args, result.exit_code, result.output[-2000:])
        assert result.exception is None or isinstance(result.exception, SystemExit), (args, repr(result.exception))
        assert "Traceback" not in result.output and "internal error" not in result.output, (args, result.output)
        if result.exit_code == 1:
            errors = [line for line in result.output.splitlines() if line.startswith("error:")]
            assert len(errors) >= 1, (args, result.output)

    check()
