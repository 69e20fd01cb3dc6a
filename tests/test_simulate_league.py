"""League tables: real tie-breakers on real seasons, deductions, and simulated run-ins."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from remontada.grid import ScoreGrid
from remontada.simulate import runner
from remontada.simulate.league import (
    UEFA_LEAGUE_PHASE,
    LeagueSimulation,
    TableRules,
    TableStats,
    rank,
    simulate_tables,
    table_rules_for,
)
from remontada.simulate.pairs import PairGrids
from remontada.simulate.state import StateError, league_state, standings
from remontada.sources.engsoccerdata import parse_deductions
from tests.simulate_support import football_data_season, league_average_rates

END = dt.date(2100, 1, 1)


@pytest.fixture(scope="module")
def liga_2006(mirror: Path) -> pd.DataFrame:
    return football_data_season(mirror, "0607", "SP1")


@pytest.fixture(scope="module")
def epl_2011(mirror: Path) -> pd.DataFrame:
    return football_data_season(mirror, "1112", "E0")


def final_order(frame: pd.DataFrame, rules: TableRules, deductions: dict[str, int] | None = None) -> list[str]:
    state = league_state(frame, END, rules, deductions=deductions)
    return standings(state)["club_id"].tolist()


def test_la_liga_2006_07_went_to_real_madrid_on_head_to_head(liga_2006: pd.DataFrame) -> None:
    table = standings(league_state(liga_2006, END, table_rules_for("esp.1", "2006-07")))
    assert table["club_id"].tolist()[:2] == ["Real Madrid", "Barcelona"]
    assert table["points"].tolist()[:2] == [76, 76]
    assert table.loc[1, "goal_difference"] > table.loc[0, "goal_difference"]  # Barcelona had the better difference
    # Ranked on goal difference first, as in England, the title would have been Barcelona's.
    assert final_order(liga_2006, table_rules_for("eng.1", "2006-07"))[:2] == ["Barcelona", "Real Madrid"]


def test_the_premier_league_2011_12_went_to_city_on_goal_difference(epl_2011: pd.DataFrame) -> None:
    table = standings(league_state(epl_2011, END, table_rules_for("eng.1", "2011-12")))
    top = table.head(2)
    assert top["club_id"].tolist() == ["Man City", "Man United"]
    assert top["points"].tolist() == [89, 89]
    assert top["goal_difference"].tolist() == [64, 56]


def test_a_points_deduction_from_engsoccerdata_counts(mirror: Path) -> None:
    path = mirror / "engsoccerdata" / "data-raw" / "deductions.csv"
    deductions = parse_deductions(path.read_bytes(), str(path))
    portsmouth = next(d for d in deductions if d.team.name == "Portsmouth" and d.season == "2009-10")
    frame = football_data_season(mirror, "0910", "E0")
    table = standings(
        league_state(frame, END, table_rules_for("eng.1", "2009-10"), deductions={"Portsmouth": portsmouth.points})
    )
    last = table.iloc[-1]
    assert (last["club_id"], last["points"], last["deducted"]) == ("Portsmouth", 19, 9)


def test_a_deduction_for_a_club_not_in_the_league_is_an_error(epl_2011: pd.DataFrame) -> None:
    with pytest.raises(StateError, match="Portsmouth"):
        league_state(epl_2011, END, TableRules(), deductions={"Portsmouth": 9})


def test_a_club_split_over_two_ids_is_caught(epl_2011: pd.DataFrame) -> None:
    frame = epl_2011.copy()
    second_half = frame.index[len(frame) // 2 :]
    frame.loc[second_half, "home_id"] = frame.loc[second_half, "home_id"].replace("Everton", "Everton FC")
    with pytest.raises(StateError, match="Everton"):
        league_state(frame, END, TableRules())


def test_simulated_points_match_the_exact_expectation(epl_2011: pd.DataFrame) -> None:
    """From 1 April 2012 with every club an average club, each club's expected final points
    are its points so far plus, per remaining match, the grid's expected points."""
    state = league_state(epl_2011, dt.date(2012, 4, 1), table_rules_for("eng.1", "2011-12"))
    home, away = league_average_rates(epl_2011)
    n = state.n_teams
    pairs = PairGrids.from_rates(state.teams, np.full((n, n), home), np.full((n, n), away))
    grid = ScoreGrid(pairs.probabilities(0, 1))
    home_points = 3 * grid.home_win + grid.draw
    away_points = 3 * grid.away_win + grid.draw
    tally = runner.run(LeagueSimulation(state, pairs), 40_000, seed=1, chunk_size=20_000)
    values = np.arange(tally.points.shape[1]) + tally.points_offset
    simulated = tally.points @ values / tally.n_sims
    now = standings(state).set_index("club_id")["points"]
    remaining_home = np.bincount(state.fixtures_home, minlength=n)
    remaining_away = np.bincount(state.fixtures_away, minlength=n)
    sd = np.sqrt(remaining_home + remaining_away) * 1.3 / np.sqrt(tally.n_sims)  # per-match sd < 1.3 points
    for i, club in enumerate(state.teams):
        exact = now[club] + remaining_home[i] * home_points + remaining_away[i] * away_points
        assert abs(simulated[i] - exact) < 5 * sd[i] + 1e-9, club
    assert state.n_remaining == int(remaining_home.sum()) > 0
    assert tally.positions.sum(axis=1).tolist() == [tally.n_sims] * n


def test_with_no_fixtures_left_every_simulation_gives_the_final_table(liga_2006: pd.DataFrame) -> None:
    state = league_state(liga_2006, END, table_rules_for("esp.1", "2006-07"))
    draws = simulate_tables(state, None, np.random.default_rng(0), 1000)
    expected = [state.teams.index(c) for c in standings(state)["club_id"]]
    assert (draws.order == np.array(expected)).all()


def test_clubs_level_on_everything_are_split_by_lots() -> None:
    level = {"points": np.array([[10, 10, 12]]).T.repeat(20_000, axis=1)}
    level["points"] = level["points"].astype(np.int16)
    stats = TableStats(level, np.zeros(0, np.int64), np.zeros(0, np.int64))
    order = rank(stats, TableRules(("points",)), np.random.default_rng(0))
    assert (order[:, 0] == 2).all()
    assert abs((order[:, 1] == 0).mean() - 0.5) < 0.02


def test_the_league_phase_falls_back_on_opponents_results() -> None:
    """Two clubs level on points, goals, wins and away record: the one whose opponents took
    more points ranks higher (UEFA league phase, criterion 7)."""
    totals = {
        "points": [9, 9, 12, 3],
        "goal_difference": [2, 2, 5, -9],
        "goals_for": [6, 6, 9, 2],
        "away_goals_for": [3, 3, 4, 1],
        "wins": [3, 3, 4, 1],
        "away_wins": [1, 1, 2, 0],
    }
    stats = TableStats(
        {k: np.array(v, dtype=np.int16)[:, None] for k, v in totals.items()},
        np.zeros(0, np.int64),
        np.zeros(0, np.int64),
    )
    meetings = np.array([[0, 0, 1, 1], [0, 0, 0, 1], [1, 0, 0, 0], [1, 1, 0, 0]])  # club 0 met the leader
    order = rank(stats, UEFA_LEAGUE_PHASE, np.random.default_rng(0), meetings)
    assert order[0].tolist() == [2, 0, 1, 3]


def test_unknown_criteria_and_tables_not_led_by_points_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown"):
        TableRules(("points", "fair_play"))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="points first"):
        TableRules(("goal_difference", "points"))  # type: ignore[arg-type]


def test_two_points_for_a_win_before_1981_in_england() -> None:
    assert table_rules_for("eng.1", "1980-81").points_for_win == 2
    assert table_rules_for("eng.1", "1981-82").points_for_win == 3
    assert table_rules_for("ita.1", "1994-95").points_for_win == 2
