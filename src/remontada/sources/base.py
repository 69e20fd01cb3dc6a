"""What a source module provides: its file catalogue, its URLs and its parser.

A source is a small object with no state beyond its configuration. The fetcher
(:mod:`remontada.ingest.fetch`) downloads the files it lists, from the real public URL or from a
mirror laid out by the original URL paths, and hands the bytes to :meth:`Source.parse`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from remontada.sources.records import ParsedFile


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file a source publishes.

    ``path`` is relative to the source's base URL (``mmz4281/2324/E0.csv``); ``mirror_path``
    is where the same file sits under a mirror root (``football-data.co.uk/mmz4281/2324/E0.csv``).
    ``competition`` and ``season`` are known from the catalogue when the path implies them.
    ``optional`` files may legitimately be absent (a 404 is reported, not an error).
    """

    source: str
    path: str
    url: str
    mirror_path: str
    competition: str | None = None
    season: str | None = None
    optional: bool = False


class Source(Protocol):
    """The interface of every module under :mod:`remontada.sources`."""

    #: Short key used in the store's provenance and on the command line.
    key: str
    #: One line shown by ``remontada update --help`` and in ``status``.
    description: str

    def files(self) -> list[RemoteFile]:
        """Every file this source publishes that remontada reads."""
        ...

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Parse one downloaded file; raise :class:`SourceError` naming ``location`` and line."""
        ...
