"""Reading a competition's state on a date from the store built from the whole mirror (slow)."""

from __future__ import annotations

import numpy as np
import pytest

from remontada.forecast import Forecaster
from remontada.grid import ScoreGrid
from remontada.rules import rules_for
from remontada.simulate import runner
from remontada.simulate.competition import build_simulation, pair_grids
from remontada.simulate.state import StateError, read_state, standings
from remontada.ties.engine import forecast_second_leg

pytestmark = pytest.mark.slow


def club(store, name: str) -> str:  # type: ignore[no-untyped-def]
    """The store's id of a club (ids and display names come from the store's club identity)."""
    return store.resolve_club(name)


def tie_ids(state, ties) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(state.teams[t.a], state.teams[t.b]) for t in ties]


def test_europa_league_2023_24_on_the_eve_of_the_quarter_finals(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Europa League", "2023-24", "2024-04-11", start="quarter-finals")
    bracket = state.bracket
    assert state.kind == "knockout" and state.start == "qf"
    qf, sf, final = bracket.rounds
    ties = tie_ids(state, qf.known)
    c = {
        name: club(full_store, name)
        for name in (
            "Benfica",
            "Marseille",
            "AC Milan",
            "AS Roma",
            "Liverpool",
            "Atalanta",
            "Bayer Leverkusen",
            "West Ham United",
        )
    }
    assert (c["Liverpool"], c["Atalanta"]) in ties and (c["AC Milan"], c["AS Roma"]) in ties
    assert all(t.first_leg is None and t.winner is None for t in qf.known)
    # The draw of 15 March 2024 fixed the semi-finals: the Benfica/Marseille winner at home first
    # against the Liverpool/Atalanta winner, the Milan/Roma winner against Leverkusen/West Ham.
    order = [ties[i] for i in sf.pairing.slots]
    assert order[0] == (c["Benfica"], c["Marseille"]) and order[1] == (c["Liverpool"], c["Atalanta"])
    assert {order[2], order[3]} == {(c["AC Milan"], c["AS Roma"]), (c["Bayer Leverkusen"], c["West Ham United"])}
    assert final.rules.legs == 1 and final.rules.neutral_venue


def test_between_the_legs_the_first_leg_counts(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Europa League", "2023-24", "2024-04-15")
    liverpool = state.teams.index(club(full_store, "Liverpool"))
    atalanta = state.teams.index(club(full_store, "Atalanta"))
    tie = next(t for t in state.bracket.rounds[0].known if t.a == liverpool)
    assert tie.first_leg == (0, 3) and tie.winner is None
    model = Forecaster(full_store).fitted(state.as_of)
    grids = pair_grids(state, model)
    tally = runner.run(build_simulation(state, grids), 200_000, seed=2)
    exact = forecast_second_leg(
        (0, 3), ScoreGrid(grids.probabilities(atalanta, liverpool)), rules=rules_for("uefa.el", "2023-24", "qf")
    )
    simulated = tally.reached[liverpool, 1] / tally.n_sims
    assert abs(simulated - exact.p_a) < 4.5 * np.sqrt(exact.p_a * (1 - exact.p_a) / tally.n_sims)


def test_after_the_quarter_finals_the_semi_finals_start(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Europa League", "2023-24", "2024-04-19")
    assert state.start == "sf"
    pairs = set(tie_ids(state, state.bracket.rounds[0].known))
    expected = {("Marseille", "Atalanta"), ("AS Roma", "Bayer Leverkusen")}
    assert pairs == {(club(full_store, a), club(full_store, b)) for a, b in expected}


def test_before_the_quarter_final_draw_it_is_simulated(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Europa League", "2023-24", "2024-03-07")
    assert state.start == "r16"
    assert state.bracket.rounds[1].pairing.shuffle  # the quarter-final draw of 15 March is still to come
    assert any("open draw" in note for note in state.notes)


def test_dates_that_cannot_be_simulated_are_explained(full_store) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(StateError, match="over before"):
        read_state(full_store, "Europa League", "2023-24", "2024-06-01")
    with pytest.raises(StateError, match="not over"):
        read_state(full_store, "Europa League", "2023-24", "2024-03-07", start="quarter-finals")


def test_the_2024_25_league_phase_table_is_reproduced(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Champions League", "2024-25", "2025-02-01")
    table = standings(state.league, state.names)
    place = dict(zip(table["club_id"], table["position"], strict=True))
    assert table.loc[0, ["club_id", "points"]].tolist() == [club(full_store, "Liverpool"), 21]
    matches = full_store.matches(competition="uefa.cl", season="2024-25")
    playoffs = matches[matches["stage"] == "playoff"]
    r16 = matches[matches["round"] == "Round of 16"]
    in_playoffs = set(playoffs["home_id"]) | set(playoffs["away_id"])
    direct = (set(r16["home_id"]) | set(r16["away_id"])) - in_playoffs
    assert sorted(place[c] for c in direct) == list(range(1, 9))
    second_leg_hosts = set(playoffs[playoffs["leg"] == 2]["home_id"])
    assert sorted(place[c] for c in second_leg_hosts) == list(range(9, 17))
    assert sorted(place[c] for c in in_playoffs - second_leg_hosts) == list(range(17, 25))
    # The real draw is one outcome of the simulated one: places 9/10 met 23/24, 11/12 met 21/22 ...
    for _, leg in playoffs[playoffs["leg"] == 1].iterrows():
        seeded, unseeded = place[leg["away_id"]], place[leg["home_id"]]
        assert (seeded + 1) // 2 + (unseeded + 1) // 2 == 17


def test_a_league_phase_in_progress_is_simulated_with_its_bracket(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Champions League", "2024-25", "2024-11-01")
    assert state.kind == "league_phase"
    assert (len(state.league.played_home), state.league.n_remaining) == (54, 90)
    assert [r.key for r in state.bracket.rounds] == ["po", "r16", "qf", "sf", "final"]


def test_between_play_off_legs_the_ties_are_known(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Champions League", "2024-25", "2025-02-15")
    playoffs = state.bracket.rounds[0]
    known = dict(zip(tie_ids(state, playoffs.known), (t.first_leg for t in playoffs.known), strict=True))
    assert known[(club(full_store, "Brest"), club(full_store, "Paris Saint-Germain"))] == (0, 3)
    assert all(t.winner is None for t in playoffs.known)
    assert state.bracket.rounds[1].pairing.shuffle  # the round-of-16 draw of 21 February is to come


def test_a_champions_league_group_stage_in_progress_feeds_a_simulated_draw(full_store) -> None:  # type: ignore[no-untyped-def]
    state = read_state(full_store, "Champions League", "2023-24", "2023-11-01")
    assert state.kind == "group_stage"
    groups = state.groups
    assert len(groups.groups) == 8 and all(g.n_teams == 4 for g in groups.groups)
    assert sum(len(g.played_home) for g in groups.groups) == 48
    assert sum(g.n_remaining for g in groups.groups) == 48
    real = club(full_store, "Real Madrid"), club(full_store, "Napoli")
    group_of = dict(zip(state.teams, groups.group_of, strict=True))
    assert group_of[real[0]] == group_of[real[1]]  # they met in the group (Napoli 2-3 Real Madrid, 3 October)
    r16 = state.bracket.rounds[0]
    assert r16.pairing.forbid == ("country", "group") and r16.pairing.shuffle
    model = Forecaster(full_store).fitted(state.as_of)
    tally = runner.run(build_simulation(state, pair_grids(state, model)), 20_000, seed=3)
    assert (tally.places.sum(axis=1) == tally.n_sims).all()
    assert tally.knockout.reached[:, 0].sum() == 16 * tally.n_sims
