"""``read_article``: from an article's text to the answer it asks for.

Clean the text, extract the facts (each with its sentence), find the tie in the store, answer it
with the same tie answer as ``remontada tie`` (through the public facade), add the comeback curve
when the text talks about time, and check every result the article quotes. What cannot be done is
said: a league match gets a match forecast, ambiguous clubs are listed with their candidates.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from remontada.competitions import display_name
from remontada.news.claims import ClaimCheck, check_claims
from remontada.news.clubs import ClubIndex, build_index
from remontada.news.extract import Extraction, extract
from remontada.news.hosts import resolve_host
from remontada.news.locate import Located, locate, stored_state
from remontada.news.text import UnreadableArticle, clean
from remontada.store import news as store_news
from remontada.store.reader import Store
from remontada.ties.state import TieState

#: How the round keys of :mod:`remontada.news.facts` read.
ROUND_WORDS = {
    "final": "final",
    "sf": "semi-final",
    "qf": "quarter-final",
    "r16": "round of 16",
    "r32": "round of 32",
    "po": "play-off",
}
#: Minutes at which the comeback curve is reported.
CURVE_MINUTES = (0, 15, 30, 45, 60, 75, 90)


@dataclass(frozen=True)
class ArticleAnswer:
    """What ``remontada read`` prints: the ``extraction`` (facts with sentences), the tie found
    (``located``), the tie ``answer`` (a :class:`~remontada.ties.answer.TieAnswer`, or ``None``),
    the comeback ``curve`` (rows of P(through) in [0, 1] by minute) when the text talks about time,
    the ``claims`` checked, a ``match_forecast`` for a league match, and ``cannot`` (what could not
    be done, in words)."""

    extraction: Extraction
    names: dict[str, str] = field(repr=False)
    located: Located | None = None
    state: TieState | None = None
    answer: Any = None
    curve: dict[str, Any] | None = None
    claims: list[ClaimCheck] = field(default_factory=list)
    match_forecast: Any = None
    cannot: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        """``tie`` (a two-legged tie found), ``match`` (a single match) or ``none``."""
        if self.located is not None and self.located.candidate is not None:
            return "tie"
        return "match" if self.match_forecast is not None else "none"

    def name(self, club: str | None) -> str | None:
        return None if club is None else self.names.get(club, club)

    def facts(self) -> dict[str, Any]:
        """The extraction as JSON: each fact's value with the sentence it came from."""
        ex = self.extraction
        fl = ex.first_leg
        first_leg = None
        if fl is not None:
            first_leg = {
                "club": self.name(fl.club),
                "opponent": self.name(fl.opponent),
                "goals_for": fl.goals_for,
                "goals_against": fl.goals_against,
                "venue": fl.venue,
                "said": fl.describe(self.names),
                "sentence": fl.sentence,
            }
        host = ex.next_host
        host_value = None
        if host is not None:
            clubs = self.located.candidate.clubs if self.located is not None and self.located.candidate else None
            resolved = resolve_host(host, clubs)
            host_value = self.name(resolved) if resolved is not None else host.value
        return {
            "clubs": [
                {
                    "text": m.text,
                    "clubs": [self.name(c) for c in m.clubs],
                    "ambiguous": m.ambiguous,
                    "sentence": ex.sentences[m.sentence].text,
                }
                for m in ex.clubs
            ],
            "main_club": self.name(ex.main_club),
            "competition": (
                {**ex.competitions[0].to_dict(), "name": display_name(ex.competitions[0].value)}
                if ex.competitions
                else None
            ),
            "round": {**ex.rounds[0].to_dict(), "name": ROUND_WORDS.get(ex.rounds[0].value)} if ex.rounds else None,
            "first_leg": first_leg,
            "next_leg_host": {"value": host_value, "sentence": host.sentence} if host is not None else None,
            "date": ex.date.to_dict() if ex.date is not None else None,
            "weekdays": [w.to_dict() for w in ex.weekdays],
            "time_talk": ex.time_talk.to_dict() if ex.time_talk is not None else None,
            "notes": list(ex.notes),
        }

    def to_dict(self) -> dict[str, Any]:
        loc = self.located
        tie: dict[str, Any] | None = None
        if loc is not None and self.state is not None:
            state = self.state
            tie = {
                "title": state.title(),
                "competition": state.competition,
                "season": state.season,
                "round": state.round,
                "legs": state.leg_lines(),
                "phase": state.phase,
                "as_of": loc.as_of.isoformat() if loc.as_of else None,
                "as_of_reason": loc.date_source,
                "next_leg_host": state.name_b if state.phase == "between_legs" else None,
                "next_leg_date": state.next_match_date.isoformat() if state.next_match_date else None,
                "record": state.to_dict()["record"],
                "candidates": [c.to_dict() for c in loc.candidates[:5]],
            }
        return {
            "kind": self.kind,
            "facts": self.facts(),
            "tie": tie,
            "answer": self.answer.to_dict() if self.answer is not None else None,
            "comeback_curve": self.curve,
            "claims": [c.to_dict() for c in self.claims],
            "match_forecast": self.match_forecast.to_dict() if self.match_forecast is not None else None,
            "cannot": list(self.cannot),
        }


def _open(store: Store | str | os.PathLike[str] | None) -> tuple[Store, bool]:
    if isinstance(store, Store):
        return store, False
    from remontada import open_store

    return open_store(store), True


def _date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise UnreadableArticle(f"--date is an ISO date like 2024-04-17, got {value!r}", field="date") from None


def read_facts(text: str | bytes, *, date: str | dt.date | None = None, store: Store) -> tuple[Extraction, ClubIndex]:
    """The extraction alone (no model): what :func:`read_article` reads before it answers."""
    index = build_index(store)
    extraction = extract(clean(text), index, date=_date(date))
    if not extraction.clubs and not extraction.competitions and not extraction.claims:
        raise UnreadableArticle(
            "could not find football facts in this text: no club, competition or score that remontada knows"
        )
    return extraction, index


def article_day(extraction: Extraction) -> dt.date | None:
    if extraction.date is None or extraction.date.value is None:
        return None
    return dt.date.fromisoformat(extraction.date.value)


def read_article(
    text: str | bytes,
    *,
    date: str | dt.date | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    model: str = "dixon-coles",
) -> ArticleAnswer:
    """Read a news article and answer it.

    Parameters
    ----------
    text
        The article: plain text or an HTML page, as a string or UTF-8 bytes (up to 200 kB).
    date
        The article's date (ISO); default: its dateline, else inferred from the tie's legs.
    store
        An open store, a path, or ``None`` for the user's store.
    model
        Strength model for the tie answer (as ``remontada tie``).

    Returns
    -------
    ArticleAnswer
        Facts with their sentences, the tie and its answer, the comeback curve when the text talks
        about time, the quoted results checked, and what could not be done.

    Raises
    ------
    UnreadableArticle
        Empty, binary, too large, not English, or no football facts (an ``InvalidInput``).
    """
    st, owned = _open(store)
    try:
        extraction, index = read_facts(text, date=date, store=st)
        return _answer(st, extraction, index, model)
    finally:
        if owned:
            st.close()


def _answer(store: Store, ex: Extraction, index: ClubIndex, model: str) -> ArticleAnswer:
    import remontada as rm

    names = dict(index.names)
    day = article_day(ex)
    cannot: list[str] = []
    located = locate(store, ex, date=day)
    in_tie = located.candidate.clubs if located.candidate is not None else ()
    for mention in ex.ambiguous():
        cands = ", ".join(names.get(c, c) for c in mention.clubs)
        settled = [c for c in mention.clubs if c in in_tie]
        if len(settled) == 1:
            cannot.append(f"{mention.text!r} may be any of: {cands}; read as {names.get(settled[0])}, the club of "
                          "the tie the store holds")  # fmt: skip
        else:
            cannot.append(f"{mention.text!r} may be any of: {cands} (not guessed)")
    tie_answer = None
    state = None
    curve = None
    forecast = None
    c = located.candidate
    if c is not None:
        if not located.over:
            try:
                tie_answer = rm.answer_tie(c.team_a, c.team_b, competition=c.competition, season=c.season,
                                           round=c.round, date=located.as_of, model=model, store=store)  # fmt: skip
                state = tie_answer.state
            except (LookupError, ValueError) as exc:
                cannot.append(f"no forecast for the tie: {exc}")
        if state is None:
            try:
                state = stored_state(store, located)
            except (LookupError, ValueError) as exc:
                cannot.append(f"the tie cannot be read from the store: {exc}")
        said_host = resolve_host(ex.next_host, c.clubs)
        if state is not None and state.phase != "over" and said_host is not None:
            stored_host = state.team_b if state.phase == "between_legs" else state.team_a
            if said_host != stored_host:
                cannot.append(f"the article has {names.get(said_host)} at home in the next leg; the store has "
                              f"{names.get(stored_host)} (the store is followed)")  # fmt: skip
        if state is not None and state.phase == "over":
            cannot.append(f"the tie was decided before {state.as_of.isoformat()}: {state.to_dict()['record']}")
        if tie_answer is not None and ex.time_talk is not None:
            curve = _curve(tie_answer)
            if curve is None:
                cannot.append("the text talks about time, but the curve needs the first leg played")
    else:
        cannot.append(located.reason or "no two-legged tie found")
        forecast = _league_match(store, ex, day, model, cannot)
    as_of = located.as_of or day
    claims = check_claims(store, ex, as_of=as_of, tie=c, names=names)
    return ArticleAnswer(ex, names, located, state, tie_answer, curve, claims, forecast, cannot)


def _curve(answer: Any) -> dict[str, Any] | None:
    """The focus side's comeback curve from kick-off of the second leg, every 15 minutes."""
    from remontada.inplay.comeback import LiveSecondLeg
    from remontada.inplay.model import InplayModel

    state = answer.state
    if state.phase != "between_legs" or state.first_leg is None or "second_leg" not in answer.rates:
        return None
    tie = LiveSecondLeg(state.first_leg, answer.rates["second_leg"], state.rules, teams=(state.name_a, state.name_b))
    focus = answer.focus
    model = InplayModel()
    if state.next_match_date is not None:
        model = model.for_date(state.next_match_date)  # the added time of the match's season, as `live` uses
    curve = tie.comeback_curve(focus, model=model)
    rows = []
    for minute in CURVE_MINUTES:
        row = curve.at(minute)
        rows.append({"minute": minute, **{k: row[k] for k in ("if_unchanged", "if_next_goal_at", "if_next_goal_by")}})
    return {
        "team": curve.team,
        "note": f"P({curve.team} through) in the second leg: if it stays 0-0 to that minute, if they score the "
        "match's next goal at that minute, or by it",
        "rows": rows,
    }


def _league_match(store: Store, ex: Extraction, day: dt.date | None, model: str, cannot: list[str]) -> Any:
    """A forecast of the league match the article previews, when the store has the fixture."""
    import remontada as rm

    ids = ex.club_ids()
    if len(ids) < 2:
        cannot.append("this is not about a two-legged tie, and fewer than two clubs are named")
        return None
    if day is None:
        cannot.append("this is not about a two-legged tie; the article has no date, so no match is forecast "
                      "(give --date)")  # fmt: skip
        return None
    near = store_news.single_matches_among(store, ids[:6], start=day, end=day + dt.timedelta(days=10))
    if near.empty:
        cannot.append(f"this is not about a two-legged tie, and the store has no match between the clubs named in "
                      f"the ten days from {day.isoformat()}")  # fmt: skip
        return None
    row = near.iloc[0]
    match_day = row["date"].date() if hasattr(row["date"], "date") else row["date"]
    cannot.append(f"this is not about a two-legged tie: forecasting the match {row['home']} v {row['away']} "
                  f"({row['competition']}, {match_day.isoformat()})")  # fmt: skip
    try:
        return rm.predict(row["home_id"], row["away_id"], date=match_day, competition=row["competition_id"],
                          model=model, store=store)  # fmt: skip
    except (LookupError, ValueError) as exc:
        cannot.append(f"no match forecast: {exc}")
        return None


__all__ = ["ArticleAnswer", "article_day", "read_article", "read_facts"]
