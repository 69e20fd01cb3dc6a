"""Competition, round, scores and time words in sentences: the patterns the reader looks for.

Each finder returns plain matches with their character span, so :mod:`remontada.news.extract`
can weigh them by where they sit (the same sentence as "first leg", a year, a club).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

#: Countries newspapers name, as the store's country codes ("travel to Italy", "in Germany").
COUNTRIES = {
    "england": "ENG", "spain": "ESP", "italy": "ITA", "germany": "GER", "france": "FRA", "portugal": "POR",
    "netherlands": "NED", "holland": "NED", "scotland": "SCO", "belgium": "BEL", "turkey": "TUR", "greece": "GRE",
    "austria": "AUT", "switzerland": "SUI", "ukraine": "UKR", "czech republic": "CZE", "croatia": "CRO",
    "serbia": "SRB", "denmark": "DEN", "norway": "NOR", "sweden": "SWE", "poland": "POL", "russia": "RUS",
    "azerbaijan": "AZE", "cyprus": "CYP", "israel": "ISR", "hungary": "HUN", "romania": "ROU", "bulgaria": "BUL",
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Fact:
    """One extracted fact: its ``value`` (JSON-able) and the ``sentence`` it came from."""

    value: Any
    sentence: str

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "sentence": self.sentence}


#: Competition ids of the store and how newspapers write them (first match wins per span).
COMPETITIONS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cid, re.compile(pattern, re.IGNORECASE))
    for cid, pattern in (
        ("uefa.ecl", r"\b(?:Europa\s+)?Conference\s+League\b|\bUECL\b"),
        ("uefa.cl", r"\bChampions\s+League\b|\bEuropean\s+Cup\b(?!\s+Winners)"),
        ("uefa.el", r"\bEuropa\s+League\b|\bUEFA\s+Cup\b"),
        ("uefa.cwc", r"\bCup\s+Winners'?’?\s+Cup\b"),
        ("eng.lc", r"\b(?:EFL|Carabao|League|Capital\s+One|Milk|Coca-Cola|Worthington|Rumbelows)\s+Cup\b"),
        ("eng.fa", r"\bFA\s+Cup\b"),
        ("esp.cup", r"\bCopa\s+del\s+Rey\b"),
        ("ita.cup", r"\bCoppa\s+Italia\b|\bItalian\s+Cup\b"),
        ("ger.cup", r"\bDFB[- ]Pokal\b|\bGerman\s+Cup\b"),
        ("fra.cup", r"\bCoupe\s+de\s+France\b|\bFrench\s+Cup\b"),
        ("eng.1", r"\bPremier\s+League\b"),
        ("esp.1", r"\bLa\s?Liga\b"),
        ("ita.1", r"\bSerie\s+A\b"),
        ("ger.1", r"\bBundesliga\b(?!\s*2)"),
        ("fra.1", r"\bLigue\s+1\b"),
        ("ned.1", r"\bEredivisie\b"),
        ("por.1", r"\bPrimeira\s+Liga\b"),
        ("sco.1", r"\bScottish\s+Premiership\b"),
        ("eng.2", r"\bChampionship\b(?!\s+(?:crown|title\s+race|side|club|team|outfit|leaders))"),
    )
)

#: Round keys (as :func:`remontada.rules.normalise_round` gives them) and how they are written.
ROUNDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (key, re.compile(pattern, re.IGNORECASE))
    for key, pattern in (
        ("sf", r"\bsemi[- ]?finals?\b|\blast\s+four\b"),
        ("qf", r"\bquarter[- ]?finals?\b|\blast\s+eight\b"),
        ("r16", r"\bround\s+of\s+16\b|\blast[- ]16\b|\blast\s+sixteen\b"),
        ("r32", r"\bround\s+of\s+32\b|\blast[- ]32\b"),
        ("po", r"\b(?:knockout\s+(?:round\s+)?)?play-?offs?\b"),
        (
            "final",
            r"(?<![-\w])final\b(?!\s+(?:whistle|minutes?|third|day|stages?|round\s+of\s+group|matchday|say|word))",
        ),
    )
)
_FINAL_PREFIX = re.compile(r"(?:semi|quarter)[- ]?$", re.IGNORECASE)

SCORE = re.compile(r"(?<![\d.,:/\w-])(\d{1,2})\s?[-–—]\s?(\d{1,2})(?![\d.,/]*\d)(?![\w-])")
_AGGREGATE = re.compile(r"^\W*(?:\w+\W+){0,3}?(?:on\s+)?aggregate\b|^\s*agg\b", re.IGNORECASE)
_SHOOTOUT = re.compile(r"^\W*(?:\w+\W+){0,2}?(?:on\s+)?(?:penalties|pens|in\s+the\s+shoot-?out|spot-?kicks)\b", re.I)

#: The text talks about time in a match: show the comeback curve.
TIME_TALK = re.compile(
    r"\b(?:how\s+much\s+time\s+is\s+left|time\s+(?:is\s+)?left|early\s+goal|score\s+early|an\s+early|"
    r"first\s+goal|late\s+goal|clock|minutes?\s+(?:to\s+go|left|remaining)|last\s+(?:\d+|ten|twenty)\s+minutes|"
    r"half-?time|the\s+first\s+half|stoppage\s+time)\b",
    re.IGNORECASE,
)
#: Words of an article about a league match rather than a knockout tie.
LEAGUE_TALK = re.compile(
    r"\b(?:league\s+(?:match|game|fixture|leaders|table|title)|title\s+race|top\s+of\s+the\s+table|"
    r"(?:three|3)\s+points|points\s+(?:clear|behind|adrift|gap)|relegation|matchday|derby|top[- ]four)\b",
    re.IGNORECASE,
)
#: Words of a two-legged tie.
TIE_TALK = re.compile(
    r"\b(?:first|second|return|opening|home|away)[- ]leg\b|\b(?:on\s+)?aggregate\b|\btie\b|\breturn\s+fixture\b",
    re.IGNORECASE,
)
#: The tie is over: somebody went through.
DECIDED = re.compile(
    r"\b(?:knocked\s+out|eliminated|went\s+through|go\s+through\s+to|progressed|advanced\s+to|booked\s+(?:a|their|its)\s+"
    r"(?:place|spot)|reached\s+the|sealed\s+(?:a|their)\s+place|were\s+dumped\s+out|crashed\s+out|won\s+\d+-\d+\s+on\s+"
    r"aggregate|\d+-\d+\s+on\s+aggregate)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True)
class Span:
    """A pattern's ``value`` found at ``start:end`` of sentence ``sentence`` (its index)."""

    value: str
    sentence: int
    start: int
    end: int


def find_competitions(index: int, text: str) -> list[Span]:
    """Competition mentions in one sentence (no overlapping spans)."""
    out: list[Span] = []
    taken: list[tuple[int, int]] = []
    for cid, pattern in COMPETITIONS:
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in taken):
                continue
            taken.append((m.start(), m.end()))
            out.append(Span(cid, index, m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)


def find_rounds(index: int, text: str) -> list[Span]:
    """Round mentions in one sentence."""
    out: list[Span] = []
    for key, pattern in ROUNDS:
        for m in pattern.finditer(text):
            if key == "final" and _FINAL_PREFIX.search(text[: m.start()]):
                continue
            out.append(Span(key, index, m.start(), m.end()))
    return sorted(out, key=lambda s: s.start)


@dataclass(frozen=True, slots=True)
class ScoreSpan:
    """A score ``x-y`` at ``start:end`` of sentence ``sentence``; ``aggregate`` or ``shootout``
    when the words after it say so (then it is not one match's score)."""

    goals: tuple[int, int]
    sentence: int
    start: int
    end: int
    aggregate: bool = False
    shootout: bool = False


def find_scores(index: int, text: str) -> list[ScoreSpan]:
    """Scores written ``3-0`` in one sentence."""
    out = []
    for m in SCORE.finditer(text):
        x, y = int(m.group(1)), int(m.group(2))
        if x > 15 or y > 15:
            continue
        after = text[m.end() : m.end() + 40]
        out.append(
            ScoreSpan((x, y), index, m.start(), m.end(), bool(_AGGREGATE.match(after)), bool(_SHOOTOUT.match(after)))
        )
    return out


__all__ = [
    "COMPETITIONS",
    "COUNTRIES",
    "DECIDED",
    "LEAGUE_TALK",
    "ROUNDS",
    "SCORE",
    "TIE_TALK",
    "TIME_TALK",
    "Fact",
    "ScoreSpan",
    "Span",
    "find_competitions",
    "find_rounds",
    "find_scores",
]
