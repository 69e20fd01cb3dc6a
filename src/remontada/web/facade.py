"""The web app's one door into remontada: every question the API answers is one ``rm`` call here.

Each function takes an open :class:`~remontada.store.reader.Store` (a connection of the server's
snapshot) and the request's values, asks the public facade (``import remontada as rm``) and
returns ``(body, model, fit_date)``: the facade's own JSON (``to_dict()``), the strength model
behind it and the date it was fitted as of (ISO; it knows only matches before that day), or
``None`` for answers that use no model. Nothing here decides anything about football; the only
additions are presentation: the next match's score grid for the heatmap, and the error fields
renamed to the API's parameter names.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import remontada as rm
from remontada.errors import RemontadaError
from remontada.store.reader import Store

Answer = tuple[dict[str, Any], str | None, str | None]

#: The errors the library raises on purpose for questions it cannot answer (mapped to 4xx).
USER_ERRORS: tuple[type[Exception], ...] = (RemontadaError,)
#: Largest number of goals a side the heatmap shows (the last row and column are "or more" free).
GRID_GOALS = 7


@contextmanager
def _fields(renames: dict[str, str]) -> Iterator[None]:
    """Name errors after the API's parameters (``team1`` -> ``home``) rather than the facade's."""
    try:
        yield
    except RemontadaError as exc:
        if exc.field in renames:
            exc.field = renames[exc.field]
        raise


_CLUBS = {"team1": "home", "team2": "away", "query": "q", "club": "home"}


def clubs(store: Store, query: str, limit: int) -> Answer:
    with _fields(_CLUBS):
        found = rm.find_clubs(query, limit=limit, store=store)
    return {"query": query, "clubs": [c.to_dict() for c in found]}, None, None


def competitions(store: Store) -> Answer:
    """The competitions with two-legged ties in the store and their seasons, for the page's pickers."""
    found: dict[str, dict[str, Any]] = {}
    for t in rm.list_ties(store=store):
        entry = found.setdefault(t.competition_id, {"id": t.competition_id, "name": t.competition, "seasons": set()})
        entry["seasons"].add(t.season)
    return {"competitions": [{**c, "seasons": sorted(c["seasons"])} for c in found.values()]}, None, None


def ties(store: Store, competition: str | None, season: str | None) -> Answer:
    found = rm.list_ties(competition=competition, season=season, store=store)
    return {"ties": [t.to_dict() for t in found]}, None, None


def tie(
    store: Store,
    home: str,
    away: str,
    *,
    competition: str | None,
    season: str | None,
    round: str | None,
    date: dt.date | None,
    first_leg: str | None,
    model: str,
) -> Answer:
    with _fields(_CLUBS):
        answer = rm.answer_tie(
            home, away, competition=competition, season=season, round=round, date=date, first_leg=first_leg,
            model=model, store=store,
        )  # fmt: skip
    body = answer.to_dict()
    body["grid"] = _grid(answer.forecast)
    return body, body["model"]["model"], body["model"]["as_of"]


#: Largest first-leg margin :func:`tie_positions` counts ahead (the page offers scores up to 9-9).
POSITION_GOALS = 9


def tie_positions(
    store: Store,
    home: str,
    away: str,
    *,
    competition: str | None,
    season: str | None,
    round: str | None,
    date: dt.date | None,
    model: str,
) -> None:
    """Count ahead what every first-leg position of this tie reads from history: its base rates (a side
    level or one to :data:`POSITION_GOALS` goals down, the first-leg host's side or the other; a score
    reads the same history as any other with its margin), a few milliseconds each when first asked and a
    lookup after. A server calls it in the background after the first question about a tie, so that the
    page's hypothetical first legs are answered without counting. The answers themselves are not kept."""
    for margin in range(-POSITION_GOALS, POSITION_GOALS + 1):
        first_leg = f"{margin}-0" if margin >= 0 else f"0-{-margin}"
        try:
            rm.answer_tie(home, away, competition=competition, season=season, round=round, date=date,
                          first_leg=first_leg, model=model, store=store)  # fmt: skip
        except RemontadaError:
            return  # the tie itself cannot be answered this way: nothing to count ahead


def _grid(forecast: Any) -> dict[str, Any]:
    """The next match's score probabilities and P(team A through | score), up to :data:`GRID_GOALS` a side."""
    probs = forecast.next_match_probs[:GRID_GOALS, :GRID_GOALS]
    p_a = forecast.next_match_p_a[:GRID_GOALS, :GRID_GOALS]
    home, away = (forecast.team_b, forecast.team_a) if forecast.next_match == "second_leg" else (
        forecast.team_a, forecast.team_b)  # fmt: skip
    return {"match": forecast.next_match, "home": home, "away": away, "team_a": forecast.team_a,
            "probability": probs.tolist(), "p_a_through": p_a.tolist()}  # fmt: skip


def live(
    store: Store,
    home: str,
    away: str,
    *,
    date: dt.date | None,
    minute: str,
    score: str,
    red_cards: str,
    competition: str | None,
    first_leg: str | None,
    team: str | None,
    model: str,
    last_goal: str | None = None,
) -> Answer:
    with _fields(_CLUBS | {"club": "team" if team else "home"}):
        answer = rm.live(
            home, away, date=date, minute=minute, score=score, red_cards=red_cards, competition=competition,
            first_leg=first_leg, team=team, model=model, store=store, last_goal=last_goal,
        )  # fmt: skip
    body = answer.to_dict()
    pre = body.get("pre_match") or {}
    return body, pre.get("model", model), pre.get("as_of")


def predict(
    store: Store, home: str, away: str, *, date: dt.date | None, competition: str | None, neutral: bool, model: str
) -> Answer:
    with _fields(_CLUBS):
        body = rm.predict(home, away, date=date, competition=competition, neutral=neutral, model=model,
                          store=store).to_dict()  # fmt: skip
    return body, body.get("model", model), body.get("as_of")


def ratings(store: Store, *, date: dt.date | None, competition: str | None, top: int, model: str) -> Answer:
    body = rm.ratings(date=date, competition=competition, top=top, model=model, store=store).to_dict()
    return body, body.get("model", model), body.get("as_of")


def history(
    store: Store,
    *,
    competition: str | None,
    deficit: int | None,
    first_leg_at: Any,
    before: dt.date | None,
    or_more: bool = False,
    group: Any = None,
    offset: int = 0,
    limit: int | None = None,
) -> Answer:
    """The base rates, and a page of the comebacks (``competition`` may list several, comma-separated)."""
    names = [c.strip() for c in competition.split(",")] if competition else None
    body = rm.history(competition=names, deficit=deficit, first_leg_at=first_leg_at, or_more=or_more,
                      before=before, store=store).to_dict(group=group, offset=offset, limit=limit)  # fmt: skip
    return body, None, None


def simulate(
    store: Store, *, competition: str, season: str, date: dt.date, start: str | None, sims: int, seed: int, model: str
) -> Answer:
    body = rm.simulate(competition, season=season, date=date, start=start, sims=sims, seed=seed, model=model,
                       store=store).to_dict()  # fmt: skip
    return body, body.get("model", model), body.get("date")


def reader() -> Callable[..., Any] | None:
    """The news reader (``rm.read_article``), or ``None`` when this remontada has none."""
    try:
        return getattr(rm, "read_article")  # noqa: B009 - absent until the news reader is installed
    except AttributeError:
        return None


def read_article(store: Store, text: str, *, date: dt.date | None) -> Answer | None:
    """The news reader's answer for ``text``; ``None`` while this remontada has no news reader."""
    read = reader()
    if read is None:
        return None
    with _fields({"text": "text"}):
        body = read(text, date=date, store=store).to_dict()
    tie_answer: dict[str, Any] = body["answer"] if isinstance(body.get("answer"), dict) else {}
    fit: dict[str, Any] = tie_answer["model"] if isinstance(tie_answer.get("model"), dict) else {}
    if not fit and isinstance(body.get("match_forecast"), dict):
        fit = body["match_forecast"]
    return body, fit.get("model"), fit.get("as_of")


def serving() -> None:
    """Tune the library for a server: the live answer's goals-to-come surfaces are built in the background
    (the first question about a match or a red-card state takes the exact path, a millisecond, instead of
    waiting half a second for the build; the questions after it are lookups)."""
    from remontada.inplay.surface import build_in_background

    build_in_background(True)


def status(store: Store) -> Answer:
    body = rm.status(store=store).to_dict()
    body["store"] = str(store.origin)  # the store served, not the private copy answering
    return body, None, None


def data_cutoff(store: Store) -> str | None:
    """The day of the latest played match in the store (ISO): no answer knows anything after it."""
    day = store.last_played()
    return day.isoformat() if day is not None else None
