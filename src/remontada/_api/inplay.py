"""The in-play model's own jobs: :func:`fit_inplay` (re-estimate it) and :func:`check_inplay` (held out)."""

from __future__ import annotations

import os
from collections.abc import Callable
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
    the evidence behind each), ``comparison`` (designs scored on held-out seasons), ``frailty``
    (gamma frailties scored the same way, when asked: :mod:`remontada.inplay.frailty`) and ``raw``
    (:class:`~remontada.inplay.minutes.EventFit`; ``raw.params`` is the parameter set)."""

    estimates: list[dict[str, Any]]
    comparison: list[dict[str, Any]]
    raw: Any = field(repr=False)
    frailty: list[dict[str, Any]] = field(default_factory=list)
    walk_forward: list[dict[str, Any]] = field(default_factory=list)

    def write_csv(self, path: str | os.PathLike[str]) -> Path:
        """Write the parameters (the file ``params=`` and ``data/inplay.csv`` read)."""
        target = Path(path)
        self.raw.params.write_csv(target, self.raw.notes())
        return target

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "params": dict(self.raw.params.to_rows()),
                "estimates": self.estimates,
                "comparison": self.comparison,
                "frailty": self.frailty,
                "walk_forward": self.walk_forward,
            }
        )


def _event_times(st: Store) -> Any:
    from remontada.inplay.data import event_times_from_store

    data = event_times_from_store(st)
    if not len(data):
        raise InvalidInput(
            "the store holds no complete minute-by-minute event lists with odds: run `remontada update` "
            "(source match-events)",
            field="store",
        )
    return data


def fit_inplay(
    *,
    first_season: int = 2009,
    holdout_from: int | None = None,
    progress: Callable[[str], None] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    frailty: bool = False,
    walk_forward_from: int | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> InplayFit:
    """Re-estimate the in-play parameters minute by minute from club matches with event lists.

    Parameters
    ----------
    first_season
        First season (start year) to learn from; the files write added time from 2008-09 on.
    holdout_from
        Seasons starting in or after this year are held out: the designs are scored on them.
        ``None`` (the default): every season is fitted (the packaged parameters) and no design
        is scored on a fixed split.
    progress
        Called with each design's name once it is fitted (and each frailty's, and each
        walk-forward fit's).
    walk_forward_from
        Also score the designs of :data:`~remontada.inplay.walkforward.WALK_DESIGNS` walk-forward:
        each season from this one on by fits on the seasons before it (cached under ``cache``,
        default ``<user cache dir>/inplay-walk``).
    frailty
        Also score gamma frailties (goals so far as evidence of a match's own scoring level) on
        the held-out seasons: a multiplier per side and one per match, alpha 2, 5, 20 and 100.
    """
    from remontada.inplay.minutes import HOLDOUT_FROM, fit_events
    from remontada.inplay.model import InplayParams

    with using_store(store) as st:
        data = _event_times(st)
    try:
        fitted = fit_events(data, InplayParams.packaged(), first_season=first_season, holdout_from=holdout_from,
                            progress=progress)  # fmt: skip
    except ValueError as exc:
        raise InvalidInput(str(exc), field="first_season") from None
    rows = [
        {"effect": e.name, "log": e.value, "se": e.se, "multiplier": e.multiplier, "evidence": e.evidence}
        for e in fitted.estimates()
    ]
    frailty_rows: list[dict[str, Any]] = []
    if frailty:
        from dataclasses import asdict

        from remontada.inplay.frailty import frailty_profile

        try:
            scores = frailty_profile(data, first_season=first_season, progress=progress,
                                     holdout_from=HOLDOUT_FROM if holdout_from is None else holdout_from)  # fmt: skip
        except ValueError as exc:
            raise InvalidInput(str(exc), field="holdout_from") from None
        frailty_rows = [asdict(score) for score in scores]
    walk_rows: list[dict[str, Any]] = []
    if walk_forward_from is not None:
        from remontada.inplay.walkforward import WALK_DESIGNS, walk_forward

        seasons = sorted({int(s) for s in data.season_start if s >= walk_forward_from})
        if not seasons or walk_forward_from <= first_season:
            raise InvalidInput(f"no season to forecast walk-forward from {walk_forward_from} (fits start in "
                               f"{first_season})", field="walk_forward_from")  # fmt: skip
        def step(done: int, total: int) -> None:
            if progress:
                progress(f"walk-forward {done}/{total}")

        wf = walk_forward(data, InplayParams.packaged(), seasons, tuple(WALK_DESIGNS), first_season=first_season,
                          cache=Path(cache) if cache else None, progress=step)  # fmt: skip
        walk_rows = wf.comparison()
    return InplayFit(jsonable(rows), jsonable(fitted.comparison), fitted, jsonable(frailty_rows), jsonable(walk_rows))


@dataclass(frozen=True, eq=False)
class InplayCheck:
    """Held-out club matches forecast at every checkpoint by several models: log loss and ECE
    per checkpoint, calibration by score, the side one goal behind (and per season: ``by_season``);
    and the red-card effects fitted on the seasons before ``from_season`` with standard errors,
    beside published ones. ``mode``: ``walk-forward`` (each season forecast by a fit on the seasons
    before it), ``fixed-split`` (one fit on the seasons before ``from_season``) or ``params`` (a
    given parameter file)."""

    from_season: int
    matches: int
    scores: Any
    ece: dict[str, float]
    by_score: Any
    trailing_by_one: Any
    red_cards: list[dict[str, Any]]
    published: list[dict[str, Any]]
    models: dict[str, str]
    reliability: dict[str, Any] = field(repr=False, default_factory=dict)
    mode: str = "walk-forward"
    by_season: Any = None

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {
                "from_season": self.from_season,
                "mode": self.mode,
                "matches": self.matches,
                "models": self.models,
                "scores": self.scores,
                "ece": self.ece,
                "by_score": self.by_score,
                "trailing_by_one": self.trailing_by_one,
                "by_season": self.by_season,
                "red_cards": self.red_cards,
                "published": self.published,
            }
        )


def _params(path: str | os.PathLike[str] | None, default: Any) -> Any:
    from remontada.inplay.model import InplayParams

    if path is None:
        return default
    try:
        return InplayParams.read_csv(Path(path))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the in-play parameters {path}: {exc}", field="params") from None


def _season(start: int) -> str:
    return f"{start}-{(start + 1) % 100:02d}"


def check_inplay(
    *,
    from_season: int = 2020,
    params: str | os.PathLike[str] | None = None,
    current: str | os.PathLike[str] | None = None,
    min_matches: int = 300,
    fixed_split: bool = False,
    progress: Callable[[str, int, int], None] | None = None,
    store: Store | str | os.PathLike[str] | None = None,
    cache: str | os.PathLike[str] | None = None,
) -> InplayCheck:
    """The in-play model at 15', 30', half-time, 60', 75' and 85' of held-out club matches.

    By default the check is walk-forward, the way the model is used: each season from
    ``from_season`` on is forecast by the chosen design fitted on 2009-10 .. the season before
    it (:mod:`remontada.inplay.walkforward`; the fits are cached).

    Parameters
    ----------
    from_season
        First held-out season (start year).
    params
        A parameter file to check instead of the walk-forward fits (e.g. the packaged fit,
        which has seen every season: only a check on seasons it was not fitted on is honest).
    current
        The parameters to compare with (default: the fit shipped before the packaged one,
        ``data/inplay_previous.csv``).
    min_matches
        Scores shown in the calibration table when at least this many matches reach them.
    fixed_split
        One fit on the seasons before ``from_season`` forecasts every held-out season (the
        check of the fit shipped before; its added time still moves with each season).
    progress
        Called with (task, done, to do): ``refits`` (walk-forward fits) and each model's chains.
    cache
        Directory of cached walk-forward fits (default: ``<user cache dir>/inplay-walk``).
    """
    from remontada.inplay.checkpoints import check
    from remontada.inplay.minutes import FIRST_SEASON, cell_table, fit_variant
    from remontada.inplay.model import InplayParams
    from remontada.inplay.redcards import published_comparison, red_card_rows
    from remontada.inplay.walkforward import walk_forward

    before = _params(current, InplayParams.previous())
    given = _params(params, None)
    with using_store(store) as st:
        data = _event_times(st)
    held = data.select(data.season_start >= from_season)
    if not len(held):
        raise InvalidInput(f"no club matches with events and odds from {from_season} on", field="from_season")
    if from_season <= FIRST_SEASON:
        raise InvalidInput(f"from_season must come after the first fitted season {FIRST_SEASON}", field="from_season")
    seasons = sorted({int(s) for s in held.season_start})
    new: Any
    if given is not None:
        new, mode = given, "params"
        label = new.source.splitlines()[0] if new.source else str(params)
    else:
        if not ((data.season_start >= FIRST_SEASON) & (data.season_start < from_season)).any():
            raise InvalidInput(
                f"no club matches with events and odds in {_season(FIRST_SEASON)}..{_season(from_season - 1)} to "
                "fit on before the held-out seasons: pass params= (a parameter file) to check fixed parameters",
                field="from_season",
            )
        mode = "fixed-split" if fixed_split else "walk-forward"
        fit_for = [from_season] if fixed_split else seasons
        wf = walk_forward(data, InplayParams.packaged(), fit_for, cache=Path(cache) if cache else None,
                          progress=None if progress is None else (lambda d, n: progress("refits", d, n)))  # fmt: skip
        fitted = wf.params()
        if fixed_split:
            new = fitted[from_season]
            label = f"fixed split: fitted on {_season(FIRST_SEASON)}..{_season(from_season - 1)}"
        else:
            new = fitted
            label = (f"walk-forward: each season {_season(seasons[0])}..{_season(seasons[-1])} forecast by the "
                     f"chosen design fitted on {_season(FIRST_SEASON)}..the season before")  # fmt: skip
    models = {"new": new, "current": before, "flat": InplayParams.flat()}
    report = check(held, models, progress=progress)
    train = data.select((data.season_start >= FIRST_SEASON) & (data.season_start < from_season))
    reds: list[dict[str, Any]] = []
    if len(train):
        table = cell_table(train)
        reds = red_card_rows({v: fit_variant(table, v) for v in ("chosen", "second_red", "red_timing")})
    labels = {"new": label, **{name: p.source.splitlines()[0] if p.source else name
                               for name, p in models.items() if name != "new"}}  # fmt: skip
    return InplayCheck(
        from_season,
        len(held),
        report.scores(),
        report.ece(),
        report.by_score(min_matches),
        report.trailing_by_one(),
        reds,
        published_comparison(reds),
        labels,
        report.reliability(),
        mode,
        report.trailing_by_season(),
    )


@dataclass(frozen=True, eq=False)
class EventLists:
    """The minute-by-minute event lists in the store: how many, how many complete, how many on a
    match another source reports; ``unaligned`` and ``problems`` list the others with their file
    (``url``) and match (``line``: its position in the file)."""

    lists: int
    complete: int
    aligned: int
    events: int
    unaligned: Any
    problems: Any

    def to_dict(self) -> dict[str, Any]:
        return jsonable(  # type: ignore[no-any-return]
            {"lists": self.lists, "complete": self.complete, "aligned": self.aligned, "events": self.events,
             "unaligned": self.unaligned, "problems": self.problems}
        )  # fmt: skip


def event_lists(*, store: Store | str | os.PathLike[str] | None = None) -> EventLists:
    """What the store holds of the minute-by-minute event lists (source ``match-events``), and
    which lists did not align with another source's match or are not used (with file and match)."""
    with using_store(store) as st:
        lists = st.event_matches(complete_only=False)
        unaligned, problems = st.unaligned_events(), st.event_problems()
        n_events = st.event_count()
    return EventLists(len(lists), int(lists["complete"].sum()), int(lists["aligned"].sum()), n_events, unaligned,
                      problems)  # fmt: skip
