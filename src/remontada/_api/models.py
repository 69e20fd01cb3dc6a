"""Strength models: :func:`predict` (one match), :func:`ratings`, :func:`backtest` and :func:`backtest_ties`."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from remontada._api.common import (
    DEFAULT_MODEL,
    as_date,
    check_model,
    club_id,
    cutoff_warnings,
    using_store,
)
from remontada.errors import InvalidInput, NotRated

if TYPE_CHECKING:
    from remontada.grid import ScoreGrid
    from remontada.store.reader import Store


@dataclass(frozen=True, eq=False)
class MatchForecast:
    """One match after 90 minutes, as the model sees it on the morning of ``as_of``.

    Probabilities are in [0, 1]; ``expected_goals`` are goals per 90 minutes (home, away).
    ``competition`` (its name; it sets the home advantage) is the one given or, when none is, the
    stored fixture's on that date (``competition_source`` says which), so ``predict`` prices the
    same match as ``answer_tie`` and ``live``. ``grid`` is the full scoreline distribution.
    """

    home: str
    away: str
    home_id: str
    away_id: str
    as_of: dt.date
    model: str
    neutral: bool
    competition: str | None
    competition_id: str | None
    competition_source: str | None
    grid: ScoreGrid = field(repr=False)
    fit_matches: int = 0
    fit_latest: dt.date | None = None
    warnings: tuple[str, ...] = ()
    data_cutoff: dt.date | None = None

    @property
    def home_win(self) -> float:
        return self.grid.home_win

    @property
    def draw(self) -> float:
        return self.grid.draw

    @property
    def away_win(self) -> float:
        return self.grid.away_win

    @property
    def expected_goals(self) -> tuple[float, float]:
        """(home, away) expected goals per 90 minutes."""
        home, away = self.grid.expected_goals()
        return float(home), float(away)

    def to_dict(self, top: int = 5) -> dict[str, Any]:
        """JSON-able: what ``remontada predict --json`` prints (``top`` likeliest scores)."""
        return {
            "home": self.home,
            "away": self.away,
            "home_id": self.home_id,
            "away_id": self.away_id,
            "as_of": self.as_of.isoformat(),
            "model": self.model,
            "neutral": self.neutral,
            "competition": self.competition,
            "competition_id": self.competition_id,
            "competition_source": self.competition_source,
            "fit": {
                "matches": self.fit_matches,
                "latest_match": self.fit_latest.isoformat() if self.fit_latest else None,
            },
            **self.grid.to_dict(top=top),
            "warnings": list(self.warnings),
            "data_cutoff": self.data_cutoff.isoformat() if self.data_cutoff else None,
        }


def _second_leg_note(
    first_leg: tuple[int, int], first_host: str, second_host: str, expected: tuple[float, float]
) -> str:
    """Why ``tie`` and ``live`` price this match differently from ``predict``: the second-leg adjustment
    (``expected``: the model's expected goals of the second leg, host first)."""
    from remontada.ties.second_leg import packaged

    host, visitor = packaged().factors(first_leg, expected)
    return (
        f"this is the second leg of a tie (first leg {first_host} {first_leg[0]}-{first_leg[1]} {second_host}): "
        f"`tie` and `live` scale its expected goals for the first-leg score (x{host:.2f} {second_host}, "
        f"x{visitor:.2f} {first_host}; remontada.ties.second_leg); these are the strength model's own numbers"
    )


def predict(
    home: str,
    away: str,
    *,
    date: str | dt.date | None = None,
    competition: str | None = None,
    neutral: bool | None = None,
    model: str = DEFAULT_MODEL,
    store: Store | str | os.PathLike[str] | None = None,
) -> MatchForecast:
    """Forecast one match: 1X2, expected goals, the likeliest scores, over/under 2.5, both score.

    Parameters
    ----------
    home, away
        Clubs by name or id.
    date
        ISO date: the model knows only matches played before it (default: today).
    competition
        Name, id or abbreviation; it sets the home advantage (domestic or European). Default: the
        competition of the stored fixture ``home`` v ``away`` on ``date``, if there is one.
    neutral
        Neutral venue (no home advantage); default: the stored fixture's, else ``False``.
    model
        ``"dixon-coles"`` (default), ``"poisson"``, ``"bivariate"`` or ``"elo"``.
    store
        An open store, a path, or ``None`` for the user's store.

    Returns
    -------
    MatchForecast
        Probabilities in [0, 1], expected goals per 90 minutes; ``.grid`` is the ScoreGrid.
    """
    from remontada.competitions import display_name
    from remontada.forecast import Forecaster
    from remontada.inplay.live import find_live_match
    from remontada.ties.answer import fit_info

    model = check_model(model)
    day = as_date(date, "date") or dt.date.today()
    with using_store(store) as st:
        home_id, away_id = club_id(st, home, "home"), club_id(st, away, "away")
        if home_id == away_id:
            raise InvalidInput(f"{home!r} and {away!r} are the same club", field="away")
        comp = st.competition(competition).id if competition is not None else None
        source = "given" if comp is not None else None
        venue = neutral
        second_leg_after: tuple[int, int] | None = None
        if comp is None or venue is None:
            fixture = find_live_match(st, home_id, away_id, date=day, competition=comp)
            if fixture.first_leg is not None and fixture.rules is not None and fixture.rules.legs == 2:
                second_leg_after = fixture.first_leg
            if fixture.match_id is not None:
                if comp is None and fixture.competition is not None:
                    comp, source = fixture.competition, "stored fixture"
                if venue is None:
                    venue = fixture.neutral
        venue = bool(venue)
        forecaster = Forecaster(st, model)
        try:
            grid = forecaster.grid(home_id, away_id, day, neutral=venue, competition=comp)
        except KeyError as exc:
            reason = exc.args[0] if exc.args else exc
            raise NotRated(f"the {model} model as of {day} cannot rate this match: {reason}") from None
        notes: list[str] = []
        if second_leg_after is not None:
            names_ = st.club_name(away_id), st.club_name(home_id)
            notes.append(_second_leg_note(second_leg_after, *names_, grid.expected_goals()))
        fit = fit_info(forecaster, day)
        warnings, cutoff = cutoff_warnings(st, day)
        warnings = [*notes, *warnings]
        names = st.club_name(home_id), st.club_name(away_id)
    return MatchForecast(
        home=names[0], away=names[1], home_id=home_id, away_id=away_id, as_of=day, model=model, neutral=venue,
        competition=display_name(comp, day), competition_id=comp, competition_source=source, grid=grid,
        fit_matches=fit.matches, fit_latest=fit.latest_match, warnings=tuple(warnings), data_cutoff=cutoff,
    )  # fmt: skip


@dataclass(frozen=True)
class RatingsTable:
    """Club strengths on one scale across every league and UEFA competition, strongest first.

    Goal models give ``attack``/``defence`` (log-rate offsets) and ``overall`` (expected goal
    difference per 90 minutes against an average side); Elo gives ``elo`` points.
    """

    as_of: dt.date
    model: str
    competition: str | None
    rows: list[dict[str, Any]]
    warnings: tuple[str, ...] = ()
    data_cutoff: dt.date | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: what ``remontada ratings --json`` prints."""
        return {
            "as_of": self.as_of.isoformat(),
            "model": self.model,
            "competition": self.competition,
            "ratings": [dict(r) for r in self.rows],
            "warnings": list(self.warnings),
            "data_cutoff": self.data_cutoff.isoformat() if self.data_cutoff else None,
        }


def ratings(
    *,
    date: str | dt.date | None = None,
    competition: str | None = None,
    top: int = 20,
    model: str = DEFAULT_MODEL,
    store: Store | str | os.PathLike[str] | None = None,
) -> RatingsTable:
    """Club ratings as of the morning of ``date`` (default today).

    Parameters
    ----------
    date
        ISO date; the model knows only matches played before it.
    competition
        Only clubs that played this competition (name, id or abbreviation) in the year before ``date``.
    top
        How many clubs (1 or more).
    model
        ``"dixon-coles"`` (default), ``"poisson"``, ``"bivariate"`` or ``"elo"``.
    store
        An open store, a path, or ``None`` for the user's store.
    """
    import pandas as pd

    from remontada.competitions import display_name
    from remontada.forecast import Forecaster

    model = check_model(model)
    if not isinstance(top, int) or top < 1:
        raise InvalidInput(f"top is a number of clubs, 1 or more; got {top!r}", field="top")
    day = as_date(date, "date") or dt.date.today()
    with using_store(store) as st:
        comp = st.competition(competition) if competition is not None else None
        fitted = Forecaster(st, model).fitted(day)
        frame = _ratings_frame(fitted)
        if comp is not None:
            played = st.matches(competition=comp.id, start=day - dt.timedelta(days=365), end=day)
            frame = frame[frame["club_id"].isin(set(played["home_id"]) | set(played["away_id"]))]
        frame = frame.head(top).copy()
        frame.insert(0, "rank", range(1, len(frame) + 1))
        frame.insert(2, "club", [st.club_name(c) for c in frame["club_id"]])
        if "league" in frame:
            frame.insert(4, "league_name", [display_name(c) for c in frame["league"]])
        warnings, cutoff = cutoff_warnings(st, day, "the ratings")
    rows = [
        {k: (None if isinstance(v, float) and pd.isna(v) else (v.item() if hasattr(v, "item") else v))
         for k, v in r.items()}
        for r in frame.to_dict(orient="records")
    ]  # fmt: skip
    return RatingsTable(day, model, comp.name if comp is not None else None, rows, tuple(warnings), cutoff)


def _ratings_frame(fitted: Any) -> Any:
    """One row per club, strongest first: goal models give attack/defence/overall, Elo its points."""
    import pandas as pd

    if hasattr(fitted, "ratings") and not hasattr(fitted, "rating"):
        r = fitted.ratings()
        return pd.DataFrame({
            "club_id": r.team, "league": r.group, "overall": r.overall, "attack": r.attack, "defence": r.defence,
        })  # fmt: skip
    points = fitted.ratings()
    frame = pd.DataFrame({"club_id": list(points), "elo": list(points.values())})
    return frame.sort_values("elo", ascending=False, kind="stable").reset_index(drop=True)


@dataclass(frozen=True, eq=False)
class BacktestResult:
    """Walk-forward scores (RPS, log loss, Brier: lower is better) of every model on one league.

    ``summary`` has one row per forecaster on the matches every forecaster priced;
    ``partial_coverage`` the forecasters that priced only some matches, on those; ``raw`` the
    full :class:`~remontada.evaluation.backtest.WalkForwardResult` (probabilities, plots).
    """

    competition: str
    seasons: str
    summary: Any
    partial_coverage: dict[str, Any]
    notes: tuple[str, ...]
    raw: Any = field(repr=False)
    #: UEFA matches only: the same scores by ``competition``, ``stage``, ``scale`` (same league or not)
    #: and ``era`` (held out from 2016-17 or earlier), with the paired difference to Pinnacle.
    breakdowns: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from remontada._api.common import jsonable

        out = {
            "competition": self.competition,
            "seasons": self.seasons,
            "summary": jsonable(self.summary),
            "partial_coverage": jsonable(self.partial_coverage),
            "notes": list(self.notes),
        }
        if self.breakdowns:
            out["breakdowns"] = jsonable(self.breakdowns)
        return out

    def plot_calibration(self, path: str | os.PathLike[str], *, title: str = "") -> Any:
        """Write the reliability diagram of the summary's forecasters, on the summary's matches, as a PNG."""
        from pathlib import Path

        return self.raw.plot_calibration(Path(path), list(self.summary["forecaster"]), title=title)


def backtest(
    competition: str = "Premier League",
    *,
    seasons: str | None = None,
    penaltyblog: bool = True,
    step_days: int = 7,
    progress: bool = False,
    cache: bool = True,
    store: Store | str | os.PathLike[str] | None = None,
) -> BacktestResult:
    """Walk-forward RPS, log loss and Brier of every model, the closing odds and penaltyblog.

    On a UEFA competition (Champions League, Europa League, or both: ``"Champions League,Europa
    League"``) the forecasters are the joint Dixon-Coles as ``predict`` fits it, Elo, climatology and
    Pinnacle's OddsPortal prices, with breakdowns by competition, stage and whether the clubs share a
    league (:mod:`remontada.evaluation.uefa`).

    Parameters
    ----------
    competition
        League (name, id or abbreviation), e.g. ``"Premier League"`` or ``"EPL"``; or UEFA
        competitions, comma-separated.
    seasons
        Reported seasons ``"FIRST..LAST"`` (default ``2016-17..2022-23``; UEFA: ``2016-17..2019-20``,
        the held-out seasons with Pinnacle prices).
    penaltyblog
        Include penaltyblog's Dixon-Coles (slow: one fit a week; leagues only).
    step_days
        Refit every this many days.
    progress
        Print a progress bar.
    cache
        UEFA: keep the joint model's fits in the cache directory (as ``predict`` does).
    store
        An open store, a path, or ``None`` for the user's store.
    """
    import numpy as np

    from remontada.evaluation import suite

    if step_days < 1:
        raise InvalidInput(f"step_days is 1 or more, got {step_days}", field="step_days")
    with using_store(store) as st:
        named = [c.strip() for c in competition.split(",") if c.strip()]
        comps = [st.competition(c) for c in named] if len(named) > 1 else [st.competition(competition)]
        if any(c.kind == "uefa" for c in comps):
            return _uefa_backtest(st, [c.id for c in comps], seasons or "2016-17..2019-20", step_days=step_days,
                                  progress=progress, cache=cache)  # fmt: skip
        seasons = seasons or "2016-17..2022-23"
        try:
            result = suite.run(st, competition, seasons, penaltyblog=penaltyblog, step_days=step_days,
                               progress=progress)  # fmt: skip
        except ValueError as exc:
            raise InvalidInput(str(exc), field="seasons") from None
        except LookupError as exc:
            if isinstance(exc, InvalidInput | NotRated):
                raise
            raise InvalidInput(str(exc), field="competition") from None
    main = result.summary()
    partial = {
        name: result.summary(names=[name, *main["forecaster"]])
        for name, p in result.probs.items()
        if name not in set(main["forecaster"]) and np.isfinite(p).all(axis=1).any()
    }
    return BacktestResult(competition, seasons, main, partial, tuple(result.notes), result)


def _uefa_backtest(
    st: Store, ids: list[str], seasons: str, *, step_days: int, progress: bool, cache: bool
) -> BacktestResult:
    """The UEFA match backtest of :func:`backtest`."""
    from remontada.evaluation import suite, uefa
    from remontada.paths import user_cache_dir

    if any(c not in uefa.UEFA_COMPETITIONS for c in ids):
        names = ", ".join(st.competition(c).name for c in uefa.UEFA_COMPETITIONS)
        raise InvalidInput(f"the UEFA match backtest covers {names} (the seasons OddsPortal prices), "
                           f"not {', '.join(ids)}", field="competition")  # fmt: skip
    first, last = suite.season_range(seasons)
    priced_first, priced_last = uefa.PRICED_SEASONS
    if last < priced_first or first > priced_last:
        raise InvalidInput(f"no season of {seasons} has Pinnacle's prices (OddsPortal covers {priced_first}.."
                           f"{priced_last})", field="seasons")  # fmt: skip
    try:
        result = uefa.run(st, ids, seasons, step_days=step_days, progress=progress,
                          cache_dir=user_cache_dir() / "models" if cache else None)  # fmt: skip
    except ValueError as exc:
        raise InvalidInput(str(exc), field="seasons") from None
    if not result.common().any():
        first, last = uefa.PRICED_SEASONS
        raise InvalidInput(f"no match of {seasons} has Pinnacle's prices (OddsPortal covers {first}..{last})",
                           field="seasons")  # fmt: skip
    label = ",".join(st.competition(c).name for c in ids)
    return BacktestResult(label, seasons, result.summary(), {}, tuple(result.result.notes), result.result,
                          result.breakdowns())  # fmt: skip


@dataclass(frozen=True, eq=False)
class TieBacktestResult:
    """Walk-forward calibration of "goes through" on two-legged UEFA ties (Brier, log loss,
    reliability with ``bins`` bins); ``raw`` is the :class:`~remontada.ties.backtest.TieBacktest`."""

    bins: int
    raw: Any = field(repr=False)

    def to_dict(self) -> dict[str, Any]:
        from remontada._api.common import jsonable

        return jsonable(self.raw.to_dict(self.bins))  # type: ignore[no-any-return]


def backtest_ties(
    *,
    since: str | int = "2011-12",
    until: str | int | None = None,
    competition: str | list[str] | None = None,
    model: str = DEFAULT_MODEL,
    bins: int = 10,
    cache: bool = False,
    progress: bool = False,
    stages: Sequence[str] | None = None,
    weekly: bool = False,
    dask: str | None = None,
    market: bool = True,
    store: Store | str | os.PathLike[str] | None = None,
) -> TieBacktestResult:
    """Walk-forward calibration of "goes through" on every two-legged UEFA knockout tie: the model
    before the tie and between the legs (also with the second-leg adjustment), against the base rate
    of the first-leg margin and venue and, where the legs are priced (2004-05..2019-20), the market.

    Parameters
    ----------
    since, until
        First and last season of ties to forecast.
    competition
        Competitions to forecast (names, ids or abbreviations; default CL, EL, ECL).
    model
        Strength model.
    bins
        Bins of the reliability table (2 to 50).
    cache
        Keep the fitted models in the cache directory.
    stages
        Stages to forecast: ``knockout``, ``playoff``, ``qualifying`` (default: the first two).
    weekly
        Refit once a week (Mondays) instead of on every forecast date.
    dask
        Run the refits on a Dask scheduler (``tcp://host:8786``) or a local cluster (``"local"``);
        the forecasts are the same as in one process.
    market
        Add the market's forecast where the legs are priced.
    """
    from remontada.ties.backtest import TARGET_STAGES, run_tie_backtest

    model = check_model(model)
    if not 2 <= bins <= 50:
        raise InvalidInput(f"bins is 2 to 50, got {bins}", field="bins")
    names = [competition] if isinstance(competition, str) else competition
    with using_store(store) as st:
        ids = [st.competition(c).id for c in names] if names else None
        kwargs: dict[str, Any] = {"competitions": ids, "history_competitions": ids} if ids else {}
        client = None
        if dask is not None:
            from remontada.simulate.distributed import connect

            client = connect(dask)
        try:
            result = run_tie_backtest(
                st, model=model, since=since, until=until, cache_dir=True if cache else None,
                progress=progress and client is None, stages=tuple(stages) if stages else TARGET_STAGES,
                step_days=7 if weekly else 1, client=client, market=market, **kwargs,
            )  # fmt: skip
        except ValueError as exc:
            raise InvalidInput(str(exc), field="since") from None
        finally:
            if client is not None:
                client.close()
    if not len(result.ties):
        raise InvalidInput("no two-legged ties to forecast in that selection", field="since")
    return TieBacktestResult(bins, result)
