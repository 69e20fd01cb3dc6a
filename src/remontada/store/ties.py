"""The store's questions about knockout ties: the legs of every tie, the meetings of two clubs.

:mod:`remontada.ties` pairs legs into ties and applies the rules; the rows come from here, as
plain dicts (NULLs as ``None``, dates as :class:`datetime.date`): the history rebuild runs several
times faster without pandas' per-cell boxing.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from remontada.store.reader import Store

_LEGS_SQL = """
WITH notes AS (
    SELECT s.match_id, string_agg(DISTINCT r.note, '; ' ORDER BY r.note) AS note
    FROM match_sources s JOIN raw_matches r USING (raw_id)
    WHERE r.note IS NOT NULL
    GROUP BY s.match_id
)
SELECT m.match_id, m.competition_id, m.season, m.date, m.stage, m.round, m.leg,
       m.home_id, h.name AS home_name, m.away_id, a.name AS away_name,
       m.home_goals, m.away_goals, m.aet_home, m.aet_away, m.pen_home, m.pen_away,
       m.neutral, m.status, m.tie_winner_id, m.shootout_winner_id, m.n_sources, n.note
FROM matches m
JOIN clubs h ON h.club_id = m.home_id
JOIN clubs a ON a.club_id = m.away_id
LEFT JOIN notes n USING (match_id)
WHERE coalesce(m.stage, '') NOT IN ('group', 'league')
  AND (m.leg IN (1, 2) OR (m.leg IS NULL AND lower(n.note) LIKE '%replay%'))
  {where}
ORDER BY m.competition_id, m.season, m.date NULLS LAST, m.leg NULLS LAST, m.match_id
"""

_PAIR_SQL = """
SELECT m.match_id, m.competition_id, m.season, m.date, m.stage, m.round, m.leg, m.home_id, m.away_id,
       m.home_goals, m.away_goals, m.aet_home, m.aet_away, m.pen_home, m.pen_away, m.neutral, m.status,
       m.shootout_winner_id, m.n_sources
FROM matches m
WHERE ((m.home_id = ? AND m.away_id = ?) OR (m.home_id = ? AND m.away_id = ?))
  AND coalesce(m.stage, '') NOT IN ('group', 'league')
  {where}
ORDER BY m.date NULLS LAST, m.leg NULLS LAST, m.match_id
"""


def _dict_rows(store: Store, sql: str, params: list[Any]) -> list[dict[str, Any]]:
    result = store.con.execute(sql, params)
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, values, strict=True)) for values in result.fetchall()]


def knockout_leg_rows(store: Store, competition_ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
    """Every numbered leg (and every replay) outside group and league phases, with club names and
    the sources' notes, ordered by competition, season, date, leg and match id.

    ``competition_ids``: restrict to these competition ids (``None``: all).
    """
    where, params = "", []
    if competition_ids is not None:
        where = f"AND m.competition_id IN ({', '.join('?' for _ in competition_ids)})"
        params = list(competition_ids)
    return _dict_rows(store, _LEGS_SQL.format(where=where), params)


def pair_knockout_rows(
    store: Store, id1: str, id2: str, *, competition_id: str | None = None, season: str | None = None
) -> list[dict[str, Any]]:
    """Matches between two clubs (either venue) outside group and league phases, oldest first."""
    where, params = [], [id1, id2, id2, id1]
    if competition_id is not None:
        where.append("AND m.competition_id = ?")
        params.append(competition_id)
    if season is not None:
        where.append("AND m.season = ?")
        params.append(season)
    return _dict_rows(store, _PAIR_SQL.format(where=" ".join(where)), params)


def pair_meetings(store: Store, id1: str, id2: str, limit: int = 8) -> list[tuple[str, str, str]]:
    """``(competition_id, season, stage or "?")`` of every competition and season in which two clubs met,
    latest season first, at most ``limit``."""
    rows = store.con.execute(
        f"""SELECT DISTINCT competition_id, season, coalesce(stage, '?') AS stage FROM matches
           WHERE (home_id = ? AND away_id = ?) OR (home_id = ? AND away_id = ?)
           ORDER BY season DESC, competition_id LIMIT {int(limit)}""",
        [id1, id2, id2, id1],
    ).fetchall()
    return [(str(c), str(s), str(g)) for c, s, g in rows]


def odds_counts(store: Store, competition_ids: Sequence[str], since: str) -> tuple[int, int]:
    """``(matches, matches with any 1X2 price)`` of ``competition_ids`` in seasons from ``since`` on."""
    marks = ", ".join("?" for _ in competition_ids)
    row = store.con.execute(
        f"""SELECT count(*) AS matches,
                   count(*) FILTER (WHERE EXISTS (SELECT 1 FROM odds o WHERE o.match_id = m.match_id
                                                  AND o.market = '1x2')) AS with_odds
            FROM matches m WHERE m.competition_id IN ({marks}) AND m.season >= ?""",
        [*competition_ids, since],
    ).fetchall()[0]  # fetched to the end: DuckDB refuses other work while a result is unfinished
    return (int(row[0]), int(row[1])) if row else (0, 0)
