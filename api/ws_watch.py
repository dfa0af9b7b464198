"""Open websockets stay as signed in as a new call would be.

A websocket signs in once, at `connection_init`; afterwards its person may be deactivated, its
API token revoked, its role or department changed. The watch learns of that from the event log
(a PersonUpdated, PersonDeactivated, PersonRoleChanged or ApiTokenRevoked event, from any
process, through the broker), re-reads those people and tokens (one statement each, for every
connection at once), closes the connections that no longer sign in (4403) and hands the others
their person as it is now. A sweep every `interval` seconds re-reads every open connection's
person and token the same way, for changes the log does not carry (an operator's SQL) or that
the broker missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from db.broker import EventBroker
from db.mapping import person_from_record
from db.read.sign_ins import people_now, tokens_now

if TYPE_CHECKING:
    from api.websocket import Session

log = logging.getLogger("tandem.ws")
PERSON_EVENTS = frozenset({"PersonUpdated", "PersonDeactivated", "PersonRoleChanged"})
TOKEN_EVENTS = frozenset({"ApiTokenRevoked"})
DEACTIVATED = "the person is deactivated"
REVOKED = "the token was revoked"
EXPIRED = "the token expired"  # moved earlier behind Tandem's back (an expiry as made closes on its own)


class SessionWatch:
    def __init__(self, broker: EventBroker, *, interval: float = 5.0):
        self.broker = broker
        self.reader = broker.reader
        self.interval = interval
        self._by_person: dict[int, set[Session]] = {}
        self._by_token: dict[int, set[Session]] = {}
        # Listening to the broker only while a connection is open: with none, it reads nothing.
        self._unsubscribe: Callable[[], None] | None = None
        self._sweeper: asyncio.Task | None = None

    def add(self, session: Session) -> None:
        self._by_person.setdefault(session.viewer.id, set()).add(session)
        if session.credential.token_id is not None:
            self._by_token.setdefault(session.credential.token_id, set()).add(session)
        if self._unsubscribe is None:
            self._unsubscribe = self.broker.subscribe(self.on_events)
        if self._sweeper is None and self.interval > 0:
            self._sweeper = asyncio.create_task(self._sweep_forever(), name="ws-sign-in-sweep")

    def remove(self, session: Session) -> None:
        if session.viewer is None or session.credential is None:
            return
        _discard(self._by_person, session.viewer.id, session)
        _discard(self._by_token, session.credential.token_id, session)
        if not self._by_person:
            self.stop()

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self._sweeper is not None:
            self._sweeper.cancel()
            self._sweeper = None

    async def on_events(self, batch: Sequence[Any]) -> None:
        people = {_person_of(e) for e in batch if e.type in PERSON_EVENTS} & self._by_person.keys()
        tokens = {e.payload.get("tokenId") for e in batch if e.type in TOKEN_EVENTS} & self._by_token.keys()
        if people or tokens:
            await self.recheck(people, tokens)

    async def recheck(self, person_ids: Iterable[int], token_ids: Iterable[int]) -> None:
        person_ids, token_ids = sorted(set(person_ids)), sorted(set(token_ids))
        people = await people_now(self.reader, person_ids)
        tokens = await tokens_now(self.reader, token_ids)
        now = datetime.now(UTC)
        for token_id in token_ids:
            row = tokens.get(token_id)
            gone = (
                REVOKED
                if row is None or row["revoked_at"] is not None
                else EXPIRED
                if row["expires_at"] <= now
                else None
            )
            for session in list(self._by_token.get(token_id, ())) if gone else ():
                session.signed_out(gone)
        for person_id in person_ids:
            row = people.get(person_id)
            sessions = list(self._by_person.get(person_id, ()))
            if row is None or row["deactivated_at"] is not None:
                for session in sessions:
                    session.signed_out(DEACTIVATED)
                continue
            person = person_from_record(row)
            for session in sessions:
                if not session.sender.closed:
                    session.refresh(person)

    async def _sweep_forever(self) -> None:
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.recheck(list(self._by_person), list(self._by_token))
            except Exception:  # the next sweep (or event) tries again
                log.exception("re-checking the websockets' sign-ins failed")

    async def aclose(self) -> None:
        sweeper = self._sweeper
        self.stop()
        if sweeper is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await sweeper


def _person_of(event: Any) -> int | None:
    # PersonRoleChanged (an OpenID Connect sign-in's groups) is recorded with the person as actor.
    return event.payload.get("personId", event.actor_id)


def _discard(index: dict[int, set[Session]], key: int | None, session: Session) -> None:
    sessions = index.get(key) if key is not None else None
    if sessions is not None:
        sessions.discard(session)
        if not sessions:
            del index[key]
