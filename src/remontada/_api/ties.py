"""Knockout ties: :func:`answer_tie` (who goes through) and :func:`list_ties` (the ties in the store)."""

from __future__ import annotations

import datetime as dt
import os
import threading
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from remontada._api.common import (
    DEFAULT_MODEL,
    as_date,
    as_score,
    check_model,
    club_id,
    cutoff_warnings,
    data_ends_before,
    using_store,
)
from remontada.errors import InvalidInput, NotRated, TieNotFound

if TYPE_CHECKING:
    from remontada.store.reader import Store
    from remontada.ties.answer import TieAnswer

#: The UEFA club competitions :func:`list_ties` and history read by default.
UEFA_COMPETITIONS: tuple[str, ...] = ("uefa.cl", "uefa.el", "uefa.ecl", "uefa.cwc")
DECIDERS: tuple[str, ...] = ("penalties", "coin_toss")


def answer_tie(
    team1: str,
    team2: str,
    *,
    competition: str | None = None,
    season: str | int | None = None,
    round: str | None = None,
    date: str | dt.date | None = None,
    first_leg: str | tuple[int, int] | None = None,
    first_leg_host: str | None = None,
    away_goals: bool | None = None,
    extra_time: bool | None = None,
    decider: Literal["penalties", "coin_toss"] | None = None,
    model: str = DEFAULT_MODEL,
    store: Store | str | os.PathLike[str] | None = None,
) -> TieAnswer:
    """Who goes through a knockout tie: after 90 minutes, in extra time, on the decider.

    Parameters
    ----------
    team1, team2
        The two clubs, by name or id, in either order (``"Liverpool"``, ``"Atalanta"``).
    competition
        Name, id or abbreviation: ``"Europa League"``, ``"uefa.el"`` and ``"UEL"`` are the same.
    season
        ``"2023-24"``, ``"2023/24"`` or ``2023``; default: the clubs' latest tie.
    round
        ``"QF"``, ``"Quarter-finals"``, ``"Round of 16"``, ...
    date
        Forecast as of the morning of this ISO date (nothing played on or after it is used);
        default: the second leg's date once the first leg is played, else the first leg's. With
        ``competition`` it also states a tie the store does not hold (``team1`` hosts first).
    first_leg
        Hypothetical first-leg score, its home side first (``"0-3"`` or ``(0, 3)``).
    first_leg_host
        Hypothetical: this club (name or id) hosts the first leg.
    away_goals, extra_time, decider
        Hypothetical rule changes: away goals on/off (extra time included), extra time on/off,
        ``"penalties"`` or ``"coin_toss"`` to settle a level tie.
    model
        Strength model: ``"dixon-coles"`` (default), ``"poisson"``, ``"bivariate"`` or ``"elo"``.
    store
        An open :class:`~remontada.store.reader.Store`, a path, or ``None`` for the user's store.

    Returns
    -------
    TieAnswer
        ``.p_through("Liverpool")`` is P(Liverpool goes through) in [0, 1]; expected goals are
        per 90 minutes; ``.to_dict()`` is what ``remontada tie --json`` prints.

    Raises
    ------
    UnknownClub, AmbiguousClub, UnknownCompetition, TieNotFound, DataEndsBefore, NotRated, InvalidInput

    Examples
    --------
    >>> ans = rm.answer_tie("Liverpool", "Atalanta", competition="Europa League", season="2023-24")  # doctest: +SKIP
    >>> round(ans.p_through("Liverpool"), 3)                                                          # doctest: +SKIP
    0.085
    """
    from remontada._api.live import _known, _store_key
    from remontada.rules import season_start_year
    from remontada.ties.answer import answer_tie as build_answer
    from remontada.ties.state import find_tie, tie_state, unplayed_tie

    model = check_model(model)
    stated = as_score(first_leg, "first_leg")
    as_of = as_date(date, "date")
    if decider is not None and decider not in DECIDERS:
        raise InvalidInput(f"decider is one of {', '.join(DECIDERS)}, got {decider!r}", field="decider",
                           allowed=DECIDERS)  # fmt: skip
    if season is not None:
        try:
            season_start_year(season)
        except ValueError as exc:
            raise InvalidInput(str(exc), field="season") from None
    changes: dict[str, Any] = {}
    if away_goals is not None:
        changes.update(away_goals=away_goals, away_goals_in_extra_time=away_goals)
    if extra_time is not None:
        changes["extra_time_minutes"] = 30 if extra_time else 0
    if decider is not None:
        changes["decider"] = decider
    with using_store(store) as st:
        id1, id2 = club_id(st, team1, "team1"), club_id(st, team2, "team2")
        host_id = club_id(st, first_leg_host, "first_leg_host") if first_leg_host is not None else None
        if host_id is not None and host_id not in (id1, id2):
            raise InvalidInput(f"{first_leg_host!r} is not one of the two clubs of the tie", field="first_leg_host")
        if competition is not None:
            st.competition(competition)  # UnknownCompetition before anything else
        try:
            try:
                # the stored tie depends on the store's data and the question's clubs, competition, season and
                # round, not on hypothetical first-leg scores, rules or the model: asking again is a lookup
                key = ("find_tie", *_store_key(st), id1, id2, competition, season, round)
                stored = _known(
                    key, lambda: find_tie(st, id1, id2, competition=competition, season=season, round=round)
                )
            except TieNotFound:
                if as_of is None or competition is None:
                    raise
                first, second = (id2, id1) if host_id == id2 else (id1, id2)
                stored = unplayed_tie(st, first, second, competition=competition, date=as_of, season=season,
                                      round=round)  # fmt: skip
        except TieNotFound:
            asked = as_of or (dt.date(season_start_year(season), 7, 1) if season is not None else None)
            late = data_ends_before(st, asked, "that tie cannot be in it")
            if late is not None:
                raise late from None
            raise
        try:
            state = tie_state(stored, as_of=as_of, first_leg=stated, first_leg_host=host_id, rule_changes=changes)
            answer = build_answer(st, state, forecaster=_forecaster(st, model))
        except KeyError as exc:
            reason = exc.args[0] if exc.args else exc
            raise NotRated(
                f"the {model} model cannot rate a club of this tie as of {as_of or 'that date'}: {reason}"
            ) from None
        except ValueError as exc:
            if isinstance(exc, InvalidInput):
                raise
            raise InvalidInput(str(exc), field="date" if "over before" in str(exc) else None) from None
        warnings, cutoff = cutoff_warnings(st, state.as_of)
    import dataclasses

    return dataclasses.replace(answer, warnings=tuple(warnings), data_cutoff=cutoff)


#: One forecaster per read-only store connection and model (:func:`_forecaster`), dropped with the connection.
_FORECASTERS: weakref.WeakKeyDictionary[Store, dict[str, Any]] = weakref.WeakKeyDictionary()
_FORECASTERS_LOCK = threading.Lock()
#: The most grids (or rates, or fit summaries) one kept forecaster holds; past it they are forgotten.
KEPT_GRIDS = 512


def _forecaster(st: Store, model: str) -> Any:
    """The forecaster of ``model`` answering from ``st``: for a read-only connection one kept per connection
    (:class:`~remontada.forecast.KeptForecaster`: every hypothetical first leg of a tie prices the same second
    leg from the same fit, so asking again is a lookup); a new one otherwise (a writer's data can change)."""
    from remontada.forecast import Forecaster, KeptForecaster

    if not st.read_only:
        return Forecaster(st, model)
    with _FORECASTERS_LOCK:
        kept = _FORECASTERS.setdefault(st, {})
        found = kept.get(model)
        if found is None:
            found = kept[model] = KeptForecaster(st, model, kept=KEPT_GRIDS)
    return found


@dataclass(frozen=True, slots=True)
class TieSummary:
    """One two-legged tie in the store, by name: who met whom, the legs and who went through.

    ``first_leg``/``second_leg`` are scores written home side first (``"0-3"``); ``aggregate`` is
    ``team_a``'s goals first; ``ended`` the ISO date of the last leg; ``qualifying`` marks a
    qualifying-round tie (played before the main draw).
    """

    competition: str
    competition_id: str
    season: str
    round: str | None
    stage: str | None
    qualifying: bool
    team_a: str
    team_b: str
    team_a_id: str
    team_b_id: str
    first_leg: str | None
    second_leg: str | None
    aggregate: str | None
    winner: str | None
    how: str | None
    ended: dt.date | None
    summary: str

    def to_dict(self) -> dict[str, Any]:
        out = {f: getattr(self, f) for f in self.__slots__}
        out["ended"] = self.ended.isoformat() if self.ended else None
        return out


def list_ties(
    *,
    competition: str | list[str] | None = None,
    season: str | int | None = None,
    club: str | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> list[TieSummary]:
    """The two-legged ties the store holds, latest first.

    Parameters
    ----------
    competition
        One or more competitions by name, id or abbreviation; default the UEFA club competitions.
    season
        Only this season (``"2023-24"``); default every season.
    club
        Only ties of this club (name or id).
    store
        An open store, a path, or ``None`` for the user's store.

    Returns
    -------
    list[TieSummary]
        Names, not ids, in every text field; ``.to_dict()`` on each is JSON-able.
    """
    from remontada.rules import round_name, season_label, season_start_year
    from remontada.ties.history import rebuild_ties

    wanted = None
    if season is not None:
        try:
            wanted = season_label(season_start_year(season))
        except ValueError as exc:
            raise InvalidInput(str(exc), field="season") from None
    names = [competition] if isinstance(competition, str) else competition
    with using_store(store) as st:
        ids = [st.competition(c).id for c in names] if names else list(UEFA_COMPETITIONS)
        cid = club_id(st, club, "club") if club is not None else None
        ties = rebuild_ties(st, ids)
    out = []
    for t in ties:
        if wanted is not None and t.season != wanted:
            continue
        if cid is not None and cid not in (t.team_a, t.team_b):
            continue
        agg = t.aggregate
        out.append(
            TieSummary(
                competition=t.competition_name,
                competition_id=t.competition,
                season=t.season,
                round=round_name(t.round),
                stage=t.stage,
                qualifying=t.qualifying,
                team_a=t.name_a,
                team_b=t.name_b,
                team_a_id=t.team_a,
                team_b_id=t.team_b,
                first_leg=t.leg1.score_text() if t.leg1 is not None and t.leg1.scored else None,
                second_leg=t.leg2.score_text() if t.leg2 is not None and t.leg2.scored else None,
                aggregate=f"{agg[0]}-{agg[1]}" if agg is not None else None,
                winner=t.name(t.winner) if t.winner else None,
                how=t.how,
                ended=t.date,
                summary=t.describe(),
            )
        )
    out.sort(key=lambda s: (s.ended or dt.date.min, s.competition_id), reverse=True)
    return out
