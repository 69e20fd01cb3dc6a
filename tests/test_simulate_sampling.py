"""Scoreline sampling: exact inverse CDF, frequencies that match the grid, seeds that reproduce."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada.grid import ScoreGrid, poisson_grids, stack_grids
from remontada.simulate.sampling import ScoreSampler
from tests.simulate_support import football_data_season, league_average_rates


@pytest.fixture(scope="module")
def epl_rates(mirror: Path) -> tuple[float, float]:
    """Home and away goals per match of the 2023-24 Premier League (football-data E0)."""
    return league_average_rates(football_data_season(mirror, "2324", "E0"))


@pytest.fixture(scope="module")
def grids(epl_rates: tuple[float, float]) -> np.ndarray:
    """Dixon-Coles grids around the league's average scoring, from a mismatch to a close game."""
    home, away = epl_rates
    scale = np.array([0.4, 0.8, 1.0, 1.3, 2.2])
    return poisson_grids(home * scale, away / scale, rho=-0.06)


def test_the_guide_table_gives_exactly_the_searchsorted_cell(grids: np.ndarray) -> None:
    rng = np.random.default_rng(7)
    # A coarse guide (7 buckets) makes most buckets straddle a step, so the search path is exercised.
    for resolution in (7, 1024):
        sampler = ScoreSampler(grids, resolution=resolution)
        u = np.concatenate([rng.random(20_000), [0.0, 1.0 - 1e-16]])
        which = rng.integers(0, len(grids), u.size)
        cdf = np.cumsum(grids.reshape(len(grids), -1), axis=1)
        cdf /= cdf[:, -1:]
        expected = np.array([np.searchsorted(cdf[g], x, side="right") for g, x in zip(which, u, strict=True)])
        assert np.array_equal(sampler.cells_for(which, u), expected)
        assert np.array_equal(sampler.cells_for(2, u), np.searchsorted(cdf[2], u, side="right"))


def test_sampled_scorelines_follow_the_grid(grids: np.ndarray) -> None:
    sampler = ScoreSampler(grids)
    rng = np.random.default_rng(1)
    n = 400_000
    home, away = sampler.sample(3, rng, n)
    counts = np.zeros(grids.shape[1:])
    np.add.at(counts, (home, away), 1)
    expected = grids[3] * n
    big = expected > 50
    z = (counts[big] - expected[big]) / np.sqrt(expected[big])
    assert np.abs(z).max() < 5.0
    assert abs(home.mean() - (grids[3].sum(axis=1) @ np.arange(grids.shape[1]))) < 0.01


def test_each_simulation_draws_from_its_own_grid(grids: np.ndarray) -> None:
    sampler = ScoreSampler(grids)
    rng = np.random.default_rng(2)
    which = rng.integers(0, len(grids), 500_000)
    home, away = sampler.sample(which, rng)
    for g in range(len(grids)):
        mine = which == g
        p_home_win = ScoreGrid(grids[g]).home_win
        observed = (home[mine] > away[mine]).mean()
        assert abs(observed - p_home_win) < 5 * np.sqrt(p_home_win * (1 - p_home_win) / mine.sum())


def test_the_same_seed_gives_the_same_draws(grids: np.ndarray) -> None:
    sampler = ScoreSampler(grids)
    first = sampler.sample(1, np.random.default_rng(11), 1000)
    again = sampler.sample(1, np.random.default_rng(11), 1000)
    other = sampler.sample(1, np.random.default_rng(12), 1000)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
    assert not np.array_equal(first[0], other[0])


def test_grids_of_different_shapes_can_share_a_sampler() -> None:
    small = ScoreGrid.from_rates(0.3, 0.2)
    large = ScoreGrid.from_rates(3.0, 2.5)
    sampler = ScoreSampler(stack_grids([small, large]))
    home, _ = sampler.sample(0, np.random.default_rng(3), 10_000)
    assert home.max() < small.shape[0]
    assert np.allclose(sampler.probabilities(0)[: small.shape[0], : small.shape[1]], small.probs)


@pytest.mark.parametrize(
    ("grids", "message"),
    [
        (np.zeros((1, 2, 2)), "no probability mass"),
        (np.array([[[0.5, -0.1], [0.3, 0.3]]]), "non-negative"),
        (np.ones(3), "stack of score grids"),
    ],
)
def test_bad_grids_are_refused(grids: np.ndarray, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ScoreSampler(grids)


def test_a_grid_index_out_of_range_is_an_error(grids: np.ndarray) -> None:
    with pytest.raises(IndexError):
        ScoreSampler(grids).cells_for(np.array([len(grids)]), np.array([0.5]))


def test_one_grid_for_all_draws_needs_a_size(grids: np.ndarray) -> None:
    with pytest.raises(ValueError, match="size"):
        ScoreSampler(grids).sample(0, np.random.default_rng(0))
