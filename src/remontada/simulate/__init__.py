"""Monte Carlo of whole competitions: knockout brackets, league tables, UEFA league phases.

Vectorised numpy throughout: every match of a round is drawn for all simulations at once from
precomputed score grids (:mod:`~remontada.simulate.sampling`), ties are settled with the rules
of :mod:`remontada.ties.engine` (:mod:`~remontada.simulate.knockout`), tables are ranked with each
league's tie-breakers (:mod:`~remontada.simulate.league`), the UEFA league phase hands its table
to its bracket (:mod:`~remontada.simulate.league_phase`). Runs are chunked and seeded
(:mod:`~remontada.simulate.runner`) and give the same numbers on one core, several, or a Dask
cluster (:mod:`~remontada.simulate.distributed`). :func:`simulate_competition` does it all
from the store.
"""

from remontada.simulate.competition import build_simulation, pair_grids, simulate_competition
from remontada.simulate.knockout import Bracket, KnockoutSimulation, KnockoutTally, KnownTie, Pairing, Round, play_ties
from remontada.simulate.league import LeagueSimulation, LeagueState, LeagueTally, TableRules, table_rules_for
from remontada.simulate.league_phase import LeaguePhaseSimulation, LeaguePhaseTally, league_phase_bracket
from remontada.simulate.pairs import PairGrids
from remontada.simulate.results import SimulationResult
from remontada.simulate.runner import run
from remontada.simulate.sampling import ScoreSampler
from remontada.simulate.state import CompetitionState, StateError, read_state

__all__ = [
    "Bracket",
    "CompetitionState",
    "KnockoutSimulation",
    "KnockoutTally",
    "KnownTie",
    "LeaguePhaseSimulation",
    "LeaguePhaseTally",
    "LeagueSimulation",
    "LeagueState",
    "LeagueTally",
    "PairGrids",
    "Pairing",
    "Round",
    "ScoreSampler",
    "SimulationResult",
    "StateError",
    "TableRules",
    "build_simulation",
    "league_phase_bracket",
    "pair_grids",
    "play_ties",
    "read_state",
    "run",
    "simulate_competition",
    "table_rules_for",
]
