"""Penalty shoot-outs: an evidence-based model and the measurement behind it.

The model is one number, the probability that the team at home where the shoot-out is
taken wins it; at a neutral venue both sides get one half. It is 0.5 because the evidence
below shows no edge large enough to model.

Evidence (``penalty_evidence(mirror)`` on the offline mirror; 95% Wilson intervals):

=====================================================  ========  =====  ==============
question                                                wins      share  95% interval
=====================================================  ========  =====  ==============
host of a club second leg or replay wins (pooled)      108/219   0.493  [0.428, 0.559]
  European Cup second legs 1970-71..2015-16 (champs)     24/45    0.533  [0.391, 0.671]
  UEFA knockouts in openfootball files (1)               28/62    0.452  [0.334, 0.575]
  FA Cup replays 1991-92..2018-19 (facup)                47/95    0.495  [0.396, 0.594]
  EFL play-off semi-final second legs (englandplayoffs)   9/17    0.529  [0.310, 0.738]
host nation of an international wins (martj42)         155/277   0.560  [0.501, 0.617]
team shooting first wins (martj42)                     136/260   0.523  [0.462, 0.583]
pre-match Elo favourite wins (martj42) (2)             371/682   0.544  [0.506, 0.581]
=====================================================  ========  =====  ==============

(1) Champions League 2016-17 on (earlier seasons are in champs), Europa League 2011-13 and
2020-25, Conference League and qualifying rounds to 2025-26; finals left out (neutral).
(2) Elo ratings built in :func:`penalty_evidence` from every earlier international result
with World Football Elo weights (+100 for a host); the favourite is the higher-rated side.

Reading: club football, where two-legged ties are settled, shows no host edge (49% of 219,
interval comfortably around one half), so the engine uses 0.5. Shooting first is worth
nothing measurable (52%, interval spans one half) and is unknown before the toss anyway.
National teams show a small host and favourite edge (54-56%, intervals just clear of one
half); callers who want that can pass ``ShootoutModel(p_host_wins=...)``. The test suite
recomputes these counts from the mirror.
"""

from __future__ import annotations

import csv
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from remontada.rules import normalise_round, season_start_year
from remontada.stats import wilson_interval


@dataclass(frozen=True, slots=True)
class ShootoutModel:
    """P(the team at home where the shoot-out is taken wins it), in [0, 1].

    ``p_host_wins = 0.5`` (the default) is the evidence-based choice described in the module
    docstring; at a neutral venue the shoot-out is a coin flip whatever this value is.
    """

    p_host_wins: float = 0.5

    def __post_init__(self) -> None:
        if not (0.0 <= self.p_host_wins <= 1.0) or math.isnan(self.p_host_wins):
            raise ValueError(f"p_host_wins is a probability in [0, 1], got {self.p_host_wins}")

    def p_win(self, *, at_home: bool, neutral: bool = False) -> float:
        """P(a given team wins the shoot-out): ``at_home`` says whether it hosts the match."""
        if neutral:
            return 0.5
        return self.p_host_wins if at_home else 1.0 - self.p_host_wins


# ---- measurement ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Proportion:
    """``successes`` out of ``trials`` with a 95% Wilson interval."""

    successes: int
    trials: int

    @property
    def share(self) -> float:
        return self.successes / self.trials if self.trials else math.nan

    @property
    def interval(self) -> tuple[float, float]:
        return wilson_interval(self.successes, self.trials)

    def __add__(self, other: Proportion) -> Proportion:
        return Proportion(self.successes + other.successes, self.trials + other.trials)

    def to_dict(self) -> dict[str, float | int]:
        low, high = self.interval
        return {"successes": self.successes, "trials": self.trials, "share": self.share, "low": low, "high": high}


@dataclass(frozen=True, slots=True)
class ShootoutEvidence:
    """Counts of shoot-outs won by the host, the first shooter and the favourite."""

    european_cup_host: Proportion
    uefa_openfootball_host: Proportion
    fa_cup_host: Proportion
    playoff_host: Proportion
    international_host: Proportion
    international_first_shooter: Proportion
    international_favourite: Proportion

    @property
    def club_host(self) -> Proportion:
        """All club shoot-outs at one side's ground (second legs and replays)."""
        return self.european_cup_host + self.uefa_openfootball_host + self.fa_cup_host + self.playoff_host

    def rows(self) -> list[tuple[str, Proportion]]:
        return [
            ("host of a club second leg / replay wins (pooled)", self.club_host),
            ("  European Cup (engsoccerdata champs)", self.european_cup_host),
            ("  UEFA knockouts (openfootball)", self.uefa_openfootball_host),
            ("  FA Cup replays (engsoccerdata facup)", self.fa_cup_host),
            ("  EFL play-off semi-finals (engsoccerdata)", self.playoff_host),
            ("host nation of an international wins", self.international_host),
            ("team shooting first wins", self.international_first_shooter),
            ("Elo favourite wins (international)", self.international_favourite),
        ]

    def table(self) -> str:
        lines = []
        for label, prop in self.rows():
            low, high = prop.interval
            lines.append(f"{label:<52} {prop.successes:>4}/{prop.trials:<4} {prop.share:.3f}  [{low:.3f}, {high:.3f}]")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, dict[str, float | int]]:
        return {label.strip(): prop.to_dict() for label, prop in self.rows()}


def penalty_evidence(mirror_root: str | Path) -> ShootoutEvidence:
    """Measure shoot-out outcomes from the offline mirror (layout of ``MANIFEST.md``)."""
    root = Path(mirror_root)
    esd = root / "engsoccerdata" / "data-raw"
    intl = root / "martj42" / "international_results"
    host, first, favourite = _international(intl / "results.csv", intl / "shootouts.csv")
    return ShootoutEvidence(
        european_cup_host=_champs_host(esd / "champs.csv"),
        uefa_openfootball_host=_openfootball_host(root / "openfootball" / "champions-league", root / "_history"),
        fa_cup_host=_fa_cup_host(esd / "facup.csv"),
        playoff_host=_playoff_host(esd / "englandplayoffs.csv"),
        international_host=host,
        international_first_shooter=first,
        international_favourite=favourite,
    )


def _rows(path: Path) -> Iterator[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        yield from csv.DictReader(handle)


_SCORE = re.compile(r"^\s*(\d+)\s*-\s*(\d+)\s*$")

#: engsoccerdata's champs.csv ends its tie-level coverage with 2015-16; openfootball's cl.txt
#: overlaps it from 2011-12, so UEFA Champions League files are read from 2016-17 on.
_CHAMPS_LAST_SEASON = 2015


def _champs_host(path: Path) -> Proportion:
    """Second legs of European Cup ties settled on penalties: did the home side win?"""
    wins = trials = 0
    for row in _rows(path):
        if row["leg"] != "2" or not _SCORE.match(row["pens"]):
            continue
        trials += 1
        wins += row["tiewinner"] == row["home"]
    return Proportion(wins, trials)


_PEN_LINE = re.compile(r"(\d+)-(\d+) pen\.")


def _openfootball_files(folder: Path, history: Path) -> Iterator[Path]:
    for path in sorted(folder.glob("*/*.txt")):
        if path.name == "cl.txt" and season_start_year(path.parent.name) <= _CHAMPS_LAST_SEASON:
            continue
        yield path
    yield from sorted(history.glob("openfootball/champions-league/*/*/el_finals.txt"))


def _openfootball_host(folder: Path, history: Path) -> Proportion:
    """openfootball UEFA knockouts settled on penalties outside finals: did the first-named
    (home) side win? Both the ``Home v Away 4-3 pen.`` and ``Home 4-3 pen. ... Away`` layouts
    put the home side's kicks first."""
    wins = trials = 0
    for path in _openfootball_files(folder, history):
        section = ""
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("»"):
                section = line.lstrip("» ").strip()
                continue
            if line and not line[0].isspace() and not line.startswith(("=", "[", "#")):
                section = line.strip()
                continue
            match = _PEN_LINE.search(line)
            if not match or normalise_round(section.split("-")[0].strip()) == "final":
                continue
            home_kicks, away_kicks = int(match.group(1)), int(match.group(2))
            if home_kicks == away_kicks:
                raise ValueError(f"{path}: shoot-out without a winner: {line.strip()}")
            trials += 1
            wins += home_kicks > away_kicks
    return Proportion(wins, trials)


def _fa_cup_host(path: Path) -> Proportion:
    """FA Cup shoot-outs at one side's ground (replays): did the home side win?"""
    wins = trials = 0
    for row in _rows(path):
        if row["pen"] != "yes" or row["neutral"] == "yes":
            continue
        trials += 1
        wins += int(row["hp"]) > int(row["vp"])
    return Proportion(wins, trials)


def _playoff_host(path: Path) -> Proportion:
    """EFL play-off semi-final shoot-outs: did the home side of the second leg win?

    The file flags semi-finals ``neutral`` and mislabels a few second legs ``leg1``; a
    shoot-out can only follow the second leg, so its home side is the host whatever the label.
    """
    wins = trials = 0
    for row in _rows(path):
        if row["pen"] != "yes" or row["round"] != "s":
            continue
        winner = re.sub(r"^\s*\d+-\d+\s*", "", row["pens"]).strip()
        if winner not in (row["home"], row["visitor"]):
            raise ValueError(f"{path}: shoot-out winner {winner!r} is neither side of {row['home']} v {row['visitor']}")
        trials += 1
        wins += winner == row["home"]
    return Proportion(wins, trials)


def _elo_k(tournament: str) -> float:
    """Update weight by importance, after the World Football Elo Ratings (eloratings.net)."""
    if tournament == "FIFA World Cup":
        return 60.0
    if tournament in {"UEFA Euro", "Copa América", "African Cup of Nations", "AFC Asian Cup", "Gold Cup"}:
        return 50.0
    if "qualification" in tournament:
        return 40.0
    if tournament == "Friendly":
        return 20.0
    return 30.0


def _international(results: Path, shootouts: Path) -> tuple[Proportion, Proportion, Proportion]:
    """Host, first-shooter and Elo-favourite win counts over international shoot-outs.

    The favourite is the side with the higher pre-match Elo rating (+100 for a host), rated
    from every result before the match with World Football Elo weights; shoot-outs between
    equally rated sides are left out of that count.
    """
    outcomes = {(r["date"], r["home_team"], r["away_team"]): r for r in _rows(shootouts)}
    ratings: dict[str, float] = {}
    host = first = favourite = Proportion(0, 0)
    for match in _rows(results):
        home, away = match["home_team"], match["away_team"]
        neutral = match["neutral"].upper() == "TRUE"
        edge = ratings.get(home, 1500.0) - ratings.get(away, 1500.0) + (0.0 if neutral else 100.0)
        shootout = outcomes.get((match["date"], home, away))
        if shootout is not None:
            home_won = shootout["winner"] == home
            if not neutral:
                host += Proportion(int(home_won), 1)
            if shootout["first_shooter"]:
                first += Proportion(int(shootout["winner"] == shootout["first_shooter"]), 1)
            if edge != 0.0:
                favourite += Proportion(int(home_won == (edge > 0)), 1)
        if match["home_score"] in ("", "NA") or match["away_score"] in ("", "NA"):
            continue
        goals_home, goals_away = int(match["home_score"]), int(match["away_score"])
        margin = abs(goals_home - goals_away)
        multiplier = 1.0 if margin <= 1 else 1.5 if margin == 2 else (11.0 + margin) / 8.0
        expected = 1.0 / (1.0 + 10.0 ** (-edge / 400.0))
        result = 1.0 if goals_home > goals_away else 0.5 if goals_home == goals_away else 0.0
        change = _elo_k(match["tournament"]) * multiplier * (result - expected)
        ratings[home] = ratings.get(home, 1500.0) + change
        ratings[away] = ratings.get(away, 1500.0) - change
    return host, first, favourite
