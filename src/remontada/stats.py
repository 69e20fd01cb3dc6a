"""Small statistical helpers shared by evaluation and history (comeback base rates)."""

from __future__ import annotations

from typing import Any

import numpy as np


def wilson_interval(k: Any, n: Any, z: float = 1.96) -> tuple[Any, Any]:
    """Wilson (1927) score interval for a binomial proportion ``k / n``, in [0, 1].

    ``k`` successes out of ``n`` trials, as numbers or arrays (broadcast together);
    ``z = 1.96`` gives a 95% interval. Unlike the normal (Wald) interval it stays inside
    [0, 1] and is sensible for rare events (``k = 0``), which comebacks often are. Where
    ``n = 0`` there is no evidence and both bounds are NaN. Returns ``(lower, upper)`` as
    floats for scalar input, arrays otherwise.
    """
    if not (np.isfinite(z) and z > 0):
        raise ValueError(f"z must be a positive number of standard errors, got {z}")
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    if np.any(n_arr < 0) or np.any(k_arr < 0) or np.any(k_arr > n_arr):
        raise ValueError(f"need 0 <= k <= n, got k={k}, n={n}")
    with np.errstate(divide="ignore", invalid="ignore"):
        share = k_arr / n_arr
        z2_n = z * z / n_arr
        centre = (share + z2_n / 2.0) / (1.0 + z2_n)
        half = z * np.sqrt(share * (1.0 - share) / n_arr + z2_n / (4.0 * n_arr)) / (1.0 + z2_n)
    empty = n_arr == 0
    lower = np.where(empty, np.nan, np.clip(centre - half, 0.0, 1.0))
    upper = np.where(empty, np.nan, np.clip(centre + half, 0.0, 1.0))
    if lower.ndim == 0:
        return float(lower), float(upper)
    return lower, upper
