"""ClubElo (api.clubelo.com): Elo ratings of European clubs, day by day since 1939.

Two kinds of API path, both answering the same CSV (``Rank,Club,Country,Level,Elo,From,To``):

- ``http://api.clubelo.com/{Club}`` — one club's whole history, one row per interval of days
  over which its rating did not change (``Liverpool``, ``ManCity``: the club name without spaces);
- ``http://api.clubelo.com/{YYYY-MM-DD}`` — every club's rating on one day, the row's interval
  being the one that contains that day.

Each row becomes a :class:`RatingRecord` (rating in Elo points, ``date_from``/``date_to``
inclusive ISO dates). ``Rank`` is the club's place in Europe when ClubElo ranks it and the
literal ``None`` otherwise (most historical rows, and clubs outside the top leagues); ``Level``
is the club's domestic tier, 0 for clubs ClubElo tracks only through European games.

ClubElo's country codes are UEFA-style except for a few it keeps from older usage, mapped by
:data:`COUNTRY_CODES` so that ``Bayern`` is ``GER`` before and after 1990.

Which club files are read comes from ``catalog/clubelo.txt`` beside this module (the 99 club
histories and 5 daily snapshots held in the data mirror). Regenerate it from a mirror with::

    python -m remontada.sources.clubelo /path/to/mirror > src/remontada/sources/catalog/clubelo.txt
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import sys
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from remontada.sources.base import RemoteFile
from remontada.sources.plain_csv import rows_after_header
from remontada.sources.records import ParsedFile, RatingRecord, SourceError, TeamRef

KEY = "clubelo"
BASE_URL = "http://api.clubelo.com/"
MIRROR_PREFIX = "api.clubelo.com/"
HEADER = ("Rank", "Club", "Country", "Level", "Elo", "From", "To")

#: ClubElo country code -> the UEFA/FIFA-style code used by :class:`TeamRef`. Codes not listed
#: are already UEFA-style (``ENG``, ``ESP``, ``NED``, ``POR``, ``SUI``...).
COUNTRY_CODES: dict[str, str] = {
    "FRG": "GER",  # West Germany until 1990; the same clubs continue as GER
    "ROM": "ROU",
    "SLK": "SVK",
    "MOL": "MDA",
    "MAC": "MKD",
    "LIT": "LTU",
    "LAT": "LVA",
    "FAR": "FRO",
    "BHZ": "BIH",
    "MNT": "MNE",
}

_DATE_NAME = re.compile(r"\d{4}-\d{2}-\d{2}")
_CLUB_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9\-]*")
_CATALOG = "catalog/clubelo.txt"


def read_catalog() -> tuple[tuple[str, ...], tuple[dt.date, ...]]:
    """The club path names and snapshot dates listed in ``catalog/clubelo.txt``."""
    text = resources.files("remontada.sources").joinpath(_CATALOG).read_text(encoding="utf-8")
    return parse_catalog(text)


def parse_catalog(text: str) -> tuple[tuple[str, ...], tuple[dt.date, ...]]:
    """Split a catalogue (one API path name a line, ``#`` comments) into clubs and dates."""
    clubs: list[str] = []
    dates: list[dt.date] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        name = raw.split("#", 1)[0].strip()
        if not name:
            continue
        if _DATE_NAME.fullmatch(name):
            dates.append(dt.date.fromisoformat(name))
        elif _CLUB_NAME.fullmatch(name):
            clubs.append(name)
        else:
            raise ValueError(f"{_CATALOG}:{number}: {name!r} is neither a ClubElo club path nor a date")
    return tuple(clubs), tuple(dates)


def catalog_text(names: Iterable[str]) -> str:
    """The text of ``catalog/clubelo.txt`` for a listing of API path names (e.g. a mirror directory)."""
    clubs, dates = parse_catalog("\n".join(names))
    lines = [
        "# ClubElo API paths read by remontada.sources.clubelo: club histories, then daily snapshots.",
        "# Generated from the mirror listing; regenerate with",
        "#   python -m remontada.sources.clubelo /path/to/mirror > src/remontada/sources/catalog/clubelo.txt",
        *sorted(clubs, key=str.lower),
        *sorted(d.isoformat() for d in dates),
    ]
    return "\n".join(lines) + "\n"


class ClubElo:
    """The ClubElo source: club rating histories and whole-database daily snapshots.

    ``clubs`` are API path names (``"ManCity"``) and ``dates`` snapshot days; both default to
    the catalogue. ``base_url`` may point at a mirror or a proxy of ``api.clubelo.com``.
    """

    key = KEY
    description = "ClubElo: daily Elo ratings of European clubs (club histories and all-club snapshots)"

    def __init__(
        self,
        clubs: Iterable[str] | None = None,
        dates: Iterable[dt.date | str] | None = None,
        base_url: str = BASE_URL,
    ) -> None:
        catalog_clubs, catalog_dates = read_catalog() if clubs is None or dates is None else ((), ())
        self.clubs = tuple(catalog_clubs if clubs is None else clubs)
        for club in self.clubs:
            if not _CLUB_NAME.fullmatch(club) or _DATE_NAME.fullmatch(club):
                raise ValueError(f"{club!r} is not a ClubElo club path (letters, digits and '-', no spaces)")
        self.dates = tuple(
            d if isinstance(d, dt.date) else dt.date.fromisoformat(d)
            for d in (catalog_dates if dates is None else dates)
        )
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"

    def files(self) -> list[RemoteFile]:
        """One file per club history, then one per snapshot day."""
        paths = [*self.clubs, *(d.isoformat() for d in self.dates)]
        return [
            RemoteFile(source=KEY, path=path, url=self.base_url + path, mirror_path=MIRROR_PREFIX + path)
            for path in paths
        ]

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one API answer into ratings; raise :class:`SourceError` on malformed input."""
        return parse_ratings(data, location)


def parse_ratings(data: bytes, location: str) -> ParsedFile:
    """Rows of a ClubElo CSV as :class:`RatingRecord` values (Elo points over inclusive date intervals)."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(location, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise SourceError(location, None, "empty answer (expected a CSV with header Rank,Club,...)")
    reader = csv.reader(io.StringIO(text))
    header = tuple(cell.strip() for cell in next(reader))
    if header != HEADER:
        hint = " (an HTML page?)" if text.lstrip().startswith("<") else ""
        raise SourceError(location, 1, f"expected header {','.join(HEADER)}, got {','.join(header)[:80]!r}{hint}")

    parsed = ParsedFile()
    _read_rows(rows_after_header(text, location), location, parsed.ratings)
    if not parsed.ratings:
        parsed.warnings.append((1, "no ratings: ClubElo answered with the header only (unknown club name?)"))
    return parsed


def _read_rows(rows: Iterable[tuple[int, list[str]]], location: str, ratings: list[RatingRecord]) -> None:
    """Append the ratings of ``rows``, raising :class:`SourceError` at the first bad one."""
    dates: dict[str, dt.date] = {}
    teams: dict[tuple[str, str], TeamRef] = {}
    width = len(HEADER)
    # Half a million rows go through here on a full update. Convert without per-field checks;
    # any surprise is re-examined by _row_error, which names the field.
    for line, row in rows:
        try:
            rank_text, club, raw_country, level_text, elo_text, from_text, to_text = row
            team = teams.get((club, raw_country))
            if team is None:
                team = teams[(club, raw_country)] = _team(club, raw_country)
            date_from = dates.get(from_text) or dates.setdefault(from_text, dt.date.fromisoformat(from_text))
            date_to = dates.get(to_text) or dates.setdefault(to_text, dt.date.fromisoformat(to_text))
            elo = float(elo_text)
            rank = None if rank_text == "None" else int(rank_text)
            record = RatingRecord(KEY, team, date_from, date_to, elo, line, rank, int(level_text))
        except ValueError:
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # a blank line
            raise _row_error(location, line, row, width) from None
        if not (date_from <= date_to and 0.0 < elo < math.inf):
            raise _row_error(location, line, row, width)
        ratings.append(record)


def _team(club: str, raw_country: str) -> TeamRef:
    if not club:
        raise ValueError("empty Club")
    if len(raw_country) != 3 or not raw_country.isascii() or not raw_country.isupper():
        raise ValueError(f"Country {raw_country!r} is not a three-letter code")
    return TeamRef(club, COUNTRY_CODES.get(raw_country, raw_country))


def _row_error(location: str, line: int, row: list[str], width: int) -> SourceError:
    """The precise complaint about a row the fast path rejected."""
    if len(row) != width:
        return SourceError(location, line, f"expected {width} fields, got {len(row)}")
    rank_text, club, raw_country, level_text, elo_text, from_text, to_text = row
    try:
        _team(club, raw_country)
    except ValueError as exc:
        return SourceError(location, line, str(exc))
    for column, text in (("From", from_text), ("To", to_text)):
        try:
            dt.date.fromisoformat(text)
        except ValueError:
            return SourceError(location, line, f"{column} {text!r} is not an ISO date")
    if dt.date.fromisoformat(to_text) < dt.date.fromisoformat(from_text):
        return SourceError(location, line, f"interval ends ({to_text}) before it starts ({from_text})")
    for column, text in (("Rank", rank_text), ("Level", level_text)):
        if not (text == "None" and column == "Rank") and not re.fullmatch(r"-?\d+", text):
            return SourceError(location, line, f"{column} {text!r} is not an integer")
    return SourceError(location, line, f"Elo {elo_text!r} is not a positive number")


def rating_on(ratings: Iterable[RatingRecord], team_name: str, day: dt.date) -> RatingRecord | None:
    """The rating interval of ``team_name`` (as ClubElo names it) that contains ``day``, if any."""
    for record in ratings:
        if record.team.name == team_name and record.date_from <= day <= record.date_to:
            return record
    return None


def _main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m remontada.sources.clubelo MIRROR_ROOT", file=sys.stderr)
        return 2
    folder = Path(argv[0]) / MIRROR_PREFIX
    if not folder.is_dir():
        print(f"no {MIRROR_PREFIX} folder under {argv[0]}", file=sys.stderr)
        return 1
    sys.stdout.write(catalog_text(p.name for p in folder.iterdir() if p.is_file()))
    return 0


if __name__ == "__main__":
    raise SystemExit(_main(sys.argv[1:]))
