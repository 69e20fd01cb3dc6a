"""Held-out check of the in-play model: second halves forecast from the half-time score.

For every match of the held-out seasons the model is asked, at half-time, what the second half
holds (the pre-match rates from the odds, the half-time score; red cards are not used, since
the sources do not say in which half they came). Scored against what happened:

* log loss and RPS of the full-time result (home win / draw / away win) given half-time;
* log loss of the exact second-half score (goals of each side, 7 or more pooled);
* by half-time situation: how often the side ahead went on to win and the side behind avoided
  defeat, predicted against observed;
* a reliability table of the full-time result probabilities.

Models are compared on the same matches; ``InplayParams.flat()`` is the version without time
and state effects (constant rates: the pre-match expected goals times the share of time left).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from remontada.evaluation.scoring import CalibrationTable, calibration_table, log_loss_per_match, rps_per_match
from remontada.inplay.data import HalfTimes, half_times_from_store
from remontada.inplay.fit import half_probabilities
from remontada.inplay.model import InplayParams
from remontada.store.reader import Store

_GRID = 8


def second_half_probabilities(params: InplayParams, data: HalfTimes, chunk: int = 20_000) -> np.ndarray:
    """``(matches, 8, 8)`` P(second-half goals = (i, j) | half-time score), "7 or more" pooled."""
    lead = np.clip(data.ht_home - data.ht_away, -6, 6)
    parts = [
        half_probabilities(params, data.home_rate[s : s + chunk], data.away_rate[s : s + chunk], lead[s : s + chunk])
        for s in range(0, len(data), chunk)
    ]
    return np.concatenate(parts) if parts else np.zeros((0, _GRID, _GRID))


def full_time_result(second_half: np.ndarray, ht_home: np.ndarray, ht_away: np.ndarray) -> np.ndarray:
    """``(matches, 3)`` P(home win, draw, away win) at full time from second-half goal grids."""
    more: np.ndarray = np.indices(second_half.shape[1:])
    more_home, more_away = more[0], more[1]
    final = (ht_home - ht_away)[:, None, None] + (more_home - more_away)[None]
    flat = second_half.reshape(len(second_half), -1)
    margin = final.reshape(len(final), -1)
    return np.column_stack(
        [(flat * (margin > 0)).sum(axis=1), (flat * (margin == 0)).sum(axis=1), (flat * (margin < 0)).sum(axis=1)]
    )


def observed_result(data: HalfTimes) -> np.ndarray:
    """0 home win, 1 draw, 2 away win at full time."""
    return np.where(data.ft_home > data.ft_away, 0, np.where(data.ft_home == data.ft_away, 1, 2))


@dataclass(frozen=True, eq=False)
class Validation:
    """Forecasts of several models for the same held-out matches, and their scores."""

    data: HalfTimes
    second_half: dict[str, np.ndarray]
    result: dict[str, np.ndarray]

    def scores(self) -> pd.DataFrame:
        """Mean log loss (result, second-half score) and RPS per model; lower is better."""
        outcome = observed_result(self.data)
        cell = np.minimum(self.data.ft_home - self.data.ht_home, _GRID - 1) * _GRID + np.minimum(
            self.data.ft_away - self.data.ht_away, _GRID - 1
        )
        rows = []
        for name, result in self.result.items():
            score_probs = self.second_half[name].reshape(len(cell), -1)[np.arange(len(cell)), cell]
            rows.append(
                {
                    "model": name,
                    "matches": len(outcome),
                    "log_loss_result": float(log_loss_per_match(result, outcome).mean()),
                    "rps_result": float(rps_per_match(result, outcome).mean()),
                    "log_loss_second_half_score": float(-np.log(np.maximum(score_probs, 1e-15)).mean()),
                }
            )
        return pd.DataFrame(rows)

    def situations(self) -> pd.DataFrame:
        """Predicted against observed full-time results by half-time lead of the home side."""
        lead = self.data.ht_home - self.data.ht_away
        outcome = observed_result(self.data)
        rows = []
        for label, mask in (
            ("home ahead by 3+", lead >= 3),
            ("home ahead by 2", lead == 2),
            ("home ahead by 1", lead == 1),
            ("level", lead == 0),
            ("away ahead by 1", lead == -1),
            ("away ahead by 2", lead == -2),
            ("away ahead by 3+", lead <= -3),
        ):
            if not mask.any():
                continue
            row: dict[str, float | int | str] = {"half_time": label, "matches": int(mask.sum())}
            observed = np.bincount(outcome[mask], minlength=3) / mask.sum()
            row.update({"home_win": observed[0], "draw": observed[1], "away_win": observed[2]})
            for name, result in self.result.items():
                predicted = result[mask].mean(axis=0)
                row.update(
                    {f"{name}:home_win": predicted[0], f"{name}:draw": predicted[1], f"{name}:away_win": predicted[2]}
                )
            rows.append(row)
        return pd.DataFrame(rows)

    def trailing_by_one(self) -> pd.DataFrame:
        """How often the side one goal behind at half-time avoided defeat / won, predicted and observed."""
        lead = self.data.ht_home - self.data.ht_away
        outcome = observed_result(self.data)
        rows = []
        for label, mask, avoid, win in (
            ("home side behind by 1", lead == -1, outcome != 2, outcome == 0),
            ("away side behind by 1", lead == 1, outcome != 0, outcome == 2),
        ):
            row: dict[str, float | int | str] = {
                "trailing": label,
                "matches": int(mask.sum()),
                "avoided_defeat": float(avoid[mask].mean()),
                "won": float(win[mask].mean()),
            }
            for name, result in self.result.items():
                if label.startswith("home"):
                    p_avoid, p_win = 1.0 - result[mask, 2], result[mask, 0]
                else:
                    p_avoid, p_win = 1.0 - result[mask, 0], result[mask, 2]
                row[f"{name}:avoided_defeat"] = float(p_avoid.mean())
                row[f"{name}:won"] = float(p_win.mean())
            rows.append(row)
        return pd.DataFrame(rows)

    def reliability(self, name: str, bins: int = 10) -> CalibrationTable:
        """Reliability of every full-time result probability (home, draw, away pooled) of ``name``."""
        return calibration_table(self.result[name], observed_result(self.data), bins)


def validate(data: HalfTimes, models: Mapping[str, InplayParams]) -> Validation:
    """Forecast the second halves of ``data`` with each named parameter set."""
    second, result = {}, {}
    for name, params in models.items():
        second[name] = second_half_probabilities(params, data)
        result[name] = full_time_result(second[name], data.ht_home, data.ht_away)
    return Validation(data, second, result)


def held_out(store: Store, *, from_season: int = 2022) -> HalfTimes:
    """League matches with odds and half-time scores of seasons starting in or after ``from_season``."""
    data = half_times_from_store(store)
    return data.select(data.season_start() >= from_season)
