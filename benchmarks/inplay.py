"""Latency of the in-play model: one live state, a live tie, the comeback curve; against simulation.

Run: ``python benchmarks/inplay.py [--repeats 7] [--calls 200] [--sims 100000]``

Prints the best-of-repeats time per call in milliseconds for: the goals still to come at 60'
and from kick-off, a live second-leg forecast (remaining grid, extra-time grid and the exact
tie engine) at 60' and from kick-off, and the whole comeback curve (one backward pass). A
model keeps the extra-time grids it built (they do not change with the minute or the score);
one entry times the live forecast with a fresh model, i.e. with the extra-time grid rebuilt. The
peer is the usual way to get state-dependent in-play probabilities: simulate the match minute
by minute with the same rates (numpy, vectorised over simulations, seeded); its time and its
error against the exact chain are printed with the ratio. The constant-rate placeholder of the
tie engine is timed too, and a numpy ``sum`` of a 16 x 12 array as a yardstick of machine load.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import numpy as np

from remontada.inplay.comeback import LiveSecondLeg
from remontada.inplay.model import (
    GoalHistory,
    InplayModel,
    InplayParams,
    MatchClock,
    clock_position,
    regular_steps,
    second_leg_lead,
)
from remontada.penalties import ShootoutModel
from remontada.rules import rules_for
from remontada.ties.engine import forecast_live, forecast_live_from_rates, remaining_grid
from timing import best_seconds_per_call

# Atalanta v Liverpool, 18 April 2024 (Liverpool lost the first leg 0-3 at home)
RATES = (1.3697, 1.8119)
FIRST_LEG = (0, 3)


def best_milliseconds(call: Callable[[], object], calls: int, repeats: int) -> float:
    return best_seconds_per_call(call, calls, repeats) * 1e3


def simulate_p_liverpool(params: InplayParams, minute: float, score: tuple[int, int], n: int, seed: int) -> float:
    """P(Liverpool through after 90 minutes or later) by simulating the rest of the leg step by step."""
    rng = np.random.default_rng(seed)
    start, duration, log_rate = regular_steps(params)
    position = clock_position(params, MatchClock(minute))
    first = int(np.searchsorted(start + duration, position, side="right"))
    duration = duration.copy()
    duration[first] = start[first] + duration[first] - position  # only the part of the step still to play
    atalanta = np.full(n, score[0])
    liverpool = np.full(n, score[1])
    lead_rule = second_leg_lead(FIRST_LEG, (0, 0), away_goals=False)
    for k in range(first, len(start)):
        late = start[k] >= 45.0 + params.first_half_added - 1e-9
        added = start[k] >= 90.0 + params.first_half_added - 1e-9  # second-half added time
        home_lead = np.asarray(params.home_lead_added if added else params.home_lead_late if late else params.home_lead)
        away_lead = np.asarray(params.away_lead_added if added else params.away_lead_late if late else params.away_lead)
        lead = np.clip(lead_rule(atalanta, liverpool), -2, 2) + 2
        scale = np.exp(log_rate[k]) * duration[k] / 90.0
        atalanta += rng.poisson(RATES[0] * scale * np.exp(home_lead[lead]))
        liverpool += rng.poisson(RATES[1] * scale * np.exp(away_lead[4 - lead]))
    margin = (FIRST_LEG[0] + liverpool) - (FIRST_LEG[1] + atalanta)
    # level ties: extra time and penalties, as the exact engine; simulate extra time too
    level = margin == 0
    et_level = params.second_half_level + params.second_half_slope + params.extra_time_level
    a_et = np.zeros(n, dtype=np.int64)
    l_et = np.zeros(n, dtype=np.int64)
    home_lead, away_lead = np.asarray(params.home_lead_late), np.asarray(params.away_lead_late)
    for _ in range(30):
        lead = np.clip(a_et - l_et, -2, 2) + 2
        a_et += rng.poisson(RATES[0] * np.exp(et_level) / 90.0 * np.exp(home_lead[lead])) * level
        l_et += rng.poisson(RATES[1] * np.exp(et_level) / 90.0 * np.exp(away_lead[4 - lead])) * level
    shootout = ShootoutModel().p_win(at_home=False)  # Liverpool take the shoot-out away from home
    through = (margin > 0) | (level & (l_et > a_et)) | (level & (l_et == a_et) & (rng.random(n) < shootout))
    return float(through.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--sims", type=int, default=100_000)
    args = parser.parse_args()

    model = InplayModel()
    rules = rules_for("uefa.el", "2023-24", "qf")
    tie = LiveSecondLeg(FIRST_LEG, RATES, rules, teams=("Liverpool", "Atalanta"))
    yardstick = np.ones((16, 12))

    def live(minute: float | str, score: tuple[int, int]) -> Callable[[], object]:
        return lambda: forecast_live_from_rates(
            RATES, score, minute=minute, rules=rules, first_leg=FIRST_LEG, model=model
        )

    entries: list[tuple[str, Callable[[], object]]] = [
        ("numpy sum of 16x12 (load yardstick)", yardstick.sum),
        ("goals to come at 60', 0-1", lambda: model.remaining(*RATES, minute=60, score=(0, 1))),
        (
            "the same, last goal known (7', history effects)",
            lambda: model.remaining(*RATES, minute=60, score=(0, 1), history=GoalHistory.after(7, home=False)),
        ),
        ("goals to come from kick-off", lambda: model.remaining(*RATES, minute=0)),
        ("live tie at 60', 0-1 (remaining + ET + tie)", live(60, (0, 1))),
        (
            "  the same, extra-time grid not cached",
            lambda: forecast_live_from_rates(
                RATES, (0, 1), minute=60, rules=rules, first_leg=FIRST_LEG, model=InplayModel(model.params)
            ),
        ),
        ("live tie at half-time, 0-1", live("HT", (0, 1))),
        ("live tie at kick-off", live(0, (0, 0))),
        (
            "comeback curve from 7', 0-1 (backward pass)",
            lambda: tie.comeback_curve("Liverpool", minute=7, score=(0, 1), model=model),
        ),
        (
            "placeholder: constant-rate tie at 60', 0-1",
            lambda: forecast_live(FIRST_LEG, (0, 1), remaining_grid(*RATES, 60), minute=60, rules=rules),
        ),
    ]
    print(f"{'in-play call':<48} {'ms/call':>9}")
    for name, call in entries:
        calls = args.calls * 50 if name.startswith("numpy") else args.calls
        print(f"{name:<48} {best_milliseconds(call, calls, args.repeats):>9.3f}")

    exact_ms = best_milliseconds(live(60, (0, 1)), args.calls, args.repeats)
    exact = forecast_live_from_rates(RATES, (0, 1), minute=60, rules=rules, first_leg=FIRST_LEG, model=model).p_a
    start = time.perf_counter()
    simulated = simulate_p_liverpool(model.params, 60.0, (0, 1), args.sims, seed=1)
    sim_ms = (time.perf_counter() - start) * 1e3
    standard_error = np.sqrt(exact * (1 - exact) / args.sims)
    print()
    print(f"peer: Monte Carlo of the same state-dependent process, {args.sims:,} simulated legs (numpy, seeded)")
    print(f"  exact P(Liverpool through) at 60', 0-1   {exact:.6f} in {exact_ms:.3f} ms")
    print(f"  simulated                                {simulated:.6f} in {sim_ms:,.1f} ms")
    print(f"  simulation error {simulated - exact:+.6f} (standard error {standard_error:.6f})")
    print(f"  ratio simulated/exact time: {sim_ms / exact_ms:,.0f}x")


if __name__ == "__main__":
    main()
