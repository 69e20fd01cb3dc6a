"""Merges the raw rows of several sources into one row per match.

Rows describe the same match when they share competition, home club and away club and their
dates are at most ``DATE_TOLERANCE_DAYS`` apart (sources disagree on the odd date: a late kick-off
written in another time zone, a rescheduled match), and come from different files. Failing that,
two files that each hold a single meeting of the two clubs in one competition and season, with
the same score, describe the same match even when their dates differ; the date disagreement is
reported. Each field of the merged row comes from the most trusted source that has it; every
disagreement between sources is kept in ``conflicts``.

Rows of an *attach-only* source (:data:`remontada.sources.ATTACH_ONLY`: OddsPortal, whose scores
may include extra time) rank after every other row of their match, so they never supply a field
another source has; a match made of attach-only rows alone is not stored (its rows, and the odds
they carry, are left unattached).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from remontada.sources import ATTACH_ONLY
from remontada.store.db import first_row
from remontada.store.schema import RESULT_COLUMNS, STAT_COLUMNS

DATE_TOLERANCE_DAYS = 3

#: Most trusted first, per field. football-data is the reference for domestic results and
#: statistics; openfootball for UEFA rounds and legs.
SOURCE_PRIORITY = (
    "football-data", "openfootball", "engsoccerdata", "footballcsv", "uefa-finals", "european-cups", "international"
)  # fmt: skip

#: Fields whose disagreement between sources is reported.
CHECKED_FIELDS = (
    "date",
    "home_goals",
    "away_goals",
    "ht_home",
    "ht_away",
    "aet_home",
    "aet_away",
    "pen_home",
    "pen_away",
)

CANONICAL_FIELDS = (
    "competition",
    "season",
    "date",
    "kickoff",
    "stage",
    "round",
    "leg",
    "home_id",
    "away_id",
    *RESULT_COLUMNS,
    "status",
    "referee",
    "tie_winner_id",
    *STAT_COLUMNS,
)


@dataclass(frozen=True, slots=True)
class Merged:
    matches: pd.DataFrame  # one row per match: match_id + CANONICAL_FIELDS + neutral + n_sources
    sources: pd.DataFrame  # match_id, raw_id, source
    conflicts: pd.DataFrame  # match_id, field, chosen, values_by_source


def assign_clusters(rows: pd.DataFrame) -> np.ndarray:
    """Cluster id per raw row.

    ``rows`` carries ``date`` and, as integer codes that sort like the values they stand for
    (see :data:`_KEYS_SQL`), ``competition``, ``season``, ``home_id``, ``away_id`` and ``url``;
    ``neutral``, and ``home_goals``/``away_goals`` as floats (NaN when unknown).
    """
    cluster = np.empty(len(rows), dtype=np.int64)  # every row is given its cluster below
    days = rows["date"].to_numpy(dtype="datetime64[D]")
    undated = np.isnat(days)
    day = np.where(undated, 0, days.astype(np.int64))
    home, away = rows["home_id"].to_numpy(), rows["away_id"].to_numpy()
    # at a neutral venue "home" is a label sources assign differently: cluster on the pair
    neutral = rows["neutral"].to_numpy(dtype=bool)
    first = np.where(neutral & (away < home), away, home)
    second = np.where(neutral & (away < home), home, away)
    competition = rows["competition"].to_numpy()
    season = np.where(undated, rows["season"].to_numpy(), 0)
    url = rows["url"].to_numpy()
    order = np.lexsort((url, day, season, second, first, competition))  # stable, like a sort on all six
    starts = _cluster_starts([k[order] for k in (competition, first, second, season)], day[order], url[order])
    cluster[order] = np.cumsum(starts) - 1
    return _join_lone_meetings(rows, cluster)


def _cluster_starts(keys: list[np.ndarray], day: np.ndarray, url: np.ndarray) -> np.ndarray:
    """Where a new cluster begins along rows sorted by (key, day, url).

    A cluster is a run of rows of one key whose days lie within ``DATE_TOLERANCE_DAYS`` of the
    run's first day, with no file twice. Rows split wherever the key changes or consecutive days
    are more than the tolerance apart; a segment that spans at most the tolerance and repeats no
    file is one cluster, and only the few other segments are walked row by row.
    """
    n = len(day)
    new_segment = np.ones(n, dtype=bool)
    if n > 1:
        changed = np.diff(day) > DATE_TOLERANCE_DAYS
        for key in keys:
            changed |= key[1:] != key[:-1]
        new_segment[1:] = changed
    segment_first = np.flatnonzero(new_segment)
    segment = np.cumsum(new_segment) - 1
    too_long = day - day[segment_first][segment] > DATE_TOLERANCE_DAYS
    repeated = pd.DataFrame({"s": segment, "u": url}).duplicated().to_numpy()
    starts = new_segment.copy()
    bounds = np.append(segment_first, n)
    for seg in np.unique(segment[too_long | repeated]).tolist():
        begin, end = int(bounds[seg]), int(bounds[seg + 1])
        cur_start, cur_urls = day[begin], {url[begin]}
        for pos in range(begin + 1, end):
            if url[pos] in cur_urls or day[pos] - cur_start > DATE_TOLERANCE_DAYS:
                starts[pos] = True
                cur_start, cur_urls = day[pos], set()
            cur_urls.add(url[pos])
    return starts


def _join_lone_meetings(rows: pd.DataFrame, cluster: np.ndarray) -> np.ndarray:
    """Join single-file clusters that are each file's only meeting of two clubs in a season.

    The scores they know must agree; a row without a score (a postponed fixture's original
    date, a final known only by its winner) joins the one scored meeting of the same clubs.
    At a neutral venue the pair is taken in either order.
    """
    # a cluster never holds one file twice, so a single-file cluster is a single row
    single = np.flatnonzero(np.bincount(cluster)[cluster] == 1)
    rows = rows.iloc[single]
    home, away = rows["home_id"].to_numpy(), rows["away_id"].to_numpy()
    neutral = rows["neutral"].to_numpy(dtype=bool)
    swap = neutral & (away < home)
    # a score as one number (NaN when either side is unknown), read from the first club's side
    home_goals, away_goals = rows["home_goals"].to_numpy(), rows["away_goals"].to_numpy()
    lone = pd.DataFrame(
        {
            "cluster": cluster[single], "url": rows["url"].to_numpy(), "competition": rows["competition"].to_numpy(),
            "season": rows["season"].to_numpy(), "first": np.where(swap, away, home),
            "second": np.where(swap, home, away),
            "score": np.where(swap, away_goals * 1000 + home_goals, home_goals * 1000 + away_goals),
        }
    )  # fmt: skip
    groups = lone.groupby(["competition", "season", "first", "second"], sort=False)
    size = groups["url"].transform("size")
    eligible = (
        (size >= 2)
        & (groups["url"].transform("nunique") == size)
        & (groups["score"].transform("nunique") <= 1)  # NA scores are not counted
        & (groups["score"].transform("count") >= 1)
    )
    target = groups["cluster"].transform("min")
    remap = pd.Series(target[eligible].to_numpy(), index=lone.loc[eligible, "cluster"].to_numpy())
    if remap.empty:
        return cluster
    mapped = pd.Series(cluster).map(remap)
    return np.where(mapped.notna(), mapped.fillna(-1).astype(np.int64), cluster)


def match_ids(merged: pd.DataFrame) -> np.ndarray:
    """Stable 63-bit ids from competition, clubs and date (season when undated).

    ``merged`` holds one row per match: ``competition``, ``home_id``, ``away_id`` (text), ``date``
    (datetime64, NaT when undated) and ``season``.
    """
    dates = merged["date"].to_numpy(dtype="datetime64[D]")
    days: np.ndarray = np.asarray(np.where(np.isnat(dates), None, np.datetime_as_string(dates, unit="D")))
    keys = [
        f"{competition}|{home}|{away}|{day if day is not None else 's' + str(season)}"
        for competition, home, away, day, season in zip(
            merged["competition"].tolist(), merged["home_id"].tolist(), merged["away_id"].tolist(), days.tolist(),
            merged["season"].tolist(), strict=True,
        )
    ]  # fmt: skip
    # identical keys (a pair meeting twice on one day in one competition) get distinct ids
    seen: set[int] = set()
    ids: list[int] = []
    for key in keys:
        value = int.from_bytes(hashlib.blake2b(key.encode(), digest_size=8).digest(), "big") >> 1
        while value in seen:
            value = (value + 1) % (2**63)
        seen.add(value)
        ids.append(value)
    return np.array(ids, dtype=np.int64)


#: The key columns of the raw rows (copied to ``_merge_keys``), with every text column the
#: clustering compares as an integer code that sorts like the text (home and away share one code
#: list), the source's place in :data:`SOURCE_PRIORITY` and whether the row is not a result (an awarded
#: match is one: engsoccerdata's 1991 walkovers outrank a file that lists the awarded 3-0 as played).
_KEYS_SQL = """
SELECT k.raw_id, u.code AS url, c.code AS competition, s.code AS season, k.date, h.code AS home_id,
       a.code AS away_id, k.neutral, CAST(k.home_goals AS DOUBLE) AS home_goals,
       CAST(k.away_goals AS DOUBLE) AS away_goals, coalesce(list_position({priority}, k.source), {unknown}) AS priority,
       coalesce(k.status, '') NOT IN ('played', 'awarded') AS unplayed,
       list_contains({attach_only}, k.source) AS attach_only
FROM _merge_keys k
JOIN _merge_codes u ON u.kind = 'url' AND u.text = k.url
JOIN _merge_codes c ON c.kind = 'competition' AND c.text = k.competition
JOIN _merge_codes s ON s.kind = 'season' AND s.text = k.season
JOIN _merge_codes h ON h.kind = 'club' AND h.text = k.home_id
JOIN _merge_codes a ON a.kind = 'club' AND a.text = k.away_id
ORDER BY k.raw_id
"""


def _keys(con: duckdb.DuckDBPyConnection, relation: str) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """The key columns of ``relation`` (see :data:`_KEYS_SQL`) and, per coded column, its texts by code."""
    # Copied to a table first: DuckDB 2.0.0 answers a UNION of a join view's home and away columns
    # with the away column twice (tests/test_merge.py shows it), and a table is read once, not re-joined.
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _merge_keys AS
        SELECT raw_id, source, url, competition, season, date, home_id, away_id, neutral, home_goals, away_goals,
               status
        FROM {relation}
        """
    )
    # codes count from 0, seasons from 1: season 0 stands for "dated" in the clustering
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _merge_codes AS
        WITH texts AS (
            SELECT DISTINCT 'url' AS kind, url AS text FROM _merge_keys
            UNION ALL SELECT DISTINCT 'competition', competition FROM _merge_keys
            UNION ALL SELECT DISTINCT 'season', season FROM _merge_keys
            UNION ALL SELECT 'club', home_id FROM _merge_keys UNION SELECT 'club', away_id FROM _merge_keys
        )
        SELECT kind, text, row_number() OVER (PARTITION BY kind ORDER BY text) - (kind <> 'season')::INTEGER AS code
        FROM texts
        """
    )
    priority = "[" + ", ".join(f"'{s}'" for s in SOURCE_PRIORITY) + "]"
    attach_only = "[" + ", ".join(f"'{s}'" for s in sorted(ATTACH_ONLY)) + "]::VARCHAR[]"
    keys = con.execute(
        _KEYS_SQL.format(priority=priority, unknown=len(SOURCE_PRIORITY) + 1, attach_only=attach_only)
    ).df()
    texts = {
        kind: np.array([text for (text,) in con.execute(
            "SELECT text FROM _merge_codes WHERE kind = ? ORDER BY code", [kind]
        ).fetchall()], dtype=object)
        for kind in ("competition", "season", "club")
    }  # fmt: skip
    texts["season"] = np.r_[np.array([None], dtype=object), texts["season"]]
    con.execute("DROP TABLE _merge_keys")
    con.execute("DROP TABLE _merge_codes")
    return keys, texts


def plan_merge(keys: pd.DataFrame, texts: dict[str, np.ndarray]) -> pd.DataFrame:
    """Per raw row: its match, its place among the match's rows, and whether to turn it round.

    ``keys`` and ``texts`` come from :func:`_keys`. A match's rows are ranked results (played or
    awarded) first,
    then by :data:`SOURCE_PRIORITY`, then by raw id; the first row is the most trusted, and a row
    whose home side is that row's away side (a neutral venue, labelled the other way) is ``flip``-ped.
    Returns a frame, in raw-row order, of ``raw_id``, ``match_id`` (stable ids, see :func:`match_ids`),
    ``rank`` (unique over all rows), ``pos`` (0 for a match's most trusted row, 1 for the next...),
    ``flip``, and per match ``neutral`` (any row says so), ``n_sources`` (files) and ``stored``
    (false when every row of the match is attach-only: no match is stored for them).
    """
    n = len(keys)
    attach = keys["attach_only"].to_numpy(dtype=bool) if "attach_only" in keys else np.zeros(n, dtype=bool)
    # joined lone meetings leave gaps in the cluster numbers: number the matches 0..m-1, in the same order
    cluster = np.unique(_clusters_with_attached(keys, attach), return_inverse=True)[1].astype(np.int64)
    raw_id = keys["raw_id"].to_numpy()
    order = np.lexsort((raw_id, keys["priority"].to_numpy(), keys["unplayed"].to_numpy(), attach, cluster))
    rank = np.empty(n, dtype=np.int64)
    rank[order] = np.arange(n)
    ranked_cluster = cluster[order]
    starts = np.flatnonzero(np.r_[True, ranked_cluster[1:] != ranked_cluster[:-1]])
    first = order[starts]  # the most trusted row of each match, in match order
    home, away = keys["home_id"].to_numpy(), keys["away_id"].to_numpy()
    # the fields that name a match: its clubs as the most trusted row has them, its first known date
    dates = keys["date"].to_numpy()[order]
    dated = ~np.isnat(dates)
    first_dated = np.minimum.reduceat(np.where(dated, np.arange(n), n), starts)
    named = pd.DataFrame(
        {"competition": texts["competition"][keys["competition"].to_numpy()[first]],
         "home_id": texts["club"][home[first]], "away_id": texts["club"][away[first]],
         "date": np.where(first_dated < n, dates[np.minimum(first_dated, n - 1)], np.datetime64("NaT")),
         "season": texts["season"][keys["season"].to_numpy()[first]]}
    )  # fmt: skip
    files = pd.DataFrame({"c": cluster, "u": keys["url"].to_numpy()}).drop_duplicates()["c"].to_numpy()
    return pd.DataFrame(
        {"raw_id": raw_id, "match_id": match_ids(named)[cluster], "rank": rank, "pos": rank - starts[cluster],
         "flip": home != home[first][cluster],
         "neutral": (np.bincount(cluster, weights=keys["neutral"].to_numpy(dtype=bool)) > 0)[cluster],
         "n_sources": np.bincount(files)[cluster], "stored": ~attach[first][cluster], "attach": attach}
    )  # fmt: skip


def _clusters_with_attached(keys: pd.DataFrame, attach: np.ndarray) -> np.ndarray:
    """Cluster ids: the rows of results sources clustered among themselves (so attach-only rows never
    change how they group), then each attach-only row joined to the cluster of a results row it
    clusters with when every row is clustered together; the others get clusters of their own."""
    if not attach.any():
        return assign_clusters(keys)
    main = np.flatnonzero(~attach)
    cluster = np.empty(len(keys), dtype=np.int64)
    if len(main):
        cluster[main] = assign_clusters(keys.iloc[main].reset_index(drop=True))
    together = assign_clusters(keys)
    # per joint cluster, the results-row cluster it holds (the first results row's)
    owner: dict[int, int] = {}
    for row in main.tolist():
        owner.setdefault(int(together[row]), int(cluster[row]))
    next_id = int(cluster[main].max()) + 1 if len(main) else 0
    for row in np.flatnonzero(attach).tolist():
        found = owner.get(int(together[row]))
        if found is None:
            found, next_id = next_id, next_id + 1
        cluster[row] = found
    return cluster


def _oriented(column: str) -> str:
    """SQL for ``column`` as the match's most trusted row has it (home and away exchanged when flipped)."""
    for a, b in SIDE_PAIRS:
        if column in (a, b):
            other = b if column == a else a
            return f"CASE WHEN p.flip THEN r.{other} ELSE r.{column} END"
    return f"r.{column}"


def merge_relation(con: duckdb.DuckDBPyConnection, relation: str) -> None:
    """Merge the raw rows of ``relation`` into temp tables ``_merged_matches``, ``_merged_sources`` and
    ``_merged_conflicts``.

    ``relation`` (a table or view of ``con``) holds raw-match columns with resolved ``home_id``,
    ``away_id`` and ``tie_winner_id``. The clustering runs in numpy on the key columns; each field's
    value (the first known one in rank order) and the conflicts are found in DuckDB, so the wide
    rows never leave the database.
    """
    con.register("_merge_plan", plan_merge(*_keys(con, relation)))
    try:
        oriented = ", ".join(f"{_oriented(c)} AS {c}" for c in CANONICAL_FIELDS)
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE _merge_rows AS
            SELECT p.match_id, p.pos, p.rank, p.raw_id, p.neutral, p.n_sources, p.attach, r.source, r.url, {oriented}
            FROM {relation} r JOIN _merge_plan p USING (raw_id) WHERE p.stored
            """
        )
    finally:
        con.unregister("_merge_plan")
    # a match has a few rows (one per file): the first known value is a coalesce over them in order
    depth = int(first_row(con, "SELECT coalesce(max(pos), 0) + 1 FROM _merge_rows")[0])  # type: ignore[index]
    joins = " ".join(
        f"LEFT JOIN _merge_rows r{i} ON r{i}.match_id = r0.match_id AND r{i}.pos = {i}" for i in range(1, depth)
    )
    # an attach-only row never supplies a field, not even one the results rows leave empty (a 90-minute
    # score missing where only the score after extra time is known: OddsPortal's may include extra time)
    chosen = ", ".join(
        f"coalesce({', '.join(f'CASE WHEN NOT r{i}.attach THEN r{i}.{c} END' for i in range(depth))}) AS {c}"
        for c in CANONICAL_FIELDS
    )
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _merged_matches AS
        SELECT r0.match_id, {chosen}, r0.neutral, r0.n_sources FROM _merge_rows r0 {joins} WHERE r0.pos = 0
        """
    )
    con.execute("CREATE OR REPLACE TEMP TABLE _merged_sources AS SELECT match_id, raw_id, source FROM _merge_rows")
    # rows of several files that disagree on a checked field: few, so found first with min <> max
    disagree = " OR ".join(f"min({f}) <> max({f})" for f in CHECKED_FIELDS)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _disputed AS
        SELECT * FROM _merge_rows WHERE match_id IN (
            SELECT match_id FROM _merge_rows WHERE n_sources > 1 GROUP BY match_id HAVING {disagree}
        )
        """
    )
    con.execute(
        "CREATE OR REPLACE TEMP TABLE _merged_conflicts AS "
        + " UNION ALL ".join(_conflict_query(field) for field in CHECKED_FIELDS)
    )
    con.execute("DROP TABLE _merge_rows")
    con.execute("DROP TABLE _disputed")


def _conflict_query(field: str) -> str:
    """Disputed matches whose rows know ``field`` differently: the value chosen and every source's.

    Dates are written as ``2000-01-22`` per source and the chosen one as ``2000-01-22 00:00:00``,
    as the store has always written them.
    """
    chosen = f"CAST(CAST(m.{field} AS TIMESTAMP) AS VARCHAR)" if field == "date" else f"CAST(m.{field} AS VARCHAR)"
    return f"""
        SELECT r.match_id, '{field}' AS field, {chosen} AS chosen,
               string_agg(r.source || '=' || CAST(r.{field} AS VARCHAR), '; ' ORDER BY r.rank) AS values_by_source
        FROM _disputed r JOIN _merged_matches m USING (match_id)
        WHERE r.{field} IS NOT NULL
        GROUP BY r.match_id, m.{field}
        HAVING min(r.{field}) <> max(r.{field})
    """


def merge_rows(rows: pd.DataFrame) -> Merged:
    """Merge raw rows (with resolved ``home_id``/``away_id``/``tie_winner_id``) into matches, in memory.

    The same merge as :func:`merge_relation`, for a frame (tests, small studies).
    """
    with duckdb.connect() as con:
        con.register("_rows", rows)
        con.execute("CREATE TEMP TABLE _raw AS SELECT * FROM _rows")
        merge_relation(con, "_raw")
        return Merged(
            con.execute(
                f"SELECT match_id, {', '.join(CANONICAL_FIELDS)}, neutral, n_sources FROM _merged_matches"
                " ORDER BY match_id"
            ).df(),
            con.execute("SELECT * FROM _merged_sources ORDER BY raw_id").df(),
            con.execute("SELECT * FROM _merged_conflicts ORDER BY match_id, field").df(),
        )


#: Column pairs exchanged when a row is turned round (home <-> away).
SIDE_PAIRS = (
    ("home_id", "away_id"), ("home_goals", "away_goals"), ("ht_home", "ht_away"), ("aet_home", "aet_away"),
    ("pen_home", "pen_away"), ("home_red", "away_red"),
    *((f"home_{k}", f"away_{k}") for k in ("shots", "sot", "fouls", "corners", "yellow", "offsides", "woodwork")),
)  # fmt: skip
