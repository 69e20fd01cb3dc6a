"""Runtime of the walk-forward tie backtest and of its base-rate baseline.

Run: ``python benchmarks/tie_backtest.py [--store PATH] [--since 2023-24] [--until 2023-24]``

Prints: rebuilding the UEFA ties from the store; the base-rate lookups the backtest makes (one per
tie and horizon) with the vectorised :class:`remontada.ties.base_rates.BaseRateBaseline` against the
peer, :func:`remontada.ties.history.base_rate` called per lookup (same counts, checked), with the ratio;
and the walk-forward itself over the chosen seasons: seconds, model fits, seconds per fit and per tie.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from remontada.paths import default_store_path
from remontada.store.reader import Store
from remontada.ties.backtest import HISTORY_COMPETITIONS, evaluation_ties, run_tie_backtest
from remontada.ties.base_rates import BaseRateBaseline
from remontada.ties.history import base_rate, rebuild_ties


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--since", default="2023-24")
    parser.add_argument("--until", default="2023-24")
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
        result = run_tie_backtest(store, since=args.since, until=args.until)
        print(
            f"walk-forward {args.since}..{args.until}: {len(result.ties)} ties, {result.fits} fits, "
            f"{result.seconds:.1f} s ({result.seconds / max(result.fits, 1):.2f} s per fit, "
            f"{result.seconds / max(len(result.ties), 1):.2f} s per tie)"
        )


if __name__ == "__main__":
    main()
