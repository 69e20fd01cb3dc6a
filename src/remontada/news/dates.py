"""The article's date: a dateline or explicit date, weekday words, and relative words.

Explicit dates are read by regular expressions ("April 17, 2024", "17 April 2024", "2024-04-17",
"Apr. 17"); the first in the opening lines is the dateline. Weekdays ("on Wednesday",
"Thursday's task") and relative words ("tomorrow", "last week") are kept with their sentence:
with a dateline they give days, without one the store's leg dates are matched against them.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"), ("february", "feb"), ("march", "mar"), ("april", "apr"), ("may",),
            ("june", "jun"), ("july", "jul"), ("august", "aug"), ("september", "sep", "sept"),
            ("october", "oct"), ("november", "nov"), ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_MONTH = (
    r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|"
    r"nov(?:ember)?|dec(?:ember)?)"
)
_MDY = re.compile(_MONTH + r"\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?\b", re.IGNORECASE)
_DMY = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?" + _MONTH + r"\.?,?(?:\s+(\d{4}))?\b", re.IGNORECASE)
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WEEKDAY = re.compile(r"\b(" + "|".join(WEEKDAYS) + r")(?:'s|’s)?\b", re.IGNORECASE)
RELATIVE = re.compile(r"\b(tomorrow|tonight|today|yesterday|last\s+week|next\s+week|last\s+night)\b", re.IGNORECASE)
#: How many sentences from the top a date may sit in to count as the dateline.
DATELINE_SENTENCES = 3


@dataclass(frozen=True, slots=True)
class DateMention:
    """A date in sentence ``sentence``: ``day`` when the text gives a full date (or its year is
    known from the dateline), else ``None``; ``text`` as written."""

    text: str
    sentence: int
    day: dt.date | None
    month_day: tuple[int, int] | None = None


@dataclass(frozen=True, slots=True)
class WordMention:
    """A weekday or relative word (lower case, ``'s`` dropped) in sentence ``sentence``."""

    word: str
    sentence: int


def _date(year: int | None, month: int, day: int) -> dt.date | None:
    if year is None:
        return None
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def explicit_dates(index: int, text: str) -> list[DateMention]:
    """Explicit dates in one sentence, in order."""
    found: list[tuple[int, DateMention]] = []
    spans: list[tuple[int, int]] = []
    for m in _ISO.finditer(text):
        day = _date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is not None:
            found.append((m.start(), DateMention(m.group(0), index, day, (day.month, day.day))))
            spans.append(m.span())
    for pattern, order in ((_MDY, "mdy"), (_DMY, "dmy")):
        for m in pattern.finditer(text):
            if any(m.start() < b and a < m.end() for a, b in spans):
                continue
            if order == "mdy":
                month, day_num, year = MONTHS[m.group(1).lower().rstrip(".")], int(m.group(2)), m.group(3)
            else:
                day_num, month, year = int(m.group(1)), MONTHS[m.group(2).lower().rstrip(".")], m.group(3)
            if not 1 <= day_num <= 31:
                continue
            if m.group(0).lower().startswith("may") and year is None and order == "mdy":
                continue  # "may 2" is rarely a date without a year
            spans.append(m.span())
            found.append(
                (m.start(), DateMention(m.group(0), index, _date(int(year) if year else None, month, day_num),
                                        (month, day_num)))
            )  # fmt: skip
    return [d for _, d in sorted(found, key=lambda t: t[0])]


def weekday_words(index: int, text: str) -> list[WordMention]:
    """Weekday and relative-day words of one sentence."""
    words = [WordMention(m.group(1).lower(), index) for m in _WEEKDAY.finditer(text)]
    words += [WordMention(re.sub(r"\s+", " ", m.group(1).lower()), index) for m in RELATIVE.finditer(text)]
    return words


def dateline(dates: list[DateMention]) -> DateMention | None:
    """The first full date among the opening sentences."""
    for mention in dates:
        if mention.sentence < DATELINE_SENTENCES and mention.day is not None:
            return mention
    return None


def with_year(mention: DateMention, anchor: dt.date) -> DateMention:
    """A month-and-day date completed with the year that puts it nearest ``anchor``."""
    if mention.day is not None or mention.month_day is None:
        return mention
    month, day = mention.month_day
    options = [d for d in (_date(anchor.year + k, month, day) for k in (-1, 0, 1)) if d is not None]
    if not options:
        return mention
    best = min(options, key=lambda d: abs((d - anchor).days))
    return DateMention(mention.text, mention.sentence, best, mention.month_day)


__all__ = [
    "WEEKDAYS",
    "DateMention",
    "WordMention",
    "dateline",
    "explicit_dates",
    "weekday_words",
    "with_year",
]
