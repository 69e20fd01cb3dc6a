"""Every bad option value ends in one clear line naming the option, and a non-zero exit; never a traceback.

The commands run against a small store built from the mirror (Premier League 2023-24 from
football-data.co.uk and the 2023-24 English and UEFA Football.TXT files), where Liverpool 0-3
Atalanta (11 April 2024) and Atalanta 0-1 Liverpool (18 April 2024) are stored.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from remontada.cli import app
from remontada.ingest.update import update
from tests.store_support import slice_sources

runner = CliRunner()
HUGE = "9" * 400


@pytest.fixture(scope="module")
def store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    assert update(path, mirror=str(mirror), sources=slice_sources()).committed
    return path


def run(store: Path, *args: str) -> Result:
    return runner.invoke(app, [*args, "--store", str(store)])


def assert_one_clear_line(result: Result, *needles: str, codes: tuple[int, ...] = (1, 2)) -> None:
    assert result.exit_code in codes, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output and "internal error" not in result.output
    for needle in needles:
        assert needle in result.output, result.output
    assert len([line for line in result.output.splitlines() if line.strip()]) == 1, result.output


def test_a_usage_error_is_one_line_naming_the_option(store: Path) -> None:
    """Click's own usage errors (a value of the wrong type, an unknown option or command) too."""
    assert_one_clear_line(run(store, "ratings", "--top", "abc"), "--top", "ratings --help", codes=(2,))
    assert_one_clear_line(run(store, "ratings", "--no-such-option"), "--no-such-option", codes=(2,))
    assert_one_clear_line(runner.invoke(app, ["no-such-command"]), "no-such-command", codes=(2,))


LIVE = ["live", "Atalanta", "Liverpool", "--date", "2024-04-18"]
SIMULATE = ["simulate", "--competition", "Premier League", "--season", "2023-24", "--sims", "200"]

CASES = {
    "live --red-cards 11-0": ([*LIVE, "--red-cards", "11-0"], "--red-cards"),
    "live --rates -1,2": ([*LIVE, "--rates", "-1,2"], "--rates"),
    "live --rates nan,2": ([*LIVE, "--rates", "nan,2"], "--rates"),
    "live --rates inf,2": ([*LIVE, "--rates", "inf,2"], "--rates"),
    "live --rates 1e6,1 (was an OOM kill)": ([*LIVE, "--rates", "1e6,1"], "--rates"),
    "live --rates 1e5,1 (was 6 GB)": ([*LIVE, "--rates", "1e5,1"], "--rates"),
    "live --date tomorrow": (["live", "Atalanta", "Liverpool", "--date", "tomorrow"], "tomorrow"),
    "live --score of 400 digits": ([*LIVE, "--score", f"{HUGE}-0"], "score"),
    "predict --model nonsense": (["predict", "Liverpool", "Everton", "--model", "nonsense"], "unknown model"),
    "predict Liverpool Liverpool": (["predict", "Liverpool", "Liverpool"], "same club"),
    "ratings --competition nonsense": (["ratings", "--competition", "nonsense"], "unknown competition"),
    "ratings --date 1850-01-01": (["ratings", "--date", "1850-01-01"], "1850-01-01"),
    "ratings --top -1": (["ratings", "--top", "-1"], "--top"),
    "backtest --seasons garbage": (["backtest", "--seasons", "garbage"], "--seasons"),
    "backtest --seasons 2030-31..2031-32": (["backtest", "--seasons", "2030-31..2031-32"], "--seasons"),
    "backtest --step-days 0": (["backtest", "--step-days", "0"], "--step-days"),
    "simulate --deduct of 20 digits": ([*SIMULATE, "--deduct", "Everton=99999999999999999999"], "--deduct"),
    "simulate --sims 10^12": ([*SIMULATE, "--sims", "1000000000000"], "--sims"),
    "update --wait nan": (["update", "--wait", "nan", "--mirror", "/nonexistent"], "--wait"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_bad_option_is_one_line_naming_it(store: Path, case: str) -> None:
    args, needle = CASES[case]
    assert_one_clear_line(run(store, *args), needle)


def test_inplay_params_that_are_a_binary_file_are_an_error(store: Path, tmp_path: Path) -> None:
    binary = tmp_path / "params.csv"
    binary.write_bytes(bytes(range(256)) * 4)
    assert_one_clear_line(run(store, "inplay", "check", "--params", str(binary)), "in-play parameters")
    assert_one_clear_line(run(store, *LIVE, "--params", str(binary)), "in-play parameters")


@pytest.mark.parametrize(
    "option",
    [
        ["predict", "Atalanta", "Liverpool", "--date", "2024-04-18", "--plot"],
        [*SIMULATE, "--chart"],
        ["live", "Atalanta", "Liverpool", "--date", "2024-04-18", "--score", "0-1", "--minute", "60", "--plot"],
    ],
    ids=["predict --plot", "simulate --chart", "live --plot"],
)
def test_writing_into_a_path_that_cannot_be_a_directory_is_one_line(
    store: Path, tmp_path: Path, option: list[str]
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(store, *option, str(blocker / "out.png"))
    assert_one_clear_line(result, str(blocker), codes=(1,))


def test_a_store_path_under_a_file_is_one_line(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = runner.invoke(app, ["update", "--mirror", str(tmp_path), "--store", str(blocker / "store.duckdb")])
    assert_one_clear_line(result, str(blocker), codes=(1,))


def test_dask_without_the_distributed_package_says_how_to_install_it(
    store: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert_one_clear_line(run(store, *SIMULATE, "--dask", "local"), "pip install 'remontada[dist]'", codes=(1,))


def test_the_same_options_with_good_values_still_answer(store: Path) -> None:
    result = run(store, *LIVE, "--rates", "1.37,1.81", "--score", "0-1", "--minute", "60", "--red-cards", "0-1")
    assert result.exit_code == 0, result.output
    assert "Liverpool" in result.output and "the tie" in result.output
