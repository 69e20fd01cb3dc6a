"""Finals of the UEFA club competitions since 1955 (DataRozhlas/evropske-pohary ``final_matches.json``).

The file is a pandas "column dict" export of Wikipedia's lists of finals: one object per column,
each mapping the row index (``"0"`` .. ``"163"``) to a value::

    {"competition": {"0": "European Cup and UEFA Champions League", ...},
     "season":      {"0": "1955-56", ...},          # "1960-61[a]" keeps a footnote mark
     "champions":   {"0": "Real Madrid", ...},      # "Juventus#": won on away goals
     "championsUrl": {"0": "Real_Madrid_CF", ...},  # Wikipedia article, percent-encoded
     "runners-up":  {"0": "Reims", ...},
     "runners-upUrl": {"0": "Stade_de_Reims", ...},
     "venues":      {"0": ["Parc des Princes, Paris, France"], ...}}   # "stadium, city, country"

Competitions: ``European Cup and UEFA Champions League`` -> ``uefa.cl``, ``UEFA Cup Winners' Cup``
-> ``uefa.cwc``, ``UEFA Cup and Europa League`` -> ``uefa.el``, ``UEFA Conference League`` ->
``uefa.ecl``.

What the file does **not** hold: scores, dates, extra time, penalties, the clubs' countries,
and which club was the designated (or real) home side. So every :class:`MatchRecord` here has
``home_goals=None``, ``date=None`` and ``tie_winner`` = the champion; ``stage`` and ``round`` are
``"final"``. Its value is the winner of each final and where it was played, which other
sources' final matches can be checked against.

- A final with one venue is one match, ``neutral=True`` (UEFA chose the venue in advance; the
  file cannot tell the few finals a finalist played in its own stadium), champion listed first.
- The UEFA Cup finals of 1971-72 .. 1996-97 and the Cup Winners' Cup final of 1960-61 were
  two-legged (:data:`TWO_LEGGED`): the two venues are the legs, in order. The file does not say
  which club hosted which leg, so the legs are listed champion-first then reversed, ``neutral``
  is ``False``, and ``note`` begins ``hosts unknown``; a warning says so too.
- Any other final with two venues was replayed (Cup Winners' Cup 1961-62, 1963-64): ``round``
  ``"final"`` then ``"final replay"``, both neutral. The 1974 European Cup final replay was at the
  same stadium and the file lists it once, so only one match is recorded for it.

``MatchRecord.line`` (and :class:`SourceError` ``line``) is the 1-based record number: the
pandas row index plus one. The file is a single line of JSON, so a text line would say nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from typing import Any, cast
from urllib.parse import unquote

from remontada.sources.base import RemoteFile
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

KEY = "uefa-finals"
BASE_URL = "https://raw.githubusercontent.com/DataRozhlas/evropske-pohary/master/"
MIRROR_PREFIX = "DataRozhlas/evropske-pohary/"
PATH = "data/final_matches.json"

#: The file's competition names -> competition ids.
COMPETITIONS: dict[str, str] = {
    "European Cup and UEFA Champions League": "uefa.cl",
    "UEFA Cup Winners' Cup": "uefa.cwc",
    "UEFA Cup and Europa League": "uefa.el",
    "UEFA Conference League": "uefa.ecl",
}

#: Competition id -> seasons (``"1971-72"`` style) whose final was played over two legs.
TWO_LEGGED: dict[str, frozenset[str]] = {
    "uefa.el": frozenset(f"{year}-{(year + 1) % 100:02d}" for year in range(1971, 1997)),
    "uefa.cwc": frozenset({"1960-61"}),
}

COLUMNS = ("competition", "season", "champions", "championsUrl", "runners-up", "runners-upUrl", "venues")

_FOOTNOTE = re.compile(r"\[[a-z0-9 ]+\]")
_SEASON = re.compile(r"(\d{4})[-–](\d{2}|\d{4})")
#: Marks Wikipedia puts after a champion's name: ``#`` = won on away goals.
_AWAY_GOALS_MARK = "#"


class UefaFinals:
    """The finals of the European Cup/Champions League, Cup Winners' Cup, UEFA Cup/Europa League
    and Conference League: winner, runner-up and venue of every final (no scores)."""

    key = KEY
    description = "UEFA club competition finals since 1955 (winner, runner-up, venue; no scores)"

    def __init__(self, base_url: str = BASE_URL) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def files(self) -> list[RemoteFile]:
        """The one JSON file."""
        return [RemoteFile(source=KEY, path=PATH, url=self.base_url + PATH, mirror_path=MIRROR_PREFIX + PATH)]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read the finals; raise :class:`SourceError` (``line`` = record number) on bad input."""
        return parse_finals(data, location)


def parse_finals(data: bytes, location: str) -> ParsedFile:
    """Every final in the file as one match, two legs, or a match and its replay."""
    table = _load(data, location)
    parsed = ParsedFile()
    for index in sorted(table["season"], key=int):
        record = int(index) + 1
        row = {column: table[column][index] for column in COLUMNS}
        parsed.matches.extend(_final(row, record, location, parsed.warnings))
    return parsed


def _load(data: bytes, location: str) -> dict[str, dict[str, Any]]:
    try:
        table = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        raise SourceError(location, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise SourceError(location, None, f"not JSON: {exc.msg} at character {exc.pos}") from None
    if not isinstance(table, Mapping):
        raise SourceError(location, None, "expected a JSON object of columns")
    missing = [column for column in COLUMNS if column not in table]
    if missing:
        raise SourceError(location, None, f"missing column(s) {', '.join(missing)}")
    for column in COLUMNS:
        if not isinstance(table[column], Mapping):
            raise SourceError(location, None, f"column {column!r} is not an object of row index -> value")
    indices = set(table["season"])
    for column in COLUMNS:
        if set(table[column]) != indices:
            raise SourceError(location, None, f"column {column!r} does not have the same rows as 'season'")
    bad = sorted(i for i in indices if not (isinstance(i, str) and i.isdigit()))
    if bad:
        raise SourceError(location, None, f"row index {bad[0]!r} is not a number")
    return cast("dict[str, dict[str, Any]]", table)


def _final(row: dict[str, Any], record: int, location: str, warnings: list[tuple[int, str]]) -> list[MatchRecord]:
    def text(column: str) -> str:
        value = row[column]
        if not isinstance(value, str) or not value.strip():
            raise SourceError(location, record, f"{column} {value!r} is not a non-empty string")
        return value.strip()

    competition = COMPETITIONS.get(text("competition"))
    if competition is None:
        raise SourceError(location, record, f"unknown competition {row['competition']!r}")
    season = _season(text("season"), location, record)
    champion_name = _FOOTNOTE.sub("", text("champions")).strip()
    away_goals = champion_name.endswith(_AWAY_GOALS_MARK)
    champion = TeamRef(champion_name.rstrip(_AWAY_GOALS_MARK).strip())
    runner_up = TeamRef(_FOOTNOTE.sub("", text("runners-up")).strip())
    if not champion.name or not runner_up.name or champion == runner_up:
        raise SourceError(location, record, f"finalists {champion.name!r} and {runner_up.name!r} are not two clubs")
    venues = row["venues"]
    if not isinstance(venues, list) or not all(isinstance(v, str) and v.strip() for v in venues):
        raise SourceError(location, record, f"venues {venues!r} is not a list of strings")
    articles = f"wikipedia: {unquote(text('championsUrl'))} / {unquote(text('runners-upUrl'))}"
    outcome = "won on away goals" if away_goals else ""

    def match(home: TeamRef, away: TeamRef, venue: str, round_: str, leg: int | None = None) -> MatchRecord:
        hosts_unknown = "hosts unknown" if leg is not None else ""
        note = "; ".join(part for part in (hosts_unknown, f"venue: {venue.strip()}", articles, outcome) if part)
        return MatchRecord(
            source=KEY,
            competition=competition,
            season=season,
            date=None,
            home=home,
            away=away,
            line=record,
            stage="final",
            round=round_,
            leg=leg,
            neutral=leg is None,
            tie_winner=champion,
            note=note,
        )

    if len(venues) == 1:
        return [match(champion, runner_up, venues[0], "final")]
    if len(venues) != 2:
        raise SourceError(location, record, f"expected one or two venues, got {len(venues)}")
    if season in TWO_LEGGED.get(competition, ()):
        warnings.append((record, f"{competition} {season} final legs: the source does not say which club hosted each"))
        return [
            match(champion, runner_up, venues[0], "final", leg=1),
            match(runner_up, champion, venues[1], "final", leg=2),
        ]
    return [match(champion, runner_up, venues[0], "final"), match(champion, runner_up, venues[1], "final replay")]


def _season(text: str, location: str, record: int) -> str:
    """``"1960-61[a]"`` -> ``"1960-61"``, ``"1999-2000"`` -> ``"1999-00"``."""
    found = _SEASON.fullmatch(_FOOTNOTE.sub("", text).strip())
    if found is None:
        raise SourceError(location, record, f"season {text!r} is not like 1999-2000 or 2023-24")
    start, end = int(found[1]), found[2]
    if int(end[-2:]) != (start + 1) % 100 or (len(end) == 4 and int(end) != start + 1):
        raise SourceError(location, record, f"season {text!r} does not span two consecutive years")
    return f"{start}-{end[-2:]}"
