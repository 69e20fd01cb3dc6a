"""Finding the clubs an article names: every name and alias the store holds, plus the short forms
and nicknames of ``data/news_aliases.csv``.

A mention is a run of capitalised words whose folded form is a club's name. A name several clubs
share goes to the club with at least three times the matches of the next (the store's own rule,
"Liverpool" is Liverpool FC); otherwise the mention stays ambiguous and lists its candidates. The
aliases table's ambiguous entries ("United", "Sporting") are never guessed.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from remontada.ingest.names import fold
from remontada.store import news as store_news
from remontada.store.reader import Store

#: Longest club name, in words, looked for in the text.
MAX_WORDS = 5
#: Single words that are club names somewhere but, in English prose, are usually something else.
_COMMON = frozenset(
    [
        "a",
        "the",
        "it",
        "its",
        "he",
        "she",
        "we",
        "they",
        "you",
        "i",
        "in",
        "on",
        "at",
        "to",
        "of",
        "for",
        "and",
        "or",
        "but",
        "as",
        "by",
        "this",
        "that",
        "there",
        "here",
        "then",
        "when",
        "while",
        "if",
        "after",
        "before",
        "so",
        "not",
        "no",
        "yes",
        "all",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "first",
        "second",
        "last",
        "next",
        "new",
        "old",
        "real",
        "city",
        "united",
        "sporting",
        "athletic",
        "national",
        "olympic",
        "union",
        "racing",
        "star",
        "stars",
        "youth",
        "home",
        "away",
        "football",
        "soccer",
        "league",
        "cup",
        "final",
        "group",
        "team",
        "club",
        "side",
        "game",
        "match",
        "goal",
        "goals",
        "win",
        "draw",
        "loss",
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
        "monday",
        "tuesday",
        "wednesday",
        "thursday",
        "friday",
        "saturday",
        "sunday",
        "reuters",
        "tomorrow",
        "today",
        "tonight",
        "yesterday",
        "england",
        "spain",
        "italy",
        "germany",
        "france",
        "portugal",
        "netherlands",
        "scotland",
        "wales",
        "europe",
        "european",
        "british",
        "britain",
        "german",
        "italian",
        "spanish",
        "french",
        "dutch",
        "english",
        "champions",
        "premier",
        "europa",
        "conference",
        "uefa",
        "fifa",
        "carabao",
        "coppa",
        "copa",
        "serie",
        "liga",
        "bundesliga",
        "ligue",
        "eredivisie",
    ]
)
#: A one-word name of a club with fewer matches is not looked for (places: "Trafford", "Amsterdam").
MIN_MATCHES_ONE_WORD = 100
_WORD = re.compile(r"[^\W_]+(?:[.'’&][^\W_]+)*", re.UNICODE)


@dataclass(frozen=True, slots=True)
class ClubMention:
    """The words ``text`` at character ``start`` of sentence ``sentence`` (its index) name a club.

    ``clubs`` are the candidate club ids, best first: one for a resolved mention, several for an
    ambiguous one. ``source`` is ``"store"`` (a name the store holds), ``"alias"`` (news table) or
    ``"place"`` (a ground, city or region from ``data/news_places.csv``: the clubs at home there).
    """

    text: str
    sentence: int
    start: int
    end: int
    clubs: tuple[str, ...]
    source: str

    @property
    def ambiguous(self) -> bool:
        return len(self.clubs) > 1


@dataclass(frozen=True)
class ClubIndex:
    """Folded club names (word tuples) -> candidate club ids, best first; ``names`` the store's
    name of each club, ``matches`` its number of matches, ``country`` its country code."""

    keys: dict[tuple[str, ...], tuple[tuple[str, ...], str]]
    names: dict[str, str]
    matches: dict[str, int]
    country: dict[str, str] = field(default_factory=dict)
    places: dict[tuple[str, ...], tuple[str, ...]] = field(default_factory=dict)

    def lookup(self, words: tuple[str, ...]) -> tuple[tuple[str, ...], str] | None:
        return self.keys.get(words)


def _key(text: str) -> tuple[str, ...]:
    return tuple(w.replace("’", "'") for w in (fold(m.group(0)) for m in _WORD.finditer(text)) if w)


def _table(name: str, key: str) -> list[tuple[str, tuple[str, ...]]]:
    table = resources.files("remontada").joinpath(f"data/{name}").read_text(encoding="utf-8")
    rows = csv.DictReader(line for line in table.splitlines() if line and not line.startswith("#"))
    return [(r[key], tuple(r["clubs"].split("|"))) for r in rows]


def _choose(ids: set[str], matches: dict[str, int]) -> tuple[str, ...]:
    """Candidates best first; a single id when one club is at least three times as busy."""
    ranked = sorted(ids, key=lambda c: (-matches.get(c, 0), c))
    if len(ranked) > 1 and matches.get(ranked[0], 0) > 3 * matches.get(ranked[1], 0):
        return (ranked[0],)
    return tuple(ranked)


_CACHE: dict[tuple[str, str | None], ClubIndex] = {}


def build_index(store: Store) -> ClubIndex:
    """The club-name index of ``store`` (cached per store file and update)."""
    cache_key = (str(store.path), store.meta("last_update"))
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    frame = store_news.club_names(store)
    by_key: dict[tuple[str, ...], set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    matches: dict[str, int] = {}
    for club_id, name, club_name, n in frame.itertuples(index=False):
        names[club_id] = club_name
        matches[club_id] = int(n)
        key = _key(name)
        if not key or (len(key) == 1 and (key[0] in _COMMON or len(key[0]) < 3 or n < MIN_MATCHES_ONE_WORD)):
            continue
        by_key[key].add(club_id)
    keys: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {
        k: (_choose(v, matches), "store") for k, v in by_key.items()
    }
    for alias, clubs in _table("news_aliases.csv", "alias"):
        known = tuple(c for c in clubs if c in names)
        if known:
            keys[_key(alias)] = (known, "alias")
    country = dict(zip(frame["club_id"], [str(c).split("-")[-1].upper() for c in frame["club_id"]], strict=True))
    places = {_key(place): tuple(c for c in clubs if c in names) for place, clubs in _table("news_places.csv", "place")}
    index = ClubIndex(keys, names, matches, country, places)
    _CACHE[cache_key] = index
    return index


def find_mentions(sentences: list[Any], index: ClubIndex) -> list[ClubMention]:
    """Every club mention in ``sentences`` (objects with ``index`` and ``text``), longest names
    first, left to right. A mention starts with a capital letter or a digit."""
    out: list[ClubMention] = []
    for sentence in sentences:
        words = list(_WORD.finditer(sentence.text))
        folded = [fold(w.group(0)).replace("’", "'") for w in words]
        i = 0
        while i < len(words):
            found = None
            first = words[i].group(0)
            place = _place_at(folded, i, index)
            longest = next(
                (n for n in range(min(MAX_WORDS, len(words) - i), 1, -1) if index.lookup(tuple(folded[i : i + n]))), 1
            )
            if place is not None and place[0] >= longest:
                n, clubs = place
                start, end = words[i].start(), words[i + n - 1].end()
                out.append(ClubMention(sentence.text[start:end], sentence.index, start, end, clubs, "place"))
                i += n
                continue
            shouting = len(first) > 3 and first.isupper()  # a dateline's "MANCHESTER,"
            if (first[:1].isupper() or first[:1].isdigit()) and not shouting:
                for n in range(min(MAX_WORDS, len(words) - i), 0, -1):
                    key = tuple(folded[i : i + n])
                    if n > 1 and not words[i + n - 1].group(0)[:1].isupper() and key[-1] not in ("de", "del"):
                        # every later word of a multi-word name is capitalised ("Real Madrid")
                        continue
                    key = tuple(k[:-2] if k.endswith("'s") else k for k in key)
                    hit = index.lookup(key)
                    if hit is not None:
                        found = (n, hit)
                        break
            if found is None:
                i += 1
                continue
            n, (clubs, source) = found
            start, end = words[i].start(), words[i + n - 1].end()
            text = sentence.text[start:end]
            if text.endswith(("'s", "’s")):
                text = text[:-2]
            out.append(ClubMention(text, sentence.index, start, end, clubs, source))
            i += n
    return out


_PLACE_WORDS = frozenset({"in", "at", "to", "from", "visit", "visits", "visiting"})


def _place_at(folded: list[str], i: int, index: ClubIndex) -> tuple[int, tuple[str, ...]] | None:
    """A ground, city or region starting at word ``i`` after "in", "at", "to" or "from" (an
    optional "the" between): ``(words, clubs at home there)``."""
    back = i - 1
    if back >= 0 and folded[back] == "the":
        back -= 1
    if back < 0 or folded[back] not in _PLACE_WORDS:
        return None
    for n in range(min(4, len(folded) - i), 0, -1):
        clubs = index.places.get(tuple(folded[i : i + n]))
        if clubs:
            return n, clubs
    return None


__all__ = ["ClubIndex", "ClubMention", "build_index", "find_mentions"]
