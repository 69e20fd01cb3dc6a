"""A ``--force`` update leaves the store file the size of its data, not twice it (143 MB grew to 272 MB)."""

from __future__ import annotations

from pathlib import Path

from remontada.ingest.update import update
from remontada.store.db import wasted_fraction
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
