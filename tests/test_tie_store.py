"""The Atalanta-Liverpool answer and the tie calibration on the store built from the whole mirror.

Slow: uses the session store (``full_store``; set ``REMONTADA_TEST_STORE`` to reuse a built one).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from remontada.cli import app
from remontada.forecast import Forecaster
from remontada.store.reader import Store
from remontada.ties.answer import answer_tie
from remontada.ties.backtest import BASE_RATE, run_tie_backtest
from remontada.ties.state import find_tie, tie_state

pytestmark = pytest.mark.slow

SECOND_LEG = dt.date(2024, 4, 18)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_the_atalanta_liverpool_state_read_from_the_store(full_store: Store) -> None:
    stored = find_tie(full_store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=dt.date(2025, 1, 1))
    assert stored.leg1 is not None and stored.leg2 is not None
    # first leg 0-3 at Anfield on 11 April 2024
    assert (stored.leg1.date, stored.leg1.home_id, stored.leg1.away_id) == (
        dt.date(2024, 4, 11), "liverpool-eng", "atalanta-ita",
    )  # fmt: skip
    assert (stored.leg1.home_goals, stored.leg1.away_goals, stored.leg1.neutral) == (0, 3, False)
    # second leg in Bergamo on 18 April 2024, no away-goals rule in 2023-24
    assert (stored.leg2.date, stored.leg2.home_id, stored.leg2.neutral) == (SECOND_LEG, "atalanta-ita", False)
    assert not stored.rules.away_goals and not stored.rules.away_goals_in_extra_time
    assert stored.rules.extra_time_minutes == 30 and stored.rules.decider == "penalties"
    assert (state.as_of, state.phase, state.first_leg, state.second_leg) == (SECOND_LEG, "between_legs", (0, 3), None)


def test_the_answer_as_of_the_morning_of_the_second_leg_uses_no_later_match(full_store: Store) -> None:
    stored = find_tie(full_store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
    state = tie_state(stored, today=dt.date(2025, 1, 1))
    forecaster = Forecaster(full_store, cache_dir=None)
    answer = answer_tie(full_store, state, forecaster=forecaster)
    seen = forecaster.history(np.datetime64(SECOND_LEG))
    assert seen.date.max() < np.datetime64(SECOND_LEG) and answer.fit.matches == len(seen)
    assert answer.fit.latest_match is not None and answer.fit.latest_match < SECOND_LEG
    assert forecaster.fitted(SECOND_LEG).as_of_ == np.datetime64(SECOND_LEG)
    p = answer.forecast.p_through("Liverpool")
    assert 0.01 < p < 0.25  # three goals down, away: unlikely but not impossible
    history = answer.history
    assert history is not None and history.side == "liverpool-eng"
    exact = history.rates[0]
    assert exact.label == "sides that lost the first leg by 3 goals at home" and exact.n > 50
    assert all(t.date is not None and t.date < SECOND_LEG for t in exact.comebacks)
    anywhere = history.rates[1]
    assert anywhere.n > exact.n
    assert any(t.season == "2018-19" and t.winner == "liverpool-eng" for t in anywhere.comebacks)  # v Barcelona


def test_the_command_prints_the_atalanta_liverpool_answer(full_store_path: Path) -> None:
    args = ["tie", "Liverpool", "Atalanta", "--competition", "Europa League", "--season", "2023-24"]
    result = CliRunner().invoke(app, [*args, "--store", str(full_store_path)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "forecast as of the morning of 2024-04-18" in result.output
    assert "first leg 2024-04-11: Liverpool 0-3 Atalanta" in result.output
    data = json.loads(CliRunner().invoke(app, [*args, "--json", "--store", str(full_store_path)]).output)
    assert data["model"]["latest_match"] < "2024-04-18"
    assert data["tie"]["away_goals"] is False and data["tie"]["first_leg"] == [0, 3]


def test_on_the_2023_24_ties_the_model_beats_the_base_rate(full_store: Store) -> None:
    result = run_tie_backtest(full_store, since="2023-24", until="2023-24")
    assert len(result.ties) >= 50 and not result.skipped
    assert result.odds["with_odds"] == 0  # no bookmaker prices for UEFA matches in the public sources
    summary = result.summary().set_index(["horizon", "forecaster"])
    for horizon in ("before_tie", "between_legs"):
        assert summary.loc[(horizon, result.model), "brier"] < summary.loc[(horizon, BASE_RATE), "brier"]
