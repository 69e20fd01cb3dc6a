"""football-data.co.uk: results, match statistics and bookmaker odds for 22 European divisions.

One CSV per division and season at ``https://www.football-data.co.uk/mmz4281/{season}/{div}.csv``
(season ``2324`` is 2023-24). The files have grown columns over three decades: results only in
1993-94, half-time scores from 1995-96, statistics and bookmakers from 2000-01, Betbrain
max/average from 2005-06, Pinnacle closing prices from 2012-13 and, from 2019-20, closing prices
of every bookmaker. This module reads all of them into :class:`MatchRecord` values; the bookmaker
prices (some 3.4 million quotes over all files) are read column-wise into one :class:`OddsTable`
per file, of which each match's ``odds`` is a view.

The mapping from CSV columns to records is written down as data: :data:`DIVISIONS`,
:data:`STAT_COLUMNS`, :data:`ODDS_COLUMNS` and :data:`COLUMN_ALIASES`. Every column a file may
carry is in one of them (or in :data:`IGNORED_COLUMNS`); anything else is reported as unknown.

Real quirks handled (all seen in the published files): ``dd/mm/yy`` and ``d/m/yyyy`` dates,
UTF-8 with BOM and cp1252 bytes, trailing empty columns, blank rows (``,,,,``), rows shorter
than the header, a header spelling Ladbrokes as ``LB,LB,LB``, over/under columns renamed by
third-party re-saves (``BbMx.2.5`` / ``BbMx_2_5``), handicap lines written ``-1 1/4`` or
``-1,-1.5``, and prices or lines that are junk (``1xBet``, ``#``, ``-0.390625``), which are
skipped rather than trusted.

A row without a full-time score is a ``scheduled`` fixture (mid-season files), unless it has a
half-time score: the match then kicked off and never finished, and is recorded ``abandoned``.
Oddities that do not stop a file (a result letter contradicting the score, a one-sided half-time
score, values in unnamed columns) become :attr:`ParsedFile.warnings`.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import chain

import numpy as np

from remontada.sources.base import RemoteFile
from remontada.sources.records import MatchRecord, OddsTable, ParsedFile, SourceError, TeamRef

KEY = "football-data"
BASE_URL = "https://www.football-data.co.uk/"

#: football-data division code -> (competition id, country code of its clubs).
DIVISIONS: dict[str, tuple[str, str]] = {
    "E0": ("eng.1", "ENG"),
    "E1": ("eng.2", "ENG"),
    "E2": ("eng.3", "ENG"),
    "E3": ("eng.4", "ENG"),
    "EC": ("eng.5", "ENG"),
    "SC0": ("sco.1", "SCO"),
    "SC1": ("sco.2", "SCO"),
    "SC2": ("sco.3", "SCO"),
    "SC3": ("sco.4", "SCO"),
    "D1": ("ger.1", "GER"),
    "D2": ("ger.2", "GER"),
    "I1": ("ita.1", "ITA"),
    "I2": ("ita.2", "ITA"),
    "SP1": ("esp.1", "ESP"),
    "SP2": ("esp.2", "ESP"),
    "F1": ("fra.1", "FRA"),
    "F2": ("fra.2", "FRA"),
    "N1": ("ned.1", "NED"),
    "B1": ("bel.1", "BEL"),
    "P1": ("por.1", "POR"),
    "T1": ("tur.1", "TUR"),
    "G1": ("gre.1", "GRE"),
}

#: Seasons published, ``"1993-94"`` ... ``"2025-26"``.
SEASONS: tuple[str, ...] = tuple(f"{year}-{(year + 1) % 100:02d}" for year in range(1993, 2026))

#: Statistics columns -> ``MatchRecord.stats`` keys. Values are counts (attendance: people).
#: ``HBP``/``ABP`` are booking points (10 per yellow, 25 per red); ``HFKC``/``AFKC`` free kicks
#: conceded, which the Belgian and Greek 2018-19 files carry instead of fouls.
STAT_COLUMNS: dict[str, str] = {
    "HS": "home_shots",
    "AS": "away_shots",
    "HST": "home_sot",
    "AST": "away_sot",
    "HF": "home_fouls",
    "AF": "away_fouls",
    "HFKC": "home_free_kicks_conceded",
    "AFKC": "away_free_kicks_conceded",
    "HC": "home_corners",
    "AC": "away_corners",
    "HY": "home_yellow",
    "AY": "away_yellow",
    "HO": "home_offsides",
    "AO": "away_offsides",
    "HHW": "home_woodwork",
    "AHW": "away_woodwork",
    "HBP": "home_booking_points",
    "ABP": "away_booking_points",
    "Attendance": "attendance",
}

#: Other spellings some files use, mapped to the canonical column name.
COLUMN_ALIASES: dict[str, str] = {
    "HG": "FTHG",
    "AG": "FTAG",
    "Res": "FTR",
    "Home": "HomeTeam",
    "Away": "AwayTeam",
    "HT": "HomeTeam",
    "AT": "AwayTeam",
}

#: Columns that are understood but carry nothing a record keeps: results derivable from the
#: goals, and Betbrain's counts of bookmakers behind its max/average.
IGNORED_COLUMNS: frozenset[str] = frozenset({"Div", "FTR", "HTR", "Bb1X2", "BbOU", "BbAH"})

_CORE_COLUMNS = ("Date", "Time", "HomeTeam", "AwayTeam", "FTHG", "FTAG", "HTHG", "HTAG", "HR", "AR", "Referee")
_ESSENTIAL_COLUMNS = ("Date", "HomeTeam", "AwayTeam", "FTHG", "FTAG")


@dataclass(frozen=True, slots=True)
class OddsColumns:
    """Where one bookmaker's prices for one market sit in a file.

    ``prices`` are column names in the order of :class:`OddsQuote.prices` (home, draw, away;
    over, under; home, away). ``line`` is a fixed line in goals (2.5 for the totals market);
    ``line_columns`` name the columns holding the Asian handicap line (home side, goals), the
    first one present in a file being used.
    """

    bookmaker: str
    market: str
    closing: bool
    prices: tuple[str, ...]
    line: float | None = None
    line_columns: tuple[str, ...] = ()


# Column prefixes of each bookmaker. Pinnacle is ``PS`` on 1X2 (``P`` in a few older files)
# but ``P`` on totals and handicaps. ``BbMx``/``BbAv`` are Betbrain's maximum and average over
# its bookmakers (2005-06 .. 2018-19); ``Max``/``Avg`` football-data's own (2019-20 on).
_ONE_X_TWO: tuple[tuple[str, str], ...] = (
    ("B365", "bet365"),
    ("BW", "bwin"),
    ("IW", "interwetten"),
    ("LB", "ladbrokes"),
    ("PS", "pinnacle"),
    ("P", "pinnacle"),
    ("WH", "william_hill"),
    ("SJ", "stan_james"),
    ("VC", "vc_bet"),
    ("GB", "gamebookers"),
    ("BS", "blue_square"),
    ("SB", "sportingbet"),
    ("SO", "sporting_odds"),
    ("SY", "stanleybet"),
    ("BF", "betfair"),
    ("BFE", "betfair_exchange"),
    ("BFD", "betfred"),
    ("BMGM", "betmgm"),
    ("BV", "betvictor"),
    ("CL", "coral"),
    ("1XB", "1xbet"),
    ("Max", "market_max"),
    ("Avg", "market_avg"),
    ("BbMx", "betbrain_max"),
    ("BbAv", "betbrain_avg"),
)
_ONE_X_TWO_CLOSING: tuple[tuple[str, str], ...] = (
    ("B365C", "bet365"),
    ("BWC", "bwin"),
    ("IWC", "interwetten"),
    ("LBC", "ladbrokes"),
    ("PSC", "pinnacle"),
    ("WHC", "william_hill"),
    ("VCC", "vc_bet"),
    ("BFC", "betfair"),
    ("BFEC", "betfair_exchange"),
    ("BFDC", "betfred"),
    ("BMGMC", "betmgm"),
    ("BVC", "betvictor"),
    ("CLC", "coral"),
    ("1XBC", "1xbet"),
    ("MaxC", "market_max"),
    ("AvgC", "market_avg"),
)
_OVER_UNDER: tuple[tuple[str, str], ...] = (
    ("B365", "bet365"),
    ("P", "pinnacle"),
    ("GB", "gamebookers"),
    ("BFE", "betfair_exchange"),
    ("Max", "market_max"),
    ("Avg", "market_avg"),
    ("BbMx", "betbrain_max"),
    ("BbAv", "betbrain_avg"),
)
_OVER_UNDER_CLOSING: tuple[tuple[str, str], ...] = (
    ("B365C", "bet365"),
    ("PC", "pinnacle"),
    ("BFEC", "betfair_exchange"),
    ("MaxC", "market_max"),
    ("AvgC", "market_avg"),
)
# (prefix, bookmaker, line columns): 2003-05 files give each bookmaker its own line
# (``B365AH``); later files one line per era (``BbAHh``, then ``AHh`` and closing ``AHCh``).
_ASIAN: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("B365", "bet365", ("B365AH", "AHh")),
    ("GB", "gamebookers", ("GBAH",)),
    ("LB", "ladbrokes", ("LBAH",)),
    ("P", "pinnacle", ("AHh",)),
    ("BFE", "betfair_exchange", ("AHh",)),
    ("Max", "market_max", ("AHh",)),
    ("Avg", "market_avg", ("AHh",)),
    ("BbMx", "betbrain_max", ("BbAHh",)),
    ("BbAv", "betbrain_avg", ("BbAHh",)),
)
_ASIAN_CLOSING: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("B365C", "bet365", ("AHCh",)),
    ("PC", "pinnacle", ("AHCh",)),
    ("BFEC", "betfair_exchange", ("AHCh",)),
    ("MaxC", "market_max", ("AHCh",)),
    ("AvgC", "market_avg", ("AHCh",)),
)


def _odds_columns() -> tuple[OddsColumns, ...]:
    specs: list[OddsColumns] = []
    for table, closing in ((_ONE_X_TWO, False), (_ONE_X_TWO_CLOSING, True)):
        specs += [OddsColumns(book, "1x2", closing, (f"{p}H", f"{p}D", f"{p}A")) for p, book in table]
    for table, closing in ((_OVER_UNDER, False), (_OVER_UNDER_CLOSING, True)):
        specs += [OddsColumns(book, "ou", closing, (f"{p}>2.5", f"{p}<2.5"), line=2.5) for p, book in table]
    for asian, closing in ((_ASIAN, False), (_ASIAN_CLOSING, True)):
        specs += [
            OddsColumns(book, "ah", closing, (f"{p}AHH", f"{p}AHA"), line_columns=lines) for p, book, lines in asian
        ]
    return tuple(specs)


#: Every bookmaker price group football-data.co.uk has published, in order of preference
#: (when two groups give the same bookmaker and market, e.g. ``PSH`` and ``PH``, the first wins).
ODDS_COLUMNS: tuple[OddsColumns, ...] = _odds_columns()

#: Every column name the parser understands.
KNOWN_COLUMNS: frozenset[str] = frozenset(
    {*_CORE_COLUMNS, *STAT_COLUMNS, *IGNORED_COLUMNS}
    | {name for spec in ODDS_COLUMNS for name in (*spec.prices, *spec.line_columns)}
)

# Third-party re-saves of over/under columns: R's make.names turns ``BbMx>2.5`` into
# ``BbMx.2.5`` and its ``<`` twin into ``BbMx.2.5.1``; another tool wrote ``_2_5``/``_2_5_1``.
_RESAVED_TOTALS = re.compile(r"^(?P<prefix>.+?)(?:\.2\.5|_2_5)(?P<under>\.1|_1)?$")
_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{2}|\d{4})$")
_KICKOFF = re.compile(r"^\d{1,2}:\d{2}$")
_COUNT = re.compile(r"^\d+(?:\.0*)?$")


def season_code(season: str) -> str:
    """``"2023-24"`` -> ``"2324"``, the folder football-data.co.uk files the season under."""
    if season not in SEASONS:
        raise ValueError(f"unknown football-data season {season!r}; expected one of {SEASONS[0]} .. {SEASONS[-1]}")
    return season[2:4] + season[5:7]


def season_from_code(code: str) -> str:
    """``"2324"`` -> ``"2023-24"``; ``"9900"`` -> ``"1999-00"``."""
    if not re.fullmatch(r"\d{4}", code):
        raise ValueError(f"not a football-data season folder: {code!r}")
    start = int(code[:2])
    start += 1900 if start >= 50 else 2000
    return f"{start}-{code[2:]}"


class FootballData:
    """The football-data.co.uk source: catalogue of season x division files and their parser.

    ``seasons`` are ``"1993-94"`` style (default: all of :data:`SEASONS`); ``divisions`` are
    football-data codes (default: all of :data:`DIVISIONS`). With ``strict`` a column the parser
    does not know is an error instead of a warning.
    """

    key = KEY
    description = "football-data.co.uk: results, statistics and bookmaker odds (incl. closing) for 22 divisions"

    def __init__(
        self,
        seasons: Iterable[str] | None = None,
        divisions: Iterable[str] | None = None,
        base_url: str = BASE_URL,
        strict: bool = False,
    ) -> None:
        self.seasons = tuple(SEASONS if seasons is None else seasons)
        self.divisions = tuple(DIVISIONS if divisions is None else divisions)
        for season in self.seasons:
            season_code(season)
        unknown = [d for d in self.divisions if d not in DIVISIONS]
        if unknown:
            raise ValueError(f"unknown football-data division(s) {unknown}; known: {', '.join(DIVISIONS)}")
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.strict = strict

    def files(self) -> list[RemoteFile]:
        """One optional file per (season, division): not every division exists every season."""
        files = []
        for season in self.seasons:
            code = season_code(season)
            for division in self.divisions:
                path = f"mmz4281/{code}/{division}.csv"
                files.append(
                    RemoteFile(
                        source=KEY,
                        path=path,
                        url=self.base_url + path,
                        mirror_path="football-data.co.uk/" + path,
                        competition=DIVISIONS[division][0],
                        season=season,
                        optional=True,
                    )
                )
        return files

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one division-season CSV into matches; raise :class:`SourceError` on bad input."""
        return _FileParser(data, remote, location, self.strict).parse()


def _decode(data: bytes) -> str:
    # Recent files are UTF-8 with a BOM; some older ones were saved from Windows as cp1252.
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _canonical_header(raw: list[str]) -> list[str]:
    names = [name.strip().lstrip("\ufeff") for name in raw]
    names = [COLUMN_ALIASES.get(name, name) for name in names]
    for i, name in enumerate(names):
        match = _RESAVED_TOTALS.match(name)
        if match and name not in KNOWN_COLUMNS:
            renamed = f"{match['prefix']}{'<' if match['under'] else '>'}2.5"
            if renamed in KNOWN_COLUMNS:
                names[i] = renamed
    # 2004-05 D2 spells Ladbrokes' 1X2 as three bare "LB" columns.
    for i in range(len(names) - 2):
        name = names[i]
        if name and names[i + 1] == name and names[i + 2] == name and f"{name}H" in KNOWN_COLUMNS:
            names[i : i + 3] = [f"{name}H", f"{name}D", f"{name}A"]
    return names


def _handicap(text: str) -> float | None:
    """An Asian handicap line in goals, or ``None`` for junk.

    Accepts ``-0.75``, the mixed fraction ``-1 1/4`` and the split form ``-1,-1.5`` (the
    quarter line between them). Lines off the quarter-goal grid are junk from averaging or
    misaligned rows and are rejected.
    """
    text = text.strip()
    value: float | None
    try:
        value = float(text)
    except ValueError:
        value = _odd_handicap(text)
        if value is None:
            return None
    if not math.isfinite(value) or abs(value) > 10 or abs(value * 4 - round(value * 4)) > 1e-9:
        return None
    return value + 0.0  # -0.0 -> 0.0


def _odd_handicap(text: str) -> float | None:
    if "," in text:
        parts = [_handicap(p) for p in text.split(",")]
        if len(parts) == 2 and None not in parts and abs(parts[0] - parts[1]) == 0.5:  # type: ignore[operator]
            return (parts[0] + parts[1]) / 2  # type: ignore[operator]
        return None
    match = re.fullmatch(r"([+-]?)(\d+) (\d+)/(\d+)", text)
    if match and int(match[4]) != 0:
        magnitude = int(match[2]) + int(match[3]) / int(match[4])
        return -magnitude if match[1] == "-" else magnitude
    return None


def _price(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    # Decimal odds are > 1 by definition; NaN and inf fail the comparisons.
    return value if 1.0 < value < 1e6 else None


def _whole_number(text: str) -> int | None:
    """A count such as goals or cards; ``None`` when empty. ``"2.0"`` is a spreadsheet re-save of 2."""
    text = text.strip()
    if not text:
        return None
    if not _COUNT.match(text) or len(text.split(".")[0]) > 9:  # nine digits: beyond any count in football
        raise ValueError(text)
    return int(float(text))


def _clean_name(text: str) -> str:
    # Collapses runs of whitespace, including the no-break spaces of some 2004-05 referee names.
    return " ".join(text.split())


@dataclass(frozen=True, slots=True)
class _OddsPlan:
    bookmaker: str
    market: str
    closing: bool
    price_indices: tuple[int, ...]
    line: float | None
    line_index: int | None


class _FileParser:
    """Parses one file column by column: each distinct cell text is converted once per file.

    Problems are collected rather than raised at once so that the error reported is the first
    one in file order, whichever column it sits in.
    """

    def __init__(self, data: bytes, remote: RemoteFile, location: str, strict: bool) -> None:
        self.data = data
        self.remote = remote
        self.location = location
        self.strict = strict
        self.warnings: list[tuple[int, str]] = []
        self.problems: list[tuple[int, str]] = []
        self.index: dict[str, int] = {}
        self.stat_plan: list[tuple[str, str]] = []
        self.odds_plan: list[_OddsPlan] = []
        self.lines: list[int] = []
        self.columns: list[tuple[str, ...]] = []

    def error(self, line: int | None, message: str) -> SourceError:
        return SourceError(self.location, line, message)

    # -- file level ---------------------------------------------------------------------------

    def parse(self) -> ParsedFile:
        text = _decode(self.data)
        if not text.strip():
            raise self.error(None, "empty file")
        if text.lstrip().startswith("<"):
            raise self.error(None, f"HTML served instead of CSV (starts {text.lstrip()[:30]!r})")
        rows = self._read_rows(text)
        header = rows[0][1]
        names = _canonical_header(header)
        self._plan(names)
        named = max((i for i, name in enumerate(header) if name.strip()), default=-1) + 1

        body = [(line, row) for line, row in rows[1:] if "".join(row).strip()]
        if body and not text.endswith(("\n", "\r")) and len(body[-1][1]) < named:
            line, row = body[-1]
            raise self.error(line, f"truncated last row: {len(row)} of {named} fields and no final newline")

        width = len(names)
        self.lines = [line for line, _ in body]
        padded = [
            row if len(row) == width else row[:width] if len(row) > width else row + [""] * (width - len(row))
            for _, row in body
        ]
        self.columns = list(zip(*padded, strict=True)) if padded else [() for _ in range(width)]
        self._warn_unnamed_values(names, body)

        division = self._division()
        competition, country = self._competition(division)
        season = self.remote.season or self._season_from_path()
        matches, odds = self._matches(competition, season, country)
        if not self.problems:
            self._check_dates(matches, season)
        if self.problems:
            line, message = min(self.problems, key=lambda problem: problem[0])
            raise self.error(line, message)
        self._summarise_unplayed(matches)
        self.warnings.sort(key=lambda warning: warning[0])
        return ParsedFile(matches=matches, warnings=self.warnings, odds=odds)

    def _warn_unnamed_values(self, names: list[str], body: list[tuple[int, list[str]]]) -> None:
        # Values under no header name (or past the header's end) cannot be interpreted; say so once,
        # with the first such row's values (2006-07 T1 notes an abandonment there).
        width = len(names)
        overflowing = any(len(row) > width and "".join(row[width:]).strip() for _, row in body)
        if not overflowing and not any("".join(self.columns[i]).strip() for i, name in enumerate(names) if not name):
            return
        stray = [
            (line, values)
            for line, row in body
            if (values := [c.strip() for i, c in enumerate(row) if (i >= width or not names[i]) and c.strip()])
        ]
        line, values = stray[0]
        shown = ", ".join(values)[:80]
        self.warnings.append((line, f"values in unnamed columns ignored on {len(stray)} row(s), first: {shown}"))

    def _read_rows(self, text: str) -> list[tuple[int, list[str]]]:
        """Rows with their physical (1-based) line numbers."""
        if '"' not in text:
            # Without quoting a record is exactly one line: splitting is several times faster than csv.
            lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
            if lines[-1] == "":
                lines.pop()
            return [(number, line.split(",")) for number, line in enumerate(lines, start=1)]
        # A quoted field may span lines, so follow the reader's line count.
        reader = csv.reader(io.StringIO(text, newline=""))
        rows: list[tuple[int, list[str]]] = []
        start = 1
        try:
            for row in reader:
                rows.append((start, row))
                start = reader.line_num + 1
        except csv.Error as exc:
            raise self.error(start, f"unreadable CSV: {exc}") from exc
        return rows

    def _plan(self, names: list[str]) -> None:
        index: dict[str, int] = {}
        for i, name in enumerate(names):
            if not name:
                continue  # trailing or padding columns without a name
            if name in index:
                self.warnings.append((1, f"duplicate column {name!r}: the first one is used"))
                continue
            index[name] = i
            if name not in KNOWN_COLUMNS:
                if self.strict:
                    raise self.error(1, f"unknown column {name!r}")
                self.warnings.append((1, f"unknown column {name!r} ignored"))
        missing = [name for name in _ESSENTIAL_COLUMNS if name not in index]
        if missing:
            shown = ", ".join(name for name in names if name) or "(none)"
            raise self.error(1, f"header lacks essential column(s) {', '.join(missing)}; header has: {shown}")
        self.index = index
        self.stat_plan = [(column, key) for column, key in STAT_COLUMNS.items() if column in index]
        plans: list[_OddsPlan] = []
        seen: set[tuple[str, str, bool]] = set()
        for spec in ODDS_COLUMNS:
            if not all(name in index for name in spec.prices):
                continue
            line_index = next((index[column] for column in spec.line_columns if column in index), None)
            if spec.market == "ah" and line_index is None:
                continue
            key = (spec.bookmaker, spec.market, spec.closing)
            if key in seen:
                continue
            seen.add(key)
            indices = tuple(index[name] for name in spec.prices)
            plans.append(_OddsPlan(spec.bookmaker, spec.market, spec.closing, indices, spec.line, line_index))
        self.odds_plan = plans

    def _division(self) -> str | None:
        stem = self.remote.path.rsplit("/", 1)[-1].removesuffix(".csv")
        stated = {text.strip() for text in self._column("Div") or ()} - {""}
        if stem in DIVISIONS:
            for other in sorted(stated - {stem}):
                line = self._first_line("Div", _stripped_equals(other))
                self.warnings.append((line, f"Div column says {other!r} in a file named {stem!r}"))
            return stem
        known = sorted(stated & DIVISIONS.keys())
        return known[0] if len(known) == 1 else None

    def _competition(self, division: str | None) -> tuple[str, str | None]:
        if division is not None:
            competition, country = DIVISIONS[division]
            return self.remote.competition or competition, country
        if self.remote.competition:
            countries = {comp: country for comp, country in DIVISIONS.values()}
            return self.remote.competition, countries.get(self.remote.competition)
        raise self.error(None, "cannot tell the division: neither the file name nor the Div column names one")

    def _season_from_path(self) -> str:
        parts = self.remote.path.split("/")
        if len(parts) >= 2:
            try:
                return season_from_code(parts[-2])
            except ValueError:
                pass
        raise self.error(None, f"cannot tell the season of {self.remote.path!r}")

    # -- columns ------------------------------------------------------------------------------

    def _column(self, name: str) -> tuple[str, ...] | None:
        i = self.index.get(name)
        return None if i is None else self.columns[i]

    def _first_line(self, name: str, test: Callable[[str], bool]) -> int:
        column = self._column(name) or ()
        return next(line for line, text in zip(self.lines, column, strict=True) if test(text))

    def _lines_with(self, column: tuple[str, ...], text: str) -> list[int]:
        return [line for line, cell in zip(self.lines, column, strict=True) if cell == text]

    def _dates(self) -> list[dt.date | None]:
        column = self._column("Date") or ()
        parsed: dict[str, dt.date | None] = {}
        for text in set(column):
            try:
                parsed[text] = _parse_date(text.strip())
            except ValueError as exc:
                parsed[text] = None
                self.problems.append((self._lines_with(column, text)[0], f"bad date {text.strip()!r}: {exc}"))
        return list(map(parsed.__getitem__, column))

    def _teams(self, name: str, side: str) -> list[str]:
        column = self._column(name) or ()
        cleaned = {text: _clean_name(text) for text in set(column)}
        for text, name_ in cleaned.items():
            if not name_:
                self.problems.append((self._lines_with(column, text)[0], f"missing {side} team name"))
        return list(map(cleaned.__getitem__, column))

    def _goals(self, name: str) -> list[int | None]:
        column = self._column(name)
        if column is None:
            return [None] * len(self.lines)
        parsed: dict[str, int | None] = {}
        for text in set(column):
            try:
                parsed[text] = _whole_number(text)
            except ValueError:
                parsed[text] = None
                self.problems.append(
                    (
                        self._lines_with(column, text)[0],
                        f"impossible score {name}={text.strip()!r}: not a non-negative whole number",
                    )
                )
        return list(map(parsed.__getitem__, column))

    def _counts(self, name: str, key: str) -> list[int | None]:
        """A count column where junk is dropped with a warning rather than failing the file."""
        column = self._column(name)
        if column is None:
            return [None] * len(self.lines)
        parsed: dict[str, int | None] = {}
        for text in set(column):
            try:
                parsed[text] = _whole_number(text)
            except ValueError:
                parsed[text] = None
                if text.strip().isdigit():  # a whole number too big to be any count: junk, not a blank
                    line = self._lines_with(column, text)[0]
                    self.problems.append((line, f"{key} {text.strip()[:30]!r} is not a plausible count"))
                elif text.strip().upper() != "NA":
                    for line in self._lines_with(column, text):
                        self.warnings.append((line, f"{key} {text.strip()!r} is not a count; ignored"))
        return list(map(parsed.__getitem__, column))

    def _kickoffs(self) -> list[str | None]:
        column = self._column("Time")
        if column is None:
            return [None] * len(self.lines)
        parsed: dict[str, str | None] = {}
        for text in set(column):
            value = text.strip()
            parsed[text] = value if _KICKOFF.match(value) else None
            if value and parsed[text] is None:
                for line in self._lines_with(column, text):
                    self.warnings.append((line, f"kick-off time {value!r} not understood; ignored"))
        return list(map(parsed.__getitem__, column))

    def _referees(self) -> list[str | None]:
        column = self._column("Referee")
        if column is None:
            return [None] * len(self.lines)
        parsed = {text: _clean_name(text) or None for text in set(column)}
        return list(map(parsed.__getitem__, column))

    def _stats(self) -> list[dict[str, float]]:
        if not self.stat_plan:
            return [{} for _ in self.lines]
        keys = [key for _, key in self.stat_plan]
        values = zip(*(self._counts(name, key) for name, key in self.stat_plan), strict=True)
        return [
            {key: float(value) for key, value in zip(keys, row, strict=True) if value is not None} for row in values
        ]

    def _odds(self) -> OddsTable:
        """Every quote of the file, column-wise: per row, the quotes in :attr:`odds_plan` order.

        A quote is kept only when all its prices (and its handicap line) are valid; each distinct
        cell text is parsed once per file.
        """
        plans, n = self.odds_plan, len(self.lines)
        if not plans or not n:
            return _no_odds()
        price_at = self._parsed_columns({i for plan in plans for i in plan.price_indices}, _price)
        line_at = self._parsed_columns({plan.line_index for plan in plans if plan.line_index is not None}, _handicap)
        missing = np.full(n, np.nan)
        # one row per plan, one column per match
        price1 = np.stack([price_at[plan.price_indices[0]] for plan in plans])
        price2 = np.stack([price_at[plan.price_indices[1]] for plan in plans])
        price3 = np.stack([price_at[p.price_indices[2]] if len(p.price_indices) > 2 else missing for p in plans])
        lines = np.stack(
            [
                np.full(n, p.line if p.line is not None else np.nan) if p.line_index is None else line_at[p.line_index]
                for p in plans
            ]
        )
        two_way = np.array([len(plan.price_indices) == 2 for plan in plans])
        handicap = np.array([plan.line_index is not None for plan in plans])
        kept = ~np.isnan(price1) & ~np.isnan(price2) & (two_way[:, None] | ~np.isnan(price3))
        kept &= ~handicap[:, None] | ~np.isnan(lines)
        # transposed, nonzero walks match by match and, within a match, the plans in order
        rows, which = np.nonzero(kept.T)
        return OddsTable(
            match_index=rows.astype(np.int64),
            bookmaker=np.array([plan.bookmaker for plan in plans], dtype=object)[which],
            market=np.array([plan.market for plan in plans], dtype=object)[which],
            closing=np.array([plan.closing for plan in plans], dtype=bool)[which],
            line=lines[which, rows],
            price1=price1[which, rows],
            price2=price2[which, rows],
            price3=price3[which, rows],
        )

    def _parsed_columns(self, indices: set[int], parse: Callable[[str], float | None]) -> dict[int, np.ndarray]:
        """Columns ``indices`` as floats (NaN where ``parse`` gives ``None``), keyed by column index."""
        if not indices:
            return {}
        order = sorted(indices)
        cells = list(chain.from_iterable(self.columns[i] for i in order))
        values = {text: np.nan if (value := parse(text)) is None else value for text in set(cells)}
        parsed = np.fromiter(map(values.__getitem__, cells), dtype=np.float64, count=len(cells))
        return dict(zip(order, parsed.reshape(len(order), len(self.lines)), strict=True))

    # -- rows ---------------------------------------------------------------------------------

    def _matches(self, competition: str, season: str, country: str | None) -> tuple[list[MatchRecord], OddsTable]:
        odds = self._odds()
        results = self._column("FTR") or [""] * len(self.lines)
        homes, aways = self._teams("HomeTeam", "home"), self._teams("AwayTeam", "away")
        # One TeamRef per club and file: they are immutable, and a club plays ~40 rows.
        refs = {name: TeamRef(name, country) for name in {*homes, *aways}}
        rows = zip(
            self.lines,
            self._dates(),
            homes,
            aways,
            self._goals("FTHG"),
            self._goals("FTAG"),
            self._goals("HTHG"),
            self._goals("HTAG"),
            results,
            self._kickoffs(),
            self._referees(),
            self._counts("HR", "home_red"),
            self._counts("AR", "away_red"),
            self._stats(),
            odds.views(len(self.lines)),
            strict=True,
        )
        matches = []
        for line, date, home, away, hg, ag, hth, hta, result, kickoff, referee, hr, ar, stats, quotes in rows:
            if (hth is None) != (hta is None):
                self.warnings.append((line, f"one-sided half-time score {hth}-{hta}: half-time dropped"))
                hth = hta = None
            status = self._status(line, hg, ag, hth, hta, result.strip())
            matches.append(
                MatchRecord(
                    source=KEY,
                    competition=competition,
                    season=season,
                    date=date,
                    home=refs[home],
                    away=refs[away],
                    line=line,
                    home_goals=hg,
                    away_goals=ag,
                    ht_home=hth,
                    ht_away=hta,
                    kickoff=kickoff,
                    stage="league",
                    home_red=hr,
                    away_red=ar,
                    status=status,
                    stats=stats,
                    referee=referee,
                    odds=quotes,
                )
            )
        return matches, odds

    def _status(self, line: int, hg: int | None, ag: int | None, hth: int | None, hta: int | None, result: str) -> str:
        if (hg is None) != (ag is None):
            self.problems.append((line, f"one-sided full-time score {hg}-{ag}"))
            return "played"
        if hg is None or ag is None:
            if hth is None and hta is None:
                return "scheduled"
            # A half-time score proves the match kicked off; with no final score it was not completed.
            self.warnings.append((line, f"half-time score {hth}-{hta} but no full-time score: recorded as abandoned"))
            return "abandoned"
        if (hth is not None and hth > hg) or (hta is not None and hta > ag):
            self.problems.append((line, f"half-time score {hth}-{hta} exceeds full-time score {hg}-{ag}"))
        expected = "H" if hg > ag else "A" if ag > hg else "D"
        if result and result != expected:
            self.warnings.append((line, f"FTR {result!r} disagrees with score {hg}-{ag}; the score is kept"))
        return "played"

    def _check_dates(self, matches: list[MatchRecord], season: str) -> None:
        if not re.fullmatch(r"\d{4}-\d{2}", season):
            return
        start = int(season[:4])
        for match in matches:
            if match.date is None or match.date.year in (start, start + 1):
                continue
            if start - 1 <= match.date.year <= start + 2:  # a play-off or a late replay: possible, worth a note
                self.warnings.append((match.line, f"date {match.date.isoformat()} lies outside season {season}"))
            else:  # 9999-08-12 in a 2023-24 file would make a second Everton v Fulham
                self.problems.append(
                    (match.line, f"date {match.date.isoformat()} is years away from season {season}")
                )

    def _summarise_unplayed(self, matches: list[MatchRecord]) -> None:
        scheduled = [match.line for match in matches if match.status == "scheduled"]
        if scheduled:
            self.warnings.append((scheduled[0], f"{len(scheduled)} fixture(s) without a score recorded as scheduled"))


def _no_odds() -> OddsTable:
    empty = np.empty(0, dtype=np.float64)
    return OddsTable(
        np.empty(0, dtype=np.int64), np.empty(0, dtype=object), np.empty(0, dtype=object), np.empty(0, dtype=bool),
        empty, empty, empty, empty,
    )  # fmt: skip


def _parse_date(text: str) -> dt.date:
    """``dd/mm/yy`` or ``d/m/yyyy``; two-digit years are 1950-2049."""
    match = _DATE.match(text)
    if not match:
        raise ValueError("expected dd/mm/yy or dd/mm/yyyy")
    day, month, year = int(match[1]), int(match[2]), int(match[3])
    if len(match[3]) == 2:
        year += 1900 if year >= 50 else 2000
    return dt.date(year, month, day)


def _stripped_equals(wanted: str) -> Callable[[str], bool]:
    """A test that a cell, stripped, is ``wanted``."""
    return lambda text: text.strip() == wanted
