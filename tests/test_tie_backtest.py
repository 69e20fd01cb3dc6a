"""The base-rate baseline and the walk-forward tie backtest on a toy set of real ties.

The legs are real UEFA ties as the store holds them (dates and 90-minute scores); the model is a
stand-in that records what it is asked, so the tests check who is asked what and when.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.rules import rules_for
from remontada.ties.backtest import BASE_RATE, backtest_ties, evaluation_ties
from remontada.ties.base_rates import BaseRateBaseline
from remontada.ties.engine import forecast_second_leg, forecast_tie
from remontada.ties.history import Leg, Tie, base_rate, make_tie, rules_round

_ids: Iterator[int] = iter(range(1, 1_000_000))


def leg(day: str, home: str, away: str, home_goals: int, away_goals: int, neutral: bool = False) -> Leg:
    return Leg(next(_ids), dt.date.fromisoformat(day), home, away, home_goals, away_goals, neutral=neutral)


def two_legs(competition: str, season: str, round_label: str, first: Leg, second: Leg | None) -> Tie:
    rules = rules_for(competition, season, rules_round(round_label))
    return make_tie(first, second, competition=competition, season=season, rules=rules, round=round_label,
                    stage="knockout")  # fmt: skip


# (season, round, first-leg date, A, B, A goals, B goals, second-leg date, B goals, A goals), as stored
REAL = [
    ("2003-04", "Quarterfinals", "2004-03-23", "ac-milan", "deportivo", 4, 1, "2004-04-07", 4, 0),
    ("2012-13", "Quarterfinals", "2013-04-03", "real-madrid", "galatasaray", 3, 0, "2013-04-09", 3, 2),
    ("2012-13", "Semifinals", "2013-04-24", "dortmund", "real-madrid", 4, 1, "2013-04-30", 2, 0),
    ("2016-17", "Round of 16", "2017-02-14", "psg", "barcelona", 4, 0, "2017-03-08", 6, 1),
    ("2017-18", "Quarterfinals", "2018-04-04", "barcelona", "roma", 4, 1, "2018-04-10", 3, 0),
    ("2018-19", "Semifinals", "2019-05-01", "barcelona", "liverpool", 3, 0, "2019-05-07", 4, 0),
    ("2019-20", "Round of 16", "2020-02-19", "atalanta", "valencia", 4, 1, "2020-03-10", 3, 4),
    ("2020-21", "Round of 16", "2021-02-16", "barcelona", "psg", 1, 4, "2021-03-10", 1, 1),
    ("2022-23", "Round of 16", "2023-02-21", "liverpool", "real-madrid", 2, 5, "2023-03-15", 1, 0),
    ("2022-23", "Quarterfinals", "2023-04-12", "real-madrid", "chelsea", 2, 0, "2023-04-18", 0, 2),
    ("2022-23", "Semifinals", "2023-05-09", "real-madrid", "man-city", 1, 1, "2023-05-17", 4, 0),
]
ATALANTA_LIVERPOOL = ("2023-24", "Quarterfinals", "2024-04-11", "liverpool", "atalanta", 0, 3, "2024-04-18", 0, 1)


def real_tie(row: tuple) -> Tie:  # type: ignore[type-arg]
    season, round_label, d1, a, b, a1, b1, d2, b2, a2 = row
    competition = "uefa.el" if season == "2023-24" else "uefa.cl"
    return two_legs(competition, season, round_label, leg(d1, a, b, a1, b1), leg(d2, b, a, b2, a2))


@pytest.fixture(scope="module")
def real_ties() -> list[Tie]:
    ties = [real_tie(r) for r in [*REAL, ATALANTA_LIVERPOOL]]
    assert all(t.decided for t in ties)
    return ties


# ---- the baseline ------------------------------------------------------------------------------
def test_a_comeback_counts_in_the_base_rate_only_after_the_tie_has_ended(real_ties: list[Tie]) -> None:
    baseline = BaseRateBaseline(real_ties, min_n=0)
    # three goals down after an away first leg: Deportivo (won), Galatasaray and Real Madrid (lost) ...
    assert (baseline.position(3, "away", "2018-04-10").k, baseline.position(3, "away", "2018-04-10").n) == (1, 3)
    # ... Roma's 3-0 against Barcelona counts from the day after it (10 April 2018) ...
    assert (baseline.position(3, "away", "2018-04-11").k, baseline.position(3, "away", "2018-04-11").n) == (2, 4)
    # ... and Liverpool's 4-0 against Barcelona from 8 May 2019
    assert (baseline.position(3, "away", "2019-05-08").k, baseline.position(3, "away", "2019-05-08").n) == (3, 5)
    # Barcelona's 6-1 after PSG's 4-0 is the only 4+ comeback, from 9 March 2017
    assert baseline.position(4, "away", "2017-03-08").k == 0
    assert baseline.position(4, "away", "2017-03-09").k == 1
    assert baseline.position(5, "away", "2017-03-09").or_more  # 4 or more goals are pooled


def test_rates_are_smoothed_so_a_position_never_recovered_from_is_not_impossible(real_ties: list[Tie]) -> None:
    # three down after a home first leg: Barcelona v PSG 2020-21, Liverpool v Real Madrid 2022-23, Liverpool v
    # Atalanta 2023-24; none went through
    rate = BaseRateBaseline(real_ties, min_n=0).position(3, "home", "2024-04-19")
    assert (rate.k, rate.n) == (0, 3)
    assert rate.p == pytest.approx(0.5 / 4.0) and rate.raw == 0.0


def test_a_thin_cell_falls_back_to_the_same_margin_at_any_venue(real_ties: list[Tie]) -> None:
    rate = BaseRateBaseline(real_ties, min_n=5).position(3, "home", "2024-04-19")
    assert rate.venue is None and rate.n > 1


def test_before_the_tie_the_baseline_is_the_second_leg_hosts_share(real_ties: list[Tie]) -> None:
    rate = BaseRateBaseline(real_ties).second_leg_host("2020-01-01")
    earlier = [t for t in real_ties if t.date is not None and t.date < dt.date(2020, 1, 1)]
    assert rate.n == len(earlier) == 6
    # Deportivo, Barcelona, Roma and Liverpool came back at home; Real Madrid and Dortmund won as hosts of leg 1
    assert rate.k == sum(t.winner == t.team_b for t in earlier) == 4


def random_ties(n: int, seed: int) -> list[Tie]:
    rng = np.random.default_rng(seed)
    rules = rules_for("uefa.cl", "2022-23")
    ties = []
    start = dt.date(2000, 1, 1)
    for i in range(n):
        d1 = start + dt.timedelta(days=int(rng.integers(0, 7000)))
        a, b = f"club{rng.integers(0, 40)}", f"other{i}"
        neutral = bool(rng.random() < 0.1)
        first = Leg(next(_ids), d1, a, b, int(rng.poisson(1.5)), int(rng.poisson(1.1)), neutral=neutral)
        second = Leg(next(_ids), d1 + dt.timedelta(days=7), b, a, int(rng.poisson(1.5)), int(rng.poisson(1.1)))
        if (first.home_goals + second.away_goals) == (first.away_goals + second.home_goals):
            second = dataclasses.replace(second, pen_home=4, pen_away=3)  # settled by a shoot-out
        ties.append(make_tie(first, second, competition="uefa.cl", season="2022-23", rules=rules))
    return ties


@pytest.fixture(scope="module")
def random_set() -> tuple[list[Tie], BaseRateBaseline]:
    ties = random_ties(600, seed=7)
    return ties, BaseRateBaseline(ties, min_n=0, or_more_from=4)


@pytest.mark.parametrize("deficit", [-5, -4, -2, -1, 0, 1, 2, 3, 4, 6])
@pytest.mark.parametrize("venue", ["home", "away", "neutral", None])
def test_the_vectorised_counts_match_history_base_rate(
    random_set: tuple[list[Tie], BaseRateBaseline], deficit: int, venue: str | None
) -> None:
    ties, baseline = random_set
    for before in ("2005-06-01", "2012-01-01", "2030-01-01"):
        mine = baseline.position(deficit, venue, before)
        pooled = int(np.clip(deficit, -4, 4))  # margins of 4 or more are one cell
        theirs = base_rate(ties, pooled, venue, or_more=abs(pooled) == 4, before=before)  # type: ignore[arg-type]
        assert (mine.k, mine.n) == (theirs.k, theirs.n)


# ---- which ties are forecast ----------------------------------------------------------------------
def test_incomplete_ties_are_left_out_with_the_reason(real_ties: list[Tie]) -> None:
    unfinished = two_legs("uefa.cl", "2023-24", "Round of 16", leg("2024-02-13", "x", "y", 1, 0), None)
    chosen, left_out = evaluation_ties([*real_ties, unfinished], since="2011-12")
    assert unfinished not in chosen and [t for t, _ in left_out] == [unfinished]
    assert "no second leg" in left_out[0][1]
    assert len(chosen) == 11 and [t.leg1.date for t in chosen] == sorted(t.leg1.date for t in chosen)  # type: ignore[union-attr]
    assert {t.competition for t in chosen} == {"uefa.cl", "uefa.el"}


# ---- the walk-forward -----------------------------------------------------------------------------
class RecordingSource:
    """Grids from fixed expected goals; remembers every question (home, away, as_of)."""

    def __init__(self, asked: list[tuple[str, str, dt.date]], unrated: set[str]) -> None:
        self.asked, self.unrated = asked, unrated

    def grid(self, home: str, away: str, as_of, *, neutral: bool = False, competition: str | None = None) -> ScoreGrid:  # type: ignore[no-untyped-def]
        self.asked.append((home, away, as_of))
        for club in (home, away):
            if club in self.unrated:
                raise KeyError(f"team {club!r} is not rated")
        return ScoreGrid.from_rates(1.6, 1.1, rho=-0.05)


def test_each_horizon_asks_the_model_only_on_the_morning_of_its_leg(real_ties: list[Tie]) -> None:
    targets, _ = evaluation_ties(real_ties, since="2011-12")
    asked: list[tuple[str, str, dt.date]] = []
    made = []

    def factory() -> RecordingSource:
        made.append(1)
        return RecordingSource(asked, set())

    result = backtest_ties(targets, real_ties, factory, model="fixed")
    dates = {t.leg1.date for t in targets} | {t.leg2.date for t in targets}  # type: ignore[union-attr]
    assert len(made) == result.fits == len(dates)
    for tie in targets:
        assert tie.leg1 is not None and tie.leg2 is not None
        days = (tie.leg1.date, tie.leg2.date)
        mine = [q for q in asked if {q[0], q[1]} == {tie.team_a, tie.team_b} and q[2] in days]
        assert sorted(mine) == sorted([
            (tie.team_a, tie.team_b, tie.leg1.date), (tie.team_b, tie.team_a, tie.leg1.date),  # before the tie
            (tie.team_b, tie.team_a, tie.leg2.date),  # between the legs: the second leg only
        ])  # fmt: skip
    grid = ScoreGrid.from_rates(1.6, 1.1, rho=-0.05)
    i = next(k for k, t in enumerate(result.ties) if t.team_b == "atalanta")
    tie = result.ties[i]
    assert result.forecasts["between_legs"]["fixed"][i] == pytest.approx(
        forecast_second_leg((0, 3), grid, rules=tie.rules).p_b  # type: ignore[arg-type]
    )
    assert result.forecasts["before_tie"]["fixed"][i] == pytest.approx(
        forecast_tie(grid, grid, rules=tie.rules).p_b  # type: ignore[arg-type]
    )
    assert result.outcome[i] == 1.0  # Atalanta went through
    # the base rate for Liverpool's position counts only ties that ended before 18 April 2024
    baseline = BaseRateBaseline(real_ties)
    assert result.forecasts["between_legs"][BASE_RATE][i] == baseline.between_legs(tie, dt.date(2024, 4, 18))


def test_a_tie_the_model_cannot_price_is_left_out_of_every_horizon(real_ties: list[Tie]) -> None:
    targets, _ = evaluation_ties(real_ties, since="2011-12")
    result = backtest_ties(targets, real_ties, lambda: RecordingSource([], {"galatasaray"}), model="fixed")
    assert len(result.ties) == len(targets) - 1 and [t.team_b for t, _ in result.skipped] == ["galatasaray"]
    for per_name in result.forecasts.values():
        for p in per_name.values():
            assert len(p) == len(result.ties) and np.isfinite(p).all()


def test_the_summary_scores_every_forecaster_on_the_same_ties(real_ties: list[Tie]) -> None:
    targets, _ = evaluation_ties(real_ties, since="2011-12")
    result = backtest_ties(targets, real_ties, lambda: RecordingSource([], set()), model="fixed")
    summary = result.summary().set_index(["horizon", "forecaster"])
    for horizon, per_name in result.forecasts.items():
        base = per_name[BASE_RATE]
        for name, p in per_name.items():
            row = summary.loc[(horizon, name)]
            assert row["n"] == len(targets)
            assert row["brier"] == pytest.approx(np.mean((p - result.outcome) ** 2))
            assert row["brier_minus_base"] == pytest.approx(row["brier"] - np.mean((base - result.outcome) ** 2))
    table = result.calibration("between_legs", "fixed", bins=5)
    assert table.n_forecasts == len(targets)
    by_comp = result.summary("competition")
    assert set(by_comp["competition"]) == {"uefa.cl", "uefa.el"}
    assert result.per_tie().shape[0] == len(targets)
