"""How the API says no: every error is a JSON body naming the field and what is allowed, never a traceback.

- the library's own errors (bad club, competition, date, score...) keep their status and ``to_dict()``;
- a value the API's declared types reject (missing, empty, too long, not a number, out of range)
  becomes 422 with the field and the rule it broke;
- a body over the size limit becomes 413, unknown paths 404, wrong methods 405;
- anything else is a bug: 500 with a short JSON body, the traceback only in the server's log.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from remontada.web import facade

log = logging.getLogger("remontada.web")

#: What each request field accepts, said the same way in every 422.
FIELD_HELP: dict[str, str] = {
    "home": "a club name or id, e.g. Atalanta",
    "away": "a club name or id, e.g. Liverpool",
    "q": "part of a club name, e.g. Liverp",
    "competition": "a competition name or id, e.g. Europa League or uefa.el",
    "season": "a season like 2023-24",
    "round": "a round like QF or Quarterfinals",
    "date": "an ISO date like 2024-04-18",
    "before": "an ISO date like 2024-04-18",
    "first_leg": "the first-leg score, its home side first, e.g. 0-3",
    "minute": "a minute of play, 0 to 90: 60, 45+2, 90+3 or HT",
    "last_goal": "the minute and the side of the last goal, not after the minute now: 7 away, 45+2 home, or none",
    "score": "the score now, home side first, e.g. 0-1",
    "red_cards": "red cards so far, home side first, e.g. 1-0",
    "model": "one of dixon-coles, poisson, bivariate, elo",
    "team": "the club whose comeback curve to draw",
    "top": "a whole number of clubs",
    "limit": "a whole number of clubs (of comebacks in /api/history)",
    "offset": "a whole number: how many comebacks to skip",
    "group": "main_draw or qualifying",
    "or_more": "true or false",
    "deficit": "goals behind after the first leg, a whole number",
    "first_leg_at": "home, away or neutral",
    "neutral": "true or false",
    "sims": "a whole number of simulations",
    "seed": "a whole number",
    "start": "a knockout round like quarter-finals",
    "text": "the article's text",
}


def error_body(kind: str, message: str, field: str | None = None, **extra: Any) -> dict[str, Any]:
    return {"error": kind, "message": message, "field": field, **extra}


def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
    problems = []
    for err in exc.errors():
        loc = [str(x) for x in err.get("loc", ()) if x not in ("query", "body")]
        field = loc[0] if loc else None
        if field is None and err.get("type") in ("missing", "json_invalid", "model_attributes_type"):
            field = "body"
        got = err.get("input")
        shown = repr(got)[:60] if isinstance(got, str | int | float) else None
        rule = str(err.get("msg", "invalid"))
        if err.get("type") == "string_pattern_mismatch":
            rule = "not in the expected form"
        elif err.get("type") == "json_invalid":
            field, rule, shown = "body", "the body is not valid JSON", None
        problems.append(
            {"field": field, "rule": rule, "got": shown, "allowed": FIELD_HELP.get(field or "")}
        )
    first = problems[0] if problems else {"field": None, "rule": "invalid request", "got": None, "allowed": None}
    allowed = first["allowed"]
    message = f"{first['field'] or 'request'}: {str(first['rule']).lower()}"
    if first["got"] is not None:
        message += f" (got {first['got']})"
    if allowed:
        message += f"; expected {allowed}"
    return JSONResponse(
        error_body("invalid_input", message, first["field"], allowed=allowed, problems=problems), status_code=422
    )


_KINDS = {404: "not_found", 405: "method_not_allowed", 413: "payload_too_large", 400: "bad_request"}


def _http(request: Request, exc: HTTPException) -> JSONResponse:
    message = exc.detail if isinstance(exc.detail, str) else "request refused"
    if exc.status_code == 404 and message == "Not Found":
        message = f"no such page or endpoint: {request.url.path}; the API is listed at /docs"
    return JSONResponse(
        error_body(_KINDS.get(exc.status_code, "http_error"), message), status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )  # fmt: skip


def _user(request: Request, exc: Exception) -> JSONResponse:
    to_dict = getattr(exc, "to_dict", None)
    if callable(to_dict):
        return JSONResponse(to_dict(), status_code=int(getattr(exc, "http_status", 400)))
    status = 404 if isinstance(exc, LookupError) and not isinstance(exc, KeyError) else 422
    suggestions = getattr(exc, "suggestions", None) or getattr(exc, "candidates", None) or []
    message = str(exc).strip("'\"")
    return JSONResponse(error_body("invalid_input", message, None, suggestions=suggestions), status_code=status)


def _internal(request: Request, exc: Exception) -> JSONResponse:
    log.exception("request %s %s failed", request.method, request.url.path, exc_info=exc)
    return JSONResponse(
        error_body("internal", "the server could not answer this request; the details are in its log"),
        status_code=500,
    )


def install(app: FastAPI) -> None:
    """Register the handlers above on ``app``."""
    app.add_exception_handler(RequestValidationError, _validation)  # type: ignore[arg-type]
    app.add_exception_handler(HTTPException, _http)  # type: ignore[arg-type]
    for kind in facade.USER_ERRORS:
        app.add_exception_handler(kind, _user)
    app.add_exception_handler(Exception, _internal)


class BodyLimit:
    """Refuse request bodies over ``max_bytes`` with 413, by Content-Length or while they stream in."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        length = dict(scope.get("headers", [])).get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > self.max_bytes):
            await self._refuse(send)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise HTTPException(413, self._message())
            return message

        await self.app(scope, counted, send)

    def _message(self) -> str:
        return f"the request body is larger than {self.max_bytes // 1024} KiB"

    async def _refuse(self, send: Send) -> None:
        response = JSONResponse(error_body("payload_too_large", self._message(), "body"), status_code=413)
        await send({"type": "http.response.start", "status": 413, "headers": response.raw_headers})
        await send({"type": "http.response.body", "body": response.body})
