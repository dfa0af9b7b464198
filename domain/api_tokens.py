"""API tokens: what integrations and scripts sign in with.

A personal access token (`tdm_pat_…`) acts as the person who made it; a service account's
token (`tdm_svc_…`) as that service account. Either is limited to its scopes on top of its
person's role. Only a SHA-256 hash of the secret is stored: the secret is shown once, when the
token is made.

The format follows GitHub's: a prefix secret scanners can match, 32 random base62 characters
(190 bits), and a 6-character CRC32 checksum, so a mistyped or made-up token is refused
without a lookup, and scanners can tell a real token from a lookalike.
"""

from __future__ import annotations

import enum
import hashlib
import re
import secrets
import zlib
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from domain.errors import DomainError, Forbidden
from domain.events import Event
from domain.people import Person

PERSONAL_PREFIX = "tdm_pat_"
SERVICE_PREFIX = "tdm_svc_"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
RANDOM_LENGTH = 32
CHECKSUM_LENGTH = 6
TOKEN = re.compile(rf"tdm_(?:pat|svc)_[0-9A-Za-z]{{{RANDOM_LENGTH + CHECKSUM_LENGTH}}}")
SHOWN_LENGTH = len(PERSONAL_PREFIX) + 4  # what lists show: enough to tell one's tokens apart
DEFAULT_LIFETIME = timedelta(days=90)
MAX_LIFETIME = timedelta(days=366)
MAX_NAME = 100


class Scope(enum.Enum):
    READ = "READ"  # queries
    WRITE = "WRITE"  # mutations
    EVENTS = "EVENTS"  # subscriptions
    ADMIN = "ADMIN"  # people and token administration (the person's role must allow it too)


ALL_SCOPES = frozenset(Scope)


def _base62(number: int, length: int) -> str:
    digits = []
    for _ in range(length):
        number, digit = divmod(number, 62)
        digits.append(BASE62[digit])
    return "".join(reversed(digits))


def _checksum(body: str) -> str:
    return _base62(zlib.crc32(body.encode()), CHECKSUM_LENGTH)


def new_secret(owner: Person) -> str:
    body = (SERVICE_PREFIX if owner.is_service_account else PERSONAL_PREFIX) + "".join(
        secrets.choice(BASE62) for _ in range(RANDOM_LENGTH)
    )
    return body + _checksum(body)


def is_well_formed(token: str) -> bool:
    """The prefix, the length, the alphabet and the checksum: true of every token Tandem made."""
    return TOKEN.fullmatch(token) is not None and _checksum(token[:-CHECKSUM_LENGTH]) == token[-CHECKSUM_LENGTH:]


def looks_like_api_token(token: str) -> bool:
    """Whether a bearer token claims to be one (well formed or not): it is then checked as one."""
    return token.startswith("tdm_")


def hash_secret(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class ApiToken:
    id: int
    person_id: int
    name: str
    scopes: frozenset[Scope]
    token_hash: str
    shown_prefix: str
    created_at: datetime
    created_by_id: int
    expires_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None
    revoked_by_id: int | None = None
    events: list[Event] = field(default_factory=list)

    def revoke(self, actor: Person, owner: Person, *, now: datetime) -> None:
        """The owner or an admin; revoking a revoked token changes nothing."""
        if not (actor.is_admin or (actor.id == owner.id and not owner.is_service_account)):
            raise Forbidden("Only the token's owner or an admin revokes it.", field=("id",))
        if self.revoked_at is not None:
            return
        self.revoked_at, self.revoked_by_id = now, actor.id
        self.events.append(_event("ApiTokenRevoked", self, owner, actor, now))


def issue(
    actor: Person,
    owner: Person,
    *,
    id: int,
    name: str,
    scopes: frozenset[Scope],
    expires_at: datetime | None,
    now: datetime,
    actor_scopes: frozenset[Scope] | None,
) -> tuple[ApiToken, str]:
    """A new token and its secret (shown once). `actor_scopes`: those of the token the actor
    signed in with (None: signed in interactively), which the new token cannot exceed."""
    _check_may_issue(actor, owner)
    name = name.strip()
    if not name or len(name) > MAX_NAME:
        raise DomainError(f"A token's name has 1 to {MAX_NAME} characters.", field=("name",))
    if not scopes:
        raise DomainError("Give the token at least one scope.", field=("scopes",), code="INVALID_SCOPES")
    if actor_scopes is not None and not scopes <= actor_scopes:
        raise Forbidden("A token cannot make a token with scopes it lacks itself.", field=("scopes",))
    expires_at = expires_at or now + DEFAULT_LIFETIME
    if not now < expires_at <= now + MAX_LIFETIME:
        raise DomainError(
            f"A token expires in the future, within {MAX_LIFETIME.days} days.",
            field=("expiresAt",),
            code="INVALID_EXPIRY",
        )
    secret = new_secret(owner)
    token = ApiToken(
        id=id,
        person_id=owner.id,
        name=name,
        scopes=scopes,
        token_hash=hash_secret(secret),
        shown_prefix=secret[:SHOWN_LENGTH],
        created_at=now,
        created_by_id=actor.id,
        expires_at=expires_at,
    )
    token.events.append(_event("ApiTokenCreated", token, owner, actor, now))
    return token, secret


def may_see_tokens_of(viewer: Person, owner_id: int) -> bool:
    return viewer.is_admin or viewer.id == owner_id


def _check_may_issue(actor: Person, owner: Person) -> None:
    if owner.is_service_account:
        if not actor.is_admin:
            raise Forbidden("Only admins make a service account's tokens.", field=("personId",))
    elif actor.id != owner.id:
        raise Forbidden("A personal access token is made by its owner.", field=("personId",))
    if not owner.is_active:
        raise Forbidden("The person is deactivated.", field=("personId",), code="PERSON_DEACTIVATED")


def _event(type_: str, token: ApiToken, owner: Person, actor: Person, now: datetime) -> Event:
    # Never the secret, nor its hash: the log is read by every admin and replayed to subscribers.
    return Event(
        type_,
        now,
        actor.id,
        {
            "personId": owner.id,
            "name": owner.name,
            "tokenId": token.id,
            "tokenName": token.name,
            "scopes": sorted(s.value for s in token.scopes),
        },
    )
