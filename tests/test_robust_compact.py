"""A ``--force`` update leaves the store file the size of its data, not twice it (143 MB grew to 272 MB)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from remontada.ingest.update import update
from remontada.store.db import compact, wasted_fraction
from tests.store_support import slice_sources, store_rows


def counts(store: Path) -> dict[str, int]:
    return {table: len(rows) for table, rows in store_rows(store).items()}


def test_forced_updates_do_not_grow_the_store_file(mirror: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    assert update(store, mirror=str(mirror), sources=slice_sources()).committed
    size, before = store.stat().st_size, counts(store)
    for _ in range(2):
        report = update(store, mirror=str(mirror), sources=slice_sources(), force=True)
        assert report.committed and report.errors == []
    assert store.stat().st_size <= 1.25 * size
    assert wasted_fraction(store) <= 0.25
    assert counts(store) == before  # raw ids are new, every row is there once
    assert not (tmp_path / "store.duckdb.compact").exists()


def test_a_store_another_process_has_open_is_left_uncompacted_and_the_update_stands(
    mirror: Path, tmp_path: Path
) -> None:
    """A `remontada serve` copying the store holds DuckDB's shared lock: compaction waits for the next update."""
    store = tmp_path / "store.duckdb"
    assert update(store, mirror=str(mirror), sources=slice_sources()).committed
    before = counts(store)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1], read_only=True); "
         "print('open', flush=True); time.sleep(60)", str(store)],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        content = store.read_bytes()
        assert compact(store) is False
        assert store.read_bytes() == content and not (tmp_path / "store.duckdb.compact").exists()
    finally:
        holder.kill()
        holder.wait()
    assert counts(store) == before
