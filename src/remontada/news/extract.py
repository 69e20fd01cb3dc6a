"""Everything the article says, each fact with the sentence it came from.

:func:`extract` runs the finders of :mod:`.clubs`, :mod:`.facts` and :mod:`.dates` over the
cleaned sentences and reads each score in its sentence: whose result it is (a club named there,
or the article's main club for "we", "they", "Klopp's side"), against whom, won or lost, at home
or away, and when ("in 2019", "four years ago", "the first leg"). Nothing here looks at the store
beyond the club names: the store arbitrates in :mod:`.locate` and :mod:`.claims`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from remontada.news import dates as dates_mod
from remontada.news import facts
from remontada.news.clubs import ClubIndex, ClubMention, find_mentions
from remontada.news.text import CleanText, Sentence

_WIN_VERBS = re.compile(
    r"\b(won|win|wins|beat|beats|defeated|defeat|thrashed|hammered|crushed|routed|stunned|edged|overcame|"
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
_WIN_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(win|victory|triumph|success|thrashing|rout|demolition|hammering\s+of|drubbing\s+of)\b", re.I)
_LOSS_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(loss|defeat|reverse|setback|humiliation|hammering|beating|drubbing|thrashing)\b", re.I)
_DRAW_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(draw|stalemate)\b", re.I)
_LEAD_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(lead|advantage|cushion|up\b)", re.I)
_DEFICIT_NOUNS = re.compile(r"^\s*(?:[\w-]+\s+){0,2}?(deficit|down\b|scoreline)", re.I)
_HOME = re.compile(r"\b(?:home\s+(?:loss|defeat|win|victory|draw|leg|game|match|crowd)|at\s+home|on\s+home\s+soil|in\s+front\s+of\s+their\s+own)\b", re.I)
_AWAY = re.compile(r"\b(?:away\s+(?:loss|defeat|win|victory|draw|leg|game|match)|on\s+the\s+road|away\s+from\s+home|on\s+their\s+travels)\b", re.I)
_PRONOUN = re.compile(
    r"\b(?:(?i:we|our|us|they|their|them|his\s+(?:team|side|men|players)|her\s+(?:team|side))|"
    r"[A-Z][\w'’]+['’]s\s+(?i:side|team|men)|(?i:the\s+(?:hosts|visitors|home\s+side|away\s+side|holders)))\b"
)
_FIRST_LEG = re.compile(r"\b(?:first|opening)[- ]leg\b|\blast\s+week\b|\bfirst\s+meeting\b|\(first\)\s+leg", re.I)
_SECOND_LEG = re.compile(r"\b(?:second|return)[- ]leg\b|\breturn\s+fixture\b", re.I)
_PAST_ROUND = re.compile(r"\b(?:knocked|beat|saw\s+off|reached|eliminated|won|beating)\b", re.I)
_NOW = re.compile(r"\b(?:now|this\s+time|last\s+week|on\s+thursday|on\s+tuesday|on\s+wednesday)\b", re.I)
_YEAR = re.compile(r"\b(19[5-9]\d|20[0-4]\d)\b")
_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10}
_YEARS_AGO = re.compile(r"\b(a|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})\s+(?:years?|seasons?)\s+ago\b", re.I)
_LAST_SEASON = re.compile(r"\blast\s+season\b|\blast\s+year\b", re.I)
_TRAVEL = re.compile(r"\b(?:(?:travel(?:s|led|ling)?|head(?:s|ed)?|go(?:es)?|journey)\s+to|visit|visits)\s+([A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)", re.I)
_HOST = re.compile(r"\b(?:host|hosts|hosting|welcome|welcomes|entertain|entertains)\s+(?:the\s+)?([A-Z][\w'’-]+)", re.I)
_IN_PLACE = re.compile(r"\b(?:in|at)\s+([A-Z][\w'’-]+)")
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


@dataclass(frozen=True)
class Extraction:
    """All the article says, each fact with its sentence (see the module docstring).

    ``clubs``: every club mention; ``main_club``: the club most mentioned (the one "we" and
    "they" stand for); ``competitions``/``rounds``: candidates best first; ``first_leg``: the
    claim about the first leg; ``next_host``: the club at home in the next leg; ``date``: the
    article's date (dateline or ``--date``); ``weekdays``: weekday and relative words;
    ``claims``: every result the article states; ``time_talk``: the sentence that talks about
    time; ``league_talk``/``tie_talk``/``decided``: sentences that make it a league story, a tie
    story, a finished tie.
    """

    clubs: list[ClubMention]
    main_club: str | None
    competitions: list[Fact]
    rounds: list[Fact]
    first_leg: ScoreClaim | None
    next_host: Fact | None
    date: Fact | None
    dates: list[Fact]
    weekdays: list[Fact]
    claims: list[ScoreClaim]
    time_talk: Fact | None
    league_talk: Fact | None
    tie_talk: Fact | None
    decided: Fact | None
    sentences: tuple[Sentence, ...] = field(repr=False)
    notes: tuple[str, ...] = ()

    def club_ids(self) -> list[str]:
        """Clubs named unambiguously, most mentioned first."""
        counts = Counter(m.clubs[0] for m in self.clubs if not m.ambiguous)
        return [c for c, _ in counts.most_common()]

    def candidate_ids(self) -> list[str]:
        """Every club a mention may name (ambiguous mentions give all their candidates)."""
        out: list[str] = []
        for mention in self.clubs:
            out.extend(c for c in mention.clubs if c not in out)
        return out

    def ambiguous(self) -> list[ClubMention]:
        return [m for m in self.clubs if m.ambiguous]


def _text(sentences: tuple[Sentence, ...], index: int) -> str:
    return sentences[index].text


def _main_club(mentions: list[ClubMention]) -> str | None:
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


def _when(text: str, legs: bool = True) -> tuple[str, int | None] | None:
    if legs and _FIRST_LEG.search(text):
        return ("first_leg", None)
    year = _YEAR.search(text)
    if year:
        return ("year", int(year.group(1)))
    ago = _YEARS_AGO.search(text)
    if ago:
        word = ago.group(1).lower()
        return ("years_ago", 1 if word == "a" else _NUMBERS.get(word, int(word) if word.isdigit() else 0))
    if _LAST_SEASON.search(text):
        return ("last_season", None)
    return None


_OBJECT_MARK = re.compile(
    r"\b(?:against|to|over|with|by|from|beat|beating|face|facing|play|host|visit|welcome|trail|lead|of)\s+(?:the\s+)?$", re.I
)


def _nearest_before(mentions: list[ClubMention], pos: int, text: str = "") -> ClubMention | None:
    """The nearest club named before ``pos`` that is not the object of a verb or preposition."""
    before = [m for m in mentions if m.end <= pos and not m.ambiguous]
    for m in reversed(before):
        if not _OBJECT_MARK.search(text[max(0, m.start - 20) : m.start]):
            return m
    return before[-1] if before else None


def _subject(text: str, mentions: list[ClubMention], pos: int, main: str | None) -> str | None:
    """The club whose result sits at ``pos``: the nearest club or pronoun before it."""
    club = _nearest_before(mentions, pos, text)
    pronouns = [m for m in _PRONOUN.finditer(text[:pos])]
    pronoun = pronouns[-1] if pronouns else None
    if pronoun is not None and (club is None or pronoun.start() > club.end):
        return main
    return club.clubs[0] if club is not None else None


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


def _venue(
    text: str, score: facts.ScoreSpan, opponent_mention: ClubMention | None, bounds: tuple[int, int]
) -> str | None:
    clause = text[max(bounds[0], score.start - 30) : min(bounds[1], score.end + 45)]
    if _HOME.search(clause):
        return "home"
    if _AWAY.search(clause):
        return "away"
    if opponent_mention is not None:
        prefix = text[max(0, opponent_mention.start - 4) : opponent_mention.start].lower()
        if prefix.endswith(("in ", "at ")) and abs(opponent_mention.start - score.end) < 40:
            return "away"
    return None


def _claims(
    sentences: tuple[Sentence, ...], by_sentence: dict[int, list[ClubMention]], main: str | None
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
            context = " ".join(_text(sentences, i) for i in range(max(0, sentence.index - 4), sentence.index))
            when = _when(text) or _when(context, legs=False)
            if _NOW.search(text[max(0, score.start - 25) : score.start]):
                when = ("first_leg", None)
            first_leg = bool(_FIRST_LEG.search(text)) or bool(
                re.search(r"\b(lead|deficit|advantage|trail\w*|overturn|recover|defend|protect|carry|bring|hold)\b", text, re.I)
                and (_SECOND_LEG.search(text) or re.search(r"\bsecond\s+leg|return\s+leg", context, re.I))
            )
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
            subject = _subject(text, mentions, at, main)
            if subject is None:
                continue
            opponent = _object(text, mentions, subject, at)
            if opponent is None:
                earlier = [
                    m for i in range(max(0, sentence.index - 4), sentence.index) for m in by_sentence.get(i, [])
                ]
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
            opp_mention = next((m for m in mentions if not m.ambiguous and m.clubs[0] == opponent), None)
            venue = _venue(text, score, opp_mention, bounds)
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


def _first_leg(claims: list[ScoreClaim]) -> ScoreClaim | None:
    for claim in claims:
        if claim.first_leg and claim.when in (("first_leg", None), None):
            return claim
    return None


def _next_host(
    sentences: tuple[Sentence, ...],
    by_sentence: dict[int, list[ClubMention]],
    index: ClubIndex,
    first_leg: ScoreClaim | None,
    main: str | None,
) -> Fact | None:
    """The club at home in the next leg: "travel to X", "host X", "... in X", or the first leg's
    away side."""
    for sentence in sentences:
        text = sentence.text
        if _YEARS_AGO.search(text):
            continue
        mentions = by_sentence.get(sentence.index, [])
        for m in _TRAVEL.finditer(text):
            place = m.group(1).lower()
            target = next((x for x in mentions if x.start == m.start(1) and not x.ambiguous), None)
            if target is not None:
                return Fact(target.clubs[0], text)
            country = COUNTRIES.get(place) or COUNTRIES.get(place.split()[0])
            if country is not None:
                return Fact({"country": country}, text)
        m_host = re.search(r"\b(?:host|hosts|hosting)\s+the\s+(?:second|return)[- ]leg", text, re.I)
        if m_host is not None:
            subject = _subject(text, mentions, m_host.start(), main)
            if subject is not None:
                return Fact(subject, text)
        for m in _HOST.finditer(text):
            guest = next((x for x in mentions if x.start == m.start(1) and not x.ambiguous), None)
            subject = _subject(text, mentions, m.start(), main)
            if guest is not None and subject is not None and subject != guest.clubs[0]:
                return Fact(subject, text)
        if re.search(r"\b(second|return)[- ]leg\b|\bthursday's\s+task|\btomorrow\b", text, re.I):
            for m in _IN_PLACE.finditer(text):
                target = next((x for x in mentions if x.start == m.start(1) and not x.ambiguous), None)
                if target is not None:
                    return Fact(target.clubs[0], text)
    if first_leg is not None and first_leg.venue is not None and first_leg.opponent is not None:
        host = first_leg.opponent if first_leg.venue == "home" else first_leg.club
        return Fact(host, first_leg.sentence)
    return None


def extract(clean: CleanText, index: ClubIndex, *, date: dt.date | None = None) -> Extraction:
    """Every fact of the article ``clean`` (see :class:`Extraction`); ``date`` (ISO day) overrides
    the article's own."""
    sentences = clean.sentences
    mentions = find_mentions(list(sentences), index)
    by_sentence: dict[int, list[ClubMention]] = {}
    for m in mentions:
        by_sentence.setdefault(m.sentence, []).append(m)
    main = _main_club(mentions)
    comp_spans = [s for sent in sentences for s in facts.find_competitions(sent.index, sent.text)]
    round_spans = [s for sent in sentences for s in facts.find_rounds(sent.index, sent.text)]

    def weight(span: facts.Span) -> float:
        text = _text(sentences, span.sentence)
        w = 1.0
        if facts.TIE_TALK.search(text) or facts.find_rounds(span.sentence, text):
            w += 2.0
        if _YEAR.search(text) or _YEARS_AGO.search(text) or _LAST_SEASON.search(text):
            w -= 1.5
        before = text[max(0, span.start - 14) : span.start].lower()
        if re.search(r"\b(?:reach(?:ed)?|into|to)\s+the\s+$", before) or (
            re.search(r"\bin\s+the\s+$", before) and _PAST_ROUND.search(text)
        ):
            w -= 2.5
        return w

    def ranked(spans: list[facts.Span]) -> list[Fact]:
        scores: dict[str, float] = {}
        where: dict[str, str] = {}
        for s in spans:
            scores[s.value] = scores.get(s.value, 0.0) + weight(s)
            if s.value not in where or weight(s) > 1.0:
                where.setdefault(s.value, _text(sentences, s.sentence))
        return [Fact(v, where[v]) for v in sorted(scores, key=lambda v: -scores[v]) if scores[v] > 0]

    claims = _claims(sentences, by_sentence, main)
    first_leg = _first_leg(claims)
    all_dates = [d for sent in sentences for d in dates_mod.explicit_dates(sent.index, sent.text)]
    line = dates_mod.dateline(all_dates)
    if date is not None:
        article_date: Fact | None = Fact(date.isoformat(), "given with --date")
    elif line is not None:
        article_date = Fact(line.day.isoformat() if line.day else None, _text(sentences, line.sentence))
    else:
        article_date = None
    anchor = date or (line.day if line is not None else None)
    date_facts = []
    for d in all_dates:
        full = dates_mod.with_year(d, anchor) if anchor is not None else d
        if full.day is not None:
            date_facts.append(Fact(full.day.isoformat(), _text(sentences, d.sentence)))
    words = [w for sent in sentences for w in dates_mod.weekday_words(sent.index, sent.text)]

    def first(pattern: re.Pattern[str]) -> Fact | None:
        for sent in sentences:
            m = pattern.search(sent.text)
            if m:
                return Fact(m.group(0), sent.text)
        return None

    return Extraction(
        clubs=mentions,
        main_club=main,
        competitions=ranked(comp_spans),
        rounds=ranked(round_spans),
        first_leg=first_leg,
        next_host=_next_host(sentences, by_sentence, index, first_leg, main),
        date=article_date,
        dates=date_facts,
        weekdays=[Fact(w.word, _text(sentences, w.sentence)) for w in words],
        claims=claims,
        time_talk=first(facts.TIME_TALK),
        league_talk=first(facts.LEAGUE_TALK),
        tie_talk=first(facts.TIE_TALK),
        decided=first(facts.DECIDED),
        sentences=sentences,
        notes=clean.notes,
    )


__all__ = ["Extraction", "Fact", "ScoreClaim", "extract"]
