"""Elo: rating updates by hand on real Premier League matches, and what the fitted ratings say."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest

from remontada.matchset import MatchSet
from remontada.models.elo import Elo
from tests.matchsets import football_data_matches

CLUBELO_STYLE = dict(k=20.0, home_advantage=70.0, goal_diff_exponent=0.5, initial=1500.0, newcomer_quantile=0.15)


def expectation(diff: float) -> float:
    """The Elo win expectancy of a side ``diff`` points stronger (home advantage included)."""
    return 1.0 / (1.0 + 10.0 ** (-diff / 400.0))


@pytest.fixture(scope="module")
def season_2324(mirror: Path) -> MatchSet:
    return football_data_matches(mirror, ("E0",), ("2023-24",))


def first(matches: MatchSet, n: int) -> MatchSet:
    return matches.select(np.arange(n))


def test_opening_weekend_updates_match_hand_computation(season_2324: MatchSet) -> None:
    # 11 Aug 2023 Burnley 0-3 Man City; 12 Aug 2023 Arsenal 2-1 Nott'm Forest.
    opening = first(season_2324, 2)
    assert list(opening.home) == ["Burnley|ENG", "Arsenal|ENG"]
    assert list(opening.away) == ["Man City|ENG", "Nott'm Forest|ENG"]
    model = Elo(**CLUBELO_STYLE).fit(opening)

    # Both first clubs of a top-flight competition start at 1500; City win by three at Turf Moor.
    burnley_loss = 20.0 * math.sqrt(3) * (0.0 - expectation(70.0))
    burnley, city = 1500.0 + burnley_loss, 1500.0 - burnley_loss
    # Newcomers start at the 15% quantile of the clubs already in the competition.
    arsenal = burnley + 0.15 * (city - burnley)
    peers = sorted([burnley, city, arsenal])
    forest = peers[0] + 0.30 * (peers[1] - peers[0])  # 15% of the way through 3 values = 0.3 of the first gap
    arsenal_gain = 20.0 * 1.0 * (1.0 - expectation(arsenal - forest + 70.0))

    assert model.rating("Burnley|ENG") == pytest.approx(burnley, abs=1e-9)
    assert model.rating("Man City|ENG") == pytest.approx(city, abs=1e-9)
    assert model.rating("Arsenal|ENG") == pytest.approx(arsenal + arsenal_gain, abs=1e-9)
    assert model.rating("Nott'm Forest|ENG") == pytest.approx(forest - arsenal_gain, abs=1e-9)
    assert burnley == pytest.approx(1479.2363, abs=1e-3)


def test_points_exchanged_sum_to_zero_over_a_season(season_2324: MatchSet) -> None:
    model = Elo(**CLUBELO_STYLE).fit(season_2324)
    log = model.match_log()
    starts: dict[str, float] = {}
    for home, away, rh, ra in zip(log["home"], log["away"], log["home_before"], log["away_before"], strict=True):
        starts.setdefault(home, rh)
        starts.setdefault(away, ra)
    final = model.ratings()
    assert len(final) == 20
    assert sum(final.values()) == pytest.approx(sum(starts.values()), abs=1e-6)
    assert np.abs(log["change"]).max() > 10  # points really moved


def test_home_advantage_makes_a_home_draw_cost_points(season_2324: MatchSet) -> None:
    # 12 Aug 2023 Bournemouth 1-1 West Ham, both rated 1500 beforehand.
    opening_day = season_2324.date == np.datetime64("2023-08-12")
    draw = season_2324.select((season_2324.home == "Bournemouth|ENG") & opening_day)
    assert (draw.home_goals[0], draw.away_goals[0]) == (1, 1)
    at_home = Elo(**CLUBELO_STYLE).fit(draw)
    assert at_home.rating("Bournemouth|ENG") - 1500.0 == pytest.approx(20.0 * (0.5 - expectation(70.0)), abs=1e-9)
    neutral = MatchSet(**{**draw.__dict__, "neutral": np.array([True])})
    assert Elo(**CLUBELO_STYLE).fit(neutral).rating("Bournemouth|ENG") == pytest.approx(1500.0, abs=1e-12)
    no_advantage = Elo(**{**CLUBELO_STYLE, "home_advantage": 0.0}).fit(draw)
    assert no_advantage.rating("West Ham|ENG") == pytest.approx(1500.0, abs=1e-12)


def test_goal_difference_multiplies_the_exchange(season_2324: MatchSet) -> None:
    opener = first(season_2324, 1)  # Burnley 0-3 Man City
    by_margin = Elo(**CLUBELO_STYLE).fit(opener).rating("Man City|ENG") - 1500.0
    flat = Elo(**{**CLUBELO_STYLE, "goal_diff_exponent": 0.0}).fit(opener).rating("Man City|ENG") - 1500.0
    linear = Elo(**{**CLUBELO_STYLE, "goal_diff_exponent": 1.0}).fit(opener).rating("Man City|ENG") - 1500.0
    assert by_margin / flat == pytest.approx(math.sqrt(3))
    assert linear / flat == pytest.approx(3.0)


def test_fit_is_deterministic_and_partial_fit_continues_it(season_2324: MatchSet) -> None:
    whole = Elo().fit(season_2324)
    again = Elo().fit(season_2324)
    assert whole.ratings() == again.ratings()
    split = season_2324.date < np.datetime64("2024-01-01")
    stepwise = Elo().fit(season_2324.select(split)).partial_fit(season_2324.select(~split))
    assert stepwise.ratings() == pytest.approx(whole.ratings(), abs=1e-9)
    assert stepwise.goal_map_.home_slope == pytest.approx(whole.goal_map_.home_slope, rel=1e-9)
    with pytest.raises(ValueError, match="before the last processed day"):
        stepwise.partial_fit(season_2324.select(split))


def test_ratings_on_a_date_are_those_before_that_day(season_2324: MatchSet) -> None:
    model = Elo(**CLUBELO_STYLE).fit(season_2324)
    log = model.match_log()
    # Man City's second match: 19 Aug 2023 v Newcastle at home.
    city = np.flatnonzero((log["home"] == "Man City|ENG") | (log["away"] == "Man City|ENG"))
    second = city[1]
    assert log["date"][second] == np.datetime64("2023-08-19")
    before = model.rating("Man City|ENG", "2023-08-19")
    assert before == pytest.approx(
        log["home_before"][second] if log["home"][second] == "Man City|ENG" else log["away_before"][second]
    )
    assert before == pytest.approx(1500.0 - 20.0 * math.sqrt(3) * (0.0 - expectation(70.0)))
    assert "Luton|ENG" not in model.ratings("2023-08-11")  # Luton's first match was the next day
    assert model.rating("Man City|ENG", "2030-01-01") == pytest.approx(model.rating("Man City|ENG"))


def test_fitted_ratings_favour_the_stronger_club(mirror: Path) -> None:
    matches = football_data_matches(mirror, ("E0", "E1"), ("2021-22", "2022-23", "2023-24"))
    model = Elo().fit(matches)
    top_two = list(model.ratings())[:2]
    # 2023-24: Man City champions on 91 points, Arsenal second on 89.
    assert set(top_two) == {"Man City|ENG", "Arsenal|ENG"}
    strong_home = model.predict("Man City|ENG", "Sheffield United|ENG")
    strong_away = model.predict("Sheffield United|ENG", "Man City|ENG")
    assert strong_home.home_win > 0.75
    assert strong_away.away_win > 0.6
    assert strong_home.home_win > strong_away.away_win  # home advantage
    assert strong_home.probs.sum() == pytest.approx(1.0)
    assert model.goal_map_.home_slope > 0 and model.goal_map_.away_slope > 0
    batch = model.predict_many(
        ["Man City|ENG", "Sheffield United|ENG"], ["Sheffield United|ENG", "Man City|ENG"], outcomes=True
    )
    assert batch[0] == pytest.approx(strong_home.outcome_probs(), abs=1e-6)
    assert batch[1] == pytest.approx(strong_away.outcome_probs(), abs=1e-6)


def test_goal_map_reproduces_the_goals_scored(mirror: Path) -> None:
    matches = football_data_matches(mirror, ("E0",), ("2022-23", "2023-24"))
    model = Elo(map_half_life_days=1e9, map_window_days=10_000).fit(matches)
    log = model.match_log()
    diff = (log["home_before"] - log["away_before"] + model.home_advantage) / 400.0
    home_rate, away_rate = model.goal_map_.rates(diff, np.full(len(diff), "eng.1"), np.zeros(len(diff), bool))
    # A Poisson regression with an intercept matches observed goals in total (score equations).
    assert home_rate.sum() + away_rate.sum() == pytest.approx(
        matches.home_goals.sum() + matches.away_goals.sum(), rel=1e-6
    )
    assert home_rate.sum() > away_rate.sum()  # and home sides do score more


def test_unknown_club_is_rated_as_a_newcomer_to_the_competition(season_2324: MatchSet) -> None:
    model = Elo().fit(season_2324)
    weakest = min(model.ratings().values())
    newcomer = model.rates("Ipswich|ENG", "Man City|ENG", competition="eng.1")
    established = model.rates("Luton|ENG", "Man City|ENG", competition="eng.1")
    assert newcomer[0] < newcomer[1]
    assert weakest < model.rating("Man City|ENG")
    with pytest.raises(KeyError):
        model.rating("Ipswich|ENG")
    assert established != newcomer


def test_ratings_track_clubelo(mirror: Path) -> None:
    """Our ratings of English clubs on 1 April 2017 against ClubElo's published ones."""
    matches = football_data_matches(mirror, ("E0", "E1"), tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(2011, 2017)))
    model = Elo().fit(matches.before("2017-04-01"))
    ours = model.ratings()
    theirs: dict[str, float] = {}
    for line in (mirror / "api.clubelo.com" / "2017-04-01").read_text().splitlines()[1:]:
        _, club, country, level, elo, *_ = line.split(",")
        if country == "ENG" and level in ("1", "2"):
            theirs[f"{club}|ENG"] = float(elo)
    common = sorted(set(ours) & set(theirs))
    assert len(common) >= 35
    correlation = np.corrcoef([ours[c] for c in common], [theirs[c] for c in common])[0, 1]
    assert correlation > 0.9


def test_shots_on_target_can_decide_the_exchange(season_2324: MatchSet) -> None:
    opener = first(season_2324, 1)  # Burnley 0-3 Man City, shots on target 1-8
    assert (opener.extras["home_sot"][0], opener.extras["away_sot"][0]) == (1.0, 8.0)
    by_shots = Elo(**CLUBELO_STYLE, evidence="shots_on_target").fit(opener)
    assert by_shots.rating("Burnley|ENG") - 1500.0 == pytest.approx(20.0 * math.sqrt(7) * (0.0 - expectation(70.0)))
    unknown = MatchSet(**{**opener.__dict__, "extras": {**opener.extras, "home_sot": np.array([np.nan])}})
    falls_back = Elo(**CLUBELO_STYLE, evidence="shots_on_target").fit(unknown)
    assert falls_back.rating("Burnley|ENG") == pytest.approx(Elo(**CLUBELO_STYLE).fit(opener).rating("Burnley|ENG"))
    with pytest.raises(ValueError, match="evidence"):
        Elo(evidence="corners")
