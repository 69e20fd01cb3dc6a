"""The UEFA league phase (2024-25 on): its bracket's pairings, and the real 2024-25 season."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from remontada.simulate import runner
from remontada.simulate.knockout import simulate_bracket
from remontada.simulate.league import UEFA_LEAGUE_PHASE, LeagueState
from remontada.simulate.league_phase import LeaguePhaseSimulation, league_phase_bracket, threshold_table
from remontada.simulate.pairs import PairGrids

TEAMS = tuple(f"place{p}" for p in range(1, 37))  # club i finishes in place i + 1
#: Which league places may meet in the knockout play-offs (unseeded, seeded).
PLAYOFF_PAIRS = {(23, 9), (24, 9), (23, 10), (24, 10), (21, 11), (22, 11), (21, 12), (22, 12),
                 (19, 13), (20, 13), (19, 14), (20, 14), (17, 15), (18, 15), (17, 16), (18, 16)}  # fmt: skip
#: The play-off pair whose winners each seeded pair of places meets in the round of 16.
R16_PATHS = {1: {15, 16, 17, 18}, 2: {15, 16, 17, 18}, 3: {13, 14, 19, 20}, 4: {13, 14, 19, 20},
             5: {11, 12, 21, 22}, 6: {11, 12, 21, 22}, 7: {9, 10, 23, 24}, 8: {9, 10, 23, 24}}  # fmt: skip


def even_pairs() -> PairGrids:
    n = len(TEAMS)
    return PairGrids.from_rates(TEAMS, np.full((n, n), 1.5), np.full((n, n), 1.2))


@pytest.fixture(scope="module")
def draws():  # type: ignore[no-untyped-def]
    bracket = league_phase_bracket(TEAMS, "uefa.cl", "2024-25")
    n = 40_000
    seeding = np.broadcast_to(np.arange(36)[:, None], (36, n))
    return simulate_bracket(bracket, even_pairs(), np.random.default_rng(0), n, seeding=seeding)


def places(teams: np.ndarray) -> np.ndarray:
    return teams + 1


def test_play_offs_pair_the_places_the_regulations_pair(draws) -> None:  # type: ignore[no-untyped-def]
    ties = places(draws.teams[0])
    seen = {(int(a), int(b)) for k in range(8) for a, b in zip(ties[2 * k], ties[2 * k + 1], strict=True)}
    assert seen == PLAYOFF_PAIRS  # every allowed pairing happens, no other, seeded club second (hosting)
    ninth_meets_23rd = (ties[0::2] == 23) & (ties[1::2] == 9)
    assert abs(ninth_meets_23rd.any(axis=0).mean() - 0.5) < 0.02


def test_the_top_eight_meet_the_right_play_off_winners_at_home_in_the_second_leg(draws) -> None:  # type: ignore[no-untyped-def]
    ties = places(draws.teams[1])
    seeded, unseeded = ties[1::2], ties[0::2]
    assert set(np.unique(seeded)) == set(range(1, 9))
    for place, path in R16_PATHS.items():
        opponents = set(np.unique(unseeded[seeded == place]))
        assert opponents <= path and len(opponents) == 4, place


def test_places_of_a_pair_can_only_meet_in_the_final(draws) -> None:  # type: ignore[no-untyped-def]
    for r in (1, 2, 3):  # round of 16, quarter-finals, semi-finals
        ties = places(draws.teams[r])
        a, b = ties[0::2], ties[1::2]
        for first in (1, 3, 5, 7):
            assert not (((a == first) & (b == first + 1)) | ((a == first + 1) & (b == first))).any()
    final = np.sort(places(draws.teams[4]), axis=0)
    assert ((final[0] == 1) & (final[1] == 2)).any()


def test_quarter_finals_join_the_one_two_path_with_the_seven_eight_path(draws) -> None:  # type: ignore[no-untyped-def]
    r16, qf = draws.teams[1], draws.teams[2]
    seeded_pair = (places(r16[1::2]) + 1) // 2  # (R16 tie, sim): 1 for places 1/2, ... 4 for 7/8
    for k in range(4):  # quarter-final k is the winners of round-of-16 ties 2k and 2k + 1
        pairs = {(int(a), int(b)) for a, b in zip(seeded_pair[2 * k], seeded_pair[2 * k + 1], strict=True)}
        assert pairs == ({(1, 4)} if k % 2 == 0 else {(2, 3)})
        assert np.array_equal(
            np.sort(qf[2 * k : 2 * k + 2], axis=0), np.sort(draws.winners[1][2 * k : 2 * k + 2], axis=0)
        )
    # each half holds one club of each seeded pair
    assert (np.sort(seeded_pair[:4], axis=0) == np.array([[1], [2], [3], [4]])).all()
    # the order of legs in the quarter-finals is drawn
    assert 0.45 < (qf[0] == draws.winners[1][0]).mean() < 0.55


def test_the_league_phase_feeds_its_table_to_the_bracket() -> None:
    """Eight rounds of a 36-club league phase between equal clubs: everyone's chances are even."""
    rng = np.random.default_rng(3)
    home, away = [], []
    for _ in range(4):  # four rounds of home and away matches over random pairings
        order = rng.permutation(36)
        home += order[:18].tolist() + order[18:].tolist()
        away += order[18:].tolist() + order[:18].tolist()
    state = LeagueState(TEAMS, [], [], [], [], home, away, rules=UEFA_LEAGUE_PHASE)
    simulation = LeaguePhaseSimulation(state, league_phase_bracket(TEAMS, "uefa.cl", "2024-25"), even_pairs())
    tally = runner.run(simulation, 20_000, seed=1, chunk_size=10_000)
    top8 = tally.table.positions[:, :8].sum(axis=1) / tally.n_sims
    assert np.allclose(top8, 8 / 36, atol=0.02)
    titles = tally.knockout.reached[:, -1] / tally.n_sims
    assert titles.sum() == pytest.approx(1.0) and titles.max() < 0.05
    thresholds = threshold_table(tally.table, 8)
    shares = [thresholds[x] for x in sorted(thresholds)]
    assert all(b >= a - 0.02 for a, b in itertools.pairwise(shares))  # more points, better odds
