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
    fitted = SecondLegAdjustment.fit(grids, firsts, seconds, prior_goals=0.0)
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
