"""How a knockout tie is decided, by competition and season.

Rules are data, not code paths: the eras live in ``data/rules.csv`` (one row per competition,
span of seasons and set of rounds, each with its sources) and :func:`rules_for` looks them up.
A hypothetical rule set is a :func:`dataclasses.replace` away::

    rules = rules_for("uefa.el", "2023-24", "qf")          # no away goals since 2021-22
    what_if = dataclasses.replace(rules, away_goals=True, away_goals_in_extra_time=True)

Seasons are named by their start year (``2023`` is 2023-24); strings such as ``"2023-24"``,
``"2023/24"`` or ``"2023/2024"`` are accepted everywhere. Coin tosses and replays are recorded
so history can label the ties they settled; the tie engine does not model them as matches.
"""

from __future__ import annotations

import contextlib
import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Literal, get_args

from remontada import competitions
from remontada.sources.records import SourceError

Decider = Literal["penalties", "coin_toss", "replay"]
DECIDERS: tuple[str, ...] = get_args(Decider)


@dataclass(frozen=True, slots=True)
class TieRules:
    """How one knockout tie (two legs) or match (one leg) is settled.

    Order of tie-breaks for two legs: aggregate goals after the second leg's 90 minutes; then
    away goals if ``away_goals``; then ``extra_time_minutes`` of extra time at the second-leg
    ground (aggregate again, then away goals counting extra-time goals if
    ``away_goals_in_extra_time``); then the ``decider``. One leg: the 90-minute score, extra
    time, the decider. ``neutral_venue`` says the single match has no home side.
    """

    legs: int = 2
    away_goals: bool = False
    away_goals_in_extra_time: bool = False
    extra_time_minutes: int = 30
    decider: Decider = "penalties"
    neutral_venue: bool = False
    source: str = ""
    note: str = ""

    def __post_init__(self) -> None:
        if self.legs not in (1, 2):
            raise ValueError(f"a tie has 1 or 2 legs, got {self.legs}")
        if self.decider not in DECIDERS:
            raise ValueError(f"decider must be one of {', '.join(DECIDERS)}, got {self.decider!r}")
        if self.extra_time_minutes < 0:
            raise ValueError(f"extra time cannot be negative, got {self.extra_time_minutes} minutes")
        if self.legs == 1 and (self.away_goals or self.away_goals_in_extra_time):
            raise ValueError("away goals only apply to two-legged ties")

    @property
    def penalties(self) -> bool:
        """True if a penalty shoot-out settles a tie still level."""
        return self.decider == "penalties"

    @property
    def replay(self) -> bool:
        """True if a tie still level is replayed (recorded, not modelled)."""
        return self.decider == "replay"

    @property
    def has_extra_time(self) -> bool:
        return self.extra_time_minutes > 0

    def describe(self) -> str:
        """One line in plain words, e.g. for a CLI header."""
        venue = " at a neutral venue" if self.neutral_venue else ""
        parts = ["two legs" if self.legs == 2 else f"single match{venue}"]
        if self.away_goals:
            parts.append("away goals after 90 minutes")
        if self.has_extra_time:
            parts.append(f"{self.extra_time_minutes} minutes extra time")
            if self.away_goals_in_extra_time:
                parts.append("away goals after extra time")
        parts.append({"penalties": "penalties", "coin_toss": "coin toss", "replay": "replay"}[self.decider])
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class RuleEra:
    """One row of the rules table: ``rules`` hold for ``competition`` from ``first_season`` to
    ``last_season`` (start years, inclusive; ``None`` = still in force) in ``rounds``
    (``None`` = every round not named by a more specific row)."""

    competition: str
    first_season: int
    last_season: int | None
    rounds: frozenset[str] | None
    rules: TieRules

    def covers(self, competition: str, season: int) -> bool:
        if competition != self.competition or season < self.first_season:
            return False
        return self.last_season is None or season <= self.last_season


# ---- seasons and rounds --------------------------------------------------------------------

_SEASON = re.compile(r"^\s*(\d{4})(?:\s*[-/]\s*(\d{2}|\d{4}))?\s*$")


def season_start_year(season: str | int) -> int:
    """Start year of a season: ``"2023-24"``, ``"2023/2024"``, ``"2023"`` and ``2023`` all give 2023."""
    if isinstance(season, int):
        return season
    match = _SEASON.match(season)
    if not match:
        raise ValueError(f"cannot read season {season!r}; use e.g. '2023-24' or 2023")
    start = int(match.group(1))
    if match.group(2):
        end = int(match.group(2))
        end_year = end if end >= 1000 else (start // 100) * 100 + end + (100 if end < start % 100 else 0)
        if end_year != start + 1:
            raise ValueError(f"season {season!r} does not span consecutive years")
    return start


def season_label(start_year: int) -> str:
    """``2023`` -> ``"2023-24"``."""
    return f"{start_year}-{(start_year + 1) % 100:02d}"


_ROUND_WORDS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(finals?,\s*)?(the\s+)?final$"), "final"),
    (re.compile(r"^(finals?,\s*)?(sf|semi[\s-]?finals?)$"), "sf"),
    (re.compile(r"^(finals?,\s*)?(qf|quarter[\s-]?finals?)$"), "qf"),
    (re.compile(r"^(finals?,\s*)?(r16|round of 16|last 16|eighth[\s-]?finals?)$"), "r16"),
    (re.compile(r"^(r32|round of 32|last 32|sechzehntelfinale)$"), "r32"),
    (re.compile(r"^(po|q-po|play-?offs?|knockout round play-?offs?|play-?off round)$"), "po"),
    (re.compile(r"^(replay\d*|play-?off match)$"), "replay"),
    (re.compile(r"^q-?(\d)$"), r"q\1"),
    (re.compile(r"^(?:round\s*(\d)|(\d)\.\s*round|(\d)(?:st|nd|rd|th)\s+round)$"), "round"),
]


_ORDINAL_ROUND = re.compile(r"^(first|second|third|fourth|fifth)\s+(qualifying\s+)?round$")
_ORDINALS = {"first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5}


def normalise_round(text: str) -> str:
    """A round label from any source as a short key.

    ``"Quarterfinals"``, ``"QF"`` -> ``qf``; ``"Round of 16"``, ``"R16"`` -> ``r16``;
    ``"Round1"``, ``"1. Round"`` -> ``round1``; ``"Q-PO"``, ``"Playoffs"`` -> ``po``;
    ``"f"`` and ``"s"`` (engsoccerdata) -> ``final`` and ``sf``; ``"First round"`` -> ``round1``,
    ``"Second qualifying round"`` -> ``q2``; a play-off label such as ``"Semifinals (tier 2)"`` or
    ``"Championship, Promotion Playoff, Semifinals"`` -> ``sf``. Unknown labels come back
    lower-cased and stripped, so a table row can still name them.
    """
    # "Championship, Promotion Playoff, Semifinals (tier 2)" -> "semifinals"
    key = re.sub(r"\(.*?\)", "", text.split(",")[-1])
    key = re.sub(r"\s+", " ", key.strip().lower())
    ordinal = _ORDINAL_ROUND.match(key)
    if ordinal:  # engsoccerdata's "First round", "Second qualifying round"
        number = _ORDINALS[ordinal.group(1)]
        return f"q{number}" if ordinal.group(2) else f"round{number}"
    if key in ("f",):
        return "final"
    if key in ("s",):
        return "sf"
    if key == "q":
        return "qf"
    for pattern, replacement in _ROUND_WORDS:
        match = pattern.match(key)
        if match:
            if replacement == "round":
                return "round" + next(g for g in match.groups() if g)
            return match.expand(replacement)
    return key



_ROUND_NAMES: dict[str, str] = {
    "final": "Final",
    "sf": "Semi-finals",
    "qf": "Quarter-finals",
    "r16": "Round of 16",
    "r32": "Round of 32",
    "po": "Play-off round",
    "replay": "Replay",
}
_NTH = {1: "First", 2: "Second", 3: "Third", 4: "Fourth", 5: "Fifth"}
#: Round keys of the qualifying rounds (``q1`` .. ``q4``); the play-off round before the group stage is ``po``.
QUALIFYING_ROUNDS = frozenset(f"q{n}" for n in range(1, 6))


def round_name(label: str | None) -> str | None:
    """How a round is written for people: ``"Quarterfinals"``, ``"QF"`` -> ``"Quarter-finals"``,
    ``"Q2"`` -> ``"Second qualifying round"``. A label that says more than its round (a
    comma-separated play-off label) or that is not a known round is returned unchanged."""
    if not label or "," in label:
        return label
    key = normalise_round(label)
    if key in _ROUND_NAMES:
        return _ROUND_NAMES[key]
    for prefix, words in (("q", "qualifying round"), ("round", "round")):
        rest = key[len(prefix) :]
        if key.startswith(prefix) and rest.isdigit() and int(rest) in _NTH:
            return f"{_NTH[int(rest)]} {words}"
    return label

# ---- the table -----------------------------------------------------------------------------

_COLUMNS = (
    "competition",
    "first_season",
    "last_season",
    "rounds",
    "legs",
    "away_goals",
    "away_goals_in_extra_time",
    "extra_time_minutes",
    "decider",
    "neutral_venue",
    "source",
    "note",
)


def _flag(value: str, column: str) -> bool:
    if value not in ("0", "1"):
        raise ValueError(f"{column} must be 0 or 1, got {value!r}")
    return value == "1"


def _parse_row(row: dict[str, str]) -> RuleEra:
    rules = TieRules(
        legs=int(row["legs"]),
        away_goals=_flag(row["away_goals"], "away_goals"),
        away_goals_in_extra_time=_flag(row["away_goals_in_extra_time"], "away_goals_in_extra_time"),
        extra_time_minutes=int(row["extra_time_minutes"]),
        decider=row["decider"],  # type: ignore[arg-type]  # checked by TieRules
        neutral_venue=_flag(row["neutral_venue"], "neutral_venue"),
        source=row["source"],
        note=row["note"],
    )
    rounds_text = row["rounds"].strip()
    rounds = None if rounds_text in ("", "*") else frozenset(normalise_round(r) for r in rounds_text.split("|"))
    first = season_start_year(row["first_season"])
    last = season_start_year(row["last_season"]) if row["last_season"].strip() else None
    if last is not None and last < first:
        raise ValueError(f"last season {row['last_season']} is before first season {row['first_season']}")
    return RuleEra(row["competition"].strip(), first, last, rounds, rules)


def parse_eras(lines: Iterable[str], location: str) -> tuple[RuleEra, ...]:
    """Read a rules table (CSV with ``#`` comment lines); bad rows raise :class:`SourceError`."""
    numbered = [(n, line) for n, line in enumerate(lines, start=1) if line.strip() and not line.startswith("#")]
    if not numbered:
        raise SourceError(location, None, "empty rules table")
    reader = csv.DictReader(line for _, line in numbered)
    missing = set(_COLUMNS) - set(reader.fieldnames or ())
    if missing:
        raise SourceError(location, numbered[0][0], f"missing columns: {', '.join(sorted(missing))}")
    eras = []
    for (line_no, _), row in zip(numbered[1:], reader, strict=True):
        try:
            eras.append(_parse_row(row))
        except (ValueError, TypeError) as exc:
            raise SourceError(location, line_no, str(exc)) from exc
    return tuple(eras)


def load_eras(path: str | Path | None = None) -> tuple[RuleEra, ...]:
    """The rules table at ``path``, or the one shipped with remontada."""
    if path is None:
        return _packaged_eras()
    path = Path(path)
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_eras(handle, str(path))


@lru_cache(maxsize=1)
def _packaged_eras() -> tuple[RuleEra, ...]:
    table = resources.files("remontada").joinpath("data/rules.csv")
    text = table.read_text(encoding="utf-8")
    return parse_eras(text.splitlines(keepends=True), "remontada/data/rules.csv")


def rules_for(
    competition_id: str,
    season: str | int,
    round: str | None = None,
    *,
    eras: Iterable[RuleEra] | None = None,
) -> TieRules:
    """The rules of ``competition_id`` in ``season`` for ``round`` (any label
    :func:`normalise_round` reads; ``None`` = an ordinary knockout round). The competition may
    also be given by name or alias (``"UEFA Cup"``), as :func:`remontada.competitions.resolve` reads it.

    A row naming the round wins over a row for every round. Raises ``LookupError`` naming the
    competition, season and the seasons the table does cover when no row applies.
    """
    year = season_start_year(season)
    key = normalise_round(round) if round is not None else None
    table = tuple(eras) if eras is not None else _packaged_eras()
    if not any(era.competition == competition_id for era in table):
        with contextlib.suppress(LookupError):  # a name or alias such as "UEFA Cup"
            competition_id = competitions.resolve(competition_id).id
    candidates = [era for era in table if era.covers(competition_id, year)]
    if key is not None:
        specific = [era for era in candidates if era.rounds is not None and key in era.rounds]
        if specific:
            return specific[-1].rules
    general = [era for era in candidates if era.rounds is None]
    if general:
        return general[-1].rules
    known = [era for era in table if era.competition == competition_id]
    if not known:
        ids = sorted({era.competition for era in table})
        raise LookupError(f"no tie rules for competition {competition_id!r}; the table covers {', '.join(ids)}")
    first = min(era.first_season for era in known)
    lasts = [era.last_season for era in known]
    until = "onwards" if None in lasts else f"to {season_label(max(y for y in lasts if y is not None))}"
    where = f" round {round!r}" if round is not None else ""
    raise LookupError(
        f"no tie rules for {competition_id} {season_label(year)}{where}; the table covers {season_label(first)} {until}"
    )
