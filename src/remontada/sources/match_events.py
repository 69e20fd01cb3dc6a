"""Minute-by-minute match events of European leagues (schochastics/football-data ``goals_time2``).

One JSON file per league and season, ``{country}_{league}-{season}.json``: a list of matches ::

    {"league": "belgien_jupiler-league-2014-2015", "home": "rsc-charleroi", "away": "kv-mechelen",
     "GH": 2, "GA": 0, "date": "2015-05-31",
     "incident": {"incidents": [{"team": "home", "minute": "69'", "incident_type": "Goal",
                                 "player_name": "Marinos S.", "home_score": "1", "away_score": "0"},
                                {"team": "away", "minute": "90+1'", "incident_type": "Yellow Card", ...}],
                  "metadata": [...]}}

Top-five leagues 2000-01 .. 2024-25 and seven more (Belgium, Denmark, the Netherlands, Austria,
Poland, Portugal, Switzerland) 2014-15 .. 2024-25 (MANIFEST §9c). Teams are slugs
(``"rsc-charleroi"``): they become clubs by fixture alignment with the league files (same day,
same score; :mod:`remontada.ingest.clubs`), so every match is a :class:`MatchRecord` of its league
and season, and its incidents are :class:`MatchEvent` rows of the same match (``match_line``).

Reading the incidents:

* ``minute`` ``"42'"`` is minute 42; ``"90+3'"`` is minute 90 with 3 added (stored apart).
* ``Goal`` and ``Own goal`` change the score; ``team`` is the side credited (an own goal's
  ``team`` is the side that gains it). ``Penalty Awarded`` with a running score is a penalty
  scored; without one, in a match whose list writes running scores, a penalty missed; the lists
  of the early 2000s write no running scores, and there a ``Penalty Awarded`` is a penalty
  scored (the goal counts add up to the final scores that way). Entries whose minute is a bare number
  (``"3"``) after the match are shoot-out kicks and are left out.
* ``Red Card``, ``Yellow Card``, ``Substitution`` (and the rarer ``Substitution - In``/``- Out``),
  ``Goal Disallowed``; anything else is ``other``.

A match is *complete* when its goals add up to ``GH``-``GA``, every minute reads, nothing
happens after minute 90 plus added time, and it has at least one incident (an early file lists
no incident at all for most matches). Every other match is still a result of its league, but
its problem is written in the record's ``note`` and as a warning naming the file and the match
(:data:`PROBLEM_PREFIX`), and the in-play model does not learn from it.

``MatchRecord.line`` (and :class:`SourceError` ``line``) is the 1-based position of the match in
the file's list: the file is one line of JSON, so a text line would say nothing.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import orjson  # three times faster than json on these files: 0.7 s against 2.0 s for all 202 on one core

from remontada.sources.base import RemoteFile
from remontada.sources.records import SCORING_KINDS, MatchEvent, MatchRecord, ParsedFile, SourceError, TeamRef

KEY = "match-events"
COMMIT = "6ba5e7e8f8657b6ccdeb0e89778765423f8d5aaf"
BASE_URL = f"https://raw.githubusercontent.com/schochastics/football-data/{COMMIT}/"
MIRROR_PREFIX = f"schochastics/football-data/{COMMIT}/"
DIRECTORY = "data/goals_time2/"

#: File-name league key -> (competition id, country code of its clubs, first season's start year).
LEAGUES: dict[str, tuple[str, str, int]] = {
    "england_premier-league": ("eng.1", "ENG", 2000),
    "deutschland_bundesliga": ("ger.1", "GER", 2000),
    "spanien_la-liga": ("esp.1", "ESP", 2000),
    "italien_serie-a": ("ita.1", "ITA", 2000),
    "frankreich_ligue-1": ("fra.1", "FRA", 2000),
    "belgien_jupiler-league": ("bel.1", "BEL", 2014),
    "danemark_superliga": ("den.1", "DEN", 2014),
    "niederlande_eredivisie": ("ned.1", "NED", 2014),
    "osterreich_bundesliga": ("aut.1", "AUT", 2014),
    "polen_ekstraklasa": ("pol.1", "POL", 2014),
    "portugal_liga-portugal": ("por.1", "POR", 2014),
    "schweiz_super-league": ("sui.1", "SUI", 2014),
}
LAST_SEASON = 2024

#: Start of the ``note`` of a match whose events are not used (and of its warning).
PROBLEM_PREFIX = "events unusable: "

_MINUTE = re.compile(r"(\d{1,3})(?:\+(\d{1,2}))?'")
_SHOOTOUT = re.compile(r"\d{1,2}")
_NAME = re.compile(r"([a-z]+_[a-z0-9-]+?)-(\d{4})-(\d{4})\.json")
_KINDS = {
    "Goal": "goal",
    "Own goal": "own_goal",
    "Red Card": "red_card",
    "Yellow Card": "yellow_card",
    "Substitution": "substitution",
    "Substitution - In": "substitution",
    "Substitution - Out": "substitution",
    "Goal Disallowed": "goal_disallowed",
}
_SIDES = frozenset({"home", "away"})
#: Incidents that carry no minute of play (a squad note); skipped whatever their minute says.
_NOT_PLAYED = frozenset({"Not on pitch"})


def league_file(league: str, season_start: int) -> str:
    """The file name of ``league`` (a :data:`LEAGUES` key) in the season starting ``season_start``."""
    return f"{league}-{season_start}-{season_start + 1}.json"


class MatchEvents:
    """Goals, own goals, penalties, cards and substitutions with their minutes, 65,143 league matches."""

    key = KEY
    description = "minute-by-minute league match events (schochastics/football-data goals_time2), 2000-01..2024-25"

    def __init__(
        self, base_url: str = BASE_URL, leagues: list[str] | None = None, seasons: list[str] | None = None
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.leagues = list(LEAGUES) if leagues is None else leagues
        self.seasons = None if seasons is None else set(seasons)
        unknown = [k for k in self.leagues if k not in LEAGUES]
        if unknown:
            raise ValueError(f"unknown league(s) {', '.join(unknown)}; known: {', '.join(LEAGUES)}")

    def files(self) -> list[RemoteFile]:
        """One file per league and season (202 for all leagues and seasons)."""
        out = []
        for league in self.leagues:
            competition, _, first = LEAGUES[league]
            for start in range(first, LAST_SEASON + 1):
                season = f"{start}-{(start + 1) % 100:02d}"
                if self.seasons is not None and season not in self.seasons:
                    continue
                path = DIRECTORY + league_file(league, start)
                out.append(
                    RemoteFile(
                        source=KEY,
                        path=path,
                        url=self.base_url + path,
                        mirror_path=MIRROR_PREFIX + path,
                        competition=competition,
                        season=season,
                    )
                )
        return out

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one league season; raise :class:`SourceError` (``line`` = match number) on bad input."""
        return parse_events(data, location, remote.path.rsplit("/", 1)[-1])


def parse_events(data: bytes, location: str, file_name: str) -> ParsedFile:
    """Every match of the file as a :class:`MatchRecord`, its incidents as :class:`MatchEvent` rows."""
    found = _NAME.fullmatch(file_name)
    if found is None or found[1] not in LEAGUES:
        raise SourceError(location, None, f"file name {file_name!r} is not <country>_<league>-<year>-<year>.json")
    league, start, end = found[1], int(found[2]), int(found[3])
    if end != start + 1:
        raise SourceError(location, None, f"season {start}-{end} in the file name does not span two years")
    competition, country, _ = LEAGUES[league]
    season = f"{start}-{end % 100:02d}"
    try:
        matches = orjson.loads(data)
    except ValueError as exc:  # orjson.JSONDecodeError is one, and so is a UnicodeDecodeError
        raise SourceError(location, None, f"not JSON: {exc}") from None
    if not isinstance(matches, list):
        raise SourceError(location, None, "expected a JSON list of matches")
    parsed = ParsedFile()
    teams: dict[str, TeamRef] = {}
    for number, match in enumerate(matches, start=1):
        _match(match, number, location, f"{league}-{start}-{end}", competition, season, country, teams, parsed)
    return parsed


def _incidents(match: dict[str, Any], location: str, number: int) -> list[Any]:
    incident = match.get("incident")
    if incident is None or incident == {}:
        return []
    events = incident.get("incidents") if isinstance(incident, dict) else None
    if isinstance(events, list):
        return events
    raise SourceError(location, number, "incident.incidents is not a list")


def _match(
    match: Any,
    number: int,
    location: str,
    league_season: str,
    competition: str,
    season: str,
    country: str,
    teams: dict[str, TeamRef],
    parsed: ParsedFile,
) -> None:
    if not isinstance(match, dict):
        raise SourceError(location, number, "a match is not a JSON object")
    for field in ("home", "away", "date"):
        if not isinstance(match.get(field), str) or not match[field].strip():
            raise SourceError(location, number, f"{field} {match.get(field)!r} is not a non-empty string")
    if match.get("league") not in (None, league_season):
        raise SourceError(location, number, f"league {match['league']!r} is not the file's {league_season!r}")
    home, away = match["home"].strip(), match["away"].strip()
    where = f"match {number} ({home} v {away}, {match['date']})"
    try:
        date = dt.date.fromisoformat(match["date"].strip())
    except ValueError:
        raise SourceError(location, number, f"date {match['date']!r} is not an ISO date") from None
    goals = match.get("GH"), match.get("GA")
    if goals == (None, None):
        parsed.warnings.append((number, f"{where}: no score (GH/GA missing); skipped"))
        return
    if not all(isinstance(g, int) and not isinstance(g, bool) and 0 <= g <= 30 for g in goals):
        raise SourceError(location, number, f"score GH={goals[0]!r} GA={goals[1]!r} is not two goal counts")
    incidents = _incidents(match, location, number)
    # lists that write running scores mark scored penalties with one; early lists write none
    running_scores = any(isinstance(e, dict) and "home_score" in e for e in incidents)
    events, problems = _events(incidents, number, running_scores)
    if not events and not problems:
        problems.append("no incident listed")
    counted = [sum(1 for e in events if e.kind in SCORING_KINDS and e.side == side) for side in ("home", "away")]
    if not problems and tuple(counted) != goals:
        problems.append(f"goals add up to {counted[0]}-{counted[1]}, the score is {goals[0]}-{goals[1]}")
    note = PROBLEM_PREFIX + "; ".join(problems) if problems else None
    if note:
        parsed.warnings.append((number, f"{where}: {note}"))
    parsed.events.extend(events)
    parsed.matches.append(
        MatchRecord(
            KEY, competition, season, date,
            teams.setdefault(home, TeamRef(home, country)), teams.setdefault(away, TeamRef(away, country)),
            number, goals[0], goals[1],
            note=note,
        )
    )  # fmt: skip


def _events(incidents: list[Any], number: int, running_scores: bool) -> tuple[list[MatchEvent], list[str]]:
    """The match's events in playing order, and what makes them unusable (empty when nothing)."""
    events: list[MatchEvent] = []
    problems: list[str] = []
    for seq, item in enumerate(incidents, start=1):
        if not isinstance(item, dict):
            problems.append(f"incident {seq} is not an object")
            continue
        incident = str(item.get("incident_type", ""))
        if incident in _NOT_PLAYED:
            continue
        raw_minute = item.get("minute")
        side = item.get("team")
        minute = _MINUTE.fullmatch(raw_minute) if isinstance(raw_minute, str) else None
        if minute is None:
            if incident == "Penalty Awarded" and isinstance(raw_minute, str) and _SHOOTOUT.fullmatch(raw_minute):
                continue  # a shoot-out kick
            problems.append(f"incident {seq} ({incident or '?'}) has an unreadable minute {raw_minute!r}")
            continue
        if side not in _SIDES:
            problems.append(f"incident {seq} ({incident or '?'}) has team {side!r}, not home or away")
            continue
        base, added = int(minute[1]), None if minute[2] is None else int(minute[2])
        if base < 1 or base > 120 or (added is not None and base not in (45, 90, 105, 120)):
            problems.append(f"incident {seq} ({incident}) at an impossible minute {raw_minute!r}")
            continue
        if base > 90:
            problems.append(f"incident {seq} ({incident}) after full time, at {raw_minute!r}")
        home_score, away_score = _score(item.get("home_score")), _score(item.get("away_score"))
        if incident == "Penalty Awarded":
            scored = home_score is not None if running_scores else True
            kind = "penalty_goal" if scored else "penalty_missed"
        else:
            kind = _KINDS.get(incident, "other")
        player = item.get("player_name") or item.get("player_in")
        events.append(
            MatchEvent(number, seq, side, base, added, kind, incident, player if isinstance(player, str) else None,
                       home_score, away_score)
        )  # fmt: skip
    return events, problems


def _score(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None
