"""``remontada serve --workers N``: every worker listens on a socket of its own (``SO_REUSEPORT``), so the
kernel spreads the connections over them, and stopping the server stops every worker."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from remontada.web.workers import access_log, listening_socket, reuseport_available
from tests.conftest import REPO_ROOT
from tests.web_support import free_port, running_server

pytestmark = pytest.mark.skipif(not reuseport_available(), reason="SO_REUSEPORT spreads connections on Linux only")


def listening_on(port: int) -> int:
    """How many TCP sockets listen on ``port`` (``/proc/net/tcp``: state 0A is LISTEN)."""
    count = 0
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if not os.path.exists(table):
            continue
        with open(table) as rows:
            next(rows)
            for row in rows:
                fields = row.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                    count += 1
    return count


def children(pid: int) -> list[int]:
    """The processes whose parent is ``pid``."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as stat:
                    if int(stat.read().rsplit(")", 1)[1].split()[1]) == pid:
                        out.append(int(entry))
            except OSError:
                continue
    return out


def test_two_sockets_may_listen_on_one_port() -> None:
    port = free_port()
    first = listening_socket("127.0.0.1", port)
    second = listening_socket("127.0.0.1", port)
    try:
        assert listening_on(port) == 2
    finally:
        first.close()
        second.close()


def test_access_lines_are_written_only_at_a_level_that_shows_them() -> None:
    assert access_log("info") and access_log("DEBUG") and access_log("trace")
    assert not access_log("warning") and not access_log("error") and not access_log("critical")


def test_two_workers_each_listen_and_answer_liverpool_atalanta(full_store_path: Path) -> None:
    port = free_port()
    with running_server(full_store_path, workers=2, port=port, timeout=120) as base:
        assert listening_on(port) == 2
        with httpx.Client(base_url=base, timeout=60) as client:
            # fresh connections: the kernel hands them to either worker, and both answer the same
            answers = {client.get("/api/tie", params={"home": "Liverpool", "away": "Atalanta",
                                                     "competition": "Europa League", "season": "2023-24"},
                                  headers={"Connection": "close"}).json()["answer"]["p_through"]["Liverpool"]
                       for _ in range(6)}  # fmt: skip
        assert len(answers) == 1
        assert 0.05 < answers.pop() < 0.15  # Liverpool before the second leg in Bergamo
    assert listening_on(port) == 0


def test_stopping_the_server_stops_every_worker(full_store_path: Path) -> None:
    port = free_port()
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store", str(full_store_path),
               "--port", str(port), "--workers", "2", "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while listening_on(port) < 2:
            assert server.poll() is None and time.monotonic() < deadline, "the workers never listened"
            time.sleep(0.2)
        workers = [pid for pid in children(server.pid) if os.path.exists(f"/proc/{pid}")]
        assert len(workers) >= 2
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
        time.sleep(0.5)
        assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}") and "Z" not in _state(pid)]
        assert listening_on(port) == 0
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _state(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return "gone"


def test_a_port_already_taken_is_a_clear_error(full_store_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
        done = subprocess.run([sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store",
                               str(full_store_path), "--port", str(port), "--workers", "2"],
                              env=env, capture_output=True, text=True, timeout=120)  # fmt: skip
    assert done.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in done.stderr and "Traceback" not in done.stderr


def test_a_worker_that_dies_is_started_again_and_the_server_keeps_answering(full_store_path: Path) -> None:
    port = free_port()
    with running_server(full_store_path, workers=2, port=port, timeout=120) as base:
        supervisor = next(pid for pid in _listeners_parents(port))
        workers = children(supervisor)
        os.kill(workers[0], signal.SIGKILL)
        deadline = time.monotonic() + 60
        while not (listening_on(port) == 2 and len(set(children(supervisor)) - set(workers)) == 1):
            assert time.monotonic() < deadline, "the dead worker was not started again"
            time.sleep(0.2)
        for _ in range(6):
            assert httpx.get(f"{base}/api/status", headers={"Connection": "close"}, timeout=60).status_code == 200


def _listeners_parents(port: int) -> list[int]:
    """The parents of the processes that hold a socket listening on ``port`` (the supervisor of the workers)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        if os.path.exists(table):
            with open(table) as rows:
                next(rows)
                for row in rows:
                    fields = row.split()
                    if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":
                        inodes.add(fields[9])
    parents = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            fds = os.listdir(f"/proc/{entry}/fd")
            links = {os.readlink(f"/proc/{entry}/fd/{fd}") for fd in fds}
        except OSError:
            continue
        if any(f"socket:[{inode}]" in links for inode in inodes):
            with open(f"/proc/{entry}/stat") as stat:
                parents.append(int(stat.read().rsplit(")", 1)[1].split()[1]))
    return sorted(set(parents))


def test_workers_check_the_store_as_often_as_serve_was_told(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from remontada.web.app import POLL_ENV, STORE_ENV, app_from_env

    monkeypatch.setenv(STORE_ENV, str(tmp_path / "remontada.duckdb"))
    monkeypatch.setenv(POLL_ENV, "0.2")
    assert app_from_env().state.snapshots.poll == 0.2
    monkeypatch.delenv(POLL_ENV)
    assert app_from_env().state.snapshots.poll == 1.0
