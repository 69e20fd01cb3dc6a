"""Worker processes that die with the update that forked them.

``remontada update`` parses files in forked worker processes. If the update is killed (``kill -9``,
an OOM kill, a closed terminal) the workers must not live on: they would keep parsing for
nothing and, worse, keep copies of the parent's open files. :func:`die_with_parent` is the pool
initializer: on Linux it asks the kernel to send the worker ``SIGKILL`` when its parent dies
(``prctl(PR_SET_PDEATHSIG)``); elsewhere a daemon thread polls the parent's pid. Workers also
ignore ``SIGINT`` (Ctrl-C reaches the whole process group): the parent handles it and shuts the
pool down.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import sys
import threading
import time

_PR_SET_PDEATHSIG = 1


def die_with_parent(parent_pid: int) -> None:
    """Make this (forked) process exit as soon as ``parent_pid`` is gone."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not _kernel_kills_on_parent_death():
        threading.Thread(target=_watch, args=(parent_pid,), daemon=True).start()
    if os.getppid() != parent_pid:  # the parent died before the request above took effect
        os._exit(1)


def _kernel_kills_on_parent_death() -> bool:
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        return libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _watch(parent_pid: int, every: float = 0.5) -> None:
    while os.getppid() == parent_pid:
        time.sleep(every)
    os._exit(1)
