"""The store's small lookups about what it holds: the leagues of a country."""

from __future__ import annotations

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

