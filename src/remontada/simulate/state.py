"""Where a competition stands on a date, read from the store: results in, fixtures and ties to come.

Everything played strictly before ``as_of`` is a result; everything on or after it is a
fixture, whatever the store says happened (the store is historical, so a simulation "on the
eve of the quarter-finals" ignores the quarter-final scores it holds). What the store knows
of *later* fixtures is used only for their structure, and only where that structure was
public on the date:

* a round's pairings are taken as known once the round before it is complete (UEFA draws
  follow within days of the last match of a round);
* the later rounds of a bracket drawn in advance (UEFA's joint quarter-final/semi-final/final
  draws in 2011-12, 2012-13 and from 2018-19; from 2024-25 the round-of-16 draw fixes the rest)
  are read off the store's fixtures: which tie's winner meets which, and who hosts first;
* any other round still to be drawn is drawn in the simulation: an open draw, or seeded
  entrants (e.g. group winners) against the previous round's winners, with country and group
  protection before the quarter-finals where UEFA applied it (until 2023-24);
* a UEFA league phase (from 2024-25) still in progress is simulated with its bracket
  (:mod:`remontada.simulate.league_phase`).

Rows without a date (an unmerged duplicate from a source that lists finals without dates)
and abandoned, postponed, cancelled or annulled matches are left out; their replays are
separate rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from remontada.competitions import Competition
from remontada.errors import InvalidInput
from remontada.rules import TieRules, normalise_round, rules_for, season_label, season_start_year
from remontada.simulate.group_stage import GroupStage
from remontada.simulate.knockout import ROUND_ORDER, Bracket, KnownTie, Pairing, Round, round_name
from remontada.simulate.league import LeagueState, TableRules, accumulate, rank, table_rules_for
from remontada.simulate.league_phase import league_phase_bracket

Kind = Literal["league", "knockout", "league_phase", "group_stage"]
_SKIPPED_STATUSES = ("abandoned", "postponed", "cancelled", "annulled")
_KNOCKOUT_STAGES = ("playoff", "knockout", "final")
#: Competitions and seasons whose later rounds were drawn together with an earlier one:
#: {round drawn: rounds whose pairings that draw fixed}.
_JOINT_DRAWS: tuple[tuple[str, int, int | None, dict[str, tuple[str, ...]]], ...] = (
    ("uefa.cl", 2011, 2012, {"qf": ("sf", "final")}),
    ("uefa.el", 2011, 2012, {"qf": ("sf", "final")}),
    ("uefa.cl", 2018, 2023, {"qf": ("sf", "final")}),
    ("uefa.el", 2018, 2023, {"qf": ("sf", "final")}),
    ("uefa.ecl", 2021, 2023, {"qf": ("sf", "final")}),
    ("uefa.cl", 2024, None, {"r16": ("qf", "sf", "final")}),
    ("uefa.el", 2024, None, {"r16": ("qf", "sf", "final")}),
    ("uefa.ecl", 2024, None, {"r16": ("qf", "sf", "final")}),
)


class StateError(InvalidInput):
    """The store cannot say where the competition stands (missing or inconsistent matches)."""


@dataclass(frozen=True, eq=False)
class CompetitionState:
    """A competition on a date, ready to simulate.

    ``league`` is set for a league or a league phase, ``groups`` for a group stage, ``bracket``
    for a knockout or the bracket after a league phase or group stage. ``notes`` record every
    assumption made reading the store.
    """

    competition: Competition
    season: str
    as_of: dt.date
    kind: Kind
    teams: tuple[str, ...]
    names: dict[str, str]
    league: LeagueState | None = None
    bracket: Bracket | None = None
    groups: GroupStage | None = None
    start: str | None = None
    notes: list[str] = field(default_factory=list)

    def name(self, team: int | str) -> str:
        club = self.teams[team] if isinstance(team, int | np.integer) else team
        return self.names.get(club, club)


def _as_date(value: str | dt.date) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


#: Two listings of one fixture (same clubs, same score) this close are one match under two dates.
_SAME_MATCH_DAYS = 14


def _clean(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    undated = frame["date"].isna()
    if undated.any():
        notes.append(f"left out {int(undated.sum())} match row(s) without a date (duplicates from a finals list)")
    frame = frame[~undated & ~frame["status"].isin(_SKIPPED_STATUSES)].copy()
    frame["day"] = pd.to_datetime(frame["date"]).dt.date
    return _drop_double_listings(frame, notes)


def _drop_double_listings(frame: pd.DataFrame, notes: list[str]) -> pd.DataFrame:
    """Keep one row of a match the store lists twice under dates a few days apart (a source
    that kept the original date of a rescheduled match): the row more sources agree on."""
    ordered = frame.sort_values(["home_id", "away_id", "day", "match_id"])
    same_pair = (ordered["home_id"] == ordered["home_id"].shift()) & (ordered["away_id"] == ordered["away_id"].shift())
    close = (pd.to_datetime(ordered["day"]) - pd.to_datetime(ordered["day"].shift())).dt.days <= _SAME_MATCH_DAYS
    same_score = (ordered["home_goals"].fillna(-1) == ordered["home_goals"].shift().fillna(-1)) & (
        ordered["away_goals"].fillna(-1) == ordered["away_goals"].shift().fillna(-1)
    )
    second = (same_pair & close & same_score).to_numpy()
    if not second.any():
        return frame
    drop = []
    rows = ordered.reset_index()
    for i in np.flatnonzero(second):
        earlier, later = rows.iloc[i - 1], rows.iloc[i]
        loser = earlier if earlier["n_sources"] < later["n_sources"] else later
        drop.append(loser["index"])
        notes.append(
            f"{earlier['home']} v {earlier['away']} is listed on {earlier['day']} and {later['day']}; "
            f"kept {later['day'] if loser is earlier else earlier['day']} (more sources)"
        )
    return frame.drop(index=drop)


def _check_results(frame: pd.DataFrame, as_of: dt.date) -> None:
    past = frame[frame["day"] < as_of]
    missing = past[past["home_goals"].isna() | past["away_goals"].isna()]
    if len(missing):
        row = missing.iloc[0]
        raise StateError(
            f"{len(missing)} match(es) before {as_of} have no score, e.g. {row['day']} {row['home']} v {row['away']} "
            f"(match {row['match_id']}, status {row['status']})"
        )


# ---- leagues ---------------------------------------------------------------------------------------


def league_state(
    frame: pd.DataFrame,
    as_of: dt.date,
    rules: TableRules,
    *,
    deductions: dict[str, int] | None = None,
    check_balance: bool = True,
) -> LeagueState:
    """A :class:`LeagueState` from league matches (columns ``day``, ``home_id``, ``away_id``,
    ``home_goals``, ``away_goals``): results before ``as_of``, fixtures from it on.

    ``check_balance`` requires every club to have the same number of matches in all (true of
    round robins, split leagues included); a store that splits one club into two ids fails it.
    """
    teams = tuple(sorted(set(frame["home_id"]) | set(frame["away_id"])))
    index = {t: i for i, t in enumerate(teams)}
    if check_balance:
        games = pd.concat([frame["home_id"], frame["away_id"]]).value_counts()
        if games.nunique() > 1:
            usual = int(games.mode().iloc[0])
            odd = ", ".join(f"{t} ({n})" for t, n in games[games != usual].items())
            raise StateError(
                f"clubs have unequal numbers of league matches (most have {usual}): {odd}; the store may list one "
                "club under two ids or miss matches"
            )
    past = frame[frame["day"] < as_of]
    future = frame[frame["day"] >= as_of]
    points_off = np.zeros(len(teams), dtype=np.int64)
    for club, points in (deductions or {}).items():
        if club not in index:
            raise StateError(f"a deduction names {club}, which does not play in this league")
        points_off[index[club]] += int(points)
    return LeagueState(
        teams,
        past["home_id"].map(index).to_numpy(),
        past["away_id"].map(index).to_numpy(),
        past["home_goals"].to_numpy(dtype=np.int64),
        past["away_goals"].to_numpy(dtype=np.int64),
        future["home_id"].map(index).to_numpy(),
        future["away_id"].map(index).to_numpy(),
        rules=rules,
        deductions=points_off,
    )


def standings(state: LeagueState, names: dict[str, str] | None = None) -> pd.DataFrame:
    """The table from the results in (no simulation): position, club, played, W-D-L, goals, points.

    Ranked by the league's rules; clubs level on every criterion are listed by lots (seeded).
    """
    no_fixtures = np.zeros(0, np.int64)
    stats = accumulate(
        replace(state, fixtures_home=no_fixtures, fixtures_away=no_fixtures), None, np.random.default_rng(0), 1
    )
    order = rank(stats, state.rules, np.random.default_rng(0), _meetings(state))[0]
    k = state.n_teams
    home, away = state.played_home, state.played_away
    hg, ag = state.played_home_goals, state.played_away_goals

    def count(mask_home: np.ndarray, mask_away: np.ndarray) -> np.ndarray:
        return np.bincount(home[mask_home], minlength=k) + np.bincount(away[mask_away], minlength=k)

    won, drawn, lost = count(hg > ag, ag > hg), count(hg == ag, hg == ag), count(hg < ag, ag < hg)
    goals_for = np.bincount(home, hg, minlength=k) + np.bincount(away, ag, minlength=k)
    goals_against = np.bincount(home, ag, minlength=k) + np.bincount(away, hg, minlength=k)
    rows = []
    for position, team in enumerate(order, start=1):
        rows.append(
            {
                "position": position,
                "club_id": state.teams[team],
                "club": (names or {}).get(state.teams[team], state.teams[team]),
                "played": int(won[team] + drawn[team] + lost[team]),
                "won": int(won[team]),
                "drawn": int(drawn[team]),
                "lost": int(lost[team]),
                "goals_for": int(goals_for[team]),
                "goals_against": int(goals_against[team]),
                "goal_difference": int(goals_for[team] - goals_against[team]),
                "points": int(stats.points[team, 0]),
                "deducted": int(state.deductions[team]),
            }
        )
    return pd.DataFrame(rows)


def _meetings(state: LeagueState) -> np.ndarray:
    meetings = np.zeros((state.n_teams, state.n_teams), dtype=np.int64)
    home = np.concatenate([state.played_home, state.fixtures_home])
    away = np.concatenate([state.played_away, state.fixtures_away])
    np.add.at(meetings, (home, away), 1)
    return meetings + meetings.T


# ---- knockout ties ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Tie:
    """A tie read from the store: A hosts the first leg; legs in date order."""

    key: str
    a: str
    b: str
    legs: tuple[Any, ...]  # pandas rows

    def first_leg_before(self, as_of: dt.date) -> tuple[int, int] | None:
        leg = self.legs[0]
        if len(self.legs) == 2 and leg["day"] < as_of:
            return int(leg["home_goals"]), int(leg["away_goals"])
        return None

    def over_before(self, as_of: dt.date) -> bool:
        return all(leg["day"] < as_of for leg in self.legs)

    def winner(self, away_goals: bool) -> str:
        """Who went through, from the recorded scores (90 minutes, extra time, penalties)."""
        last = self.legs[-1]
        if pd.notna(last.get("tie_winner_id")):
            return str(last["tie_winner_id"])
        if pd.notna(last["pen_home"]) and pd.notna(last["pen_away"]) and last["pen_home"] != last["pen_away"]:
            return str(last["home_id"] if last["pen_home"] > last["pen_away"] else last["away_id"])
        last_home = last["aet_home"] if pd.notna(last["aet_home"]) else last["home_goals"]
        last_away = last["aet_away"] if pd.notna(last["aet_away"]) else last["away_goals"]
        if len(self.legs) == 1:
            if last_home != last_away:
                return str(last["home_id"] if last_home > last_away else last["away_id"])
            raise StateError(f"cannot tell who won {self.a} v {self.b} ({self.key}): level with no shoot-out recorded")
        first = self.legs[0]
        a_total = int(first["home_goals"]) + int(last_away)
        b_total = int(first["away_goals"]) + int(last_home)
        if a_total != b_total:
            return self.a if a_total > b_total else self.b
        if away_goals and int(last_away) != int(first["away_goals"]):
            return self.a if int(last_away) > int(first["away_goals"]) else self.b
        raise StateError(f"cannot tell who won {self.a} v {self.b} ({self.key}): level on aggregate, no shoot-out")


def _ties(frame: pd.DataFrame) -> dict[str, list[_Tie]]:
    """Knockout ties by round key, in the order of their first legs."""
    out: dict[str, list[_Tie]] = {}
    for key, rows in frame.groupby("round_key", sort=False):
        grouped: dict[frozenset[str], list[Any]] = {}
        for _, row in rows.sort_values(["day", "match_id"]).iterrows():
            grouped.setdefault(frozenset((row["home_id"], row["away_id"])), []).append(row)
        ties = []
        for legs in grouped.values():
            if len(legs) > 2:
                raise StateError(f"{len(legs)} matches between {legs[0]['home']} and {legs[0]['away']} in {key}")
            ties.append(_Tie(str(key), str(legs[0]["home_id"]), str(legs[0]["away_id"]), tuple(legs)))
        out[str(key)] = sorted(ties, key=lambda t: (t.legs[0]["day"], t.legs[0]["match_id"]))
    return out


def _joint_draw(competition: str, year: int) -> dict[str, tuple[str, ...]]:
    for comp, first, last, draws in _JOINT_DRAWS:
        if comp == competition and year >= first and (last is None or year <= last):
            return draws
    return {}


def _fixed_by_draw(competition: str, year: int, drawn: str) -> tuple[str, ...]:
    return _joint_draw(competition, year).get(drawn, ())


def _known_ties(ties: list[_Tie], index: dict[str, int], as_of: dt.date, rules: TieRules) -> tuple[KnownTie, ...]:
    known = []
    for tie in ties:
        if len(tie.legs) != rules.legs:
            raise StateError(
                f"{tie.a} v {tie.b} ({round_name(tie.key)}) has {len(tie.legs)} match(es) in the store, "
                f"but the round is played over {rules.legs}"
            )
        winner = index[tie.winner(rules.away_goals)] if tie.over_before(as_of) else None
        known.append(KnownTie(index[tie.a], index[tie.b], tie.first_leg_before(as_of), winner))
    return tuple(known)


def _bracket_slots(previous: list[_Tie], ties: list[_Tie]) -> tuple[tuple[int, ...], list[str]] | None:
    """Slots of a round whose pairings follow from the store: each club comes from the tie of
    the previous round it played in (that tie's winner), or enters at this round. ``None``
    if the store's fixtures do not fit a bracket."""
    source = {club: k for k, tie in enumerate(previous) for club in (tie.a, tie.b)}
    entrants: list[str] = []
    slots: list[int] = []
    used: set[int] = set()
    for tie in ties:
        for club in (tie.a, tie.b):
            k = source.get(club)
            if k is None:
                entrants.append(club)
                slots.append(-len(entrants))  # resolved once the number of winners is known
            elif k in used:
                return None
            else:
                used.add(k)
                slots.append(k)
    if len(used) != len(previous):
        return None
    resolved = tuple(len(previous) - s - 1 if s < 0 else s for s in slots)
    return resolved, entrants


def _group_labels(frame: pd.DataFrame) -> dict[str, str]:
    """Each club's group in the group stage: the clubs its group matches connect it to
    (sources label rows by group or by matchday, so the fixtures are the evidence). A group is
    named by its source label when all its rows carry the same ``Group X``, else by its first club."""
    groups = frame[frame["stage"] == "group"]
    parent: dict[str, str] = {}

    def root(club: str) -> str:
        while parent.setdefault(club, club) != club:
            parent[club] = parent[parent[club]]
            club = parent[club]
        return club

    for home, away in zip(groups["home_id"].astype(str), groups["away_id"].astype(str), strict=True):
        parent[root(home)] = root(away)
    members: dict[str, list[str]] = {}
    for club in parent:
        members.setdefault(root(club), []).append(club)
    display = dict(zip(groups["home_id"].astype(str), groups["home"].astype(str), strict=True))
    labels: dict[str, str] = {}
    for clubs in members.values():
        rows = groups[groups["home_id"].isin(clubs)]
        rounds = set(rows["round"].astype(str))
        if len(rounds) == 1 and next(iter(rounds)).startswith("Group"):
            label = rounds.pop()
        else:
            label = "Group of " + min(display.get(c, c) for c in clubs)
        labels.update(dict.fromkeys(clubs, label))
    return labels


def _drawn_round(
    key: str, competition: str, year: int, n_winners: int, entrants: list[str], notes: list[str], season: str
) -> Pairing:
    """The pairing of a round drawn in the simulation (UEFA draws until 2023-24)."""
    protected: tuple[Any, ...] = ("country", "group") if key in ("po", "r32", "r16") and year <= 2023 else ()
    if not entrants:
        n_ties = n_winners // 2
        rules = rules_for(competition, season, key)
        if n_ties == 1 and rules.legs == 1 and rules.neutral_venue:
            return Pairing.fixed(1)  # a final at a neutral venue: nothing left to draw
        notes.append(
            f"{round_name(key)}: open draw simulated"
            + (" with country and group protection" if protected else " (no seeding, no country protection)")
        )
        return Pairing.open_draw(n_ties, forbid=protected)
    if len(entrants) != n_winners:
        raise StateError(f"{round_name(key)}: {len(entrants)} entrants and {n_winners} winners cannot be drawn")
    # Entrants (e.g. group winners) are seeded and host the second leg; winners are drawn against them.
    slots = tuple(p for k in range(n_winners) for p in (k, n_winners + k))
    notes.append(
        f"{round_name(key)}: seeded draw simulated (clubs entering at this round host the second leg"
        + (", no club meets one of its own country or group)" if protected else ")")
    )
    return Pairing(slots, shuffle=(tuple(range(n_winners)),), forbid=protected)


# ---- reading a competition ---------------------------------------------------------------------------


def read_state(
    store: Any,
    competition: str,
    season: str,
    as_of: str | dt.date,
    *,
    start: str | None = None,
    deductions: dict[str, int] | None = None,
) -> CompetitionState:
    """Where ``competition`` stands in ``season`` on the morning of ``as_of`` (ISO date).

    ``start``: the first knockout round to simulate (``"quarter-finals"``, ``"qf"``...); by
    default the first one not finished before the date. ``deductions``: points taken off
    clubs in a league, by club name or id.
    """
    comp = store.competition(competition)
    label = season_label(season_start_year(season))
    day = _as_date(as_of)
    notes: list[str] = []
    frame = store.matches(competition=comp.id, season=label)
    if frame.empty:
        raise StateError(f"the store has no {comp.name} matches in {label}")
    frame = _clean(frame, notes)
    names = {
        **dict(zip(frame["home_id"], frame["home"], strict=True)),
        **dict(zip(frame["away_id"], frame["away"], strict=True)),
    }
    resolved = {store.resolve_club(k) if k not in names else k: v for k, v in (deductions or {}).items()}
    if comp.kind == "league":
        if start is not None:
            raise StateError("--from names a knockout round; a league is simulated from the date on")
        league = frame[frame["stage"].isna() | (frame["stage"] == "league")]
        _check_results(league, day)
        state = league_state(league, day, table_rules_for(comp.id, label), deductions=resolved)
        if resolved:
            notes.append("points deductions: " + ", ".join(f"{names.get(c, c)} -{p}" for c, p in resolved.items()))
        return CompetitionState(comp, label, day, "league", state.teams, names, league=state, notes=notes)
    if resolved:
        raise StateError("points deductions apply to league tables only")
    return _read_cup(store, comp, label, day, frame, names, start, notes)


def _read_cup(
    store: Any,
    comp: Competition,
    label: str,
    day: dt.date,
    frame: pd.DataFrame,
    names: dict[str, str],
    start: str | None,
    notes: list[str],
) -> CompetitionState:
    year = season_start_year(label)
    start_key = normalise_round(start) if start else None
    phase = frame[frame["stage"] == "league"]
    knockout = frame[frame["stage"].isin(_KNOCKOUT_STAGES)].copy()
    knockout["round_key"] = knockout["round"].map(lambda r: normalise_round(str(r)))
    unknown = sorted(set(knockout["round_key"]) - set(ROUND_ORDER))
    if unknown:
        raise StateError(f"unknown knockout round(s) {unknown} in {comp.name} {label}")
    _check_results(pd.concat([phase, knockout]), day)
    by_round = _ties(knockout)
    keys = [k for k in ROUND_ORDER if k in by_round]
    if len(phase) and year >= 2024:
        phase_over = not (phase["day"] >= day).any()
        playoffs_over = "po" in by_round and not _round_open(by_round, "po", day)
        if start_key == "league" or (start_key in (None, "po") and not (phase_over and playoffs_over)):
            return _read_league_phase(store, comp, label, day, phase, by_round, names, notes)
        if not phase_over:
            raise StateError(f"the league phase is not over on {day}; simulate from it (leave out --from)")
    if not keys:
        raise StateError(f"the store has no knockout rounds of {comp.name} {label}")
    if start_key == "group":
        start_key = keys[0]
    if start_key is None:
        open_rounds = [k for k in keys if _round_open(by_round, k, day)]
        if not open_rounds:
            raise StateError(f"{comp.name} {label} was over before {day}: nothing to simulate")
        start_key = open_rounds[0]
    if start_key not in keys:
        raise StateError(f"{comp.name} {label} has no round {start_key!r} in the store; rounds: {', '.join(keys)}")
    first = keys.index(start_key)
    unfinished = [k for k in keys[:first] if _round_open(by_round, k, day)]
    if unfinished:
        raise StateError(f"the {round_name(unfinished[0])} round is not over on {day}; start from it instead")
    group_stage = frame[frame["stage"] == "group"]
    if len(group_stage) and (group_stage["day"] >= day).any():
        if first != 0:
            raise StateError(f"the group stage is not over on {day}; simulate from it (leave out --from)")
        return _read_group_stage(store, comp, label, day, frame, group_stage, by_round, keys, names, notes)
    return _knockout_state(store, comp, label, day, frame, by_round, keys, first, names, notes)


def _round_open(by_round: dict[str, list[_Tie]], key: str, day: dt.date) -> bool:
    return any(not tie.over_before(day) for tie in by_round.get(key, []))


def _teams_info(store: Any, teams: tuple[str, ...]) -> tuple[str | None, ...]:
    countries = []
    for club in teams:
        try:
            countries.append(store.club_info(club).country)
        except LookupError:
            countries.append(None)
    return tuple(countries)


def _completed_keys(keys: list[str], n_ties: int) -> list[str]:
    """``keys`` followed by the standard rounds the store does not list yet, up to the final."""
    keys = list(keys)
    while n_ties > 1:
        later = [k for k in ROUND_ORDER[ROUND_ORDER.index(keys[-1]) + 1 :] if k in _HALVING]
        if not later:
            raise StateError(f"cannot continue the bracket after {keys[-1]}")
        keys.append(later[0])
        n_ties //= 2
    return keys


_HALVING = ("r32", "r16", "qf", "sf", "final")


def _knockout_state(
    store: Any,
    comp: Competition,
    label: str,
    day: dt.date,
    frame: pd.DataFrame,
    by_round: dict[str, list[_Tie]],
    keys: list[str],
    first: int,
    names: dict[str, str],
    notes: list[str],
) -> CompetitionState:
    year = season_start_year(label)
    last_ties = len(by_round[keys[-1]])
    if keys[-1] != "final" or last_ties != 1:
        extended = _completed_keys(keys, last_ties)
        notes.append(f"the store lists no fixtures yet for: {', '.join(round_name(k) for k in extended[len(keys) :])}")
        keys = extended
    fixed: set[str] = set()  # rounds whose pairings an earlier draw already fixed
    drawn_ahead: set[str] = set()  # rounds whose pairings a draw simulated here fixes
    for key in keys[: first + 1]:
        fixed |= set(_fixed_by_draw(comp.id, year, key))
    clubs: list[str] = []
    seeds: list[int] = []
    rounds: list[Round] = []
    entrant_clubs: list[list[str]] = []
    pairings: list[Pairing] = []
    knowns: list[tuple[str, list[_Tie]] | None] = []
    for position, key in enumerate(keys[first:], start=first):
        ties = by_round.get(key, [])
        if position == first:
            entrants = [c for t in ties for c in (t.a, t.b)]
            pairing = Pairing.fixed(len(ties))
            knowns.append((key, ties))
            decided = sum(t.over_before(day) for t in ties)
            notes.append(f"{round_name(key)}: ties as drawn ({decided} of {len(ties)} decided before {day})")
        else:
            n_winners = pairings[-1].n_ties
            earlier_open = any(_round_open(by_round, k, day) for k in keys[first:position])
            drawn = not earlier_open or key in fixed
            previous = by_round.get(keys[position - 1], [])
            structure = _bracket_slots(previous, ties) if ties and previous else None
            if drawn and structure is not None:
                slots, entrants = structure
                pairing = Pairing(slots)
                knowns.append(None if earlier_open else (key, ties))
                how = "fixed by an earlier draw" if earlier_open else "as drawn"
                notes.append(f"{round_name(key)}: bracket {how}, read from the store's fixtures")
            else:
                seen = {c for t in previous for c in (t.a, t.b)}
                entrants = [c for t in ties for c in (t.a, t.b) if c not in seen]
                if key in drawn_ahead and not entrants:
                    # fixed by a draw the simulation makes for an earlier round: winners of ties
                    # 2k and 2k + 1 meet, the order of legs drawn too
                    n_ties = n_winners // 2
                    rules = rules_for(comp.id, label, key)
                    coins = () if rules.legs == 1 and rules.neutral_venue else tuple(range(n_ties))
                    pairing = Pairing(tuple(range(n_winners)), drawn_home=coins)
                    notes.append(f"{round_name(key)}: bracket made by the simulated earlier draw")
                else:
                    pairing = _drawn_round(key, comp.id, year, n_winners, entrants, notes, label)
                    drawn_ahead |= set(_fixed_by_draw(comp.id, year, key))
                knowns.append(None)
            if drawn:
                fixed |= set(_fixed_by_draw(comp.id, year, key))
        clubs += [c for c in entrants if c not in clubs]
        entrant_clubs.append(entrants)
        pairings.append(pairing)
    teams = tuple(clubs)
    index = {c: i for i, c in enumerate(teams)}
    for key, pairing, entrants, known in zip(keys[first:], pairings, entrant_clubs, knowns, strict=True):
        rules = rules_for(comp.id, label, key)
        first_seed = len(seeds)
        seeds += [index[c] for c in entrants]
        known_ties = _known_ties(known[1], index, day, rules) if known is not None else ()
        rounds.append(Round(key, rules, pairing, tuple(range(first_seed, len(seeds))), known_ties))
    bracket = Bracket(teams, tuple(rounds), tuple(seeds), _teams_info(store, teams), _group_labels_for(frame, teams))
    return CompetitionState(comp, label, day, "knockout", teams, names, bracket=bracket, start=keys[first], notes=notes)


def _group_labels_for(frame: pd.DataFrame, teams: tuple[str, ...]) -> tuple[str | None, ...]:
    labels = _group_labels(frame)
    return tuple(labels.get(t) for t in teams)


def _read_league_phase(
    store: Any,
    comp: Competition,
    label: str,
    day: dt.date,
    phase: pd.DataFrame,
    by_round: dict[str, list[_Tie]],
    names: dict[str, str],
    notes: list[str],
) -> CompetitionState:
    state = league_state(phase, day, table_rules_for(comp.id, label, "league"), check_balance=True)
    countries = _teams_info(store, state.teams)
    bracket = league_phase_bracket(state.teams, comp.id, label, countries)
    notes.append(f"league phase: {len(state.played_home)} results in, {state.n_remaining} matches to play")
    po = by_round.get("po", [])
    if state.n_remaining == 0 and len(po) == 8:  # the league phase is over, so the play-offs are drawn
        bracket = _with_known_playoffs(bracket, state, po, day, notes)
    else:
        notes.append("knockout draws simulated: league places paired 1/2 ... 23/24, one club of each pair per half")
    return CompetitionState(
        comp, label, day, "league_phase", state.teams, names, league=state, bracket=bracket, start="league", notes=notes
    )


def _with_known_playoffs(
    bracket: Bracket, state: LeagueState, po: list[_Tie], day: dt.date, notes: list[str]
) -> Bracket:
    """The league-phase bracket with the play-off ties the draw made (the league phase being over)."""
    stats = accumulate(state, None, np.random.default_rng(0), 1)
    order = rank(stats, state.rules, np.random.default_rng(0), _meetings(state))[0]
    place = {state.teams[t]: p for p, t in enumerate(order, start=1)}
    index = {c: i for i, c in enumerate(state.teams)}
    ties_by_slot: dict[int, _Tie] = {}
    for tie in po:
        seeded = min(place[tie.a], place[tie.b])
        pair = (seeded - 9) // 2
        if not 0 <= pair < 4:
            raise StateError(f"play-off {tie.a} v {tie.b} does not involve a club placed 9-16")
        slot = pair if pair not in ties_by_slot else pair + 4
        ties_by_slot[slot] = tie
    if sorted(ties_by_slot) != list(range(8)):
        raise StateError("the store's play-off ties do not match the league-phase pairs 9/10 ... 15/16")
    # Pool position p of the play-off round is league place 9 + p.
    slots: list[int] = []
    known: list[KnownTie] = []
    for k in range(8):
        tie = ties_by_slot[k]
        slots += [place[tie.a] - 9, place[tie.b] - 9]
        rules = bracket.rounds[0].rules
        winner = index[tie.winner(rules.away_goals)] if tie.over_before(day) else None
        known.append(KnownTie(index[tie.a], index[tie.b], tie.first_leg_before(day), winner))
    playoffs = replace(bracket.rounds[0], pairing=Pairing(tuple(slots)), known=tuple(known))
    notes.append("knockout play-offs: ties as drawn (read from the store); later draws simulated")
    return replace(bracket, rounds=(playoffs, *bracket.rounds[1:]))


def _read_group_stage(
    store: Any,
    comp: Competition,
    label: str,
    day: dt.date,
    frame: pd.DataFrame,
    group_stage: pd.DataFrame,
    by_round: dict[str, list[_Tie]],
    keys: list[str],
    names: dict[str, str],
    notes: list[str],
) -> CompetitionState:
    """Groups still being played, then a round-of-16 draw of winners against runners-up (UEFA
    Champions League 2003-04 .. 2023-24: no club meets one of its own group or country)."""
    year = season_start_year(label)
    labels = _group_labels(frame)
    by_group: dict[str, list[str]] = {}
    for club, group in sorted(labels.items(), key=lambda item: (item[1], item[0])):
        by_group.setdefault(group, []).append(club)
    n_groups = len(by_group)
    first_round = by_round.get(keys[0], []) if keys else []
    if comp.id != "uefa.cl" or keys[:1] != ["r16"] or n_groups != 8 or len(first_round) != 8:
        raise StateError(
            f"the group stage of {comp.name} {label} is not over on {day}; simulating it is supported for the "
            "Champions League format of eight groups feeding a round of 16 (2003-04 .. 2023-24); start later"
        )
    teams = tuple(club for clubs in by_group.values() for club in clubs)
    index = {club: i for i, club in enumerate(teams)}
    rules = table_rules_for(comp.id, label, "group")
    groups, members = [], []
    for clubs in by_group.values():
        rows = group_stage[group_stage["home_id"].isin(clubs)]
        groups.append(league_state(rows, day, rules))
        members.append(tuple(index[c] for c in groups[-1].teams))
    stage = GroupStage(teams, tuple(groups), tuple(members), tuple(by_group), advance=2)
    played = sum(len(g.played_home) for g in groups)
    notes.append(f"group stage: {played} results in, {sum(g.n_remaining for g in groups)} matches to play")
    notes.append(
        "Round of 16: seeded draw simulated (group winners host the second leg against runners-up of "
        "another group and another country)"
    )
    # Seeds 0..7: group winners, 8..15: runners-up (in group order); winners host the second leg.
    r16 = Pairing(
        tuple(p for g in range(n_groups) for p in (n_groups + g, g)),
        shuffle=(tuple(range(n_groups, 2 * n_groups)),),
        forbid=("country", "group"),
    )
    rounds = [Round("r16", rules_for(comp.id, label, "r16"), r16, entrants=tuple(range(2 * n_groups)))]
    drawn_ahead: set[str] = set()
    n_ties = 8
    for key in ("qf", "sf", "final"):
        round_rules = rules_for(comp.id, label, key)
        if key in drawn_ahead:
            coins = () if round_rules.legs == 1 and round_rules.neutral_venue else tuple(range(n_ties // 2))
            pairing = Pairing(tuple(range(n_ties)), drawn_home=coins)
        else:
            pairing = _drawn_round(key, comp.id, year, n_ties, [], notes, label)
            drawn_ahead |= set(_fixed_by_draw(comp.id, year, key))
        rounds.append(Round(key, round_rules, pairing))
        n_ties //= 2
    countries = _teams_info(store, teams)
    bracket = Bracket(teams, tuple(rounds), None, countries, tuple(labels[c] for c in teams))
    return CompetitionState(
        comp, label, day, "group_stage", teams, names, bracket=bracket, groups=stage, start="group", notes=notes
    )
