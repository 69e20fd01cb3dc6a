"""Public data sources: one module each, all implementing :class:`remontada.sources.base.Source`."""

from __future__ import annotations

import importlib
from collections.abc import Iterable

from remontada.sources.base import Source

#: Source key -> (module, class), most trusted first (the order of ingest).
SOURCES: dict[str, tuple[str, str]] = {
    "football-data": ("remontada.sources.football_data", "FootballData"),
    "openfootball": ("remontada.sources.openfootball", "OpenFootball"),
    "engsoccerdata": ("remontada.sources.engsoccerdata", "EngSoccerData"),
    "footballcsv": ("remontada.sources.footballcsv", "FootballCsv"),
    "uefa-finals": ("remontada.sources.uefa_finals", "UefaFinals"),
    "european-cups": ("remontada.sources.european_cups", "EuropeanCups"),
    "international": ("remontada.sources.international", "InternationalResults"),
    "clubelo": ("remontada.sources.clubelo", "ClubElo"),
    "fivethirtyeight": ("remontada.sources.fivethirtyeight", "FiveThirtyEight"),
    "match-events": ("remontada.sources.match_events", "MatchEvents"),
    "oddsportal": ("remontada.sources.oddsportal", "OddsPortal"),
}

#: Sources whose match rows only attach odds to a match another source stores: they never create
#: a match nor supply one of its fields (see :mod:`remontada.ingest.merge`).
ATTACH_ONLY: frozenset[str] = frozenset({"oddsportal"})


def registry(keys: Iterable[str] | None = None) -> dict[str, Source]:
    """Source instances by key (all of them by default), importing only the modules asked for."""
    wanted = list(SOURCES) if keys is None else list(keys)
    unknown = [k for k in wanted if k not in SOURCES]
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCES)}")
    out: dict[str, Source] = {}
    for key in wanted:
        module, name = SOURCES[key]
        out[key] = getattr(importlib.import_module(module), name)()
    return out
