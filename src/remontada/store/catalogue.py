"""The store's small lookups about what it holds: the leagues of a country, the clubs that played
in a competition between two dates."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from remontada.store.reader import Store


def league_ids_of_country(store: Store, country: str) -> list[str]:
    """The ids of the leagues of ``country`` in the store, sorted."""
    rows = store.con.execute(
        "SELECT competition_id FROM competitions WHERE country = ? AND kind = 'league' ORDER BY competition_id",
        [country],
    ).fetchall()
    return [str(r[0]) for r in rows]


def clubs_playing(store: Store, competition_id: str, start: str | dt.date, end: str | dt.date) -> set[str]:
    """The ids of the clubs with a match of ``competition_id`` dated ``start <= date < end`` (ISO dates)."""
    rows = store.con.execute(
        "SELECT home_id AS club FROM matches WHERE competition_id = ? AND date >= ? AND date < ? "
        "UNION SELECT away_id FROM matches WHERE competition_id = ? AND date >= ? AND date < ?",
        [competition_id, str(start), str(end)] * 2,
    ).fetchall()
    return {str(r[0]) for r in rows}
