"""An inter-process lock so that two ``remontada update`` runs never write the store at once.

The second process waits up to ``timeout`` seconds for the first to finish, then gives up with
:class:`StoreBusy` naming the holder; it never touches the store meanwhile.

The lock is an ``flock`` on ``<store>.lock``, which the kernel releases when the last descriptor of
it is closed, so a lock whose owner died is free again at once: nothing stale is left to clear.
For that to hold, no other process may keep a copy of the descriptor: it is opened
close-on-exec (so no program started later inherits it) and every process forked while it is held
closes its copy straight away (``os.register_at_fork``), so the parse workers of an update never
hold it. A holder that is no longer alive is named as such in :class:`StoreBusy`.
"""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path
from types import TracebackType

from remontada.errors import StoreError

try:  # POSIX
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]


class StoreBusy(StoreError):
    """Another process holds the store's write lock."""


#: Descriptors of the write locks this process holds; a forked child closes its copies.
_HELD: set[int] = set()


def _close_held_locks_in_child() -> None:
    for fd in list(_HELD):
        with contextlib.suppress(OSError):
            os.close(fd)  # closes the child's copy only: the parent keeps the lock
    _HELD.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_close_held_locks_in_child)


class WriteLock:
    """``with WriteLock(store_path, timeout=60):`` — exclusive, released on exit or process death."""

    def __init__(self, store_path: Path, timeout: float = 600.0, poll: float = 0.2) -> None:
        self.path = Path(str(store_path) + ".lock")
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            if _try_lock(fd):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                _HELD.add(fd)
                return
            if time.monotonic() >= deadline:
                holder = self.path.read_text().strip() or "unknown"
                os.close(fd)
                if holder.isdigit() and not _alive(int(holder)):
                    raise StoreBusy(
                        f"the store's write lock ({self.path}) is held by a process left over from a killed "
                        f"update (pid {holder} is gone); end that process and run again"
                    )
                raise StoreBusy(
                    f"another remontada process (pid {holder}) is updating the store "
                    f"({self.path.with_suffix('')}); waited {self.timeout:g} s"
                )
            time.sleep(self.poll)

    def release(self) -> None:
        if self._fd is not None:
            _HELD.discard(self._fd)
            if fcntl is not None:
                fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    def __enter__(self) -> WriteLock:
        self.acquire()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.release()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # exists, owned by someone else
        return True
    return True


def _try_lock(fd: int) -> bool:
    if fcntl is None:  # pragma: no cover - Windows: best effort via msvcrt
        import msvcrt

        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True
