"""Walk-forward match forecasts of UEFA club matches against Pinnacle: does the joint fit put leagues on one scale?

Every Champions League and Europa League match (qualifying, group, knockout and final) of the
chosen seasons is priced, knowing only the matches played before its block of ``step_days`` days, by

- ``dixon-coles``: the default joint model exactly as ``remontada predict`` fits it
  (:class:`remontada.forecast.Forecaster`: every club match of the last four years, all leagues and
  UEFA competitions at once), refitted before each block;
- ``elo``: the Elo of the domestic backtest (:data:`remontada.evaluation.suite.ELO_PARAMS`),
  updated match by match on every club match since ``HISTORY_FROM``;
- ``climatology``: the competition's home/draw/away rates over its five previous seasons;
- ``pinnacle [market]``: Pinnacle's 1X2 prices as OddsPortal recorded them (closing or not is
  not stated by the source), de-margined with the domestic backtest's method
  (:data:`remontada.evaluation.suite.DEMARGIN`, the odds-ratio method).

Scores are computed on exactly the matches all four priced, overall and by competition, by stage,
by whether the clubs came from the same league (the league each played most in the year before),
and by era (the held-out seasons from 2016-17 against the earlier ones), each with the paired
per-match difference to Pinnacle and its 95% interval. Nothing here is tuned: the models'
hyperparameters come from domestic seasons up to 2015-16 (see the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from remontada.evaluation import backtest as bt
from remontada.evaluation import suite
from remontada.matchset import MatchSet
from remontada.store.reader import Store
from remontada.store.uefa import uefa_match_context

#: The UEFA competitions this backtest prices (OddsPortal covers these two).
UEFA_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el")
#: Seasons with OddsPortal prices in the mirror.
PRICED_SEASONS = ("2004-05", "2019-20")
#: First held-out season: nothing was tuned on it or later.
HELD_OUT_FROM = "2016-17"
#: Club matches the walk-forward hands to Elo start here (nine seasons of burn-in before 2004-05).
HISTORY_FROM = "1995-07-01"
#: The extras carrying Pinnacle's OddsPortal prices (home, draw, away decimal odds).
MARKET_COLUMNS: tuple[str, str, str] = ("op_pin_h", "op_pin_d", "op_pin_a")
PINNACLE = "pinnacle [market]"
#: Stored stages folded into the three reported ones.
STAGE_GROUPS = {"qualifying": "qualifying", "playoff": "qualifying", "group": "group", "league": "group"}
SCALES = ("same league", "different leagues", "a club outside the stored leagues")


class JointModelForecaster:
    """The store's joint model (:class:`remontada.forecast.Forecaster`) as a walk-forward forecaster.

    Fitted on every club match played before the first day of each block, as ``remontada
    predict`` would be on that morning; fits are cached on disk in ``cache_dir`` (``None``: not kept).
    """

    uses_market = False

    def __init__(self, store: Store, model: str = "dixon-coles", *, cache_dir: Path | None = None) -> None:
        self.name, self.store, self.cache_dir = model, store, cache_dir
        self.fits = 0

    def update(self, history: MatchSet, new: MatchSet) -> None:
        return None  # the Forecaster reads the store itself, strictly before the block's first day

    def forecast(self, fixtures: MatchSet) -> np.ndarray:
        from remontada.forecast import Forecaster

        if not len(fixtures):
            return np.empty((0, 3))
        # a fresh Forecaster per block, so fitted models do not pile up in memory
        model = Forecaster(self.store, self.name, cache_dir=self.cache_dir).fitted(fixtures.date.min())
        self.fits += 1
        return bt._outcomes_from_model(model, fixtures)


@dataclass(frozen=True)
class UefaBacktest:
    """The walk-forward result on the reported seasons and what each evaluated match was.

    ``context`` has one row per evaluated match (aligned with ``result.fixtures``): ``competition``,
    ``season``, ``stage`` (qualifying / group / knockout, finals included in knockout), ``scale``
    (one of :data:`SCALES`), ``home_league``, ``away_league`` and ``era``.
    """

    result: bt.WalkForwardResult
    context: pd.DataFrame
    fits: int

    @property
    def names(self) -> list[str]:
        return list(self.result.probs)

    def common(self) -> np.ndarray:
        """Matches every forecaster priced (Pinnacle's coverage, mostly)."""
        return self.result.covered(self.names)

    def summary(self) -> pd.DataFrame:
        """Scores of every forecaster on the common matches, with the paired difference to Pinnacle."""
        return self.table(None)

    def table(self, by: str | None) -> pd.DataFrame:
        """Scores by ``by`` (a ``context`` column: ``competition``, ``stage``, ``scale``, ``era``...; ``None``: all).

        Columns: the group, ``forecaster``, ``matches``, mean ``rps``, ``log_loss``, ``brier``, and the
        paired per-match difference to Pinnacle, ``rps_vs_pinnacle`` and ``log_loss_vs_pinnacle``, each
        with the half-width of its 95% interval (1.96 standard errors of the mean difference).
        """
        common = self.common()
        keys = np.full(len(common), "all", dtype=object) if by is None else self.context[by].to_numpy(dtype=object)
        keys = keys[common]
        outcome = self.result.outcome[common]
        scores = {name: bt.per_match_scores(p[common], outcome) for name, p in self.result.probs.items()}
        rows = []
        for key in _ordered(keys, by):
            pick = keys == key
            n = int(pick.sum())
            for name in self.names:
                s = scores[name]
                row: dict[str, Any] = {} if by is None else {by: key}
                row.update(forecaster=name, matches=n)
                for score in ("rps", "log_loss", "brier"):
                    row[score] = float(s[score][pick].mean())
                for score in ("rps", "log_loss"):
                    diff = s[score][pick] - scores[PINNACLE][score][pick]
                    half = 1.96 * diff.std(ddof=1) / np.sqrt(n) if n > 1 else float("nan")
                    row[f"{score}_vs_pinnacle"] = float(diff.mean())
                    row[f"{score}_vs_pinnacle_ci"] = float(half)
                rows.append(row)
        return pd.DataFrame(rows)

    def breakdowns(self) -> dict[str, pd.DataFrame]:
        """The tables by competition, stage, scale (same league or not) and era (when more than one)."""
        out = {by: self.table(by) for by in ("competition", "stage", "scale")}
        if self.context["era"].nunique() > 1:
            out["era"] = self.table("era")
        return out

    def notes(self) -> list[str]:
        n_eval, n_common = len(self.result.outcome), int(self.common().sum())
        return [
            f"{n_eval} UEFA matches forecast, {n_common} priced by every forecaster (Pinnacle on OddsPortal); "
            "scores are on those",
            "Pinnacle's prices de-margined with the odds-ratio method; OddsPortal does not say whether they close",
            f"dixon-coles refitted {self.fits} times (once per block), as `remontada predict` fits it",
            f"nothing tuned on these seasons: hyperparameters from domestic seasons up to 2015-16; "
            f"held out from {HELD_OUT_FROM}",
        ]


def _ordered(keys: np.ndarray, by: str | None) -> list[Any]:
    order = {"stage": ["qualifying", "group", "knockout"], "scale": list(SCALES)}.get(by or "", [])
    present = set(keys.tolist())
    return [k for k in order if k in present] + sorted(present - set(order))


def era_of(season: str) -> str:
    """``"2016-17 on (held out)"`` or ``"before 2016-17"``."""
    return f"{HELD_OUT_FROM} on (held out)" if season >= HELD_OUT_FROM else f"before {HELD_OUT_FROM}"


def scale_of(home_league: Any, away_league: Any) -> str:
    """One of :data:`SCALES` from the two clubs' leagues (``None``/NaN: not in the store)."""
    if not isinstance(home_league, str) or not isinstance(away_league, str):
        return SCALES[2]
    return SCALES[0] if home_league == away_league else SCALES[1]


def load(store: Store, competitions: Sequence[str], first: str, last: str) -> tuple[MatchSet, np.ndarray, pd.DataFrame]:
    """Every club match from :data:`HISTORY_FROM` to the end of ``last``, the mask of the UEFA matches
    to forecast, and their context (stage, leagues; Pinnacle's prices are added as extras)."""
    end_year = int(last[:4]) + 1
    matches = store.match_set(start=HISTORY_FROM, end=f"{end_year}-07-01")
    evaluate = np.isin(matches.competition, list(competitions)) & (matches.season >= first) & (matches.season <= last)
    if not evaluate.any():
        raise ValueError(f"no played matches of {', '.join(competitions)} in the seasons {first}..{last}")
    context = uefa_match_context(store, matches.match_id[evaluate]).set_index("match_id")
    context = context.reindex(matches.match_id[evaluate])
    prices = {col: np.full(len(matches), np.nan) for col in MARKET_COLUMNS}
    for col, source in zip(MARKET_COLUMNS, ("price_home", "price_draw", "price_away"), strict=True):
        prices[col][evaluate] = context[source].to_numpy(dtype=float)
    frame = pd.DataFrame(
        {
            "competition": matches.competition[evaluate],
            "season": matches.season[evaluate],
            "stage": [STAGE_GROUPS.get(str(s), "knockout") for s in context["stage"]],
            "home_league": context["home_league"].to_numpy(dtype=object),
            "away_league": context["away_league"].to_numpy(dtype=object),
        }
    )
    frame["scale"] = [scale_of(h, a) for h, a in zip(frame["home_league"], frame["away_league"], strict=True)]
    frame["era"] = [era_of(str(s)) for s in frame["season"]]
    return matches.with_extras(**prices), evaluate, frame


def forecasters(store: Store, *, cache_dir: Path | None = None) -> list[bt.WalkForwardForecaster]:
    """The joint Dixon-Coles, Elo, climatology and Pinnacle (de-margined)."""
    from remontada.models.elo import Elo

    return [
        JointModelForecaster(store, "dixon-coles", cache_dir=cache_dir),
        bt.ModelForecaster("elo", lambda: Elo(**suite.ELO_PARAMS)),
        bt.ClimatologyForecaster(),
        bt.MarketForecaster(PINNACLE, MARKET_COLUMNS, suite.DEMARGIN),
    ]


def run(
    store: Store,
    competitions: Sequence[str],
    seasons: str,
    *,
    step_days: int = 7,
    cache_dir: Path | None = None,
    progress: bool = True,
) -> UefaBacktest:
    """Walk forward over ``seasons`` (``"2016-17..2019-20"``) of the UEFA ``competitions`` (store ids)."""
    bad = [c for c in competitions if c not in UEFA_COMPETITIONS]
    if bad:
        raise ValueError(f"the UEFA match backtest covers {', '.join(UEFA_COMPETITIONS)}, not {', '.join(bad)}")
    first, last = suite.season_range(seasons)
    matches, evaluate, context = load(store, competitions, first, last)
    line_up = forecasters(store, cache_dir=cache_dir)
    result = bt.walk_forward(
        matches, evaluate, line_up, step_days=step_days, pre_match_columns=MARKET_COLUMNS, progress=progress
    )
    joint = line_up[0]
    assert isinstance(joint, JointModelForecaster)
    out = UefaBacktest(result, context, joint.fits)
    result.notes.extend(out.notes())
    return out
