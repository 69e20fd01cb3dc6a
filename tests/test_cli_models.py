"""`remontada predict`, `ratings` and `backtest` on the store built from the mirror."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.evaluation.suite import season_range

runner = CliRunner()


def run_json(store: Path, *args: str) -> dict:
    """Run ``remontada ARGS --store STORE --json`` and return the parsed output."""
    result = runner.invoke(app, [*args, "--store", str(store), "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_season_ranges_read_like_the_cli_writes_them() -> None:
    assert season_range("2016-17..2022-23") == ("2016-17", "2022-23")
    assert season_range("2023-24") == ("2023-24", "2023-24")


@pytest.mark.slow
def test_predict_atalanta_liverpool_on_the_morning_of_the_second_leg(full_store_path: Path, tmp_path: Path) -> None:
    png = tmp_path / "grid.png"
    out = run_json(
        full_store_path, "predict", "Atalanta", "Liverpool", "--date", "2024-04-18", "--competition", "Europa League",
        "--plot", str(png),
    )  # fmt: skip
    assert (out["home"], out["away"], out["as_of"]) == ("Atalanta", "Liverpool", "2024-04-18")
    assert out["home_win"] + out["draw"] + out["away_win"] == pytest.approx(1.0)
    # Liverpool were second in the Premier League, Atalanta sixth in Serie A: Liverpool favourites in Bergamo
    assert out["away_win"] > out["home_win"]
    assert 2.0 < out["expected_goals"]["home"] + out["expected_goals"]["away"] < 4.5
    assert png.stat().st_size > 10_000


@pytest.mark.slow
def test_ratings_on_1_april_2024_put_europes_giants_on_top(full_store_path: Path) -> None:
    out = run_json(full_store_path, "ratings", "--date", "2024-04-01", "--top", "20")
    top = [r["club"] for r in out["ratings"]]
    assert len(top) == 20
    assert {"Manchester City", "Liverpool", "Arsenal", "Bayern Munich", "Real Madrid", "Inter"} <= set(top[:10])
    assert "Atalanta" in top


@pytest.mark.slow
def test_ratings_of_one_competition_list_only_its_clubs(full_store_path: Path) -> None:
    out = run_json(full_store_path, "ratings", "--competition", "Europa League", "--date", "2024-04-01", "--top", "5")
    clubs = [r["club"] for r in out["ratings"]]
    assert "Liverpool" in clubs and "Manchester City" not in clubs


@pytest.mark.slow
def test_backtest_scores_every_forecaster_on_the_same_matches(full_store_path: Path) -> None:
    out = run_json(
        full_store_path, "backtest", "--competition", "Premier League", "--seasons", "2022-23", "--no-penaltyblog"
    )
    summary = out["summary"]
    assert {row["matches"] for row in summary} == {380}
    rps = {row["forecaster"]: row["rps"] for row in summary}
    assert rps["pinnacle-closing [market]"] < rps["elo"] < rps["climatology"]


@pytest.mark.slow
def test_an_unknown_club_is_a_clear_error(full_store_path: Path) -> None:
    result = runner.invoke(app, ["predict", "Liverpol", "Atalanta", "--store", str(full_store_path)])
    assert result.exit_code == 1
    assert "no club matches 'Liverpol'" in result.output and "Liverpool" in result.output
