"""Downloads are cached, resumed, checked and never half-written (local HTTP server on 127.0.0.1)."""

from __future__ import annotations

from pathlib import Path

import pytest

from remontada.ingest.fetch import Fetcher, FetchError, sha256_hex
from remontada.sources.base import RemoteFile
from tests.httpmirror import Faults, serve

E0_2324 = "football-data.co.uk/mmz4281/2324/E0.csv"


def remote(mirror_path: str, optional: bool = False) -> RemoteFile:
    return RemoteFile(
        source="test",
        path=mirror_path,
        url="https://example.invalid/" + mirror_path,
        mirror_path=mirror_path,
        optional=optional,
    )


def test_download_from_http_mirror_matches_the_mirror_bytes(mirror: Path, tmp_path: Path) -> None:
    expected = (mirror / E0_2324).read_bytes()
    with serve(mirror) as (base, _), Fetcher(base, tmp_path / "cache") as fetcher:
        got = fetcher.fetch(remote(E0_2324))
    assert got.data == expected
    assert got.sha256 == sha256_hex(expected)
    assert got.location == f"{base}/{E0_2324}"
    assert (tmp_path / "cache" / E0_2324).read_bytes() == expected


def test_second_download_revalidates_with_etag_and_serves_the_cache(mirror: Path, tmp_path: Path) -> None:
    with serve(mirror) as (base, faults), Fetcher(base, tmp_path) as fetcher:
        first = fetcher.fetch(remote(E0_2324))
        second = fetcher.fetch(remote(E0_2324))
    assert not first.from_cache and second.from_cache
    assert second.data == first.data
    assert len(faults.requests) == 2


def test_truncated_transfer_is_resumed_with_a_range_request(mirror: Path, tmp_path: Path) -> None:
    faults = Faults(truncate_once={E0_2324})
    with serve(mirror, faults) as (base, faults), Fetcher(base, tmp_path, backoff=0) as fetcher:
        got = fetcher.fetch(remote(E0_2324))
    assert got.data == (mirror / E0_2324).read_bytes()
    ranges = [r for p, r in faults.requests if p == E0_2324]
    assert ranges[0] is None and ranges[1] is not None and ranges[1].startswith("bytes=")
    assert not (tmp_path / (E0_2324 + ".part")).exists()


def test_html_page_instead_of_csv_is_rejected_and_nothing_is_cached(mirror: Path, tmp_path: Path) -> None:
    faults = Faults(html={E0_2324})
    with (
        serve(mirror, faults) as (base, _),
        Fetcher(base, tmp_path, backoff=0) as fetcher,
        pytest.raises(FetchError, match="HTML"),
    ):
        fetcher.fetch(remote(E0_2324))
    assert not (tmp_path / E0_2324).exists()


def test_missing_optional_file_is_absent_and_missing_required_file_is_an_error(mirror: Path, tmp_path: Path) -> None:
    path = "football-data.co.uk/mmz4281/1415/G1.csv"  # a gap in the real data
    with serve(mirror) as (base, _), Fetcher(base, tmp_path, backoff=0) as fetcher:
        assert fetcher.fetch(remote(path, optional=True)).absent
        with pytest.raises(FetchError, match="404"):
            fetcher.fetch(remote(path))


def test_server_errors_are_retried_then_reported_with_the_url(mirror: Path, tmp_path: Path) -> None:
    faults = Faults(fail_times={E0_2324: 2})
    with serve(mirror, faults) as (base, _), Fetcher(base, tmp_path, backoff=0, retries=3) as fetcher:
        assert fetcher.fetch(remote(E0_2324)).data == (mirror / E0_2324).read_bytes()
    faults = Faults(status={E0_2324: 500})
    with (
        serve(mirror, faults) as (base, _),
        Fetcher(base, tmp_path / "b", backoff=0, retries=1) as fetcher,
        pytest.raises(FetchError) as info,
    ):
        fetcher.fetch(remote(E0_2324))
    assert E0_2324 in str(info.value) and "500" in str(info.value)


def test_local_directory_mirror_is_read_in_place(mirror: Path, tmp_path: Path) -> None:
    fetcher = Fetcher(mirror, tmp_path)
    got = fetcher.fetch(remote(E0_2324))
    assert got.location == str(mirror / E0_2324)
    assert got.data == (mirror / E0_2324).read_bytes()
    assert not any(tmp_path.iterdir())


def test_empty_file_in_local_mirror_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "x").mkdir()
    (tmp_path / "x" / "empty.csv").write_bytes(b"\n")
    with pytest.raises(FetchError, match="empty"):
        Fetcher(tmp_path).fetch(remote("x/empty.csv"))
