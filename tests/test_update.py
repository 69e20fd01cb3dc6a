"""`remontada update` end to end: the real downloaders against a local HTTP server serving the mirror.

A small slice of the mirror (Premier League 2023-24 from football-data.co.uk, the 2023-24 UEFA
and English Football.TXT files from openfootball) keeps these tests fast; the whole mirror is
ingested by the slow tests in ``test_full_store.py``.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from remontada.ingest.update import update
from remontada.sources.football_data import FootballData
from remontada.store.reader import Store, TeamNotFound
from tests.conftest import FIXTURES
from tests.httpmirror import Faults, serve
from tests.store_support import E0, slice_sources, store_rows


@pytest.fixture(scope="module")
def http_store(mirror: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("store") / "store.duckdb"
    with serve(mirror) as (base, _):
        report = update(path, mirror=base, sources=slice_sources())
    assert report.errors == [] and report.committed
    return path


def test_liverpool_atalanta_quarter_final_and_premier_league_share_one_club_id(http_store: Path) -> None:
    with Store(http_store) as store:
        liverpool = store.resolve_club("Liverpool")
        ties = store.matches("Liverpool", season="2023-24", competition="Europa League")
        quarter = ties[ties["round"] == "Quarterfinals"]
        assert [
            (str(d)[:10], h, a, hg, ag)
            for d, h, a, hg, ag in quarter[["date", "home", "away", "home_goals", "away_goals"]].itertuples(index=False)
        ] == [
            ("2024-04-11", "Liverpool", "Atalanta", 0, 3),
            ("2024-04-18", "Atalanta", "Liverpool", 0, 1),
        ]
        assert list(quarter["leg"]) == [1, 2]
        league = store.matches("Liverpool", season="2023-24", competition="Premier League")
        assert len(league) == 38
        assert set(league["home_id"]) | set(league["away_id"]) >= {liverpool}
        # the same match from two sources is stored once, with both provenances
        opener = league[league["date"].astype(str).str.startswith("2023-08-13")].iloc[0]
        assert (opener["home"], opener["home_goals"], opener["away_goals"]) == ("Chelsea", 1, 1)
        prov = store.provenance(int(opener["match_id"]))
        assert set(prov["source"]) == {"football-data", "openfootball"}
        assert prov["sha256"].str.len().eq(64).all() and (prov["line"] > 1).all()
        assert any(u.endswith("mmz4281/2324/E0.csv") for u in prov["url"])


def test_ingesting_twice_changes_nothing_and_skips_unchanged_files(http_store: Path, mirror: Path) -> None:
    before = store_rows(http_store)
    with serve(mirror) as (base, _):
        report = update(http_store, mirror=base, sources=slice_sources())
    assert report.ingested == 0 and report.unchanged == report.files - report.absent
    assert report.rebuild is None
    assert store_rows(http_store) == before


def test_a_malformed_file_fails_with_file_and_line_and_leaves_the_store_as_it_was(
    http_store: Path, mirror: Path, tmp_path: Path
) -> None:
    before = store_rows(http_store)
    broken = tmp_path / "mirror"
    (broken / E0).parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "football_data" / "bad_score.csv", broken / E0)
    report = update(http_store, mirror=str(broken), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])])
    assert not report.committed
    assert len(report.errors) == 1 and f"{broken / E0}:" in report.errors[0]
    line = int(report.errors[0].split(f"{broken / E0}:")[1].split(":")[0])
    assert line > 1
    assert store_rows(http_store) == before


def test_html_served_instead_of_csv_is_an_error_and_loses_nothing(http_store: Path, mirror: Path) -> None:
    before = store_rows(http_store)
    with serve(mirror, Faults(html={E0})) as (base, _):
        report = update(http_store, mirror=base, sources=slice_sources())
    assert not report.committed and any("HTML" in e and E0 in e for e in report.errors)
    assert store_rows(http_store) == before


def test_keep_going_ingests_good_files_and_keeps_the_old_rows_of_broken_ones(
    http_store: Path, mirror: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "store.duckdb"
    shutil.copy(http_store, copy)
    with Store(copy) as store:
        before = store.query("SELECT count(*) AS n FROM raw_matches WHERE url LIKE '%E0.csv'")["n"][0]
    with serve(mirror, Faults(status={E0: 500})) as (base, _):
        report = update(copy, mirror=base, sources=slice_sources(), keep_going=True, force=True)
    assert report.committed and len(report.errors) == 1
    with Store(copy) as store:
        assert store.query("SELECT count(*) AS n FROM raw_matches WHERE url LIKE '%E0.csv'")["n"][0] == before


def test_an_unknown_club_is_a_clear_error_with_suggestions(http_store: Path) -> None:
    with Store(http_store) as store, pytest.raises(TeamNotFound, match="Liverpol") as info:
        store.resolve_club("Liverpol")
    assert "Liverpool" in info.value.suggestions


def test_two_updates_at_once_never_corrupt_the_store(mirror: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    script = (
        "import sys; from pathlib import Path; from remontada.ingest.update import update;"
        "from remontada.sources.football_data import FootballData as F;"
        f"r = update(Path({str(store)!r}), mirror={str(mirror)!r}, sources=[F(seasons=['2023-24','2022-23'],"
        " divisions=['E0','E1'])], lock_timeout=float(sys.argv[1]));"
        "print(r.ingested)"
    )
    first = subprocess.Popen([sys.executable, "-c", script, "600"], stdout=subprocess.PIPE, text=True)
    second = subprocess.Popen([sys.executable, "-c", script, "600"], stdout=subprocess.PIPE, text=True)
    outs = sorted(int(p.communicate(timeout=600)[0].strip()) for p in (first, second))
    assert first.returncode == second.returncode == 0
    assert outs == [0, 4]  # one ingested the four files; the other waited, then found them unchanged
    with Store(store) as st:
        assert st.status()["matches"] == 2 * 380 + 2 * 552


def test_a_second_update_that_cannot_wait_fails_cleanly(mirror: Path, tmp_path: Path) -> None:
    from remontada.ingest.locking import StoreBusy, WriteLock

    store = tmp_path / "store.duckdb"
    with WriteLock(store), pytest.raises(StoreBusy, match="another remontada process"):
        update(store, mirror=str(mirror), sources=slice_sources(), lock_timeout=0.2)
    assert not store.exists()


def test_a_first_build_that_fails_leaves_no_store_rows_and_no_half_built_file(tmp_path: Path) -> None:
    broken = tmp_path / "mirror"
    (broken / E0).parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "football_data" / "bad_score.csv", broken / E0)
    store = tmp_path / "store.duckdb"
    report = update(store, mirror=str(broken), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])])
    assert not report.committed and len(report.errors) == 1
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("store")) == [
        "store.duckdb", "store.duckdb.lock",
    ]  # fmt: skip
    assert all(not rows for table, rows in store_rows(store).items() if table != "meta")


def test_a_first_build_whose_rebuild_breaks_is_never_moved_into_place(
    mirror: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the first build commits its raw layer before the rebuild, in a file beside the store
    def broken_rebuild(con: duckdb.DuckDBPyConnection) -> None:
        assert con.execute("SELECT count(*) FROM raw_matches").fetchall()[0][0] == 380  # Premier League 2023-24
        raise RuntimeError("rebuild broke")

    monkeypatch.setattr("remontada.ingest.update.rebuild", broken_rebuild)
    store = tmp_path / "store.duckdb"
    with pytest.raises(RuntimeError, match="rebuild broke"):
        update(store, mirror=str(mirror), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])])
    assert not (tmp_path / "store.duckdb.building").exists()
    assert all(not rows for table, rows in store_rows(store).items() if table != "meta")


def test_a_first_build_is_moved_into_place_whole(mirror: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    report = update(store, mirror=str(mirror), sources=[FootballData(seasons=["2023-24"], divisions=["E0"])])
    assert report.committed and report.rebuild is not None and report.rebuild.matches == 380
    assert not (tmp_path / "store.duckdb.building").exists() and not (tmp_path / "store.duckdb.wal").exists()
    with Store(store) as st:
        assert st.status()["matches"] == 380


def test_two_updates_in_one_second_stamp_the_store_differently() -> None:
    """Caches of fits, ties and web answers are keyed by the stamp: it must change with every update."""
    import duckdb

    from remontada.store import writer

    con = duckdb.connect()
    con.execute("CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)")
    stamps = []
    for _ in range(2):
        writer.stamp_last_update(con)
        stamps.append(con.execute("SELECT value FROM meta WHERE key = 'last_update'").fetchone())
    assert stamps[0] != stamps[1]
