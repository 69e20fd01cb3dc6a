"""Downloads: from the real public URLs, or from a mirror directory or HTTP server.

Every file is cached under the download directory by its mirror path, revalidated with
``ETag``/``Last-Modified``, resumed with ``Range`` after a broken transfer, checked (HTTP status,
``Content-Length``, an HTML page served where data was expected) and only then moved into
place atomically, so a cached file is never half-written.
"""

from __future__ import annotations

import hashlib
import json
import os
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
        timeout: float = 60.0,
        retries: int = 3,
        backoff: float = 0.5,
        revalidate: bool = True,
    ) -> None:
        self.mirror = str(mirror) if mirror is not None else None
        self.download_dir = download_dir or default_download_dir()
        self.timeout = timeout
        self.retries = retries
        self.backoff = backoff
        self.revalidate = revalidate
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
        meta = _read_meta(meta_path)
        if target.is_file() and not self.revalidate:
            data = target.read_bytes()
            return Fetched(remote, location, data, sha256_hex(data), from_cache=True)
        last_error = "no attempt made"
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                outcome = self._attempt(remote, location, target, part, meta_path, meta)
            except _Retry as retry:
                last_error = retry.reason
                continue
            return outcome
        raise FetchError(location, f"gave up after {self.retries + 1} attempts: {last_error}")

    def _attempt(
        self, remote: RemoteFile, location: str, target: Path, part: Path, meta_path: Path, meta: dict[str, str]
    ) -> Fetched:
        headers: dict[str, str] = {}
        have_final = target.is_file()
        if have_final and meta.get("etag"):
            headers["If-None-Match"] = meta["etag"]
        if have_final and meta.get("last_modified"):
            headers["If-Modified-Since"] = meta["last_modified"]
        resume_from = part.stat().st_size if part.is_file() else 0
        if resume_from and not have_final:
            headers["Range"] = f"bytes={resume_from}-"
            if meta.get("part_etag"):
                headers["If-Range"] = meta["part_etag"]
        try:
            with self._http().stream("GET", location, headers=headers) as response:
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
                if status not in (200, 206):
                    raise FetchError(location, f"HTTP {status}")
                content_type = response.headers.get("content-type", "")
                if "text/html" in content_type.lower() and not location.endswith((".html", ".htm")):
                    raise FetchError(location, f"an HTML page was served (Content-Type {content_type!r})")
                expected = _expected_length(response, resume_from if status == 206 else 0)
                part.parent.mkdir(parents=True, exist_ok=True)
                mode = "ab" if status == 206 else "wb"
                _write_meta(meta_path, {**meta, "part_etag": response.headers.get("etag", "")})
                with part.open(mode) as out:
                    for chunk in response.iter_bytes():
                        out.write(chunk)
                etag = response.headers.get("etag", "")
                last_modified = response.headers.get("last-modified", "")
        except (httpx.TransportError, httpx.StreamError) as exc:
            raise _Retry(f"transfer interrupted ({type(exc).__name__}: {exc})") from None
        size = part.stat().st_size
        if expected is not None and size != expected:
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
    def __init__(self, reason: str) -> None:
        self.reason = reason
        super().__init__(reason)


def _expected_length(response: httpx.Response, already: int) -> int | None:
    """Total bytes the finished file should have, from Content-Range or Content-Length."""
    content_range = response.headers.get("content-range", "")
    if "/" in content_range and not content_range.endswith("/*"):
        return int(content_range.rsplit("/", 1)[1])
    length = response.headers.get("content-length")
    if length is None or response.headers.get("content-encoding"):
        return None  # compressed bodies have a different on-the-wire length
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
