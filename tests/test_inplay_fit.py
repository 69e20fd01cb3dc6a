"""Estimating the in-play model: recovery of known effects from simulated matches, and the
directions of the time profile in the real goal minutes of the mirror."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from remontada.grid import ScoreGrid
from remontada.inplay.data import ExtraTimes, GoalTimes, HalfTimes, rates_from_odds
from remontada.inplay.fit import (
    TimeProfile,
    fit_extra_time,
    fit_half_times,
    fit_red_cards,
    fit_time_profile,
    half_probabilities,
)
from remontada.inplay.model import InplayParams, regular_steps

TRUTH = InplayParams(
    first_half_level=-0.27,
    first_half_slope=0.20,
    second_half_level=-0.04,
    second_half_slope=0.05,
    first_half_added=2.3,
    second_half_added=5.0,
    extra_time_level=0.15,
    home_lead=(0.10, 0.05, 0.0, -0.11, -0.08),
    away_lead=(0.03, 0.14, 0.0, 0.02, 0.0),
    home_lead_late=(0.20, 0.15, 0.0, -0.12, -0.10),
    away_lead_late=(0.12, 0.25, 0.0, -0.05, 0.0),
    red_own=-0.40,
    red_opponent=0.30,
)


def simulate(
    params: InplayParams,
    home_rate: np.ndarray,
    away_rate: np.ndarray,
    seed: int,
    *,
    card: np.ndarray | None = None,
    card_timing: float = 1.0,
) -> dict[str, np.ndarray]:
    """Event-by-event Monte Carlo of whole matches, independent of the chain code.

    ``card`` (per match): 0 none, 1 a home red card, 2 an away red card, shown at a time drawn
    from density exp(card_timing * t / T). Returns half-time and full-time scores.
    """
    rng = np.random.default_rng(seed)
    n = len(home_rate)
    start, duration, log_rate = regular_steps(params)
    end = start + duration
    total = end[-1]
    card = np.zeros(n, dtype=int) if card is None else card
    u = rng.random(n)
    card_time = total * np.log1p(u * np.expm1(card_timing)) / card_timing  # inverse CDF
    home = np.zeros(n, dtype=np.int64)
    away = np.zeros(n, dtype=np.int64)
    ht_home = ht_away = None
    half_time = 45.0 + params.first_half_added
    for k in range(len(start)):
        late = start[k] >= half_time - 1e-9
        if ht_home is None and late:
            ht_home, ht_away = home.copy(), away.copy()
        h_lead = np.asarray(params.home_lead_late if late else params.home_lead)
        a_lead = np.asarray(params.away_lead_late if late else params.away_lead)
        lead = np.clip(home - away, -2, 2) + 2
        shown = card_time < start[k] + duration[k] / 2  # card in force from the middle of its step
        home_red = (card == 1) & shown
        away_red = (card == 2) & shown
        scale = np.exp(log_rate[k]) * duration[k] / 90.0
        home_mean = (
            home_rate * scale * np.exp(h_lead[lead] + params.red_own * home_red + params.red_opponent * away_red)
        )
        away_mean = (
            away_rate * scale * np.exp(a_lead[4 - lead] + params.red_own * away_red + params.red_opponent * home_red)
        )
        home += rng.poisson(home_mean)
        away += rng.poisson(away_mean)
    return {"ht_home": ht_home, "ht_away": ht_away, "ft_home": home, "ft_away": away}


def as_half_times(
    home_rate: np.ndarray, away_rate: np.ndarray, sim: dict[str, np.ndarray], card: np.ndarray
) -> HalfTimes:
    n = len(home_rate)
    return HalfTimes(
        match_id=np.arange(n),
        date=np.full(n, np.datetime64("2015-01-01")),
        season=np.full(n, "2014-15", dtype=object),
        competition=np.full(n, "sim", dtype=object),
        home_rate=home_rate,
        away_rate=away_rate,
        ht_home=sim["ht_home"],
        ht_away=sim["ht_away"],
        ft_home=sim["ft_home"],
        ft_away=sim["ft_away"],
        home_red=(card == 1).astype(int),
        away_red=(card == 2).astype(int),
    )


def profile_of(params: InplayParams) -> TimeProfile:
    return TimeProfile(
        first_half_level=params.first_half_level,
        first_half_slope=params.first_half_slope,
        second_half_level=params.second_half_level,
        second_half_slope=params.second_half_slope,
        first_half_added=params.first_half_added,
        second_half_added=params.second_half_added,
        home_lead=params.home_lead,
        away_lead=params.away_lead,
        estimates=(),
        n_matches=0,
        n_goals=0,
    )


def rates(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Pre-match rates on a coarse grid (few rate groups keep the fits fast)."""
    rng = np.random.default_rng(seed)
    return rng.choice([1.0, 1.5, 2.2], n), rng.choice([0.8, 1.2, 1.7], n)


def test_chain_agrees_with_event_simulation() -> None:
    home_rate, away_rate = np.full(40_000, 1.5), np.full(40_000, 1.1)
    sim = simulate(TRUTH, home_rate, away_rate, seed=1)
    first = half_probabilities(TRUTH, home_rate[:1], away_rate[:1], first_half=True)[0]
    second = half_probabilities(TRUTH, home_rate[:1], away_rate[:1], np.array([1]))[0]
    for (h, a), p in np.ndenumerate(first[:3, :3]):
        observed = np.mean((sim["ht_home"] == h) & (sim["ht_away"] == a))
        assert observed == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / 40_000))
    one_up = (sim["ht_home"] - sim["ht_away"]) == 1
    more_home = (sim["ft_home"] - sim["ht_home"])[one_up]
    more_away = (sim["ft_away"] - sim["ht_away"])[one_up]
    for (h, a), p in np.ndenumerate(second[:3, :3]):
        observed = np.mean((more_home == h) & (more_away == a))
        assert observed == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / one_up.sum()))


def test_half_time_evidence_recovers_levels_and_lead_effects() -> None:
    home_rate, away_rate = rates(60_000, seed=2)
    no_card = np.zeros(len(home_rate), dtype=int)
    data = as_half_times(home_rate, away_rate, simulate(TRUTH, home_rate, away_rate, seed=3), no_card)
    fit = fit_half_times(data, profile_of(TRUTH), bin_width=0.05, standard_errors=False)
    by_name = {e.name: e.value for e in fit.estimates}
    truth = dict(TRUTH.to_rows())
    # tolerances are about four standard errors at this sample size (measured with standard_errors=True)
    for name, tolerance in (
        ("first_half_level", 0.03),
        ("second_half_level", 0.03),
        ("home_lead_+1", 0.06),
        ("away_lead_-1", 0.06),
        ("home_lead_late_-1", 0.06),
        ("away_lead_late_-1", 0.06),
        ("home_lead_late_+1", 0.06),
    ):
        assert abs(by_name[name] - truth[name]) < tolerance, name
    # the directions that matter: the side behind attacks, the side ahead protects, more so late
    assert by_name["away_lead_late_-1"] > by_name["away_lead_-1"] > 0 > by_name["home_lead_+1"]


def test_red_card_evidence_recovers_both_effects_without_card_minutes() -> None:
    home_rate, away_rate = rates(30_000, seed=4)
    card = np.random.default_rng(5).choice([1, 2], len(home_rate))
    data = as_half_times(
        home_rate, away_rate, simulate(TRUTH, home_rate, away_rate, seed=6, card=card, card_timing=1.0), card
    )
    fit = fit_red_cards(data, TRUTH, bin_width=0.05, timing=1.0)
    own, opponent = fit.estimates
    assert abs(own.value - TRUTH.red_own) < 4 * own.se
    assert abs(opponent.value - TRUTH.red_opponent) < 4 * opponent.se
    assert own.value < 0 < opponent.value


def test_extra_time_level_is_recovered() -> None:
    n = 6000
    rng = np.random.default_rng(8)
    home_rate, away_rate = rng.choice([1.2, 1.6], n), rng.choice([1.0, 1.4], n)
    level = TRUTH.second_half_level + TRUTH.second_half_slope + TRUTH.extra_time_level
    home = np.zeros(n, dtype=np.int64)
    away = np.zeros(n, dtype=np.int64)
    h_lead, a_lead = np.asarray(TRUTH.home_lead_late), np.asarray(TRUTH.away_lead_late)
    for _ in range(30):
        lead = np.clip(home - away, -2, 2) + 2
        home += rng.poisson(home_rate / 90 * np.exp(level + h_lead[lead]))
        away += rng.poisson(away_rate / 90 * np.exp(level + a_lead[4 - lead]))
    data = ExtraTimes(np.arange(n), home_rate, away_rate, np.zeros(n, int), np.zeros(n, int), home, away)
    estimate = fit_extra_time(data, TRUTH)
    assert abs(estimate.value - TRUTH.extra_time_level) < 4 * estimate.se


# ---- the real goal minutes in the mirror ----------------------------------------------------------
def international_goal_times(mirror: Path, since: int) -> GoalTimes:
    """National-team matches from martj42's files whose every goal has a minute within 90.

    Pre-match rates here are only the era's mean goals per side (home / away / neutral), not
    team strength: enough to see the time profile, not to measure state effects.
    """
    root = mirror / "martj42" / "international_results"
    results = pd.read_csv(root / "results.csv", parse_dates=["date"])
    goals = pd.read_csv(root / "goalscorers.csv", parse_dates=["date"])
    results = results[(results["date"].dt.year >= since) & results["home_score"].notna()]
    goals = goals[goals["date"].dt.year >= since]
    key = ["date", "home_team", "away_team"]
    goals = goals.merge(results[key], on=key)
    goals["minute"] = pd.to_numeric(goals["minute"], errors="coerce")
    per_match = goals.groupby(key).agg(n=("minute", "size"), timed=("minute", "count"), last=("minute", "max"))
    scored = results.set_index(key)
    per_match = per_match.join(scored[["home_score", "away_score"]])
    complete = per_match[
        (per_match["n"] == per_match["timed"])
        & (per_match["last"] <= 90)
        & (per_match["n"] == per_match["home_score"] + per_match["away_score"])
    ].reset_index()
    complete = complete.merge(results[[*key, "neutral"]], on=key)
    goals = goals.merge(complete[key].reset_index(), on=key)
    home_goal = (goals["team"] == goals["home_team"]).to_numpy()
    n = len(complete)
    home_count = np.bincount(goals["index"][home_goal], minlength=n)
    away_count = np.bincount(goals["index"][~home_goal], minlength=n)
    neutral = complete["neutral"].astype(bool).to_numpy()
    home_rate = np.where(neutral, (home_count.mean() + away_count.mean()) / 2, home_count.mean())
    away_rate = np.where(neutral, (home_count.mean() + away_count.mean()) / 2, away_count.mean())
    keep = (home_count == complete["home_score"].to_numpy()) & (away_count == complete["away_score"].to_numpy())
    data = GoalTimes(
        match_id=np.arange(n),
        year=complete["date"].dt.year.to_numpy(),
        home_rate=home_rate.astype(float),
        away_rate=away_rate.astype(float),
        home_goals=home_count,
        away_goals=away_count,
        goal_match=goals["index"].to_numpy(),
        goal_home=home_goal,
        goal_minute=goals["minute"].astype(int).to_numpy(),
    )
    return data.select(keep)


def test_real_goal_minutes_show_rising_rates_and_added_time(mirror: Path) -> None:
    data = international_goal_times(mirror, since=2010)
    assert len(data) > 3000
    profile = fit_time_profile(data, since=2010)
    assert profile.first_half_slope > 0  # more goals late in the first half than early
    assert profile.second_half_level > profile.first_half_level  # and more after the break
    assert 1.0 < profile.first_half_added < profile.second_half_added < 10.0  # minutes 45 and 90 hold added time


def test_odds_imply_rates_that_reproduce_the_market(mirror: Path) -> None:
    # Arsenal v Chelsea, Premier League, 23 April 2024 (5-0): Pinnacle closing 1X2 and over/under 2.5
    season = pd.read_csv(mirror / "football-data.co.uk" / "mmz4281" / "2324" / "E0.csv", encoding="latin-1")
    row = season[(season["HomeTeam"] == "Arsenal") & (season["AwayTeam"] == "Chelsea")].iloc[0]
    odds = row[["PSCH", "PSCD", "PSCA"]].to_numpy(dtype=float)
    over_under = row[["PC>2.5", "PC<2.5"]].to_numpy(dtype=float)
    home, away = rates_from_odds(odds[None, :], over_under[None, :])
    implied = 1 / odds / (1 / odds).sum()
    grid = ScoreGrid.from_rates(float(home[0]), float(away[0]))
    assert home[0] > 2 * away[0]  # Arsenal the clear favourites
    assert grid.home_win == pytest.approx(implied[0], abs=0.02)
    assert grid.away_win == pytest.approx(implied[2], abs=0.02)
    market_over = (1 / over_under[0]) / (1 / over_under).sum()
    assert grid.p_over(2.5) == pytest.approx(market_over, abs=0.03)
    # without the totals market the 1X2 prices alone still pin the two rates down
    home_only, away_only = rates_from_odds(odds[None, :])
    assert home_only[0] == pytest.approx(home[0], abs=0.25)
    assert away_only[0] == pytest.approx(away[0], abs=0.25)
