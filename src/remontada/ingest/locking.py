"""An inter-process lock so that two ``remontada update`` runs never write the store at once.

The second process waits up to ``timeout`` seconds for the first to finish, then gives up with
:class:`StoreBusy` naming the holder; it never touches the store meanwhile.
"""

from __future__ import annotations

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


class WriteLock:
    """``with WriteLock(store_path, timeout=60):`` — exclusive, released on exit or process death."""

    def __init__(self, store_path: Path, timeout: float = 600.0, poll: float = 0.2) -> None:
        self.path = Path(str(store_path) + ".lock")
        self.timeout = timeout
        self.poll = poll
        self._fd: int | None = None

    def acquire(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.timeout
        while True:
            if _try_lock(fd):
                os.ftruncate(fd, 0)
                os.write(fd, f"{os.getpid()}\n".encode())
                self._fd = fd
                return
            if time.monotonic() >= deadline:
                holder = self.path.read_text().strip() or "unknown"
                os.close(fd)
                raise StoreBusy(
                    f"another remontada process (pid {holder}) is updating the store "
                    f"({self.path.with_suffix('')}); waited {self.timeout:g} s"
                )
            time.sleep(self.poll)

    def release(self) -> None:
        if self._fd is not None:
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
