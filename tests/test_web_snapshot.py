"""The server's snapshots of the store: private copies, refreshed only between writes, deleted when unused."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from remontada.store.reader import Store
from remontada.web.snapshot import Retired, StoreSnapshots


def write_stamp(path: Path, stamp: str) -> None:
    """What an update does last: commit its ``last_update`` stamp (here in a store with no matches)."""
    with Store(path, read_only=False) as store:
        store.con.execute("INSERT OR REPLACE INTO meta VALUES ('last_update', ?)", [stamp])


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "store.duckdb"
    write_stamp(path, "2024-04-18T00:00:00+00:00")
    return path


def test_requests_read_a_private_copy_that_is_deleted_when_the_server_stops(store: Path) -> None:
    snapshots = StoreSnapshots(store, poll=60).start()
    copy = snapshots.current.path
    with snapshots.use() as st:
        assert st.path == copy != store and st.origin == store
        assert st.meta("last_update") == "2024-04-18T00:00:00+00:00"
    snapshots.close()
    assert not copy.exists() and not copy.parent.exists()


def test_a_writer_holding_the_store_keeps_the_old_snapshot_until_it_lets_go(store: Path) -> None:
    with StoreSnapshots(store, poll=60) as snapshots:
        first = snapshots.current
        writer = Store(store, read_only=False)  # an update in progress holds the file
        writer.con.execute("INSERT OR REPLACE INTO meta VALUES ('last_update', '2024-04-19T00:00:00+00:00')")
        writer.con.execute("CHECKPOINT")
        assert snapshots.refresh() is False
        assert snapshots.current is first
        with snapshots.use() as st:
            assert st.meta("last_update") == "2024-04-18T00:00:00+00:00"
        writer.close()
        assert snapshots.refresh() is True
        assert snapshots.current.generation == first.generation + 1
        with snapshots.use() as st:
            assert st.meta("last_update") == "2024-04-19T00:00:00+00:00"
        assert not first.path.exists()  # the old copy went once no request used it


def test_an_old_snapshot_lives_until_its_last_request_ends(store: Path) -> None:
    with StoreSnapshots(store, poll=60) as snapshots:
        first = snapshots.current
        borrowed = first.acquire()  # a request still reading the old store
        write_stamp(store, "2024-04-20T00:00:00+00:00")
        assert snapshots.refresh() is True and snapshots.current is not first
        assert first.path.exists() and borrowed.meta("last_update") == "2024-04-18T00:00:00+00:00"
        with pytest.raises(Retired):  # a new request borrows from the new snapshot, never the old one
            first.acquire()
        with snapshots.borrow() as (snapshot, st):
            assert snapshot is snapshots.current and st.meta("last_update") == "2024-04-20T00:00:00+00:00"
        first.release(borrowed)
        assert not first.path.exists()


def test_an_unchanged_store_is_not_copied_again(store: Path) -> None:
    with StoreSnapshots(store, poll=60) as snapshots:
        first = snapshots.current
        assert snapshots.refresh() is True and snapshots.current is first


def test_snapshots_of_a_killed_server_are_removed_by_the_next(store: Path) -> None:
    dead = 2**22 + 12345  # above Linux's default pid_max: no such process
    with pytest.raises(ProcessLookupError):
        os.kill(dead, 0)
    orphan = Path(tempfile.mkdtemp(prefix=f"remontada-serve-{dead}-"))
    (orphan / "store-1.duckdb").write_bytes(b"left behind")
    with StoreSnapshots(store, poll=60):
        assert not orphan.exists()


def test_a_missing_store_is_a_clear_error(tmp_path: Path) -> None:
    from remontada.errors import StoreError

    with pytest.raises(StoreError, match="remontada update"):
        StoreSnapshots(tmp_path / "nothing.duckdb").start()
