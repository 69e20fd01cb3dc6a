"""Answers asked again, sent straight from memory by the exact request that asked them.

A ``GET`` of the API names its question entirely in its path and query string, so once a request
has been answered (status 200) from a snapshot of the store, the same bytes of path and query asked
of the same snapshot on the same day get the same answer. :class:`FastPath` keeps those answers and
sends them before routing, parameter validation and the thread pool: on 2 cores that is what lets a
popular question be answered under load. Anything else (another snapshot, a new question, an error,
a ``POST``) goes through the app as before, except the new questions ``direct`` answers itself (a strictly
valid ``/api/live`` or ``/api/tie``, :mod:`remontada.web.direct`): those skip the app's routing and
validation, and are kept the same way.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from contextvars import ContextVar
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: Set by :class:`FastPath` for each request it passes on: the app puts (generation, JSON) there when
#: the answer may be kept.
_KEPT: ContextVar[dict[str, Any] | None] = ContextVar("remontada_fastpath", default=None)


def offer(generation: int, content: bytes) -> None:
    """Called by the app with the answer to the request being served, when it may be kept."""
    holder = _KEPT.get()
    if holder is not None:
        holder["generation"] = generation
        holder["content"] = content


class FastPath:
    """Pure ASGI middleware: keep ``size`` answers of ``GET /api/...`` by their exact path and query.

    ``generation`` returns the generation of the snapshot being served now: an answer read from an
    older one is never sent.
    """

    def __init__(
        self,
        app: ASGIApp,
        generation: Callable[[], int],
        size: int = 512,
        direct: Callable[[str, bytes], Callable[[], Awaitable[Response]] | None] | None = None,
    ) -> None:
        self.app = app
        self.generation = generation
        self.size = size
        self.direct = direct
        self._items: OrderedDict[tuple[str, bytes, dt.date], tuple[int, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith("/api/"):
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        key = (scope["path"], scope.get("query_string", b""), dt.date.today())
        with self._lock:
            kept = self._items.get(key)
            if kept is not None:
                self._items.move_to_end(key)
        if kept is not None:
            try:
                current = self.generation()
            except Exception:  # the store is not open: let the app say so
                current = None
            if kept[0] == current:
                await self._send(send, kept[1], began)
                return
        holder: dict[str, Any] = {}
        token = _KEPT.set(holder)
        status = 0

        async def watch(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            answer = self.direct(scope["path"], scope.get("query_string", b"")) if self.direct else None
            response = None
            if answer is not None:
                try:
                    response = await answer()
                except Exception:  # the app asks again and answers with its error handlers (4xx JSON, ...)
                    response = None
            if response is not None:
                status = response.status_code
                await response(scope, receive, send)
            else:
                await self.app(scope, receive, watch)
        finally:
            _KEPT.reset(token)
        if status == 200 and "content" in holder:
            with self._lock:
                self._items[key] = (holder["generation"], holder["content"])
                while len(self._items) > self.size:
                    self._items.popitem(last=False)

    @staticmethod
    async def _send(send: Send, content: bytes, began: float) -> None:
        took = 1000 * (time.perf_counter() - began)
        await send({
            "type": "http.response.start",
            "status": 200,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(content)).encode()),
                (b"server-timing", f"app;dur={took:.2f}".encode()),
            ],
        })  # fmt: skip
        await send({"type": "http.response.body", "body": content})
