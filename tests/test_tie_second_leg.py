"""The second-leg adjustment: tilted grids, its maximum-likelihood fit, persistence, and use in the backtest."""

from __future__ import annotations

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.ties.backtest import MARKET, adjusted_name, backtest_ties, evaluation_ties, with_second_leg
from remontada.ties.engine import forecast_second_leg
from remontada.ties.second_leg import MAX_LEAD, SecondLegAdjustment, lead_of
from tests.test_tie_backtest import REAL, RecordingSource, real_tie


def test_a_tilted_poisson_grid_is_the_poisson_grid_of_the_scaled_rates() -> None:
    tilted = ScoreGrid.from_rates(1.4, 1.1).tilted(1.25, 0.8)
    assert np.allclose(tilted.expected_goals(), (1.4 * 1.25, 1.1 * 0.8), atol=1e-6)
    direct = ScoreGrid.from_rates(1.4 * 1.25, 1.1 * 0.8)
    rows, cols = min(tilted.shape[0], direct.shape[0]), min(tilted.shape[1], direct.shape[1])
    assert np.allclose(tilted.probs[:rows, :cols], direct.probs[:rows, :cols], atol=1e-7)
    with pytest.raises(ValueError, match="positive"):
        ScoreGrid.from_rates(1.0, 1.0).tilted(0.0, 1.0)


def test_the_lead_is_the_second_leg_hosts_first_leg_margin_pooled_at_three() -> None:
    # Barcelona 3-0 Liverpool: Liverpool host the second leg three down
    assert lead_of((3, 0)) == -3 and lead_of((0, 5)) == MAX_LEAD and lead_of((1, 2)) == 1


def test_the_maximum_likelihood_fit_recovers_the_factors_of_simulated_second_legs() -> None:
    rng = np.random.default_rng(2024)
    truth = {-2: (1.35, 1.2), -1: (1.2, 1.1), 0: (1.05, 1.0), 1: (0.9, 1.0)}
    grids, firsts, seconds = [], [], []
    for lead, (host, visitor) in truth.items():
        for _ in range(4000):
            lam_h, lam_a = rng.uniform(0.8, 2.2), rng.uniform(0.6, 1.6)
            grids.append(ScoreGrid.from_rates(lam_h, lam_a).probs)
            firsts.append((max(0, -lead), max(0, lead)))
            seconds.append((int(rng.poisson(lam_h * host)), int(rng.poisson(lam_a * visitor))))
    fitted = SecondLegAdjustment.fit(grids, firsts, seconds, prior_goals=0.0, prior_to="model", gap_slopes=False)
    for lead, (host, visitor) in truth.items():
        got = fitted.factors((max(0, -lead), max(0, lead)))
        assert got == pytest.approx((host, visitor), rel=0.04)
    # an empty cell keeps the model as it is
    assert fitted.factors((0, 3)) == (1.0, 1.0)
    gain = fitted.log_likelihood_gain(grids, firsts, seconds)
    assert gain > 0


def test_the_adjustment_round_trips_through_csv_and_a_bad_row_names_its_line() -> None:
    adjustment = SecondLegAdjustment(
        tuple(np.linspace(0.2, -0.1, 7)), tuple(np.linspace(0.1, 0.0, 7)), (5,) * 7, (1.0,) * 7, (1.0,) * 7,
        (1.0,) * 7, (1.0,) * 7, "test fit",
    )  # fmt: skip
    again = SecondLegAdjustment.from_csv(adjustment.to_csv())
    assert again.note == "test fit" and again.ties == adjustment.ties
    assert np.allclose(again.host, adjustment.host, atol=1e-6)
    broken = adjustment.to_csv().replace("0.150000", "abc", 1)
    with pytest.raises(ValueError, match=r"x\.csv:\d+: bad row"):
        SecondLegAdjustment.from_csv(broken, "x.csv")


def test_the_backtest_applies_the_adjustment_to_the_same_walk_forward_grids() -> None:
    ties = [real_tie(row) for row in REAL]
    targets, _ = evaluation_ties(ties, since="2003-04")
    result = backtest_ties(targets, ties, lambda: RecordingSource([], set()), model="fixed")
    adjustment = SecondLegAdjustment(
        (0.3, 0.2, 0.1, 0.0, -0.1, -0.2, -0.2), (0.1, 0.05, 0.0, 0.0, 0.0, 0.0, 0.0), note="hand-made"
    )
    adjusted = with_second_leg(result, adjustment)
    p = adjusted.forecasts["between_legs"][adjusted_name("fixed")]
    grid = ScoreGrid.from_rates(1.6, 1.1, rho=-0.05)
    i = next(k for k, t in enumerate(adjusted.ties) if t.team_b == "liverpool")  # 0-3 down at Anfield
    tie = adjusted.ties[i]
    expected = forecast_second_leg((3, 0), grid.tilted(np.exp(0.3), np.exp(0.1)), rules=tie.rules).p_b  # type: ignore[arg-type]
    assert p[i] == pytest.approx(expected)
    assert p[i] > adjusted.forecasts["between_legs"]["fixed"][i]  # a trailing host that attacks
    # no market in this backtest: the market summary is empty, the plain one scores every forecaster
    assert adjusted.summary(with_market=True).empty and MARKET not in adjusted.forecasts["between_legs"]
    assert set(adjusted.summary()["forecaster"]) == {"fixed", "base rate", adjusted_name("fixed")}


# ---- the strength-gap design (fitted before 2016-17, chosen on validation folds) ------------------------
def test_the_fit_recovers_lead_factors_and_strength_gap_slopes_of_simulated_second_legs() -> None:
    rng = np.random.default_rng(7)
    truth = {-1: (1.15, 1.0), 0: (1.05, 0.95), 1: (1.0, 0.85)}
    slopes = (-0.05, -0.10)
    grids, firsts, seconds = [], [], []
    for lead, (host, visitor) in truth.items():
        for _ in range(6000):
            lam_h, lam_a = rng.uniform(0.8, 2.4), rng.uniform(0.5, 1.6)
            d = np.log(lam_h / lam_a) - 0.4
            grids.append(ScoreGrid.from_rates(lam_h, lam_a).probs)
            firsts.append((max(0, -lead), max(0, lead)))
            seconds.append((int(rng.poisson(lam_h * host * np.exp(slopes[0] * d))),
                            int(rng.poisson(lam_a * visitor * np.exp(slopes[1] * d)))))  # fmt: skip
    fitted = SecondLegAdjustment.fit(grids, firsts, seconds, prior_goals=0.0)
    assert fitted.uses_gap and fitted.host_gap == pytest.approx(slopes[0], abs=0.03)
    assert fitted.visitor_gap == pytest.approx(slopes[1], abs=0.03)
    for lead, (host, visitor) in truth.items():
        # at the gap 0.4 the truth's factors are the cell factors
        got = fitted.factors((max(0, -lead), max(0, lead)), (1.5, 1.5 / np.exp(0.4)))
        assert got == pytest.approx((host, visitor), rel=0.04)
    # without the slopes and with the prior at the model's rate it is the earlier closed form
    plain = SecondLegAdjustment.fit(grids, firsts, seconds, prior_goals=10.0, prior_to="model", gap_slopes=False)
    k = MAX_LEAD + 1  # lead +1
    expected = (plain.host_goals[k] + 10.0) / (plain.host_expected[k] + 10.0)
    assert plain.factors((0, 1)) == pytest.approx((expected, pytest.approx(plain.factors((0, 1))[1])))
    assert not plain.uses_gap


def test_a_gap_dependent_adjustment_needs_the_expected_goals_and_apply_reads_them_from_the_grid() -> None:
    adjustment = SecondLegAdjustment((0.1,) * 7, (-0.1,) * 7, host_gap=-0.03, visitor_gap=-0.09, gap_center=0.5)
    with pytest.raises(ValueError, match="strength gap"):
        adjustment.factors((0, 3))
    grid = ScoreGrid.from_rates(1.41, 1.84, rho=-0.05)  # Atalanta v Liverpool, 18 April 2024, the strength model
    host, visitor = adjustment.factors((0, 3), grid.expected_goals())
    d = np.log(grid.expected_goals()[0] / grid.expected_goals()[1]) - 0.5
    assert (host, visitor) == pytest.approx((np.exp(0.1 - 0.03 * d), np.exp(-0.1 - 0.09 * d)))
    adjusted = adjustment.apply(grid, (0, 3))
    assert adjusted.expected_goals() == pytest.approx(grid.tilted(host, visitor).expected_goals())


def test_the_gap_columns_round_trip_and_an_older_file_without_them_has_no_gap_dependence() -> None:
    adjustment = SecondLegAdjustment(
        tuple(np.linspace(0.2, -0.1, 7)), tuple(np.linspace(0.1, 0.0, 7)), (5,) * 7, (1.0,) * 7, (1.0,) * 7,
        (1.0,) * 7, (1.0,) * 7, "test fit", -0.0298, -0.089, 0.504,
    )  # fmt: skip
    again = SecondLegAdjustment.from_csv(adjustment.to_csv())
    assert (again.host_gap, again.visitor_gap, again.gap_center) == pytest.approx((-0.0298, -0.089, 0.504))
    old = "\n".join(",".join(line.split(",")[:8]) for line in adjustment.to_csv().splitlines())
    assert not SecondLegAdjustment.from_csv(old).uses_gap
    lines = adjustment.to_csv().splitlines()
    lines[3] = lines[3].rsplit(",", 1)[0] + ",0.9"  # one row with another gap centre
    with pytest.raises(ValueError, match=r"x\.csv: column gap_center must hold one value"):
        SecondLegAdjustment.from_csv("\n".join(lines), "x.csv")


def test_the_packaged_fit_raises_liverpools_chance_in_bergamo() -> None:
    """Liverpool 0-3 Atalanta (11 April 2024), then the second leg in Bergamo (Atalanta 0-1 Liverpool,
    18 April): with the strength model's expected goals (Atalanta 1.41, Liverpool 1.84) a host three
    goals up scores less than its rating says (it sits on the lead) while the visitor keeps nearly all
    of its rating, so the adjusted chance is above the unadjusted one."""
    from remontada.rules import rules_for
    from remontada.ties.history import rules_round
    from remontada.ties.second_leg import packaged

    rules = rules_for("uefa.el", "2023-24", rules_round("Quarterfinals"))
    grid = ScoreGrid.from_rates(1.41, 1.84, rho=-0.05)
    fit = packaged()
    assert "..2015-16 " in fit.note  # fitted on the ties before 2016-17 only
    host, visitor = fit.factors((0, 3), grid.expected_goals())
    assert host < 0.9  # Atalanta, three up at home, score less than the model says
    assert 0.95 < visitor < 1.0
    plain = forecast_second_leg((0, 3), grid, rules=rules).p_a  # A = Liverpool, at home in the first leg
    adjusted = forecast_second_leg((0, 3), fit.apply(grid, (0, 3)), rules=rules).p_a
    assert 0.02 < plain < adjusted < 0.12


def test_the_fit_uses_only_ties_before_2016_17_and_is_deterministic() -> None:
    """On the real ties of the toy backtest (Deportivo 4-0 Milan 2004, Galatasaray 3-2 Real Madrid and
    Real Madrid 2-0 Dortmund 2013 before the cutoff; Barcelona 6-1 PSG, Roma 3-0 Barcelona, Liverpool
    4-0 Barcelona ... after it): rewriting a held-out second leg leaves the fit unchanged, rewriting a
    fitted one changes it, and two fits of the same ties are identical."""
    import dataclasses

    from remontada.ties.backtest import fit_second_leg

    ties = [real_tie(row) for row in REAL]
    targets, _ = evaluation_ties(ties, since="2003-04")
    result = backtest_ties(targets, ties, lambda: RecordingSource([], set()), model="fixed")
    fitted = fit_second_leg(result)
    assert fitted.to_csv() == fit_second_leg(result).to_csv()
    assert sum(fitted.ties) == 3 and "2003-04..2012-13" in fitted.note

    def rewritten(team_b: str) -> list:  # type: ignore[type-arg]
        out = []
        for tie in result.ties:
            if tie.team_b == team_b:
                assert tie.leg2 is not None
                tie = dataclasses.replace(tie, leg2=dataclasses.replace(tie.leg2, home_goals=9, away_goals=9))
            out.append(tie)
        return out

    held_out = dataclasses.replace(result, ties=tuple(rewritten("liverpool")))  # 2018-19
    assert fit_second_leg(held_out).to_csv() == fitted.to_csv()
    inside = dataclasses.replace(result, ties=tuple(rewritten("deportivo")))  # 2003-04
    assert fit_second_leg(inside).to_csv() != fitted.to_csv()


def test_a_perfectly_calibrated_forecaster_misses_a_five_point_bar_by_chance() -> None:
    from math import comb

    from remontada.evaluation.reliability_target import reliability_target_chance

    # one bin of 30 forecasts of 0.5: within 5 points means 14, 15 or 16 events
    exact = sum(comb(30, k) for k in (14, 15, 16)) / 2**30
    chance = reliability_target_chance(np.full(30, 0.5), draws=40_000, seed=1)
    assert chance.bins_checked == 1
    assert chance.chance == pytest.approx(exact, abs=4 * np.sqrt(exact * (1 - exact) / 40_000))
    # seeded: the same figure twice; certain forecasts always meet the bar
    again = reliability_target_chance(np.full(30, 0.5), draws=40_000, seed=1)
    assert (again.chance, again.median_worst, again.q95_worst) == (chance.chance, chance.median_worst, chance.q95_worst)
    assert reliability_target_chance(np.r_[np.zeros(40), np.ones(40)], draws=100).chance == 1.0
    # with outcomes, the observed worst gap and where it falls
    y = np.r_[np.ones(20), np.zeros(10)]  # 20 of 30: 66.7% against 50%
    scored = reliability_target_chance(np.full(30, 0.5), y, draws=20_000, seed=3)
    assert scored.observed_worst == pytest.approx(1 / 6)
    assert scored.p_value == pytest.approx(2 * sum(comb(30, k) for k in range(20, 31)) / 2**30, abs=0.01)
    with pytest.raises(ValueError, match="probabilities"):
        reliability_target_chance([1.2])


def test_the_design_validation_fits_before_each_fold_and_never_reads_a_held_out_tie() -> None:
    import dataclasses

    from remontada.ties.backtest import SECOND_LEG_DESIGNS, second_leg_validation

    ties = [real_tie(row) for row in REAL]
    targets, _ = evaluation_ties(ties, since="2003-04")
    result = backtest_ties(targets, ties, lambda: RecordingSource([], set()), model="fixed")
    folds = (("2012-13", "2012-13", "2012-13"),)  # fit on Deportivo 4-0 Milan (2003-04), validate on 2012-13
    table = second_leg_validation(result, folds=folds)
    assert list(table["design"]) == list(SECOND_LEG_DESIGNS)
    assert set(table["fit"]) == {"before 2012-13 (1 second legs)"} and set(table["ties"]) == {2}
    assert table["log_loss_minus_first"].iloc[0] == 0.0
    later = tuple(
        dataclasses.replace(t, leg2=dataclasses.replace(t.leg2, home_goals=7, away_goals=7))  # type: ignore[arg-type]
        if t.season >= "2016-17" else t
        for t in result.ties
    )  # fmt: skip
    again = second_leg_validation(dataclasses.replace(result, ties=later), folds=folds)
    pd_equal = table.drop(columns="se").round(12).equals(again.drop(columns="se").round(12))
    assert pd_equal
