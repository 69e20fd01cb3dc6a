"""A local HTTP server on 127.0.0.1 serving a directory like the public sources do.

It honours ``Range``/``If-Range`` (for resumed downloads) and ``ETag``/``If-None-Match``, and can
be told to misbehave on given paths: cut a transfer short, serve an HTML page, fail with a status,
send no validators and splice ranges regardless of ``If-Range``, drip or hang, loop redirects,
send a garbage gzip body or a malformed ``Content-Range``.
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
    truncate: set[str] = field(default_factory=set)  # send half the body every time, then drop the connection
    html: set[str] = field(default_factory=set)  # serve a login page instead of the file
    status: dict[str, int] = field(default_factory=dict)  # answer with this status
    fail_times: dict[str, int] = field(default_factory=dict)  # answer 503 this many times first
    no_length: set[str] = field(default_factory=set)  # no Content-Length: the end of the body is the close
    no_validators: set[str] = field(default_factory=set)  # no ETag; honour Range whatever If-Range says
    drip: dict[str, float] = field(default_factory=dict)  # send one byte every this many seconds
    hang: set[str] = field(default_factory=set)  # accept the request and never answer
    redirect_loop: set[str] = field(default_factory=set)  # redirect to itself forever
    garbage_gzip: set[str] = field(default_factory=set)  # claim Content-Encoding: gzip, send junk
    bad_content_range: set[str] = field(default_factory=set)  # answer a Range with a malformed Content-Range
    requests: list[tuple[str, str | None]] = field(default_factory=list)  # (path, Range header)
    if_ranges: list[str | None] = field(default_factory=list)  # If-Range header of each request
    stop: threading.Event = field(default_factory=threading.Event)  # set when the server closes


def _handler(root: Path, faults: Faults) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:  # keep test output clean
            pass

        def do_GET(self) -> None:
            rel = self.path.lstrip("/").split("?", 1)[0]
            faults.requests.append((rel, self.headers.get("Range")))
            faults.if_ranges.append(self.headers.get("If-Range"))
            if rel in faults.hang:
                faults.stop.wait(120)
                return
            if rel in faults.redirect_loop:
                self.send_response(302)
                self.send_header("Location", "/" + rel)
                self.send_header("Content-Length", "0")
                self.end_headers()
                return
            if rel in faults.garbage_gzip:
                body = b"\x1f\x8b\x08\x00 this is not gzip at all" * 10
                self.send_response(200)
                self.send_header("Content-Encoding", "gzip")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
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
            validators = rel not in faults.no_validators
            if validators and self.headers.get("If-None-Match") == etag:
                self.send_response(304)
                self.send_header("ETag", etag)
                self.end_headers()
                return
            start = 0
            range_header = self.headers.get("Range")
            if_range = self.headers.get("If-Range")
            same = not validators or if_range is None or if_range == etag
            if range_header and range_header.startswith("bytes=") and same:
                start = int(range_header[6:].split("-", 1)[0])
                self.send_response(206)
                content_range = f"bytes {start}-{len(data) - 1}/{len(data)}"
                if rel in faults.bad_content_range:
                    content_range = f"bytes {start}-oops/{len(data)}"
                self.send_header("Content-Range", content_range)
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Type", "text/plain; charset=utf-8")
            if rel not in faults.no_length:
                self.send_header("Content-Length", str(len(body)))
            if validators:
                self.send_header("ETag", etag)
            self.end_headers()
            if rel in faults.drip:
                for i in range(len(body)):
                    if faults.stop.wait(faults.drip[rel]):
                        return
                    self.wfile.write(body[i : i + 1])
                    self.wfile.flush()
                return
            if rel in faults.truncate or rel in faults.truncate_once:
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
        faults.stop.set()
        server.shutdown()
        server.server_close()
