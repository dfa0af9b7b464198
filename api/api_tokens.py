"""Signing in with an API token: the format checked first (no lookup for a mistyped or made-up
token), then the token and its person read by the secret's hash.

What was read is reused for at most a second (a client sends call after call with one token),
so a revocation or a deactivation counts within a second on every process, and at once on the
process that made it (`forget`). The token's last use is written at most once a minute.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncEngine

from api.auth import AuthError
from db.mapping import person_from_record
from db.read.sign_ins import token_by_hash, touch_token
from domain.api_tokens import Scope, hash_secret, is_well_formed
from domain.people import Person

MALFORMED = "The API token is malformed: it must be a tdm_pat_ or tdm_svc_ token as Tandem made it."
UNKNOWN = "The API token is not known."
REVOKED = "The API token has been revoked."
EXPIRED = "The API token has expired."
DEACTIVATED = "The API token's person is deactivated."
TOUCH_EVERY = timedelta(minutes=1)


@dataclass(frozen=True, slots=True)
class Credential:
    """Who signed in, and how far they may go: `scopes` None is an interactive sign-in (OpenID
    Connect or a development token), limited only by the person's role."""

    person: Person
    scopes: frozenset[Scope] | None = None
    token_id: int | None = None
    expires_at: float | None = None  # an API token's, as a Unix time


class ApiTokens:
    def __init__(
        self,
        engine: AsyncEngine,
        *,
        seconds: float = 1.0,
        size: int = 4096,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.engine = engine  # an autocommit reader (db.engine.reader): the last-use update commits alone
        self.seconds = seconds
        self.size = size
        self.clock = clock
        self._rows: OrderedDict[str, tuple[Any, float]] = OrderedDict()  # hash -> (row, read at)
        self._touched: OrderedDict[int, float] = OrderedDict()  # token id -> when this process wrote its use

    async def credential(self, token: str) -> Credential:
        """AuthError, with a fixed message per reason, when the token does not sign anyone in."""
        if not is_well_formed(token):
            raise AuthError(MALFORMED)
        digest = hash_secret(token)
        row = await self._row(digest)
        now = datetime.now(UTC)
        if row is None:
            raise AuthError(UNKNOWN)
        if row["revoked_at"] is not None:
            raise AuthError(REVOKED)
        if row["expires_at"] <= now:
            raise AuthError(EXPIRED)
        if row["deactivated_at"] is not None:
            raise AuthError(DEACTIVATED)
        await self._touch(row, now)
        # A fresh Person each time: a websocket's viewer is changed in place (api.ws_watch).
        return Credential(
            person_from_record(row),
            scopes=frozenset(Scope(s) for s in row["scopes"]),
            token_id=row["token_id"],
            expires_at=row["expires_at"].timestamp(),
        )

    def forget(self) -> None:
        self._rows.clear()

    async def _row(self, digest: str) -> Any | None:
        seen = self._rows.get(digest)
        if seen is not None and self.clock() - seen[1] <= self.seconds:
            return seen[0]
        row = await token_by_hash(self.engine, digest)
        if row is None:
            self._rows.pop(digest, None)  # unknown tokens are not remembered: guesses must not fill this
            return None
        self._rows[digest] = (row, self.clock())
        self._rows.move_to_end(digest)
        if len(self._rows) > self.size:
            self._rows.popitem(last=False)
        return row

    async def _touch(self, row: Any, now: datetime) -> None:
        """One write a minute per token, whatever the traffic: this process remembers its own writes,
        and the update skips a row another process wrote within the minute."""
        token_id = row["token_id"]
        touched = self._touched.get(token_id)
        if touched is not None and self.clock() - touched < TOUCH_EVERY.total_seconds():
            return
        last_used = row["last_used_at"]
        if touched is None and last_used is not None and now - last_used < TOUCH_EVERY:
            return
        self._touched[token_id] = self.clock()
        self._touched.move_to_end(token_id)
        if len(self._touched) > self.size:
            self._touched.popitem(last=False)
        await touch_token(self.engine, token_id, now=now, older_than=now - TOUCH_EVERY)
