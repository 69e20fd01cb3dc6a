"""The store's answers to the news reader: every club name, and the matches an article's claims name.

All SQL the news reader (:mod:`remontada.news`) needs lives here. Dates are ISO days; goals are
after 90 minutes unless a column says ``aet``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from remontada.store.reader import Store

_MATCH_COLUMNS = """
    m.match_id, m.date, m.competition_id, c.name AS competition, m.season, m.stage, m.round, m.leg,
    m.home_id, h.name AS home, m.away_id, a.name AS away, m.home_goals, m.away_goals,
    m.aet_home, m.aet_away, m.pen_home, m.pen_away, m.neutral, m.status
"""

_MATCH_JOINS = """
    FROM matches m JOIN clubs h ON h.club_id = m.home_id JOIN clubs a ON a.club_id = m.away_id
    JOIN competitions c ON c.competition_id = m.competition_id
"""


def club_names(store: Store) -> pd.DataFrame:
    """Every spelling of every club (not national sides): ``club_id``, ``name`` (as a source or
    the store writes it), ``club_name`` (the store's name) and ``n_matches`` (the club's matches)."""
    return store.query(
        """
        WITH busy AS (SELECT club_id, count(*) AS n FROM (
                SELECT home_id AS club_id FROM matches UNION ALL SELECT away_id FROM matches) GROUP BY club_id),
        spellings AS (SELECT club_id, name FROM club_names WHERE club_id IS NOT NULL
                      UNION SELECT club_id, name FROM clubs)
        SELECT s.club_id, s.name, c.name AS club_name, coalesce(b.n, 0)::BIGINT AS n_matches
        FROM spellings s JOIN clubs c USING (club_id) LEFT JOIN busy b USING (club_id)
        WHERE NOT c.national
        ORDER BY s.club_id, s.name
        """
    )


def _window(where: list[str], params: list[Any], start: dt.date | None, end: dt.date | None) -> None:
    if start is not None:
        where.append("m.date >= ?")
        params.append(start.isoformat())
    if end is not None:
        where.append("m.date <= ?")
        params.append(end.isoformat())


def meetings(
    store: Store,
    club: str,
    opponent: str | None = None,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> pd.DataFrame:
    """Matches of club id ``club`` (against ``opponent`` when given) with ``start <= date <= end``,
    oldest first, with both clubs' names and the competition's name."""
    where = ["(m.home_id = ? OR m.away_id = ?)"]
    params: list[Any] = [club, club]
    if opponent is not None:
        where.append("(m.home_id = ? OR m.away_id = ?)")
        params += [opponent, opponent]
    _window(where, params, start, end)
    return store.query(
        f"SELECT {_MATCH_COLUMNS} {_MATCH_JOINS} WHERE {' AND '.join(where)} ORDER BY m.date NULLS LAST, m.match_id",
        params,
    )


def matches_of(
    store: Store, clubs: list[str], *, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Matches of any of ``clubs`` (ids) with ``start <= date <= end``, oldest first: one query for
    every claim of an article."""
    if not clubs:
        return pd.DataFrame()
    marks = ", ".join("?" for _ in clubs)
    where = [f"(m.home_id IN ({marks}) OR m.away_id IN ({marks}))"]
    params: list[Any] = [*clubs, *clubs]
    _window(where, params, start, end)
    return store.query(
        f"SELECT {_MATCH_COLUMNS} {_MATCH_JOINS} WHERE {' AND '.join(where)} ORDER BY m.date NULLS LAST, m.match_id",
        params,
    )


def legs_among(
    store: Store, clubs: list[str], *, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Knockout legs (leg 1 or 2) played or scheduled between any two of ``clubs`` (ids) with
    ``start <= date <= end``: the raw material of the ties an article may be about."""
    if len(clubs) < 2:
        return pd.DataFrame()
    marks = ", ".join("?" for _ in clubs)
    where = [f"m.home_id IN ({marks})", f"m.away_id IN ({marks})", "m.leg IN (1, 2)"]
    params: list[Any] = [*clubs, *clubs]
    _window(where, params, start, end)
    return store.query(
        f"SELECT {_MATCH_COLUMNS} {_MATCH_JOINS} WHERE {' AND '.join(where)} ORDER BY m.date NULLS LAST, m.match_id",
        params,
    )


def single_matches_among(
    store: Store, clubs: list[str], *, start: dt.date | None = None, end: dt.date | None = None
) -> pd.DataFrame:
    """Matches without a leg number (league games, one-match rounds) between any two of ``clubs``
    with ``start <= date <= end``."""
    if len(clubs) < 2:
        return pd.DataFrame()
    marks = ", ".join("?" for _ in clubs)
    where = [f"m.home_id IN ({marks})", f"m.away_id IN ({marks})", "m.leg IS NULL"]
    params: list[Any] = [*clubs, *clubs]
    _window(where, params, start, end)
    return store.query(
        f"SELECT {_MATCH_COLUMNS} {_MATCH_JOINS} WHERE {' AND '.join(where)} ORDER BY m.date NULLS LAST, m.match_id",
        params,
    )


__all__ = ["club_names", "legs_among", "matches_of", "meetings", "single_matches_among"]
