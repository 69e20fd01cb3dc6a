"""Downloads: from the real public URLs, or from a mirror directory or HTTP server.

Every file is cached under the download directory by its mirror path, revalidated with
``ETag``/``Last-Modified``, resumed with ``Range`` after a broken transfer, checked (HTTP status,
``Content-Length``, an HTML page served where data was expected) and only then moved into
place atomically, so a cached file is never half-written.

A broken transfer is resumed only when the server proves the rest belongs to the same version of
the file: the request carries ``If-Range`` with the strong ``ETag`` (or ``Last-Modified``) of the
first response, and the ``206`` answer must repeat that validator and a ``Content-Range`` that
starts where the partial file ends and has the first response's total length. Anything else
(no validator, a different one, a malformed ``Content-Range``) discards the partial file and
downloads the whole file again, so two versions are never spliced.

Each file has an overall deadline (``deadline`` seconds, over all attempts), so a server that drips
bytes or hangs is abandoned; when the mirror itself cannot be reached (connection refused, no such
host) after one file's attempts, every later file from it fails at once instead of retrying.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx

from remontada import __version__, errors
from remontada.paths import default_download_dir
from remontada.sources.base import RemoteFile

USER_AGENT = f"remontada/{__version__} (+https://pypi.org/project/remontada/)"
_RETRYABLE_STATUS = {408, 425, 429, 500, 502, 503, 504}


class FetchError(errors.SourceError):
    """A file that could not be downloaded intact; ``location`` is the URL or path tried."""

    def __init__(self, location: str, message: str) -> None:
        super().__init__(f"{location}: {message}", location=location)
        self.message = message


@dataclass(frozen=True, slots=True)
class Fetched:
    """The bytes of one remote file, or ``data=None`` when an optional file does not exist."""

    remote: RemoteFile
    location: str
    data: bytes | None
    sha256: str | None
    from_cache: bool = False

    @property
    def absent(self) -> bool:
        return self.data is None


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def looks_like_html(data: bytes) -> bool:
    """True when the bytes are an HTML page (an error or login page served instead of data)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body"))


def check_payload(location: str, data: bytes) -> None:
    """Reject payloads that cannot be the data file they claim to be."""
    if not data.strip():
        raise FetchError(location, "the file is empty")
    if looks_like_html(data):
        raise FetchError(location, "an HTML page was served where a data file was expected")


class Fetcher:
    """Fetches :class:`RemoteFile`s from their public URL, or from ``mirror`` when given.

    ``mirror`` is a local directory or an ``http(s)://`` base URL laid out by the original URL
    paths (``<mirror>/football-data.co.uk/mmz4281/2324/E0.csv``). Local files are read in place;
    HTTP downloads are cached in ``download_dir``.
    """

    def __init__(
        self,
        mirror: str | os.PathLike[str] | None = None,
        download_dir: Path | None = None,
        *,
        client: httpx.Client | None = None,
        timeout: float = 30.0,
        retries: int = 3,
        backoff: float = 0.5,
        revalidate: bool = True,
        deadline: float = 300.0,
    ) -> None:
        self.mirror = str(mirror) if mirror is not None else None
        self.download_dir = download_dir or default_download_dir()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.revalidate = revalidate
        self.deadline = deadline
        self._unreachable: dict[str, str] = {}  # host -> why it could not be reached
        self._client = client
        self._own_client = client is None

    # ---- public ---------------------------------------------------------------------
    def location(self, remote: RemoteFile) -> str:
        """The URL or path this fetcher reads ``remote`` from."""
        if self.mirror is None:
            return remote.url
        if self._mirror_is_url():
            return self.mirror.rstrip("/") + "/" + remote.mirror_path
        return str(Path(self.mirror) / remote.mirror_path)

    def fetch(self, remote: RemoteFile) -> Fetched:
        location = self.location(remote)
        if self.mirror is not None and not self._mirror_is_url():
            return self._read_local(remote, Path(location))
        return self._download(remote, location)

    def fetch_many(
        self,
        remotes: Iterable[RemoteFile],
        *,
        workers: int = 8,
        on_done: Callable[[Fetched | FetchError], None] | None = None,
    ) -> Iterator[Fetched | FetchError]:
        """Fetch in parallel threads, yielding results (or errors) in input order."""
        items = list(remotes)

        def one(remote: RemoteFile) -> Fetched | FetchError:
            try:
                result: Fetched | FetchError = self.fetch(remote)
            except FetchError as exc:
                result = exc
            if on_done is not None:
                on_done(result)
            return result

        if workers <= 1 or len(items) <= 1:
            yield from map(one, items)
            return
        with ThreadPoolExecutor(max_workers=workers) as pool:
            yield from pool.map(one, items)

    def close(self) -> None:
        if self._client is not None and self._own_client:
            self._client.close()
            self._client = None

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ---- local mirror -----------------------------------------------------------------
    def _mirror_is_url(self) -> bool:
        return self.mirror is not None and self.mirror.startswith(("http://", "https://"))

    def _read_local(self, remote: RemoteFile, path: Path) -> Fetched:
        if not path.is_file():
            if remote.optional:
                return Fetched(remote, str(path), None, None)
            raise FetchError(str(path), "file not found in the mirror")
        data = path.read_bytes()
        check_payload(str(path), data)
        return Fetched(remote, str(path), data, sha256_hex(data), from_cache=True)

    # ---- HTTP -------------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        if self._client is None:
            self._client = httpx.Client(timeout=self.timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT})
        return self._client

    def _cache_paths(self, remote: RemoteFile) -> tuple[Path, Path, Path]:
        target = self.download_dir / remote.mirror_path
        return target, target.with_name(target.name + ".part"), target.with_name(target.name + ".meta.json")

    def _download(self, remote: RemoteFile, location: str) -> Fetched:
        target, part, meta_path = self._cache_paths(remote)
        if target.is_file() and not self.revalidate:
            data = target.read_bytes()
            return Fetched(remote, location, data, sha256_hex(data), from_cache=True)
        host = httpx.URL(location).host
        if host in self._unreachable:
            raise FetchError(location, f"not tried: {host} is unreachable ({self._unreachable[host]})")
        deadline = time.monotonic() + self.deadline
        last_error = "no attempt made"
        connect_failures = 0
        for attempt in range(self.retries + 1):
            if attempt:
                pause = self.backoff * 2 ** (attempt - 1)
                if time.monotonic() + pause >= deadline:
                    break
                time.sleep(pause)
            try:
                return self._attempt(remote, location, target, part, meta_path, deadline)
            except _Retry as retry:
                last_error = retry.reason
                connect_failures += retry.unreachable
            if time.monotonic() >= deadline:
                raise FetchError(location, f"abandoned after {self.deadline:g} s without a complete file: {last_error}")
        if connect_failures == attempt + 1:
            self._unreachable[host] = last_error
        raise FetchError(location, f"gave up after {attempt + 1} attempts: {last_error}")

    def _attempt(
        self,
        remote: RemoteFile,
        location: str,
        target: Path,
        part: Path,
        meta_path: Path,
        deadline: float,
    ) -> Fetched:
        meta = _read_meta(meta_path)  # re-read: an earlier attempt may have recorded a partial file's validators
        headers: dict[str, str] = {}
        have_final = target.is_file()
        if have_final and meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if have_final and meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
        resume_from = part.stat().st_size if part.is_file() and not have_final else 0
        validator = _resume_validator(meta) if resume_from else None
        if resume_from and validator is None:
            part.unlink(missing_ok=True)  # nothing proves the rest would be the same version: start over
            resume_from = 0
        if resume_from and validator is not None:
            headers["Range"] = f"bytes={resume_from}-"
            headers["If-Range"] = validator
        remaining = deadline - time.monotonic()
        timeout = httpx.Timeout(min(self.timeout, max(remaining, 0.1)))
        try:
            with self._http().stream("GET", location, headers=headers, timeout=timeout) as response:
                status = response.status_code
                if status == 304 and have_final:
                    data = target.read_bytes()
                    return Fetched(remote, location, data, sha256_hex(data), from_cache=True)
                if status in (404, 410):
                    if remote.optional:
                        return Fetched(remote, location, None, None)
                    raise FetchError(location, f"HTTP {status}: the file does not exist")
                if status in _RETRYABLE_STATUS:
                    raise _Retry(f"HTTP {status}")
                if status not in (200, 206) or (status == 206 and not resume_from):
                    raise FetchError(location, f"HTTP {status}")
                content_type = response.headers.get("content-type", "")
                if "text/html" in content_type.lower() and not location.endswith((".html", ".htm")):
                    raise FetchError(location, f"an HTML page was served (Content-Type {content_type!r})")
                etag = response.headers.get("etag", "")
                last_modified = response.headers.get("last-modified", "")
                mismatch = _version_mismatch(response, meta, resume_from) if status == 206 else None
                if mismatch:
                    part.unlink(missing_ok=True)
                    _write_meta(meta_path, _final_meta(meta))
                    raise _Retry(f"a resumed transfer was refused ({mismatch}); starting over")
                expected = _expected_length(location, response, resume_from if status == 206 else 0)
                part.parent.mkdir(parents=True, exist_ok=True)
                mode = "ab" if status == 206 else "wb"
                if status == 200:
                    _write_meta(
                        meta_path,
                        {
                            **_final_meta(meta),
                            "part_etag": etag,
                            "part_last_modified": last_modified,
                            "part_length": "" if expected is None else str(expected),
                        },
                    )
                with part.open(mode) as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                        if time.monotonic() > deadline:
                            raise _Retry(f"the transfer was still running after {self.deadline:g} s")
        except (httpx.TransportError, httpx.StreamError) as exc:
            unreachable = isinstance(exc, httpx.ConnectError)
            raise _Retry(f"transfer interrupted ({type(exc).__name__}: {exc})", unreachable=unreachable) from None
        except httpx.DecodingError as exc:
            part.unlink(missing_ok=True)
            raise FetchError(location, f"the body cannot be decoded ({exc})") from None
        except httpx.TooManyRedirects:
            raise FetchError(location, "too many redirects (a redirect loop?)") from None
        except httpx.HTTPError as exc:
            raise FetchError(location, f"{type(exc).__name__}: {exc}") from None
        size = part.stat().st_size
        if expected is not None and size != expected:
            if size > expected:
                part.unlink(missing_ok=True)
            raise _Retry(f"truncated transfer: {size} of {expected} bytes")
        data = part.read_bytes()
        try:
            check_payload(location, data)
        except FetchError:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, target)
        _write_meta(
            meta_path, {"etag": etag, "last_modified": last_modified, "sha256": sha256_hex(data), "url": location}
        )
        return Fetched(remote, location, data, sha256_hex(data))


class _Retry(Exception):
    def __init__(self, reason: str, *, unreachable: bool = False) -> None:
        self.reason = reason
        self.unreachable = unreachable
        super().__init__(reason)


_CONTENT_RANGE = re.compile(r"bytes\s+(\d+)-(\d+)/(\d+|\*)\s*")


def _content_range(response: httpx.Response) -> tuple[int, int, int | None] | None:
    """``(first, last, total)`` of a ``Content-Range`` header (total ``None`` for ``*``), or None when malformed."""
    found = _CONTENT_RANGE.fullmatch(response.headers.get("content-range", ""))
    if not found:
        return None
    first, last = int(found[1]), int(found[2])
    total = None if found[3] == "*" else int(found[3])
    if last < first or (total is not None and last >= total):
        return None
    return first, last, total


def _resume_validator(meta: dict[str, str]) -> str | None:
    """The ``If-Range`` value proving a partial file's version: a strong ETag, else Last-Modified."""
    etag = meta.get("part_etag", "")
    if etag and not etag.startswith("W/"):
        return etag
    return meta.get("part_last_modified") or None


def _version_mismatch(response: httpx.Response, meta: dict[str, str], resume_from: int) -> str | None:
    """Why a ``206`` does not continue the partial file (same validator, starts at its end, same length), or None."""
    validator = _resume_validator(meta)
    if validator is None or validator not in (response.headers.get("etag"), response.headers.get("last-modified")):
        return "the answer does not carry the ETag or Last-Modified of the partial file"
    content_range = _content_range(response)
    header = response.headers.get("content-range")
    if content_range is None:
        return f"malformed Content-Range {header!r}"
    if content_range[0] != resume_from:
        return f"Content-Range {header!r} does not start at byte {resume_from}"
    known = meta.get("part_length", "")
    if known and content_range[2] is not None and str(content_range[2]) != known:
        return f"Content-Range {header!r} gives another length than the first answer ({known} bytes)"
    return None


def _final_meta(meta: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in meta.items() if not k.startswith("part_")}


def _expected_length(location: str, response: httpx.Response, already: int) -> int | None:
    """Total bytes the finished file should have, from Content-Range or Content-Length."""
    if response.status_code == 206:
        content_range = _content_range(response)
        if content_range is None:
            raise FetchError(location, f"malformed Content-Range {response.headers.get('content-range')!r}")
        if content_range[2] is not None:
            return content_range[2]
    length = response.headers.get("content-length")
    if length is None or response.headers.get("content-encoding"):
        return None  # compressed bodies have a different on-the-wire length
    if not length.strip().isdigit():
        raise FetchError(location, f"malformed Content-Length {length!r}")
    return already + int(length)


def _read_meta(path: Path) -> dict[str, str]:
    try:
        loaded = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in loaded.items()} if isinstance(loaded, dict) else {}


def _write_meta(path: Path, meta: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(meta))
    os.replace(tmp, path)
