"""The fitting objective: log-linear predictors, family log-likelihood, prior, analytic gradient.

For match ``m`` with home team ``h``, away team ``v`` and home-advantage group ``k``::

    eta_home = mu + at_home_m * (gamma + delta_k) + attack_h - defence_v
    eta_away = mu + attack_v - defence_h

(``at_home_m`` is 0 at a neutral venue). ``exp(eta)`` is a goals-per-90-minutes rate;
higher ``defence`` means fewer goals conceded. The objective is the weighted negative
log-likelihood of the family plus the :class:`~remontada.models.hierarchy.ShrinkagePrior`
penalty. Team gradients are accumulated with ``np.bincount`` over index arrays built once.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from scipy.sparse.linalg import splu

from remontada.models.families import ScoreFamily
from remontada.models.hierarchy import ShrinkagePrior
from remontada.models.vector import dot


@dataclass(frozen=True, slots=True)
class ParameterLayout:
    """Positions of each parameter block in the flat vector the optimiser sees.

    Order: ``mu``, ``gamma``, ``delta[n_home_groups]``, ``attack[n_teams]``,
    ``defence[n_teams]``, ``league_attack[n_leagues]``, ``league_defence[n_leagues]``,
    then the family's extra parameter if it has one.
    """

    n_teams: int
    n_home_groups: int
    n_leagues: int
    has_extra: bool

    @property
    def delta(self) -> slice:
        return slice(2, 2 + self.n_home_groups)

    @property
    def attack(self) -> slice:
        start = 2 + self.n_home_groups
        return slice(start, start + self.n_teams)

    @property
    def defence(self) -> slice:
        start = 2 + self.n_home_groups + self.n_teams
        return slice(start, start + self.n_teams)

    @property
    def league_attack(self) -> slice:
        start = 2 + self.n_home_groups + 2 * self.n_teams
        return slice(start, start + self.n_leagues)

    @property
    def league_defence(self) -> slice:
        start = 2 + self.n_home_groups + 2 * self.n_teams + self.n_leagues
        return slice(start, start + self.n_leagues)

    @property
    def size(self) -> int:
        return 2 + self.n_home_groups + 2 * self.n_teams + 2 * self.n_leagues + int(self.has_extra)

    def extra(self, theta: np.ndarray) -> float:
        return float(theta[-1]) if self.has_extra else 0.0


class GoalObjective:
    """Negative log-posterior of a goal model on one data set, with its exact gradient.

    ``home``/``away`` are team positions (0..n_teams-1), ``home_group`` the home-advantage
    group of each match (``-1`` for the common home advantage only), ``at_home`` 1.0 or 0.0
    (neutral venue). ``prior`` is ``None`` for a plain maximum-likelihood fit.
    """

    def __init__(
        self,
        family: ScoreFamily,
        layout: ParameterLayout,
        home: np.ndarray,
        away: np.ndarray,
        at_home: np.ndarray,
        home_group: np.ndarray,
        prior: ShrinkagePrior | None = None,
        home_advantage_sd: float | None = None,
    ) -> None:
        self.family = family
        self.layout = layout
        self.home = np.asarray(home, dtype=np.intp)
        self.away = np.asarray(away, dtype=np.intp)
        self.at_home = np.asarray(at_home, dtype=float)
        # Matches of the common group point at an extra zero slot appended to delta.
        self.home_group = np.where(np.asarray(home_group) < 0, layout.n_home_groups, home_group).astype(np.intp)
        self.prior = prior
        self.home_advantage_sd = home_advantage_sd
        # Scoring side first, then conceding side: one bincount per parameter block.
        self.scorer = np.concatenate([self.home, self.away])
        self.conceder = np.concatenate([self.away, self.home])
        # Distinct (scorer, conceder) pairs, for the attack-defence block of the curvature.
        pair_codes, self.pair_index = np.unique(self.scorer * layout.n_teams + self.conceder, return_inverse=True)
        self.pair_scorer, self.pair_conceder = np.divmod(pair_codes, layout.n_teams)
        self.n_calls = 0

    def predictors(self, theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(eta_home, eta_away)`` for every match."""
        lay = self.layout
        attack, defence = theta[lay.attack], theta[lay.defence]
        delta = np.append(theta[lay.delta], 0.0)
        home_boost = self.at_home * (theta[1] + delta[self.home_group])
        eta_home = theta[0] + home_boost + attack[self.home] - defence[self.away]
        eta_away = theta[0] + attack[self.away] - defence[self.home]
        return eta_home, eta_away

    def log_likelihood(self, theta: np.ndarray) -> float:
        """Weighted log-likelihood of the observed scores (no prior), in nats."""
        eta_home, eta_away = self.predictors(theta)
        return self.family.terms(eta_home, eta_away, self.layout.extra(theta))[0]

    def penalty(self, theta: np.ndarray) -> float:
        """The prior's negative log-density at ``theta`` (0 without a prior), in nats."""
        return self._add_prior(theta, np.zeros(self.layout.size))

    def __call__(self, theta: np.ndarray) -> tuple[float, np.ndarray]:
        """``(negative log-posterior, gradient)`` at ``theta``: the L-BFGS-B objective."""
        self.n_calls += 1
        lay = self.layout
        eta_home, eta_away = self.predictors(theta)
        ll, g_home, g_away, g_extra = self.family.terms(eta_home, eta_away, lay.extra(theta))

        # Gradient of the log-likelihood first, negated once at the end of the block.
        grad = np.zeros(lay.size)
        boosted = g_home * self.at_home
        grad[0] = g_home.sum() + g_away.sum()
        grad[1] = boosted.sum()
        if lay.n_home_groups:
            grad[lay.delta] = np.bincount(self.home_group, boosted, lay.n_home_groups + 1)[:-1]
        per_side = np.concatenate([g_home, g_away])
        grad[lay.attack] = np.bincount(self.scorer, per_side, lay.n_teams)
        grad[lay.defence] = -np.bincount(self.conceder, per_side, lay.n_teams)
        if lay.has_extra:
            grad[-1] = g_extra
        np.negative(grad, out=grad)
        return -ll + self._add_prior(theta, grad), grad

    def fisher_information(self, theta: np.ndarray) -> sparse.csc_matrix:
        """Sparse curvature of the objective over every parameter but the family's extra one.

        The Poisson part is exact: with a log link the Hessian of ``-log L`` is
        ``sum_m c_m x_m x_m^T`` with ``c = w * rate`` and ``x_m`` the design row of each side
        of each match. Other families supply their own ``c``. The prior adds its constant
        Hessian. Used as the optimiser's preconditioner; assembled from ``bincount`` sums per
        block rather than one entry per match.
        """
        lay = self.layout
        eta_home, eta_away = self.predictors(theta)
        c_home, c_away = self.family.curvature(eta_home, eta_away, lay.extra(theta))
        n_teams, k_groups = lay.n_teams, lay.n_home_groups
        att, dfc = lay.attack.start, lay.defence.start
        c_boost = c_home * self.at_home
        c_side = np.concatenate([c_home, c_away])
        rows: list[np.ndarray] = []
        cols: list[np.ndarray] = []
        vals: list[np.ndarray] = []

        def put(r: np.ndarray | int, c: np.ndarray | int, v: np.ndarray | float, symmetric: bool = True) -> None:
            r, c, v = np.atleast_1d(r), np.atleast_1d(c), np.atleast_1d(v)
            r, c, v = np.broadcast_arrays(r, c, v)
            rows.append(r.ravel())
            cols.append(c.ravel())
            vals.append(v.ravel())
            if symmetric:
                rows.append(c.ravel())
                cols.append(r.ravel())
                vals.append(v.ravel())

        team = np.arange(n_teams)
        scored = np.bincount(self.scorer, c_side, n_teams)
        conceded = np.bincount(self.conceder, c_side, n_teams)
        boost_home = np.bincount(self.home, c_boost, n_teams)
        boost_away = np.bincount(self.away, c_boost, n_teams)
        put(0, 0, c_side.sum(), symmetric=False)
        put(1, 1, c_boost.sum(), symmetric=False)
        put(0, 1, c_boost.sum())
        put(0, att + team, scored)
        put(0, dfc + team, -conceded)
        put(1, att + team, boost_home)
        put(1, dfc + team, -boost_away)
        put(att + team, att + team, scored, symmetric=False)
        put(dfc + team, dfc + team, conceded, symmetric=False)
        pair_sums = np.bincount(self.pair_index, c_side, len(self.pair_scorer))
        put(att + self.pair_scorer, dfc + self.pair_conceder, -pair_sums)
        if k_groups:
            in_group = self.home_group < k_groups
            group = self.home_group[in_group]
            per_group = np.bincount(group, c_boost[in_group], k_groups)
            delta = lay.delta.start + np.arange(k_groups)
            put(delta, delta, per_group, symmetric=False)
            put(0, delta, per_group)
            put(1, delta, per_group)
            by_home = np.bincount(group * n_teams + self.home[in_group], c_boost[in_group], k_groups * n_teams)
            by_away = np.bincount(group * n_teams + self.away[in_group], c_boost[in_group], k_groups * n_teams)
            put(np.repeat(delta, n_teams), att + np.tile(team, k_groups), by_home)
            put(np.repeat(delta, n_teams), dfc + np.tile(team, k_groups), -by_away)
            if self.home_advantage_sd is not None:
                put(delta, delta, 1.0 / self.home_advantage_sd**2, symmetric=False)
        if self.prior is not None:
            team_precision = 1.0 / self.prior.team_sd**2
            league_precision = 1.0 / self.prior.league_sd**2
            group = self.prior.team_group
            members = np.bincount(group, minlength=lay.n_leagues)
            for block, league_block in ((lay.attack, lay.league_attack), (lay.defence, lay.league_defence)):
                put(block.start + team, block.start + team, team_precision, symmetric=False)
                put(league_block.start + np.arange(lay.n_leagues), league_block.start + np.arange(lay.n_leagues),
                    members * team_precision + league_precision, symmetric=False)
                put(block.start + team, league_block.start + group, -team_precision)
        size = lay.size - int(lay.has_extra)
        matrix = sparse.coo_matrix(
            (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(size, size)
        ).tocsc()
        return matrix

    def curvature_solver(self, theta: np.ndarray, scale: float = 1.0) -> Callable[[np.ndarray], np.ndarray]:
        """``v -> M^-1 v`` for the curvature ``M`` of ``objective / scale`` at ``theta``.

        ``M`` is the sparse Fisher information of the team, home-advantage and league parameters
        (factorised once with SuperLU) and, for the family's extra parameter, its own second
        derivative from one gradient difference. A ridge of 1e-8 of the mean diagonal keeps
        ``M`` invertible along the flat directions of an unregularised fit, where the gradient
        is zero anyway.
        """
        lay = self.layout
        core = self.fisher_information(theta) / scale
        ridge = 1e-8 * max(float(core.diagonal().mean()), 1e-12)
        factor = splu((core + ridge * sparse.eye(core.shape[0], format="csc")).tocsc(), permc_spec="MMD_AT_PLUS_A",
                      diag_pivot_thresh=0.0, options={"SymmetricMode": True})
        if not lay.has_extra:
            return factor.solve
        step = 1e-5
        _, high = type(self.family).extra_bounds
        probe = theta.copy()
        probe[-1] = theta[-1] + step if high is None or theta[-1] + step <= high else theta[-1] - step
        extra_curvature = (self(probe)[1][-1] - self(theta)[1][-1]) / (probe[-1] - theta[-1]) / scale
        if not (np.isfinite(extra_curvature) and extra_curvature > 0):
            extra_curvature = 1.0

        def solve(v: np.ndarray) -> np.ndarray:
            out = np.empty_like(v)
            out[:-1] = factor.solve(v[:-1])
            out[-1] = v[-1] / extra_curvature
            return out

        return solve

    def _add_prior(self, theta: np.ndarray, grad: np.ndarray) -> float:
        """Add the prior's gradient into ``grad`` (already negated likelihood part); return its value."""
        lay = self.layout
        value = 0.0
        if self.prior is not None:
            p, ga, gd, gla, gld = self.prior.penalty(
                theta[lay.attack], theta[lay.defence], theta[lay.league_attack], theta[lay.league_defence]
            )
            value += p
            grad[lay.attack] += ga
            grad[lay.defence] += gd
            grad[lay.league_attack] += gla
            grad[lay.league_defence] += gld
        if lay.n_home_groups and self.home_advantage_sd is not None:
            delta = theta[lay.delta]
            precision = 1.0 / self.home_advantage_sd**2
            value += 0.5 * precision * dot(delta, delta)
            grad[lay.delta] += precision * delta
        return value
