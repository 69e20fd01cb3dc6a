"""Where a knockout tie stands on a date, read from the store, with any hypothetical changes.

:func:`find_tie` turns two club names, a competition and a season into a :class:`StoredTie`:
the legs the store holds (either order of names; the legs in date order; a neutral one-match
final as a single match) and the rules from :func:`remontada.rules.rules_for`. :func:`tie_state`
then says what was known on the morning of a date (``as_of``): which legs had been played and
with what score, so the forecast uses nothing played on or after that day. Hypotheticals are
explicit arguments (a stated first-leg score, the other club hosting the first leg, different
rules) and every one is listed in :attr:`TieState.hypothetical`.

Sides follow :mod:`remontada.ties.engine`: **A is at home in the first leg, B at home in the second**
(for a single match, A is the home or first-named side). Dates are ISO days; a leg dated
``as_of`` has not been played yet (the morning of that day).

>>> with Store(path) as store:                                        # doctest: +SKIP
...     stored = find_tie(store, "Liverpool", "Atalanta", competition="Europa League", season="2023-24")
...     state = tie_state(stored, today=dt.date(2025, 1, 1))
>>> state.first_leg, state.as_of, state.phase                          # doctest: +SKIP
((0, 3), datetime.date(2024, 4, 18), 'between_legs')
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from remontada import errors
from remontada.competitions import display_name, season_name
from remontada.rules import TieRules, normalise_round, round_name, rules_for, season_label, season_start_year
from remontada.store.reader import Store
from remontada.store.ties import pair_knockout_rows, pair_meetings
from remontada.ties.history import Leg, Tie, leg_from_row, rebuild_ties

Phase = Literal["before_first_leg", "between_legs", "single_match", "over"]

#: Rule fields a caller may change for a hypothetical (see :func:`tie_state`).
RULE_FIELDS: tuple[str, ...] = ("away_goals", "away_goals_in_extra_time", "extra_time_minutes", "decider")


class TieNotFound(errors.TieNotFound):
    """The store holds no knockout tie between the two clubs that fits the query."""


@dataclass(frozen=True, slots=True)
class StoredTie:
    """A knockout tie as the store holds it (or, with no legs, one stated by the caller).

    ``legs`` holds the first leg (A at home) and, for two legs, the second (B at home), each
    ``None`` when the store does not have it; ``record`` is the stored :class:`~remontada.ties.history.Tie`
    for two legs (its outcome, when complete). ``rules`` are the competition's rules for the
    season and round; ``notes`` say what was assumed or chosen.
    """

    competition: str
    competition_name: str
    season: str
    stage: str | None
    round: str | None
    team_a: str
    team_b: str
    name_a: str
    name_b: str
    rules: TieRules
    leg1: Leg | None
    leg2: Leg | None = None
    record: Tie | None = None
    notes: tuple[str, ...] = ()

    @property
    def legs(self) -> int:
        return self.rules.legs


@dataclass(frozen=True, slots=True)
class TieState:
    """What was known about a tie on the morning of ``as_of`` (ISO date).

    ``first_leg`` = (A goals, B goals) after 90 minutes of the first leg, when it had been played
    before ``as_of`` or was stated; ``second_leg`` = (B goals, A goals) after 90 minutes of the
    second leg when it had been played before ``as_of`` (then the tie is ``over``). For a single
    match ``first_leg`` is its score when played before ``as_of``. ``hypothetical`` lists every
    departure from the record; ``notes`` what was read or assumed.
    """

    tie: StoredTie
    as_of: dt.date
    team_a: str
    team_b: str
    name_a: str
    name_b: str
    rules: TieRules
    leg1: Leg | None
    leg2: Leg | None
    first_leg: tuple[int, int] | None
    second_leg: tuple[int, int] | None
    hypothetical: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def competition(self) -> str:
        return self.tie.competition

    @property
    def season(self) -> str:
        return self.tie.season

    @property
    def round(self) -> str | None:
        return self.tie.round

    @property
    def phase(self) -> Phase:
        """``before_first_leg``, ``between_legs``, ``single_match`` (not yet played) or ``over``."""
        if self.rules.legs == 1:
            return "over" if self.first_leg is not None else "single_match"
        if self.second_leg is not None:
            return "over"
        return "between_legs" if self.first_leg is not None else "before_first_leg"

    @property
    def next_match(self) -> Leg | None:
        """The stored leg still to be played as of ``as_of`` (``None`` when over or not stored)."""
        phase = self.phase
        if phase in ("before_first_leg", "single_match"):
            return self.leg1
        return self.leg2 if phase == "between_legs" else None

    @property
    def next_match_date(self) -> dt.date | None:
        leg = self.next_match
        return leg.date if leg is not None else None

    def name(self, club: str) -> str:
        return {self.team_a: self.name_a, self.team_b: self.name_b}.get(club, club)

    def title(self) -> str:
        """``"Europa League 2023-24, Quarter-finals: Liverpool v Atalanta"`` (names, not ids)."""
        where = f", {round_name(self.round)}" if self.round else ""
        return f"{self.tie.competition_name} {self.season}{where}: {self.name_a} v {self.name_b}"

    def leg_lines(self) -> list[str]:
        """One line per leg: date, sides and, where known as of ``as_of``, the score."""
        lines = []
        labels = ("match",) if self.rules.legs == 1 else ("first leg", "second leg")
        known = (self.first_leg, self.second_leg)
        hosts = ((self.team_a, self.team_b), (self.team_b, self.team_a))
        for label, leg, score, (home, away) in zip(labels, (self.leg1, self.leg2), known, hosts, strict=False):
            day = leg.date.isoformat() if leg is not None and leg.date is not None else "date not in the store"
            venue = " (neutral venue)" if (leg is not None and leg.neutral) or self.rules.neutral_venue else ""
            middle = f"{score[0]}-{score[1]}" if score is not None else "v"
            lines.append(f"{label} {day}: {self.name(home)} {middle} {self.name(away)}{venue}")
        return lines

    def to_dict(self) -> dict[str, Any]:
        def leg_dict(leg: Leg | None) -> dict[str, Any] | None:
            return None if leg is None else leg.to_dict()

        return {
            "competition": self.competition,
            "competition_name": self.tie.competition_name,
            "season": self.season,
            "stage": self.tie.stage,
            "round": self.round,
            "round_name": round_name(self.round),
            "team_a": self.team_a,
            "team_b": self.team_b,
            "name_a": self.name_a,
            "name_b": self.name_b,
            "as_of": self.as_of.isoformat(),
            "phase": self.phase,
            "legs": self.rules.legs,
            "leg1": leg_dict(self.leg1),
            "leg2": leg_dict(self.leg2),
            "first_leg": list(self.first_leg) if self.first_leg is not None else None,
            "second_leg": list(self.second_leg) if self.second_leg is not None else None,
            "rules": self.rules.describe(),
            "away_goals": self.rules.away_goals,
            "hypothetical": list(self.hypothetical),
            "notes": list(self.notes),
            "record": self.tie.record.outcome_text() if self.tie.record is not None else None,
        }


# ---- finding a tie in the store -----------------------------------------------------------------
def season_of(day: dt.date) -> str:
    """The European season a date falls in (seasons start on 1 July): 2024-04-18 -> ``"2023-24"``."""
    return season_label(day.year if day.month >= 7 else day.year - 1)


def _season_text(season: str | int | None) -> str | None:
    return None if season is None else season_label(season_start_year(season))


def _round_key(label: str | None, stage: str | None) -> str | None:
    if stage == "final":
        return "final"
    return normalise_round(label) if label else None


def _rules(
    competition: str, season: str, stage: str | None, label: str | None, legs: int, neutral: bool, notes: list[str]
) -> TieRules:
    """The rules table's rules for the round, checked against the number of legs the store holds."""
    key = _round_key(label, stage)
    try:
        rules = rules_for(competition, season, key)
    except LookupError as exc:
        notes.append(f"{exc}; assumed {'one match' if legs == 1 else 'two legs'}, extra time and penalties")
        return TieRules(legs=legs, neutral_venue=neutral and legs == 1)
    if rules.legs != legs:
        notes.append(
            f"the rules table has {rules.legs} leg(s) for {competition} {season} {label or ''}".rstrip()
            + f" but the store holds {legs}: read as {'a single match' if legs == 1 else 'two legs'}"
        )
        base = dataclasses.replace(rules, away_goals=False, away_goals_in_extra_time=False)
        return dataclasses.replace(base, legs=legs, neutral_venue=neutral and legs == 1)
    return rules


def _singles(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One-match knockouts: rows without a leg number; an undated copy of a dated one is dropped."""
    singles = [r for r in rows if r["leg"] is None or r["leg"] != r["leg"]]
    dated = {(r["competition_id"], r["season"], r["stage"]) for r in singles if r["date"] is not None}
    return [r for r in singles if r["date"] is not None or (r["competition_id"], r["season"], r["stage"]) not in dated]


def find_tie(
    store: Store,
    team1: str,
    team2: str,
    *,
    competition: str | None = None,
    season: str | int | None = None,
    round: str | None = None,
) -> StoredTie:
    """The knockout tie between two clubs (names or ids, either order) in the store.

    ``competition`` is an id, name or alias; ``season`` any form :func:`season_start_year`
    reads; ``round`` any label :func:`normalise_round` reads. Without a season (or when the
    clubs met more than once) the latest tie is chosen and a note says so. Raises
    :class:`TieNotFound` naming what the store does hold for the pair.
    """
    id1, id2 = store.resolve_club(team1), store.resolve_club(team2)
    if id1 == id2:
        raise errors.InvalidInput(f"{team1!r} and {team2!r} are the same club ({id1})", field="team2")
    comp = store.competition(competition) if competition is not None else None
    wanted_season = _season_text(season)
    rows = pair_knockout_rows(
        store, id1, id2, competition_id=comp.id if comp is not None else None, season=wanted_season
    )
    wanted_round = normalise_round(round) if round else None
    if wanted_round is not None:
        rows = [r for r in rows if _round_key(r["round"], r["stage"]) == wanted_round]
    candidates = _candidates(store, rows, id1, id2)
    if not candidates:
        raise TieNotFound(_not_found(store, id1, id2, comp.id if comp else None, wanted_season, round))
    candidates.sort(key=lambda c: c[0] or dt.date.min)
    chosen = candidates[-1][1]
    if len(candidates) > 1:
        earlier = list(dict.fromkeys(f"{c[1].competition_name} {c[1].season}" for c in candidates[:-1]))
        shown = ", ".join(reversed(earlier[-5:])) + (f" and {len(earlier) - 5} more" if len(earlier) > 5 else "")
        note = f"the clubs also met in knockouts in {shown}; the latest tie is shown (use --season/--round)"
        chosen = dataclasses.replace(chosen, notes=(*chosen.notes, note))
    return chosen


def _candidates(store: Store, rows: list[dict[str, Any]], id1: str, id2: str) -> list[tuple[dt.date | None, StoredTie]]:
    """Every knockout tie the rows belong to, with the day it ended (for choosing the latest)."""
    found: list[tuple[dt.date | None, StoredTie]] = []
    names = {id1: store.club_name(id1), id2: store.club_name(id2)}
    two_legged = {(r["competition_id"], r["season"]) for r in rows if r["leg"] in (1, 2)}
    for competition in sorted({c for c, _ in two_legged}):
        for tie in rebuild_ties(store, [competition]):
            if (competition, tie.season) in two_legged and {tie.team_a, tie.team_b} == {id1, id2}:
                found.append((tie.date or _first_date(tie), _from_record(store, tie, names)))
    for row in _singles(rows):
        # a leg-less row in a season with two-legged ties is a replay, which history attaches to its tie
        if (row["competition_id"], row["season"]) in two_legged and row["stage"] != "final":
            continue
        found.append((_day(row["date"]), _single(store, row, names)))
    return found


def _competition_name(store: Store, competition_id: str, season: str) -> str:
    """The competition's name in ``season`` (:func:`remontada.competitions.season_name`)."""
    return season_name(store.competition(competition_id), season)


def _first_date(tie: Tie) -> dt.date | None:
    return tie.leg1.date if tie.leg1 is not None else None


def _day(value: Any) -> dt.date | None:
    if value is None:
        return None
    return value.date() if isinstance(value, dt.datetime) else value


def _from_record(store: Store, tie: Tie, names: dict[str, str]) -> StoredTie:
    notes: list[str] = []
    neutral = bool(tie.leg1 and tie.leg1.neutral)
    if tie.rules is not None:
        rules = tie.rules
    else:
        rules = _rules(tie.competition, tie.season, tie.stage, tie.round, 2, neutral, notes)
    if tie.issue and not tie.complete:
        notes.append(tie.issue)
    return StoredTie(
        competition=tie.competition,
        competition_name=_competition_name(store, tie.competition, tie.season),
        season=tie.season,
        stage=tie.stage,
        round=tie.round,
        team_a=tie.team_a,
        team_b=tie.team_b,
        name_a=names.get(tie.team_a, tie.name_a),
        name_b=names.get(tie.team_b, tie.name_b),
        rules=rules,
        leg1=tie.leg1,
        leg2=tie.leg2,
        record=tie,
        notes=tuple(notes),
    )


def _single(store: Store, row: dict[str, Any], names: dict[str, str]) -> StoredTie:
    notes: list[str] = []
    leg = leg_from_row(row)
    rules = _rules(row["competition_id"], row["season"], row["stage"], row["round"], 1, leg.neutral, notes)
    return StoredTie(
        competition=row["competition_id"],
        competition_name=_competition_name(store, row["competition_id"], row["season"]),
        season=row["season"],
        stage=row["stage"],
        round=row["round"],
        team_a=leg.home_id,
        team_b=leg.away_id,
        name_a=names[leg.home_id],
        name_b=names[leg.away_id],
        rules=rules,
        leg1=leg,
        notes=tuple(notes),
    )


def _not_found(
    store: Store, id1: str, id2: str, competition: str | None, season: str | None, round_label: str | None
) -> str:
    named = display_name(competition, season) if competition is not None else None
    asked = " ".join(x for x in (named, season, round_label) if x)
    met = pair_meetings(store, id1, id2, limit=8)
    pair = f"{store.club_name(id1)} and {store.club_name(id2)}"
    if not met:
        return f"the store has no match between {pair}; state the tie with --date (and --first-leg) to ask anyway"
    seen = "; ".join(
        f"{display_name(competition_id, season_)} {season_} ({stage})" for competition_id, season_, stage in met
    )
    return f"no knockout tie between {pair}{' in ' + asked if asked else ''}; the store has them meeting in: {seen}"


def unplayed_tie(
    store: Store,
    team1: str,
    team2: str,
    *,
    competition: str,
    date: dt.date,
    season: str | int | None = None,
    round: str | None = None,
) -> StoredTie:
    """A tie the store does not hold, stated by the caller: ``team1`` hosts the first leg (or, for
    a one-match round, is named first), rules from the competition, season (default: the season
    ``date`` falls in) and round. No leg is stored, so nothing is known but what is stated."""
    id1, id2 = store.resolve_club(team1), store.resolve_club(team2)
    if id1 == id2:
        raise errors.InvalidInput(f"{team1!r} and {team2!r} are the same club ({id1})", field="team2")
    comp = store.competition(competition)
    season_text = _season_text(season) or season_of(date)
    try:
        rules = rules_for(comp.id, season_text, normalise_round(round) if round else None)
    except LookupError as exc:
        raise TieNotFound(f"{exc}; cannot state a tie without the competition's rules") from None
    return StoredTie(
        competition=comp.id,
        competition_name=season_name(comp, season_text),
        season=season_text,
        stage="final" if round and normalise_round(round) == "final" else "knockout",
        round=round,
        team_a=id1,
        team_b=id2,
        name_a=store.club_name(id1),
        name_b=store.club_name(id2),
        rules=rules,
        leg1=None,
        notes=("the store does not hold this tie: it is as stated",),
    )


# ---- the state on a date ------------------------------------------------------------------------
def _played_before(leg: Leg | None, as_of: dt.date) -> bool:
    return (
        leg is not None
        and leg.date is not None
        and leg.date < as_of
        and leg.status in ("played", "awarded")
        and leg.home_goals is not None
        and leg.away_goals is not None
    )


def default_as_of(tie: StoredTie, today: dt.date, *, first_leg_stated: bool = False) -> dt.date:
    """The morning the forecast is made by default (ISO date).

    Two legs: the morning of the second leg once the first has been played (before ``today``)
    or is stated, else the morning of the first leg. One match: its morning. A leg the store has
    no date for is replaced by ``today``.
    """
    first, second = tie.leg1, tie.leg2
    if tie.rules.legs == 2 and (first_leg_stated or _played_before(first, today)):
        return second.date if second is not None and second.date is not None else today
    return first.date if first is not None and first.date is not None else today


def _swapped(leg: Leg | None) -> Leg | None:
    """The same match with the other club at home, each club keeping its goals."""
    if leg is None:
        return None
    return dataclasses.replace(
        leg,
        home_id=leg.away_id,
        away_id=leg.home_id,
        home_goals=leg.away_goals,
        away_goals=leg.home_goals,
        aet_home=leg.aet_away,
        aet_away=leg.aet_home,
        pen_home=leg.pen_away,
        pen_away=leg.pen_home,
    )


def tie_state(
    tie: StoredTie,
    *,
    as_of: dt.date | str | None = None,
    today: dt.date | None = None,
    first_leg: tuple[int, int] | None = None,
    first_leg_host: str | None = None,
    rule_changes: Mapping[str, Any] | None = None,
) -> TieState:
    """What was known on the morning of ``as_of`` (default: :func:`default_as_of` with ``today``).

    Hypotheticals: ``first_leg_host`` (a club id of the tie) hosts the first leg, each club keeping
    the goals it scored in the stored legs; ``first_leg`` = the first leg's 90-minute score with its
    home side first (for one match: the match's score is not stated, use ``as_of``);
    ``rule_changes`` replaces fields of the rules (:data:`RULE_FIELDS`).
    """
    today = today or dt.date.today()
    day = dt.date.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    hypothetical: list[str] = []
    team_a, team_b, name_a, name_b = tie.team_a, tie.team_b, tie.name_a, tie.name_b
    leg1, leg2 = tie.leg1, tie.leg2
    if first_leg_host is not None and first_leg_host not in (team_a, team_b):
        raise ValueError(f"{first_leg_host} is not in the tie {team_a} v {team_b}")
    if first_leg_host == team_b:
        team_a, team_b, name_a, name_b = team_b, team_a, name_b, name_a
        leg1, leg2 = _swapped(leg1), _swapped(leg2)
        where = "the first leg" if tie.rules.legs == 2 else "the match"
        hypothetical.append(f"{name_a} host {where} (each club keeps the goals it scored)")
    rules = tie.rules
    if rule_changes:
        unknown = sorted(set(rule_changes) - set(RULE_FIELDS))
        if unknown:
            raise ValueError(f"cannot change rule field(s) {', '.join(unknown)}; choose from {', '.join(RULE_FIELDS)}")
        changed = {k: v for k, v in rule_changes.items() if getattr(rules, k) != v}
        if changed:
            rules = dataclasses.replace(rules, **changed)
            hypothetical.append(f"rules changed: {rules.describe()}")
    if first_leg is not None:
        if rules.legs != 2:
            raise ValueError("a first-leg score only applies to a two-legged tie; this is a single match")
        if len(first_leg) != 2 or min(first_leg) < 0:
            raise ValueError(f"a first-leg score is two non-negative numbers of goals, got {first_leg}")
        hypothetical.append(f"first leg {name_a} {first_leg[0]}-{first_leg[1]} {name_b}")
    usual = default_as_of(
        dataclasses.replace(tie, leg1=leg1, leg2=leg2, rules=rules), today, first_leg_stated=first_leg is not None
    )
    if day is None:
        day = usual
    elif day != usual:
        hypothetical.append(f"forecast as of {day.isoformat()} (usually {usual.isoformat()})")
    known_first: tuple[int, int] | None = None
    known_second: tuple[int, int] | None = None
    if first_leg is not None:
        known_first = (int(first_leg[0]), int(first_leg[1]))
    elif _played_before(leg1, day):
        assert leg1 is not None
        known_first = (leg1.home_goals, leg1.away_goals)  # type: ignore[assignment]
    if rules.legs == 2 and first_leg is None and known_first is not None and _played_before(leg2, day):
        assert leg2 is not None
        known_second = (leg2.home_goals, leg2.away_goals)  # type: ignore[assignment]
    notes = list(tie.notes)
    unscored = leg1 is not None and leg1.date is not None and leg1.date < day
    if rules.legs == 2 and first_leg is None and known_first is None and unscored:
        assert leg1 is not None and leg1.date is not None
        notes.append(f"the first leg ({leg1.date.isoformat()}) has no score in the store")
    return TieState(
        tie=tie,
        as_of=day,
        team_a=team_a,
        team_b=team_b,
        name_a=name_a,
        name_b=name_b,
        rules=rules,
        leg1=leg1,
        leg2=leg2,
        first_leg=known_first,
        second_leg=known_second,
        hypothetical=tuple(hypothetical),
        notes=tuple(notes),
    )


def record_of(state: TieState) -> str | None:
    """How the stored tie ended, in words (``None`` when the store does not have it complete)."""
    record = state.tie.record
    if record is not None:
        return record.describe() if record.complete else None
    leg = state.tie.leg1
    if state.rules.legs == 1 and leg is not None and leg.scored:
        return f"{state.tie.name_a} {leg.score_text()} {state.tie.name_b}"
    return None


__all__ = [
    "RULE_FIELDS",
    "Phase",
    "StoredTie",
    "TieNotFound",
    "TieState",
    "default_as_of",
    "find_tie",
    "record_of",
    "season_of",
    "tie_state",
    "unplayed_tie",
]
