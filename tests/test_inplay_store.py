"""In-play against the store built from the whole mirror: the Atalanta-Liverpool replay, the
``live`` command, and the held-out check of second halves (marked slow).

They use the session's ``full_store`` (built from the mirror once, or read from
``$REMONTADA_TEST_STORE``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.inplay.model import InplayParams
from remontada.store.reader import Store

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def store_path(full_store_path: Path) -> Path:
    return full_store_path


def run_live(store_path: Path, *args: str) -> dict:
    result = CliRunner().invoke(app, ["live", "Atalanta", "Liverpool", "--store", str(store_path), "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_live_finds_the_second_leg_and_its_first_leg_in_the_store(store_path: Path) -> None:
    out = run_live(store_path, "--date", "2024-04-18", "--minute", "60", "--score", "0-1", "--rates", "1.37,1.81")
    assert out["competition"] == "uefa.el"
    assert "first leg Liverpool FC 0-3" in out["match"] or "0-3" in out["match"]
    tie = out["tie"]
    assert tie["first_leg"] == "0-3"
    p_liverpool = tie["p_through"][out["away"]]
    assert 0.0 < p_liverpool < 0.1  # two goals needed in half an hour against a side of similar strength
    curve = out["comeback_curve"]
    assert curve["team"] == out["away"]
    assert curve["rows"][0]["if_unchanged"] == pytest.approx(p_liverpool, abs=1e-9)
    result = out["result"]
    assert result["away_win"] > result["home_win"]  # Liverpool lead the leg 1-0


def test_the_replay_chance_falls_from_salahs_goal_to_the_75th_minute(store_path: Path) -> None:
    def p(minute: str, score: str) -> float:
        out = run_live(store_path, "--date", "2024-04-18", "--minute", minute, "--score", score, "--rates", "1.37,1.81")
        return float(out["tie"]["p_through"][out["away"]])

    kick_off, after_goal, half_time, seventy_five = p("0", "0-0"), p("7", "0-1"), p("HT", "0-1"), p("75", "0-1")
    assert kick_off < after_goal
    assert after_goal > half_time > seventy_five > 0.0


def test_a_league_match_has_no_tie(store_path: Path) -> None:
    result = CliRunner().invoke(
        app,
        ["live", "Arsenal", "Chelsea", "--date", "2024-04-23", "--minute", "HT", "--score", "2-0", "--rates",
         "2.1,0.9", "--store", str(store_path), "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    assert "tie" not in out
    assert out["result"]["home_win"] > 0.85


def test_unknown_club_is_a_clear_error(store_path: Path) -> None:
    result = CliRunner().invoke(app, ["live", "Atalantis FC Nowhere", "Liverpool", "--store", str(store_path)])
    assert result.exit_code == 1
    assert "no club matches" in result.output


def test_fitted_model_beats_the_flat_one_on_held_out_second_halves(full_store: Store) -> None:
    from remontada.inplay.validate import held_out, validate

    data = held_out(full_store, from_season=2022)
    assert len(data) > 20_000
    report = validate(data, {"inplay": InplayParams.packaged(), "flat": InplayParams.flat()})
    scores = report.scores().set_index("model")
    assert scores.loc["inplay", "log_loss_result"] < scores.loc["flat", "log_loss_result"]
    assert scores.loc["inplay", "log_loss_second_half_score"] < scores.loc["flat", "log_loss_second_half_score"]
    # closer to what happened: for the side one goal behind at half-time, the chance of avoiding
    # defeat, and every full-time probability in the reliability table
    trailing = report.trailing_by_one()
    observed = trailing["avoided_defeat"].to_numpy()
    fitted_miss = np.abs(trailing["inplay:avoided_defeat"].to_numpy() - observed)
    flat_miss = np.abs(trailing["flat:avoided_defeat"].to_numpy() - observed)
    assert (fitted_miss < flat_miss).all()
    assert report.reliability("inplay").calibration_error() < report.reliability("flat").calibration_error()
