"""footballcsv (CC0): two caches of plain results CSVs, one file per league and season.

``cache.soccerdata`` (``https://raw.githubusercontent.com/footballcsv/cache.soccerdata/master/
{decade}/{season}/eng.{n}.csv``) re-exports engsoccerdata's England league history: tiers 1-4,
1888-89 .. 2015-16 and 2018-19, header ``Date,Team 1,FT,Team 2``. ``eng.3a`` is the Third
Division North and ``eng.3b`` the Third Division South (1921-22 .. 1957-58: Barrow, Stockport
and Lincoln play in ``3a``; Plymouth, Brighton and Southend in ``3b``).

``cache.footballdata`` (``.../cache.footballdata/master/{season}/{league}.csv``) re-exports the
results of football-data.co.uk (same team spellings, no odds), header ``Date,Team 1,FT,HT,Team 2``,
for 1993-94 .. 2023-24 and calendar-year leagues in folders ``2012`` .. ``2024``. ``HT`` is ``?``
where football-data has no half-time score (all calendar-year leagues of 2019 onward, most of
2014-15). ``FT`` is ``?`` for three matches that were never completed (Greece 2014-15 Niki Volos v
OFI and 2018-19 Panathinaikos v Olympiakos, Brazil 2016 Chapecoense v Atletico-MG after the air
disaster): those rows are skipped with a warning.

Dates are written ``Sat Sep 8 1888``; the weekday is checked against the date, so a mistyped day
is an error rather than a silently wrong match. The footballcsv format also allows ``Round``,
``ET`` (score after extra time) and ``P`` (shoot-out) columns; none of the 1,256 files uses them,
but they are read if present. Scores are after 90 minutes.

GitHub's raw host cannot list a directory, so the files read are listed in
``catalog/footballcsv.txt``, generated from the mirror of cache.soccerdata @ f1c9d41 (2020-06-22)
and cache.footballdata @ f43a2aa (2024-06-11); regenerate with ``python -m
remontada.sources.footballcsv <mirror root>``. Files the catalogue lists are required
(``optional=False``): the caches are frozen, a missing file is a real error.
"""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import sys
from collections.abc import Iterable, Iterator
from importlib import resources
from pathlib import Path
from typing import NamedTuple

from remontada.competitions import CATALOGUE
from remontada.sources.base import RemoteFile
from remontada.sources.plain_csv import plain_lines
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

KEY = "footballcsv"
BASE_URL = "https://raw.githubusercontent.com/footballcsv/"
MIRROR_PREFIX = "footballcsv/"
REPOSITORIES = ("cache.soccerdata", "cache.footballdata")
CATALOG_RESOURCE = "catalog/footballcsv.txt"

#: footballcsv league code -> competition id (the country comes from the competition).
LEAGUES: dict[str, str] = {
    "eng.1": "eng.1",
    "eng.2": "eng.2",
    "eng.3": "eng.3",
    "eng.3a": "eng.3n",
    "eng.3b": "eng.3s",
    "eng.4": "eng.4",
    "eng.5": "eng.5",
    "sco.1": "sco.1",
    "sco.2": "sco.2",
    "sco.3": "sco.3",
    "sco.4": "sco.4",
    "de.1": "ger.1",
    "de.2": "ger.2",
    "es.1": "esp.1",
    "es.2": "esp.2",
    "it.1": "ita.1",
    "it.2": "ita.2",
    "fr.1": "fra.1",
    "fr.2": "fra.2",
    "nl.1": "ned.1",
    "be.1": "bel.1",
    "pt.1": "por.1",
    "tr.1": "tur.1",
    "gr.1": "gre.1",
    "at.1": "aut.1",
    "ch.1": "sui.1",
    "dk.1": "den.1",
    "pl.1": "pol.1",
    "ro.1": "rou.1",
    "ru.1": "rus.1",
    "ar.1": "arg.1",
    "br.1": "bra.1",
    "cn.1": "chn.1",
    "fi.1": "fin.1",
    "ie.1": "irl.1",
    "jp.1": "jpn.1",
    "mx.1": "mex.1",
    "no.1": "nor.1",
    "se.1": "swe.1",
    "us.1": "usa.1",
}

_REQUIRED_COLUMNS = ("Date", "Team 1", "FT", "Team 2")
_OPTIONAL_COLUMNS = ("Round", "HT", "ET", "P")
_MONTHS = {
    name: number
    for number, name in enumerate(
        ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"), start=1
    )
}
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_UNKNOWN = "?"


class FootballCsv:
    """The footballcsv source: the catalogued files of both caches and their parser.

    ``repositories`` narrows the catalogue to ``cache.soccerdata`` and/or ``cache.footballdata``;
    ``base_url`` replaces ``https://raw.githubusercontent.com/footballcsv/``.
    """

    key = KEY
    description = "footballcsv: England 1888-2019 (tiers 1-4) and football-data.co.uk results re-exported (CC0)"

    def __init__(self, base_url: str = BASE_URL, repositories: Iterable[str] = REPOSITORIES) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.repositories = tuple(repositories)
        unknown = [repo for repo in self.repositories if repo not in REPOSITORIES]
        if unknown:
            raise ValueError(f"unknown footballcsv repository {unknown}; known: {', '.join(REPOSITORIES)}")

    def files(self) -> list[RemoteFile]:
        """Every catalogued file of the chosen repositories, with its competition and season."""
        return [self.remote(path) for path in catalog() if path.split("/", 1)[0] in self.repositories]

    def remote(self, repo_path: str) -> RemoteFile:
        """The :class:`RemoteFile` for ``cache.soccerdata/1800s/1888-89/eng.1.csv`` style paths."""
        repo, _, inner = repo_path.partition("/")
        competition, season = describe(repo_path)
        path = f"{repo}/master/{inner}"
        return RemoteFile(
            source=KEY,
            path=path,
            url=self.base_url + path,
            mirror_path=MIRROR_PREFIX + repo_path,
            competition=competition,
            season=season,
        )

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Parse one league-season file; raise :class:`SourceError` naming file and line."""
        competition, season = remote.competition, remote.season
        if competition is None or season is None:
            try:
                competition, season = describe(remote.mirror_path.removeprefix(MIRROR_PREFIX))
            except ValueError as exc:
                raise SourceError(location, None, str(exc)) from None
        return _parse(data, location, competition, season)


def describe(repo_path: str) -> tuple[str, str]:
    """``(competition id, season)`` of a repository path; ``ValueError`` if it is not a league file.

    ``cache.footballdata/2023-24/de.1.csv`` -> ``("ger.1", "2023-24")``;
    ``cache.soccerdata/1900s/1921-22/eng.3a.csv`` -> ``("eng.3n", "1921-22")``.
    """
    parts = repo_path.split("/")
    if len(parts) < 3 or parts[0] not in REPOSITORIES or not parts[-1].endswith(".csv"):
        raise ValueError(f"{repo_path!r} is not a footballcsv cache file")
    code = parts[-1].removesuffix(".csv")
    if code not in LEAGUES:
        raise ValueError(f"{repo_path!r}: unknown league code {code!r}")
    season = parts[-2]
    if not (season.isdigit() and len(season) == 4) and not (
        len(season) == 7 and season[4] == "-" and season[:4].isdigit() and season[5:].isdigit()
    ):
        raise ValueError(f"{repo_path!r}: {season!r} is not a season folder")
    return LEAGUES[code], season


@functools.cache
def catalog() -> tuple[str, ...]:
    """The repository paths listed in ``catalog/footballcsv.txt`` (``#`` lines are comments)."""
    text = resources.files("remontada.sources").joinpath(CATALOG_RESOURCE).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def catalog_from_mirror(root: Path) -> list[str]:
    """Repository paths of every league file under ``root/footballcsv/`` (a mirror laid out by URL path)."""
    base = root / "footballcsv"
    paths = []
    for repo in REPOSITORIES:
        for file in (base / repo).rglob("*.csv"):
            path = file.relative_to(base).as_posix()
            describe(path)
            paths.append(path)
    return sorted(paths)


def catalog_text(paths: Iterable[str]) -> str:
    """The catalogue file's text for ``paths``, with the note on how to regenerate it."""
    header = (
        "# footballcsv files read by remontada: <repository>/<path in repository>.\n"
        "# GitHub raw has no directory listing, so this list is generated from a mirror of the repositories:\n"
        "#   python -m remontada.sources.footballcsv /path/to/mirror > src/remontada/sources/catalog/footballcsv.txt\n"
    )
    return header + "".join(f"{path}\n" for path in paths)


# ---- parsing -------------------------------------------------------------------------------------


class _CellError(ValueError):
    """A bad value in a row; the caller adds file and line."""


@functools.lru_cache(maxsize=65536)
def _date(text: str) -> dt.date:
    parts = text.split()
    if len(parts) != 4 or parts[1] not in _MONTHS or not parts[2].isdigit() or not parts[3].isdigit():
        raise _CellError(f"bad date {text!r}: expected e.g. 'Sat Sep 8 1888'")
    try:
        date = dt.date(int(parts[3]), _MONTHS[parts[1]], int(parts[2]))
    except ValueError:
        raise _CellError(f"bad date {text!r}: no such day") from None
    if _WEEKDAYS[date.weekday()] != parts[0]:
        raise _CellError(f"bad date {text!r}: {date.isoformat()} is a {_WEEKDAYS[date.weekday()]}")
    return date


@functools.lru_cache(maxsize=4096)
def _score(text: str, column: str) -> tuple[int, int] | None:
    """``"3-2"`` -> ``(3, 2)``; ``"?"`` or empty -> ``None``."""
    text = text.strip()
    if text in ("", _UNKNOWN):
        return None
    home, sep, away = text.partition("-")
    if not sep or not home.isdigit() or not away.isdigit():
        raise _CellError(f"bad {column} score {text!r}: expected goals-goals")
    return int(home), int(away)


def _parse(data: bytes, location: str, competition: str, season: str) -> ParsedFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(location, line, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    country = CATALOGUE[competition].country
    teams: dict[str, TeamRef] = {}
    matches: list[MatchRecord] = []
    warnings: list[tuple[int, str]] = []
    columns: dict[str, int] | None = None
    positions = _Columns(0, 0, 0, 0, None, None, None, None)
    width = 0
    for line, row in _numbered_rows(text, location):
        if not row or (len(row) == 1 and not row[0].strip()):
            continue
        if columns is None:
            columns = _header(row, location, line)
            positions = _Columns.of(columns)
            width = len(row)
            continue
        if len(row) != width:
            raise SourceError(location, line, f"expected {width} fields, found {len(row)} (truncated row?)")
        try:
            match = _match(row, positions, line, competition, season, country, teams)
        except _CellError as exc:
            raise SourceError(location, line, str(exc)) from None
        if match is None:
            warnings.append((line, f"{row[columns['Team 1']]} v {row[columns['Team 2']]} has no score; skipped"))
        else:
            matches.append(match)
    if columns is None:
        raise SourceError(location, None, "the file is empty")
    return ParsedFile(matches=matches, warnings=warnings)


def _numbered_rows(text: str, location: str) -> Iterable[tuple[int, list[str]]]:
    """(1-based line where the row starts, fields) of every row, blank ones included."""
    lines = plain_lines(text)
    if lines is not None:
        return enumerate((line.split(",") for line in lines), start=1)
    return _csv_rows(text, location)


def _csv_rows(text: str, location: str) -> Iterator[tuple[int, list[str]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        for row in reader:
            yield start, row
            start = reader.line_num + 1
    except csv.Error as exc:
        raise SourceError(location, start, f"unreadable CSV: {exc}") from None


class _Columns(NamedTuple):
    """Where each column sits in a file's rows (``None``: the file has no such column)."""

    date: int
    team1: int
    team2: int
    ft: int
    ht: int | None
    et: int | None
    p: int | None
    round: int | None

    @classmethod
    def of(cls, columns: dict[str, int]) -> _Columns:
        return cls(
            columns["Date"],
            columns["Team 1"],
            columns["Team 2"],
            columns["FT"],
            columns.get("HT"),
            columns.get("ET"),
            columns.get("P"),
            columns.get("Round"),
        )


def _header(row: list[str], location: str, line: int) -> dict[str, int]:
    names = [name.strip() for name in row]
    columns = {name: index for index, name in enumerate(names)}
    missing = [name for name in _REQUIRED_COLUMNS if name not in columns]
    unknown = [name for name in names if name not in _REQUIRED_COLUMNS and name not in _OPTIONAL_COLUMNS]
    if missing or unknown or len(columns) != len(names):
        raise SourceError(
            location,
            line,
            f"unexpected header {','.join(row)!r}: needs {', '.join(_REQUIRED_COLUMNS)}"
            f" (optionally {', '.join(_OPTIONAL_COLUMNS)})",
        )
    return columns


def _team(cell: str, column: str, country: str | None, teams: dict[str, TeamRef]) -> TeamRef:
    """The club named by ``cell``, one :class:`TeamRef` per name and file (``teams`` caches them)."""
    team = teams.get(cell)
    if team is None:
        if not cell.strip():
            raise _CellError(f"{column} is empty")
        team = teams[cell] = TeamRef(cell.strip(), country)
    return team


def _match(
    row: list[str],
    columns: _Columns,
    line: int,
    competition: str,
    season: str,
    country: str | None,
    teams: dict[str, TeamRef],
) -> MatchRecord | None:
    full_time = _score(row[columns.ft], "FT")
    if full_time is None:
        return None
    home = _team(row[columns.team1], "Team 1", country, teams)
    away = _team(row[columns.team2], "Team 2", country, teams)
    half_time = _score(row[columns.ht], "HT") if columns.ht is not None else None
    extra_time = _score(row[columns.et], "ET") if columns.et is not None else None
    shootout = _score(row[columns.p], "P") if columns.p is not None else None
    round_text = row[columns.round].strip() if columns.round is not None else ""
    # Positional: records.MATCH_FIELDS_BY_POSITION.
    return MatchRecord(
        KEY,
        competition,
        season,
        _date(row[columns.date].strip()),
        home,
        away,
        line,
        full_time[0],
        full_time[1],
        half_time[0] if half_time else None,
        half_time[1] if half_time else None,
        extra_time[0] if extra_time else None,
        extra_time[1] if extra_time else None,
        shootout[0] if shootout else None,
        shootout[1] if shootout else None,
        None,
        "league",
        (f"Matchday {round_text}" if round_text.isdigit() else round_text) or None,
    )


def main(argv: list[str] | None = None) -> int:
    """Print the catalogue for the mirror root given as the only argument."""
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m remontada.sources.footballcsv <mirror root>", file=sys.stderr)
        return 2
    sys.stdout.write(catalog_text(catalog_from_mirror(Path(args[0]))))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
