"""Simulated knockout ties and brackets: the tie engine's numbers, the rules, the draws."""

from __future__ import annotations

import dataclasses
import itertools

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.penalties import ShootoutModel
from remontada.rules import TieRules, rules_for
from remontada.simulate import runner
from remontada.simulate.knockout import (
    Bracket,
    KnockoutSimulation,
    KnownTie,
    Pairing,
    Round,
    draw_round,
    play_ties,
    simulate_bracket,
)
from remontada.simulate.pairs import PairGrids, two_leg_leads
from remontada.ties.engine import UnmodelledRuleError, forecast_second_leg, forecast_single_match, forecast_tie

# Expected goals the default model (Dixon-Coles fitted on every club match before 11 April 2024)
# gave the 2023-24 Europa League quarter-final: Liverpool v Atalanta at Anfield, and the return.
LIVERPOOL_HOME = (2.409, 1.053)  # Liverpool, Atalanta
ATALANTA_HOME = (1.311, 1.935)  # Atalanta, Liverpool
RHO = -0.0435
RULES_2023 = rules_for("uefa.el", "2023-24", "qf")  # extra time, penalties
RULES_2018 = rules_for("uefa.el", "2018-19", "qf")  # away goals, also in extra time
FINAL_2023 = rules_for("uefa.el", "2023-24", "final")  # one match, neutral venue


@pytest.fixture(scope="module")
def tie_pairs() -> PairGrids:
    home = np.array([[0.0, LIVERPOOL_HOME[0]], [ATALANTA_HOME[0], 0.0]])
    away = np.array([[0.0, LIVERPOOL_HOME[1]], [ATALANTA_HOME[1], 0.0]])
    neutral = (np.array([[0.0, 1.9], [1.2, 0.0]]), np.array([[0.0, 1.2], [1.9, 0.0]]))
    return PairGrids.from_rates(("liverpool", "atalanta"), home, away, neutral_rates=neutral, rho=RHO)


def within_sampling_error(simulated: np.ndarray, exact: float, sigmas: float = 4.5) -> bool:
    n = simulated.size
    return abs(simulated.mean() - exact) <= sigmas * np.sqrt(max(exact * (1 - exact), 1e-12) / n)


def exact_tie(pairs: PairGrids, rules: TieRules):  # type: ignore[no-untyped-def]
    leg1 = ScoreGrid(pairs.probabilities(0, 1))
    leg2 = ScoreGrid(pairs.probabilities(1, 0))
    return forecast_tie(leg1, leg2, rules=rules)


@pytest.mark.parametrize("rules", [RULES_2023, RULES_2018], ids=["no-away-goals", "away-goals"])
def test_simulated_ties_agree_with_the_exact_tie_engine(tie_pairs: PairGrids, rules: TieRules) -> None:
    exact = exact_tie(tie_pairs, rules)
    draws = play_ties(0, 1, rules, tie_pairs, np.random.default_rng(1), n=400_000)
    assert within_sampling_error(draws.a_through, exact.p_a)
    assert within_sampling_error(draws.extra_time, exact.p_extra_time)
    assert within_sampling_error(draws.decider, exact.p_decider)


@pytest.mark.parametrize("rules", [RULES_2023, RULES_2018], ids=["no-away-goals", "away-goals"])
def test_after_liverpool_lost_the_first_leg_0_3(tie_pairs: PairGrids, rules: TieRules) -> None:
    exact = forecast_second_leg((0, 3), ScoreGrid(tie_pairs.probabilities(1, 0)), rules=rules)
    draws = play_ties(0, 1, rules, tie_pairs, np.random.default_rng(2), n=400_000, first_leg=(0, 3))
    assert within_sampling_error(draws.a_through, exact.p_a)
    assert draws.a_through.mean() < exact_tie(tie_pairs, rules).p_a / 3  # far worse than before the tie


def test_a_neutral_final_agrees_with_the_exact_single_match(tie_pairs: PairGrids) -> None:
    exact = forecast_single_match(ScoreGrid(tie_pairs.probabilities(0, 1, "neutral")), rules=FINAL_2023)
    draws = play_ties(0, 1, FINAL_2023, tie_pairs, np.random.default_rng(3), n=400_000)
    assert within_sampling_error(draws.a_through, exact.p_a)
    assert within_sampling_error(draws.decider, exact.p_decider)


def test_the_two_leg_lead_is_the_convolution_of_the_legs(tie_pairs: PairGrids) -> None:
    laws, offset = two_leg_leads(tie_pairs.home_grids, tie_pairs.n_teams)
    exact = exact_tie(tie_pairs, dataclasses.replace(RULES_2023, extra_time_minutes=0))
    assert laws[1].sum() == pytest.approx(1.0)
    assert laws[1][offset + 1 :].sum() == pytest.approx(exact.split_a.regulation, abs=1e-12)
    assert laws[1][offset] == pytest.approx(exact.p_decider, abs=1e-12)


def test_a_home_shootout_edge_is_given_to_the_second_leg_hosts(tie_pairs: PairGrids) -> None:
    rules = dataclasses.replace(RULES_2023, extra_time_minutes=0)
    exact = forecast_tie(
        ScoreGrid(tie_pairs.probabilities(0, 1)),
        ScoreGrid(tie_pairs.probabilities(1, 0)),
        rules=rules,
        shootout=ShootoutModel(p_host_wins=0.9),
    )
    draws = play_ties(0, 1, rules, tie_pairs, np.random.default_rng(4), n=300_000, shootout=ShootoutModel(0.9))
    assert within_sampling_error(draws.a_through, exact.p_a)


def test_a_replay_is_refused_unless_split_evenly(tie_pairs: PairGrids) -> None:
    rules = rules_for("uefa.cl", "1960-61", "qf")  # level ties replayed
    with pytest.raises(UnmodelledRuleError):
        play_ties(0, 1, rules, tie_pairs, np.random.default_rng(5), n=10_000)
    draws = play_ties(0, 1, rules, tie_pairs, np.random.default_rng(5), n=10_000, on_unmodelled="even")
    assert draws.decider.any() and not draws.extra_time.any()


# ---- brackets ----------------------------------------------------------------------------------


def strength_pairs(n_teams: int, spread: float = 1.0) -> PairGrids:
    """Clubs 0..n-1, each stronger than the next: expected goals fall with the index."""
    attack = 1.5 * np.exp(-spread * np.arange(n_teams) / n_teams)
    home = np.outer(attack, 1 / attack) * 1.2
    away = np.outer(1 / attack, attack)
    np.fill_diagonal(home, 1.0)
    np.fill_diagonal(away, 1.0)
    return PairGrids.from_rates(tuple(f"club{i}" for i in range(n_teams)), home, away)


def eight_team_bracket(pairs: PairGrids, **first_round: object) -> Bracket:
    return Bracket(
        pairs.teams,
        (
            Round("qf", RULES_2023, Pairing.fixed(4), entrants=tuple(range(8)), **first_round),  # type: ignore[arg-type]
            Round("sf", RULES_2023, Pairing((0, 3, 1, 2))),
            Round("final", FINAL_2023, Pairing.fixed(1)),
        ),
        seeds=tuple(range(8)),
    )


def test_winners_move_along_the_fixed_bracket() -> None:
    pairs = strength_pairs(8)
    draws = simulate_bracket(eight_team_bracket(pairs), pairs, np.random.default_rng(0), 20_000)
    qf_winners, sf_teams = draws.winners[0], draws.teams[1]
    assert np.array_equal(sf_teams, qf_winners[[0, 3, 1, 2]])
    assert set(np.unique(qf_winners[0])) <= {0, 1}
    assert set(np.unique(draws.teams[2][0])) <= {0, 1, 6, 7}
    finalists = draws.teams[2]
    assert ((draws.champion == finalists[0]) | (draws.champion == finalists[1])).all()


def test_decided_ties_and_played_first_legs_are_respected() -> None:
    pairs = strength_pairs(8, spread=3.0)
    known = (
        KnownTie(0, 1, winner=1),  # the favourite already out
        KnownTie(2, 3, first_leg=(0, 4)),  # the favourite four down after the first leg
        None,
        None,
    )
    draws = simulate_bracket(eight_team_bracket(pairs, known=known), pairs, np.random.default_rng(1), 50_000)
    assert (draws.winners[0][0] == 1).all()
    exact = forecast_second_leg((0, 4), ScoreGrid(pairs.probabilities(3, 2)), rules=RULES_2023)
    assert within_sampling_error(draws.winners[0][1] == 2, exact.p_a)


def test_a_known_tie_that_the_bracket_contradicts_is_an_error() -> None:
    pairs = strength_pairs(8)
    known = (KnownTie(0, 2), None, None, None)
    with pytest.raises(ValueError, match="known tie"):
        simulate_bracket(eight_team_bracket(pairs, known=known), pairs, np.random.default_rng(0), 10)


def test_an_open_draw_with_country_protection_never_pairs_compatriots() -> None:
    pairs = strength_pairs(4)
    bracket = Bracket(
        pairs.teams,
        (
            Round("sf", RULES_2023, Pairing.open_draw(2, forbid=("country",)), entrants=(0, 1, 2, 3)),
            Round("final", FINAL_2023, Pairing.fixed(1)),
        ),
        seeds=(0, 1, 2, 3),
        country=("ESP", "ESP", "ENG", "ITA"),
    )
    n = 60_000
    pool = np.broadcast_to(np.arange(4)[:, None], (4, n))
    teams = draw_round(pool, bracket.rounds[0].pairing, bracket, np.random.default_rng(5))
    meets = {frozenset(p) for p in itertools.combinations(range(4), 2)}
    opponents_of_0 = np.where(teams[0] == 0, teams[1], np.where(teams[1] == 0, teams[0], -1))
    opponents_of_0 = np.where(teams[2] == 0, teams[3], np.where(teams[3] == 0, teams[2], opponents_of_0))
    assert frozenset((0, 1)) in meets and not (opponents_of_0 == 1).any()
    # the two valid draws (0 v 2, 1 v 3) and (0 v 3, 1 v 2) are equally likely
    assert abs((opponents_of_0 == 2).mean() - 0.5) < 4.5 * np.sqrt(0.25 / n)
    # the first-drawn club hosts the first leg: each order of a pairing is equally likely
    assert abs((teams[0] == 0).mean() + (teams[2] == 0).mean() - 0.5) < 4.5 * np.sqrt(0.25 / n)


def test_an_impossible_draw_is_reported_and_relaxed() -> None:
    pairs = strength_pairs(2)
    bracket = Bracket(
        pairs.teams,
        (Round("final", FINAL_2023, Pairing.open_draw(1, forbid=("country",)), entrants=(0, 1)),),
        seeds=(0, 1),
        country=("ESP", "ESP"),
    )
    with pytest.warns(RuntimeWarning, match="100 simulated draw"):
        draws = simulate_bracket(bracket, pairs, np.random.default_rng(0), 100)
    assert (np.sort(draws.teams[0], axis=0) == np.array([[0], [1]])).all()


def test_a_seeded_draw_sends_seeds_home_for_the_second_leg() -> None:
    pairing = Pairing.seeded_draw(4)
    pairs = strength_pairs(8)
    bracket = Bracket(
        pairs.teams,
        (
            Round("r16", RULES_2023, pairing, entrants=tuple(range(8))),
            Round("sf", RULES_2023, Pairing.fixed(2)),
            Round("final", FINAL_2023, Pairing.fixed(1)),
        ),
        seeds=tuple(range(8)),
    )
    pool = np.broadcast_to(np.arange(8)[:, None], (8, 1000))
    teams = draw_round(pool, pairing, bracket, np.random.default_rng(0))
    assert (teams[1::2] < 4).all() and (teams[0::2] >= 4).all()  # B (second-leg host) is always seeded
    assert len({tuple(col) for col in teams[0::2].T}) > 1  # the unseeded side is drawn


def test_drawn_home_order_flips_a_coin_per_tie() -> None:
    bracket = eight_team_bracket(strength_pairs(8))
    pool = np.broadcast_to(np.arange(4)[:, None], (4, 40_000))
    teams = draw_round(pool, Pairing((0, 1, 2, 3), drawn_home=(1,)), bracket, np.random.default_rng(9))
    assert (teams[0] == 0).all()
    assert abs((teams[2] == 2).mean() - 0.5) < 0.01


def test_the_stronger_club_wins_more_and_tallies_add_up() -> None:
    pairs = strength_pairs(8)
    simulation = KnockoutSimulation(eight_team_bracket(pairs), pairs)
    tally = runner.run(simulation, 50_000, seed=3, chunk_size=20_000)
    assert tally.n_sims == 50_000
    assert (tally.reached[:, 0] == 50_000).all()
    assert tally.reached.sum(axis=0).tolist() == [8 * 50_000, 4 * 50_000, 2 * 50_000, 50_000]
    wins = tally.reached[:, -1]
    assert wins[0] > wins[3] > wins[7]


def test_seeds_reproduce_and_do_not_depend_on_local_processes() -> None:
    pairs = strength_pairs(8)
    simulation = KnockoutSimulation(eight_team_bracket(pairs), pairs)
    one = runner.run(simulation, 30_000, seed=5, chunk_size=10_000)
    two = runner.run(simulation, 30_000, seed=5, chunk_size=10_000, workers=2)
    other = runner.run(simulation, 30_000, seed=6, chunk_size=10_000)
    assert np.array_equal(one.reached, two.reached)
    assert not np.array_equal(one.reached, other.reached)


@pytest.mark.parametrize(
    ("rounds", "message"),
    [
        ((Round("final", FINAL_2023, Pairing.fixed(1), entrants=(0, 1, 2)),), "cannot fill"),
        ((Round("sf", RULES_2023, Pairing.fixed(2), entrants=(0, 1, 2, 3)),), "single tie"),
    ],
)
def test_inconsistent_brackets_are_refused(rounds: tuple[Round, ...], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Bracket(tuple(f"club{i}" for i in range(4)), rounds, seeds=(0, 1, 2, 3))


def test_pairings_must_use_every_pool_position_once() -> None:
    with pytest.raises(ValueError, match="every pool position"):
        Pairing((0, 0, 1, 2))
