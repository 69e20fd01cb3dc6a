"""Minute-by-minute in-play fit: known effects come back from simulated matches; checkpoints agree
with the live chain; added time moves with the season."""

from __future__ import annotations

import math

import numpy as np
import pytest

from remontada.inplay.checkpoints import forecasts, history_at, states
from remontada.inplay.data import N_CELLS, EventTimes, event_cell
from remontada.inplay.minutes import TREND_SEASON, cell_table, compare, fit_variant, params_from_fit
from remontada.inplay.model import InplayModel, InplayParams

TRUE = {
    "first_half_level": -0.30, "first_half_slope": 0.30, "second_half_level": -0.10, "second_half_slope": 0.15,
    "first_half_added_cell": 0.6, "second_half_added_cell": 1.6, "first_half_added_trend": 0.05,
    "second_half_added_trend": 0.04, "lead_-1": 0.07, "lead_+1": -0.07, "lead_late_-1": 0.12, "lead_late_+1": 0.0,
    "red_own": -0.5, "red_opponent": 0.5,
}  # fmt: skip


def _simulate(n: int, seed: int) -> EventTimes:
    """Matches played cell by cell with the ``TRUE`` effects (leads beyond one count as one)."""
    rng = np.random.default_rng(seed)
    home_rate = rng.uniform(0.8, 2.4, n)
    away_rate = rng.uniform(0.6, 2.0, n)
    season = rng.integers(2012, 2020, n)
    score = np.zeros((n, 2), dtype=np.int64)
    reds = np.zeros((n, 2), dtype=np.int64)
    events: list[tuple[np.ndarray, bool, bool, int]] = []
    for cell in range(N_CELLS):
        if cell == 45:
            base = TRUE["first_half_added_cell"] + TRUE["first_half_added_trend"] * (season - TREND_SEASON)
            exposure = np.ones(n)
        elif cell == 91:
            base = TRUE["second_half_added_cell"] + TRUE["second_half_added_trend"] * (season - TREND_SEASON)
            exposure = np.ones(n)
        elif cell < 45:
            base = np.full(n, TRUE["first_half_level"] + TRUE["first_half_slope"] * (cell + 0.5) / 45)
            exposure = np.ones(n)
        else:
            base = np.full(n, TRUE["second_half_level"] + TRUE["second_half_slope"] * (cell - 45.5) / 45)
            exposure = np.ones(n)
        late = "_late" if cell > 45 else ""
        new_goals, new_reds = [], []
        for side, rate in ((0, home_rate), (1, away_rate)):
            lead = np.clip(score[:, side] - score[:, 1 - side], -1, 1)
            effect = np.select([lead == -1, lead == 1], [TRUE[f"lead{late}_-1"], TRUE[f"lead{late}_+1"]], 0.0)
            effect = effect + TRUE["red_own"] * reds[:, side] + TRUE["red_opponent"] * reds[:, 1 - side]
            new_goals.append(rng.poisson(rate / 90 * exposure * np.exp(base + effect)))
            new_reds.append((rng.random(n) < 0.0015) & (reds[:, side] == 0))
        for side in (0, 1):
            for k in range(1, int(new_goals[side].max(initial=0)) + 1):
                events.append((np.flatnonzero(new_goals[side] >= k), side == 0, False, cell))
            events.append((np.flatnonzero(new_reds[side]), side == 0, True, cell))
            score[:, side] += new_goals[side]
            reds[:, side] += new_reds[side]
    match = np.concatenate([e[0] for e in events])
    return EventTimes(
        match_id=np.arange(n), season_start=season, competition=np.full(n, "sim.1", dtype=object),
        home_rate=home_rate, away_rate=away_rate, home_goals=score[:, 0], away_goals=score[:, 1],
        event_match=match, event_home=np.concatenate([np.full(len(e[0]), e[1]) for e in events]),
        event_red=np.concatenate([np.full(len(e[0]), e[2]) for e in events]),
        event_cell=np.concatenate([np.full(len(e[0]), e[3]) for e in events]),
    )  # fmt: skip


@pytest.fixture(scope="module")
def simulated() -> EventTimes:
    return _simulate(30_000, seed=7)


def test_the_fit_recovers_the_time_profile_red_cards_and_added_time_trend(simulated: EventTimes) -> None:
    fit = fit_variant(cell_table(simulated), "chosen")
    for name in ("first_half_level", "second_half_slope", "red_own", "red_opponent", "second_half_added_trend",
                 "second_half_added_cell"):  # fmt: skip
        assert abs(fit.value(name) - TRUE[name]) < 3.5 * fit.se(name), name
    assert abs(fit.value("both_lead_late_-1") - TRUE["lead_late_-1"]) < 3.5 * fit.se("both_lead_late_-1")
    assert fit.se("red_own") < 0.1


def test_held_out_seasons_prefer_the_trend_when_added_time_grows(simulated: EventTimes) -> None:
    train = cell_table(simulated.select(simulated.season_start < 2018), ("sim.1",))
    test_data = simulated.select(simulated.season_start >= 2018)
    rows, _ = compare(train, cell_table(test_data, ("sim.1",)), len(test_data), variants=["chosen", "no_trend"])
    gain = {r["variant"]: r["held_out_gain_per_1000"] for r in rows}
    assert gain["no_trend"] < 0.0 == gain["chosen"]


def test_params_from_the_fit_move_added_time_with_the_season(simulated: EventTimes) -> None:
    params = params_from_fit(fit_variant(cell_table(simulated), "chosen"), InplayParams.previous())
    assert params.added_season == TREND_SEASON
    later = params.for_season(TREND_SEASON + 5)
    ratio = later.second_half_added / params.second_half_added
    assert ratio == pytest.approx(math.exp(5 * params.second_half_added_trend))
    assert params.home_lead == params.away_lead  # one set of lead effects for both sides
    assert params.for_season(TREND_SEASON) is params


def test_a_table_without_the_trend_still_reads() -> None:
    optional = ("added_trend", "slope_trend", "leading_trend", "added_season", "_lead_added_")
    rows = [(n, v) for n, v in InplayParams.packaged().to_rows() if not any(k in n for k in optional)]
    older = InplayParams.from_rows(rows)
    assert older.added_season == 0.0 and older.for_season(2030) is older
    assert older.home_lead_added == older.home_lead_late  # added time takes the second half's lead effects


def test_for_season_moves_the_leaders_rate_and_keeps_the_rest() -> None:
    params = InplayParams.packaged()
    later = params.for_season(int(params.added_season) + 4)
    shift = 4 * params.leading_trend
    assert params.leading_trend < 0.0
    assert later.home_lead_late[3:] == pytest.approx(np.add(params.home_lead_late[3:], shift))
    assert later.away_lead_added[3:] == pytest.approx(np.add(params.away_lead_added[3:], shift))
    assert later.home_lead_late[:3] == params.home_lead_late[:3] and later.home_lead == params.home_lead


def test_event_cells_put_stoppage_time_apart() -> None:
    cells = event_cell(np.array([1, 45, 45, 46, 90, 90]), np.array([np.nan, np.nan, 2, np.nan, np.nan, 3]))
    assert cells.tolist() == [0, 44, 45, 46, 90, 91]


def test_checkpoint_forecasts_equal_the_live_chain(simulated: EventTimes) -> None:
    sample = simulated.select(np.arange(len(simulated)) < 40)
    params = InplayParams.packaged()
    probs = forecasts(params, sample, ("HT", "60"), rate_step=1e-6)
    average = forecasts(params, sample, ("HT", "60"), rate_step=1e-6, history=False)
    home, away, home_reds, away_reds = states(sample, "60")
    for k in np.flatnonzero((home_reds == 0) & (away_reds == 0))[:5]:
        model = InplayModel(params.for_season(int(sample.season_start[k])))
        rates = float(sample.home_rate[k]), float(sample.away_rate[k])
        score = (int(home[k]), int(away[k]))
        known = model.final_score(*rates, minute=60, score=score, history=history_at(sample, "60", int(k)))
        unknown = model.final_score(*rates, minute=60, score=score)
        assert probs[k, 1, 0] == pytest.approx(known.home_win, abs=2e-4)
        assert probs[k, 1, 1] == pytest.approx(known.draw, abs=2e-4)
        assert average[k, 1, 0] == pytest.approx(unknown.home_win, abs=2e-4)
        assert average[k, 1, 1] == pytest.approx(unknown.draw, abs=2e-4)
    assert np.abs(probs - average).max() > 1e-3  # the match so far moves the forecasts
