"""Held-out check of the in-play model at fixed minutes of club matches with every goal's minute.

At each checkpoint (15', 30', half-time, 60', 75', 85') every held-out match is in a known state
(score and red cards so far, from its event list); each model forecasts the final result from
there (pre-match rates from the odds, no further red card), and the forecasts are scored:

* log loss of the final result (home win / draw / away win) at each checkpoint;
* ECE (expected calibration error, 10 bins) of the three result probabilities pooled;
* by checkpoint and score with enough matches: predicted against observed frequencies, with
  the observed frequencies' 95% Wilson intervals;
* the side one goal behind: how often it avoided defeat, predicted and observed (95% interval).

One backward pass of the chain from kick-off (:meth:`GoalChain.backward`) gives the chance of
each final result from every score at every minute, so a match costs nothing once its group of
pre-match rates (binned to ``rate_step`` goals, each group at its mean rates), season (the
added time of its season: :meth:`InplayParams.for_season`) and red cards has been solved.

The match so far is known at a checkpoint (the minute of its last goal and who scored it), so
with parameters that have history effects (:class:`InplayParams`' ``settled_lead``, ``lull``,
...) the state a match is in scores at rates of its own until the next goal: one pass through
the steps from the checkpoint per match (:func:`_with_history`) takes the chance of staying in it
and, at every step, of leaving it, into the backward pass's values of the cells it leads to;
exactly the chain :meth:`InplayModel.chain` builds with a :class:`GoalHistory`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from remontada.evaluation.scoring import CalibrationTable, calibration_table, log_loss_per_match
from remontada.inplay.data import FIRST_ADDED_CELL, EventTimes
from remontada.inplay.fit import rate_groups
from remontada.inplay.model import (
    GoalChain,
    GoalHistory,
    InplayModel,
    InplayParams,
    MatchClock,
    clock_position,
    history_effects,
    poisson_step,
    regular_steps,
    stack_chains,
)
from remontada.stats import wilson_interval

#: The checkpoints, as the clock shows them ("HT": the first half with its added time is over).
CHECKPOINTS: tuple[str, ...] = ("15", "30", "HT", "60", "75", "85")
_SHAPE = (13, 13)


def _cell_limit(checkpoint: str) -> int:
    """Events in cells below this have happened at the checkpoint."""
    if checkpoint == "HT":
        return FIRST_ADDED_CELL + 1
    minute = int(checkpoint)
    return minute if minute < 45 else minute + 1


def states(data: EventTimes, checkpoint: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(home goals, away goals, home reds, away reds)`` of every match at ``checkpoint``."""
    before = data.event_cell < _cell_limit(checkpoint)
    n = len(data)
    out = []
    for red in (False, True):
        for home in (True, False):
            pick = before & (data.event_red == red) & (data.event_home == home)
            out.append(np.bincount(data.event_match[pick], minlength=n))
    return out[0], out[1], out[2], out[3]


def last_goals(data: EventTimes, checkpoint: str) -> tuple[np.ndarray, np.ndarray]:
    """``(cell, scored_last)`` of every match's last goal before ``checkpoint`` (cell -1 and 0: none;
    +1 the home side scored it, -1 the away side; the away side when both scored in its cell)."""
    n = len(data)
    pick = ~data.event_red & (data.event_cell < _cell_limit(checkpoint))
    cell = np.full(n, -1, dtype=np.int64)
    np.maximum.at(cell, data.event_match[pick], data.event_cell[pick])
    scorer = np.zeros(n, dtype=np.int64)
    last = pick & (data.event_cell == cell[data.event_match])
    scorer[data.event_match[last & data.event_home]] = 1
    scorer[data.event_match[last & ~data.event_home]] = -1
    return cell, scorer


def history_at(data: EventTimes, checkpoint: str, match: int) -> GoalHistory:
    """The last goal of match ``match`` (an index into ``data``) before ``checkpoint``, as a
    :class:`GoalHistory` for :meth:`InplayModel.chain` (first-half added time: ``45+1``)."""
    cells, scorers = last_goals(data, checkpoint)
    cell = int(cells[match])
    if cell < 0:
        return GoalHistory()
    minute = MatchClock(45.0, 1.0) if cell == FIRST_ADDED_CELL else MatchClock(float(cell + 1 if cell < 45 else cell))
    return GoalHistory(minute, bool(scorers[match] == 1))


def _goal_at(params: InplayParams, cell: np.ndarray) -> np.ndarray:
    """End of a goal's minute on the extended clock (as :func:`remontada.inplay.model.goal_position`)."""
    first_added = params.first_half_added
    return np.where(cell < 0, -np.inf, np.where(cell < FIRST_ADDED_CELL, cell + 1.0, cell + first_added))


def has_history(params: InplayParams) -> bool:
    """Whether ``params`` have any history effect (otherwise the match so far changes nothing)."""
    return any(params.settled_lead) or any(params.settled_lead_late) or any(
        (params.lull, params.momentum, params.deficit_age)
    )


def _with_history(
    params: InplayParams,
    chain: GoalChain,
    values: np.ndarray,
    entries: dict[str, np.ndarray],
) -> np.ndarray:
    """P(home win, draw) of matches whose state has rates of its own until the next goal.

    ``chain``: the batch's stacked chains from kick-off (tables ``(steps, chains, 1, cells)``);
    ``values``: their backward values ``(boundaries, chains, 2, rows, cols)``; ``entries``: per
    match and checkpoint ``chain`` (index), ``i``/``j`` (score), ``boundary`` (where the
    checkpoint is), ``goal_at`` (end of the last goal's minute, -inf none) and ``scored_last``.
    """
    cols = chain.shape[1]
    b, i, j, start = entries["chain"], entries["i"], entries["j"], entries["boundary"]
    n_steps = chain.n_steps
    steps_start, _, _ = regular_steps(params)
    period = _regular_period(params)
    lead = i - j
    elapsed = steps_start[None, :] - entries["goal_at"][:, None]
    more_home = history_effects(params, period, lead, elapsed, entries["scored_last"])
    more_away = history_effects(params, period, -lead, elapsed, -entries["scored_last"])
    origin = i * cols + j
    stay = np.ones(len(b))
    acc = np.zeros((len(b), 2))
    for k in range(int(start.min()), n_steps):
        active = k >= start
        e_home = -np.log(chain.home[0][k, b, 0, origin]) * np.exp(more_home[:, k])
        e_away = -np.log(chain.away[0][k, b, 0, origin]) * np.exp(more_away[:, k])
        h0, h1, h2 = poisson_step(e_home)
        a0, a1, a2 = poisson_step(e_away)
        after = values[k + 1]
        leave = h0[:, None] * (a1[:, None] * after[b, :, i, j + 1] + a2[:, None] * after[b, :, i, j + 2])
        for m, hm in ((1, h1), (2, h2)):
            cell = (i + m) * cols + j
            away_there = sum(chain.away[n][k, b, 0, cell][:, None] * after[b, :, i + m, j + n] for n in range(3))
            leave += hm[:, None] * away_there
        acc += np.where(active, stay, 0.0)[:, None] * leave
        stay = np.where(active, stay * h0 * a0, stay)
    return acc + stay[:, None] * values[n_steps][b, :, i, j]


def _regular_period(params: InplayParams) -> np.ndarray:
    """Period of each regular step (0 first half, 1 second half, 2 its added time)."""
    _, duration, _ = regular_steps(params)
    first = 45 + int(np.ceil(params.first_half_added - 1e-9))
    return np.where(np.arange(len(duration)) < first, 0, 1)


def _boundary(params: InplayParams, checkpoint: str) -> int:
    """Index of the chain boundary (from kick-off) at ``checkpoint``."""
    _, duration, _ = regular_steps(params)
    ends = np.concatenate([[0.0], np.cumsum(duration)])
    return int(np.argmin(np.abs(ends - clock_position(params, MatchClock.parse(checkpoint)))))


def forecasts(
    params: InplayParams,
    data: EventTimes,
    checkpoints: tuple[str, ...] = CHECKPOINTS,
    *,
    rate_step: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
    chunk: int = 128,
    history: bool = True,
) -> np.ndarray:
    """``(matches, checkpoints, 3)`` P(home win, draw, away win) at full time from each checkpoint.

    ``history``: use each match's last goal before the checkpoint when ``params`` have history
    effects (:func:`has_history`); otherwise every state scores at its average rates.
    """
    n = len(data)
    at = [states(data, c) for c in checkpoints]
    known = [last_goals(data, c) for c in checkpoints] if history and has_history(params) else None
    seasons = sorted({int(s) for s in data.season_start})
    models = {s: InplayModel(params.for_season(s)) for s in seasons}
    bounds = {s: [_boundary(m.params, c) for c in checkpoints] for s, m in models.items()}
    group, home_rate, away_rate = rate_groups(data.home_rate, data.away_rate, rate_step, data.season_start)
    n_groups = len(home_rate)
    more_home, more_away = np.indices(_SHAPE)
    terminal = np.stack([(more_home > more_away), (more_home == more_away)]).astype(float)  # home win, draw
    out = np.zeros((n, len(checkpoints), 3))
    reds_all = np.stack([np.column_stack([np.minimum(s[2], 4), np.minimum(s[3], 4)]) for s in at], axis=1)
    # the chains to solve: one per (group, red cards at a checkpoint), batched by season
    group_reds = np.column_stack([np.repeat(group, len(checkpoints)), reds_all.reshape(-1, 2)])
    jobs = np.unique(group_reds, axis=0)
    job_season = _first_season(group, data.season_start, n_groups)[jobs[:, 0]]
    order = np.argsort(group, kind="stable")
    starts = np.searchsorted(group[order], np.arange(n_groups + 1))
    done = 0
    for season in seasons:
        mine = jobs[job_season == season]
        model = models[season]
        for start in range(0, len(mine), chunk):
            batch = mine[start : start + chunk]
            chains = [model.chain(home_rate[g], away_rate[g], red_cards=(int(r), int(a)), shape=_SHAPE)
                      for g, r, a in batch]  # fmt: skip
            stacked = stack_chains(chains)
            values = stacked.backward(terminal)  # (boundaries, chain, 2, rows, cols)
            entries: dict[str, list[np.ndarray]] = {k: [] for k in ("match", "c", "chain", "i", "j", "boundary",
                                                                     "goal_at", "scored_last")}  # fmt: skip
            for b, (g, r, a) in enumerate(batch):
                members = order[starts[g] : starts[g + 1]]
                for c, (hg, ag, hr, ar) in enumerate(at):
                    pick = members[(np.minimum(hr[members], 4) == r) & (np.minimum(ar[members], 4) == a)]
                    if not len(pick):
                        continue
                    i, j = np.minimum(hg[pick], _SHAPE[0] - 1), np.minimum(ag[pick], _SHAPE[1] - 1)
                    p_home = values[bounds[season][c], b, 0, i, j]
                    p_draw = values[bounds[season][c], b, 1, i, j]
                    out[pick, c] = np.column_stack([p_home, p_draw, 1.0 - p_home - p_draw])
                    if known is not None:
                        inside = (i <= _SHAPE[0] - 3) & (j <= _SHAPE[1] - 3)  # the state is not on the grid's edge
                        cell, scorer = known[c]
                        same = np.ones(len(pick), dtype=np.int64)
                        found = {"match": pick, "c": c * same, "chain": b * same, "i": i, "j": j,
                                 "boundary": bounds[season][c] * same, "goal_at": _goal_at(model.params, cell[pick]),
                                 "scored_last": scorer[pick]}  # fmt: skip
                        for key, value in found.items():
                            entries[key].append(value[inside])
            if known is not None and entries["match"]:
                joined = {k: np.concatenate(v) for k, v in entries.items()}
                both = _with_history(model.params, stacked, values, joined)
                out[joined["match"], joined["c"]] = np.column_stack([both, 1.0 - both.sum(axis=1)])
            done += len(batch)
            if progress:
                progress(done, len(jobs))
    return np.clip(out, 1e-12, 1.0)


def _first_season(group: np.ndarray, season: np.ndarray, n_groups: int) -> np.ndarray:
    """Season of each group (a group holds one season)."""
    out = np.zeros(n_groups, dtype=np.int64)
    out[group] = season
    return out


def outcome(data: EventTimes) -> np.ndarray:
    """0 home win, 1 draw, 2 away win (final score)."""
    return np.where(data.home_goals > data.away_goals, 0, np.where(data.home_goals == data.away_goals, 1, 2))


@dataclass(frozen=True, eq=False)
class CheckpointReport:
    """Forecasts of several models at every checkpoint of the same held-out matches."""

    data: EventTimes
    checkpoints: tuple[str, ...]
    probs: dict[str, np.ndarray]  # model -> (matches, checkpoints, 3)

    def scores(self) -> pd.DataFrame:
        """Per checkpoint and model: mean log loss of the final result and ECE."""
        result = outcome(self.data)
        rows = []
        for c, checkpoint in enumerate(self.checkpoints):
            for name, probs in self.probs.items():
                table = calibration_table(probs[:, c], result, 10)
                rows.append({
                    "checkpoint": checkpoint, "model": name, "matches": len(result),
                    "log_loss": float(log_loss_per_match(probs[:, c], result).mean()),
                    "ece": float(table.calibration_error()),
                })  # fmt: skip
        return pd.DataFrame(rows)

    def reliability(self, bins: int = 10) -> dict[str, CalibrationTable]:
        """Reliability table of every forecast of each model, all checkpoints pooled."""
        result = np.tile(outcome(self.data), len(self.checkpoints))
        return {
            name: calibration_table(probs.transpose(1, 0, 2).reshape(-1, 3), result, bins)
            for name, probs in self.probs.items()
        }

    def ece(self) -> dict[str, float]:
        """ECE of every forecast of each model, all checkpoints pooled."""
        return {name: float(table.calibration_error()) for name, table in self.reliability().items()}

    def by_score(self, min_matches: int = 300) -> pd.DataFrame:
        """Predicted against observed results by checkpoint and score (states with ``min_matches``)."""
        result = outcome(self.data)
        rows = []
        for c, checkpoint in enumerate(self.checkpoints):
            hg, ag, _, _ = states(self.data, checkpoint)
            for (h, a), count in pd.Series(list(zip(hg, ag, strict=True))).value_counts().items():
                if count < min_matches:
                    continue
                mask = (hg == h) & (ag == a)
                row: dict[str, object] = {"checkpoint": checkpoint, "score": f"{h}-{a}", "matches": int(count)}
                for k, label in enumerate(("home_win", "draw", "away_win")):
                    hits = int((result[mask] == k).sum())
                    low, high = wilson_interval(hits, int(count))
                    row[label] = hits / count
                    row[f"{label}_low"], row[f"{label}_high"] = float(low), float(high)
                    for name, probs in self.probs.items():
                        row[f"{name}:{label}"] = float(probs[mask, c, k].mean())
                rows.append(row)
        return pd.DataFrame(rows)

    def trailing_by_one(self) -> pd.DataFrame:
        """The side one goal behind at each checkpoint: avoided defeat, predicted and observed (95% interval)."""
        result = outcome(self.data)
        rows = []
        for c, checkpoint in enumerate(self.checkpoints):
            hg, ag, _, _ = states(self.data, checkpoint)
            for label, mask, avoided, lose_column in (
                ("home side behind by 1", hg - ag == -1, result != 2, 2),
                ("away side behind by 1", hg - ag == 1, result != 0, 0),
            ):
                count = int(mask.sum())
                if not count:
                    continue
                hits = int(avoided[mask].sum())
                low, high = wilson_interval(hits, count)
                row: dict[str, object] = {
                    "checkpoint": checkpoint, "trailing": label, "matches": count,
                    "avoided_defeat": hits / count, "low": float(low), "high": float(high),
                }  # fmt: skip
                for name, probs in self.probs.items():
                    predicted = float(1.0 - probs[mask, c, lose_column].mean())
                    row[f"{name}:avoided_defeat"] = predicted
                    row[f"{name}:inside"] = bool(low <= predicted <= high)
                rows.append(row)
        return pd.DataFrame(rows)

    def trailing_by_season(self) -> pd.DataFrame:
        """Per season: the side one goal behind at the checkpoints pooled (a match counts once per
        checkpoint it is one behind at), how often it avoided defeat and each model's forecast, in
        points (``{model}:gap``: observed minus forecast)."""
        result = outcome(self.data)
        at = [states(self.data, c) for c in self.checkpoints]
        rows = []
        for season in sorted({int(s) for s in self.data.season_start}):
            mine = self.data.season_start == season
            hits = count = 0
            predicted = dict.fromkeys(self.probs, 0.0)
            for c, (hg, ag, _, _) in enumerate(at):
                for mask, avoided, lose in ((mine & (hg - ag == -1), result != 2, 2),
                                            (mine & (hg - ag == 1), result != 0, 0)):  # fmt: skip
                    count += int(mask.sum())
                    hits += int(avoided[mask].sum())
                    for name, probs in self.probs.items():
                        predicted[name] += float((1.0 - probs[mask, c, lose]).sum())
            if not count:
                continue
            row: dict[str, object] = {"season": season, "matches": int(mine.sum()), "one_behind": count,
                                      "avoided_defeat": hits / count}  # fmt: skip
            for name, total in predicted.items():
                row[f"{name}:avoided_defeat"] = total / count
                row[f"{name}:gap"] = 100.0 * (hits - total) / count
            rows.append(row)
        return pd.DataFrame(rows)


def by_season_forecasts(
    params: Mapping[int, InplayParams],
    data: EventTimes,
    checkpoints: tuple[str, ...] = CHECKPOINTS,
    *,
    rate_step: float = 0.05,
    progress: Callable[[int, int], None] | None = None,
) -> np.ndarray:
    """:func:`forecasts` of each season's matches with that season's parameters (``params[season]``:
    a walk-forward fit on the seasons before it)."""
    out = np.zeros((len(data), len(checkpoints), 3))
    seasons = sorted({int(s) for s in data.season_start})
    missing = [s for s in seasons if s not in params]
    if missing:
        raise ValueError(f"no parameters for season(s) {', '.join(map(str, missing))}")
    scale = 1000
    for k, season in enumerate(seasons):
        mine = data.season_start == season

        def step(done: int, total: int, k: int = k) -> None:
            if progress:
                progress(k * scale + int(scale * done / max(total, 1)), len(seasons) * scale)

        out[mine] = forecasts(params[season], data.select(mine), checkpoints, rate_step=rate_step, progress=step)
    return out


def check(
    data: EventTimes,
    models: Mapping[str, InplayParams | Mapping[int, InplayParams]],
    checkpoints: tuple[str, ...] = CHECKPOINTS,
    *,
    rate_step: float = 0.05,
    progress: Callable[[str, int, int], None] | None = None,
) -> CheckpointReport:
    """Forecast every checkpoint of ``data`` with each named parameter set (or, for a mapping of
    season to parameters, each season with its own: :func:`by_season_forecasts`)."""
    probs = {}
    for name, params in models.items():
        step = None if progress is None else (lambda done, total, name=name: progress(name, done, total))
        if isinstance(params, InplayParams):
            probs[name] = forecasts(params, data, checkpoints, rate_step=rate_step, progress=step)
        else:
            probs[name] = by_season_forecasts(params, data, checkpoints, rate_step=rate_step, progress=step)
    return CheckpointReport(data, checkpoints, probs)
