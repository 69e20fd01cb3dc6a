"""Knockout brackets, simulated many times at once with the rules of the tie engine.

A :class:`Bracket` is a list of :class:`Round` objects over a field of clubs (team indices
into :class:`~remontada.simulate.pairs.PairGrids`). Each round forms its ties from a *pool*:
the previous round's winners, in tie order, followed by the clubs entering at this round
(columns of a per-simulation *seeding* array, so that a league phase can hand over its
table). A :class:`Pairing` says how the pool becomes ties:

* ``slots``: tie ``k`` is pool positions ``slots[2k]`` v ``slots[2k + 1]``; the first-named
  club (A) hosts the first leg, or is named first in a one-match tie;
* ``shuffle``: groups of pool positions permuted at random in every simulation (a draw);
  ``forbid`` rejects draws pairing clubs of one country or one group (redrawn until valid);
* ``drawn_home``: ties whose order of legs is drawn (a coin per simulation).

A bracket fixed in advance is plain ``slots``; an open draw shuffles the whole pool.

Every tie is settled as :mod:`remontada.ties.engine` settles it: the aggregate after the two legs'
90-minute grids, away goals where the rules use them, extra time drawn from the second-leg
grid's expected goals scaled to ``extra_time_minutes`` (away goals in extra time where they
count), then penalties from :class:`~remontada.penalties.ShootoutModel` (or a coin toss).
Where away goals play no part, one draw from the exact law of the aggregate lead (the two
legs' goal differences convolved, :meth:`PairGrids.aggregate_sampler`) replaces the two
scoreline draws; otherwise each leg's scoreline is drawn. Ties already under way at the start
carry their known first leg or winner (:class:`KnownTie`). Loops run over rounds and ties,
never over simulations; the tests check every route against the exact tie engine.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from remontada.penalties import ShootoutModel
from remontada.rules import TieRules
from remontada.simulate.pairs import Ground, PairGrids
from remontada.ties.engine import OnUnmodelled, UnmodelledRuleError

#: Rounds in playing order, by the keys of :func:`remontada.rules.normalise_round`.
ROUND_ORDER: tuple[str, ...] = ("round1", "round2", "round3", "round4", "po", "r32", "r16", "qf", "sf", "final")
ROUND_NAMES: dict[str, str] = {
    "po": "Knockout play-offs",
    "r32": "Round of 32",
    "r16": "Round of 16",
    "qf": "Quarter-finals",
    "sf": "Semi-finals",
    "final": "Final",
}
Constraint = Literal["country", "group"]
#: Redraws of one simulation's draw before its constraints are taken to be impossible to meet
#: (a valid draw that is found with probability 1% per attempt is missed with odds of 1 in 10^8).
MAX_REDRAWS = 2_000


def round_name(key: str) -> str:
    return ROUND_NAMES.get(key, key.replace("round", "Round ").strip().capitalize())


# ---- one round of ties -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class TieDraws:
    """Simulated ties: ``a_through[s]`` is True when A went through in simulation ``s``;
    ``extra_time`` / ``decider`` mark the simulations that needed them."""

    a_through: np.ndarray
    extra_time: np.ndarray
    decider: np.ndarray


def _as_teams(team: int | np.ndarray, n: int) -> int | np.ndarray:
    """A Python int when every simulation has the same club (the fast single-grid path)."""
    arr = np.asarray(team)
    if arr.ndim == 0:
        return int(arr)
    if arr.shape != (n,):
        raise ValueError(f"expected {n} team indices, got shape {arr.shape}")
    return arr


def _subset(team: int | np.ndarray, rows: np.ndarray) -> int | np.ndarray:
    return team[rows] if isinstance(team, np.ndarray) and team.ndim else team


def _decide(
    rows: np.ndarray, p_a: float, rules: TieRules, rng: np.random.Generator, on_unmodelled: OnUnmodelled
) -> np.ndarray:
    """The decider for the simulations in ``rows``: True where A wins it."""
    if rules.decider == "replay" and on_unmodelled == "raise" and rows.size:
        raise UnmodelledRuleError(
            f"these rules ({rules.describe()}) settle a level tie by a replay, which is recorded but not modelled; "
            "pass on_unmodelled='even' to split it 50/50"
        )
    return rng.random(rows.size) < p_a


def play_ties(
    a: int | np.ndarray,
    b: int | np.ndarray,
    rules: TieRules,
    pairs: PairGrids,
    rng: np.random.Generator,
    *,
    n: int | None = None,
    first_leg: tuple[int, int] | None = None,
    shootout: ShootoutModel | None = None,
    on_unmodelled: OnUnmodelled = "raise",
) -> TieDraws:
    """Settle ``n`` simulations of the tie A v B (team indices, one per simulation or one for all).

    Two legs: A hosts the first leg (``first_leg`` = its known score, A goals first), B the
    second, where extra time and any shoot-out are played. One leg: A is the home or
    first-named side (``rules.neutral_venue`` picks the neutral grids).
    """
    size = n if n is not None else np.shape(a)[0] if np.ndim(a) else np.shape(b)[0]
    team_a, team_b = _as_teams(a, size), _as_teams(b, size)
    shootout = shootout or ShootoutModel()
    if rules.legs == 2:
        return _two_legs(team_a, team_b, size, rules, pairs, rng, first_leg, shootout, on_unmodelled)
    if first_leg is not None:
        raise ValueError("a one-match tie has no first leg")
    return _one_match(team_a, team_b, size, rules, pairs, rng, shootout, on_unmodelled)


def _two_legs(
    a: int | np.ndarray,
    b: int | np.ndarray,
    n: int,
    rules: TieRules,
    pairs: PairGrids,
    rng: np.random.Generator,
    first_leg: tuple[int, int] | None,
    shootout: ShootoutModel,
    on_unmodelled: OnUnmodelled,
) -> TieDraws:
    full_time = pairs.sampler("home")
    second = pairs.pair(b, a)
    uses_away_goals = rules.away_goals or rules.away_goals_in_extra_time
    leg1 = leg2 = None
    if first_leg is None and not uses_away_goals:
        # Only the aggregate lead matters: one draw from its exact two-leg law.
        aggregate, offset = pairs.aggregate_sampler()
        margin = aggregate.home_of[aggregate.sample_cells(pairs.pair(a, b), rng, n)] - offset
    else:
        leg2 = full_time.sample_cells(second, rng, n)  # B at home
        if first_leg is None:
            leg1 = full_time.sample_cells(pairs.pair(a, b), rng, n)
            margin = full_time.difference_of[leg1] - full_time.difference_of[leg2]  # A's aggregate lead
        else:
            margin = (first_leg[0] - first_leg[1]) - full_time.difference_of[leg2]
    a_through = margin > 0
    level = margin == 0
    if uses_away_goals:  # A's away goals minus B's after 90 minutes of the second leg
        assert leg2 is not None
        b_away = full_time.away_of[leg1] if leg1 is not None else first_leg[1]  # type: ignore[index]
        away_edge = full_time.away_of[leg2] - b_away
    if rules.away_goals:
        a_through |= level & (away_edge > 0)
        level &= away_edge == 0
    rows = np.flatnonzero(level)
    extra_time = np.zeros(n, dtype=bool)
    if rows.size and rules.has_extra_time:
        extra_time[rows] = True
        extra = pairs.sampler("home", rules.extra_time_minutes)
        cells = extra.sample_cells(_subset(second, rows), rng, rows.size)
        extra_margin = extra.difference_of[cells]  # B's lead in extra time
        a_wins = extra_margin < 0
        still = extra_margin == 0
        if rules.away_goals_in_extra_time:  # A is the visitor in extra time: its goals there are away goals
            edge = away_edge[rows] + extra.away_of[cells]
            a_wins |= still & (edge > 0)
            still &= edge == 0
        a_through[rows] = a_wins
        rows = rows[still]
    decider = np.zeros(n, dtype=bool)
    decider[rows] = True
    # A is the visiting side at the second leg, where any shoot-out is taken.
    p_a = 0.5 if rules.decider != "penalties" else shootout.p_win(at_home=False, neutral=rules.neutral_venue)
    a_through[rows] = _decide(rows, p_a, rules, rng, on_unmodelled)
    return TieDraws(a_through, extra_time, decider)


def _one_match(
    a: int | np.ndarray,
    b: int | np.ndarray,
    n: int,
    rules: TieRules,
    pairs: PairGrids,
    rng: np.random.Generator,
    shootout: ShootoutModel,
    on_unmodelled: OnUnmodelled,
) -> TieDraws:
    venue: Ground = "neutral" if rules.neutral_venue else "home"
    match = pairs.pair(a, b)
    full_time = pairs.sampler(venue)
    margin = full_time.difference_of[full_time.sample_cells(match, rng, n)]
    a_through = margin > 0
    rows = np.flatnonzero(margin == 0)
    extra_time = np.zeros(n, dtype=bool)
    if rows.size and rules.has_extra_time:
        extra_time[rows] = True
        extra = pairs.sampler(venue, rules.extra_time_minutes)
        extra_margin = extra.difference_of[extra.sample_cells(_subset(match, rows), rng, rows.size)]
        a_through[rows] = extra_margin > 0
        rows = rows[extra_margin == 0]
    decider = np.zeros(n, dtype=bool)
    decider[rows] = True
    p_a = 0.5 if rules.decider != "penalties" else shootout.p_win(at_home=True, neutral=rules.neutral_venue)
    a_through[rows] = _decide(rows, p_a, rules, rng, on_unmodelled)
    return TieDraws(a_through, extra_time, decider)


# ---- brackets --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class KnownTie:
    """A tie drawn before the simulation starts (team indices; A hosts the first leg).

    ``first_leg`` is its first-leg score (A goals, B goals) when that was played;
    ``winner`` the team that went through when the tie is over.
    """

    a: int
    b: int
    first_leg: tuple[int, int] | None = None
    winner: int | None = None

    def __post_init__(self) -> None:
        if self.winner is not None and self.winner not in (self.a, self.b):
            raise ValueError(f"the winner {self.winner} of a tie must be one of its teams {self.a}, {self.b}")


@dataclass(frozen=True, slots=True)
class Pairing:
    """How a round's ties are formed from its pool (see the module docstring)."""

    slots: tuple[int, ...]
    shuffle: tuple[tuple[int, ...], ...] = ()
    drawn_home: tuple[int, ...] = ()
    forbid: tuple[Constraint, ...] = ()

    def __post_init__(self) -> None:
        if len(self.slots) % 2 or not self.slots:
            raise ValueError(f"a round needs an even, non-zero number of slots, got {len(self.slots)}")
        if sorted(self.slots) != list(range(len(self.slots))):
            raise ValueError(f"slots must use every pool position once, got {self.slots}")
        shuffled = [p for group in self.shuffle for p in group]
        if len(set(shuffled)) != len(shuffled) or any(not 0 <= p < len(self.slots) for p in shuffled):
            raise ValueError(f"shuffle groups must be disjoint pool positions, got {self.shuffle}")
        if any(not 0 <= k < len(self.slots) // 2 for k in self.drawn_home):
            raise ValueError(f"drawn_home names ties outside the round: {self.drawn_home}")
        for rule in self.forbid:
            if rule not in ("country", "group"):
                raise ValueError(f"unknown draw constraint {rule!r}; use 'country' or 'group'")

    @property
    def n_ties(self) -> int:
        return len(self.slots) // 2

    @classmethod
    def fixed(cls, n_ties: int) -> Pairing:
        """Pool position ``2k`` v ``2k + 1``, as listed."""
        return cls(tuple(range(2 * n_ties)))

    @classmethod
    def open_draw(cls, n_ties: int, forbid: tuple[Constraint, ...] = ()) -> Pairing:
        """Any club against any other; the first drawn hosts the first leg."""
        return cls(tuple(range(2 * n_ties)), shuffle=(tuple(range(2 * n_ties)),), forbid=forbid)

    @classmethod
    def seeded_draw(cls, n_ties: int, forbid: tuple[Constraint, ...] = ()) -> Pairing:
        """Pool positions ``0..n-1`` seeded, ``n..2n-1`` unseeded; each tie is an unseeded
        club (hosting the first leg) against a seeded one (hosting the second)."""
        slots = tuple(p for k in range(n_ties) for p in (n_ties + k, k))
        return cls(slots, shuffle=(tuple(range(n_ties, 2 * n_ties)),), forbid=forbid)


@dataclass(frozen=True, slots=True)
class Round:
    """One knockout round: its rules, how its ties are formed, who enters, and what is known."""

    key: str
    rules: TieRules
    pairing: Pairing
    entrants: tuple[int, ...] = ()
    known: tuple[KnownTie | None, ...] = ()

    def __post_init__(self) -> None:
        if self.known and len(self.known) != self.pairing.n_ties:
            raise ValueError(f"round {self.key}: {len(self.known)} known ties for {self.pairing.n_ties} ties")

    @property
    def n_ties(self) -> int:
        return self.pairing.n_ties

    @property
    def name(self) -> str:
        return round_name(self.key)


@dataclass(frozen=True, eq=False)
class Bracket:
    """Rounds in playing order over a field of clubs.

    ``seeds`` gives the team index of each seed when the seeding is fixed (a bracket read
    from the store); leave it ``None`` when a league phase supplies the seeding per
    simulation. ``country``/``group`` label each team for draw constraints.
    """

    teams: tuple[str, ...]
    rounds: tuple[Round, ...]
    seeds: tuple[int, ...] | None = None
    country: tuple[str | None, ...] = ()
    group: tuple[str | None, ...] = ()
    _codes: dict[str, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.rounds:
            raise ValueError("a bracket needs at least one round")
        winners = 0
        for r in self.rounds:
            pool = winners + len(r.entrants)
            if pool != 2 * r.n_ties:
                raise ValueError(
                    f"round {r.key}: {winners} winners and {len(r.entrants)} entrants cannot fill {r.n_ties} ties"
                )
            winners = r.n_ties
        if winners != 1:
            raise ValueError(f"the last round must be a single tie (a final), got {winners} ties")
        for label in ("country", "group"):
            values = getattr(self, label)
            if values and len(values) != len(self.teams):
                raise ValueError(f"{label} must label every one of the {len(self.teams)} teams")
            known = {v: k for k, v in enumerate(sorted({v for v in values if v is not None}))}
            # -1, -2, ... for unlabelled teams: never equal to each other or to a label
            codes = np.array([known[v] if v is not None else -1 - i for i, v in enumerate(values)], dtype=np.int64)
            self._codes[label] = codes

    @property
    def n_seeds(self) -> int:
        return max((max(r.entrants) + 1 for r in self.rounds if r.entrants), default=0)

    def labels(self, constraint: Constraint) -> np.ndarray:
        codes = self._codes.get(constraint)
        if codes is None or not codes.size:
            raise ValueError(f"the draw forbids same-{constraint} ties but the bracket has no {constraint} labels")
        return codes

    def venues(self) -> set[tuple[str, float]]:
        """The samplers the bracket draws from: (venue, extra-time minutes or 0)."""
        needed: set[tuple[str, float]] = set()
        for r in self.rounds:
            venue = "neutral" if r.rules.legs == 1 and r.rules.neutral_venue else "home"
            needed.add((venue, 0.0))
            if r.rules.has_extra_time:
                needed.add((venue, float(r.rules.extra_time_minutes)))
        return needed


def prepare_samplers(bracket: Bracket, pairs: PairGrids) -> None:
    """Build every sampler the bracket draws from now, so that pickled copies (other processes,
    cluster workers) carry them instead of rebuilding them per chunk."""
    for venue, minutes in bracket.venues():
        pairs.sampler(venue, minutes)  # type: ignore[arg-type]
    if any(r.rules.legs == 2 and not (r.rules.away_goals or r.rules.away_goals_in_extra_time) for r in bracket.rounds):
        pairs.aggregate_sampler()


def _shuffle_groups(pool: np.ndarray, groups: tuple[tuple[int, ...], ...], rng: np.random.Generator) -> None:
    """Permute each group of pool rows independently in every column (simulation), in place."""
    for group in groups:
        rows = list(group)
        pool[rows] = rng.permuted(pool[rows], axis=0)


def _violating(teams: np.ndarray, codes: list[np.ndarray], columns: np.ndarray) -> np.ndarray:
    """The simulations among ``columns`` with a tie between clubs of one label."""
    subset = teams[:, columns]
    bad = np.zeros(columns.size, dtype=bool)
    for labels in codes:
        bad |= (labels[subset[0::2]] == labels[subset[1::2]]).any(axis=0)
    return columns[bad]


def draw_round(pool: np.ndarray, pairing: Pairing, bracket: Bracket, rng: np.random.Generator) -> np.ndarray:
    """The ties of a round, ``(2 * ties, n)`` team indices: A then B of tie 0, then tie 1, ...

    ``pool`` is ``(pool size, n)``. Draws violating ``pairing.forbid`` are redrawn (only the
    simulations that need it), which samples uniformly among the valid draws. A simulation
    whose clubs admit no valid draw (possible once earlier rounds are themselves simulated)
    is drawn without the last constraint, with a :class:`RuntimeWarning` saying how often.
    """
    slots = list(pairing.slots)
    identity = slots == list(range(len(slots)))
    if pairing.shuffle:
        pool = pool.copy()
        _shuffle_groups(pool, pairing.shuffle, rng)
    teams = pool if identity else pool[slots]
    active = list(pairing.forbid)
    columns = np.arange(teams.shape[1])
    while active:
        codes = [bracket.labels(rule) for rule in active]
        columns = _violating(teams, codes, columns)
        for _ in range(MAX_REDRAWS if pairing.shuffle else 0):
            if not columns.size:
                break
            redo = pool[:, columns]
            _shuffle_groups(redo, pairing.shuffle, rng)
            pool[:, columns] = redo
            teams[:, columns] = redo if identity else redo[slots]
            columns = _violating(teams, codes, columns)
        if not columns.size:
            break
        warnings.warn(
            f"{columns.size} simulated draw(s) of {pairing.n_ties} ties cannot avoid same-{active[-1]} pairings "
            f"(after {MAX_REDRAWS} attempts); drawn without that constraint",
            RuntimeWarning,
            stacklevel=2,
        )
        active.pop()
    if pairing.drawn_home:
        if teams is pool and not pairing.shuffle:
            teams = teams.copy()
        for k in pairing.drawn_home:
            flip = rng.random(teams.shape[1]) < 0.5
            a, b = teams[2 * k].copy(), teams[2 * k + 1]
            teams[2 * k] = np.where(flip, b, a)
            teams[2 * k + 1] = np.where(flip, a, b)
    return teams


@dataclass(frozen=True, slots=True, eq=False)
class BracketDraws:
    """One chunk of ``n`` simulated brackets: per round the ties ``(2 * ties, n)`` (A, B of each
    tie), their winners ``(ties, n)``, and which ties went to extra time or the decider."""

    teams: tuple[np.ndarray, ...]
    winners: tuple[np.ndarray, ...]
    extra_time: tuple[np.ndarray, ...]
    decider: tuple[np.ndarray, ...]

    @property
    def champion(self) -> np.ndarray:
        return self.winners[-1][0]


def simulate_bracket(
    bracket: Bracket,
    pairs: PairGrids,
    rng: np.random.Generator,
    n: int,
    *,
    seeding: np.ndarray | None = None,
    shootout: ShootoutModel | None = None,
    on_unmodelled: OnUnmodelled = "raise",
) -> BracketDraws:
    """Play ``n`` brackets. ``seeding`` is ``(seeds, n)`` team indices (seed ``s`` of each
    simulation on row ``s``), or ``None`` for the bracket's fixed ``seeds``."""
    if pairs.teams != bracket.teams:
        raise ValueError("the bracket and the pair grids must describe the same field of clubs, in the same order")
    fixed_seeds: list[int] | None = None
    if seeding is None:
        if bracket.seeds is None:
            raise ValueError("this bracket takes its seeding from a league phase; pass seeding")
        fixed_seeds = list(bracket.seeds)
    elif seeding.shape[1] != n or seeding.shape[0] < bracket.n_seeds:
        raise ValueError(f"seeding must be (>= {bracket.n_seeds}, {n}), got {seeding.shape}")
    # Rows of the pool are either one club for every simulation (an int) or an array of n clubs.
    winners: list[int | np.ndarray] = []
    all_teams, all_winners, all_extra, all_decider = [], [], [], []
    for r in bracket.rounds:
        entering: list[int | np.ndarray] = (
            [fixed_seeds[s] for s in r.entrants] if fixed_seeds is not None else [seeding[s] for s in r.entrants]  # type: ignore[index]
        )
        rows = winners + entering
        pairing = r.pairing
        if pairing.shuffle or pairing.drawn_home or any(not isinstance(row, int) for row in rows):
            pool = np.empty((len(rows), n), dtype=np.intp)
            for i, row in enumerate(rows):
                pool[i] = row
            teams = draw_round(pool, pairing, bracket, rng)
            tie_teams: list[int | np.ndarray] = list(teams)
        else:  # a fixed pairing of clubs known for every simulation: one grid per tie
            tie_teams = [rows[p] for p in pairing.slots]
            teams = np.empty((len(tie_teams), n), dtype=np.intp)
            for i, row in enumerate(tie_teams):
                teams[i] = row
        winners = []
        extra = np.zeros((r.n_ties, n), dtype=bool)
        decider = np.zeros((r.n_ties, n), dtype=bool)
        for k in range(r.n_ties):
            a, b = tie_teams[2 * k], tie_teams[2 * k + 1]
            known = r.known[k] if r.known else None
            first_leg = None
            if known is not None:
                if not (np.all(a == known.a) and np.all(b == known.b)):
                    raise ValueError(f"round {r.key} tie {k}: the bracket does not give the known tie's teams")
                if known.winner is not None:
                    winners.append(known.winner)
                    continue
                first_leg = known.first_leg
            draws = play_ties(
                a, b, r.rules, pairs, rng, n=n, first_leg=first_leg, shootout=shootout, on_unmodelled=on_unmodelled
            )
            through = np.empty(n, dtype=np.intp)
            through[...] = b
            np.copyto(through, a, where=draws.a_through)
            winners.append(through)
            extra[k] = draws.extra_time
            decider[k] = draws.decider
        round_winners = np.empty((r.n_ties, n), dtype=np.intp)
        for k, row in enumerate(winners):
            round_winners[k] = row
        all_teams.append(teams)
        all_winners.append(round_winners)
        all_extra.append(extra)
        all_decider.append(decider)
    return BracketDraws(tuple(all_teams), tuple(all_winners), tuple(all_extra), tuple(all_decider))


# ---- counting ----------------------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class KnockoutTally:
    """Counts over ``n_sims`` brackets.

    ``reached[t, r]``: simulations in which team ``t`` played in round ``r``; the last
    column counts titles. ``extra_time[r]`` / ``decider[r]``: ties of round ``r`` that needed them.
    """

    n_sims: int
    reached: np.ndarray
    extra_time: np.ndarray
    decider: np.ndarray

    def __add__(self, other: KnockoutTally) -> KnockoutTally:
        return KnockoutTally(
            self.n_sims + other.n_sims,
            self.reached + other.reached,
            self.extra_time + other.extra_time,
            self.decider + other.decider,
        )

    @classmethod
    def from_draws(cls, draws: BracketDraws, n_teams: int) -> KnockoutTally:
        columns = [np.bincount(t.ravel(), minlength=n_teams) for t in draws.teams]
        columns.append(np.bincount(draws.champion, minlength=n_teams))
        return cls(
            int(draws.champion.shape[0]),
            np.stack(columns, axis=1).astype(np.int64),
            np.array([e.sum() for e in draws.extra_time], dtype=np.int64),
            np.array([d.sum() for d in draws.decider], dtype=np.int64),
        )


@dataclass(eq=False)
class KnockoutSimulation:
    """A bracket ready to run: ``run_chunk(n, rng)`` plays ``n`` brackets and counts them."""

    bracket: Bracket
    pairs: PairGrids
    shootout: ShootoutModel = field(default_factory=ShootoutModel)
    on_unmodelled: OnUnmodelled = "raise"

    def __post_init__(self) -> None:
        prepare_samplers(self.bracket, self.pairs)

    def run_chunk(self, n: int, rng: np.random.Generator) -> KnockoutTally:
        draws = simulate_bracket(
            self.bracket, self.pairs, rng, n, shootout=self.shootout, on_unmodelled=self.on_unmodelled
        )
        return KnockoutTally.from_draws(draws, len(self.bracket.teams))
