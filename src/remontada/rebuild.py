"""Rebuilds the store's resolved layer (clubs, matches, provenance, conflicts) from the raw layer.

Runs inside the caller's transaction after every ingest that changed a file. It is a pure
function of the raw layer, so the same raw rows always give the same clubs and matches.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import duckdb
import pandas as pd

from remontada import competitions as comps
from remontada.clubs import (
    ClubResolver,
    ExternalMatcher,
    FixtureLink,
    Mention,
    NameKey,
    Resolution,
)
from remontada.db import first_row
from remontada.merge import CANONICAL_FIELDS, merge_rows
from remontada.schema import RESOLVED_TABLES


@dataclass(frozen=True, slots=True)
class RebuildSummary:
    clubs: int
    matches: int
    raw_rows: int
    conflicts: int
    unresolved: int


def rebuild(con: duckdb.DuckDBPyConnection, resolver: ClubResolver | None = None) -> RebuildSummary:
    for table in RESOLVED_TABLES:
        con.execute(f"DELETE FROM {table}")
    known = _write_competitions(con)
    kinds = {cid: c.kind for cid, c in known.items()}
    resolver = resolver or ClubResolver()
    appearances, labels = _appearances(con)
    resolution = resolver.resolve(_mentions(con, kinds), _fixture_links(con), appearances, labels)
    _write_clubs(con, resolution)
    merged_count, conflict_count = _write_matches(con)
    external_unresolved = _write_external(con, resolution, resolver)
    _write_goals(con)
    _split_extra_time(con)
    n_raw = int(first_row(con, "SELECT count(*) FROM raw_matches")[0])  # type: ignore[index]
    return RebuildSummary(
        clubs=len(resolution.clubs),
        matches=merged_count,
        raw_rows=n_raw,
        conflicts=conflict_count,
        unresolved=len(resolution.unresolved) + external_unresolved,
    )


# ---- competitions -----------------------------------------------------------------------------
def _write_competitions(con: duckdb.DuckDBPyConnection) -> dict[str, comps.Competition]:
    declared = {
        row[0]: comps.Competition(row[0], row[1], row[2], row[3], row[4])
        for row in con.execute(
            "SELECT DISTINCT ON (competition_id) competition_id, name, country, kind, tier FROM raw_competitions"
        ).fetchall()
    }
    used = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT competition FROM raw_matches UNION SELECT DISTINCT competition FROM raw_forecasts"
        ).fetchall()
    ]
    known: dict[str, comps.Competition] = {}
    for cid in used:
        if cid in comps.CATALOGUE:
            known[cid] = comps.CATALOGUE[cid]
        elif cid in declared:
            known[cid] = declared[cid]
        else:
            known[cid] = _guess_competition(cid)
    frame = pd.DataFrame(
        [(c.id, c.name, c.country, c.kind, c.tier) for c in known.values()],
        columns=["competition_id", "name", "country", "kind", "tier"],
    )
    _insert(con, "competitions", frame)
    return known


def _guess_competition(cid: str) -> comps.Competition:
    """A readable stand-in for an id no parser declared (``cze.1`` -> ``CZE tier 1``)."""
    prefix, _, key = cid.partition(".")
    if prefix == "int":
        return comps.Competition(cid, key.replace("-", " ").title(), None, "international")
    if key.isdigit():
        return comps.Competition(cid, f"{prefix.upper()} tier {key}", prefix.upper(), "league", int(key))
    return comps.Competition(cid, f"{prefix.upper()} {key}", prefix.upper(), "cup")


# ---- clubs -----------------------------------------------------------------------------------
def _mentions(con: duckdb.DuckDBPyConnection, kinds: dict[str, str]) -> list[Mention]:
    rows = con.execute(
        """
        SELECT source, name, country, national, url, season, competition, count(*) AS n FROM (
            SELECT source, home_name AS name, coalesce(home_country, '') AS country, national, url, season, competition
            FROM raw_matches
            UNION ALL
            SELECT source, away_name, coalesce(away_country, ''), national, url, season, competition FROM raw_matches
        ) GROUP BY ALL
        """
    ).fetchall()
    return [
        Mention(NameKey(s, name, country, bool(nat)), url, season, comp, kinds.get(comp, "league"), int(n))
        for s, name, country, nat, url, season, comp, n in rows
    ]


def _appearances(con: duckdb.DuckDBPyConnection) -> tuple[dict[NameKey, set[Hashable]], dict[Hashable, str]]:
    """Per name, the (file, match day) slots it appears in; undated matches count per season."""
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE _slots AS
        WITH s AS (
            SELECT source, home_name AS name, coalesce(home_country, '') AS country, national, url,
                   coalesce(CAST(date AS VARCHAR), 'season ' || season) AS slot FROM raw_matches
            UNION ALL
            SELECT source, away_name, coalesce(away_country, ''), national, url,
                   coalesce(CAST(date AS VARCHAR), 'season ' || season) FROM raw_matches
        ), ids AS (
            SELECT url, slot, row_number() OVER (ORDER BY url, slot) AS id FROM (SELECT DISTINCT url, slot FROM s)
        )
        SELECT s.source, s.name, s.country, s.national, ids.id, ids.url, ids.slot FROM s JOIN ids USING (url, slot)
        """
    )
    appearances: dict[NameKey, set[Hashable]] = {}
    for source, name, country, national, ids in con.execute(
        "SELECT source, name, country, national, list(DISTINCT id) FROM _slots GROUP BY ALL"
    ).fetchall():
        appearances[NameKey(source, name, country, bool(national))] = set(ids)
    labels: dict[Hashable, str] = {
        i: f"{url} on {slot}" for i, url, slot in con.execute("SELECT DISTINCT id, url, slot FROM _slots").fetchall()
    }
    con.execute("DROP TABLE _slots")
    return appearances, labels


def _fixture_links(con: duckdb.DuckDBPyConnection) -> list[FixtureLink]:
    """Name pairs of two files that report the same matches (same day +-1, same score)."""
    joins = " UNION ALL ".join(
        f"""
        SELECT a.source AS sa, a.home_name AS ha, a.hc AS hca, a.away_name AS aa, a.ac AS aca, a.national AS nat,
               b.source AS sb, b.home_name AS hb, b.hc AS hcb, b.away_name AS ab, b.ac AS acb,
               a.competition AS comp, a.season AS season
        FROM r a JOIN r b ON a.competition = b.competition AND a.season = b.season
             AND a.hg = b.hg AND a.ag = b.ag AND b.date = a.date + {shift} AND a.url < b.url
        """
        for shift in (0, 1, -1)
    )
    rows = con.execute(
        f"""
        WITH r AS (
            SELECT url, source, competition, season, date, home_goals AS hg, away_goals AS ag, national,
                   home_name, coalesce(home_country, '') AS hc, away_name, coalesce(away_country, '') AS ac
            FROM raw_matches
            WHERE status = 'played' AND date IS NOT NULL AND home_goals IS NOT NULL AND away_goals IS NOT NULL
        ), pairs AS ({joins})
        SELECT sa, na, ca, sb, nb, cb, nat, comp, season, sum(n) FROM (
            SELECT sa, ha AS na, hca AS ca, sb, hb AS nb, hcb AS cb, nat, comp, season, count(*) AS n
            FROM pairs GROUP BY ALL
            UNION ALL
            SELECT sa, aa, aca, sb, ab, acb, nat, comp, season, count(*) FROM pairs GROUP BY ALL
        ) GROUP BY ALL
        """
    ).fetchall()
    # the resolver adds up the counts of a name pair, so home and away pairings are summed here;
    # a few thousand names recur in hundreds of thousands of links, so each NameKey is built once
    keys: dict[tuple[str, str, str, bool], NameKey] = {}
    links = []
    for sa, na, ca, sb, nb, cb, nat, comp, season, n in rows:
        a = keys.get((sa, na, ca, nat))
        if a is None:
            a = keys[(sa, na, ca, nat)] = NameKey(sa, na, ca, bool(nat))
        b = keys.get((sb, nb, cb, nat))
        if b is None:
            b = keys[(sb, nb, cb, nat)] = NameKey(sb, nb, cb, bool(nat))
        links.append(FixtureLink(a, b, int(n), comp, season))
    return links


def _write_clubs(con: duckdb.DuckDBPyConnection, res: Resolution) -> None:
    _insert(
        con,
        "clubs",
        pd.DataFrame(
            [(c.club_id, c.name, c.country, c.national) for c in res.clubs],
            columns=["club_id", "name", "country", "national"],
        ),
    )
    _insert(
        con,
        "club_names",
        pd.DataFrame(
            [
                (n.key.source, n.key.name, n.key.country, n.key.national, n.club_id, n.method, n.confidence, n.evidence)
                for n in res.names
            ],
            columns=["source", "name", "country", "national", "club_id", "method", "confidence", "evidence"],
        ),
    )
    _insert(
        con,
        "unresolved_names",
        pd.DataFrame(
            [(u.key.source, u.key.name, u.key.country, u.context, u.reason, u.candidates) for u in res.unresolved],
            columns=["source", "name", "country", "context", "reason", "candidates"],
        ),
    )


# ---- matches ---------------------------------------------------------------------------------
def _write_matches(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    rows = con.execute(
        """
        SELECT r.*, h.club_id AS home_id, a.club_id AS away_id,
               CASE WHEN r.tie_winner_name = r.home_name THEN h.club_id
                    WHEN r.tie_winner_name = r.away_name THEN a.club_id END AS tie_winner_id
        FROM raw_matches r
        JOIN club_names h ON h.source = r.source AND h.name = r.home_name
             AND h.country = coalesce(r.home_country, '') AND h.national = r.national
        JOIN club_names a ON a.source = r.source AND a.name = r.away_name
             AND a.country = coalesce(r.away_country, '') AND a.national = r.national
        """
    ).df()
    merged = merge_rows(rows)
    matches = merged.matches.rename(columns={"competition": "competition_id"})
    cols = ["match_id", "competition_id", *[c for c in CANONICAL_FIELDS if c != "competition"], "neutral", "n_sources"]
    _insert(con, "matches", matches[cols])
    _insert(con, "match_sources", merged.sources)
    _insert(con, "conflicts", merged.conflicts)
    _apply_shootouts(con)
    return len(matches), len(merged.conflicts)


def _apply_shootouts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        """
        UPDATE matches SET shootout_winner_id = w.club_id
        FROM raw_shootouts s
        JOIN raw_matches r ON r.source = s.source AND r.date = s.date AND r.home_name = s.home_name
             AND r.away_name = s.away_name
        JOIN match_sources ms ON ms.raw_id = r.raw_id
        JOIN club_names w ON w.source = s.source AND w.name = s.winner_name AND w.national = r.national
             AND w.country = ''
        WHERE matches.match_id = ms.match_id
        """
    )


def _write_goals(con: duckdb.DuckDBPyConnection) -> None:
    """Attach goals to matches: by line within one file, else by (date, home, away) when that names one match."""
    con.execute(
        """
        INSERT INTO goals
        SELECT ms.match_id, g.side, g.minute, g.stoppage, g.player, g.own_goal, g.penalty
        FROM raw_goals g
        JOIN raw_matches r ON r.url = g.url AND r.line = g.match_line
        JOIN match_sources ms ON ms.raw_id = r.raw_id
        WHERE g.match_line IS NOT NULL
        """
    )
    con.execute(
        """
        INSERT INTO goals
        SELECT ms.match_id, g.side, g.minute, g.stoppage, g.player, g.own_goal, g.penalty
        FROM raw_goals g
        JOIN source_files f ON f.url = g.url
        JOIN raw_matches r ON r.source = f.source AND r.date = g.date AND r.home_name = g.home_name
             AND r.away_name = g.away_name
        JOIN match_sources ms ON ms.raw_id = r.raw_id
        WHERE g.match_line IS NULL
        QUALIFY count(*) OVER (PARTITION BY g.url, g.line) = 1
        """
    )


def _split_extra_time(con: duckdb.DuckDBPyConnection) -> None:
    """Restore 90-minute scores of national-team matches whose published score includes extra time.

    martj42 publishes final scores after extra time and writes stoppage time as minute 45 or 90,
    so a goal after minute 90 means extra time. Only matches whose goal list accounts for every
    goal, each with a minute, are corrected; the published score moves to ``aet_*``.
    """
    con.execute(
        """
        UPDATE matches SET aet_home = matches.home_goals, aet_away = matches.away_goals,
                           home_goals = g.home_90, away_goals = g.away_90
        FROM (
            SELECT match_id,
                   count(*) FILTER (WHERE side = 'home' AND minute <= 90) AS home_90,
                   count(*) FILTER (WHERE side = 'away' AND minute <= 90) AS away_90,
                   count(*) FILTER (WHERE side = 'home') AS home_all,
                   count(*) FILTER (WHERE side = 'away') AS away_all,
                   count(*) FILTER (WHERE minute IS NULL) AS undated, max(minute) AS last_minute
            FROM goals GROUP BY match_id
        ) g
        WHERE matches.match_id = g.match_id AND matches.competition_id LIKE 'int.%'
              AND matches.aet_home IS NULL AND g.last_minute > 90 AND g.undated = 0
              AND g.home_all = matches.home_goals AND g.away_all = matches.away_goals
        """
    )


# ---- third-party ratings and forecasts --------------------------------------------------------------
def _write_external(con: duckdb.DuckDBPyConnection, res: Resolution, resolver: ClubResolver) -> int:
    """Match ClubElo's and FiveThirtyEight's names to clubs; store their ratings and forecasts."""
    matcher = ExternalMatcher(res, resolver.aliases)
    rows = con.execute(
        """
        SELECT DISTINCT source, team_name, coalesce(team_country, '') AS country, false AS national, url
        FROM raw_ratings
        UNION SELECT DISTINCT source, home_name, coalesce(home_country, ''), national, url FROM raw_forecasts
        UNION SELECT DISTINCT source, away_name, coalesce(away_country, ''), national, url FROM raw_forecasts
        """
    ).fetchall()
    files: dict[NameKey, set[str]] = {}
    for source, name, country, national, url in rows:
        files.setdefault(NameKey(source, name, country, bool(national)), set()).add(url)
    resolved, unresolved = matcher.match_all(sorted(files), files)
    _insert(con, "club_names", pd.DataFrame(
        [(r.key.source, r.key.name, r.key.country, r.key.national, r.club_id, r.method, r.confidence, r.evidence)
         for r in resolved],
        columns=["source", "name", "country", "national", "club_id", "method", "confidence", "evidence"],
    ))  # fmt: skip
    _insert(con, "unresolved_names", pd.DataFrame(
        [(u.key.source, u.key.name, u.key.country, u.context, u.reason, u.candidates) for u in unresolved],
        columns=["source", "name", "country", "context", "reason", "candidates"],
    ))  # fmt: skip
    con.execute(
        """
        INSERT INTO ratings
        SELECT r.source, n.club_id, r.date_from, r.date_to, r.rating, r.rank
        FROM raw_ratings r JOIN club_names n ON n.source = r.source AND n.name = r.team_name
             AND n.country = coalesce(r.team_country, '') AND n.club_id IS NOT NULL
        """
    )
    con.execute(
        """
        INSERT INTO forecasts
        SELECT DISTINCT ON (f.source, f.date, h.club_id, a.club_id)
               f.source, f.competition, f.date, h.club_id, a.club_id,
               -- the same pair can meet twice within a day either side (a league and a cup
               -- match, or one club's two rows): prefer the forecast's competition, then the
               -- nearest date, then the lowest id, so every build stores the same link
               (SELECT m.match_id FROM matches m WHERE m.home_id = h.club_id AND m.away_id = a.club_id
                    AND m.date BETWEEN f.date - 1 AND f.date + 1
                    ORDER BY (m.competition_id = f.competition) DESC, abs(m.date - f.date), m.match_id LIMIT 1),
               f.p_home, f.p_draw, f.p_away, f.rating_home, f.rating_away, f.proj_home, f.proj_away,
               f.xg_home, f.xg_away
        FROM raw_forecasts f
        JOIN club_names h ON h.source = f.source AND h.name = f.home_name
             AND h.country = coalesce(f.home_country, '') AND h.club_id IS NOT NULL
        JOIN club_names a ON a.source = f.source AND a.name = f.away_name
             AND a.country = coalesce(f.away_country, '') AND a.club_id IS NOT NULL
        ORDER BY f.source, f.date, h.club_id, a.club_id, f.url DESC
        """
    )
    return len(unresolved)


def _insert(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    con.register("_frame", frame)
    try:
        cols = ", ".join(frame.columns)
        con.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM _frame")
    finally:
        con.unregister("_frame")
