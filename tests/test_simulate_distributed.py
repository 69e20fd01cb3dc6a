"""Scale-out on a local Dask cluster (127.0.0.1): the same numbers as one process, same seed."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from remontada.evaluation.backtest import ClimatologyForecaster, ModelForecaster, walk_forward
from remontada.matchset import MatchSet
from remontada.models.elo import Elo
from remontada.rules import rules_for
from remontada.simulate import distributed, runner
from remontada.simulate.knockout import Bracket, KnockoutSimulation, Pairing, Round
from remontada.simulate.league import LeagueSimulation, table_rules_for
from remontada.simulate.pairs import PairGrids
from remontada.simulate.state import league_state
from tests.simulate_support import football_data_season

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    dask_client = distributed.local_client(n_workers=2)
    dask_client.run(sys.path.insert, 0, str(REPO))  # workers import this test module's factories
    try:
        yield dask_client
    finally:
        cluster = dask_client.cluster
        dask_client.close()
        cluster.close()


def test_the_cluster_listens_on_localhost(client) -> None:  # type: ignore[no-untyped-def]
    workers = client.scheduler_info()["workers"]
    assert len(workers) == 2
    assert all(address.startswith("tcp://127.0.0.1:") for address in workers)


def test_a_bracket_on_the_cluster_gives_the_single_process_numbers(client) -> None:  # type: ignore[no-untyped-def]
    rules, final = rules_for("uefa.cl", "2023-24", "qf"), rules_for("uefa.cl", "2023-24", "final")
    attack = np.linspace(2.0, 0.9, 8)
    home, away = np.outer(attack, 1 / attack), np.outer(1 / attack, attack) * 0.8
    pairs = PairGrids.from_rates(tuple(f"club{i}" for i in range(8)), home, away)
    bracket = Bracket(
        pairs.teams,
        (Round("qf", rules, Pairing.fixed(4), entrants=tuple(range(8))),
         Round("sf", rules, Pairing.open_draw(2)),
         Round("final", final, Pairing.fixed(1))),
        seeds=tuple(range(8)),
    )  # fmt: skip
    simulation = KnockoutSimulation(bracket, pairs)
    local = runner.run(simulation, 100_000, seed=42, chunk_size=16_384)
    remote = distributed.run(simulation, 100_000, client, seed=42, chunk_size=16_384)
    assert remote.n_sims == local.n_sims == 100_000
    assert np.array_equal(remote.reached, local.reached)
    assert np.array_equal(remote.decider, local.decider)


def test_a_league_run_in_on_the_cluster_gives_the_single_process_numbers(client, mirror: Path) -> None:  # type: ignore[no-untyped-def]
    frame = football_data_season(mirror, "2324", "E0")
    state = league_state(frame, pd.Timestamp("2024-04-01").date(), table_rules_for("eng.1", "2023-24"))
    n = state.n_teams
    pairs = PairGrids.from_rates(state.teams, np.full((n, n), 1.8), np.full((n, n), 1.4))
    simulation = LeagueSimulation(state, pairs)
    local = runner.run(simulation, 30_000, seed=7, chunk_size=8_192)
    remote = distributed.run(simulation, 30_000, client, seed=7, chunk_size=8_192)
    assert np.array_equal(remote.positions, local.positions)
    assert np.array_equal(remote.points, local.points)


def make_forecasters() -> list[object]:
    return [ClimatologyForecaster(seasons=1), ModelForecaster("elo", Elo)]


def test_a_backtest_on_the_cluster_gives_the_single_process_numbers(client, mirror: Path) -> None:  # type: ignore[no-untyped-def]
    frames = [football_data_season(mirror, code, "E0").assign(season=season)
              for code, season in (("2122", "2021-22"), ("2223", "2022-23"))]  # fmt: skip
    frame = pd.concat(frames, ignore_index=True)
    matches = MatchSet.from_columns(
        date=frame["day"].astype("datetime64[ns]"),
        home=frame["home_id"],
        away=frame["away_id"],
        home_goals=frame["home_goals"],
        away_goals=frame["away_goals"],
        competition=np.full(len(frame), "eng.1"),
        season=frame["season"],
    )
    evaluate = matches.season == "2022-23"
    local = walk_forward(matches, evaluate, make_forecasters(), step_days=14, progress=False)
    remote = distributed.walk_forward(matches, evaluate, make_forecasters, client, step_days=14, segments=3)
    assert np.array_equal(remote.outcome, local.outcome)
    for name in local.probs:
        np.testing.assert_allclose(remote.probs[name], local.probs[name], rtol=0, atol=1e-12)
    assert remote.notes == ["run on Dask in 3 segments"]
