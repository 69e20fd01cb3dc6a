"""A group stage (mini-leagues of four) feeding a knockout bracket, as in the Champions League to 2023-24.

Each group is a :class:`~remontada.simulate.league.LeagueState` over its own clubs, ranked with
the UEFA group tie-breakers (head-to-head first). The clubs the groups send on become the
bracket's seeding: group winners first (seeds ``0 .. groups - 1``), then runners-up, so a
round-of-16 draw can pair winners with runners-up of other groups and other countries.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from remontada.penalties import ShootoutModel
from remontada.simulate.knockout import Bracket, KnockoutTally, prepare_samplers, simulate_bracket
from remontada.simulate.league import LeagueState, simulate_tables
from remontada.simulate.pairs import PairGrids
from remontada.ties.engine import OnUnmodelled


@dataclass(frozen=True, eq=False)
class GroupStage:
    """Groups over a field of clubs: ``members[g]`` are the field indices of group ``g``'s clubs,
    in the order of ``groups[g].teams``; ``advance`` places per group go on to the bracket."""

    teams: tuple[str, ...]
    groups: tuple[LeagueState, ...]
    members: tuple[tuple[int, ...], ...]
    labels: tuple[str, ...]
    advance: int = 2

    def __post_init__(self) -> None:
        if not (len(self.groups) == len(self.members) == len(self.labels)):
            raise ValueError("every group needs its members and a label")
        for group, members in zip(self.groups, self.members, strict=True):
            if tuple(self.teams[i] for i in members) != group.teams:
                raise ValueError("a group's members must list its clubs in the group's order")
            if group.n_teams < self.advance:
                raise ValueError(f"a group of {group.n_teams} clubs cannot send {self.advance} on")

    @property
    def group_size(self) -> int:
        return max(group.n_teams for group in self.groups)

    @property
    def group_of(self) -> np.ndarray:
        """The group index of every club of the field."""
        out = np.full(len(self.teams), -1)
        for g, members in enumerate(self.members):
            out[list(members)] = g
        return out


@dataclass(frozen=True, eq=False)
class GroupStageTally:
    """``places[t, p]``: simulations in which club ``t`` finished ``p``-th (0 = first) in its group;
    ``knockout``: the bracket's counts."""

    places: np.ndarray
    knockout: KnockoutTally

    @property
    def n_sims(self) -> int:
        return self.knockout.n_sims

    def __add__(self, other: GroupStageTally) -> GroupStageTally:
        return GroupStageTally(self.places + other.places, self.knockout + other.knockout)


@dataclass(eq=False)
class GroupStageSimulation:
    """The rest of a group stage and the bracket after it, ``run_chunk(n, rng)`` at a time."""

    stage: GroupStage
    bracket: Bracket
    pairs: PairGrids
    shootout: ShootoutModel = field(default_factory=ShootoutModel)
    on_unmodelled: OnUnmodelled = "raise"
    _group_pairs: list[PairGrids] = field(default_factory=list, init=False, repr=False)

    def __post_init__(self) -> None:
        if not (self.stage.teams == self.bracket.teams == self.pairs.teams):
            raise ValueError("the groups, the bracket and the grids must list the same clubs in the same order")
        needed = len(self.stage.groups) * self.stage.advance
        if self.bracket.n_seeds != needed:
            raise ValueError(f"the bracket takes {self.bracket.n_seeds} clubs but the groups send {needed}")
        for group, members in zip(self.stage.groups, self.stage.members, strict=True):
            grids = self.pairs.subset(members)
            if group.n_remaining:
                grids.sampler("home")
            self._group_pairs.append(grids)
        prepare_samplers(self.bracket, self.pairs)

    def run_chunk(self, n: int, rng: np.random.Generator) -> GroupStageTally:
        k = len(self.stage.teams)
        size = self.stage.group_size
        seeding = np.empty((len(self.stage.groups) * self.stage.advance, n), dtype=np.intp)
        places = np.zeros((k, size), dtype=np.int64)
        n_groups = len(self.stage.groups)
        for g, (group, members, grids) in enumerate(
            zip(self.stage.groups, self.stage.members, self._group_pairs, strict=True)
        ):
            order = simulate_tables(group, grids, rng, n).order  # (n, group size), local indices
            field_index = np.asarray(members)[order]
            for place in range(self.stage.advance):
                seeding[place * n_groups + g] = field_index[:, place]
            counts = np.bincount((order * size + np.arange(group.n_teams)).ravel(), minlength=group.n_teams * size)
            places[list(members)] += counts.reshape(group.n_teams, size)
        draws = simulate_bracket(
            self.bracket, self.pairs, rng, n, seeding=seeding, shootout=self.shootout, on_unmodelled=self.on_unmodelled
        )
        return GroupStageTally(places, KnockoutTally.from_draws(draws, k))
