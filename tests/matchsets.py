"""Test helper: real football-data.co.uk matches from the mirror as a MatchSet (no store needed)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from remontada.matchset import MatchSet
from remontada.sources.football_data import FootballData

#: (bookmaker, closing) of football-data odds -> extras prefix, as the store names them.
_PREFIX = {
    ("pinnacle", False): "ps",
    ("pinnacle", True): "psc",
    ("market_avg", False): "avg",
    ("market_avg", True): "avgc",
}


@lru_cache(maxsize=8)
def football_data_matches(mirror: Path, divisions: tuple[str, ...], seasons: tuple[str, ...]) -> MatchSet:
    """Played matches of the given football-data divisions and seasons; team ids are ``name|country``.

    Extras: Pinnacle and market-average 1X2 prices (``psh``... ``psch``... ``avgh``... ``avgch``...)
    and shots (``home_shots``, ``home_sot``...), NaN where the file has none.
    """
    source = FootballData(seasons=list(seasons), divisions=list(divisions))
    rows: list[dict] = []
    for remote in source.files():
        path = mirror / remote.mirror_path
        if not path.exists():
            continue
        for m in source.parse(path.read_bytes(), remote, str(path)).matches:
            if m.status != "played" or m.home_goals is None or m.away_goals is None or m.date is None:
                continue
            row = {
                "date": m.date,
                "home": f"{m.home.name}|{m.home.country}",
                "away": f"{m.away.name}|{m.away.country}",
                "home_goals": m.home_goals,
                "away_goals": m.away_goals,
                "competition": m.competition,
                "season": m.season,
            }
            for quote in m.odds:
                prefix = _PREFIX.get((quote.bookmaker, quote.closing))
                if prefix and quote.market == "1x2":
                    row.update(zip((prefix + "h", prefix + "d", prefix + "a"), quote.prices, strict=True))
            for key in ("home_shots", "away_shots", "home_sot", "away_sot"):
                row[key] = m.stats.get(key, np.nan)
            rows.append(row)
    extra_names = [p + s for p in _PREFIX.values() for s in "hda"]
    extra_names += ["home_shots", "away_shots", "home_sot", "away_sot"]
    columns = {
        k: [r[k] for r in rows] for k in ("date", "home", "away", "home_goals", "away_goals", "competition", "season")
    }
    extras = {k: np.array([r.get(k, np.nan) for r in rows], dtype=float) for k in extra_names}
    return MatchSet.from_columns(**columns, extras=extras)
