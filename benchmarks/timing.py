"""Timing helper shared by the benchmark scripts (run from the project root: ``python benchmarks/X.py``)."""

from __future__ import annotations

import time
from collections.abc import Callable


def best_seconds_per_call(call: Callable[[], object], calls: int, repeats: int) -> float:
    """Best-of-``repeats`` mean wall time of one call, in seconds, after one warm-up call.

    The best of several repeats, not the mean, because this machine is shared and noisy: the
    fastest run is the one least disturbed by other work.
    """
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(calls):
            call()
        best = min(best, (time.perf_counter() - start) / calls)
    return best
