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
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, fields
from itertools import pairwise
from typing import overload

import numpy as np

from remontada import errors
from remontada.competitions import Competition

#: Match states. Only ``played`` matches carry a result that models may learn from.
MATCH_STATUSES = frozenset(
    {"played", "scheduled", "postponed", "abandoned", "walkover", "annulled", "awarded", "cancelled"}
)


class SourceError(errors.SourceError, ValueError):
    """A file that cannot be read as its source promises, located by file and line.

    ``location`` is the URL or path of the file; ``line`` is 1-based (the header of a CSV
    is line 1), or ``None`` when the problem concerns the whole file (truncated, HTML).
    """

    def __init__(self, location: str, line: int | None, message: str) -> None:
        where = f"{location}:{line}" if line is not None else location
        super().__init__(f"{where}: {message}", location=location, line=line)
        self.message = message


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
class OddsTable:
    """The bookmaker quotes of a whole file column by column, one row per quote.

    A parser that reads prices column-wise (football-data.co.uk: millions of quotes) hands them
    over as one table instead of one :class:`OddsQuote` per quote. Rows are ordered by match, and
    within a match as the parser ranks the quotes. ``match_index`` is the position of the quote's
    match in :attr:`ParsedFile.matches`; ``line`` is in goals and NaN where the market has none;
    ``price3`` is NaN for two-way markets (totals, handicaps). Prices are decimal odds.
    """

    match_index: np.ndarray  # int64, non-decreasing
    bookmaker: np.ndarray  # object (str)
    market: np.ndarray  # object (str)
    closing: np.ndarray  # bool
    line: np.ndarray  # float64
    price1: np.ndarray  # float64
    price2: np.ndarray  # float64
    price3: np.ndarray  # float64

    def __len__(self) -> int:
        return len(self.match_index)

    def quote(self, row: int) -> OddsQuote:
        """Row ``row`` as an :class:`OddsQuote`."""
        p3 = float(self.price3[row])
        prices = (float(self.price1[row]), float(self.price2[row]))
        line = float(self.line[row])
        return OddsQuote(
            str(self.bookmaker[row]),
            str(self.market[row]),
            bool(self.closing[row]),
            prices if p3 != p3 else (*prices, p3),  # NaN: a two-way market
            None if line != line else line,
        )

    def views(self, n_matches: int) -> list[Sequence[OddsQuote]]:
        """Per match (``n_matches`` of them), its quotes as a lazy :class:`OddsView` (``()`` when none)."""
        bounds = np.searchsorted(self.match_index, np.arange(n_matches + 1)).tolist()
        return [OddsView(self, a, b) if b > a else () for a, b in pairwise(bounds)]


class OddsView(Sequence[OddsQuote]):
    """Rows ``start:stop`` of an :class:`OddsTable` seen as a tuple of :class:`OddsQuote` (made on access).

    It compares equal to the tuple of the same quotes, so a match's ``odds`` reads the same
    whether its parser built quote objects or a table.
    """

    __slots__ = ("start", "stop", "table")

    def __init__(self, table: OddsTable, start: int, stop: int) -> None:
        self.table = table
        self.start = start
        self.stop = stop

    def __len__(self) -> int:
        return self.stop - self.start

    @overload
    def __getitem__(self, index: int) -> OddsQuote: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[OddsQuote, ...]: ...
    def __getitem__(self, index: int | slice) -> OddsQuote | tuple[OddsQuote, ...]:
        if isinstance(index, slice):
            return tuple(self)[index]
        size = self.stop - self.start
        if not -size <= index < size:
            raise IndexError("odds index out of range")
        return self.table.quote(self.start + index % size)

    def __iter__(self) -> Iterator[OddsQuote]:
        return map(self.table.quote, range(self.start, self.stop))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, OddsView | tuple):
            return tuple(self) == tuple(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))


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
class MatchEvent:
    """One incident of a match with its minute, attached to the match on ``match_line`` of the same file.

    ``minute`` is the match clock's base minute (1-120) and ``added`` the added minute when the
    source writes ``45+2'`` (minute 45, added 2) or ``90+3'``; ``None`` otherwise. ``kind`` is
    one of :data:`EVENT_KINDS`; ``incident`` the source's own label. ``side`` (``"home"`` or
    ``"away"``) is the team the event belongs to: for a goal or an own goal, the side credited
    with it. ``home_score``/``away_score`` are the running score the source gives after a goal.
    ``seq`` is the event's 1-based position in its match's list.
    """

    match_line: int
    seq: int
    side: str
    minute: int
    added: int | None
    kind: str
    incident: str
    player: str | None = None
    home_score: int | None = None
    away_score: int | None = None


#: What an event is: goals (own goals and penalties scored included) change the score.
EVENT_KINDS = frozenset(
    {"goal", "own_goal", "penalty_goal", "penalty_missed", "red_card", "yellow_card", "substitution",
     "goal_disallowed", "other"}
)  # fmt: skip
SCORING_KINDS = frozenset({"goal", "own_goal", "penalty_goal"})


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
    #: A tuple of quotes, or an :class:`OddsView` of :attr:`ParsedFile.odds` (compares equal to the tuple).
    odds: Sequence[OddsQuote] = ()
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
    #: Minute-by-minute incidents (goals, cards, substitutions) of the file's matches.
    events: list[MatchEvent] = field(default_factory=list)
    ratings: list[RatingRecord] = field(default_factory=list)
    forecasts: list[ForecastRecord] = field(default_factory=list)
    #: Non-fatal oddities worth reporting (e.g. an unplayed fixture skipped), as (line, text).
    warnings: list[tuple[int, str]] = field(default_factory=list)
    #: Competitions used by the records that are not in ``competitions.CATALOGUE`` (their names
    #: come from the file, e.g. national-team tournaments or smaller leagues).
    competitions: list[Competition] = field(default_factory=list)
    #: Shoot-out winners keyed by (date, home, away), for sources that publish them apart.
    shootouts: list[ShootoutRecord] = field(default_factory=list)
    #: Every match's quotes as one table, for parsers that build them column-wise; each match's
    #: ``odds`` is then a view of it. ``None``: the quotes live in the matches' ``odds`` tuples.
    odds: OddsTable | None = None


#: The leading fields of :class:`MatchRecord` and :class:`ForecastRecord` in declaration order. The
#: parsers that build hundreds of thousands of records pass these by position (matching twenty
#: keywords against a record's fields doubles its cost); a reordering must fail here, at import,
#: never shift values.
MATCH_FIELDS_BY_POSITION = (
    "source", "competition", "season", "date", "home", "away", "line", "home_goals", "away_goals",
    "ht_home", "ht_away", "aet_home", "aet_away", "pen_home", "pen_away", "kickoff", "stage", "round",
    "leg", "neutral", "home_red", "away_red", "status",
)  # fmt: skip
FORECAST_FIELDS_BY_POSITION = (
    "source", "competition", "date", "home", "away", "line", "p_home", "p_draw", "p_away", "rating_home",
    "rating_away", "proj_home", "proj_away", "home_goals", "away_goals", "xg_home", "xg_away",
)  # fmt: skip
for _record, _order in ((MatchRecord, MATCH_FIELDS_BY_POSITION), (ForecastRecord, FORECAST_FIELDS_BY_POSITION)):
    if tuple(f.name for f in fields(_record))[: len(_order)] != _order:
        raise ImportError(f"{_record.__name__}'s leading fields changed: parsers build it by position")
