"""The plain records every source parser produces, and the error it raises.

Records are built by the hundred thousand, so the bulky ones are plain (non-frozen) slotted
dataclasses: frozen ones cost seven times as much to construct. Treat them as immutable.

Parsers turn one downloaded file into a :class:`ParsedFile`. They know nothing of the
store or of club identity: team names stay exactly as the source writes them, with the
country the source states or implies. Everything downstream (club resolution, dedup,
provenance) works from these records.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from remontada.competitions import Competition

#: Match states. Only ``played`` matches carry a result that models may learn from.
MATCH_STATUSES = frozenset(
    {"played", "scheduled", "postponed", "abandoned", "walkover", "annulled", "awarded", "cancelled"}
)


class SourceError(ValueError):
    """A file that cannot be read as its source promises, located by file and line.

    ``location`` is the URL or path of the file; ``line`` is 1-based (the header of a CSV
    is line 1), or ``None`` when the problem concerns the whole file (truncated, HTML).
    """

    def __init__(self, location: str, line: int | None, message: str) -> None:
        self.location = location
        self.line = line
        self.message = message
        where = f"{location}:{line}" if line is not None else location
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True, slots=True)
class TeamRef:
    """A team as one source names it.

    ``country`` is a three-letter UEFA/FIFA-style code (``ENG``, ``ESP``, ``GER``, ``ITA``...)
    when the source states it (``Liverpool FC (ENG)``) or implies it (a file of the English
    Premier League). ``national`` marks national teams, which live in their own namespace.
    """

    name: str
    country: str | None = None
    national: bool = False


@dataclass(slots=True)
class OddsQuote:
    """One bookmaker's decimal prices for one market of one match.

    ``market`` is ``"1x2"`` (prices home, draw, away), ``"ou"`` (over, under; ``line`` in
    goals, e.g. 2.5) or ``"ah"`` (home, away; ``line`` is the home side's handicap in goals,
    e.g. -0.75). ``closing`` distinguishes closing prices from the earlier ones
    football-data.co.uk records. ``bookmaker`` is a lower-case key such as ``"pinnacle"``,
    ``"bet365"``, ``"market_avg"``, ``"market_max"``.
    """

    bookmaker: str
    market: str
    closing: bool
    prices: tuple[float, ...]
    line: float | None = None


@dataclass(slots=True)
class GoalEvent:
    """A goal with its minute, attached to the match on ``match_line`` of the same file.

    ``minute`` is the match clock (1-120); ``stoppage`` the added minute when the source
    writes ``45+2'``. ``side`` is ``"home"`` or ``"away"``: the team credited with the goal.

    Some sources publish goals in a file of their own (martj42 ``goalscorers.csv``). Such a
    goal has ``match_line=None`` and names its match by ``date``, ``home`` and ``away`` as the
    source's match file writes them; ``line`` is then the goal's own line in its file.
    """

    match_line: int | None
    side: str
    minute: int | None
    stoppage: int | None = None
    player: str | None = None
    own_goal: bool = False
    penalty: bool = False
    line: int | None = None
    date: dt.date | None = None
    home: TeamRef | None = None
    away: TeamRef | None = None


@dataclass(slots=True)
class MatchRecord:
    """One match as one source reports it.

    Scores: ``home_goals``/``away_goals`` are after 90 minutes (with stoppage time);
    ``aet_home``/``aet_away`` the cumulative score after extra time (``None`` when there was
    none); ``pen_home``/``pen_away`` the shoot-out. ``date`` is the local match date.
    ``season`` is ``"2023-24"`` style, or ``"2024"`` for calendar-year leagues.
    ``line`` is the 1-based line of the file the match was read from.
    """

    source: str
    competition: str
    season: str
    date: dt.date | None
    home: TeamRef
    away: TeamRef
    line: int
    home_goals: int | None = None
    away_goals: int | None = None
    ht_home: int | None = None
    ht_away: int | None = None
    aet_home: int | None = None
    aet_away: int | None = None
    pen_home: int | None = None
    pen_away: int | None = None
    kickoff: str | None = None
    stage: str | None = None
    round: str | None = None
    leg: int | None = None
    neutral: bool = False
    home_red: int | None = None
    away_red: int | None = None
    status: str = "played"
    #: Match statistics keyed ``home_shots``, ``away_shots``, ``home_sot``, ``away_sot``,
    #: ``home_fouls``, ``home_corners``, ``home_yellow``, ``home_offsides``, ``home_woodwork``
    #: (and the ``away_`` twins), plus ``attendance``.
    stats: dict[str, float] = field(default_factory=dict)
    referee: str | None = None
    odds: tuple[OddsQuote, ...] = ()
    #: The team the source says won the two-legged tie (engsoccerdata ``tiewinner``).
    tie_winner: TeamRef | None = None
    #: Aggregate after this leg as the source states it (home side of *this* match first).
    agg_home: int | None = None
    agg_away: int | None = None
    note: str | None = None

    def __post_init__(self) -> None:
        if self.status not in MATCH_STATUSES:
            raise ValueError(f"unknown match status {self.status!r}")


@dataclass(slots=True)
class RatingRecord:
    """An external rating of a club over an interval of days (ClubElo: ``elo`` points)."""

    source: str
    team: TeamRef
    date_from: dt.date
    date_to: dt.date
    rating: float
    line: int
    rank: int | None = None
    level: int | None = None


@dataclass(slots=True)
class ForecastRecord:
    """A third party's pre-match forecast (FiveThirtyEight SPI), for benchmarking only.

    Probabilities are in [0, 1]; ``proj_home``/``proj_away`` are projected goals.
    """

    source: str
    competition: str
    date: dt.date
    home: TeamRef
    away: TeamRef
    line: int
    p_home: float
    p_draw: float
    p_away: float
    rating_home: float | None = None
    rating_away: float | None = None
    proj_home: float | None = None
    proj_away: float | None = None
    home_goals: int | None = None
    away_goals: int | None = None
    xg_home: float | None = None
    xg_away: float | None = None


@dataclass(frozen=True, slots=True)
class ShootoutRecord:
    """Who won a penalty shoot-out, for a match published in another file of the same source.

    The match is named by ``date``, ``home`` and ``away`` exactly as the source's match file
    writes them (martj42 ``shootouts.csv`` beside ``results.csv``); the shoot-out score is not
    known. ``first_shooter`` is the team that kicked first, when recorded.
    """

    source: str
    date: dt.date
    home: TeamRef
    away: TeamRef
    winner: TeamRef
    line: int
    first_shooter: TeamRef | None = None


@dataclass(slots=True)
class ParsedFile:
    """Everything one file yielded."""

    matches: list[MatchRecord] = field(default_factory=list)
    goals: list[GoalEvent] = field(default_factory=list)
    ratings: list[RatingRecord] = field(default_factory=list)
    forecasts: list[ForecastRecord] = field(default_factory=list)
    #: Non-fatal oddities worth reporting (e.g. an unplayed fixture skipped), as (line, text).
    warnings: list[tuple[int, str]] = field(default_factory=list)
    #: Competitions used by the records that are not in ``competitions.CATALOGUE`` (their names
    #: come from the file, e.g. national-team tournaments or smaller leagues).
    competitions: list[Competition] = field(default_factory=list)
    #: Shoot-out winners keyed by (date, home, away), for sources that publish them apart.
    shootouts: list[ShootoutRecord] = field(default_factory=list)
