"""Model designs scored on the tie backtest's validation folds (issue 12's country prior)."""

from __future__ import annotations

import numpy as np
import pytest

from remontada.evaluation.model_designs import design_backtest, score_design
from remontada.forecast import MODELS

FOLD = (("2011-12", "2011-12", "2011-12"),)  # fit the second-leg adjustment on 2009-10..2010-11, score 2011-12


@pytest.fixture(scope="module")
def runs(full_store):  # type: ignore[no-untyped-def]
    """Every two-legged UEFA tie of 2009-10..2011-12 with the pooled and the country grouping."""
    pooled = design_backtest(full_store, {"unlisted_by_country": False}, name="test-pooled", since="2009-10",
                             until="2011-12")
    country = design_backtest(full_store, {"unlisted_by_country": True}, name="test-country", since="2009-10",
                              until="2011-12")
    return pooled, country


def test_a_design_is_registered_for_its_run_only(runs) -> None:  # type: ignore[no-untyped-def]
    pooled, country = runs
    assert pooled.model == "test-pooled" and country.model == "test-country"
    assert "test-pooled" not in MODELS and "test-country" not in MODELS
    assert max(int(t.season[:4]) for t in country.ties) == 2011  # nothing after the last season asked for


def test_the_country_grouping_moves_ties_with_clubs_of_unlisted_leagues(runs) -> None:  # type: ignore[no-untyped-def]
    pooled, country = runs
    assert [t.describe() for t in pooled.ties] == [t.describe() for t in country.ties]
    a = pooled.forecasts["between_legs"]["test-pooled"]
    b = country.forecasts["between_legs"]["test-country"]
    moved = np.abs(a - b) > 0.01
    # e.g. the qualifying rounds between Scandinavian, Eastern European and microstate clubs
    assert 0 < moved.sum() < len(a)
    qualifying = np.array([t.stage == "qualifying" for t in pooled.ties])
    assert moved[qualifying].mean() > moved[~qualifying].mean()


def test_score_design_reports_each_fold_at_both_horizons(runs) -> None:  # type: ignore[no-untyped-def]
    for result in runs:
        table = score_design(result, FOLD)
        assert table["validate"].tolist() == ["2011-12..2011-12"]
        row = table.iloc[0]
        assert row["ties"] > 100
        for column in ("between_adjusted", "between_unadjusted", "before_tie"):
            assert 0.2 < row[column] < 0.7
        # between the legs knows the first leg: a lower log loss than before the tie
        assert row["between_unadjusted"] < row["before_tie"]
