"""The walk-forward tie backtest on a local Dask cluster (127.0.0.1) gives the single-process numbers."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from remontada.grid import ScoreGrid
from remontada.simulate import distributed
from remontada.ties.backtest import backtest_ties, evaluation_ties, fit_day
from tests.test_tie_backtest import REAL, real_tie

REPO = Path(__file__).resolve().parents[1]


class ClubRates:
    """A picklable stand-in model: each club's expected goals drift with the fit day."""

    def __call__(self) -> ClubRates:
        return self

    def grid(self, home: str, away: str, as_of, *, neutral: bool = False, competition: str | None = None) -> ScoreGrid:  # type: ignore[no-untyped-def]
        drift = (as_of.toordinal() % 97) / 200
        strength = {c: 0.9 + (sum(map(ord, c)) % 23) / 25 for c in (home, away)}
        return ScoreGrid.from_rates(1.3 * strength[home] + drift, 1.0 * strength[away], rho=-0.04)


@pytest.fixture(scope="module")
def client() -> Iterator[object]:
    dask_client = distributed.local_client(n_workers=2)
    dask_client.run(sys.path.insert, 0, str(REPO))  # workers import this module's stand-in model
    try:
        yield dask_client
    finally:
        cluster = dask_client.cluster
        dask_client.close()
        cluster.close()


@pytest.mark.parametrize("step_days", [1, 7])
def test_the_cluster_gives_the_single_process_forecasts(client, step_days: int) -> None:  # type: ignore[no-untyped-def]
    ties = [real_tie(row) for row in REAL]
    targets, _ = evaluation_ties(ties, since="2003-04")
    local = backtest_ties(targets, ties, ClubRates(), model="m", step_days=step_days)
    remote = backtest_ties(targets, ties, ClubRates(), model="m", step_days=step_days, client=client)
    assert remote.fits == local.fits and [t.describe() for t in remote.ties] == [t.describe() for t in local.ties]
    for horizon, per_name in local.forecasts.items():
        for name, p in per_name.items():
            assert np.array_equal(remote.forecasts[horizon][name], p)
    assert all(np.array_equal(a, b) for a, b in zip(remote.leg2_grids, local.leg2_grids, strict=True))


def test_weekly_refits_fit_on_the_monday_before_the_leg() -> None:
    assert fit_day(dt.date(2019, 5, 7), 7) == dt.date(2019, 5, 6)  # Tuesday -> Monday
    assert fit_day(dt.date(2019, 5, 6), 7) == dt.date(2019, 5, 6)
    assert fit_day(dt.date(2019, 5, 12), 7) == dt.date(2019, 5, 6)  # Sunday -> the Monday before
    assert fit_day(dt.date(2019, 5, 7), 1) == dt.date(2019, 5, 7)
    with pytest.raises(ValueError, match="step_days"):
        fit_day(dt.date(2019, 5, 7), 3)
