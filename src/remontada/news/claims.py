"""Checking the results an article states against the store's matches.

Each :class:`~remontada.news.extract.ScoreClaim` is matched to the stored meetings of its clubs in
the time it names ("in 2019", "four years ago", "the first leg"): **confirmed** when a meeting has
that score for that club (after 90 minutes or extra time, at the stated venue), **contradicted**
when the clubs and the time pin one meeting down and its stored score differs (the stored score is
given), **not found** otherwise. Claims confirmed by the same stored match are merged.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from remontada.news.extract import Extraction
from remontada.news.locate import Candidate
from remontada.news.results import ScoreClaim
from remontada.store import news as store_news
from remontada.store.reader import Store


@dataclass(frozen=True)
class ClaimCheck:
    """A claim and what the store says: ``status`` is ``confirmed``, ``contradicted`` or
    ``not found``; ``match`` the stored match it was held against; ``also`` other sentences that
    state the same result."""

    claim: ScoreClaim
    status: str
    said: str
    match: dict[str, Any] | None = None
    note: str | None = None
    also: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "claim": self.said,
            "as_written": self.claim.text,
            "status": self.status,
            "stored": self.match,
            "note": self.note,
            "sentence": self.claim.sentence,
            "also_in": self.also,
        }


def _window(claim: ScoreClaim, as_of: dt.date | None) -> tuple[dt.date | None, dt.date | None, bool]:
    """``(start, end, specific)``: the days the claim's match may fall in, and whether the time
    named pins it down."""
    end = as_of
    when = claim.when
    if when is None:
        return None, end, False
    kind, value = when
    if kind == "year" and value:
        return dt.date(value - 1, 7, 1), min(dt.date(value + 1, 6, 30), end or dt.date.max), True
    if kind == "years_ago" and value and as_of is not None:
        return dt.date(as_of.year - value - 1, 1, 1), dt.date(as_of.year - value + 1, 12, 31), True
    if kind == "last_season" and as_of is not None:
        start_year = as_of.year - (1 if as_of.month >= 7 else 2)
        return dt.date(start_year, 7, 1), dt.date(start_year + 1, 6, 30), True
    if kind == "first_leg" and as_of is not None:
        return as_of - dt.timedelta(days=30), as_of, True
    return None, end, False


def _row(frame_row: Any) -> dict[str, Any]:
    day = frame_row.date
    day = day.date() if hasattr(day, "date") and not isinstance(day, dt.date) else day
    if isinstance(day, dt.datetime):
        day = day.date()
    score = f"{int(frame_row.home_goals)}-{int(frame_row.away_goals)}"
    if not pd.isna(frame_row.aet_home) and not pd.isna(frame_row.aet_away):
        score += f" ({int(frame_row.aet_home)}-{int(frame_row.aet_away)} aet)"
    return {
        "date": day.isoformat() if day is not None else None,
        "competition": frame_row.competition,
        "season": frame_row.season,
        "round": frame_row.round,
        "home": frame_row.home,
        "away": frame_row.away,
        "score": score,
        "text": f"{frame_row.home} {score} {frame_row.away}",
        "match_id": int(frame_row.match_id),
    }


def _goals_for(row: Any, club: str) -> list[tuple[int, int]]:
    if pd.isna(row.home_goals) or pd.isna(row.away_goals):
        return []
    pairs = [(int(row.home_goals), int(row.away_goals))]
    if not pd.isna(row.aet_home) and not pd.isna(row.aet_away):
        pairs.append((int(row.aet_home), int(row.aet_away)))
    return pairs if row.home_id == club else [(b, a) for a, b in pairs]


def _venue_ok(row: Any, claim: ScoreClaim) -> bool:
    if claim.venue is None or bool(row.neutral):
        return True
    return (row.home_id == claim.club) == (claim.venue == "home")


def check_claim(
    matches_of: _Matches,
    claim: ScoreClaim,
    *,
    as_of: dt.date | None,
    tie: Candidate | None,
    names: dict[str, str],
) -> ClaimCheck:
    """The store's verdict on one claim (see the module docstring); ``matches_of`` holds every
    stored match of the claim's club (from :func:`remontada.store.news.matches_of`), indexed."""
    opponent = claim.opponent
    start, end, specific = _window(claim, as_of)
    if claim.when == ("first_leg", None) and tie is not None and claim.club in tie.clubs:
        opponent = tie.team_b if claim.club == tie.team_a else tie.team_a
        if tie.leg_dates[0] is not None:
            start = end = tie.leg_dates[0]
            specific = True
    claim = ScoreClaim(**{**{f: getattr(claim, f) for f in claim.__dataclass_fields__}, "opponent": opponent})
    said = claim.describe(names)
    end = end - dt.timedelta(days=1) if end is not None and as_of is not None and end >= as_of else end
    matches = matches_of.select(claim.club, opponent, start, end)
    want = (claim.goals_for, claim.goals_against)
    for row in matches.itertuples(index=False):
        if want in _goals_for(row, claim.club) and _venue_ok(row, claim):
            return ClaimCheck(claim, "confirmed", said, _row(row))
    if opponent is not None and specific and len(matches):
        pool = [r for r in matches.itertuples(index=False) if _venue_ok(r, claim)] or list(
            matches.itertuples(index=False)
        )
        if claim.competition:
            pool = [r for r in pool if r.competition_id == claim.competition] or pool
        if len(pool) == 1 or claim.when == ("first_leg", None):
            row = pool[0]
            return ClaimCheck(claim, "contradicted", said, _row(row), f"the store has {_row(row)['text']}")
    scope = "in the time the article names" if specific else "(the article does not say when)"
    who = names.get(opponent, opponent) if opponent else "any opponent"
    return ClaimCheck(
        claim, "not found", said, None, f"no stored match of {names.get(claim.club, claim.club)} v {who} {scope} fits"
    )


@dataclass
class _Matches:
    """The stored matches of the claims' clubs, indexed by club once."""

    frame: pd.DataFrame
    by_club: dict[str, list[int]]
    home: list[str]
    away: list[str]
    day: list[dt.date | None]
    played: list[bool]

    @classmethod
    def of(cls, frame: pd.DataFrame) -> _Matches:
        if frame.empty:
            return cls(frame, {}, [], [], [], [])
        home, away = frame["home_id"].tolist(), frame["away_id"].tolist()
        by_club: dict[str, list[int]] = {}
        for i, (h, a) in enumerate(zip(home, away, strict=True)):
            by_club.setdefault(h, []).append(i)
            by_club.setdefault(a, []).append(i)
        days = [None if pd.isna(d) else pd.Timestamp(d).date() for d in frame["date"]]
        return cls(frame, by_club, home, away, days, frame["status"].isin(["played", "awarded"]).tolist())

    def select(self, club: str, opponent: str | None, start: dt.date | None, end: dt.date | None) -> pd.DataFrame:
        rows = self.by_club.get(club, [])
        if opponent is not None:
            rows = [i for i in rows if opponent in (self.home[i], self.away[i])]
        keep = []
        for i in rows:
            day = self.day[i]
            if day is None or not self.played[i] or (start is not None and day < start):
                continue
            if end is None or day <= end:
                keep.append(i)
        return self.frame.iloc[keep]


def check_claims(
    store: Store, extraction: Extraction, *, as_of: dt.date | None, tie: Candidate | None, names: dict[str, str]
) -> list[ClaimCheck]:
    """Every claim of ``extraction`` checked; claims confirmed by the same match merged."""
    out: list[ClaimCheck] = []
    seen: dict[tuple[int, str], ClaimCheck] = {}
    clubs = sorted({c.club for c in extraction.claims})
    every = store_news.matches_of(store, clubs, end=as_of) if clubs else pd.DataFrame()
    indexed = _Matches.of(every)
    for claim in extraction.claims:
        check = check_claim(indexed, claim, as_of=as_of, tie=tie, names=names)
        if check.match is not None:
            key = (check.match["match_id"], check.status)
            if key in seen:
                if claim.sentence not in seen[key].also and claim.sentence != seen[key].claim.sentence:
                    seen[key].also.append(claim.sentence)
                continue
            seen[key] = check
        out.append(check)
    return out


__all__ = ["ClaimCheck", "check_claim", "check_claims"]
