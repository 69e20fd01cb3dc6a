"""The small things a new user tripped over (issue 11), each on the store built from the whole mirror:
no PNG written unasked, ``status`` and ``matches`` readable at 80 columns, ``update`` shows its
warnings, scores never flip order, names instead of ids, qualifying rounds marked apart."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from remontada.cli import app

pytestmark = pytest.mark.slow

TIE = ["tie", "Liverpool", "Atalanta", "--competition", "Europa League", "--season", "2023-24"]


@pytest.fixture
def width_80(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """An 80-column terminal, as ``COLUMNS=80`` gives one (the CLI reads it when a command starts)."""
    monkeypatch.setenv("COLUMNS", "80")
    yield


def test_the_cli_follows_columns_when_a_command_starts(full_store_path: Path) -> None:
    wide = CliRunner().invoke(app, ["status", "--store", str(full_store_path)], env={"COLUMNS": "160"})
    narrow = CliRunner().invoke(app, ["status", "--store", str(full_store_path)], env={"COLUMNS": "60"})
    assert max(map(len, wide.stdout.splitlines())) > 80 >= 60 >= max(map(len, narrow.stdout.splitlines()))


def run(store: Path, *args: str) -> str:
    result = CliRunner().invoke(app, [*args, "--store", str(store)])
    assert result.exit_code == 0, result.output
    return result.stdout


# ---- simulate ----------------------------------------------------------------------------------------
def test_simulate_writes_no_chart_unless_asked(full_store_path: Path, tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:  # fmt: skip
    monkeypatch.chdir(tmp_path)
    args = ["simulate", "--competition", "UEL", "--season", "2023-24", "--date", "2024-04-11", "--from",
            "quarter-finals", "--sims", "2000"]  # fmt: skip
    out = run(full_store_path, *args)
    assert "Winner" in out and list(tmp_path.iterdir()) == []
    chart = tmp_path / "charts" / "uel.png"
    chart.parent.mkdir()
    out = run(full_store_path, *args, "--plot", str(chart))
    assert chart.read_bytes()[:4] == b"\x89PNG" and [p.name for p in tmp_path.iterdir()] == ["charts"]


# ---- 80 columns ----------------------------------------------------------------------------------------
def assert_readable(text: str) -> None:
    lines = text.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "…" not in text  # nothing cut off


def test_status_fits_80_columns(full_store_path: Path, width_80: None) -> None:
    out = run(full_store_path, "status")
    assert_readable(out)
    assert re.search(r"│ Premier League\s+│ eng\.1\s+│", out)  # name and id side by side, whole
    assert re.search(r"\d{4}-\d{2}\.\.\d{4}-\d{2}", out)  # season spans not wrapped
    assert_readable(run(full_store_path, "status", "--competition", "UEL"))


def test_matches_fit_80_columns(full_store_path: Path, width_80: None) -> None:
    out = run(full_store_path, "matches", "Liverpool", "--season", "2023-24")
    assert_readable(out)
    assert "2024-04-11" in out and "2024-04-18" in out  # whole dates
    assert "Liverpool 0-3 Atalanta" in out and "Atalanta 0-1 Liverpool" in out  # home side first


def test_tie_fits_80_columns_with_whole_scores(full_store_path: Path, width_80: None) -> None:
    out = run(full_store_path, *TIE)
    assert "Atalanta 0-3 Liverpool" in out  # never split over two lines


# ---- update ----------------------------------------------------------------------------------------------
def test_update_lists_its_warnings(mirror: Path, tmp_path: Path) -> None:
    store = tmp_path / "s.duckdb"
    result = CliRunner().invoke(app, ["update", "--source", "uefa-finals", "--mirror", str(mirror), "--store",
                                      str(store)], env={"COLUMNS": "200"})  # fmt: skip
    assert result.exit_code == 0, result.output
    count = int(re.search(r"(\d+) warnings in the files parsed", result.output).group(1))  # type: ignore[union-attr]
    listed = [line for line in result.output.splitlines() if "final_matches.json:" in line]
    assert count > 5 and len(listed) == 5 and "--show-warnings lists them all" in result.output
    again = CliRunner().invoke(app, ["update", "--source", "uefa-finals", "--mirror", str(mirror), "--force",
                                     "--show-warnings", "--store", str(store)], env={"COLUMNS": "200"})  # fmt: skip
    assert again.exit_code == 0, again.output
    listed = [line for line in again.output.splitlines() if "final_matches.json:" in line]
    assert len(listed) == count and all(re.search(r"\.json:\d+: \S", line) for line in listed)


# ---- score order ---------------------------------------------------------------------------------------------
def test_scores_are_written_home_side_first_with_the_clubs_named(full_store_path: Path) -> None:
    """Every score of the tie answer sits between the two clubs, home side first: the legs as played,
    the second-leg scenarios Atalanta first (Atalanta hosted it), aggregates first-leg host first."""
    out = run(full_store_path, *TIE)
    sides = "(Liverpool|Atalanta)"
    scores = re.findall(rf"{sides} (\d+)-(\d+)(?: aet \d+-\d+)?(?: pens \d+-\d+)? {sides}", out)
    assert len(scores) > 12
    assert all(first != second for first, _, _, second in scores)
    lines = out.splitlines()
    second_leg = [m.group(1) for line in lines if (m := re.match(rf"│ {sides} \d+-\d+ {sides} +│", line))]
    assert len(second_leg) == 12 and set(second_leg) == {"Atalanta"}  # two tables of six, host first
    aggregates = next(line for line in lines if line.startswith("likeliest aggregates"))
    assert aggregates.count("Liverpool ") >= 1 and "Atalanta 1-4" not in aggregates
    assert "first leg 2024-04-11: Liverpool 0-3 Atalanta" in out


# ---- names, not ids ------------------------------------------------------------------------------------------
def test_names_instead_of_internal_ids(full_store_path: Path) -> None:
    out = run(full_store_path, *TIE)
    assert "Quarter-finals" in out and "Quarterfinals" not in out
    assert "Conference League Round of 16" in out and "uefa.ecl" not in out and "uefa.cl" not in out
    history = run(full_store_path, "history", "--deficit", "3", "--first-leg-at", "away")
    assert "Champions League" in history and "uefa.cl" not in history
    live = run(full_store_path, "live", "Atalanta", "Liverpool", "--date", "2024-04-18")
    assert "Europa League 2023-24 Quarter-finals" in live and "uefa.el" not in live


# ---- qualifying rounds ---------------------------------------------------------------------------------------
def test_comebacks_mark_qualifying_rounds_apart_from_the_main_draw(full_store_path: Path) -> None:
    out = run(full_store_path, *TIE, "--comebacks", "30")
    main_at = out.index("comebacks in the main draw")
    qualifying_at = out.index("comebacks in qualifying rounds")
    main, qualifying = out[main_at:qualifying_at], out[qualifying_at:]
    assert "qualifying round" not in main.lower().replace("comebacks in qualifying rounds", "")
    assert "Barcelona" in main and "Third qualifying round" in qualifying
    history = run(full_store_path, "history", "--deficit", "3")
    assert history.index("in the main draw") < history.index("in qualifying rounds")
