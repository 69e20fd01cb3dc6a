"""Chunked, seeded execution of a simulation: the same numbers on one core, many, or a cluster.

A simulation is anything with ``run_chunk(n, rng) -> tally``: it plays ``n`` seasons (or
brackets) at once with numpy and returns integer counts that add up (``tally + tally``).
:func:`run` cuts ``n_sims`` into chunks of ``chunk_size`` so memory stays bounded, gives
chunk ``k`` the random stream ``SeedSequence(seed).spawn(...)[k]`` and adds the tallies.
Because chunk ``k``'s stream depends only on ``seed`` and ``k``, and integer counts add up
exactly in any order, the result is the same whether the chunks run in this process, in a
pool of local processes, or on a Dask cluster (:mod:`remontada.simulate.distributed`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol, TypeVar

import numpy as np

#: Simulations per chunk: large enough that numpy's per-call overhead is small, small enough
#: that a chunk's arrays stay in the tens of megabytes (see ``benchmarks/simulate.py``).
DEFAULT_CHUNK = 1 << 17

T = TypeVar("T", bound="Tally")


class Tally(Protocol):
    """Integer counts from some simulations; tallies of disjoint chunks add up."""

    n_sims: int

    def __add__(self: T, other: T) -> T: ...


class Simulation(Protocol):
    def run_chunk(self, n: int, rng: np.random.Generator) -> Any: ...


def chunk_plan(n_sims: int, chunk_size: int = DEFAULT_CHUNK) -> list[int]:
    """Sizes of the chunks ``n_sims`` is cut into: full chunks then the remainder."""
    if n_sims < 1:
        raise ValueError(f"the number of simulations must be positive, got {n_sims}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be positive, got {chunk_size}")
    full, rest = divmod(int(n_sims), int(chunk_size))
    return [chunk_size] * full + ([rest] if rest else [])


def chunk_seeds(seed: int, n_chunks: int) -> list[np.random.SeedSequence]:
    """Independent random streams, one per chunk; chunk ``k``'s stream depends only on ``seed`` and ``k``."""
    return np.random.SeedSequence(seed).spawn(n_chunks)


def run_one_chunk(simulation: Simulation, n: int, seed: np.random.SeedSequence) -> Any:
    """Play one chunk with its own generator (the unit of work shipped to processes and workers)."""
    return simulation.run_chunk(n, np.random.default_rng(seed))


#: The simulation a local worker process runs, installed once per process by the pool's
#: initializer so that it is pickled once per worker rather than once per chunk.
_installed: list[Simulation] = []


def _install(simulation: Simulation) -> None:
    _installed[:] = [simulation]


def _run_installed(n: int, seed: np.random.SeedSequence) -> Any:
    return run_one_chunk(_installed[0], n, seed)


def _sum(tallies: Iterator[Any]) -> Any:
    total = None
    for tally in tallies:
        total = tally if total is None else total + tally
    return total


def run(
    simulation: Simulation,
    n_sims: int,
    *,
    seed: int = 0,
    chunk_size: int = DEFAULT_CHUNK,
    workers: int = 1,
    on_chunk: Callable[[int], None] | None = None,
) -> Any:
    """Run ``n_sims`` simulations in seeded chunks and add up their tallies.

    ``workers > 1`` runs chunks in that many local processes (the simulation must pickle);
    the numbers do not depend on ``workers``. ``on_chunk(n)`` is called after each chunk.
    """
    sizes = chunk_plan(n_sims, chunk_size)
    seeds = chunk_seeds(seed, len(sizes))

    def report(tallies: Iterator[Any]) -> Iterator[Any]:
        for size, tally in zip(sizes, tallies, strict=True):
            if on_chunk is not None:
                on_chunk(size)
            yield tally

    if workers <= 1 or len(sizes) == 1:
        return _sum(report(run_one_chunk(simulation, n, s) for n, s in zip(sizes, seeds, strict=True)))
    with ProcessPoolExecutor(
        max_workers=min(workers, len(sizes)), initializer=_install, initargs=(simulation,)
    ) as pool:
        return _sum(report(pool.map(_run_installed, sizes, seeds)))
