"""The standard line-up `remontada backtest` compares on exactly the same matches.

Every model, the bookmakers' closing prices (Pinnacle; the market average where
football-data publishes it, 2019-20 on), Pinnacle's earlier pre-match prices, climatology
and penaltyblog's Dixon-Coles (a benchmark-only dependency; skipped when not installed).
Hyperparameters were chosen on seasons up to 2015-16 only (see the README); the backtest
reports later seasons.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from remontada.competitions import Competition
from remontada.evaluation import backtest as bt
from remontada.matchset import MatchSet
from remontada.models.blend import LogitPool
from remontada.models.elo import Elo
from remontada.models.goals import DixonColes
from remontada.odds import Method
from remontada.store.catalogue import league_ids_of_country
from remontada.store.reader import Store

#: Elo tuned on 2011-12..2015-16 in the top five leagues (RPS 0.2012 against ClubElo's K=20, sqrt: 0.2015).
ELO_PARAMS: dict[str, Any] = {"k": 13.0, "goal_diff_exponent": 1.0}
#: Elo exchanging points on shots on target instead of goals, tuned the same way.
ELO_SOT_PARAMS: dict[str, Any] = {"k": 16.0, "goal_diff_exponent": 0.5, "evidence": "shots_on_target"}
#: Dixon-Coles with league shrinkage: team_sd 0.6 and decay 0.0018/day over 3 years scored best of
#: 24 settings on the top five leagues 2010-11..2015-16 (RPS 0.20128; no prior 0.20130).
DC_SHRUNK_PARAMS: dict[str, Any] = {"team_sd": 0.6, "decay": 0.0018}
DC_WINDOW_DAYS = 3 * 365
#: Margin removal for bookmaker prices, chosen on 2012-13..2015-16 (all methods within 3e-5 RPS).
DEMARGIN: Method = "odds_ratio"


@dataclass(frozen=True, slots=True)
class BacktestData:
    matches: MatchSet
    evaluate: np.ndarray  # bool mask of the matches to forecast
    report_from: str  # first reported season; earlier evaluated seasons only teach the pools


def season_range(text: str) -> tuple[str, str]:
    """``"2016-17..2022-23"`` -> ``("2016-17", "2022-23")``; one season is a range of one.

    Raises ``ValueError`` naming ``--seasons`` for anything else (``"garbage"``, a reversed range).
    """
    first, _, last = text.partition("..")
    first, last = first.strip(), (last or first).strip()
    for season in (first, last):
        found = _SEASON.fullmatch(season)
        if not found or (int(found[1]) + 1) % 100 != int(found[2]):
            raise ValueError(f"--seasons is FIRST..LAST like 2016-17..2022-23, got {text!r}")
    if last < first:
        raise ValueError(f"--seasons runs from the earlier season to the later, got {text!r}")
    return first, last


_SEASON = re.compile(r"(\d{4})-(\d{2})")


def training_competitions(store: Store, league: Competition) -> list[str]:
    """The league and every other league of its country in the store (promoted clubs keep a rating)."""
    if league.country is None:
        return [league.id]
    return sorted(set(league_ids_of_country(store, league.country)) | {league.id})


def load(
    store: Store, league: Competition, first: str, last: str, *, history_seasons: int = 8, learn_seasons: int = 4
) -> BacktestData:
    """Matches of the league's country from ``history_seasons`` before ``first`` to the end of ``last``.

    Pools (blends) learn their weights from their own forecasts of the ``learn_seasons`` before
    ``first``; only ``first``..``last`` are reported.
    """
    start_year = int(first[:4])
    end_year = int(last[:4]) + 1
    matches = store.match_set(
        competitions=training_competitions(store, league), start=f"{start_year - history_seasons}-07-01",
        end=f"{end_year}-07-01", odds=True, stats=True,
    )  # fmt: skip
    learn_from = f"{start_year - learn_seasons}-{(start_year - learn_seasons + 1) % 100:02d}"
    evaluate = (matches.competition == league.id) & (matches.season >= learn_from) & (matches.season <= last)
    return BacktestData(matches, evaluate, first)


def forecasters(
    league: Competition, training: Sequence[str], *, penaltyblog: bool = True
) -> list[bt.WalkForwardForecaster]:
    """Every forecaster of the standard comparison, components shared so each is fitted once."""
    top_two = [c for c in training if c.endswith((".1", ".2"))]
    elo = bt.SharedForecaster(bt.ModelForecaster("elo", lambda: Elo(**ELO_PARAMS)))
    elo_sot = bt.SharedForecaster(bt.ModelForecaster("elo-sot", lambda: Elo(**ELO_SOT_PARAMS)))
    dixon_coles = bt.SharedForecaster(bt.ModelForecaster(
        "dixon-coles", lambda: DixonColes(team_sd=None), window_days=DC_WINDOW_DAYS, competitions=top_two,
    ))  # fmt: skip
    shrunk = bt.ModelForecaster(
        "dixon-coles-shrunk", lambda: DixonColes(**DC_SHRUNK_PARAMS), window_days=DC_WINDOW_DAYS,
        competitions=top_two,
    )  # fmt: skip
    pinnacle_pre = bt.MarketForecaster("pinnacle-pre-match [market]", ("psh", "psd", "psa"), DEMARGIN)
    out: list[bt.WalkForwardForecaster] = [
        elo, elo_sot, dixon_coles, shrunk,
        bt.PooledForecaster("blend: elo + elo-sot + dixon-coles", [elo, elo_sot, dixon_coles], LogitPool),
        bt.PooledForecaster(
            "blend: ... + pinnacle pre-match [market]", [elo, elo_sot, dixon_coles, pinnacle_pre], LogitPool
        ),
        bt.MarketForecaster("pinnacle-closing [market]", ("psch", "pscd", "psca"), DEMARGIN),
        bt.MarketForecaster("market-average-closing [market]", ("avgch", "avgcd", "avgca"), DEMARGIN),
        pinnacle_pre,
        bt.ClimatologyForecaster(),
    ]  # fmt: skip
    if penaltyblog:
        peer = bt.penaltyblog_forecaster(competitions=top_two, window_days=DC_WINDOW_DAYS, xi=0.0018)
        if peer is not None:
            out.append(peer)
    return out


def run(
    store: Store, competition: str, seasons: str, *, penaltyblog: bool = True, step_days: int = 7, progress: bool = True
) -> bt.WalkForwardResult:
    """Walk forward over ``seasons`` of ``competition`` (e.g. ``"2016-17..2022-23"``) and return the result."""
    league = store.competition(competition)
    first, last = season_range(seasons)
    data = load(store, league, first, last)
    if not (data.evaluate & (data.matches.season >= first)).any():
        raise ValueError(f"the store has no {league.name} matches in seasons {first}..{last} (--seasons)")
    training = training_competitions(store, league)
    result = bt.walk_forward(
        data.matches,
        data.evaluate,
        forecasters(league, training, penaltyblog=penaltyblog),
        step_days=step_days,
        progress=progress,
    )
    return result.subset(result.fixtures.season >= data.report_from)
