"""League tables: the standings from played results and the simulated rest of the season.

A :class:`LeagueState` is a league at a date: its clubs, the results already in (90-minute
scores), the fixtures still to play and any points deductions. :func:`simulate_tables` plays
the remaining fixtures ``n`` times at once (one scoreline draw per fixture for all
simulations) and ranks every simulated table by the league's own tie-breakers
(:class:`TableRules`): points, then e.g. goal difference and goals scored (Premier League),
or the head-to-head record among the clubs level on points first (La Liga, Serie A), or the
UEFA league-phase list (away goals, wins, opponents' results).

Head-to-head criteria are computed among the clubs level on every non-head-to-head criterion
before them, in one pass (a mini-table of those clubs' matches against each other); leagues
that re-apply them to a smaller group still level are approximated by that single pass.
Anything the rules settle by a play-off match or by drawing lots (or by fair play or a
coefficient, which a simulation cannot know) is settled by a random draw.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, get_args

import numpy as np

from remontada.rules import season_start_year
from remontada.simulate.pairs import PairGrids

Criterion = Literal[
    "points",
    "goal_difference",
    "goals_for",
    "away_goals_for",
    "wins",
    "away_wins",
    "h2h_points",
    "h2h_goal_difference",
    "h2h_goals_for",
    "h2h_away_goals_for",
    "opponents_points",
    "opponents_goal_difference",
    "opponents_goals_for",
]
CRITERIA: tuple[str, ...] = get_args(Criterion)


@dataclass(frozen=True, slots=True)
class TableRules:
    """How a league ranks its clubs: points per result and tie-breakers in order (all higher-is-better)."""

    criteria: tuple[Criterion, ...] = ("points", "goal_difference", "goals_for")
    points_for_win: int = 3
    points_for_draw: int = 1
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        unknown = [c for c in self.criteria if c not in CRITERIA]
        if unknown:
            raise ValueError(f"unknown table criteria {unknown}; choose from {', '.join(CRITERIA)}")
        if not self.criteria or self.criteria[0] != "points":
            raise ValueError("a table ranks on points first")

    @property
    def head_to_head(self) -> bool:
        return any(c.startswith("h2h_") for c in self.criteria)

    def describe(self) -> str:
        return ", ".join(c.replace("_", " ") for c in self.criteria) + ", then lots"


_ENGLAND = TableRules(
    ("points", "goal_difference", "goals_for", "h2h_points", "h2h_away_goals_for"),
    source="Premier League Handbook 2023/24, Section C.17 (points, goal difference, goals scored, "
    "points and away goals in the matches between the clubs, then a play-off where it decides anything)",
    note="a play-off for the title, Europe or relegation is settled by lots here",
)
_SPAIN = TableRules(
    ("points", "h2h_points", "h2h_goal_difference", "goal_difference", "goals_for"),
    source="RFEF General Regulations art. 201 (points, head-to-head points and goal difference, "
    "overall goal difference, goals scored)",
)
_ITALY = TableRules(
    ("points", "h2h_points", "h2h_goal_difference", "goal_difference", "goals_for"),
    source="Lega Serie A regulations (classifica avulsa: head-to-head points and goal difference first)",
    note="from 2022-23 a tie for the title or for relegation is settled by a play-off match: here by lots",
)
_GERMANY = TableRules(
    ("points", "goal_difference", "goals_for", "h2h_points", "h2h_away_goals_for", "away_goals_for"),
    source="DFL Spielordnung par. 5 (goal difference, goals, head-to-head, away goals)",
)
_UEFA_GROUPS = TableRules(
    (
        "points",
        "h2h_points",
        "h2h_goal_difference",
        "h2h_goals_for",
        "h2h_away_goals_for",
        "goal_difference",
        "goals_for",
        "away_goals_for",
        "wins",
        "away_wins",
    ),
    source="UEFA club competition regulations, group stage (until 2023-24); away-goal criteria until 2020-21",
    note="head-to-head criteria are applied once, not re-applied to a smaller group still level",
)
_UEFA_GROUPS_NO_AWAY = TableRules(
    (
        "points",
        "h2h_points",
        "h2h_goal_difference",
        "h2h_goals_for",
        "goal_difference",
        "goals_for",
        "wins",
        "away_wins",
    ),
    source=_UEFA_GROUPS.source,
    note=_UEFA_GROUPS.note,
)
#: UEFA league phase from 2024-25: no head-to-head (clubs do not all meet).
UEFA_LEAGUE_PHASE = TableRules(
    (
        "points",
        "goal_difference",
        "goals_for",
        "away_goals_for",
        "wins",
        "away_wins",
        "opponents_points",
        "opponents_goal_difference",
        "opponents_goals_for",
    ),
    source="UEFA Champions League regulations 2024/25, art. 18 (league phase ranking)",
    note="disciplinary points and the club coefficient, the last two criteria, are settled by lots here",
)


def table_rules_for(competition_id: str, season: str | int, stage: str | None = None) -> TableRules:
    """The ranking rules of a competition's table in a season (``stage``: ``group``/``league`` for UEFA)."""
    year = season_start_year(season)
    country = competition_id.split(".")[0]
    if competition_id.startswith("uefa."):
        if year >= 2024 and stage != "group":
            return UEFA_LEAGUE_PHASE
        return _UEFA_GROUPS if year <= 2020 else _UEFA_GROUPS_NO_AWAY
    base = {"eng": _ENGLAND, "esp": _SPAIN, "ita": _ITALY, "ger": _GERMANY}.get(
        country,
        TableRules(
            source="points, goal difference, goals scored: the common default; check the league's own rules",
        ),
    )
    # Three points for a win: England from 1981-82, elsewhere from 1995-96 (FIFA).
    three_points_from = 1981 if country == "eng" else 1995
    if year < three_points_from:
        base = TableRules(
            base.criteria, 2, 1, base.source, (base.note + "; " if base.note else "") + "two points a win"
        )
    return base


@dataclass(frozen=True, eq=False)
class LeagueState:
    """A league at a date. Teams are indices into ``teams`` (club ids).

    ``played_*``: results already in (90-minute goals); ``fixtures_home``/``fixtures_away``:
    matches still to play; ``deductions``: points taken off each club (non-negative).
    """

    teams: tuple[str, ...]
    played_home: np.ndarray
    played_away: np.ndarray
    played_home_goals: np.ndarray
    played_away_goals: np.ndarray
    fixtures_home: np.ndarray
    fixtures_away: np.ndarray
    rules: TableRules = field(default_factory=TableRules)
    deductions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def __post_init__(self) -> None:
        k = len(self.teams)
        for name in (
            "played_home",
            "played_away",
            "played_home_goals",
            "played_away_goals",
            "fixtures_home",
            "fixtures_away",
        ):
            object.__setattr__(self, name, np.asarray(getattr(self, name), dtype=np.int64))
        if not (
            len(self.played_home) == len(self.played_away) == len(self.played_home_goals) == len(self.played_away_goals)
        ):
            raise ValueError("played results need one home, away and score per match")
        if len(self.fixtures_home) != len(self.fixtures_away):
            raise ValueError("fixtures need one home and one away team each")
        for name in ("played_home", "played_away", "fixtures_home", "fixtures_away"):
            values = getattr(self, name)
            if values.size and (values.min() < 0 or values.max() >= k):
                raise ValueError(f"{name} holds team indices outside 0..{k - 1}")
        if (self.played_home == self.played_away).any() or (self.fixtures_home == self.fixtures_away).any():
            raise ValueError("a club cannot play itself")
        if (self.played_home_goals < 0).any() or (self.played_away_goals < 0).any():
            raise ValueError("goals cannot be negative")
        deductions = np.zeros(k, dtype=np.int64) if not np.size(self.deductions) else np.asarray(self.deductions)
        if deductions.shape != (k,):
            raise ValueError(f"deductions must give one number per club ({k}), got shape {deductions.shape}")
        object.__setattr__(self, "deductions", deductions.astype(np.int64))

    @property
    def n_teams(self) -> int:
        return len(self.teams)

    @property
    def n_remaining(self) -> int:
        return len(self.fixtures_home)

    def max_points(self) -> int:
        """An upper bound on any club's final points (for histogram sizes)."""
        games = np.bincount(
            np.concatenate([self.played_home, self.played_away, self.fixtures_home, self.fixtures_away]),
            minlength=self.n_teams,
        )
        return int(games.max(initial=0)) * self.rules.points_for_win


# ---- accumulating results ------------------------------------------------------------------------

_TOTALS = ("points", "goal_difference", "goals_for", "away_goals_for", "wins", "away_wins")


@dataclass(eq=False)
class TableStats:
    """Per-club totals over ``n`` simulated seasons, each ``(teams, n)`` int16 (only those the
    rules need), and every match's clubs (``match_home``/``match_away``, played matches first).

    For head-to-head rules the scores are kept too: ``played_goals`` ``(played, 2)`` once for
    all simulations, ``fixture_home_goals``/``fixture_away_goals`` ``(fixtures, n)``.
    """

    totals: dict[str, np.ndarray]
    match_home: np.ndarray
    match_away: np.ndarray
    played_goals: np.ndarray | None = None
    fixture_home_goals: np.ndarray | None = None
    fixture_away_goals: np.ndarray | None = None

    @property
    def points(self) -> np.ndarray:
        return self.totals["points"]


def _needed(rules: TableRules) -> set[str]:
    """The per-club totals the criteria read (head-to-head ones read the match scores instead)."""
    needed = {"points"}
    for criterion in rules.criteria:
        plain = criterion.removeprefix("opponents_")
        if plain in _TOTALS:
            needed.add(plain)
    return needed


def _outcome_tables(home: np.ndarray, away: np.ndarray, rules: TableRules) -> dict[str, np.ndarray]:
    """What each scoreline (home, away goals; arrays) adds to the home and away clubs' totals."""
    home_won, away_won = home > away, away > home
    level = home == away
    return {
        "home_points": (home_won * rules.points_for_win + level * rules.points_for_draw).astype(np.int16),
        "away_points": (away_won * rules.points_for_win + level * rules.points_for_draw).astype(np.int16),
        "difference": (home - away).astype(np.int16),
        "home_goals": home.astype(np.int16),
        "away_goals": away.astype(np.int16),
        "home_won": home_won.astype(np.int16),
        "away_won": away_won.astype(np.int16),
    }


def _add_matches(totals: dict[str, np.ndarray], home: np.ndarray, away: np.ndarray, out: dict[str, np.ndarray]) -> None:
    """Add matches (``home``/``away`` team per match; ``out`` their outcome tables) to ``totals``
    of shape ``(teams,)`` (the played matches, added once and broadcast)."""
    for key, side, column in (
        ("points", home, "home_points"),
        ("points", away, "away_points"),
        ("goal_difference", home, "difference"),
        ("goals_for", home, "home_goals"),
        ("goals_for", away, "away_goals"),
        ("away_goals_for", away, "away_goals"),
        ("wins", home, "home_won"),
        ("wins", away, "away_won"),
        ("away_wins", away, "away_won"),
    ):
        if key in totals:
            np.add.at(totals[key], side, out[column])
    if "goal_difference" in totals:
        np.subtract.at(totals["goal_difference"], away, out["difference"])


def accumulate(state: LeagueState, pairs: PairGrids | None, rng: np.random.Generator, n: int) -> TableStats:
    """Totals of the played results plus ``n`` simulations of the remaining fixtures.

    Each remaining fixture is one vectorised draw of ``n`` scorelines, read through small
    lookup tables (points, goal difference, goals, wins per scoreline) into the clubs' rows.
    """
    k, rules = state.n_teams, state.rules
    needed = _needed(rules)
    played = {key: np.zeros(k, dtype=np.int64) for key in needed}
    _add_matches(
        played,
        state.played_home,
        state.played_away,
        _outcome_tables(state.played_home_goals, state.played_away_goals, rules),
    )
    played["points"] -= state.deductions
    totals = {key: np.repeat(value.astype(np.int16)[:, None], n, axis=1) for key, value in played.items()}
    m = state.n_remaining
    cells = np.empty((m, n), dtype=np.int16) if rules.head_to_head else None
    sampler = None
    if m:
        if pairs is None:
            raise ValueError("fixtures remain: pass the pair grids to simulate them")
        sampler = pairs.sampler("home")
        table = _outcome_tables(sampler.home_of, sampler.away_of, rules)
        for i, (home, away) in enumerate(zip(state.fixtures_home.tolist(), state.fixtures_away.tolist(), strict=True)):
            cell = sampler.sample_cells(pairs.pair(home, away), rng, n)
            totals["points"][home] += table["home_points"][cell]
            totals["points"][away] += table["away_points"][cell]
            if "goal_difference" in totals:
                difference = table["difference"][cell]
                totals["goal_difference"][home] += difference
                totals["goal_difference"][away] -= difference
            if "goals_for" in totals or "away_goals_for" in totals:
                away_goals = table["away_goals"][cell]
                if "goals_for" in totals:
                    totals["goals_for"][home] += table["home_goals"][cell]
                    totals["goals_for"][away] += away_goals
                if "away_goals_for" in totals:
                    totals["away_goals_for"][away] += away_goals
            if "wins" in totals or "away_wins" in totals:
                away_won = table["away_won"][cell]
                if "wins" in totals:
                    totals["wins"][home] += table["home_won"][cell]
                    totals["wins"][away] += away_won
                if "away_wins" in totals:
                    totals["away_wins"][away] += away_won
            if cells is not None:
                cells[i] = cell
    stats = TableStats(
        totals,
        np.concatenate([state.played_home, state.fixtures_home]),
        np.concatenate([state.played_away, state.fixtures_away]),
    )
    if rules.head_to_head:
        stats.played_goals = np.column_stack([state.played_home_goals, state.played_away_goals])
        if cells is not None and sampler is not None:
            stats.fixture_home_goals = sampler.home_of[cells]
            stats.fixture_away_goals = sampler.away_of[cells]
    return stats


# ---- ranking ----------------------------------------------------------------------------------

#: Bits of one packed sort key: what is left of an int64 once the club index takes its share.
_KEY_BITS = 56


def _widths(keys: list[np.ndarray]) -> list[tuple[int, int]]:
    """``(lowest value, bits)`` of each key over the chunk."""
    out = []
    for key in keys:
        low, high = int(key.min()), int(key.max())
        out.append((low, max(1, (high - low).bit_length())))
    return out


def _pack(keys: list[np.ndarray], widths: list[tuple[int, int]]) -> np.ndarray:
    """One int64 per (club, simulation) ordering like ``keys`` (first most significant, higher better)."""
    packed = np.zeros(keys[0].shape, dtype=np.int64)
    for key, (low, bits) in zip(keys, widths, strict=True):
        packed <<= bits
        packed |= key.astype(np.int64) - low
    return packed


def _order_by(packed: np.ndarray) -> np.ndarray:
    """``(n, teams)``: club indices of each simulation (column of ``packed``) best first."""
    k = packed.shape[0]
    team_bits = max(1, (k - 1).bit_length())
    code = ((packed.max() - packed) << team_bits) | np.arange(k, dtype=np.int64)[:, None]
    return np.sort(code.T, axis=1) & ((1 << team_bits) - 1)


def _row_ranks(packed: np.ndarray) -> np.ndarray:
    """``(teams, n)``: each club's standing by ``packed`` within its simulation, ``teams - 1`` for
    the best down to 0 (higher is better, like every key); equal keys get distinct standings in
    index order (callers put a random key last)."""
    order = _order_by(packed)
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.broadcast_to(np.arange(order.shape[1])[::-1], order.shape), axis=1)
    return ranks.T


def _sort_key(keys: list[np.ndarray]) -> np.ndarray:
    """One packed key for any number of criteria: blocks that do not fit in 56 bits are
    replaced, least significant first, by the clubs' rank within the simulation."""
    widths = _widths(keys)
    while sum(bits for _, bits in widths) > _KEY_BITS:
        # fold the longest tail of criteria that fits into one rank (a few bits)
        used, start = 0, len(keys)
        while start > 0 and used + widths[start - 1][1] <= _KEY_BITS:
            start -= 1
            used += widths[start][1]
        if start == len(keys) - 1 and widths[-1][1] > _KEY_BITS:
            raise ValueError("a table criterion spans more than 56 bits")
        start = min(start, len(keys) - 2)  # always fold at least two keys
        tail = _row_ranks(_pack(keys[start:], widths[start:]))
        keys = [*keys[:start], tail]
        widths = _widths(keys)
    return _pack(keys, widths)


def _head_to_head(stats: TableStats, group: np.ndarray, rules: TableRules) -> dict[str, np.ndarray]:
    """Head-to-head points, goal difference, goals and away goals of each club in the matches
    between clubs of its group (clubs with equal ``group`` key in the same simulation).

    Clubs are rarely level, so each match only touches the simulations where its two clubs are.
    """
    k, n = group.shape
    out = {name: np.zeros((k, n), dtype=np.int16) for name in ("points", "goal_difference", "goals_for", "away_gf")}
    if stats.played_goals is None:
        raise ValueError("head-to-head criteria need the match scores (accumulate with head-to-head rules)")
    n_played = len(stats.played_goals)
    win, draw = rules.points_for_win, rules.points_for_draw
    for i, (home, away) in enumerate(zip(stats.match_home.tolist(), stats.match_away.tolist(), strict=True)):
        cols = np.flatnonzero(group[home] == group[away])
        if not cols.size:
            continue
        if i < n_played:
            hg, ag = (int(x) for x in stats.played_goals[i])
        else:
            assert stats.fixture_home_goals is not None and stats.fixture_away_goals is not None
            hg, ag = stats.fixture_home_goals[i - n_played, cols], stats.fixture_away_goals[i - n_played, cols]
        home_points = np.where(hg > ag, win, np.where(hg == ag, draw, 0))
        away_points = np.where(ag > hg, win, np.where(hg == ag, draw, 0))
        out["points"][home, cols] += home_points
        out["points"][away, cols] += away_points
        out["goal_difference"][home, cols] += hg - ag
        out["goal_difference"][away, cols] += ag - hg
        out["goals_for"][home, cols] += hg
        out["goals_for"][away, cols] += ag
        out["away_gf"][away, cols] += ag
    return out


def rank(
    stats: TableStats, rules: TableRules, rng: np.random.Generator, opponents: np.ndarray | None = None
) -> np.ndarray:
    """``(n, teams)``: in each simulation, the team indices from first place to last.

    ``opponents[i, j]`` counts the meetings of clubs i and j (needed for the ``opponents_*``
    criteria). Clubs level on every criterion are ordered by lots.
    """
    k, n = stats.points.shape
    base = dict(stats.totals)
    if any(c.startswith("opponents_") for c in rules.criteria):
        if opponents is None:
            raise ValueError("the opponents_* criteria need the matrix of who meets whom")
        # Each opponent once per meeting; a few row gathers instead of a (teams x teams) product.
        met = [np.repeat(np.arange(k), opponents[i]) for i in range(k)]
        width = max((len(m) for m in met), default=0)
        index = np.full((k, width), k)  # k: a row of zeros for clubs with fewer meetings
        for i, m in enumerate(met):
            index[i, : len(m)] = m
        for criterion in rules.criteria:
            if criterion.startswith("opponents_"):
                total = base[criterion.removeprefix("opponents_")]
                padded = np.concatenate([total, np.zeros((1, n), dtype=total.dtype)])
                summed = np.zeros((k, n), dtype=np.int32)
                for column in index.T:
                    summed += padded[column]
                base[criterion] = summed
    keys: list[np.ndarray] = []
    plain: list[np.ndarray] = []  # the criteria that define who is level for head-to-head
    h2h: dict[str, np.ndarray] | None = None
    for criterion in rules.criteria:
        if criterion.startswith("h2h_"):
            if h2h is None:
                h2h = _head_to_head(stats, _sort_key(plain), rules)
            name = criterion.removeprefix("h2h_")
            keys.append(h2h["away_gf" if name == "away_goals_for" else name])
        else:
            h2h = None  # a later head-to-head run uses the group level on everything so far
            keys.append(base[criterion])
            plain.append(base[criterion])
    keys.append(rng.permuted(np.broadcast_to(np.arange(k)[:, None], (k, n)), axis=0))  # lots
    return _order_by(_sort_key(keys)).astype(np.intp)


# ---- simulation and counting ------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TableDraws:
    """``n`` simulated final tables: ``order[s]`` team indices by position, ``points`` ``(teams, n)``."""

    order: np.ndarray
    points: np.ndarray
    stats: TableStats


def simulate_tables(state: LeagueState, pairs: PairGrids | None, rng: np.random.Generator, n: int) -> TableDraws:
    """Play the remaining fixtures ``n`` times and rank each final table."""
    stats = accumulate(state, pairs, rng, n)
    opponents = None
    if any(c.startswith("opponents_") for c in state.rules.criteria):
        opponents = np.zeros((state.n_teams, state.n_teams), dtype=np.int64)
        np.add.at(opponents, (stats.match_home, stats.match_away), 1)
        opponents += opponents.T
    order = rank(stats, state.rules, rng, opponents)
    return TableDraws(order, stats.points, stats)


@dataclass(frozen=True, eq=False)
class LeagueTally:
    """Counts over ``n_sims`` seasons.

    ``positions[t, p]``: seasons team ``t`` finished in position ``p`` (0 = first);
    ``points[t, x]``: seasons it finished on ``x + points_offset`` points;
    ``points_position[x, p]``: clubs that finished on ``x + points_offset`` points in position ``p``.
    """

    n_sims: int
    positions: np.ndarray
    points: np.ndarray
    points_position: np.ndarray
    points_offset: int

    def __add__(self, other: LeagueTally) -> LeagueTally:
        if other.points_offset != self.points_offset or other.points.shape != self.points.shape:
            raise ValueError("tallies of different leagues cannot be added")
        return LeagueTally(
            self.n_sims + other.n_sims,
            self.positions + other.positions,
            self.points + other.points,
            self.points_position + other.points_position,
            self.points_offset,
        )

    @classmethod
    def from_draws(cls, draws: TableDraws, offset: int, width: int) -> LeagueTally:
        n, k = draws.order.shape
        position = np.arange(k)[None, :]
        positions = np.bincount((draws.order * k + position).ravel(), minlength=k * k).reshape(k, k)
        pts = draws.points - offset  # (teams, n)
        if pts.min(initial=0) < 0 or pts.max(initial=0) >= width:
            raise ValueError("points outside the tally's range")
        points = np.bincount((np.arange(k)[:, None] * width + pts).ravel(), minlength=k * width).reshape(k, width)
        by_position = np.take_along_axis(pts.T, draws.order, axis=1)  # (n, positions)
        points_position = np.bincount((by_position * k + position).ravel(), minlength=width * k).reshape(width, k)
        return cls(n, positions.astype(np.int64), points.astype(np.int64), points_position.astype(np.int64), offset)


def points_range(state: LeagueState) -> tuple[int, int]:
    """``(offset, width)`` covering every final points total (deductions can make it negative)."""
    offset = -int(state.deductions.max(initial=0))
    return offset, state.max_points() - offset + 1


@dataclass(eq=False)
class LeagueSimulation:
    """A league ready to run: ``run_chunk(n, rng)`` plays out ``n`` seasons and counts them."""

    state: LeagueState
    pairs: PairGrids | None

    def __post_init__(self) -> None:
        if self.pairs is not None:
            if self.pairs.teams != self.state.teams:
                raise ValueError("the league and the pair grids must list the same clubs in the same order")
            if self.state.n_remaining:
                self.pairs.sampler("home")

    def run_chunk(self, n: int, rng: np.random.Generator) -> LeagueTally:
        draws = simulate_tables(self.state, self.pairs, rng, n)
        offset, width = points_range(self.state)
        return LeagueTally.from_draws(draws, offset, width)
