"""The comeback curve: how the chance to go through moves with the minutes, and what a side needs.

For the second leg of a tie in progress, one backward pass of the in-play chain
(:meth:`remontada.inplay.model.GoalChain.backward`) gives P(A goes through) from every score of the
leg at every minute left, with extra time and the decider folded in by the tie engine. Read
off it:

* **if the score does not change**: the chance at each later minute when nothing has happened
  by then;
* **if they score next at minute m**: the chance just after the side's goal at minute m, when it
  is the next goal of the match;
* **if they score next by minute m**: the chance given that the next goal of the match is the
  side's and comes at or before minute m (averaged over when it comes).

A is at home in the first leg, B in the second; scores of the leg are written (B, A).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from remontada.grid import ScoreGrid
from remontada.inplay.model import InplayModel, MatchClock, second_leg_lead
from remontada.penalties import ShootoutModel
from remontada.rules import TieRules
from remontada.ties.engine import forecast_second_leg, side_of


@dataclass(frozen=True, eq=False)
class ComebackCurve:
    """P(``team`` goes through), in [0, 1], minute by minute from ``start`` to the final whistle.

    ``minute`` holds regular minutes (45 and 90 repeat through added time; ``label`` tells them
    apart: ``45+``, ``HT``, ``90+``, ``FT``). ``if_unchanged``: the score stays as it is at
    ``start``. ``if_next_goal_at``: the team scores the match's next goal at that minute.
    ``if_next_goal_by``: the match's next goal is the team's and comes by that minute.
    ``next_goal_share``: P(the match's next goal is the team's and comes by that minute).
    """

    team: str
    opponent: str
    start: str
    score: tuple[int, int]
    first_leg: tuple[int, int]
    label: np.ndarray
    minute: np.ndarray
    if_unchanged: np.ndarray
    if_next_goal_at: np.ndarray
    if_next_goal_by: np.ndarray
    next_goal_share: np.ndarray

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "minute": self.label,
                "if_unchanged": self.if_unchanged,
                "if_next_goal_at": self.if_next_goal_at,
                "if_next_goal_by": self.if_next_goal_by,
                "p_next_goal_by": self.next_goal_share,
            }
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-able: the sides, the start, and one row per step (probabilities in [0, 1])."""
        # the columns of to_frame(), read as plain Python values (no DataFrame: answered per request), one dict
        # literal a row
        columns = (self.label.tolist(), *(np.asarray(c, dtype=float).tolist() for c in (
            self.if_unchanged, self.if_next_goal_at, self.if_next_goal_by, self.next_goal_share)))  # fmt: skip
        rows = [{"minute": m if isinstance(m, str) else float(m), "if_unchanged": u, "if_next_goal_at": at,
                 "if_next_goal_by": by, "p_next_goal_by": share}
                for m, u, at, by, share in zip(*columns, strict=True)]  # fmt: skip
        return {
            "team": self.team,
            "opponent": self.opponent,
            "start": self.start,
            "score": f"{self.score[0]}-{self.score[1]}",
            "first_leg": f"{self.first_leg[0]}-{self.first_leg[1]}",
            "rows": rows,
        }

    def at(self, minute: float) -> dict[str, float]:
        """The row at ``minute`` (the first boundary showing it)."""
        index = int(np.argmax(self.minute >= minute))
        return {
            "minute": float(self.minute[index]),
            "if_unchanged": float(self.if_unchanged[index]),
            "if_next_goal_at": float(self.if_next_goal_at[index]),
            "if_next_goal_by": float(self.if_next_goal_by[index]),
        }

    def plot(self, path: str | Path, *, title: str | None = None) -> Path:
        """Write the curves as a PNG (x: minute, y: P(through) in %)."""
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure

        fig = Figure(figsize=(7.5, 4.5), layout="constrained")
        FigureCanvasAgg(fig)
        axes = fig.subplots()
        # minutes played, so added time stretches the axis instead of folding the curve back
        x = _played(self.minute)
        score = f"{self.score[0]}-{self.score[1]}"
        axes.plot(x, 100 * self.if_unchanged, label=f"if the leg stays {score}", linewidth=2)
        axes.plot(x, 100 * self.if_next_goal_at, label=f"if {self.team} score next, at that minute", linewidth=1.5)
        axes.plot(
            x,
            100 * self.if_next_goal_by,
            label=f"if {self.team} score next, by that minute",
            linewidth=1.2,
            linestyle="--",
        )
        half_time = np.flatnonzero(self.label == "HT")
        if len(half_time):
            axes.axvline(x[half_time[0]], color="0.7", linewidth=0.8, linestyle=":")
        score_text = f"{self.score[0]}-{self.score[1]}"
        start = f"minute {self.start}" if self.start[:1].isdigit() else self.start
        axes.set(
            xlabel="minutes played (added time included)",
            ylabel=f"P({self.team} go through), %",
            xlim=(x[0], x[-1]),
            ylim=(0, 100),
            title=title or f"{self.team} against {self.opponent}: from {start} at {score_text} in the leg",
        )
        axes.grid(alpha=0.3)
        axes.legend(loc="upper right", fontsize=8)
        path = Path(path)
        fig.savefig(path, dpi=120)
        return path


def _played(minute: np.ndarray) -> np.ndarray:
    """Minutes played at each boundary, added time included (a step of added time counts one)."""
    step = np.diff(minute, prepend=minute[:1])
    step[1:] = np.where(step[1:] > 0, step[1:], 1.0)
    return minute[0] + np.cumsum(step) - step[0]


def clock_labels(clock: np.ndarray, start: str) -> np.ndarray:
    """Clock labels of the step boundaries: ``start``, then minutes, ``45+``/``90+`` in added time,
    ``HT``/``FT``."""
    labels = []
    for index, minute in enumerate(clock):
        repeated = index > 0 and clock[index - 1] == minute
        nxt = clock[index + 1] if index + 1 < len(clock) else None
        if minute == 45.0 and repeated:
            labels.append("HT" if nxt != 45.0 else "45+")
        elif minute == 90.0 and repeated:
            labels.append("FT" if nxt is None else "90+")
        else:
            labels.append(f"{minute:g}")
    if len(labels) > 1 and clock[-1] == 90.0:
        labels[-1] = "FT"
    labels[0] = start
    return np.array(labels, dtype=object)


@dataclass(frozen=True)
class LiveSecondLeg:
    """A second leg being played: the tie's state and the pre-match rates of the leg.

    ``first_leg`` = (A goals, B goals) at A's ground. ``rates`` = pre-match expected goals per 90
    minutes of (B, A) in the leg (B at home). ``red_cards`` = (B, A) so far. ``teams`` = (A, B).
    """

    first_leg: tuple[int, int]
    rates: tuple[float, float]
    rules: TieRules
    teams: tuple[str, str] = ("A", "B")
    red_cards: tuple[int, int] = (0, 0)

    def side_of(self, team: str) -> str:
        """``"a"`` or ``"b"``: which of the tie's two teams ``team`` is."""
        return side_of(team, self.teams)

    def terminal_values(
        self, score: tuple[int, int], shape: tuple[int, int], model: InplayModel, shootout: ShootoutModel | None
    ) -> np.ndarray:
        """P(A through | the leg ends at ``score`` + (i, j)) for the chain's ``shape`` of goals to come."""
        b_rate, a_rate = self.rates
        extra = None
        if self.rules.has_extra_time:
            extra = model.extra_time(
                b_rate,
                a_rate,
                red_cards=self.red_cards,
                away_goals=self.rules.away_goals_in_extra_time,
                minutes=self.rules.extra_time_minutes,
            )
        rows, cols = score[0] + shape[0], score[1] + shape[1]
        placeholder = ScoreGrid(np.full((rows, cols), 1.0 / (rows * cols)))
        table = forecast_second_leg(
            self.first_leg, placeholder, rules=self.rules, extra_time=extra, shootout=shootout, on_unmodelled="even"
        ).next_match_p_a
        return np.asarray(table[score[0] :, score[1] :])

    def comeback_curve(
        self,
        team: str,
        *,
        minute: str | float | MatchClock = 0.0,
        score: tuple[int, int] = (0, 0),
        model: InplayModel | None = None,
        shootout: ShootoutModel | None = None,
    ) -> ComebackCurve:
        """``team``'s comeback curve from ``minute`` with the leg at ``score`` (B, A)."""
        model = model or InplayModel()
        clock = MatchClock.parse(minute)
        side = self.side_of(team)
        lead = second_leg_lead(self.first_leg, score, away_goals=self.rules.away_goals)
        chain = model.chain(*self.rates, minute=clock, score=score, red_cards=self.red_cards, lead=lead)
        values = chain.backward(self.terminal_values(score, chain.shape, model, shootout))
        if side == "b":
            values = 1.0 - values
        # the team's goal: an away goal (column) for A, a home goal (row) for B
        goal_cell = (0, 1) if side == "a" else (1, 0)
        two_cell = (0, 2) if side == "a" else (2, 0)
        unchanged = values[:, 0, 0]
        after_goal = values[:, goal_cell[0], goal_cell[1]]
        # the next goal of the match is the team's and falls in step k: nothing before, then only
        # theirs (the away side's chances are read at the cell the home side's goals led to)
        cols = chain.shape[1]
        h0, h1, h2 = (c[:, 0] for c in chain.home)
        a0, a1, a2 = (c[:, 0] for c in chain.away)
        nothing = np.concatenate([[1.0], np.cumprod(h0 * a0)])[:-1]
        if side == "a":
            one, two = h0 * a1, h0 * a2
        else:
            one, two = h1 * chain.away[0][:, cols], h2 * chain.away[0][:, 2 * cols]
        scored = nothing * (one + two)
        gained = nothing * (one * values[1:, goal_cell[0], goal_cell[1]] + two * values[1:, two_cell[0], two_cell[1]])
        share = np.concatenate([[0.0], np.cumsum(scored)])
        with np.errstate(invalid="ignore", divide="ignore"):
            by = np.concatenate([[after_goal[0]], np.cumsum(gained) / np.cumsum(scored)])
        by = np.where(np.isfinite(by), by, after_goal)
        a_name, b_name = self.teams
        return ComebackCurve(
            team=a_name if side == "a" else b_name,
            opponent=b_name if side == "a" else a_name,
            start=str(clock),
            score=score,
            first_leg=self.first_leg,
            label=clock_labels(chain.clock, str(clock)),
            minute=chain.clock.astype(float),
            if_unchanged=unchanged,
            if_next_goal_at=after_goal,
            if_next_goal_by=by,
            next_goal_share=share,
        )


def curve_rows(curve: ComebackCurve, every: int = 5) -> list[dict[str, Any]]:
    """Rows of ``curve`` every ``every`` minutes plus half-time and full time, for tables."""
    frame = curve.to_frame()
    keep = []
    for index, (label, minute) in enumerate(zip(curve.label, curve.minute, strict=True)):
        first_of_minute = index == 0 or curve.minute[index - 1] != minute or label in ("HT", "FT")
        if label in ("HT", "FT") or (first_of_minute and label not in ("45+", "90+") and minute % every == 0):
            keep.append(index)
    if 0 not in keep:
        keep.insert(0, 0)
    return frame.iloc[sorted(set(keep))].to_dict(orient="records")
