"""ScoreGrid markets checked against brute-force sums over the matrix and closed forms."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from scipy import stats

from remontada.grid import (
    DEFAULT_TAIL,
    BetSettlement,
    ScoreGrid,
    btts_batch,
    outcome_probs_batch,
    p_over_batch,
    poisson_grids,
    stack_grids,
)

HOME_RATE, AWAY_RATE = 1.5, 1.1


@pytest.fixture(scope="module")
def independent() -> ScoreGrid:
    return ScoreGrid.from_rates(HOME_RATE, AWAY_RATE)


@pytest.fixture(scope="module")
def dixon_coles() -> ScoreGrid:
    return ScoreGrid.from_rates(HOME_RATE, AWAY_RATE, rho=-0.13)


def brute_force_settlement(grid: ScoreGrid, handicap: float, kind: str) -> BetSettlement:
    """Scoreline-by-scoreline settlement written out with explicit half stakes.

    ``kind`` is "home" (Asian handicap on the home side), "over" or "under".
    """
    frac = handicap % 0.5
    halves = (handicap - 0.25, handicap + 0.25) if math.isclose(frac, 0.25) else (handicap, handicap)
    totals = {"win": 0.0, "half_win": 0.0, "push": 0.0, "half_loss": 0.0, "loss": 0.0}
    rows, cols = grid.shape
    for i in range(rows):
        for j in range(cols):
            results = []
            for line in halves:
                if kind == "home":
                    margin = i - j + line
                elif kind == "over":
                    margin = i + j - line
                else:
                    margin = line - (i + j)
                results.append("win" if margin > 0 else "push" if margin == 0 else "loss")
            if results == ["win", "win"]:
                key = "win"
            elif results == ["loss", "loss"]:
                key = "loss"
            elif results == ["push", "push"]:
                key = "push"
            elif "win" in results:
                key = "half_win"
            else:
                key = "half_loss"
            totals[key] += grid.probs[i, j]
    return BetSettlement(**totals)


def assert_settlement(actual: BetSettlement, expected: BetSettlement) -> None:
    np.testing.assert_allclose(np.array(actual), np.array(expected), atol=1e-12)


# ---- construction ---------------------------------------------------------------------------


def test_independent_poisson_1x2_matches_skellam(independent: ScoreGrid) -> None:
    # Home minus away goals of independent Poissons is Skellam distributed.
    assert independent.home_win == pytest.approx(stats.skellam.sf(0, HOME_RATE, AWAY_RATE), abs=1e-9)
    assert independent.draw == pytest.approx(stats.skellam.pmf(0, HOME_RATE, AWAY_RATE), abs=1e-9)
    assert independent.away_win == pytest.approx(stats.skellam.cdf(-1, HOME_RATE, AWAY_RATE), abs=1e-9)
    assert independent.outcome_probs().sum() == pytest.approx(1.0, abs=1e-12)


def test_truncation_keeps_total_one_and_drops_under_tail(independent: ScoreGrid) -> None:
    rows, cols = independent.shape
    assert independent.probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert stats.poisson.sf(rows - 1, HOME_RATE) < DEFAULT_TAIL
    assert stats.poisson.sf(cols - 1, AWAY_RATE) < DEFAULT_TAIL
    # and it is not wastefully large: one row fewer would leave more than the tail out
    assert stats.poisson.sf(rows - 3, HOME_RATE) > DEFAULT_TAIL / 2


def test_dixon_coles_rho_scales_only_the_four_low_scores(dixon_coles: ScoreGrid) -> None:
    rho, lam, mu = -0.13, HOME_RATE, AWAY_RATE

    def indep(i: int, j: int) -> float:
        return float(stats.poisson.pmf(i, lam) * stats.poisson.pmf(j, mu))

    p = dixon_coles.probs
    assert p[0, 0] == pytest.approx(indep(0, 0) * (1 - lam * mu * rho), rel=1e-8)
    assert p[0, 1] == pytest.approx(indep(0, 1) * (1 + lam * rho), rel=1e-8)
    assert p[1, 0] == pytest.approx(indep(1, 0) * (1 + mu * rho), rel=1e-8)
    assert p[1, 1] == pytest.approx(indep(1, 1) * (1 - rho), rel=1e-8)
    assert p[2, 1] == pytest.approx(indep(2, 1), rel=1e-8)
    # Dixon & Coles' tau leaves both marginal distributions (so expected goals) untouched.
    home_marginal, away_marginal = dixon_coles.marginals()
    np.testing.assert_allclose(home_marginal, stats.poisson.pmf(np.arange(len(home_marginal)), lam), atol=1e-9)
    np.testing.assert_allclose(away_marginal, stats.poisson.pmf(np.arange(len(away_marginal)), mu), atol=1e-9)
    # negative rho moves mass onto 0-0 and 1-1: more draws than independence
    assert dixon_coles.draw > ScoreGrid.from_rates(lam, mu).draw


def test_from_rates_rejects_negative_rates_and_impossible_rho() -> None:
    with pytest.raises(ValueError, match="home_rate"):
        ScoreGrid.from_rates(-0.5, 1.0)
    with pytest.raises(ValueError, match="negative probabilities"):
        ScoreGrid.from_rates(2.5, 2.0, rho=0.5)


# ---- result markets -----------------------------------------------------------------------


def test_double_chance_and_draw_no_bet(dixon_coles: ScoreGrid) -> None:
    home, draw, away = dixon_coles.outcome_probs()
    dc = dixon_coles.double_chance()
    assert dc == pytest.approx((home + draw, home + away, draw + away), abs=1e-15)
    dnb = dixon_coles.draw_no_bet()
    assert dnb.home + dnb.away == pytest.approx(1.0)
    assert dnb.home == pytest.approx(home / (home + away))
    # At the fair price a home draw-no-bet stake breaks even: win o-1 with P(H), lose 1 with P(A).
    assert home * (dnb.home_price - 1) - away == pytest.approx(0.0, abs=1e-12)
    assert away * (dnb.away_price - 1) - home == pytest.approx(0.0, abs=1e-12)


def test_draw_no_bet_undefined_when_draw_is_certain() -> None:
    with pytest.raises(ValueError, match="draw"):
        ScoreGrid(np.array([[1.0]])).draw_no_bet()


def test_correct_score_and_most_likely(independent: ScoreGrid) -> None:
    expected = stats.poisson.pmf(2, HOME_RATE) * stats.poisson.pmf(1, AWAY_RATE)
    assert independent.correct_score(2, 1) == pytest.approx(expected, rel=1e-8)
    assert independent.correct_score(40, 0) == 0.0
    with pytest.raises(ValueError):
        independent.correct_score(-1, 0)
    top = independent.most_likely(4)
    # Poisson(1.5) x Poisson(1.1): 1-1 beats 1-0 because P(A=1)/P(A=0) = 1.1 > 1
    assert top[0][0] == (1, 1)
    probs = [p for _, p in top]
    assert probs == sorted(probs, reverse=True)
    assert probs[0] == pytest.approx(independent.probs.max())
    by_hand = sorted(
        ((i, j) for i in range(12) for j in range(12)),
        key=lambda s: -stats.poisson.pmf(s[0], HOME_RATE) * stats.poisson.pmf(s[1], AWAY_RATE),
    )
    assert [score for score, _ in top] == by_hand[:4]


# ---- goal counts --------------------------------------------------------------------------


def test_total_goals_is_poisson_of_summed_rates(independent: ScoreGrid) -> None:
    totals = independent.total_goals()
    assert totals.offset == 0
    np.testing.assert_allclose(totals.probs, stats.poisson.pmf(totals.values, HOME_RATE + AWAY_RATE), atol=1e-9)
    assert totals.mean() == pytest.approx(HOME_RATE + AWAY_RATE, abs=1e-7)


def test_goal_difference_brute_force_and_skellam(dixon_coles: ScoreGrid, independent: ScoreGrid) -> None:
    diff = dixon_coles.goal_difference()
    rows, cols = dixon_coles.shape
    expected: dict[int, float] = {}
    for i in range(rows):
        for j in range(cols):
            expected[i - j] = expected.get(i - j, 0.0) + dixon_coles.probs[i, j]
    for d, p in expected.items():
        assert diff.prob(d) == pytest.approx(p, abs=1e-15)
    assert diff.offset == -(cols - 1)
    skellam = independent.goal_difference()
    np.testing.assert_allclose(skellam.probs, stats.skellam.pmf(skellam.values, HOME_RATE, AWAY_RATE), atol=1e-9)


@pytest.mark.parametrize("line", [0.5, 1.5, 2.5, 3.5, 2.0, 3.0, 2.25, 2.75, 1.75, 0.25])
def test_over_and_under_match_brute_force(dixon_coles: ScoreGrid, line: float) -> None:
    assert_settlement(dixon_coles.over(line), brute_force_settlement(dixon_coles, line, "over"))
    assert_settlement(dixon_coles.under(line), brute_force_settlement(dixon_coles, line, "under"))


def test_over_kinds_of_line(independent: ScoreGrid) -> None:
    t = independent.total_goals()
    over25 = independent.over(2.5)
    assert over25.win == pytest.approx(1 - stats.poisson.cdf(2, HOME_RATE + AWAY_RATE), abs=1e-9)
    assert over25.push == over25.half_win == over25.half_loss == 0.0
    over2 = independent.over(2.0)
    assert over2.push == pytest.approx(t.prob(2))
    assert over2.half_win == over2.half_loss == 0.0
    # over 2.25 = half on 2 and half on 2.5: exactly two goals loses half and refunds half
    over225 = independent.over(2.25)
    assert over225.half_loss == pytest.approx(t.prob(2))
    assert over225.win == pytest.approx(t.sf(2))
    # over 2.75 = half on 2.5 and half on 3: exactly three goals wins half
    over275 = independent.over(2.75)
    assert over275.half_win == pytest.approx(t.prob(3))
    assert over275.loss == pytest.approx(t.cdf(2))
    for price in (1.6, 1.95, 2.4):
        split = 0.5 * (independent.over(2.0).expected_profit(price) + independent.over(2.5).expected_profit(price))
        assert over225.expected_profit(price) == pytest.approx(split, abs=1e-12)
    assert independent.p_over(2.5) == pytest.approx(over25.win)


def test_lines_must_be_quarter_goals(independent: ScoreGrid) -> None:
    with pytest.raises(ValueError, match=r"0\.25"):
        independent.over(2.1)
    with pytest.raises(ValueError, match=r"0\.25"):
        independent.asian_handicap(float("nan"))


def test_btts_closed_form(independent: ScoreGrid, dixon_coles: ScoreGrid) -> None:
    assert independent.btts().yes == pytest.approx((1 - math.exp(-HOME_RATE)) * (1 - math.exp(-AWAY_RATE)), abs=1e-9)
    home_m, away_m = dixon_coles.marginals()
    closed = 1 - home_m[0] - away_m[0] + dixon_coles.probs[0, 0]
    assert dixon_coles.btts().yes == pytest.approx(closed, abs=1e-14)
    assert sum(dixon_coles.btts()) == pytest.approx(1.0)


# ---- Asian handicap ----------------------------------------------------------------------------


@pytest.mark.parametrize("line", [-2.5, -1.75, -1.25, -1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 0.75, 1.0, 1.25])
def test_asian_handicap_matches_brute_force(dixon_coles: ScoreGrid, line: float) -> None:
    settlement = dixon_coles.asian_handicap(line)
    assert_settlement(settlement, brute_force_settlement(dixon_coles, line, "home"))
    assert sum(settlement) == pytest.approx(1.0, abs=1e-12)
    assert settlement.expected_profit(settlement.fair_price()) == pytest.approx(0.0, abs=1e-12)


def test_asian_handicap_special_lines(dixon_coles: ScoreGrid) -> None:
    home, draw, away = dixon_coles.outcome_probs()
    minus_half = dixon_coles.asian_handicap(-0.5)
    assert minus_half.win == pytest.approx(home) and minus_half.loss == pytest.approx(draw + away)
    level = dixon_coles.asian_handicap(0.0)
    assert (level.win, level.push, level.loss) == pytest.approx((home, draw, away))
    assert level.fair_price() == pytest.approx(dixon_coles.draw_no_bet().home_price)
    # -0.25 is half the stake on 0 and half on -0.5
    quarter = dixon_coles.asian_handicap(-0.25)
    for price in (1.7, 2.0, 2.3):
        split = 0.5 * (level.expected_profit(price) + minus_half.expected_profit(price))
        assert quarter.expected_profit(price) == pytest.approx(split, abs=1e-12)
    # the away side of home -0.75 is away +0.75: the same bet, read from the other side
    away_side = dixon_coles.swap().asian_handicap(0.75)
    assert_settlement(dixon_coles.asian_handicap(-0.75).opposite(), away_side)


def test_markets_agree_with_penaltyblog_grid() -> None:
    """Cross-check against a peer implementation (independent Poisson, where conventions agree)."""
    peer_models = pytest.importorskip("penaltyblog.models")
    ours = ScoreGrid.from_rates(1.8, 0.9)
    peer = peer_models.create_dixon_coles_grid(1.8, 0.9, rho=0.0, max_goals=25)
    np.testing.assert_allclose(ours.outcome_probs(), peer.home_draw_away, atol=1e-9)
    assert ours.btts().yes == pytest.approx(peer.btts_yes, abs=1e-9)
    assert ours.draw_no_bet().home == pytest.approx(peer.draw_no_bet_home, abs=1e-9)
    for line in (-1.75, -1.0, -0.25, 0.5, 1.25):
        s = ours.asian_handicap(line)
        p = peer.asian_handicap_probs("home", line)
        # the peer reports stake-weighted halves: win + half_win/2 and loss + half_loss/2
        assert s.win + s.half_win / 2 == pytest.approx(p["win"], abs=1e-9)
        assert s.loss + s.half_loss / 2 == pytest.approx(p["lose"], abs=1e-9)


# ---- transforms --------------------------------------------------------------------------------


def test_swap_exchanges_sides(dixon_coles: ScoreGrid) -> None:
    swapped = dixon_coles.swap()
    assert swapped.home_win == pytest.approx(dixon_coles.away_win)
    assert swapped.correct_score(1, 0) == pytest.approx(dixon_coles.correct_score(0, 1))
    assert swapped.expected_goals() == pytest.approx(dixon_coles.expected_goals()[::-1])
    np.testing.assert_array_equal(swapped.swap().probs, dixon_coles.probs)


def test_convolving_poisson_periods_adds_rates() -> None:
    # 90 minutes plus extra time at a third of the rate: Poisson(a) + Poisson(b) = Poisson(a + b)
    regular = ScoreGrid.from_rates(1.2, 0.9)
    extra = ScoreGrid.from_rates(0.4, 0.3)
    combined = regular.convolve(extra)
    whole = ScoreGrid.from_rates(1.6, 1.2)
    rows = min(combined.shape[0], whole.shape[0])
    cols = min(combined.shape[1], whole.shape[1])
    np.testing.assert_allclose(combined.probs[:rows, :cols], whole.probs[:rows, :cols], atol=1e-9)
    assert combined.probs.sum() == pytest.approx(1.0, abs=1e-12)
    assert sum(combined.expected_goals()) == pytest.approx(2.8, abs=1e-6)


def test_convolving_with_a_certain_score_is_a_shift(dixon_coles: ScoreGrid) -> None:
    goals_so_far = np.zeros((2, 4))
    goals_so_far[1, 3] = 1.0  # 1-3 on the board
    np.testing.assert_allclose(
        dixon_coles.convolve(ScoreGrid(goals_so_far)).probs, dixon_coles.shift(1, 3).probs, atol=1e-15
    )


def test_shift_adds_a_known_score(dixon_coles: ScoreGrid) -> None:
    # Liverpool lost 0-3 at home to Atalanta; seen from Liverpool as "home" over the tie,
    # the aggregate is the remaining goals shifted by 0-3.
    aggregate = dixon_coles.shift(0, 3)
    assert aggregate.correct_score(0, 3) == pytest.approx(dixon_coles.correct_score(0, 0))
    assert aggregate.correct_score(2, 4) == pytest.approx(dixon_coles.correct_score(2, 1))
    assert aggregate.home_win == pytest.approx(dixon_coles.goal_difference().sf(3), abs=1e-15)
    assert aggregate.draw == pytest.approx(dixon_coles.goal_difference().prob(3), abs=1e-15)
    with pytest.raises(ValueError):
        dixon_coles.shift(-1, 0)


def test_to_dict_is_json_and_consistent(dixon_coles: ScoreGrid) -> None:
    data = json.loads(json.dumps(dixon_coles.to_dict(top=3)))
    assert data["home_win"] + data["draw"] + data["away_win"] == pytest.approx(1.0)
    assert data["over_2_5"] == pytest.approx(dixon_coles.p_over(2.5))
    assert data["btts_yes"] == pytest.approx(dixon_coles.btts().yes)
    assert len(data["top_scores"]) == 3
    best = data["top_scores"][0]
    assert best["p"] == pytest.approx(dixon_coles.correct_score(best["home"], best["away"]))


# ---- batches ---------------------------------------------------------------------------------


def test_poisson_grids_match_single_grids() -> None:
    home = np.array([1.5, 0.4, 2.9, 1.0, 0.0])
    away = np.array([1.1, 2.2, 0.3, 1.0, 0.7])
    rho = np.array([-0.1, 0.05, -0.05, 0.0, -0.1])
    grids = poisson_grids(home, away, rho=rho)
    assert grids.shape[0] == 5
    np.testing.assert_allclose(grids.sum(axis=(1, 2)), 1.0, atol=1e-12)
    singles = [ScoreGrid.from_rates(h, a, rho=r) for h, a, r in zip(home, away, rho, strict=True)]
    np.testing.assert_allclose(outcome_probs_batch(grids), np.array([g.outcome_probs() for g in singles]), atol=1e-9)
    stacked = stack_grids(singles)
    rows, cols = min(stacked.shape[1], grids.shape[1]), min(stacked.shape[2], grids.shape[2])
    np.testing.assert_allclose(stacked[:, :rows, :cols], grids[:, :rows, :cols], atol=1e-9)
    np.testing.assert_allclose(p_over_batch(grids, 2.5), [g.p_over(2.5) for g in singles], atol=1e-9)
    np.testing.assert_allclose(btts_batch(grids), [g.btts().yes for g in singles], atol=1e-9)


def test_poisson_grids_max_goals_and_errors() -> None:
    grids = poisson_grids([1.2, 2.0], [0.8, 1.5], max_goals=6)
    assert grids.shape == (2, 7, 7)
    np.testing.assert_allclose(grids.sum(axis=(1, 2)), 1.0)
    with pytest.raises(ValueError, match="index 1"):
        poisson_grids([1.0, np.nan], [1.0, 1.0])
    with pytest.raises(ValueError, match="match 1"):
        poisson_grids([0.5, 2.5], [0.5, 2.0], rho=[0.0, 0.5])
    with pytest.raises(ValueError, match="same 1-D shape"):
        poisson_grids([1.0, 2.0], [1.0])
    with pytest.raises(ValueError, match=r"\(n, H, A\)"):
        outcome_probs_batch(np.ones((3, 3)))


def test_grid_reads_cannot_be_corrupted_by_callers() -> None:
    weights = np.array([[0.2, 0.1], [0.4, 0.3]])
    grid = ScoreGrid(weights)
    weights[0, 0] = 0.9  # the caller's array stays theirs and writable
    assert grid.correct_score(0, 0) == 0.2
    with pytest.raises(ValueError):
        grid.goal_difference().probs[0] = 1.0  # cached distributions are read-only
    assert grid.outcome_probs() == pytest.approx([0.4, 0.5, 0.1])
