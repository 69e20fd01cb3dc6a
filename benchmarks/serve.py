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
on 2 cores the figures include its load. When Debian's ``wrk`` is installed it is a second peer, a
client written in C (``apt-get install wrk``), at 1, 8 and 32 connections: the same question again,
and the distinct questions (a Lua script walks the whole question list once, each question asked
once; the server is restarted before each level, so nothing the httpx runs or an earlier level
asked is kept: every answer is computed, as the user dragging the minute slider makes it).

    python benchmarks/serve.py                       # the user's store
    python benchmarks/serve.py --store /work/store/base.duckdb --requests 300 --seconds 20
    python benchmarks/serve.py --workers 2           # remontada serve --workers 2
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
from concurrent.futures import ThreadPoolExecutor
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
    """(resident, peak resident) of process ``pid`` and its descendants (``--workers``) in MB, from /proc."""
    rss = peak = 0.0
    for one in (pid, *descendants(pid)):
        try:
            text = Path(f"/proc/{one}/status").read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        rss += float(fields["VmRSS"].split()[0]) / 1024
        peak += float(fields["VmHWM"].split()[0]) / 1024
    return rss, peak


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds used so far by process ``pid`` and its descendants, from /proc."""
    total = 0.0
    for one in (pid, *descendants(pid)):
        try:
            fields = Path(f"/proc/{one}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (uvicorn's worker processes), from /proc."""
    found: list[int] = []
    try:
        children = [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return found
    for child in children:
        found += [child, *descendants(child)]
    return found


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


#: Walks the question list once: ``limit`` responses are counted, the server always has the
#: connections' next distinct questions in hand until then (``limit`` = questions - connections), and
#: each response's Server-Timing is written out.
WRK_SCRIPT = """
local paths = {%s}
local limit = %d
local asked, answered = 0, 0
request = function()
  asked = asked + 1
  return wrk.format("GET", paths[(asked - 1) %% #paths + 1])
end
response = function(status, headers, body)
  answered = answered + 1
  if answered > limit then return end
  local timing = headers["server-timing"] or headers["Server-Timing"]
  if timing then io.write("server-timing " .. string.match(timing, "dur=([%%d.]+)") .. "\\n") end
  if status ~= 200 then io.write("failed " .. status .. "\\n") end
  if answered >= limit then wrk.thread:stop() end
end
"""


def wrk_distinct(base: str, path: str, questions: list[dict[str, str]], clients: int, seconds: float, server: int
                 ) -> dict[str, float] | None:  # fmt: skip
    """:func:`wrk` asking each of ``questions`` once (``clients`` connections): the server's own time per
    answer from Server-Timing and its CPU per answer (process ``server`` and its workers), the client's
    p50/p99 from wrk and requests per second by Little's law (clients / mean latency: wrk's own figure
    divides by the whole ``seconds``); ``None`` without ``wrk``."""
    exe = shutil.which("wrk")
    if exe is None or len(questions) <= clients:
        return None
    urls = [str(httpx.URL(path, params=q)) for q in questions]
    limit = len(urls) - clients
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(WRK_SCRIPT % (", ".join(f'"{u}"' for u in urls), limit))
        script = handle.name
    try:
        cpu = cpu_seconds(server)
        out = subprocess.run([exe, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--latency", "-s", script,
                              base], capture_output=True, text=True, timeout=seconds + 30).stdout  # fmt: skip
        cpu = cpu_seconds(server) - cpu
    finally:
        os.unlink(script)
    inside = sorted(float(x) for x in re.findall(r"^server-timing ([\d.]+)$", out, re.M)) or [float("nan")]
    unit = {"us": 0.001, "ms": 1.0, "s": 1000.0}

    def latency(pct: str) -> float:
        m = re.search(rf"^\s*{pct}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        return float(m.group(1)) * unit[m.group(2)] if m else float("nan")

    mean = re.search(r"^\s*Latency\s+([\d.]+)(us|ms|s)", out, re.M)
    broken = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    answered = len(re.findall(r"^server-timing ", out, re.M))
    return {"requests": float(min(limit, answered)), "cpu_ms": 1000 * cpu / max(1, answered + clients),
            "failures": float(len(re.findall(r"^failed ", out, re.M))
                              + (sum(int(x) for x in broken.groups()) if broken else 0)),
            "rps": clients / (float(mean.group(1)) * unit[mean.group(2)] / 1000) if mean else float("nan"),
            "p50": latency("50"), "p99": latency("99"),
            "server_p50": statistics.median(inside),
            "server_p99": inside[min(len(inside) - 1, int(0.99 * len(inside)))]}  # fmt: skip


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


def start_server(store: Path, port: int, workers: int, env: dict[str, str]) -> tuple[subprocess.Popen[bytes], float]:
    """``remontada serve`` on 127.0.0.1:``port``, and the seconds until it answered ``/api/status``."""
    base = f"http://127.0.0.1:{port}"
    began = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-c", "from remontada.cli import main; main()", "serve", "--store", str(store),
         "--port", str(port), "--workers", str(workers), "--log-level", "warning"], env=env,
    )  # fmt: skip
    while True:
        try:
            if httpx.get(f"{base}/api/status", timeout=5).status_code == 200:
                break
        except httpx.TransportError:
            time.sleep(0.02)
        if server.poll() is not None:
            raise SystemExit("the server exited")
    return server, time.perf_counter() - began


def stop_server(server: subprocess.Popen[bytes]) -> None:
    server.terminate()
    server.wait(timeout=30)


#: The questions asked before anything is timed (by their index in the question lists): the first of
#: each level's chunk (the "same question" runs) and the first Poisson ties (that model fitted).
WARMED = {"live": (0, 1, 2), "tie": (0, 1, 2, 100, 101, 102)}
#: Seconds :func:`warm` leaves for the surfaces and the tables read off them, built in the background (about
#: 1 s of CPU per red-card state and worker; more on a shared machine).
SURFACE_BUILDS = 5.0


def warm(base: str, workers: int) -> None:
    """Both models fitted (or loaded from the disk cache) in every worker before anything is timed, by
    the :data:`WARMED` questions (never part of a distinct run)."""
    questions = {"tie": tie_questions(), "live": live_questions()}

    def ask_all() -> None:
        with httpx.Client(base_url=base, timeout=300) as client:  # a connection of its own
            for name, listed in questions.items():
                for q in WARMED[name]:
                    client.get(f"/api/{name}", params=listed[q])

    ask_all()  # the models fitted (or read from the disk cache) once, in one worker
    # connections are spread over the workers by the kernel: with several workers, many connections at once
    # (so that every worker takes some), a few times
    for _ in range(4 if workers > 1 else 0):
        with ThreadPoolExecutor(8 * workers) as pool:
            for future in [pool.submit(ask_all) for _ in range(8 * workers)]:
                future.result()
    # the live questions' goals-to-come surfaces and the answer tables read off them (one per red-card state)
    # are built in the background after the first question about them (about 1 s of CPU each, per worker): let
    # them finish, so that the runs measure answers, not builds
    time.sleep(SURFACE_BUILDS * max(1, workers))


def distinct(name: str, indices: range | list[int]) -> list[dict[str, str]]:
    """The questions of ``name`` at ``indices``, but for the :data:`WARMED` ones."""
    listed = tie_questions() if name == "tie" else live_questions()
    return [listed[i] for i in indices if i not in WARMED[name]]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--store", type=Path, default=default_store_path())
    parser.add_argument("--requests", type=int, default=400, help="most requests per run")
    parser.add_argument("--seconds", type=float, default=20.0, help="most seconds per run")
    parser.add_argument("--workers", type=int, default=1, help="remontada serve --workers")
    args = parser.parse_args()

    print(f"load average of the machine (1, 5, 15 min) at the start: {Path('/proc/loadavg').read_text().split()[:3]}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    cache = tempfile.mkdtemp(prefix="remontada-bench-cache-")  # no fitted model on disk: the first answers fit
    env = {**os.environ, "XDG_CACHE_HOME": cache}
    questions = {"tie": tie_questions(), "live": live_questions()}
    rows = []
    peers: list[tuple[str, int, dict[str, float]]] = []
    distinct_peers: list[tuple[str, int, dict[str, float]]] = []
    server, start = start_server(args.store, port, args.workers, env)
    try:
        print(f"server ready in {start:.2f} s (target < {TARGETS['start']:.0f} s), {args.workers} worker(s)")
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
        warm(base, args.workers)

        for name in ("live", "tie"):
            path = f"/api/{name}"
            for index, level in enumerate(LEVELS):
                chunk = distinct(name, range(index, len(questions[name]), len(LEVELS)))
                first = questions[name][index]  # warmed: its answer is kept
                same = run_apart(base, [first], path, level, args.requests, args.seconds)
                fresh = run_apart(base, chunk, path, level, min(args.requests, len(chunk)), args.seconds)
                rows.append((name, level, "same question (cached)", same))
                rows.append((name, level, "distinct questions", fresh))
                peer = wrk(str(httpx.URL(base + path, params=first)), level, min(args.seconds, 8.0))
                if peer is not None:
                    peers.append((name, level, peer))
        rss, peak = memory_mb(server.pid)
        per_worker = [memory_mb(pid)[0] for pid in descendants(server.pid)]
        # wrk, distinct questions: a fresh server per level (models from the disk cache), so that no answer
        # asked before is kept; every question of the list but the warm-up ones, once each
        if shutil.which("wrk"):
            for level in LEVELS:
                stop_server(server)
                server, _ = start_server(args.store, port, args.workers, env)
                warm(base, args.workers)
                for name in ("live", "tie"):
                    asked = distinct(name, range(len(questions[name])))
                    result = wrk_distinct(base, f"/api/{name}", asked, level, args.seconds, server.pid)
                    if result is not None:
                        distinct_peers.append((name, level, result))
    finally:
        stop_server(server)
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
    if distinct_peers:
        print("\npeer, wrk asking distinct questions (every one computed: a fresh server per level, each question "
              "once;\nthe last `clients` responses are not counted, so every counted request had distinct ones queued "
              "beside it):")  # fmt: skip
        print(f"{'endpoint':<10}{'clients':>8}{'requests':>10}{'fail':>5}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
              f"{'server p50':>11}{'server p99':>11}{'CPU ms/answer':>14}")  # fmt: skip
        for name, level, r in distinct_peers:
            print(f"/api/{name:<5}{level:>8}{r['requests']:>10.0f}{r['failures']:>5.0f}{r['rps']:>9.0f}"
                  f"{r['p50']:>9.1f}{r['p99']:>9.1f}{r['server_p50']:>11.1f}{r['server_p99']:>11.1f}"
                  f"{r['cpu_ms']:>14.2f}")  # fmt: skip
        print("(req/s: connections / mean latency; CPU: the server's processes' user + system time per answer)")

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
    workers = ""
    if per_worker:
        workers = f" ({len(per_worker)} workers: " + ", ".join(f"{m:.0f}" for m in per_worker) + " MB)"
    print(f"memory: {rss_start:.0f} MB resident when ready, {rss:.0f} MB after the runs{workers}, peak {peak:.0f} MB")
    print("\ntargets at 32 clients (warm):")
    for name in ("live", "tie"):
        for kind in ("same question (cached)", "distinct questions"):
            r = next(r for m, lv, k, r in rows if m == name and lv == 32 and k == kind)
            verdict = "met" if r["p99"] < TARGETS[name] else "MISSED"
            print(f"  /api/{name} p99 < {TARGETS[name]:.0f} ms, {kind}, httpx: {r['p99']:.1f} ms -> {verdict} "
                  f"(inside the server: {r['server_p99']:.1f} ms)")  # fmt: skip
        for kind, listed in (("same question", peers), ("distinct questions", distinct_peers)):
            peer = next((r for m, lv, r in listed if m == name and lv == 32), None)
            if peer is not None:
                verdict = "met" if peer["p99"] < TARGETS[name] else "MISSED"
                inside = f" (inside the server: {peer['server_p99']:.1f} ms)" if "server_p99" in peer else ""
                print(f"  /api/{name} p99 < {TARGETS[name]:.0f} ms, {kind}, wrk: {peer['p99']:.1f} ms -> {verdict}"
                      f"{inside}")  # fmt: skip
    verdict = "met" if start < TARGETS["start"] else "MISSED"
    print(f"  server ready < {TARGETS['start']:.0f} s: {start:.2f} s -> {verdict}")
    print(f"load average of the machine (1, 5, 15 min) at the end: {Path('/proc/loadavg').read_text().split()[:3]}")


if __name__ == "__main__":
    main()
