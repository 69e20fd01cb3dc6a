"""Time-decay weights: how much a past match counts when fitting a model as of a given day."""

from __future__ import annotations

import datetime as dt

import numpy as np

from remontada.matchset import to_day


def days_before(dates: np.ndarray, as_of: str | dt.date | np.datetime64) -> np.ndarray:
    """Whole days from each match date to ``as_of`` (positive for matches in the past), as float."""
    return (to_day(as_of) - np.asarray(dates, dtype="datetime64[D]")).astype(np.int64).astype(float)


def decay_weights(
    dates: np.ndarray,
    as_of: str | dt.date | np.datetime64,
    decay: float,
    window_days: float | None = None,
) -> np.ndarray:
    """Dixon-Coles exponential time weights ``exp(-decay * days before as_of)``.

    ``decay`` is per day (penaltyblog's ``xi``; 0.0018 halves a match's weight in about
    385 days). Matches more than ``window_days`` before ``as_of`` get weight 0. Weights are
    in (0, 1] for matches on or before ``as_of``; later matches raise ``ValueError`` since a
    model must not learn from the future.
    """
    if decay < 0:
        raise ValueError(f"decay must be >= 0 per day, got {decay}")
    age = days_before(dates, as_of)
    if len(age) and age.min() < 0:
        raise ValueError(f"{int((age < 0).sum())} matches are dated after as_of={to_day(as_of)}")
    weights = np.exp(-decay * age)
    if window_days is not None:
        weights[age > window_days] = 0.0
    return weights
