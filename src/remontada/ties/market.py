"""The betting market's "goes through", computed the way the model's is.

No public dataset holds "to qualify" prices, but the 1X2 prices of the legs (OddsPortal, 2004-05 ..
2019-20) say what the market expected of each match. They become a tie forecast in three steps:

1. **Prices → probabilities.** The leg's market is Pinnacle's 1X2 where quoted, else the mean
   decimal price of the bookmakers quoted (:meth:`remontada.store.reader.Store.match_prices_1x2`);
   the margin is removed with Shin's method (:data:`MARGIN_METHOD`, :func:`remontada.odds.demargin`).
2. **Probabilities → expected goals.** Two free probabilities (home win, away win) pin down two
   unknowns: the expected goals of each side over 90 minutes, for a scoreline grid of independent
   Poisson goals (``rho = 0``; :func:`rates_from_1x2` solves it for many matches at once with the
   grid kernels of :mod:`remontada.grid`). The fitted grid reproduces the de-margined 1X2 exactly
   (to 1e-9) unless a price asks for more draws than Poisson goals allow, which is reported.
3. **Expected goals → the tie.** The exact tie engine (:mod:`remontada.ties.engine`) with that
   season's rules (away goals until 2020-21, 30 minutes of extra time at the second-leg ground with
   goals at the same rate, then penalties).

Horizons:

* **between the legs**: the second leg's prices, with the real first-leg score;
* **before the tie**: the first leg's prices only. The second leg is priced by the same two
  expected goals with home advantage swapped: with goals ``attack x defence x home`` the away side's
  rate at home is its first-leg rate times ``h`` and the first-leg host's rate away is divided by
  ``h``. ``h`` (:func:`home_factor`) is measured from the market itself, on group-stage pairs of
  matches (the same two clubs, both venues, both priced), where no first-leg score shapes the
  second meeting: for such a pair ``h`` is ``sqrt((λ1h / λ2a) (λ2h / λ1a))``, and the estimate is
  the geometric mean over the pairs of the chosen seasons.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from remontada import odds as odds_mod
from remontada.grid import ScoreGrid, outcome_probs_batch, poisson_grids
from remontada.rules import TieRules
from remontada.store.reader import Store
from remontada.ties.engine import forecast_second_leg, forecast_tie
from remontada.ties.history import Tie

#: How the bookmaker's margin is removed (see :mod:`remontada.odds`).
MARGIN_METHOD: odds_mod.Method = "shin"
#: Goals per side beyond which the fitted grids are cut (the Poisson tail there is below 1e-9 for rates up to 4).
MAX_GOALS = 16


@dataclass(frozen=True, slots=True)
class LegMarket:
    """One leg's market: de-margined probabilities and the expected goals that reproduce them.

    ``probs`` = (home win, draw, away win) in [0, 1]; ``home_rate``/``away_rate`` are expected goals
    over 90 minutes; ``book`` is ``"pinnacle"`` or ``"average"``; ``residual`` the largest gap
    between the fitted grid's 1X2 and ``probs`` (probability points / 100).
    """

    match_id: int
    book: str
    prices: tuple[float, float, float]
    probs: tuple[float, float, float]
    home_rate: float
    away_rate: float
    residual: float

    def grid(self, *, swap_venue: float | None = None) -> ScoreGrid:
        """The leg's 90-minute grid; with ``swap_venue = h``, the return match's grid (hosts exchanged,
        the new host's rate times ``h``, the visitor's divided by it)."""
        if swap_venue is None:
            return ScoreGrid.from_rates(self.home_rate, self.away_rate)
        return ScoreGrid.from_rates(self.away_rate * swap_venue, self.home_rate / swap_venue)


def rates_from_1x2(probs: np.ndarray, *, iterations: int = 60) -> tuple[np.ndarray, np.ndarray]:
    """Expected goals (home, away; goals per 90 minutes) whose independent-Poisson grid has the given 1X2.

    ``probs`` is ``(n, 3)`` or ``(3,)`` (home win, draw, away win; each row sums to one). Solved by a
    damped Newton iteration on the log rates for all rows at once; returns ``(rates (n, 2), residual
    (n,))`` with ``residual`` the largest absolute 1X2 gap of each row's fitted grid.
    """
    p = np.atleast_2d(np.asarray(probs, dtype=float))
    if p.shape[1] != 3 or not np.isfinite(p).all() or (p < 0).any():
        raise ValueError("probs must be finite (n, 3) home/draw/away probabilities")
    target = p[:, [0, 2]]
    # a first guess: goal supremacy from the home-away gap, about 2.6 goals a match
    gap = target[:, 0] - target[:, 1]
    x = np.column_stack([np.log(1.3) + 0.9 * gap, np.log(1.3) - 0.9 * gap])

    def outcome(logs: np.ndarray) -> np.ndarray:
        rates = np.clip(np.exp(logs), 1e-4, 12.0)
        grids = poisson_grids(rates[:, 0], rates[:, 1], max_goals=MAX_GOALS)
        return outcome_probs_batch(grids)[:, [0, 2]]

    eps = 1e-6
    for _ in range(iterations):
        f = outcome(x) - target
        if np.abs(f).max() < 1e-11:
            break
        j0 = (outcome(x + np.array([eps, 0.0])) - outcome(x)) / eps
        j1 = (outcome(x + np.array([0.0, eps])) - outcome(x)) / eps
        det = j0[:, 0] * j1[:, 1] - j1[:, 0] * j0[:, 1]
        det = np.where(np.abs(det) < 1e-12, 1e-12, det)
        step0 = (j1[:, 1] * f[:, 0] - j1[:, 0] * f[:, 1]) / det
        step1 = (-j0[:, 1] * f[:, 0] + j0[:, 0] * f[:, 1]) / det
        step = np.clip(np.column_stack([step0, step1]), -0.5, 0.5)
        x = np.clip(x - step, np.log(0.02), np.log(8.0))
    rates = np.exp(x)
    residual = np.abs(outcome(x) - target).max(axis=1)
    return rates, residual


def leg_markets(store: Store, match_ids: Sequence[int]) -> dict[int, LegMarket]:
    """The market of each priced match of ``match_ids`` (those without a 1X2 price are absent)."""
    prices = store.match_prices_1x2(match_ids)
    return markets_from_prices(prices)


def markets_from_prices(prices: pd.DataFrame) -> dict[int, LegMarket]:
    """:class:`LegMarket` per row of a frame shaped like :meth:`Store.match_prices_1x2`'s answer."""
    if prices.empty:
        return {}
    raw = prices[["home", "draw", "away"]].to_numpy(dtype=float)
    fair = odds_mod.demargin(raw, MARGIN_METHOD).probs
    rates, residual = rates_from_1x2(fair)
    out = {}
    for i, (match_id, book) in enumerate(zip(prices["match_id"].tolist(), prices["book"].tolist(), strict=True)):
        out[int(match_id)] = LegMarket(
            int(match_id), str(book), (float(raw[i, 0]), float(raw[i, 1]), float(raw[i, 2])),
            (float(fair[i, 0]), float(fair[i, 1]), float(fair[i, 2])),
            float(rates[i, 0]), float(rates[i, 1]), float(residual[i]),
        )  # fmt: skip
    return out


def p_b_between_legs(first_leg: tuple[int, int], leg2: LegMarket, rules: TieRules) -> float:
    """P(B through), B hosting the second leg, from its market and the first-leg score (A's goals first)."""
    forecast = forecast_second_leg(first_leg, leg2.grid(), rules=rules, on_unmodelled="even")
    return float(np.clip(forecast.p_b, 0.0, 1.0))


def p_b_before_tie(leg1: LegMarket, rules: TieRules, home: float) -> float:
    """P(B through) before the tie, from the first leg's market (A at home) and the home factor ``home``."""
    forecast = forecast_tie(leg1.grid(), leg1.grid(swap_venue=home), rules=rules, on_unmodelled="even")
    return float(np.clip(forecast.p_b, 0.0, 1.0))


def home_factor(
    store: Store, *, before: str | None = None, competitions: Sequence[str] = ("uefa.cl", "uefa.el")
) -> tuple[float, int]:
    """The market's home factor ``h`` (ratio of expected goals at home to away, per side) and the
    number of group-stage pairs it rests on; only seasons before ``before`` (``"2016-17"``) count."""
    pairs = store.group_stage_return_pairs(competitions, before=before)
    if pairs.empty:
        raise LookupError("no priced group-stage pair of matches to measure the home factor on")
    markets = leg_markets(store, [*pairs["first_id"].tolist(), *pairs["second_id"].tolist()])
    logs = []
    for first, second in zip(pairs["first_id"].tolist(), pairs["second_id"].tolist(), strict=True):
        m1, m2 = markets.get(int(first)), markets.get(int(second))
        if m1 is None or m2 is None:
            continue
        logs.append(0.5 * (np.log(m1.home_rate / m2.away_rate) + np.log(m2.home_rate / m1.away_rate)))
    if not logs:
        raise LookupError("no group-stage pair has both matches priced")
    return float(np.exp(np.mean(logs))), len(logs)


@dataclass(frozen=True)
class MarketForecasts:
    """The market's P(B through) per tie (NaN where the needed leg has no price) at both horizons."""

    before_tie: np.ndarray
    between_legs: np.ndarray
    home: float
    home_pairs: int
    books: dict[str, int]
    max_residual: float


def market_forecasts(store: Store, ties: Sequence[Tie], *, home: tuple[float, int] | None = None) -> MarketForecasts:
    """The market's P(B through) for every tie of ``ties`` (aligned), before the tie and between the legs.

    ``home`` = (factor, pairs) overrides the home factor measured by :func:`home_factor` on the
    seasons before 2016-17.
    """
    ids = [leg.match_id for tie in ties for leg in (tie.leg1, tie.leg2) if leg is not None]
    markets = leg_markets(store, ids)
    h, pairs = home if home is not None else home_factor(store, before="2016-17")
    before = np.full(len(ties), np.nan)
    between = np.full(len(ties), np.nan)
    books: dict[str, int] = {}
    for i, tie in enumerate(ties):
        if tie.leg1 is None or tie.leg2 is None or tie.rules is None or tie.rules.legs != 2:
            continue
        m1, m2 = markets.get(tie.leg1.match_id), markets.get(tie.leg2.match_id)
        if m1 is not None and tie.leg1.home_id == tie.team_a:
            before[i] = p_b_before_tie(m1, tie.rules, h)
            books[m1.book] = books.get(m1.book, 0) + 1
        if m2 is not None and tie.leg1.home_goals is not None and tie.leg1.away_goals is not None:
            between[i] = p_b_between_legs((int(tie.leg1.home_goals), int(tie.leg1.away_goals)), m2, tie.rules)
            books[m2.book] = books.get(m2.book, 0) + 1
    residual = max((m.residual for m in markets.values()), default=0.0)
    return MarketForecasts(before, between, h, pairs, books, residual)
