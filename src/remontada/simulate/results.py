"""Turning simulation counts into answers: per-club probabilities, tables and JSON.

Probabilities are shares of simulations in [0, 1]; with ``n`` simulations a share ``p`` has
a standard error of ``sqrt(p (1 - p) / n)`` (at most 0.0005 for a million).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from remontada.competitions import season_name
from remontada.simulate.group_stage import GroupStageTally
from remontada.simulate.knockout import KnockoutTally, round_name
from remontada.simulate.league import LeagueTally
from remontada.simulate.league_phase import LeaguePhaseTally, threshold_table
from remontada.simulate.state import CompetitionState, standings

#: Places that mean something in a final table: (label, first, last), 1-based; negative
#: places count from the bottom. Cup winners and coefficients move European places from
#: season to season; these are the places the table itself decides.
ZONES: dict[str, tuple[tuple[str, int, int], ...]] = {
    "eng.1": (("Title", 1, 1), ("Top 4", 1, 4), ("Top 6", 1, 6), ("Relegation", -3, -1)),
    "esp.1": (("Title", 1, 1), ("Top 4", 1, 4), ("Top 6", 1, 6), ("Relegation", -3, -1)),
    "ita.1": (("Title", 1, 1), ("Top 4", 1, 4), ("Top 6", 1, 6), ("Relegation", -3, -1)),
    "ger.1": (("Title", 1, 1), ("Top 4", 1, 4), ("Top 6", 1, 6), ("Relegation play-off", -3, -3),
              ("Relegation", -2, -1)),
    "fra.1": (("Title", 1, 1), ("Top 3", 1, 3), ("Top 4", 1, 4), ("Relegation play-off", -3, -3),
              ("Relegation", -2, -1)),
}  # fmt: skip
_DEFAULT_ZONES = (("Title", 1, 1), ("Top 4", 1, 4), ("Bottom 3", -3, -1))
LEAGUE_PHASE_ZONES = (("Top 8", 1, 8), ("Play-offs (9-24)", 9, 24), ("Out (25-36)", 25, 36))


def zones_for(competition_id: str, n_teams: int) -> tuple[tuple[str, int, int], ...]:
    """The zones of a league, as 0-based ``slice`` bounds resolved for ``n_teams`` clubs."""
    zones = ZONES.get(competition_id, _DEFAULT_ZONES)
    out = []
    for label, first, last in zones:
        lo = first - 1 if first > 0 else n_teams + first
        hi = last if last > 0 else n_teams + last + 1
        out.append((label, lo, hi))
    return tuple(out)


def _ordinal(place: int) -> str:
    return f"{place}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(place if place < 20 else place % 10, 'th') }"


def standard_error(p: float, n: int) -> float:
    return math.sqrt(max(p * (1.0 - p), 0.0) / n) if n else math.nan


@dataclass(eq=False)
class SimulationResult:
    """A finished simulation of a competition: where it stood, what was run, and the counts."""

    state: CompetitionState
    tally: Any
    n_sims: int
    seed: int
    model: str
    seconds: float
    engine: str = "local"
    extras: dict[str, Any] = field(default_factory=dict)

    # ---- knockout ---------------------------------------------------------------------------
    def _knockout_tally(self) -> KnockoutTally | None:
        if isinstance(self.tally, KnockoutTally):
            return self.tally
        if isinstance(self.tally, LeaguePhaseTally | GroupStageTally):
            return self.tally.knockout
        return None

    def round_labels(self) -> list[str]:
        """Column labels of the knockout part: one per round reached, then ``Winner``."""
        assert self.state.bracket is not None
        return [round_name(r.key) for r in self.state.bracket.rounds] + ["Winner"]

    def knockout_frame(self) -> pd.DataFrame:
        """P(reach each round) and P(win) per club, best first."""
        tally = self._knockout_tally()
        if tally is None:
            raise ValueError("this competition has no knockout part")
        probs = tally.reached / tally.n_sims
        frame = pd.DataFrame(probs, columns=self.round_labels())
        frame.insert(0, "club", [self.state.name(i) for i in range(len(self.state.teams))])
        frame.insert(0, "club_id", list(self.state.teams))
        return frame.sort_values(["Winner", *reversed(self.round_labels()[:-1])], ascending=False, ignore_index=True)

    # ---- tables -----------------------------------------------------------------------------
    def _table_tally(self) -> LeagueTally | None:
        if isinstance(self.tally, LeagueTally):
            return self.tally
        if isinstance(self.tally, LeaguePhaseTally):
            return self.tally.table
        return None

    def zones(self) -> tuple[tuple[str, int, int], ...]:
        n = len(self.state.teams)
        if self.state.kind == "league_phase":
            return tuple((label, a - 1, b) for label, a, b in LEAGUE_PHASE_ZONES if b <= n)
        return zones_for(self.state.competition.id, n)

    def table_frame(self) -> pd.DataFrame:
        """Current points, expected final points and zone probabilities per club, best first."""
        tally = self._table_tally()
        if tally is None or self.state.league is None:
            raise ValueError("this competition has no table")
        now = standings(self.state.league, self.state.names).set_index("club_id")
        k = len(self.state.teams)
        positions = tally.positions / tally.n_sims
        values = np.arange(tally.points.shape[1]) + tally.points_offset
        expected = (tally.points @ values) / tally.n_sims
        rows = []
        for i, club in enumerate(self.state.teams):
            row: dict[str, Any] = {
                "club_id": club,
                "club": self.state.name(club),
                "played": int(now.loc[club, "played"]),
                "points": int(now.loc[club, "points"]),
                "goal_difference": int(now.loc[club, "goal_difference"]),
                "expected_points": float(expected[i]),
            }
            for label, lo, hi in self.zones():
                row[label] = float(positions[i, lo:hi].sum())
            row["expected_position"] = float(positions[i] @ np.arange(1, k + 1))
            rows.append(row)
        frame = pd.DataFrame(rows).sort_values(["expected_position", "expected_points"], ignore_index=True)
        return frame

    def position_matrix(self) -> pd.DataFrame:
        """P(club finishes in place p), clubs in the order of :meth:`table_frame`."""
        tally = self._table_tally()
        if tally is None:
            raise ValueError("this competition has no table")
        order = [self.state.teams.index(c) for c in self.table_frame()["club_id"]]
        matrix = tally.positions[order] / tally.n_sims
        return pd.DataFrame(
            matrix, index=[self.state.name(self.state.teams[i]) for i in order], columns=range(1, matrix.shape[1] + 1)
        )

    def thresholds(self, places: int) -> pd.DataFrame:
        """P(finishing in the top ``places`` | finishing on x points) and how many clubs finished on x."""
        tally = self._table_tally()
        if tally is None:
            raise ValueError("this competition has no table")
        shares = threshold_table(tally, places)
        counts = tally.points_position.sum(axis=1)
        return pd.DataFrame(
            [{"points": x, "p": p, "clubs": int(counts[x - tally.points_offset])} for x, p in sorted(shares.items())]
        )

    def group_frame(self) -> pd.DataFrame:
        """Per club of a group stage: its group, points so far and P(finishing 1st, 2nd, ...)."""
        if not isinstance(self.tally, GroupStageTally) or self.state.groups is None:
            raise ValueError("this competition has no group stage")
        stage = self.state.groups
        places = self.tally.places / self.tally.n_sims
        rows = []
        for g, (group, members) in enumerate(zip(stage.groups, stage.members, strict=True)):
            now = standings(group, self.state.names).set_index("club_id")
            for i in members:
                club = self.state.teams[i]
                row: dict[str, Any] = {
                    "club_id": club,
                    "club": self.state.name(club),
                    "group": stage.labels[g],
                    "played": int(now.loc[club, "played"]),
                    "points": int(now.loc[club, "points"]),
                }
                for place in range(places.shape[1]):
                    row[_ordinal(place + 1)] = float(places[i, place])
                row["expected_place"] = float(places[i] @ np.arange(1, places.shape[1] + 1))
                rows.append(row)
        return pd.DataFrame(rows).sort_values(["group", "expected_place"], ignore_index=True)

    # ---- output -----------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready summary."""
        out: dict[str, Any] = {
            "competition": season_name(self.state.competition, self.state.season),
            "competition_id": self.state.competition.id,
            "season": self.state.season,
            "date": self.state.as_of.isoformat(),
            "kind": self.state.kind,
            "start": self.state.start,
            "simulations": self.n_sims,
            "seed": self.seed,
            "model": self.model,
            "engine": self.engine,
            "seconds": self.seconds,
            "max_standard_error": 0.5 / math.sqrt(self.n_sims),
            "assumptions": list(self.state.notes),
            **self.extras,
        }
        if self._table_tally() is not None:
            out["table"] = self.table_frame().to_dict(orient="records")
            out["positions"] = {club: [float(p) for p in row] for club, row in self.position_matrix().iterrows()}
        if isinstance(self.tally, GroupStageTally):
            out["groups"] = self.group_frame().to_dict(orient="records")
        if self.state.kind == "league_phase":
            out["thresholds"] = {
                "top_8": self.thresholds(8).to_dict(orient="records"),
                "top_24": self.thresholds(24).to_dict(orient="records"),
            }
        if self._knockout_tally() is not None:
            tally = self._knockout_tally()
            assert tally is not None
            out["knockout"] = self.knockout_frame().to_dict(orient="records")
            rounds = []
            for k, r in enumerate(self.state.bracket.rounds):  # type: ignore[union-attr]
                open_ties = sum(1 for t in (r.known or (None,) * r.n_ties) if t is None or t.winner is None)
                played = tally.n_sims * open_ties
                rounds.append(
                    {
                        "round": round_name(r.key),
                        "rules": r.rules.describe(),
                        "ties_to_play": open_ties,
                        "p_extra_time_per_tie": float(tally.extra_time[k] / played) if played else 0.0,
                        "p_decider_per_tie": float(tally.decider[k] / played) if played else 0.0,
                    }
                )
            out["rounds"] = rounds
        return out
