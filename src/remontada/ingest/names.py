"""Club-name normalisation: accents, punctuation, legal-form affixes and abbreviations.

``normalise("FC Bayern München")`` and ``normalise("Bayern Munchen")`` both give
``"bayern munchen"``; ``normalise("Club Atlético de Madrid")`` gives ``"atletico madrid"``.
The result is a comparison key, never shown to users.
"""

from __future__ import annotations

import functools
import heapq
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Iterable, Sequence
from difflib import SequenceMatcher

import numpy as np

# Letters NFKD does not decompose into ASCII.
_SPECIAL = str.maketrans(
    {
        "ø": "o",
        "Ø": "o",
        "ß": "ss",
        "æ": "ae",
        "Æ": "ae",
        "ı": "i",
        "ł": "l",
        "Ł": "l",
        "đ": "d",
        "Đ": "d",
        "þ": "th",
        "ð": "d",
        "œ": "oe",
        "Œ": "oe",
        "ə": "e",
        "’": "'",
        "‘": "'",
    }
)

# Legal forms and generic words that sources add or drop at will. Kept deliberately short:
# words that distinguish clubs (real, sporting, athletic, united, city) are NOT here.
_GENERIC = frozenset(
    [
        "fc",
        "afc",
        "cf",
        "sc",
        "ac",
        "as",
        "ssc",
        "ss",
        "us",
        "usd",
        "sv",
        "fk",
        "kf",
        "ks",
        "pfk",
        "pfc",
        "sk",
        "nk",
        "bk",
        "if",
        "ik",
        "cd",
        "ud",
        "sd",
        "rc",
        "rcd",
        "club",
        "calcio",
        "de",
        "la",
        "le",
        "les",
        "du",
        "der",
        "da",
        "do",
        "di",
        "del",
        "and",
        "the",
        "1",
        "k",
        "kv",
        "krc",
        "rsc",
        "ksc",
        "kaa",
        "sl",
        "cfc",
        "jk",
        "pfc",
        "ofk",
        "hnk",
        "gnk",
        "rfc",
        "sfc",
        "football",
        "futbol",
        "futebol",
        "fussball",
        "voetbal",
        "fotbal",
        "fodbold",
        "cp",
    ]
)

# Abbreviations football-data.co.uk and others use, expanded before comparison.
_ABBREVIATIONS = {
    "utd": "united",
    "man": "manchester",
    "nott'm": "nottingham",
    "nottm": "nottingham",
    "wolves": "wolverhampton",
    "st": "saint",
    "ste": "sainte",
    "sp": "sporting",
    "munchen": "munich",
    "muenchen": "munich",
    "internazionale": "inter",
    "m'gladbach": "monchengladbach",
    "mgladbach": "monchengladbach",
    "monchengladbach": "monchengladbach",
    "moenchengladbach": "monchengladbach",
}


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed (``"Atlético"`` -> ``"atletico"``)."""
    text = text.translate(_SPECIAL)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


def tokens(name: str) -> tuple[str, ...]:
    """Comparison tokens of a club name: folded, abbreviations expanded, legal forms dropped."""
    return _tokens(name)


@functools.lru_cache(maxsize=65536)
def _tokens(name: str) -> tuple[str, ...]:
    folded = fold(name)
    folded = re.sub(r"\(.*?\)", " ", folded)  # "(ENG)", "(alt)"
    words = re.findall(r"[a-z0-9']+", folded.replace("-", " ").replace(".", " "))
    out = []
    for word in words:
        word = _ABBREVIATIONS.get(word, word).strip("'")
        if word and word not in _GENERIC:
            out.append(word)
    return tuple(out or [w for w in words if w])


def normalise(name: str) -> str:
    """The comparison key of a club name (tokens joined by one space)."""
    return " ".join(tokens(name))


def similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two club names.

    All tokens of the shorter name inside the longer one ("lyon" in "olympique lyon") scores at
    least 0.8, because sources add and drop city names, nicknames and legal forms; otherwise the
    best of token overlap and character similarity (spelling variants such as Dnipro/Dnepr).
    Scores below 0.5 are upper bounds (no decision is taken on them).
    """
    ta, joined_a, chars_a = _prepared(a)
    tb, joined_b, chars_b = _prepared(b)
    if not ta or not tb:
        return 0.0
    inter = len(ta & tb)
    jaccard = inter / len(ta | tb)
    if inter == min(len(ta), len(tb)):
        return 0.8 + 0.2 * jaccard
    # difflib's quick_ratio (shared characters as multisets), an upper bound of ratio: names that
    # cannot reach 0.5 skip the exact (slow) one
    total = len(joined_a) + len(joined_b)
    chars = 2.0 * sum((chars_a & chars_b).values()) / total if total else 1.0
    if chars >= 0.5:
        chars = SequenceMatcher(None, joined_a, joined_b).ratio()
    return max(jaccard, chars)


class SimilarityIndex:
    """:func:`similarity` of one name to many known names at once, for ranking a pool of clubs.

    Holds the known names' tokens and character counts as arrays, so token overlap and the
    shared-character bound are computed for a whole pool in numpy; the character alignment
    (difflib, the slow part) runs only for the names that can still rank among the best.
    Scores are exactly those of :func:`similarity`.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.names = list(dict.fromkeys(names))
        self.position = {n: i for i, n in enumerate(self.names)}
        prepared = [_prepared(n) for n in self.names]
        self._n_tokens = np.array([len(p[0]) for p in prepared], dtype=np.int64)
        self._length = np.array([len(p[1]) for p in prepared], dtype=np.int64)
        self._chars = np.zeros((len(prepared), 128), dtype=np.int64)  # folded names are ASCII
        postings: dict[str, list[int]] = {}
        for i, (token_set, _, chars) in enumerate(prepared):
            for char, count in chars.items():
                self._chars[i, ord(char)] = count
            for token in token_set:
                postings.setdefault(token, []).append(i)
        self._postings = {t: np.array(ids, dtype=np.int64) for t, ids in postings.items()}

    def best(
        self, name: str, groups: Sequence[Collection[str]], factors: Sequence[float] | None = None, top: int = 3
    ) -> dict[int, float]:
        """Score of each group (by position) that can rank among the ``top`` best for ``name``: the
        greatest similarity of ``name`` to a name of the group, times the group's factor.

        Groups left out score strictly less than the ``top``-th best, so the best ``top`` (ties
        included) are all returned, with exact scores. Every name of every group must be known.
        """
        sizes = np.fromiter((len(g) for g in groups), dtype=np.int64, count=len(groups))
        flat = np.fromiter((self.position[n] for g in groups for n in g), dtype=np.int64, count=int(sizes.sum()))
        token_set, joined, chars = _prepared(name)
        # as similarity(): token overlap, containment, and difflib's quick_ratio (an upper bound of ratio)
        inter_all = np.zeros(len(self.names), dtype=np.int64)
        for token in token_set:
            ids = self._postings.get(token)
            if ids is not None:
                inter_all[ids] += 1
        inter, n_tokens = inter_all[flat], self._n_tokens[flat]
        jaccard = inter / np.maximum(len(token_set) + n_tokens - inter, 1)
        contained = inter == np.minimum(len(token_set), n_tokens)
        query_chars = np.zeros(128, dtype=np.int64)
        for char, count in chars.items():
            query_chars[ord(char)] = count
        total = len(joined) + self._length[flat]
        quick = 2.0 * np.minimum(self._chars[flat], query_chars).sum(axis=1) / np.maximum(total, 1)
        value = np.where(contained, 0.8 + 0.2 * jaccard, np.maximum(jaccard, quick))
        if not token_set:
            value[:] = 0.0
        value[n_tokens == 0] = 0.0
        exact = contained | (quick < 0.5) | (n_tokens == 0) | (not token_set)  # else ``value`` bounds the score

        starts = np.concatenate([[0], np.cumsum(sizes)])
        nonempty = sizes > 0
        bound = np.full(len(groups), -1.0)
        if nonempty.any():
            bound[nonempty] = np.maximum.reduceat(value, starts[:-1][nonempty])
        factor = np.ones(len(groups)) if factors is None else np.asarray(factors, dtype=np.float64)
        scores: dict[int, float] = {}
        best: list[float] = []  # a min-heap of the ``top`` best scores so far
        for g in np.argsort(-(bound * factor), kind="stable").tolist():
            if not nonempty[g] or (len(best) == top and bound[g] * factor[g] < best[0]):
                break  # sorted by bound: no later group can rank either
            s, e = int(starts[g]), int(starts[g + 1])
            vals, known = value[s:e], exact[s:e]
            score = float(vals[known].max()) if known.any() else 0.0
            for j in (s + np.flatnonzero(~known)[np.argsort(-vals[~known], kind="stable")]).tolist():
                if value[j] <= score:
                    break
                score = max(score, similarity(name, self.names[flat[j]]))
            scores[g] = score * factors[g] if factors is not None else score
            heapq.heappush(best, scores[g])
            if len(best) > top:
                heapq.heappop(best)
        return scores


@functools.lru_cache(maxsize=65536)
def _prepared(name: str) -> tuple[frozenset[str], str, Counter[str]]:
    """A name's token set, its sorted tokens joined by spaces, and that string's character counts.

    Resolution compares each of a few thousand names with hundreds of others. Callers must not
    modify the returned Counter.
    """
    token_set = frozenset(tokens(name))
    joined = " ".join(sorted(token_set))
    return token_set, joined, Counter(joined)
