"""Base rates counted from the rebuilt ties' kept facts give exactly what counting the ties themselves gives.

Uses the store built from the mirror (``$REMONTADA_TEST_STORE``): every UEFA tie in it.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from collections.abc import Iterator
from pathlib import Path

import pytest

from remontada.stats import wilson_interval
from remontada.store.reader import Store
from remontada.ties.history import (
    BaseRate,
    Tie,
    Venue,
    _matches_deficit,
    _views,
    _z,
    base_rate,
    rebuild_ties,
    select_ties,
)

pytestmark = pytest.mark.slow

UEFA = ["uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc"]


@pytest.fixture(scope="module")
def uefa_ties(full_store_path: Path) -> Iterator[list[Tie]]:
    with Store(full_store_path) as store:
        yield rebuild_ties(store, UEFA)


def _count_base_rate(
    ties: list[Tie],
    deficit: int,
    first_leg_at: Venue | None,
    or_more: bool,
    competitions: tuple[str, ...] | None,
    seasons: str | None,
    stages: tuple[str, ...] | None,
    before: dt.date | None,
    level: float,
) -> BaseRate:
    """The reference: every selected tie's properties read, side by side, as the definition says."""
    chosen = select_ties(ties, competitions=competitions, seasons=seasons, stages=stages, before=before)
    n, through = 0, []
    for tie in chosen:
        if not tie.decided or tie.first_leg_margin is None:
            continue
        for club in _views(tie, first_leg_at, deficit):
            if not _matches_deficit(tie.deficit(club), deficit, or_more):
                continue
            if first_leg_at is not None and tie.first_leg_venue(club) != first_leg_at:
                continue
            n += 1
            if tie.winner == club:
                through.append(tie)
    k = len(through)
    low, high = wilson_interval(k, n, _z(level))
    p = k / n if n else float("nan")
    return BaseRate(deficit, first_leg_at, or_more, n, k, p, low, high, level, tuple(through))


def _same(a: BaseRate, b: BaseRate) -> bool:
    def eq(x: float, y: float) -> bool:
        return x == y or (math.isnan(x) and math.isnan(y))

    return (
        (a.n, a.k) == (b.n, b.k)
        and eq(a.p, b.p) and eq(a.low, b.low) and eq(a.high, b.high)
        and len(a.comebacks) == len(b.comebacks)
        and all(x is y for x, y in zip(a.comebacks, b.comebacks, strict=True))
    )  # fmt: skip


def test_kept_counts_equal_counting_every_tie_for_every_position_venue_and_filter(uefa_ties: list[Tie]) -> None:
    venues: tuple[Venue | None, ...] = (None, "home", "away", "neutral")
    questions = itertools.product((-4, -1, 0, 1, 3, 5), venues, (False, True), (None, dt.date(2024, 4, 18)))
    filters = [(None, None, None), (("uefa.cl",), "2000-01..2015-16", ("knockout",))]
    for (deficit, venue, or_more, before), (comps, seasons, stages) in itertools.product(questions, filters):
        counted = _count_base_rate(list(uefa_ties), deficit, venue, or_more, comps, seasons, stages, before, 0.95)
        for _ in range(2):  # counted from the facts, then kept
            kept = base_rate(uefa_ties, deficit, venue, or_more=or_more, competitions=comps, seasons=seasons,
                             stages=stages, before=before)  # fmt: skip
            assert _same(kept, counted), (deficit, venue, or_more, before, comps)


def test_a_list_of_other_ties_is_counted_itself_not_answered_from_the_kept_counts(uefa_ties: list[Tie]) -> None:
    # Liverpool 0-3 Atalanta, 11 April 2024: sides that lost the first leg at home by three, before the return
    before = dt.date(2024, 4, 18)
    everywhere = base_rate(uefa_ties, 3, "home", before=before)  # counted and kept for the rebuilt ties
    europa = [t for t in uefa_ties if t.competition == "uefa.el"]
    only_europa = base_rate(europa, 3, "home", before=before)
    assert _same(only_europa, _count_base_rate(europa, 3, "home", False, None, None, None, before, 0.95))
    assert 0 < only_europa.n < everywhere.n
