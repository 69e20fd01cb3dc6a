"""The in-play model: exactness against Poisson, the chain's two directions, clock, lead rules, parameters."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.inplay.model import (
    InplayModel,
    InplayParams,
    MatchClock,
    clock_position,
    extra_time_lead,
    match_lead,
    parse_params,
    regular_steps,
    second_leg_lead,
)
from remontada.rules import rules_for
from remontada.sources.records import SourceError
from remontada.ties.engine import forecast_live, forecast_live_from_rates, remaining_grid

FIXTURES = Path(__file__).parent / "fixtures" / "inplay"
FLAT = InplayModel(InplayParams.flat())
# Atalanta v Liverpool, 18 April 2024: pre-match expected goals of the leg from the store's
# Dixon-Coles fit on matches before that day (Atalanta at home).
ATALANTA, LIVERPOOL = 1.3697, 1.8119
RULES_2023 = rules_for("uefa.el", "2023-24", "qf")  # extra time and penalties, no away goals
RULES_2020 = rules_for("uefa.el", "2020-21", "qf")  # away goals, also in extra time

SHAPED = InplayParams(
    first_half_level=-0.27,
    first_half_slope=0.20,
    second_half_level=-0.04,
    second_half_slope=0.05,
    first_half_added=2.3,
    second_half_added=5.0,
    extra_time_level=0.1,
    home_lead=(0.10, 0.05, 0.0, -0.11, -0.08),
    away_lead=(0.03, 0.12, 0.0, 0.02, 0.0),
    home_lead_late=(0.18, 0.14, 0.0, -0.12, -0.09),
    away_lead_late=(0.10, 0.22, 0.0, -0.04, 0.0),
    red_own=-0.36,
    red_opponent=0.27,
)


# ---- exactness --------------------------------------------------------------------------------
def test_flat_model_from_kick_off_is_the_independent_poisson_grid() -> None:
    chain = FLAT.remaining(ATALANTA, LIVERPOOL, minute=0)
    poisson = ScoreGrid.from_rates(ATALANTA, LIVERPOOL)
    rows, cols = min(chain.shape[0], poisson.shape[0]), min(chain.shape[1], poisson.shape[1])
    assert np.abs(chain.probs[:rows, :cols] - poisson.probs[:rows, :cols]).max() < 2e-5
    # at most two goals per side per minute: the third is counted as the second (mean -0.01%)
    assert chain.expected_goals() == pytest.approx((ATALANTA, LIVERPOOL), rel=1e-4)


def test_flat_model_at_minute_60_scales_rates_by_the_third_left() -> None:
    chain = FLAT.remaining(ATALANTA, LIVERPOOL, minute=60, score=(0, 1))
    poisson = ScoreGrid.from_rates(ATALANTA / 3, LIVERPOOL / 3)
    assert chain.outcome_probs() == pytest.approx(poisson.outcome_probs(), abs=2e-5)


def test_backward_values_agree_with_the_forward_distribution() -> None:
    chain = InplayModel(SHAPED).chain(ATALANTA, LIVERPOOL, minute=23, score=(1, 0))
    terminal = np.random.default_rng(7).random(chain.shape)
    values = chain.backward(terminal)
    assert values[0, 0, 0] == pytest.approx(float((chain.forward() * terminal).sum()), rel=1e-12)
    # from a cell reached later, the same identity holds for the chain that starts there
    start = np.zeros(chain.shape)
    start[1, 0] = 1.0
    assert values[0, 1, 0] == pytest.approx(float((chain.forward(start) * terminal).sum()), rel=1e-12)


def test_probabilities_sum_to_one_and_the_grid_tail_is_negligible() -> None:
    chain = InplayModel(SHAPED).chain(3.2, 2.9, minute=0, red_cards=(0, 1))
    probs = chain.forward()
    assert probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert probs[-1, :].sum() + probs[:, -1].sum() < 1e-8


def test_mid_match_chain_agrees_with_event_simulation() -> None:
    """An independent Monte Carlo of the same process from 60', 0-1 in Bergamo (aggregate state)."""
    params, n = SHAPED, 200_000
    rng = np.random.default_rng(11)
    start, duration, log_rate = regular_steps(params)
    position = clock_position(params, MatchClock(60.0))
    first = int(np.searchsorted(start + duration, position, side="right"))
    duration = duration.copy()
    duration[first] = start[first] + duration[first] - position
    lead = second_leg_lead((0, 3), (0, 1), away_goals=False)
    home = np.zeros(n, dtype=np.int64)
    away = np.zeros(n, dtype=np.int64)
    home_lead, away_lead = np.asarray(params.home_lead_late), np.asarray(params.away_lead_late)
    for k in range(first, len(start)):  # all second-half steps: the late lead effects apply
        index = np.clip(lead(home, away), -2, 2) + 2
        scale = np.exp(log_rate[k]) * duration[k] / 90.0
        home += rng.poisson(ATALANTA * scale * np.exp(home_lead[index]))
        away += rng.poisson(LIVERPOOL * scale * np.exp(away_lead[4 - index]))
    exact = InplayModel(params).remaining(ATALANTA, LIVERPOOL, minute=60, score=(0, 1), lead=lead)
    assert exact.expected_goals()[0] == pytest.approx(home.mean(), abs=4 * home.std() / np.sqrt(n))
    assert exact.expected_goals()[1] == pytest.approx(away.mean(), abs=4 * away.std() / np.sqrt(n))
    p_liverpool_two_more = float(exact.probs[:, 2:].sum())
    observed = float(np.mean(away >= 2))
    assert observed == pytest.approx(p_liverpool_two_more, abs=4 * np.sqrt(observed * (1 - observed) / n))


# ---- effects ----------------------------------------------------------------------------------
def test_scoring_rises_through_the_match_and_added_time_is_played() -> None:
    model = InplayModel(SHAPED)
    whole = np.asarray(model.remaining(1.4, 1.2, minute=0).expected_goals())
    first_30 = whole - np.asarray(model.remaining(1.4, 1.2, minute=30).expected_goals())
    last_30 = np.asarray(model.remaining(1.4, 1.2, minute=60).expected_goals())  # 60-90 and added time
    assert (last_30 > first_30).all()
    # the last regular minute still has the whole second-half added time to come
    last = np.asarray(model.remaining(1.4, 1.2, minute=89).expected_goals())
    at_full_time = np.asarray(model.remaining(1.4, 1.2, minute="90+9").expected_goals())
    assert (last > 1.2 * np.array([1.4, 1.2]) * (1 + SHAPED.second_half_added) / 90 * 0.8).all()
    assert at_full_time.sum() == pytest.approx(0.0, abs=1e-12)


def test_the_side_that_must_score_attacks_and_the_leader_protects() -> None:
    model = InplayModel(SHAPED)
    level = np.asarray(model.remaining(1.4, 1.2, minute=60, score=(0, 0)).expected_goals())
    home_ahead = np.asarray(model.remaining(1.4, 1.2, minute=60, score=(1, 0)).expected_goals())
    assert home_ahead[1] > level[1]  # away side behind: attacks (away_lead[-1] > 0)
    assert home_ahead[0] < level[0]  # home side ahead: protects (home_lead[+1] < 0)


def test_a_red_card_shifts_the_match_towards_the_eleven() -> None:
    model = InplayModel(SHAPED)
    even = model.final_score(1.4, 1.2, minute=30)
    home_down_to_ten = model.final_score(1.4, 1.2, minute=30, red_cards=(1, 0))
    assert home_down_to_ten.home_win < even.home_win - 0.05
    assert home_down_to_ten.away_win > even.away_win + 0.05


def test_lead_in_a_tie_is_the_aggregate_not_the_leg_score() -> None:
    # Liverpool (A) lost the first leg 0-3 at home; Atalanta (B) host the second leg at 0-1
    lead = second_leg_lead((0, 3), (0, 1), away_goals=False)
    assert lead(np.array(0), np.array(0)) == 2  # Atalanta still two ahead on aggregate
    assert lead(np.array(0), np.array(2)) == 0  # 0-3 in Bergamo levels the tie
    # with away goals, a level aggregate is a lead for the side ahead on away goals
    away_rule = second_leg_lead((1, 2), (0, 1), away_goals=True)  # aggregate 2-2, A 1 away goal, B 2
    assert away_rule(np.array(0), np.array(0)) == 1
    assert away_rule(np.array(0), np.array(1)) == -1  # A scores a second away goal: 3-2 to A
    assert away_rule(np.array(1), np.array(1)) == 0  # 3-3 on aggregate, two away goals each: extra time
    extra = extra_time_lead(away_goals_in_extra_time=True)
    assert extra(np.array(1), np.array(1)) == -1  # 1-1 in extra time: the visitors' goal counts double
    assert extra_time_lead(away_goals_in_extra_time=False)(np.array(1), np.array(1)) == 0
    assert match_lead((2, 1))(np.array(0), np.array(3)) == -2


# ---- the tie engine's live entry point --------------------------------------------------------
def test_flat_in_play_tie_matches_the_constant_rate_tie_engine() -> None:
    for rules, first_leg, now in ((RULES_2023, (0, 3), (0, 1)), (RULES_2020, (1, 2), (0, 1))):
        through = forecast_live_from_rates(
            (ATALANTA, LIVERPOOL), now, minute=60, rules=rules, first_leg=first_leg, model=FLAT
        )
        reference = forecast_live(first_leg, now, remaining_grid(ATALANTA, LIVERPOOL, 60), minute=60, rules=rules)
        assert through.p_a == pytest.approx(reference.p_a, abs=5e-5)
        assert through.split_a.decider == pytest.approx(reference.split_a.decider, abs=5e-5)


def test_liverpool_chance_moves_with_salahs_goal_and_the_clock() -> None:
    model = InplayModel(SHAPED)

    def p_liverpool(minute: str | float, score: tuple[int, int]) -> float:
        tie = forecast_live_from_rates(
            (ATALANTA, LIVERPOOL), score, minute=minute, rules=RULES_2023, first_leg=(0, 3), model=model
        )
        return tie.p_a

    kick_off, after_salah, half_time, seventy_five = (
        p_liverpool(0, (0, 0)),
        p_liverpool(7, (0, 1)),
        p_liverpool("HT", (0, 1)),
        p_liverpool(75, (0, 1)),
    )
    assert 0.0 < seventy_five < half_time < after_salah
    assert kick_off < after_salah
    assert kick_off < 0.2  # three goals down against a side of equal strength


def test_state_aware_tie_gives_the_trailing_side_more_than_the_match_score_would() -> None:
    # Liverpool lead the leg 1-0 but trail the tie: with the aggregate as the state they keep
    # attacking; with the leg score as the state they would sit back (away_lead[+1] ~ 0 here,
    # so compare their expected goals to come)
    model = InplayModel(SHAPED)
    tie_lead = second_leg_lead((0, 3), (0, 1), away_goals=False)
    as_tie = model.remaining(ATALANTA, LIVERPOOL, minute=45, score=(0, 1), lead=tie_lead).expected_goals()
    as_match = model.remaining(ATALANTA, LIVERPOOL, minute=45, score=(0, 1)).expected_goals()
    assert as_tie[0] < as_match[0]  # Atalanta, two up on aggregate, protect
    assert as_tie[1] > as_match[1]


# ---- the clock ----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("60", MatchClock(60.0)),
        ("45+2", MatchClock(45.0, 2.0)),
        ("90+3'", MatchClock(90.0, 3.0)),
        ("HT", MatchClock(45.0, half_time=True)),
        (17, MatchClock(17.0)),
    ],
)
def test_clock_reads_minutes_as_commentators_write_them(text: str | int, expected: MatchClock) -> None:
    assert MatchClock.parse(text) == expected


@pytest.mark.parametrize("text", ["91", "60+2", "half", "-5"])
def test_clock_rejects_what_is_not_a_regular_time_minute(text: str) -> None:
    with pytest.raises(ValueError):
        MatchClock.parse(text)


def test_half_time_comes_after_first_half_added_time() -> None:
    model = InplayModel(SHAPED)
    at_45 = sum(model.remaining(1.4, 1.2, minute=45).expected_goals())
    at_ht = sum(model.remaining(1.4, 1.2, minute="HT").expected_goals())
    at_46 = sum(model.remaining(1.4, 1.2, minute=46).expected_goals())
    assert at_45 > at_ht > at_46


# ---- parameters ------------------------------------------------------------------------------------
def test_parameters_survive_a_csv_round_trip(tmp_path: Path) -> None:
    path = SHAPED.write_csv(tmp_path / "inplay.csv", {"red_own": "a note, with a comma"})
    back = InplayParams.read_csv(path)
    assert [name for name, _ in back.to_rows()] == [name for name, _ in SHAPED.to_rows()]
    assert [value for _, value in back.to_rows()] == pytest.approx([value for _, value in SHAPED.to_rows()])


def test_a_bad_parameter_row_is_reported_with_file_and_line() -> None:
    path = FIXTURES / "bad_value.csv"
    with pytest.raises(SourceError) as caught:
        InplayParams.read_csv(path)
    assert caught.value.line == 8
    assert str(path) in str(caught.value)


def test_missing_parameters_are_named() -> None:
    path = FIXTURES / "missing_rows.csv"
    with pytest.raises(SourceError, match="home_lead"):
        parse_params(path.read_text().splitlines(), str(path))


def test_lead_effects_need_the_reference_at_zero() -> None:
    with pytest.raises(ValueError, match="reference"):
        InplayParams(home_lead=(0.1, 0.0, 0.2, 0.0, 0.0))


def test_packaged_parameters_load_and_point_the_documented_way() -> None:
    params = InplayParams.packaged()
    assert params.first_half_added > 0 and params.second_half_added > params.first_half_added
    assert params.first_half_slope > 0  # scoring rises through the first half
    assert params.red_own < 0 < params.red_opponent  # ten men score less, their opponents more
    minus_one = 1  # index of lead -1 in LEADS
    # one goal down after the break, both sides attack harder than in the first half
    assert params.home_lead_late[minus_one] > max(params.home_lead[minus_one], 0.0)
    assert params.away_lead_late[minus_one] > max(params.away_lead[minus_one], 0.0)
    assert "football-data" in params.source
