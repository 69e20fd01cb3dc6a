"""Simulations per second of whole competitions, and the memory they need.

Run: ``python benchmarks/simulate.py [--sims 1000000] [--store PATH] [--dask]``

1. A 16-team two-legged bracket to a neutral final (the 2023-24 Champions League from its round
   of 16, on 13 February 2024, when a store is given; otherwise 16 clubs of graded strength),
   1,000,000 times: one process, then two local processes (the target is under 2 s on two
   cores), then optionally a local Dask cluster of two workers. The same seed must give the
   same counts everywhere; the script checks it.
2. The peer: the textbook Monte Carlo, one Python loop iteration per simulated bracket with
   ``random.choices`` on each tie's scorelines, timed on a few thousand brackets and scaled.
3. The 2024-25 Champions League league phase from before its first match (50,000 runs, Opta's
   number) and a Premier League run-in, when a store is given.

Peak memory is the largest resident set of this process and of its worker processes. A numpy
``sum`` of a 16 x 12 array is timed as a yardstick for how loaded the machine is.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from remontada.rules import rules_for
from remontada.simulate import runner
from remontada.simulate.knockout import Bracket, KnockoutSimulation, Pairing, Round
from remontada.simulate.pairs import PairGrids


def synthetic_bracket() -> KnockoutSimulation:
    """16 clubs whose expected goals fall off with their index; Champions League 2023-24 rules."""
    attack = 2.2 * np.exp(-0.9 * np.arange(16) / 16)
    home = np.outer(attack, 1 / attack) * 0.9
    away = np.outer(1 / attack, attack) * 0.7
    teams = tuple(f"club{i}" for i in range(16))
    pairs = PairGrids.from_rates(teams, home, away, neutral_rates=(home / 1.15, away * 1.15), rho=-0.05)
    rules = {key: rules_for("uefa.cl", "2023-24", key) for key in ("r16", "qf", "sf", "final")}
    bracket = Bracket(
        teams,
        (
            Round("r16", rules["r16"], Pairing.fixed(8), entrants=tuple(range(16))),
            Round("qf", rules["qf"], Pairing.open_draw(4)),
            Round("sf", rules["sf"], Pairing.open_draw(2)),
            Round("final", rules["final"], Pairing.fixed(1)),
        ),
        seeds=tuple(range(16)),
    )
    return KnockoutSimulation(bracket, pairs)


def store_simulation(store: Any, competition: str, season: str, date: str) -> tuple[Any, Any]:
    from remontada.forecast import Forecaster
    from remontada.simulate.competition import build_simulation, pair_grids
    from remontada.simulate.state import read_state

    state = read_state(store, competition, season, date)
    model = Forecaster(store).fitted(state.as_of)
    return state, build_simulation(state, pair_grids(state, model))


def timed(call: Callable[[], Any]) -> tuple[Any, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    out = call()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def peak_rss_mib() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return own, children


def python_loop_bracket(simulation: KnockoutSimulation, n: int, seed: int) -> np.ndarray:
    """The peer: one Python iteration per bracket, ``random.choices`` per leg (no extra time
    model beyond a coin for level ties, which flatters it)."""
    pairs, bracket = simulation.pairs, simulation.bracket
    rng = random.Random(seed)
    cells = [np.cumsum(g.ravel()).tolist() for g in pairs.home_grids]
    neutral = [np.cumsum(g.ravel()).tolist() for g in pairs.neutral_grids]
    cols = pairs.home_grids.shape[2]
    k = pairs.n_teams
    titles = np.zeros(k, dtype=np.int64)

    def lead(cum: list[float], ncols: int) -> int:
        cell = rng.choices(range(len(cum)), cum_weights=cum)[0]
        return cell // ncols - cell % ncols

    for _ in range(n):
        alive = list(bracket.seeds or ())
        for r in bracket.rounds:
            if r.pairing.shuffle:
                rng.shuffle(alive)
            winners = []
            for a, b in zip(alive[0::2], alive[1::2], strict=True):
                if r.rules.legs == 2:
                    margin = lead(cells[a * k + b], cols) - lead(cells[b * k + a], cols)
                else:
                    margin = lead(neutral[a * k + b], pairs.neutral_grids.shape[2])
                winners.append(a if margin > 0 or (margin == 0 and rng.random() < 0.5) else b)
            alive = winners
        titles[alive[0]] += 1
    return titles


def yardstick_ns() -> float:
    array = np.ones((16, 12))
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(20_000):
            array.sum()
        best = min(best, (time.perf_counter() - start) / 20_000)
    return best * 1e9


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sims", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--store", type=Path, default=os.environ.get("REMONTADA_STORE"))
    parser.add_argument("--dask", action="store_true", help="also run on a local Dask cluster of two workers")
    parser.add_argument("--peer-sims", type=int, default=5_000)
    args = parser.parse_args()
    print(f"machine yardstick: numpy sum of 16x12 in {yardstick_ns():.0f} ns; cores: {os.cpu_count()}")

    store = None
    if args.store and Path(args.store).exists():
        from remontada.store.reader import Store

        store = Store(args.store)
        state, simulation = store_simulation(store, "Champions League", "2023-24", "2024-02-13")
        label = f"Champions League 2023-24 from the round of 16 (store {args.store})"
    else:
        simulation = synthetic_bracket()
        label = "16 synthetic clubs (no store given)"
    print(f"\n16-team two-legged bracket: {label}")
    sims = args.sims
    one, wall1, cpu1 = timed(lambda: runner.run(simulation, sims, seed=args.seed))
    print(f"  1 process : {wall1:6.2f} s wall, {cpu1:6.2f} s cpu -> {sims / wall1:>12,.0f} simulations/s")
    two, wall2, _ = timed(lambda: runner.run(simulation, sims, seed=args.seed, workers=2))
    print(f"  2 processes: {wall2:6.2f} s wall               -> {sims / wall2:>12,.0f} simulations/s")
    assert np.array_equal(one.reached, two.reached), "two processes must give the single-process counts"
    print(f"  target: {sims:,} in under 2 s on 2 cores -> {wall2:.2f} s ({wall2 / 2.0:.2f} of the budget)")
    if args.dask:
        from remontada.simulate import distributed

        client = distributed.local_client(n_workers=2)
        try:
            distributed.run(simulation, 2 * runner.DEFAULT_CHUNK, client, seed=1)  # warm the workers
            on_dask, wall3, _ = timed(lambda: distributed.run(simulation, sims, client, seed=args.seed))
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
        assert np.array_equal(one.reached, on_dask.reached), "the cluster must give the single-process counts"
        print(
            f"  Dask, 2 workers on 127.0.0.1: {wall3:6.2f} s wall -> {sims / wall3:>12,.0f} simulations/s (same counts)"
        )

    _, peer_wall, _ = timed(lambda: python_loop_bracket(simulation, args.peer_sims, args.seed))
    peer_rate = args.peer_sims / peer_wall
    print(
        f"  peer (Python loop per bracket, random.choices): {peer_rate:>10,.0f} simulations/s "
        f"-> {sims / peer_rate:,.0f} s for {sims:,}; remontada is {sims / wall1 / peer_rate:,.0f}x faster on one core"
    )
    own, children = peak_rss_mib()
    print(f"  peak memory: {own:,.0f} MiB this process, {children:,.0f} MiB largest worker (limit 2,048 MiB)")

    if store is not None:
        for competition, season, date, n in (
            ("Champions League", "2024-25", "2024-09-17", 50_000),
            ("Premier League", "2023-24", "2024-04-01", 100_000),
        ):
            state, sim = store_simulation(store, competition, season, date)
            _, wall, cpu = timed(lambda sim=sim, n=n: runner.run(sim, n, seed=args.seed))
            remaining = state.league.n_remaining if state.league is not None else 0
            print(
                f"\n{competition} {season} from {date} ({remaining} matches to play, then "
                f"{'the bracket' if state.kind == 'league_phase' else 'the table'}): {n:,} runs in {wall:.2f} s "
                f"wall, {cpu:.2f} s cpu -> {n / wall:,.0f} simulations/s"
            )
        own, children = peak_rss_mib()
        print(f"  peak memory so far: {own:,.0f} MiB")


if __name__ == "__main__":
    main()
