"""Score-grid construction, market reads and margin removal: speed and agreement vs penaltyblog.

Run from the project root::

    python benchmarks/grid.py            # about half a minute
    python benchmarks/grid.py --n 20000  # more matches in the batch figures

What is timed (medians over repeats; the machine is shared, so only ratios within one run count):

1. Building Dixon-Coles grids for ``n`` matches: ``poisson_grids`` (one vectorised call),
   a loop of ``ScoreGrid.from_rates``, and a loop of penaltyblog's ``create_dixon_coles_grid``
   (its default ``max_goals=15``).
2. Reading a market sheet off one grid (1X2, double chance, draw no bet, over/under 2.5 and
   2.25, BTTS, Asian handicap -0.25/-0.75/+1, top 5 scores) with both libraries, building
   the grid object from the same matrix each time.
3. 1X2 for ``n`` grids: ``outcome_probs_batch`` on the stack vs a loop of ``ScoreGrid(g).outcome_probs()``.
4. Margin removal of every Pinnacle closing 1X2 line in the mirror's football-data files
   (2012-13 .. 2024-25): ``remove_margin`` on the whole array vs penaltyblog's
   ``calculate_implied`` called once per match (on a subset, reported per market), with the
   largest probability difference between the two.

Data: ``$REMONTADA_MIRROR`` or ``../shared/data/mirror`` (only for part 4).
"""

from __future__ import annotations

import argparse
import csv
import os
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from remontada.grid import ScoreGrid, outcome_probs_batch, poisson_grids
from remontada.odds import remove_margin

RHO = -0.08


def mirror_root() -> Path:
    default = Path(__file__).resolve().parents[2] / "shared" / "data" / "mirror"
    return Path(os.environ.get("REMONTADA_MIRROR", default))


def median_seconds(fn: Callable[[], Any], repeats: int = 5) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def rates(n: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    return rng.uniform(0.5, 2.6, n), rng.uniform(0.4, 2.0, n)


def our_sheet(grid: ScoreGrid) -> list[float]:
    out = list(grid.outcome_probs())
    out += list(grid.double_chance())
    out += [grid.draw_no_bet().home, grid.p_over(2.5)]
    out += list(grid.over(2.25))
    out += [grid.btts().yes]
    for line in (-0.25, -0.75, 1.0):
        out += list(grid.asian_handicap(line))
    out += [p for _, p in grid.most_likely(5)]
    return out


def peer_sheet(grid: Any) -> list[float]:
    out = list(grid.home_draw_away)
    out += [grid.double_chance_1x, grid.double_chance_12, grid.double_chance_x2]
    out += [grid.draw_no_bet_home, grid.totals(2.5)[2]]
    out += list(grid.totals(2.25))
    out += [grid.btts_yes]
    for line in (-0.25, -0.75, 1.0):
        out += list(grid.asian_handicap_probs("home", line).values())
    scores = np.asarray(grid.grid)
    out += sorted(scores.ravel(), reverse=True)[:5]
    return out


def bench_construction(n: int, pb: Any) -> None:
    home, away = rates(n)
    loop_n = min(n, 2000)
    t_batch = median_seconds(lambda: poisson_grids(home, away, rho=RHO))
    t_loop = median_seconds(
        lambda: [ScoreGrid.from_rates(h, a, rho=RHO) for h, a in zip(home[:loop_n], away[:loop_n], strict=True)], 3
    )
    shape = poisson_grids(home, away, rho=RHO).shape
    print(f"1. Dixon-Coles grids for {n:,} matches (batch shape {shape[1]}x{shape[2]}, tail < 1e-9)")
    print(f"   poisson_grids (one call)       {n / t_batch:12,.0f} grids/s")
    speedup = t_loop / loop_n * n / t_batch
    print(f"   ScoreGrid.from_rates loop      {loop_n / t_loop:12,.0f} grids/s  (batch is {speedup:,.0f}x)")
    if pb is not None:
        t_peer = median_seconds(
            lambda: [
                pb.create_dixon_coles_grid(h, a, rho=RHO) for h, a in zip(home[:loop_n], away[:loop_n], strict=True)
            ],
            3,
        )
        print(
            f"   penaltyblog create_dixon_coles_grid loop {loop_n / t_peer:6,.0f} grids/s  "
            f"(poisson_grids is {t_peer / loop_n * n / t_batch:,.0f}x, from_rates loop is {t_peer / t_loop:.2f}x)"
        )


def bench_markets(pb: Any) -> None:
    matrix = ScoreGrid.from_rates(1.6, 1.1).probs  # rho = 0: the libraries' Dixon-Coles conventions differ
    reps = 300
    # A fresh grid object per sheet on both sides, so neither library's caching flatters it.
    t_ours = median_seconds(lambda: [our_sheet(ScoreGrid(matrix)) for _ in range(reps)]) / reps
    print(f"2. market sheet of 30 numbers from one grid ({matrix.shape[0]}x{matrix.shape[1]}), fresh grid object")
    print(f"   remontada ScoreGrid            {1 / t_ours:12,.0f} sheets/s")
    if pb is not None:
        grid_class = pb.FootballProbabilityGrid
        t_peer = median_seconds(lambda: [peer_sheet(grid_class(matrix, 1.6, 1.1)) for _ in range(reps)]) / reps
        print(f"   penaltyblog FootballProbabilityGrid {1 / t_peer:7,.0f} sheets/s  (ours {t_peer / t_ours:.2f}x)")
        diff = np.abs(
            np.array(our_sheet(ScoreGrid(matrix))[:8]) - np.array(peer_sheet(grid_class(matrix, 1.6, 1.1))[:8])
        )
        print(f"   max |difference| over 1X2, double chance, DNB, over 2.5: {diff.max():.1e}")


def bench_batch_outcomes(n: int) -> None:
    home, away = rates(n, seed=11)
    stack = poisson_grids(home, away, rho=RHO)
    loop_n = min(n, 2000)
    t_batch = median_seconds(lambda: outcome_probs_batch(stack))
    t_loop = median_seconds(lambda: [ScoreGrid(g).outcome_probs() for g in stack[:loop_n]], 3)
    print(f"3. 1X2 of {n:,} grids already in an (n, H, A) array")
    print(f"   outcome_probs_batch            {n / t_batch:12,.0f} grids/s")
    print(
        f"   ScoreGrid(g).outcome_probs() loop {loop_n / t_loop:9,.0f} grids/s  "
        f"(batch is {t_loop / loop_n * n / t_batch:,.0f}x)"
    )


def pinnacle_closing(root: Path) -> np.ndarray:
    odds = []
    base = root / "football-data.co.uk" / "mmz4281"
    for season in sorted(p for p in base.iterdir() if p.is_dir() and "1213" <= p.name <= "2425"):
        for path in sorted(season.glob("*.csv")):
            with path.open(newline="", encoding="latin-1") as handle:
                for row in csv.DictReader(handle):
                    try:
                        prices = [float(row["PSCH"]), float(row["PSCD"]), float(row["PSCA"])]
                    except (KeyError, TypeError, ValueError):
                        continue
                    if all(np.isfinite(prices)) and min(prices) > 1.0:
                        odds.append(prices)
    return np.array(odds)


def bench_margins(root: Path, implied: Any) -> None:
    odds = pinnacle_closing(root)
    n = len(odds)
    print(f"4. margin removal of {n:,} Pinnacle closing 1X2 markets (football-data 2012-13 .. 2024-25)")
    subset = odds[:1000]
    for method in ("multiplicative", "power", "shin", "odds_ratio"):
        t_ours = median_seconds(lambda m=method: remove_margin(odds, m), 3)
        line = f"   {method:15s} remove_margin {n / t_ours:12,.0f} markets/s"
        if implied is not None:
            t_peer = median_seconds(lambda m=method: [implied.calculate_implied(list(o), method=m) for o in subset], 1)
            peer = np.array([implied.calculate_implied(list(o), method=method).probabilities for o in subset])
            diff = np.abs(remove_margin(subset, method) - peer).max()
            speedup = t_peer / len(subset) * n / t_ours
            line += f" | penaltyblog {len(subset) / t_peer:9,.0f}/s ({speedup:,.0f}x) max|diff| {diff:.1e}"
        print(line)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="matches in the batch figures")
    args = parser.parse_args()
    try:
        import penaltyblog.implied as implied
        import penaltyblog.models as pb
    except ImportError:
        pb = implied = None
        print("penaltyblog not installed: peer columns skipped (pip install -e '.[bench]')")
    bench_construction(args.n, pb)
    bench_markets(pb)
    bench_batch_outcomes(args.n)
    root = mirror_root()
    if root.is_dir():
        bench_margins(root, implied)
    else:
        print(f"4. skipped: no mirror at {root}")


if __name__ == "__main__":
    main()
