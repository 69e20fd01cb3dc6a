"""The store's contents: :func:`status`, :func:`find_clubs`, :func:`matches`, :func:`unresolved_names`
and :func:`update` (the one function that writes)."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remontada._api.common import club_id, jsonable, using_store
from remontada.errors import InvalidInput

if TYPE_CHECKING:
    from remontada.ingest.update import UpdateReport
    from remontada.store.reader import Store


@dataclass(frozen=True)
class StoreStatus:
    """What the store holds: totals, sources, and matches per competition (and per season for one).

    ``data_cutoff`` is the ISO date of the latest played club match: forecasts for later dates
    know nothing newer. ``competitions`` has one row per competition (name, id, seasons, first and
    last season, matches); ``per_season`` one per season of ``competition`` when one was asked.
    """

    store: str
    last_update: str | None
    data_cutoff: dt.date | None
    matches: int
    clubs: int
    raw_rows: int
    conflicts: int
    unresolved_names: int
    odds_quotes: int
    sources: list[dict[str, Any]]
    competitions: list[dict[str, Any]]
    competition: str | None = None
    per_season: list[dict[str, Any]] | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: what ``remontada status --json`` prints."""
        out: dict[str, Any] = jsonable(
            {
                "store": self.store,
                "last_update": self.last_update,
                "data_cutoff": self.data_cutoff.isoformat() if self.data_cutoff else None,
                "matches": self.matches,
                "clubs": self.clubs,
                "raw_rows": self.raw_rows,
                "conflicts": self.conflicts,
                "unresolved_names": self.unresolved_names,
                "odds_quotes": self.odds_quotes,
                "sources": self.sources,
                "competitions": self.competitions,
                "competition": self.competition,
                "per_season": self.per_season,
            }
        )
        return out


def status(
    store: Store | str | os.PathLike[str] | None = None, *, competition: str | None = None
) -> StoreStatus:
    """What the store holds and when it was last updated.

    Parameters
    ----------
    store
        An open store, a path, or ``None`` for the user's store.
    competition
        Also list this competition (name, id or abbreviation) season by season.
    """
    with using_store(store) as st:
        info = st.status()
        comp = st.competition(competition) if competition is not None else None
        cutoff = st.last_played()
    per = info["per_season"]
    summary = (
        per.groupby(["competition_id", "name"], sort=True)
        .agg(seasons=("season", "nunique"), first=("season", "min"), last=("season", "max"), matches=("matches", "sum"))
        .reset_index()
    )
    seasons = None
    if comp is not None:
        seasons = jsonable(per[per["competition_id"] == comp.id][["season", "matches", "played"]])
    return StoreStatus(
        store=info["store"], last_update=info["last_update"], data_cutoff=cutoff, matches=info["matches"],
        clubs=info["clubs"], raw_rows=info["raw_rows"], conflicts=info["conflicts"],
        unresolved_names=info["unresolved_names"], odds_quotes=info["odds_quotes"],
        sources=jsonable(info["sources"]), competitions=jsonable(summary),
        competition=comp.name if comp is not None else None, per_season=seasons,
    )  # fmt: skip


@dataclass(frozen=True)
class ClubMatch:
    """A club that matched a query: its id, name, country (``None`` for a national team's), the
    names each source writes it with, and how many matches the store holds between two dates."""

    club_id: str
    name: str
    country: str | None
    national: bool
    matches: int
    first_date: dt.date | None
    last_date: dt.date | None
    names: list[dict[str, str]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "club_id": self.club_id,
            "name": self.name,
            "country": self.country,
            "national": self.national,
            "matches": self.matches,
            "first_date": self.first_date.isoformat() if self.first_date else None,
            "last_date": self.last_date.isoformat() if self.last_date else None,
            "names": [dict(n) for n in self.names],
        }


def find_clubs(
    query: str, *, limit: int = 10, store: Store | str | os.PathLike[str] | None = None
) -> list[ClubMatch]:
    """Clubs whose name, or any name a source uses for them, matches ``query`` (accents, case and
    legal forms ignored), best match first; the same matching every other function uses.

    Raises
    ------
    UnknownClub
        Nothing matches; ``suggestions`` are the closest names ("did you mean").
    """
    if not isinstance(query, str) or not query.strip():
        raise InvalidInput("query is a club name (or part of one)", field="query")
    if limit < 1:
        raise InvalidInput(f"limit is 1 or more, got {limit}", field="limit")
    with using_store(store) as st:
        found = st.find_clubs(query, limit=limit)
        if not found:
            club_id(st, query, "query")  # raises UnknownClub with "did you mean"
    return [
        ClubMatch(
            club_id=c.club_id, name=c.name, country=c.country, national=c.national, matches=c.matches,
            first_date=_day(c.first_date), last_date=_day(c.last_date),
            names=[{"source": s, "name": n, "method": m} for s, n, m in sorted(set(c.names))],
        )
        for c in found
    ]


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class ClubMatches:
    """A club's matches, oldest first, with scores from every source merged (one dict a match:
    date, competition by name and id, season, round, leg, home, away, goals, extra time, penalties)."""

    club: str
    club_id: str
    matches: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: what ``remontada matches --json`` prints."""
        return {"club": self.club, "club_id": self.club_id, "matches": [dict(m) for m in self.matches]}


def matches(
    club: str,
    *,
    season: str | None = None,
    competition: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> ClubMatches:
    """A club's matches in the store (all, or one season and/or competition).

    Parameters
    ----------
    club
        Name or id.
    season
        ``"2023-24"`` (as the store writes seasons).
    competition
        Name, id or abbreviation.
    """
    from remontada.rules import round_name

    with using_store(store) as st:
        cid = club_id(st, club, "club")
        frame = st.matches(cid, season=season, competition=competition)
        name = st.club_name(cid)
    frame = frame.assign(round=[round_name(r) if isinstance(r, str) else r for r in frame["round"]])
    return ClubMatches(name, cid, jsonable(frame))


@dataclass(frozen=True)
class UnresolvedNames:
    """Names a source uses that were not matched to a club with confidence."""

    rows: list[dict[str, Any]]

    def to_dict(self) -> dict[str, Any]:
        return {"unresolved": [dict(r) for r in self.rows]}


def unresolved_names(store: Store | str | os.PathLike[str] | None = None) -> UnresolvedNames:
    """Names the sources use that were not matched with confidence (for the ``club_aliases.csv``)."""
    with using_store(store) as st:
        return UnresolvedNames(jsonable(st.unresolved()))


@dataclass(frozen=True)
class UpdateResult:
    """What an update did: files per outcome, warnings (each ``"url:line: message"``), errors,
    whether it committed (all or nothing), and the rebuilt store's totals."""

    report: UpdateReport

    @property
    def ok(self) -> bool:
        return not self.report.errors

    @property
    def warnings(self) -> list[str]:
        return list(self.report.warning_messages)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(self.report.to_dict())  # type: ignore[no-any-return]


def update(
    *,
    mirror: str | None = None,
    sources: Sequence[str] | None = None,
    keep_going: bool = False,
    force: bool = False,
    accept_shrink: bool = False,
    wait: float = 600.0,
    store: str | os.PathLike[str] | None = None,
    on_plan: Callable[[dict[str, int]], None] | None = None,
    on_file: Callable[[str, Any, str], None] | None = None,
    on_stage: Callable[[str], None] | None = None,
) -> UpdateResult:
    """Download the public sources and bring the store up to date (transactional, idempotent).

    Parameters
    ----------
    mirror
        Read the sources from this directory or ``http(s)://`` base URL (default ``$REMONTADA_MIRROR``,
        else the real public URLs).
    sources
        Only these source keys (default: all).
    keep_going
        Ingest the good files even if some fail.
    force
        Re-ingest files whose checksum is unchanged.
    accept_shrink
        Let a new version of a file with fewer rows than the stored one replace it (the rows it
        no longer has are lost); otherwise that is an error and the stored version is kept.
    wait
        Seconds to wait for another update to finish (finite, >= 0).
    store
        The store file (default: the user's store). Created if missing.

    Raises
    ------
    StoreError
        Another update holds the store for longer than ``wait`` seconds.
    InvalidInput
        An unknown source key or a bad mirror.
    """
    from remontada.ingest.update import update as run_update
    from remontada.paths import default_store_path, mirror_from_env

    if not math.isfinite(wait) or wait < 0:
        raise InvalidInput(f"--wait must be a number of seconds >= 0, not {wait:g}", field="wait")
    path = Path(store) if store is not None else default_store_path()
    try:
        report = run_update(
            path, mirror=mirror or mirror_from_env(), source_keys=sources, keep_going=keep_going, force=force,
            accept_shrink=accept_shrink, lock_timeout=wait, on_plan=on_plan, on_file=on_file, on_stage=on_stage,
        )  # fmt: skip
    except ValueError as exc:
        if isinstance(exc, InvalidInput):
            raise
        raise InvalidInput(str(exc), field="sources") from None
    return UpdateResult(report)
