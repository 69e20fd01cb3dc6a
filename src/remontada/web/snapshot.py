"""A consistent, read-only view of a store file that ``remontada update`` may rewrite at any time.

DuckDB lets many processes read a file or one process write it, never both: a server that kept a
read-only connection open on the store would make ``remontada update`` fail, and a server that
opened the store per request would fail while an update holds it. So the server never answers
from the store file itself. It answers from a private copy (a *snapshot*) and swaps in a new copy
when the store changes:

- a watcher thread looks at the store's inode, size and modification time every ``poll`` seconds;
- when they change it opens the store read-only with no waiting. DuckDB then holds a shared lock
  that no writer can pass, so the file is between updates (an update of a store that holds data
  is one transaction, a first build is renamed over the store in one step). If a writer holds the
  file the attempt is dropped and the server keeps answering from the old snapshot;
- under that lock it copies the file (and its write-ahead log, if one was left) to a new snapshot,
  from the very file it locked (a rename over the path meanwhile is noticed and retried), and swaps
  the snapshot in with one assignment;
- requests borrow a connection of the snapshot that was current when they started
  (:meth:`StoreSnapshots.use`); an old snapshot is closed and deleted once its last request ends.

Every request therefore sees one whole store, the old one or the new one. Snapshot files live in a
private temporary directory (``remontada-serve-<pid>-*``, removed when the server stops, or by the next
server if this one was killed) and are named by a counter: no request value ever becomes a path.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from remontada.store.reader import Store, StoreError

#: (inode, size, mtime in ns) of the store file and of its write-ahead log (zeros when absent).
Signature = tuple[int, int, int, int, int, int]


def signature(path: Path) -> Signature:
    """What changes when a writer touches ``path``: its identity, size and mtime, and its WAL's."""
    out: list[int] = []
    for p in (path, path.with_name(path.name + ".wal")):
        try:
            st = p.stat()
            out += [st.st_ino, st.st_size, st.st_mtime_ns]
        except FileNotFoundError:
            out += [0, 0, 0]
    return (out[0], out[1], out[2], out[3], out[4], out[5])


class Retired(Exception):
    """The snapshot was replaced by a newer one: borrow from the current snapshot instead."""


@dataclass(eq=False)
class StoreCopy:
    """One private copy of the store and the read-only connections open on it.

    ``generation`` counts the copies taken by this server (1 for the first); ``origin`` is the store
    it copies; ``last_update`` is the store's ``last_update`` stamp (ISO time of the update that wrote it).
    """

    generation: int
    path: Path
    origin: Path
    source: Signature
    last_update: str | None
    _idle: list[Store] = field(default_factory=list, repr=False)
    _busy: int = 0
    _retired: bool = False
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def acquire(self) -> Store:
        """A connection for one request; :class:`Retired` once this snapshot has been replaced."""
        with self._lock:
            if self._retired:
                raise Retired()
            self._busy += 1
            if self._idle:
                return self._idle.pop()
        try:
            store = Store(self.path, read_only=True, wait=5.0)
        except BaseException:
            self.release(None)
            raise
        store.origin = self.origin  # fitted models are cached per store of origin, not per copy
        return store

    def release(self, store: Store | None) -> None:
        with self._lock:
            self._busy -= 1
            if store is not None:
                self._idle.append(store)
            done = self._retired and self._busy == 0
        if done:
            self._dispose()

    def retire(self) -> None:
        """No new request will use this snapshot; delete it when the last one in flight ends."""
        with self._lock:
            self._retired = True
            done = self._busy == 0
        if done:
            self._dispose()

    def _dispose(self) -> None:
        with self._lock:
            stores, self._idle = self._idle, []
        for store in stores:
            store.close()
        for p in (self.path, self.path.with_name(self.path.name + ".wal")):
            p.unlink(missing_ok=True)


_PREFIX = "remontada-serve-"


def _remove_orphans() -> None:
    """Delete the snapshot directories of servers that were killed before they could clean up."""
    for folder in Path(tempfile.gettempdir()).glob(f"{_PREFIX}*-*"):
        pid = folder.name[len(_PREFIX):].split("-", 1)[0]
        if not pid.isdigit() or not folder.is_dir():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(folder, ignore_errors=True)
        except PermissionError:  # another user's live server
            continue


def _copy_from(fd: int, dest: Path) -> None:
    """Copy the file open as ``fd`` to ``dest`` in the kernel (no round trip through Python buffers)."""
    size = os.fstat(fd).st_size
    with open(dest, "wb") as out:
        offset = 0
        try:
            while offset < size:
                sent = os.copy_file_range(fd, out.fileno(), size - offset, offset)
                if sent == 0:
                    break
                offset += sent
        except OSError:  # a file system without copy_file_range: copy by hand
            out.seek(0)
            out.truncate()
            with os.fdopen(os.dup(fd), "rb") as src:
                src.seek(0)
                shutil.copyfileobj(src, out, 16 << 20)
            return
        if offset != size:
            raise OSError(f"copied {offset} of {size} bytes of the store")


class StoreSnapshots:
    """Serve reads of the store at ``path`` from snapshots refreshed when it changes.

    Parameters
    ----------
    path
        The store file (as given to ``remontada update --store``).
    poll
        Seconds between looks at the store file for changes.
    first_wait
        Seconds :meth:`start` waits for a running update to let go of the file for the first copy.
    """

    def __init__(self, path: Path, *, poll: float = 1.0, first_wait: float = 120.0) -> None:
        self.path = Path(path)
        self.poll = poll
        self.first_wait = first_wait
        self._dir: Path | None = None
        self._current: StoreCopy | None = None
        self._generation = 0
        self._swap = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # ---- life cycle ------------------------------------------------------------------------------
    def start(self) -> StoreSnapshots:
        """Take the first snapshot (waiting for a running update, up to ``first_wait`` s) and start watching.

        Calling it again does nothing: ``remontada serve`` starts copying while it imports the web stack.
        """
        if self._thread is not None:
            return self
        if not self.path.is_file():
            raise StoreError(f"no store at {self.path}; run `remontada update --store {self.path}` first")
        _remove_orphans()
        self._dir = Path(tempfile.mkdtemp(prefix=f"{_PREFIX}{os.getpid()}-"))
        waited = 0.0
        while not self.refresh():
            if waited >= self.first_wait:
                raise StoreError(f"cannot read {self.path}: an update has held it for {self.first_wait:.0f} s")
            self._stop.wait(0.25)
            waited += 0.25
        self._thread = threading.Thread(target=self._watch, name="remontada-store-watch", daemon=True)
        self._thread.start()
        return self

    def close(self) -> None:
        """Stop watching and delete every snapshot (connections still borrowed are closed when returned)."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._swap:
            current, self._current = self._current, None
        if current is not None:
            current.retire()
        if self._dir is not None:
            shutil.rmtree(self._dir, ignore_errors=True)

    def __enter__(self) -> StoreSnapshots:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- reading ---------------------------------------------------------------------------------
    @property
    def current(self) -> StoreCopy:
        snapshot = self._current
        if snapshot is None:
            raise StoreError("the server's store is not open")
        return snapshot

    @contextlib.contextmanager
    def use(self) -> Iterator[Store]:
        """A read-only :class:`Store` on the current snapshot, for the length of one request."""
        with self.borrow() as (_, store):
            yield store

    @contextlib.contextmanager
    def borrow(self) -> Iterator[tuple[StoreCopy, Store]]:
        """The current snapshot and a connection to it, held for the length of one request."""
        while True:
            snapshot = self.current
            try:
                store = snapshot.acquire()
                break
            except Retired:  # replaced between reading it and borrowing from it: take the new one
                continue
        try:
            yield snapshot, store
        finally:
            snapshot.release(store)

    # ---- refreshing ------------------------------------------------------------------------------
    def refresh(self) -> bool:
        """Copy the store if it changed since the current snapshot. ``False``: a writer holds it (try later)."""
        with self._swap:
            seen = signature(self.path)
            if self._current is not None and self._current.source == seen:
                return True
            taken = self._copy()
            if taken is None:
                return False
            old, self._current = self._current, taken
        if old is not None:
            old.retire()
        return True

    def _copy(self) -> StoreCopy | None:
        assert self._dir is not None
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None  # between a first build's unlink and rename; try again
        try:
            try:
                guard = Store(self.path, read_only=True, wait=0.0)
            except StoreError:
                return None  # a writer holds the file (in another process, or in this one)
            try:
                if os.fstat(fd).st_ino != os.stat(self.path).st_ino:
                    return None  # replaced while we opened it
                seen = signature(self.path)
                last_update = guard.meta("last_update")
                self._generation += 1
                dest = self._dir / f"store-{self._generation}.duckdb"
                _copy_from(fd, dest)
                wal = self.path.with_name(self.path.name + ".wal")
                if wal.is_file():
                    shutil.copyfile(wal, dest.with_name(dest.name + ".wal"))
            finally:
                guard.close()
        finally:
            os.close(fd)
        return StoreCopy(self._generation, dest, self.path, seen, last_update)

    def _watch(self) -> None:
        while not self._stop.wait(self.poll):
            try:
                self.refresh()
            except Exception:  # keep serving the current snapshot; try again at the next look
                continue
