"""``remontada update``: fetch every source file, parse it, and ingest it all or nothing.

The whole update is atomic and runs under an inter-process write lock: if any file fails to
download or parse, every error is reported (file and line) and the store is left exactly as it
was. An update of a store that holds data is one DuckDB transaction. The first build of a store
is made in a new file next to it (``<store>.building``), raw layer and rebuild committed one after
the other, and moved over the store in one rename when complete: DuckDB reads a transaction's own
uncommitted rows several times slower than committed ones and keeps them in memory, which made a
one-transaction first build 66 s and 6 GB against 46 s and 1.8 GB. Files whose checksum is
unchanged are skipped; when nothing changed the resolved layer is not rebuilt, so a second run
changes nothing. Large updates parse files in worker processes (one per CPU), but every file is
settled and written in plan order, so the store and the report do not depend on the number of
workers.

When an update leaves more than a quarter of the file as free blocks (``--force`` replaces every
row, and DuckDB reuses the old rows' blocks only slowly), the store is compacted: copied without
them beside itself and renamed over itself, under the same lock.

A file never silently loses rows it had: when a new version of a stored file yields fewer matches
or records than the stored one (a header-only CSV, a file cut short), it is an error naming the
file and what would be lost, and the stored version is kept, unless ``accept_shrink`` is given.
Either way :attr:`UpdateReport.shrunk` lists each such file with its rows before and after.

Ctrl-C at any moment before the final commit (or, for a first build, before the rename) rolls
back and leaves the store as it was (no file at all when there was none), even when a DuckDB query
swallowed the interrupt; after it, the update is complete and the interrupt says so
(:mod:`remontada.ingest.interrupt`).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from remontada.ingest.fetch import Fetched, Fetcher, FetchError
from remontada.ingest.interrupt import InterruptWatch
from remontada.ingest.lifeline import die_with_parent
from remontada.ingest.locking import WriteLock
from remontada.ingest.raw_writer import FileRows, OutOfRange, RawWriter, file_rows
from remontada.sources import registry
from remontada.sources.base import RemoteFile, Source
from remontada.sources.records import SourceError
from remontada.store import writer as writes
from remontada.store.db import compact, wasted_fraction
from remontada.store.reader import Store
from remontada.store.rebuild import RebuildSummary, rebuild

if TYPE_CHECKING:
    import duckdb

#: Compact the store file after an update when more than this share of it is free blocks
#: (a ``--force`` update left 524 of 1,032 blocks free: 258 MiB for 136 MiB of data).
COMPACT_ABOVE = 0.25


@dataclass(slots=True)
class UpdateReport:
    store: str
    sources: list[str]
    files: int = 0
    absent: int = 0
    unchanged: int = 0
    ingested: int = 0
    warnings: int = 0
    #: Each warning of the files parsed in this update, as ``"url:line: message"``.
    warning_messages: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    shrunk: list[Shrink] = field(default_factory=list)
    absent_but_stored: list[str] = field(default_factory=list)
    rebuild: RebuildSummary | None = None
    committed: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


@dataclass(slots=True)
class Shrink:
    """A new version of a stored file with fewer rows than the stored one; ``accepted`` when it replaced it."""

    url: str
    location: str
    matches_before: int
    matches_after: int
    records_before: int
    records_after: int
    odds_before: int
    odds_after: int
    accepted: bool

    def describe(self) -> str:
        """``<location>: 380 -> 0 matches (380 lost), 11,766 -> 0 odds quotes``, one line."""
        parts = [f"{self.matches_before:,} -> {self.matches_after:,} matches"]
        if self.matches_after < self.matches_before:
            parts[0] += f" ({self.matches_before - self.matches_after:,} lost)"
        if self.records_after < self.records_before:
            parts.append(f"{self.records_before:,} -> {self.records_after:,} goal/rating/forecast records")
        if self.odds_after < self.odds_before:
            parts.append(f"{self.odds_before:,} -> {self.odds_after:,} odds quotes")
        return f"{self.location}: {', '.join(parts)}"


#: Called after each file with (source key, remote file, outcome) where outcome is one of
#: "absent", "unchanged", "ingested", "error".
FileCallback = Callable[[str, RemoteFile, str], None]


def update(
    store_path: Path,
    *,
    mirror: str | None = None,
    source_keys: Sequence[str] | None = None,
    sources: Sequence[Source] | None = None,
    keep_going: bool = False,
    force: bool = False,
    accept_shrink: bool = False,
    lock_timeout: float = 600.0,
    fetcher: Fetcher | None = None,
    on_plan: Callable[[dict[str, int]], None] | None = None,
    on_file: FileCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
    workers: int | None = None,
) -> UpdateReport:
    """Bring the store at ``store_path`` up to date with the selected sources (default: all).

    ``sources`` passes configured source objects instead (e.g. ``FootballData(seasons=["2023-24"])``).
    ``workers`` parse processes (default: one per CPU; 1 parses in this process). Whatever the
    number, files are written in plan order, so the store and the report are the same.
    ``accept_shrink`` lets a new version of a file with fewer rows than the stored one replace it
    (otherwise that is an error and the stored version is kept).
    """
    started = time.perf_counter()
    available = {s.key: s for s in sources} if sources is not None else registry(source_keys)
    keys = list(available)
    report = UpdateReport(store=str(store_path), sources=keys)
    plan: dict[str, list[RemoteFile]] = {k: available[k].files() for k in keys}
    if on_plan:
        on_plan({k: len(v) for k, v in plan.items()})
    n_workers = workers if workers is not None else (os.cpu_count() or 1)
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(mirror)

    watch = InterruptWatch()

    def run(store: Store, staged: bool) -> None:
        _run(
            store, plan, available, fetcher, report, keep_going, force, on_file, on_stage, n_workers, staged,
            accept_shrink, watch,
        )  # fmt: skip

    try:
        with watch, WriteLock(store_path, timeout=lock_timeout):
            existed = store_path.exists()
            try:
                store = Store(store_path, read_only=False)
                try:
                    fresh = _holds_no_rows(store)
                    if not fresh:
                        run(store, staged=False)
                finally:
                    store.close()
                if fresh:
                    _build_beside(store_path, run, report, watch)
                elif report.committed and (report.ingested or force) and wasted_fraction(store_path) > COMPACT_ABOVE:
                    if on_stage:
                        on_stage("compacting the store")
                    if not compact(store_path):
                        report.warnings += 1
                        report.warning_messages.append(
                            f"{store_path}: not compacted (another process has it open); the next update compacts it"
                        )
            except BaseException as exc:
                interrupted = watch.hit or isinstance(exc, KeyboardInterrupt)
                if interrupted and not existed and not watch.committed:  # Ctrl-C before the first build was in place
                    for made in (store_path, store_path.with_name(store_path.name + ".wal")):
                        made.unlink(missing_ok=True)
                raise
    finally:
        if own_fetcher:
            fetcher.close()
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _run(
    store: Store,
    plan: dict[str, list[RemoteFile]],
    available: dict[str, Source],
    fetcher: Fetcher,
    report: UpdateReport,
    keep_going: bool,
    force: bool,
    on_file: FileCallback | None,
    on_stage: Callable[[str], None] | None,
    workers: int,
    staged: bool = False,
    accept_shrink: bool = False,
    watch: InterruptWatch | None = None,
) -> None:
    """Ingest the plan into ``store`` in one transaction, or, ``staged``, commit the raw layer before the rebuild.

    ``watch`` is tested between files and before each commit, so a Ctrl-C that a DuckDB query
    swallowed still ends the update (see :mod:`remontada.ingest.interrupt`).
    """
    watch = watch or InterruptWatch()
    con = store.con
    counts = writes.stored_counts(con)
    stored = {url: sha for url, (sha, _, _) in counts.items()}
    writes.begin(con)
    try:
        writer = RawWriter(con)
        guard = _ShrinkGuard(con, counts, accept_shrink)
        writing = True
        # Files are parsed ahead (in worker processes) but settled strictly in plan order, so the
        # raw ids, the report and every message are the same as a one-file-at-a-time run.
        pending: deque[_Pending] = deque()
        with _Parser(workers, sum(map(len, plan.values()))) as parser:
            for key, remotes in plan.items():
                source = available[key]
                for outcome in fetcher.fetch_many(remotes):
                    job = None
                    if isinstance(outcome, Fetched) and _needs_parse(outcome, stored, force):
                        job = parser.submit(source, outcome)
                    pending.append(_Pending(key, remotes, outcome, job))
                    while pending and (len(pending) > parser.lookahead or _ready(pending[0])):
                        writing = _settle(pending.popleft(), writer, guard, writing, keep_going, report, on_file)
                        watch.check()
            while pending:
                writing = _settle(pending.popleft(), writer, guard, writing, keep_going, report, on_file)
                watch.check()
        if report.errors and not keep_going:
            writes.rollback(con)
            return
        writer.flush()
        watch.check()
        if staged:
            writes.commit(con)
            writes.begin(con)
        if report.ingested or force or _never_built(store):
            if on_stage:
                on_stage("resolving clubs and merging sources")
            report.rebuild = rebuild(con)
        writes.stamp_last_update(con)
        watch.check()
        writes.commit(con)
        report.committed = True
        if not staged:  # a staged build is final only once moved over the store (see _build_beside)
            watch.committed = True
    except BaseException:
        writes.rollback(con)
        raise


#: A parse's outcome: the file's rows, or the (location, line, message) of its SourceError.
ParseOutcome = tuple[FileRows | None, tuple[str, int | None, str] | None]


def parse_file(source: Source, data: bytes, remote: RemoteFile, location: str) -> ParseOutcome:
    """Parse one file into raw-table columns; runs in a worker process (a SourceError does not pickle)."""
    # A parse builds up to a million small acyclic records: the cycle collector's passes over
    # them are wasted work, so it waits until the file's rows are built.
    gc.disable()
    try:
        parsed = source.parse(data, remote, location)
        return file_rows(parsed, remote.url), None
    except SourceError as exc:
        return None, (exc.location or location, exc.line, exc.message)  # a parser's error always has its location
    except OutOfRange as exc:
        return None, (location, exc.line, exc.message)
    except (OverflowError, RecursionError, UnicodeError) as exc:  # junk no parser check foresaw: still file-level
        return None, (location, None, f"unreadable: {type(exc).__name__}: {exc}")
    finally:
        gc.enable()


@dataclass(slots=True)
class _Pending:
    key: str
    remotes: list[RemoteFile]
    outcome: Fetched | FetchError
    job: Future[ParseOutcome] | None  # None when the file needs no parsing


class _Parser:
    """Parses files in ``workers`` forked processes when the plan holds at least ``PARALLEL_FROM`` files.

    The workers are forked before any download thread starts, so they inherit no lock held by
    one; they only parse. They die with this process (:mod:`remontada.ingest.lifeline`) and close
    their copy of the store's write lock when forked (:mod:`remontada.ingest.locking`), so a killed
    update leaves no worker behind holding the lock. Small updates (tests, a source or two) parse
    inline and never fork.
    """

    PARALLEL_FROM = 12

    def __init__(self, workers: int, planned_files: int) -> None:
        # big files (engsoccerdata, ClubElo) take seconds: look far enough ahead to keep every worker busy
        self.lookahead = 32 * max(workers, 1)
        self._pool: ProcessPoolExecutor | None = None
        self._picklable: dict[int, bool] = {}
        forkable = "fork" in multiprocessing.get_all_start_methods()
        if workers > 1 and planned_files >= self.PARALLEL_FROM and forkable:
            self._pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("fork"),
                initializer=die_with_parent,
                initargs=(os.getpid(),),
            )
            self._pool.submit(int).result()  # forks every worker now, before the download threads exist

    def submit(self, source: Source, fetched: Fetched) -> Future[ParseOutcome]:
        args = (source, fetched.data or b"", fetched.remote, fetched.location)
        if self._pool is not None and self._can_ship(source):
            return self._pool.submit(parse_file, *args)
        job: Future[ParseOutcome] = Future()
        try:
            job.set_result(parse_file(*args))
        except Exception as exc:  # raised when settled, in file order, as a worker's would be
            job.set_exception(exc)
        return job

    def _can_ship(self, source: Source) -> bool:
        if id(source) not in self._picklable:
            try:
                pickle.dumps(source)
                self._picklable[id(source)] = True
            except Exception:  # a source defined in a test, a closure: parse it here
                self._picklable[id(source)] = False
        return self._picklable[id(source)]

    def __enter__(self) -> _Parser:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)


def _needs_parse(fetched: Fetched, stored: dict[str, str], force: bool) -> bool:
    return not fetched.absent and (force or stored.get(fetched.remote.url) != fetched.sha256)


def _ready(item: _Pending) -> bool:
    return item.job is None or item.job.done()


def _settle(
    item: _Pending,
    writer: RawWriter,
    guard: _ShrinkGuard,
    writing: bool,
    keep_going: bool,
    report: UpdateReport,
    on_file: FileCallback | None,
) -> bool:
    """Account for one file in plan order; return whether later files are still written."""
    report.files += 1
    outcome = item.outcome
    if isinstance(outcome, FetchError):
        report.errors.append(str(outcome))
        _notify(on_file, item.key, _remote_of(outcome, item.remotes), "error")
        return writing and keep_going
    status, ok = _handle(writer, guard, outcome, item.job, writing, report)
    _notify(on_file, item.key, outcome.remote, status)
    return writing and (ok or keep_going)


def _handle(
    writer: RawWriter,
    guard: _ShrinkGuard,
    fetched: Fetched,
    job: Future[ParseOutcome] | None,
    writing: bool,
    report: UpdateReport,
) -> tuple[str, bool]:
    """Process one fetched file; return (outcome, ok)."""
    url = fetched.remote.url
    stored = guard.counts
    if fetched.absent:
        report.absent += 1
        if url in stored:
            report.absent_but_stored.append(url)
        return "absent", True
    if job is None:
        report.unchanged += 1
        return "unchanged", True
    rows, error = job.result()
    if error is not None:
        report.errors.append(str(SourceError(*error)))
        return "error", False
    assert rows is not None  # parse_file returns rows or an error
    shrink = guard.check(fetched, rows)
    if shrink is not None:
        report.shrunk.append(shrink)
        if not shrink.accepted:
            report.errors.append(
                f"{shrink.describe()}; the stored version is kept (run with --accept-shrink to accept the loss)"
            )
            return "error", False
    report.warnings += rows.n_warnings
    report.warning_messages.extend(f"{url}:{line}: {text}" for line, text in rows.warnings)
    if writing:
        writer.add_rows(fetched, rows, replacing=url in stored)
    report.ingested += 1
    return "ingested", True


class _ShrinkGuard:
    """Compares a new version of a stored file with the stored one (see the module docstring)."""

    def __init__(self, con: duckdb.DuckDBPyConnection, counts: dict[str, tuple[str, int, int]], accept: bool) -> None:
        self.con, self.counts, self.accept = con, counts, accept

    def check(self, fetched: Fetched, rows: FileRows) -> Shrink | None:
        """The :class:`Shrink` when ``rows`` has fewer matches or records than the stored file, else None."""
        url = fetched.remote.url
        if url not in self.counts:
            return None
        _, matches, records = self.counts[url]
        if rows.n_matches >= matches and rows.n_records >= records:
            return None
        return Shrink(
            url, fetched.location, matches, rows.n_matches, records, rows.n_records,
            writes.stored_odds(self.con, url), len(rows.odds_match), self.accept,
        )  # fmt: skip


def _holds_no_rows(store: Store) -> bool:
    return writes.holds_no_rows(store.con)


def _build_beside(
    store_path: Path, run: Callable[[Store, bool], None], report: UpdateReport, watch: InterruptWatch
) -> None:
    """Build a new store in ``<store>.building`` and move it over ``store_path`` once it is complete.

    Anything short of a committed build removes the new file and leaves ``store_path`` untouched.
    """
    building = store_path.with_name(store_path.name + ".building")
    for leftover in (building, building.with_name(building.name + ".wal")):
        leftover.unlink(missing_ok=True)  # a build killed before it finished; we hold the write lock
    try:
        store = Store(building, read_only=False)
        try:
            run(store, True)
        finally:
            store.close()  # checkpoints: the file is whole, with no write-ahead log left beside it
        if report.committed:
            watch.check()  # a Ctrl-C swallowed by the last query: the store stays as it was
            os.replace(building, store_path)
            watch.committed = True
    finally:
        building.unlink(missing_ok=True)


def _never_built(store: Store) -> bool:
    return writes.never_built(store.con)


def _remote_of(error: FetchError, remotes: list[RemoteFile]) -> RemoteFile:
    location = error.location or ""  # a FetchError always names the URL or path it tried
    for r in remotes:
        if location.endswith(r.mirror_path) or location == r.url:
            return r
    return remotes[0]


def _notify(on_file: FileCallback | None, key: str, remote: RemoteFile, status: str) -> None:
    if on_file:
        on_file(key, remote, status)
