"""Turning what the user gave into clean article text, and splitting it into sentences.

Rejects what is not an article with a message that says why (:class:`UnreadableArticle`): empty
text, binary bytes, more than :data:`MAX_BYTES`, text that is not English. An HTML page is read
with its tags, scripts and styles removed. Trailing page furniture ("Next In Football", "Follow
us", "(Reporting by ...)") is cut so the headlines of other stories are not read as claims.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from remontada.errors import InvalidInput

#: The largest article read, in bytes of UTF-8 (a long feature is ~30 kB).
MAX_BYTES = 200_000

_ENGLISH = frozenset(
    [
        "the",
        "an",
        "and",
        "of",
        "to",
        "in",
        "on",
        "at",
        "for",
        "with",
        "by",
        "from",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "has",
        "have",
        "had",
        "that",
        "this",
        "it",
        "they",
        "their",
        "he",
        "his",
        "we",
        "our",
        "but",
        "not",
        "as",
        "after",
        "before",
        "will",
    ]
)
_FURNITURE = re.compile(
    r"^\s*(next in\b|others also read|follow us\b|read more\b|related (stories|articles|coverage)|"
    r"recommended\b|more from\b|sign up\b|our standards|\(reporting by|\(editing by|reporting by\b|"
    r"most read\b|advertisement\s*$)",
    re.IGNORECASE,
)
_BLOCK_TAGS = re.compile(r"</?(p|div|br|h[1-6]|li|ul|ol|tr|table|section|article|header|footer|title)\b[^>]*>", re.I)


class UnreadableArticle(InvalidInput):
    """The input is not an article remontada can read; the message says why and what to do."""

    def __init__(self, message: str, field: str = "text") -> None:
        super().__init__(message, field=field)


@dataclass(frozen=True, slots=True)
class Sentence:
    """One sentence of the article: its text and its 0-based position."""

    index: int
    text: str


@dataclass(frozen=True, slots=True)
class CleanText:
    """The article as read: ``text`` after cleaning, its ``sentences``, and ``notes`` on what
    the cleaning did (tags removed, page furniture cut)."""

    text: str
    sentences: tuple[Sentence, ...]
    notes: tuple[str, ...]


def decode(data: bytes | str) -> str:
    """Text from ``data``: UTF-8 (or Latin-1) bytes or a string; binary data is refused."""
    if isinstance(data, str):
        raw = data
        size = len(data.encode("utf-8", "replace"))
    else:
        size = len(data)
        if b"\x00" in data[:65536]:
            raise UnreadableArticle("the input is binary data (it contains NUL bytes), not the text of an article")
        try:
            raw = data.decode("utf-8")
        except UnicodeDecodeError:
            raw = data.decode("latin-1")
    if size > MAX_BYTES:
        raise UnreadableArticle(
            f"the text is {size / 1000:,.0f} kB; an article is read up to {MAX_BYTES // 1000} kB "
            "(pass the article itself, not a whole site or feed)"
        )
    control = sum(1 for ch in raw[:65536] if ord(ch) < 32 and ch not in "\n\r\t\f")
    if "\x00" in raw or control > max(8, len(raw[:65536]) // 100):
        raise UnreadableArticle("the input is binary data (control bytes), not the text of an article")
    return raw


def strip_html(raw: str) -> tuple[str, bool]:
    """``raw`` without tags when it looks like an HTML page (``True`` then), else unchanged."""
    tags = len(re.findall(r"<\s*/?\s*[a-zA-Z][^>]*>", raw))
    if tags < 3 or not re.search(r"<\s*(html|body|p|div|article|head|span|br)\b", raw, re.I):
        return raw, False
    text = re.sub(r"<(script|style|noscript|nav|aside|footer)\b.*?</\1\s*>", " ", raw, flags=re.I | re.S)
    text = re.sub(r"<!--.*?-->", " ", text, flags=re.S)
    text = _BLOCK_TAGS.sub("\n", text)
    text = re.sub(r"<[^>]+>", " ", text)
    text = html.unescape(text)
    text = re.sub(r"[ \t\u00a0]+", " ", text)
    return re.sub(r"\n\s*\n+", "\n\n", text).strip(), True


def english_share(text: str) -> float:
    """The share, in [0, 1], of the words of ``text`` that are common English function words."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    if not words:
        return 0.0
    return sum(1 for w in words if w in _ENGLISH) / len(words)


def cut_furniture(text: str) -> tuple[str, bool]:
    """``text`` up to the first line of page furniture after the opening lines."""
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if index >= 2 and _FURNITURE.match(line):
            return "\n".join(lines[:index]).rstrip(), True
    return text, False


_SPLIT = re.compile(r"(?<=[.!?])[\"”’')\]]*\s+(?=[\"“‘'(\[]?[A-Z0-9])")
_ABBREV = re.compile(r"\b(Mr|Mrs|Ms|Dr|St|Jr|vs|v|No|Jan|Feb|Mar|Apr|Aug|Sep|Sept|Oct|Nov|Dec)\.$")


def sentences(text: str) -> tuple[Sentence, ...]:
    """Sentences of ``text``: each paragraph (a line) split after ``.``, ``!`` or ``?``."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        parts = _SPLIT.split(line)
        merged: list[str] = []
        for part in parts:
            if merged and _ABBREV.search(merged[-1]):
                merged[-1] = f"{merged[-1]} {part}"
            else:
                merged.append(part)
        out.extend(p.strip() for p in merged if p.strip())
    return tuple(Sentence(i, s) for i, s in enumerate(out))


def clean(data: bytes | str) -> CleanText:
    """Validate and clean an article (see the module docstring); :class:`UnreadableArticle` if it
    cannot be read."""
    raw = decode(data)
    if not raw.strip():
        raise UnreadableArticle("the text is empty: give the article's text (a file, or - for standard input)")
    notes = []
    text, was_html = strip_html(raw.replace("\r\n", "\n").replace("\r", "\n"))
    if was_html:
        notes.append("read as an HTML page: tags, scripts and styles removed")
        if not text.strip():
            raise UnreadableArticle("the HTML page has no text once its tags are removed")
    text, cut = cut_furniture(text)
    if cut:
        notes.append("page furniture after the article (other headlines, credits) not read")
    words = len(re.findall(r"\w+", text))
    if words >= 12 and english_share(text) < 0.06:
        raise UnreadableArticle(
            "could not find football facts: the text does not look like English, and remontada reads "
            "English articles only"
        )
    return CleanText(text, sentences(text), tuple(notes))


__all__ = ["MAX_BYTES", "CleanText", "Sentence", "UnreadableArticle", "clean", "decode", "sentences", "strip_html"]
