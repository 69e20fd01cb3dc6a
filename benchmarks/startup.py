"""Start-up time of the command line: ``remontada --help`` and ``import remontada``, against peers.

Run from the project root::

    python benchmarks/startup.py            # about 15 seconds
    python benchmarks/startup.py --runs 30

Each command is started ``--runs`` times as a fresh process, in turn with the others (so load
from the other sessions on this shared machine falls on all of them alike); the best and the
median wall time are printed, with the ratio of each median to the median of the peers
measured in the same run:

* ``python -c pass`` — the interpreter alone, the floor for any Python command line;
* ``python -c "import typer.rich_utils"`` — typer with its rich help renderer, which every
  ``--help`` of a typer application loads: the floor for this command line as built;
* ``python -c "import pandas"`` — one heavy import, for scale (remontada --help used to load
  pandas, scipy and duckdb).

``remontada --help`` runs the installed console script's code (``from remontada.cli import
main``) with this checkout's ``src`` first on ``PYTHONPATH``, so the figure is this code's;
``--baseline ../main/src`` times another checkout's the same way, in the same run. It also
lists the heavy packages that ``import remontada.cli`` loads (none is the goal).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("numpy", "pandas", "scipy", "duckdb", "matplotlib", "sklearn")

#: What the installed ``remontada`` console script runs.
SCRIPT = "import sys; from remontada.cli import main; sys.exit(main())"

COMMANDS: dict[str, list[str]] = {
    "remontada --help": [sys.executable, "-c", SCRIPT, "--help"],
    "import remontada": [sys.executable, "-c", "import remontada"],
    "import remontada.cli": [sys.executable, "-c", "import remontada.cli"],
    "peer: python -c pass": [sys.executable, "-c", "pass"],
    "peer: import typer.rich_utils": [sys.executable, "-c", "import typer.rich_utils"],
    "peer: import pandas": [sys.executable, "-c", "import pandas"],
}


def _environment(src: Path = ROOT / "src") -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(src), env.get("PYTHONPATH")) if p)
    env["COLUMNS"] = "80"
    return env


def time_commands(runs: int, baselines: list[Path] | None = None) -> dict[str, list[float]]:
    """Wall seconds of each command, ``runs`` fresh processes each, interleaved; one warm-up each.

    ``baselines``: other checkouts' ``src`` directories, whose ``remontada --help`` is timed alongside.
    """
    commands = {name: (argv, _environment()) for name, argv in COMMANDS.items()}
    for n, baseline in enumerate(baselines or [], 1):
        commands[f"baseline {n}: remontada --help"] = (COMMANDS["remontada --help"], _environment(baseline))
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs + 1):
        for name, (argv, env) in commands.items():
            start = time.perf_counter()
            done = subprocess.run(argv, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
            elapsed = time.perf_counter() - start
            if done.returncode != 0:
                raise SystemExit(f"{name} failed: {done.stderr.decode()[-500:]}")
            times[name].append(elapsed)
    return {name: t[1:] for name, t in times.items()}  # drop the warm-up (cold file cache)


def heavy_modules_loaded(module: str) -> list[str]:
    """The heavy packages that importing ``module`` loads."""
    code = f"import sys, {module}; print(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    out = subprocess.run([sys.executable, "-c", code], env=_environment(), capture_output=True, text=True, check=True)
    return [m for m in out.stdout.split() if m in HEAVY]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=15, help="fresh processes per command")
    parser.add_argument(
        "--baseline", type=Path, action="append", help="another checkout's src directory to time alongside (repeatable)"
    )
    args = parser.parse_args()
    times = time_commands(args.runs, args.baseline)
    for n, baseline in enumerate(args.baseline or [], 1):
        print(f"baseline {n}: {baseline}")
    peer = statistics.median(times["peer: python -c pass"])
    floor = statistics.median(times["peer: import typer.rich_utils"])
    print(f"{args.runs} runs each, interleaved; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs\n")
    print(f"{'command':32s} {'best s':>7s} {'median s':>9s} {'/ python':>9s} {'/ typer+rich':>13s}")
    for name, values in times.items():
        median = statistics.median(values)
        print(f"{name:32s} {min(values):7.3f} {median:9.3f} {median / peer:8.1f}x {median / floor:12.2f}x")
    for module in ("remontada.cli", "remontada"):
        print(f"heavy packages loaded by `import {module}`:", ", ".join(heavy_modules_loaded(module)) or "none")


if __name__ == "__main__":
    main()
