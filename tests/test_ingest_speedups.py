"""The fast ingest paths give exactly what the plain ones gave.

Column-wise raw rows (:func:`remontada.ingest.raw_writer.file_rows`), parsing in worker processes and the
segment-wise clustering of :mod:`remontada.store.merge` are checked against the record objects, an
inline-parsed store and a row-by-row reference walk.
"""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import numpy as np
import pytest

from remontada.ingest.fetch import Fetched
from remontada.ingest.raw_writer import RawWriter, file_rows
from remontada.ingest.update import _Parser, update
from remontada.sources.base import RemoteFile
from remontada.sources.football_data import FootballData
from remontada.sources.records import GoalEvent, MatchRecord, OddsQuote, ParsedFile, TeamRef
from remontada.store.merge import DATE_TOLERANCE_DAYS, _cluster_starts
from remontada.store.reader import Store
from tests.conftest import FIXTURES
from tests.store_support import E0, slice_sources, store_rows


def e0_remote(source: FootballData) -> RemoteFile:
    return next(r for r in source.files() if r.url.endswith("2324/E0.csv"))


def test_file_rows_hold_each_record_field_in_its_column(mirror: Path) -> None:
    source = FootballData(seasons=["2023-24"], divisions=["E0"])
    remote = e0_remote(source)
    parsed = source.parse((mirror / E0).read_bytes(), remote, str(mirror / E0))
    rows = file_rows(parsed, remote.url)
    matches = rows.tables["raw_matches"]
    assert rows.n_matches == len(parsed.matches) == 380
    opener = next(i for i, m in enumerate(parsed.matches) if str(m.date) == "2023-08-13" and m.home.name == "Chelsea")
    assert (matches["home_name"][opener], matches["away_name"][opener]) == ("Chelsea", "Liverpool")
    assert (matches["home_goals"][opener], matches["away_goals"][opener]) == (1, 1)
    assert matches["line"][opener] == parsed.matches[opener].line
    assert matches["date"][opener] == np.datetime64("2023-08-13")
    assert matches["home_shots"][opener] == parsed.matches[opener].stats["home_shots"]
    assert not matches["national"].any()
    # a league file has no extra time, no notes and no goal list: those columns and tables are left to NULL
    assert not {"aet_home", "pen_home", "note", "url"} & matches.keys()
    assert set(rows.tables) == {"raw_matches", "raw_odds"}
    # every quote sits next to the index of its match, in record order
    quotes = [(i, q) for i, m in enumerate(parsed.matches) for q in m.odds]
    odds = rows.tables["raw_odds"]
    assert len(rows.odds_match) == len(odds["price1"]) == len(quotes)
    assert list(rows.odds_match) == [i for i, _ in quotes]
    assert [float(p) for p in odds["price1"][:5]] == [q.prices[0] for _, q in quotes[:5]]
    three_way = np.array([len(q.prices) == 3 for _, q in quotes])
    assert np.isnan(odds["price3"][~three_way]).all() and not np.isnan(odds["price3"][three_way]).any()


def test_file_rows_of_record_odds_and_goals_match_the_records() -> None:
    """A source that hands over quote objects and dated goals (not a column-wise table) goes the record way."""
    remote = RemoteFile("test", "x.csv", "https://example.org/x.csv", "x.csv")
    liverpool, atalanta = TeamRef("Liverpool", "ENG"), TeamRef("Atalanta", "ITA")
    first_leg = MatchRecord("test", "uefa.el", "2023-24", dt.date(2024, 4, 11), liverpool, atalanta, 2, 0, 3,
                            odds=(OddsQuote("pinnacle", "1x2", True, (1.4, 5.0, 7.5)),
                                  OddsQuote("pinnacle", "ou", True, (1.5, 2.6), 2.5)))  # fmt: skip
    second_leg = MatchRecord("test", "uefa.el", "2023-24", dt.date(2024, 4, 18), atalanta, liverpool, 3, 0, 1)
    goal = GoalEvent(None, "away", 7, player="Mohamed Salah", penalty=True, line=9, date=dt.date(2024, 4, 18))
    rows = file_rows(ParsedFile(matches=[first_leg, second_leg], goals=[goal]), remote.url)
    odds = rows.tables["raw_odds"]
    assert list(rows.odds_match) == [0, 0]
    assert list(odds["market"]) == ["1x2", "ou"] and np.isnan(odds["line"][0]) and odds["line"][1] == 2.5
    assert odds["price3"][0] == 7.5 and np.isnan(odds["price3"][1])
    goals = rows.tables["raw_goals"]
    assert goals["date"][0] == np.datetime64("2024-04-18") and goals["player"][0] == "Mohamed Salah"
    assert "match_line" not in goals and "home_name" not in goals and goals["penalty"][0]
    assert "raw_ratings" not in rows.tables and rows.n_records == 1


def test_a_batch_fills_the_columns_a_file_left_out_with_null(tmp_path: Path) -> None:
    """Two files in one batch, one with a note and extra time and one without: both read back right."""
    liverpool, atalanta = TeamRef("Liverpool", "ENG"), TeamRef("Atalanta", "ITA")
    plain = MatchRecord("test", "uefa.el", "2023-24", dt.date(2024, 4, 11), liverpool, atalanta, 2, 0, 3)
    noted = MatchRecord("test", "uefa.el", "2023-24", None, atalanta, liverpool, 3, 0, 1, aet_home=0, aet_away=1,
                        note="second leg")  # fmt: skip
    store = Store(tmp_path / "s.duckdb", read_only=False)
    writer = RawWriter(store.con)
    for name, match in (("a.csv", plain), ("b.csv", noted)):
        remote = RemoteFile("test", name, f"https://example.org/{name}", name)
        writer.add(Fetched(remote, name, b"x", "sha"), ParsedFile(matches=[match]), replacing=False)
    writer.flush()
    got = store.con.execute(
        "SELECT url, date, aet_home, aet_away, note, home_shots FROM raw_matches ORDER BY raw_id"
    ).fetchall()
    assert got == [
        ("https://example.org/a.csv", dt.date(2024, 4, 11), None, None, None, None),
        ("https://example.org/b.csv", None, 0, 1, "second leg", None),
    ]


def test_worker_processes_write_the_same_store_as_parsing_inline(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    inline = update(tmp_path / "inline.duckdb", mirror=str(mirror), sources=slice_sources(), workers=1)
    monkeypatch.setattr(_Parser, "PARALLEL_FROM", 0)
    pooled = update(tmp_path / "pooled.duckdb", mirror=str(mirror), sources=slice_sources(), workers=2)
    assert inline.committed and pooled.committed and inline.ingested == pooled.ingested > 2
    assert (inline.warnings, inline.errors) == (pooled.warnings, pooled.errors)
    assert store_rows(tmp_path / "inline.duckdb", across_builds=True) == store_rows(
        tmp_path / "pooled.duckdb", across_builds=True
    )


def test_a_malformed_file_parsed_in_a_worker_names_file_and_line_and_changes_nothing(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "store.duckdb"
    assert update(store, mirror=str(mirror), sources=slice_sources(), workers=1).committed
    before = store_rows(store)
    broken = tmp_path / "mirror"
    (broken / E0).parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "football_data" / "bad_score.csv", broken / E0)
    monkeypatch.setattr(_Parser, "PARALLEL_FROM", 0)
    report = update(store, mirror=str(broken), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])],
                    workers=2)  # fmt: skip
    assert not report.committed and len(report.errors) == 1
    line = int(report.errors[0].split(f"{broken / E0}:")[1].split(":")[0])
    assert line > 1
    assert store_rows(store) == before


def reference_starts(keys: list[np.ndarray], day: np.ndarray, url: np.ndarray) -> np.ndarray:
    """The row-by-row walk: a new cluster on a new key, a file seen twice or a day too far from the start."""
    starts = np.zeros(len(day), dtype=bool)
    current: tuple[object, ...] | None = None
    first_day, files = 0, set()
    for i in range(len(day)):
        key = tuple(k[i] for k in keys)
        if key != current or url[i] in files or day[i] - first_day > DATE_TOLERANCE_DAYS:
            current, first_day, files = key, day[i], set()
            starts[i] = True
        files.add(url[i])
    return starts


def test_cluster_starts_agree_with_the_row_by_row_walk() -> None:
    rng = np.random.default_rng(7)
    n = 5_000
    # few clubs, few files and dates a few days apart: long runs, repeated files, straddling gaps
    home = rng.choice(np.array(["liverpool-eng", "atalanta-ita", "arsenal-eng"], dtype=object), n)
    url = rng.choice(np.array([f"file{i}.csv" for i in range(4)], dtype=object), n)
    day = np.sort(rng.integers(19_000, 19_400, n))
    order = np.lexsort((url, day, home))
    keys = [home[order]]
    got = _cluster_starts(keys, day[order], url[order])
    assert got.sum() > 100  # the data exercises many clusters
    assert np.array_equal(got, reference_starts(keys, day[order], url[order]))
