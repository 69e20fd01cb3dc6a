"""Shared helpers of the web tests: ``remontada serve`` started as a real process on a free port."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.conftest import REPO_ROOT, mirror_root

#: Headless Chromium from Debian's ``chromium`` package (no browser download by Playwright).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]  # fmt: skip
#: The article that motivated remontada: Klopp before Atalanta v Liverpool, 17 April 2024
#: (``../shared/examples/``, beside the mirror's ``../shared/data/``).
ARTICLE = mirror_root().parents[1] / "examples" / "atalanta-liverpool-2024-04-17.txt"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def running_server(
    store: Path, *, poll: float = 1.0, timeout: float = 60.0, workers: int = 1, port: int | None = None
) -> Iterator[str]:
    """``remontada serve --store STORE [--workers N]`` on 127.0.0.1 and a free port; yields its base URL."""
    port = free_port() if port is None else port
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src") + os.pathsep + os.environ.get("PYTHONPATH", "")}
    command = [
        sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store", str(store),
        "--port", str(port), "--poll", str(poll), "--log-level", "warning", "--workers", str(workers),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                output = process.stdout.read().decode(errors="replace") if process.stdout else ""
                raise RuntimeError(f"remontada serve exited with {process.returncode}:\n{output}")
            try:
                if httpx.get(f"{base}/api/status", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"remontada serve did not answer within {timeout:.0f} s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
