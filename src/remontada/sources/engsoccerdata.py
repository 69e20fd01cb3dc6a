"""engsoccerdata (James P. Curley): long-run league, cup and European Cup results as CSV.

Files live at ``https://raw.githubusercontent.com/jalapic/engsoccerdata/master/data-raw/{name}.csv``
(licence GPL >= 2). Every file has a header row, writes missing values as ``NA``, and its
``Season`` column is the year the season *starts* (``1955`` is 1955-56). MLS's ``Season`` is the
calendar year of the season (``"1996"``); South Africa's is the start year of an August-May
season (``"2002-03"``).

What the columns mean was checked against the data and known matches, not assumed:

``champs.csv`` (European Cup / Champions League 1955-56 .. 2015-16, plus the 2016-17 and 2017-18
finals; Barcelona 6-1 Paris Saint-Germain of March 2017 is therefore *not* in it)

- ``FT`` = ``hgoal``-``vgoal`` is the score after 90 minutes: the 1958 final Real Madrid v AC Milan
  is ``FT 2-2``, ``aet 3-2``. ``aet``/``aethgoal``/``aetvgoal`` hold the cumulative score after
  extra time (``NA`` when there was none); ``tothgoal``/``totvgoal`` are the final score (aet if
  played, else FT).
- ``pens`` is a shoot-out score oriented home-visitor of that row (``"4-3 "``, sometimes with a
  trailing space), or a note on how the tie was settled: ``away goals``, ``coin toss`` (1957-58 ..
  1969-70), ``walkover``. The two ``walkover`` rows are the 1990-91 quarter-finals abandoned and
  awarded 3-0 (Marseille v AC Milan, Dynamo Dresden v Crvena Zvezda): read as ``awarded``.
- ``leg`` is ``1``/``2`` for two-legged ties, ``groups`` for group matches, ``replay`` for a
  play-off after a level tie (its venue is not recorded, so ``neutral`` stays ``False``), ``NA``
  for single matches (finals, the one-legged 1993-94 semi-finals) and ``initial``/``replay`` for
  the drawn 1974 final and its replay. Both legs of a tie carry the *whole tie's* aggregate in
  ``FTagg_*`` (90 minutes) and ``totagg_*`` (with extra time) and the tie's winner in
  ``tiewinner``; when a replay followed, the sum covers all three matches. Records get
  ``agg_home``/``agg_away`` on the second leg only: leg 1 + leg 2 including extra time, this
  match's home side first (equal to ``totagg_*`` for every tie without a replay).
- ``round``: ``prelim``/``PrelimF``/``Q-1``/``Q-2``/``Q-3``/``Q-PO`` are qualifying, ``Round1``/``1``/
  ``Round2``/``R16``/``QF``/``SF`` knockout, ``GroupA``.. group stage (``-prelim``/``-inter`` are the
  first and second group stages of 1999-2003), ``final``.
- Quirks kept as published: the 1974 final's first match is ``FT 1-1`` with ``aet NA`` (it was 0-0
  after 90 minutes); some 1982-83 round-of-16 ties have both legs on one date; the 1969-70
  ``tiewinner`` ``Vorwarts Berlin`` names the side written ``ASK Vorwarts Berlin`` (the record uses
  the side's name, with a warning); CSKA Sofia v Sporting 1982-83 has no ``tiewinner``; the 1999-00
  semi-final names Bayern Munich although Real Madrid won 3-2 on aggregate (warned). Quirk fixed:
  four 1992-93 preliminary ties label both legs ``1`` or both ``2``; the legs are ordered by date.

Domestic league files (``england5`` = tier 5 only, ``germany`` = tiers 1 and 2 with ``division``
``2North``/``2South`` for 1974-81, ``italy``, ``spain`` (``HT``; ``round`` ``phase2`` + ``group``
for 1986-87), ``france``, ``holland``, ``scotland`` (tiers 1-4), ``portugal``, ``belgium``,
``turkey``, ``greece``, ``safrica``): ``FT`` is the final score; ``tier`` picks the competition.
``england5`` has no dates before 1999-2000 (``date=None``). A row without a score (Greece 2018-19
Panathinaikos v Olympiakos, ``NA-NA``) is skipped with a warning; Spain 1979-80 Malaga v Almeria
is ``awarded`` (``notes``). ``germany2.csv`` repeats every tier-2 row of ``germany.csv`` and
``belgium_current_2023_raw``/``_2024_raw`` repeat seasons of ``belgium.csv`` row for row, so
:meth:`EngSoccerData.files` leaves them out (they still parse).

Cups and play-offs (``facup``, ``leaguecup``, ``englandplayoffs``, ``dfbpokal``, ``mls``):

- ``FT`` is the score *after extra time* when ``aet`` is ``yes`` (FA Cup final 2016 Manchester
  United 2-1 Crystal Palace), so those records have ``aet_home``/``aet_away`` and no 90-minute
  score (``home_goals=None``). MLS instead has 90-minute ``FT`` plus ``hgoalaet``/``vgoalaet``.
- Shoot-outs: FA Cup ``hp``/``vp``; play-offs only ``pens`` like ``"5-4 Torquay United"`` (the
  winner's kicks first); MLS ``hpen``/``vpen``. The League Cup file has no extra-time or
  shoot-out data at all (its ``aet``/``pens`` are all ``NA``).
- ``tie``: ``initial``, ``replay``/``replay1``.. (note ``"replay"``, ``"second replay"``..),
  ``leg1``/``leg2``; League Cup ``leg`` ``0``/``1``/``2`` but single matches of several seasons
  (e.g. the 2006-07 first round, finals from 2006-07) are marked ``1``: a leg 1 without a second
  leg is read as a single match. Play-off legs 1997-2014 are swapped in 13 ties (2008-09
  Preston v Sheffield United: "leg2" 8 May, "leg1" 11 May); their dates are right, so play-off
  legs are ordered by date. The play-off file marks ``aet``/``pen`` on *both* legs of the two
  1986-87 ties that went to extra time; a first leg never does, so the flags are dropped there.
- ``nonmatch`` (FA Cup): ``Bye`` rows are not matches and are skipped (with a warning);
  ``Walkover`` and ``X disqualified`` without a score become ``walkover``; ``Match void`` is
  ``annulled`` (score kept); ``Not played`` is ``cancelled``; a disqualification after a played
  match stays ``played`` with a note. ``notes`` such as ``"Royal Engineers progress"`` set
  ``tie_winner``.
- ``neutral`` comes from the ``neutral`` column where there is one; single-match finals of the
  League Cup and DFB-Pokal are neutral; MLS Cup finals until 2011 were at pre-chosen venues, neutral
  except 1997, 2002 and 2011 when the venue was the home side's ground (the higher seed has hosted
  since 2012). ``englandplayoffs`` gives dates of 2014-15 .. 2018-19 as days since
  1970-01-01 (``18027`` = 2019-05-11); its 2018-19 National League final appears twice (both
  orientations), the second copy is skipped. It also holds non-League play-offs (divisions
  ``N``, ``S``, ``I``... at tiers 6-8); all rows are ``eng.po`` with the division in ``round``.
  Its ``neutral`` column is ``yes`` for every semi-final leg of 1989-90 .. 2013-14; a leg of a
  home-and-away tie is read as a home match.

Non-match files: :func:`parse_deductions` reads ``deductions.csv`` (points deductions per team
and season) and :func:`parse_teamnames` reads ``teamnames.csv`` (name variants per country).
"""

from __future__ import annotations

import csv
import dataclasses
import datetime as dt
import functools
import io
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

from remontada.sources.base import RemoteFile
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

KEY = "engsoccerdata"
BASE_URL = "https://raw.githubusercontent.com/jalapic/engsoccerdata/master/"
MIRROR_PREFIX = "engsoccerdata/"
_NA = "NA"
_EPOCH = dt.date(1970, 1, 1)


@dataclass(frozen=True, slots=True)
class DataFile:
    """One match file of engsoccerdata and how to read it.

    ``kind`` picks the row reader (``champs``, ``league``, ``mls``, ``facup``, ``leaguecup``,
    ``playoffs``, ``dfbpokal``); ``tiers`` maps the ``tier`` column to competition ids for league
    files; ``competition`` is the single competition of the other files. ``catalogued=False``
    files duplicate another file's rows and are left out of :meth:`EngSoccerData.files`.
    """

    name: str
    kind: str
    country: str | None
    competition: str | None = None
    tiers: dict[int, str] = field(default_factory=dict)
    calendar_seasons: bool = False
    catalogued: bool = True


def _league(name: str, country: str, tiers: dict[int, str], catalogued: bool = True) -> DataFile:
    single = next(iter(tiers.values())) if len(tiers) == 1 else None
    return DataFile(name, "league", country, single, tiers, catalogued=catalogued)


_ENGLAND_TIERS = {tier: f"eng.{tier}" for tier in range(1, 6)}
#: Seasons (by start year) when England's third tier was Third Division North and South.
_REGIONAL_THIRD_TIER = range(1921, 1958)

#: Every match file, by name (the file is ``data-raw/{name}.csv``).
DATA_FILES: dict[str, DataFile] = {
    spec.name: spec
    for spec in (
        DataFile("champs", "champs", None, "uefa.cl"),
        _league("england5", "ENG", {5: "eng.5"}),
        _league("germany", "GER", {1: "ger.1", 2: "ger.2"}),
        _league("germany2", "GER", {2: "ger.2"}, catalogued=False),
        _league("italy", "ITA", {1: "ita.1"}),
        _league("spain", "ESP", {1: "esp.1"}),
        _league("france", "FRA", {1: "fra.1"}),
        _league("holland", "NED", {1: "ned.1"}),
        _league("scotland", "SCO", {1: "sco.1", 2: "sco.2", 3: "sco.3", 4: "sco.4"}),
        _league("portugal", "POR", {1: "por.1"}),
        _league("belgium", "BEL", {1: "bel.1"}),
        _league("belgium_current_2023_raw", "BEL", {1: "bel.1"}, catalogued=False),
        _league("belgium_current_2024_raw", "BEL", {1: "bel.1"}, catalogued=False),
        _league("turkey", "TUR", {1: "tur.1"}),
        _league("greece", "GRE", {1: "gre.1"}),
        _league("safrica", "RSA", {1: "rsa.1"}),
        DataFile("mls", "mls", "USA", "usa.1", calendar_seasons=True),
        DataFile("facup", "facup", "ENG", "eng.fa"),
        DataFile("leaguecup", "leaguecup", "ENG", "eng.lc"),
        DataFile("englandplayoffs", "playoffs", "ENG", "eng.po"),
        DataFile("dfbpokal", "dfbpokal", "GER", "ger.cup"),
    )
}

#: engsoccerdata's country names (``teamnames.csv``, ``deductions.csv``) -> country codes.
COUNTRY_CODES: dict[str, str] = {
    "England": "ENG",
    "Scotland": "SCO",
    "Germany": "GER",
    "Italy": "ITA",
    "Spain": "ESP",
    "France": "FRA",
    "Holland": "NED",
    "Portugal": "POR",
    "Belgium": "BEL",
    "Turkey": "TUR",
    "Greece": "GRE",
    "MLS": "USA",
}


@dataclass(frozen=True, slots=True)
class Deduction:
    """Points taken off a team for one league season (``points`` > 0 is a deduction).

    ``tier`` is the league level (1 = top flight). ``competition`` is its id, or ``None`` for
    England's tier 3 in 1921-22 .. 1957-58, which was two regional divisions (``eng.3n``/
    ``eng.3s``) and the file does not say which.
    """

    season: str
    team: TeamRef
    tier: int
    points: int
    line: int
    competition: str | None


class EngSoccerData:
    """The engsoccerdata source: its match files and their parser. ``base_url`` may point at a mirror."""

    key = KEY
    description = "engsoccerdata: European Cup 1955-2016 with legs and aggregates; league and cup histories"

    def __init__(self, base_url: str = BASE_URL, names: Iterable[str] | None = None) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        chosen = [spec.name for spec in DATA_FILES.values() if spec.catalogued] if names is None else list(names)
        unknown = [name for name in chosen if name not in DATA_FILES]
        if unknown:
            raise ValueError(f"unknown engsoccerdata file(s) {unknown}; known: {', '.join(DATA_FILES)}")
        self.names = tuple(chosen)

    def remote(self, name: str) -> RemoteFile:
        """The :class:`RemoteFile` of ``data-raw/{name}.csv`` (match or reference file)."""
        spec = DATA_FILES.get(name)
        path = f"data-raw/{name}.csv"
        return RemoteFile(
            source=KEY,
            path=path,
            url=self.base_url + path,
            mirror_path=MIRROR_PREFIX + path,
            competition=spec.competition if spec else None,
        )

    def files(self) -> list[RemoteFile]:
        """The match files (duplicates of other files left out, see the module docstring)."""
        return [self.remote(name) for name in self.names]

    def reference_files(self) -> list[RemoteFile]:
        """``deductions.csv`` and ``teamnames.csv``: read with :func:`parse_deductions`/:func:`parse_teamnames`."""
        return [self.remote("deductions"), self.remote("teamnames")]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Parse one match file into records; raise :class:`SourceError` naming file and line."""
        name = remote.path.rsplit("/", 1)[-1].removesuffix(".csv")
        spec = DATA_FILES.get(name)
        if spec is None:
            raise SourceError(location, None, f"{name!r} is not an engsoccerdata match file")
        return _FileParser(spec, data, location).parse()


# ---- reference files ---------------------------------------------------------------------------


def parse_deductions(data: bytes, location: str) -> list[Deduction]:
    """Read ``deductions.csv``: one :class:`Deduction` per row (English tiers 1-4 so far)."""
    table = _Table(data, location, ("season", "team", "tier", "deduction", "country"))
    deductions = []
    for line, row in table.rows:
        try:
            country = _country_code(row["country"])
            tier = _int(row["tier"], "tier")
            if country != "ENG" or tier not in _ENGLAND_TIERS:
                raise _CellError(f"no competition for tier {tier} in {row['country']}")
            points = _int(row["deduction"], "deduction")
            year = _int(row["season"], "Season")
            team = _text(row["team"])
            if points is None or year is None or team is None:
                raise _CellError("Season, team and deduction are required")
        except _CellError as exc:
            raise SourceError(location, line, str(exc)) from None
        competition = None if tier == 3 and year in _REGIONAL_THIRD_TIER else _ENGLAND_TIERS[tier]
        season = _season_label(year, calendar=False)
        deductions.append(Deduction(season, TeamRef(team, country), tier, points, line, competition))
    return deductions


def parse_teamnames(data: bytes, location: str) -> list[tuple[str, str, str]]:
    """Read ``teamnames.csv`` as ``(country code, name, other name)``: evidence that two names are one club.

    ``name`` is the club's name in engsoccerdata's match files, ``other name`` a variant seen
    elsewhere (``("ENG", "Accrington F.C.", "accr")``). Countries are codes (``Holland`` -> ``NED``,
    ``MLS`` -> ``USA``).
    """
    table = _Table(data, location, ("country", "name", "name_other"))
    names = []
    for line, row in table.rows:
        try:
            country = _country_code(row["country"])
            name = _text(row["name"])
            other = _text(row["name_other"])
            if name is None:
                raise _CellError("name is required")
        except _CellError as exc:
            raise SourceError(location, line, str(exc)) from None
        if other is not None:  # one row ("Accrington", NA) names no variant
            names.append((country, name, other))
    return names


# ---- CSV reading -------------------------------------------------------------------------------


class _CellError(ValueError):
    """A bad value in a row; the caller adds file and line."""


class _Table:
    """A CSV file as (physical line, {lower-case column: value}) rows, checked against its header."""

    def __init__(self, data: bytes, location: str, required: Iterable[str]) -> None:
        text = _decode(data, location)
        reader = csv.reader(io.StringIO(text, newline=""), strict=True)
        # Tuples of strings: the garbage collector stops tracking them, and so stops rescanning them.
        rows: list[tuple[int, tuple[str, ...]]] = []
        start = 1
        try:
            for values in reader:
                if values:
                    rows.append((start, tuple(values)))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise SourceError(location, start, f"unreadable CSV: {exc}") from None
        if not rows:
            raise SourceError(location, None, "the file is empty")
        header_line, header = rows[0]
        self.columns = [name.strip().lower() for name in header]
        missing = [name for name in required if name not in self.columns]
        if missing:
            raise SourceError(
                location, header_line, f"missing column(s) {', '.join(missing)}; header is {','.join(header)}"
            )
        width = len(self.columns)
        for line, cells in rows[1:]:
            if len(cells) != width:
                raise SourceError(location, line, f"expected {width} fields, found {len(cells)} (truncated row?)")
        #: (line, cells) per data row, cells in header order.
        self.values = rows[1:]

    @property
    def rows(self) -> Iterator[tuple[int, dict[str, str]]]:
        """(line, {column: value}) per data row, made as iterated: a quarter of a million dicts
        held at once would cost more to allocate and to garbage-collect than to make one by one."""
        columns = self.columns
        return ((line, dict(zip(columns, values, strict=False))) for line, values in self.values)


def _decode(data: bytes, location: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(location, line, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None


def _text(value: str | None) -> str | None:
    """The stripped value, or ``None`` for ``NA`` and empty cells."""
    if value is None or value == _NA:
        return None
    value = value.strip()
    return None if value in ("", _NA) else value


def _int(value: str | None, column: str) -> int | None:
    text = _text(value)
    if text is None:
        return None
    try:
        return int(text)
    except ValueError:
        raise _CellError(f"bad {column} {value!r}: expected a whole number") from None


_SCORE = re.compile(r"(\d+)-(\d+)")


@functools.lru_cache(maxsize=4096)
def _score(value: str | None, column: str) -> tuple[int, int] | None:
    text = _text(value)
    if text is None or text == "NA-NA":
        return None
    match = _SCORE.fullmatch(text)
    if match is None:
        raise _CellError(f"bad {column} score {value!r}: expected goals-goals")
    return int(match.group(1)), int(match.group(2))


def _goals(row: dict[str, str], score_column: str, home_column: str, away_column: str) -> tuple[int, int] | None:
    """The score from ``hgoal``/``vgoal``, checked against the ``FT`` text; either may be ``NA``."""
    return _goals_of(
        row.get(score_column), row.get(home_column), row.get(away_column), score_column, home_column, away_column
    )


def _goals_of(
    text: str | None,
    home_text: str | None,
    away_text: str | None,
    score_column: str,
    home_column: str,
    away_column: str,
) -> tuple[int, int] | None:
    """:func:`_goals` from the three cells' texts (``None`` for a missing column)."""
    if text is not None and home_text is not None and text == f"{home_text}-{away_text}":
        # The common case: "3-2", "3", "2" agree, so the (cached) text parse is the answer.
        return _score(text, score_column.upper())
    text_score = _score(text, score_column.upper())
    home = _int(home_text, home_column)
    away = _int(away_text, away_column)
    if (home is None) != (away is None):
        raise _CellError(f"{home_column}/{away_column} must both be given or both NA")
    if home is None or away is None:
        return text_score
    if text_score is not None and text_score != (home, away):
        raise _CellError(f"{score_column.upper()} {text!r} disagrees with {home_column}-{away_column}")
    return home, away


@functools.lru_cache(maxsize=65536)
def _date(value: str | None) -> dt.date | None:
    text = _text(value)
    if text is None:
        return None
    if text.isdigit() and 4 <= len(text) <= 6:
        # R wrote some play-off dates as numbers: days since 1970-01-01.
        return _EPOCH + dt.timedelta(days=int(text))
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _CellError(f"bad date {value!r}: expected YYYY-MM-DD") from None


def _season_label(year: int, calendar: bool) -> str:
    return str(year) if calendar else f"{year}-{(year + 1) % 100:02d}"


def _country_code(value: str) -> str:
    try:
        return COUNTRY_CODES[value.strip()]
    except KeyError:
        raise _CellError(f"unknown country {value!r}") from None


def _attendance(value: str | None) -> float | None:
    text = _text(value)
    if text is None:
        return None
    try:
        # "1,200" and R's "1e+05" both occur.
        return float(text.replace(",", ""))
    except ValueError:
        raise _CellError(f"bad attendance {value!r}") from None


def _yes(value: str | None) -> bool:
    text = _text(value)
    if text is None:
        return False
    if text.lower() == "yes":
        return True
    raise _CellError(f"bad flag {value!r}: expected yes or NA")


# ---- round vocabularies --------------------------------------------------------------------------

#: champs.csv ``round`` -> (stage, readable round).
CHAMPS_ROUNDS: dict[str, tuple[str, str]] = {
    "prelim": ("qualifying", "Preliminary round"),
    "PrelimF": ("qualifying", "Preliminary round"),
    "Q-1": ("qualifying", "First qualifying round"),
    "Q-2": ("qualifying", "Second qualifying round"),
    "Q-3": ("qualifying", "Third qualifying round"),
    "Q-PO": ("qualifying", "Play-off round"),
    "Round1": ("knockout", "First round"),
    "1": ("knockout", "First round"),
    "Round2": ("knockout", "Second round"),
    "R16": ("knockout", "Round of 16"),
    "QF": ("knockout", "Quarterfinals"),
    "SF": ("knockout", "Semifinals"),
    "final": ("final", "Final"),
}
_CHAMPS_GROUP = re.compile(r"Group([A-H])(?:-(prelim|inter))?")
_GROUP_PHASES = {None: "", "prelim": "First group stage ", "inter": "Second group stage "}

_CUP_ROUNDS: dict[str, tuple[str, str]] = {
    "prelim": ("qualifying", "Preliminary round"),
    "q": ("knockout", "Quarterfinals"),
    "quarter-final": ("knockout", "Quarterfinals"),
    "s": ("knockout", "Semifinals"),
    "semi": ("knockout", "Semifinals"),
    "semi-final": ("knockout", "Semifinals"),
    "f": ("final", "Final"),
    "final": ("final", "Final"),
    "3pp": ("placement", "Third place play-off"),
    "l": ("group", "Mini-league"),
    "spf": ("final", "Super play-off final"),
}

_MLS_ROUNDS: dict[str, tuple[str, str | None]] = {
    "regular": ("league", None),
    "play_in": ("knockout", "Play-in round"),
    "conf_semi": ("knockout", "Conference semifinals"),
    "conf_final": ("knockout", "Conference finals"),
    "mls_final": ("final", "MLS Cup final"),
}

_REPLAYS = {
    "replay": "replay",
    "replay1": "replay",
    "replay2": "second replay",
    "replay3": "third replay",
    "replay4": "fourth replay",
}

#: englandplayoffs.csv ``division`` -> label used in ``round``; other codes (``N.E``...) are kept.
_PLAYOFF_DIVISIONS = {
    "2": "tier 2",
    "3": "tier 3",
    "4": "tier 4",
    "test match": "test match",
    "conference": "National League",
}

#: MLS Cup finals were at venues chosen in advance until 2011; the higher seed has hosted since 2012.
_MLS_LAST_NEUTRAL_FINAL = 2011
#: ... but three of those venues were the listed home side's own ground: RFK Stadium (DC United,
#: 1997), Gillette Stadium (New England Revolution, 2002), Home Depot Center (LA Galaxy, 2011).
_MLS_FINALS_AT_HOME = frozenset({1997, 2002, 2011})


def _cup_round(code: str) -> tuple[str, str]:
    if code.isdigit():
        return "knockout", f"Round {code}"
    try:
        return _CUP_ROUNDS[code.lower()]
    except KeyError:
        raise _CellError(f"unknown round {code!r}") from None


# ---- the parser ----------------------------------------------------------------------------------


#: The result columns every file but champs.csv opens with.
_RESULT = ("date", "season", "home", "visitor", "ft", "hgoal", "vgoal")
#: Columns the League Cup and DFB-Pokal files share (both carry a leg column).
_CUP_WITH_LEGS = (*_RESULT, "round", "tie", "leg", "aet", "pens", "attendance")

_REQUIRED: dict[str, tuple[str, ...]] = {
    "champs": (
        "date", "season", "round", "leg", "home", "visitor", "ft", "ht", "aet", "pens", "hgoal", "vgoal",
        "aethgoal", "aetvgoal", "totagg_home", "totagg_visitor", "tiewinner", "hcountry", "vcountry",
    ),
    "league": (*_RESULT, "tier"),
    "mls": (*_RESULT, "round", "leg", "hgoalaet", "vgoalaet", "hpen", "vpen"),
    "facup": (*_RESULT, "round", "tie", "aet", "pen", "hp", "vp", "attendance", "nonmatch", "notes", "neutral"),
    "leaguecup": _CUP_WITH_LEGS,
    "playoffs": (*_RESULT, "division", "round", "tie", "aet", "pen", "pens", "attendance", "neutral"),
    "dfbpokal": _CUP_WITH_LEGS,
}  # fmt: skip


class _FileParser:
    def __init__(self, spec: DataFile, data: bytes, location: str) -> None:
        self.spec = spec
        self.location = location
        self.table = _Table(data, location, _REQUIRED[spec.kind])
        # Column -> position (the last of a repeated name, as the row dicts have it).
        self.positions = {name: index for index, name in enumerate(self.table.columns)}
        self.warnings: list[tuple[int, str]] = []
        #: champs.csv ``totagg_*`` per line: checked against (or standing in for) the legs' sum.
        self.tie_totals: dict[int, tuple[int, int]] = {}
        # Names and seasons repeat thousands of times: share one value per distinct text.
        self._teams: dict[tuple[str, str | None], TeamRef] = {}
        self.neutral_legs: list[int] = []
        self._seasons: dict[str, str] = {}

    def parse(self) -> ParsedFile:
        kind = self.spec.kind
        matches = []
        if kind == "league":
            # Nine in ten rows: read by column position, without a dict per row.
            for line, values in self.table.values:
                try:
                    record = self._league(line, values)
                except _CellError as exc:
                    raise SourceError(self.location, line, str(exc)) from None
                if record is not None:
                    matches.append(record)
        else:
            reader: Callable[[int, dict[str, str]], MatchRecord | None] = getattr(self, f"_{kind}")
            for line, row in self.table.rows:
                try:
                    record = reader(line, row)
                except _CellError as exc:
                    raise SourceError(self.location, line, str(exc)) from None
                if record is not None:
                    matches.append(record)
        if kind == "champs":
            matches = self._resolve_legs(matches, trust_dates=False, unpaired_single=False)
            matches = self._champs_aggregates(matches)
        elif kind in ("facup", "leaguecup", "playoffs", "dfbpokal"):
            matches = self._drop_reverse_duplicates(matches)
            matches = self._resolve_legs(
                matches, trust_dates=kind == "playoffs", unpaired_single=kind in ("leaguecup", "dfbpokal")
            )
            matches = [self._cup_tidy(m) for m in matches]
            if self.neutral_legs:
                self.warnings.append(
                    (
                        self.neutral_legs[0],
                        f"{len(self.neutral_legs)} legs of two-legged ties marked neutral; read as home matches",
                    )
                )
        return ParsedFile(matches=matches, warnings=self.warnings)

    # ---- shared pieces -----------------------------------------------------------------------
    def _season(self, row: dict[str, str]) -> str:
        return self._season_named(row["season"])

    def _season_named(self, text: str) -> str:
        label = self._seasons.get(text)
        if label is None:
            year = _int(text, "Season")
            if year is None:
                raise _CellError("Season is missing")
            label = self._seasons[text] = _season_label(year, self.spec.calendar_seasons)
        return label

    def _team(self, row: dict[str, str], column: str, country: str | None) -> TeamRef:
        return self._team_named(row[column], column, country)

    def _team_named(self, text: str, column: str, country: str | None) -> TeamRef:
        key = (text, country)
        team = self._teams.get(key)
        if team is None:
            name = _text(text)
            if name is None:
                raise _CellError(f"{column} team is missing")
            team = self._teams[key] = TeamRef(name, country)
        return team

    def _record(self, line: int, row: dict[str, str], competition: str, **values: object) -> MatchRecord:
        if "home" not in values:
            values["home"] = self._team(row, "home", self.spec.country)
            values["away"] = self._team(row, "visitor", self.spec.country)
        return MatchRecord(
            source=KEY,
            competition=competition,
            season=self._season(row),
            date=_date(row["date"]),
            line=line,
            **values,  # type: ignore[arg-type]
        )

    def _no_score(self, line: int, row: dict[str, str]) -> None:
        self.warnings.append((line, f"{row['home']} v {row['visitor']} has no score ({row['ft']}); row skipped"))

    def _stats(self, row: dict[str, str]) -> dict[str, float]:
        attendance = _attendance(row.get("attendance"))
        return {} if attendance is None else {"attendance": attendance}

    # ---- European Cup ------------------------------------------------------------------------
    def _champs(self, line: int, row: dict[str, str]) -> MatchRecord:
        code = row["round"].strip()
        group = _CHAMPS_GROUP.fullmatch(code)
        if group is not None:
            stage, round_label = "group", f"{_GROUP_PHASES[group.group(2)]}Group {group.group(1)}"
        elif code in CHAMPS_ROUNDS:
            stage, round_label = CHAMPS_ROUNDS[code]
        else:
            raise _CellError(f"unknown round {code!r}")
        leg_text = _text(row["leg"])
        notes: list[str] = []
        leg: int | None = None
        if leg_text in ("1", "2"):
            leg = int(leg_text)
        elif leg_text == "replay":
            notes.append("replay")
        elif leg_text == "initial":
            notes.append("drawn, replayed")
        elif leg_text not in (None, "groups"):
            raise _CellError(f"unknown leg {leg_text!r}")
        score = _goals(row, "ft", "hgoal", "vgoal")
        if score is None:
            raise _CellError("no score")
        aet = _goals(row, "aet", "aethgoal", "aetvgoal")
        status = "played"
        pens: tuple[int, int] | None = None
        settled = _text(row["pens"])
        if settled == "away goals":
            notes.append("won on away goals")
        elif settled == "coin toss":
            notes.append("decided by coin toss")
        elif settled == "walkover":
            status = "awarded"
            notes.append("awarded (source: walkover)")
        elif settled is not None:
            pens = _score(settled, "pens")
        home = self._team(row, "home", _text(row["hcountry"]))
        away = self._team(row, "visitor", _text(row["vcountry"]))
        tie_winner = self._tie_winner(line, _text(row["tiewinner"]), home, away)
        total_home = _int(row["totagg_home"], "totagg_home")
        total_away = _int(row["totagg_visitor"], "totagg_visitor")
        if total_home is not None and total_away is not None:
            self.tie_totals[line] = (total_home, total_away)
        ht = _score(row["ht"], "HT")
        return self._record(
            line,
            row,
            "uefa.cl",
            home=home,
            away=away,
            home_goals=score[0],
            away_goals=score[1],
            ht_home=ht[0] if ht else None,
            ht_away=ht[1] if ht else None,
            aet_home=aet[0] if aet else None,
            aet_away=aet[1] if aet else None,
            pen_home=pens[0] if pens else None,
            pen_away=pens[1] if pens else None,
            stage=stage,
            round=round_label,
            leg=leg,
            neutral=stage == "final",
            status=status,
            tie_winner=tie_winner,
            note="; ".join(notes) or None,
        )

    def _tie_winner(self, line: int, name: str | None, home: TeamRef, away: TeamRef) -> TeamRef | None:
        if name is None:
            return None
        for side in (home, away):
            if side.name == name:
                return side
        # "Vorwarts Berlin" for the side written "ASK Vorwarts Berlin": match on a unique containment.
        sides = [side for side in (home, away) if name in side.name or side.name in name]
        if len(sides) == 1:
            self.warnings.append((line, f"tie winner {name!r} read as {sides[0].name!r}"))
            return sides[0]
        self.warnings.append((line, f"tie winner {name!r} is neither {home.name!r} nor {away.name!r}; ignored"))
        return None

    def _champs_aggregates(self, matches: list[MatchRecord]) -> list[MatchRecord]:
        """Set ``agg_home``/``agg_away`` on second legs: first leg + second leg (with extra time).

        The source's ``totagg_*`` is the whole tie's total, which also counts a replay's goals, so
        the aggregate is summed from the two legs; a disagreement without a replay is reported, as
        is a ``tiewinner`` that lost on aggregate (1999-00 semi-final: Real Madrid won 3-2, the
        source names Bayern Munich).
        """
        first_legs = {(m.season, m.round, m.home.name, m.away.name): m for m in matches if m.leg == 1}
        replayed = {
            (m.season, m.round, frozenset((m.home.name, m.away.name)))
            for m in matches
            if m.note is not None and m.note.startswith("replay")
        }
        result = []
        for match in matches:
            first = first_legs.get((match.season, match.round, match.away.name, match.home.name))
            if match.leg != 2 or first is None or first.home_goals is None or match.home_goals is None:
                if match.leg == 2 and match.line in self.tie_totals:
                    home, away = self.tie_totals[match.line]
                    match = dataclasses.replace(match, agg_home=home, agg_away=away)
                result.append(match)
                continue
            # the 90-minute goals are known here (checked above): ``or 0`` only satisfies the type checker
            home = (match.aet_home if match.aet_home is not None else match.home_goals or 0) + (first.away_goals or 0)
            away = (match.aet_away if match.aet_away is not None else match.away_goals or 0) + (first.home_goals or 0)
            stated = self.tie_totals.get(match.line)
            tie = (match.season, match.round, frozenset((match.home.name, match.away.name)))
            if stated is not None and stated != (home, away) and tie not in replayed:
                self.warnings.append(
                    (match.line, f"source aggregate {stated[0]}-{stated[1]} differs from the legs' {home}-{away}")
                )
            if match.tie_winner is not None and home != away:
                leader = match.home if home > away else match.away
                if match.tie_winner != leader:
                    self.warnings.append(
                        (
                            match.line,
                            f"tie winner {match.tie_winner.name!r} lost {max(home, away)}-{min(home, away)} "
                            f"on aggregate to {leader.name!r}",
                        )
                    )
            result.append(dataclasses.replace(match, agg_home=home, agg_away=away))
        return result

    # ---- leagues -----------------------------------------------------------------------------
    def _league(self, line: int, values: tuple[str, ...]) -> MatchRecord | None:
        """A league row, its cells in header order (see :attr:`_Table.values`)."""
        at = self.positions
        tier = _int(values[at["tier"]], "tier")
        if tier not in self.spec.tiers:
            raise _CellError(f"tier {tier} is not expected in {self.spec.name}.csv (known: {sorted(self.spec.tiers)})")
        score = _goals_of(values[at["ft"]], values[at["hgoal"]], values[at["vgoal"]], "ft", "hgoal", "vgoal")
        if score is None:
            self._no_score(line, dict(zip(self.table.columns, values, strict=False)))
            return None
        round_label = None
        division = _text(values[at["division"]]) if "division" in at else None
        if division in ("2North", "2South"):
            round_label = division[1:]
        round_code = _text(values[at["round"]]) if "round" in at else None
        if round_code == "phase2":
            group = _text(values[at["group"]]) if "group" in at else None
            if group is None:
                raise _CellError("round phase2 without a group")
            round_label = f"Second phase group {group}"
        elif round_code not in (None, "league"):
            raise _CellError(f"unknown round {round_code!r}")
        note = _text(values[at["notes"]]) if "notes" in at else None
        status = "awarded" if note is not None and "awarded" in note.lower() else "played"
        ht = _score(values[at["ht"]] if "ht" in at else None, "HT")
        country = self.spec.country
        home = self._team_named(values[at["home"]], "home", country)
        away = self._team_named(values[at["visitor"]], "visitor", country)
        # Positional (records.MATCH_FIELDS_BY_POSITION): a quarter of a million league rows.
        return MatchRecord(
            KEY,
            self.spec.tiers[tier],
            self._season_named(values[at["season"]]),
            _date(values[at["date"]]),
            home,
            away,
            line,
            score[0],
            score[1],
            ht[0] if ht else None,
            ht[1] if ht else None,
            None,
            None,
            None,
            None,
            None,
            "league",
            round_label,
            None,
            False,
            None,
            None,
            status,
            note=note,
        )

    def _mls(self, line: int, row: dict[str, str]) -> MatchRecord | None:
        code = row["round"].strip()
        if code not in _MLS_ROUNDS:
            raise _CellError(f"unknown round {code!r}")
        stage, round_label = _MLS_ROUNDS[code]
        score = _goals(row, "ft", "hgoal", "vgoal")
        if score is None:
            self._no_score(line, row)
            return None
        leg = _int(row["leg"], "leg")
        aet = (_int(row["hgoalaet"], "hgoalaet"), _int(row["vgoalaet"], "vgoalaet"))
        pens = (_int(row["hpen"], "hpen"), _int(row["vpen"], "vpen"))
        year = _int(row["season"], "Season") or 0
        return self._record(
            line,
            row,
            "usa.1",
            home_goals=score[0],
            away_goals=score[1],
            aet_home=aet[0],
            aet_away=aet[1],
            pen_home=pens[0],
            pen_away=pens[1],
            stage=stage,
            round=round_label,
            leg=leg,
            neutral=code == "mls_final" and year <= _MLS_LAST_NEUTRAL_FINAL and year not in _MLS_FINALS_AT_HOME,
        )

    # ---- cups ----------------------------------------------------------------------------------
    def _cup_score(
        self, row: dict[str, str], extra_time: bool
    ) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
        """(90-minute score, score after extra time): ``FT`` is the latter when ``aet`` is marked."""
        score = _goals(row, "ft", "hgoal", "vgoal")
        return (None, score) if extra_time and score is not None else (score, None)

    def _cup_tie(self, row: dict[str, str], notes: list[str]) -> int | None:
        tie = _text(row["tie"])
        if tie in ("leg1", "leg2"):
            return int(tie[-1])
        if tie in _REPLAYS:
            notes.append(_REPLAYS[tie])
        elif tie == "check_replay_data":
            notes.append("source flags this match's replay data as unchecked")
        elif tie not in (None, "initial", "none"):
            raise _CellError(f"unknown tie {tie!r}")
        return None

    def _facup(self, line: int, row: dict[str, str]) -> MatchRecord | None:
        nonmatch = _text(row["nonmatch"])
        note = _text(row["notes"])
        if _text(row["visitor"]) is None:
            if nonmatch != "Bye":
                raise _CellError("visitor team is missing")
            self.warnings.append((line, f"bye for {row['home']}: not a match, row skipped"))
            return None
        notes: list[str] = []
        leg = self._cup_tie(row, notes)
        stage, round_label = _cup_round(row["round"].strip())
        extra_time = _yes(row["aet"])
        ninety, after_extra = self._cup_score(row, extra_time)
        status = "played"
        if nonmatch is not None:
            notes.append(nonmatch)
            lowered = nonmatch.lower()
            if lowered == "walkover":
                status = "walkover"
            elif lowered == "match void":
                status = "annulled"
            elif lowered == "not played":
                status = "cancelled"
            elif "disqualified" in lowered:
                status = "played" if ninety or after_extra else "walkover"
            else:
                raise _CellError(f"unknown nonmatch {nonmatch!r}")
        elif ninety is None and after_extra is None:
            self._no_score(line, row)
            return None
        if note is not None:
            notes.append(note)
        home = self._team(row, "home", self.spec.country)
        away = self._team(row, "visitor", self.spec.country)
        winner = None
        if note is not None and note.endswith(" progress"):
            winner = next((side for side in (home, away) if side.name == note.removesuffix(" progress")), None)
        pens = (_int(row["hp"], "hp"), _int(row["vp"], "vp")) if _yes(row["pen"]) else (None, None)
        return self._record(
            line,
            row,
            "eng.fa",
            home=home,
            away=away,
            home_goals=ninety[0] if ninety else None,
            away_goals=ninety[1] if ninety else None,
            aet_home=after_extra[0] if after_extra else None,
            aet_away=after_extra[1] if after_extra else None,
            pen_home=pens[0],
            pen_away=pens[1],
            stage=stage,
            round=round_label,
            leg=leg,
            neutral=_yes(row["neutral"]),
            status=status,
            tie_winner=winner,
            note="; ".join(notes) or None,
            stats=self._stats(row),
        )

    def _shootout_from_text(self, text: str | None, home: str, away: str) -> tuple[int | None, int | None]:
        """``"5-4 Torquay United"``: the winner's kicks first; oriented to this match's home side."""
        if text is None:
            return None, None
        match = re.fullmatch(r"(\d+)-(\d+) (.+)", text.strip())
        if match is None:
            raise _CellError(f"bad pens {text!r}: expected 'kicks-kicks winner'")
        won, lost, winner = int(match.group(1)), int(match.group(2)), match.group(3).strip()
        if winner == home:
            return won, lost
        if winner == away:
            return lost, won
        raise _CellError(f"shoot-out winner {winner!r} is neither {home!r} nor {away!r}")

    def _leaguecup(self, line: int, row: dict[str, str]) -> MatchRecord | None:
        return self._simple_cup(line, row, "eng.lc")

    def _dfbpokal(self, line: int, row: dict[str, str]) -> MatchRecord | None:
        return self._simple_cup(line, row, "ger.cup")

    def _simple_cup(self, line: int, row: dict[str, str], competition: str) -> MatchRecord | None:
        """League Cup and DFB-Pokal: ``leg`` 0/1/2 (or NA), ``tie`` initial/replayN."""
        notes: list[str] = []
        self._cup_tie(row, notes)
        leg_number = _int(row["leg"], "leg")
        if leg_number not in (None, 0, 1, 2):
            raise _CellError(f"unknown leg {leg_number}")
        stage, round_label = _cup_round(row["round"].strip())
        aet_text = _text(row["aet"])
        extra_time = aet_text is not None and _yes(aet_text)
        ninety, after_extra = self._cup_score(row, extra_time)
        if ninety is None and after_extra is None:
            self._no_score(line, row)
            return None
        pens = _score(row["pens"], "pens")
        return self._record(
            line,
            row,
            competition,
            home_goals=ninety[0] if ninety else None,
            away_goals=ninety[1] if ninety else None,
            aet_home=after_extra[0] if after_extra else None,
            aet_away=after_extra[1] if after_extra else None,
            pen_home=pens[0] if pens else None,
            pen_away=pens[1] if pens else None,
            stage=stage,
            round=round_label,
            leg=leg_number or None,
            note="; ".join(notes) or None,
            stats=self._stats(row),
        )

    def _playoffs(self, line: int, row: dict[str, str]) -> MatchRecord | None:
        notes: list[str] = []
        leg = self._cup_tie(row, notes)
        stage, round_label = _cup_round(row["round"].strip())
        division = row["division"].strip()
        round_label = f"{round_label} ({_PLAYOFF_DIVISIONS.get(division, division)})"
        ninety, after_extra = self._cup_score(row, _yes(row["aet"]))
        if ninety is None and after_extra is None:
            self._no_score(line, row)
            return None
        pens = self._shootout_from_text(_text(row["pens"]), row["home"].strip(), row["visitor"].strip())
        if pens[0] is None and _yes(row["pen"]):
            raise _CellError("pen is yes but pens gives no shoot-out score")
        return self._record(
            line,
            row,
            "eng.po",
            home_goals=ninety[0] if ninety else None,
            away_goals=ninety[1] if ninety else None,
            aet_home=after_extra[0] if after_extra else None,
            aet_away=after_extra[1] if after_extra else None,
            pen_home=pens[0],
            pen_away=pens[1],
            stage=stage,
            round=round_label,
            leg=leg,
            neutral=_yes(row["neutral"]),
            note="; ".join(notes) or None,
            stats=self._stats(row),
        )

    # ---- whole-file passes ---------------------------------------------------------------------
    def _drop_reverse_duplicates(self, matches: list[MatchRecord]) -> list[MatchRecord]:
        """Skip a row that repeats an earlier match with the sides swapped (same date and round)."""
        seen: dict[tuple[object, ...], MatchRecord] = {}
        kept = []
        for match in matches:
            key = (match.date, match.round, match.home.name, match.away.name)
            mirror = (match.date, match.round, match.away.name, match.home.name)
            earlier = seen.get(mirror)
            if match.date is not None and earlier is not None and _mirrored(earlier, match):
                self.warnings.append(
                    (match.line, f"repeats line {earlier.line} with home and away swapped; row skipped")
                )
                continue
            seen[key] = match
            kept.append(match)
        return kept

    def _resolve_legs(
        self, matches: list[MatchRecord], *, trust_dates: bool, unpaired_single: bool
    ) -> list[MatchRecord]:
        """Pair legs 1 and 2 of each tie; fix labels the dates contradict (see the module docstring)."""
        ties: dict[tuple[object, ...], list[int]] = {}
        for index, match in enumerate(matches):
            if match.leg in (1, 2):
                key = (match.season, match.competition, match.round, frozenset((match.home.name, match.away.name)))
                ties.setdefault(key, []).append(index)
        result = list(matches)
        unpaired: list[int] = []
        for indices in ties.values():
            if len(indices) == 1:
                if unpaired_single and result[indices[0]].leg == 1:
                    unpaired.append(result[indices[0]].line)
                    result[indices[0]] = dataclasses.replace(result[indices[0]], leg=None)
                continue
            if len(indices) != 2:
                continue
            first, second = sorted(indices, key=lambda i: (result[i].date or dt.date.min, result[i].line))
            dated = result[first].date is not None and result[first].date != result[second].date
            labels = (result[first].leg, result[second].leg)
            if labels == (1, 2) or not dated or (labels == (2, 1) and not trust_dates):
                continue
            self.warnings.append(
                (
                    result[first].line,
                    f"legs labelled {labels[0]} and {labels[1]} (line {result[second].line}); ordered by date instead",
                )
            )
            result[first] = dataclasses.replace(result[first], leg=1)
            result[second] = dataclasses.replace(result[second], leg=2)
        if unpaired:
            self.warnings.append(
                (unpaired[0], f"{len(unpaired)} matches marked leg 1 have no second leg; read as single matches")
            )
        return result

    def _cup_tidy(self, match: MatchRecord) -> MatchRecord:
        if match.leg == 1 and (match.aet_home is not None or match.pen_home is not None):
            self.warnings.append((match.line, "extra time/penalties marked on a first leg; ignored"))
            match = dataclasses.replace(
                match,
                home_goals=match.aet_home,
                away_goals=match.aet_away,
                aet_home=None,
                aet_away=None,
                pen_home=None,
                pen_away=None,
            )
        if match.leg is not None and match.neutral:
            # A leg of a home-and-away tie has a home side; the play-off file marks every
            # semi-final leg of 1989-90 .. 2013-14 neutral.
            self.neutral_legs.append(match.line)
            return dataclasses.replace(match, neutral=False)
        if match.stage == "final" and match.leg is None and self.spec.kind in ("leaguecup", "dfbpokal"):
            return dataclasses.replace(match, neutral=True)
        return match


def _mirrored(a: MatchRecord, b: MatchRecord) -> bool:
    return (a.home_goals, a.away_goals, a.aet_home, a.aet_away) == (b.away_goals, b.home_goals, b.aet_away, b.aet_home)
