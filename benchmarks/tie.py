"""Per-tie latency of the exact tie engine, for each entry point, against Monte Carlo.

Run: ``python benchmarks/tie.py [--repeats 7] [--calls 2000] [--sims 100000]``

Prints the best-of-repeats time per call in microseconds for: before the first leg, between
the legs, live in the second leg (remaining-time grid given, and built from rates), and a
single match. The peer is the usual alternative, simulating ties score by score with numpy
(vectorised, seeded): its time per tie and its error against the exact answer are printed
with the ratio. A numpy ``sum`` of a 16 x 12 array is timed too, as a yardstick for how
loaded the machine is.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from remontada.grid import ScoreGrid
from remontada.rules import rules_for
from remontada.ties.engine import (
    forecast_live,
    forecast_second_leg,
    forecast_single_match,
    forecast_tie,
    period_grid,
    remaining_grid,
)
from timing import best_seconds_per_call


def best_microseconds(call: Callable[[], object], calls: int, repeats: int) -> float:
    return best_seconds_per_call(call, calls, repeats) * 1e6


def simulate_p_a(leg1: ScoreGrid, leg2: ScoreGrid, extra: ScoreGrid, n: int, seed: int) -> float:
    """Monte Carlo P(A through) under 2020-21 UEFA rules (away goals, also after extra time)."""
    rng = np.random.default_rng(seed)

    def draw(g: ScoreGrid) -> tuple[np.ndarray, np.ndarray]:
        return np.unravel_index(rng.choice(g.probs.size, size=n, p=g.probs.ravel()), g.shape)

    a_home, b_away = draw(leg1)
    b_home, a_away = draw(leg2)
    b_extra, a_extra = draw(extra)
    a_total, b_total = a_home + a_away, b_away + b_home
    a_through = a_total > b_total
    level = a_total == b_total
    a_through |= level & (a_away > b_away)
    to_extra = level & (a_away == b_away)
    a_through |= to_extra & (a_extra > b_extra)
    a_through |= to_extra & (a_extra == b_extra) & (a_extra > 0)  # away goals in extra time
    a_through |= to_extra & (a_extra == b_extra) & (a_extra == 0) & (rng.random(n) < 0.5)
    return float(a_through.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--sims", type=int, default=100_000)
    args = parser.parse_args()

    leg1 = ScoreGrid.from_rates(1.55, 1.15, rho=-0.08)
    leg2 = ScoreGrid.from_rates(1.35, 1.60, rho=-0.08)
    extra = period_grid(leg2, 1 / 3)
    rules_2020 = rules_for("uefa.el", "2020-21", "qf")
    rules_2023 = rules_for("uefa.el", "2023-24", "qf")
    final = rules_for("uefa.el", "2023-24", "final")
    remaining = remaining_grid(1.35, 1.60, 60)
    yardstick = np.ones((16, 12))

    entries: list[tuple[str, Callable[[], object]]] = [
        ("numpy sum of 16x12 (load yardstick)", yardstick.sum),
        ("before first leg (2020-21 rules)", lambda: forecast_tie(leg1, leg2, rules=rules_2020, extra_time=extra)),
        ("before first leg, ET scaled from leg 2", lambda: forecast_tie(leg1, leg2, rules=rules_2020)),
        ("between legs, 0-3 (2023-24 rules)", lambda: forecast_second_leg((0, 3), leg2, rules=rules_2023)),
        (
            "live 60', 0-1, remaining grid given",
            lambda: forecast_live((0, 3), (0, 1), remaining, minute=60, rules=rules_2023),
        ),
        (
            "live 60', 0-1, remaining grid from rates",
            lambda: forecast_live((0, 3), (0, 1), remaining_grid(1.35, 1.60, 60), minute=60, rules=rules_2023),
        ),
        ("single match (final)", lambda: forecast_single_match(leg2, rules=final)),
        (
            "before first leg + per-score table",
            lambda: forecast_tie(leg1, leg2, rules=rules_2020, extra_time=extra).next_match_p_a,
        ),
    ]
    print(f"grids: leg1 {leg1.shape}, leg2 {leg2.shape}, extra time {extra.shape}")
    print(f"{'entry point':<44} {'us/call':>10}")
    for name, call in entries:
        print(f"{name:<44} {best_microseconds(call, args.calls, args.repeats):>10.1f}")

    exact = forecast_tie(leg1, leg2, rules=rules_2020, extra_time=extra).p_a
    exact_us = best_microseconds(
        lambda: forecast_tie(leg1, leg2, rules=rules_2020, extra_time=extra), args.calls, args.repeats
    )
    start = time.perf_counter()
    simulated = simulate_p_a(leg1, leg2, extra, args.sims, seed=1)
    sim_us = (time.perf_counter() - start) * 1e6
    standard_error = np.sqrt(exact * (1 - exact) / args.sims)
    print()
    print(f"peer: Monte Carlo, {args.sims:,} simulated ties (numpy, seeded)")
    print(f"  exact P(A through)      {exact:.6f} in {exact_us:.1f} us")
    error = simulated - exact
    print(f"  simulated P(A through)  {simulated:.6f} in {sim_us:,.0f} us")
    print(f"  simulation error {error:+.6f} (standard error {standard_error:.6f})")
    print(f"  ratio simulated/exact time: {sim_us / exact_us:,.0f}x")


if __name__ == "__main__":
    main()
