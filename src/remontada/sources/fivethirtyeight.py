"""FiveThirtyEight Soccer Power Index (SPI): pre-match forecasts of club and national-team matches.

FiveThirtyEight published, until June 2023, one CSV row per match with its SPI ratings
(``spi1``/``spi2``, 0-100), outcome probabilities (``prob1``/``probtie``/``prob2``, in [0, 1]),
projected goals (``proj_score1/2``), and once played the score and expected goals
(``xg1``/``xg2``). They are kept as :class:`ForecastRecord` values — a benchmark to beat, never
model input; 538's results duplicate other sources and are kept only as the forecasts' outcomes.

Files read (:data:`CANONICAL_FILES` under ``https://projects.fivethirtyeight.com/soccer-api/``):
``club/spi_matches.csv`` (2016-08 .. 2020-05 copy), ``club/spi_matches_latest.csv`` (final
version: 2022-23 season) and ``international/spi_matches_intl.csv``. The canonical URLs no longer
serve the full history, so three older copies committed to third-party git repositories are
read as well (:data:`SNAPSHOTS`), each from a commit-pinned ``raw.githubusercontent.com`` URL.
One of them was re-saved by a spreadsheet and writes dates ``M-D-YYYY`` (``7-24-2016``); dates
are otherwise ISO. The same match appears in several files; the store deduplicates. Within one
file a match listed twice (the international file does this) is reported as a warning.

Rows of single-match knockout ties (play-off finals, World Cup knockout rounds) carry
``probtie = 0``: there 538 gives each side's probability *to advance*, not a 90-minute 1X2; they
are kept as published (``p_draw == 0.0`` identifies them) and counted in a warning.

Competitions: club leagues map onto catalogue ids (:data:`CLUB_LEAGUES`; the league also gives
the clubs' country, ``None`` for UEFA competitions). 538's national-team competition names are
translated to the tournament names of the martj42 international results (:data:`INTL_LEAGUES`)
so both sources share ``int.*`` ids. A club league missing from the table gets the id
``538.<slug of the name>`` and a warning. Women's leagues (FA WSL, NWSL) are skipped unless
``include_women=True``, since their clubs share names with men's clubs of the same country.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
from dataclasses import dataclass

from remontada import competitions
from remontada.competitions import Competition
from remontada.sources.base import RemoteFile
from remontada.sources.plain_csv import rows_after_header
from remontada.sources.records import ForecastRecord, ParsedFile, SourceError, TeamRef

KEY = "fivethirtyeight"
BASE_URL = "https://projects.fivethirtyeight.com/soccer-api/"
MIRROR_PREFIX = "projects.fivethirtyeight.com/soccer-api/"
HISTORY_PREFIX = "_history/projects.fivethirtyeight.com/soccer-api/"

#: Match files at the canonical URL, relative to :data:`BASE_URL`.
CANONICAL_FILES: tuple[str, ...] = (
    "club/spi_matches.csv",
    "club/spi_matches_latest.csv",
    "international/spi_matches_intl.csv",
)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """An older copy of a 538 match file, found in a third party's git history.

    ``path`` is ``<folder>/<label>/<file>`` as laid out under the mirror's ``_history`` tree;
    ``repo``/``commit``/``repo_path`` locate the identical blob on GitHub. ``month_first_dates``
    marks a copy whose dates were rewritten ``M-D-YYYY``.
    """

    path: str
    repo: str
    commit: str
    repo_path: str
    month_first_dates: bool = False

    @property
    def url(self) -> str:
        return f"https://raw.githubusercontent.com/{self.repo}/{self.commit}/{self.repo_path}"


#: Older copies of the club match file (provenance: the data mirror's ``provenance_other.csv``).
SNAPSHOTS: tuple[Snapshot, ...] = (
    Snapshot(
        "club/2020-09-09_thirdparty-resaved/spi_matches.csv",
        "pallavipai1/Regression",
        "f67993fe98a4c4e9617d53208154bac3be9d1ae4",
        "spi_matches.csv",
        month_first_dates=True,
    ),
    Snapshot(
        "club/2021-01-24/spi_matches_latest.csv",
        "Tomgeo64/betwith538",
        "0f50093f78c34683433919a19a5b085453b08232",
        "spi_matches_latest.csv",
    ),
    Snapshot(
        "club/2022-07-17/spi_matches_latest.csv",
        "Ericvolten1/football-data",
        "df2da580c785ecf5db469e2d843cbcfbf6ec98c5",
        "src/spi_matches.csv",
    ),
)

#: Competitions 538 covers that the catalogue lacks, by id; reported in ``ParsedFile.competitions``.
UNCATALOGUED: dict[str, Competition] = {
    c.id: c
    for c in (
        competitions.domestic("AUS", "1", "A-League", 1),
        competitions.domestic("USA", "2", "USL Championship", 2),
        competitions.domestic("ENG", "w1", "FA Women's Super League", 1),
        competitions.domestic("USA", "w1", "National Women's Soccer League", 1),
        competitions.domestic("USA", "wcup", "NWSL Challenge Cup"),
    )
}

#: 538 club league name -> (competition id, country code of its clubs; ``None`` for UEFA cups).
CLUB_LEAGUES: dict[str, tuple[str, str | None]] = {
    "Barclays Premier League": ("eng.1", "ENG"),
    "English League Championship": ("eng.2", "ENG"),
    "English League One": ("eng.3", "ENG"),
    "English League Two": ("eng.4", "ENG"),
    "Scottish Premiership": ("sco.1", "SCO"),
    "German Bundesliga": ("ger.1", "GER"),
    "German 2. Bundesliga": ("ger.2", "GER"),
    "Italy Serie A": ("ita.1", "ITA"),
    "Italy Serie B": ("ita.2", "ITA"),
    "Spanish Primera Division": ("esp.1", "ESP"),
    "Spanish Segunda Division": ("esp.2", "ESP"),
    "French Ligue 1": ("fra.1", "FRA"),
    "French Ligue 2": ("fra.2", "FRA"),
    "Dutch Eredivisie": ("ned.1", "NED"),
    "Belgian Jupiler League": ("bel.1", "BEL"),
    "Portuguese Liga": ("por.1", "POR"),
    "Turkish Turkcell Super Lig": ("tur.1", "TUR"),
    "Greek Super League": ("gre.1", "GRE"),
    "Austrian T-Mobile Bundesliga": ("aut.1", "AUT"),
    "Swiss Raiffeisen Super League": ("sui.1", "SUI"),
    "Danish SAS-Ligaen": ("den.1", "DEN"),
    "Russian Premier Liga": ("rus.1", "RUS"),
    "Norwegian Tippeligaen": ("nor.1", "NOR"),
    "Swedish Allsvenskan": ("swe.1", "SWE"),
    "Argentina Primera Division": ("arg.1", "ARG"),
    "Brasileiro Série A": ("bra.1", "BRA"),
    # Liga MX plays two tournaments a season; both are the Mexican top flight.
    "Mexican Primera Division Torneo Apertura": ("mex.1", "MEX"),
    "Mexican Primera Division Torneo Clausura": ("mex.1", "MEX"),
    "Major League Soccer": ("usa.1", "USA"),
    "Japanese J League": ("jpn.1", "JPN"),
    "Chinese Super League": ("chn.1", "CHN"),
    "South African ABSA Premier League": ("rsa.1", "RSA"),
    "Australian A-League": ("aus.1", "AUS"),
    "United Soccer League": ("usa.2", "USA"),
    "UEFA Champions League": ("uefa.cl", None),
    "UEFA Europa League": ("uefa.el", None),
    "UEFA Europa Conference League": ("uefa.ecl", None),
}

#: Women's competitions, read only with ``include_women=True``.
WOMEN_LEAGUES: dict[str, tuple[str, str | None]] = {
    "FA Women's Super League": ("eng.w1", "ENG"),
    "National Women's Soccer League": ("usa.w1", "USA"),
    "NWSL Challenge Cup": ("usa.wcup", "USA"),
}

#: 538 national-team competition name -> the martj42 tournament name it corresponds to.
#: Names not listed are used as they are (``African Nations Championship`` has no martj42 twin).
INTL_LEAGUES: dict[str, str] = {
    "International Match": "Friendly",
    "FIFA World Cup AFC Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup CAF Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup CONCACAF Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup CONMEBOL Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup OFC Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup UEFA Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup AFC/CONMEBOL Qualifying": "FIFA World Cup qualification",
    "FIFA World Cup CONCACAF/OFC Qualifying": "FIFA World Cup qualification",
    "European Championships": "UEFA Euro",
    "European Championship Qualifying": "UEFA Euro qualification",
    "African Cup of Nations Qualifying": "African Cup of Nations qualification",
    "AFC Asian Cup Qualifying": "AFC Asian Cup qualification",
    "African Nations Championship Qualifying": "African Nations Championship qualification",
    "CONCACAF Gold Cup": "Gold Cup",
    "Gold Cup Qualifying": "Gold Cup qualification",
    "CONCACAF Nations League Qualifying": "CONCACAF Nations League qualification",
    "Copa America": "Copa América",
    "Gulf Cup of Nations": "Gulf Cup",
    "ASEAN Football Championship": "AFF Championship",
    "EAFF East Asian Cup": "EAFF Championship",
}

#: Competition id prefix for club leagues missing from :data:`CLUB_LEAGUES`.
FALLBACK_PREFIX = "538."

_REQUIRED = ("date", "league", "team1", "team2", "prob1", "prob2", "probtie")
_OPTIONAL = ("spi1", "spi2", "proj_score1", "proj_score2", "score1", "score2", "xg1", "xg2")
#: Numeric columns read into a forecast, in the order :meth:`_Rows.numbers` returns them.
_NUMBER_COLUMNS = ("prob1", "probtie", "prob2", "spi1", "spi2", "proj_score1", "proj_score2", "xg1", "xg2")
#: Largest accepted |prob1 + probtie + prob2 - 1|; 538 rounds each to four decimals.
_PROBABILITY_TOLERANCE = 0.01


class FiveThirtyEight:
    """The FiveThirtyEight SPI source: canonical match files plus commit-pinned older copies."""

    key = KEY
    description = "FiveThirtyEight SPI: pre-match forecasts of club and national-team matches, 2016-2023"

    def __init__(
        self,
        base_url: str = BASE_URL,
        snapshots: bool = True,
        include_women: bool = False,
    ) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        self.snapshots = snapshots
        self.include_women = include_women

    def files(self) -> list[RemoteFile]:
        """The three canonical match files, then (with ``snapshots``) the older club copies."""
        files = [
            RemoteFile(source=KEY, path=path, url=self.base_url + path, mirror_path=MIRROR_PREFIX + path)
            for path in CANONICAL_FILES
        ]
        if self.snapshots:
            files += [
                RemoteFile(source=KEY, path=snap.path, url=snap.url, mirror_path=HISTORY_PREFIX + snap.path)
                for snap in SNAPSHOTS
            ]
        return files

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Read one SPI match file into forecasts; raise :class:`SourceError` on malformed input."""
        national = remote.path.startswith("international/") or remote.path.endswith("_intl.csv")
        month_first = any(snap.month_first_dates and snap.path == remote.path for snap in SNAPSHOTS)
        return parse_matches(
            data, location, national=national, month_first=month_first, include_women=self.include_women
        )


def parse_matches(
    data: bytes,
    location: str,
    national: bool = False,
    month_first: bool = False,
    include_women: bool = False,
) -> ParsedFile:
    """Rows of an ``spi_matches*.csv`` file as :class:`ForecastRecord` values.

    ``national`` reads national teams (``TeamRef(national=True)``, ``int.*`` competitions);
    ``month_first`` also accepts ``M-D-YYYY`` dates (the third-party re-saved copy).
    """
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SourceError(location, None, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    if not text.strip():
        raise SourceError(location, None, "empty file")
    if text.lstrip().startswith("<"):
        raise SourceError(location, None, "an HTML page, not a CSV")
    reader = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(reader)]
    missing = [name for name in _REQUIRED if name not in header]
    if missing:
        raise SourceError(location, 1, f"missing column(s) {', '.join(missing)} in an SPI match file")
    index = {name: header.index(name) for name in (*_REQUIRED, *_OPTIONAL) if name in header}
    rows = _Rows(location, index, len(header), month_first)

    parsed = ParsedFile()
    competition_of: dict[str, tuple[str, str | None] | None] = {}
    skipped: dict[str, list[int]] = {}
    teams: dict[tuple[str, str | None], TeamRef] = {}

    def team(name: str, country: str | None, line: int, column: str) -> TeamRef:
        if not name:
            raise SourceError(location, line, f"empty {column}")
        ref = teams.get((name, country))
        if ref is None:
            ref = teams[(name, country)] = TeamRef(name, country, national)
        return ref

    for line, row in rows_after_header(text, location):
        if len(row) != rows.width:
            if not any(cell.strip() for cell in row):
                continue  # a blank line
            rows.check_width(row, line)
        league = row[index["league"]].strip()
        if league in competition_of:
            mapping = competition_of[league]
        else:
            if not league:
                raise SourceError(location, line, "empty league")
            mapping = competition_of[league] = _competition(league, national, include_women)
            if mapping is not None and mapping[0].startswith(FALLBACK_PREFIX):
                parsed.warnings.append((line, f"league {league!r} is not catalogued; id {mapping[0]}"))
            if mapping is not None and mapping[0] not in competitions.CATALOGUE:
                _note_competition(parsed, mapping[0], league, national)
        if mapping is None:
            skipped.setdefault(league, []).append(line)
            continue
        competition_id, country = mapping
        p_home, p_draw, p_away, spi1, spi2, proj1, proj2, xg1, xg2 = rows.numbers(row, line)
        home_goals, away_goals = rows.score(row, line)
        # Positional (records.FORECAST_FIELDS_BY_POSITION); numbers() checked the probabilities.
        parsed.forecasts.append(
            ForecastRecord(
                KEY,
                competition_id,
                rows.date(row, line),
                team(row[index["team1"]].strip(), country, line, "team1"),
                team(row[index["team2"]].strip(), country, line, "team2"),
                line,
                p_home,  # type: ignore[arg-type]
                p_draw,  # type: ignore[arg-type]
                p_away,  # type: ignore[arg-type]
                spi1,
                spi2,
                proj1,
                proj2,
                home_goals,
                away_goals,
                xg1,
                xg2,
            )
        )
    _warn_repeats(parsed)
    advance = [record.line for record in parsed.forecasts if record.p_draw == 0.0]
    if advance:
        parsed.warnings.append(
            (
                advance[0],
                f"{len(advance)} row(s) have probtie = 0: probabilities to advance in a single-match "
                "knockout, not 90-minute results",
            )
        )
    for league, lines in skipped.items():
        parsed.warnings.append((lines[0], f"skipped {len(lines)} row(s) of women's competition {league!r}"))
    return parsed


def _warn_repeats(parsed: ParsedFile) -> None:
    """Flag a match listed more than once in one file (the international file repeats some,
    with differing ratings or a score for a match that was called off)."""
    lines_of: dict[tuple[dt.date, str, str], list[int]] = {}
    for record in parsed.forecasts:
        lines_of.setdefault((record.date, record.home.name, record.away.name), []).append(record.line)
    for (day, home, away), lines in lines_of.items():
        if len(lines) > 1:
            others = ", ".join(str(n) for n in lines[1:])
            parsed.warnings.append((lines[0], f"{home} v {away} on {day} is listed again on line(s) {others}"))


def _note_competition(parsed: ParsedFile, competition_id: str, league: str, national: bool) -> None:
    """List a competition missing from the catalogue in ``parsed.competitions`` (once)."""
    if any(c.id == competition_id for c in parsed.competitions):
        return
    if competition_id in UNCATALOGUED:
        competition = UNCATALOGUED[competition_id]
    elif national:
        competition = competitions.international(INTL_LEAGUES.get(league, league))
    else:  # a fallback id: 538 covers only leagues besides the UEFA cups
        competition = Competition(competition_id, league, None, "league")
    parsed.competitions.append(competition)


def _competition(league: str, national: bool, include_women: bool) -> tuple[str, str | None] | None:
    """(competition id, clubs' country) for a 538 league name; ``None`` to skip the row."""
    if national:
        return (competitions.international(INTL_LEAGUES.get(league, league)).id, None)
    if league in WOMEN_LEAGUES:
        return WOMEN_LEAGUES[league] if include_women else None
    return CLUB_LEAGUES.get(league, (FALLBACK_PREFIX + competitions.slug(league), None))


class _Rows:
    """Field readers for one file's column layout; each names the line and column it rejects."""

    def __init__(self, location: str, index: dict[str, int], width: int, month_first: bool) -> None:
        self.location = location
        self.index = index
        self.width = width
        self.month_first = month_first
        self._dates: dict[str, dt.date] = {}
        # Score cells as written -> goals: a dozen distinct texts over tens of thousands of rows.
        self._goal_counts: dict[str, int | None] = {}
        self._positions = [index.get(column) for column in _NUMBER_COLUMNS]

    def check_width(self, row: list[str], line: int) -> None:
        if len(row) != self.width:
            raise SourceError(self.location, line, f"expected {self.width} fields, got {len(row)}")

    def date(self, row: list[str], line: int) -> dt.date:
        text = row[self.index["date"]].strip()
        day = self._dates.get(text)
        if day is None:
            day = self._dates[text] = self._parse_date(text, line)
        return day

    def _parse_date(self, text: str, line: int) -> dt.date:
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
        if self.month_first:
            parts = text.split("-")
            if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4:
                try:
                    return dt.date(int(parts[2]), int(parts[0]), int(parts[1]))
                except ValueError:
                    pass
            raise SourceError(self.location, line, f"date {text!r} is neither ISO nor M-D-YYYY")
        raise SourceError(self.location, line, f"date {text!r} is not an ISO date")

    def number(self, row: list[str], line: int, column: str) -> float | None:
        position = self.index.get(column)
        if position is None:
            return None
        text = row[position].strip()
        if not text:
            return None
        try:
            value = float(text)
        except ValueError:
            raise SourceError(self.location, line, f"{column} {text!r} is not a number") from None
        if not math.isfinite(value):
            raise SourceError(self.location, line, f"{column} {text!r} is not finite")
        return value

    def numbers(self, row: list[str], line: int) -> list[float | None]:
        """The :data:`_NUMBER_COLUMNS` of a row (``None`` when empty or absent), probabilities checked."""
        try:
            values = [None if p is None or not row[p] else float(row[p]) for p in self._positions]
            if not math.isfinite(sum(v for v in values if v is not None)):
                raise ValueError("not finite")
        except ValueError:
            # The slow path names the offending column, or accepts padding such as " 1.2 ".
            values = [self.number(row, line, column) for column in _NUMBER_COLUMNS]
        probabilities = values[:3]
        for column, value in zip(_NUMBER_COLUMNS, probabilities, strict=False):
            if value is None or not 0.0 <= value <= 1.0:
                raise SourceError(self.location, line, f"{column} {row[self.index[column]]!r} is not a probability")
        total = sum(probabilities)  # type: ignore[arg-type]
        if abs(total - 1.0) > _PROBABILITY_TOLERANCE:
            raise SourceError(self.location, line, f"prob1 + probtie + prob2 = {total:.4f}, not 1")
        return values

    def score(self, row: list[str], line: int) -> tuple[int | None, int | None]:
        goals = []
        for column in ("score1", "score2"):
            position = self.index.get(column)
            text = row[position] if position is not None else ""
            count = self._goal_counts.get(text, -1)
            if count == -1:
                count = _goal_count(text.strip())
                if count == -1:
                    raise SourceError(self.location, line, f"{column} {text.strip()!r} is not a goal count")
                self._goal_counts[text] = count
            goals.append(count)
        if (goals[0] is None) != (goals[1] is None):
            raise SourceError(self.location, line, "only one side of the score is given")
        return goals[0], goals[1]


def _goal_count(text: str) -> int | None:
    """Goals in a stripped score cell, ``None`` when empty, -1 when not a goal count."""
    if not text:
        return None
    # Re-saved copies may write whole numbers as 2.0.
    value = float(text) if text.replace(".", "", 1).isdigit() else -1.0
    if value < 0 or value != int(value):
        return -1
    return int(value)
