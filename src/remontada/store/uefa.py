"""The store's questions about UEFA club matches for the match backtest: stage, the clubs' leagues, the odds.

:mod:`remontada.evaluation.uefa` scores match forecasts of Champions League and Europa League
matches against the bookmakers; the rows it needs come from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import numpy as np
    import pandas as pd

    from remontada.store.reader import Store

#: A club's league on a match day: the league (competition kind ``league``) it played most often in
#: the 365 days before, ties broken by the competition id; NULL when it played none in the store.
_CONTEXT_SQL = """
WITH um AS (
    SELECT m.match_id, m.date, m.stage, m.home_id, m.away_id
    FROM matches m JOIN _uefa_ids USING (match_id)
), sides AS (
    SELECT match_id, date, home_id AS club_id, 'home' AS side FROM um
    UNION ALL
    SELECT match_id, date, away_id AS club_id, 'away' AS side FROM um
), dom AS (
    SELECT d.competition_id, d.date, d.home_id AS club_id
    FROM matches d JOIN competitions c USING (competition_id) WHERE c.kind = 'league' AND d.date IS NOT NULL
    UNION ALL
    SELECT d.competition_id, d.date, d.away_id AS club_id
    FROM matches d JOIN competitions c USING (competition_id) WHERE c.kind = 'league' AND d.date IS NOT NULL
), played AS (
    SELECT match_id, side, competition_id FROM (
        SELECT s.match_id, s.side, d.competition_id, count(*) AS n
        FROM sides s JOIN dom d ON d.club_id = s.club_id
         AND d.date < s.date AND d.date >= s.date - INTERVAL 365 DAY
        GROUP BY s.match_id, s.side, d.competition_id
    )
    QUALIFY row_number() OVER (PARTITION BY match_id, side ORDER BY n DESC, competition_id) = 1
), price AS (
    SELECT o.match_id, o.price1, o.price2, o.price3
    FROM odds o JOIN _uefa_ids USING (match_id)
    WHERE o.source = ? AND o.bookmaker = ? AND o.market = '1x2' AND o.price3 IS NOT NULL
    -- duplicated rows of one match (the Europa League file of 2019-20): the closing quote, then the lowest prices
    QUALIFY row_number() OVER (PARTITION BY o.match_id ORDER BY o.closing DESC, o.price1, o.price2, o.price3) = 1
)
SELECT um.match_id, um.stage, hl.competition_id AS home_league, al.competition_id AS away_league,
       p.price1 AS price_home, p.price2 AS price_draw, p.price3 AS price_away
FROM um
LEFT JOIN played hl ON hl.match_id = um.match_id AND hl.side = 'home'
LEFT JOIN played al ON al.match_id = um.match_id AND al.side = 'away'
LEFT JOIN price p ON p.match_id = um.match_id
ORDER BY um.match_id
"""


def uefa_match_context(
    store: Store, match_ids: Sequence[int] | np.ndarray, *, source: str = "oddsportal", bookmaker: str = "pinnacle"
) -> pd.DataFrame:
    """Stage, the two clubs' leagues and one bookmaker's 1X2 prices of each match in ``match_ids``.

    Parameters
    ----------
    store
        An open store.
    match_ids
        Store match ids (UEFA matches; any match works).
    source, bookmaker
        Whose prices: by default Pinnacle's as OddsPortal (Seb943/scrapeOP) recorded them.

    Returns
    -------
    pandas.DataFrame
        One row per match id found: ``match_id``, ``stage`` (as stored: ``qualifying``, ``group``,
        ``knockout``, ``final``...), ``home_league`` and ``away_league`` (the league each club played
        most in the 365 days before the match; ``None`` when the store has none) and
        ``price_home``/``price_draw``/``price_away`` (decimal odds; NaN when not priced).
    """
    import numpy as np
    import pandas as pd

    ids = pd.DataFrame({"match_id": np.asarray(match_ids, dtype=np.int64)}).drop_duplicates()
    store.con.register("_uefa_ids", ids)
    try:
        return store.query(_CONTEXT_SQL, [source, bookmaker])
    finally:
        store.con.unregister("_uefa_ids")
