"""Bookmaker decimal odds → probabilities: overround and margin removal.

A bookmaker's implied probabilities ``1 / odds`` sum to more than one; the excess is the
margin (overround). Each method here spreads it differently over the outcomes:

``multiplicative``
    Scale every ``1/o`` by the same factor (proportional margin).
``additive``
    Subtract the same amount from every ``1/o`` (can go negative for long shots: rejected).
``power``
    ``p_i = (1/o_i)^k`` with ``k`` chosen so they sum to one; ``k > 1`` shades long shots.
``shin``
    Shin (1992, 1993): the margin protects the bookmaker against a share ``z`` of insider
    money. For a market with booksum ``B = sum(1/o)``,
    ``p_i = (sqrt(z^2 + 4 (1 - z) (1/o_i)^2 / B) - z) / (2 (1 - z))`` with ``z`` solved
    so the ``p_i`` sum to one. ``z`` is in [0, 1); it is 0 when there is no margin. For a
    book under 100% (best prices across bookmakers) the same formula is continued to
    ``z < 0``: no longer an insider share, but a smooth, well-defined de-margining.
``odds_ratio``
    Cheung (2015): every outcome has the same odds ratio ``c`` between implied and true
    odds, ``(π/(1-π)) / (p/(1-p)) = c``.

Every function takes one market (1-D, ``k`` outcomes) or many markets of the same shape
(2-D, ``(n, k)``); roots are found for all rows at once with a bracketed Newton iteration.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np

#: ``fun(x, rows) -> (value, derivative)`` for the markets selected by ``rows``.
RowFunction = Callable[[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]

Method = Literal["multiplicative", "additive", "power", "shin", "odds_ratio"]
METHODS: tuple[str, ...] = ("multiplicative", "additive", "power", "shin", "odds_ratio")

_ROOT_TOL = 1e-13
_MAX_ITER = 200


@dataclass(frozen=True, slots=True)
class Demargined:
    """Fair probabilities of one or many markets and the fitted margin parameter.

    ``probs`` has the shape of the odds given and each market sums to one. ``overround``
    is ``sum(1/odds) - 1`` per market (0.05 for a 5% book). ``parameter`` is the fitted
    ``k`` (power), ``z`` (shin) or ``c`` (odds_ratio) per market, and ``None`` for the
    multiplicative and additive methods, which have no free parameter.
    """

    probs: np.ndarray
    method: str
    overround: np.ndarray | float
    parameter: np.ndarray | float | None


def _as_markets(odds: Any, *, allow_missing: bool) -> tuple[np.ndarray, bool, np.ndarray]:
    """Odds as ``(n, k)``, whether the input was a single market, and rows with a missing price."""
    arr = np.asarray(odds, dtype=float)
    single = arr.ndim == 1
    markets = arr[None, :] if single else arr
    if markets.ndim != 2 or markets.shape[1] < 2:
        raise ValueError(f"odds must be one market of k >= 2 prices or an (n, k) array, got shape {arr.shape}")
    missing = np.isnan(markets).any(axis=1)
    if missing.any() and not allow_missing:
        row = int(np.flatnonzero(missing)[0])
        raise ValueError(f"odds row {row} has a missing (NaN) price: {markets[row].tolist()}")
    present = markets[~missing]
    bad = ~np.isfinite(present) | (present <= 1.0)
    if bad.any():
        row_in_present, col = np.argwhere(bad)[0]
        row = int(np.flatnonzero(~missing)[row_in_present])
        raise ValueError(
            f"odds row {row}, outcome {int(col)} is {markets[row, col]}; decimal odds must be finite and > 1"
        )
    return markets, single, missing


def overround(odds: Any) -> np.ndarray | float:
    """``sum(1/odds) - 1`` for one market (float) or each row of an ``(n, k)`` array.

    E.g. Pinnacle's closing 9.62 / 5.81 / 1.33 on Burnley v Man City (2023-08-11) gives
    about 0.028, a 2.8% book. Negative values mean the prices (e.g. best odds across
    bookmakers) sum to less than one.
    """
    markets, single, _ = _as_markets(odds, allow_missing=True)
    result = (1.0 / markets).sum(axis=1) - 1.0
    return float(result[0]) if single else result


def _bracketed_newton(
    fun: RowFunction,
    lo: np.ndarray,
    hi: np.ndarray,
    start: np.ndarray,
    rows: np.ndarray,
) -> np.ndarray:
    """Root of a function with ``fun(lo) > 0 > fun(hi)`` in each row, all rows at once.

    ``fun(x, rows)`` returns the value and derivative for the markets selected by ``rows``.
    Newton steps that leave the bracket fall back to bisection, so every row converges.
    """
    x = start.copy()
    for _ in range(_MAX_ITER):
        value, slope = fun(x, rows)
        done = np.abs(value) < _ROOT_TOL
        if done.all():
            return x
        above = value > 0
        lo = np.where(above, x, lo)
        hi = np.where(above, hi, x)
        with np.errstate(divide="ignore", invalid="ignore"):
            step = x - value / slope
        outside = ~np.isfinite(step) | (step <= lo) | (step >= hi)
        x = np.where(done, x, np.where(outside, 0.5 * (lo + hi), step))
        if np.all(done | (hi - lo < 1e-15 * np.maximum(1.0, np.abs(x)))):
            return x
    raise RuntimeError("margin removal did not converge; please report the odds that caused it")


def _expand_upper(fun: RowFunction, rows: np.ndarray) -> np.ndarray:
    """An upper bracket where the decreasing function has turned negative, per row."""
    hi = np.full(len(rows), 2.0)
    for _ in range(200):
        value, _ = fun(hi, rows)
        positive = value >= 0
        if not positive.any():
            return hi
        hi = np.where(positive, hi * 2.0, hi)
    raise RuntimeError("could not bracket the margin parameter")


def _power(implied: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    log_implied = np.log(implied)

    def excess(k: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        powered = np.exp(k[:, None] * log_implied[rows])
        return powered.sum(axis=1) - 1.0, (powered * log_implied[rows]).sum(axis=1)

    rows = np.arange(len(implied))
    k = _bracketed_newton(excess, np.zeros(len(rows)), _expand_upper(excess, rows), np.ones(len(rows)), rows)
    return implied ** k[:, None], k


def _shin_probs(z: np.ndarray, squared_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Shin probabilities and their derivative in ``z``; ``squared_share = (1/o)^2 / B``."""
    zc = z[:, None]
    root = np.sqrt(zc**2 + 4.0 * (1.0 - zc) * squared_share)
    probs = (root - zc) / (2.0 * (1.0 - zc))
    d_root = (zc - 2.0 * squared_share) / root
    d_probs = ((d_root - 1.0) * (1.0 - zc) + (root - zc)) / (2.0 * (1.0 - zc) ** 2)
    return probs, d_probs


def _shin(implied: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    booksum = implied.sum(axis=1)
    squared_share = implied**2 / booksum[:, None]

    def excess(z: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        probs, d_probs = _shin_probs(z, squared_share[rows])
        return probs.sum(axis=1) - 1.0, d_probs.sum(axis=1)

    rows = np.arange(len(implied))
    n = len(rows)
    # The excess is sqrt(B) - 1 at z = 0 and tends to sum(q) - 1 < 0 as z -> 1, so a book
    # with a margin has its root in [0, 1). A book under 100% (best prices across
    # bookmakers) continues the same formula to z < 0, where the excess rises towards
    # k - 1 > 0 as z -> -inf: search downwards for a lower bracket.
    lo = np.zeros(n)
    short = booksum < 1.0
    step = 1.0
    for _ in range(200):
        value, _ = excess(lo, rows)
        short &= value <= 0
        if not short.any():
            break
        lo = np.where(short, -step, lo)
        step *= 2.0
    else:
        raise RuntimeError("could not bracket Shin's z")
    start = np.where(booksum < 1.0, 0.5 * lo, 0.0)
    z = _bracketed_newton(excess, lo, np.full(n, 1.0 - 1e-12), start, rows)
    probs, _ = _shin_probs(z, squared_share)
    return probs, z


def _odds_ratio(implied: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    def excess(c: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        share = implied[rows]
        denom = share + c[:, None] * (1.0 - share)
        return (share / denom).sum(axis=1) - 1.0, (-share * (1.0 - share) / denom**2).sum(axis=1)

    rows = np.arange(len(implied))
    c = _bracketed_newton(excess, np.zeros(len(rows)), _expand_upper(excess, rows), np.ones(len(rows)), rows)
    return implied / (implied + c[:, None] * (1.0 - implied)), c


def _additive(implied: np.ndarray, row_ids: np.ndarray) -> np.ndarray:
    excess = implied.sum(axis=1, keepdims=True) - 1.0
    probs = implied - excess / implied.shape[1]
    negative = np.flatnonzero((probs < 0).any(axis=1))
    if negative.size:
        row = int(row_ids[negative[0]])
        raise ValueError(
            f"additive margin removal gives a negative probability for odds row {row}; "
            "use the power, shin or odds_ratio method for long shots"
        )
    return probs


def demargin(odds: Any, method: Method = "multiplicative", *, allow_missing: bool = False) -> Demargined:
    """Fair probabilities from decimal odds, with the fitted margin parameter.

    ``odds`` is one market (``k`` prices in outcome order, e.g. home/draw/away) or an
    ``(n, k)`` array of markets. With ``allow_missing`` rows containing NaN give NaN
    probabilities instead of an error (handy for seasons with gaps in the odds); odds
    that are not finite numbers > 1 are always an error naming the row.
    """
    if method not in METHODS:
        raise ValueError(f"unknown margin removal method {method!r}; choose from {', '.join(METHODS)}")
    markets, single, missing = _as_markets(odds, allow_missing=allow_missing)
    present = np.flatnonzero(~missing)
    implied = 1.0 / markets[present]
    probs = np.full(markets.shape, np.nan)
    parameter: np.ndarray | None = None
    if len(present):
        fitted: np.ndarray | None = None
        if method == "multiplicative":
            fair = implied / implied.sum(axis=1, keepdims=True)
        elif method == "additive":
            fair = _additive(implied, present)
        elif method == "power":
            fair, fitted = _power(implied)
        elif method == "shin":
            fair, fitted = _shin(implied)
        else:
            fair, fitted = _odds_ratio(implied)
        probs[present] = fair / fair.sum(axis=1, keepdims=True)  # remove last-ulp drift
        if fitted is not None:
            parameter = np.full(len(markets), np.nan)
            parameter[present] = fitted
    elif method in ("power", "shin", "odds_ratio"):
        parameter = np.full(len(markets), np.nan)
    margin = (1.0 / markets).sum(axis=1) - 1.0
    if single:
        return Demargined(probs[0], method, float(margin[0]), None if parameter is None else float(parameter[0]))
    return Demargined(probs, method, margin, parameter)


def remove_margin(odds: Any, method: Method = "multiplicative", *, allow_missing: bool = False) -> np.ndarray:
    """Fair probabilities (each market sums to one) from decimal odds; see :func:`demargin`."""
    return demargin(odds, method, allow_missing=allow_missing).probs
