"""Runtime of the walk-forward tie backtest (one process and on Dask) and of its base-rate baseline.

Run: ``python benchmarks/tie_backtest.py [--store PATH] [--since 2016-17] [--until 2016-17] [--weekly]
[--workers 2]``

Prints: rebuilding the UEFA ties from the store; the base-rate lookups the backtest makes (one per
tie and horizon) with the vectorised :class:`remontada.ties.base_rates.BaseRateBaseline` against the
peer, :func:`remontada.ties.history.base_rate` called per lookup (same counts, checked), with the ratio;
and the walk-forward itself over the chosen seasons, in this process and on a local Dask cluster of
``--workers`` processes: seconds, model fits, seconds per fit, the ratio, and whether every forecast
is identical.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from remontada.paths import default_store_path
from remontada.simulate.distributed import local_client
from remontada.store.reader import Store
from remontada.ties.backtest import HISTORY_COMPETITIONS, evaluation_ties, run_tie_backtest
from remontada.ties.base_rates import BaseRateBaseline
from remontada.ties.history import base_rate, rebuild_ties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--since", default="2016-17")
    parser.add_argument("--until", default="2016-17")
    parser.add_argument("--weekly", action="store_true", help="refit on Mondays (as the full backtest does)")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with Store(args.store) as store:
        start = time.perf_counter()
        history = rebuild_ties(store, HISTORY_COMPETITIONS)
        print(f"rebuild {len(history):,} UEFA ties: {time.perf_counter() - start:.2f} s")
        targets, _ = evaluation_ties(history, since="2011-12")
        start = time.perf_counter()
        baseline = BaseRateBaseline(history, min_n=0)
        fast = [baseline.position(t.first_leg_margin or 0, "away", t.leg2.date) for t in targets]  # type: ignore[union-attr]
        vectorised = time.perf_counter() - start
        start = time.perf_counter()
        slow = [
            base_rate(history, max(-4, min(4, t.first_leg_margin or 0)), "away",
                      or_more=abs(t.first_leg_margin or 0) >= 4, before=t.leg2.date)  # type: ignore[union-attr]
            for t in targets
        ]  # fmt: skip
        looped = time.perf_counter() - start
        same = all((f.k, f.n) == (s.k, s.n) for f, s in zip(fast, slow, strict=True))
        print(
            f"{len(targets)} between-legs base rates: vectorised {vectorised:.3f} s (incl. building), "
            f"history.base_rate per lookup {looped:.2f} s, ratio {looped / vectorised:.0f}x, same counts: {same}"
        )
        step = 7 if args.weekly else 1
        common = {"since": args.since, "until": args.until, "step_days": step, "market": False, "second_leg": None}
        local = run_tie_backtest(store, **common)  # type: ignore[arg-type]
        print(
            f"walk-forward {args.since}..{args.until}, one process: {len(local.ties)} ties, {local.fits} fits, "
            f"{local.seconds:.1f} s ({local.seconds / max(local.fits, 1):.2f} s per fit)"
        )
        client = local_client(n_workers=args.workers)
        try:
            start = time.perf_counter()
            remote = run_tie_backtest(store, client=client, **common)  # type: ignore[arg-type]
            elapsed = time.perf_counter() - start
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
        identical = all(
            np.array_equal(remote.forecasts[h][n], p, equal_nan=True)
            for h, per_name in local.forecasts.items()
            for n, p in per_name.items()
        )
        print(
            f"walk-forward on Dask ({args.workers} local workers): {elapsed:.1f} s, ratio one process / Dask "
            f"{local.seconds / elapsed:.2f}x, identical forecasts: {identical}"
        )


if __name__ == "__main__":
    main()
