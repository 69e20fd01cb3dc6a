"""Inner products that never touch the BLAS thread pool.

``a @ b`` on two long float vectors calls OpenBLAS ``ddot``, which splits long vectors across
threads. On the project's 2-core machines under load that costs about 1 ms for 15,000
elements against 7 us single-threaded (measured), and the likelihood takes dozens of such
products per evaluation. ``np.einsum`` without ``optimize`` reduces in numpy's own loop.
"""

from __future__ import annotations

import numpy as np


def dot(a: np.ndarray, b: np.ndarray) -> float:
    """``sum(a * b)`` of two 1-D float arrays, computed without BLAS."""
    return float(np.einsum("i,i->", a, b))
