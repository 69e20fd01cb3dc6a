"""Reading each score of an article in its sentence: whose result it is, against whom, won or lost,
at home or away, and when.

A club named before the score (not as the object of "beat", "against", "to"...) is its subject;
"we", "they", "Klopp's side" stand for the article's main club. The verb or noun around the score
says won, lost, drew, leads or trails; "home loss", "at Anfield", "in Barcelona", "in Germany" say
where; "in 2019", "four years ago", "the first leg" say when. Each result becomes a
:class:`ScoreClaim` with its sentence, for :mod:`.claims` to check against the store.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from remontada.news import dates as dates_mod
from remontada.news import facts
from remontada.news.clubs import ClubMention
from remontada.news.facts import COUNTRIES
from remontada.news.text import Sentence

_WIN_VERBS = re.compile(
    r"\b(won|win|wins|winning|beat|beats|defeated|defeat|thrashed|hammered|crushed|routed|stunned|edged|overcame|"
    r"dispatched|demolished|humbled|thumped|swept\s+aside|saw\s+off|outclassed|battered)\b",
    re.IGNORECASE,
)
_LOSS_VERBS = re.compile(
    r"\b(lost|lose|loses|losing|fell|were\s+beaten|was\s+beaten|been\s+beaten|went\s+down|trailed|trail|trailing|"
    r"suffered|suffering|slumped|conceded|were\s+thrashed|were\s+hammered|crashed|were\s+routed|were\s+humbled)\b",
    re.IGNORECASE,
)
_DRAW_VERBS = re.compile(r"\b(drew|draw|drawn|held|were\s+held|shared)\b", re.IGNORECASE)
_LEAD_VERBS = re.compile(r"\b(lead|leads|led|leading|hold|holds|carry|carrying|protect|protecting|take|took)\b", re.I)
_WIN_NOUNS = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}?(win|victory|triumph|success|thrashing|rout|demolition|hammering\s+of|drubbing\s+of)\b",
    re.I,
)
_LOSS_NOUNS = re.compile(
    r"^\s*(?:[\w-]+\s+){0,2}?(loss|defeat|reverse|setback|humiliation|hammering|beating|drubbing|thrashing)\b", re.I
)
_DRAW_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(draw|stalemate)\b", re.I)
_LEAD_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(lead|advantage|cushion|up\b)", re.I)
_DEFICIT_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(deficit|down\b|scoreline)", re.I)
_HOME = re.compile(
    r"\b(?:home\s+(?:loss|defeat|win|victory|draw|leg|game|match|crowd)|at\s+home|on\s+home\s+soil|in\s+front\s+of\s+their\s+own)\b",
    re.I,
)
_AWAY = re.compile(
    r"\b(?:away\s+(?:loss|defeat|win|victory|draw|leg|game|match)|on\s+the\s+road|away\s+from\s+home|on\s+their\s+travels)\b",
    re.I,
)
_PRONOUN = re.compile(
    r"\b(?:(?i:we|our|us|they|their|them|his\s+(?:team|side|men|players)|her\s+(?:team|side))|"
    r"[A-Z][\w'’]+['’]s\s+(?i:side|team|men)|(?i:the\s+(?:hosts|visitors|home\s+side|away\s+side|holders)))\b"
)
_FIRST_LEG = re.compile(r"\b(?:first|opening)[- ]leg\b|\blast\s+week\b|\bfirst\s+meeting\b|\(first\)\s+leg", re.I)
SECOND_LEG = re.compile(r"\b(?:second|return)[- ]leg\b|\breturn\s+fixture\b", re.I)
PAST_ROUND = re.compile(r"\b(?:knocked|beat|saw\s+off|reached|eliminated|won|beating|overturned)\b", re.I)
_NOW = re.compile(r"\b(?:now|this\s+time|last\s+week)\b", re.I)
YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_NUMBERS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
}
YEARS_AGO = re.compile(
    r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:years?|seasons?)\s+ago\b", re.I
)
LAST_SEASON = re.compile(r"\blast\s+season\b|\blast\s+year\b", re.I)


@dataclass(frozen=True, slots=True)
class ScoreClaim:
    """A result the article states: ``club`` scored ``goals_for`` and conceded ``goals_against``
    against ``opponent`` (``None``: not named), ``venue`` ``home``/``away``/``None`` for ``club``.

    ``when`` narrows the match in time: ``("year", 2019)``, ``("years_ago", 4)``,
    ``("first_leg", None)``, ``("last_season", None)`` or ``None``; ``competition`` a competition
    id named in the sentence. ``text`` is the score as written, ``sentence`` the sentence.
    """

    club: str
    opponent: str | None
    goals_for: int
    goals_against: int
    venue: str | None
    when: tuple[str, int | None] | None
    competition: str | None
    text: str
    sentence: str
    sentence_index: int
    first_leg: bool = False

    def describe(self, names: dict[str, str]) -> str:
        opp = names.get(self.opponent, self.opponent) if self.opponent else "an opponent not named"
        club = names.get(self.club, self.club)
        if self.goals_for > self.goals_against:
            verb = "beat"
        elif self.goals_for < self.goals_against:
            verb = "lost to"
        else:
            verb = "drew with"
        where = {"home": " at home", "away": " away"}.get(self.venue or "", "")
        return f"{club} {verb} {opp} {self.goals_for}-{self.goals_against}{where}"


def sentence_text(sentences: tuple[Sentence, ...], index: int) -> str:
    return sentences[index].text


def main_club(mentions: list[ClubMention]) -> str | None:
    counts: Counter[str] = Counter()
    first: dict[str, int] = {}
    for m in mentions:
        if m.ambiguous:
            continue
        club = m.clubs[0]
        counts[club] += 2 if m.sentence == 0 else 1
        first.setdefault(club, m.sentence * 1000 + m.start)
    if not counts:
        return None
    return min(counts, key=lambda c: (-counts[c], first[c]))


def undated(text: str) -> str:
    """``text`` without its explicit dates ("April 16, 2019"): a dateline's year is not a past year."""
    for mention in dates_mod.explicit_dates(0, text):
        text = text.replace(mention.text, " ")
    return text


def _when(text: str, legs: bool = True) -> tuple[str, int | None] | None:
    if legs and _FIRST_LEG.search(text):
        return ("first_leg", None)
    year = YEAR.search(undated(text))
    if year:
        return ("year", int(year.group(1)))
    ago = YEARS_AGO.search(text)
    if ago:
        word = ago.group(1).lower()
        return ("years_ago", 1 if word == "a" else _NUMBERS.get(word, int(word) if word.isdigit() else 0))
    if LAST_SEASON.search(text):
        return ("last_season", None)
    return None


_OBJECT_MARK = re.compile(
    r"\b(?:against|to|over|with|by|from|beat|beating|face|facing|play|host|visit|welcome|trail|lead|of|knocked|"
    r"eliminated|defeated|thrashed|hammered|edged|stunned|off|overcame|crushed|routed|dispatched|humbled)\s+(?:the\s+)?$",
    re.I,
)


def subject_of(text: str, mentions: list[ClubMention], pos: int, main: str | None) -> str | None:
    """The club whose result sits at ``pos``: the nearest club named before it that is not the
    object of a verb or preposition, unless a pronoun ("we", "their", "Klopp's side") is nearer,
    which stands for the article's main club."""
    before = [m for m in mentions if m.end <= pos and not m.ambiguous]
    subjects = [m for m in before if not _OBJECT_MARK.search(text[max(0, m.start - 20) : m.start])]
    club = subjects[-1] if subjects else None
    pronouns = list(_PRONOUN.finditer(text[:pos]))
    pronoun = pronouns[-1] if pronouns else None
    if pronoun is not None and (club is None or pronoun.start() > club.end):
        return main
    if club is None:
        return before[-1].clubs[0] if before and main is None else main if before else None
    earlier = [m for m in before if m.end <= club.start]
    if earlier and re.fullmatch(r"\s+and\s+", text[earlier[-1].end : club.start]):
        return earlier[-1].clubs[0]  # "Manchester City and Real Madrid drew": the first named
    return club.clubs[0]


def _sense(text: str, score: facts.ScoreSpan) -> tuple[str | None, int]:
    """``win``/``loss``/``draw``/``lead``/``deficit`` for the subject, and where the verb or noun
    sits (the subject is looked for before it)."""
    after = text[score.end :]
    verb_at = _verb_position(text, score.start)
    for pattern, sense in ((_WIN_NOUNS, "win"), (_LOSS_NOUNS, "loss"), (_DRAW_NOUNS, "draw")):
        m = pattern.match(after)
        if m:
            before = text[max(0, score.start - 40) : score.start]
            if sense in ("win", "loss") and m.group(1).lower().startswith(("thrashing", "drubbing", "hammering")):
                sense = "loss" if re.search(r"\b(suffer\w*|endur\w*|were\s+handed|took)\b", before, re.I) else "win"
            elif sense == "win" and re.search(r"\b(suffer\w*|endur\w*)\b\W+(?:\w+\W+){0,2}$", before, re.I):
                sense = "loss"
            return sense, verb_at
    for pattern, sense in ((_LEAD_NOUNS, "lead"), (_DEFICIT_NOUNS, "deficit")):
        if pattern.match(after):
            return sense, verb_at
    window_start = max(0, score.start - 70)
    window = text[window_start : score.start]
    best: tuple[int, str] | None = None
    for pattern, sense in ((_WIN_VERBS, "win"), (_LOSS_VERBS, "loss"), (_DRAW_VERBS, "draw"), (_LEAD_VERBS, "lead")):
        for m in pattern.finditer(window):
            if best is None or m.start() > best[0]:
                word = m.group(1).lower()
                if sense == "win" and word == "defeat":
                    continue
                best = (m.start(), sense)
    if best is None:
        return None, score.start
    return best[1], window_start + best[0]


def _verb_position(text: str, pos: int) -> int:
    """Where the nearest verb of a result sits within 40 characters before ``pos`` (else ``pos``)."""
    start = max(0, pos - 40)
    window = text[start:pos]
    found = [
        m.start()
        for pattern in (_WIN_VERBS, _LOSS_VERBS, _DRAW_VERBS, _LEAD_VERBS)
        for m in pattern.finditer(window)
        if m.group(1).lower() != "defeat"
    ]
    return start + max(found) if found else pos


def _object(text: str, mentions: list[ClubMention], subject: str | None, start: int) -> str | None:
    """The opponent: the first other club named after ``start`` in the sentence, else before."""
    others = [m for m in mentions if not m.ambiguous and m.clubs[0] != subject]
    after = [m for m in others if m.start >= start]
    if after:
        return after[0].clubs[0]
    return others[-1].clubs[0] if others else None


def country_of(club: str | None) -> str | None:
    return club.rsplit("-", 1)[-1].upper() if club else None


_PLACE_PREFIX = re.compile(r"\b(?:in|at)\s+(?:the\s+)?$", re.I)
_IN_COUNTRY = re.compile(r"\bin\s+(" + "|".join(COUNTRIES) + r")\b", re.I)


def _venue(
    text: str,
    score: facts.ScoreSpan,
    bounds: tuple[int, int],
    places: list[ClubMention],
    subject: str,
    opponent: str | None,
    mentions: list[ClubMention],
) -> str | None:
    """``home`` or ``away`` for ``subject`` from the words around the score: "home defeat", "at
    Anfield", "in Barcelona", "in Germany"."""
    lo, hi = max(bounds[0], score.start - 30), min(bounds[1], score.end + 45)
    clause = text[lo:hi]
    if _HOME.search(clause):
        return "home"
    if _AWAY.search(clause):
        return "away"
    for place in places:
        if lo <= place.start < hi and _PLACE_PREFIX.search(text[max(0, place.start - 8) : place.start]):
            if subject not in place.clubs and (opponent is None or opponent in place.clubs):
                return "away"
            if subject in place.clubs and opponent not in place.clubs:
                return "home"
    for m in mentions:
        if m.ambiguous or m.clubs[0] != opponent or not lo <= m.start < hi:
            continue
        if text[max(0, m.start - 4) : m.start].lower().endswith(("in ", "at ")):
            return "away"
    for hit in _IN_COUNTRY.finditer(clause):
        code = COUNTRIES[hit.group(1).lower()]
        mine, theirs = country_of(subject), country_of(opponent)
        if code == theirs != mine:
            return "away"
        if code == mine != theirs:
            return "home"
    return None


def read_results(
    sentences: tuple[Sentence, ...],
    by_sentence: dict[int, list[ClubMention]],
    places_by_sentence: dict[int, list[ClubMention]],
    main: str | None,
) -> list[ScoreClaim]:
    claims: list[ScoreClaim] = []
    for sentence in sentences:
        text = sentence.text
        mentions = by_sentence.get(sentence.index, [])
        found = facts.find_scores(sentence.index, text)
        for k, score in enumerate(found):
            bounds = (found[k - 1].end if k else 0, found[k + 1].start if k + 1 < len(found) else len(text))
            if score.aggregate or score.shootout:
                continue
            x, y = score.goals
            explicit = _explicit_result(text, mentions, score)
            competitions = facts.find_competitions(sentence.index, text)
            competition = competitions[0].value if competitions else None
            context = " ".join(sentence_text(sentences, i) for i in range(max(0, sentence.index - 4), sentence.index))
            legs_at = [m.start() for m in _FIRST_LEG.finditer(text)]
            nearest = (
                min(range(len(found)), key=lambda j: min(abs(found[j].start - p) for p in legs_at)) if legs_at else k
            )
            when = _when(text, legs=not legs_at or nearest == k) or _when(context, legs=False)
            if _NOW.search(text[max(0, score.start - 25) : score.start]):
                when = ("first_leg", None)
            following = sentence_text(sentences, sentence.index + 1) if sentence.index + 1 < len(sentences) else ""
            first_leg = (bool(legs_at) and nearest == k) or bool(
                re.search(r"\b(lead|deficit|advantage|trail\w*|overturn|recover|defend|protect|carry|bring|hold|after)\b",
                          text, re.I)
                and (SECOND_LEG.search(text) or SECOND_LEG.search(context) or SECOND_LEG.search(following))
            )  # fmt: skip
            if explicit is not None:
                home, away = explicit
                claims.append(
                    ScoreClaim(home, away, x, y, "home", when, competition, score_text(text, score), text,
                               sentence.index, first_leg)
                )  # fmt: skip
                continue
            sense, at = _sense(text, score)
            if sense is None:
                continue
            subject = subject_of(text, mentions, at, main)
            if subject is None:
                continue
            opponent = _object(text, mentions, subject, at)
            if opponent is None:
                earlier = [m for i in range(max(0, sentence.index - 4), sentence.index) for m in by_sentence.get(i, [])]
                others = [m.clubs[0] for m in earlier if not m.ambiguous and m.clubs[0] != subject]
                opponent = others[-1] if others else None
            hi, lo = max(x, y), min(x, y)
            if sense in ("win", "lead"):
                goals = (hi, lo)
            elif sense in ("loss", "deficit"):
                goals = (lo, hi)
            else:
                if x != y:
                    continue
                goals = (x, y)
            venue = _venue(text, score, bounds, places_by_sentence.get(sentence.index, []), subject, opponent,
                           mentions)  # fmt: skip
            claims.append(
                ScoreClaim(subject, opponent, goals[0], goals[1], venue, when, competition, score_text(text, score),
                           text, sentence.index, first_leg)
            )  # fmt: skip
    return claims


def score_text(text: str, score: facts.ScoreSpan) -> str:
    return text[score.start : score.end]


def _explicit_result(text: str, mentions: list[ClubMention], score: facts.ScoreSpan) -> tuple[str, str] | None:
    """``"Liverpool 0-3 Atalanta"``: clubs right before and right after the score."""
    before = [m for m in mentions if 0 <= score.start - m.end <= 2 and not m.ambiguous]
    after = [m for m in mentions if 0 <= m.start - score.end <= 2 and not m.ambiguous]
    if before and after and before[-1].clubs[0] != after[0].clubs[0]:
        return before[-1].clubs[0], after[0].clubs[0]
    return None


def first_leg_claim(claims: list[ScoreClaim]) -> ScoreClaim | None:
    for claim in claims:
        if claim.first_leg and claim.when in (("first_leg", None), None):
            return claim
    return None


__all__ = [
    "LAST_SEASON",
    "PAST_ROUND",
    "SECOND_LEG",
    "YEAR",
    "YEARS_AGO",
    "ScoreClaim",
    "country_of",
    "first_leg_claim",
    "main_club",
    "read_results",
    "score_text",
    "sentence_text",
    "subject_of",
    "undated",
]
