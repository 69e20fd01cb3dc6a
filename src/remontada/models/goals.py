"""Poisson-family goal models fitted jointly across leagues: Poisson, Dixon-Coles, bivariate, NB.

Every estimator has the scikit-learn shape: configure in ``__init__``, learn in
:meth:`GoalModel.fit`, answer in :meth:`~GoalModel.rates`, :meth:`~GoalModel.predict` and
:meth:`~GoalModel.predict_many`. Fitted attributes end in ``_``.

The model (see :mod:`remontada.models.likelihood`): home goals have log-rate
``mu + gamma [+ delta_k] + attack_home - defence_away`` (no ``gamma`` at neutral venues),
away goals ``mu + attack_away - defence_home``; rates are goals per 90 minutes. Matches
are weighted ``exp(-decay * days before as_of)``. With ``team_sd`` set, teams shrink toward
their league's mean and league means toward 0 (:mod:`remontada.models.hierarchy`), which
lets one fit span every league and European competition at once. With ``team_sd=None``
the fit is plain weighted maximum likelihood (penaltyblog's objective).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from remontada.competitions import competition_id
from remontada.errors import NotFitted, NotRated
from remontada.grid import DEFAULT_TAIL, ScoreGrid
from remontada.matchset import MatchSet, to_day
from remontada.models.families import (
    BivariatePoissonScores,
    DixonColesScores,
    NegativeBinomialScores,
    PoissonScores,
    ScoreFamily,
)
from remontada.models.hierarchy import ShrinkagePrior, component_labels, country_groups, league_of_each_team
from remontada.models.likelihood import GoalObjective, ParameterLayout
from remontada.models.optimize import minimize_lbfgs
from remontada.models.vector import dot
from remontada.models.weights import decay_weights

#: Bound on team attack/defence (log goals per 90 minutes, relative to ``mu``). Never reached by
#: sane data; it stops the maximum-likelihood estimate of a team that has not scored (or
#: conceded) yet from running off to infinity when fitting without a prior.
TEAM_BOUND = 6.0
#: Largest change of any parameter in one optimiser iteration (log scale).
MAX_STEP = 2.0

#: Home-advantage grouping presets; a mapping ``competition id -> label`` is also accepted.
HOME_ADVANTAGE_PRESETS = ("single", "scope", "competition")


def _home_advantage_label(competition: str, scheme: str | Mapping[str, str]) -> str | None:
    """The home-advantage group of a competition, or ``None`` for the common home advantage."""
    if isinstance(scheme, Mapping):
        return scheme.get(competition)
    if scheme == "single":
        return None
    if scheme == "scope":
        return "european" if competition.startswith("uefa.") else "domestic"
    return competition


@dataclass(frozen=True, slots=True)
class Ratings:
    """Team strengths from a fitted goal model, strongest ``overall`` first.

    ``attack`` and ``defence`` are log multipliers of goals per 90 minutes (higher is
    better for both); ``overall`` is the expected goal difference per 90 minutes against a
    team with attack = defence = 0 at a neutral venue; ``group`` is the team's league.
    """

    team: np.ndarray
    group: np.ndarray
    attack: np.ndarray
    defence: np.ndarray
    overall: np.ndarray

    def __len__(self) -> int:
        return len(self.team)

    def rank_of(self, team: str) -> int:
        """1-based position of ``team`` by ``overall``."""
        hits = np.flatnonzero(self.team == team)
        if not len(hits):
            raise NotRated(f"team {team!r} is not rated", club=str(team))
        return int(hits[0]) + 1

    def to_frame(self) -> Any:
        """The table as a pandas DataFrame."""
        import pandas as pd

        return pd.DataFrame(
            {"team": self.team, "group": self.group, "attack": self.attack, "defence": self.defence,
             "overall": self.overall}
        )


@dataclass(frozen=True, slots=True)
class _Problem:
    """One fitting problem: the objective, the labels of its parameters and the weighted matches."""

    objective: GoalObjective
    teams: np.ndarray
    team_group: np.ndarray
    leagues: np.ndarray
    home_groups: list[str]
    past: MatchSet
    weight: np.ndarray
    day: np.datetime64


class GoalModel:
    """Base estimator: a log-linear goal model of one :class:`ScoreFamily`.

    Parameters
    ----------
    decay:
        Time-decay rate per day; matches weigh ``exp(-decay * days before as_of)``
        (0.0018 halves a match's weight in ~385 days; 0 weighs all equally).
    window_days:
        Ignore matches more than this many days before ``as_of`` (``None``: no limit).
    team_sd:
        Prior SD of a team's attack/defence around its league mean, log goals per 90
        minutes. ``None`` fits by plain maximum likelihood with no prior. The default 0.4
        gave the best 1X2 RPS and log loss among 0.2-0.7 (and beat no prior) refitting every
        14 days through 2022-24 in ten top divisions (``benchmarks/fit.py --holdout``).
    league_sd:
        Prior SD of league means around 0 (weak; only used with ``team_sd``).
    home_advantage_by:
        ``"single"`` (one home advantage), ``"scope"`` (domestic vs UEFA competitions),
        ``"competition"`` (one per competition id), or a mapping competition id -> group
        label (unmapped competitions use the common value). Groups are offsets from the
        common home advantage with prior SD ``home_advantage_sd``.
    tol:
        Convergence tolerance on the largest gradient component, per unit of match weight.
    max_iter:
        Cap on optimiser iterations (:func:`remontada.models.optimize.minimize_lbfgs`).
    """

    family: ClassVar[type[ScoreFamily]] = PoissonScores

    def __init__(
        self,
        *,
        decay: float = 0.0018,
        window_days: float | None = None,
        team_sd: float | None = 0.4,
        league_sd: float = 1.0,
        home_advantage_by: str | Mapping[str, str] = "single",
        home_advantage_sd: float | None = 0.1,
        unlisted_by_country: bool = False,
        tol: float = 1e-7,
        max_iter: int = 5000,
    ) -> None:
        self.decay = decay
        self.window_days = window_days
        self.team_sd = team_sd
        self.league_sd = league_sd
        self.home_advantage_by = home_advantage_by
        self.home_advantage_sd = home_advantage_sd
        self.unlisted_by_country = unlisted_by_country
        self.tol = tol
        self.max_iter = max_iter

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    def get_params(self) -> dict[str, Any]:
        """The constructor arguments (scikit-learn convention)."""
        keys = ("decay", "window_days", "team_sd", "league_sd", "home_advantage_by", "home_advantage_sd",
                "unlisted_by_country", "tol", "max_iter")
        return {k: getattr(self, k) for k in keys}

    # ---- fitting ----------------------------------------------------------------------
    def _check_config(self) -> None:
        if isinstance(self.home_advantage_by, str) and self.home_advantage_by not in HOME_ADVANTAGE_PRESETS:
            raise ValueError(
                f"home_advantage_by must be one of {HOME_ADVANTAGE_PRESETS} or a mapping, "
                f"got {self.home_advantage_by!r}"
            )
        if self.team_sd is not None and not (self.team_sd > 0 and self.league_sd > 0):
            raise ValueError("team_sd and league_sd must be positive (or team_sd=None for no prior)")

    def fit(
        self,
        matches: MatchSet,
        *,
        as_of: str | dt.date | np.datetime64 | None = None,
        groups: Mapping[str, str] | None = None,
        warm_start: GoalModel | None = None,
        countries: Mapping[str, str] | None = None,
    ) -> GoalModel:
        """Learn team strengths from the matches played strictly before ``as_of``.

        ``as_of`` (ISO date) defaults to the day after the last match. ``groups`` overrides
        the derived league of any team (``{team id: group label}``). ``warm_start`` is a model
        of the same kind fitted earlier (e.g. last week in a walk-forward backtest): its
        parameters start the optimiser (teams it has not seen start from goal-rate estimates).
        The optimum does not depend on the start; the fit is deterministic. ``countries``
        (``{team id: country code}``) places the teams of no domestic league when
        ``unlisted_by_country`` is set.
        """
        self._check_config()
        problem = self._problem(matches, as_of, groups, countries)
        objective, teams, team_group, leagues, used = (problem.objective, problem.teams, problem.team_group,
                                                       problem.leagues, problem.home_groups)
        layout, past, weight, day = objective.layout, problem.past, problem.weight, problem.day

        start = self._starting_point(objective, teams, leagues, used, warm_start)
        lower, upper = _bounds(layout, self.family)
        total_weight = float(weight.sum())

        def scaled(theta: np.ndarray) -> tuple[float, np.ndarray]:
            # Per unit of match weight, so one tolerance suits 300 matches and 50,000.
            value, grad = objective(theta)
            return value / total_weight, grad / total_weight

        precondition = objective.curvature_solver(start, total_weight)
        result = minimize_lbfgs(scaled, start, lower, upper, gtol=self.tol, max_iter=self.max_iter,
                                preconditioner=precondition, max_step=MAX_STEP)
        theta = result.x.copy()
        if objective.prior is None:
            theta = self._centre_components(theta, layout, objective.home, objective.away)

        self._store(theta, layout, teams, team_group, leagues, used, objective, past, weight, day)
        self.n_iter_ = int(result.nit)
        self.n_evaluations_ = int(objective.n_calls)
        self.converged_ = bool(result.success)
        self.message_ = str(result.message)
        return self

    def _problem(
        self,
        matches: MatchSet,
        as_of: str | dt.date | np.datetime64 | None,
        groups: Mapping[str, str] | None,
        countries: Mapping[str, str] | None = None,
    ) -> _Problem:
        """The fitting problem of ``matches`` before ``as_of``: the objective and the labels of its parameters."""
        if len(matches) == 0:
            raise ValueError("cannot fit a goal model on an empty MatchSet")
        day = matches.date.max() + np.timedelta64(1, "D") if as_of is None else to_day(as_of)
        past = matches.select(matches.date < day)
        weight = decay_weights(past.date, day, self.decay, self.window_days)
        keep = weight > 0
        if not keep.any():
            raise ValueError(f"no matches before as_of={day} within the window")
        past, weight = past.select(keep), weight[keep]

        n = len(past)
        teams, sides = _factorize(np.concatenate([past.home, past.away]))
        home, away = sides[:n], sides[n:]
        competitions, competition_code = _factorize(past.competition)
        team_group = league_of_each_team(len(teams), home, away, competitions, competition_code, weight)
        if self.unlisted_by_country and countries:
            team_group = country_groups(teams, team_group, countries)
        if groups:
            team_group = np.array([groups.get(t, g) for t, g in zip(teams, team_group, strict=True)], dtype=object)

        at_home = (~past.neutral.astype(bool)).astype(float)
        used, home_group = _home_advantage_groups(competitions, competition_code, at_home, self.home_advantage_by)

        prior = None
        leagues = np.array(sorted(set(team_group)), dtype=object)
        if self.team_sd is not None:
            team_league = np.searchsorted(leagues.astype(str), team_group.astype(str))
            prior = ShrinkagePrior(float(self.team_sd), float(self.league_sd), team_league, len(leagues))
        n_leagues = len(leagues) if prior is not None else 0
        layout = ParameterLayout(len(teams), len(used), n_leagues, self.family.extra_name is not None)
        family = self.family(past.home_goals, past.away_goals, weight)
        objective = GoalObjective(
            family, layout, home, away, at_home, home_group, prior,
            self.home_advantage_sd if used else None,
        )
        return _Problem(objective, teams, team_group, leagues, used, past, weight, day)

    def _starting_point(
        self,
        objective: GoalObjective,
        teams: np.ndarray,
        leagues: np.ndarray,
        ha_labels: Sequence[str],
        warm_start: GoalModel | None,
    ) -> np.ndarray:
        """Warm start from a previous fit where it knows the parameter, otherwise goal-rate heuristics."""
        lay = objective.layout
        theta = _rate_heuristic(objective)
        if warm_start is None:
            return theta
        if type(warm_start) is not type(self) or not hasattr(warm_start, "coef_"):
            raise TypeError(f"warm_start must be a fitted {type(self).__name__}")
        theta[0] = warm_start.intercept_
        theta[1] = warm_start.home_advantage_
        previous = {t: i for i, t in enumerate(warm_start.teams_)}
        known = np.array([previous.get(t, -1) for t in teams])
        seen = known >= 0
        theta[lay.attack][seen] = warm_start.attack_[known[seen]]
        theta[lay.defence][seen] = warm_start.defence_[known[seen]]
        if lay.n_home_groups:
            old = warm_start.home_advantage_by_group_
            theta[lay.delta] = [old.get(lab, warm_start.home_advantage_) - warm_start.home_advantage_
                                for lab in ha_labels]
        if (
            lay.n_leagues
            and len(warm_start.leagues_)
            and warm_start.league_attack_ is not None
            and warm_start.league_defence_ is not None
        ):
            old_leagues = {g: i for i, g in enumerate(warm_start.leagues_)}
            for i, g in enumerate(leagues):
                j = old_leagues.get(g)
                if j is not None:
                    theta[lay.league_attack][i] = warm_start.league_attack_[j]
                    theta[lay.league_defence][i] = warm_start.league_defence_[j]
        if lay.has_extra:
            theta[-1] = warm_start.coef_[-1]
        return theta

    @staticmethod
    def _centre_components(theta: np.ndarray, lay: ParameterLayout, home: np.ndarray, away: np.ndarray) -> np.ndarray:
        """Without a prior the likelihood is flat along two kinds of direction: adding ``c`` to every
        attack and defence of one connected set of teams, and adding ``c`` to ``mu`` and every
        defence. Pick mean attack 0 in each set and mean defence 0 overall, so ratings are reproducible."""
        labels = component_labels(lay.n_teams, home, away)
        attack, defence = theta[lay.attack], theta[lay.defence]
        shift = (np.bincount(labels, attack) / np.bincount(labels))[labels]
        theta[lay.attack] = attack - shift
        defence = defence - shift
        theta[0] -= defence.mean()
        theta[lay.defence] = defence - defence.mean()
        return theta

    def _store(
        self,
        theta: np.ndarray,
        lay: ParameterLayout,
        teams: np.ndarray,
        team_group: np.ndarray,
        leagues: np.ndarray,
        ha_labels: Sequence[str],
        objective: GoalObjective,
        past: MatchSet,
        weight: np.ndarray,
        day: np.datetime64,
    ) -> None:
        self.coef_ = theta
        self.layout_ = lay
        self.teams_ = teams
        self.team_index_ = {t: i for i, t in enumerate(teams)}
        self.groups_ = team_group
        self.intercept_ = float(theta[0])
        self.home_advantage_ = float(theta[1])
        self.home_advantage_by_group_ = {lab: float(theta[1] + d) for lab, d in zip(ha_labels, theta[lay.delta],
                                                                                    strict=True)}
        self.attack_ = theta[lay.attack].copy()
        self.defence_ = theta[lay.defence].copy()
        self.leagues_ = leagues
        self.league_attack_ = theta[lay.league_attack].copy() if lay.n_leagues else None
        self.league_defence_ = theta[lay.league_defence].copy() if lay.n_leagues else None
        self.log_likelihood_ = objective.log_likelihood(theta)
        self.penalty_ = objective.penalty(theta)
        self.n_matches_ = len(past)
        self.total_weight_ = float(weight.sum())
        self.as_of_ = day

    # ---- prediction -------------------------------------------------------------------
    def _check_fitted(self) -> None:
        if not hasattr(self, "coef_"):
            raise NotFitted(f"this {type(self).__name__} is not fitted yet; call fit() first")

    @property
    def extra_(self) -> float:
        """The family's extra parameter (0.0 for plain Poisson)."""
        self._check_fitted()
        return self.layout_.extra(self.coef_)

    def _group_strength(self, group: str) -> tuple[float, float]:
        """(attack, defence) of an average team of ``group``: its league mean, or the mean of its fitted teams."""
        if self.league_attack_ is not None and self.league_defence_ is not None:
            hits = np.flatnonzero(self.leagues_ == group)
            if len(hits):
                return float(self.league_attack_[hits[0]]), float(self.league_defence_[hits[0]])
        members = self.groups_ == group
        if not members.any():
            raise KeyError(f"group {group!r} has no fitted teams")
        return float(self.attack_[members].mean()), float(self.defence_[members].mean())

    def _strengths(
        self, teams: np.ndarray, groups: Mapping[str, str] | None, unknown: str = "raise"
    ) -> tuple[np.ndarray, np.ndarray]:
        attack = np.empty(len(teams))
        defence = np.empty(len(teams))
        for i, team in enumerate(teams):
            j = self.team_index_.get(team)
            if j is not None:
                attack[i], defence[i] = self.attack_[j], self.defence_[j]
            elif groups is not None and team in groups:
                attack[i], defence[i] = self._group_strength(groups[team])
            elif unknown == "nan":
                attack[i] = defence[i] = np.nan
            else:
                raise NotRated(
                    f"team {team!r} was not among the {len(self.teams_)} teams this model was fitted on; "
                    "pass groups={team: league} to rate it as its league's average team",
                    club=str(team),
                )
        return attack, defence

    def _predictors(
        self,
        home: Sequence[str] | np.ndarray,
        away: Sequence[str] | np.ndarray,
        neutral: Sequence[bool] | np.ndarray | bool | None,
        competition: Sequence[str] | np.ndarray | str | None,
        groups: Mapping[str, str] | None,
        unknown: str = "raise",
    ) -> tuple[np.ndarray, np.ndarray]:
        self._check_fitted()
        if unknown not in ("raise", "nan"):
            raise ValueError(f"unknown must be 'raise' or 'nan', got {unknown!r}")
        home = np.asarray(home, dtype=object).ravel()
        away = np.asarray(away, dtype=object).ravel()
        if len(home) != len(away):
            raise ValueError(f"{len(home)} home teams but {len(away)} away teams")
        n = len(home)
        at_home = ~np.broadcast_to(np.asarray(False if neutral is None else neutral, dtype=bool), (n,))
        if isinstance(competition, str) and competition:
            competition = competition_id(competition)  # a name ("Europa League") keys as its id, never as itself
        comps = np.broadcast_to(np.asarray("" if competition is None else competition, dtype=object), (n,))
        gamma = np.full(n, self.home_advantage_)
        if self.home_advantage_by_group_:
            for i, comp in enumerate(comps):
                label = _home_advantage_label(str(comp), self.home_advantage_by) if comp else None
                if label is not None:
                    gamma[i] = self.home_advantage_by_group_.get(label, self.home_advantage_)
        attack_home, defence_home = self._strengths(home, groups, unknown)
        attack_away, defence_away = self._strengths(away, groups, unknown)
        eta_home = self.intercept_ + at_home * gamma + attack_home - defence_away
        eta_away = self.intercept_ + attack_away - defence_home
        return eta_home, eta_away

    def rates(
        self,
        home: str,
        away: str,
        *,
        neutral: bool = False,
        competition: str | None = None,
        groups: Mapping[str, str] | None = None,
    ) -> tuple[float, float]:
        """Expected (home, away) goals per 90 minutes.

        ``competition`` selects its home-advantage group; ``groups`` rates teams the model
        has not seen as their league's average team (otherwise ``KeyError``).
        """
        eta_home, eta_away = self._predictors([home], [away], neutral, competition, groups)
        mean_home, mean_away = self.family.means(eta_home, eta_away, self.extra_)
        return float(mean_home[0]), float(mean_away[0])

    def _grid_size(self, eta_home: np.ndarray, eta_away: np.ndarray, tail: float) -> int:
        mean_home, mean_away = self.family.means(eta_home, eta_away, self.extra_)
        top = float(max(np.nanmax(mean_home, initial=0.0), np.nanmax(mean_away, initial=0.0)))
        return self.family.upper_goals(top, self.extra_, tail) + 1

    def predict(
        self,
        home: str,
        away: str,
        *,
        neutral: bool = False,
        date: str | dt.date | np.datetime64 | None = None,
        competition: str | None = None,
        groups: Mapping[str, str] | None = None,
    ) -> ScoreGrid:
        """The 90-minute scoreline distribution of ``home`` v ``away``.

        ``date`` guards against look-ahead: a match dated before the day the model was
        fitted as of raises ``ValueError`` (the fit may have seen its result). Strengths
        are static between fits, so the date does not otherwise change the forecast.
        """
        if date is not None and hasattr(self, "as_of_") and to_day(date) < self.as_of_:
            raise ValueError(f"match date {to_day(date)} is before the fit's as_of {self.as_of_}: look-ahead")
        eta_home, eta_away = self._predictors([home], [away], neutral, competition, groups)
        size = self._grid_size(eta_home, eta_away, DEFAULT_TAIL / 2)
        return ScoreGrid.from_matrix(self.family.score_matrix(eta_home, eta_away, self.extra_, size)[0])

    def predict_many(
        self,
        home: Sequence[str] | np.ndarray,
        away: Sequence[str] | np.ndarray,
        neutral: Sequence[bool] | np.ndarray | None = None,
        *,
        competition: Sequence[str] | np.ndarray | str | None = None,
        groups: Mapping[str, str] | None = None,
        outcomes: bool = False,
        max_goals: int | None = None,
        unknown: str = "raise",
    ) -> np.ndarray:
        """Scoreline grids ``(n, G+1, G+1)`` for many matches, or ``[P(home), P(draw), P(away)]`` ``(n, 3)``.

        ``G`` is chosen so each side's tail beyond it is below 1e-10 for every match, unless
        ``max_goals`` is given; each grid is renormalised to sum to 1. A team the model has
        not seen (and ``groups`` does not place) raises ``KeyError``, or with
        ``unknown="nan"`` gives that match a row of NaN.
        """
        eta_home, eta_away = self._predictors(home, away, neutral, competition, groups, unknown)
        size = max_goals + 1 if max_goals is not None else self._grid_size(eta_home, eta_away, 1e-10)
        grids = self.family.score_matrix(eta_home, eta_away, self.extra_, size)
        grids /= grids.sum(axis=(1, 2), keepdims=True)
        if not outcomes:
            return grids
        lower = np.tril(np.ones((size, size), dtype=bool), -1)
        home_win = (grids * lower).sum(axis=(1, 2))
        draw = np.trace(grids, axis1=1, axis2=2)
        return np.column_stack([home_win, draw, 1.0 - home_win - draw])

    def match_log_likelihood(self, matches: MatchSet, *, groups: Mapping[str, str] | None = None) -> np.ndarray:
        """Natural-log probability the model gives each match's 90-minute score (held-out scoring)."""
        observed = int(max(matches.home_goals.max(initial=0), matches.away_goals.max(initial=0)))
        eta_home, eta_away = self._predictors(matches.home, matches.away, matches.neutral, matches.competition,
                                              groups)
        size = max(observed + 1, self._grid_size(eta_home, eta_away, 1e-12))
        grids = self.family.score_matrix(eta_home, eta_away, self.extra_, size)
        picked = grids[np.arange(len(matches)), matches.home_goals, matches.away_goals]
        return np.log(picked / grids.sum(axis=(1, 2)))

    def ratings(self) -> Ratings:
        """Every fitted team's attack, defence and overall strength, strongest first."""
        self._check_fitted()
        overall = np.exp(self.intercept_ + self.attack_) - np.exp(self.intercept_ - self.defence_)
        order = np.argsort(-overall, kind="stable")
        return Ratings(self.teams_[order], self.groups_[order], self.attack_[order], self.defence_[order],
                       overall[order])


def _home_advantage_groups(
    competitions: np.ndarray, competition_code: np.ndarray, at_home: np.ndarray, scheme: str | Mapping[str, str]
) -> tuple[list[str], np.ndarray]:
    """Labels of the home-advantage groups with at least one non-neutral match, and each match's group (-1: common)."""
    labels = [_home_advantage_label(str(c), scheme) for c in competitions]
    hosted = np.bincount(competition_code, at_home, len(competitions)) > 0
    used = sorted({lab for lab, h in zip(labels, hosted, strict=True) if lab is not None and h})
    position = {lab: i for i, lab in enumerate(used)}
    per_competition = np.array([position.get(lab, -1) if lab is not None else -1 for lab in labels], np.intp)
    return used, per_competition[competition_code]


def _bounds(layout: ParameterLayout, family: type[ScoreFamily]) -> tuple[np.ndarray, np.ndarray]:
    """Box bounds of the flat parameter vector: team strengths within +-TEAM_BOUND, the family's extra."""
    lower = np.full(layout.size, -np.inf)
    upper = np.full(layout.size, np.inf)
    for block in (layout.attack, layout.defence):
        lower[block], upper[block] = -TEAM_BOUND, TEAM_BOUND
    if layout.has_extra:
        low, high = family.extra_bounds
        lower[-1] = -np.inf if low is None else low
        upper[-1] = np.inf if high is None else high
    return lower, upper


def _factorize(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sorted distinct values (as ``str``) and each value's position among them; hash-based, O(n)."""
    codes, uniques = pd.factorize(np.asarray(values, dtype=object))
    labels = np.asarray(uniques, dtype=str)
    order = np.argsort(labels, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return labels[order], rank[codes]


def _rate_heuristic(objective: GoalObjective, sweeps: int = 3) -> np.ndarray:
    """A starting point from goal rates: a few closed-form Poisson sweeps (Maher 1982) over attack, then defence.

    Each sweep sets a team's attack to log(goals scored / goals expected with attack 0),
    shrunk by one goal of pseudo-count, and likewise for defence.
    """
    lay = objective.layout
    fam = objective.family
    w = fam.weight
    theta = np.zeros(lay.size)
    away_goals = dot(w, fam.away_goals_f)
    total = float(w.sum())
    theta[0] = np.log(max(away_goals, 0.5) / total)
    if (objective.at_home > 0).any():
        at_home = objective.at_home > 0
        theta[1] = np.log(max(dot(w[at_home], fam.home_goals_f[at_home]), 0.5)
                          / max(dot(w[at_home], fam.away_goals_f[at_home]), 0.5))
    scored = np.bincount(objective.scorer, np.concatenate([w * fam.home_goals_f, w * fam.away_goals_f]), lay.n_teams)
    conceded = np.bincount(objective.conceder, np.concatenate([w * fam.home_goals_f, w * fam.away_goals_f]),
                           lay.n_teams)
    both_w = np.concatenate([w, w])
    for _ in range(sweeps):
        eta_home, eta_away = objective.predictors(theta)
        expected = np.concatenate([np.exp(eta_home), np.exp(eta_away)]) * both_w
        attack = theta[lay.attack]
        exp_scored = np.bincount(objective.scorer, expected, lay.n_teams) * np.exp(-attack)
        theta[lay.attack] = np.log((scored + 1.0) / (exp_scored + 1.0))
        eta_home, eta_away = objective.predictors(theta)
        expected = np.concatenate([np.exp(eta_home), np.exp(eta_away)]) * both_w
        defence = theta[lay.defence]
        exp_conceded = np.bincount(objective.conceder, expected, lay.n_teams) * np.exp(defence)
        theta[lay.defence] = -np.log((conceded + 1.0) / (exp_conceded + 1.0))
    if lay.n_leagues and objective.prior is not None:
        group = objective.prior.team_group
        size = np.maximum(np.bincount(group, minlength=lay.n_leagues), 1)
        theta[lay.league_attack] = np.bincount(group, theta[lay.attack], lay.n_leagues) / size
        theta[lay.league_defence] = np.bincount(group, theta[lay.defence], lay.n_leagues) / size
    if lay.has_extra:
        theta[-1] = type(fam).extra_start
    return theta


class Poisson(GoalModel):
    """Independent Poisson goals (Maher 1982) with time decay and the shrinkage prior."""

    family = PoissonScores


class DixonColes(GoalModel):
    """Dixon & Coles (1997): Poisson goals with the low-score dependence ``rho_``."""

    family = DixonColesScores

    @property
    def rho_(self) -> float:
        """Fitted Dixon-Coles dependence (negative: more 0-0 and 1-1 than independence)."""
        return self.extra_


class BivariatePoisson(GoalModel):
    """Karlis & Ntzoufras (2003) bivariate Poisson with constant covariance ``lambda3_`` (goals per match)."""

    family = BivariatePoissonScores

    @property
    def lambda3_(self) -> float:
        return self.extra_


class NegativeBinomial(GoalModel):
    """Independent negative-binomial goals; ``dispersion_`` is NB2's ``alpha`` (variance ``mu + alpha mu^2``)."""

    family = NegativeBinomialScores

    @property
    def dispersion_(self) -> float:
        return self.extra_
