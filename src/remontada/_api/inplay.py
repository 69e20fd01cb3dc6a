"""The in-play model's own jobs: :func:`fit_inplay` (re-estimate it) and :func:`check_inplay` (held out)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from remontada._api.common import jsonable, using_store
from remontada.errors import InvalidInput

if TYPE_CHECKING:
    from remontada.store.reader import Store


@dataclass(frozen=True, eq=False)
class InplayFit:
    """Re-estimated in-play effects: ``estimates`` (log rate multipliers with standard errors and
    the evidence behind each) and ``raw`` (the fitter; ``raw.params_`` is the parameter set)."""

    estimates: list[dict[str, Any]]
    raw: Any = field(repr=False)

    def write_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the parameters (the file ``params=`` and ``data/inplay.csv`` read)."""
        target = Path(path)
        self.raw.params_.write_csv(target, self.raw.notes())
        return target

    def to_dict(self) -> dict[str, Any]:
        return jsonable({"params": dict(self.raw.params_.to_rows()), "estimates": self.estimates})  # type: ignore[no-any-return]


def fit_inplay(
    *,
    holdout_from: int = 2022,
    profile_since: int = 2010,
    standard_errors: bool = True,
    red_timing: float | None = None,
    fit_red_timing: bool = False,
    verbose: bool = False,
    store: Store | str | os.PathLike[str] | None = None,
) -> InplayFit:
    """Re-estimate the in-play parameters from the store (slow: chains over every half).

    Parameters
    ----------
    holdout_from
        Leave out league seasons starting in or after this year.
    profile_since
        First year of goal-minute evidence.
    standard_errors
        Compute standard errors (slower).
    red_timing
        Shape ``s`` of the red-card timing density ``exp(s t / T)`` (default 1.3), unless ``fit_red_timing``.
    """
    from remontada.inplay.fit import RED_TIMING, fit_from_store

    with using_store(store) as st:
        fitter = fit_from_store(
            st, holdout_from=holdout_from, profile_since=profile_since, standard_errors=standard_errors,
            red_timing=None if fit_red_timing else (RED_TIMING if red_timing is None else red_timing), verbose=verbose,
        )  # fmt: skip
    rows = [
        {"effect": e.name, "log": e.value, "se": e.se, "multiplier": e.multiplier, "evidence": e.evidence}
        for e in fitter.estimates_
    ]
    return InplayFit(jsonable(rows), fitter)


@dataclass(frozen=True, eq=False)
class InplayCheck:
    """Second halves of held-out league matches forecast from half-time: proper scores per model,
    results by half-time situation, sides one goal behind, and reliability tables."""

    from_season: int
    matches: int
    scores: Any
    situations: Any
    trailing_by_one: Any
    reliability: dict[str, Any] = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "from_season": self.from_season,
                "matches": self.matches,
                "scores": self.scores,
                "situations": self.situations,
                "trailing_by_one": self.trailing_by_one,
                "reliability": {name: table.to_records() for name, table in self.reliability.items()},
            }
        )


def check_inplay(
    *,
    from_season: int = 2022,
    params: str | os.PathLike[str] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
) -> InplayCheck:
    """The in-play model (``params``, default the packaged fit) against a flat one on the league
    matches of seasons starting in ``from_season`` or later, from half-time."""
    from remontada.inplay.model import InplayParams
    from remontada.inplay.validate import held_out, validate

    try:
        fitted = InplayParams.read_csv(Path(params)) if params else InplayParams.packaged()
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the in-play parameters {params}: {exc}", field="params") from None
    with using_store(store) as st:
        data = held_out(st, from_season=from_season)
    if not len(data):
        raise InvalidInput(f"no league matches with odds and half-time scores from {from_season} on",
                           field="from_season")  # fmt: skip
    report = validate(data, {"inplay": fitted, "flat": InplayParams.flat()})
    reliability = {name: report.reliability(name) for name in report.result}
    return InplayCheck(from_season, len(data), report.scores(), report.situations(), report.trailing_by_one(),
                       reliability)  # fmt: skip
