"""The exact tie engine: hand-computed cases, brute-force simulation, and real ties."""

from __future__ import annotations

import csv
import dataclasses
import itertools
import json
import re
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.penalties import ShootoutModel
from remontada.rules import TieRules, normalise_round, rules_for, season_start_year
from remontada.ties.engine import (
    TieForecast,
    UnmodelledRuleError,
    forecast_live,
    forecast_second_leg,
    forecast_single_match,
    forecast_tie,
    period_grid,
    remaining_grid,
)

RULES_2020 = rules_for("uefa.el", "2020-21", "qf")  # away goals, also after extra time
RULES_2023 = rules_for("uefa.el", "2023-24", "qf")  # extra time and penalties only
RULES_PLAYOFF_1997 = rules_for("eng.po", "1996-97", "s")  # away goals only after extra time
RULES_1969 = rules_for("uefa.cl", "1969-70", "r16")  # away goals after 90, extra time, coin toss


def grid(cells: dict[tuple[int, int], float]) -> ScoreGrid:
    """A grid with the given probabilities on (home, away) scores."""
    rows = max(h for h, _ in cells) + 1
    cols = max(a for _, a in cells) + 1
    matrix = np.zeros((rows, cols))
    for (h, a), p in cells.items():
        matrix[h, a] = p
    return ScoreGrid(matrix)


def point(home: int, away: int) -> ScoreGrid:
    return grid({(home, away): 1.0})


# ---- hand-computed cases -------------------------------------------------------------------------
# Leg 1 at A's ground: 0-0 or 1-0 (A), each 1/2. Leg 2 at B's ground: 1-1 or 1-0 (B), each 1/2.
# The four combinations, each 1/4:
#   0-0 then 1-1: aggregate 1-1, A has 1 away goal, B none  -> A on away goals (if the rule applies)
#   0-0 then 1-0: aggregate 0-1                             -> B
#   1-0 then 1-1: aggregate 2-1                             -> A
#   1-0 then 1-0: aggregate 1-1, no away goals              -> extra time
# Extra time at B's ground: 0-0 (1/2), A scores once 0-1 (1/4), 1-1 (1/4).
TINY_LEG1 = {(0, 0): 0.5, (1, 0): 0.5}
TINY_LEG2 = {(1, 1): 0.5, (1, 0): 0.5}
TINY_ET = {(0, 0): 0.5, (0, 1): 0.25, (1, 1): 0.25}


def tiny(rules: TieRules, shootout: ShootoutModel | None = None) -> TieForecast:
    return forecast_tie(grid(TINY_LEG1), grid(TINY_LEG2), rules=rules, extra_time=grid(TINY_ET), shootout=shootout)


def test_hand_computed_tie_with_away_goals_after_90_and_after_extra_time() -> None:
    f = tiny(RULES_2020)
    # A: 1/4 on aggregate, 1/4 on away goals; the 1/4 that goes to extra time splits
    # 1/4 A wins ET, 1/4 ends 1-1 (A's extra-time goal is an away goal), 1/2 ends 0-0 -> penalties.
    assert f.split_a.regulation == pytest.approx(0.25)
    assert f.split_a.away_goals == pytest.approx(0.25)
    assert f.split_a.extra_time == pytest.approx(0.25 * 0.25)
    assert f.split_a.extra_time_away_goals == pytest.approx(0.25 * 0.25)
    assert f.split_a.decider == pytest.approx(0.25 * 0.5 * 0.5)
    assert f.split_b.regulation == pytest.approx(0.25)
    assert f.split_b.away_goals == 0.0 and f.split_b.extra_time == 0.0
    assert f.p_a == pytest.approx(0.6875) and f.p_b == pytest.approx(0.3125)
    assert f.p_extra_time == pytest.approx(0.25) and f.p_decider == pytest.approx(0.125)


def test_hand_computed_tie_without_away_goals() -> None:
    f = tiny(RULES_2023)
    # Both level combinations (1/2) go to extra time; A wins it 1/4 of the time, 3/4 are level.
    assert f.split_a.away_goals == 0.0 and f.split_a.extra_time_away_goals == 0.0
    assert f.split_a.extra_time == pytest.approx(0.5 * 0.25)
    assert f.p_decider == pytest.approx(0.5 * 0.75)
    assert f.p_a == pytest.approx(0.25 + 0.125 + 0.1875)
    assert f.p_b == pytest.approx(0.25 + 0.1875)


def test_hand_computed_tie_with_away_goals_only_after_extra_time() -> None:
    f = tiny(RULES_PLAYOFF_1997)
    # 0-0/1-1 (s = +1) goes to extra time and A wins every way it ends; 1-0/1-0 (s = 0) as before.
    assert f.split_a.away_goals == 0.0
    assert f.split_a.extra_time == pytest.approx(0.5 * 0.25)
    assert f.split_a.extra_time_away_goals == pytest.approx(0.25 * 0.75 + 0.25 * 0.25)
    assert f.p_decider == pytest.approx(0.25 * 0.5)
    assert f.p_a == pytest.approx(0.6875)


def test_the_shootout_is_taken_at_the_second_leg_ground() -> None:
    host_edge = tiny(RULES_2023, ShootoutModel(p_host_wins=0.7))
    assert host_edge.split_a.decider == pytest.approx(0.375 * 0.3)
    assert host_edge.split_b.decider == pytest.approx(0.375 * 0.7)


def test_no_extra_time_goes_straight_to_the_decider() -> None:
    rules = TieRules(away_goals=True, extra_time_minutes=0)
    f = tiny(rules)
    assert f.p_extra_time == 0.0
    assert f.p_decider == pytest.approx(0.25)
    assert f.p_a == pytest.approx(0.5 + 0.125)


def test_single_match_hand_computed() -> None:
    match = grid({(1, 0): 0.3, (0, 0): 0.5, (0, 1): 0.2})
    extra = grid({(0, 0): 0.6, (1, 0): 0.3, (0, 1): 0.1})
    final = rules_for("uefa.el", "2023-24", "final")
    f = forecast_single_match(match, rules=final, extra_time=extra, shootout=ShootoutModel(0.9))
    # Neutral venue: the host edge does not apply. A = 0.3 + 0.5 * (0.3 + 0.6 / 2).
    assert f.p_a == pytest.approx(0.6)
    home_cup = dataclasses.replace(final, neutral_venue=False)
    f_home = forecast_single_match(match, rules=home_cup, extra_time=extra, shootout=ShootoutModel(0.9))
    assert f_home.p_a == pytest.approx(0.3 + 0.5 * (0.3 + 0.6 * 0.9))


# ---- brute force ---------------------------------------------------------------------------------


def simulate(
    leg1: ScoreGrid, leg2: ScoreGrid, extra: ScoreGrid, rules: TieRules, p_a_decider: float, n: int, seed: int
) -> dict[str, float]:
    """Play ``n`` ties score by score and count how each was settled."""
    rng = np.random.default_rng(seed)

    def draw(g: ScoreGrid) -> tuple[np.ndarray, np.ndarray]:
        cells = rng.choice(g.probs.size, size=n, p=g.probs.ravel())
        return np.unravel_index(cells, g.shape)

    a_home, b_away = draw(leg1)
    b_home, a_away = draw(leg2)
    b_extra, a_extra = draw(extra)
    a_wins_decider = rng.random(n) < p_a_decider
    a_total, b_total = a_home + a_away, b_away + b_home
    undecided = np.ones(n, dtype=bool)
    counts: dict[str, np.ndarray] = {}

    def settle(name: str, a_through: np.ndarray, b_through: np.ndarray) -> None:
        nonlocal undecided
        counts[f"a_{name}"] = undecided & a_through
        counts[f"b_{name}"] = undecided & b_through
        undecided = undecided & ~a_through & ~b_through

    settle("regulation", a_total > b_total, b_total > a_total)
    if rules.away_goals:
        settle("away_goals", a_away > b_away, b_away > a_away)
    else:
        settle("away_goals", np.zeros(n, bool), np.zeros(n, bool))
    went_to_extra_time = undecided.copy()
    if rules.has_extra_time:
        settle("extra_time", a_extra > b_extra, b_extra > a_extra)
        if rules.away_goals_in_extra_time:
            settle("extra_time_away_goals", a_away + a_extra > b_away, b_away > a_away + a_extra)
    reached_decider = undecided.copy()
    settle("decider", a_wins_decider, ~a_wins_decider)
    assert not undecided.any()
    result = {name: float(mask.mean()) for name, mask in counts.items()}
    result["p_a"] = sum(v for k, v in result.items() if k.startswith("a_"))
    result["extra_time"] = float(went_to_extra_time.mean()) if rules.has_extra_time else 0.0
    result["decider"] = float(reached_decider.mean())
    return result


def random_grid(rows: int, cols: int, seed: int) -> ScoreGrid:
    """A lopsided non-Poisson grid, so orientation mistakes cannot cancel out."""
    rng = np.random.default_rng(seed)
    return ScoreGrid(rng.dirichlet(np.full(rows * cols, 0.7)).reshape(rows, cols))


BRUTE_FORCE_CASES = [
    ("poisson, away goals era", RULES_2020, 0.5),
    ("poisson, no away goals", RULES_2023, 0.5),
    ("play-off away goals after extra time", RULES_PLAYOFF_1997, 0.5),
    ("1969-70 coin toss", RULES_1969, 0.5),
    ("no extra time, host-favoured shoot-out", TieRules(away_goals=True, extra_time_minutes=0), 0.35),
]


@pytest.mark.parametrize(("label", "rules", "p_a_decider"), BRUTE_FORCE_CASES, ids=[c[0] for c in BRUTE_FORCE_CASES])
@pytest.mark.parametrize("grids", ["poisson", "lopsided"])
def test_exact_engine_agrees_with_brute_force_simulation(
    label: str, rules: TieRules, p_a_decider: float, grids: str
) -> None:
    if grids == "poisson":
        leg1 = ScoreGrid.from_rates(1.7, 1.0, rho=-0.1)
        leg2 = ScoreGrid.from_rates(1.3, 1.2, rho=-0.05)
        extra = period_grid(leg2, 1 / 3)
    else:
        leg1, leg2, extra = random_grid(4, 3, 1), random_grid(3, 5, 2), random_grid(2, 3, 3)
    shootout = ShootoutModel(p_host_wins=1.0 - p_a_decider)  # A is the visitor in the second leg
    f = forecast_tie(leg1, leg2, rules=rules, extra_time=extra, shootout=shootout)
    n = 200_000
    sim = simulate(leg1, leg2, extra, rules, p_a_decider, n, seed=20240418)
    exact = {"p_a": f.p_a, "extra_time": f.p_extra_time, "decider": f.p_decider}
    for side, split in (("a", f.split_a), ("b", f.split_b)):
        for name, value in split.to_dict().items():
            exact[f"{side}_{name}"] = value
    for name, value in exact.items():
        tolerance = 4.5 * np.sqrt(max(value * (1 - value), 1e-6) / n)
        assert sim.get(name, 0.0) == pytest.approx(value, abs=tolerance), (label, grids, name)
    assert f.p_a + f.p_b == pytest.approx(1.0, abs=1e-12)


# ---- the three entry points agree ------------------------------------------------------------------


LEG1 = ScoreGrid.from_rates(1.5, 1.2)
LEG2 = ScoreGrid.from_rates(1.6, 0.9)
EXTRA = period_grid(LEG2, 1 / 3)


@pytest.mark.parametrize("rules", [RULES_2020, RULES_2023, RULES_PLAYOFF_1997], ids=["2020", "2023", "playoff"])
def test_before_the_tie_is_the_average_over_first_leg_scores(rules: TieRules) -> None:
    before = forecast_tie(LEG1, LEG2, rules=rules, extra_time=EXTRA)
    total = 0.0
    for (a1, b1), p in np.ndenumerate(LEG1.probs):
        if p < 1e-12:
            continue
        between = forecast_second_leg((a1, b1), LEG2, rules=rules, extra_time=EXTRA)
        assert before.next_match_p_a[a1, b1] == pytest.approx(between.p_a, abs=1e-12)
        total += p * between.p_a
    assert before.p_a == pytest.approx(total, abs=1e-12)
    assert float((before.next_match_probs * before.next_match_p_a).sum()) == pytest.approx(before.p_a, abs=1e-12)


def test_between_legs_is_the_average_over_second_leg_scores() -> None:
    between = forecast_second_leg((2, 1), LEG2, rules=RULES_2020, extra_time=EXTRA)
    weighted = float((between.next_match_probs * between.next_match_p_a).sum())
    assert weighted == pytest.approx(between.p_a, abs=1e-12)
    # After 2-1 at A's ground (B scored once away), second-leg scores written B-A:
    assert between.next_match_p_a[0, 0] == 1.0  # 2-1 on aggregate
    assert between.next_match_p_a[1, 0] == 0.0  # 2-2, B has the only away goal
    assert 0.0 < between.next_match_p_a[2, 1] < 1.0  # 3-3, one away goal each: extra time
    assert between.next_match_p_a[3, 1] == 0.0  # 3-4
    assert [s.outcome for s in between.scenarios(50) if (s.home_goals, s.away_goals) == (1, 0)] == ["b_away_goals"]


def test_live_at_kick_off_equals_between_the_legs() -> None:
    between = forecast_second_leg((0, 3), LEG2, rules=RULES_2023, extra_time=EXTRA)
    live = forecast_live((0, 3), (0, 0), LEG2, minute=0, rules=RULES_2023, extra_time=EXTRA)
    assert live.p_a == pytest.approx(between.p_a, abs=1e-14)
    assert live.split_a.to_dict() == pytest.approx(between.split_a.to_dict(), abs=1e-14)


def test_live_extra_time_defaults_to_rates_per_minute_left() -> None:
    remaining = remaining_grid(1.6, 0.9, 45)
    default = forecast_live((1, 0), (1, 0), remaining, minute=45, rules=RULES_2023)
    explicit = forecast_live(
        (1, 0), (1, 0), remaining, minute=45, rules=RULES_2023, extra_time=ScoreGrid.from_rates(1.6 / 3, 0.9 / 3)
    )
    assert default.p_a == pytest.approx(explicit.p_a, abs=1e-7)
    with pytest.raises(ValueError, match="extra_time"):
        forecast_live((1, 0), (1, 0), remaining_grid(1.6, 0.9, 90), minute=90, rules=RULES_2023)


def test_remaining_grid_scales_rates_by_time_left() -> None:
    half = remaining_grid(1.6, 0.9, 45, away_factor=0.5)
    home, away = half.expected_goals()
    assert home == pytest.approx(0.8, rel=1e-6)
    assert away == pytest.approx(0.225, rel=1e-6)
    assert remaining_grid(1.6, 0.9, 90).probs.shape == (1, 1)
    with pytest.raises(ValueError):
        remaining_grid(1.6, 0.9, 95)


def test_aggregate_and_away_goal_distributions() -> None:
    f = forecast_tie(LEG1, LEG2, rules=RULES_2020, extra_time=EXTRA)
    agg = f.aggregate
    assert agg.sum() == pytest.approx(1.0)
    a_mean = float(agg.sum(axis=1) @ np.arange(agg.shape[0]))
    b_mean = float(agg.sum(axis=0) @ np.arange(agg.shape[1]))
    assert a_mean == pytest.approx(LEG1.expected_goals()[0] + LEG2.expected_goals()[1])
    assert b_mean == pytest.approx(LEG1.expected_goals()[1] + LEG2.expected_goals()[0])
    # A ahead on aggregate after 90 minutes is exactly the regulation route.
    x, y = np.indices(agg.shape)
    assert float(agg[x > y].sum()) == pytest.approx(f.split_a.regulation)
    away = f.away_goals
    assert away is not None
    assert float(away.sum(axis=1) @ np.arange(away.shape[0])) == pytest.approx(LEG2.expected_goals()[1])
    assert forecast_tie(LEG1, LEG2, rules=RULES_2023, extra_time=EXTRA).away_goals is None


def test_replays_are_refused_when_they_can_decide_and_labelled_when_asked() -> None:
    rules_1964 = rules_for("uefa.cl", "1964-65", "QF")
    with pytest.raises(UnmodelledRuleError, match="replay"):
        forecast_tie(LEG1, LEG2, rules=rules_1964)
    even = forecast_tie(LEG1, LEG2, rules=rules_1964, on_unmodelled="even")
    assert not even.decider_modelled and even.p_decider > 0.05
    assert even.p_a + even.p_b == pytest.approx(1.0)
    # A decided tie never reaches the replay, so nothing is refused.
    decided = forecast_second_leg((3, 0), point(1, 0), rules=rules_1964)
    assert decided.p_a == 1.0 and decided.p_decider == 0.0


def test_rules_must_match_the_entry_point() -> None:
    with pytest.raises(ValueError, match="two-legged"):
        forecast_tie(LEG1, LEG2, rules=rules_for("uefa.el", "2023-24", "final"))
    with pytest.raises(ValueError, match="single-match"):
        forecast_single_match(LEG1, rules=RULES_2023)
    with pytest.raises(ValueError, match="first_leg"):
        forecast_second_leg((-1, 0), LEG2, rules=RULES_2023)


def test_to_dict_is_json_and_names_the_teams() -> None:
    f = forecast_second_leg((0, 3), LEG2, rules=RULES_2023, teams=("Liverpool", "Atalanta"))
    data = json.loads(json.dumps(f.to_dict()))
    assert set(data["p_through"]) == {"Liverpool", "Atalanta"}
    assert data["first_leg"] == "0-3"
    assert sum(data["p_through"].values()) == pytest.approx(1.0)
    assert data["needs"]["Liverpool"][0]["p_a_through"] > 0
    assert f.p_through("Liverpool") == f.p_a and f.split("Atalanta") == f.split_b
    with pytest.raises(KeyError):
        f.p_through("Everton")


# ---- Liverpool v Atalanta, Europa League quarter-final 2023-24 -----------------------------------


ATALANTA_HOME, LIVERPOOL_AWAY = 1.35, 1.60  # plausible expected goals for the Bergamo leg


def test_liverpool_needed_a_three_goal_win_in_bergamo() -> None:
    rules = rules_for("uefa.el", "2023-24", "QF")
    leg2 = ScoreGrid.from_rates(ATALANTA_HOME, LIVERPOOL_AWAY)
    f = forecast_second_leg((0, 3), leg2, rules=rules, teams=("Liverpool", "Atalanta"))
    assert 0.01 < f.p_through("Liverpool") < 0.12
    needs = f.needs("Liverpool", n=6)
    scores = {(s.home_goals, s.away_goals): s for s in needs}
    assert scores[(0, 3)].outcome == "extra_time" and 0 < scores[(0, 3)].p_a_through < 1
    assert scores[(0, 4)].outcome == "a" and scores[(0, 4)].p_a_through == 1.0
    contributions = [s.probability * s.p_a_through for s in needs]
    assert contributions == sorted(contributions, reverse=True)
    assert f.next_match_p_a[1, 3] == 0.0  # 1-3 in Bergamo: 3-4 on aggregate, no away goals any more


def test_liverpool_chance_falls_as_minutes_pass() -> None:
    rules = rules_for("uefa.el", "2023-24", "QF")
    minutes = np.arange(0, 91, 5)

    def chance(score: tuple[int, int], minute: float) -> float:
        remaining = remaining_grid(ATALANTA_HOME, LIVERPOOL_AWAY, minute)
        extra = ScoreGrid.from_rates(ATALANTA_HOME / 3, LIVERPOOL_AWAY / 3)
        return forecast_live((0, 3), score, remaining, minute=minute, rules=rules, extra_time=extra).p_a

    goalless = [chance((0, 0), m) for m in minutes]
    assert all(later < earlier for earlier, later in itertools.pairwise(goalless))
    assert goalless[-1] == 0.0
    # What happened: Salah's penalty made it 0-1 after 7 minutes, and nothing more came.
    real = [chance((0, 1), m) for m in minutes[minutes >= 10]]
    assert all(later < earlier for earlier, later in itertools.pairwise(real))
    assert chance((0, 1), 10) > chance((0, 0), 10)
    assert real[-1] == 0.0


# ---- real ties from the mirror -----------------------------------------------------------------


_OPENFOOTBALL_LINE = re.compile(r"^\s*(?:\d{1,2}\.\d{2}\s+)?(?P<home>\S.*?)\s+v\s+(?P<away>\S.*?)\s{2,}(?P<rest>\d.*)$")
_OPENFOOTBALL_SCORE = re.compile(
    r"^(?:(?P<ph>\d+)-(?P<pa>\d+) pen\.\s+)?(?P<h>\d+)-(?P<a>\d+)(?:\s+a\.e\.t\.\s+\((?P<fh>\d+)-(?P<fa>\d+))?"
)


def openfootball_matches(path: Path) -> Iterator[dict]:
    """Knockout matches of an openfootball Football.TXT file: teams, 90-minute score, extra time, pens."""
    section = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("»"):
            section = line.lstrip("» ").strip()
            continue
        match = _OPENFOOTBALL_LINE.match(line)
        score = _OPENFOOTBALL_SCORE.match(match.group("rest")) if match else None
        if not match or not score or any(w in section for w in ("Group", "Gruppe", "League", "Matchday")):
            continue
        after_extra_time = score.group("fh") is not None
        ninety = (
            (int(score.group("fh")), int(score.group("fa")))
            if after_extra_time
            else (int(score.group("h")), int(score.group("a")))
        )
        yield {
            "round": normalise_round(section),
            "home": match.group("home").strip(),
            "away": match.group("away").strip(),
            "ninety": ninety,
            "after_extra_time": (int(score.group("h")), int(score.group("a"))) if after_extra_time else None,
            "pens": score.group("ph") is not None,
        }


def openfootball_ties(path: Path) -> Iterator[tuple[dict, dict]]:
    """(first leg, second leg) pairs: the same two clubs with home and away swapped."""
    waiting: dict[frozenset[str], dict] = {}
    for match in openfootball_matches(path):
        key = frozenset((match["home"], match["away"]))
        first = waiting.pop(key, None)
        if first is None:
            waiting[key] = match
        elif (first["home"], first["away"]) == (match["away"], match["home"]):
            yield first, match


def forecast_real_tie(first: dict, second: dict, rules: TieRules, **kwargs) -> TieForecast:
    """Degenerate grids on the real scores: leg 1, leg 2 after 90 minutes, extra-time goals."""
    b90, a90 = second["ninety"]
    if second["after_extra_time"] is not None:
        extra = point(second["after_extra_time"][0] - b90, second["after_extra_time"][1] - a90)
    else:
        extra = point(0, 0)
    return forecast_second_leg(
        first["ninety"], point(b90, a90), rules=rules, extra_time=extra, teams=(first["home"], first["away"]), **kwargs
    )


def test_tottenham_beat_ajax_on_away_goals_in_2019(mirror: Path) -> None:
    ties = openfootball_ties(mirror / "openfootball" / "champions-league" / "2018-19" / "cl.txt")
    first, second = next(
        (f, s) for f, s in ties if {f["home"], f["away"]} == {"Tottenham Hotspur (ENG)", "AFC Ajax (NED)"}
    )
    assert first["ninety"] == (0, 1) and second["ninety"] == (2, 3)  # 3-3 on aggregate
    f = forecast_real_tie(first, second, rules_for("uefa.cl", "2018-19", "sf"))
    assert f.p_through("Tottenham Hotspur (ENG)") == 1.0
    assert f.split("Tottenham Hotspur (ENG)").away_goals == 1.0
    # Under 2021-22 rules the same scores would have gone to extra time.
    assert forecast_real_tie(first, second, rules_for("uefa.cl", "2021-22", "sf")).p_extra_time == 1.0


def test_atalanta_beat_liverpool_on_aggregate_in_2024(mirror: Path) -> None:
    ties = openfootball_ties(mirror / "openfootball" / "champions-league" / "2023-24" / "el.txt")
    first, second = next((f, s) for f, s in ties if f["home"] == "Liverpool FC (ENG)" and s["home"] == "Atalanta (ITA)")
    assert first["ninety"] == (0, 3) and second["ninety"] == (0, 1)
    f = forecast_real_tie(first, second, rules_for("uefa.el", "2023-24", "qf"))
    assert f.p_through("Atalanta (ITA)") == 1.0 and f.split_b.regulation == 1.0


def test_openfootball_ties_went_to_extra_time_exactly_when_the_rules_say(mirror: Path) -> None:
    """Every paired knockout tie 2016-17..2024-25: the engine (with that season's rules) must
    send a tie to extra time iff the file shows a.e.t., and to penalties iff it shows pen."""
    competition = {"cl.txt": "uefa.cl", "el.txt": "uefa.el", "conf.txt": "uefa.ecl"}
    checked = 0
    level_on_away_goals = defaultdict(list)
    for path in sorted((mirror / "openfootball" / "champions-league").glob("*/*.txt")):
        season = season_start_year(path.parent.name)
        if path.name not in competition or season < 2016:
            continue
        for first, second in openfootball_ties(path):
            rules = rules_for(competition[path.name], season, second["round"])
            if rules.legs != 2:
                continue
            f = forecast_real_tie(first, second, rules)
            assert (f.p_extra_time == 1.0) == (second["after_extra_time"] is not None), (path, first, second)
            assert (f.p_decider == 1.0) == second["pens"], (path, first, second)
            checked += 1
            (a1, b1), (b2, a2) = first["ninety"], second["ninety"]
            if a1 + a2 == b1 + b2 and a2 != b1:
                level_on_away_goals[season >= 2021].append(second["after_extra_time"] is not None)
    assert checked > 330
    # Ties level on aggregate with unequal away goals: settled at 90 minutes before 2021-22,
    # sent to extra time after.
    assert level_on_away_goals[False] and not any(level_on_away_goals[False])
    assert level_on_away_goals[True] and all(level_on_away_goals[True])


#: Rows of engsoccerdata champs.csv that contradict their own scores (checked by hand):
#: 1997-98 Q-2 Dinamo Zagreb v Newcastle lists FT 1-2 though Newcastle equalised 2-2 in extra
#: time (the 90-minute score was 2-1); 1999-00 Q-3 Boavista v Brondby and 2005-06 Q-3
#: Panathinaikos v Wisla likewise give an FT that already includes extra time; 1999-00 SF
#: Bayern v Real Madrid names Bayern the winner although Real won 2-0, lost 2-1 and reached
#: the final.
CHAMPS_DATA_ERRORS = {
    ("1997", "Q-2", "Dinamo Zagreb"),
    ("1999", "Q-3", "Boavista"),
    ("2005", "Q-3", "Panathinaikos"),
    ("1999", "SF", "Bayern Munich"),
}


def _same_club(winner: str, name: str) -> bool:
    return winner == name or winner in name or name in winner


def test_every_european_cup_tie_is_named_right_by_the_rules_of_its_season(mirror: Path) -> None:
    """All two-legged European Cup / Champions League ties 1955-56..2015-16 (engsoccerdata):
    real scores as degenerate grids, rules looked up by season and round. The engine must name
    the real winner when the scores settle it, send it on (penalties, coin toss or replay)
    when they do not, agree that away goals decided it exactly when the file says so, and
    agree on extra time whenever the era had extra time in the second leg."""
    checked = 0
    with (mirror / "engsoccerdata" / "data-raw" / "champs.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    replayed = {(r["Season"], r["round"], frozenset((r["home"], r["visitor"]))) for r in rows if r["leg"] == "replay"}
    for row in rows:
        if row["leg"] != "2" or row["tiewinner"] in ("NA", "") or row["pens"] == "walkover":
            continue
        if (row["Season"], row["round"], row["home"]) in CHAMPS_DATA_ERRORS:
            continue
        rules = rules_for("uefa.cl", int(row["Season"]), row["round"])
        b90, a90 = int(row["hgoal"]), int(row["vgoal"])
        first_leg = (int(row["FTagg_visitor"]) - a90, int(row["FTagg_home"]) - b90)
        second = {"ninety": (b90, a90), "after_extra_time": None}
        if row["aet"] != "NA":
            second["after_extra_time"] = (int(row["aethgoal"]), int(row["aetvgoal"]))
        f = forecast_real_tie(
            {"ninety": first_leg, "home": row["visitor"], "away": row["home"]}, second, rules, on_unmodelled="even"
        )
        where = (row["Season"], row["round"], row["home"], row["visitor"])
        if f.p_a in (0.0, 1.0):
            named = row["visitor"] if f.p_a == 1.0 else row["home"]
            assert _same_club(row["tiewinner"], named), where
        else:
            replay = (row["Season"], row["round"], frozenset((row["home"], row["visitor"]))) in replayed
            assert f.p_decider == 1.0 and (row["pens"] != "NA" or replay), where
        by_away_goals = f.split_a.away_goals + f.split_b.away_goals
        by_away_goals += f.split_a.extra_time_away_goals + f.split_b.extra_time_away_goals
        assert (by_away_goals == 1.0) == (row["pens"] == "away goals"), where
        if rules.has_extra_time:
            assert (f.p_extra_time == 1.0) == (row["aet"] != "NA"), where
        checked += 1
    assert checked > 2100


def test_play_off_semi_final_winners_reach_the_final(mirror: Path) -> None:
    """English Football League play-off semi-finals from 1986-87 (engsoccerdata): scores after
    extra time as degenerate grids; every tie the engine settles must send the team that
    played in that season's final (away goals counted only after extra time until 1998-99)."""
    with (mirror / "engsoccerdata" / "data-raw" / "englandplayoffs.csv").open(encoding="utf-8", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if int(r["Season"]) >= 1986 and r["division"] in ("2", "3", "4")]
    finalists: dict[tuple[str, str], set[str]] = defaultdict(set)
    legs: dict[tuple[str, str, frozenset[str]], list[dict]] = defaultdict(list)
    for row in rows:
        if row["round"] == "f":
            finalists[(row["Season"], row["division"])] |= {row["home"], row["visitor"]}
        elif row["round"] == "s":
            legs[(row["Season"], row["division"], frozenset((row["home"], row["visitor"])))].append(row)
    settled = shootouts = away_goals_after_extra_time = 0
    for (season, division, _), pair in legs.items():
        first, second = sorted(pair, key=lambda r: r["Date"])
        rules = rules_for("eng.po", int(season), "s")
        f = forecast_second_leg(
            (int(first["hgoal"]), int(first["vgoal"])),
            point(int(second["hgoal"]), int(second["vgoal"])),
            rules=rules,
            extra_time=point(0, 0),
        )
        if f.p_decider == 1.0:
            assert second["pen"] == "yes", (season, first["home"], first["visitor"])
            shootouts += 1
            continue
        winner = first["home"] if f.p_a == 1.0 else first["visitor"]
        assert winner in finalists[(season, division)], (season, first["home"], first["visitor"])
        settled += 1
        away_goals_after_extra_time += f.split_a.extra_time_away_goals + f.split_b.extra_time_away_goals == 1.0
    assert settled > 150 and shootouts > 10
    assert away_goals_after_extra_time == 6  # Leeds and Gillingham 1987 ... Bolton 1999
