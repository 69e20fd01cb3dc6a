"""Questions answered without FastAPI's routing and parameter validation: the lean path for the two
questions users ask most and always anew (``/api/live`` as the minute slider moves, ``/api/tie`` with a
hypothetical first leg).

A :class:`Direct` route lists its query parameters with the same constraints the app declares
(lengths, patterns, the ISO date, the allowed models). A request whose query passes them *strictly*
(each parameter known and given once, every value valid) is answered by the endpoint function itself,
called with the parsed values; anything else (a missing, empty, repeated, unknown or invalid value),
and any error the endpoint raises, is left to the app, which validates and answers as always (4xx JSON
naming the field). Being stricter than the app is allowed; accepting what it refuses is not, and
``tests/test_web_direct.py`` holds the two paths to the same answers and errors.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from starlette.responses import Response

#: A parameter's check: the value for the endpoint, or ``ValueError``.
Check = Callable[[str], Any]
_REQUIRED = object()
_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def text(max_length: int, pattern: str | None = None) -> Check:
    """A string of 1 to ``max_length`` characters matching ``pattern`` (anchored) when given."""
    compiled = re.compile(pattern) if pattern is not None else None

    def check(value: str) -> str:
        if not 1 <= len(value) <= max_length or (compiled is not None and compiled.fullmatch(value) is None):
            raise ValueError(value)
        return value

    return check


def day(value: str) -> dt.date:
    """An ISO date ``YYYY-MM-DD`` (the app accepts more spellings; those go to it)."""
    if _DAY.fullmatch(value) is None:
        raise ValueError(value)
    return dt.date.fromisoformat(value)


def one_of(allowed: tuple[str, ...]) -> Check:
    def check(value: str) -> str:
        if value not in allowed:
            raise ValueError(value)
        return value

    return check


@dataclass(frozen=True)
class Param:
    """A query parameter: its name, check and default (:data:`_REQUIRED` when it must be given)."""

    name: str
    check: Check
    default: Any = _REQUIRED

    @classmethod
    def required(cls, name: str, check: Check) -> Param:
        return cls(name, check)


@dataclass(frozen=True)
class Direct:
    """One endpoint answered directly: its parameters and the endpoint function (``**values`` -> Response)."""

    params: tuple[Param, ...]
    endpoint: Callable[..., Awaitable[Response]]

    def values(self, query: bytes) -> dict[str, Any] | None:
        """The endpoint's arguments read from ``query``, or ``None`` unless every value is strictly valid."""
        # as Starlette reads a query string: latin-1 bytes, then percent-decoded as UTF-8, blanks kept
        text = query.decode("latin-1")
        if "%" in text or "+" in text:
            pairs = parse_qsl(text, keep_blank_values=True)
        else:  # nothing to decode: what parse_qsl gives, split by hand (a fifth of its time)
            pairs = [(name, value) for name, _, value in (part.partition("=") for part in text.split("&") if part)]
        given = dict(pairs)
        if len(given) != len(pairs):
            return None  # a parameter given twice
        known = {p.name: p for p in self.params}
        if not given.keys() <= known.keys():
            return None
        out: dict[str, Any] = {}
        for param in self.params:
            if param.name in given:
                try:
                    out[param.name] = param.check(given[param.name])
                except ValueError:
                    return None
            elif param.default is _REQUIRED:
                return None
            else:
                out[param.name] = param.default
        return out


def route(routes: dict[str, Direct], path: str, query: bytes) -> Callable[[], Awaitable[Response]] | None:
    """The call answering ``path?query`` directly, or ``None`` (then the app answers it)."""
    direct = routes.get(path)
    if direct is None:
        return None
    values = direct.values(query)
    if values is None:
        return None
    return lambda: direct.endpoint(**values)
