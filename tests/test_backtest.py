"""Walk-forward backtests: no leakage, the same matches for everyone, scores as scoring.py computes them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada import odds
from remontada.evaluation import backtest as bt
from remontada.evaluation import scoring
from remontada.matchset import MatchSet
from remontada.models.blend import LogitPool
from remontada.models.elo import Elo
from tests.matchsets import football_data_matches


@pytest.fixture(scope="module")
def two_seasons(mirror: Path) -> MatchSet:
    """Premier League and Championship 2022-23 and 2023-24 (1,864 matches)."""
    return football_data_matches(mirror, ("E0", "E1"), ("2022-23", "2023-24"))


def epl_2324(matches: MatchSet) -> np.ndarray:
    return (matches.competition == "eng.1") & (matches.season == "2023-24")


class Recorder:
    """Remembers what the engine showed it; forecasts a fixed 45/27/28 split."""

    uses_market = False

    def __init__(self, name: str = "recorder") -> None:
        self.name = name
        self.calls: list[tuple[MatchSet, MatchSet, MatchSet]] = []
        self._history: MatchSet | None = None
        self._new: MatchSet | None = None

    def update(self, history: MatchSet, new: MatchSet) -> None:
        self._history, self._new = history, new

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        assert self._history is not None and self._new is not None
        self.calls.append((self._history, self._new, fixtures))
        return np.tile([0.45, 0.27, 0.28], (len(fixtures), 1))


class Peeker(Recorder):
    """Would forecast the true result with certainty if it could find it, in history or fixtures."""

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        super().forecast(fixtures)
        history = self._history
        assert history is not None
        out = np.tile([0.45, 0.27, 0.28], (len(fixtures), 1))
        for i in range(len(fixtures)):
            if fixtures.home_goals[i] >= 0:  # the engine leaked the score
                out[i] = np.eye(3)[bt.match_outcome(fixtures.home_goals[i], fixtures.away_goals[i])]
            same = (history.date == fixtures.date[i]) & (history.home == fixtures.home[i])
            if same.any():  # the engine leaked the match into the history
                out[i] = np.eye(3)[int(bt.match_outcome(history.home_goals[same], history.away_goals[same])[0])]
        return out


def test_forecasters_only_ever_see_earlier_matches(two_seasons: MatchSet) -> None:
    recorder = Recorder()
    evaluate = epl_2324(two_seasons)
    bt.walk_forward(two_seasons, evaluate, [recorder], step_days=7, progress=False)
    assert sum(len(f) for _, _, f in recorder.calls) == evaluate.sum() == 380
    seen = 0
    for history, new, fixtures in recorder.calls:
        first_day = fixtures.date.min()
        assert history.date.max() < first_day
        # Everything before the block, from both divisions, and nothing else.
        assert len(history) == int((two_seasons.date < first_day).sum())
        assert len(new) == len(history) - seen
        seen = len(history)
        assert (fixtures.date < first_day + np.timedelta64(7, "D")).all()
        assert (fixtures.home_goals == -1).all() and (fixtures.away_goals == -1).all()
        assert "home_shots" not in fixtures.extras and "psch" in fixtures.extras


def test_a_forecaster_cannot_score_better_by_peeking(two_seasons: MatchSet) -> None:
    evaluate = epl_2324(two_seasons)
    result = bt.walk_forward(two_seasons, evaluate, [Peeker("peeker"), Recorder("fixed")], progress=False)
    summary = result.summary().set_index("forecaster")
    assert summary.loc["peeker", "rps"] == pytest.approx(summary.loc["fixed", "rps"])
    assert summary.loc["peeker", "rps"] > 0.2  # a peeker that saw results would score ~0


def test_summary_scores_exactly_the_same_matches_with_scoring_py(two_seasons: MatchSet) -> None:
    class Patchy(Recorder):
        """Cannot price Arsenal's home matches."""

        def forecast(self, fixtures: MatchSet) -> np.ndarray:
            out = super().forecast(fixtures)
            out[fixtures.home == "Arsenal|ENG"] = np.nan
            return out

    evaluate = epl_2324(two_seasons)
    result = bt.walk_forward(two_seasons, evaluate, [Recorder("fixed"), Patchy("patchy")], progress=False)
    summary = result.summary(names=["fixed", "patchy"]).set_index("forecaster")
    assert summary["matches"].tolist() == [361, 361]  # 380 minus Arsenal's 19 home matches
    played = result.fixtures.home != "Arsenal|ENG"
    outcome = bt.match_outcome(result.fixtures.home_goals, result.fixtures.away_goals)
    fixed = np.tile([0.45, 0.27, 0.28], (int(played.sum()), 1))
    assert summary.loc["fixed", "rps"] == pytest.approx(scoring.rps(fixed, outcome[played]))
    assert summary.loc["fixed", "log_loss"] == pytest.approx(scoring.log_loss(fixed, outcome[played]))
    # The default summary leaves out a forecaster that priced under 99% of the matches.
    assert result.summary()["forecaster"].tolist() == ["fixed"]


def test_rps_of_two_known_matches() -> None:
    # Burnley 0-3 Man City and Bournemouth 1-1 West Ham (Aug 2023), one fixed forecast.
    matches = MatchSet.from_columns(
        date=["2023-08-11", "2023-08-12"],
        home=["Burnley", "Bournemouth"],
        away=["Man City", "West Ham"],
        home_goals=[0, 1],
        away_goals=[3, 1],
        competition=["eng.1", "eng.1"],
        season=["2023-24", "2023-24"],
    )
    result = bt.walk_forward(matches, np.ones(2, bool), [Recorder("fixed")], progress=False)
    # Away win: ((0.45 - 0)^2 + (0.72 - 0)^2) / 2; draw: ((0.45 - 0)^2 + (0.72 - 1)^2) / 2.
    by_hand = ((0.45**2 + 0.72**2) / 2 + (0.45**2 + 0.28**2) / 2) / 2
    assert result.summary()["rps"][0] == pytest.approx(by_hand)
    assert result.outcome.tolist() == [2, 1]


def test_blocks_follow_the_refit_cadence(two_seasons: MatchSet) -> None:
    weekly, daily = Recorder(), Recorder()
    evaluate = epl_2324(two_seasons)
    bt.walk_forward(two_seasons, evaluate, [weekly], step_days=7, progress=False)
    bt.walk_forward(two_seasons, evaluate, [daily], step_days=1, progress=False)
    match_days = np.unique(two_seasons.date[evaluate])
    assert len(daily.calls) == len(match_days)
    assert len(weekly.calls) < len(daily.calls) / 2
    for _, _, fixtures in weekly.calls:
        span = (fixtures.date.max() - fixtures.date.min()).astype(int)
        assert span < 7


def test_market_forecaster_demargins_pinnacle_closing_prices(two_seasons: MatchSet) -> None:
    evaluate = epl_2324(two_seasons)
    pinnacle = bt.MarketForecaster("pinnacle", ("psch", "pscd", "psca"), method="power")
    result = bt.walk_forward(two_seasons, evaluate, [pinnacle], progress=False)
    first = result.fixtures.select(np.arange(1))  # Burnley v Man City
    prices = np.array([first.extras["psch"][0], first.extras["pscd"][0], first.extras["psca"][0]])
    assert result.probs["pinnacle"][0] == pytest.approx(odds.remove_margin(prices, "power"))
    assert result.probs["pinnacle"][0][2] > 0.7  # City were heavy favourites
    assert result.uses_market["pinnacle"]


def test_climatology_uses_only_earlier_seasons(two_seasons: MatchSet) -> None:
    evaluate = epl_2324(two_seasons)
    result = bt.walk_forward(two_seasons, evaluate, [bt.ClimatologyForecaster()], progress=False)
    last_season = two_seasons.select((two_seasons.competition == "eng.1") & (two_seasons.season == "2022-23"))
    rates = np.bincount(bt.match_outcome(last_season.home_goals, last_season.away_goals), minlength=3) / 380
    assert result.probs["climatology"] == pytest.approx(np.tile(rates, (380, 1)))


def test_elo_beats_climatology_walking_forward(two_seasons: MatchSet) -> None:
    evaluate = epl_2324(two_seasons)
    forecasters = [bt.ModelForecaster("elo", Elo), bt.ClimatologyForecaster()]
    summary = bt.walk_forward(two_seasons, evaluate, forecasters, progress=False).summary().set_index("forecaster")
    assert summary.loc["elo", "matches"] == summary.loc["climatology", "matches"] == 380
    assert summary.loc["elo", "rps"] < summary.loc["climatology", "rps"] - 0.01


def test_pool_learns_only_from_forecasts_whose_results_are_known(two_seasons: MatchSet) -> None:
    evaluate = epl_2324(two_seasons)
    recorder = Recorder("inner")
    pool = bt.PooledForecaster("pool", [recorder, bt.ModelForecaster("elo", Elo)], LogitPool, min_matches=100)
    bt.walk_forward(two_seasons, evaluate, [pool], progress=False)
    assert len(pool.fits_) >= 5
    eval_days = two_seasons.date[evaluate]
    for day, n_learnt in pool.fits_:
        # It learnt from its own forecasts of every evaluated match played so far, and no more.
        assert n_learnt == int((eval_days <= day).sum())
    assert not pool.uses_market


def test_logit_pool_recovers_the_weights_that_made_the_data() -> None:
    rng = np.random.default_rng(7)
    n = 20_000
    a = rng.dirichlet([4, 3, 3], size=n)
    b = rng.dirichlet([3, 3, 4], size=n)
    truth = LogitPool()
    truth.weights_, truth.bias_ = np.array([0.7, 0.5]), np.array([0.0, 0.1, -0.2])
    p = truth.predict([a, b])
    outcome = (rng.random(n)[:, None] > np.cumsum(p, axis=1)).sum(axis=1)
    fitted = LogitPool(fit_bias=True, ridge=0.0).fit([a, b], outcome)
    assert fitted.weights_ == pytest.approx([0.7, 0.5], abs=0.05)
    assert fitted.bias_ == pytest.approx([0.0, 0.1, -0.2], abs=0.05)
    assert fitted.predict([a, b]).sum(axis=1) == pytest.approx(np.ones(n))


def test_penaltyblog_peer_prices_the_premier_league(two_seasons: MatchSet) -> None:
    peer = bt.penaltyblog_forecaster(refit_days=60)  # one fit: penaltyblog takes seconds per fit
    if peer is None:
        pytest.skip("penaltyblog is not installed (benchmark-only dependency)")
    evaluate = epl_2324(two_seasons) & (two_seasons.date < np.datetime64("2023-09-01"))
    result = bt.walk_forward(two_seasons, evaluate, [peer, bt.ClimatologyForecaster()], progress=False)
    assert np.isfinite(result.probs[peer.name]).all()
    assert result.probs[peer.name].sum(axis=1) == pytest.approx(np.ones(int(evaluate.sum())))


def test_a_shared_forecaster_is_updated_once_per_block_when_also_pooled(two_seasons: MatchSet) -> None:
    class Counting(Recorder):
        updates = 0

        def update(self, history: MatchSet, new: MatchSet) -> None:
            Counting.updates += 1
            super().update(history, new)

    evaluate = epl_2324(two_seasons)
    shared = bt.SharedForecaster(Counting("counted"))
    pool = bt.PooledForecaster("pool", [shared, bt.ClimatologyForecaster()], LogitPool, min_matches=50)
    result = bt.walk_forward(two_seasons, evaluate, [shared, pool], progress=False)
    inner = shared.inner
    assert isinstance(inner, Counting)
    assert Counting.updates == len(inner.calls)  # one update and one forecast per block, not two
    assert sum(len(f) for _, _, f in inner.calls) == 380
    # The first call of a block saw everything before it (the shared wrapper tracks its own "new").
    assert sum(len(new) for _, new, _ in inner.calls) == len(inner.calls[-1][0])
    assert np.isfinite(result.probs["pool"]).all()


def test_calibration_and_subsets_use_the_common_matches(two_seasons: MatchSet, tmp_path: Path) -> None:
    evaluate = epl_2324(two_seasons)
    result = bt.walk_forward(two_seasons, evaluate, [Recorder("fixed"), bt.ClimatologyForecaster()], progress=False)
    tables = result.calibration()
    assert tables["fixed"].n_forecasts == 3 * 380  # one-vs-rest over home, draw, away
    draws = result.calibration(category=1)["fixed"]
    assert draws.n_forecasts == 380
    # 2023-24 Premier League: 82 draws in 380 matches (football-data E0), all forecast at 27%.
    assert int(draws.hits.sum()) == int((result.outcome == 1).sum()) == 82
    spring = result.subset(result.fixtures.date >= np.datetime64("2024-03-01"))
    assert len(spring.outcome) == len(spring.fixtures) == spring.summary()["matches"][0] < 380
    png = result.plot_calibration(tmp_path / "calibration.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
