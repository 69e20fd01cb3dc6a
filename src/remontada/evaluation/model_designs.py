"""Choosing the strength model's prior on the tie backtest's validation folds (issue 12).

A *model design* is a set of :class:`~remontada.models.goals.DixonColes` settings that changes the
ratings (e.g. ``unlisted_by_country``: clubs of leagues the data lack shrink to their country's
European level, not to one pooled mean per UEFA competition). Each design is run through the same
walk-forward tie backtest as ``remontada backtest-ties`` (weekly refits), then scored on the
validation folds inside the fitted period (:data:`remontada.ties.backtest.VALIDATION_FOLDS`): between
the legs with the shipped second-leg design refitted on the design's own grids before each fold
(:func:`remontada.ties.backtest.second_leg_validation`), between the legs without it, and before the
tie. Log loss in nats; nothing from the held-out seasons (2016-17 on) is scored. The rule: the lowest
mean validation log loss between the legs, with the adjustment.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from remontada.evaluation import scoring
from remontada.rules import season_start_year
from remontada.store.reader import Store

#: The designs compared for issue 12 (keyword arguments of ``DixonColes`` on top of the default
#: model's ``home_advantage_by="scope"``); the first is the model before issue 12.
MODEL_DESIGNS: dict[str, dict[str, Any]] = {
    "clubs of unlisted leagues pooled by UEFA competition (before issue 12)": {"unlisted_by_country": False},
    "country prior": {"unlisted_by_country": True},
    "country prior, league-mean prior SD 0.5": {"unlisted_by_country": True, "league_sd": 0.5},
}
#: Every UEFA competition and stage of the calibration report.
COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc", "uefa.fairs")
STAGES: tuple[str, ...] = ("knockout", "playoff", "qualifying")


def design_backtest(
    store: Store,
    settings: Mapping[str, Any],
    *,
    name: str = "candidate",
    since: str = "1955-56",
    until: str | None = "2015-16",
    cache_dir: Path | None = None,
) -> Any:
    """The walk-forward tie backtest (weekly fits, no market) of a ``DixonColes`` with ``settings``.

    The design is registered as model ``name`` for the run only. ``cache_dir`` keeps its fits
    (``None``: memory only). Returns a :class:`~remontada.ties.backtest.TieBacktest`.
    """
    from remontada.forecast import MODELS, ModelSpec, _goal_model
    from remontada.ties.backtest import run_tie_backtest

    if name in MODELS:
        raise ValueError(f"model name {name!r} is taken; choose another for the design")
    kwargs = {"home_advantage_by": "scope", **settings}
    MODELS[name] = ModelSpec(name, f"design {name}", MODELS["dixon-coles"].history_days,
                             _goal_model("DixonColes", **kwargs))
    try:
        return run_tie_backtest(
            store, model=name, since=since, until=until, competitions=COMPETITIONS,
            history_competitions=COMPETITIONS, stages=STAGES, step_days=7, cache_dir=cache_dir, market=False,
        )  # fmt: skip
    finally:
        del MODELS[name]


def score_design(result: Any, folds: Sequence[tuple[str, str, str]] | None = None) -> pd.DataFrame:
    """Per validation fold of ``result`` (a tie backtest): log loss between the legs with the shipped
    second-leg design fitted before the fold, without it, and before the tie (nats), and the ties."""
    from remontada.ties.backtest import SECOND_LEG_DESIGNS, SHIPPED_DESIGN, VALIDATION_FOLDS, second_leg_validation

    folds = VALIDATION_FOLDS if folds is None else folds
    adjusted = second_leg_validation(result, {SHIPPED_DESIGN: SECOND_LEG_DESIGNS[SHIPPED_DESIGN]}, folds)
    years = np.array([season_start_year(t.season) for t in result.ties])
    rows = []
    for before, first, last in folds:
        span = (years >= season_start_year(first)) & (years <= season_start_year(last))
        y = result.outcome[span]
        row: dict[str, Any] = {"validate": f"{first}..{last}", "fit_before": before, "ties": int(span.sum())}
        hit = adjusted[adjusted["validate"] == f"{first}..{last}"]
        row["between_adjusted"] = float(hit["log_loss"].iloc[0]) if len(hit) else float("nan")
        for horizon, column in (("between_legs", "between_unadjusted"), ("before_tie", "before_tie")):
            p = result.forecasts[horizon][result.model][span]
            row[column] = scoring.log_loss_binary(p, y) if len(y) else float("nan")
        rows.append(row)
    return pd.DataFrame(rows)


def compare_designs(
    store: Store,
    designs: Mapping[str, Mapping[str, Any]] | None = None,
    *,
    since: str = "1955-56",
    cache_root: Path | None = None,
) -> pd.DataFrame:
    """Every design of ``designs`` (default :data:`MODEL_DESIGNS`) backtested on the ties of ``since``
    to 2015-16 and scored on the validation folds; one row per design and fold, plus each design's
    mean over the folds (``mean_between_adjusted``: the choosing score)."""
    designs = MODEL_DESIGNS if designs is None else designs
    frames = []
    for i, (label, settings) in enumerate(designs.items()):
        cache = None if cache_root is None else cache_root / f"design-{i}"
        result = design_backtest(store, settings, name=f"design-{i}", since=since, cache_dir=cache)
        frame = score_design(result)
        frame.insert(0, "design", label)
        frame["mean_between_adjusted"] = float(frame["between_adjusted"].mean())
        frames.append(frame)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
