"""The match so far in the in-play chain: the state a forecast starts from scores at rates of its
own until the next goal (settled rates, the lull after a goal); the fit finds a known lull in
simulated matches and the real one in the club matches of the store."""

from __future__ import annotations

import numpy as np
import pytest

from remontada.inplay.checkpoints import forecasts, history_at
from remontada.inplay.data import N_CELLS, EventTimes
from remontada.inplay.minutes import (
    HISTORY_CHOSEN,
    compare_history,
    fit_history,
    goal_history,
    history_table,
    with_history,
)
from remontada.inplay.model import GoalHistory, InplayModel, InplayParams

# Atalanta v Liverpool, 18 April 2024 (Europa League quarter-final, second leg, Atalanta at
# home): pre-match expected goals from the store's Dixon-Coles fit; Salah's penalty made it 0-1
# in the 7th minute, which stood at 60'.
ATALANTA, LIVERPOOL = 1.3697, 1.8119
TRUE_LULL = -0.35


def _simulate(n: int, seed: int) -> EventTimes:
    """Matches of 92 cells (added time: one minute each) at constant rates, both sides scoring
    ``exp(TRUE_LULL)`` times less in the three cells after any goal."""
    rng = np.random.default_rng(seed)
    home_rate, away_rate = rng.uniform(0.8, 2.4, n), rng.uniform(0.6, 2.0, n)
    score = np.zeros((n, 2), dtype=np.int64)
    since = np.zeros(n, dtype=np.int64)  # cells since the last goal, 0: none yet
    events: list[tuple[np.ndarray, bool, int]] = []
    for cell in range(N_CELLS):
        lull = np.where((since >= 1) & (since <= 3), TRUE_LULL, 0.0)
        goals = [rng.poisson(rate / 90 * np.exp(lull)) for rate in (home_rate, away_rate)]
        for side in (0, 1):
            for k in range(1, int(goals[side].max(initial=0)) + 1):
                events.append((np.flatnonzero(goals[side] >= k), side == 0, cell))
            score[:, side] += goals[side]
        scored = (goals[0] + goals[1]) > 0
        since = np.where(scored, 1, np.where(since > 0, since + 1, 0))
    match = np.concatenate([e[0] for e in events])
    return EventTimes(
        match_id=np.arange(n), season_start=np.full(n, 2019), competition=np.full(n, "sim.1", dtype=object),
        home_rate=home_rate, away_rate=away_rate, home_goals=score[:, 0], away_goals=score[:, 1],
        event_match=match, event_home=np.concatenate([np.full(len(e[0]), e[1]) for e in events]),
        event_red=np.zeros(len(match), dtype=bool),
        event_cell=np.concatenate([np.full(len(e[0]), e[2]) for e in events]),
    )  # fmt: skip


#: Constant rates with one minute of added time per half: the process :func:`_simulate` plays
#: without its lull.
CONSTANT = InplayParams(first_half_added=1.0, second_half_added=1.0)


@pytest.fixture(scope="module")
def simulated() -> EventTimes:
    return _simulate(20_000, seed=11)


def test_goal_history_counts_cells_since_the_last_goal_and_its_scorer(simulated: EventTimes) -> None:
    since, last = goal_history(simulated)
    key = simulated.event_match * N_CELLS + simulated.event_cell
    alone = np.flatnonzero((np.bincount(key)[key] == 1) & (simulated.event_cell < N_CELLS - 4))[:50]
    for e in alone:  # goals alone in their cell, with four cells after them
        match, cell = int(simulated.event_match[e]), int(simulated.event_cell[e])
        scorer = 1 if simulated.event_home[e] else -1
        assert since[match, cell + 1] == 1 and last[match, cell + 1] == scorer
        same_match = simulated.event_match == match
        if not (same_match & (simulated.event_cell > cell) & (simulated.event_cell <= cell + 3)).any():
            assert since[match, cell + 4] == 4 and last[match, cell + 4] == scorer
    assert (since[:, 0] == 0).all() and (last[:, 0] == 0).all()


def test_the_fit_finds_a_known_lull_and_no_settled_shift(simulated: EventTimes) -> None:
    fit = fit_history(history_table(simulated, CONSTANT), "lull")
    assert abs(fit.value("lull") - TRUE_LULL) < 3.0 * fit.se("lull")
    # the offset is the truth away from the lull: no state needs an adjustment of its own
    for name in ("settled_lead_-1", "settled_lead_0", "settled_lead_late_+1"):
        assert abs(fit.value(name)) < 3.5 * fit.se(name), name
    # a momentum nobody simulated is not found
    wider = fit_history(history_table(simulated, CONSTANT), "lull_momentum")
    assert abs(wider.value("momentum")) < 3.5 * wider.se("momentum")


def test_without_history_effects_the_match_so_far_changes_nothing() -> None:
    model = InplayModel(InplayParams.previous())  # the fit shipped before the history effects
    assert model.params.lull == 0.0 and not any(model.params.settled_lead)
    unknown = model.final_score(ATALANTA, LIVERPOOL, minute=60, score=(0, 1))
    known = model.final_score(ATALANTA, LIVERPOOL, minute=60, score=(0, 1), history=GoalHistory.after(7, home=False))
    assert np.array_equal(known.probs, unknown.probs)


def test_a_settled_deficit_comes_back_more_often_and_a_fresh_goal_slows_the_next_minutes() -> None:
    model = InplayModel()
    params = model.params
    assert params.lull < 0.0 and params.settled_lead_late[1] > 0.0  # behind by one, away from the lull
    unknown = model.final_score(ATALANTA, LIVERPOOL, minute=60, score=(0, 1))
    settled = model.final_score(ATALANTA, LIVERPOOL, minute=60, score=(0, 1),
                                history=GoalHistory.after(7, home=False))  # fmt: skip
    assert settled.home_win + settled.draw > unknown.home_win + unknown.draw  # Atalanta avoid defeat more often
    # a goal just scored: fewer goals in the next minutes than 53 minutes after one
    fresh = model.remaining(ATALANTA, LIVERPOOL, minute=60, score=(0, 1), history=GoalHistory.after(60, home=False))
    older = model.remaining(ATALANTA, LIVERPOOL, minute=60, score=(0, 1), history=GoalHistory.after(7, home=False))
    assert fresh.probs[0, 0] > older.probs[0, 0]


def test_a_goal_history_that_contradicts_the_match_is_refused() -> None:
    model = InplayModel()
    with pytest.raises(ValueError, match="cannot come after"):
        model.chain(ATALANTA, LIVERPOOL, minute=30, score=(0, 1), history=GoalHistory.after(35, home=False))
    with pytest.raises(ValueError, match="cannot come after"):
        model.chain(ATALANTA, LIVERPOOL, minute="45+1", score=(0, 1), history=GoalHistory.after("45+2", home=False))
    # a goal in the first half's added time, at that minute or at half-time: its lull is still to come
    for now in ("45+2", "HT"):
        late, early = (
            model.remaining(ATALANTA, LIVERPOOL, minute=now, score=(0, 1), history=GoalHistory.after(goal, home=False))
            for goal in ("45+2", 30)
        )
        assert late.probs[0, 0] > early.probs[0, 0]
    with pytest.raises(ValueError, match="needs the last goal"):
        model.chain(ATALANTA, LIVERPOOL, minute=30, score=(0, 1), history=GoalHistory())
    with pytest.raises(ValueError, match="needs a score with a goal"):
        model.chain(ATALANTA, LIVERPOOL, minute=30, score=(0, 0), history=GoalHistory.after(20, home=True))


def test_history_effects_survive_the_parameter_table(tmp_path) -> None:  # type: ignore[no-untyped-def]
    params = InplayParams.packaged()
    again = InplayParams.read_csv(params.write_csv(tmp_path / "inplay.csv"))
    assert again.lull == params.lull and again.settled_lead_late == params.settled_lead_late
    assert InplayParams.previous().settled_lead == (0.0,) * 5  # tables written before have none


def test_checkpoints_with_history_equal_the_chain_given_the_last_goal(simulated: EventTimes) -> None:
    params = with_history(CONSTANT, fit_history(history_table(simulated, CONSTANT), "lull"))
    sample = simulated.select(np.arange(len(simulated)) < 30)
    probs = forecasts(params, sample, ("30", "75"), rate_step=1e-6)
    model = InplayModel(params)
    from remontada.inplay.checkpoints import states

    for c, checkpoint in enumerate(("30", "75")):
        home, away, _, _ = states(sample, checkpoint)
        for k in range(0, 30, 3):
            grid = model.final_score(float(sample.home_rate[k]), float(sample.away_rate[k]), minute=checkpoint,
                                     score=(int(home[k]), int(away[k])), history=history_at(sample, checkpoint, k))
            assert probs[k, c, 0] == pytest.approx(grid.home_win, abs=1e-6)
            assert probs[k, c, 1] == pytest.approx(grid.draw, abs=1e-6)


@pytest.mark.slow
def test_club_matches_show_the_lull_and_it_predicts_held_out_seasons(full_store) -> None:  # type: ignore[no-untyped-def]
    from remontada.inplay.data import event_times_from_store

    data = event_times_from_store(full_store)
    train = data.select((data.season_start >= 2009) & (data.season_start < 2020))
    test = data.select(data.season_start >= 2020)
    params = InplayParams.previous()  # fitted on the same seasons, without history effects
    rows, fits = compare_history(history_table(train, params), history_table(test, params))
    lull = fits[HISTORY_CHOSEN]
    assert lull.value("lull") < -10 * lull.se("lull")  # about x0.71
    gain = {row["variant"]: float(row["held_out_gain_per_1000"]) for row in rows}  # type: ignore[arg-type]
    assert gain[f"history:{HISTORY_CHOSEN}"] > 5.0


def test_live_takes_the_last_goal_and_refuses_one_that_contradicts_the_score(full_store_path) -> None:  # type: ignore[no-untyped-def]
    import remontada as rm
    from remontada.errors import InvalidInput

    def at_60(**kwargs: str) -> rm.LiveAnswer:
        return rm.live("Atalanta", "Liverpool", date="2024-04-18", minute=60, score="0-1", store=full_store_path,
                       **kwargs)  # fmt: skip

    unknown, settled, fresh = at_60(), at_60(last_goal="7 away"), at_60(last_goal="59 away")
    # Salah's goal of the 7th minute is long past: Atalanta, 2 up on aggregate, and Liverpool both score more
    # than the average of that state, which holds the lull after each goal; a goal of the 59th minute slows it
    assert settled.p_through("Liverpool") > fresh.p_through("Liverpool")
    assert settled.p_through("Liverpool") > unknown.p_through("Liverpool")
    assert sum(settled.forecast.remaining.expected_goals()) > sum(unknown.forecast.remaining.expected_goals())
    for bad, words in (("7 home", "home side scored"), ("70 away", "comes after"), ("abc", "the scoring side"),
                       ("none", "'none' but the score")):  # fmt: skip
        with pytest.raises(InvalidInput, match=words) as info:
            at_60(last_goal=bad)
        assert info.value.field == "last_goal"
