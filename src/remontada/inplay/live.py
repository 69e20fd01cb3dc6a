"""The live question as the store can answer it: which match is being played, is it a tie leg, and
what does the in-play model say from here.

:func:`find_live_match` turns two club names (and optionally a date, a competition, a first-leg
score) into a :class:`LiveMatch`: the stored fixture between them, the competition's knockout
rules and, for a second leg, the first leg's score. :func:`live_forecast` then answers for a
minute, a score and red cards, from the two sides' pre-match expected goals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from remontada.competitions import display_name
from remontada.grid import ScoreGrid
from remontada.inplay.model import GoalHistory, InplayModel, MatchClock, match_lead, second_leg_lead
from remontada.kernels import shift_scores
from remontada.penalties import ShootoutModel
from remontada.rules import TieRules, round_name, rules_for
from remontada.store.inplay import latest_fixture, reverse_fixture_before
from remontada.store.reader import Store
from remontada.ties.engine import TieForecast, forecast_live_from_rates


@dataclass(frozen=True)
class LiveMatch:
    """A match being played, as far as the store knows it.

    ``first_leg`` is the first leg's score as that match was written, i.e. (this match's away
    side's goals, this match's home side's goals); ``None`` when this is not a second leg.
    ``rules`` are the knockout rules (two legs for a second leg, one for a one-match knockout);
    ``None`` for a league match.
    """

    home_id: str
    away_id: str
    home: str
    away: str
    date: dt.date
    competition: str | None = None
    season: str | None = None
    round: str | None = None
    neutral: bool = False
    first_leg: tuple[int, int] | None = None
    rules: TieRules | None = None
    match_id: int | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def is_tie(self) -> bool:
        return self.rules is not None

    def describe(self) -> str:
        parts = [f"{self.home} v {self.away}", self.date.isoformat()]
        if self.competition:
            words = (display_name(self.competition, self.season or self.date), self.season, round_name(self.round))
            parts.append(" ".join(p for p in words if p))
        if self.first_leg is not None:
            parts.append(f"second leg; first leg {self.away} {self.first_leg[0]}-{self.first_leg[1]} {self.home}")
        return ", ".join(parts)


def _score(text: str | tuple[int, int] | None) -> tuple[int, int] | None:
    if text is None or isinstance(text, tuple):
        return text
    parts = text.replace(":", "-").split("-")
    if len(parts) != 2 or not all(p.strip().isdigit() for p in parts):
        raise ValueError(f"a score is written like 0-3, got {text!r}")
    return int(parts[0]), int(parts[1])


def parse_score(text: str) -> tuple[int, int]:
    """``"0-3"`` (or ``"0:3"``) -> ``(0, 3)``."""
    score = _score(text)
    assert score is not None
    return score


def find_live_match(
    store: Store,
    home: str,
    away: str,
    *,
    date: str | dt.date | None = None,
    competition: str | None = None,
    first_leg: str | tuple[int, int] | None = None,
) -> LiveMatch:
    """The fixture ``home`` v ``away`` (club names or ids) on ``date`` (default: their latest
    stored meeting with ``home`` at home, else today), with its tie context.

    A second leg is recognised by ``first_leg`` or by a stored match of the same competition and
    season with the sides swapped, earlier and within 70 days (leg 1 when legs are recorded).
    """
    home_id, away_id = store.resolve_club(home), store.resolve_club(away)
    notes: list[str] = []
    rows = latest_fixture(
        store,
        home_id,
        away_id,
        date=date,
        competition_id=store.competition(competition).id if competition is not None else None,
    )
    given_leg = _score(first_leg)
    if len(rows):
        row = rows.iloc[0]
        day = row["date"].date()
        comp, season, round_ = row["competition_id"], row["season"], row["round"]
        neutral, match_id = bool(row["neutral"]), int(row["match_id"])
    else:
        day = dt.date.fromisoformat(str(date)) if date is not None else dt.date.today()
        comp = store.competition(competition).id if competition is not None else None
        season = round_ = None
        neutral, match_id = False, None
        notes.append("fixture not in the store: no competition context beyond what was given")
    leg1 = given_leg
    if leg1 is None and comp is not None and season is not None:
        earlier = reverse_fixture_before(store, comp, season, home_id, away_id, day)
        if len(earlier) and (pd.isna(earlier.iloc[0]["leg"]) or int(earlier.iloc[0]["leg"]) == 1):
            leg1 = (int(earlier.iloc[0]["home_goals"]), int(earlier.iloc[0]["away_goals"]))
            notes.append(f"first leg found in the store ({earlier.iloc[0]['date'].date().isoformat()})")
    rules = _knockout_rules(comp, season, round_, two_legs=leg1 is not None, notes=notes)
    return LiveMatch(
        home_id=home_id,
        away_id=away_id,
        home=store.club_name(home_id),
        away=store.club_name(away_id),
        date=day,
        competition=comp,
        season=season,
        round=round_,
        neutral=neutral,
        first_leg=leg1,
        rules=rules,
        match_id=match_id,
        notes=tuple(notes),
    )


def _knockout_rules(
    competition: str | None, season: str | None, round_: str | None, *, two_legs: bool, notes: list[str]
) -> TieRules | None:
    """The rules of a knockout match, or ``None`` for a league match."""
    rules = None
    if competition is not None and season is not None:
        try:
            rules = rules_for(competition, season, round_)
        except (LookupError, ValueError):
            rules = None
    if two_legs:
        if rules is None or rules.legs != 2:
            notes.append("no two-legged rules on record: extra time and penalties assumed, no away goals")
            return TieRules(legs=2)
        return rules
    if rules is not None and rules.legs == 1 and round_ is not None:
        return rules
    return None


@dataclass(frozen=True, eq=False)
class LiveForecast:
    """What happens from ``minute``: the match's final score and, for a tie, who goes through.

    ``rates`` are the pre-match expected goals per 90 minutes (home, away) of this match;
    ``remaining`` the goals still to come (home, away) and ``final`` the 90-minute score.
    """

    match: LiveMatch
    minute: MatchClock
    score: tuple[int, int]
    red_cards: tuple[int, int]
    rates: tuple[float, float]
    remaining: ScoreGrid
    final: ScoreGrid
    tie: TieForecast | None
    history: GoalHistory | None = None

    @property
    def last_goal(self) -> str | None:
        """The last goal the forecast was told of, as ``live --last-goal`` takes it (``"7 away"``,
        ``"none"``: no goal yet), or ``None`` when it was not told (the state's average rates)."""
        if self.history is None:
            return None
        if self.history.last_goal is None:
            return "none"
        return f"{self.history.last_goal} {'home' if self.history.home else 'away'}"

    def to_dict(self) -> dict[str, Any]:
        home_more, away_more = self.remaining.expected_goals()
        out: dict[str, Any] = {
            "match": self.match.describe(),
            "home": self.match.home,
            "away": self.match.away,
            "date": self.match.date.isoformat(),
            "competition": self.match.competition,
            "competition_name": display_name(self.match.competition, self.match.season or self.match.date),
            "minute": str(self.minute),
            "score": f"{self.score[0]}-{self.score[1]}",
            "red_cards": f"{self.red_cards[0]}-{self.red_cards[1]}",
            "last_goal": self.last_goal,
            "pre_match_rates": {"home": self.rates[0], "away": self.rates[1]},
            "result": {
                "home_win": self.final.home_win,
                "draw": self.final.draw,
                "away_win": self.final.away_win,
            },
            "expected_goals_to_come": {"home": home_more, "away": away_more},
            "goals_to_come": [
                {"home_more": h, "away_more": a, "probability": p} for (h, a), p in self.remaining.most_likely(10)
            ],
            "notes": list(self.match.notes),
        }
        if self.tie is not None:
            out["tie"] = self.tie.to_dict()
        return out


def live_forecast(
    match: LiveMatch,
    rates: tuple[float, float],
    *,
    minute: str | float | MatchClock,
    score: tuple[int, int] = (0, 0),
    red_cards: tuple[int, int] = (0, 0),
    model: InplayModel | None = None,
    shootout: ShootoutModel | None = None,
    remaining: ScoreGrid | None = None,
    history: GoalHistory | None = None,
) -> LiveForecast:
    """The in-play answer for ``match`` at ``minute`` with ``score`` and ``red_cards`` (home, away).

    ``model`` (default: the packaged fit) plays the added time of the match's season. ``remaining``: the
    goals to come (home, away) when the caller already has them (``model.remaining`` for this state and the
    match's lead rule, e.g. read off a :class:`~remontada.inplay.surface.FinalsSurface`). ``history``: the
    last goal so far, when known (the state then scores at its own rates until the next goal)."""
    model = (model or InplayModel()).for_date(match.date)
    clock = MatchClock.parse(minute)
    home_rate, away_rate = rates
    tie = None
    two_legs = match.rules is not None and match.rules.legs == 2
    if two_legs:
        assert match.first_leg is not None
        lead = second_leg_lead(match.first_leg, score, away_goals=match.rules.away_goals)  # type: ignore[union-attr]
    else:
        lead = match_lead(score)
    # the goals to come, computed once: the tie engine reads the same grid
    if remaining is None:
        remaining = model.remaining(
            home_rate, away_rate, minute=clock, score=score, red_cards=red_cards, lead=lead, history=history
        )
    if two_legs:
        assert match.rules is not None
        tie = forecast_live_from_rates(
            rates, score, minute=clock, rules=match.rules, first_leg=match.first_leg, red_cards=red_cards,
            model=model, shootout=shootout, teams=(match.away, match.home), on_unmodelled="even", remaining=remaining,
        )  # fmt: skip
    elif match.rules is not None:
        tie = forecast_live_from_rates(
            rates, score, minute=clock, rules=match.rules, red_cards=red_cards, model=model, shootout=shootout,
            teams=(match.home, match.away), on_unmodelled="even", remaining=remaining,
        )  # fmt: skip
    final = ScoreGrid(shift_scores(remaining.probs, *score))
    return LiveForecast(match, clock, score, red_cards, rates, remaining, final, tie, history)
