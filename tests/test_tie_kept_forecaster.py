"""A read-only store connection keeps one forecaster per model whose grids, rates and fit summaries are
kept by their arguments (:func:`remontada._api.ties._forecaster`, :class:`remontada.forecast.KeptForecaster`):
every hypothetical first leg of a tie prices the same second leg, so asking again is a lookup. The answers
must be the very answers a fresh connection gives."""

from __future__ import annotations

from pathlib import Path

import remontada as rm
from remontada._api.ties import _forecaster
from remontada.store.reader import Store

TIE = {"competition": "Europa League", "season": "2023-24"}


def test_answers_through_one_connection_equal_answers_from_fresh_ones(full_store_path: Path) -> None:
    asked = [(first_leg, model) for model in ("dixon-coles", "poisson") for first_leg in ("0-3", "1-1", "3-0", "0-3")]
    with Store(full_store_path) as kept:
        through_one = [
            rm.answer_tie("Liverpool", "Atalanta", first_leg=f, model=m, store=kept, **TIE).to_dict() for f, m in asked
        ]
        assert _forecaster(kept, "poisson") is _forecaster(kept, "poisson")  # one per connection and model
        assert _forecaster(kept, "poisson") is not _forecaster(kept, "dixon-coles")
    fresh = [rm.answer_tie("Liverpool", "Atalanta", first_leg=f, model=m, store=full_store_path, **TIE).to_dict()
             for f, m in asked]  # fmt: skip
    assert through_one == fresh
    assert through_one[0]["p_through"] != through_one[1]["p_through"]  # the first legs do change the answer


def test_a_writer_gets_a_new_forecaster_each_time(tmp_path: Path) -> None:
    """A connection that can write may change its data: nothing is kept for it."""
    with Store(tmp_path / "new.duckdb", read_only=False) as writer:
        assert _forecaster(writer, "dixon-coles") is not _forecaster(writer, "dixon-coles")
