"""Hostile servers: a download never splices two versions, never runs without end, never tracebacks.

Each case runs the real :class:`Fetcher` against a misbehaving HTTP server on 127.0.0.1
(``tests/httpmirror.py``) serving a copy of the Premier League 2023-24 file of football-data.co.uk.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest

from remontada.ingest.fetch import Fetcher, FetchError
from remontada.ingest.update import update
from remontada.sources.base import RemoteFile
from remontada.sources.football_data import FootballData
from tests.httpmirror import Faults, serve
from tests.store_support import E0, store_rows


def remote(mirror_path: str = E0) -> RemoteFile:
    return RemoteFile(
        source="test", path=mirror_path, url="https://example.invalid/" + mirror_path, mirror_path=mirror_path
    )


def two_versions(mirror: Path, root: Path) -> tuple[Path, bytes, bytes]:
    """A served copy of E0.csv (version 1) and version 2: one referee's name longer on line 6, so bytes shift."""
    served = root / E0
    served.parent.mkdir(parents=True)
    v1 = (mirror / E0).read_bytes()
    v2 = v1.replace(b",Everton,Fulham,0,1,A,0,0,D,S Attwell,", b",Everton,Fulham,0,1,A,0,0,D,Stuart Attwell,", 1)
    assert v2 != v1 and len(v2) == len(v1) + 5
    served.write_bytes(v1)
    return served, v1, v2


def test_a_resume_without_validators_starts_over_instead_of_splicing(mirror: Path, tmp_path: Path) -> None:
    served, _, v2 = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    # version 1 is always cut at half its Content-Length, and sent without ETag or Last-Modified
    with (
        serve(tmp_path / "served", Faults(truncate={E0}, no_validators={E0})) as (base, _),
        Fetcher(base, cache, backoff=0) as fetcher,
        pytest.raises(FetchError, match="gave up after 4 attempts"),
    ):
        fetcher.fetch(remote())
    assert (cache / (E0 + ".part")).is_file()
    served.write_bytes(v2)
    # version 2 honours Range but proves nothing: the partial file of version 1 must not be continued
    with serve(tmp_path / "served", Faults(no_validators={E0})) as (base, faults), Fetcher(base, cache) as fetcher:
        got = fetcher.fetch(remote())
    assert got.data == v2
    assert [r for _, r in faults.requests] == [None]  # no Range was asked for


def test_a_resume_answered_with_another_version_is_discarded(mirror: Path, tmp_path: Path) -> None:
    served, _, v2 = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    with (  # version 1 has an ETag
        serve(tmp_path / "served", Faults(truncate={E0})) as (base, _),
        Fetcher(base, cache, backoff=0, retries=0) as fetcher,
        pytest.raises(FetchError),
    ):
        fetcher.fetch(remote())
    served.write_bytes(v2)
    # the server now ignores If-Range and sends 206 with no ETag: the fetcher must not append it
    with (
        serve(tmp_path / "served", Faults(no_validators={E0})) as (base, faults),
        Fetcher(base, cache, backoff=0) as fetcher,
    ):
        got = fetcher.fetch(remote())
    assert got.data == v2
    assert faults.requests[0][1] is not None and faults.if_ranges[0] is not None  # a resume was tried...
    assert faults.requests[-1][1] is None  # ...then refused and the whole file fetched again


def test_a_changed_file_answers_if_range_with_the_whole_new_version(mirror: Path, tmp_path: Path) -> None:
    served, _, v2 = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    with (
        serve(tmp_path / "served", Faults(truncate={E0})) as (base, _),
        Fetcher(base, cache, backoff=0, retries=0) as fetcher,
        pytest.raises(FetchError),
    ):
        fetcher.fetch(remote())
    served.write_bytes(v2)
    with serve(tmp_path / "served") as (base, faults), Fetcher(base, cache) as fetcher:
        got = fetcher.fetch(remote())
    assert got.data == v2 and faults.if_ranges[0] is not None and len(faults.requests) == 1


def test_the_same_version_is_still_resumed(mirror: Path, tmp_path: Path) -> None:
    _, v1, _ = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    with (
        serve(tmp_path / "served", Faults(truncate_once={E0})) as (base, faults),
        Fetcher(base, cache, backoff=0) as fetcher,
    ):
        got = fetcher.fetch(remote())
    assert got.data == v1
    assert faults.requests[1][1] == f"bytes={len(v1) // 2}-" and faults.if_ranges[1] is not None


def test_a_spliced_download_never_reaches_the_store(mirror: Path, tmp_path: Path) -> None:
    """The issue's case end to end: the store equals one built from version 2 alone."""
    served, _, v2 = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    store = tmp_path / "store.duckdb"
    sources = [FootballData(seasons=["2023-24"], divisions=["E0"])]
    with serve(tmp_path / "served", Faults(truncate={E0}, no_validators={E0})) as (base, _):
        failed = update(store, sources=sources, fetcher=Fetcher(base, cache, backoff=0))
    assert not failed.committed and (cache / (E0 + ".part")).is_file()
    served.write_bytes(v2)
    with serve(tmp_path / "served", Faults(no_validators={E0})) as (base, _):
        report = update(store, sources=sources, fetcher=Fetcher(base, cache, backoff=0))
    assert report.committed and report.errors == []
    reference = tmp_path / "reference.duckdb"
    assert update(reference, mirror=str(tmp_path / "served"), sources=sources).committed
    assert store_rows(store, across_builds=True) == store_rows(reference, across_builds=True)


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Faults(redirect_loop={E0}), "redirect"),
        (Faults(garbage_gzip={E0}), "decoded"),
    ],
    ids=["redirect-loop", "garbage-gzip"],
)
def test_broken_http_answers_are_one_clear_error(mirror: Path, tmp_path: Path, fault: Faults, message: str) -> None:
    shutil.copytree(mirror / Path(E0).parent, tmp_path / "served" / Path(E0).parent)
    with (
        serve(tmp_path / "served", fault) as (base, _),
        Fetcher(base, tmp_path / "cache", backoff=0) as fetcher,
        pytest.raises(FetchError, match=message) as info,
    ):
        fetcher.fetch(remote())
    assert "\n" not in str(info.value) and E0 in str(info.value)


def test_a_malformed_content_range_starts_the_download_over(mirror: Path, tmp_path: Path) -> None:
    _, v1, _ = two_versions(mirror, tmp_path / "served")
    cache = tmp_path / "cache"
    with (
        serve(tmp_path / "served", Faults(truncate_once={E0}, bad_content_range={E0})) as (base, faults),
        Fetcher(base, cache, backoff=0, retries=1) as fetcher,
        pytest.raises(FetchError, match="malformed Content-Range 'bytes 86098-oops/172196'"),
    ):
        fetcher.fetch(remote())  # the first attempt is cut short; the second is answered with a broken 206
    with serve(tmp_path / "served", faults) as (base, faults), Fetcher(base, cache, backoff=0) as fetcher:
        assert fetcher.fetch(remote()).data == v1  # the next run starts over and gets the file whole
    assert faults.requests[-1][1] is None


def test_a_server_dripping_bytes_is_abandoned_at_the_deadline(mirror: Path, tmp_path: Path) -> None:
    two_versions(mirror, tmp_path / "served")
    started = time.monotonic()
    with (
        serve(tmp_path / "served", Faults(drip={E0: 0.5})) as (base, _),
        Fetcher(base, tmp_path / "cache", backoff=0, deadline=2.0) as fetcher,
        pytest.raises(FetchError, match="abandoned after 2 s"),
    ):
        fetcher.fetch(remote())
    assert time.monotonic() - started < 10


def test_a_hanging_server_is_abandoned_at_the_deadline_not_after_every_retry(mirror: Path, tmp_path: Path) -> None:
    two_versions(mirror, tmp_path / "served")
    started = time.monotonic()
    with (
        serve(tmp_path / "served", Faults(hang={E0})) as (base, faults),
        Fetcher(base, tmp_path / "cache", backoff=0, timeout=60, deadline=2.0) as fetcher,
        pytest.raises(FetchError, match="abandoned"),
    ):
        fetcher.fetch(remote())
    assert time.monotonic() - started < 10 and len(faults.requests) == 1


def test_an_unreachable_mirror_is_tried_for_one_file_then_skipped(tmp_path: Path) -> None:
    files = [remote(f"football-data.co.uk/mmz4281/2324/{d}.csv") for d in ("E0", "E1", "E2", "E3", "SC0")]
    with Fetcher("http://127.0.0.1:1", tmp_path, backoff=0) as fetcher:
        outcomes = list(fetcher.fetch_many(files, workers=1))
    assert all(isinstance(o, FetchError) for o in outcomes)
    assert "gave up after 4 attempts" in str(outcomes[0])
    assert all("unreachable" in str(o) and "not tried" in str(o) for o in outcomes[1:])
