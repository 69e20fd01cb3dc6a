"""Several server processes, each with a listening socket of its own (``SO_REUSEPORT``).

uvicorn's ``--workers`` has its children accept from one shared socket: whichever is idle when a
burst of connections arrives takes most of them, and with keep-alive clients a connection stays
with the process that accepted it, so one worker ends up with far more clients than the other
and the slowest answers are its. With ``SO_REUSEPORT`` (Linux) every worker binds the same
address with a queue of its own and the kernel spreads new connections over the queues by a hash
of their addresses. :func:`run_workers` forks the workers (the web stack imported once), restarts one
that dies, and stops them all on SIGINT or SIGTERM; elsewhere uvicorn's own supervisor is used.
"""

from __future__ import annotations

import signal
import socket
import sys
import time
from typing import Any

#: A worker that dies this soon after it started, this many times in a row, stops the server.
QUICK_DEATH_SECONDS = 10.0
QUICK_DEATHS = 3


def reuseport_available() -> bool:
    """Whether the kernel spreads connections over sockets bound with ``SO_REUSEPORT`` (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def access_log(log_level: str) -> bool:
    """Whether uvicorn writes a line per request: only at a level that shows them (info, debug, trace).
    Below it uvicorn would still build and drop each line (a few per cent of a warm answer's CPU)."""
    return log_level.lower() in {"info", "debug", "trace"}


def listening_socket(host: str, port: int, *, backlog: int = 2048) -> socket.socket:
    """A TCP socket listening on ``host:port`` that other processes may bind too (``SO_REUSEPORT``)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    sock.listen(backlog)
    return sock


def _worker(app: str, host: str, port: int, log_level: str) -> None:
    import uvicorn

    # forked from the supervisor: its handlers are not this worker's (uvicorn installs its own once it runs)
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    sock = listening_socket(host, port)
    config = uvicorn.Config(app, factory=True, host=host, port=port, log_level=log_level,
                            access_log=access_log(log_level))
    uvicorn.Server(config).run(sockets=[sock])


def run_workers(app: str, *, host: str, port: int, workers: int, log_level: str = "info") -> None:
    """Serve ``app`` (an import string of an app factory) from ``workers`` processes on ``host:port``.

    The address is tried first in this process, so a port already taken is an ``OSError`` here
    rather than a worker dying at start. Returns once every worker has stopped.
    """
    import importlib
    import multiprocessing

    listening_socket(host, port).close()
    # the web stack imported once, here, and forked: each worker starts by copying the store, not by importing
    # FastAPI again (a second sooner); this process has no threads of its own to fork
    importlib.import_module(app.partition(":")[0])
    context = multiprocessing.get_context("fork")
    procs: list[Any] = []
    started: list[float] = []
    stopping = False

    def start(i: int) -> None:
        proc = context.Process(target=_worker, args=(app, host, port, log_level), name=f"remontada-worker-{i}")
        proc.start()
        if i < len(procs):
            procs[i], started[i] = proc, time.monotonic()
        else:
            procs.append(proc)
            started.append(time.monotonic())

    def stop(signum: int, _frame: Any) -> None:
        nonlocal stopping
        stopping = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    quick_deaths = 0
    try:
        for i in range(workers):
            start(i)
        while not stopping:
            time.sleep(0.2)
            for i, proc in enumerate(procs):
                if proc.is_alive() or stopping:
                    continue
                quick = time.monotonic() - started[i] < QUICK_DEATH_SECONDS
                quick_deaths = quick_deaths + 1 if quick else 0
                if quick_deaths >= QUICK_DEATHS:
                    raise RuntimeError(f"worker {i} exited {QUICK_DEATHS} times within {QUICK_DEATH_SECONDS:.0f} s "
                                       f"of starting (last exit code {proc.exitcode}); see the log above")  # fmt: skip
                print(f"remontada: worker {i} exited (code {proc.exitcode}); starting it again", file=sys.stderr)
                start(i)
    finally:
        for proc in procs:
            if proc.is_alive():
                proc.terminate()  # uvicorn shuts down gracefully on SIGTERM
        for proc in procs:
            proc.join(timeout=30)
            if proc.is_alive():
                proc.kill()
        for sig, handler in previous.items():
            signal.signal(sig, handler)
