"""The layer that sends a kept answer by its exact request: only for the snapshot and day it was read from,
never for an error, and byte for byte what the app itself answered.

Drives :class:`remontada.web.fastpath.FastPath` over a tiny ASGI app, no store needed.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.types import Receive, Scope, Send

from remontada.web.fastpath import FastPath, offer


class Counting:
    """An app answering ``/api/n?x=`` with the number of times it was called, kept for ``generation``."""

    def __init__(self) -> None:
        self.calls = 0
        self.generation = 1

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.calls += 1
        bad = b"bad" in scope["query_string"]
        body = f'{{"calls":{self.calls}}}'.encode()
        if not bad:
            offer(self.generation, body)
        await send({"type": "http.response.start", "status": 422 if bad else 200, "headers": []})
        await send({"type": "http.response.body", "body": body})


def get(app: Any, query: bytes, path: str = "/api/n") -> tuple[int, bytes]:
    sent: list[dict[str, Any]] = []
    scope = {"type": "http", "method": "GET", "path": path, "query_string": query, "headers": []}

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    asyncio.run(app(scope, receive, send))
    return sent[0]["status"], b"".join(m.get("body", b"") for m in sent[1:])


def test_the_same_request_again_is_answered_from_memory_with_the_same_bytes() -> None:
    inner = Counting()
    app = FastPath(inner, generation=lambda: inner.generation)
    first = get(app, b"x=1")
    assert get(app, b"x=1") == first == (200, b'{"calls":1}')
    assert inner.calls == 1
    assert get(app, b"x=2") == (200, b'{"calls":2}')  # another question goes to the app


def test_a_new_snapshot_is_never_answered_with_an_answer_read_from_the_old_one() -> None:
    inner = Counting()
    app = FastPath(inner, generation=lambda: inner.generation)
    get(app, b"x=1")
    inner.generation = 2  # the store was updated and swapped in
    assert get(app, b"x=1") == (200, b'{"calls":2}')
    assert get(app, b"x=1") == (200, b'{"calls":2}')  # and kept for the new snapshot


def test_errors_and_other_methods_are_never_kept() -> None:
    inner = Counting()
    app = FastPath(inner, generation=lambda: inner.generation)
    assert get(app, b"x=bad")[0] == 422
    assert get(app, b"x=bad")[0] == 422
    assert inner.calls == 2
    get(app, b"", path="/")  # the page is not the API
    get(app, b"", path="/")
    assert inner.calls == 4
