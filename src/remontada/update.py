"""``remontada update``: fetch every source file, parse it, and ingest it in one transaction.

The whole update is one DuckDB transaction under an inter-process write lock: if any file
fails to download or parse, every error is reported (file and line) and the store is left
exactly as it was. Files whose checksum is unchanged are skipped; when nothing changed the
resolved layer is not rebuilt, so a second run changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from remontada.db import first_row
from remontada.fetch import Fetched, Fetcher, FetchError
from remontada.ingest import RawWriter
from remontada.locking import WriteLock
from remontada.rebuild import RebuildSummary, rebuild
from remontada.sources import registry
from remontada.sources.base import RemoteFile, Source
from remontada.sources.records import SourceError
from remontada.store import Store


@dataclass(slots=True)
class UpdateReport:
    store: str
    sources: list[str]
    files: int = 0
    absent: int = 0
    unchanged: int = 0
    ingested: int = 0
    warnings: int = 0
    errors: list[str] = field(default_factory=list)
    absent_but_stored: list[str] = field(default_factory=list)
    rebuild: RebuildSummary | None = None
    committed: bool = False
    seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return asdict(self)


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
    lock_timeout: float = 600.0,
    fetcher: Fetcher | None = None,
    on_plan: Callable[[dict[str, int]], None] | None = None,
    on_file: FileCallback | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> UpdateReport:
    """Bring the store at ``store_path`` up to date with the selected sources (default: all).

    ``sources`` passes configured source objects instead (e.g. ``FootballData(seasons=["2023-24"])``).
    """
    started = time.perf_counter()
    available = {s.key: s for s in sources} if sources is not None else registry(source_keys)
    keys = list(available)
    report = UpdateReport(store=str(store_path), sources=keys)
    plan: dict[str, list[RemoteFile]] = {k: available[k].files() for k in keys}
    if on_plan:
        on_plan({k: len(v) for k, v in plan.items()})
    own_fetcher = fetcher is None
    fetcher = fetcher or Fetcher(mirror)
    try:
        with WriteLock(store_path, timeout=lock_timeout):
            store = Store(store_path, read_only=False)
            try:
                _run(store, plan, available, fetcher, report, keep_going, force, on_file, on_stage)
            finally:
                store.close()
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
) -> None:
    con = store.con
    stored = dict(con.execute("SELECT url, sha256 FROM source_files").fetchall())
    con.execute("BEGIN TRANSACTION")
    try:
        writer = RawWriter(con)
        writing = True
        for key, remotes in plan.items():
            source = available[key]
            for outcome in fetcher.fetch_many(remotes):
                report.files += 1
                if isinstance(outcome, FetchError):
                    report.errors.append(str(outcome))
                    writing = writing and keep_going
                    _notify(on_file, key, _remote_of(outcome, remotes), "error")
                    continue
                status, ok = _handle(writer, source, outcome, stored, force, writing, report)
                writing = writing and (ok or keep_going)
                if on_file:
                    on_file(key, outcome.remote, status)
        if report.errors and not keep_going:
            con.execute("ROLLBACK")
            return
        writer.flush()
        if report.ingested or force or _never_built(store):
            if on_stage:
                on_stage("resolving clubs and merging sources")
            report.rebuild = rebuild(con)
        con.execute(
            "INSERT OR REPLACE INTO meta VALUES ('last_update', ?)",
            [dt.datetime.now(dt.UTC).replace(microsecond=0).isoformat()],
        )
        con.execute("COMMIT")
        report.committed = True
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _handle(
    writer: RawWriter,
    source: Source,
    fetched: Fetched,
    stored: dict[str, str],
    force: bool,
    writing: bool,
    report: UpdateReport,
) -> tuple[str, bool]:
    """Process one fetched file; return (outcome, ok)."""
    url = fetched.remote.url
    if fetched.absent:
        report.absent += 1
        if url in stored:
            report.absent_but_stored.append(url)
        return "absent", True
    if not force and stored.get(url) == fetched.sha256:
        report.unchanged += 1
        return "unchanged", True
    try:
        parsed = source.parse(fetched.data or b"", fetched.remote, fetched.location)
    except SourceError as exc:
        report.errors.append(str(exc))
        return "error", False
    report.warnings += len(parsed.warnings)
    if writing:
        writer.add(fetched, parsed, replacing=url in stored)
    report.ingested += 1
    return "ingested", True


def _never_built(store: Store) -> bool:
    row = first_row(store.con, "SELECT (SELECT count(*) FROM raw_matches) > 0 AND (SELECT count(*) FROM matches) = 0")
    return bool(row and row[0])


def _remote_of(error: FetchError, remotes: list[RemoteFile]) -> RemoteFile:
    for r in remotes:
        if error.location.endswith(r.mirror_path) or error.location == r.url:
            return r
    return remotes[0]


def _notify(on_file: FileCallback | None, key: str, remote: RemoteFile, status: str) -> None:
    if on_file:
        on_file(key, remote, status)
