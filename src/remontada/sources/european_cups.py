"""European cup results 1955-2019 (schochastics/football-data ``data/results/uefa-*.csv``).

Files live at ``https://raw.githubusercontent.com/schochastics/football-data/<commit>/data/results/{name}.csv``
(licence ODC-By 1.0). The CSVs were replaced by a parquet file on that repository's master in
November 2024, so the URL pins :data:`COMMIT`, the last commit with them.

- ``uefa-el.csv``: Inter-Cities Fairs Cup 1955-1971 (``uefa.fairs``), UEFA Cup 1971-72 .. 2008-09 and
  Europa League 2009-10 .. 2018-19 (``uefa.el``); 12,918 matches, group stages included.
- ``uefa-cw.csv``: Cup Winners' Cup 1960-61 .. 1998-99 (``uefa.cwc``), 2,519 matches.
- ``uefa-cl.csv``: European Cup / Champions League 1955-56 .. 2018-19 (``uefa.cl``), 7,191 matches:
  the same matches as engsoccerdata's ``champs.csv`` (to 2015-16) and openfootball (from 2011-12),
  so the store merges them into one match each and reports where the sources disagree.
- ``uefa-itc.csv``: Intertoto Cup 1995 .. 2008 (``uefa.itc``), 1,558 matches.
- ``uefa-sc.csv``: UEFA Super Cup 1972-73 .. 2018-19 (``uefa.sc``), 64 matches.

Columns: ``home,away,date,gh,ga,full_time,competition,home_ident,away_ident,home_country,
away_country,home_code,away_code,home_continent,away_continent,continent,level``. Clubs are named
as the source writes them (``Bor Moenchengladbach``) with the country from ``home_country``
(``germany`` -> ``GER``; clubs of former states carry today's country: Partizan is ``serbia``).

What the columns mean, checked against known matches:

- ``gh``/``ga`` are the score at the end of the match. ``full_time`` ``F`` = decided in 90 minutes,
  ``E`` = after extra time (the 1958 European Cup final Real Madrid 3-2 AC Milan), ``P`` = extra time
  then a shoot-out whose score is not given (the 2005 final AC Milan 3-3 Liverpool). ``E`` and ``P``
  rows therefore get the score as ``aet_home``/``aet_away`` and no 90-minute score; ``P`` rows say
  ``decided on penalties`` in ``note``. The Fairs Cup / UEFA Cup file marks ``E``/``P`` only from
  2000 and the Cup Winners' Cup file never: there a match that went to extra time reads ``F`` with
  the score after extra time, so its 90-minute score may be wrong (first legs never had extra time).
  Before 2000 a tie decided on penalties carries the shoot-out's score in place of its second
  leg's (Crvena Zvezda "6-5" Real Madrid, 1975): :func:`reread_shootouts` re-reads those it can.
- There is **no round, leg or venue column**. :func:`pair_legs` rebuilds them per competition and
  season (see its docstring): group stages (round robins among three to five clubs), two-legged ties,
  play-offs after a level tie (``replay``), finals and their replays, and a round label from the
  bracket. The tie's winner (``tie_winner``) is the club that plays on in a later round, where one
  does: that settles ties decided on penalties or a coin toss, which the scores cannot.
- Seasons run from 15 June to 14 June (Fairs Cup: 15 July, as its finals were played as late as
  26 June), except the first two Fairs Cups, which spanned three and two
  years (1955-58 is labelled ``1955-56``, 1958-60 ``1958-59``) and two Fairs Cup finals played after
  the summer (1967 Dinamo Zagreb v Leeds, 1968 Leeds v Ferencvaros), which belong to the season before.

Malformed rows (a bad date, a score that is not a whole number from 0 to 30, an unknown
``full_time`` code or country, a club playing itself) are skipped with a warning naming the line;
matches that cannot be paired into a tie are kept as single matches and counted in one warning
per file with examples; a tie whose scores name another winner than the bracket (a club expelled,
a file error) is warned about by line and kept as written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from remontada.sources.base import RemoteFile
from remontada.sources.records import MatchRecord, ParsedFile, SourceError, TeamRef

KEY = "european-cups"
COMMIT = "168faec457f765b4631001c011834219f36ed789"
BASE_URL = f"https://raw.githubusercontent.com/schochastics/football-data/{COMMIT}/"
MIRROR_PREFIX = f"schochastics/football-data/{COMMIT}/"

#: File name (``data/results/{name}.csv``) -> the competition its ``competition`` column names.
FILES: dict[str, str] = {
    "uefa-el": "UEFA EL",
    "uefa-cw": "UEFA CW",
    "uefa-cl": "UEFA CL",
    "uefa-itc": "UEFA ITC",
    "uefa-sc": "UEFA SC",
}

#: The file's ``*_country`` names -> the three-letter codes the other sources use.
COUNTRIES: dict[str, str] = {
    "albania": "ALB", "andorra": "AND", "armenia": "ARM", "austria": "AUT", "azerbaijan": "AZE",
    "belarus": "BLR", "belgium": "BEL", "bosnia-herzegovina": "BIH", "bulgaria": "BUL", "croatia": "CRO",
    "cyprus": "CYP", "czech-republic": "CZE", "denmark": "DEN", "england": "ENG", "estonia": "EST",
    "faroe-islands": "FRO", "finland": "FIN", "france": "FRA", "georgia": "GEO", "germany": "GER",
    "gibraltar": "GIB", "greece": "GRE", "hungary": "HUN", "iceland": "ISL", "ireland-republic": "IRL",
    "israel": "ISR", "italy": "ITA", "kazakhstan": "KAZ", "kosovo": "KOS", "latvia": "LVA",
    "liechtenstein": "LIE", "lithuania": "LTU", "luxembourg": "LUX", "macedonia-fyr": "MKD", "malta": "MLT",
    "moldova": "MDA", "montenegro": "MNE", "netherlands": "NED", "northern-ireland": "NIR", "norway": "NOR",
    "poland": "POL", "portugal": "POR", "romania": "ROU", "russia": "RUS", "san-marino": "SMR",
    "scotland": "SCO", "serbia": "SRB", "slovakia": "SVK", "slovenia": "SVN", "spain": "ESP",
    "sweden": "SWE", "switzerland": "SUI", "turkey": "TUR", "ukraine": "UKR", "wales": "WAL",
}  # fmt: skip

COLUMNS = ("home", "away", "date", "gh", "ga", "full_time", "competition", "home_country", "away_country")

#: The first two Fairs Cups spanned several years: (first day, last day, season label).
FAIRS_EDITIONS: tuple[tuple[dt.date, dt.date, str], ...] = (
    (dt.date(1955, 6, 1), dt.date(1958, 6, 30), "1955-56"),
    (dt.date(1958, 7, 1), dt.date(1960, 6, 30), "1958-59"),
)
#: Fairs Cup finals played after the summer, by (date, home club as written): they close the season before.
LATE_FINALS: frozenset[tuple[dt.date, str]] = frozenset(
    {
        (dt.date(1967, 8, 30), "Dinamo Zagreb"),
        (dt.date(1967, 9, 6), "Leeds United"),
        (dt.date(1968, 8, 7), "Leeds United"),
        (dt.date(1968, 9, 11), "Ferencvarosi Tc"),
    }
)
#: The season starts on this day of the year (qualifying from mid-June; the latest finals on 13 June).
SEASON_START = (6, 15)
#: The Fairs Cup's seasons ended with finals as late as 26 June (1963) and started in August.
FAIRS_SEASON_START = (7, 15)
#: Highest score accepted for one side (the record in these files is 21).
MAX_GOALS = 30

#: Two matches of the same clubs with venues swapped at most this many days apart are one tie.
MAX_LEG_GAP_DAYS = 183
#: A further meeting at most this many days after a tie's second leg is its play-off (replay).
MAX_REPLAY_GAP_DAYS = 60
#: Three clubs that all met each other within this many days of a match played a round robin.
GROUP_WINDOW_DAYS = 75
#: Seasons whose round robins were spread over more than a year: the 1955-58 Fairs Cup groups.
LONG_GROUP_STAGES: dict[tuple[str, str], int] = {("uefa.fairs", "1955-56"): 800}
#: Ties whose first match falls this close to a labelled round's take its label.
ROUND_DATE_TOLERANCE_DAYS = 4

#: Distance from the final (in rounds) -> round label.
ROUND_NAMES = {
    0: "Final",
    1: "Semifinals",
    2: "Quarterfinals",
    3: "Round of 16",
    4: "Round of 32",
    5: "Round of 64",
    6: "Round of 128",
}


class EuropeanCups:
    """The five European cup files of schochastics/football-data. ``base_url`` may point at a mirror."""

    key = KEY
    description = "European cups 1955-2019 (Fairs/UEFA Cup/Europa League, Cup Winners' Cup, European Cup...)"

    def __init__(self, base_url: str = BASE_URL, names: Iterable[str] | None = None) -> None:
        self.base_url = base_url if base_url.endswith("/") else base_url + "/"
        chosen = list(FILES) if names is None else list(names)
        unknown = [n for n in chosen if n not in FILES]
        if unknown:
            raise ValueError(f"unknown european-cups file(s) {unknown}; known: {', '.join(FILES)}")
        self.names = tuple(chosen)

    def files(self) -> list[RemoteFile]:
        """One :class:`RemoteFile` per competition file."""
        out = []
        for name in self.names:
            path = f"data/results/{name}.csv"
            out.append(RemoteFile(source=KEY, path=path, url=self.base_url + path, mirror_path=MIRROR_PREFIX + path))
        return out

    def parse(self, data: bytes, remote: RemoteFile, location: str) -> ParsedFile:
        """Parse one file into paired, labelled matches; raise :class:`SourceError` for an unreadable file."""
        name = remote.path.rsplit("/", 1)[-1].removesuffix(".csv")
        if name not in FILES:
            raise SourceError(location, None, f"{name!r} is not a european-cups file ({', '.join(FILES)})")
        return parse_results(data, name, location)


# ---- reading rows --------------------------------------------------------------------------------
@dataclass(slots=True)
class Row:
    """One well-formed row of a file, before pairing."""

    line: int
    date: dt.date
    home: TeamRef
    away: TeamRef
    gh: int
    ga: int
    code: str  # F, E or P
    competition: str = ""
    season: str = ""
    #: Set when ``gh``-``ga`` is read as a shoot-out (see :func:`reread_shootouts`): the score after
    #: extra time inferred from the first leg, home side first.
    inferred_aet: tuple[int, int] | None = None


def parse_results(data: bytes, name: str, location: str) -> ParsedFile:
    """Every well-formed row of one file as a :class:`MatchRecord`, with legs, rounds and stages rebuilt."""
    parsed = ParsedFile()
    rows = read_rows(data, name, location, parsed.warnings)
    editions: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        editions[(row.competition, row.season)].append(row)
    unpaired: list[Row] = []
    shootouts: list[Row] = []
    disagreements: list[Row] = []
    for (competition, season), members in sorted(editions.items()):
        paired = pair_legs(members, competition, season)
        parsed.matches.extend(paired.records)
        unpaired.extend(paired.unpaired)
        shootouts.extend(paired.shootouts)
        disagreements.extend(paired.disagreements)
    parsed.matches.sort(key=lambda m: m.line)
    for row in disagreements:
        parsed.warnings.append(
            (row.line, f"{row.home.name} v {row.away.name} {row.date}: the tie's scores name another winner "
                       "than the club that played on in the next round")
        )  # fmt: skip
    if shootouts:
        examples = "; ".join(f"line {r.line}: {r.home.name} {r.gh}-{r.ga} {r.away.name}" for r in shootouts[:3])
        parsed.warnings.append(
            (shootouts[0].line, f"{len(shootouts)} second legs written with the shoot-out's score read as "
                                f"shoot-outs: {examples}")
        )  # fmt: skip
    if unpaired:
        unpaired.sort(key=lambda r: r.line)
        examples = "; ".join(f"line {r.line}: {r.home.name} v {r.away.name} {r.date}" for r in unpaired[:5])
        parsed.warnings.append(
            (
                unpaired[0].line,
                f"{len(unpaired)} matches could not be paired into a tie or final "
                f"(kept as single matches): {examples}",
            )
        )
    return parsed


def read_rows(data: bytes, name: str, location: str, warnings: list[tuple[int, str]]) -> list[Row]:
    """The file's well-formed rows; a malformed row is skipped with a warning ``(line, text)``."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(location, line, f"not UTF-8 text: {exc.reason} at byte {exc.start}") from None
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise SourceError(location, None, "the file is empty") from None
    except csv.Error as exc:
        raise SourceError(location, 1, f"unreadable CSV: {exc}") from None
    columns = [c.strip().lower() for c in header]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise SourceError(location, 1, f"missing column(s) {', '.join(missing)}; header is {','.join(header)}")
    at = {c: columns.index(c) for c in COLUMNS}
    expected = FILES[name]
    teams: dict[tuple[str, str], TeamRef] = {}
    rows: list[Row] = []
    start = 2
    try:
        for values in reader:
            line = start
            start = reader.line_num + 1
            if not values:
                continue
            if len(values) != len(columns):
                warnings.append((line, f"expected {len(columns)} fields, found {len(values)}; row skipped"))
                continue
            try:
                rows.append(_row(values, at, line, name, expected, teams))
            except ValueError as exc:
                warnings.append((line, f"{exc}; row skipped"))
    except csv.Error as exc:
        raise SourceError(location, start, f"unreadable CSV: {exc}") from None
    return rows


def _row(
    values: list[str], at: dict[str, int], line: int, name: str, expected: str, teams: dict[tuple[str, str], TeamRef]
) -> Row:
    def cell(column: str) -> str:
        return values[at[column]].strip()

    if cell("competition") != expected:
        raise ValueError(f"competition {cell('competition')!r} in the {expected} file")
    try:
        date = dt.date.fromisoformat(cell("date"))
    except ValueError:
        raise ValueError(f"bad date {cell('date')!r}: expected YYYY-MM-DD") from None
    gh, ga = _goals(cell("gh"), "gh"), _goals(cell("ga"), "ga")
    code = cell("full_time")
    if code not in ("F", "E", "P"):
        raise ValueError(f"unknown full_time code {code!r}: expected F, E or P")
    home = _team(cell("home"), cell("home_country"), "home", teams)
    away = _team(cell("away"), cell("away_country"), "away", teams)
    if home == away:
        raise ValueError(f"{home.name} is listed as playing itself")
    competition, season = _edition(name, date, home.name)
    return Row(line, date, home, away, gh, ga, code, competition, season)


def _goals(text: str, column: str) -> int:
    if not text.isdigit() or int(text) > MAX_GOALS:
        raise ValueError(f"impossible score {column}={text!r}: expected a whole number from 0 to {MAX_GOALS}")
    return int(text)


def _team(name: str, country: str, side: str, teams: dict[tuple[str, str], TeamRef]) -> TeamRef:
    key = (name, country)
    team = teams.get(key)
    if team is None:
        if not name:
            raise ValueError(f"{side} club is missing")
        code = COUNTRIES.get(country.lower())
        if code is None:
            raise ValueError(f"unknown {side}_country {country!r}")
        team = teams[key] = TeamRef(name, code)
    return team


def _edition(name: str, date: dt.date, home: str) -> tuple[str, str]:
    """(competition id, season label) of a match of file ``name`` played on ``date``."""
    start = date.year if (date.month, date.day) >= SEASON_START else date.year - 1
    if name == "uefa-el":
        for first, last, label in FAIRS_EDITIONS:
            if first <= date <= last:
                return "uefa.fairs", label
        if date.year < 1972:
            start = date.year if (date.month, date.day) >= FAIRS_SEASON_START else date.year - 1
        if (date, home) in LATE_FINALS:
            start -= 1
        return ("uefa.fairs" if start < 1971 else "uefa.el"), _season_label(start)
    competition = {"uefa-cw": "uefa.cwc", "uefa-cl": "uefa.cl", "uefa-itc": "uefa.itc", "uefa-sc": "uefa.sc"}[name]
    return competition, _season_label(start)


def _season_label(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


# ---- pairing -------------------------------------------------------------------------------------
@dataclass(slots=True)
class _Tie:
    """Matches of one pair of clubs that form a tie (two legs, or one match), plus play-offs."""

    legs: list[Row]
    replays: list[Row] = field(default_factory=list)
    depth: int | None = None
    stage: str = "knockout"
    winner: TeamRef | None = None

    @property
    def first(self) -> dt.date:
        return self.legs[0].date

    @property
    def last(self) -> dt.date:
        return (self.replays or self.legs)[-1].date

    @property
    def clubs(self) -> tuple[TeamRef, TeamRef]:
        return self.legs[0].home, self.legs[0].away


@dataclass(slots=True)
class PairedSeason:
    """One competition's season after :func:`pair_legs`: its records, the rows that could not be
    placed in a tie or final, the second legs re-read as shoot-outs, and the ties whose scores
    name another winner than the bracket (both as rows)."""

    records: list[MatchRecord]
    unpaired: list[Row]
    shootouts: list[Row]
    disagreements: list[Row]


def pair_legs(rows: list[Row], competition: str, season: str) -> PairedSeason:
    """The matches of one competition and season as records with stage, round and leg.

    1. **Group stage**: a match whose two clubs both met a third club within
       :data:`GROUP_WINDOW_DAYS` days (:data:`LONG_GROUP_STAGES`) is a round-robin match (three
       clubs cannot all meet each other in a knockout: every meeting eliminates one of them). Stage ``group``, no leg.
    2. **Ties**: the other meetings of two clubs, in date order: a match and the next one with the
       venues swapped within :data:`MAX_LEG_GAP_DAYS` days are legs 1 and 2; a further meeting
       within :data:`MAX_REPLAY_GAP_DAYS` days of the second leg is a play-off (``leg`` ``None``,
       note ``replay``). A meeting left alone is a one-match tie.
    3. **Final**: the tie that ends on the season's last date (a single match, at a neutral venue as
       far as the file can say, or two legs in the seasons of two-legged finals); a second meeting
       of the finalists a few days later is the final's replay. The Intertoto Cup had no final.
    4. **Rounds**: a tie's winner is the club that plays a later tie; walking back from the final,
       a tie is one round further from it than the winner's next tie (1: semi-finals, 2:
       quarter-finals...). Ties before the group stage are ``qualifying``, numbered from the
       earliest. A tie left unlabelled takes the label of ties whose first match lies within
       :data:`ROUND_DATE_TOLERANCE_DAYS` days of its own.
    5. A single match that is neither a final nor a replay cannot be paired: it is kept with stage
       ``knockout``, no leg, and a note, and listed in ``unpaired``.
    6. Shoot-outs written as scores are re-read (:func:`reread_shootouts`).
    """
    rows = sorted(rows, key=lambda r: (r.date, r.line))
    group = _group_matches(rows, LONG_GROUP_STAGES.get((competition, season), GROUP_WINDOW_DAYS))
    by_pair: dict[frozenset[TeamRef], list[Row]] = defaultdict(list)
    for row in rows:
        if row.line not in group:
            by_pair[frozenset((row.home, row.away))].append(row)
    ties = [tie for meetings in by_pair.values() for tie in _ties_of_pair(meetings)]
    ties.sort(key=lambda t: (t.first, t.legs[0].line))
    group_dates = sorted(r.date for r in rows if r.line in group)
    if group_dates:
        for tie in ties:
            if tie.last < group_dates[0]:
                tie.stage = "qualifying"
    final = _find_final(ties, competition)
    last_played: dict[TeamRef, dt.date] = {}
    for row in rows:
        last_played[row.home] = last_played[row.away] = row.date
    _label_rounds(ties, final, last_played)
    if not group_dates:
        _summer_rounds_are_qualifying(ties)
    shootouts, disagreements = reread_shootouts(ties, competition, season)
    qualifying = [t.depth for t in ties if t.stage == "qualifying" and t.depth is not None]
    n_qualifying = max(qualifying) + 1 if qualifying else 0
    records: list[MatchRecord] = []
    unpaired: list[Row] = []
    for row in rows:
        if row.line in group:
            records.append(_record(row, competition, season, "group", "Group stage", None))
    for tie in ties:
        records.extend(_tie_records(tie, tie is final, competition, season, n_qualifying, unpaired))
    return PairedSeason(records, unpaired, shootouts, disagreements)


def _group_matches(rows: list[Row], window_days: int) -> set[int]:
    """Lines of the matches played in a round robin (see :func:`pair_legs`)."""
    met: dict[TeamRef, dict[TeamRef, list[dt.date]]] = defaultdict(lambda: defaultdict(list))
    for row in rows:
        met[row.home][row.away].append(row.date)
        met[row.away][row.home].append(row.date)
    window = dt.timedelta(days=window_days)

    def near(a: TeamRef, b: TeamRef, day: dt.date) -> bool:
        return any(abs(d - day) <= window for d in met[a].get(b, ()))

    lines = set()
    for row in rows:
        common = (set(met[row.home]) & set(met[row.away])) - {row.home, row.away}
        if any(near(row.home, z, row.date) and near(row.away, z, row.date) for z in common):
            lines.add(row.line)
    return lines


def _ties_of_pair(meetings: list[Row]) -> list[_Tie]:
    ties: list[_Tie] = []
    i = 0
    while i < len(meetings):
        first = meetings[i]
        nxt = meetings[i + 1] if i + 1 < len(meetings) else None
        if nxt is not None and nxt.home == first.away and (nxt.date - first.date).days <= MAX_LEG_GAP_DAYS:
            tie = _Tie([first, nxt])
            i += 2
        else:
            tie = _Tie([first])
            i += 1
        while i < len(meetings) and (meetings[i].date - tie.last).days <= MAX_REPLAY_GAP_DAYS:
            tie.replays.append(meetings[i])
            i += 1
        ties.append(tie)
    return ties


def _find_final(ties: list[_Tie], competition: str) -> _Tie | None:
    if competition == "uefa.itc" or not ties:
        return None
    last = max(t.last for t in ties)
    ending = [t for t in ties if t.last == last]
    return ending[0] if len(ending) == 1 else None


def _label_rounds(ties: list[_Tie], final: _Tie | None, last_played: dict[TeamRef, dt.date]) -> None:
    """Winners from who plays on, then each tie's distance from the final (or from the group stage).

    ``last_played`` is the last day each club played in the season (group matches included).
    """
    later: dict[TeamRef, list[_Tie]] = defaultdict(list)
    for tie in ties:
        for club in tie.clubs:
            later[club].append(tie)
    next_tie: dict[int, _Tie | None] = {}
    for tie in ties:
        going_on = [c for c in tie.clubs if last_played[c] > tie.last]
        if len(going_on) == 1:
            tie.winner = going_on[0]
            nxt = [t for t in later[going_on[0]] if t.first > tie.last and t.stage == tie.stage]
            next_tie[id(tie)] = min(nxt, key=lambda t: t.first) if nxt else None
    if final is not None:
        final.depth = 0
    # walk back from the end: a tie is one round before the next tie of its winner
    for tie in sorted(ties, key=lambda t: t.first, reverse=True):
        if tie.depth is not None:
            continue
        following = next_tie.get(id(tie))
        if following is not None and following.depth is not None:
            tie.depth = following.depth + 1
        elif following is None and id(tie) in next_tie and tie.stage == "qualifying":
            tie.depth = 0  # its winner went on to the group stage
    _fill_by_date(ties)
    _vote_by_date(ties, final)


def _vote_by_date(ties: list[_Tie], final: _Tie | None) -> None:
    """A tie whose bracket distance disagrees with most ties played within days of it takes theirs.

    The bracket breaks where the file names one club two ways in a season (1980-81: "AZ Alkmaar"
    in the semi-final, "Alkmaar 54" in the quarter-final and the final), which shifts that club's
    earlier ties by a round; the ties played on the same dates say which round it was.
    """
    tolerance = dt.timedelta(days=ROUND_DATE_TOLERANCE_DAYS)
    labelled = [t for t in ties if t.depth is not None and t is not final]
    changes = {}
    for tie in labelled:
        votes = Counter(
            o.depth for o in labelled
            if o is not tie and o.stage == tie.stage and abs(o.first - tie.first) <= tolerance
        )  # fmt: skip
        if not votes:
            continue
        depth, n = votes.most_common(1)[0]
        if depth != tie.depth and n >= 2 and n > sum(votes.values()) / 2:
            changes[id(tie)] = depth
    for tie in labelled:
        if id(tie) in changes:
            tie.depth = changes[id(tie)]


#: Without a group stage, a round whose first legs were mostly played in summer (before this day) is
#: a qualifying round: the first round proper was played from September (UEFA Cup preliminary and
#: qualifying rounds 1989-2004, Cup Winners' Cup preliminary rounds: July and August).
MAIN_DRAW_FROM = (9, 1)


def _summer_rounds_are_qualifying(ties: list[_Tie]) -> None:
    by_depth: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for tie in ties:
        if tie.depth is not None:
            by_depth[tie.depth].append((tie.first.month, tie.first.day))
    summer = set()
    for depth, days in by_depth.items():
        days.sort()
        if depth > 0 and SEASON_START <= days[(len(days) - 1) // 2] < MAIN_DRAW_FROM:
            summer.add(depth)
    if not summer:
        return
    first_proper = min(summer) - 1
    for tie in ties:
        if tie.depth is not None and tie.depth > first_proper:
            tie.stage = "qualifying"
            tie.depth -= first_proper + 1  # qualifying rounds count back from the first round proper


def _fill_by_date(ties: list[_Tie]) -> None:
    tolerance = dt.timedelta(days=ROUND_DATE_TOLERANCE_DAYS)
    known = [t for t in ties if t.depth is not None]
    for tie in ties:
        if tie.depth is not None:
            continue
        votes: dict[int, int] = defaultdict(int)
        for other in known:
            depth = other.depth
            if (
                depth is not None
                and other.stage == tie.stage
                and abs(other.first - tie.first) <= tolerance
                and (depth or other.stage == "qualifying")
            ):
                votes[depth] += 1
        if votes:
            tie.depth = max(votes, key=lambda d: (votes[d], -d))


def _round_label(tie: _Tie, qualifying_rounds: int) -> str | None:
    if tie.depth is None:
        return None
    if tie.stage == "qualifying":
        return f"Qualifying round {qualifying_rounds - tie.depth}"
    return ROUND_NAMES.get(tie.depth, f"Round of {2 ** (tie.depth + 1)}")


#: The first season a two-legged tie could end in a shoot-out (1970-71).
FIRST_SHOOTOUT_SEASON = 1970
#: From 2000 the Fairs/UEFA Cup file marks shoot-outs with ``P``.
MARKED_FROM = 2000


def reread_shootouts(ties: list[_Tie], competition: str, season: str) -> tuple[list[Row], list[Row]]:
    """Second legs whose written score is the penalty shoot-out's, re-read; and unexplained disagreements.

    Before 2000 the files write a tie decided on penalties with the shoot-out's score in place of
    the second leg's (Cup Winners' Cup 1974-75: Real Madrid 2-0 Crvena Zvezda, then "Crvena Zvezda
    6-5 Real Madrid": Crvena Zvezda won 2-0 and the shoot-out 6-5). Such a tie shows up as one whose
    scores name another winner than the bracket (the club that played on). When the written
    second-leg score names the bracket's winner, it is read as the shoot-out; the match score is
    then the one a shoot-out implies under the away-goals rule of those seasons: level on
    aggregate with equal away goals, i.e. the second leg ended (after extra time) with the
    first leg's score, home side first. Ties whose scores disagree with the bracket in any other
    way are returned second, untouched.
    """
    start = int(season[:4])
    shootouts: list[Row] = []
    disagreements: list[Row] = []
    if not FIRST_SHOOTOUT_SEASON <= start < MARKED_FROM:
        return shootouts, disagreements
    for tie in ties:
        if len(tie.legs) != 2 or tie.replays or tie.winner is None:
            continue
        first, second = tie.legs
        if second.code != "F" or _score_winner(first, second) in (tie.winner, None):
            continue
        shootout_winner = second.home if second.gh > second.ga else second.away
        if shootout_winner == tie.winner and max(second.gh, second.ga) >= 3 and abs(second.gh - second.ga) <= 3:
            second.inferred_aet = (first.gh, first.ga)
            shootouts.append(second)
        else:
            disagreements.append(second)
    return shootouts, disagreements


def _score_winner(first: Row, second: Row) -> TeamRef | None:
    """The winner the written scores give: aggregate, then away goals (``None``: still level)."""
    a, b = first.home, first.away
    total_a, total_b = first.gh + second.ga, first.ga + second.gh
    if total_a != total_b:
        return a if total_a > total_b else b
    if second.ga != first.ga:
        return a if second.ga > first.ga else b
    return None


def _tie_records(
    tie: _Tie, is_final: bool, competition: str, season: str, n_qualifying: int, unpaired: list[Row]
) -> list[MatchRecord]:
    stage = "final" if is_final else tie.stage
    label = _round_label(tie, n_qualifying) if not is_final else "Final"
    records = []
    if len(tie.legs) == 2:
        for leg, row in enumerate(tie.legs, start=1):
            records.append(_record(row, competition, season, stage, label, leg, tie.winner))
    else:
        (row,) = tie.legs
        if is_final:
            note = "drawn, replayed" if tie.replays else None
            records.append(_record(row, competition, season, stage, label, None, tie.winner, neutral=True, note=note))
        else:
            unpaired.append(row)
            note = "no second leg found in the source"
            records.append(_record(row, competition, season, stage, label, None, tie.winner, note=note))
    for replay in tie.replays:
        records.append(
            _record(
                replay, competition, season, stage, f"{label} replay" if label else "replay", None,
                tie.winner, neutral=is_final, note="replay",
            )
        )  # fmt: skip
    return records


def _record(
    row: Row,
    competition: str,
    season: str,
    stage: str,
    label: str | None,
    leg: int | None,
    winner: TeamRef | None = None,
    *,
    neutral: bool = False,
    note: str | None = None,
) -> MatchRecord:
    notes = [note] if note else []
    pen_home = pen_away = None
    if row.inferred_aet is not None:
        home_goals = away_goals = None
        (aet_home, aet_away), pen_home, pen_away = row.inferred_aet, row.gh, row.ga
        notes.append(
            f"the source writes the shoot-out's score {row.gh}-{row.ga} as the match's; "
            f"score after extra time {aet_home}-{aet_away} inferred (level on aggregate and away goals)"
        )
    elif row.code == "F":
        home_goals, away_goals, aet_home, aet_away = row.gh, row.ga, None, None
    else:
        home_goals, away_goals, aet_home, aet_away = None, None, row.gh, row.ga
        if row.code == "P":
            notes.append("decided on penalties")
    return MatchRecord(
        source=KEY,
        competition=competition,
        season=season,
        date=row.date,
        home=row.home,
        away=row.away,
        line=row.line,
        home_goals=home_goals,
        away_goals=away_goals,
        aet_home=aet_home,
        aet_away=aet_away,
        pen_home=pen_home,
        pen_away=pen_away,
        stage=stage,
        round=label,
        leg=leg,
        neutral=neutral,
        tie_winner=winner if stage != "group" else None,
        note="; ".join(notes) or None,
    )
