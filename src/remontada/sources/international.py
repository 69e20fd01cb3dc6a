"""International results (martj42/international_results): every men's full international since 1872.

Four CSV files under ``https://raw.githubusercontent.com/martj42/international_results/master/``:

- ``results.csv`` (``date,home_team,away_team,home_score,away_score,tournament,city,country,neutral``)
  -> :class:`MatchRecord` with ``TeamRef(name, national=True)``, competition
  ``competitions.international(tournament).id`` (``int.fifa-world-cup``), season = calendar year;
- ``shootouts.csv`` (``date,home_team,away_team,winner,first_shooter``) -> :class:`ShootoutRecord`
  naming its match by (date, home, away); the shoot-out score is not published;
- ``goalscorers.csv`` (``date,home_team,away_team,team,scorer,minute,own_goal,penalty``) ->
  :class:`GoalEvent` keyed the same way (``match_line=None``); ``team`` is the side credited
  with the goal, also for own goals;
- ``former_names.csv`` -> :func:`former_names`, evidence that two names are one team.

The source's scores are final scores *including extra time* (never the shoot-out), whereas
:class:`MatchRecord` keeps the 90-minute score apart from ``aet_*``. The source writes
stoppage-time goals as minute 45 or 90, so a goal at a minute above 90 means extra time was
played. Only the store sees results and goals together, so it restores the 90-minute scores
(:mod:`remontada.store.rebuild`); matches with extra time but no goal in it need no correction.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from typing import NamedTuple

from remontada import competitions
from remontada.sources.base import RemoteFile
from remontada.sources.records import GoalEvent, MatchRecord, ParsedFile, ShootoutRecord, SourceError, TeamRef

KEY = "international"
BASE_URL = "https://raw.githubusercontent.com/martj42/international_results/master/"
MIRROR_PREFIX = "martj42/international_results/"

RESULTS_COLUMNS = (
    "date",
    "home_team",
    "away_team",
    "home_score",
    "away_score",
    "tournament",
    "city",
    "country",
    "neutral",
)
SHOOTOUT_COLUMNS = ("date", "home_team", "away_team", "winner", "first_shooter")
GOAL_COLUMNS = ("date", "home_team", "away_team", "team", "scorer", "minute", "own_goal", "penalty")
FORMER_NAME_COLUMNS = ("current", "former", "start_date", "end_date")

#: The files, in the order they are best ingested (matches before what refers to them).
FILES: tuple[str, ...] = ("results.csv", "shootouts.csv", "goalscorers.csv", "former_names.csv")

#: Regular time ends at this minute of the source's clock; later minutes are extra time.
REGULAR_TIME_MINUTES = 90

_BOOLEANS = {"TRUE": True, "FALSE": False}
_MINUTE = re.compile(r"(\d{1,3})(?:\s*\+\s*(\d{1,2}))?'?")


class FormerName(NamedTuple):
    """A national team known as ``former`` from ``start`` to ``end`` (ISO dates, inclusive)."""

    current: str
    former: str
    start: dt.date
    end: dt.date


class InternationalResults:
    """The martj42 international results source (results, shoot-outs, goals, former names)."""

    key = KEY
    description = "International results (martj42): men's full internationals since 1872, shoot-outs, scorers"

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def files(self) -> list[RemoteFile]:
        """The four published CSV files."""
        return [
            RemoteFile(source=KEY, path=name, url=self.base_url + name, mirror_path=MIRROR_PREFIX + name)
            for name in FILES
        ]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one of the four files; ``former_names.csv`` is validated and yields no records
        (read it with :func:`former_names`)."""
        name = remote.path.rsplit("/", 1)[-1]
        if name == "results.csv":
            return parse_results(data, location)
        if name == "shootouts.csv":
            return parse_shootouts(data, location)
        if name == "goalscorers.csv":
            return parse_goals(data, location)
        if name == "former_names.csv":
            former_names(data, location)
            return ParsedFile()
        raise SourceError(location, None, f"not a file of {KEY}: expected one of {', '.join(FILES)}")


def parse_results(data: bytes, location: str) -> ParsedFile:
    """``results.csv`` as matches. Scores are as published: final scores, extra time included."""
    reader = _Reader(data, location, RESULTS_COLUMNS)
    parsed = ParsedFile()
    competition_ids: dict[str, str] = {}
    for line, row in reader.rows():
        day = reader.date(row[0], line, "date")
        home = reader.team(row[1], line, "home_team")
        away = reader.team(row[2], line, "away_team")
        home_goals = reader.goals(row[3], line, "home_score")
        away_goals = reader.goals(row[4], line, "away_score")
        if (home_goals is None) != (away_goals is None):
            raise SourceError(location, line, "only one side of the score is given")
        tournament = row[5].strip()
        if not tournament:
            raise SourceError(location, line, "empty tournament")
        competition_id = competition_ids.get(tournament)
        if competition_id is None:
            competition = competitions.international(tournament)
            competition_id = competition_ids[tournament] = competition.id
            if all(c.id != competition_id for c in parsed.competitions):
                parsed.competitions.append(competition)
        parsed.matches.append(
            MatchRecord(
                source=KEY,
                competition=competition_id,
                season=str(day.year),
                date=day,
                home=home,
                away=away,
                line=line,
                home_goals=home_goals,
                away_goals=away_goals,
                neutral=reader.boolean(row[8], line, "neutral"),
                status="played" if home_goals is not None else "scheduled",
            )
        )
    return parsed


def parse_shootouts(data: bytes, location: str) -> ParsedFile:
    """``shootouts.csv`` as shoot-out winners keyed by (date, home, away)."""
    reader = _Reader(data, location, SHOOTOUT_COLUMNS)
    parsed = ParsedFile()
    for line, row in reader.rows():
        home = reader.team(row[1], line, "home_team")
        away = reader.team(row[2], line, "away_team")
        parsed.shootouts.append(
            ShootoutRecord(
                source=KEY,
                date=reader.date(row[0], line, "date"),
                home=home,
                away=away,
                winner=reader.side_team(row[3], home, away, line, "winner"),
                line=line,
                first_shooter=reader.optional_side_team(row[4], home, away, line, "first_shooter"),
            )
        )
    return parsed


def parse_goals(data: bytes, location: str) -> ParsedFile:
    """``goalscorers.csv`` as goals keyed by (date, home, away), minute ``None`` when ``NA``."""
    reader = _Reader(data, location, GOAL_COLUMNS)
    parsed = ParsedFile()
    for line, row in reader.rows():
        home = reader.team(row[1], line, "home_team")
        away = reader.team(row[2], line, "away_team")
        credited = reader.side_team(row[3], home, away, line, "team")
        minute, stoppage = reader.minute(row[5], line)
        scorer = row[4].strip()
        parsed.goals.append(
            GoalEvent(
                match_line=None,
                side="home" if credited is home else "away",
                minute=minute,
                stoppage=stoppage,
                player=None if scorer in ("", "NA") else scorer,
                own_goal=reader.boolean(row[6], line, "own_goal"),
                penalty=reader.boolean(row[7], line, "penalty"),
                line=line,
                date=reader.date(row[0], line, "date"),
                home=home,
                away=away,
            )
        )
    return parsed


def former_names(data: bytes, location: str) -> list[FormerName]:
    """``former_names.csv``: (current, former, start, end) for teams that played under another name."""
    reader = _Reader(data, location, FORMER_NAME_COLUMNS)
    names = []
    for line, row in reader.rows():
        current, former = row[0].strip(), row[1].strip()
        if not current or not former:
            raise SourceError(location, line, "empty team name")
        start = reader.date(row[2], line, "start_date")
        end = reader.date(row[3], line, "end_date")
        if end < start:
            raise SourceError(location, line, f"end_date {end} is before start_date {start}")
        names.append(FormerName(current, former, start, end))
    return names


class _Reader:
    """CSV rows of one martj42 file with field parsers that name the line and column they reject."""

    def __init__(self, data: bytes, location: str, columns: tuple[str, ...]) -> None:
        self.location = location
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise SourceError(location, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
        if not text.strip():
            raise SourceError(location, None, "empty file")
        self.reader = csv.reader(io.StringIO(text))
        header = tuple(cell.strip() for cell in next(self.reader))
        if header != columns:
            hint = " (an HTML page?)" if text.lstrip().startswith("<") else ""
            raise SourceError(location, 1, f"expected header {','.join(columns)}, got {','.join(header)[:100]!r}{hint}")
        self.width = len(columns)
        self._dates: dict[str, dt.date] = {}
        self._teams: dict[str, TeamRef] = {}

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        for row in self.reader:
            if len(row) != self.width:
                if not any(cell.strip() for cell in row):
                    continue  # a blank line
                raise SourceError(self.location, self.reader.line_num, f"expected {self.width} fields, got {len(row)}")
            yield self.reader.line_num, row

    def date(self, text: str, line: int, column: str) -> dt.date:
        day = self._dates.get(text)
        if day is None:
            try:
                day = self._dates[text] = dt.date.fromisoformat(text.strip())
            except ValueError:
                raise SourceError(self.location, line, f"{column} {text!r} is not an ISO date") from None
        return day

    def team(self, text: str, line: int, column: str) -> TeamRef:
        team = self._teams.get(text)
        if team is None:
            name = text.strip()
            if not name:
                raise SourceError(self.location, line, f"empty {column}")
            team = self._teams[text] = TeamRef(name, national=True)
        return team

    def optional_side_team(self, text: str, home: TeamRef, away: TeamRef, line: int, column: str) -> TeamRef | None:
        if text.strip() in ("", "NA"):
            return None
        return self.side_team(text, home, away, line, column)

    def side_team(self, text: str, home: TeamRef, away: TeamRef, line: int, column: str) -> TeamRef:
        name = text.strip()
        if name == home.name:
            return home
        if name == away.name:
            return away
        raise SourceError(self.location, line, f"{column} {name!r} is neither {home.name!r} nor {away.name!r}")

    def goals(self, text: str, line: int, column: str) -> int | None:
        text = text.strip()
        if text == "NA":
            return None
        if not text.isdigit():
            raise SourceError(self.location, line, f"{column} {text!r} is not a goal count")
        return int(text)

    def boolean(self, text: str, line: int, column: str) -> bool:
        value = _BOOLEANS.get(text.strip().upper())
        if value is None:
            raise SourceError(self.location, line, f"{column} {text!r} is not TRUE or FALSE")
        return value

    def minute(self, text: str, line: int) -> tuple[int | None, int | None]:
        text = text.strip()
        if text in ("", "NA"):
            return None, None
        match = _MINUTE.fullmatch(text)
        if match is None or not 0 < int(match[1]) <= 130:
            raise SourceError(self.location, line, f"minute {text!r} is not a match minute (e.g. 67 or 90+3)")
        return int(match[1]), int(match[2]) if match[2] else None
