"""A killed or interrupted update leaves no process behind, no lock held and a store that updates again.

The update runs as ``remontada update`` in a subprocess over the football-data.co.uk part of the
mirror (652 files: enough for the forked parse workers to start and be busy when the signal lands).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from remontada.ingest.interrupt import InterruptedAfterCommit, InterruptWatch
from remontada.ingest.locking import WriteLock
from remontada.ingest.update import update
from remontada.sources.football_data import FootballData

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")


def children(pid: int) -> set[int]:
    """Live processes whose parent is ``pid`` (from /proc)."""
    found = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[1]) == pid and fields[0] != "Z":
                found.add(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def start_update(mirror: Path, store: Path, after: float = 1.5) -> tuple[subprocess.Popen[str], set[int]]:
    """Start a CLI update; return it ``after`` seconds after its parse workers run and the build has begun."""
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1] / "src")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from remontada.cli import main; main()", "update", "--source", "football-data",
         "--mirror", str(mirror), "--store", str(store)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    workers: set[int] = set()
    while time.monotonic() < deadline and proc.poll() is None:
        workers = children(proc.pid)
        if workers and Path(str(store) + ".building").exists():
            time.sleep(after)  # 1.5 s: well into parsing
            return proc, children(proc.pid) | workers
        time.sleep(0.1)
    proc.kill()
    pytest.fail(f"the update never started its workers: {proc.communicate()}")


def assert_store_works_again(mirror: Path, store: Path) -> None:
    with WriteLock(store, timeout=2):  # the lock is free at once
        pass
    report = update(store, mirror=str(mirror), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])])
    assert report.committed and report.errors == [] and report.rebuild is not None
    assert report.rebuild.matches == 380


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGTERM], ids=["kill-9", "sigterm"])
def test_a_killed_update_leaves_no_orphan_worker_and_no_lock(mirror: Path, tmp_path: Path, sig: int) -> None:
    store = tmp_path / "store.duckdb"
    proc, workers = start_update(mirror, store)
    assert workers, "the update forked no parse workers"
    os.kill(proc.pid, sig)
    proc.communicate(timeout=30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(map(alive, workers)):
        time.sleep(0.1)
    assert [w for w in workers if alive(w)] == []
    assert_store_works_again(mirror, store)


@pytest.mark.parametrize("after", [0.0, 1.5], ids=["as-parsing-starts", "well-into-parsing"])
def test_ctrl_c_ends_an_update_with_one_line_and_no_traceback(mirror: Path, tmp_path: Path, after: float) -> None:
    store = tmp_path / "store.duckdb"
    proc, workers = start_update(mirror, store, after)
    os.kill(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    assert [w for w in workers if alive(w)] == []
    assert not store.exists() and not Path(str(store) + ".building").exists()  # as it was: no store yet
    assert_store_works_again(mirror, store)


def _interrupt_a_duckdb_query(watch: InterruptWatch) -> None:
    """Send this process SIGINT while a DuckDB query runs, as Ctrl-C would."""
    con = duckdb.connect()
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    timer.start()
    try:
        con.execute("SELECT count(*) FROM range(100000000000)").fetchall()
    finally:
        timer.join()
        con.close()


def test_a_ctrl_c_that_duckdb_turns_into_an_ordinary_error_still_ends_the_update_as_an_interrupt() -> None:
    # DuckDB 2 answers the KeyboardInterrupt of a query with ``RuntimeError: Query interrupted``:
    # before the watch, the CLI called that an internal error (status 3), and a short query that
    # finished first dropped the interrupt, so the update committed and exited 0.
    with pytest.raises(KeyboardInterrupt) as raised, InterruptWatch() as watch:
        _interrupt_a_duckdb_query(watch)
    assert not isinstance(raised.value, InterruptedAfterCommit)
    assert watch.hit


def test_a_ctrl_c_after_the_final_commit_says_the_update_was_committed() -> None:
    with pytest.raises(InterruptedAfterCommit), InterruptWatch() as watch:
        watch.committed = True
        _interrupt_a_duckdb_query(watch)
