"""Poisson-family goal models: gradients, recovery of known parameters, real Premier League fits, joint fits."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from remontada.grid import ScoreGrid
from remontada.matchset import MatchSet
from remontada.models import BivariatePoisson, DixonColes, NegativeBinomial, Poisson, decay_weights
from remontada.models.families import (
    FAMILIES,
    BivariatePoissonScores,
    DixonColesScores,
    NegativeBinomialScores,
    PoissonScores,
)
from remontada.models.goals import GoalModel
from remontada.models.hierarchy import ShrinkagePrior, is_domestic_league
from remontada.models.likelihood import GoalObjective, ParameterLayout
from remontada.models.optimize import minimize_lbfgs

MODELS: list[type[GoalModel]] = [Poisson, DixonColes, BivariatePoisson, NegativeBinomial]


# ---- data ---------------------------------------------------------------------------------------
def read_football_data(path: Path, competition: str) -> MatchSet:
    """A football-data.co.uk results file as a MatchSet (90-minute scores)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("FTHG")]
    return MatchSet.from_columns(
        date=[dt.datetime.strptime(r["Date"], "%d/%m/%Y").date() for r in rows],
        home=[r["HomeTeam"] for r in rows],
        away=[r["AwayTeam"] for r in rows],
        home_goals=[int(r["FTHG"]) for r in rows],
        away_goals=[int(r["FTAG"]) for r in rows],
        competition=[competition] * len(rows),
        season=[path.parent.name] * len(rows),
    )


@pytest.fixture(scope="module")
def premier_league(mirror: Path) -> MatchSet:
    return read_football_data(mirror / "football-data.co.uk/mmz4281/2324/E0.csv", "eng.1")


@pytest.fixture(scope="module")
def two_tiers(mirror: Path) -> MatchSet:
    """Championship 2022-23 then Premier League 2023-24: joined by Burnley, Sheffield United and Luton,
    promoted between them (the only links between the two leagues)."""
    second = read_football_data(mirror / "football-data.co.uk/mmz4281/2223/E1.csv", "eng.2")
    first = read_football_data(mirror / "football-data.co.uk/mmz4281/2324/E0.csv", "eng.1")
    return concat(second, first)


def concat(*sets: MatchSet) -> MatchSet:
    cols = ("date", "home", "away", "home_goals", "away_goals", "neutral", "competition", "season")
    return MatchSet.from_columns(**{c: np.concatenate([getattr(s, c) for s in sets]) for c in cols})


def simulate(
    family: str, *, n_teams: int = 20, seasons: int = 10, extra: float = 0.0, seed: int = 7
) -> tuple[MatchSet, np.ndarray, np.ndarray, float, float]:
    """Double round robins between ``n_teams`` with known strengths, scores drawn from ``family``."""
    rng = np.random.default_rng(seed)
    attack = rng.normal(0.0, 0.3, n_teams)
    defence = rng.normal(0.0, 0.3, n_teams)
    attack -= attack.mean()
    defence -= defence.mean()
    mu, gamma = 0.15, 0.25
    pairs = np.array([(i, j) for i in range(n_teams) for j in range(n_teams) if i != j] * seasons)
    home, away = pairs[:, 0], pairs[:, 1]
    eta_home = mu + gamma + attack[home] - defence[away]
    eta_away = mu + attack[away] - defence[home]
    size = 16
    grids = FAMILIES[family].score_matrix(eta_home, eta_away, extra, size)
    flat = grids.reshape(len(pairs), -1)
    flat /= flat.sum(axis=1, keepdims=True)
    draws = (flat.cumsum(axis=1) < rng.random(len(pairs))[:, None]).sum(axis=1)
    rounds = np.arange(len(pairs)) // (n_teams // 2)  # one round of matches a week
    dates = np.datetime64("2010-08-01") + rounds * np.timedelta64(7, "D")
    names = np.array([f"team{i:02d}" for i in range(n_teams)], dtype=object)
    matches = MatchSet.from_columns(
        date=dates, home=names[home], away=names[away], home_goals=draws // size, away_goals=draws % size,
        competition=["sim.1"] * len(pairs),
    )
    return matches, attack, defence, mu, gamma


# ---- analytic gradients ---------------------------------------------------------------------------
@pytest.mark.parametrize("family", sorted(FAMILIES))
@pytest.mark.parametrize("with_prior", [False, True])
def test_gradient_matches_central_differences(premier_league: MatchSet, family: str, with_prior: bool) -> None:
    rng = np.random.default_rng(3)
    ms = premier_league
    teams = ms.teams()
    n = len(ms)
    home = np.searchsorted(teams, ms.home.astype(str))
    away = np.searchsorted(teams, ms.away.astype(str))
    at_home = (rng.random(n) > 0.1).astype(float)  # some neutral venues
    home_group = rng.integers(-1, 2, n)  # two home-advantage groups plus the common one
    cls = FAMILIES[family]
    fam = cls(ms.home_goals, ms.away_goals, rng.uniform(0.2, 1.0, n))
    team_group = np.arange(len(teams)) % 3
    prior = ShrinkagePrior(0.3, 1.0, team_group, 3) if with_prior else None
    layout = ParameterLayout(len(teams), 2, 3 if with_prior else 0, cls.extra_name is not None)
    objective = GoalObjective(fam, layout, home, away, at_home, home_group, prior, 0.1)
    theta = rng.normal(0.0, 0.2, layout.size)
    theta[0] = 0.2
    if layout.has_extra:
        theta[-1] = {"rho": -0.08, "lambda3": 0.12, "alpha": 0.15}[cls.extra_name]
    value, grad = objective(theta)
    step = 1e-6
    numeric = np.empty(layout.size)
    for i in range(layout.size):
        e = np.zeros(layout.size)
        e[i] = step
        numeric[i] = (objective(theta + e)[0] - objective(theta - e)[0]) / (2 * step)
    assert np.isfinite(value)
    np.testing.assert_allclose(grad, numeric, rtol=1e-5, atol=1e-4)


def test_poisson_fisher_information_is_the_exact_hessian(premier_league: MatchSet) -> None:
    """The optimiser's preconditioner: for Poisson with a log link it must equal the Hessian of the objective."""
    rng = np.random.default_rng(4)
    ms = premier_league
    teams = ms.teams()
    n = len(ms)
    home = np.searchsorted(teams, ms.home.astype(str))
    away = np.searchsorted(teams, ms.away.astype(str))
    fam = PoissonScores(ms.home_goals, ms.away_goals, rng.uniform(0.2, 1.0, n))
    prior = ShrinkagePrior(0.4, 1.0, np.arange(len(teams)) % 2, 2)
    layout = ParameterLayout(len(teams), 2, 2, False)
    objective = GoalObjective(fam, layout, home, away, (rng.random(n) > 0.1).astype(float), rng.integers(-1, 2, n),
                              prior, 0.1)
    theta = rng.normal(0.0, 0.2, layout.size)
    step = 1e-6
    numeric = np.empty((layout.size, layout.size))
    for i in range(layout.size):
        e = np.zeros(layout.size)
        e[i] = step
        numeric[:, i] = (objective(theta + e)[1] - objective(theta - e)[1]) / (2 * step)
    np.testing.assert_allclose(objective.fisher_information(theta).toarray(), numeric, rtol=1e-5, atol=1e-4)


def test_dispersion_gradient_is_finite_at_the_poisson_limit(premier_league: MatchSet) -> None:
    ms = premier_league
    fam = NegativeBinomialScores(ms.home_goals, ms.away_goals, np.ones(len(ms)))
    eta = np.full(len(ms), 0.3)
    at_zero = fam.terms(eta, eta, 0.0)
    near_zero = fam.terms(eta, eta, 1e-7)
    assert np.isclose(at_zero[0], near_zero[0], rtol=1e-8)
    assert np.isclose(at_zero[3], near_zero[3], rtol=1e-3)
    # Goals in the 2023-24 Premier League are barely over-dispersed at a constant rate: the slope is modest.
    assert np.isfinite(at_zero[3])


# ---- families reduce to Poisson and agree with independent constructions -------------------------
def test_dixon_coles_with_rho_zero_is_poisson(premier_league: MatchSet) -> None:
    ms = premier_league
    w = np.linspace(0.5, 1.0, len(ms))
    eta_h, eta_a = np.full(len(ms), 0.35), np.full(len(ms), 0.1)
    dc = DixonColesScores(ms.home_goals, ms.away_goals, w).terms(eta_h, eta_a, 0.0)
    po = PoissonScores(ms.home_goals, ms.away_goals, w).terms(eta_h, eta_a, 0.0)
    assert dc[0] == pytest.approx(po[0], rel=1e-12)
    np.testing.assert_allclose(dc[1], po[1])
    np.testing.assert_allclose(dc[2], po[2])
    np.testing.assert_allclose(
        DixonColesScores.score_matrix(eta_h[:2], eta_a[:2], 0.0, 12), PoissonScores.score_matrix(eta_h[:2], eta_a[:2],
                                                                                                  0.0, 12)
    )


def test_bivariate_with_lambda3_zero_is_poisson(premier_league: MatchSet) -> None:
    ms = premier_league
    w = np.ones(len(ms))
    eta_h, eta_a = np.full(len(ms), 0.4), np.full(len(ms), 0.05)
    bp = BivariatePoissonScores(ms.home_goals, ms.away_goals, w).terms(eta_h, eta_a, 0.0)
    po = PoissonScores(ms.home_goals, ms.away_goals, w).terms(eta_h, eta_a, 0.0)
    assert bp[0] == pytest.approx(po[0], rel=1e-12)
    np.testing.assert_allclose(bp[1], po[1])
    np.testing.assert_allclose(
        BivariatePoissonScores.score_matrix(eta_h[:3], eta_a[:3], 0.0, 12),
        PoissonScores.score_matrix(eta_h[:3], eta_a[:3], 0.0, 12),
    )


def test_bivariate_pmf_matches_sum_of_shared_poisson() -> None:
    l1, l2, l3 = 1.3, 0.9, 0.2
    grid = BivariatePoissonScores.score_matrix(np.log([l1]), np.log([l2]), l3, 10)[0]
    x, y = 3, 2
    expected = sum(
        stats.poisson.pmf(x - k, l1) * stats.poisson.pmf(y - k, l2) * stats.poisson.pmf(k, l3) for k in range(3)
    )
    assert grid[x, y] == pytest.approx(expected, rel=1e-12)
    # The likelihood evaluates the same probability through the closed-form sum S(t).
    fam = BivariatePoissonScores(np.array([x]), np.array([y]), np.ones(1))
    assert fam.terms(np.log([l1]), np.log([l2]), l3)[0] == pytest.approx(np.log(expected), rel=1e-12)


def test_negative_binomial_pmf_matches_scipy() -> None:
    alpha, mean = 0.25, 1.6
    r = 1 / alpha
    fam = NegativeBinomialScores(np.array([0, 1, 4]), np.array([2, 0, 3]), np.ones(3))
    eta = np.log(np.full(3, mean))
    expected = stats.nbinom.logpmf([0, 1, 4], r, r / (r + mean)).sum() + stats.nbinom.logpmf([2, 0, 3], r,
                                                                                            r / (r + mean)).sum()
    assert fam.terms(eta, eta, alpha)[0] == pytest.approx(expected, rel=1e-12)
    grid = NegativeBinomialScores.score_matrix(eta[:1], eta[:1], alpha, 30)[0]
    assert grid[4, 3] == pytest.approx(stats.nbinom.pmf(4, r, r / (r + mean)) * stats.nbinom.pmf(3, r, r / (r + mean)))


def test_dixon_coles_grid_matches_score_grid_core() -> None:
    home_rate, away_rate, rho = 1.7, 0.8, -0.12
    ours = DixonColesScores.score_matrix(np.log([home_rate]), np.log([away_rate]), rho, 25)[0]
    core = ScoreGrid.from_rates(home_rate, away_rate, rho=rho).probs
    rows, cols = core.shape
    np.testing.assert_allclose(ours[:rows, :cols] / ours.sum(), core, atol=1e-9)


# ---- recovery of known parameters from simulated seasons -----------------------------------------
@pytest.mark.parametrize(
    ("cls", "family", "extra", "extra_tol"),
    [
        (Poisson, "poisson", 0.0, 0.0),
        (DixonColes, "dixon_coles", -0.12, 0.06),
        (BivariatePoisson, "bivariate_poisson", 0.15, 0.06),
        (NegativeBinomial, "negative_binomial", 0.12, 0.06),
    ],
)
def test_fit_recovers_simulated_parameters(cls: type[GoalModel], family: str, extra: float, extra_tol: float) -> None:
    matches, attack, defence, mu, gamma = simulate(family, extra=extra)
    model = cls(decay=0.0, team_sd=None).fit(matches)
    assert model.converged_
    # 3,800 matches: each team plays 380, so its attack has a standard error of about
    # 1 / sqrt(380 * 1.3 goals) ~ 0.045; the home advantage about 1 / sqrt(5,000) ~ 0.014.
    assert np.sqrt(np.mean((model.attack_ - attack) ** 2)) < 0.07
    assert np.sqrt(np.mean((model.defence_ - defence) ** 2)) < 0.07
    assert np.abs(model.attack_ - attack).max() < 0.2
    assert model.home_advantage_ == pytest.approx(gamma, abs=0.05)
    assert model.intercept_ == pytest.approx(mu, abs=0.05)
    assert model.extra_ == pytest.approx(extra, abs=max(extra_tol, 1e-12))


def test_more_decay_follows_a_teams_recent_form() -> None:
    matches, *_ = simulate("poisson", n_teams=10, seasons=4, seed=11)
    # team00 scores 3.5 goals a home match in the last season only (18 weekly rounds): rewrite those scores.
    last_season = matches.date > matches.date.max() - np.timedelta64(18 * 7, "D")
    rng = np.random.default_rng(5)
    boosted = matches.home_goals.copy()
    mask = last_season & (matches.home == "team00")
    boosted[mask] = rng.poisson(3.5, mask.sum())
    changed = MatchSet.from_columns(date=matches.date, home=matches.home, away=matches.away, home_goals=boosted,
                                    away_goals=matches.away_goals)
    flat = Poisson(decay=0.0, team_sd=None).fit(changed)
    recent = Poisson(decay=0.01, team_sd=None).fit(changed)
    i = int(np.flatnonzero(flat.teams_ == "team00")[0])
    assert recent.attack_[i] > flat.attack_[i] + 0.1


def test_decay_weights_follow_the_per_day_convention() -> None:
    dates = np.array(["2024-01-01", "2023-01-01", "2022-12-01"], dtype="datetime64[D]")
    w = decay_weights(dates, "2024-01-01", 0.0018, window_days=380)
    assert w[0] == 1.0
    assert w[1] == pytest.approx(np.exp(-0.0018 * 365))
    assert w[2] == 0.0  # outside the window
    with pytest.raises(ValueError, match="after as_of"):
        decay_weights(dates, "2023-06-01", 0.0018)


# ---- the real 2023-24 Premier League --------------------------------------------------------------
def test_premier_league_2023_24_ratings_are_plausible(premier_league: MatchSet) -> None:
    model = DixonColes(decay=0.0, team_sd=None).fit(premier_league)
    by_attack = list(model.teams_[np.argsort(-model.attack_)])
    # City scored 96 and Arsenal 91; Liverpool (86) and Newcastle (85) are level on attack within 0.01.
    assert by_attack[:2] == ["Man City", "Arsenal"]
    assert set(by_attack[2:4]) == {"Liverpool", "Newcastle"}
    assert list(model.ratings().team[:3]) == ["Man City", "Arsenal", "Liverpool"]
    assert model.teams_[np.argmin(model.defence_)] == "Sheffield United"
    assert 1.1 < np.exp(model.home_advantage_) < 1.4
    assert -0.2 < model.rho_ < 0.05
    ratings = model.ratings()
    assert ratings.rank_of("Man City") <= 2 and ratings.rank_of("Sheffield United") == 20


def test_plain_dixon_coles_reaches_penaltyblogs_likelihood(premier_league: MatchSet) -> None:
    pb = pytest.importorskip("penaltyblog")
    ms = premier_league
    weights = decay_weights(ms.date, ms.date.max() + np.timedelta64(1, "D"), 0.0018)
    theirs = pb.models.DixonColesGoalModel(ms.home_goals, ms.away_goals, ms.home.astype(str), ms.away.astype(str),
                                           weights)
    theirs.fit()
    ours = DixonColes(decay=0.0018, team_sd=None).fit(ms)
    # Both report the weighted log-likelihood with all constants; ours must be at least as high.
    assert ours.log_likelihood_ >= theirs.loglikelihood - 1e-6
    assert ours.rho_ == pytest.approx(theirs._params[-1], abs=0.01)
    assert ours.home_advantage_ == pytest.approx(theirs._params[-2], abs=0.01)


def test_predictions_are_consistent(premier_league: MatchSet) -> None:
    model = DixonColes(team_sd=0.3).fit(premier_league)
    grid = model.predict("Liverpool", "Everton")
    assert isinstance(grid, ScoreGrid)
    home_rate, away_rate = model.rates("Liverpool", "Everton")
    neutral_home, neutral_away = model.rates("Liverpool", "Everton", neutral=True)
    assert home_rate / neutral_home == pytest.approx(np.exp(model.home_advantage_))
    assert away_rate == pytest.approx(neutral_away)
    # The Dixon-Coles factor moves a little mass between 0-0/1-1 and 1-0/0-1, so means shift slightly.
    assert grid.expected_goals()[0] == pytest.approx(home_rate, abs=0.02)
    many = model.predict_many(["Liverpool", "Luton"], ["Everton", "Arsenal"], outcomes=True)
    np.testing.assert_allclose(many[0], grid.outcome_probs(), atol=1e-8)
    assert many[0, 0] > 0.5 and many[1, 2] > 0.5
    grids = model.predict_many(["Liverpool"], ["Everton"], [True])
    assert grids.shape[1] == grids.shape[2] and grids.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("cls", MODELS)
def test_every_model_predicts_a_grid_matching_its_rates(premier_league: MatchSet, cls: type[GoalModel]) -> None:
    model = cls().fit(premier_league)
    grid = model.predict("Arsenal", "Chelsea")
    rates = model.rates("Arsenal", "Chelsea")
    # Dixon-Coles moves a little mass among the four lowest scores; the others are exact.
    np.testing.assert_allclose(grid.expected_goals(), rates, atol=0.02 if cls is DixonColes else 1e-6)
    many = model.predict_many(["Arsenal", "Chelsea"], ["Chelsea", "Arsenal"], outcomes=True)
    np.testing.assert_allclose(many.sum(axis=1), 1.0)
    np.testing.assert_allclose(many[0], grid.outcome_probs(), atol=1e-8)


def test_unknown_team_raises_or_takes_its_group_mean(premier_league: MatchSet) -> None:
    model = Poisson(team_sd=0.3).fit(premier_league)
    with pytest.raises(KeyError, match="Ipswich"):
        model.rates("Ipswich", "Arsenal")
    rate, _ = model.rates("Ipswich", "Arsenal", groups={"Ipswich": "eng.1"})
    league_avg = np.exp(model.intercept_ + model.home_advantage_ + model.league_attack_[0] - model.defence_[
        model.team_index_["Arsenal"]])
    assert rate == pytest.approx(league_avg)
    probs = model.predict_many(["Ipswich", "Arsenal"], ["Arsenal", "Chelsea"], outcomes=True, unknown="nan")
    assert np.isnan(probs[0]).all() and np.isfinite(probs[1]).all()


def test_match_on_or_after_as_of_is_not_used(premier_league: MatchSet) -> None:
    as_of = "2024-01-01"
    model = DixonColes(team_sd=0.3).fit(premier_league, as_of=as_of)
    assert model.n_matches_ == int((premier_league.date < np.datetime64(as_of)).sum())
    with pytest.raises(ValueError, match="look-ahead"):
        model.predict("Arsenal", "Chelsea", date="2023-12-30")
    model.predict("Arsenal", "Chelsea", date=as_of)


def test_fit_is_deterministic_and_warm_start_reaches_the_same_optimum(premier_league: MatchSet) -> None:
    first = DixonColes(team_sd=0.3).fit(premier_league, as_of="2024-04-01")
    again = DixonColes(team_sd=0.3).fit(premier_league, as_of="2024-04-01")
    np.testing.assert_array_equal(first.coef_, again.coef_)
    cold = DixonColes(team_sd=0.3).fit(premier_league, as_of="2024-04-15")
    warm = DixonColes(team_sd=0.3).fit(premier_league, as_of="2024-04-15", warm_start=first)
    assert warm.log_likelihood_ - warm.penalty_ == pytest.approx(cold.log_likelihood_ - cold.penalty_, abs=1e-6)
    # Near-Newton steps converge in a handful of iterations from either start; warm is never slower.
    assert warm.n_iter_ <= cold.n_iter_


def test_home_advantage_groups_are_separate_and_neutral_matches_have_none(premier_league: MatchSet) -> None:
    ms = premier_league
    rng = np.random.default_rng(0)
    cup = rng.random(len(ms)) < 0.3
    relabelled = MatchSet.from_columns(
        date=ms.date, home=ms.home, away=ms.away, home_goals=ms.home_goals, away_goals=ms.away_goals,
        competition=np.where(cup, "eng.fa", "eng.1"), neutral=cup & (rng.random(len(ms)) < 0.3),
    )
    model = Poisson(team_sd=0.3, home_advantage_by="competition").fit(relabelled)
    assert set(model.home_advantage_by_group_) == {"eng.1", "eng.fa"}
    assert model.home_advantage_by_group_["eng.1"] != model.home_advantage_by_group_["eng.fa"]
    h_league, _ = model.rates("Arsenal", "Chelsea", competition="eng.1")
    h_neutral, _ = model.rates("Arsenal", "Chelsea", competition="eng.1", neutral=True)
    assert h_league / h_neutral == pytest.approx(np.exp(model.home_advantage_by_group_["eng.1"]))


# ---- joint fits across leagues --------------------------------------------------------------------
def test_joint_fit_places_the_stronger_league_higher(two_tiers: MatchSet) -> None:
    model = DixonColes(team_sd=0.3, decay=0.0).fit(two_tiers)
    leagues = list(model.leagues_)
    strength = model.league_attack_ + model.league_defence_
    assert strength[leagues.index("eng.1")] > strength[leagues.index("eng.2")] + 0.2
    # Promoted Burnley: most of their matches in the window are in the Championship.
    assert model.groups_[model.team_index_["Burnley"]] == "eng.2"
    placed = DixonColes(team_sd=0.3, decay=0.0).fit(two_tiers, groups={"Burnley": "eng.1"})
    assert placed.groups_[placed.team_index_["Burnley"]] == "eng.1"
    # Manchester City (eng.1 only) rated above Championship-only Sunderland through the promoted links.
    ratings = model.ratings()
    assert ratings.rank_of("Man City") < ratings.rank_of("Sunderland")


def test_team_with_three_matches_is_shrunk_toward_its_league_mean(two_tiers: MatchSet) -> None:
    ms = two_tiers
    # Keep only Luton's first three Premier League matches of 2023-24 (and drop its Championship season).
    luton = (ms.home == "Luton") | (ms.away == "Luton")
    first_three = np.flatnonzero(luton & (ms.competition == "eng.1"))[:3]
    keep = ~luton
    keep[first_three] = True
    sample = ms.select(keep)
    shrunk = DixonColes(team_sd=0.3, decay=0.0).fit(sample)
    free = DixonColes(team_sd=None, decay=0.0).fit(sample)
    i = shrunk.team_index_["Luton"]
    assert shrunk.groups_[i] == "eng.1"
    league = list(shrunk.leagues_).index("eng.1")
    gap_shrunk = abs(shrunk.attack_[i] - shrunk.league_attack_[league]) + abs(
        shrunk.defence_[i] - shrunk.league_defence_[league])
    # Without the prior, compare with the mean of the same league's teams in the same fit.
    members = free.groups_ == "eng.1"
    gap_free = abs(free.attack_[i] - free.attack_[members].mean()) + abs(
        free.defence_[i] - free.defence_[members].mean())
    assert gap_shrunk < 0.5 * gap_free


def test_unregularised_fit_centres_each_connected_set_of_teams(premier_league: MatchSet, mirror: Path) -> None:
    scotland = read_football_data(mirror / "football-data.co.uk/mmz4281/2324/SC0.csv", "sco.1")
    model = Poisson(team_sd=None, decay=0.0).fit(concat(premier_league, scotland))
    for league in ("eng.1", "sco.1"):
        assert model.attack_[model.groups_ == league].mean() == pytest.approx(0.0, abs=1e-12)


def test_domestic_league_ids() -> None:
    assert is_domestic_league("eng.1") and is_domestic_league("cze.1")
    assert not is_domestic_league("uefa.cl") and not is_domestic_league("eng.fa")


# ---- the optimiser ----------------------------------------------------------------------------------
def test_minimizer_finds_a_bounded_quadratic_minimum() -> None:
    rng = np.random.default_rng(1)
    a = rng.normal(size=(30, 30))
    hessian = a @ a.T + np.eye(30)
    target = rng.normal(size=30)

    def fun(x: np.ndarray) -> tuple[float, np.ndarray]:
        d = x - target
        return 0.5 * d @ hessian @ d, hessian @ d

    lower = np.full(30, -np.inf)
    lower[0] = target[0] + 1.0  # the unconstrained minimum violates this bound
    result = minimize_lbfgs(fun, np.zeros(30), lower, None, gtol=1e-10)
    assert result.success
    assert result.x[0] == pytest.approx(lower[0])
    # The exact answer: x0 at its bound, the rest minimising the quadratic given x0 (a linear solve).
    exact = np.empty(30)
    exact[0] = lower[0]
    exact[1:] = target[1:] - np.linalg.solve(hessian[1:, 1:], hessian[1:, 0] * (exact[0] - target[0]))
    np.testing.assert_allclose(result.x, exact, atol=1e-7)
    assert result.jac[0] > 0  # the gradient pushes into the active bound
