"""Everything the article says, each fact with the sentence it came from.

:func:`extract` runs the finders of :mod:`.clubs`, :mod:`.facts` and :mod:`.dates` over the
cleaned sentences, reads each score with :mod:`.results` and the next leg's host with
:mod:`.hosts`. Nothing here looks at the store beyond the club names: the store arbitrates in
:mod:`.locate` and :mod:`.claims`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from remontada.news import dates as dates_mod
from remontada.news import facts
from remontada.news.clubs import ClubIndex, ClubMention, find_mentions
from remontada.news.facts import Fact
from remontada.news.hosts import next_host
from remontada.news.results import (
    LAST_SEASON,
    PAST_ROUND,
    YEAR,
    YEARS_AGO,
    ScoreClaim,
    first_leg_claim,
    main_club,
    read_results,
    sentence_text,
    undated,
)
from remontada.news.text import CleanText, Sentence


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


def extract(clean: CleanText, index: ClubIndex, *, date: dt.date | None = None) -> Extraction:
    """Every fact of the article ``clean`` (see :class:`Extraction`); ``date`` (ISO day) overrides
    the article's own."""
    sentences = clean.sentences
    found = find_mentions(list(sentences), index)
    mentions = [m for m in found if m.source != "place"]
    by_sentence: dict[int, list[ClubMention]] = {}
    places_by_sentence: dict[int, list[ClubMention]] = {}
    for m in found:
        (places_by_sentence if m.source == "place" else by_sentence).setdefault(m.sentence, []).append(m)
    main = main_club(mentions)
    comp_spans = [s for sent in sentences for s in facts.find_competitions(sent.index, sent.text)]
    round_spans = [s for sent in sentences for s in facts.find_rounds(sent.index, sent.text)]

    def weight(span: facts.Span, is_round: bool = False) -> float:
        text = sentence_text(sentences, span.sentence)
        w = 1.0
        if facts.TIE_TALK.search(text) or facts.find_rounds(span.sentence, text):
            w += 2.0
        if YEAR.search(undated(text)) or YEARS_AGO.search(text) or LAST_SEASON.search(text):
            w -= 1.5
        before = text[max(0, span.start - 14) : span.start].lower()
        if re.search(r"\b(?:reach(?:ed)?|into|to|from)\s+(?:the|a)\s+(?:european\s+)?$", before) or (
            re.search(r"\bin\s+the\s+$", before)
            and (PAST_ROUND.search(text) or (is_round and re.search(r"\b(?:meet|face)\b", text)))
        ):
            w -= 3.0
        return w

    def ranked(spans: list[facts.Span], rounds: bool = False) -> list[Fact]:
        scores: dict[str, float] = {}
        where: dict[str, str] = {}
        for s in spans:
            scores[s.value] = scores.get(s.value, 0.0) + weight(s, rounds)
            where.setdefault(s.value, sentence_text(sentences, s.sentence))
        return [Fact(v, where[v]) for v in sorted(scores, key=lambda v: -scores[v]) if scores[v] > 0]

    claims = read_results(sentences, by_sentence, places_by_sentence, main)
    decided = next(
        (Fact(hit.group(0), sent.text) for sent in sentences
         if (hit := facts.DECIDED.search(sent.text)) and facts.TIE_TALK.search(sent.text)),
        None,
    )  # fmt: skip
    first_leg = first_leg_claim(claims)
    all_dates = [d for sent in sentences for d in dates_mod.explicit_dates(sent.index, sent.text)]
    line = dates_mod.dateline(all_dates)
    if date is not None:
        article_date: Fact | None = Fact(date.isoformat(), "given with --date")
    elif line is not None:
        article_date = Fact(line.day.isoformat() if line.day else None, sentence_text(sentences, line.sentence))
    else:
        article_date = None
    anchor = date or (line.day if line is not None else None)
    date_facts = []
    for d in all_dates:
        full = dates_mod.with_year(d, anchor) if anchor is not None else d
        if full.day is not None:
            date_facts.append(Fact(full.day.isoformat(), sentence_text(sentences, d.sentence)))
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
        rounds=ranked(round_spans, rounds=True),
        first_leg=first_leg,
        next_host=None
        if decided is not None
        else next_host(sentences, by_sentence, places_by_sentence, first_leg, main),
        date=article_date,
        dates=date_facts,
        weekdays=[Fact(w.word, sentence_text(sentences, w.sentence)) for w in words],
        claims=claims,
        time_talk=first(facts.TIME_TALK),
        league_talk=first(facts.LEAGUE_TALK),
        tie_talk=first(facts.TIE_TALK),
        decided=decided,
        sentences=sentences,
        notes=clean.notes,
    )


__all__ = ["Extraction", "extract"]
