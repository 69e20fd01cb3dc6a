"""A local HTTP server on 127.0.0.1 serving a directory like the public sources do.

It honours ``Range`` (for resumed downloads) and ``ETag``/``If-None-Match``, and can be told to
misbehave on given paths: cut a transfer short, serve an HTML page, or fail with a status.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


@dataclass
class Faults:
    """Misbehaviour per URL path (without the leading slash)."""

    truncate_once: set[str] = field(default_factory=set)  # send half the body, then drop the connection
    html: set[str] = field(default_factory=set)  # serve a login page instead of the file
    status: dict[str, int] = field(default_factory=dict)  # answer with this status
    fail_times: dict[str, int] = field(default_factory=dict)  # answer 503 this many times first
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)


def _handler(root: Path, faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            rel = self.path.lstrip("/").split("?", 1)[0]
            faults.requests.append((rel, self.headers.get("Range")))
            if faults.fail_times.get(rel, 0) > 0:
                faults.fail_times[rel] -= 1
                self.send_error(503)
                return
            if rel in faults.status:
                self.send_error(faults.status[rel])
                return
            if rel in faults.html:
                body = b"<!DOCTYPE html><html><body>Please log in</body></html>"
                self.send_response(200)
                self.send_header("Content-Type", "text/html")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            path = root / rel
            if not path.is_file():
                self.send_error(404)
                return
            data = path.read_bytes()
            etag = '"' + hashlib.sha1(data).hexdigest() + '"'
            if self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            start = 0
            range_header = self.headers.get("Range")
            if range_header and range_header.startswith("bytes="):
                start = int(range_header[6:].split("-", 1)[0])
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("ETag", etag)
            self.end_headers()
            if rel in faults.truncate_once:
                faults.truncate_once.discard(rel)
                self.wfile.write(body[: len(body) // 2])
                self.wfile.flush()
                self.close_connection = True
                return
            self.wfile.write(body)

    return Handler


@contextmanager
def serve(root: Path, faults: Faults | None = None) -> Iterator[tuple[str, Faults]]:
    """``with serve(dir) as (base_url, faults):`` — an HTTP server on 127.0.0.1 for the block."""
    faults = faults or Faults()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(root, faults))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", faults
    finally:
        server.shutdown()
        server.server_close()
