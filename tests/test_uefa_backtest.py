"""UEFA match forecasts against Pinnacle, walk-forward, on the Champions League 2018-19 of the full store.

Needs a store with the OddsPortal prices (``REMONTADA_TEST_STORE`` built from the current mirror).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.evaluation import uefa
from remontada.paths import user_cache_dir
from remontada.store.reader import Store

#: Pinnacle's mean RPS (odds-ratio de-margined) on the 2018-19 Champions League matches every forecaster priced.
PINNACLE_RPS_CL_2018_19 = 0.1763


def test_clubs_of_one_league_and_of_two_are_told_apart() -> None:
    assert uefa.scale_of("eng.1", "eng.1") == "same league"
    assert uefa.scale_of("esp.1", "eng.1") == "different leagues"
    assert uefa.scale_of(None, "eng.1") == uefa.scale_of(float("nan"), "eng.1") == "a club outside the stored leagues"
    assert uefa.era_of("2016-17") == "2016-17 on (held out)" and uefa.era_of("2015-16") == "before 2016-17"


@pytest.fixture(scope="module")
def cl_2018_19(full_store_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict, Path, Store]]:
    """The CLI's JSON and calibration PNG for the 2018-19 Champions League, fits cached in a temporary directory."""
    store = Store(full_store_path)
    if not len(store.query("SELECT 1 FROM source_files WHERE source = 'oddsportal' LIMIT 1")):
        store.close()
        pytest.skip("the store has no OddsPortal prices: build it from the current mirror")
    tmp = tmp_path_factory.mktemp("uefa-backtest")
    png = tmp / "calibration.png"
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("XDG_CACHE_HOME", str(tmp / "cache"))
        result = CliRunner().invoke(
            app,
            ["backtest", "--competition", "Champions League", "--seasons", "2018-19", "--plot", str(png),
             "--store", str(full_store_path), "--json"],
        )  # fmt: skip
        assert result.exit_code == 0, result.output
        yield json.loads(result.stdout), png, store
    store.close()


def test_the_cli_scores_every_forecaster_on_the_same_priced_matches(cl_2018_19: tuple[dict, Path, Store]) -> None:
    out, png, _ = cl_2018_19
    rows = {r["forecaster"]: r for r in out["summary"]}
    assert set(rows) == {"dixon-coles", "elo", "climatology", uefa.PINNACLE}
    assert len({r["matches"] for r in rows.values()}) == 1 and rows["elo"]["matches"] > 200
    assert rows[uefa.PINNACLE]["rps"] == pytest.approx(PINNACLE_RPS_CL_2018_19, abs=5e-5)
    # the market is the yardstick: the joint model is worse than Pinnacle, better than base rates
    assert rows[uefa.PINNACLE]["rps"] < rows["dixon-coles"]["rps"] < rows["climatology"]["rps"]
    assert rows["dixon-coles"]["rps_vs_pinnacle"] == pytest.approx(
        rows["dixon-coles"]["rps"] - rows[uefa.PINNACLE]["rps"]
    )
    by_stage = {(r["stage"], r["forecaster"]): r["matches"] for r in out["breakdowns"]["stage"]}
    assert {s for s, _ in by_stage} == {"qualifying", "group", "knockout"}
    assert sum(n for (_, f), n in by_stage.items() if f == "elo") == rows["elo"]["matches"]
    assert {r["scale"] for r in out["breakdowns"]["scale"]} >= {"different leagues"}
    assert png.stat().st_size > 10_000


def test_every_forecaster_priced_every_match_pinnacle_priced(cl_2018_19: tuple[dict, Path, Store]) -> None:
    _, _, store = cl_2018_19
    result = uefa.run(store, ["uefa.cl"], "2018-19", progress=False, cache_dir=user_cache_dir() / "models")
    raw = result.result
    priced = raw.covered([uefa.PINNACLE])
    assert priced.mean() > 0.9
    assert (raw.covered(["elo", "climatology", uefa.PINNACLE]) == priced).all()
    # the joint model skips only the qualifying of Drita, Kosovo's first UEFA club, whom no stored match rated
    frame = raw.to_frame()
    skipped = frame[priced & ~raw.covered()]
    assert (
        len(skipped) >= 1 and ((skipped["home"] == "drita-gjilan-kos") | (skipped["away"] == "drita-gjilan-kos")).all()
    )
    # Liverpool 4-0 Barcelona, 7 May 2019: Pinnacle 2.60 / 3.75 / 2.72 on OddsPortal, two leagues, a knockout leg
    (i,) = np.flatnonzero((frame["home"] == "liverpool-eng") & (frame["away"] == "barcelona-esp"))
    assert str(frame["date"][i])[:10] == "2019-05-07" and frame["outcome"][i] == 0
    p = raw.probs[uefa.PINNACLE][i]
    assert p.sum() == pytest.approx(1.0) and p[0] == pytest.approx(1 / 2.60, abs=0.03)
    context = result.context.iloc[i]
    assert (context["stage"], context["scale"]) == ("knockout", "different leagues")
    assert result.summary().set_index("forecaster").loc[uefa.PINNACLE, "rps"] == pytest.approx(
        PINNACLE_RPS_CL_2018_19, abs=5e-5
    )


def test_seasons_without_pinnacle_prices_are_refused_before_any_fit(full_store_path: Path) -> None:
    args = ["backtest", "--competition", "Champions League", "--seasons", "2021-22", "--store", str(full_store_path)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code != 0
    assert "OddsPortal covers 2004-05..2019-20" in result.output and "Traceback" not in result.output
