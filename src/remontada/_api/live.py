"""A match in progress: :func:`live` (what happens in the time left) and :func:`comeback_curve`."""

from __future__ import annotations

import datetime as dt
import math
import os
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remontada._api.common import (
    DEFAULT_MODEL,
    as_date,
    as_score,
    check_model,
    club_id,
    cutoff_warnings,
    using_store,
)
from remontada.errors import InvalidInput, NotRated, UnknownClub
from remontada.inplay.model import MAX_RATE

if TYPE_CHECKING:
    from remontada.grid import ScoreGrid
    from remontada.inplay.comeback import ComebackCurve
    from remontada.inplay.live import LiveForecast, LiveMatch
    from remontada.inplay.model import GoalHistory, InplayModel, MatchClock
    from remontada.inplay.tables import StateTables
    from remontada.store.reader import Store


@dataclass(frozen=True, eq=False)
class LiveAnswer:
    """What happens from ``minute`` on: the match after 90 minutes and, in a tie, who goes through.

    ``forecast`` is the in-play chain's answer (goals still to come, final score, the tie);
    ``rates_source`` says where the pre-match expected goals (per 90 minutes) came from;
    ``pre_match`` is the pre-match model's own answer for the same match (the numbers ``predict``
    and ``answer_tie`` give), ``None`` when the rates were given by hand; ``notes`` explain any
    difference between the two at kick-off; ``curve`` is the comeback curve of a second leg.
    """

    forecast: LiveForecast
    rates_source: str
    pre_match: dict[str, Any] | None
    curve: ComebackCurve | None
    notes: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()
    data_cutoff: dt.date | None = None
    #: ``forecast.to_dict()`` read off the match's tables (:mod:`remontada.inplay.tables`), when they hold the state.
    _summary: Callable[[], dict[str, Any]] | None = field(default=None, repr=False)

    @property
    def home(self) -> str:
        return self.forecast.match.home

    @property
    def away(self) -> str:
        return self.forecast.match.away

    @property
    def home_win(self) -> float:
        """P(the home side wins this match after 90 minutes), in [0, 1]."""
        return self.forecast.final.home_win

    @property
    def draw(self) -> float:
        return self.forecast.final.draw

    @property
    def away_win(self) -> float:
        return self.forecast.final.away_win

    def club(self, club: str) -> str:
        """The name of ``club`` (either side's name or id)."""
        return _side_name(self.forecast.match, club, field="club")

    def p_through(self, club: str) -> float:
        """P(``club`` goes through the tie), in [0, 1]; ``club`` is either side's name or id.

        Raises :class:`~remontada.errors.InvalidInput` for a match that is not a knockout tie.
        """
        if self.forecast.tie is None:
            raise InvalidInput("this match is not a knockout tie: nobody goes through", field="club")
        return self.forecast.tie.p_through(self.club(club))

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: what ``remontada live --json`` prints."""
        out = self._summary() if self._summary is not None else self.forecast.to_dict()
        out["pre_match_rates"]["source"] = self.rates_source
        out["pre_match"] = self.pre_match
        if self.curve is not None:
            out["comeback_curve"] = self.curve.to_dict()
        out["notes"] = [*out["notes"], *self.notes]
        out["warnings"] = list(self.warnings)
        out["data_cutoff"] = self.data_cutoff.isoformat() if self.data_cutoff else None
        return out


def _inplay(params: str | os.PathLike[str] | None) -> InplayModel:
    from remontada.inplay.model import InplayModel, InplayParams

    try:
        if not params:
            return _packaged_inplay(InplayParams.packaged())
        return InplayModel(InplayParams.read_csv(Path(params)))
    except (ValueError, OSError) as exc:
        raise InvalidInput(f"cannot read the in-play parameters {params}: {exc}", field="params") from None


#: The packaged in-play model and its versions per season (``for_date``), kept so that the grids they keep
#: (a match's extra time) serve every later question about the match, from every thread (the model's own
#: cache is locked).
_MODELS: dict[tuple[Any, ...], InplayModel] = {}


def _packaged_inplay(params: Any) -> InplayModel:
    from remontada.inplay.model import InplayModel

    model = _MODELS.get(("packaged", params))
    if model is None:  # two threads may both build one; setdefault keeps the first for everyone
        model = _MODELS.setdefault(("packaged", params), InplayModel(params))
    return model


def _for_date(inplay: InplayModel, day: dt.date) -> InplayModel:
    """``inplay.for_date(day)``, the same object each time for the packaged model."""
    from remontada.inplay.model import season_start

    if _MODELS.get(("packaged", inplay.params)) is not inplay:
        return inplay.for_date(day)  # parameters read from a file: nothing kept
    key = ("season", inplay.params, season_start(day))
    dated = _MODELS.get(key)
    if dated is None:
        dated = _MODELS.setdefault(key, inplay.for_date(day))
    return dated


def _clock(minute: str | float) -> MatchClock:
    from remontada.inplay.model import MatchClock

    try:
        return MatchClock.parse(minute)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="minute") from None


def _history(last_goal: str | None, clock: MatchClock, score: tuple[int, int]) -> GoalHistory | None:
    """``"7 away"``, ``"45+2 home"`` or ``"none"`` as a :class:`~remontada.inplay.model.GoalHistory`."""
    from remontada.inplay.model import GoalHistory

    if last_goal is None:
        return None
    text = last_goal.strip().lower()
    if text == "none":
        if sum(score):
            raise InvalidInput(f"last_goal (--last-goal) is 'none' but the score is {score[0]}-{score[1]}",
                               field="last_goal")  # fmt: skip
        return GoalHistory()
    parts = text.replace(",", " ").split()
    if len(parts) != 2 or parts[1] not in ("home", "away"):
        raise InvalidInput(f"last_goal (--last-goal) is the minute and the scoring side, e.g. '7 away' or "
                           f"'45+2 home', got {last_goal!r}", field="last_goal")  # fmt: skip
    try:
        history = GoalHistory.after(parts[0], home=parts[1] == "home")
    except ValueError as exc:
        raise InvalidInput(f"last_goal (--last-goal): {exc}", field="last_goal") from None
    if not sum(score):
        raise InvalidInput(f"last_goal (--last-goal) {last_goal!r} needs a score with a goal, got 0-0",
                           field="last_goal")  # fmt: skip
    assert history.last_goal is not None
    if (history.home and not score[0]) or (not history.home and not score[1]):
        side = "home" if history.home else "away"
        raise InvalidInput(f"last_goal (--last-goal) says the {side} side scored, but it has no goal in "
                           f"{score[0]}-{score[1]}", field="last_goal")  # fmt: skip
    goal = history.last_goal
    if (goal.minute, goal.added) > (clock.minute, math.inf if clock.half_time else clock.added):
        raise InvalidInput(f"last_goal (--last-goal) {last_goal!r} comes after the minute {clock}", field="last_goal")
    return history


def _rates(given: tuple[float, float] | str | None) -> tuple[float, float] | None:
    if given is None:
        return None
    try:
        if isinstance(given, str):
            home, away = (float(x) for x in given.replace(";", ",").split(","))
        else:
            home, away = (float(x) for x in given)
    except (TypeError, ValueError):
        raise InvalidInput(
            f"rates are two expected-goal numbers (home, away) like 1.37,1.81, got {given!r}", field="rates"
        ) from None
    if not (0 <= home <= MAX_RATE and 0 <= away <= MAX_RATE):  # also false for nan
        raise InvalidInput(
            f"rates (--rates) are expected goals per 90 minutes, 0 to {MAX_RATE:g}; got {given!r}", field="rates"
        )
    return home, away


#: Matches found and pre-match answers given, per (store of origin, its last update, today, the question):
#: the store's data changes only with its last update (and "no date" means today), and a fitted model's
#: rates with its data, so asking again (another minute, score or red card of the same match) is a lookup.
_KNOWN: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_KNOWN_LOCK = threading.Lock()
#: The most matches and pre-match answers kept (each a few KB).
KNOWN_SIZE = 2048


def _known(key: tuple[Any, ...], compute: Any) -> Any:
    """``compute()``, kept under ``key`` (least recently used dropped first); errors are not kept."""
    with _KNOWN_LOCK:
        if key in _KNOWN:
            _KNOWN.move_to_end(key)
            return _KNOWN[key]
    value = compute()
    with _KNOWN_LOCK:
        _KNOWN[key] = value
        while len(_KNOWN) > KNOWN_SIZE:
            _KNOWN.popitem(last=False)
    return value


def _store_key(st: Store) -> tuple[Any, ...]:
    """What the answers read from ``st`` depend on: its data (store of origin and last update) and today."""
    return (str(st.origin), st.meta("last_update") or "never", dt.date.today())


def _match(
    st: Store, home: str, away: str, date: dt.date | None, competition: str | None, first_leg: tuple[int, int] | None
) -> LiveMatch:
    from remontada.inplay.live import find_live_match

    home_id, away_id = club_id(st, home, "home"), club_id(st, away, "away")
    if home_id == away_id:
        raise InvalidInput(f"{home!r} and {away!r} are the same club", field="away")
    key = ("match", *_store_key(st), home_id, away_id, date, competition, first_leg)
    match: LiveMatch = _known(
        key, lambda: find_live_match(st, home_id, away_id, date=date, competition=competition, first_leg=first_leg)
    )
    return match


def _pre_match(st: Store, match: LiveMatch, model: str) -> tuple[tuple[float, float], dict[str, Any]]:
    """The model's pre-match rates and its own 90-minute answer (the numbers ``predict`` gives), kept per
    store data and match (each caller gets its own copy of the answer)."""
    # by the match object (kept by _match, so asking again gives the same one; the entry holds it, so its
    # id names no other): hashing a match hashes its rules, slower than the lookup is worth
    key = ("pre_match", *_store_key(st), model, id(match))
    kept, rates, pre = _known(key, lambda: (match, *_compute_pre_match(st, match, model)))
    if kept is not match:  # cannot happen while the entry holds its match; answer afresh if it ever did
        rates, pre = _compute_pre_match(st, match, model)
    return rates, _copy(pre)


def _copy(value: Any) -> Any:
    """A copy of JSON-like ``value`` (dicts, lists, scalars): what ``copy.deepcopy`` gives, five times faster."""
    if isinstance(value, dict):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_copy(v) for v in value)
    return value


def _compute_pre_match(st: Store, match: LiveMatch, model: str) -> tuple[tuple[float, float], dict[str, Any]]:
    from remontada.forecast import Forecaster
    from remontada.ties.engine import forecast_second_leg

    forecaster = Forecaster(st, model)
    try:
        rates = forecaster.rates(
            match.home_id, match.away_id, match.date, neutral=match.neutral, competition=match.competition
        )
        grid = forecaster.grid(
            match.home_id, match.away_id, match.date, neutral=match.neutral, competition=match.competition
        )
    except KeyError as exc:
        reason = exc.args[0] if exc.args else exc
        raise NotRated(f"no pre-match rates from {model}: {reason}; pass rates=(home, away)") from None
    second_leg = match.first_leg is not None and match.rules is not None and match.rules.legs == 2
    adjustment: dict[str, float] | None = None
    if second_leg:
        # The same second-leg adjustment ``tie`` applies between the legs, so that the pre-match
        # rates (and the in-play chain started from them) are the ones ``tie`` prices.
        from remontada.ties.second_leg import packaged

        assert match.first_leg is not None
        factors = packaged()
        host, visitor = factors.factors(match.first_leg, grid.expected_goals())
        grid = factors.apply(grid, match.first_leg)
        rates = (rates[0] * host, rates[1] * visitor)
        adjustment = {"home": host, "away": visitor}
    pre: dict[str, Any] = {
        "model": model,
        "as_of": match.date.isoformat(),
        "second_leg_adjustment": adjustment,
        "competition": match.competition,
        "neutral": match.neutral,
        "expected_goals": {"home": rates[0], "away": rates[1]},
        "home_win": grid.home_win,
        "draw": grid.draw,
        "away_win": grid.away_win,
        "p_through": None,
    }
    if second_leg:
        assert match.first_leg is not None and match.rules is not None
        tie = forecast_second_leg(
            match.first_leg, grid, rules=match.rules, teams=(match.away, match.home), on_unmodelled="even"
        )
        pre["p_through"] = {match.away: tie.p_a, match.home: tie.p_b}
    return rates, pre


def _kickoff_note(forecast: LiveForecast, pre: dict[str, Any]) -> str:
    """Why the in-play chain at kick-off and the pre-match model give different numbers."""
    match = forecast.match
    more_home, more_away = forecast.remaining.expected_goals()
    final = forecast.final
    chain = " / ".join(f"{100 * p:.1f}%" for p in (final.home_win, final.draw, final.away_win))
    model = " / ".join(f"{100 * pre[k]:.1f}%" for k in ("home_win", "draw", "away_win"))
    why = "the in-play chain lets each side's scoring rate follow the clock and the lead"
    if match.first_leg is not None:
        lead = match.first_leg[1] - match.first_leg[0]  # this match's home side's aggregate lead
        if lead:
            leader = match.home if lead > 0 else match.away
            why += f" (in a tie the aggregate lead: {leader} {abs(lead)} up)"
    return (
        f"at kick-off the in-play chain gives {chain} (expected goals to come {more_home:.2f}-{more_away:.2f}); "
        f"the pre-match model gives {model} (expected goals {pre['expected_goals']['home']:.2f}-"
        f"{pre['expected_goals']['away']:.2f}), the numbers of `predict` and `tie`: {why}, and it has no "
        "low-score (Dixon-Coles) correction"
    )


def live(
    home: str,
    away: str,
    *,
    date: str | dt.date | None = None,
    minute: str | float = 0,
    score: str | tuple[int, int] = (0, 0),
    red_cards: str | tuple[int, int] = (0, 0),
    competition: str | None = None,
    first_leg: str | tuple[int, int] | None = None,
    model: str = DEFAULT_MODEL,
    rates: tuple[float, float] | str | None = None,
    team: str | None = None,
    params: str | os.PathLike[str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    last_goal: str | None = None,
) -> LiveAnswer:
    """What happens in the time left of a match being played.

    Parameters
    ----------
    home, away
        The match's home and away sides, by name or id (``"Atalanta"``, ``"Liverpool"``).
    date
        Match date (ISO); default: their latest stored meeting with ``home`` at home.
    minute
        Minutes played: ``0`` (kick-off), ``60``, ``"45+2"``, ``"HT"``, ``"90+3"``.
    score, red_cards
        Now, home side first: ``"0-1"`` or ``(0, 1)``.
    competition
        Name, id or abbreviation; default: the stored fixture's.
    first_leg
        The first leg's score as written there (this match's away side first); default: found
        in the store for a second leg.
    model
        Pre-match model (``"dixon-coles"``, ``"poisson"``, ``"bivariate"``, ``"elo"``).
    rates
        Pre-match expected goals per 90 minutes ``(home, away)``; skips the model.
    team
        Side whose comeback curve to compute in a second leg (default: the underdog).
    params
        In-play parameter CSV (default: the packaged fit).
    store
        An open store, a path, or ``None`` for the user's store.
    last_goal
        The minute and scorer of the last goal so far, ``"7 away"``, ``"45+2 home"`` (``"none"``:
        no goal yet). Known, the state scores at rates of its own until the next goal (the lull
        after a goal, settled rates away from it); default: the state's average rates.

    Returns
    -------
    LiveAnswer
        Probabilities in [0, 1]; ``.p_through(club)`` in a tie; ``.pre_match`` the pre-match
        model's answer for the same match; ``.to_dict()`` what ``remontada live --json`` prints.
    """
    clock = _clock(minute)
    now = as_score(score, "score") or (0, 0)
    reds = as_score(red_cards, "red_cards") or (0, 0)
    if max(reds) > 4:
        raise InvalidInput(
            f"red_cards (--red-cards) are 0 to 4 per side (a fifth ends the match), got {red_cards!r}",
            field="red_cards",
        )
    given = _rates(rates)
    inplay = _inplay(params)
    model = check_model(model)
    history = _history(last_goal, clock, now)
    from remontada.inplay.live import live_forecast

    with using_store(store) as st:
        match = _match(st, home, away, as_date(date, "date"), competition, as_score(first_leg, "first_leg"))
        pre = None
        if given is not None:
            pre_rates, source = given, "given"
        else:
            pre_rates, pre = _pre_match(st, match, model)
            source = f"{model}, fitted on matches before {match.date.isoformat()}"
        warnings, cutoff = cutoff_warnings(st, match.date, "the pre-match rates")
    inplay = _for_date(inplay, match.date)  # the added time of the match's season
    summary = None
    try:
        # every whole minute is read off the match's tables (every number of the answer built for every state at
        # once); a state they do not hold is a lookup in the goals-to-come surface; a minute between steps is
        # computed, and so is a state whose last goal is known (its first cell has rates of its own)
        tabled = _tabled(match, pre_rates, clock, now, reds, inplay) if history is None else None
        if tabled is not None:
            forecast, summary = _tabled_forecast(match, pre_rates, clock, now, reds, *tabled)
        else:
            remaining = _remaining(match, pre_rates, clock, now, reds, inplay) if history is None else None
            forecast = live_forecast(
                match, pre_rates, minute=clock, score=now, red_cards=reds, model=inplay, remaining=remaining,
                history=history,
            )  # fmt: skip
    except ValueError as exc:
        raise InvalidInput(str(exc)) from None
    curve = _curve(match, forecast, pre_rates, clock, now, reds, inplay, team)
    notes = []
    if pre is not None and clock.minute == 0 and not clock.added and not clock.half_time and now == (0, 0):
        notes.append(_kickoff_note(forecast, pre))
    return LiveAnswer(forecast, source, pre, curve, tuple(notes), tuple(warnings), cutoff, summary)


def _tabled(
    match: LiveMatch,
    rates: tuple[float, float],
    clock: MatchClock,
    score: tuple[int, int],
    reds: tuple[int, int],
    inplay: InplayModel,
) -> tuple[StateTables, tuple[int, int, int]] | None:
    """The match's tables (:class:`~remontada.inplay.tables.StateTables`, built with its goals-to-come surface)
    and the state's index in them; ``None`` for a state they do not hold, a single-match knockout, or while
    a server builds them."""
    from remontada.inplay.surface import derived_for, finals_for
    from remontada.inplay.tables import StateTables

    rules, first_leg = match.rules, match.first_leg
    if rules is not None and rules.legs != 2:
        return None  # a single-match knockout: the surface and the engine
    rule = _surface_lead(match, rates, reds)
    if rule is None:
        return None
    lead, lead_key = rule

    def build(finals: Any) -> StateTables:
        if rules is None:
            return StateTables.build(finals)
        return StateTables.build(finals, model=inplay, rates=rates, red_cards=reds, first_leg=first_leg, rules=rules)

    derive = (("live", rules), build)
    finals = finals_for(inplay, rates, red_cards=reds, lead=lead, lead_key=lead_key, derive=derive)
    if finals is None:
        return None
    tables: StateTables | None = derived_for(finals, derive)
    if tables is None:
        return None
    at = tables.state(clock, score)
    return (tables, at) if at is not None else None


def _tabled_forecast(
    match: LiveMatch,
    rates: tuple[float, float],
    clock: MatchClock,
    score: tuple[int, int],
    reds: tuple[int, int],
    tables: StateTables,
    at: tuple[int, int, int],
) -> tuple[LiveForecast, Callable[[], dict[str, Any]]]:
    """The live forecast at state ``at`` of ``tables`` (the objects :func:`live_forecast` gives) and its
    ``to_dict()`` read off the tables."""
    from remontada.inplay.live import LiveForecast

    teams = (match.away, match.home)  # A: away in the second leg
    remaining, final, tie = tables.forecast_parts(at, teams=teams, minute=clock.regular_minute)
    forecast = LiveForecast(match, clock, score, reds, rates, remaining, final, tie, None)

    def summary() -> dict[str, Any]:
        out: dict[str, Any] = {
            **_header(match), "minute": str(clock), "score": f"{score[0]}-{score[1]}",
            "red_cards": f"{reds[0]}-{reds[1]}", "last_goal": None,
            "pre_match_rates": {"home": rates[0], "away": rates[1]}, **tables.summary(at), "notes": list(match.notes),
        }  # fmt: skip
        if tables.tie is not None:
            out["tie"] = tables.tie_dict(at, teams=teams, minute=clock.regular_minute)
        return out

    return forecast, summary


def _header(match: LiveMatch) -> dict[str, Any]:
    """The match's part of :meth:`LiveForecast.to_dict` (its description, sides, date, competition), kept per
    match (each caller gets its own copy)."""
    from remontada.competitions import display_name

    def compute() -> tuple[LiveMatch, dict[str, Any]]:
        return match, {
            "match": match.describe(), "home": match.home, "away": match.away, "date": match.date.isoformat(),
            "competition": match.competition,
            "competition_name": display_name(match.competition, match.season or match.date),
        }  # fmt: skip

    kept, head = _known(("header", id(match)), compute)
    if kept is not match:  # cannot happen while the entry holds its match
        head = compute()[1]
    return dict(head)


def _remaining(
    match: LiveMatch,
    rates: tuple[float, float],
    clock: MatchClock,
    score: tuple[int, int],
    reds: tuple[int, int],
    inplay: InplayModel,
) -> ScoreGrid | None:
    """The goals to come from ``clock`` at ``score`` read off the match's goals-to-come surface (the lead rule
    :func:`~remontada.inplay.live.live_forecast` uses: the aggregate in a second leg, else the match score);
    ``None`` off the grid or for a state no surface holds (then the chain is run from that state)."""
    from remontada.inplay.surface import finals_for

    rule = _surface_lead(match, rates, reds)
    if rule is None:
        return None
    finals = finals_for(inplay, rates, red_cards=reds, lead=rule[0], lead_key=rule[1])
    return finals.remaining(clock, score) if finals is not None else None


def _surface_lead(
    match: LiveMatch, rates: tuple[float, float], reds: tuple[int, int]
) -> tuple[Any, tuple[Any, ...]] | None:
    """The lead rule a match's surfaces are built for and its key (:func:`~remontada.inplay.live.live_forecast`'s:
    the aggregate in a second leg, else the match score); ``None`` for rates or red cards out of range (the exact
    path says what is wrong) and for a second leg whose first leg is unknown."""
    from remontada.inplay.model import match_lead, second_leg_lead

    if not all(0 <= r <= MAX_RATE for r in rates) or min(reds) < 0 or max(reds) > 4:
        return None
    rules = match.rules
    if rules is not None and rules.legs == 2:
        if match.first_leg is None:
            return None
        return (second_leg_lead(match.first_leg, (0, 0), away_goals=rules.away_goals),
                ("second_leg", match.first_leg, rules.away_goals))  # fmt: skip
    return match_lead((0, 0)), ("match",)


def _curve(
    match: LiveMatch,
    forecast: LiveForecast,
    rates: tuple[float, float],
    clock: MatchClock,
    score: tuple[int, int],
    reds: tuple[int, int],
    inplay: InplayModel,
    team: str | None,
) -> ComebackCurve | None:
    from remontada.inplay.comeback import LiveSecondLeg

    if match.first_leg is None or match.rules is None or forecast.tie is None:
        if team is not None:
            raise InvalidInput("a comeback curve needs a second leg (give first_leg)", field="team")
        return None
    from remontada.inplay.surface import surface_for

    tie = LiveSecondLeg(match.first_leg, rates, match.rules, teams=(match.away, match.home), red_cards=reds)
    underdog = match.away if forecast.tie.p_a <= 0.5 else match.home
    focus = underdog if team is None else _side_name(match, team)
    # every whole minute is a lookup in the match's value surface; a minute between steps is computed
    curve = surface_for(tie, inplay).curve(focus, minute=clock, score=score)
    return curve if curve is not None else tie.comeback_curve(focus, minute=clock, score=score, model=inplay)


def _side_name(match: LiveMatch, team: str, *, field: str = "team") -> str:
    """The name of ``team`` (either side's name or id, or a name written another way) in ``match``."""
    from remontada.ingest.names import normalise

    for cid, name in ((match.home_id, match.home), (match.away_id, match.away)):
        if team in (cid, name) or (normalise(team) and normalise(team) == normalise(name)):
            return name
    raise UnknownClub(team, [match.home, match.away], field=field)


def comeback_curve(
    home: str,
    away: str,
    *,
    date: str | dt.date | None = None,
    minute: str | float = 0,
    score: str | tuple[int, int] = (0, 0),
    red_cards: str | tuple[int, int] = (0, 0),
    team: str | None = None,
    competition: str | None = None,
    first_leg: str | tuple[int, int] | None = None,
    model: str = DEFAULT_MODEL,
    rates: tuple[float, float] | str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> ComebackCurve:
    """``team``'s chance to go through, minute by minute, in a second leg being played.

    Same arguments as :func:`live`. ``team`` defaults to the side less likely to go through.

    Returns
    -------
    ComebackCurve
        P(``team`` through) in [0, 1] if the score stays, if they score next at each minute and
        by each minute; ``.at(minute)`` reads one row, ``.to_dict()`` is JSON-able.

    Raises
    ------
    InvalidInput
        The match is not a second leg (no first leg stored or given).
    """
    answer = live(home, away, date=date, minute=minute, score=score, red_cards=red_cards, competition=competition,
                  first_leg=first_leg, model=model, rates=rates, team=team, store=store)  # fmt: skip
    if answer.curve is None:
        raise InvalidInput(
            f"{answer.home} v {answer.away} on {answer.forecast.match.date.isoformat()} is not a second leg: "
            "give first_leg to draw a comeback curve",
            field="first_leg",
        )
    return answer.curve
