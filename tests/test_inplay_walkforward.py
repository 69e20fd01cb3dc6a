"""Walk-forward check of the in-play model: each season is forecast by a fit on earlier seasons only,
fits are cached and read back, and an era design waits for a fitted season in its era.

Real club matches with event minutes from the session's full store (seasons 2016-17..2019-20)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from remontada.inplay import walkforward
from remontada.inplay.checkpoints import by_season_forecasts, forecasts
from remontada.inplay.data import EventTimes, event_times_from_store
from remontada.inplay.minutes import cell_table, table_rows
from remontada.inplay.model import InplayParams
from remontada.inplay.walkforward import era_identified, walk_forward
from remontada.store.reader import Store


@pytest.fixture(scope="module")
def recent(full_store: Store) -> EventTimes:
    data = event_times_from_store(full_store)
    if not len(data):
        pytest.skip("this store was built without the match-events source")
    return data.select((data.season_start >= 2016) & (data.season_start <= 2019))


def test_each_season_is_forecast_by_a_fit_on_the_seasons_before_it_only(recent: EventTimes, tmp_path: Path) -> None:
    template = InplayParams.packaged()
    wf = walk_forward(recent, template, [2018, 2019], first_season=2016, cache=tmp_path)
    fit_2018 = wf.fits["chosen"][2018]
    assert fit_2018.n_train == int(((recent.season_start >= 2016) & (recent.season_start < 2018)).sum())
    assert fit_2018.n_matches == int((recent.season_start == 2018).sum())
    assert np.isfinite(fit_2018.held_out_log_lik)
    assert "2016-17..2017-18" in fit_2018.params.source
    # the 2019-20 matches cannot move the fit that forecasts 2018-19: without them it is the same
    without_later = walk_forward(recent.select(recent.season_start < 2019), template, [2018], first_season=2016,
                                 cache=tmp_path / "other")  # fmt: skip
    assert without_later.fits["chosen"][2018].params.to_rows() == fit_2018.params.to_rows()
    # and the fit for 2019-20 has seen 2018-19
    assert wf.fits["chosen"][2019].n_train == fit_2018.n_train + fit_2018.n_matches


def test_cached_fits_are_read_back_instead_of_refitted(
    recent: EventTimes, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    template = InplayParams.packaged()
    first = walk_forward(recent, template, [2019], first_season=2016, cache=tmp_path)
    assert len(list(tmp_path.glob("*.json"))) == 1

    def no_refit(*args: object, **kwargs: object) -> None:
        raise AssertionError("refitted although the fit is cached")

    monkeypatch.setattr(walkforward, "fit_design", no_refit)
    again = walk_forward(recent, template, [2019], first_season=2016, cache=tmp_path)
    assert again.fits["chosen"][2019].params.to_rows() == first.fits["chosen"][2019].params.to_rows()
    assert again.fits["chosen"][2019].held_out_log_lik == pytest.approx(first.fits["chosen"][2019].held_out_log_lik)
    # other matches are another key: a changed store is refitted
    with pytest.raises(AssertionError, match="refitted"):
        walk_forward(recent.select(recent.season_start != 2017), template, [2019], first_season=2016, cache=tmp_path)
    # a damaged cache file is refitted, not read
    next(tmp_path.glob("*.json")).write_text("{not json", encoding="utf-8")
    with pytest.raises(AssertionError, match="refitted"):
        walk_forward(recent, template, [2019], first_season=2016, cache=tmp_path)


def test_an_era_design_needs_a_fitted_season_with_five_substitutions() -> None:
    assert not era_identified("era trailing", 2020)  # 2020-21 is the first season of the era: nothing fitted in it
    assert era_identified("era trailing", 2021)
    assert era_identified("chosen", 2010)


def test_a_time_decay_weighs_each_season_by_its_distance_from_the_forecast_one(recent: EventTimes) -> None:
    table = cell_table(recent)
    weights = walkforward._weights(table, 2020, 0.2)
    assert set(np.round(weights, 6)) == {round(float(np.exp(-0.2 * k)), 6) for k in range(4)}
    weighted = table_rows(table, table.season == 2016, weights)
    plain = table_rows(table, table.season == 2016)
    assert weighted.goals.sum() == pytest.approx(np.exp(-0.2 * 3) * plain.goals.sum())


def test_season_by_season_forecasts_use_each_seasons_own_parameters(recent: EventTimes) -> None:
    index = np.arange(len(recent))
    first_40 = [np.flatnonzero(recent.season_start == season)[:40] for season in (2018, 2019)]
    few = recent.select(np.isin(index, np.concatenate(first_40)))
    packaged, flat = InplayParams.packaged(), InplayParams.flat()
    mixed = by_season_forecasts({2018: packaged, 2019: flat}, few)
    in_2018 = few.season_start == 2018
    np.testing.assert_allclose(mixed[in_2018], forecasts(packaged, few.select(in_2018)))
    np.testing.assert_allclose(mixed[~in_2018], forecasts(flat, few.select(~in_2018)))
    with pytest.raises(ValueError, match="2019"):
        by_season_forecasts({2018: packaged}, few)
