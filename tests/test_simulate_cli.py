"""``remontada simulate`` end to end on the store built from the whole mirror (slow)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from remontada.cli import app

pytestmark = pytest.mark.slow


def run(store: Path, tmp_path: Path, *args: str) -> dict[str, Any]:
    chart = tmp_path / "chart.png"
    result = CliRunner().invoke(
        app, ["simulate", *args, "--store", str(store), "--json", "--chart", str(chart), "--sims", "20000"]
    )
    assert result.exit_code == 0, result.output
    out: dict[str, Any] = json.loads(result.stdout)
    assert chart.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    return out


def test_europa_league_from_the_quarter_finals(full_store: Any, full_store_path: Path, tmp_path: Path) -> None:
    args = ("--competition", "Europa League", "--season", "2023-24", "--from", "quarter-finals", "--date", "2024-04-11")
    out = run(full_store_path, tmp_path, *args)
    clubs = {row["club_id"]: row for row in out["knockout"]}
    names = ("Benfica", "Marseille", "AC Milan", "AS Roma", "Liverpool", "Atalanta", "Bayer Leverkusen", "West Ham")
    ids = {name: full_store.resolve_club(name) for name in names}
    assert set(clubs) == set(ids.values())
    assert sum(row["Winner"] for row in out["knockout"]) == pytest.approx(1.0)
    assert sum(row["Final"] for row in out["knockout"]) == pytest.approx(2.0)
    assert clubs[ids["Liverpool"]]["Winner"] > clubs[ids["Atalanta"]]["Winner"] > 0


def test_premier_league_run_in(full_store: Any, full_store_path: Path, tmp_path: Path) -> None:
    args = ("--competition", "Premier League", "--season", "2023-24", "--date", "2024-04-01")
    table = run(full_store_path, tmp_path, *args)["table"]
    assert len(table) == 20
    assert sum(row["Title"] for row in table) == pytest.approx(1.0)
    assert sum(row["Relegation"] for row in table) == pytest.approx(3.0)
    assert {row["club_id"] for row in table[:3]} >= {full_store.resolve_club(c) for c in ("Liverpool", "Arsenal")}


def test_champions_league_league_phase(full_store_path: Path, tmp_path: Path) -> None:
    args = ("--competition", "Champions League", "--season", "2024-25", "--date", "2024-11-01")
    out = run(full_store_path, tmp_path, *args)
    assert out["kind"] == "league_phase" and len(out["table"]) == 36
    assert sum(row["Top 8"] for row in out["table"]) == pytest.approx(8.0)
    top8 = {row["points"]: row["p"] for row in out["thresholds"]["top_8"]}
    assert top8[18] > top8[15] > top8[12]


def test_an_unknown_round_is_a_clean_error(full_store_path: Path) -> None:
    args = ["--competition", "Europa League", "--season", "2023-24", "--date", "2024-04-11", "--from", "round of 64"]
    result = CliRunner().invoke(app, ["simulate", *args, "--store", str(full_store_path), "--no-chart"])
    assert result.exit_code == 1
    assert "round" in result.output
