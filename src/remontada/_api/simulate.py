"""Whole competitions: :func:`simulate` (who wins it all, from any date of a season)."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from remontada._api.common import DEFAULT_MODEL, as_date, check_model, club_id, cutoff_warnings, using_store
from remontada.errors import InvalidInput, NotRated

if TYPE_CHECKING:
    from remontada.simulate.results import SimulationResult
    from remontada.store.reader import Store


#: The most simulations one call runs: 10 million seasons take minutes; more is a typo, not a need.
MAX_SIMS = 10_000_000
#: The largest points deduction accepted (the largest ever imposed in English football is 30).
MAX_DEDUCTION = 1000


def simulate(
    competition: str,
    *,
    season: str | int | None = None,
    date: str | dt.date | None = None,
    start: str | None = None,
    sims: int = 100_000,
    seed: int = 0,
    model: str = DEFAULT_MODEL,
    workers: int = 1,
    client: Any = None,
    deductions: Mapping[str, int] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> SimulationResult:
    """Simulate a competition to its end from the morning of ``date``.

    Parameters
    ----------
    competition
        Name, id or abbreviation (``"Europa League"``, ``"eng.1"``, ``"EPL"``).
    season
        ``"2023-24"``; default: the season ``date`` falls in (seasons start on 1 July).
    date
        ISO date: results before it count, the rest is simulated (default: today).
    start
        First knockout round to simulate, e.g. ``"quarter-finals"`` (default: the first unfinished).
    sims
        Number of simulations (1 or more).
    seed
        Random seed: the same seed gives the same numbers, on one core or many.
    model
        Strength model for the match grids.
    workers
        Local worker processes; ``client`` a Dask client instead.
    deductions
        Points deductions, club (name or id) -> points.
    store
        An open store, a path, or ``None`` for the user's store.

    Returns
    -------
    SimulationResult
        Each club's chance (in [0, 1]) to reach each round, win, or finish in each place;
        ``.to_dict()`` is what ``remontada simulate --json`` prints. No file is written: draw the
        chart with :func:`remontada.simulate.chart.save_chart` (``remontada simulate --chart PATH``).
    """
    from remontada.rules import season_label, season_start_year
    from remontada.simulate import StateError, simulate_competition
    from remontada.ties.state import season_of

    model = check_model(model)
    if not isinstance(sims, int) or sims < 1:
        raise InvalidInput(f"sims is a number of simulations, 1 or more; got {sims!r}", field="sims")
    if sims > MAX_SIMS:
        raise InvalidInput(f"sims is at most {MAX_SIMS:,} (a run that size takes minutes); got {sims:,}", field="sims")
    if workers < 1:
        raise InvalidInput(f"workers is 1 or more, got {workers}", field="workers")
    day = as_date(date, "date") or dt.date.today()
    try:
        label = season_label(season_start_year(season)) if season is not None else season_of(day)
    except ValueError as exc:
        raise InvalidInput(str(exc), field="season") from None
    with using_store(store) as st:
        st.competition(competition)
        points: dict[str, int] = {}
        for club, value in (deductions or {}).items():
            if not isinstance(value, int) or not 0 <= value <= MAX_DEDUCTION:
                raise InvalidInput(f"a points deduction is a whole number, 0 to {MAX_DEDUCTION}; got {club}={value!r}",
                                   field="deductions")  # fmt: skip
            key = club_id(st, club, "deductions")
            points[key] = points.get(key, 0) + value
        try:
            result = simulate_competition(st, competition, label, day.isoformat(), start=start, n_sims=sims, seed=seed,
                                          model=model, workers=workers, client=client,
                                          deductions=points)  # fmt: skip
        except StateError as exc:
            raise InvalidInput(str(exc), field="start" if start and "round" in str(exc) else None) from None
        except KeyError as exc:
            if isinstance(exc, NotRated):
                raise
            raise NotRated(f"the {model} model cannot rate a club of this competition: {exc.args[0]}") from None
        except ValueError as exc:
            if isinstance(exc, InvalidInput):
                raise
            raise InvalidInput(str(exc)) from None
        warnings, cutoff = cutoff_warnings(st, day, "the simulation")
    result.extras["warnings"] = warnings
    result.extras["data_cutoff"] = cutoff.isoformat() if cutoff else None
    return result
