"""The embedded DuckDB store: opening it safely, and the questions the rest of remontada asks it.

Writes happen only through :mod:`remontada.ingest.update` (all or nothing per update, under an
inter-process lock, with the statements of :mod:`remontada.store.writer`); everything here reads.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, ClassVar

from remontada import competitions as comps
from remontada.errors import AmbiguousClub, StoreError, UnknownClub
from remontada.paths import default_store_path
from remontada.store.db import first_row
from remontada.store.schema import DDL, SCHEMA_VERSION

if TYPE_CHECKING:
    # duckdb, numpy and pandas are imported where first needed: ``remontada --help`` never needs them.
    import duckdb
    import numpy as np
    import pandas as pd

    from remontada.matchset import MatchSet

#: Kept under their old names: the store's lookups raise the public errors of :mod:`remontada.errors`.
TeamNotFound = UnknownClub
AmbiguousTeam = AmbiguousClub


@dataclass(frozen=True, slots=True)
class ClubInfo:
    club_id: str
    name: str
    country: str | None
    national: bool
    names: list[tuple[str, str, str]]  # (source, name as written, method)
    matches: int
    first_date: dt.date | None
    last_date: dt.date | None


class Store:
    """A DuckDB store file. ``Store(path, read_only=True)`` for queries.

    Read-only opening retries for ``wait`` seconds while a writer holds the file. ``origin`` is the
    file the data came from (``path`` itself, or the store a private copy was taken of): caches of
    fitted models key on it.
    """

    def __init__(self, path: str | Path | None = None, *, read_only: bool = True, wait: float = 30.0) -> None:
        self.path = Path(path) if path is not None else default_store_path()
        self.read_only = read_only
        self.origin = self.path
        #: Answers that cannot change while this connection is open (read-only: no writer can be).
        self._fixed: dict[tuple[Any, ...], Any] = {}
        if read_only and not self.path.exists():
            raise StoreError(f"no store at {self.path}; run `remontada update` first")
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.con = self._connect(wait)
        if not read_only:
            # a store already at this schema is not written on opening, so an update that changes
            # nothing (or fails) leaves the file byte for byte as it was
            if self.meta("schema_version") != SCHEMA_VERSION:
                self.con.execute(DDL)
                self.con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
        else:
            version = self.meta("schema_version")
            if version not in (None, SCHEMA_VERSION):
                raise StoreError(f"{self.path} has schema version {version}; this remontada needs {SCHEMA_VERSION}")

    def _connect(self, wait: float) -> duckdb.DuckDBPyConnection:
        import duckdb

        deadline = time.monotonic() + wait
        while True:
            try:
                return duckdb.connect(str(self.path), read_only=self.read_only)
            except duckdb.IOException as exc:
                if "lock" not in str(exc).lower() or time.monotonic() >= deadline:
                    raise StoreError(f"cannot open {self.path}: {exc}") from None
                time.sleep(0.25)
            except duckdb.ConnectionException as exc:  # this process holds it open another way (e.g. writing)
                raise StoreError(f"cannot open {self.path}: {exc}") from None

    def close(self) -> None:
        self.con.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    # ---- small helpers ------------------------------------------------------------------------
    def _once(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """``compute()``, asked once per read-only connection (a writer's answers can change)."""
        if not self.read_only:
            return compute()
        if key not in self._fixed:
            self._fixed[key] = compute()
        return self._fixed[key]

    def meta(self, key: str) -> str | None:
        def read() -> str | None:
            import duckdb

            try:
                row = first_row(self.con, "SELECT value FROM meta WHERE key = ?", [key])
            except duckdb.CatalogException:
                return None
            return None if row is None else str(row[0])

        return self._once(("meta", key), read)

    def query(self, sql: str, params: list[Any] | None = None) -> pd.DataFrame:
        return self.con.execute(sql, params or []).df()

    def competitions(self) -> dict[str, comps.Competition]:
        def read() -> dict[str, comps.Competition]:
            rows = self.con.execute("SELECT competition_id, name, country, kind, tier FROM competitions").fetchall()
            return {r[0]: comps.Competition(r[0], r[1], r[2], r[3], r[4]) for r in rows}

        return dict(self._once(("competitions",), read))

    def competition(self, query: str) -> comps.Competition:
        """A competition by id, name or alias (``"Europa League"`` -> ``uefa.el``)."""
        key = ("competition", query)
        kept = self._fixed.get(key) if self.read_only else None
        if kept is not None:
            return kept
        found = comps.resolve(query, self.competitions())
        if self.read_only and query in (found.id, found.name):  # kept by its id or name only: bounded
            self._fixed[key] = found
        return found

    # ---- clubs ---------------------------------------------------------------------------------
    def find_clubs(self, query: str, limit: int = 20) -> list[ClubInfo]:
        """Clubs whose name, or any name a source uses for them, matches ``query`` (accent-insensitive)."""
        return [self.club_info(cid) for cid, _, _ in self._club_candidates(query)[:limit]]

    def club_countries(self) -> dict[str, str]:
        """Every club's country code (``{club id: "NOR"}``; clubs with no recorded country left out)."""
        rows = self.con.execute("SELECT club_id, country FROM clubs WHERE country IS NOT NULL").fetchall()
        return {str(cid): str(country) for cid, country in rows}

    def club_info(self, club_id: str) -> ClubInfo:
        row = first_row(self.con, "SELECT club_id, name, country, national FROM clubs WHERE club_id = ?", [club_id])
        if row is None:
            raise TeamNotFound(club_id, [])
        names = self.con.execute(
            "SELECT source, name, method FROM club_names WHERE club_id = ? ORDER BY source, name", [club_id]
        ).fetchall()
        stats = first_row(
            self.con,
            "SELECT count(*), min(date), max(date) FROM matches WHERE home_id = ? OR away_id = ?",
            [club_id, club_id],
        )
        assert stats is not None
        return ClubInfo(
            row[0], row[1], row[2], bool(row[3]), [tuple(n) for n in names], int(stats[0]), stats[1], stats[2]
        )

    def _club_candidates(self, query: str) -> list[tuple[str, int, int]]:
        """``(club_id, rank, matches)`` best first. Rank 0: the id; 1: a name as written (accents
        folded); 2: the same normalised name; 3: the query inside a name. Busier clubs first."""
        names = _name_index(self)
        known = _CANDIDATES.get((id(names), query))
        if known is not None:
            return list(known)
        from remontada.ingest.names import fold, normalise

        q_fold, q_norm = fold(query).strip(), normalise(query)
        best: dict[str, tuple[int, int]] = {}
        for club_id, n, name_fold, club_fold, name_norm, club_norm in names:
            if query == club_id:
                rank = 0
            elif q_fold in (club_fold, name_fold):
                rank = 1
            elif q_norm in (name_norm, club_norm):
                rank = 2
            elif q_norm and (q_norm in name_norm or q_fold in name_fold):
                rank = 3
            else:
                continue
            if club_id not in best or rank < best[club_id][0]:
                best[club_id] = (rank, n)
        ranked = sorted(((c, r, n) for c, (r, n) in best.items()), key=lambda t: (t[1], -t[2], t[0]))
        with _NAME_LOCK:
            if len(_CANDIDATES) >= 4096:
                _CANDIDATES.clear()
            _CANDIDATES[(id(names), query)] = tuple(ranked)
        return ranked

    def resolve_club(self, query: str) -> str:
        """The one club ``query`` names; :class:`AmbiguousTeam` or :class:`TeamNotFound` otherwise.

        Among equally good matches the club with at least three times the matches of the next
        wins ("Liverpool" is Liverpool FC, not a namesake); otherwise the query is ambiguous.
        A club id is returned at once (an id always wins). Answers are kept per read-only connection,
        like :meth:`club_name`; errors are not.
        """
        found: str = self._once(("resolve_club", query), lambda: self._resolve_club(query))
        return found

    def _resolve_club(self, query: str) -> str:
        if first_row(self.con, "SELECT 1 FROM clubs WHERE club_id = ?", [query]) is not None:
            return query
        ranked = self._club_candidates(query)
        if not ranked:
            raise TeamNotFound(query, self._suggest(query))
        top_rank = ranked[0][1]
        tied = [t for t in ranked if t[1] == top_rank]
        if len(tied) == 1 or top_rank == 0 or tied[0][2] > 3 * tied[1][2]:
            return ranked[0][0]
        raise AmbiguousTeam(query, [f"{self.club_name(c)} ({c})" for c, _, _ in tied[:8]])

    def _suggest(self, query: str) -> list[str]:
        from difflib import get_close_matches

        names = [r[0] for r in self.con.execute("SELECT DISTINCT name FROM clubs").fetchall()]
        return get_close_matches(query, names, n=5, cutoff=0.6)

    def club_name(self, club_id: str) -> str:
        def read() -> str:
            row = first_row(self.con, "SELECT name FROM clubs WHERE club_id = ?", [club_id])
            return str(row[0]) if row else club_id

        return self._once(("club_name", club_id), read)

    def last_played(self, *, clubs_only: bool = True) -> dt.date | None:
        """The date of the latest played match with a score (club matches only by default): the
        store's data cut-off. ``None`` for an empty store."""
        national = "AND NOT h.national" if clubs_only else ""

        def read() -> dt.date | None:
            row = first_row(
                self.con,
                f"""SELECT max(m.date) FROM matches m JOIN clubs h ON h.club_id = m.home_id
                    WHERE m.status = 'played' AND m.home_goals IS NOT NULL {national}""",
            )
            value = None if row is None else row[0]
            return value.date() if isinstance(value, dt.datetime) else value

        return self._once(("last_played", clubs_only), read)

    def unresolved(self) -> pd.DataFrame:
        return self.query("SELECT * FROM unresolved_names ORDER BY source, country, name")

    # ---- matches ---------------------------------------------------------------------------------
    def matches(
        self,
        team: str | None = None,
        *,
        season: str | None = None,
        competition: str | None = None,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
    ) -> pd.DataFrame:
        """Matches with club names, newest last. ``team`` is a club name or id."""
        where, params = ["TRUE"], []
        if team is not None:
            club_id = self.resolve_club(team)
            where.append("(m.home_id = ? OR m.away_id = ?)")
            params += [club_id, club_id]
        if season is not None:
            where.append("m.season = ?")
            params.append(season)
        if competition is not None:
            where.append("m.competition_id = ?")
            params.append(self.competition(competition).id)
        if start is not None:
            where.append("m.date >= ?")
            params.append(str(start))
        if end is not None:
            where.append("m.date < ?")
            params.append(str(end))
        return self.query(
            f"""
            SELECT m.match_id, m.date, m.competition_id, c.name AS competition, m.season, m.stage, m.round, m.leg,
                   m.home_id, h.name AS home, m.away_id, a.name AS away, m.home_goals, m.away_goals,
                   m.ht_home, m.ht_away, m.aet_home, m.aet_away, m.pen_home, m.pen_away, m.neutral, m.status,
                   m.home_red, m.away_red, m.n_sources
            FROM matches m JOIN clubs h ON h.club_id = m.home_id JOIN clubs a ON a.club_id = m.away_id
            JOIN competitions c ON c.competition_id = m.competition_id
            WHERE {" AND ".join(where)}
            ORDER BY m.date NULLS LAST, m.match_id
            """,
            params,
        )

    # ---- minute-by-minute events ---------------------------------------------------------------
    def _has_table(self, table: str) -> bool:
        """Whether the store has ``table`` (a store built before the table existed has not)."""
        row = first_row(self.con, "SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [table])
        return bool(row and row[0])

    @staticmethod
    def _nothing(columns: str) -> pd.DataFrame:
        import pandas as pd

        return pd.DataFrame(columns=[c.strip() for c in columns.split(",")])

    def event_matches(self, *, complete_only: bool = True) -> pd.DataFrame:
        """Matches with a minute-by-minute event list, oldest first: ``match_id, date, season,
        competition_id, home_goals, away_goals, url, line, complete, aligned, problem``.

        ``complete_only`` keeps the lists whose goals add up to the score, whose minutes all read
        and that end at full time (the ones models may learn from)."""
        where = "WHERE e.complete" if complete_only else ""
        if not self._has_table("event_matches"):
            return self._nothing("match_id, date, season, competition_id, home_goals, away_goals, url, line, complete, "
                                 "aligned, problem")  # fmt: skip
        return self.query(
            f"""
            SELECT DISTINCT ON (m.match_id) m.match_id, m.date, m.season, m.competition_id, m.home_goals,
                   m.away_goals, e.url, e.line, e.complete, e.aligned, e.problem
            FROM event_matches e JOIN matches m USING (match_id) {where}
            ORDER BY m.match_id, e.complete DESC, e.url
            """
        ).sort_values(["date", "match_id"], kind="stable", ignore_index=True)

    def match_events(self, kinds: list[str] | None = None) -> pd.DataFrame:
        """Every stored event (``match_id, seq, side, minute, added, kind``) in playing order within
        each match; ``kinds`` keeps those kinds only (e.g. ``["goal", "own_goal", "red_card"]``)."""
        if not self._has_table("match_events"):
            return self._nothing("match_id, seq, side, minute, added, kind")
        where, params = "", []
        if kinds:
            where = f"WHERE kind IN ({', '.join('?' for _ in kinds)})"
            params = list(kinds)
        return self.query(
            f"SELECT match_id, seq, side, minute, added, kind FROM match_events {where} ORDER BY match_id, seq",
            params,
        )

    def event_count(self) -> int:
        """How many minute-by-minute events the store holds."""
        if not self._has_table("match_events"):
            return 0
        row = first_row(self.con, "SELECT count(*) FROM match_events")
        return int(row[0]) if row else 0

    def event_problems(self) -> pd.DataFrame:
        """Event lists the in-play model does not learn from, with file, match and reason."""
        if not self._has_table("event_matches"):
            return self._nothing("url, line, date, home, away, home_goals, away_goals, problem")
        return self.query(
            """
            SELECT e.url, e.line, m.date, h.name AS home, a.name AS away, m.home_goals, m.away_goals, e.problem
            FROM event_matches e JOIN matches m USING (match_id)
            JOIN clubs h ON h.club_id = m.home_id JOIN clubs a ON a.club_id = m.away_id
            WHERE NOT e.complete ORDER BY e.url, e.line
            """
        )

    def unaligned_events(self) -> pd.DataFrame:
        """Event-list matches no other source reports (their clubs or date did not line up)."""
        if not self._has_table("event_matches"):
            return self._nothing("url, line, competition_id, season, date, home, away, home_goals, away_goals")
        return self.query(
            """
            SELECT e.url, e.line, m.competition_id, m.season, m.date, h.name AS home, a.name AS away,
                   m.home_goals, m.away_goals
            FROM event_matches e JOIN matches m USING (match_id)
            JOIN clubs h ON h.club_id = m.home_id JOIN clubs a ON a.club_id = m.away_id
            WHERE NOT e.aligned ORDER BY m.competition_id, m.season, e.line
            """
        )

    def provenance(self, match_id: int) -> pd.DataFrame:
        return self.query("SELECT * FROM provenance WHERE match_id = ? ORDER BY source, url", [match_id])

    def match_set(
        self,
        *,
        competitions: list[str] | None = None,
        start: str | dt.date | None = None,
        end: str | dt.date | None = None,
        clubs_only: bool = True,
        odds: bool = False,
        stats: bool = False,
    ) -> MatchSet:
        """Played matches with 90-minute results as a :class:`MatchSet` (model input).

        ``competitions``: ids or names (default: every club competition). ``start``/``end``: ISO
        dates, ``start <= date < end``. ``odds`` adds closing and pre-match 1X2 prices as extras
        (``psh``/``psch``... for Pinnacle, ``avgh``/``avgch``... for the market average, ``b365h``...);
        ``stats`` adds shots, shots on target, half-time score and red cards.
        """
        import numpy as np

        from remontada.matchset import MatchSet

        where = ["m.status = 'played'", "m.home_goals IS NOT NULL", "m.away_goals IS NOT NULL", "m.date IS NOT NULL"]
        params: list[Any] = []
        if competitions:
            ids = [self.competition(c).id for c in competitions]
            where.append(f"m.competition_id IN ({', '.join('?' for _ in ids)})")
            params += ids
        if clubs_only:
            where.append("NOT h.national")
        if start is not None:
            where.append("m.date >= ?")
            params.append(str(start))
        if end is not None:
            where.append("m.date < ?")
            params.append(str(end))
        extra_cols = ""
        if stats:
            extra_cols += (
                ", m.home_shots, m.away_shots, m.home_sot, m.away_sot, m.ht_home, m.ht_away, "
                "m.home_red, m.away_red, m.home_corners, m.away_corners"
            )
        frame = self.query(
            f"""
            SELECT m.match_id, m.date, m.home_id, m.away_id, m.home_goals, m.away_goals, m.neutral,
                   m.competition_id, m.season {extra_cols}
            FROM matches m JOIN clubs h ON h.club_id = m.home_id
            WHERE {" AND ".join(where)}
            ORDER BY m.date, m.match_id
            """,
            params,
        )
        extras: dict[str, np.ndarray] = {}
        if stats:
            for col in (
                "home_shots",
                "away_shots",
                "home_sot",
                "away_sot",
                "ht_home",
                "ht_away",
                "home_red",
                "away_red",
                "home_corners",
                "away_corners",
            ):
                extras[col] = frame[col].to_numpy(dtype=float, na_value=np.nan)
        if odds and len(frame):
            extras.update(self._odds_columns(frame["match_id"].to_numpy()))
        return MatchSet.from_columns(
            date=frame["date"].to_numpy(dtype="datetime64[D]"),
            home=frame["home_id"],
            away=frame["away_id"],
            home_goals=frame["home_goals"],
            away_goals=frame["away_goals"],
            neutral=frame["neutral"],
            competition=frame["competition_id"],
            season=frame["season"],
            match_id=frame["match_id"],
            extras=extras,
        )

    _ODDS_PREFIX: ClassVar[dict[tuple[str, bool], str]] = {
        ("pinnacle", False): "ps",
        ("pinnacle", True): "psc",
        ("market_avg", False): "avg",
        ("market_avg", True): "avgc",
        ("market_max", False): "max",
        ("market_max", True): "maxc",
        ("bet365", False): "b365",
        ("bet365", True): "b365c",
    }

    def _odds_columns(self, match_ids: np.ndarray) -> dict[str, np.ndarray]:
        import numpy as np
        import pandas as pd

        ids = pd.DataFrame({"match_id": match_ids, "pos": np.arange(len(match_ids))})
        self.con.register("_ids", ids)
        try:
            quotes = self.query(
                """
                SELECT i.pos, o.bookmaker, o.closing, o.price1, o.price2, o.price3
                FROM odds o JOIN _ids i USING (match_id)
                WHERE o.market = '1x2' AND o.bookmaker IN ('pinnacle', 'market_avg', 'market_max', 'bet365')
                """
            )
        finally:
            self.con.unregister("_ids")
        out: dict[str, np.ndarray] = {}
        for (bookmaker, closing), prefix in self._ODDS_PREFIX.items():
            part = quotes[(quotes["bookmaker"] == bookmaker) & (quotes["closing"] == closing)]
            for suffix, col in (("h", "price1"), ("d", "price2"), ("a", "price3")):
                arr = np.full(len(match_ids), np.nan)
                arr[part["pos"].to_numpy()] = part[col].to_numpy(dtype=float)
                out[prefix + suffix] = arr
        return out

    def match_prices_1x2(self, match_ids: Sequence[int]) -> pd.DataFrame:
        """The 1X2 market of each match: Pinnacle where present, else the bookmakers' average.

        One row per match of ``match_ids`` with a price: ``match_id``, ``book`` (``"pinnacle"`` or
        ``"average"``), ``n_books`` (bookmakers quoted) and ``home``/``draw``/``away`` decimal odds.
        Pinnacle's closing price is preferred to its earlier one; the average is the mean decimal
        price of every bookmaker (football-data's own ``market_avg``/``market_max`` excluded) over
        its closing prices when it has them, else the earlier ones.
        """
        import numpy as np
        import pandas as pd

        ids = pd.DataFrame({"match_id": np.asarray(match_ids, dtype=np.int64)}).drop_duplicates()
        self.con.register("_price_ids", ids)
        try:
            return self.query(
                """
                WITH q AS (
                    SELECT o.match_id, o.bookmaker, o.closing, o.price1, o.price2, o.price3
                    FROM odds o JOIN _price_ids USING (match_id)
                    WHERE o.market = '1x2' AND o.price3 IS NOT NULL
                          AND o.bookmaker NOT IN ('market_avg', 'market_max', 'betbrain_avg', 'betbrain_max')
                    -- one quote per bookmaker: its closing price first
                    QUALIFY row_number() OVER (PARTITION BY o.match_id, o.bookmaker ORDER BY o.closing DESC) = 1
                ), pin AS (
                    SELECT match_id, 'pinnacle' AS book, price1 AS home, price2 AS draw, price3 AS away
                    FROM q WHERE bookmaker = 'pinnacle'
                ), avg AS (
                    SELECT match_id, 'average' AS book, avg(price1) AS home, avg(price2) AS draw, avg(price3) AS away,
                           count(*) AS n_books
                    FROM q GROUP BY match_id
                )
                SELECT a.match_id, coalesce(p.book, a.book) AS book, a.n_books,
                       coalesce(p.home, a.home) AS home, coalesce(p.draw, a.draw) AS draw,
                       coalesce(p.away, a.away) AS away
                FROM avg a LEFT JOIN pin p USING (match_id)
                ORDER BY a.match_id
                """
            )
        finally:
            self.con.unregister("_price_ids")

    def group_stage_return_pairs(self, competitions: Sequence[str], *, before: str | None = None) -> pd.DataFrame:
        """Group-stage meetings of two clubs at both venues in one competition and season.

        ``first_id``/``second_id`` are the match ids, in date order; ``before`` keeps seasons
        earlier than that one (``"2016-17"``).
        """
        ids = [self.competition(c).id for c in competitions]
        marks = ", ".join("?" for _ in ids)
        season = "AND a.season < ?" if before is not None else ""
        return self.query(
            f"""
            SELECT a.match_id AS first_id, b.match_id AS second_id, a.competition_id, a.season
            FROM matches a JOIN matches b
              ON a.competition_id = b.competition_id AND a.season = b.season AND a.home_id = b.away_id
             AND a.away_id = b.home_id AND a.date < b.date
            WHERE a.stage = 'group' AND b.stage = 'group' AND a.status = 'played' AND b.status = 'played'
                  AND NOT a.neutral AND NOT b.neutral AND a.competition_id IN ({marks}) {season}
            ORDER BY a.date, a.match_id
            """,
            [*ids, *([before] if before is not None else [])],
        )

    # ---- status ----------------------------------------------------------------------------------
    def status(self) -> dict[str, Any]:
        """Matches per competition and season, sources with file counts, last update."""
        per_season = self.query(
            """
            SELECT m.competition_id, c.name, c.kind, m.season, count(*) AS matches,
                   count(*) FILTER (WHERE m.status = 'played') AS played
            FROM matches m JOIN competitions c USING (competition_id)
            GROUP BY ALL ORDER BY m.competition_id, m.season
            """
        )
        sources = self.query(
            """
            SELECT source, count(*) AS files, sum(n_matches)::BIGINT AS match_rows,
                   sum(n_records)::BIGINT AS other_records, sum(bytes)::BIGINT AS bytes,
                   max(ingested_at)::TIMESTAMP(0) AS last_ingested
            FROM source_files GROUP BY source ORDER BY source
            """
        )
        totals = first_row(
            self.con,
            """SELECT (SELECT count(*) FROM matches), (SELECT count(*) FROM clubs),
                      (SELECT count(*) FROM raw_matches), (SELECT count(*) FROM conflicts),
                      (SELECT count(*) FROM unresolved_names), (SELECT count(*) FROM raw_odds)""",
        )
        assert totals is not None
        return {
            "store": str(self.path),
            "last_update": self.meta("last_update"),
            "matches": int(totals[0]),
            "clubs": int(totals[1]),
            "raw_rows": int(totals[2]),
            "conflicts": int(totals[3]),
            "unresolved_names": int(totals[4]),
            "odds_quotes": int(totals[5]),
            "sources": sources,
            "per_season": per_season,
        }


# ---- the club-name index, shared by every Store of the same data ----------------------------------
#: (club_id, matches, folded name, folded club name, normalised name, normalised club name) rows.
_NameRows = list[tuple[str, int, str, str, str, str]]
_NAME_INDEXES: dict[str, _NameRows] = {}
_NAME_LOCK = threading.Lock()
#: Ranked candidates per (name index, query): the same question of the same data has the same answer.
_CANDIDATES: dict[tuple[int, str], tuple[tuple[str, int, int], ...]] = {}


def _name_index(store: Store) -> _NameRows:
    """Every name of every club, folded and normalised once per process and store data (not per lookup)."""
    from remontada.ingest.names import fold, normalise

    key = f"{store.origin.resolve()}|{store.meta('last_update') or 'never'}"
    rows = _NAME_INDEXES.get(key)
    if rows is not None:
        return rows
    with _NAME_LOCK:
        rows = _NAME_INDEXES.get(key)
        if rows is None:
            frame = store.con.execute(
                """
                SELECT n.club_id, n.name, c.name AS club_name, coalesce(m.n, 0) AS n_matches
                FROM club_names n JOIN clubs c USING (club_id)
                LEFT JOIN (SELECT club_id, count(*) AS n FROM (
                    SELECT home_id AS club_id FROM matches UNION ALL SELECT away_id FROM matches) GROUP BY club_id) m
                USING (club_id)
                WHERE n.club_id IS NOT NULL
                """
            ).fetchall()
            rows = [
                (club_id, int(n), fold(name), fold(club_name), normalise(name), normalise(club_name))
                for club_id, name, club_name, n in frame
            ]
            if len(_NAME_INDEXES) >= 4:
                _NAME_INDEXES.clear()
                _CANDIDATES.clear()  # keyed by the id() of indexes about to be freed
            _NAME_INDEXES[key] = rows
    return rows
