"""Full ingest of the mirror into a fresh store, and the no-change re-run.

Run from the project root::

    python benchmarks/ingest.py [--mirror ../shared/data/mirror] [--keep STORE]

Prints, for a clean store: the wall time of ``remontada update`` over every source, the raw rows
written and rows per second, how much of the time the resolved layer's rebuild (club identity,
merging the sources' rows) takes, then the time of a second ``update`` that finds every file
unchanged, and peak memory.

The peer, measured in the same run, is the least a loader can do with the same bytes:
``pandas.read_csv`` over every CSV file of the mirror (no checks, no identities, no store). The
ratio says what validation, provenance, club identity and the transactional store cost on top.
Targets from the issue: full mirror under 60 s on two cores, re-run under 5 s.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from remontada.ingest.clubs import ClubResolver
from remontada.ingest.update import update
from remontada.store import rebuild as rebuild_module
from remontada.store.rebuild import rebuild

REPO_ROOT = Path(__file__).resolve().parents[1]


def default_mirror() -> Path:
    return Path(os.environ.get("REMONTADA_MIRROR", REPO_ROOT.parent / "shared" / "data" / "mirror"))


def peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def pandas_read_every_csv(mirror: Path) -> tuple[int, int, float]:
    """(files, rows, seconds) for ``pandas.read_csv`` over every CSV of the mirror."""
    files = sorted(mirror.rglob("*.csv"))
    rows = 0
    started = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path in files:
            try:
                frame = pd.read_csv(path, encoding="latin-1", on_bad_lines="skip", low_memory=False)
            except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError):
                continue
            rows += len(frame)
    return len(files), rows, time.perf_counter() - started


#: The rebuild's steps, timed one by one (by wrapping them) in the rebuild-alone run.
REBUILD_STEPS = (
    "_write_competitions", "_appearances", "_mentions", "_fixture_links", "_write_clubs", "_write_matches",
    "_write_external", "_write_goals", "_split_extra_time", "_write_events", "_apply_shootouts",
)  # fmt: skip


@contextlib.contextmanager
def timed_rebuild_steps() -> Iterator[dict[str, float]]:
    """Seconds per rebuild step (club resolution as ``resolve``) while the block runs."""
    seconds: dict[str, float] = {}

    def timed(name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                seconds[name] = seconds.get(name, 0.0) + time.perf_counter() - started

        return run

    originals = {name: getattr(rebuild_module, name) for name in REBUILD_STEPS if hasattr(rebuild_module, name)}
    resolve = ClubResolver.resolve
    for name, fn in originals.items():
        setattr(rebuild_module, name, timed(name, fn))
    ClubResolver.resolve = timed("resolve", resolve)  # type: ignore[method-assign]
    try:
        yield seconds
    finally:
        for name, fn in originals.items():
            setattr(rebuild_module, name, fn)
        ClubResolver.resolve = resolve  # type: ignore[method-assign]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mirror", type=Path, default=default_mirror())
    parser.add_argument("--keep", type=Path, help="build the store here and keep it (default: a temporary file)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.keep or Path(tmp) / "remontada.duckdb"
        if path.exists():
            raise SystemExit(f"{path} exists: the benchmark needs a clean store")
        print(f"mirror {args.mirror}, store {path}, {os.cpu_count()} cpus")

        first = update(path, mirror=str(args.mirror))
        if first.errors or not first.committed or first.rebuild is None:
            raise SystemExit("the full ingest failed:\n" + "\n".join(first.errors[:20]))
        raw_rows = first.rebuild.raw_rows
        print(
            f"full ingest: {first.seconds:.1f} s for {first.ingested:,} files, {raw_rows:,} raw match rows "
            f"-> {raw_rows / first.seconds:,.0f} rows/s; resolved: {first.rebuild.matches:,} matches, "
            f"{first.rebuild.clubs:,} clubs (target: under 60 s)"
        )

        # the rebuild alone, inside a transaction that is rolled back
        con = duckdb.connect(str(path))
        try:
            con.execute("BEGIN")
            with timed_rebuild_steps() as steps:
                started = time.perf_counter()
                rebuild(con)
                rebuild_seconds = time.perf_counter() - started
            con.execute("ROLLBACK")
        finally:
            con.close()
        print(
            f"  of which the resolved layer's rebuild (club identity, merge): {rebuild_seconds:.1f} s; "
            f"download, parse and raw writes: {first.seconds - rebuild_seconds:.1f} s"
        )
        print("  rebuild steps: " + ", ".join(f"{name.strip('_')} {sec:.1f} s" for name, sec in steps.items()))

        second = update(path, mirror=str(args.mirror))
        print(
            f"no-change re-run: {second.seconds:.2f} s, {second.unchanged:,} files unchanged, "
            f"{second.ingested} ingested, rebuild {'skipped' if second.rebuild is None else 'ran'} (target: under 5 s)"
        )

        files, rows, seconds = pandas_read_every_csv(args.mirror)
        print(
            f"peer: pandas.read_csv over the mirror's {files:,} CSV files: {seconds:.1f} s, {rows:,} rows "
            f"-> {rows / seconds:,.0f} rows/s"
        )
        print(f"  ratio full ingest / pandas read: {first.seconds / seconds:.1f}x the time")
        print(f"peak RSS: {peak_rss_mib():,.0f} MiB")


if __name__ == "__main__":
    main()
