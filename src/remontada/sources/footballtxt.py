"""Football.TXT, the plain-text results format of openfootball, read into match records.

The parser is pure: it takes the text of one file plus what the caller knows about it
(:class:`FileFacts`: competition, season, kind of file, implied country) and returns a
:class:`~remontada.sources.records.ParsedFile`. It knows no URLs.

Two layouts occur and both are read, line by line, in any mix:

* UEFA style (``champions-league`` repo)::

      = UEFA Europa League 2023/24
      # Date       Thu Sep/21 2023 - Wed May/22 2024 (244d)
      » Quarterfinals
        Thu Apr/11
          21.00  Liverpool FC (ENG)      v Atalanta (ITA)           0-3 (0-1)

* League style (country repos, archives, rsssf conversions)::

      Matchday 1                      ▪ Round 1
      [Fri Aug/11]                    Aug 11
        20.00  Burnley FC   0-3 (0-2)  Manchester City FC
                                        Werder  3-2 Dortmund  (Soya 34, Schütz 36 - Konietzka 1, 90)

Results: ``2-1 (1-0)`` is full time (half time); ``2-3 a.e.t. (1-3, 0-1)`` is after extra time
(90 minutes, half time); ``4-2 pen. 1-0 a.e.t. (1-0, 0-0)`` adds the shoot-out; ``10-9 pen.
(1-1, 0-1)`` is a shoot-out straight after 90 minutes; rsssf lines write ``2-2 Team (aet, 4-1
pen)`` where the score is the one after extra time. Status markers ``[cancelled]``,
``[postponed]``, ``[abandoned]``, ``[awarded]``, ``[annulled]``, the ``awd`` suffix and the words
``w/o`` (walkover) and ``abd`` (abandoned) set :attr:`MatchRecord.status`. Goal lists in
``[...]`` lines or rsssf ``(...)`` tails become :class:`GoalEvent` values.

Every line is accounted for: blank lines, ``#`` comments, ``<!-- -->`` blocks (final tables),
titles, section and round headers, date lines, match lines, goal lines and ``bye`` lines. Any
other line raises :class:`SourceError` with the file and line, as does a bad score, an
impossible date or a date that cannot be placed in the season.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import defaultdict
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from remontada.sources.records import GoalEvent, MatchRecord, ParsedFile, SourceError, TeamRef

#: How a file is organised, which decides the default stage of its matches:
#: ``league`` (round robin, with optional play-off sections), ``cup`` (knockout rounds and a
#: neutral final), ``playoff`` (a play-off competition), ``uefa`` (group/league phase then
#: knockout rounds) and ``uefa-qualifying`` (every match is ``stage="qualifying"``).
FileKind = Literal["league", "cup", "playoff", "uefa", "uefa-qualifying"]

STAGES = ("league", "group", "qualifying", "playoff", "knockout", "final")


@dataclass(frozen=True, slots=True)
class FileFacts:
    """What is known about a Football.TXT file before reading it.

    ``season`` is ``"2023-24"`` (split) or ``"2024"`` (calendar year); ``None`` only when the
    file itself dates every match. ``country`` is the three-letter code of teams written
    without a ``(CCC)`` suffix (the country of a domestic file).
    """

    source: str
    competition: str
    season: str | None
    kind: FileKind
    country: str | None = None


# English abbreviations as the files write them (not calendar's, which follow the locale).
_MONTHS = {
    name: number
    for number, name in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"], 1
    )
}
_WEEKDAYS = {name: number for number, name in enumerate(["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"])}
_DATE_STARTS = frozenset(_MONTHS) | frozenset(_WEEKDAYS)

_PAIR = r"\d{1,2}-\d{1,2}"
# A date: optional weekday, month and day joined by "/" or a space, optional year.
_DATE_CORE = (
    r"(?:(?P<weekday>Mon|Tue|Wed|Thu|Fri|Sat|Sun)\s+)?"
    r"(?P<month>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(?:/|\s+)(?P<day>\d{1,2})"
    r"(?:\s+(?P<year>\d{4}))?"
)
_DATE_LINE = re.compile(rf"^{_DATE_CORE}(?:\s+@\s+(?P<venue>.+))?$")
_DATE_RANGE = re.compile(r"^#\s*Date\s+(?P<start>.+?)\s+-\s+(?P<end>.+?)(?:\s+\(\d+d\))?$")
_DATE_ANY = re.compile(_DATE_CORE)
_TIME = re.compile(r"^(?P<hour>\d{1,2})[.:](?P<minute>\d{2})\s+(?P<rest>.+)$")
_SCORE = (
    rf"(?:(?P<pen>{_PAIR})\s*pen\.?(?:\s+(?P<aet_pen>{_PAIR})\s*a\.e\.t\.?)?"
    rf"|(?P<aet>{_PAIR})\s*a\.e\.t\.?"
    rf"|(?P<ft>{_PAIR})(?P<awd>\s*awd)?)"
    rf"(?:\s*\(\s*(?P<first>{_PAIR})?\s*(?:,\s*(?P<second>{_PAIR})?\s*)?\))?"
)
# Score between the teams (league style), or a walkover / abandonment word in its place.
# "\s++" (possessive) where the next token cannot start with a space: the same matches, without
# retrying every shorter run of the padding that aligns the columns (half the matching time).
_MIDDLE = re.compile(rf"^(?P<home>.+?)\s++(?:{_SCORE}|(?P<word>w/o|abd))\s++(?P<away>\S.*)$")
# Teams joined by "v" (UEFA style) or a spaced dash, score (if any) after the away team.
_VERSUS = re.compile(rf"^(?P<home>.+?)\s++(?:v|vs\.?|-)\s+(?P<away>.+?)(?:\s++{_SCORE})?$")
# _VERSUS in two searches (see _versus): its lazy groups retry the score at every character.
_VERSUS_JOIN = re.compile(r"\s++(?:v|vs\.?|-)\s+")
_VERSUS_SCORE = re.compile(rf"\s++{_SCORE}$")
_BYE = re.compile(r"^(?P<team>.+?)\s+bye$")
_STATUS_TAIL = re.compile(r"\s*\[(?P<text>[^\[\]]*)\]$")
_RSSSF_EXTRA = re.compile(r"\s*\((?P<aet>aet|a\.e\.t\.)(?:,\s*(?P<pen>" + _PAIR + r")\s*pen\.?)?\)$")
_COUNTRY_SUFFIX = re.compile(r"^(?P<name>.*?)\s*\((?P<code>[A-Z]{3})\)$")
_SCORE_DEBRIS = re.compile(r"(?:^|\s)(?:\d{1,3}-\S{0,2}|\S{0,2}-\d{1,3}|pen\.?|a\.e\.t\.?|aet)(?:\s|$)")
_HAS_DIGIT = re.compile(r"\d")
_SCORE_TOKEN = re.compile(rf"(?<!\S){_PAIR}(?:\s*(?:pen\.?|a\.e\.t\.?|awd))?")
_BRACKETED_SCORE = re.compile(rf"\(\s*{_PAIR}\s*[,)]")
_HAS_LETTER = re.compile(r"[^\W\d_]")
_MAYBE_DEBRIS = re.compile(r"\d|pen|aet|a\.e\.t|\(")
#: A "team name" with no letter ("(2-1)", "3-2", "[") or holding a bracketed score: a line cut short or misread.
_NOT_A_NAME = re.compile(r"^[^\w]*$|^[\d\W_]*$|\(\s*\d{1,2}\s*[-:]\s*\d{1,2}\s*\)")
_MATCHES_HEADER = re.compile(r"^#\s*Matches\s+(?P<count>\d+)\s*$")
_TITLE = re.compile(r"^=(?!=)\s*(?P<text>.*?)\s*=?$")
_SECTION = re.compile(r"^(?P<level>={2,})\s*(?P<text>.*?)\s*=*$")
_MARKED_HEADER = re.compile(r"^(?P<marker>»|▪{1,3})\s*(?P<text>.*?)$")
# Headers written without a marker (older league-style files): a known round vocabulary.
_PLAIN_HEADER = re.compile(
    r"^(?:Matchday\s+\d+|(?:\d+\.\s*|\d+(?:st|nd|rd|th)\s+)?Round(?:\s+\d+)?|Round of \d+|"
    r"Group [A-Z]|Quarter-?finals?|Semi-?finals?|Finals?|Play-?offs?|Preliminary round|"
    r"Third place|Match for 3rd place)"
    r"(?:\s*(?:-|,)\s*(?:1st|2nd|First|Second) Legs?)?$",
    re.IGNORECASE,
)
_LEG_SUFFIX = re.compile(r"\s*(?:-|,)?\s*\b(?P<which>1st|2nd|First|Second)\s+Legs?$", re.IGNORECASE)
_REPLAY_SUFFIX = re.compile(r"\s*,?\s*\bReplays?$", re.IGNORECASE)
_GOAL = re.compile(
    r"(?P<name>[^\d,;()]*?)\s*(?P<minute>\d{1,3})(?:\s*\+\s*(?P<stoppage>\d{1,2}))?'?"
    r"(?:\s*(?P<flag>\((?:pen\.|p\.|o\.g\.|og)\)|pen\.|o\.g\.|og\b|p\b))?\s*,?\s*"
)
_STATUS_WORDS = {
    "cancelled": "cancelled",
    "canceled": "cancelled",
    "annulled": "annulled",
    "postponed": "postponed",
    "abandoned": "abandoned",
    "awarded": "awarded",
    "walkover": "walkover",
    "w/o": "walkover",
}
# Round names as written (German UEFA files, hyphenated spellings) -> one spelling.
_ROUND_NAMES = {
    "sechzehntelfinale": "Round of 32",
    "achtelfinale": "Round of 16",
    "viertelfinale": "Quarterfinals",
    "halbfinale": "Semifinals",
    "finale": "Final",
    "quarter-finals": "Quarterfinals",
    "quarter-final": "Quarterfinals",
    "quarterfinal": "Quarterfinals",
    "semi-finals": "Semifinals",
    "semi-final": "Semifinals",
    "semifinal": "Semifinals",
    "play-offs": "Playoffs",
    "play-off": "Playoffs",
    "playoff": "Playoffs",
    "playoff-runde": "Playoffs",
    "1/8 finals": "Round of 16",
    "1/16 finals": "Round of 32",
    "1/4 finals": "Quarterfinals",
    "match 3rd place": "Third place",
    "match for 3rd place": "Third place",
    "league phase": "League phase",
}
_PLAYOFF_WORDS = re.compile(
    r"play-?offs?|play-?outs?|aufstieg|abstieg|relegation playoff|platzierung|barrage|promotion playoff|finals?$",
    re.IGNORECASE,
)
_KNOCKOUT_ROUND = re.compile(r"^(?:Round of \d+|Quarterfinals|Semifinals|Final|Third place)$")
_QUALIFYING_ROUND = re.compile(r"^(?:Round \d+|Preliminary round.*|Qualifying.*)$", re.IGNORECASE)
_ORDINAL_ROUND = re.compile(r"^(?P<n>\d+)(?:\.|st|nd|rd|th)\s*(?:Round|Runde)$", re.IGNORECASE)
_GROUP = re.compile(r"^(?:Group|Gruppe)\s+(?P<letter>[A-Z])$", re.IGNORECASE)


@dataclass(slots=True)
class _Score:
    """The result fields of one match line (all goals, ``None`` when not stated)."""

    home: int | None = None
    away: int | None = None
    ht_home: int | None = None
    ht_away: int | None = None
    aet_home: int | None = None
    aet_away: int | None = None
    pen_home: int | None = None
    pen_away: int | None = None
    awarded: bool = False

    def final(self) -> tuple[int, int] | None:
        """Goals at the end of play (after extra time when there was some)."""
        if self.aet_home is not None and self.aet_away is not None:
            return self.aet_home, self.aet_away
        if self.home is not None and self.away is not None:
            return self.home, self.away
        return None


@dataclass(slots=True)
class _Match:
    line: int
    date: dt.date | None
    kickoff: str | None
    home: TeamRef
    away: TeamRef
    score: _Score
    status: str
    stage: str
    round: str | None
    leg: int | None
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class _Round:
    stage: str
    round: str | None
    leg: int | None
    replay: bool


class _FileParser:
    def __init__(self, text: str, location: str, facts: FileFacts) -> None:
        self.lines = text.splitlines()
        self.location = location
        self.facts = facts
        self.season_years = _season_years(facts.season) if facts.season else None
        self.date_range: tuple[dt.date, dt.date] | None = None
        self.declared_matches: tuple[int, int] | None = None
        self.date: dt.date | None = None
        self.kickoff: str | None = None
        self.venue: str | None = None
        self.sections: dict[int, str] = {}
        self.outline: dict[int, str] = {}
        self.round = self._classify_round("")
        self.matches: list[_Match] = []
        self.goals: list[GoalEvent] = []
        self.warnings: list[tuple[int, str]] = []
        self.pending_goals: tuple[_Match, int, str] | None = None
        self.last_match: _Match | None = None
        # Clubs recur all season: read each spelling once.
        self.teams: dict[str, TeamRef] = {}

    def error(self, line: int | None, message: str) -> SourceError:
        return SourceError(self.location, line, message)

    # -- driver --------------------------------------------------------------------------

    def parse(self) -> ParsedFile:
        in_comment = False
        for number, raw in enumerate(self.lines, start=1):
            text = raw
            if in_comment:
                end = text.find("-->")
                if end < 0:
                    continue
                in_comment = False
                text = text[end + 3 :]
            while "<!--" in text:
                start = text.find("<!--")
                end = text.find("-->", start + 4)
                if end < 0:
                    in_comment = True
                    text = text[:start]
                    break
                text = text[:start] + text[end + 3 :]
            self._line(number, text.strip())
        if self.pending_goals is not None:
            _, start, _ = self.pending_goals
            raise self.error(start, "goal list opened with '(' is never closed")
        self._check_declared_count()
        return ParsedFile(
            matches=[self._record(match) for match in self.matches], goals=self.goals, warnings=self.warnings
        )

    def _line(self, number: int, text: str) -> None:
        if self.pending_goals is not None:
            self._continue_goals(number, text)
            return
        if not text:
            return
        if text.startswith("#"):
            self._comment(number, text)
            return
        if text.startswith("="):
            self._title_or_section(text)
            return
        marked = _MARKED_HEADER.match(text) if text[0] in "»▪" else None
        if marked:
            self._round_header(number, marked.group("text"), level=len(marked.group("marker")))
            return
        bare = text[1:-1] if text[0] == "[" and text.endswith("]") else text
        date_match = _DATE_LINE.match(bare) if bare[:3] in _DATE_STARTS else None
        if date_match:
            self._date_line(number, date_match)
            return
        if text.startswith("[") or text.startswith("("):
            self._goal_line(number, text)
            return
        if _PLAIN_HEADER.match(text):
            self.outline = {}
            self._round_header(number, text, level=1)
            return
        bye = _BYE.match(_STATUS_TAIL.sub("", _split_comment(text)[0])) if " bye" in text else None
        if bye:
            self.warnings.append((number, f"bye for {bye.group('team').strip()} (no match)"))
            return
        self._match_line(number, text)

    # -- headers ---------------------------------------------------------------------------

    def _comment(self, number: int, text: str) -> None:
        if re.match(r"#\s*Date\b", text):
            date_range = _DATE_RANGE.match(text)
            if not date_range:
                raise self.error(number, f"cannot read the date range header {text!r}")
            self.date_range = self._parse_range(number, date_range.group("start"), date_range.group("end"))
            return
        declared = _MATCHES_HEADER.match(text)
        if declared:
            self.declared_matches = (number, int(declared.group("count")))

    def _parse_range(self, number: int, start_text: str, end_text: str) -> tuple[dt.date, dt.date]:
        start_found = _DATE_ANY.fullmatch(start_text.strip())
        end_found = _DATE_ANY.fullmatch(end_text.strip())
        if not start_found or not end_found or not end_found.group("year"):
            raise self.error(number, f"cannot read the date range {start_text!r} - {end_text!r}")
        start, end = _groups(start_found), _groups(end_found)
        end_date = self._calendar_date(number, end, int(end["year"]))
        start_year = int(start["year"]) if "year" in start else end_date.year
        start_date = self._calendar_date(number, start, start_year)
        if start_date > end_date and "year" not in start:
            start_date = self._calendar_date(number, start, start_year - 1)
        if start_date > end_date:
            raise self.error(number, f"date range starts after it ends: {start_date} - {end_date}")
        return start_date, end_date

    def _title_or_section(self, text: str) -> None:
        section = _SECTION.match(text)
        if section:
            level = len(section.group("level"))
            self.sections = {k: v for k, v in self.sections.items() if k < level}
            self.sections[level] = section.group("text")
            self.outline = {}
            self.round = self._classify_round("")
            return
        # A title ("= English Premier League 2023/24") names the file: see read_title().

    def _round_header(self, number: int, text: str, level: int) -> None:
        if not text:
            raise self.error(number, "empty round header")
        # "▪" / "▪▪" / "▪▪▪" outline levels concatenate: "Championship, Promotion Playoff" +
        # "Semifinals" + "First Legs" is one round.
        self.outline = {k: v for k, v in self.outline.items() if k < level}
        self.outline[level] = text
        try:
            self.round = self._classify_round(", ".join(self.outline[k] for k in sorted(self.outline)))
        except ValueError as exc:
            raise self.error(number, str(exc)) from None

    def _classify_round(self, header: str) -> _Round:
        """Stage, normalised round name and stated leg of a round header in this file."""
        return _classify_round(self.facts.kind, self.sections[max(self.sections)] if self.sections else "", header)

    # -- dates -----------------------------------------------------------------------------

    def _date_line(self, number: int, found: re.Match[str]) -> None:
        groups = _groups(found)
        self.date = self._place_date(number, groups)
        self.venue = groups.get("venue")
        self.kickoff = None

    def _calendar_date(self, number: int, groups: dict[str, str], year: int, check_weekday: bool = True) -> dt.date:
        month, day = groups["month"], int(groups["day"])
        try:
            date = dt.date(year, _MONTHS[month], day)
        except ValueError:
            raise self.error(number, f"impossible date {month}/{day} {year}") from None
        weekday = groups.get("weekday")
        if check_weekday and weekday and _WEEKDAYS[weekday] != date.weekday():
            raise self.error(
                number, f"{weekday} {month}/{day} does not fall in {year} ({date:%a %Y-%m-%d}); wrong year?"
            )
        return date

    def _place_date(self, number: int, groups: dict[str, str]) -> dt.date:
        date = self._choose_year(number, groups)
        # The weekday written next to the date must agree with the year chosen for it.
        return self._calendar_date(number, groups, date.year)

    def _choose_year(self, number: int, groups: dict[str, str]) -> dt.date:
        if "year" in groups:
            date = self._calendar_date(number, groups, int(groups["year"]))
            if self.season_years and date.year not in self.season_years:
                raise self.error(number, f"date {date} lies outside season {self.facts.season}")
            return date
        label = f"{groups['month']}/{groups['day']}"
        if self.season_years is None:
            if self.date_range is None:
                raise self.error(number, f"date {label} has no year and the file states no season to place it in")
            years = sorted({self.date_range[0].year, self.date_range[1].year})
        else:
            years = sorted(set(self.season_years))
        candidates = _candidate_dates(groups["month"], int(groups["day"]), tuple(years))
        if not candidates:
            raise self.error(number, f"impossible date {label} in season {self.facts.season}")
        if len(candidates) == 1:
            return candidates[0]
        if self.date_range is not None:
            start, end = self.date_range
            inside = [d for d in candidates if start <= d <= end]
            if len(inside) == 1:
                return inside[0]
            if not inside:
                raise self.error(number, f"date {label} cannot be placed in the file's date range {start} - {end}")
        by_rule = candidates[0] if _MONTHS[groups["month"]] >= 7 else candidates[-1]
        previous = self.date
        if previous is None:
            return by_rule
        # No date range settles it: follow the file's chronology (the July cut would put the
        # August 2020 final of a season stretched by COVID-19 a year too early).
        nearest = min(candidates, key=lambda d: abs((d - previous).days))
        if nearest != by_rule:
            self.warnings.append(
                (number, f"date {label} placed in {nearest.year} after {self.date} (season rule: {by_rule.year})")
            )
        return nearest

    # -- matches ---------------------------------------------------------------------------

    def _match_line(self, number: int, text: str) -> None:
        body, comment = _split_comment(text)
        notes: list[str] = [comment] if comment else []
        body, venue = _split_venue(body)
        if venue:
            notes.append(f"@ {venue}")
        elif self.venue:
            notes.append(f"@ {self.venue}")
        status = "played"
        status_tail = _STATUS_TAIL.search(body) if body.endswith("]") else None
        if status_tail:
            body = body[: status_tail.start()].rstrip()
            marker = status_tail.group("text").strip()
            keyword = marker.split(";")[0].split(" ")[0].lower()
            if keyword in _STATUS_WORDS:
                status = _STATUS_WORDS[keyword]
                extra = marker[len(keyword) :].strip(" ;,")
                if extra:
                    notes.append(extra)
            else:
                notes.append(marker)
        goals_text = None
        rsssf_extra = _RSSSF_EXTRA.search(body) if body.endswith(")") and "aet" in body else None
        if rsssf_extra:
            body = body[: rsssf_extra.start()].rstrip()
        elif "(" in body:
            body, goals_text = self._split_goal_tail(body)
        timed = _TIME.match(body)
        if timed:
            # A kick-off time holds for the matches listed under it on the same date.
            self.kickoff = f"{int(timed.group('hour')):02d}:{timed.group('minute')}"
            body = timed.group("rest")
        kickoff = self.kickoff
        home_text, away_text, score, word = self._teams_and_score(number, body)
        self._check_score(number, score)
        if word == "w/o":
            status = "walkover"
        elif word == "abd":
            status = "abandoned"
        if score.awarded:
            status = "awarded"
        if rsssf_extra:
            if score.home is None:
                raise self.error(number, "'(aet)' without a score")
            # rsssf states the score after extra time; the 90-minute score is not given.
            score.aet_home, score.aet_away, score.home, score.away = score.home, score.away, None, None
            score.ht_home = score.ht_away = None
            if rsssf_extra.group("pen"):
                score.pen_home, score.pen_away = _pair(rsssf_extra.group("pen"))
        if score.final() is None and score.pen_home is None and status == "played":
            status = "scheduled"
        if status in {"cancelled", "postponed", "scheduled"} and score.final() is not None:
            raise self.error(number, f"a {status} match with a score")
        round_ = self.round
        match = _Match(
            number,
            None if status == "walkover" else self.date,
            kickoff,
            self._team(number, home_text),
            self._team(number, away_text),
            score,
            status,
            round_.stage,
            round_.round,
            round_.leg,
            [*notes, "replay"] if round_.replay else notes,
        )
        if match.date is None and status != "walkover":
            raise self.error(number, "match before any date line")
        self.matches.append(match)
        self.last_match = match
        if goals_text is not None:
            if goals_text.endswith(")"):
                self._goals(match, number, goals_text[1:-1])
            else:
                self.pending_goals = (match, number, goals_text[1:])

    def _split_goal_tail(self, body: str) -> tuple[str, str | None]:
        """Split an rsssf goal list ``(Name 12, 34 - Name 56)`` off the end of a match line."""
        # Cheap test first: a goal list mixes names and minutes; a country suffix "(ENG)",
        # a founding-years suffix "(1878-1896)" or a half-time score "(1-0)" does not.
        last = body[body.rfind("(") :]
        if not (body.endswith(")") or ")" not in last) or not (_HAS_DIGIT.search(last) and _HAS_LETTER.search(last)):
            return body, None
        start = body.find("(", _score_end(body))
        if start < 0:
            return body, None
        tail = body[start:]
        closed = tail.find(")")
        if 0 <= closed < len(tail) - 1 or _COUNTRY_SUFFIX.match(tail) or _BRACKETED_SCORE.match(tail):
            return body, None
        if not (_HAS_DIGIT.search(tail) and _HAS_LETTER.search(tail)):
            return body, None
        return body[:start].rstrip(), tail

    def _teams_and_score(self, number: int, body: str) -> tuple[str, str, _Score, str | None]:
        try:
            versus = _versus(body) if (" v " in body or " vs" in body or " - " in body) else None
            if versus and not _MIDDLE.match(versus[0]):
                home, away, score = versus
                return home, away, _score_from(score) if score else _Score(), None
            middle = _MIDDLE.match(body)
            if middle:
                result = _score_from(middle) if middle.group("word") is None else _Score()
                return middle.group("home"), middle.group("away"), result, middle.group("word")
        except ValueError as exc:
            raise self.error(number, f"{exc}: {body!r}") from None
        raise self.error(number, f"cannot read line as a match, date, header or comment: {body!r}")

    def _team(self, number: int, text: str) -> TeamRef:
        known = self.teams.get(text)
        if known is not None:
            return known
        name = text.strip()
        country = self.facts.country
        suffix = _COUNTRY_SUFFIX.match(name) if name.endswith(")") else None
        if suffix:
            name, country = suffix.group("name"), suffix.group("code")
        if not name:
            raise self.error(number, "empty team name")
        if _NOT_A_NAME.search(name):
            raise self.error(number, f"team name {name!r} is a score or bracket, not a club (is the line cut short?)")
        if _MAYBE_DEBRIS.search(name) and (_SCORE_DEBRIS.search(name) or re.search(r"\([A-Z]{3}\)", name)):
            raise self.error(number, f"bad score or stray text in team name {name!r}")
        team = self.teams[text] = TeamRef(name=name, country=country)
        return team

    def _check_score(self, number: int, score: _Score) -> None:
        if _exceeds(score.ht_home, score.home) or _exceeds(score.ht_away, score.away):
            if score.aet_home is not None or score.pen_home is not None:
                raise self.error(number, "half-time score exceeds the 90-minute score")
            # Goals cannot be taken back: a full-time score below the half-time one was
            # awarded (e.g. a match abandoned at 1-1 and given 0-3).
            score.awarded = True
            self.warnings.append((number, "half-time score exceeds full time; result read as awarded"))
        if _exceeds(score.home, score.aet_home) or _exceeds(score.away, score.aet_away):
            raise self.error(number, "90-minute score exceeds the score after extra time")

    # -- goals -----------------------------------------------------------------------------

    def _goal_line(self, number: int, text: str) -> None:
        closing = {"[": "]", "(": ")"}[text[0]]
        if self.last_match is None:
            raise self.error(number, f"goal list before any match: {text!r}")
        if not text.endswith(closing):
            if text[0] == "(":
                self.pending_goals = (self.last_match, number, text[1:])
                return
            raise self.error(number, f"unterminated goal list {text!r}")
        self._goals(self.last_match, number, text[1:-1])

    def _continue_goals(self, number: int, text: str) -> None:
        assert self.pending_goals is not None
        match, start, so_far = self.pending_goals
        body, _comment = _split_comment(text)
        if body.endswith(")"):
            self.pending_goals = None
            self._goals(match, start, f"{so_far} {body[:-1]}")
        elif not body:
            raise self.error(start, "goal list opened with '(' is never closed")
        else:
            self.pending_goals = (match, start, f"{so_far} {body}")

    def _goals(self, match: _Match, number: int, text: str) -> None:
        text = " ".join(text.split())
        if ";" in text:
            sides = text.split(";")
        elif " - " in text:
            sides = text.split(" - ")
        else:
            sides = [text]
        if len(sides) > 2:
            raise self.error(number, f"goal list with more than two sides: {text!r}")
        final = match.score.final()
        if len(sides) == 1:
            # One undivided list: it belongs to the side whose goal count it matches.
            listed = self._side_goals(number, match.line, "home", sides[0].strip())
            if final is not None and len(listed) == final[0] and (final[1] == 0 or len(listed) != final[1]):
                sides = [sides[0], ""]
            elif final is not None and len(listed) == final[1] and final[0] == 0:
                sides = ["", sides[0]]
            else:
                score = "no score" if final is None else f"score {final[0]}-{final[1]}"
                self.warnings.append((number, f"goal list {text!r} names no side and fits neither ({score}); skipped"))
                return
        events: list[GoalEvent] = []
        for side, side_text in zip(("home", "away"), sides, strict=True):
            events.extend(self._side_goals(number, match.line, side, side_text.strip()))
        if final is not None:
            counted = (sum(e.side == "home" for e in events), sum(e.side == "away" for e in events))
            if counted != final:
                self.warnings.append(
                    (number, f"goal list counts {counted[0]}-{counted[1]}, score is {final[0]}-{final[1]}")
                )
        self.goals.extend(events)

    def _side_goals(self, number: int, match_line: int, side: str, text: str) -> list[GoalEvent]:
        events = []
        player: str | None = None
        position = 0
        while position < len(text):
            found = _GOAL.match(text, position)
            if not found or found.end() == position:
                raise self.error(number, f"cannot read goal list at {text[position:]!r}")
            name = found.group("name").strip(" ,")
            if name:
                player = name
            if player is None:
                raise self.error(number, f"goal minute without a scorer in {text!r}")
            flag = (found.group("flag") or "").strip("()").lower()
            minute = int(found.group("minute"))
            if not 1 <= minute <= 120:
                raise self.error(number, f"goal minute {minute} outside 1-120")
            events.append(
                GoalEvent(
                    match_line=match_line,
                    side=side,
                    minute=minute,
                    stoppage=int(found.group("stoppage")) if found.group("stoppage") else None,
                    player=player,
                    own_goal=flag in {"og", "o.g."},
                    penalty=flag in {"pen.", "p", "p."},
                )
            )
            position = found.end()
        return events

    # -- output ----------------------------------------------------------------------------

    def _check_declared_count(self) -> None:
        if self.declared_matches is None:
            return
        number, declared = self.declared_matches
        if declared > len(self.matches):
            raise self.error(
                number,
                f"header declares {declared} matches but the file lists only {len(self.matches)}"
                " (is the file cut short?)",
            )
        if declared != len(self.matches):
            self.warnings.append((number, f"header declares {declared} matches, file lists {len(self.matches)}"))

    def _record(self, match: _Match) -> MatchRecord:
        score = match.score
        # Positional (records.MATCH_FIELDS_BY_POSITION).
        return MatchRecord(
            self.facts.source,
            self.facts.competition,
            self.facts.season or _season_of(match.date),
            match.date,
            match.home,
            match.away,
            match.line,
            score.home,
            score.away,
            score.ht_home,
            score.ht_away,
            score.aet_home,
            score.aet_away,
            score.pen_home,
            score.pen_away,
            match.kickoff,
            match.stage,
            match.round,
            match.leg,
            match.stage == "final",
            None,
            None,
            match.status,
            note="; ".join(match.notes) or None,
        )


@functools.lru_cache(maxsize=4096)
def _classify_round(kind: FileKind, section: str, header: str) -> _Round:
    """Stage, normalised round name and stated leg of a round header under ``section`` in a file of ``kind``.

    Headers recur across files (every "Matchday 1"), so each is classified once.
    """
    text = header.strip()
    leg = None
    leg_match = _LEG_SUFFIX.search(text)
    if leg_match:
        leg = 1 if leg_match.group("which").lower() in {"1st", "first"} else 2
        text = text[: leg_match.start()].strip(" ,-")
    replay = False
    replay_match = _REPLAY_SUFFIX.search(text)
    if replay_match:
        replay = True
        text = text[: replay_match.start()].strip(" ,-")
    parts = [_normalise_round(part) for part in text.split(",") if part.strip()]
    if len(parts) > 1 and parts[0] == "Finals":
        parts = parts[1:]  # "Finals, Round of 16": the knockout stage's label
    elif parts == ["Finals"]:
        parts = ["Final"]
    stage, name = _stage_and_name(kind, section, parts)
    return _Round(stage, name, leg, replay)


def _stage_and_name(kind: FileKind, section: str, parts: list[str]) -> tuple[str, str | None]:
    if kind == "uefa-qualifying":
        return "qualifying", ", ".join(parts) or None
    if kind == "uefa":
        known = _uefa_stage(parts)
        if known is None:
            raise ValueError(f"unknown round header {', '.join(parts)!r} in a UEFA competition")
        return known
    if kind == "league":
        regular = not section or bool(re.match("regular", section, re.IGNORECASE))
        if parts and re.fullmatch(r"Regular(?: Season| Stage)?", parts[0], re.IGNORECASE):
            parts = parts[1:]
        last = parts[-1] if parts else None
        round_robin = re.fullmatch(r"(?:Matchday|Round) (\d+)", last) if last else None
        in_playoff = not regular and bool(_PLAYOFF_WORDS.search(section))
        if not in_playoff and (last is None or round_robin) and not any(_PLAYOFF_WORDS.search(p) for p in parts[:-1]):
            # A league's "Round 7" is its seventh matchday.
            named = [*parts[:-1], f"Matchday {round_robin.group(1)}"] if round_robin else []
            return "league", ", ".join(named) or None
        # Name the section ("Playoff", "Playout") so that rounds of both stay apart.
        named = parts if regular or (parts and parts[0] == section) else [section, *parts]
        return "playoff", ", ".join(named) or None
    # cup and play-off competitions
    last = parts[-1] if parts else None
    name = ", ".join(parts) or None
    if last is None:
        return _default_stage(kind), None
    if last == "Final" and "Third place" not in parts:
        return "final", name
    if _GROUP.match(last):
        return "group", name
    if kind == "playoff":
        return "playoff", name
    if re.match(r"Preliminary|Qualifying|\d+\. Vorrunde", last, re.IGNORECASE):
        return "qualifying", name
    return "knockout", name


def _default_stage(kind: FileKind) -> str:
    """Stage of a match that sits under no round header in a file of this kind."""
    return {"league": "league", "cup": "knockout", "playoff": "playoff", "uefa": "group"}.get(kind, "qualifying")


def _uefa_stage(parts: list[str]) -> tuple[str, str | None] | None:
    """Stage and round of a UEFA round header, ``None`` when the header is not recognised."""
    if not parts:
        return "group", None
    head, last = parts[0], parts[-1]
    lowered = head.lower()
    if _GROUP.match(head):
        return "group", ", ".join(parts)
    if lowered == "group":
        return "group", ", ".join(parts[1:]) or None
    if lowered in {"league", "league phase"}:
        return "league", ", ".join(parts[1:]) or "League phase"
    if lowered == "playoffs":
        return "playoff", "Playoffs"
    if last == "Final":
        return "final", "Final"
    if _KNOCKOUT_ROUND.match(last):
        return "knockout", last
    if _QUALIFYING_ROUND.match(last):
        return "qualifying", last
    return None


def _normalise_round(part: str) -> str:
    text = " ".join(part.split())
    named = _ROUND_NAMES.get(text.lower())
    if named:
        return named
    ordinal = _ORDINAL_ROUND.match(text)
    if ordinal:
        return f"Round {int(ordinal.group('n'))}"
    group = _GROUP.match(text)
    if group:
        return f"Group {group.group('letter').upper()}"
    if text.lower() == "finals":
        return "Final"
    return text


def _groups(found: re.Match[str]) -> dict[str, str]:
    return {k: v for k, v in found.groupdict().items() if v is not None}


def _exceeds(part: int | None, whole: int | None) -> bool:
    return part is not None and whole is not None and part > whole


def _versus(body: str) -> tuple[str, str, re.Match[str] | None] | None:
    """Home, away and score match of a stripped ``Home v Away 1-0`` line, exactly as ``_VERSUS`` reads it.

    ``_VERSUS``'s lazy home ends at the first join (its away part always matches, the line ending
    in a non-space), and its lazy away at the first place from which ``\\s+ score`` runs to the end.
    """
    join = _VERSUS_JOIN.search(body, 1)
    if join is None or join.end() >= len(body):
        return None
    score = _VERSUS_SCORE.search(body, join.end() + 1)
    return body[: join.start()], body[join.end() : score.start() if score else len(body)], score


def _split_comment(text: str) -> tuple[str, str | None]:
    position = text.find(" #")
    if position < 0:
        return text.rstrip(), None
    return text[:position].rstrip(), text[position + 2 :].strip(" #") or None


def _split_venue(text: str) -> tuple[str, str | None]:
    position = text.find(" @ ")
    if position < 0:
        return text, None
    return text[:position].rstrip(), text[position + 3 :].strip()


def _score_end(body: str) -> int:
    """Index just past the score of a match line (0 when none is found)."""
    last = 0
    for found in _SCORE_TOKEN.finditer(body):
        last = found.end()
    return last


def _pair(text: str) -> tuple[int, int]:
    home, away = text.split("-")
    return int(home), int(away)


_SCORE_GROUPS = ("pen", "aet_pen", "aet", "ft", "awd", "first", "second")


def _score_from(found: re.Match[str]) -> _Score:
    """The result fields of a match of ``_SCORE`` (inside ``_MIDDLE`` or ``_VERSUS``)."""
    fields: Any = _score_fields(found.group(*_SCORE_GROUPS))  # in _Score's field order and types
    return _Score(*fields)


@functools.lru_cache(maxsize=8192)
def _score_fields(groups: tuple[str | None, ...]) -> tuple[int | bool | None, ...]:
    """:class:`_Score` fields in order, from the ``_SCORE_GROUPS`` texts: a few hundred distinct
    results recur across 160,000 match lines, so each is read once."""
    pen, aet_pen, aet, ft, awd, first_text, second_text = groups
    first = _pair(first_text) if first_text else (None, None)
    second = _pair(second_text) if second_text else (None, None)
    if ft:
        if second_text:
            raise ValueError("a full-time score with two bracketed scores")
        # (home, away, ht_home, ht_away, aet_home, aet_away, pen_home, pen_away, awarded)
        return (*_pair(ft), *first, None, None, None, None, bool(awd))
    # After extra time or penalties the brackets hold (90 minutes, half time).
    pens: tuple[int | None, int | None]
    if pen:
        pens = _pair(pen)
        extra: tuple[int | None, int | None] = _pair(aet_pen) if aet_pen else (None, None)
    else:
        pens = (None, None)
        extra = _pair(aet) if aet else (None, None)
    return (*first, *second, *extra, *pens, False)


@functools.lru_cache(maxsize=4096)
def _candidate_dates(month: str, day: int, years: tuple[int, ...]) -> tuple[dt.date, ...]:
    """The dates ``month``/``day`` names in each of ``years`` where it exists (not Feb 29 of a
    common year). Forty thousand date lines name a few thousand days."""
    number = _MONTHS[month]
    dates = []
    for year in years:
        try:
            dates.append(dt.date(year, number, day))
        except ValueError:
            continue
    return tuple(dates)


def _season_years(season: str) -> tuple[int, int]:
    found = re.fullmatch(r"(?P<start>\d{4})(?:-(?P<end>\d{2}|\d{4}))?", season)
    if not found:
        raise ValueError(f"season must look like '2023-24' or '2024', not {season!r}")
    start = int(found.group("start"))
    if found.group("end") is None:
        return start, start
    end = int(found.group("end"))
    end = end if end >= 1000 else (start // 100) * 100 + end + (100 if end < start % 100 else 0)
    if end != start + 1:
        raise ValueError(f"season {season!r} does not span two consecutive years")
    return start, end


def _season_of(date: dt.date | None) -> str:
    if date is None:
        raise ValueError("cannot tell the season of an undated match in a file without a season")
    start = date.year if date.month >= 7 else date.year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def read_title(text: str) -> str | None:
    """The competition name in a file's title line, without its season.

    ``"= Iceland Úrvalsdeild 2024"`` -> ``"Iceland Úrvalsdeild"``; ``"=Bundesliga 1963/64="`` ->
    ``"Bundesliga"``. ``None`` when the file has no title.
    """
    for line in text.splitlines():
        found = _TITLE.match(line.strip())
        if found:
            name = re.sub(r"\s*\d{4}(?:/\d{2,4})?$", "", found.group("text")).strip(" -")
            return name or None
    return None


def parse_football_txt(text: str, location: str, facts: FileFacts) -> ParsedFile:
    """Read one Football.TXT document into matches, goals and warnings.

    ``location`` names the file in errors. Raises :class:`SourceError` (file and 1-based line)
    for any line that is not a comment, header, date, match, goal list or bye, for bad scores,
    impossible dates and dates that cannot be placed in ``facts.season``.
    """
    try:
        return _FileParser(text, location, facts).parse()
    except ValueError as exc:
        if isinstance(exc, SourceError):
            raise
        raise SourceError(location, None, str(exc)) from exc


def assign_legs(matches: list[MatchRecord], *, always_two_legged: bool) -> list[MatchRecord]:
    """Number the legs of two-legged ties and give each second leg its aggregate.

    Within one stage and round, a match and the later reverse fixture (same teams, home and
    away swapped) are legs 1 and 2. With ``always_two_legged`` (UEFA competitions, which
    replay nothing) every such pair is a tie, and a knockout round without any pair is a
    single-match round at a neutral venue (the 2020 finals in Lisbon). Otherwise (domestic
    cups, with replays after draws) a round counts as two-legged only when every match in it
    has its reverse fixture; in any other round a reverse fixture that follows a draw is a
    replay and is noted as such. Legs already stated by a header ("First Legs") are kept.
    A final is one match at a neutral venue unless it too is played home and away (the
    Bosnian cup), in which case its legs are numbered and it is not neutral.

    ``agg_home``/``agg_away`` on leg 2 are goals over both legs including extra time, from
    the leg-2 home side's view; they stay ``None`` unless both legs have a score.
    """
    by_round: dict[tuple[str | None, str | None], list[int]] = defaultdict(list)
    for index, match in enumerate(matches):
        if match.stage in {"qualifying", "playoff", "knockout", "final"} and match.leg is None:
            by_round[(match.stage, match.round)].append(index)
    result = list(matches)
    for (stage, _), indices in by_round.items():
        pairs = _reverse_pairs(matches, indices)
        paired = {i for pair in pairs for i in pair}
        if stage == "final":
            if pairs and len(paired) == len(indices):
                for first, second in pairs:
                    result[first] = replace(result[first], leg=1, neutral=False)
                    result[second] = _second_leg(matches[first], result[second], neutral=False)
            continue
        if not always_two_legged and (not pairs or len(paired) != len(indices)):
            for first, second in pairs:
                if _drawn(matches[first]) and "replay" not in (result[second].note or ""):
                    note = "; ".join(filter(None, [result[second].note, "replay"]))
                    result[second] = replace(result[second], note=note)
            continue
        for first, second in pairs:
            result[first] = replace(result[first], leg=1)
            result[second] = _second_leg(matches[first], result[second])
        if always_two_legged and not pairs and matches[indices[0]].stage == "knockout":
            for i in indices:
                result[i] = replace(result[i], neutral=True)
    _aggregate_stated_legs(matches, result)
    return result


def _reverse_pairs(matches: list[MatchRecord], indices: list[int]) -> list[tuple[int, int]]:
    by_teams: dict[tuple[str, str], list[int]] = defaultdict(list)
    for i in indices:
        by_teams[(matches[i].home.name, matches[i].away.name)].append(i)
    pairs = []
    used: set[int] = set()
    for i in indices:
        if i in used:
            continue
        match = matches[i]
        for j in by_teams.get((match.away.name, match.home.name), []):
            if j in used or j == i:
                continue
            later = matches[j]
            if match.date is not None and later.date is not None and later.date > match.date:
                pairs.append((i, j))
                used.update((i, j))
                break
    return pairs


def _aggregate_stated_legs(matches: list[MatchRecord], result: list[MatchRecord]) -> None:
    """Aggregates for legs numbered by their headers ("Semifinals, Second Legs")."""
    first_legs: dict[tuple[str | None, str, str], int] = {}
    for index, match in enumerate(matches):
        if match.leg == 1:
            first_legs[(match.round, match.home.name, match.away.name)] = index
    for index, match in enumerate(matches):
        if match.leg == 2:
            first = first_legs.get((match.round, match.away.name, match.home.name))
            if first is not None:
                result[index] = _second_leg(matches[first], result[index])


def _second_leg(first: MatchRecord, second: MatchRecord, neutral: bool | None = None) -> MatchRecord:
    """``second`` numbered as leg 2, with the aggregate over both legs when both have a score."""
    neutral = second.neutral if neutral is None else neutral
    first_goals = _final_goals(first)
    second_goals = _final_goals(second)
    if first_goals is None or second_goals is None:
        return replace(second, leg=2, neutral=neutral)
    # Leg 2's home side was leg 1's away side.
    home = second_goals[0] + first_goals[1]
    away = second_goals[1] + first_goals[0]
    return replace(second, leg=2, neutral=neutral, agg_home=home, agg_away=away)


def _drawn(match: MatchRecord) -> bool:
    goals = _final_goals(match)
    return goals is not None and goals[0] == goals[1] and match.pen_home is None


def _final_goals(match: MatchRecord) -> tuple[int, int] | None:
    if match.aet_home is not None and match.aet_away is not None:
        return match.aet_home, match.aet_away
    if match.home_goals is not None and match.away_goals is not None:
        return match.home_goals, match.away_goals
    return None
