"""GraphQL-over-HTTP rules: response media type, request errors and HTTP-level error bodies.

https://graphql.github.io/graphql-over-http/draft/ — kept apart from the view so the rules
read as a list, and the view only wires them into strawberry's hooks.
"""

from __future__ import annotations

from typing import Any

from cross_web import HTTPException
from starlette.responses import JSONResponse, Response

from db.failures import FAILURE_MESSAGES

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"

_HTTP_CODES = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
}
# A database that is away or too slow (db.failures): the whole call is answered 503 with this.
RETRY_AFTER = {"Retry-After": "2"}


class Refused(HTTPException):
    """A request refused before GraphQL runs, with the code its error carries."""

    def __init__(self, status: int, reason: str, *, code: str | None = None):
        super().__init__(status, reason)
        self.code = code


def response_media_type(accept: str | None) -> str:
    """The spec's media type when the client asks for it; otherwise the legacy `application/json`,
    which is also what a client without an Accept header gets (the spec's advice until 2025)."""
    for entry in (accept or "").split(","):
        media_type, *params = (part.strip() for part in entry.split(";"))
        if media_type.lower() == GRAPHQL_RESPONSE and "q=0" not in params:
            return GRAPHQL_RESPONSE
    return JSON


def is_request_error(result: Any) -> bool:
    """A parse, validation or variable error: it stops the operation before execution.

    Those errors carry no `path`, and the GraphQL spec says their response has no `data` entry.
    """
    errors = getattr(result, "errors", None)
    return bool(errors) and result.data is None and all(error.path is None for error in errors)


def status_for(media_type: str, response_data: dict[str, Any], status: int) -> int:
    """With application/graphql-response+json a response without `data` must be 4xx;
    with application/json every well-formed request keeps 200 (so old clients read the body)."""
    if media_type == GRAPHQL_RESPONSE and "data" not in response_data and status < 400:
        return 400
    return status


def retry_after(response_data: dict[str, Any]) -> int | None:
    """Seconds to wait, when the person's cost budget per minute refused the operation (429)."""
    if "data" in response_data:  # refused before it ran: there is no `data`
        return None
    for error in response_data.get("errors") or ():
        extensions = error.get("extensions") or {}
        if extensions.get("code") == "RATE_LIMITED":
            return extensions.get("retryAfter")
    return None


def error_code(status: int, code: str | None = None) -> str:
    """The code an HTTP-level refusal's error carries."""
    return code or _HTTP_CODES.get(status, "BAD_REQUEST")


def http_error(
    status: int, message: str, *, media_type: str, code: str | None = None, headers: dict[str, str] | None = None
) -> JSONResponse:
    """A request strawberry refused before GraphQL ran, answered in the GraphQL error shape
    (instead of plain text) so clients handle every error the same way."""
    body = {"errors": [{"message": message, "extensions": {"code": error_code(status, code)}}]}
    headers = {**({"Allow": "POST"} if status == 405 else {}), **(headers or {})}
    return JSONResponse(body, status_code=status, media_type=media_type, headers=headers or None)


def vary_by_viewer(response: Response, *, signed_in: bool) -> None:
    """Every answer depends on the bearer token (whose data, or 401) and on Accept (the media type):
    caches key on both. An answer to a signed-in viewer is theirs alone: no shared cache (a CDN)
    stores it, and a browser asks again before reusing it (the data is live)."""
    vary = [v.strip() for v in response.headers.get("vary", "").split(",") if v.strip()]
    present = {v.lower() for v in vary}
    response.headers["Vary"] = ", ".join([*vary, *(v for v in ("Accept", "Authorization") if v.lower() not in present)])
    if signed_in and "cache-control" not in response.headers:
        response.headers["Cache-Control"] = "private, no-cache"


def database_failed(response_data: dict[str, Any]) -> bool:
    """Nothing was answered because the database was away or too slow: no root field has a value,
    and an error says why (TIMEOUT, SERVICE_UNAVAILABLE). Answered 503 with Retry-After, as load
    balancers and clients' retries expect; a response that got some data keeps its status."""
    errors = response_data.get("errors")
    if not errors or not any((e.get("extensions") or {}).get("code") in FAILURE_MESSAGES for e in errors):
        return False
    data = response_data.get("data")
    return not data or all(value is None for value in data.values())


def database_error(code: str, *, media_type: str) -> JSONResponse:
    """The call could not start (sign-in read the database): TIMEOUT or SERVICE_UNAVAILABLE."""
    return http_error(503, FAILURE_MESSAGES[code], media_type=media_type, code=code, headers=RETRY_AFTER)
