"""Group stages of four feeding a round-of-16 draw (Champions League to 2023-24)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from remontada.rules import rules_for
from remontada.simulate import runner
from remontada.simulate.group_stage import GroupStage, GroupStageSimulation
from remontada.simulate.knockout import Bracket, Pairing, Round, simulate_bracket
from remontada.simulate.league import LeagueState, simulate_tables, table_rules_for
from remontada.simulate.pairs import PairGrids

SEASON = "2022-23"
N_GROUPS = 8
TEAMS = tuple(f"g{g}c{c}" for g in range(N_GROUPS) for c in range(4))
# Sixteen countries with two clubs each, never in the same group (as UEFA's group draw ensured).
COUNTRY = tuple(f"C{(4 * g + c) % 16:02d}" for g in range(N_GROUPS) for c in range(4))


def double_round_robin(size: int) -> tuple[list[int], list[int]]:
    pairs = list(itertools.permutations(range(size), 2))
    return [h for h, _ in pairs], [a for _, a in pairs]


def stage(strengths: np.ndarray | None = None) -> tuple[GroupStage, PairGrids]:
    home, away = double_round_robin(4)
    rules = table_rules_for("uefa.cl", SEASON, "group")
    groups, members = [], []
    for g in range(N_GROUPS):
        clubs = tuple(range(4 * g, 4 * g + 4))
        groups.append(LeagueState(tuple(TEAMS[i] for i in clubs), [], [], [], [], home, away, rules=rules))
        members.append(clubs)
    attack = np.ones(len(TEAMS)) if strengths is None else strengths
    home_rates = np.outer(attack, 1 / attack) * 1.5
    away_rates = np.outer(1 / attack, attack) * 1.1
    pairs = PairGrids.from_rates(TEAMS, home_rates, away_rates)
    labels = tuple(f"Group {chr(65 + g)}" for g in range(N_GROUPS))
    return GroupStage(TEAMS, tuple(groups), tuple(members), labels), pairs


def bracket() -> Bracket:
    r16 = Pairing(
        tuple(p for g in range(N_GROUPS) for p in (N_GROUPS + g, g)),
        shuffle=(tuple(range(N_GROUPS, 2 * N_GROUPS)),),
        forbid=("country", "group"),
    )
    rounds = (
        Round("r16", rules_for("uefa.cl", SEASON, "r16"), r16, entrants=tuple(range(16))),
        Round("qf", rules_for("uefa.cl", SEASON, "qf"), Pairing.open_draw(4)),
        Round("sf", rules_for("uefa.cl", SEASON, "sf"), Pairing(tuple(range(4)), drawn_home=(0, 1))),
        Round("final", rules_for("uefa.cl", SEASON, "final"), Pairing.fixed(1)),
    )
    group = tuple(f"Group {chr(65 + g)}" for g in range(N_GROUPS) for _ in range(4))
    return Bracket(TEAMS, rounds, None, COUNTRY, group)


def test_equal_clubs_share_every_place_and_title() -> None:
    groups, pairs = stage()
    tally = runner.run(GroupStageSimulation(groups, bracket(), pairs), 20_000, seed=4, chunk_size=10_000)
    places = tally.places / tally.n_sims
    assert np.allclose(places, 0.25, atol=0.02)
    assert tally.places.sum(axis=1).tolist() == [tally.n_sims] * len(TEAMS)
    assert np.allclose(tally.knockout.reached[:, 0] / tally.n_sims, 0.5, atol=0.02)
    assert tally.knockout.reached[:, -1].sum() == tally.n_sims


def test_the_round_of_16_pairs_winners_with_runners_up_of_other_groups_and_countries() -> None:
    groups, pairs = stage(np.exp(np.random.default_rng(1).normal(0, 0.3, len(TEAMS))))
    simulation = GroupStageSimulation(groups, bracket(), pairs)
    n = 5_000
    rng = np.random.default_rng(2)
    seeding = np.empty((16, n), dtype=np.intp)
    for g, (group, members) in enumerate(zip(groups.groups, groups.members, strict=True)):
        order = simulate_tables(group, pairs.subset(members), rng, n).order
        seeding[g], seeding[N_GROUPS + g] = np.asarray(members)[order[:, 0]], np.asarray(members)[order[:, 1]]
    draws = simulate_bracket(simulation.bracket, pairs, rng, n, seeding=seeding)
    ties = draws.teams[0]
    winners = set(seeding[:N_GROUPS].ravel().tolist())
    assert all(int(t) in winners for t in ties[1::2].ravel())  # group winners host the second leg
    group_of = groups.group_of
    assert not (group_of[ties[0::2]] == group_of[ties[1::2]]).any()
    country = np.array([int(c[1:]) for c in COUNTRY])
    assert not (country[ties[0::2]] == country[ties[1::2]]).any()


def test_a_bracket_that_takes_more_clubs_than_the_groups_send_is_refused() -> None:
    groups, pairs = stage()
    too_small = Bracket(
        TEAMS,
        (Round("final", rules_for("uefa.cl", SEASON, "final"), Pairing.fixed(1), entrants=(0, 1)),),
        None,
    )
    with pytest.raises(ValueError, match="groups send"):
        GroupStageSimulation(groups, too_small, pairs)
