"""Which club is at home in the next leg, as the article says it: "host the second leg", "travel to
X", "a lead to X", "host X", "... in X" in a sentence about what is to come, else the first leg's
away side. X may be a club, a ground or city (``data/news_places.csv``) or a country.
"""

from __future__ import annotations

import re
from typing import Any

from remontada.news.clubs import ClubMention
from remontada.news.facts import COUNTRIES, Fact
from remontada.news.results import PAST_ROUND, YEARS_AGO, ScoreClaim, country_of, subject_of
from remontada.news.text import Sentence

_TRAVEL = re.compile(
    r"\b(?:(?:travel(?:s|led|ling)?|head(?:s|ed)?|go(?:es)?|journey)\s+to|visit|visits)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)",
    re.I,
)
_HOST = re.compile(r"\b(?:host|hosts|hosting|welcome|welcomes|entertain|entertains)\s+(?:the\s+)?([A-Z][\w'’-]+)", re.I)
_LEAD_TO = re.compile(r"\b(?:lead|advantage|deficit|cushion|edge)\s+(?:[\w-]+\s+){0,4}?(?:to|into)\s+", re.I)
_HOST_LEG = re.compile(r"\b(?:host|hosts|hosting)\s+the\s+(?:second|return)[- ]leg", re.I)
_FUTURE = re.compile(
    r"\b(?:must|will|need|needs|next\s+week|tonight|tomorrow|second[- ]leg|return[- ]leg|thursday's\s+task|"
    r"on\s+(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b",
    re.I,
)


def _target(text: str, pos: int, mentions: list[ClubMention], places: list[ClubMention]) -> Any:
    """The club, place or country named at ``pos`` ("the " skipped): a club id, ``{"any_of": [...]}``
    or ``{"country": code}``; ``None`` when nothing is named there."""
    if text[pos : pos + 4].lower() == "the ":
        pos += 4
    for m in mentions:
        if m.start == pos and not m.ambiguous:
            return m.clubs[0]
    for m in places:
        if m.start == pos:
            return m.clubs[0] if len(m.clubs) == 1 else {"any_of": list(m.clubs)}
    word = re.match(r"([A-Za-z]+(?:\s+Republic)?)", text[pos:])
    if word and word.group(1).lower() in COUNTRIES:
        return {"country": COUNTRIES[word.group(1).lower()]}
    return None


def next_host(
    sentences: tuple[Sentence, ...],
    by_sentence: dict[int, list[ClubMention]],
    places_by_sentence: dict[int, list[ClubMention]],
    first_leg: ScoreClaim | None,
    main: str | None,
) -> Fact | None:
    """The club at home in the next leg: "host the second leg", "travel to X", "a lead to X",
    "host X", "... in X" in a sentence about what is to come, or the first leg's away side."""
    for sentence in sentences:
        text = sentence.text
        if YEARS_AGO.search(text) or (PAST_ROUND.search(text) and not _FUTURE.search(text)):
            continue
        mentions = by_sentence.get(sentence.index, [])
        places = places_by_sentence.get(sentence.index, [])
        m = _HOST_LEG.search(text)
        if m is not None:
            subject = subject_of(text, mentions, m.start(), main)
            if subject is not None:
                return Fact(subject, text)
        for pattern in (_TRAVEL, _LEAD_TO):
            for m in pattern.finditer(text):
                pos = m.start(1) if pattern is _TRAVEL else m.end()
                target = _target(text, pos, mentions, places)
                if target is not None:
                    return Fact(target, text)
        for m in _HOST.finditer(text):
            guest = next((x for x in mentions if x.start == m.start(1)), None)
            subject = subject_of(text, mentions, m.start(), main)
            if guest is not None and subject is not None and subject not in guest.clubs:
                return Fact(subject, text)
        if _FUTURE.search(text):
            for m in re.finditer(r"\b(?:in|at)\s+", text):
                target = _target(text, m.end(), mentions, places)
                if target is not None and not _before_past(text, m.start()):
                    return Fact(target, text)
    if first_leg is not None and first_leg.venue == "away":
        return Fact(first_leg.club, first_leg.sentence)
    if first_leg is not None and first_leg.venue == "home" and first_leg.opponent is not None:
        return Fact(first_leg.opponent, first_leg.sentence)
    return None


def _before_past(text: str, pos: int) -> bool:
    """Whether the words just before ``pos`` tell of the past ("after a 2-0 defeat in Germany")."""
    return bool(
        re.search(r"\b(?:after|defeat|loss|victory|draw|beaten|lost|won|drew|(?:first|opening)[- ]leg)\b[^.,;]{0,25}$",
                  text[:pos], re.I)
    )  # fmt: skip


def resolve_host(fact: Fact | None, clubs: tuple[str, str] | None) -> str | None:
    """The club id of a next-leg host fact among the tie's ``clubs`` (a place or a country names
    one of them, or none)."""
    if fact is None:
        return None
    value = fact.value
    if isinstance(value, str):
        return value if clubs is None or value in clubs else None
    if clubs is None:
        return None
    if "any_of" in value:
        hits = [c for c in clubs if c in value["any_of"]]
    else:
        hits = [c for c in clubs if country_of(c) == value["country"]]
    return hits[0] if len(hits) == 1 else None


__all__ = ["next_host", "resolve_host"]
