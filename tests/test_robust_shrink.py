"""A file that loses rows it had, or stops mid-line or mid-block, never silently replaces the stored version.

Each case builds a store from a small local mirror (the Premier League 2023-24 file of
football-data.co.uk and the 2023-24 Premier League Football.TXT file of openfootball), damages a
file the way the issue found it damaged, updates again and checks the store is unchanged byte for
byte unless ``accept_shrink`` says the loss is wanted.
"""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.ingest.fetch import Fetcher
from remontada.ingest.update import update
from remontada.sources.base import RemoteFile, Source
from remontada.sources.football_data import FootballData
from remontada.sources.openfootball import OpenFootball
from remontada.sources.records import ParsedFile
from tests.httpmirror import Faults, serve
from tests.store_support import E0, store_rows

EPL_TXT = "openfootball/england/2023-24/1-premierleague.txt"


class Only:
    """``source`` restricted to the files at ``paths`` (a slice of the mirror small enough for a test)."""

    def __init__(self, source: Source, *paths: str) -> None:
        self.source, self.paths, self.key = source, set(paths), source.key

    def files(self) -> list[RemoteFile]:
        return [r for r in self.source.files() if r.mirror_path in self.paths]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        return self.source.parse(data, remote, location)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.source, name)


def sources() -> list[Any]:
    return [
        FootballData(seasons=["2023-24"], divisions=["E0"]),
        Only(OpenFootball(repos=["england"], seasons=["2023-24"]), EPL_TXT),
    ]


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def local(mirror: Path, tmp_path: Path) -> tuple[Path, Path]:
    """(a local mirror of two files, a store built from it)."""
    root = tmp_path / "mirror"
    for rel in (E0, EPL_TXT):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(mirror / rel, root / rel)
    store = tmp_path / "store.duckdb"
    report = update(store, mirror=str(root), sources=sources())
    assert report.committed and report.errors == []
    return root, store


def keep_lines(path: Path, n: int) -> None:
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:n]))


@pytest.mark.parametrize("keep_going", [False, True])
def test_a_header_only_csv_is_refused_and_the_store_is_unchanged_byte_for_byte(
    local: tuple[Path, Path], keep_going: bool
) -> None:
    root, store = local
    before, digest = store_rows(store), sha(store)
    keep_lines(root / E0, 1)
    report = update(store, mirror=str(root), sources=sources(), keep_going=keep_going)
    assert len(report.errors) == 1
    assert "380 -> 0 matches (380 lost), 11,766 -> 0 odds quotes" in report.errors[0]
    assert "--accept-shrink" in report.errors[0] and str(root / E0) in report.errors[0]
    assert [s.accepted for s in report.shrunk] == [False]
    assert store_rows(store) == before
    if not keep_going:
        assert sha(store) == digest  # nothing was committed: not one byte of the file changed


def test_a_csv_cut_at_200_lines_says_181_rows_would_be_lost(local: tuple[Path, Path]) -> None:
    root, store = local
    before = store_rows(store)
    keep_lines(root / E0, 200)
    report = update(store, mirror=str(root), sources=sources())
    assert not report.committed and "380 -> 199 matches (181 lost)" in report.errors[0]
    assert store_rows(store) == before


def test_an_accepted_shrink_replaces_the_file_and_reports_the_loss(local: tuple[Path, Path]) -> None:
    root, store = local
    keep_lines(root / E0, 200)
    report = update(store, mirror=str(root), sources=sources(), accept_shrink=True)
    assert report.committed and report.errors == []
    assert [(s.matches_before, s.matches_after, s.accepted) for s in report.shrunk] == [(380, 199, True)]
    rows = store_rows(store)["raw_matches"]
    assert sum(1 for r in rows if r[2].endswith("E0.csv")) == 199


def test_a_growing_file_is_not_a_shrink(local: tuple[Path, Path], mirror: Path) -> None:
    root, store = local
    keep_lines(root / E0, 200)
    assert update(store, mirror=str(root), sources=sources(), accept_shrink=True).committed
    shutil.copy(mirror / E0, root / E0)
    report = update(store, mirror=str(root), sources=sources())
    assert report.committed and report.shrunk == [] and report.ingested == 1


def test_a_football_txt_file_cut_mid_line_is_a_parse_error_on_a_new_store(mirror: Path, tmp_path: Path) -> None:
    root = tmp_path / "mirror"
    (root / EPL_TXT).parent.mkdir(parents=True)
    (root / EPL_TXT).write_bytes((mirror / EPL_TXT).read_bytes()[:13210])  # ends "Aston Villa FC  3-2 (2-1)"
    store = tmp_path / "store.duckdb"
    report = update(store, mirror=str(root), sources=sources()[1:])
    assert not report.committed and len(report.errors) == 1
    assert report.errors[0].startswith(f"{root / EPL_TXT}:")
    assert "team name '(2-1)' is a score or bracket" in report.errors[0]
    assert all(not rows for table, rows in store_rows(store).items() if table != "meta")


def test_a_football_txt_file_cut_short_over_http_without_content_length_is_an_error(
    mirror: Path, tmp_path: Path
) -> None:
    root = tmp_path / "served"
    (root / EPL_TXT).parent.mkdir(parents=True)
    (root / EPL_TXT).write_bytes((mirror / EPL_TXT).read_bytes()[:13210])
    store = tmp_path / "store.duckdb"
    with serve(root, Faults(no_length={EPL_TXT})) as (base, _):
        report = update(store, sources=sources()[1:], fetcher=Fetcher(base, tmp_path / "cache", backoff=0))
    assert not report.committed and len(report.errors) == 1
    assert f"{base}/{EPL_TXT}:" in report.errors[0] and "'(2-1)' is a score or bracket" in report.errors[0]


def test_a_football_txt_file_cut_between_matches_is_an_error_naming_the_declared_count(
    local: tuple[Path, Path], mirror: Path
) -> None:
    root, store = local
    before = store_rows(store)
    text = (mirror / EPL_TXT).read_bytes()
    (root / EPL_TXT).write_bytes(text[: text.rindex(b"\n", 0, 13210)])  # the last whole line before the cut
    report = update(store, mirror=str(root), sources=sources())
    assert not report.committed
    assert any(
        f"{root / EPL_TXT}:5: header declares 380 matches but the file lists only 189" in e for e in report.errors
    )
    assert store_rows(store) == before


def test_the_cli_refuses_a_shrink_with_one_line_and_accepts_it_when_asked(
    local: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root, store = local
    keep_lines(root / E0, 1)
    # the CLI runs every source: point it at football-data alone
    args = ["update", "--mirror", str(root), "--store", str(store), "--source", "football-data"]
    monkeypatch.setattr("remontada.ingest.update.registry", lambda keys: {"football-data": sources()[0]})
    refused = CliRunner().invoke(app, args)
    assert (refused.exit_code == 1 and refused.exception is None) or isinstance(refused.exception, SystemExit)
    assert "--accept-shrink" in refused.output and "Traceback" not in refused.output
    assert "380 -> 0 matches (380 lost)" in refused.output
    accepted = CliRunner().invoke(app, [*args, "--accept-shrink"])
    assert accepted.exit_code == 0, accepted.output
    assert "replaced, rows lost" in accepted.output
