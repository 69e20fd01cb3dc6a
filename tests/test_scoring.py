"""Scoring rules, calibration tables and Wilson intervals: hand-computed values and real forecasts."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from remontada.evaluation.scoring import (
    brier,
    brier_binary,
    brier_per_match,
    calibration_table,
    log_loss,
    log_loss_binary,
    log_loss_per_match,
    plot_calibration,
    rps,
    rps_per_match,
)
from remontada.odds import remove_margin
from remontada.stats import wilson_interval

HOME, DRAW, AWAY = 0, 1, 2
UNIFORM = np.full((1, 3), 1 / 3)


@pytest.fixture(scope="module")
def pinnacle_2324(mirror: Path) -> tuple[np.ndarray, np.ndarray]:
    """De-margined (Shin) Pinnacle closing 1X2 of the 2023-24 Premier League, and outcomes."""
    path = mirror / "football-data.co.uk" / "mmz4281" / "2324" / "E0.csv"
    with path.open(newline="", encoding="latin-1") as handle:
        rows = [r for r in csv.DictReader(handle) if r["PSCH"]]
    odds = np.array([[float(r["PSCH"]), float(r["PSCD"]), float(r["PSCA"])] for r in rows])
    outcome = np.array(["HDA".index(r["FTR"]) for r in rows])
    return remove_margin(odds, "shin"), outcome


# ---- RPS ----------------------------------------------------------------------------------


def test_rps_of_a_certain_correct_forecast_is_zero() -> None:
    assert rps([[1, 0, 0], [0, 1, 0], [0, 0, 1]], [HOME, DRAW, AWAY]) == 0.0


def test_rps_of_uniform_forecast_when_home_wins() -> None:
    # cumulative forecast (1/3, 2/3) against (1, 1): ((2/3)^2 + (1/3)^2) / 2
    assert rps(UNIFORM, [HOME]) == pytest.approx((4 / 9 + 1 / 9) / 2)
    assert rps(UNIFORM, [DRAW]) == pytest.approx((1 / 9 + 1 / 9) / 2)


@pytest.mark.parametrize(
    ("forecast", "outcome", "expected"),
    [
        # hypothetical forecasts of the kind Constantinou & Fenton (2012) tabulate, worked by hand
        ((1.0, 0.0, 0.0), HOME, 0.0),
        ((0.9, 0.1, 0.0), HOME, (0.01 + 0.0) / 2),
        ((0.8, 0.1, 0.1), HOME, (0.04 + 0.01) / 2),
        ((0.5, 0.25, 0.25), HOME, (0.25 + 0.0625) / 2),
        ((0.6, 0.3, 0.1), HOME, (0.16 + 0.01) / 2),
        ((0.57, 0.33, 0.1), DRAW, (0.3249 + 0.01) / 2),
        ((0.6, 0.2, 0.2), DRAW, (0.36 + 0.04) / 2),
        ((0.2, 0.3, 0.5), AWAY, (0.04 + 0.25) / 2),
    ],
)
def test_rps_hand_worked_examples(forecast: tuple[float, ...], outcome: int, expected: float) -> None:
    assert rps_per_match([forecast], [outcome])[0] == pytest.approx(expected, abs=1e-12)


def test_rps_rewards_a_near_miss_unlike_brier() -> None:
    # home win: half on the draw is closer to the truth than half on an away win
    near, far = [0.5, 0.5, 0.0], [0.5, 0.0, 0.5]
    assert rps([near], [HOME]) < rps([far], [HOME])
    assert brier([near], [HOME]) == pytest.approx(brier([far], [HOME]))


def test_rps_matches_penaltyblog(pinnacle_2324: tuple[np.ndarray, np.ndarray]) -> None:
    metrics = pytest.importorskip("penaltyblog.metrics")
    probs, outcome = pinnacle_2324
    assert rps(probs, outcome) == pytest.approx(metrics.rps_average(probs, outcome), abs=1e-12)
    np.testing.assert_allclose(rps_per_match(probs, outcome), metrics.rps_array(probs, outcome), atol=1e-12)


# ---- Brier and log loss -------------------------------------------------------------------


def test_brier_conventions() -> None:
    assert brier([[1, 0, 0]], [HOME]) == 0.0
    assert brier([[1, 0, 0]], [AWAY]) == 2.0  # certain and wrong: the maximum of the multi-class sum
    assert brier(UNIFORM, [DRAW]) == pytest.approx(4 / 9 + 1 / 9 + 1 / 9)
    np.testing.assert_allclose(brier_per_match([[0.5, 0.3, 0.2]] * 2, [HOME, AWAY]), [0.38, 0.98])
    assert brier_binary([0.7, 0.2], [1, 0]) == pytest.approx((0.09 + 0.04) / 2)


def test_log_loss_values() -> None:
    assert log_loss(UNIFORM, [AWAY]) == pytest.approx(math.log(3))
    np.testing.assert_allclose(log_loss_per_match([[0.5, 0.3, 0.2]] * 2, [HOME, DRAW]), [math.log(2), -math.log(0.3)])
    assert log_loss([[1.0, 0.0, 0.0]], [DRAW]) == pytest.approx(-math.log(1e-15))  # clipped, not infinite
    assert log_loss_binary([0.8, 0.25], [1, 0]) == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2)


def test_one_hot_outcomes_equal_indices() -> None:
    probs = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6], [0.45, 0.3, 0.25]])
    idx = np.array([HOME, AWAY, DRAW])
    hot = np.eye(3)[idx]
    assert rps(probs, hot) == rps(probs, idx)
    assert brier(probs, hot) == brier(probs, idx)
    assert log_loss(probs, hot) == log_loss(probs, idx)


def test_bad_forecasts_and_outcomes_are_rejected() -> None:
    with pytest.raises(ValueError, match="row 1 sums to"):
        rps([[0.5, 0.3, 0.2], [0.5, 0.5, 0.5]], [HOME, HOME])
    with pytest.raises(ValueError, match="row 0 is not a set of probabilities"):
        brier([[np.nan, 0.5, 0.5]], [HOME])
    with pytest.raises(ValueError, match="outcome 3 at row 0"):
        log_loss([[0.5, 0.3, 0.2]], [3])
    with pytest.raises(ValueError, match="expected 2 outcomes"):
        rps([[0.5, 0.3, 0.2]] * 2, [HOME])
    with pytest.raises(ValueError, match="0 or 1"):
        brier_binary([0.3], [2])


def test_market_beats_uniform_on_a_real_season(pinnacle_2324: tuple[np.ndarray, np.ndarray]) -> None:
    probs, outcome = pinnacle_2324
    assert len(outcome) == 380
    uniform = np.full_like(probs, 1 / 3)
    base_rates = np.tile(np.bincount(outcome, minlength=3) / len(outcome), (len(outcome), 1))
    assert rps(probs, outcome) < rps(base_rates, outcome) < rps(uniform, outcome)
    assert log_loss(probs, outcome) < log_loss(base_rates, outcome) < math.log(3)
    assert brier(probs, outcome) < brier(base_rates, outcome)


# ---- calibration ----------------------------------------------------------------------------


def test_calibration_bins_count_correctly() -> None:
    forecast = np.array([0.05, 0.15, 0.19, 0.1, 0.95, 1.0, 0.55])
    happened = np.array([0, 1, 0, 0, 1, 1, 1])
    table = calibration_table(forecast, happened, bins=10)
    np.testing.assert_array_equal(table.count, [1, 3, 0, 0, 0, 1, 0, 0, 0, 2])  # 0.1 opens bin 1; 1.0 in the last
    np.testing.assert_array_equal(table.hits, [0, 1, 0, 0, 0, 1, 0, 0, 0, 2])
    assert table.mean_forecast[1] == pytest.approx((0.15 + 0.19 + 0.1) / 3)
    assert table.observed[1] == pytest.approx(1 / 3)
    assert np.isnan(table.observed[2]) and np.isnan(table.lower[2])
    assert table.lower[1] < 1 / 3 < table.upper[1]
    assert table.n_forecasts == 7
    gaps = [0.05, abs(1 / 3 - 0.44 / 3), 0.45, 0.025]
    assert table.calibration_error() == pytest.approx((gaps[0] + 3 * gaps[1] + gaps[2] + 2 * gaps[3]) / 7)
    records = table.to_records()
    assert records[2]["observed"] is None and records[9]["count"] == 2


def test_calibration_custom_edges_and_categories(pinnacle_2324: tuple[np.ndarray, np.ndarray]) -> None:
    probs, outcome = pinnacle_2324
    pooled = calibration_table(probs, outcome, bins=5)
    assert pooled.n_forecasts == 3 * len(outcome)
    assert pooled.hits.sum() == len(outcome)  # exactly one outcome per match happens
    draws = calibration_table(probs, outcome, bins=[0.0, 0.2, 0.25, 0.3, 1.0], category=DRAW)
    assert draws.n_forecasts == len(outcome)
    assert draws.hits.sum() == int((outcome == DRAW).sum())
    # a bookmaker's closing prices are well calibrated: every well-filled bin's interval covers the forecast
    for b in np.flatnonzero(pooled.count >= 50):
        assert pooled.lower[b] <= pooled.mean_forecast[b] <= pooled.upper[b]
    with pytest.raises(ValueError, match="cover"):
        calibration_table(probs, outcome, bins=[0.1, 0.5, 1.0])
    with pytest.raises(ValueError, match="category 3"):
        calibration_table(probs, outcome, category=3)


def test_plot_calibration_writes_png(tmp_path: Path, pinnacle_2324: tuple[np.ndarray, np.ndarray]) -> None:
    probs, outcome = pinnacle_2324
    tables = {
        "Pinnacle closing (Shin)": calibration_table(probs, outcome),
        "uniform": calibration_table(np.full_like(probs, 1 / 3), outcome),
    }
    out = plot_calibration(tables, tmp_path / "calibration.png")
    data = out.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 10_000


# ---- Wilson interval ------------------------------------------------------------------------


def test_wilson_seven_in_a_hundred_matches_scipy() -> None:
    z = float(stats.norm.ppf(0.975))
    low, high = wilson_interval(7, 100, z=z)
    ref = stats.binomtest(7, 100).proportion_ci(confidence_level=0.95, method="wilson")
    assert (low, high) == pytest.approx((ref.low, ref.high), abs=1e-12)
    assert (low, high) == pytest.approx((0.0343, 0.1375), abs=5e-5)


@pytest.mark.parametrize(
    ("k", "n", "low", "high"),
    # Newcombe (1998), Statistics in Medicine 17:857, Table I, method 3 (Wilson score, no continuity correction)
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_published_values(k: int, n: int, low: float, high: float) -> None:
    assert wilson_interval(k, n) == pytest.approx((low, high), abs=6e-5)


def test_wilson_vectorised_and_edge_cases() -> None:
    low, high = wilson_interval(np.array([0, 5, 10]), np.array([10, 10, 10]))
    assert low[0] == 0.0 and high[2] == 1.0
    assert low[1] == pytest.approx(1 - high[1])  # symmetric about one half
    assert all(math.isnan(x) for x in wilson_interval(0, 0))
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson_interval(11, 10)
