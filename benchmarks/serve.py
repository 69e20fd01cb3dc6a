"""``remontada serve`` under load: start time, first (cold) answers, warm latency and throughput, memory.

Starts the server as its own process on 127.0.0.1 over a store built from the mirror (with an empty
model cache, so the first answers fit their models), then drives it with httpx from this process:

- server start: from launching the process to the first answer of ``/api/status`` (imports and the
  private copy of the store included);
- first answers: ``/api/tie`` and ``/api/live`` for Atalanta v Liverpool, models not yet fitted;
- warm: requests per second and p50/p99 latency of ``/api/tie`` and ``/api/live`` at 1, 8 and 32
  concurrent clients, two ways: the same question again (the server's answer cache) and distinct
  questions (hypothetical first-leg scores for the tie; minute, score and red cards for live) whose
  models are fitted but whose answers are computed. Each run is bounded in requests and seconds;
- the peer: the same distinct questions asked of the library in this process (``import remontada``),
  one at a time, so the ratio says what HTTP and the server add;
- memory: the server's resident set after warm-up and its peak (VmHWM).

The httpx client runs in a process of its own (an asyncio client of 32 tasks sharing the benchmark's
process would time itself as much as the server), but it shares the machine's cores with the server:
on 2 cores the figures include its load. When Debian's ``wrk`` is installed it is a second peer: the
same question at 1, 8 and 32 connections from a client written in C (``apt-get install wrk``).

    python benchmarks/serve.py                       # the user's store
    python benchmarks/serve.py --store /work/store/base.duckdb --requests 300 --seconds 20
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import multiprocessing
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import httpx

from remontada.paths import default_store_path

TIE = {"home": "Liverpool", "away": "Atalanta", "competition": "Europa League", "season": "2023-24"}
LIVE = {"home": "Atalanta", "away": "Liverpool", "date": "2024-04-18"}
LEVELS = (1, 8, 32)
#: Targets of issue 13, on 2 cores.
TARGETS = {"live": 20.0, "tie": 50.0, "start": 3.0}


def tie_questions() -> list[dict[str, str]]:
    """Distinct tie questions: every hypothetical first-leg score up to 9-9 under two goal models."""
    return [
        {**TIE, "first_leg": f"{h}-{a}", "model": model}
        for model in ("dixon-coles", "poisson")
        for h, a in itertools.product(range(10), range(10))
    ]


def live_questions() -> list[dict[str, str]]:
    """Distinct live questions: every minute with four scores and two red-card states."""
    return [
        {**LIVE, "minute": str(m), "score": score, "red_cards": reds}
        for m in range(91)
        for score in ("0-0", "0-1", "1-1", "0-2")
        for reds in ("0-0", "1-0")
    ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def memory_mb(pid: int) -> tuple[float, float]:
    """(resident, peak resident) of process ``pid`` in MB, from /proc."""
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text().splitlines() if ":" in line)
    kb = {k: float(v.split()[0]) for k, v in fields.items() if k in ("VmRSS", "VmHWM")}
    return kb["VmRSS"] / 1024, kb["VmHWM"] / 1024


async def run(base: str, questions: Iterable[dict[str, str]], path: str, clients: int, limit: int, seconds: float
              ) -> dict[str, float]:  # fmt: skip
    """Ask ``questions`` (cycled) of ``path`` with ``clients`` at once, up to ``limit`` requests or ``seconds``."""
    todo = itertools.islice(itertools.cycle(list(questions)), limit)
    latencies: list[float] = []
    inside: list[float] = []  # the server's own time, from its Server-Timing header
    failures = 0
    deadline = time.perf_counter() + seconds
    lock = asyncio.Lock()

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal failures
        while time.perf_counter() < deadline:
            async with lock:
                params = next(todo, None)
            if params is None:
                return
            began = time.perf_counter()
            response = await client.get(path, params=params)
            latencies.append(time.perf_counter() - began)
            failures += response.status_code != 200
            timing = response.headers.get("server-timing", "")
            if "dur=" in timing:
                inside.append(float(timing.split("dur=")[1]))

    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=120) as client:
        began = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(clients)))
        wall = time.perf_counter() - began
    ms = sorted(1000 * x for x in latencies)
    own = sorted(inside) or [float("nan")]
    return {
        "requests": len(ms), "failures": failures, "rps": len(ms) / wall,
        "p50": statistics.median(ms), "p99": ms[min(len(ms) - 1, int(0.99 * len(ms)))],
        "server_p50": statistics.median(own), "server_p99": own[min(len(own) - 1, int(0.99 * len(own)))],
    }  # fmt: skip


def run_apart(base: str, questions: list[dict[str, str]], path: str, clients: int, limit: int, seconds: float
              ) -> dict[str, float]:  # fmt: skip
    """:func:`run` in a child process of its own, so that the client's work is not timed with the answers."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        result: dict[str, float] = pool.apply(_run_sync, (base, questions, path, clients, limit, seconds))
    return result


def _run_sync(base: str, questions: list[dict[str, str]], path: str, clients: int, limit: int, seconds: float
              ) -> dict[str, float]:  # fmt: skip
    return asyncio.run(run(base, questions, path, clients, limit, seconds))


def wrk(url: str, clients: int, seconds: float) -> dict[str, float] | None:
    """Requests per second and p50/p99 latency (ms) of ``url`` asked by ``wrk`` (one thread, ``clients``
    connections, ``seconds`` long); ``None`` without ``wrk``."""
    exe = shutil.which("wrk")
    if exe is None:
        return None
    out = subprocess.run([exe, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency", url],
                         capture_output=True, text=True, timeout=seconds + 30).stdout  # fmt: skip
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * unit[m.group(2)] if m else float("nan")

    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"requests": float(total.group(1)) if total else float("nan"),
            "failures": float(errors.group(1)) if errors else 0.0,
            "rps": float(rps.group(1)) if rps else float("nan"),
            "p50": latency("50"), "p99": latency("99")}  # fmt: skip


def in_process(store: Path, questions: list[dict[str, str]], ask: Callable[..., Any]) -> float:
    """Median milliseconds of the library answering ``questions`` in this process (models warmed first)."""
    import remontada as rm

    with rm.open_store(store) as st:
        ask(st, questions[0])
        times = []
        for q in questions:
            began = time.perf_counter()
            ask(st, q)
            times.append(1000 * (time.perf_counter() - began))
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--requests", type=int, default=400, help="most requests per run")
    parser.add_argument("--seconds", type=float, default=20.0, help="most seconds per run")
    args = parser.parse_args()

    print(f"load average of the machine (1, 5, 15 min) at the start: {Path('/proc/loadavg').read_text().split()[:3]}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cache = tempfile.mkdtemp(prefix="remontada-bench-cache-")  # no fitted model on disk: the first answers fit
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store", str(args.store),
         "--port", str(port), "--log-level", "warning"], env=env,
    )  # fmt: skip
    try:
        while True:
            try:
                if httpx.get(f"{base}/api/status", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.02)
            if server.poll() is not None:
                raise SystemExit("the server exited")
        start = time.perf_counter() - began
        print(f"server ready in {start:.2f} s (target < {TARGETS['start']:.0f} s)")
        rss_start, _ = memory_mb(server.pid)

        firsts = (
            ("/api/tie", TIE, "cold: fits the model, rebuilds the ties and the club-name index"),
            ("/api/live", {**LIVE, "minute": "60", "score": "0-1"}, "the same model, already fitted"),
        )
        for path, params, what in firsts:
            t0 = time.perf_counter()
            response = httpx.get(base + path, params=params, timeout=300)
            took = time.perf_counter() - t0
            print(f"first {path} ({what}): {took:.2f} s, status {response.status_code}")
        for q in (tie_questions()[100], live_questions()[0]):  # the poisson model, fitted once before timing
            httpx.get(base + ("/api/tie" if "season" in q else "/api/live"), params=q, timeout=300)

        rows = []
        peers: list[tuple[str, int, dict[str, float]]] = []
        questions = {"tie": tie_questions(), "live": live_questions()}
        for name in ("live", "tie"):
            path = f"/api/{name}"
            chunks = [questions[name][i::len(LEVELS)] for i in range(len(LEVELS))]
            for level, chunk in zip(LEVELS, chunks, strict=True):
                httpx.get(base + path, params=chunk[0], timeout=300)  # warm: the answer is kept from here on
                same = run_apart(base, [chunk[0]], path, level, args.requests, args.seconds)
                fresh = run_apart(base, chunk[1:], path, level, min(args.requests, len(chunk) - 1), args.seconds)
                rows.append((name, level, "same question (cached)", same))
                rows.append((name, level, "distinct questions", fresh))
                peer = wrk(str(httpx.URL(base + path, params=chunk[0])), level, min(args.seconds, 8.0))
                if peer is not None:
                    peers.append((name, level, peer))
        rss, peak = memory_mb(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(cache, ignore_errors=True)

    print("\nlatency as the client saw it, and inside the server (its Server-Timing: no HTTP, no client)")
    print(f"{'endpoint':<10}{'clients':>8}  {'questions':<24}{'requests':>9}{'fail':>5}{'req/s':>8}"
          f"{'p50 ms':>9}{'p99 ms':>9}{'server p50':>11}{'server p99':>11}")  # fmt: skip
    for name, level, kind, r in rows:
        print(f"/api/{name:<5}{level:>8}  {kind:<24}{r['requests']:>9.0f}{r['failures']:>5.0f}{r['rps']:>8.0f}"
              f"{r['p50']:>9.1f}{r['p99']:>9.1f}{r['server_p50']:>11.1f}{r['server_p99']:>11.1f}")  # fmt: skip

    if peers:
        print("\npeer, wrk (a client in C, one thread) asking the same question again, as long as the runs above:")
        print(f"{'endpoint':<10}{'clients':>8}{'requests':>10}{'fail':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
        for name, level, r in peers:
            print(f"/api/{name:<5}{level:>8}{r['requests']:>10.0f}{r['failures']:>5.0f}{r['rps']:>9.0f}"
                  f"{r['p50']:>9.1f}{r['p99']:>9.1f}")  # fmt: skip

    import remontada as rm

    tie_lib = in_process(args.store, tie_questions()[:40], lambda st, q: rm.answer_tie(
        q["home"], q["away"], competition=q["competition"], season=q["season"], first_leg=q["first_leg"],
        model=q["model"], store=st).to_dict())  # fmt: skip
    live_lib = in_process(args.store, live_questions()[:120], lambda st, q: rm.live(
        q["home"], q["away"], date=q["date"], minute=q["minute"], score=q["score"], red_cards=q["red_cards"],
        store=st).to_dict())  # fmt: skip
    served = {n: next(r for m, lv, k, r in rows if m == n and lv == 1 and k.startswith("distinct")) for n in TARGETS
              if n != "start"}  # fmt: skip
    print(f"\npeer, the library in this process (one at a time, distinct questions): /api/tie {tie_lib:.1f} ms, "
          f"/api/live {live_lib:.1f} ms; served at 1 client: tie {served['tie']['p50'] / tie_lib:.2f}x, "
          f"live {served['live']['p50'] / live_lib:.2f}x the library's median")  # fmt: skip
    print(f"memory: {rss_start:.0f} MB resident when ready, {rss:.0f} MB after the runs, peak {peak:.0f} MB")
    print("\ntargets at 32 clients (warm):")
    for name in ("live", "tie"):
        for kind in ("same question (cached)", "distinct questions"):
            r = next(r for m, lv, k, r in rows if m == name and lv == 32 and k == kind)
            verdict = "met" if r["p99"] < TARGETS[name] else "MISSED"
            print(f"  /api/{name} p99 < {TARGETS[name]:.0f} ms, {kind}: {r['p99']:.1f} ms -> {verdict} "
                  f"(inside the server: {r['server_p99']:.1f} ms)")  # fmt: skip
        peer = next((r for m, lv, r in peers if m == name and lv == 32), None)
        if peer is not None:
            verdict = "met" if peer["p99"] < TARGETS[name] else "MISSED"
            print(f"  /api/{name} p99 < {TARGETS[name]:.0f} ms, same question, wrk: {peer['p99']:.1f} ms -> {verdict}")
    verdict = "met" if start < TARGETS["start"] else "MISSED"
    print(f"  server ready < {TARGETS['start']:.0f} s: {start:.2f} s -> {verdict}")
    print(f"load average of the machine (1, 5, 15 min) at the end: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
