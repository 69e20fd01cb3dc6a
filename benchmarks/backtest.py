"""Walk-forward backtest of remontada's models against the market and penaltyblog on one league.

Reads the football-data.co.uk files of the offline mirror (English tiers 1-5 for England,
the league and its second tier elsewhere), walks forward week by week and prints RPS, log
loss and Brier per forecaster on exactly the same matches, with the wall time of each.

    python benchmarks/backtest.py                       # EPL, report 2016-17..2022-23
    python benchmarks/backtest.py --league ger.1 --no-penaltyblog

Pools learn their weights from their own out-of-sample forecasts since ``--learn-from``
(default 2012-13, the first season with Pinnacle prices); only ``--first``..``--last`` are
reported. Hyperparameters were tuned on seasons up to 2015-16.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.matchsets import football_data_matches  # noqa: E402

from remontada import backtest as bt  # noqa: E402
from remontada.models.blend import LogitPool  # noqa: E402
from remontada.models.elo import Elo  # noqa: E402
from remontada.models.goals import DixonColes  # noqa: E402
from remontada.sources.football_data import DIVISIONS  # noqa: E402

#: Tuned on 2011-12..2015-16 (top five leagues): margin-proportional ClubElo with a smaller K.
ELO_PARAMS = {"k": 13.0, "goal_diff_exponent": 1.0}
ELO_SOT_PARAMS = {"k": 16.0, "goal_diff_exponent": 0.5, "evidence": "shots_on_target"}
#: Margin removal for closing prices, chosen on 2012-13..2015-16 (all four methods within 1e-5 RPS).
DEMARGIN = "odds_ratio"


def seasons(first: int, last: int) -> tuple[str, ...]:
    return tuple(f"{y}-{(y + 1) % 100:02d}" for y in range(first, last + 1))


def divisions_for(league: str) -> tuple[str, ...]:
    country = DIVISIONS_BY_COMPETITION[league][1]
    return tuple(code for code, (_, c) in DIVISIONS.items() if c == country)


DIVISIONS_BY_COMPETITION = {comp: (code, country) for code, (comp, country) in DIVISIONS.items()}


def forecasters(league: str, domestic: list[str], penaltyblog: bool) -> list[bt.Forecaster]:
    def elo() -> bt.ModelForecaster:
        return bt.ModelForecaster("elo", lambda: Elo(**ELO_PARAMS))

    def dixon_coles() -> bt.ModelForecaster:
        return bt.ModelForecaster("dixon-coles", lambda: DixonColes(window_days=3 * 365), competitions=domestic)

    def pinnacle_pre() -> bt.MarketForecaster:
        return bt.MarketForecaster("pinnacle-pre-match", ("psh", "psd", "psa"), DEMARGIN)

    def elo_sot() -> bt.ModelForecaster:
        return bt.ModelForecaster("elo-sot", lambda: Elo(**ELO_SOT_PARAMS))

    goal_elo, shot_elo, dc = (bt.SharedForecaster(f) for f in (elo(), elo_sot(), dixon_coles()))
    out: list[bt.Forecaster] = [
        goal_elo,
        shot_elo,
        dc,
        bt.PooledForecaster("pool:elo+elo-sot+dc", [goal_elo, shot_elo, dc], LogitPool),
        bt.PooledForecaster(
            "pool:elo+elo-sot+dc+pinnacle-pre [market]", [goal_elo, shot_elo, dc, pinnacle_pre()], LogitPool
        ),
        bt.MarketForecaster("pinnacle-closing [market]", ("psch", "pscd", "psca"), DEMARGIN),
        bt.MarketForecaster("market-avg-closing [market]", ("avgch", "avgcd", "avgca"), DEMARGIN),
        bt.MarketForecaster("pinnacle-pre-match [market]", ("psh", "psd", "psa"), DEMARGIN),
        bt.ClimatologyForecaster(),
    ]
    if penaltyblog:
        top_two = [c for c in domestic if c.endswith((".1", ".2"))]
        peer = bt.penaltyblog_forecaster(competitions=top_two)
        if peer is None:
            print("penaltyblog is not installed: skipping the peer (pip install penaltyblog)")
        else:
            out.append(peer)
    return out


def table(summary: pd.DataFrame) -> str:
    scores = {col: "{:.4f}".format for col in ("rps", "log_loss", "brier")}
    return summary.to_string(index=False, formatters={**scores, "seconds": "{:.0f}".format})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=ROOT.parent / "shared" / "data" / "mirror")
    parser.add_argument("--league", default="eng.1")
    parser.add_argument("--history-from", type=int, default=2005, help="first season of training data")
    parser.add_argument("--learn-from", type=int, default=2012)
    parser.add_argument("--first", type=int, default=2016)
    parser.add_argument("--last", type=int, default=2022)
    parser.add_argument("--step-days", type=int, default=7)
    parser.add_argument("--no-penaltyblog", action="store_true")
    parser.add_argument("--calibration-png", type=Path, default=None)
    args = parser.parse_args()

    began = time.perf_counter()
    divisions = divisions_for(args.league)
    matches = football_data_matches(args.mirror, divisions, seasons(args.history_from, args.last))
    domestic = sorted({DIVISIONS[d][0] for d in divisions})
    print(f"loaded {len(matches):,} matches of {', '.join(divisions)} in {time.perf_counter() - began:.0f}s")

    season = matches.season
    evaluate = (matches.competition == args.league) & (season >= seasons(args.learn_from, args.learn_from)[0])
    evaluate &= season <= seasons(args.last, args.last)[0]
    began = time.perf_counter()
    result = bt.walk_forward(
        matches, evaluate, forecasters(args.league, domestic, not args.no_penaltyblog), step_days=args.step_days
    )
    print(f"walk-forward over {int(evaluate.sum()):,} matches took {time.perf_counter() - began:.0f}s")

    result = result.subset(result.fixtures.season >= seasons(args.first, args.first)[0])
    pd.set_option("display.width", 200)
    print(f"\n{args.league} {seasons(args.first, args.first)[0]}..{seasons(args.last, args.last)[0]} (lower is better)")
    print(table(result.summary()))
    partial = [n for n, p in result.probs.items() if np.isfinite(p).all(axis=1).mean() < 0.99]
    for name in partial:
        names = [name, *[n for n in result.probs if n not in partial]]
        print(f"\non the {int(result.covered(names).sum())} matches {name} priced:")
        print(table(result.summary(names=names)))
    if args.calibration_png:
        print(f"\ncalibration diagram: {result.plot_calibration(args.calibration_png)}")


if __name__ == "__main__":
    main()
