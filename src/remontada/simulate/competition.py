"""One call from "Europa League 2023-24 on 11 April 2024" to the simulated outcome.

:func:`simulate_competition` reads the competition's state on the date from the store
(:mod:`remontada.simulate.state`), fits the strength model on every club match played before
that date (:class:`remontada.forecast.Forecaster`), asks it for the grids of every meeting the
simulation can produce (:class:`~remontada.simulate.pairs.PairGrids`) and runs the seeded
chunks here, in local processes, or on a Dask cluster.

Team strengths are held fixed within a simulated season: the model is fitted once, as of the
date. Updating them after each simulated result would move a club's rating by roughly one
part in its effective number of matches (a few dozen under the 0.0018/day time decay), a
small effect next to the sampling of the matches themselves, at the price of refitting
inside the loop; the run's real source of extra spread, uncertainty in the fitted strengths,
is not modelled either way (see the report in the README).
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from remontada.forecast import DEFAULT_MODEL, Forecaster
from remontada.simulate import distributed, runner
from remontada.simulate.group_stage import GroupStageSimulation
from remontada.simulate.knockout import KnockoutSimulation
from remontada.simulate.league import LeagueSimulation
from remontada.simulate.league_phase import LeaguePhaseSimulation
from remontada.simulate.pairs import Ground, PairGrids
from remontada.simulate.results import SimulationResult
from remontada.simulate.state import CompetitionState, read_state


def pair_grids(state: CompetitionState, model: Any) -> PairGrids:
    """Grids of every meeting the state's simulation can produce, from a fitted model."""
    venues: tuple[Ground, ...] = ("home",) if state.kind == "league" else ("home", "neutral")
    try:
        return PairGrids.from_model(model, state.teams, competition=state.competition.id, venues=venues)
    except KeyError as exc:
        raise LookupError(f"the model cannot rate a club of this competition: {exc}") from None


def build_simulation(state: CompetitionState, grids: PairGrids) -> runner.Simulation:
    """The simulation object for a state (pickles, so it can go to other processes or workers)."""
    if state.kind == "league":
        assert state.league is not None
        return LeagueSimulation(state.league, grids)
    if state.kind == "league_phase":
        assert state.league is not None and state.bracket is not None
        return LeaguePhaseSimulation(state.league, state.bracket, grids)
    if state.kind == "group_stage":
        assert state.groups is not None and state.bracket is not None
        return GroupStageSimulation(state.groups, state.bracket, grids)
    assert state.bracket is not None
    return KnockoutSimulation(state.bracket, grids)


def simulate_competition(
    store: Any,
    competition: str,
    season: str,
    as_of: str | dt.date,
    *,
    start: str | None = None,
    n_sims: int = 100_000,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    workers: int = 1,
    client: Any = None,
    chunk_size: int = runner.DEFAULT_CHUNK,
    deductions: dict[str, int] | None = None,
    forecaster: Forecaster | None = None,
) -> SimulationResult:
    """Simulate ``competition`` in ``season`` from the morning of ``as_of`` to its end.

    ``start``: first knockout round (default: the first unfinished one). ``workers``: local
    processes; ``client``: a Dask client (then ``workers`` is ignored). The same ``seed`` and
    ``chunk_size`` give the same numbers on any of them.
    """
    state = read_state(store, competition, season, as_of, start=start, deductions=deductions)
    forecaster = forecaster or Forecaster(store, model)
    fitted = forecaster.fitted(state.as_of)
    simulation = build_simulation(state, pair_grids(state, fitted))
    began = time.perf_counter()
    if client is not None:
        tally = distributed.run(simulation, n_sims, client, seed=seed, chunk_size=chunk_size)
        engine = "dask"
    else:
        tally = runner.run(simulation, n_sims, seed=seed, chunk_size=chunk_size, workers=workers)
        engine = "local" if workers <= 1 else f"local x{workers}"
    seconds = time.perf_counter() - began
    return SimulationResult(state, tally, n_sims, seed, forecaster.spec.name, seconds, engine)
