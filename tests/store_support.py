"""Shared helpers of the store tests: a small slice of the mirror and a store's rows to compare."""

from __future__ import annotations

from pathlib import Path

import duckdb

from remontada.sources.base import Source
from remontada.sources.football_data import FootballData
from remontada.sources.openfootball import OpenFootball
from remontada.ties.history import Tie

#: The 2023-24 Premier League file of football-data.co.uk, as laid out in the mirror.
E0 = "football-data.co.uk/mmz4281/2324/E0.csv"


def slice_sources() -> list[Source]:
    """Premier League 2023-24 (football-data) and the 2023-24 UEFA and English Football.TXT files."""
    return [
        FootballData(seasons=["2023-24"], divisions=["E0"]),
        OpenFootball(repos=["champions-league", "england"], seasons=["2023-24"]),
    ]


def store_rows(path: Path, *, across_builds: bool = False) -> dict[str, list[tuple]]:  # type: ignore[type-arg]
    """Every row of every table, sorted, but the time of the last update.

    ``across_builds`` also leaves out what differs between two builds of the same data: when each
    file was ingested and the local path it was read from.
    """
    con = duckdb.connect(str(path), read_only=True)
    try:
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_type = 'BASE TABLE'"
            ).fetchall()
        ]
        out = {}
        for t in sorted(tables):
            skip = " EXCLUDE (ingested_at, read_from)" if across_builds and t == "source_files" else ""
            rows = con.execute(f"SELECT *{skip} FROM {t}").fetchall()
            out[t] = sorted(rows, key=repr) if t != "meta" else [r for r in rows if r[0] != "last_update"]
        return out
    finally:
        con.close()


def the_tie(ties: list[Tie], season: str, club: str, opponent: str) -> Tie:
    """The one tie of ``season`` between club ids ``club`` and ``opponent`` (fails the test unless exactly one)."""
    found = [t for t in ties if t.season == season and {club, opponent} == {t.team_a, t.team_b}]
    assert len(found) == 1, f"{club} v {opponent} {season}: {[t.describe() for t in found]}"
    return found[0]
