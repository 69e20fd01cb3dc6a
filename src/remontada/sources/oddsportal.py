"""OddsPortal 1X2 odds of UEFA club matches, 2004-05 .. 2019-20 (Seb943/scrapeOP, pinned commit).

Two files scraped from oddsportal.com, one per competition, qualifying rounds included::

    MatchId,Season,Home_id,Away_id,Date,Score_home,Score_away,bet-at-home_H,bet-at-home_D,bet-at-home_A,...
    2963,2018-2019,Liverpool,Barcelona,2019-05-07,4,0,2.5,3.57,2.63,2.6,3.8,2.62,...

After the seven leading columns come ``{bookmaker}_H/_D/_A`` decimal prices for eleven bookmakers
(bet-at-home, bet365, bwin, Pinnacle, William Hill, Unibet, 1xBet, Coolbet, Asianodds, BetJoe,
Betago; the two files order them differently, so columns are read by name); ``Na`` = no price.
Whether they are closing prices is not stated (OddsPortal shows the last price after kick-off, so
most likely closing): quotes are stored with ``closing=False``.

The source exists for its prices. Its rows are *attach-only* (:data:`remontada.sources.ATTACH_ONLY`): they join the
match another source stores (same competition and clubs, dates within the merge tolerance), never
create a match, and never supply a field another source has; see :mod:`remontada.ingest.merge`.
That matters for the score: OddsPortal writes the final score of a match decided after 90 minutes
including extra time, or counting the shoot-out winner's goal (the 2005 final is AC Milan 3-4
Liverpool; it was 3-3). The score is kept as ``home_goals``/``away_goals`` as written (club names
are matched to the stored clubs by fixture alignment, which needs the score: see
:mod:`remontada.store.rebuild`), never used for a stored match, and a disagreement is reported as a
conflict.

Quirks handled (all in the published files):

- OddsPortal spellings ("Manchester Utd", "Atl. Madrid"); qualifier clubs carry a country suffix
  ("Tre Penne (San)"), which becomes the :class:`TeamRef` country (:data:`COUNTRIES`).
- Dates ``2019-05-07`` (Champions League file), ``12 May 2010`` and ``27-juin-19`` (Europa League
  file: French month abbreviations, two-digit years).
- Duplicated rows: the 2019-20 Europa League was scraped twice (495 rows repeated: 211 with the same
  date text, 284 with the date written the other way, ``27 Jun 2019`` / ``27-juin-19``). Rows with
  the same home, away and date are one match: the first is kept, and a duplicate whose score or
  prices differ is reported with both lines (one does: Torino v Debrecen, 2019-07-25).
- A malformed row (bad date, score or price, missing name) is skipped with a warning naming its
  line; the rest of the file is kept. A price of 1.0 or less is dropped with its bookmaker's quote.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterable, Iterator

from remontada.sources.base import RemoteFile
from remontada.sources.records import MatchRecord, OddsQuote, ParsedFile, SourceError, TeamRef

KEY = "oddsportal"
COMMIT = "72c062841d7bf7e626e28f8dedc70e0eb706c1d8"
BASE_URL = f"https://raw.githubusercontent.com/Seb943/scrapeOP/{COMMIT}/"
MIRROR_PREFIX = f"Seb943/scrapeOP/{COMMIT}/"

#: File (under ``DATA/soccer/``) -> competition id.
FILES: dict[str, str] = {
    "All_data_champions-league_foot_CLEAN.csv": "uefa.cl",
    "All_data_europa-league_08042020_CLEAN.csv": "uefa.el",
}

#: Column-name prefix -> bookmaker key (lower case, as football-data's quotes are keyed).
BOOKMAKERS: dict[str, str] = {
    "bet-at-home": "bet_at_home",
    "bet365": "bet365",
    "bwin": "bwin",
    "Pinnacle": "pinnacle",
    "William Hill": "william_hill",
    "Unibet": "unibet",
    "1xBet": "1xbet",
    "Coolbet": "coolbet",
    "Asianodds": "asianodds",
    "BetJoe": "betjoe",
    "Betago": "betago",
}

#: OddsPortal's country suffixes ("Tre Penne (San)") -> the store's three-letter codes.
COUNTRIES: dict[str, str] = {
    "Alb": "ALB", "And": "AND", "Arm": "ARM", "Aut": "AUT", "Aze": "AZE", "Bel": "BEL", "Bih": "BIH",
    "Blr": "BLR", "Bul": "BUL", "Cro": "CRO", "Cyp": "CYP", "Cze": "CZE", "Den": "DEN", "Eng": "ENG",
    "Esp": "ESP", "Est": "EST", "Fai": "FRO", "Fin": "FIN", "Fra": "FRA", "Geo": "GEO", "Ger": "GER",
    "Gib": "GIB", "Gre": "GRE", "Hun": "HUN", "Ice": "ISL", "Irl": "IRL", "Isr": "ISR", "Ita": "ITA",
    "Kaz": "KAZ", "Kos": "KOS", "Lat": "LVA", "Lie": "LIE", "Ltu": "LTU", "Lux": "LUX", "Mda": "MDA",
    "Mkd": "MKD", "Mlt": "MLT", "Mne": "MNE", "Ned": "NED", "Nir": "NIR", "Nor": "NOR", "Pol": "POL",
    "Por": "POR", "Rou": "ROU", "Rus": "RUS", "San": "SMR", "Sco": "SCO", "Slo": "SVN", "Srb": "SRB",
    "Sui": "SUI", "Svk": "SVK", "Swe": "SWE", "Tur": "TUR", "Ukr": "UKR", "Wal": "WAL",
}  # fmt: skip

LEADING_COLUMNS = ("MatchId", "Season", "Home_id", "Away_id", "Date", "Score_home", "Score_away")

#: Month abbreviations in English and French (``juin``, ``juil``, ``sept``...), lower case.
MONTHS: dict[str, int] = {
    **{m: i for i, m in enumerate(("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov",
                                   "dec"), start=1)},
    "janv": 1, "févr": 2, "fevr": 2, "mars": 3, "avr": 4, "mai": 5, "juin": 6, "juil": 7, "août": 8, "aout": 8,
    "sept": 9, "déc": 12,
}  # fmt: skip

_ISO = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SPACED = re.compile(r"^(\d{1,2}) ([A-Za-zéû]+)\.? (\d{4})$")
_DASHED = re.compile(r"^(\d{1,2})-([A-Za-zéû]+)\.?-(\d{2})$")
_SEASON = re.compile(r"^(\d{4})-(\d{4})$")
_SUFFIX = re.compile(r"^(.*\S)\s*\(([A-Z][a-z]{2})\)$")


def parse_date(text: str) -> dt.date:
    """``2019-05-07``, ``12 May 2010`` or ``27-juin-19`` (French months, two-digit years: 2000s)."""
    text = text.strip()
    if m := _ISO.match(text):
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    m = _SPACED.match(text) or _DASHED.match(text)
    if not m:
        raise ValueError("expected 2019-05-07, 12 May 2010 or 27-juin-19")
    month = MONTHS.get(m[2].lower())
    if month is None:
        raise ValueError(f"unknown month {m[2]!r}")
    year = int(m[3]) + (2000 if len(m[3]) == 2 else 0)
    return dt.date(year, month, int(m[1]))


def parse_season(text: str) -> str:
    """``2018-2019`` -> ``2018-19``."""
    m = _SEASON.match(text.strip())
    if not m or int(m[2]) != int(m[1]) + 1:
        raise ValueError(f"season {text.strip()!r} is not like 2018-2019")
    return f"{m[1]}-{m[2][2:]}"


def team(text: str) -> TeamRef:
    """A club as OddsPortal writes it; a country suffix ``(San)`` becomes the country."""
    name = " ".join(text.split())
    m = _SUFFIX.match(name)
    if m and m[2] in COUNTRIES:
        return TeamRef(m[1], COUNTRIES[m[2]])
    return TeamRef(name)


def _price(text: str) -> float | None:
    """A decimal price, ``None`` for ``Na``/empty; raises on junk."""
    text = text.strip()
    if text in ("", "Na", "NA", "NaN"):
        return None
    value = float(text)
    if not 1.0 < value < 1e4:
        raise ValueError(f"price {text!r} is not a decimal price above 1")
    return value


class OddsPortal:
    """The OddsPortal 1X2 prices of Champions League and Europa League matches, 2004-05 .. 2019-20."""

    key = KEY
    description = "OddsPortal (Seb943/scrapeOP): 1X2 odds of 11 bookmakers for UEFA matches 2004-05..2019-20"

    def __init__(self, competitions: Iterable[str] | None = None) -> None:
        """``competitions``: ``uefa.cl`` and/or ``uefa.el`` (default both)."""
        self.competitions = tuple(FILES.values()) if competitions is None else tuple(competitions)
        unknown = [c for c in self.competitions if c not in FILES.values()]
        if unknown:
            raise ValueError(f"unknown OddsPortal competition(s) {unknown}; known: {', '.join(FILES.values())}")

    def files(self) -> list[RemoteFile]:
        return [
            RemoteFile(
                source=KEY,
                path=f"DATA/soccer/{name}",
                url=f"{BASE_URL}DATA/soccer/{name}",
                mirror_path=f"{MIRROR_PREFIX}DATA/soccer/{name}",
                competition=competition,
            )
            for name, competition in FILES.items()
            if competition in self.competitions
        ]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one file; bad rows are skipped with a warning, a file that is not this CSV raises."""
        competition = remote.competition or FILES.get(remote.path.rsplit("/", 1)[-1])
        if competition is None:
            raise SourceError(location, None, f"not an OddsPortal file this source knows: {remote.path}")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("latin-1")
        if text.lstrip().startswith("<"):
            raise SourceError(location, None, "HTML served instead of CSV")
        reader = csv.reader(io.StringIO(text, newline=""))
        rows = _rows(reader, location)
        header = [h.strip() for h in next(rows, [])]
        missing = [c for c in LEADING_COLUMNS if c not in header]
        if missing:
            raise SourceError(location, 1, f"missing column(s) {', '.join(missing)}")
        at = {name: i for i, name in enumerate(header)}
        books = [
            (key, at[f"{prefix}_H"], at[f"{prefix}_D"], at[f"{prefix}_A"])
            for prefix, key in BOOKMAKERS.items()
            if all(f"{prefix}_{s}" in at for s in "HDA")
        ]
        known = {*LEADING_COLUMNS, *(f"{p}_{s}" for p in BOOKMAKERS for s in "HDA")}
        out = ParsedFile()
        for name in header:
            if name not in known:
                out.warnings.append((1, f"unknown column {name!r} ignored"))
        seen: dict[tuple[str, str, dt.date], tuple[int, tuple[object, ...]]] = {}
        duplicates = 0
        for row in rows:
            line = reader.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                out.warnings.append((line, f"{len(row)} cells for {len(header)} columns: row skipped"))
                continue
            try:
                record, notes = self._record(row, at, books, competition, line)
            except ValueError as exc:
                out.warnings.append((line, f"{exc}: row skipped"))
                continue
            out.warnings.extend((line, note) for note in notes)
            assert record.date is not None
            key = (record.home.name, record.away.name, record.date)
            content = (record.home_goals, record.away_goals, tuple(q.prices for q in record.odds))
            if key in seen:
                duplicates += 1
                first_line, first_content = seen[key]
                if first_content != content:
                    out.warnings.append(
                        (line, f"duplicate of line {first_line} ({key[0]} v {key[1]}, {key[2]}) with a different"
                               f" {'score' if first_content[:2] != content[:2] else 'price'}: line {first_line} kept")
                    )  # fmt: skip
                continue
            seen[key] = (line, content)
            out.matches.append(record)
        if duplicates:
            out.warnings.append((1, f"{duplicates} duplicated home/away/date row(s) dropped (first one kept)"))
        if not out.matches:
            raise SourceError(location, None, "no readable match rows")
        return out

    @staticmethod
    def _record(
        row: list[str], at: dict[str, int], books: list[tuple[str, int, int, int]], competition: str, line: int
    ) -> tuple[MatchRecord, list[str]]:
        home, away = team(row[at["Home_id"]]), team(row[at["Away_id"]])
        if not home.name or not away.name:
            raise ValueError("missing team name")
        try:
            date = parse_date(row[at["Date"]])
        except ValueError as exc:
            raise ValueError(f"bad date {row[at['Date']].strip()!r} ({exc})") from None
        season = parse_season(row[at["Season"]])
        goals = []
        for column in ("Score_home", "Score_away"):
            text = row[at[column]].strip()
            if not text.isdigit():
                raise ValueError(f"bad score {column}={text!r}")
            goals.append(int(text))
        quotes, notes = [], []
        for book, h, d, a in books:
            try:
                prices = (_price(row[h]), _price(row[d]), _price(row[a]))
            except ValueError as exc:
                notes.append(f"{book}: {exc}; quote dropped")
                continue
            if None not in prices:
                quotes.append(OddsQuote(book, "1x2", False, prices))  # type: ignore[arg-type]
        record = MatchRecord(KEY, competition, season, date, home, away, line, goals[0], goals[1], odds=tuple(quotes))
        return record, notes


def _rows(reader: Iterator[list[str]], location: str) -> Iterator[list[str]]:
    """The CSV rows; a row the csv module cannot read (a stray quote or line break) is a file:line error."""
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise SourceError(location, getattr(reader, "line_num", None), f"unreadable CSV: {exc}") from None
        yield row
