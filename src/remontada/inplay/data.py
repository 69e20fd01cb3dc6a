"""The evidence the in-play model is estimated from, pulled out of the store as numpy arrays.

Four kinds of match records, each with the two sides' pre-match expected goals per 90 minutes
(``home_rate``, ``away_rate``) so that team strength is known before any in-play effect is fitted:

* :class:`GoalTimes` — matches whose every goal has a minute (martj42 ``goalscorers.csv`` for
  national teams, a few Football.TXT files). Minutes are whole minutes as the sources write them:
  goals in first-half added time are recorded as 45, in second-half added time as 90. Pre-match
  rates come from a walk-forward Elo rating (:func:`elo_rates`).
* :class:`HalfTimes` — football-data.co.uk league matches with half-time and full-time scores,
  red-card counts and bookmaker odds; pre-match rates are read off the odds
  (:func:`rates_from_odds`), the sharpest pre-match strength measure in the mirror.
* :class:`ExtraTimes` — matches that went to extra time (90-minute and after-extra-time scores);
  pre-match rates from the same Elo rating.
* :class:`EventTimes` — club league matches with the minute of every goal and red card (the
  ``match-events`` source, added time kept apart), pre-match rates from the odds: what the
  packaged parameters are estimated from (:mod:`remontada.inplay.minutes`).

Nothing here estimates an in-play effect; :mod:`remontada.inplay.minutes` (and, for the earlier
fit from half-time scores, :mod:`remontada.inplay.fit`) does.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, spatial

from remontada.kernels import poisson_pmf
from remontada.odds import remove_margin
from remontada.store.inplay import (
    event_match_frames,
    extra_time_frame,
    goal_timing_frame,
    half_time_frames,
    national_club_ids,
    regulation_goal_minutes,
)
from remontada.store.reader import Store


def _select(obj: Any, mask: np.ndarray) -> Any:
    return type(obj)(**{f.name: getattr(obj, f.name)[mask] for f in fields(obj)})


@dataclass(frozen=True, eq=False)
class HalfTimes:
    """League matches with half-time and 90-minute scores and pre-match expected goals.

    ``home_red``/``away_red`` count sending-offs in the match (-1 where the source has no count).
    ``season`` is the store's season label (``"2023-24"``); ``date`` is ``datetime64[D]``.
    """

    match_id: np.ndarray
    date: np.ndarray
    season: np.ndarray
    competition: np.ndarray
    home_rate: np.ndarray
    away_rate: np.ndarray
    ht_home: np.ndarray
    ht_away: np.ndarray
    ft_home: np.ndarray
    ft_away: np.ndarray
    home_red: np.ndarray
    away_red: np.ndarray

    def __len__(self) -> int:
        return len(self.match_id)

    def select(self, mask: np.ndarray) -> HalfTimes:
        return _select(self, mask)

    def season_start(self) -> np.ndarray:
        """Start year of each match's season (``"2023-24"`` -> 2023)."""
        return np.array([int(str(s)[:4]) for s in self.season])


@dataclass(frozen=True, eq=False)
class GoalTimes:
    """Matches with the minute of every goal, as flat arrays.

    Match arrays (length n): ``home_rate``/``away_rate`` are pre-match expected goals per 90
    minutes, ``home_goals``/``away_goals`` the 90-minute score, ``year`` the calendar year.
    Goal arrays (length g): ``goal_match`` indexes the match, ``goal_home`` is True for a home
    goal (own goals count for the side credited), ``goal_minute`` is the minute 1-90 (45 and 90
    include added time).
    """

    match_id: np.ndarray
    year: np.ndarray
    home_rate: np.ndarray
    away_rate: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray
    goal_match: np.ndarray
    goal_home: np.ndarray
    goal_minute: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.match_id)
        for name in ("year", "home_rate", "away_rate", "home_goals", "away_goals"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"GoalTimes.{name} has {len(getattr(self, name))} entries, expected {n}")
        g = len(self.goal_match)
        if len(self.goal_home) != g or len(self.goal_minute) != g:
            raise ValueError("GoalTimes goal arrays must have equal lengths")
        if g and (self.goal_match.min() < 0 or self.goal_match.max() >= n):
            raise ValueError("GoalTimes.goal_match points outside the match arrays")
        if g and (self.goal_minute.min() < 1 or self.goal_minute.max() > 90):
            raise ValueError("GoalTimes.goal_minute must be within 1..90 (added time folded into 45 and 90)")
        home = np.bincount(self.goal_match[self.goal_home], minlength=n)
        away = np.bincount(self.goal_match[~self.goal_home], minlength=n)
        if (home != self.home_goals).any() or (away != self.away_goals).any():
            raise ValueError("GoalTimes goals do not add up to the 90-minute scores")

    def __len__(self) -> int:
        return len(self.match_id)

    def select(self, mask: np.ndarray) -> GoalTimes:
        """The matches where ``mask`` (boolean, per match) holds, with their goals."""
        keep = np.asarray(mask, dtype=bool)
        new_index = np.cumsum(keep) - 1
        goal_keep = keep[self.goal_match]
        return GoalTimes(
            match_id=self.match_id[keep],
            year=self.year[keep],
            home_rate=self.home_rate[keep],
            away_rate=self.away_rate[keep],
            home_goals=self.home_goals[keep],
            away_goals=self.away_goals[keep],
            goal_match=new_index[self.goal_match[goal_keep]],
            goal_home=self.goal_home[goal_keep],
            goal_minute=self.goal_minute[goal_keep],
        )


@dataclass(frozen=True, eq=False)
class ExtraTimes:
    """Matches that went to extra time: 90-minute score, goals in the 30 minutes of extra time,
    and pre-match expected goals per 90 minutes."""

    match_id: np.ndarray
    home_rate: np.ndarray
    away_rate: np.ndarray
    ft_home: np.ndarray
    ft_away: np.ndarray
    et_home: np.ndarray
    et_away: np.ndarray

    def __len__(self) -> int:
        return len(self.match_id)

    def select(self, mask: np.ndarray) -> ExtraTimes:
        return _select(self, mask)


# ---- pre-match rates from odds -----------------------------------------------------------------

_RATE_GRID = np.arange(0.05, 5.0001, 0.025)
_MAX_GOALS = 16


@dataclass(frozen=True, slots=True)
class _RateTable:
    home: np.ndarray
    away: np.ndarray
    features: np.ndarray  # (cells, 3): P(home win), P(away win), P(over 2.5)
    tree3: spatial.cKDTree
    tree2: spatial.cKDTree


_TABLE: list[_RateTable] = []


def _rate_table() -> _RateTable:
    if not _TABLE:
        home, away = (a.ravel() for a in np.meshgrid(_RATE_GRID, _RATE_GRID, indexing="ij"))
        goals = np.arange(_MAX_GOALS)
        pmf_h = poisson_pmf(goals, home[:, None])
        pmf_a = poisson_pmf(goals, away[:, None])
        cdf_a = np.cumsum(pmf_a, axis=1)
        p_home = (pmf_h[:, 1:] * cdf_a[:, :-1]).sum(axis=1)  # P(home = k) P(away <= k - 1)
        cdf_h = np.cumsum(pmf_h, axis=1)
        p_away = (pmf_a[:, 1:] * cdf_h[:, :-1]).sum(axis=1)
        total = np.exp(-(home + away))
        lam = home + away
        p_under = total * (1.0 + lam + lam**2 / 2.0)  # total goals ~ Poisson(home + away)
        features = np.column_stack([p_home, p_away, 1.0 - p_under])
        _TABLE.append(_RateTable(home, away, features, spatial.cKDTree(features), spatial.cKDTree(features[:, :2])))
    return _TABLE[0]


def rates_from_odds(odds_1x2: np.ndarray, odds_over_under: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Pre-match expected goals per 90 minutes (home, away) implied by bookmaker prices.

    ``odds_1x2`` is ``(n, 3)`` decimal prices home/draw/away; ``odds_over_under`` ``(n, 2)``
    prices over/under 2.5 goals (NaN rows where unknown). The margin is removed with Shin's
    method; the rates are the independent-Poisson pair whose P(home win), P(away win) and
    P(over 2.5) are nearest (least squares) to the de-margined probabilities, on a 0.025-goal
    grid from 0.05 to 5. Rows without a full 1X2 market come back NaN.
    """
    odds = np.asarray(odds_1x2, dtype=float)
    n = len(odds)
    home = np.full(n, np.nan)
    away = np.full(n, np.nan)
    have_1x2 = np.isfinite(odds).all(axis=1) & (odds > 1.0).all(axis=1)
    if not have_1x2.any():
        return home, away
    probs = remove_margin(odds[have_1x2], "shin")
    table = _rate_table()
    over = np.full(int(have_1x2.sum()), np.nan)
    if odds_over_under is not None:
        ou = np.asarray(odds_over_under, dtype=float)[have_1x2]
        ok = np.isfinite(ou).all(axis=1) & (ou > 1.0).all(axis=1)
        if ok.any():
            over[ok] = remove_margin(ou[ok], "shin")[:, 0]
    with_total = np.isfinite(over)
    index = np.empty(len(over), dtype=np.int64)
    if with_total.any():
        _, index[with_total] = table.tree3.query(
            np.column_stack([probs[with_total, 0], probs[with_total, 2], over[with_total]])
        )
    if (~with_total).any():
        _, index[~with_total] = table.tree2.query(probs[~with_total][:, [0, 2]])
    home[have_1x2] = table.home[index]
    away[have_1x2] = table.away[index]
    return home, away


# ---- store queries -----------------------------------------------------------------------------


def half_times_from_store(store: Store, *, competitions: list[str] | None = None) -> HalfTimes:
    """Played league matches with half-time score, 90-minute score and 1X2 odds, oldest first."""
    frame, one_x_two, over_under = half_time_frames(store, competitions)
    frame = frame.merge(one_x_two, on="match_id", how="inner")
    frame = frame.merge(
        over_under.rename(columns={"price1": "over", "price2": "under"})[["match_id", "over", "under"]],
        on="match_id",
        how="left",
    )
    home_rate, away_rate = rates_from_odds(
        frame[["price1", "price2", "price3"]].to_numpy(dtype=float),
        frame[["over", "under"]].to_numpy(dtype=float),
    )
    keep = np.isfinite(home_rate)
    # a home side can never have fewer goals at full time than at half time; drop broken rows
    keep &= (frame["home_goals"].to_numpy() >= frame["ht_home"].to_numpy()) & (
        frame["away_goals"].to_numpy() >= frame["ht_away"].to_numpy()
    )
    frame = frame[keep]
    return HalfTimes(
        match_id=frame["match_id"].to_numpy(np.int64),
        date=frame["date"].to_numpy(dtype="datetime64[D]"),
        season=frame["season"].to_numpy(dtype=object),
        competition=frame["competition_id"].to_numpy(dtype=object),
        home_rate=home_rate[keep],
        away_rate=away_rate[keep],
        ht_home=frame["ht_home"].to_numpy(np.int64),
        ht_away=frame["ht_away"].to_numpy(np.int64),
        ft_home=frame["home_goals"].to_numpy(np.int64),
        ft_away=frame["away_goals"].to_numpy(np.int64),
        home_red=frame["home_red"].to_numpy(np.int64),
        away_red=frame["away_red"].to_numpy(np.int64),
    )


# ---- pre-match rates from a walk-forward Elo ---------------------------------------------------


def _fit_rate_map(x: np.ndarray, home_flag: np.ndarray, group: np.ndarray, hg: np.ndarray, ag: np.ndarray) -> Any:
    """Poisson regression ``log rate = level[group] +/- tilt * home_flag / 2 +/- slope * x`` for both sides."""
    n_groups = int(group.max()) + 1

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        level, tilt, home_slope, away_slope = theta[:n_groups], theta[-3], theta[-2], theta[-1]
        eta_h = level[group] + tilt * home_flag / 2 + home_slope * x
        eta_a = level[group] - tilt * home_flag / 2 - away_slope * x
        return eta_h, eta_a

    def loss(theta: np.ndarray) -> tuple[float, np.ndarray]:
        eta_h, eta_a = unpack(theta)
        mu_h, mu_a = np.exp(eta_h), np.exp(eta_a)
        rh, ra = mu_h - hg, mu_a - ag  # d(-loglik)/d eta
        grad = np.concatenate(
            [
                np.bincount(group, weights=rh + ra, minlength=n_groups),
                [(rh - ra) @ home_flag / 2, rh @ x, -(ra @ x)],
            ]
        )
        return float((mu_h - hg * eta_h).sum() + (mu_a - ag * eta_a).sum()), grad

    start = np.concatenate([np.full(n_groups, np.log(max(1e-3, (hg.mean() + ag.mean()) / 2))), [0.3, 0.8, 0.8]])
    result = optimize.minimize(loss, start, jac=True, method="L-BFGS-B")
    return unpack(result.x)


def elo_rates(store: Store, *, national: bool | None = None) -> pd.DataFrame:
    """Walk-forward pre-match expected goals for played matches: ``match_id, home_rate, away_rate``.

    Every match gets the Elo ratings of its two sides before it was played
    (:class:`remontada.models.elo.Elo` over the store's matches in date order), mapped to goals
    per 90 minutes by a Poisson regression on the rating difference with a goal level per decade
    (fitted on the same matches: a handful of parameters). ``national`` restricts the pool to
    national teams (True) or clubs (False); ``None`` rates both, in separate pools.
    """
    from remontada.models.elo import Elo

    frames = []
    everything = store.match_set(clubs_only=False)
    national_ids = national_club_ids(store)
    home_is_national = np.array([h in national_ids for h in everything.home], dtype=bool)
    for is_national in (True, False) if national is None else (national,):
        matches = everything.select(home_is_national == is_national)
        if not len(matches):
            continue
        elo = Elo().fit(matches)
        log = elo.match_log()
        home_flag = (~matches.neutral).astype(float)
        x = (log["home_before"] - log["away_before"] + elo.home_advantage * home_flag) / 400.0
        decade = matches.date.astype("datetime64[Y]").astype(int) // 10
        group = decade - decade.min()
        eta_h, eta_a = _fit_rate_map(
            x, home_flag, group, matches.home_goals.astype(float), matches.away_goals.astype(float)
        )
        frames.append(
            pd.DataFrame({"match_id": matches.match_id, "home_rate": np.exp(eta_h), "away_rate": np.exp(eta_a)})
        )
    if not frames:
        return pd.DataFrame({"match_id": np.zeros(0, np.int64), "home_rate": [], "away_rate": []})
    return pd.concat(frames, ignore_index=True)


def goal_times_from_store(store: Store, rates: pd.DataFrame, *, min_coverage: float = 0.95) -> GoalTimes:
    """Matches with the minute of every 90-minute goal, with pre-match ``rates`` (see :func:`elo_rates`).

    A source of goal minutes covers some competitions and seasons only, and a goalless draw
    leaves no trace in it; so goalless draws are taken from the (competition, season) cells in
    which at least ``min_coverage`` of the matches with goals have every goal timed.
    """
    frame = goal_timing_frame(store)
    scoring = frame[(frame["home_goals"] + frame["away_goals"]) > 0]
    coverage = scoring.groupby(["competition_id", "season"])["complete"].mean()
    covered = coverage[coverage >= min_coverage].index
    cell = pd.MultiIndex.from_frame(frame[["competition_id", "season"]])
    goalless = (frame["home_goals"] + frame["away_goals"] == 0).to_numpy()
    keep = frame["complete"].to_numpy() | (goalless & cell.isin(covered))
    frame = frame[keep].merge(rates, on="match_id", how="inner").sort_values(["date", "match_id"])
    goals = regulation_goal_minutes(store)
    index = pd.Series(np.arange(len(frame)), index=frame["match_id"].to_numpy())
    goals = goals[goals["match_id"].isin(index.index)]
    return GoalTimes(
        match_id=frame["match_id"].to_numpy(np.int64),
        year=frame["date"].to_numpy(dtype="datetime64[Y]").astype(int) + 1970,
        home_rate=frame["home_rate"].to_numpy(float),
        away_rate=frame["away_rate"].to_numpy(float),
        home_goals=frame["home_goals"].to_numpy(np.int64),
        away_goals=frame["away_goals"].to_numpy(np.int64),
        goal_match=index.loc[goals["match_id"].to_numpy()].to_numpy(np.int64),
        goal_home=(goals["side"] == "home").to_numpy(),
        goal_minute=goals["minute"].to_numpy(np.int64),
    )


def extra_times_from_store(store: Store, rates: pd.DataFrame) -> ExtraTimes:
    """Matches with both a 90-minute and an after-extra-time score, with pre-match ``rates``."""
    frame = extra_time_frame(store).merge(rates, on="match_id", how="inner")
    return ExtraTimes(
        match_id=frame["match_id"].to_numpy(np.int64),
        home_rate=frame["home_rate"].to_numpy(float),
        away_rate=frame["away_rate"].to_numpy(float),
        ft_home=frame["home_goals"].to_numpy(np.int64),
        ft_away=frame["away_goals"].to_numpy(np.int64),
        et_home=(frame["aet_home"] - frame["home_goals"]).to_numpy(np.int64),
        et_away=(frame["aet_away"] - frame["away_goals"]).to_numpy(np.int64),
    )


# ---- minute-by-minute events of club matches ------------------------------------------------------

#: Cells of a match's clock in the event evidence: minutes 1-45, first-half added time, minutes
#: 46-90, second-half added time.
N_CELLS = 92
FIRST_ADDED_CELL = 45
SECOND_ADDED_CELL = 91


@dataclass(frozen=True, eq=False)
class EventTimes:
    """League matches with the minute of every goal and red card, and pre-match expected goals.

    Match arrays (length n): ``home_rate``/``away_rate`` (goals per 90 minutes, from the odds),
    ``home_goals``/``away_goals`` (the final score, added time included), ``season_start``
    (2019 for 2019-20), ``competition``. Event arrays (length e), in playing order within each
    match: ``event_match`` (index of the match), ``event_home`` (the event belongs to the home
    side: for a goal, the side credited), ``event_red`` (a red card; otherwise a goal),
    ``event_cell`` (0-44 minutes 1-45, 45 first-half added time, 46-90 minutes 46-90, 91
    second-half added time: see :func:`event_cell`).
    """

    match_id: np.ndarray
    season_start: np.ndarray
    competition: np.ndarray
    home_rate: np.ndarray
    away_rate: np.ndarray
    home_goals: np.ndarray
    away_goals: np.ndarray
    event_match: np.ndarray
    event_home: np.ndarray
    event_red: np.ndarray
    event_cell: np.ndarray

    def __post_init__(self) -> None:
        n = len(self.match_id)
        for name in ("season_start", "competition", "home_rate", "away_rate", "home_goals", "away_goals"):
            if len(getattr(self, name)) != n:
                raise ValueError(f"EventTimes.{name} has {len(getattr(self, name))} entries, expected {n}")
        e = len(self.event_match)
        if any(len(getattr(self, k)) != e for k in ("event_home", "event_red", "event_cell")):
            raise ValueError("EventTimes event arrays must have equal lengths")
        if e and (self.event_match.min() < 0 or self.event_match.max() >= n):
            raise ValueError("EventTimes.event_match points outside the match arrays")
        if e and (self.event_cell.min() < 0 or self.event_cell.max() >= N_CELLS):
            raise ValueError(f"EventTimes.event_cell must be within 0..{N_CELLS - 1}")
        goals = ~self.event_red
        home = np.bincount(self.event_match[goals & self.event_home], minlength=n)
        away = np.bincount(self.event_match[goals & ~self.event_home], minlength=n)
        if (home != self.home_goals).any() or (away != self.away_goals).any():
            raise ValueError("EventTimes goals do not add up to the final scores")

    def __len__(self) -> int:
        return len(self.match_id)

    def select(self, mask: np.ndarray) -> EventTimes:
        """The matches where ``mask`` (boolean, per match) holds, with their events."""
        keep = np.asarray(mask, dtype=bool)
        new_index = np.cumsum(keep) - 1
        event_keep = keep[self.event_match]
        return EventTimes(
            **{k: getattr(self, k)[keep] for k in ("match_id", "season_start", "competition", "home_rate",
                                                   "away_rate", "home_goals", "away_goals")},
            event_match=new_index[self.event_match[event_keep]],
            event_home=self.event_home[event_keep],
            event_red=self.event_red[event_keep],
            event_cell=self.event_cell[event_keep],
        )  # fmt: skip


def event_cell(minute: np.ndarray, added: np.ndarray) -> np.ndarray:
    """Clock cell of events at ``minute`` (1-90) with ``added`` minutes (0 or NaN when none).

    ``45+2`` is first-half added time (cell 45), ``90+3`` second-half added time (cell 91); minute
    ``m`` of the first half is cell ``m - 1``, of the second half cell ``m``.
    """
    minute = np.asarray(minute, dtype=np.int64)
    in_added = np.nan_to_num(np.asarray(added, dtype=float)) > 0
    cell = np.where(minute <= 45, minute - 1, minute)
    cell = np.where(in_added & (minute == 45), FIRST_ADDED_CELL, cell)
    return np.where(in_added & (minute == 90), SECOND_ADDED_CELL, cell)


def event_times_from_store(store: Store) -> EventTimes:
    """Complete event lists (see :meth:`Store.event_matches`) of matches with 1X2 odds, oldest first.

    Pre-match rates come from the odds as in :func:`half_times_from_store`. Lists with an event
    after minute 90 plus added time are not complete, so every event here falls in a cell.
    """
    frame, one_x_two, over_under = event_match_frames(store)
    frame = frame.merge(one_x_two, on="match_id", how="inner").merge(
        over_under.rename(columns={"price1": "over", "price2": "under"})[["match_id", "over", "under"]],
        on="match_id",
        how="left",
    )
    home_rate, away_rate = rates_from_odds(
        frame[["price1", "price2", "price3"]].to_numpy(dtype=float), frame[["over", "under"]].to_numpy(dtype=float)
    )
    frame = frame.assign(home_rate=home_rate, away_rate=away_rate)[np.isfinite(home_rate)]
    frame = frame.sort_values(["date", "match_id"], kind="stable", ignore_index=True)
    events = store.match_events(["goal", "own_goal", "penalty_goal", "red_card"])
    index = pd.Series(np.arange(len(frame)), index=frame["match_id"].to_numpy())
    events = events[events["match_id"].isin(index.index)]
    return EventTimes(
        match_id=frame["match_id"].to_numpy(np.int64),
        season_start=np.array([int(str(s)[:4]) for s in frame["season"]], dtype=np.int64),
        competition=frame["competition_id"].to_numpy(dtype=object),
        home_rate=frame["home_rate"].to_numpy(float),
        away_rate=frame["away_rate"].to_numpy(float),
        home_goals=frame["home_goals"].to_numpy(np.int64),
        away_goals=frame["away_goals"].to_numpy(np.int64),
        event_match=index.loc[events["match_id"].to_numpy()].to_numpy(np.int64),
        event_home=(events["side"] == "home").to_numpy(),
        event_red=(events["kind"] == "red_card").to_numpy(),
        event_cell=event_cell(events["minute"].to_numpy(), events["added"].to_numpy(dtype=float)),
    )
