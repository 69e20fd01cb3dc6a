"""Rebuilds the store's resolved layer (clubs, matches, provenance, conflicts) from the raw layer.

Runs inside the caller's transaction after every ingest that changed a file. It is a pure
function of the raw layer, so the same raw rows always give the same clubs and matches.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

import duckdb
import numpy as np
import pandas as pd

from remontada import competitions as comps
from remontada.ingest.clubs import (
    ClubResolver,
    ExternalMatcher,
    FixtureLinkTable,
    Mention,
    NameKey,
    NameResolution,
    Resolution,
    SlotLabels,
    Unresolved,
)
from remontada.sources import ATTACH_ONLY
from remontada.store.db import first_row, insert_frame
from remontada.store.merge import CANONICAL_FIELDS, merge_relation
from remontada.store.schema import RESOLVED_TABLES


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
    mentions, links = _mentions(con, kinds), _fixture_links(con)
    # clubs come from the results sources alone; odds names are then matched to them
    results = [m for m in mentions if m.key.source not in ATTACH_ONLY]
    resolution = resolver.resolve(results, _links_between_results(links), appearances, labels)
    resolution = _with_attach_only_names(resolution, [m for m in mentions if m.key.source in ATTACH_ONLY], links,
                                         resolver)  # fmt: skip
    _write_clubs(con, resolution)
    merged_count, conflict_count = _write_matches(con)
    external_unresolved = _write_external(con, resolution, resolver)
    _write_goals(con)
    _write_events(con)
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
    insert_frame(con, "competitions", frame)
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
    # a name recurs in many files and seasons: one NameKey each, looked up by its row fields
    keys: dict[tuple[str, str, str, bool], NameKey] = {}
    mentions = []
    for s, name, country, nat, url, season, comp, n in rows:
        key = keys.get((s, name, country, nat))
        if key is None:
            key = keys[(s, name, country, nat)] = NameKey(s, name, country, bool(nat))
        mentions.append(Mention(key, url, season, comp, kinds.get(comp, "league"), int(n)))
    return mentions


def _appearances(con: duckdb.DuckDBPyConnection) -> tuple[dict[NameKey, set[Hashable]], SlotLabels]:
    """Per name, the (file, match day) slots it appears in; undated matches count per season.

    Slots are numbered 1.. in (file, day) order; names are numbered too, so DuckDB hands over
    two integer columns rather than a Python list per name.
    """
    con.execute(
        """
        -- slots numbered in (file, day) order, computed on the few distinct (file, date, season) rows
        CREATE OR REPLACE TEMP TABLE _ap_slots AS
        SELECT url, date, season, coalesce(CAST(date AS VARCHAR), 'season ' || season) AS slot,
               dense_rank() OVER (ORDER BY url, coalesce(CAST(date AS VARCHAR), 'season ' || season)) AS id
        FROM (SELECT DISTINCT url, date, season FROM raw_matches);
        CREATE OR REPLACE TEMP TABLE _ap_names AS
        SELECT source, name, country, national,
               row_number() OVER (ORDER BY source, name, country, national) - 1 AS id FROM (
            SELECT DISTINCT source, home_name AS name, coalesce(home_country, '') AS country, national FROM raw_matches
            UNION SELECT source, away_name, coalesce(away_country, ''), national FROM raw_matches
        );
        """
    )
    seen = con.execute(
        """
        WITH r AS (
            SELECT r.source, r.home_name, coalesce(r.home_country, '') AS hc, r.away_name,
                   coalesce(r.away_country, '') AS ac, r.national, s.id AS slot
            FROM raw_matches r JOIN _ap_slots s ON s.url = r.url AND s.date IS NOT DISTINCT FROM r.date
                 AND s.season = r.season
        )
        SELECT n.id AS name, r.slot FROM r JOIN _ap_names n ON n.source = r.source AND n.name = r.home_name
             AND n.country = r.hc AND n.national = r.national
        -- UNION ALL: repeats are dropped by the sets built from these rows
        UNION ALL SELECT n.id, r.slot FROM r JOIN _ap_names n ON n.source = r.source AND n.name = r.away_name
             AND n.country = r.ac AND n.national = r.national
        ORDER BY 1
        """
    ).fetchnumpy()
    names = con.execute("SELECT source, name, country, national FROM _ap_names ORDER BY id").fetchall()
    labels = con.execute("SELECT DISTINCT ON (id) url, slot FROM _ap_slots ORDER BY id").fetchnumpy()
    con.execute("DROP TABLE _ap_names; DROP TABLE _ap_slots")
    slots = np.asarray(seen["slot"], dtype=np.int64).tolist()
    bounds = np.searchsorted(np.asarray(seen["name"], dtype=np.int64), np.arange(len(names) + 1)).tolist()
    appearances: dict[NameKey, set[Hashable]] = {
        NameKey(source, name, country, bool(national)): set(slots[bounds[i] : bounds[i + 1]])
        for i, (source, name, country, national) in enumerate(names)
    }
    return appearances, SlotLabels(labels["url"].tolist(), labels["slot"].tolist())


def _fixture_links(con: duckdb.DuckDBPyConnection) -> FixtureLinkTable:
    """Name pairs of two files that report the same matches (same day +-1, same score).

    Names, files and (competition, season) slots are numbered first, so the self-join and its
    grouping run on integers. A name pair's home and away pairings are counted together (the
    resolver adds up the counts of a pair); the pair takes the nationality of its first row.
    """
    played = """
        FROM raw_matches
        WHERE status = 'played' AND date IS NOT NULL AND home_goals IS NOT NULL AND away_goals IS NOT NULL
    """
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE _fl_names AS
        SELECT source, name, country, row_number() OVER (ORDER BY source, name, country) - 1 AS id FROM (
            SELECT DISTINCT source, home_name AS name, coalesce(home_country, '') AS country {played}
            UNION SELECT source, away_name, coalesce(away_country, '') {played}
        );
        CREATE OR REPLACE TEMP TABLE _fl_slots AS
        SELECT competition, season, row_number() OVER (ORDER BY competition, season) - 1 AS id
        FROM (SELECT DISTINCT competition, season {played});
        CREATE OR REPLACE TEMP TABLE _fl_rows AS
        SELECT f.id AS file, r.date, r.home_goals AS hg, r.away_goals AS ag, r.national::INTEGER AS nat,
               s.id AS slot, h.id AS home, a.id AS away
        FROM (SELECT * {played}) r
        JOIN _fl_slots s USING (competition, season)
        -- files numbered in url order: ``a.file < b.file`` takes each pair of files once
        JOIN (SELECT url, row_number() OVER (ORDER BY url) AS id FROM (SELECT DISTINCT url {played})) f USING (url)
        JOIN _fl_names h ON h.source = r.source AND h.name = r.home_name AND h.country = coalesce(r.home_country, '')
        JOIN _fl_names a ON a.source = r.source AND a.name = r.away_name AND a.country = coalesce(r.away_country, '')
        """
    )
    links = con.execute(
        """
        WITH pairs AS (
            SELECT a.home AS ha, a.away AS aa, b.home AS hb, b.away AS ab, a.nat, a.slot
            FROM _fl_rows a
            JOIN (SELECT *, date - shift AS day FROM _fl_rows, (VALUES (0), (1), (-1)) v(shift)) b
              ON a.slot = b.slot AND a.hg = b.hg AND a.ag = b.ag AND a.date = b.day AND a.file < b.file
        )
        -- a key numbers a name with its nationality: 2 * name + national
        SELECT a, b, slot, count(*) AS n FROM (
            SELECT ha * 2 + nat AS a, hb * 2 + nat AS b, slot FROM pairs
            UNION ALL SELECT aa * 2 + nat, ab * 2 + nat, slot FROM pairs
        ) GROUP BY ALL
        """
    ).fetchnumpy()
    names = con.execute("SELECT source, name, country FROM _fl_names ORDER BY id").fetchall()
    slots = con.execute("SELECT competition, season FROM _fl_slots ORDER BY id").fetchall()
    con.execute("DROP TABLE _fl_rows; DROP TABLE _fl_slots; DROP TABLE _fl_names")
    keys = [NameKey(source, name, country, national) for source, name, country in names for national in (False, True)]
    return FixtureLinkTable(
        keys, [(c, s) for c, s in slots],
        *(np.asarray(links[c], dtype=np.int64) for c in ("a", "b", "n", "slot")),
    )  # fmt: skip


def _links_between_results(links: FixtureLinkTable) -> FixtureLinkTable:
    """``links`` without those that involve a name of an attach-only source."""
    attach = np.array([k.source in ATTACH_ONLY for k in links.keys], dtype=bool)
    if not attach.any():
        return links
    keep = ~(attach[links.a] | attach[links.b])
    return FixtureLinkTable(links.keys, links.slots, links.a[keep], links.b[keep], links.count[keep], links.slot[keep])


def _with_attach_only_names(
    res: Resolution, mentions: list[Mention], links: FixtureLinkTable, resolver: ClubResolver
) -> Resolution:
    """``res`` with the names of attach-only sources (OddsPortal) matched to its clubs.

    A name joins the club whose names line up with it on the most matches (same competition and
    season, day +-1, same score), at least ``resolver.min_fixture_matches`` of them and twice the
    runner-up; failing that, the club an :class:`ExternalMatcher` finds by name (alias table, same
    normalised name, clear similarity). It never creates a club nor changes one: an unmatched name
    is reported, and its rows attach to nothing.
    """
    if not mentions:
        return res
    club_of = res.club_of()
    attach = np.array([k.source in ATTACH_ONLY for k in links.keys], dtype=bool)
    votes: dict[NameKey, dict[str, int]] = {}
    for a, b, n in zip(links.a.tolist(), links.b.tolist(), links.count.tolist(), strict=True):
        for mine, other in ((a, b), (b, a)):
            if attach[mine] and not attach[other]:
                club = club_of.get(links.keys[other])
                if club is not None:
                    per = votes.setdefault(links.keys[mine], {})
                    per[club] = per.get(club, 0) + n
    matcher = ExternalMatcher(res, resolver.aliases)
    names, unresolved = list(res.names), list(res.unresolved)
    for key in sorted({m.key for m in mentions}):
        ranked = sorted(votes.get(key, {}).items(), key=lambda item: (-item[1], item[0]))
        best, n = ranked[0] if ranked else (None, 0)
        runner = ranked[1][1] if len(ranked) > 1 else 0
        if best is not None and n >= resolver.min_fixture_matches and n >= 2 * runner:
            names.append(NameResolution(key, best, "fixtures", 0.99, f"{n} matches line up with {best}"))
            continue
        club, method, score, note = matcher.match(key.name, key.country or None)
        if club is not None:
            names.append(NameResolution(key, club, method, round(score, 3), note))
        else:
            names.append(NameResolution(key, None, "unresolved", 0.0, note))
            unresolved.append(Unresolved(key, "odds rows", "no stored club lines up with it or matches its name", note))
    return Resolution(clubs=res.clubs, names=names, unresolved=unresolved, refused=res.refused)


def _write_clubs(con: duckdb.DuckDBPyConnection, res: Resolution) -> None:
    insert_frame(
        con,
        "clubs",
        pd.DataFrame(
            [(c.club_id, c.name, c.country, c.national) for c in res.clubs],
            columns=["club_id", "name", "country", "national"],
        ),
    )
    insert_frame(
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
    insert_frame(
        con,
        "unresolved_names",
        pd.DataFrame(
            [(u.key.source, u.key.name, u.key.country, u.context, u.reason, u.candidates) for u in res.unresolved],
            columns=["source", "name", "country", "context", "reason", "candidates"],
        ),
    )


# ---- matches ---------------------------------------------------------------------------------
def _write_matches(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    con.execute(
        """
        CREATE OR REPLACE TEMP VIEW _resolved_raw AS
        SELECT r.*, h.club_id AS home_id, a.club_id AS away_id,
               CASE WHEN r.tie_winner_name = r.home_name THEN h.club_id
                    WHEN r.tie_winner_name = r.away_name THEN a.club_id END AS tie_winner_id
        FROM raw_matches r
        JOIN club_names h ON h.source = r.source AND h.name = r.home_name
             AND h.country = coalesce(r.home_country, '') AND h.national = r.national
        JOIN club_names a ON a.source = r.source AND a.name = r.away_name
             AND a.country = coalesce(r.away_country, '') AND a.national = r.national
        """
    )
    merge_relation(con, "_resolved_raw")
    fields = ", ".join(c for c in CANONICAL_FIELDS if c != "competition")
    con.execute(
        f"""
        INSERT INTO matches (match_id, competition_id, {fields}, neutral, n_sources)
        SELECT match_id, competition, {fields}, neutral, n_sources FROM _merged_matches
        """
    )
    con.execute("INSERT INTO match_sources (match_id, raw_id, source) SELECT * FROM _merged_sources")
    con.execute("INSERT INTO conflicts (match_id, field, chosen, values_by_source) SELECT * FROM _merged_conflicts")
    counts = first_row(con, "SELECT (SELECT count(*) FROM _merged_matches), (SELECT count(*) FROM _merged_conflicts)")
    for table in ("_merged_matches", "_merged_sources", "_merged_conflicts"):
        con.execute(f"DROP TABLE {table}")
    con.execute("DROP VIEW _resolved_raw")
    _apply_shootouts(con)
    return int(counts[0]), int(counts[1])  # type: ignore[index]


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


def _write_events(con: duckdb.DuckDBPyConnection) -> None:
    """Attach minute-by-minute events to matches through their file's match rows (by line).

    ``event_matches`` keeps, per event list, its file and match, whether it is complete (the
    parser wrote no problem in the row's ``note``) and whether another source reports the same
    match (the list's clubs and date aligned with a league file).
    """
    con.execute(
        """
        INSERT INTO event_matches
        SELECT ms.match_id, r.url, r.line, r.note IS NULL,
               EXISTS (SELECT 1 FROM match_sources o WHERE o.match_id = ms.match_id AND o.source <> r.source),
               r.note
        FROM raw_matches r JOIN match_sources ms ON ms.raw_id = r.raw_id
        WHERE r.raw_id IN (SELECT DISTINCT r2.raw_id FROM raw_events e
                           JOIN raw_matches r2 ON r2.url = e.url AND r2.line = e.match_line)
           OR r.source IN (SELECT DISTINCT f.source FROM raw_events e JOIN source_files f USING (url))
        """
    )
    con.execute(
        """
        INSERT INTO match_events
        SELECT ms.match_id, e.seq, e.side, e.minute, e.added, e.kind, e.player
        FROM raw_events e
        JOIN raw_matches r ON r.url = e.url AND r.line = e.match_line
        JOIN match_sources ms ON ms.raw_id = r.raw_id
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
    insert_frame(con, "club_names", pd.DataFrame(
        [(r.key.source, r.key.name, r.key.country, r.key.national, r.club_id, r.method, r.confidence, r.evidence)
         for r in resolved],
        columns=["source", "name", "country", "national", "club_id", "method", "confidence", "evidence"],
    ))  # fmt: skip
    insert_frame(con, "unresolved_names", pd.DataFrame(
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
        WITH f AS (
            SELECT DISTINCT ON (f.source, f.date, h.club_id, a.club_id)
                   f.source, f.competition, f.date, h.club_id AS home_id, a.club_id AS away_id,
                   f.p_home, f.p_draw, f.p_away, f.rating_home, f.rating_away, f.proj_home, f.proj_away,
                   f.xg_home, f.xg_away
            FROM raw_forecasts f
            JOIN club_names h ON h.source = f.source AND h.name = f.home_name
                 AND h.country = coalesce(f.home_country, '') AND h.club_id IS NOT NULL
            JOIN club_names a ON a.source = f.source AND a.name = f.away_name
                 AND a.country = coalesce(f.away_country, '') AND a.club_id IS NOT NULL
            ORDER BY f.source, f.date, h.club_id, a.club_id, f.url DESC
        ), link AS (
            -- the same pair can meet twice within a day either side (a league and a cup
            -- match, or one club's two rows): prefer the forecast's competition, then the
            -- nearest date, then the lowest id, so every build stores the same link
            SELECT f.source, f.date, f.home_id, f.away_id, m.match_id
            FROM f JOIN matches m ON m.home_id = f.home_id AND m.away_id = f.away_id
                 AND m.date BETWEEN f.date - 1 AND f.date + 1
            QUALIFY row_number() OVER (
                PARTITION BY f.source, f.date, f.home_id, f.away_id
                ORDER BY (m.competition_id = f.competition) DESC, abs(m.date - f.date), m.match_id
            ) = 1
        )
        SELECT f.source, f.competition, f.date, f.home_id, f.away_id, link.match_id,
               f.p_home, f.p_draw, f.p_away, f.rating_home, f.rating_away, f.proj_home, f.proj_away,
               f.xg_home, f.xg_away
        FROM f LEFT JOIN link USING (source, date, home_id, away_id)
        """
    )
    return len(unresolved)
