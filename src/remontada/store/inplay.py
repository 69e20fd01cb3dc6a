"""The store's questions for the in-play model: half-time and full-time scores with the preferred
bookmaker prices, goal minutes, extra-time scores, and a live fixture with its first leg.

The frames are shaped for :mod:`remontada.inplay.data` and :mod:`remontada.inplay.live`, which
turn them into model evidence; nothing here estimates anything.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from remontada.store.reader import Store

#: Bookmaker quotes in order of preference: closing prices of sharp books first.
ODDS_PREFERENCE = (
    ("pinnacle", True),
    ("market_avg", True),
    ("pinnacle", False),
    ("market_avg", False),
    ("betbrain_avg", False),
    ("bet365", True),
    ("bet365", False),
)


def _preferred_quotes(store: Store, market: str, where: str, params: list[Any]) -> pd.DataFrame:
    order = " ".join(
        f"WHEN o.bookmaker = '{book}' AND o.closing = {str(closing).upper()} THEN {rank}"
        for rank, (book, closing) in enumerate(ODDS_PREFERENCE)
    )
    line = "AND o.line = 2.5" if market == "ou" else ""
    return store.query(
        f"""
        SELECT match_id, price1, price2, price3 FROM (
            SELECT o.match_id, o.price1, o.price2, o.price3,
                   row_number() OVER (PARTITION BY o.match_id ORDER BY CASE {order} ELSE 99 END, o.bookmaker) AS r
            FROM odds o JOIN matches m USING (match_id)
            WHERE o.market = '{market}' {line} AND {where}
        ) WHERE r = 1
        """,
        params,
    )


def half_time_frames(
    store: Store, competitions: list[str] | None = None
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Played matches with half-time and 90-minute scores (red cards -1 when unknown), oldest
    first; and for the same matches the preferred 1X2 quote and the preferred over/under 2.5
    quote (``match_id, price1, price2, price3``; one row per priced match).

    ``competitions``: competition ids (default: all).
    """
    where = "m.status = 'played' AND m.ht_home IS NOT NULL AND m.home_goals IS NOT NULL AND m.date IS NOT NULL"
    params: list[Any] = []
    if competitions:
        where += f" AND m.competition_id IN ({', '.join('?' for _ in competitions)})"
        params += competitions
    frame = store.query(
        f"""
        SELECT m.match_id, m.date, m.season, m.competition_id, m.ht_home, m.ht_away, m.home_goals, m.away_goals,
               coalesce(m.home_red, -1) AS home_red, coalesce(m.away_red, -1) AS away_red
        FROM matches m WHERE {where} ORDER BY m.date, m.match_id
        """,
        params,
    )
    return frame, _preferred_quotes(store, "1x2", where, params), _preferred_quotes(store, "ou", where, params)


def event_match_frames(store: Store) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Matches with a complete minute-by-minute event list (:meth:`Store.event_matches`), oldest
    first; and for the same matches the preferred 1X2 and over/under 2.5 quotes (as
    :func:`half_time_frames` gives them)."""
    frame = store.event_matches(complete_only=True)
    if frame.empty:  # no event lists (or a store built before they existed): nothing to price
        import pandas as pd

        none = pd.DataFrame(columns=["match_id", "price1", "price2", "price3"])
        return frame, none, none.copy()
    where = "m.match_id IN (SELECT match_id FROM event_matches WHERE complete)"
    return frame, _preferred_quotes(store, "1x2", where, []), _preferred_quotes(store, "ou", where, [])


def national_club_ids(store: Store) -> set[str]:
    """The ids of the national teams among the store's clubs."""
    return {str(c) for (c,) in store.con.execute("SELECT club_id FROM clubs WHERE national").fetchall()}


def goal_timing_frame(store: Store) -> pd.DataFrame:
    """Every played match with a 90-minute score: whether its goals are all timed and add up to
    the score (``complete``) and whether any goal is stored (``has_goals``)."""
    return store.query(
        """
        WITH timed AS (
            SELECT match_id, count(*) AS n_goals, count(minute) AS n_timed,
                   count(*) FILTER (WHERE minute <= 90 AND side = 'home') AS home_reg,
                   count(*) FILTER (WHERE minute <= 90 AND side = 'away') AS away_reg
            FROM goals GROUP BY match_id
        )
        SELECT m.match_id, m.date, m.competition_id, m.season, m.home_goals, m.away_goals,
               coalesce(t.n_goals = t.n_timed AND t.home_reg = m.home_goals AND t.away_reg = m.away_goals, FALSE)
                   AS complete,
               t.match_id IS NOT NULL AS has_goals
        FROM matches m LEFT JOIN timed t USING (match_id)
        WHERE m.status = 'played' AND m.home_goals IS NOT NULL AND m.date IS NOT NULL
        """
    )


def regulation_goal_minutes(store: Store) -> pd.DataFrame:
    """``match_id, side, minute`` of every goal timed in minutes 1 to 90."""
    return store.query("SELECT match_id, side, minute FROM goals WHERE minute BETWEEN 1 AND 90")


def extra_time_frame(store: Store) -> pd.DataFrame:
    """Played matches with a 90-minute and a consistent after-extra-time score, oldest first."""
    return store.query(
        """
        SELECT match_id, home_goals, away_goals, aet_home, aet_away FROM matches
        WHERE status = 'played' AND home_goals IS NOT NULL AND aet_home IS NOT NULL
              AND aet_home >= home_goals AND aet_away >= away_goals
        ORDER BY date, match_id
        """
    )


def latest_fixture(
    store: Store, home_id: str, away_id: str, *, date: str | dt.date | None = None, competition_id: str | None = None
) -> pd.DataFrame:
    """The latest stored match ``home_id`` v ``away_id`` (on ``date``, in ``competition_id`` when
    given): at most one row of ``match_id, date, competition_id, season, round, leg, neutral``."""
    params: list[Any] = [home_id, away_id]
    where = "home_id = ? AND away_id = ?"
    if date is not None:
        where += " AND date = ?"
        params.append(str(date))
    if competition_id is not None:
        where += " AND competition_id = ?"
        params.append(competition_id)
    return store.query(
        f"""SELECT match_id, date, competition_id, season, round, leg, neutral FROM matches
            WHERE {where} ORDER BY date DESC LIMIT 1""",
        params,
    )


def reverse_fixture_before(
    store: Store, competition_id: str, season: str, home_id: str, away_id: str, day: dt.date, window_days: int = 70
) -> pd.DataFrame:
    """The latest scored match ``away_id`` v ``home_id`` of the same competition and season in the
    ``window_days`` before ``day``: at most one row of ``home_goals, away_goals, leg, date``."""
    return store.query(
        """SELECT home_goals, away_goals, leg, date FROM matches
           WHERE competition_id = ? AND season = ? AND home_id = ? AND away_id = ? AND date < ?
                 AND date >= ? AND home_goals IS NOT NULL
           ORDER BY date DESC LIMIT 1""",
        [competition_id, season, away_id, home_id, str(day), str(day - dt.timedelta(days=window_days))],
    )
