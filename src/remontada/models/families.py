"""Scoreline distributions given the two log-linear predictors of a match.

Every goal model in :mod:`remontada.models.goals` writes the home and away side's
predictors as ``eta_home = log lambda_home`` and ``eta_away = log lambda_away``; a *family*
says how (home goals, away goals) are distributed given them and at most one extra shape
parameter:

* :class:`PoissonScores` — independent Poisson goals.
* :class:`DixonColesScores` — Dixon & Coles (1997): Poisson times ``tau`` on 0-0, 1-0, 0-1,
  1-1 with dependence ``rho``.
* :class:`BivariatePoissonScores` — Karlis & Ntzoufras (2003): ``X = W1 + W3``,
  ``Y = W2 + W3`` with a shared ``W3 ~ Poisson(lambda3)`` (covariance ``lambda3`` >= 0).
* :class:`NegativeBinomialScores` — independent NB2 goals, variance ``mu + alpha mu^2``.

A family instance holds one data set's goals and weights with everything that can be
precomputed, and returns the weighted log-likelihood with its derivatives with respect to
each match's predictors (``dLL/deta``), which :mod:`remontada.models.likelihood` scatters
onto team parameters. Its ``score_matrix`` builds batched scoreline grids for prediction.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
from scipy import special, stats

from remontada.kernels import dixon_coles_factors, poisson_pmf
from remontada.models.vector import dot

#: Floor inside ``log`` for the Dixon-Coles ``tau`` factor (penaltyblog uses the same 1e-9).
TAU_FLOOR = 1e-9


class ScoreFamily:
    """Weighted log-likelihood of observed scores as a function of the match predictors."""

    #: Name of the extra shape parameter (``None`` when the family has none).
    extra_name: ClassVar[str | None] = None
    extra_start: ClassVar[float] = 0.0
    extra_bounds: ClassVar[tuple[float | None, float | None]] = (None, None)

    def __init__(self, home_goals: np.ndarray, away_goals: np.ndarray, weight: np.ndarray) -> None:
        self.home_goals = np.asarray(home_goals, dtype=np.int64)
        self.away_goals = np.asarray(away_goals, dtype=np.int64)
        self.weight = np.asarray(weight, dtype=float)
        if (self.home_goals < 0).any() or (self.away_goals < 0).any():
            raise ValueError("goal counts must be non-negative")
        self.home_goals_f = self.home_goals.astype(float)
        self.away_goals_f = self.away_goals.astype(float)
        # The log-factorial part of every count likelihood, constant in the parameters.
        self.log_factorials = dot(
            self.weight, special.gammaln(self.home_goals_f + 1) + special.gammaln(self.away_goals_f + 1)
        )

    @property
    def has_extra(self) -> bool:
        return self.extra_name is not None

    def terms(
        self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float
    ) -> tuple[float, np.ndarray, np.ndarray, float]:
        """``(log-likelihood, dLL/deta_home, dLL/deta_away, dLL/dextra)``, weighted, per match."""
        raise NotImplementedError

    def curvature(self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float) -> tuple[np.ndarray, np.ndarray]:
        """Per-match weights ``c`` of the curvature of ``-log L`` in each predictor.

        Exact for Poisson (``w * rate``); the Poisson value approximates the others well
        enough to precondition the optimiser, which corrects the rest.
        """
        return self.weight * np.exp(eta_home), self.weight * np.exp(eta_away)

    # ---- prediction -------------------------------------------------------------------
    @staticmethod
    def means(eta_home: np.ndarray, eta_away: np.ndarray, extra: float) -> tuple[np.ndarray, np.ndarray]:
        """Expected (home, away) goals per match."""
        return np.exp(eta_home), np.exp(eta_away)

    @classmethod
    def upper_goals(cls, mean: float, extra: float, tail: float) -> int:
        """Smallest ``n`` with P(goals > n) < ``tail`` for the family's marginal at ``mean``."""
        return int(stats.poisson.isf(tail, max(mean, 1e-12))) + 1

    @classmethod
    def score_matrix(cls, eta_home: np.ndarray, eta_away: np.ndarray, extra: float, size: int) -> np.ndarray:
        """P(home = i, away = j) for ``i, j < size``, shape ``(n, size, size)``; not renormalised."""
        raise NotImplementedError


def _poisson_pmf(rate: np.ndarray, size: int) -> np.ndarray:
    """Poisson pmf for counts ``0..size-1`` at each rate, shape ``(n, size)``."""
    k = np.arange(size, dtype=float)
    return poisson_pmf(k, np.maximum(np.asarray(rate, dtype=float)[:, None], 1e-300))


class PoissonScores(ScoreFamily):
    """Independent Poisson goals with rates ``exp(eta)``."""

    def terms(
        self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float
    ) -> tuple[float, np.ndarray, np.ndarray, float]:
        rate_home = np.exp(eta_home)
        rate_away = np.exp(eta_away)
        w = self.weight
        ll = dot(w, self.home_goals_f * eta_home - rate_home + self.away_goals_f * eta_away - rate_away)
        ll -= self.log_factorials
        return ll, w * (self.home_goals_f - rate_home), w * (self.away_goals_f - rate_away), 0.0

    @classmethod
    def score_matrix(cls, eta_home: np.ndarray, eta_away: np.ndarray, extra: float, size: int) -> np.ndarray:
        home = _poisson_pmf(np.exp(eta_home), size)
        away = _poisson_pmf(np.exp(eta_away), size)
        return home[:, :, None] * away[:, None, :]


class DixonColesScores(PoissonScores):
    """Poisson goals times the Dixon-Coles low-score factor ``tau(rho)``.

    ``tau`` is ``1 - rho lh la`` at 0-0, ``1 + rho lh`` at 0-1, ``1 + rho la`` at 1-0 and
    ``1 - rho`` at 1-1 (Dixon & Coles 1997; the same as :meth:`ScoreGrid.from_rates` and
    penaltyblog). ``rho < 0`` makes 0-0 and 1-1 more likely.
    """

    extra_name = "rho"
    extra_start = -0.05
    extra_bounds = (-0.99, 0.99)

    def __init__(self, home_goals: np.ndarray, away_goals: np.ndarray, weight: np.ndarray) -> None:
        super().__init__(home_goals, away_goals, weight)
        hg, ag = self.home_goals, self.away_goals
        self.nil_nil = np.flatnonzero((hg == 0) & (ag == 0))
        self.nil_one = np.flatnonzero((hg == 0) & (ag == 1))
        self.one_nil = np.flatnonzero((hg == 1) & (ag == 0))
        self.one_one = np.flatnonzero((hg == 1) & (ag == 1))

    def terms(
        self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float
    ) -> tuple[float, np.ndarray, np.ndarray, float]:
        ll, grad_home, grad_away, _ = super().terms(eta_home, eta_away, extra)
        rho = extra
        w = self.weight
        d_rho = 0.0

        # Each low score: tau, dtau/drho, dtau/deta_home, dtau/deta_away on its matches only.
        idx = self.nil_nil
        lh, la = np.exp(eta_home[idx]), np.exp(eta_away[idx])
        tau = dixon_coles_factors(lh, la, rho)[0]
        ok = tau > TAU_FLOOR
        ll += dot(w[idx], np.log(np.where(ok, tau, TAU_FLOOR)))
        scale = np.where(ok, w[idx] / np.where(ok, tau, 1.0), 0.0)
        d_rho -= dot(scale, lh * la)
        grad_home[idx] += scale * (-rho * lh * la)
        grad_away[idx] += scale * (-rho * lh * la)

        idx = self.nil_one
        lh = np.exp(eta_home[idx])
        tau = dixon_coles_factors(lh, 0.0, rho)[1]
        ok = tau > TAU_FLOOR
        ll += dot(w[idx], np.log(np.where(ok, tau, TAU_FLOOR)))
        scale = np.where(ok, w[idx] / np.where(ok, tau, 1.0), 0.0)
        d_rho += dot(scale, lh)
        grad_home[idx] += scale * rho * lh

        idx = self.one_nil
        la = np.exp(eta_away[idx])
        tau = dixon_coles_factors(0.0, la, rho)[2]
        ok = tau > TAU_FLOOR
        ll += dot(w[idx], np.log(np.where(ok, tau, TAU_FLOOR)))
        scale = np.where(ok, w[idx] / np.where(ok, tau, 1.0), 0.0)
        d_rho += dot(scale, la)
        grad_away[idx] += scale * rho * la

        idx = self.one_one
        tau = dixon_coles_factors(0.0, 0.0, rho)[3]
        if tau > TAU_FLOOR:
            total = float(w[idx].sum())
            ll += total * np.log(tau)
            d_rho -= total / tau
        else:
            ll += float(w[idx].sum()) * np.log(TAU_FLOOR)
        return ll, grad_home, grad_away, d_rho

    @classmethod
    def score_matrix(cls, eta_home: np.ndarray, eta_away: np.ndarray, extra: float, size: int) -> np.ndarray:
        m = super().score_matrix(eta_home, eta_away, extra, size)
        rho = extra
        lh, la = np.exp(eta_home), np.exp(eta_away)
        # Clamped at zero: only absurd rates (above 1/|rho|) could make tau negative.
        m[:, 0, 0] *= np.maximum(dixon_coles_factors(lh, la, rho)[0], 0.0)
        if size > 1:
            _, f01, f10, f11 = dixon_coles_factors(lh, la, rho)
            m[:, 0, 1] *= np.maximum(f01, 0.0)
            m[:, 1, 0] *= np.maximum(f10, 0.0)
            m[:, 1, 1] *= max(f11, 0.0)
        return m


class BivariatePoissonScores(ScoreFamily):
    """Karlis-Ntzoufras bivariate Poisson with constant covariance ``lambda3`` (goals per match).

    ``P(x, y) = e^-(l1+l2+l3) l1^x/x! l2^y/y! S(t)`` with ``t = l3 / (l1 l2)`` and
    ``S(t) = sum_k C(x,k) C(y,k) k! t^k`` over ``k <= min(x, y)``; ``l1 = exp(eta_home)``,
    ``l2 = exp(eta_away)``. Mean goals are ``l1 + l3`` and ``l2 + l3``. ``lambda3 = 0`` is
    independent Poisson.
    """

    extra_name = "lambda3"
    extra_start = 0.05
    extra_bounds = (0.0, 2.0)

    def __init__(self, home_goals: np.ndarray, away_goals: np.ndarray, weight: np.ndarray) -> None:
        super().__init__(home_goals, away_goals, weight)
        shared = np.minimum(self.home_goals, self.away_goals)
        # Only matches where both sides scored carry the sum S(t); elsewhere S = 1.
        self.both_scored = np.flatnonzero(shared >= 1)
        x = self.home_goals_f[self.both_scored, None]
        y = self.away_goals_f[self.both_scored, None]
        k = np.arange(int(shared.max(initial=0)) + 1, dtype=float)[None, :]
        valid = k <= np.minimum(x, y)
        log_c = (
            special.gammaln(x + 1) + special.gammaln(y + 1)
            - special.gammaln(np.where(valid, x - k, 0) + 1) - special.gammaln(np.where(valid, y - k, 0) + 1)
            - special.gammaln(k + 1)
        )
        self.coefficients = np.where(valid, np.exp(log_c), 0.0)  # (m, K+1): C(x,k) C(y,k) k!
        self.powers = k.ravel()

    def terms(
        self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float
    ) -> tuple[float, np.ndarray, np.ndarray, float]:
        lambda3 = extra
        l1, l2 = np.exp(eta_home), np.exp(eta_away)
        w = self.weight
        ll = dot(w, self.home_goals_f * eta_home - l1 + self.away_goals_f * eta_away - l2)
        ll -= lambda3 * w.sum() + self.log_factorials
        grad_home = w * (self.home_goals_f - l1)
        grad_away = w * (self.away_goals_f - l2)
        d_lambda3 = -float(w.sum())

        idx = self.both_scored
        if len(idx):
            product = l1[idx] * l2[idx]
            t = lambda3 / product
            k = self.powers
            t_pow = t[:, None] ** k[None, :]  # 0**0 == 1 keeps S(0) = 1
            s = (self.coefficients * t_pow).sum(axis=1)
            t_ds = (self.coefficients * k * t_pow).sum(axis=1)  # t S'(t)
            # S'(t) itself, stable at t = 0 where t S'(t) / t is 0/0.
            ds = (self.coefficients[:, 1:] * k[1:] * (t[:, None] ** (k[1:] - 1))).sum(axis=1)
            wi = w[idx]
            ll += dot(wi, np.log(s))
            ratio = t_ds / s  # dlogS/deta_home = dlogS/deta_away = -t S'/S
            grad_home[idx] -= wi * ratio
            grad_away[idx] -= wi * ratio
            d_lambda3 += dot(wi, ds / (s * product))
        return ll, grad_home, grad_away, d_lambda3

    @staticmethod
    def means(eta_home: np.ndarray, eta_away: np.ndarray, extra: float) -> tuple[np.ndarray, np.ndarray]:
        return np.exp(eta_home) + extra, np.exp(eta_away) + extra

    @classmethod
    def score_matrix(cls, eta_home: np.ndarray, eta_away: np.ndarray, extra: float, size: int) -> np.ndarray:
        p1 = _poisson_pmf(np.exp(eta_home), size)
        p2 = _poisson_pmf(np.exp(eta_away), size)
        p3 = _poisson_pmf(np.full(len(p1), extra), size)
        m = np.zeros((len(p1), size, size))
        # X = W1 + W3, Y = W2 + W3: shift the independent part by each value k of W3.
        for k in range(size):
            if extra == 0.0 and k > 0:
                break
            m[:, k:, k:] += p3[:, k, None, None] * p1[:, : size - k, None] * p2[:, None, : size - k]
        return m


def _log1p_over(alpha: float, mean: np.ndarray) -> np.ndarray:
    """``log(1 + alpha mean) / alpha``, equal to ``mean`` in the Poisson limit ``alpha -> 0``."""
    x = alpha * mean
    if alpha == 0.0:
        return mean.copy()
    return np.where(x < 1e-8, mean * (1.0 - x / 2.0), np.log1p(x) / alpha)


def _dispersion_slope(alpha: float, mean: np.ndarray) -> np.ndarray:
    """``(log(1 + a m) - a m / (1 + a m)) / a^2``; the series ``m^2 (1/2 - 2x/3 + 3x^2/4)`` for small ``x = a m``."""
    x = alpha * mean
    series = mean**2 * (0.5 - 2.0 * x / 3.0 + 0.75 * x**2)
    if alpha == 0.0:
        return series
    exact = (np.log1p(x) - x / (1.0 + x)) / alpha**2
    return np.where(x < 1e-4, series, exact)


class NegativeBinomialScores(ScoreFamily):
    """Independent negative-binomial (NB2) goals: mean ``mu = exp(eta)``, variance ``mu + alpha mu^2``.

    ``log P(y) = sum_{k<y} log(1 + alpha k) + y log mu - (y + 1/alpha) log(1 + alpha mu) - log y!``,
    which is the Poisson pmf at ``alpha = 0``.
    """

    extra_name = "alpha"
    extra_start = 0.02
    extra_bounds = (0.0, 5.0)

    def __init__(self, home_goals: np.ndarray, away_goals: np.ndarray, weight: np.ndarray) -> None:
        super().__init__(home_goals, away_goals, weight)
        self.max_goals = int(max(self.home_goals.max(initial=0), self.away_goals.max(initial=0)))
        # Weighted count of goals tallies above each k, for sum_{k<y} terms: sum_m w_m [y_m > k].
        counts = np.bincount(self.home_goals, self.weight, self.max_goals + 1) + np.bincount(
            self.away_goals, self.weight, self.max_goals + 1
        )
        self.weight_above = counts[::-1].cumsum()[::-1] - counts  # index k: weight of y > k

    def terms(
        self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float
    ) -> tuple[float, np.ndarray, np.ndarray, float]:
        alpha = extra
        w = self.weight
        k = np.arange(self.max_goals + 1, dtype=float)
        ll = dot(self.weight_above, np.log1p(alpha * k)) - self.log_factorials
        d_alpha = dot(self.weight_above, k / (1.0 + alpha * k))
        grads = []
        for eta, y in ((eta_home, self.home_goals_f), (eta_away, self.away_goals_f)):
            mean = np.exp(eta)
            spread = 1.0 + alpha * mean
            ll += dot(w, y * eta - y * np.log(spread) - _log1p_over(alpha, mean))
            grads.append(w * (y - mean) / spread)
            d_alpha += dot(w, _dispersion_slope(alpha, mean) - y * mean / spread)
        return ll, grads[0], grads[1], d_alpha

    def curvature(self, eta_home: np.ndarray, eta_away: np.ndarray, extra: float) -> tuple[np.ndarray, np.ndarray]:
        """Fisher information ``w mu / (1 + alpha mu)`` of each predictor."""
        mean_home, mean_away = np.exp(eta_home), np.exp(eta_away)
        return self.weight * mean_home / (1 + extra * mean_home), self.weight * mean_away / (1 + extra * mean_away)

    @classmethod
    def upper_goals(cls, mean: float, extra: float, tail: float) -> int:
        if extra <= 0.0:
            return super().upper_goals(mean, extra, tail)
        r = 1.0 / extra
        return int(stats.nbinom.isf(tail, r, r / (r + max(mean, 1e-12)))) + 1

    @classmethod
    def score_matrix(cls, eta_home: np.ndarray, eta_away: np.ndarray, extra: float, size: int) -> np.ndarray:
        k = np.arange(size, dtype=float)[None, :]

        def pmf(eta: np.ndarray) -> np.ndarray:
            mean = np.exp(eta)[:, None]
            if extra <= 0.0:
                return _poisson_pmf(mean.ravel(), size)
            r = 1.0 / extra
            log_p = (
                special.gammaln(k + r) - special.gammaln(r) - special.gammaln(k + 1)
                + r * np.log(r / (r + mean)) + k * np.log(mean / (r + mean))
            )
            return np.exp(log_p)

        return pmf(eta_home)[:, :, None] * pmf(eta_away)[:, None, :]


FAMILIES: dict[str, type[ScoreFamily]] = {
    "poisson": PoissonScores,
    "dixon_coles": DixonColesScores,
    "bivariate_poisson": BivariatePoissonScores,
    "negative_binomial": NegativeBinomialScores,
}
