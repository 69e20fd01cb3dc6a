"""Ctrl-C during an update is never lost, whatever DuckDB does with it.

Python runs a ``SIGINT`` handler between bytecodes of the main thread, and DuckDB's Python client
calls it too while a query runs: the handler's ``KeyboardInterrupt`` makes DuckDB cancel the query
and raise ``RuntimeError: Query interrupted`` (an ordinary ``Exception``) in its place, or, when the
query finishes first (a short insert on a loaded machine), return the result and drop the
``KeyboardInterrupt`` altogether, so the update went on and committed. :class:`InterruptWatch`
records the signal itself, so the update can test for it at its checkpoints and turn whatever
exception the interrupted query raised back into a ``KeyboardInterrupt``.

The signal lands either before the final commit (the update rolls back; a first build's
``<store>.building`` file is removed; :class:`KeyboardInterrupt` is raised and the store is as it
was) or after it (the update is complete and the store holds it; :class:`InterruptedAfterCommit`
is raised, so the command still exits 130 but says the update was committed).
"""

from __future__ import annotations

import signal
import threading
from types import FrameType, TracebackType
from typing import Any


class InterruptedAfterCommit(KeyboardInterrupt):
    """Ctrl-C that landed after the update's final commit: the store holds the complete update."""


class InterruptWatch:
    """Record ``SIGINT`` while an update runs (main thread only; elsewhere it watches nothing).

    The handler still raises ``KeyboardInterrupt`` at once; :meth:`check` raises it again at a
    checkpoint if something (a DuckDB query) swallowed it. ``committed`` is set by the caller once
    the final commit is done. Leaving the ``with`` block after a recorded signal raises
    :class:`KeyboardInterrupt` (or :class:`InterruptedAfterCommit`) in place of any exception or
    normal return.
    """

    def __init__(self) -> None:
        self.hit = False
        self.committed = False
        self._previous: Any = None
        self._installed = False

    def _handler(self, signum: int, frame: FrameType | None) -> None:
        self.hit = True
        raise self._interrupt()

    def _interrupt(self) -> KeyboardInterrupt:
        return InterruptedAfterCommit() if self.committed else KeyboardInterrupt()

    def check(self) -> None:
        """Raise ``KeyboardInterrupt`` if a Ctrl-C arrived since the watch began."""
        if self.hit:
            raise self._interrupt()

    def __enter__(self) -> InterruptWatch:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.getsignal(signal.SIGINT)
            if self._previous is signal.default_int_handler:  # leave a caller's own handler (or SIG_IGN) alone
                signal.signal(signal.SIGINT, self._handler)
                self._installed = True
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._installed:
            signal.signal(signal.SIGINT, self._previous)
            self._installed = False
        if self.hit and not isinstance(exc, KeyboardInterrupt):
            raise self._interrupt() from None  # a query's "Query interrupted", or a run that went on
        if isinstance(exc, KeyboardInterrupt) and self.committed and not isinstance(exc, InterruptedAfterCommit):
            raise InterruptedAfterCommit() from None
