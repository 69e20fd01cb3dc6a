"""Which league each team belongs to, how the match graph splits, and the shrinkage prior.

A joint fit over many leagues has one attack and one defence per team. Leagues only meet
through European matches (and promotion/relegation between tiers), so the fit regularises
with a two-level Gaussian prior (a MAP estimate, not a full Bayesian fit):

* each team's attack ``a_i ~ N(A_g, team_sd^2)`` and defence ``d_i ~ N(D_g, team_sd^2)``
  around the means ``A_g``, ``D_g`` of its league ``g``;
* league means ``A_g, D_g ~ N(0, league_sd^2)`` (weak: identified through cross-league
  matches, pulled to 0 only where the data say nothing);
* home-advantage offsets of competition groups ``delta_k ~ N(0, home_advantage_sd^2)``
  around the common home advantage.

All parameters are on the log scale of goals per 90 minutes, so ``team_sd = 0.3`` says a
team scores within a factor ``exp(0.6) ~ 1.8`` of its league's average about 95% of the time.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from remontada import competitions
from remontada.models.vector import dot

_LEAGUE_ID = re.compile(r"^[a-z]{3}\.\d+[a-z]*$")
#: Group label prefix of the clubs of a country the data hold no league of (see :func:`country_groups`).
COUNTRY_PREFIX = "country:"


def is_domestic_league(competition: str) -> bool:
    """True for a domestic league id (``eng.1``, ``cze.1``), false for cups and UEFA/international ids."""
    known = competitions.CATALOGUE.get(competition)
    if known is not None:
        return known.kind == "league"
    return bool(_LEAGUE_ID.match(competition))


def league_of_each_team(
    n_teams: int,
    home: np.ndarray,
    away: np.ndarray,
    competitions: np.ndarray,
    competition_code: np.ndarray,
    weight: np.ndarray,
) -> np.ndarray:
    """The group label of each team: the domestic league it played most in, by summed match weight.

    Teams with no league match (seen only in cups or UEFA competitions in the window) take
    the competition they played most. Ties go to the alphabetically first competition.
    ``home``/``away`` are team positions (0..n_teams-1) per match; ``competitions`` the
    sorted competition ids and ``competition_code`` each match's position among them.
    """
    n_comps = len(competitions)
    cell = np.concatenate([home * n_comps + competition_code, away * n_comps + competition_code])
    played = np.bincount(cell, np.concatenate([weight, weight]), n_teams * n_comps).reshape(n_teams, n_comps)
    league_cols = np.array([is_domestic_league(str(c)) for c in competitions], dtype=bool)
    in_leagues = played * league_cols
    has_league = in_leagues.max(axis=1, initial=0.0) > 0
    choice = np.where(has_league, in_leagues.argmax(axis=1), played.argmax(axis=1))
    return np.asarray(competitions, dtype=object)[choice]


def country_groups(teams: np.ndarray, team_group: np.ndarray, countries: Mapping[str, str]) -> np.ndarray:
    """``team_group`` with every team seen in no domestic league and mostly in UEFA competitions (its
    label ``uefa.*``, see :func:`league_of_each_team`: a club of a league the data lack) regrouped as
    ``country:<code>`` where ``countries`` knows its country; other teams keep their group."""
    out = np.asarray(team_group, dtype=object).copy()
    for i, (team, group) in enumerate(zip(teams, out, strict=True)):
        country = countries.get(str(team))
        if country and str(group).startswith("uefa."):
            out[i] = f"{COUNTRY_PREFIX}{country}"
    return out


def component_labels(n_teams: int, home: np.ndarray, away: np.ndarray) -> np.ndarray:
    """Connected component of each team in the graph whose edges are matches played."""
    graph = coo_matrix((np.ones(len(home)), (home, away)), shape=(n_teams, n_teams))
    _, labels = connected_components(graph, directed=False)
    return labels


@dataclass(frozen=True, slots=True)
class ShrinkagePrior:
    """Negative log-density (up to a constant) of the two-level prior, with its gradient.

    ``team_sd``, ``league_sd`` and ``home_advantage_sd`` are prior standard deviations in
    log goals per 90 minutes (see the module docstring). ``team_group`` maps each team to
    its league's position in the league-mean arrays.
    """

    team_sd: float
    league_sd: float
    team_group: np.ndarray
    n_leagues: int

    def __post_init__(self) -> None:
        if not (self.team_sd > 0 and self.league_sd > 0):
            raise ValueError(f"prior standard deviations must be positive, got {self.team_sd}, {self.league_sd}")

    def penalty(
        self, attack: np.ndarray, defence: np.ndarray, league_attack: np.ndarray, league_defence: np.ndarray
    ) -> tuple[float, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(penalty, d/dattack, d/ddefence, d/dleague_attack, d/dleague_defence)``."""
        team_precision = 1.0 / self.team_sd**2
        league_precision = 1.0 / self.league_sd**2
        attack_gap = attack - league_attack[self.team_group]
        defence_gap = defence - league_defence[self.team_group]
        value = 0.5 * team_precision * (dot(attack_gap, attack_gap) + dot(defence_gap, defence_gap)) + 0.5 * (
            league_precision * (dot(league_attack, league_attack) + dot(league_defence, league_defence))
        )
        g_attack = team_precision * attack_gap
        g_defence = team_precision * defence_gap
        g_league_attack = league_precision * league_attack - np.bincount(self.team_group, g_attack, self.n_leagues)
        g_league_defence = league_precision * league_defence - np.bincount(self.team_group, g_defence, self.n_leagues)
        return float(value), g_attack, g_defence, g_league_attack, g_league_defence
