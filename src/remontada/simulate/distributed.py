"""Scale-out on Dask: the same seeded chunks, run by a cluster's workers.

Why Dask rather than Ray: it is already a dependency of the PyData stack remontada lives in
(``pip install remontada[dist]``), it is pure Python with numpy-aware serialisation, the same
``Client`` drives a ``LocalCluster`` on a laptop, an SSH or HPC cluster (dask-jobqueue) or
Kubernetes, and its futures API is exactly what independent simulation chunks need. Ray
would add its own object store and raylet daemons for no gain on work that ships a few
megabytes of grids once and returns integer counts.

Determinism: :func:`run` ships the simulation to every worker once (``scatter``), maps
:func:`remontada.simulate.runner.run_one_chunk` over the chunk plan with the same per-chunk
seeds as :func:`remontada.simulate.runner.run`, and adds the integer tallies, so a cluster
run gives exactly the numbers of a single-process run with the same seed and chunk size.

Backtests (:func:`walk_forward`) split the evaluated matches into contiguous segments at
refit-block boundaries, run :func:`remontada.evaluation.backtest.walk_forward` on each segment on a
worker with fresh forecasters, and join the results in order.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from remontada.errors import InvalidInput
from remontada.simulate.runner import DEFAULT_CHUNK, Simulation, chunk_plan, chunk_seeds, run_one_chunk


def _distributed() -> Any:
    """The ``distributed`` package, or :class:`InvalidInput` saying how to install it."""
    try:
        import distributed
    except ImportError:
        raise InvalidInput(
            "--dask needs the 'distributed' package: pip install 'remontada[dist]'", field="dask"
        ) from None
    return distributed


def local_client(n_workers: int = 2, threads_per_worker: int = 1) -> Any:
    """A Dask client on a local cluster of worker processes bound to 127.0.0.1 (no dashboard)."""
    Client, LocalCluster = _distributed().Client, _distributed().LocalCluster

    cluster = LocalCluster(
        n_workers=n_workers,
        threads_per_worker=threads_per_worker,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    )
    return Client(cluster)


def connect(address: str) -> Any:
    """A client of a running Dask scheduler (``tcp://host:8786``) or a new local cluster (``local``)."""
    if address == "local":
        return local_client()
    return _distributed().Client(address)


def run(
    simulation: Simulation,
    n_sims: int,
    client: Any,
    *,
    seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
) -> Any:
    """Run ``n_sims`` simulations in seeded chunks on the client's workers and add the tallies."""
    sizes = chunk_plan(n_sims, chunk_size)
    seeds = chunk_seeds(seed, len(sizes))
    shipped = client.scatter(simulation, broadcast=True, hash=False)
    futures = client.map(run_one_chunk, [shipped] * len(sizes), sizes, seeds, pure=False)
    total = None
    for tally in client.gather(futures):
        total = tally if total is None else total + tally
    return total


# ---- backtests ------------------------------------------------------------------------------


def _segments(days: np.ndarray, step_days: int, n_segments: int) -> list[tuple[int, int]]:
    """Contiguous ``[start, stop)`` ranges of the evaluated matches, cut only where a refit
    block of :func:`remontada.evaluation.backtest.walk_forward` starts, so every segment sees the same blocks."""
    starts = []
    start = 0
    while start < len(days):
        starts.append(start)
        start = int(np.searchsorted(days, days[start] + step_days, side="left"))
    per = max(1, -(-len(starts) // max(1, n_segments)))
    cuts = [starts[i] for i in range(0, len(starts), per)] + [len(days)]
    return [(a, b) for a, b in itertools.pairwise(cuts) if b > a]


def _walk_segment(matches: Any, mask: np.ndarray, make_forecasters: Callable[[], Sequence[Any]], step_days: int) -> Any:
    from remontada.evaluation.backtest import walk_forward as walk

    return walk(matches, mask, make_forecasters(), step_days=step_days, progress=False)


def walk_forward(
    matches: Any,
    evaluate: np.ndarray,
    make_forecasters: Callable[[], Sequence[Any]],
    client: Any,
    *,
    step_days: int = 7,
    segments: int | None = None,
) -> Any:
    """:func:`remontada.evaluation.backtest.walk_forward` with the evaluated matches split over the workers.

    ``make_forecasters()`` builds fresh forecasters on each worker (it must pickle). Each
    segment's forecasters first see all history before its first block, so forecasters whose
    state depends only on the history (refitted each block, or Elo replayed in order) give the
    single-process numbers; warm-started refits match to the optimiser's tolerance.
    """
    from remontada.evaluation.backtest import WalkForwardResult

    evaluate = np.asarray(evaluate, dtype=bool)
    eval_index = np.flatnonzero(evaluate)
    day = matches.date.astype("datetime64[D]").astype(np.int64)
    n_workers = len(client.scheduler_info().get("workers", {})) or 1
    parts = _segments(day[eval_index], step_days, segments or n_workers)
    shipped = client.scatter(matches, broadcast=True, hash=False)
    futures = []
    for start, stop in parts:
        mask = np.zeros(len(matches), dtype=bool)
        mask[eval_index[start:stop]] = True
        futures.append(client.submit(_walk_segment, shipped, mask, make_forecasters, step_days, pure=False))
    results = client.gather(futures)
    first = results[0]
    fixtures = matches.select(eval_index)
    return WalkForwardResult(
        fixtures=fixtures,
        outcome=np.concatenate([r.outcome for r in results]),
        probs={name: np.concatenate([r.probs[name] for r in results]) for name in first.probs},
        uses_market=dict(first.uses_market),
        seconds={name: float(sum(r.seconds[name] for r in results)) for name in first.seconds},
        notes=[f"run on Dask in {len(parts)} segments"],
    )
