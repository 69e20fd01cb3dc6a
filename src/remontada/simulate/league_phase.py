"""UEFA's league phase (from 2024-25): one table of 36 clubs, then a seeded bracket to the final.

Every club plays eight (Conference League: six) matches against different opponents; the
table ranks them by :data:`~remontada.simulate.league.UEFA_LEAGUE_PHASE`. Places 1-8 go
straight to the round of 16, 9-24 to the knockout phase play-offs, 25-36 are out.

The bracket follows the regulations (Champions League 2024/25, art. 19 and Annex B): league
places are paired (1/2, 3/4, ... 23/24) and the draw sends one club of each pair to each half
of the bracket ("silver" and "blue"). In each half:

* play-offs: 9/10 v 23/24, 11/12 v 21/22, 13/14 v 19/20, 15/16 v 17/18 (seeded club at home
  in the second leg);
* round of 16: 1/2 v the 15/16-17/18 winner, 7/8 v the 9/10-23/24 winner, 3/4 v the
  13/14-19/20 winner, 5/6 v the 11/12-21/22 winner (seeded club at home in the second leg);
* quarter-finals: the 1/2 tie's winner v the 7/8 tie's, the 3/4 tie's v the 5/6 tie's;
  semi-finals: the two quarter-finals of the half; the order of legs of both is drawn;
* the final, at a neutral venue, between the halves.

The draw is simulated with one fair coin per pair of places (which club goes to which
half), which gives each club the opponents and paths the real draw allows; there is no
country protection from the play-offs on. The real 2024-25 bracket (PSG-Liverpool,
Aston Villa-Brugge, ...) is one outcome of these coins.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from remontada.penalties import ShootoutModel
from remontada.rules import TieRules, rules_for
from remontada.simulate.knockout import (
    Bracket,
    KnockoutTally,
    Pairing,
    Round,
    prepare_samplers,
    simulate_bracket,
)
from remontada.simulate.league import LeagueState, LeagueTally, points_range, simulate_tables
from remontada.simulate.pairs import PairGrids
from remontada.ties.engine import OnUnmodelled

#: League places (1-based) straight to the round of 16, and into the play-offs.
DIRECT_PLACES = range(1, 9)
PLAYOFF_PLACES = range(9, 25)

# Pool positions of the play-off round are league places 9..24 (position p is place 9 + p).
# Pairs (0, 1), (2, 3) ... are places 9/10, 11/12 ...; the first of a pair after the coin is
# the silver half's club. Each tie: unseeded club (first leg at home) v seeded club.
_PLAYOFF_SLOTS = (14, 0, 12, 2, 10, 4, 8, 6, 15, 1, 13, 3, 11, 5, 9, 7)
# Round of 16 pool: play-off winners 0..7 (ties in the order above), then places 1..8 at 8..15.
_R16_SLOTS = (3, 8, 0, 14, 2, 10, 1, 12, 7, 9, 4, 15, 6, 11, 5, 13)
_PAIRS_OF_16 = ((0, 1), (2, 3), (4, 5), (6, 7), (8, 9), (10, 11), (12, 13), (14, 15))
_TOP_PAIRS = ((8, 9), (10, 11), (12, 13), (14, 15))


def league_phase_bracket(
    teams: tuple[str, ...], competition: str, season: str | int, country: tuple[str | None, ...] = ()
) -> Bracket:
    """The knockout bracket that follows a league phase; seeds are league places (0 = first)."""

    def rules(key: str) -> TieRules:
        return rules_for(competition, season, key)

    return Bracket(
        teams=teams,
        rounds=(
            Round("po", rules("po"), Pairing(_PLAYOFF_SLOTS, shuffle=_PAIRS_OF_16), entrants=tuple(range(8, 24))),
            Round("r16", rules("r16"), Pairing(_R16_SLOTS, shuffle=_TOP_PAIRS), entrants=tuple(range(8))),
            Round("qf", rules("qf"), Pairing(tuple(range(8)), drawn_home=(0, 1, 2, 3))),
            Round("sf", rules("sf"), Pairing(tuple(range(4)), drawn_home=(0, 1))),
            Round("final", rules("final"), Pairing.fixed(1)),
        ),
        seeds=None,
        country=country,
    )


@dataclass(frozen=True, eq=False)
class LeaguePhaseTally:
    """Counts of the table (:class:`LeagueTally`) and of the bracket (:class:`KnockoutTally`)."""

    table: LeagueTally
    knockout: KnockoutTally

    @property
    def n_sims(self) -> int:
        return self.table.n_sims

    def __add__(self, other: LeaguePhaseTally) -> LeaguePhaseTally:
        return LeaguePhaseTally(self.table + other.table, self.knockout + other.knockout)


@dataclass(eq=False)
class LeaguePhaseSimulation:
    """The rest of a league phase and the bracket after it, ``run_chunk(n, rng)`` at a time."""

    state: LeagueState
    bracket: Bracket
    pairs: PairGrids
    shootout: ShootoutModel = field(default_factory=ShootoutModel)
    on_unmodelled: OnUnmodelled = "raise"

    def __post_init__(self) -> None:
        if not (self.state.teams == self.bracket.teams == self.pairs.teams):
            raise ValueError("the table, the bracket and the grids must list the same clubs in the same order")
        if self.bracket.n_seeds > self.state.n_teams:
            raise ValueError(f"the bracket needs {self.bracket.n_seeds} places but the table has {self.state.n_teams}")
        self.pairs.sampler("home")
        prepare_samplers(self.bracket, self.pairs)

    def run_chunk(self, n: int, rng: np.random.Generator) -> LeaguePhaseTally:
        tables = simulate_tables(self.state, self.pairs, rng, n)
        draws = simulate_bracket(
            self.bracket,
            self.pairs,
            rng,
            n,
            seeding=np.ascontiguousarray(tables.order.T),
            shootout=self.shootout,
            on_unmodelled=self.on_unmodelled,
        )
        offset, width = points_range(self.state)
        return LeaguePhaseTally(
            LeagueTally.from_draws(tables, offset, width), KnockoutTally.from_draws(draws, self.state.n_teams)
        )


def threshold_table(tally: LeagueTally, places: int) -> dict[int, float]:
    """P(finishing in the top ``places`` | finishing on x points), for every x some club reached."""
    by_points = tally.points_position
    totals = by_points.sum(axis=1)
    inside = by_points[:, :places].sum(axis=1)
    return {int(x + tally.points_offset): float(inside[x] / totals[x]) for x in np.flatnonzero(totals) if totals[x] > 0}
