"""Walk-forward backtest of every model against the closing line and penaltyblog, league by league.

Runs the standard line-up of :mod:`remontada.evaluation.suite` on a store built from the mirror
(``remontada update --mirror ../shared/data/mirror``) and prints, per league, RPS, log loss and
Brier of every forecaster on exactly the same matches, with the wall time each took (penaltyblog
is measured in the same run).

    python benchmarks/backtest.py                                 # top five leagues, 2016-17..2022-23
    python benchmarks/backtest.py --league "Premier League" --no-penaltyblog --json out.json
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from remontada.evaluation import suite as backtest_suite
from remontada.paths import default_store_path
from remontada.store.reader import Store

TOP_FIVE = ("Premier League", "La Liga", "Bundesliga", "Serie A", "Ligue 1")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--league", action="append", help="repeatable; default: the top five leagues")
    parser.add_argument("--seasons", default="2016-17..2022-23")
    parser.add_argument("--no-penaltyblog", action="store_true")
    parser.add_argument("--plot-dir", type=Path, default=None, help="write one calibration PNG per league here")
    parser.add_argument("--json", type=Path, default=None, help="write every table here")
    args = parser.parse_args()

    tables: dict[str, object] = {}
    with Store(args.store) as store:
        for league in args.league or TOP_FIVE:
            began = time.perf_counter()
            result = backtest_suite.run(store, league, args.seasons, penaltyblog=not args.no_penaltyblog,
                                        progress=False)  # fmt: skip
            summary = result.summary()
            print(f"\n{league} {args.seasons}: {summary['matches'].iloc[0]} matches, "
                  f"{time.perf_counter() - began:.0f} s (lower is better)")  # fmt: skip
            print(summary.to_string(index=False, float_format="{:.4f}".format))
            tables[league] = {"summary": summary.to_dict(orient="records")}
            for name, probs in result.probs.items():
                if name in set(summary["forecaster"]) or not np.isfinite(probs).all(axis=1).any():
                    continue
                part = result.summary(names=[name, *summary["forecaster"]])
                print(f"  on the {part['matches'].iloc[0]} matches {name} priced:")
                print(part.to_string(index=False, float_format="{:.4f}".format))
                tables[league][name] = part.to_dict(orient="records")  # type: ignore[index]
            if args.plot_dir is not None:
                slug = league.lower().replace(" ", "-")
                path = result.plot_calibration(args.plot_dir / f"calibration-{slug}.png",
                                               title=f"{league} {args.seasons}")  # fmt: skip
                print(f"  calibration diagram: {path}")
    if args.json is not None:
        args.json.write_text(json.dumps(tables, indent=2, default=str))


if __name__ == "__main__":
    main()
