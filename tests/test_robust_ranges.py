"""Values no football file can hold are a parse error naming the file and line, even with --keep-going.

Each case edits one value of the 2023-24 Premier League file of football-data.co.uk (Everton v
Fulham, 12 August 2023, on line 6) and updates a store that already holds the genuine file: the
update reports ``<file>:6: ...`` and the stored rows stay as they were.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from remontada.ingest.update import update
from remontada.sources.football_data import FootballData
from tests.store_support import E0, store_rows

SOURCES = [FootballData(seasons=["2023-24"], divisions=["E0"])]
HEADER_END = b"PCAHA,AvgCAHH,AvgCAHA"  # the last columns of the 2023-24 header


@pytest.fixture(scope="module")
def built(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    store = tmp_path_factory.mktemp("store") / "store.duckdb"
    assert update(store, mirror=str(mirror), sources=SOURCES).committed
    return store


def edited(mirror: Path, root: Path, column: str, value: str) -> Path:
    """A mirror whose E0.csv has ``column`` of line 6 set to ``value`` (added to every row if new)."""
    lines = (mirror / E0).read_text(encoding="utf-8-sig").splitlines()
    header = lines[0].split(",")
    if column not in header:
        header.append(column)
        lines = [lines[0] + "," + column] + [row + ",30000" for row in lines[1:]]
    index = header.index(column)
    fields = lines[5].split(",")
    assert fields[3:5] == ["Everton", "Fulham"]
    fields[index] = value
    lines[5] = ",".join(fields)
    path = root / E0
    path.parent.mkdir(parents=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("column", "value", "says"),
    [
        ("FTHG", "40000", "home_goals = 40000 is outside 0..199"),
        ("FTHG", "9" * 400, "impossible score FTHG"),
        ("HS", "70000", "home_shots = 70000 is outside 0..999"),
        ("Attendance", "10000000000000000000", "attendance '10000000000000000000' is not a plausible count"),
        ("Attendance", "400000", "attendance = 400000 is outside 0..300,000"),
        ("Date", "12/08/9999", "date 9999-08-12 is years away from season 2023-24"),
        ("HTHG", "300", "half-time score 300-0 exceeds full-time score 0-1"),
    ],
    ids=["FTHG=40000", "400-digit score", "HS=70000", "Attendance=1e19", "Attendance=400000", "year 9999", "HTHG=300"],
)
@pytest.mark.parametrize("keep_going", [False, True], ids=["strict", "keep-going"])
def test_an_out_of_range_number_is_an_error_at_its_line_and_loses_nothing(
    built: Path, mirror: Path, tmp_path: Path, column: str, value: str, says: str, keep_going: bool
) -> None:
    store = tmp_path / "store.duckdb"
    shutil.copy(built, store)
    before = store_rows(store)
    path = edited(mirror, tmp_path / "mirror", column, value)
    report = update(store, mirror=str(tmp_path / "mirror"), sources=SOURCES, keep_going=keep_going)
    assert len(report.errors) == 1 and report.errors[0].startswith(f"{path}:6: "), report.errors
    assert says in report.errors[0]
    assert store_rows(store) == before
