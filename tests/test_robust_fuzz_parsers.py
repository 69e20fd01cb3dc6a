"""Property: every source parser turns any damaged file into rows or a file:line error, never a crash.

For each source, one real (small) file of the mirror is damaged at random by hypothesis: a field
set to a hostile value (huge, negative, not a number, a score or bracket where a name belongs,
a date in year 9999, control characters), a line dropped, doubled or cut mid-way, the file cut at
any byte, or junk bytes spliced in. The damaged bytes go through :func:`parse_file`, the same
function an update runs in its workers (parsing, then the range checks of the raw writer), and
the rows it returns are written into an in-memory store as an update would. The property: the
outcome is rows that DuckDB accepts or one error with a one-line message naming the file;
nothing else escapes.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from remontada.ingest.fetch import Fetched, sha256_hex
from remontada.ingest.raw_writer import RawWriter
from remontada.ingest.update import parse_file
from remontada.sources import registry
from remontada.sources.base import RemoteFile, Source
from remontada.store.reader import Store
from tests.conftest import mirror_root

SOURCES = registry(None)
MAX_LINES = 120  # the head of big files: enough rows to exercise every column, quick to parse

HOSTILE = [
    "", " ", "-1", "0", "40000", "70000", "1e19", "1e400", "9" * 400, "nan", "inf", "-inf", "NA", "#", "1xBet",
    "(2-1)", "3-2", "[", "]", "(", "2-1 (1-0)", "12/08/9999", "31/02/2024", "9999-12-31", "0000-00-00", "1850-01-01",
    '"', '""', ",", ";", "\t", "\x00", "\ufeff", "é", "Ω" * 50, "<html>", "-0.390625", "99999999999999999999",
    "Liverpool FC", "  Aston Villa FC  3-2 (2-1)", "# Matches 380", "= Title", "Matchday 1", "[Sat Dec/30]",
]  # fmt: skip


def sample_file(source: Source) -> tuple[RemoteFile, bytes]:
    """The smallest file of ``source`` in the mirror, cut to its first :data:`MAX_LINES` lines."""
    root = mirror_root()
    present = [r for r in source.files() if (root / r.mirror_path).is_file()]
    if not present:
        pytest.skip(f"no file of {source.key} in the mirror")
    remote = min(present, key=lambda r: (root / r.mirror_path).stat().st_size)
    lines = (root / remote.mirror_path).read_bytes().splitlines(keepends=True)
    return remote, b"".join(lines[:MAX_LINES])


NUMBERS = ["40000", "70000", "32768", "300", "1000", "1e19", "1e400", "9" * 400, "-1", "nan", "99999999999999999999"]
_NUMBER = re.compile(rb"^\s*-?\d+(?:\.\d+)?\s*$")


KINDS = ["number", "number", "number", "field", "field", "drop", "double", "cut-line", "junk"]


@st.composite
def damaged(draw: st.DrawFn, data: bytes) -> bytes:
    lines = data.splitlines(keepends=True) or [b""]
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(lines) - 1))
        kind = draw(
            st.sampled_from(["number", "number", "number", "field", "field", "drop", "double", "cut-line", "junk"])
        )
        numeric = [
            (k, j)
            for k in range(max(0, i - 5), min(len(lines), i + 5))
            for j, cell in enumerate(lines[k].split(b","))
            if _NUMBER.match(cell)
        ]
        if kind == "number" and numeric:  # a count, score or rating replaced by a number no file can hold
            k, j = draw(st.sampled_from(numeric))
            cells = lines[k].rstrip(b"\r\n").split(b",")
            cells[j] = draw(st.sampled_from(NUMBERS)).encode()
            lines[k] = b",".join(cells) + b"\n"
        elif kind in ("field", "number"):
            sep = b"," if lines[i].count(b",") >= lines[i].count(b"  ") else b"  "
            fields = lines[i].rstrip(b"\r\n").split(sep)
            j = draw(st.integers(0, len(fields) - 1))
            value = draw(st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12)))
            fields[j] = value.encode("utf-8", "surrogatepass")
            lines[i] = sep.join(fields) + b"\n"
        elif kind == "drop" and len(lines) > 1:
            del lines[i]
        elif kind == "double":
            lines.insert(i, lines[i])
        elif kind == "cut-line":
            lines[i] = lines[i][: draw(st.integers(0, max(len(lines[i]) - 1, 0)))]
        elif kind == "junk":
            lines.insert(i, draw(st.binary(min_size=1, max_size=40)))
    out = b"".join(lines)
    if draw(st.booleans()):
        out = out[: draw(st.integers(0, len(out)))]
    return out


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with Store(tmp_path_factory.mktemp("fuzz") / "fuzz.duckdb", read_only=False) as opened:
        yield opened


@pytest.mark.parametrize("key", list(SOURCES))
def test_a_damaged_file_parses_to_rows_or_one_file_line_error(key: str, store: Store) -> None:
    source = SOURCES[key]
    remote, data = sample_file(source)
    location = f"/mirror/{remote.mirror_path}"

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(damaged(data))
    def check(bad: bytes) -> None:
        rows, error = parse_file(source, bad, remote, location)
        if error is not None:
            where, line, message = error
            assert where == location and (line is None or line >= 0)
            assert message and "\n" not in message.strip()
            return
        assert rows is not None
        con = store.con
        con.execute("BEGIN TRANSACTION")
        try:
            writer = RawWriter(con)
            writer.add_rows(Fetched(remote, location, bad, sha256_hex(bad)), rows, replacing=False)
            writer.flush()  # DuckDB takes every value
        finally:
            con.execute("ROLLBACK")

    check()
