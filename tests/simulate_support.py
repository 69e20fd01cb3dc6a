"""Shared helpers of the simulation tests: real seasons read from the mirror, simple grids."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from remontada.grid import ScoreGrid
from remontada.sources.football_data import FootballData


def football_data_season(mirror: Path, code: str, division: str) -> pd.DataFrame:
    """One football-data.co.uk division-season (``code`` like ``0607``) as league matches:
    ``day``, ``home_id``, ``away_id`` (the file's team names), ``home_goals``, ``away_goals``."""
    source = FootballData()
    path = f"mmz4281/{code}/{division}.csv"
    remote = next(r for r in source.files() if r.path == path)
    location = mirror / remote.mirror_path
    parsed = source.parse(location.read_bytes(), remote, str(location))
    return pd.DataFrame(
        {
            "day": [m.date for m in parsed.matches],
            "home_id": [m.home.name for m in parsed.matches],
            "away_id": [m.away.name for m in parsed.matches],
            "home_goals": [m.home_goals for m in parsed.matches],
            "away_goals": [m.away_goals for m in parsed.matches],
        }
    ).sort_values("day", kind="stable", ignore_index=True)


def league_average_rates(frame: pd.DataFrame) -> tuple[float, float]:
    """Mean home and away goals per match of a season: every club an average club."""
    return float(frame["home_goals"].mean()), float(frame["away_goals"].mean())


def dixon_coles_grid(home_rate: float, away_rate: float, rho: float = 0.0) -> np.ndarray:
    """``P(home i, away j)`` with Poisson goals at the given expected goals (Dixon-Coles ``rho``)."""
    return ScoreGrid.from_rates(home_rate, away_rate, rho=rho).probs
