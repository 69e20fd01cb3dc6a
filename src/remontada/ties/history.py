"""Two-legged ties rebuilt from stored matches, and comeback base rates with Wilson intervals.

Every tie is rebuilt from its legs as the store holds them (``matches.leg`` 1 and 2, plus any
play-off replay between the same clubs in the same round). Sides are named as in
:mod:`remontada.ties.engine`: **A is at home in the first leg, B at home in the second.** How a level
tie was settled follows the rules of its competition and season (:mod:`remontada.rules`), but
what the sources record happening wins over the rules table: a replay or extra time that was
played, a shoot-out score, a coin toss or an awarded match. Such disagreements are kept in
:attr:`Tie.issue`. Coin tosses and replays are recorded, never modelled; a tie with a missing
leg is reported (``complete`` is false), never guessed.

Base rates take the view of one side: its *deficit* is how many goals it lost the first leg by
(negative when it won it) and ``first_leg_at`` is where it played that first leg. Liverpool's
0-3 at home to Atalanta (Europa League quarter-final, 11 April 2024) is deficit 3, first leg at
home; Barcelona's 4-0 defeat in Paris (16 February 2017) is deficit 4, first leg away.
"""

from __future__ import annotations

import datetime as dt
import operator
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist
from typing import TYPE_CHECKING, Any, Literal

import pandas as pd

from remontada.competitions import display_name
from remontada.rules import TieRules, normalise_round, round_name, rules_for, season_label, season_start_year
from remontada.stats import wilson_interval
from remontada.store.ties import knockout_leg_rows

if TYPE_CHECKING:
    from remontada.store.reader import Store

Decided = Literal["aggregate", "away goals", "extra time", "penalties", "replay", "coin toss", "awarded"]
Venue = Literal["home", "away", "neutral"]
VENUES: tuple[str, ...] = ("home", "away", "neutral")


# ---- legs and ties ---------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Leg:
    """One match of a tie as it was played, home side first.

    ``home_goals``/``away_goals`` are the score after 90 minutes (``None`` when a source gives
    only the score after extra time); ``aet_*`` the cumulative score after extra time (``None``
    when none was played); ``pen_*`` the shoot-out; ``shootout_winner`` a club id when only the
    shoot-out's winner is known. ``status`` is the store's (``played``, ``awarded``,
    ``scheduled``...); ``note`` joins the sources' notes ("replay", "decided by coin toss"...);
    ``n_sources`` counts the sources that report the match.
    """

    match_id: int
    date: dt.date | None
    home_id: str
    away_id: str
    home_goals: int | None
    away_goals: int | None
    aet_home: int | None = None
    aet_away: int | None = None
    pen_home: int | None = None
    pen_away: int | None = None
    neutral: bool = False
    status: str = "played"
    note: str | None = None
    shootout_winner: str | None = None
    n_sources: int = 1

    @property
    def scored(self) -> bool:
        """True when the leg was played (or awarded) and a score is known."""
        has_score = self.home_goals is not None or self.aet_home is not None
        return self.status in ("played", "awarded") and has_score

    @property
    def extra_time(self) -> bool:
        return self.aet_home is not None and self.aet_away is not None

    @property
    def shootout(self) -> bool:
        return (self.pen_home is not None and self.pen_away is not None) or self.shootout_winner is not None

    def goals(self, club: str, *, with_extra_time: bool = True) -> int | None:
        """Goals ``club`` scored in this leg (after extra time unless ``with_extra_time=False``)."""
        if club not in (self.home_id, self.away_id):
            raise ValueError(f"{club} did not play {self.home_id} v {self.away_id}")
        home = club == self.home_id
        if with_extra_time and self.extra_time:
            return self.aet_home if home else self.aet_away
        return self.home_goals if home else self.away_goals

    def shootout_winner_id(self) -> str | None:
        if self.pen_home is not None and self.pen_away is not None and self.pen_home != self.pen_away:
            return self.home_id if self.pen_home > self.pen_away else self.away_id
        return self.shootout_winner

    def has_note(self, text: str) -> bool:
        return self.note is not None and text in self.note.lower()

    def score_text(self) -> str:
        """``"1-1 aet 2-2 pens 4-3"`` (90 minutes, then after extra time, then the shoot-out), home side
        first. When a source gives only the score after extra time: ``"2-2 aet pens 4-3 (90-minute score
        not recorded)"``; when it gives no score: ``"score not recorded"``."""
        if self.home_goals is None and not self.extra_time:
            return "score not recorded" if self.status in ("played", "awarded") else self.status
        if self.home_goals is None:
            text = f"{self.aet_home}-{self.aet_away} aet"
        else:
            text = f"{self.home_goals}-{self.away_goals}"
            if self.extra_time:
                text += f" aet {self.aet_home}-{self.aet_away}"
        if self.pen_home is not None and self.pen_away is not None:
            text += f" pens {self.pen_home}-{self.pen_away}"
        if self.home_goals is None:
            text += " (90-minute score not recorded)"
        if self.status == "awarded":
            text += " (awarded)"
        return text

    def to_dict(self) -> dict[str, Any]:
        return {
            "match_id": self.match_id,
            "date": self.date.isoformat() if self.date else None,
            "home_id": self.home_id,
            "away_id": self.away_id,
            "home_goals": self.home_goals,
            "away_goals": self.away_goals,
            "aet_home": self.aet_home,
            "aet_away": self.aet_away,
            "pen_home": self.pen_home,
            "pen_away": self.pen_away,
            "neutral": self.neutral,
            "status": self.status,
            "note": self.note,
            "score": self.score_text(),
        }


@dataclass(frozen=True, slots=True)
class Settlement:
    """How a complete tie was decided: ``how`` and ``winner`` are ``None`` when the record does
    not say; ``after_extra_time`` is true when extra time was played in the second leg;
    ``issue`` explains a gap or a disagreement between the rules table and the record."""

    how: Decided | None
    winner: str | None
    after_extra_time: bool = False
    issue: str | None = None


@dataclass(frozen=True, slots=True)
class Tie:
    """A two-legged tie: A (``team_a``) at home in ``leg1``, B at home in ``leg2``.

    ``how``/``winner`` say how it was decided (see :class:`Settlement`); ``recorded_winner`` is
    the winner a source states (engsoccerdata's ``tiewinner``, the club european-cups shows playing on),
    kept for the cross-check;
    ``rules`` are the rules the tie was read under (``None`` where :mod:`remontada.rules` has
    none for the competition); ``issue`` notes a missing leg or a disagreement.
    """

    competition: str
    season: str
    stage: str | None
    round: str | None
    team_a: str
    team_b: str
    name_a: str
    name_b: str
    leg1: Leg | None
    leg2: Leg | None
    replays: tuple[Leg, ...] = ()
    how: Decided | None = None
    winner: str | None = None
    after_extra_time: bool = False
    recorded_winner: str | None = None
    rules: TieRules | None = None
    issue: str | None = None

    # ---- state ---------------------------------------------------------------------------------
    @property
    def complete(self) -> bool:
        """Both legs are in the store with a score."""
        return self.leg1 is not None and self.leg2 is not None and self.leg1.scored and self.leg2.scored

    @property
    def decided(self) -> bool:
        """Complete, and the record says who went through."""
        return self.complete and self.winner is not None

    @property
    def qualifying(self) -> bool:
        """A qualifying-round tie (played before the main draw), not a tie of the competition proper."""
        return self.stage == "qualifying"

    @property
    def date(self) -> dt.date | None:
        """The day the tie ended: its last replay, else its second leg (ISO date)."""
        for leg in (*reversed(self.replays), self.leg2, self.leg1):
            if leg is not None and leg.date is not None:
                return leg.date
        return None

    @property
    def competition_name(self) -> str:
        """The competition's name in the tie's season (``"UEFA Cup"`` for ``uefa.el`` in 2004-05)."""
        return display_name(self.competition, self.season) or self.competition

    def name(self, club: str | None) -> str:
        if club == self.team_a:
            return self.name_a
        if club == self.team_b:
            return self.name_b
        return club or "?"

    def opponent(self, club: str) -> str:
        if club not in (self.team_a, self.team_b):
            raise ValueError(f"{club} is not in the tie {self.team_a} v {self.team_b}")
        return self.team_b if club == self.team_a else self.team_a

    # ---- first leg -----------------------------------------------------------------------------
    @property
    def first_leg_margin(self) -> int | None:
        """A's goals minus B's in the first leg (90 minutes); ``None`` without a first-leg score."""
        if self.leg1 is None or self.leg1.home_goals is None or self.leg1.away_goals is None:
            return None
        return self.leg1.home_goals - self.leg1.away_goals

    def deficit(self, club: str) -> int | None:
        """Goals ``club`` lost the first leg by (negative when it won it, 0 for a draw)."""
        margin = self.first_leg_margin
        if margin is None:
            return None
        if club == self.team_a:
            return -margin
        if club == self.team_b:
            return margin
        return _not_in_tie(self, club)

    def first_leg_venue(self, club: str) -> Venue | None:
        """Where ``club`` played the first leg: ``home``, ``away`` or ``neutral``."""
        if self.leg1 is None:
            return None
        if club not in (self.team_a, self.team_b):
            return _not_in_tie(self, club)
        if self.leg1.neutral:
            return "neutral"
        return "home" if club == self.team_a else "away"

    @property
    def first_leg_loser(self) -> str | None:
        margin = self.first_leg_margin
        if not margin:
            return None
        return self.team_b if margin > 0 else self.team_a

    @property
    def overturned(self) -> bool:
        """The first-leg loser went through."""
        loser = self.first_leg_loser
        return loser is not None and self.winner == loser

    # ---- totals --------------------------------------------------------------------------------
    @property
    def aggregate(self) -> tuple[int, int] | None:
        """(A, B) goals over both legs including extra time, excluding replays and shoot-outs."""
        if not self.complete:
            return None
        assert self.leg1 is not None and self.leg2 is not None
        a1, b1 = self.leg1.goals(self.team_a), self.leg1.goals(self.team_b)
        a2, b2 = self.leg2.goals(self.team_a), self.leg2.goals(self.team_b)
        if None in (a1, b1, a2, b2):
            return None
        return a1 + a2, b1 + b2  # type: ignore[operator]

    @property
    def away_goals(self) -> tuple[int, int] | None:
        """(A's goals at B's ground, B's goals at A's ground) after 90 minutes."""
        if not self.complete:
            return None
        assert self.leg1 is not None and self.leg2 is not None
        a, b = self.leg2.away_goals, self.leg1.away_goals
        return None if a is None or b is None else (a, b)

    # ---- text ----------------------------------------------------------------------------------
    def leg_text(self, leg: Leg) -> str:
        return f"{self.name(leg.home_id)} {leg.score_text()} {self.name(leg.away_id)}"

    def describe(self) -> str:
        """One line: season, competition and round by name, legs, and how it ended."""
        return _describe(self)

    def _describe(self) -> str:
        head = f"{self.season} {self.competition_name} {_round_name(self.round) or ''}"
        parts = [head.rstrip() + ":"]
        legs = [leg for leg in (self.leg1, self.leg2, *self.replays) if leg is not None]
        parts.append("; ".join(self.leg_text(leg) for leg in legs) or f"{self.name_a} v {self.name_b}")
        parts.append(f"-> {self.outcome_text()}")
        return " ".join(parts)

    def outcome_text(self) -> str:
        if not self.complete:
            return f"incomplete ({self.issue})" if self.issue else "incomplete"
        if self.winner is None:
            return f"undecided ({self.issue})" if self.issue else "undecided"
        agg = self.aggregate
        score = ""
        if agg is not None:
            mine, theirs = agg if self.winner == self.team_a else agg[::-1]
            score = f" {mine}-{theirs} on aggregate"
        how = _HOW_TEXT[self.how] if self.how else ""
        if self.how == "away goals" and self.after_extra_time:
            how += " after extra time"
        return f"{self.name(self.winner)} through{score}{how}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "competition": self.competition,
            "competition_name": self.competition_name,
            "season": self.season,
            "stage": self.stage,
            "qualifying": self.qualifying,
            "round": self.round,
            "round_name": round_name(self.round),
            "team_a": self.team_a,
            "team_b": self.team_b,
            "name_a": self.name_a,
            "name_b": self.name_b,
            "leg1": self.leg1.to_dict() if self.leg1 else None,
            "leg2": self.leg2.to_dict() if self.leg2 else None,
            "replays": [leg.to_dict() for leg in self.replays],
            "aggregate": list(self.aggregate) if self.aggregate else None,
            "first_leg_margin": self.first_leg_margin,
            "first_leg_loser": self.first_leg_loser,
            "first_leg_loser_at": (
                self.first_leg_venue(self.first_leg_loser) if self.first_leg_loser is not None else None
            ),
            "how": self.how,
            "after_extra_time": self.after_extra_time,
            "winner": self.winner,
            "winner_name": self.name(self.winner) if self.winner else None,
            "overturned": self.overturned,
            "recorded_winner": self.recorded_winner,
            "rules": self.rules.describe() if self.rules else None,
            "issue": self.issue,
            "summary": self.describe(),
        }


_HOW_TEXT: dict[str, str] = {
    "aggregate": "",
    "away goals": " on away goals",
    "extra time": " after extra time",
    "penalties": " on penalties",
    "replay": " in a replay",
    "coin toss": " on a coin toss",
    "awarded": " (awarded)",
}


def _not_in_tie(tie: Tie, club: str) -> Any:
    raise ValueError(f"{club} is not in the tie {tie.team_a} v {tie.team_b}")


# ---- how a tie was settled -----------------------------------------------------------------------
def settle(
    leg1: Leg,
    leg2: Leg,
    rules: TieRules | None,
    replays: Sequence[Leg] = (),
    recorded_winner: str | None = None,
) -> Settlement:
    """How a complete two-legged tie was decided, from its legs and the rules in force.

    The rules say which tie-breaks apply (away goals after 90 minutes, after extra time); the
    record says what happened. When they disagree (extra time or a replay was played although
    the rules table says away goals had already decided the tie) the record wins and the
    settlement carries an ``issue``. Without rules (``None``) only what the record shows is
    used: aggregate, extra time, a shoot-out, a replay, a coin toss, a source's "away goals".
    A coin toss's winner is only known from ``recorded_winner``; so is the winner of a shoot-out
    whose score is not recorded (a leg noted ``decided on penalties``). A tie still level on the
    record is given to ``recorded_winner`` with ``how=None`` (the sources say who went through,
    not how: european-cups' bracket, engsoccerdata's ``tiewinner``).
    """
    a, b = leg1.home_id, leg1.away_id
    if (leg2.home_id, leg2.away_id) != (b, a):
        raise ValueError(f"second leg {leg2.home_id} v {leg2.away_id} does not reverse {a} v {b}")
    if "awarded" in (leg1.status, leg2.status):
        return _settle_awarded(leg1, leg2, recorded_winner)
    issue: str | None = None
    if leg2.home_goals is not None and leg1.home_goals is not None:
        agg_a = leg1.home_goals + (leg2.away_goals or 0)
        agg_b = (leg1.away_goals or 0) + leg2.home_goals
        if agg_a != agg_b:
            odd = "extra time is recorded although" if leg2.extra_time else None
            note = f"{odd} the 90-minute aggregate was {agg_a}-{agg_b}" if odd else None
            return Settlement("aggregate", a if agg_a > agg_b else b, issue=note)
        away_a, away_b = leg2.away_goals, leg1.away_goals
        if rules is not None and rules.away_goals and away_a != away_b:
            played_on = _played_on(leg2, replays)
            if played_on is None:
                return Settlement("away goals", a if away_a > away_b else b)  # type: ignore[operator]
            issue = f"the rules table gives this tie to away goals, but {played_on} was played"
    elif not leg2.extra_time or leg1.home_goals is None:
        return Settlement(None, None, issue="no 90-minute score for a leg")
    # Level after 90 minutes (or only the score after extra time is known, which implies it).
    if leg2.extra_time:
        assert leg1.home_goals is not None and leg1.away_goals is not None
        et_a = leg1.home_goals + leg2.aet_away  # type: ignore[operator]
        et_b = leg1.away_goals + leg2.aet_home  # type: ignore[operator]
        if et_a != et_b:
            return Settlement("extra time", a if et_a > et_b else b, True, issue)
        if rules is not None and rules.away_goals_in_extra_time and leg2.aet_away != leg1.away_goals:
            if not (leg2.shootout or replays):
                winner = a if leg2.aet_away > leg1.away_goals else b  # type: ignore[operator]
                return Settlement("away goals", winner, True, issue)
            issue = "the rules table gives this tie to away goals after extra time, but it went further"
    if leg2.shootout:
        return Settlement("penalties", leg2.shootout_winner_id(), leg2.extra_time, issue)
    if leg2.has_note("decided on penalties"):
        missing = None if recorded_winner else "the shoot-out's winner is not recorded"
        return Settlement("penalties", recorded_winner, leg2.extra_time, issue or missing)
    if replays:
        return _settle_replays(replays, recorded_winner, leg2.extra_time, issue)
    if leg2.has_note("coin toss") or leg1.has_note("coin toss"):
        missing = None if recorded_winner else "the coin toss's winner is not recorded"
        return Settlement("coin toss", recorded_winner, leg2.extra_time, issue or missing)
    if (leg1.has_note("away goals") or leg2.has_note("away goals")) and leg1.away_goals is not None:
        mine = leg2.goals(a) if leg2.extra_time else leg2.away_goals
        if mine is not None and mine != leg1.away_goals:
            winner = a if mine > leg1.away_goals else b
            why = "the source says away goals decided it; the rules table does not apply away goals here"
            return Settlement("away goals", winner, leg2.extra_time, why)
    stage = "extra time" if leg2.extra_time else "90 minutes of the second leg"
    if recorded_winner is not None:
        known = f"level after {stage}; how it ended is not recorded, only who went through"
        return Settlement(None, recorded_winner, leg2.extra_time, issue or known)
    unknown = f"level after {stage}; the record does not say how it ended"
    return Settlement(None, None, leg2.extra_time, issue or unknown)


def _played_on(leg2: Leg, replays: Sequence[Leg]) -> str | None:
    if replays:
        return "a replay"
    if leg2.extra_time:
        return "extra time"
    if leg2.shootout:
        return "a shoot-out"
    return None


def _settle_awarded(leg1: Leg, leg2: Leg, recorded_winner: str | None) -> Settlement:
    a, b = leg1.home_id, leg1.away_id
    goals = [leg1.goals(a), leg2.goals(a), leg1.goals(b), leg2.goals(b)]
    if None not in goals:
        total_a, total_b = goals[0] + goals[1], goals[2] + goals[3]  # type: ignore[operator]
        if total_a != total_b:
            return Settlement("awarded", a if total_a > total_b else b)
    missing = None if recorded_winner else "an awarded leg leaves the tie level and no winner is recorded"
    return Settlement("awarded", recorded_winner, issue=missing)


def _settle_replays(
    replays: Sequence[Leg], recorded_winner: str | None, after_extra_time: bool, issue: str | None
) -> Settlement:
    for replay in replays:
        if replay.has_note("coin toss"):
            missing = None if recorded_winner else "the coin toss's winner is not recorded"
            return Settlement("coin toss", recorded_winner, after_extra_time, issue or missing)
        if not replay.scored:
            continue
        home, away = replay.goals(replay.home_id), replay.goals(replay.away_id)
        if home is not None and away is not None and home != away:
            return Settlement("replay", replay.home_id if home > away else replay.away_id, after_extra_time, issue)
        if replay.shootout:
            return Settlement("replay", replay.shootout_winner_id(), after_extra_time, issue)
    return Settlement(None, None, after_extra_time, issue or "the replay's result does not say who went through")


def make_tie(
    leg1: Leg | None,
    leg2: Leg | None,
    *,
    competition: str,
    season: str,
    rules: TieRules | None = None,
    replays: Sequence[Leg] = (),
    recorded_winner: str | None = None,
    names: dict[str, str] | None = None,
    stage: str | None = None,
    round: str | None = None,
) -> Tie:
    """A :class:`Tie` from its legs (either may be missing: the tie is then reported incomplete)."""
    if leg1 is None and leg2 is None:
        raise ValueError("a tie needs at least one leg")
    a, b = (leg1.home_id, leg1.away_id) if leg1 is not None else (leg2.away_id, leg2.home_id)  # type: ignore[union-attr]
    names = names or {}
    base = Tie(
        competition=competition,
        season=season,
        stage=stage,
        round=round,
        team_a=a,
        team_b=b,
        name_a=names.get(a, a),
        name_b=names.get(b, b),
        leg1=leg1,
        leg2=leg2,
        replays=tuple(replays),
        recorded_winner=recorded_winner,
        rules=rules,
    )
    gap = _gap(leg1, leg2)
    if gap is not None:
        return _replace(base, issue=gap)
    assert leg1 is not None and leg2 is not None
    result = settle(leg1, leg2, rules, replays, recorded_winner)
    return _replace(
        base, how=result.how, winner=result.winner, after_extra_time=result.after_extra_time, issue=result.issue
    )


def _replace(tie: Tie, **changes: Any) -> Tie:
    values = {name: getattr(tie, name) for name in tie.__dataclass_fields__}
    values.update(changes)
    return Tie(**values)


def _gap(leg1: Leg | None, leg2: Leg | None) -> str | None:
    for label, leg in (("first", leg1), ("second", leg2)):
        if leg is None:
            return f"no {label} leg in the store"
        if leg.status in ("scheduled", "postponed"):
            return f"{label} leg not played yet ({leg.status})"
        if leg.status not in ("played", "awarded"):
            return f"{label} leg {leg.status}"
        if not leg.scored:
            return f"no score recorded for the {label} leg"
    return None


# ---- rebuilding from the store -----------------------------------------------------------------
def shared_ties(store: Store, competitions: Iterable[str] | None = None) -> tuple[Tie, ...]:
    """:func:`rebuild_ties` as the tuple kept for every caller (read-only: no copy per call, and what is
    counted from it is found without comparing it tie by tie)."""
    ids = None if competitions is None else tuple(store.competition(c).id for c in competitions)
    if ids is not None and not ids:
        return ()
    key = (str(store.origin.resolve()), store.meta("last_update") or "never", ids)
    with _REBUILT_LOCK:
        kept = _REBUILT.get(key)
    if kept is not None:
        return kept
    rebuild_ties(store, competitions)
    with _REBUILT_LOCK:
        kept = _REBUILT.get(key)
    return kept if kept is not None else tuple(rebuild_ties(store, competitions))


def rebuild_ties(store: Store, competitions: Iterable[str] | None = None) -> list[Tie]:
    """Every two-legged tie in the store (or in ``competitions``: ids or names), oldest first.

    Legs are paired within a competition and season by their clubs and leg numbers (a first leg
    A v B, then a second leg B v A), so two sources labelling the round differently still pair;
    a play-off replay between the same clubs in the same round joins the tie. Unpaired legs
    become incomplete ties.
    """
    ids = None if competitions is None else tuple(store.competition(c).id for c in competitions)
    if ids is not None and not ids:
        return []
    key = (str(store.origin.resolve()), store.meta("last_update") or "never", ids)
    with _REBUILT_LOCK:
        cached = _REBUILT.get(key)
    if cached is not None:
        return list(cached)
    ties = ties_from_rows(knockout_leg_rows(store, list(ids) if ids is not None else None))
    with _REBUILT_LOCK:
        if len(_REBUILT) >= 32:
            _REBUILT.clear()
            _BASE_RATES.clear()
        _REBUILT[key] = tuple(ties)
    return ties


#: Ties rebuilt in this process, per (store of origin, its last update, competitions): a store's data
#: changes only with its last update, and ties are immutable, so every caller can share them.
_REBUILT: dict[tuple[str, str, tuple[str, ...] | None], tuple[Tie, ...]] = {}
_REBUILT_LOCK = threading.Lock()
#: Base rates counted from one of :data:`_REBUILT`'s tuples, under its key there, with the tuple they were
#: counted from: the same ties and the same question always count the same, so a repeated count is a
#: lookup. Each tuple keeps its :data:`BASE_RATE_MEMO` latest questions.
_BASE_RATES: dict[tuple[Any, ...], tuple[tuple[Tie, ...], list[_Facts], OrderedDict[tuple[Any, ...], BaseRate]]] = {}
#: What counting a base rate reads of a decided tie with a first-leg score: the tie, its competition,
#: season's start year, stage, end date, first-leg margin (A's goals minus B's), whether the first leg
#: was at a neutral ground, A, B and the winner.
_Facts = tuple[Tie, str, "int | None", "str | None", "dt.date | None", int, bool, str, str, "str | None"]


def _facts(ties: Sequence[Tie]) -> list[_Facts]:
    """The facts of the decided ties of ``ties`` with a first-leg score, in order."""
    out: list[_Facts] = []
    for tie in ties:
        margin = tie.first_leg_margin
        if not tie.decided or margin is None:
            continue
        assert tie.leg1 is not None
        try:
            year: int | None = season_start_year(tie.season)
        except ValueError:
            year = None  # raised again below if a season filter needs it, as select_ties would
        out.append((tie, tie.competition, year, tie.stage, tie.date, margin,
                    tie.leg1.neutral, tie.team_a, tie.team_b, tie.winner))  # fmt: skip
    return out
BASE_RATE_MEMO = 4096


def _describe(tie: Tie) -> str:
    """:meth:`Tie.describe`, kept per tie object (ties are immutable; the comebacks of answers repeat)."""
    kept = _DESCRIBED.get(id(tie))
    if kept is not None and kept[0] is tie:  # the entry holds the tie: its id cannot name another
        return kept[1]
    text = tie._describe()
    if len(_DESCRIBED) >= DESCRIBED_SIZE:
        _DESCRIBED.clear()
    _DESCRIBED[id(tie)] = (tie, text)
    return text


#: :func:`_describe`'s lines, per ``id`` of the tie, with the tie itself.
_DESCRIBED: dict[int, tuple[Tie, str]] = {}
DESCRIBED_SIZE = 65536


@lru_cache(maxsize=512)
def _round_name(label: str | None) -> str | None:
    """:func:`remontada.rules.round_name`, kept per label (it parses the label with regular expressions)."""
    return round_name(label)


def _rebuilt_source(ties: Iterable[Tie]) -> tuple[tuple[Any, ...], tuple[Tie, ...]] | None:
    """The key and the rebuilt tuple ``ties`` holds the very ties of, in order (the list :func:`rebuild_ties`
    gave), or ``None``: then nothing counted from ``ties`` may be reused."""
    if not isinstance(ties, list | tuple) or not ties:
        return None
    with _REBUILT_LOCK:
        kept = list(_REBUILT.items())
    for key, source in kept:
        if source is ties:  # the kept tuple itself (shared_ties): nothing to compare
            return key, source
    for key, source in kept:
        if len(source) == len(ties) and source[0] is ties[0] and all(map(operator.is_, source, ties)):
            return key, source
    return None


def ties_from_frame(frame: pd.DataFrame) -> list[Tie]:
    """Ties from a DataFrame shaped like :data:`_LEGS_SQL`'s result (one row per leg or replay)."""
    return ties_from_rows(
        {k: (None if _missing(v) else v) for k, v in row.items()} for row in frame.to_dict(orient="records")
    )


def ties_from_rows(rows: Iterable[dict[str, Any]]) -> list[Tie]:
    """Ties from rows (dicts with :data:`_LEGS_SQL`'s columns, ``None`` for missing values) in
    competition, season and date order."""
    names: dict[str, str] = {}
    groups: dict[tuple[str, str, frozenset[str]], list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        names[row["home_id"]] = row["home_name"]
        names[row["away_id"]] = row["away_name"]
        groups[(row["competition_id"], row["season"], frozenset((row["home_id"], row["away_id"])))].append(row)
    ties: list[Tie] = []
    for (competition, season, _), rows in groups.items():
        ties.extend(_pair(competition, season, rows, names))
    ties = _drop_duplicates(ties)
    ties.sort(key=lambda t: (t.date or dt.date.max, t.competition, t.team_a))
    return ties


def _drop_duplicates(ties: list[Tie]) -> list[Tie]:
    """One tie stored twice because a source gave one of its clubs a second id.

    No club plays two ties of one competition on the same two days, so complete ties with the
    same competition, season, leg dates and scores that share a club are one tie. The copy
    with more sources (then with a recorded winner) is kept and says what was dropped.
    """
    groups: dict[tuple[Any, ...], list[Tie]] = defaultdict(list)
    for tie in ties:
        if tie.complete and tie.leg1.date and tie.leg2.date:  # type: ignore[union-attr]
            legs = (tie.leg1, tie.leg2)
            key = (tie.competition, tie.season, *((leg.date, leg.score_text()) for leg in legs))  # type: ignore[union-attr]
            groups[key].append(tie)
    replacement: dict[int, Tie | None] = {}
    for group in groups.values():
        if len(group) < 2:
            continue
        keepers: list[Tie] = []
        notes: dict[int, list[str]] = defaultdict(list)
        for tie in sorted(group, key=_copy_rank):
            original = next((k for k in keepers if {k.team_a, k.team_b} & {tie.team_a, tie.team_b}), None)
            if original is None:
                keepers.append(tie)
                continue
            replacement[id(tie)] = None
            notes[id(original)].append(
                f"the same legs are also stored as {tie.name_a} v {tie.name_b} ({tie.team_a} v {tie.team_b}): "
                "one club under two ids; that copy is left out"
            )
        for keeper in keepers:
            if notes[id(keeper)]:
                issue = "; ".join(filter(None, (keeper.issue, *notes[id(keeper)])))
                replacement[id(keeper)] = _replace(keeper, issue=issue)
    out = []
    for tie in ties:
        kept = replacement.get(id(tie), tie)
        if kept is not None:
            out.append(kept)
    return out


def _copy_rank(tie: Tie) -> tuple[int, bool, str, str]:
    sources = sum(leg.n_sources for leg in (tie.leg1, tie.leg2) if leg is not None)
    return -sources, tie.recorded_winner is None, tie.team_a, tie.team_b


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def leg_from_row(row: dict[str, Any]) -> Leg:
    """A :class:`Leg` from a row of the store's ``matches`` (missing numbers may be None or NaN)."""
    date = row["date"]
    if isinstance(date, pd.Timestamp | dt.datetime):
        date = date.date()

    def num(key: str) -> int | None:
        value = row[key]
        return None if value is None or value != value else int(value)

    return Leg(
        match_id=int(row["match_id"]),
        date=date,
        home_id=row["home_id"],
        away_id=row["away_id"],
        home_goals=num("home_goals"),
        away_goals=num("away_goals"),
        aet_home=num("aet_home"),
        aet_away=num("aet_away"),
        pen_home=num("pen_home"),
        pen_away=num("pen_away"),
        neutral=bool(row["neutral"]),
        status=row["status"],
        note=row.get("note"),
        shootout_winner=row.get("shootout_winner_id"),
        n_sources=int(row.get("n_sources") or 1),
    )


def _pair(competition: str, season: str, rows: list[dict[str, Any]], names: dict[str, str]) -> list[Tie]:
    """Ties between one pair of clubs in one competition and season, in date order.

    A second leg pairs with the open first leg it reverses; one dated before its first leg
    (a source that swapped the labels) still pairs, with a note.
    """
    open_ties: list[dict[str, Any]] = []
    replays: list[dict[str, Any]] = []
    for row in rows:  # already in date order, first legs before second legs on equal dates
        if row["leg"] is None:
            replays.append(row)
            continue
        first = int(row["leg"]) == 1
        mine, theirs = ("leg1", "leg2") if first else ("leg2", "leg1")
        partner = next(
            (t for t in open_ties if t[mine] is None and t[theirs]["home_id"] == row["away_id"]),
            None,
        )
        if partner is None:
            open_ties.append({mine: row, theirs: None, "replays": [], "note": None})
        else:
            partner[mine] = row
            if first:
                partner["note"] = "the second leg is dated before the first"
    for row in replays:
        host = _replay_host(open_ties, row)
        if host is not None:
            host["replays"].append(row)
    return [_tie(competition, season, t, names) for t in open_ties]


def _replay_host(open_ties: list[dict[str, Any]], replay: dict[str, Any]) -> dict[str, Any] | None:
    """The tie a replay settles: same round label if any, else the latest tie before it."""
    same_round = [t for t in open_ties if (t["leg2"] or t["leg1"])["round"] == replay["round"]]
    candidates = same_round or open_ties
    return candidates[-1] if candidates else None


def _tie(competition: str, season: str, parts: dict[str, Any], names: dict[str, str]) -> Tie:
    leg1_row, leg2_row = parts["leg1"], parts["leg2"]
    first = leg1_row or leg2_row
    recorded = [r["tie_winner_id"] for r in (leg2_row, leg1_row, *parts["replays"]) if r and r["tie_winner_id"]]
    stage, round_label = first["stage"], first["round"]
    tie = make_tie(
        leg_from_row(leg1_row) if leg1_row else None,
        leg_from_row(leg2_row) if leg2_row else None,
        competition=competition,
        season=season,
        rules=tie_rules(competition, season, stage, round_label),
        replays=[leg_from_row(r) for r in parts["replays"]],
        recorded_winner=recorded[0] if recorded else None,
        names=names,
        stage=stage,
        round=round_label,
    )
    if parts["note"]:
        tie = _replace(tie, issue="; ".join(filter(None, (tie.issue, parts["note"]))))
    return tie


def rules_round(label: str | None) -> str | None:
    """A stored round label as a key of the rules table (``None`` stays ``None``)."""
    return None if label is None else normalise_round(label)


@lru_cache(maxsize=4096)
def tie_rules(competition: str, season: str, stage: str | None, round_label: str | None) -> TieRules | None:
    """The rules a two-legged tie was played under, or ``None`` when the table has none."""
    key = rules_round(round_label)
    if stage == "final" and key != "final":
        key = "final"
    try:
        rules = rules_for(competition, season, key)
    except LookupError:
        return None
    return rules if rules.legs == 2 else None


# ---- selection ---------------------------------------------------------------------------------
SeasonSpan = tuple[int, int]


def parse_seasons(text: str | None) -> SeasonSpan | None:
    """``"1955-56..2016-17"`` -> ``(1955, 2016)`` (start years, inclusive); ``"2016-17"`` -> one
    season; ``"..1999-00"`` or ``"2000-01.."`` leave an end open."""
    if text is None or not text.strip():
        return None
    if ".." not in text:
        year = season_start_year(text)
        return year, year
    first, last = (part.strip() for part in text.split("..", 1))
    start = season_start_year(first) if first else 0
    end = season_start_year(last) if last else 9999
    if end < start:
        raise ValueError(f"season range {text!r} ends before it starts")
    return start, end


def select_ties(
    ties: Iterable[Tie],
    *,
    competitions: Iterable[str] | None = None,
    seasons: SeasonSpan | str | None = None,
    stages: Iterable[str] | None = None,
    before: dt.date | str | None = None,
) -> list[Tie]:
    """Ties in ``competitions`` (ids), ``seasons`` (start years, inclusive, or a range string as
    :func:`parse_seasons` reads), ``stages`` (``knockout``, ``qualifying``, ``playoff``,
    ``final``) that ended before ``before`` (ISO date; ties without a date are then left out)."""
    span = parse_seasons(seasons) if isinstance(seasons, str) else seasons
    wanted = set(competitions) if competitions is not None else None
    stage_set = set(stages) if stages is not None else None
    cutoff = dt.date.fromisoformat(before) if isinstance(before, str) else before
    chosen = []
    for tie in ties:
        if wanted is not None and tie.competition not in wanted:
            continue
        if span is not None and not span[0] <= season_start_year(tie.season) <= span[1]:
            continue
        if stage_set is not None and tie.stage not in stage_set:
            continue
        if cutoff is not None and (tie.date is None or tie.date >= cutoff):
            continue
        chosen.append(tie)
    return chosen


# ---- base rates --------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class BaseRate:
    """How often a side in a given first-leg position went through.

    ``deficit`` is the goals the side lost the first leg by (``or_more``: at least that many;
    negative = it won the first leg); ``first_leg_at`` where it played it (``None``: anywhere).
    ``n`` decided ties, ``k`` of them won by that side, ``p = k / n`` in [0, 1] with the Wilson
    interval ``[low, high]`` at ``level``; ``comebacks`` are the ``k`` ties, oldest first.
    """

    deficit: int
    first_leg_at: Venue | None
    or_more: bool
    n: int
    k: int
    p: float
    low: float
    high: float
    level: float
    comebacks: tuple[Tie, ...] = field(default=(), repr=False)

    @property
    def position(self) -> str:
        """``"3+ goals down, first leg at home"``-style label."""
        if self.deficit > 0:
            plural = "s" if self.deficit > 1 or self.or_more else ""
            text = f"lost the first leg by {self.deficit}{'+' if self.or_more else ''} goal{plural}"
        elif self.deficit == 0:
            text = "drew the first leg"
        else:
            text = f"won the first leg by {-self.deficit}{'+' if self.or_more else ''}"
        return text + (f", first leg {self.first_leg_at}" if self.first_leg_at else "")

    def to_dict(self, with_ties: bool = True) -> dict[str, Any]:
        out: dict[str, Any] = {
            "deficit": self.deficit,
            "or_more": self.or_more,
            "first_leg_at": self.first_leg_at,
            "n": self.n,
            "k": self.k,
            "p": self.p,
            "low": self.low,
            "high": self.high,
            "level": self.level,
            "position": self.position,
        }
        if with_ties:
            out["comebacks"] = [t.to_dict() for t in self.comebacks]
        return out


def _z(level: float) -> float:
    """Standard errors either side for a two-sided interval at ``level`` (0.95 -> 1.96)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be in (0, 1), got {level}")
    return NormalDist().inv_cdf(0.5 + level / 2.0)


def _views(tie: Tie, first_leg_at: Venue | None, deficit: int) -> list[str]:
    """The side(s) of ``tie`` seen from: A and B, except that a drawn first leg without a venue is
    seen from A only (otherwise each draw would count once for each side)."""
    if first_leg_at is None and deficit == 0:
        return [tie.team_a]
    return [tie.team_a, tie.team_b]


def _matches_deficit(own: int | None, deficit: int, or_more: bool) -> bool:
    if own is None:
        return False
    if or_more and deficit > 0:
        return own >= deficit
    if or_more and deficit < 0:
        return own <= deficit
    return own == deficit


def base_rate(
    ties: Iterable[Tie],
    deficit: int,
    first_leg_at: Venue | None = None,
    *,
    or_more: bool = False,
    competitions: Iterable[str] | None = None,
    seasons: SeasonSpan | str | None = None,
    stages: Iterable[str] | None = None,
    before: dt.date | str | None = None,
    level: float = 0.95,
) -> BaseRate:
    """The share of decided ties in which a side ``deficit`` goals down after the first leg
    (played ``first_leg_at``) went through, with its Wilson interval.

    ``base_rate(ties, 3, "away")`` counts sides that lost the first leg away by exactly three
    goals (Barcelona at PSG 2016-17 is ``base_rate(ties, 4, "away")``); ``or_more=True`` counts
    three or more. A drawn first leg (``deficit=0``) without a venue is seen from the side that
    hosted it. Incomplete and undecided ties are left out. Filters as :func:`select_ties`.
    """
    if first_leg_at is not None and first_leg_at not in VENUES:
        raise ValueError(f"first_leg_at must be one of {', '.join(VENUES)} or None, got {first_leg_at!r}")
    comps = tuple(competitions) if competitions is not None else None
    stage_list = tuple(stages) if stages is not None else None
    cutoff = dt.date.fromisoformat(before) if isinstance(before, str) else before
    found = _rebuilt_source(ties)
    if found is None:  # a list of the caller's: counted once, nothing kept
        listed = ties if isinstance(ties, Sequence) else list(ties)
        return _count_facts(_facts(listed), deficit, first_leg_at, or_more, comps, seasons, stage_list, cutoff, level)
    key, source = found
    question = (deficit, first_leg_at, or_more, comps, seasons, stage_list, cutoff, level)
    with _REBUILT_LOCK:
        entry = _BASE_RATES.get(key)
        if entry is not None and entry[0] is not source:
            entry = None
        known = entry[2].get(question) if entry is not None else None
        if entry is not None and known is not None:
            entry[2].move_to_end(question)
            return known
    facts = entry[1] if entry is not None else _facts(source)
    counted = _count_facts(facts, deficit, first_leg_at, or_more, comps, seasons, stage_list, cutoff, level)
    with _REBUILT_LOCK:
        if _REBUILT.get(key) is source:  # still the ties kept under that key
            entry = _BASE_RATES.get(key)
            if entry is None or entry[0] is not source:
                entry = _BASE_RATES[key] = (source, facts, OrderedDict())
            entry[2][question] = counted
            while len(entry[2]) > BASE_RATE_MEMO:
                entry[2].popitem(last=False)
    return counted


def _candidates(facts: list[_Facts], deficit: int, or_more: bool) -> list[_Facts]:
    """The facts whose first-leg margin can match ``deficit`` for one side or the other (A's deficit is
    -margin, B's is margin: a side ``deficit`` down, or more, needs ``|margin| == |deficit|``, or more),
    in their order."""
    buckets = _MARGINS.get(id(facts))
    if buckets is None or buckets[0] is not facts:
        by_size: dict[int, list[tuple[int, _Facts]]] = defaultdict(list)
        for position, fact in enumerate(facts):
            by_size[abs(fact[5])].append((position, fact))
        buckets = (facts, dict(by_size))
        with _REBUILT_LOCK:
            if len(_MARGINS) >= 32:
                _MARGINS.clear()
            _MARGINS[id(facts)] = buckets
    size = abs(deficit)
    if or_more and deficit != 0:
        picked = sorted(item for s, items in buckets[1].items() if s >= size for item in items)
    else:
        picked = buckets[1].get(size, [])
    return [fact for _, fact in picked]


#: :func:`_candidates`'s index of facts by the size of the first-leg margin, per ``id`` of the facts list
#: (each entry holds its list, so the id names no other).
_MARGINS: dict[int, tuple[list[_Facts], dict[int, list[tuple[int, _Facts]]]]] = {}


def _count_facts(
    facts: list[_Facts],
    deficit: int,
    first_leg_at: Venue | None,
    or_more: bool,
    competitions: tuple[str, ...] | None,
    seasons: SeasonSpan | str | None,
    stages: tuple[str, ...] | None,
    before: dt.date | None,
    level: float,
) -> BaseRate:
    """The base rate counted over the :func:`_facts` of the ties (plain tuples, no property read twice)."""
    span = parse_seasons(seasons) if isinstance(seasons, str) else seasons
    wanted = set(competitions) if competitions is not None else None
    stage_set = set(stages) if stages is not None else None
    both = not (first_leg_at is None and deficit == 0)  # see _views
    n, through = 0, []
    for tie, comp, year, stage, day, margin, neutral, team_a, team_b, winner in _candidates(facts, deficit, or_more):
        if wanted is not None and comp not in wanted:
            continue
        if span is not None:
            if year is None:
                year = season_start_year(tie.season)
            if not span[0] <= year <= span[1]:
                continue
        if stage_set is not None and stage not in stage_set:
            continue
        if before is not None and (day is None or day >= before):
            continue
        # side A: lost the first leg by -margin, played it at home; side B: by margin, away
        for club, own, venue in ((team_a, -margin, "home"), (team_b, margin, "away"))[: 2 if both else 1]:
            if not _matches_deficit(own, deficit, or_more):
                continue
            if first_leg_at is not None and ("neutral" if neutral else venue) != first_leg_at:
                continue
            n += 1
            if winner == club:
                through.append(tie)
    k = len(through)
    low, high = wilson_interval(k, n, _z(level))
    return BaseRate(
        deficit=deficit,
        first_leg_at=first_leg_at,
        or_more=or_more,
        n=n,
        k=k,
        p=k / n if n else float("nan"),
        low=low,
        high=high,
        level=level,
        comebacks=tuple(through),
    )


def base_rate_table(
    ties: Iterable[Tie],
    *,
    deficits: Sequence[int] = (1, 2, 3, 4),
    venues: Sequence[Venue | None] = ("home", "away", None),
    last_or_more: bool = True,
    competitions: Iterable[str] | None = None,
    seasons: SeasonSpan | str | None = None,
    stages: Iterable[str] | None = None,
    before: dt.date | str | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Base rates for each deficit and venue as a table (one row per cell), ready for a
    reliability plot or a base-rate-only forecast: columns ``deficit``, ``or_more``,
    ``first_leg_at`` (``"all"`` for any venue), ``n``, ``k``, ``p``, ``low``, ``high``.
    With ``last_or_more`` the largest deficit also counts larger ones."""
    chosen = select_ties(ties, competitions=competitions, seasons=seasons, stages=stages, before=before)
    top = max(deficits) if deficits else None
    rows = []
    for deficit in deficits:
        or_more = last_or_more and deficit == top and deficit > 0
        for venue in venues:
            rate = base_rate(chosen, deficit, venue, or_more=or_more, level=level)
            row = rate.to_dict(with_ties=False)
            row["first_leg_at"] = venue or "all"
            rows.append(row)
    columns = ["deficit", "or_more", "first_leg_at", "n", "k", "p", "low", "high"]
    return pd.DataFrame(rows, columns=columns)


# ---- cross-check -------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class CrossCheck:
    """Derived winners against the winners a source records (engsoccerdata's ``tiewinner``, european-cups' bracket).

    ``compared`` ties have both; ``agree`` of them match; ``disagreements`` lists the rest;
    ``underived`` are ties with a recorded winner but no derived one (incomplete or undecided).
    """

    compared: int
    agree: int
    disagreements: tuple[Tie, ...]
    underived: tuple[Tie, ...]

    @property
    def agreement(self) -> float:
        return self.agree / self.compared if self.compared else float("nan")

    def to_dict(self) -> dict[str, Any]:
        return {
            "compared": self.compared,
            "agree": self.agree,
            "agreement": self.agreement,
            "disagreements": [t.to_dict() for t in self.disagreements],
            "underived": [t.to_dict() for t in self.underived],
        }


def cross_check(ties: Iterable[Tie]) -> CrossCheck:
    """Compare each tie's derived winner with its recorded winner."""
    compared = agree = 0
    disagreements, underived = [], []
    for tie in ties:
        if tie.recorded_winner is None:
            continue
        if tie.winner is None:
            underived.append(tie)
            continue
        compared += 1
        if tie.winner == tie.recorded_winner:
            agree += 1
        else:
            disagreements.append(tie)
    return CrossCheck(compared, agree, tuple(disagreements), tuple(underived))


# ---- summaries -----------------------------------------------------------------------------------
def summary(ties: Sequence[Tie]) -> pd.DataFrame:
    """Ties per competition: rebuilt, complete, decided, how decided, seasons covered."""
    rows: dict[str, dict[str, Any]] = {}
    for tie in ties:
        row = rows.setdefault(
            tie.competition,
            {"competition": tie.competition, "ties": 0, "complete": 0, "decided": 0, "first": None, "last": None},
        )
        row["ties"] += 1
        row["complete"] += tie.complete
        row["decided"] += tie.decided
        if tie.decided:
            row[tie.how or "?"] = row.get(tie.how or "?", 0) + 1
        year = season_start_year(tie.season)
        row["first"] = year if row["first"] is None else min(row["first"], year)
        row["last"] = year if row["last"] is None else max(row["last"], year)
    frame = pd.DataFrame(list(rows.values()))
    if frame.empty:
        return frame
    frame["first"] = frame["first"].map(season_label)
    frame["last"] = frame["last"].map(season_label)
    hows = [h for h in ("aggregate", "away goals", "extra time", "penalties", "replay", "coin toss", "awarded")]
    for how in hows:
        if how not in frame:
            frame[how] = 0
    frame[hows] = frame[hows].fillna(0).astype(int)
    return frame[["competition", "first", "last", "ties", "complete", "decided", *hows]]
