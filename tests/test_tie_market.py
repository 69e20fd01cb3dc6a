"""The market's "goes through": 1X2 → expected goals → the tie engine, on Barcelona v Liverpool 2018-19."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.ingest.update import update
from remontada.odds import demargin
from remontada.sources.engsoccerdata import EngSoccerData
from remontada.sources.oddsportal import OddsPortal
from remontada.sources.openfootball import OpenFootball
from remontada.store.reader import Store
from remontada.ties import market
from remontada.ties.history import Tie, rebuild_ties


def test_fitted_expected_goals_reproduce_the_de_margined_1x2() -> None:
    probs = demargin(np.array([[2.60, 3.75, 2.72], [1.25, 6.5, 13.0], [4.2, 3.1, 2.0]]), "shin").probs
    rates, residual = market.rates_from_1x2(probs)
    assert residual.max() < 1e-9
    for (home, away), p in zip(rates, probs, strict=True):
        assert np.allclose(ScoreGrid.from_rates(home, away).outcome_probs(), p, atol=1e-8)
    # the favourite at home gets the higher rate, the 4.2 outsider at home the lower
    assert rates[1, 0] > rates[1, 1] and rates[2, 0] < rates[2, 1]


def test_swapping_the_venue_moves_home_advantage_to_the_other_side() -> None:
    leg = market.LegMarket(1, "pinnacle", (2.0, 3.4, 3.8), (0.48, 0.27, 0.25), 1.5, 1.0, 0.0)
    back = leg.grid(swap_venue=1.4)
    assert back.expected_goals() == pytest.approx((1.0 * 1.4, 1.5 / 1.4), rel=1e-6)


@pytest.fixture(scope="module")
def store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Store:
    path = tmp_path_factory.mktemp("market") / "store.duckdb"
    sources = [
        EngSoccerData(names=["champs"]),
        OpenFootball(repos=["champions-league"], seasons=["2018-19"]),
        OddsPortal(["uefa.cl"]),
    ]
    report = update(path, mirror=str(mirror), sources=sources, workers=1)  # type: ignore[arg-type]
    assert report.committed and not report.errors
    return Store(path)


def _anfield_tie(store: Store) -> Tie:
    (tie,) = [
        t for t in rebuild_ties(store, ["uefa.cl"])
        if t.season == "2018-19" and t.leg2 is not None and str(t.leg2.date) == "2019-05-07"
    ]  # fmt: skip
    return tie


def test_liverpool_after_losing_3_0_at_barcelona_per_the_market(store: Store) -> None:
    tie = _anfield_tie(store)
    assert (tie.team_a, tie.team_b, tie.winner) == ("barcelona-esp", "liverpool-eng", "liverpool-eng")
    markets = market.leg_markets(store, [tie.leg2.match_id])  # type: ignore[union-attr]
    leg2 = markets[tie.leg2.match_id]  # type: ignore[union-attr]
    assert (leg2.book, leg2.prices) == ("pinnacle", (2.60, 3.75, 2.72))
    p = market.p_b_between_legs((3, 0), leg2, tie.rules)  # type: ignore[arg-type]
    # level teams (1.35 v 1.31 expected goals): winning by three or more is rare
    assert 0.01 < p < 0.08
    # a first leg lost 0-1 instead leaves the same second leg far more open
    assert market.p_b_between_legs((1, 0), leg2, tie.rules) > 5 * p  # type: ignore[arg-type]


def test_market_home_factor_from_group_stage_pairs_and_the_tie_before_it_started(store: Store) -> None:
    h, pairs = market.home_factor(store, before="2016-17")
    assert pairs > 300 and 1.1 < h < 1.8
    tie = _anfield_tie(store)
    forecasts = market.market_forecasts(store, [tie], home=(h, pairs))
    # Barcelona were 1.93 at home in the first leg: before the tie they were favourites
    assert 0.25 < forecasts.before_tie[0] < 0.5
    assert forecasts.between_legs[0] == pytest.approx(
        market.p_b_between_legs((3, 0), market.leg_markets(store, [tie.leg2.match_id])[tie.leg2.match_id], tie.rules)  # type: ignore[union-attr,arg-type]
    )
    assert forecasts.books == {"pinnacle": 2}


def test_the_backtest_scores_model_market_and_base_rate_on_the_same_ties(store: Store) -> None:
    from remontada.ties.backtest import MARKET, adjusted_name, recalibrated_name, run_tie_backtest
    from remontada.ties.report import markdown, target_check

    result = run_tie_backtest(store, since="2014-15", until="2018-19", competitions=["uefa.cl"], step_days=7)
    between = result.forecasts["between_legs"]
    assert {MARKET, adjusted_name(result.model), recalibrated_name(result.model)} <= set(between)
    priced = np.isfinite(between[MARKET])
    # 2016-17 and 2017-18 knockout legs are not in this slice's results: only 2014-16 and 2018-19 ties
    assert 0 < priced.sum() <= len(result.ties)
    summary = result.summary(with_market=True).set_index(["horizon", "forecaster"])
    assert summary.loc[("between_legs", MARKET), "n"] == priced.sum()
    assert summary.loc[("between_legs", result.model), "n"] == priced.sum()
    assert np.isfinite(summary.loc[("between_legs", result.model), "brier_minus_market"])
    # the adjustment is fitted on the ties before 2016-17 only
    assert result.adjustment is not None and "2014-15..2015-16" in result.adjustment.note
    report = markdown(result)
    assert "### Held out (2016-17 on" in report and "| between the legs | market |" in report
    # the recalibration's choice is shown on the validation seasons of this slice (2014-15 and 2015-16) only
    assert "### Choosing the per-competition recalibration" in report and "Chosen: **" in report
    check = target_check(result, adjusted_name(result.model))
    assert check["market_ties"] == int((priced & (result.keys("held_out") == "held out (2016-17 on)")).sum())
