"""JWT bearer tokens: minted by `tandem token`, checked on every HTTP call and websocket."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

import jwt
from sqlalchemy.ext.asyncio import AsyncEngine

from db.engine import fetch_one
from db.mapping import person_from_record
from domain.people import Person
from schema.compiled.cache import ENTRY_BYTES, MB, Lru

if TYPE_CHECKING:
    from api.oidc.sign_in import OidcSignIn

ALGORITHM = "HS256"
PERSON_BY_ID = (
    "select id, name, email, role, department_id, created_at, kind, deactivated_at, version from people where id = $1"
)
DEACTIVATED = "The person is deactivated."
SERVICE_ACCOUNT = "A service account signs in only with its API tokens."
AUDIENCE = "tandem"


class AuthError(Exception):
    """A token was sent but is not valid (expired, forged, or for an unknown person)."""


def mint_token(*, person_id: int, email: str, secret: str, hours: int) -> str:
    now = datetime.now(UTC)
    claims = {"sub": str(person_id), "email": email, "aud": AUDIENCE, "iat": now, "exp": now + timedelta(hours=hours)}
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


def bearer_token(header: str | None) -> str | None:
    if not header:
        return None
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthError("Authorization must be 'Bearer <token>'.")
    return token.strip()


# Tokens already verified: (secret, token) -> (person id, exp). A client sends the same token on
# every call, and checking its signature costs more than the query it comes with. Only the
# expiry can change a verified token's answer: once past it, the token is decoded again and
# refused as any expired token is.
# Only signed tokens are kept (the secret is one string shared by every key).
_VERIFIED: Lru[tuple[str, str], tuple[int, float]] = Lru(
    entries=4096, max_bytes=4 * MB, weigh=lambda key, _: ENTRY_BYTES + len(key[1])
)


def person_id_from_token(token: str, *, secret: str) -> int:
    key = (secret, token)
    verified = _VERIFIED.peek(key)
    if verified is not None and time.time() < verified[1]:
        return verified[0]
    try:
        # A token without an expiry would sign its bearer in for ever: refused. The subject is
        # checked below, in one place whatever PyJWT's version checks of it.
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            audience=AUDIENCE,
            options={"require": ["exp", "sub"], "verify_sub": False},
        )
    except (jwt.PyJWTError, ValueError, OverflowError) as error:
        _VERIFIED.pop(key)
        raise AuthError(refusal(error)) from None
    person_id = _person_id(claims["sub"])
    _VERIFIED.put(key, (person_id, float(min(int(claims["exp"]), 2**53))))
    return person_id


NOT_A_PERSON = "Invalid token: its subject (sub) is not a person's id."
# What a client is told about a refused token: one fixed message per kind of failure, never the
# JWT library's text (it quotes decoding errors: "Invalid header string: 'utf-8' codec can't ...").
# Most specific first: InvalidSignatureError is a DecodeError, every one an InvalidTokenError.
REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "Invalid token: it has expired; get a new one."),
    (jwt.InvalidSignatureError, "Invalid token: the signature does not match; it was not minted by this server."),
    (jwt.InvalidAudienceError, "Invalid token: it is not meant for Tandem (audience)."),
    (jwt.ImmatureSignatureError, "Invalid token: it is not valid yet."),
    (jwt.InvalidAlgorithmError, f"Invalid token: it must be signed with {ALGORITHM}."),
    (jwt.DecodeError, "Invalid token: it is not a well-formed JWT."),
)
MISSING_CLAIMS = {
    "exp": "Invalid token: it has no expiry (exp); Tandem accepts only tokens that expire.",
    "sub": "Invalid token: it names no person (sub).",
    "aud": "Invalid token: it is not meant for Tandem (audience).",
}
INVALID = "Invalid token."


def refusal(error: Exception) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return MISSING_CLAIMS.get(error.claim, INVALID)
    return next((message for kind, message in REFUSALS if isinstance(error, kind)), INVALID)


def _person_id(subject: object) -> int:
    """A person's id, as `tandem token` writes it: a positive bigint in decimal digits (int() alone
    would also take " 7", "7_0" or "٧", and a number past bigint fails in the database)."""
    if (
        isinstance(subject, str)
        and len(subject) <= 19
        and subject.isascii()
        and subject.isdigit()
        and 0 < int(subject) < 2**63
    ):
        return int(subject)
    raise AuthError(NOT_A_PERSON)


def seconds_left(header: str, *, secret: str, oidc: OidcSignIn | None = None) -> float | None:
    """How long a (valid) bearer token has left: a websocket signed in with it closes then."""
    if oidc is not None and oidc.recognises(bearer_token(header)):
        return oidc.seconds_left(bearer_token(header))
    claims = jwt.decode(bearer_token(header), secret, algorithms=[ALGORITHM], audience=AUDIENCE)
    exp = claims.get("exp")
    return None if exp is None else exp - datetime.now(UTC).timestamp()


class RecentPeople:
    """The people bearer tokens named in the last second, by id: a client sends a call after call
    with the same token, and reading its person cost as much as a small query's own work.

    The second bounds how long a change to a person (deactivated, given another role) takes to
    count on every process; the process that made it forgets at once (`forget`)."""

    def __init__(self, *, seconds: float = 1.0, size: int = 4096, clock: Callable[[], float] = time.monotonic):
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._people: Lru[int, tuple[Person, float]] = Lru(
            entries=size, max_bytes=4 * MB, weigh=lambda _, seen: ENTRY_BYTES + len(seen[0].name) + len(seen[0].email)
        )

    def get(self, person_id: int) -> Person | None:
        seen = self._people.peek(person_id)
        if seen is None or self.clock() - seen[1] > self.seconds:
            return None
        return seen[0]

    def put(self, person: Person) -> None:
        self._people.put(person.id, (person, self.clock()))

    def forget(self) -> None:
        """Someone was changed in this process: read everyone afresh."""
        self._people.clear()


async def viewer_from_header(
    header: str | None,
    *,
    engine: AsyncEngine,
    secret: str,
    recent: RecentPeople | None = None,
    oidc: OidcSignIn | None = None,
) -> Person | None:
    """None when no token was sent; AuthError when one was sent and is bad."""
    token = bearer_token(header)
    if token is None:
        return None
    # A development token verified before is none of OpenID Connect's: one lookup, not a parse.
    if oidc is not None and (secret, token) not in _VERIFIED and oidc.recognises(token):
        person_id = await oidc.person_id(token)
    else:
        person_id = person_id_from_token(token, secret=secret)
    person = recent.get(person_id) if recent is not None else None
    if person is None:
        record = await fetch_one(engine, PERSON_BY_ID, person_id)
        if record is None:
            raise AuthError("The token's person no longer exists.")
        person = person_from_record(record)
        if recent is not None:
            recent.put(person)
    if not person.is_active:
        raise AuthError(DEACTIVATED)
    if person.is_service_account:
        raise AuthError(SERVICE_ACCOUNT)
    return person
