"""One family of errors for everything remontada tells a user, rooted at :class:`RemontadaError`.

Every error carries a one-line message meant for people and a :meth:`RemontadaError.to_dict`
meant for programs (the web app returns it as a 4xx body, the CLI's ``--json`` prints it)::

    >>> err = UnknownClub("Liverpol", ["Liverpool"])
    >>> err.to_dict()["error"], err.to_dict()["suggestions"]
    ('unknown_club', ['Liverpool'])

The classes also derive from the built-in exception the code raised before the family existed
(``LookupError`` for lookups, ``ValueError`` for bad input, ``RuntimeError`` for state), so an
``except LookupError`` written against the old code still catches them.

This module imports nothing heavy: it is safe to import anywhere, first.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

__all__ = [
    "AmbiguousClub",
    "DataEndsBefore",
    "InvalidInput",
    "NotFitted",
    "NotRated",
    "RemontadaError",
    "SourceError",
    "StoreError",
    "TieNotFound",
    "UnknownClub",
    "UnknownCompetition",
]


class RemontadaError(Exception):
    """The root of every error remontada raises on purpose.

    Parameters
    ----------
    message
        One line for people: what was wrong and, where possible, what to do instead.
    field
        The input (argument, option or form field) the error is about, if one is.
    suggestions
        Close valid values ("did you mean"), best first.
    """

    #: Short machine-readable name, ``"unknown_club"``; the ``error`` key of :meth:`to_dict`.
    kind: ClassVar[str] = "error"
    #: The HTTP status a web front end should answer with.
    http_status: ClassVar[int] = 400

    def __init__(self, message: str, *, field: str | None = None, suggestions: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.suggestions = list(suggestions)

    def __str__(self) -> str:  # KeyError subclasses would otherwise quote the message
        return str(self.args[0]) if self.args else self.message

    def extra(self) -> dict[str, Any]:
        """Fields specific to the subclass, merged into :meth:`to_dict`."""
        return {}

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able description: ``{"error": kind, "message", "field", "suggestions", ...}``."""
        return {
            "error": self.kind,
            "message": str(self),
            "field": self.field,
            "suggestions": list(self.suggestions),
            **self.extra(),
        }


class InvalidInput(RemontadaError, ValueError):
    """A value that cannot be used: a malformed date or score, an unknown model name, a bad option.

    ``field`` names the input; ``allowed`` lists the valid values when there is a short list.
    """

    kind = "invalid_input"
    http_status = 422

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        allowed: Sequence[str] = (),
        suggestions: Sequence[str] = (),
    ) -> None:
        super().__init__(message, field=field, suggestions=suggestions)
        self.allowed = list(allowed)

    def extra(self) -> dict[str, Any]:
        return {"allowed": list(self.allowed)}


class UnknownClub(RemontadaError, LookupError):
    """No club in the store matches ``query``; ``suggestions`` are close names ("did you mean")."""

    kind = "unknown_club"
    http_status = 404

    def __init__(self, query: str, suggestions: Sequence[str] = (), *, field: str | None = None) -> None:
        self.query = query
        hint = f"; did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no club matches {query!r}{hint}", field=field, suggestions=suggestions)

    def extra(self) -> dict[str, Any]:
        return {"query": self.query}


class AmbiguousClub(RemontadaError, LookupError):
    """``query`` matches several clubs equally well; ``candidates`` are ``"Name (id)"`` strings."""

    kind = "ambiguous_club"
    http_status = 409

    def __init__(self, query: str, candidates: Sequence[str], *, field: str | None = None) -> None:
        self.query = query
        self.candidates = list(candidates)
        super().__init__(
            f"{query!r} matches several clubs: {', '.join(candidates)}; be more specific",
            field=field,
            suggestions=candidates,
        )

    def extra(self) -> dict[str, Any]:
        return {"query": self.query, "candidates": list(self.candidates)}


class UnknownCompetition(RemontadaError, LookupError):
    """No competition has ``query`` as its id, name or abbreviation.

    ``valid`` lists every accepted competition as ``"Name (id; ABBR, ...)"``; ``suggestions`` the
    names closest to the query.
    """

    kind = "unknown_competition"
    http_status = 404

    def __init__(
        self,
        query: str,
        valid: Sequence[str] = (),
        suggestions: Sequence[str] = (),
        *,
        field: str | None = "competition",
    ) -> None:
        self.query = query
        self.valid = list(valid)
        hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
        listing = ""
        if valid:
            listing = f"; known: {', '.join(valid[:8])}" + (f" and {len(valid) - 8} more" if len(valid) > 8 else "")
        super().__init__(f"unknown competition {query!r}{hint}{listing}", field=field, suggestions=suggestions)

    def extra(self) -> dict[str, Any]:
        return {"query": self.query, "valid": list(self.valid)}


class TieNotFound(RemontadaError, LookupError):
    """The store holds no knockout tie between the two clubs that fits the question."""

    kind = "tie_not_found"
    http_status = 404


class DataEndsBefore(RemontadaError, LookupError):
    """The store's data ends before the date asked about.

    ``cutoff`` is the ISO date of the store's last played match; ``asked`` the ISO date asked for.
    """

    kind = "data_ends_before"
    http_status = 422

    def __init__(
        self, message: str, *, cutoff: str | None, asked: str | None = None, field: str | None = "date"
    ) -> None:
        super().__init__(message, field=field)
        self.cutoff = cutoff
        self.asked = asked

    def extra(self) -> dict[str, Any]:
        return {"cutoff": self.cutoff, "asked": self.asked}


class NotFitted(RemontadaError, RuntimeError):
    """A model was asked for a forecast before it was fitted."""

    kind = "not_fitted"
    http_status = 409


class NotRated(NotFitted, KeyError):
    """The fitted model has no strength for a club (no club match of it in the model's window)."""

    kind = "not_rated"
    http_status = 422

    def __init__(self, message: str, *, club: str | None = None, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.club = club

    def extra(self) -> dict[str, Any]:
        return {"club": self.club}


class SourceError(RemontadaError, RuntimeError):
    """A public source could not be downloaded or read as it promises.

    ``location`` is the URL or file; ``line`` the 1-based line, when the problem has one.
    """

    kind = "source_error"
    http_status = 502

    def __init__(self, message: str, *, location: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.location = location
        self.line = line

    def extra(self) -> dict[str, Any]:
        return {"location": self.location, "line": self.line}


class StoreError(RemontadaError, RuntimeError):
    """The store cannot answer: missing, locked by a writer, or built by another schema version."""

    kind = "store_error"
    http_status = 503
