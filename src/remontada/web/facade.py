"""The web app's one door into remontada: every question the API answers goes through here.

Each function takes an open :class:`~remontada.store.reader.Store` (a snapshot's connection) and the
request's values, calls the library and returns ``(body, model, fit_date)``: the library's own
JSON (``to_dict()``), the strength model behind it and the date it was fitted as of (ISO), or
``None`` for answers that use no model. Nothing here decides anything about football.

TEMPORARY: written against the library's internals until the public facade (``import remontada
as rm``) lands; then each function becomes one ``rm`` call.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from remontada.store.reader import AmbiguousTeam, Store, TeamNotFound

#: Errors the library raises on purpose for bad questions (replaced by RemontadaError with the facade).
USER_ERRORS: tuple[type[Exception], ...] = (LookupError, ValueError)
Answer = tuple[dict[str, Any], str | None, str | None]


def _jsonable(value: Any) -> Any:
    from remontada.cli.common import jsonable

    return jsonable(value)


def clubs(store: Store, query: str, limit: int) -> Answer:
    found = store.find_clubs(query, limit=limit)
    body = {
        "query": query,
        "clubs": [
            {"club_id": c.club_id, "name": c.name, "country": c.country, "matches": c.matches,
             "first": c.first_date, "last": c.last_date}
            for c in found
        ],
    }  # fmt: skip
    if not found:
        try:
            store.resolve_club(query)
        except (TeamNotFound, AmbiguousTeam) as exc:
            body["suggestions"] = getattr(exc, "suggestions", None) or getattr(exc, "candidates", [])
    return _jsonable(body), None, None


def ties(store: Store, competition: str | None, season: str | None) -> Answer:
    from remontada.ties.history import rebuild_ties

    comp = store.competition(competition).id if competition else None
    found = rebuild_ties(store, [comp] if comp else ["uefa.cl", "uefa.el", "uefa.ecl"])
    if season:
        found = [t for t in found if t.season == season]
    return _jsonable({"ties": [t.to_dict() for t in found]}), None, None


def competitions(store: Store) -> Answer:
    """The competitions with two-legged ties in the store and their seasons, for the page's pickers."""
    from remontada.ties.history import rebuild_ties

    found: dict[str, dict[str, Any]] = {}
    for t in rebuild_ties(store, ["uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc"]):
        entry = found.setdefault(t.competition, {"id": t.competition, "name": store.competition(t.competition).name,
                                                 "seasons": set()})
        entry["seasons"].add(t.season)
    listed = [{**c, "seasons": sorted(c["seasons"])} for c in found.values()]
    return {"competitions": listed}, None, None


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
    from remontada.forecast import Forecaster
    from remontada.inplay.live import parse_score
    from remontada.ties.answer import answer_tie
    from remontada.ties.state import TieNotFound, find_tie, tie_state, unplayed_tie

    stated = parse_score(first_leg) if first_leg else None
    try:
        stored = find_tie(store, home, away, competition=competition, season=season, round=round)
    except TieNotFound:
        if date is None or competition is None:
            raise
        stored = unplayed_tie(store, home, away, competition=competition, date=date, season=season, round=round)
    state = tie_state(stored, as_of=date, first_leg=stated)
    answer = answer_tie(store, state, forecaster=Forecaster(store, model))
    body = answer.to_dict(n_scenarios=8)
    body["grid"] = _grid(answer.forecast)
    return _jsonable(body), model, answer.fit.as_of.isoformat()


def _grid(forecast: Any, size: int = 7) -> dict[str, Any]:
    """The next match's score probabilities and P(team A through | score), cut to ``size`` goals a side."""
    probs = forecast.next_match_probs[:size, :size]
    p_a = forecast.next_match_p_a[:size, :size]
    if forecast.next_match == "second_leg":
        home, away = forecast.team_b, forecast.team_a
    else:
        home, away = forecast.team_a, forecast.team_b
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
) -> Answer:
    from remontada.forecast import Forecaster
    from remontada.inplay.comeback import LiveSecondLeg
    from remontada.inplay.live import find_live_match, live_forecast, parse_score
    from remontada.inplay.model import InplayModel, MatchClock

    clock = MatchClock.parse(minute)
    score_now, reds = parse_score(score), parse_score(red_cards)
    match = find_live_match(store, home, away, date=date, competition=competition, first_leg=first_leg)
    pre = Forecaster(store, model).rates(
        match.home_id, match.away_id, match.date, neutral=match.neutral, competition=match.competition
    )
    inplay = InplayModel()
    forecast = live_forecast(match, pre, minute=clock, score=score_now, red_cards=reds, model=inplay)
    out = forecast.to_dict()
    if match.first_leg is not None and match.rules is not None and forecast.tie is not None:
        second = LiveSecondLeg(match.first_leg, pre, match.rules, teams=(match.away, match.home), red_cards=reds)
        focus = team or (match.away if forecast.tie.p_a <= 0.5 else match.home)
        curve = second.comeback_curve(focus, minute=clock, score=score_now, model=inplay)
        out["comeback_curve"] = {"team": curve.team, "rows": curve.to_frame()}
    return _jsonable(out), model, match.date.isoformat()


def predict(
    store: Store, home: str, away: str, *, date: dt.date | None, competition: str | None, neutral: bool, model: str
) -> Answer:
    from remontada.forecast import Forecaster

    day = date or dt.date.today()
    home_id, away_id = store.resolve_club(home), store.resolve_club(away)
    comp = store.competition(competition).id if competition else None
    grid = Forecaster(store, model).grid(home_id, away_id, day, neutral=neutral, competition=comp)
    body = {"home": store.club_name(home_id), "away": store.club_name(away_id), "as_of": day.isoformat(),
            "neutral": neutral, **grid.to_dict(top=5)}  # fmt: skip
    return _jsonable(body), model, day.isoformat()


def ratings(store: Store, *, date: dt.date | None, competition: str | None, top: int, model: str) -> Answer:
    from remontada.cli.models import _ratings_frame
    from remontada.forecast import Forecaster

    day = date or dt.date.today()
    frame = _ratings_frame(Forecaster(store, model).fitted(day)).head(top).copy()
    frame.insert(0, "rank", range(1, len(frame) + 1))
    frame.insert(2, "club", [store.club_name(c) for c in frame["club_id"]])
    return _jsonable({"as_of": day.isoformat(), "ratings": frame}), model, day.isoformat()


def history(
    store: Store, *, competition: str | None, deficit: int | None, first_leg_at: str | None, before: dt.date | None
) -> Answer:
    from remontada.ties.history import base_rate, rebuild_ties, select_ties

    ids = [store.competition(competition).id] if competition else ["uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc"]
    chosen = select_ties(rebuild_ties(store, ids), competitions=ids, before=before.isoformat() if before else None)
    rate = base_rate(chosen, deficit if deficit is not None else 1, first_leg_at, or_more=deficit is None)  # type: ignore[arg-type]
    return _jsonable({"competitions": ids, "ties": len(chosen), "rate": rate.to_dict()}), None, None


def simulate(
    store: Store, *, competition: str, season: str, date: dt.date, start: str | None, sims: int, seed: int, model: str
) -> Answer:
    from remontada.simulate import simulate_competition

    result = simulate_competition(store, competition, season, date, start=start, n_sims=sims, seed=seed, model=model)
    return _jsonable(result.to_dict()), model, date.isoformat()


def read_article(store: Store, text: str, *, date: dt.date | None) -> Answer | None:
    """The news reader's answer for ``text``; ``None`` while this remontada has no news reader."""
    return None


def status(store: Store) -> Answer:
    report = store.status()
    report.pop("per_season", None)
    report["store"] = str(store.origin)  # the store served, not the private copy answering
    return _jsonable(report), None, None


def data_cutoff(store: Store) -> str | None:
    """The day of the latest played match in the store (ISO), the end of what any answer can know."""
    return None  # until the facade's status() states it
