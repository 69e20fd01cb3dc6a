"""Club-name normalisation: accents, punctuation, legal-form affixes and abbreviations.

``normalise("FC Bayern München")`` and ``normalise("Bayern Munchen")`` both give
``"bayern munchen"``; ``normalise("Club Atlético de Madrid")`` gives ``"atletico madrid"``.
The result is a comparison key, never shown to users.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections import Counter
from difflib import SequenceMatcher

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


@functools.lru_cache(maxsize=65536)
def _prepared(name: str) -> tuple[frozenset[str], str, Counter[str]]:
    """A name's token set, its sorted tokens joined by spaces, and that string's character counts.

    Resolution compares each of a few thousand names with hundreds of others. Callers must not
    modify the returned Counter.
    """
    token_set = frozenset(tokens(name))
    joined = " ".join(sorted(token_set))
    return token_set, joined, Counter(joined)
