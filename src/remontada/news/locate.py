"""Finding the tie an article is about: the extraction is the evidence, the store the arbiter.

Every knockout leg the store holds between two clubs the article names (ambiguous mentions give
all their candidates) near the article's date is a candidate tie. Each is scored by the evidence:
how often its clubs are named, the competition and round, the stated first-leg score, the date or
weekdays. A club that is in no tie with another named club that season cannot be the answer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from remontada.news.dates import WEEKDAYS
from remontada.news.extract import Extraction
from remontada.rules import normalise_round
from remontada.store import news as store_news
from remontada.store.reader import Store
from remontada.ties.state import TieState, find_tie, tie_state

#: Days before / after the article's date a tie's legs may fall in.
DAYS_BEFORE, DAYS_AFTER = 240, 60


@dataclass(frozen=True)
class Candidate:
    """A tie the store holds between two named clubs and the evidence ``score`` for it.

    ``team_a`` hosts the first leg (when the store has it), ``leg_dates`` are the first and
    second legs' days (``None`` when not stored), ``first_leg`` = (home id, away id, home goals,
    away goals) of the stored first leg."""

    competition: str
    season: str
    team_a: str
    team_b: str
    round: str | None
    leg_dates: tuple[dt.date | None, dt.date | None]
    first_leg: tuple[str, str, int | None, int | None] | None
    score: float
    evidence: tuple[str, ...]

    @property
    def clubs(self) -> tuple[str, str]:
        return (self.team_a, self.team_b)

    def to_dict(self) -> dict[str, Any]:
        return {
            "competition": self.competition,
            "season": self.season,
            "clubs": [self.team_a, self.team_b],
            "round": self.round,
            "score": round(self.score, 2),
            "evidence": list(self.evidence),
        }


@dataclass(frozen=True)
class Located:
    """The best candidate tie, the morning the answer speaks from (``as_of``) and why
    (``date_source``), whether the tie was ``over`` by then, the other ``candidates`` and, when
    none fits, ``reason``."""

    candidate: Candidate | None
    as_of: dt.date | None
    date_source: str | None
    over: bool = False
    candidates: list[Candidate] = field(default_factory=list)
    reason: str | None = None


def _day(value: Any) -> dt.date | None:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, dt.datetime):
        return value.date()
    return value


def candidates(store: Store, ex: Extraction, date: dt.date | None) -> list[Candidate]:
    """Candidate ties, best first (see the module docstring)."""
    ids = ex.candidate_ids()
    start = date - dt.timedelta(days=DAYS_BEFORE) if date else None
    end = date + dt.timedelta(days=DAYS_AFTER) if date else None
    legs = store_news.legs_among(store, ids, start=start, end=end)
    if legs.empty:
        return []
    counts: dict[str, float] = defaultdict(float)
    for m in ex.clubs:
        for c in m.clubs:
            counts[c] += 1.0 if not m.ambiguous else 0.5
    top_comp = ex.competitions[0].value if ex.competitions else None
    comps = [f.value for f in ex.competitions]
    top_round = ex.rounds[0].value if ex.rounds else None
    days = {w.value for w in ex.weekdays}
    out: list[Candidate] = []
    legs["pair"] = [tuple(sorted((h, a))) for h, a in zip(legs["home_id"], legs["away_id"], strict=True)]
    for (comp, season, pair), group in legs.groupby(["competition_id", "season", "pair"], sort=False):
        group = group.sort_values(["leg", "date"])
        evidence: list[str] = []
        score = 0.5 * min(counts[pair[0]], counts[pair[1]])
        if top_comp is not None:
            if comp == top_comp:
                score += 3
                evidence.append(f"the article names the {comp}")
            elif comp in comps:
                score += 1
            else:
                score -= 2
        rnd = group["round"].iloc[0]
        key = normalise_round(rnd) if isinstance(rnd, str) else None
        if top_round is not None and key == top_round:
            score += 2
            evidence.append(f"the round ({rnd})")
        first = group[group["leg"] == 1]
        leg1 = None
        if len(first):
            row = first.iloc[0]
            hg, ag = row["home_goals"], row["away_goals"]
            leg1 = (row["home_id"], row["away_id"], None if pd.isna(hg) else int(hg), None if pd.isna(ag) else int(ag))
        fl = ex.first_leg
        if fl is not None and leg1 is not None and fl.club in pair and leg1[2] is not None and leg1[3] is not None:
            stored_for = (leg1[2], leg1[3]) if leg1[0] == fl.club else (leg1[3], leg1[2])
            if stored_for == (fl.goals_for, fl.goals_against):
                score += 4
                evidence.append("the first-leg score")
            else:
                score -= 3
        leg_day = {int(lg): _day(d) for lg, d in zip(group["leg"], group["date"], strict=True)}
        dates = (leg_day.get(1), leg_day.get(2))
        known = [d for d in dates if d is not None]
        if date is not None and known:
            if min(known) - dt.timedelta(days=14) <= date <= max(known) + dt.timedelta(days=3):
                score += 3
                evidence.append("the article's date falls in the tie")
            else:
                gap = min(abs((d - date).days) for d in known)
                score -= gap / 30
        elif known and days & {WEEKDAYS[d.weekday()] for d in known}:
            score += 1
            evidence.append("a weekday the article names")
        if date is None and known:
            score += max(known).toordinal() * 1e-6  # among equals, the latest
        team_a, team_b = (leg1[0], leg1[1]) if leg1 is not None else pair
        out.append(Candidate(comp, season, team_a, team_b, rnd if isinstance(rnd, str) else None, dates, leg1,
                             score, tuple(evidence)))  # fmt: skip
    return sorted(out, key=lambda c: -c.score)


def locate(store: Store, ex: Extraction, *, date: dt.date | None) -> Located:
    """The tie ``ex`` is about and the morning the answer speaks from (no model, no tie rebuild)."""
    if ex.league_talk is not None and ex.tie_talk is None and not ex.rounds and ex.first_leg is None:
        return Located(None, date, None, reason=f"the article is about a league match ({ex.league_talk.value!r}), "
                       "not a two-legged tie")  # fmt: skip
    ranked = candidates(store, ex, date)
    if not ranked:
        named = ", ".join(store.club_name(c) for c in ex.club_ids()[:6]) or "no club"
        return Located(None, date, None, reason=f"the store holds no two-legged tie between the clubs named ({named})"
                       + (f" around {date.isoformat()}" if date else ""))  # fmt: skip
    best = ranked[0]
    as_of, source = _as_of(best, ex, date)
    leg2 = best.leg_dates[1]
    over = leg2 is not None and as_of > leg2
    return Located(best, as_of, source, over, ranked)


def stored_state(store: Store, located: Located) -> TieState:
    """The stored tie of ``located`` and what was known on its ``as_of`` (rebuilds the
    competition's ties: used when no forecast is made, e.g. a decided tie)."""
    c = located.candidate
    assert c is not None and located.as_of is not None
    tie = find_tie(store, c.team_a, c.team_b, competition=c.competition, season=c.season, round=c.round)
    return tie_state(tie, as_of=located.as_of, today=located.as_of)


def _as_of(c: Candidate, ex: Extraction, date: dt.date | None) -> tuple[dt.date, str]:
    """The morning the answer speaks from: the next leg's when the article is dated before it
    (what `remontada tie` uses; the tie is known to the same point), else the article's date."""
    leg1, leg2 = c.leg_dates
    if date is not None:
        if leg2 is not None and leg1 is not None and leg1 < date <= leg2:
            return leg2, f"the article's date ({date.isoformat()}) is before the second leg: forecast as of its morning"
        if leg1 is not None and date <= leg1:
            return leg1, f"the article's date ({date.isoformat()}) is before the first leg: forecast as of its morning"
        return date, "the article's date"
    if ex.decided is not None and leg2 is not None:
        return leg2 + dt.timedelta(days=1), "not dated: the text says the tie is decided, so after the second leg"
    if ex.first_leg is not None and leg2 is not None:
        return leg2, "not dated: the text states the first-leg score, so the morning of the second leg (from the store)"
    if leg1 is not None:
        return leg1, "not dated: no first-leg score in the text, so the morning of the first leg (from the store)"
    return dt.date.today(), "not dated and the store has no leg date: today"


__all__ = ["Candidate", "Located", "candidates", "locate", "stored_state"]
