"""The event hub: one process's `events` subscribers, fed by the broker, sharing the work.

Subscribers that ask for the same thing (document, variables, filters) with the same
visibility form a group. For each committed event the hub decides once per group who may
see it (domain.access.can_see_event, the rule the SQL read path mirrors), renders the
payload once, and hands the same text to every member: one execution and one JSON
encoding per group, not per subscriber.

A group's visibility is an audience: admins; the staff of one department with one role; or
one person. A staff group renders as a stand-in viewer with the department's rights and no
personal ones (it requested and watches nothing), so a shared payload never shows a member
more than they may see. An event that a staff member sees only personally (their own or a
watched request of another department) is rendered for that member alone.

Resuming: a member that passes `after` first replays from the log (SQL, its own visibility),
while live events for it wait in `pending`; then the pending ones it has not replayed follow.
Each member remembers the last sequence it was sent, so nothing repeats and nothing is skipped.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from db.broker import EventBroker
from db.read.events import Subjects, replay_after, subjects_of
from domain.access import EventAudience, can_see_event
from domain.people import Person
from schema.live.audience import Audience
from schema.live.shared_reads import SharedReads

log = logging.getLogger("tandem.live")
REPLAY_PAGE = 100

# (event row, viewer, the batch's requests and actors when already read) -> what members are sent
Render = Callable[[Any, Person, Subjects | None], Awaitable[Any]]
Sink = Callable[[Any], None]  # takes a rendered item; must not block; may have a `missed()` method


@dataclass(eq=False, slots=True)
class Member:
    viewer: Person
    sink: Sink
    group: Group
    position: int
    pending: list[tuple[int, Any]] | None = None  # live items held back while replaying

    def missed(self) -> None:
        """An event this member should get could not be rendered: it must not silently go without
        it. A sink that can (a websocket: closed with 1013) has the client resume from its cursor."""
        missed = getattr(self.sink, "missed", None)
        if missed is not None:
            missed()

    def deliver(self, seq: int, item: Any) -> None:
        if self.pending is not None:
            self.pending.append((seq, item))
        elif seq > self.position:
            self.position = seq
            self.sink(item)


@dataclass(eq=False)
class Group:
    key: Hashable
    audience: Audience
    render: Render
    request_id: int | None
    department_id: int | None
    members: dict[int, list[Member]] = field(default_factory=dict)  # by person

    def wants(self, event: Any) -> bool:
        if self.request_id is not None and event.request_id != self.request_id:
            return False
        return self.department_id is None or self.department_id in event.department_ids

    def __len__(self) -> int:
        return sum(len(m) for m in self.members.values())


def audience_of(event: Any) -> EventAudience:
    working = set(event.task_department_ids or ())
    if event.owner_department_id is not None:
        working.add(event.owner_department_id)
    return EventAudience(
        request_id=event.request_id,
        internal=event.internal,
        department_ids=frozenset(event.department_ids or ()),
        requester_id=event.requester_id,
        watcher_ids=frozenset(event.watcher_ids or ()),
        working_department_ids=frozenset(working),
    )


class EventHub:
    def __init__(self, broker: EventBroker, *, on_delivered: Callable[[float], None] | None = None):
        self.broker = broker
        # Told, for each event handed to subscribers, the seconds since its commit (api.metrics).
        self.on_delivered = on_delivered
        self.groups: dict[Hashable, Group] = {}
        self.reads = SharedReads()  # for the subscriptions that push one object on change
        # Subscribed to the broker only while it has subscribers: with none, the broker reads nothing.
        self._unsubscribe: Callable[[], None] | None = None

    @property
    def subscriber_count(self) -> int:
        return sum(len(g) for g in self.groups.values())

    async def join(
        self,
        *,
        key: Hashable,
        audience: Audience,
        render: Render,
        viewer: Person,
        sink: Sink,
        request_id: int | None,
        department_id: int | None,
        after: int | None,
    ) -> Member:
        """Add a subscriber; with `after`, replay what it missed before it goes live."""
        if self._unsubscribe is None:
            self._unsubscribe = self.broker.subscribe(self.on_events)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(key, audience, render, request_id, department_id)
        # Registered before replaying, at the broker's head: every later event reaches `pending`.
        member = Member(
            viewer,
            sink,
            group,
            position=self.broker.head if after is None else after,
            pending=None if after is None else [],
        )
        group.members.setdefault(viewer.id, []).append(member)
        if after is not None:
            try:
                await self._replay(member)
            except BaseException:
                self.leave(member)
                raise
        return member

    def leave(self, member: Member) -> None:
        self._remove(member)
        if not self.groups and self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None

    def _remove(self, member: Member) -> bool:
        group = member.group
        mine = group.members.get(member.viewer.id, [])
        found = member in mine
        if found:
            mine.remove(member)
            if not mine:
                del group.members[member.viewer.id]
        if not group.members and self.groups.get(group.key) is group:
            del self.groups[group.key]
        return found

    def regroup(self, member: Member, audience: Audience) -> None:
        """The member's viewer changed role or department (its Person is changed in place): on to
        the group of its new audience (keys are (what is subscribed to, audience key)). From the
        next event on it gets what its new audience sees; what it was sent stays sent, and what it
        could not see before is not replayed (a client that wants it resumes from its cursor).
        No await: no event is handed out halfway through the move. A member that left stays gone."""
        old = member.group
        if audience.key == old.audience.key or not self._remove(member):
            return
        key = (old.key[0], audience.key)
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(key, audience, old.render, old.request_id, old.department_id)
        member.group = group
        group.members.setdefault(member.viewer.id, []).append(member)

    async def _replay(self, member: Member) -> None:
        group = member.group
        while True:
            async with self.broker.reader.connect() as conn:
                rows = await replay_after(
                    conn,
                    member.viewer,
                    member.position,
                    request_id=group.request_id,
                    department_id=group.department_id,
                    limit=REPLAY_PAGE,
                )
            for row in rows:
                member.sink(await group.render(row, member.viewer))
                member.position = row.seq
            if len(rows) < REPLAY_PAGE:
                break
        # No await from here on: the switch to live cannot interleave with a delivery.
        pending, member.pending = member.pending or [], None
        for seq, item in pending:
            member.deliver(seq, item)

    async def on_events(self, batch: Sequence[Any]) -> None:
        wanted = [(event, [g for g in self.groups.values() if g.wants(event)]) for event in batch]
        wanted = [(event, groups) for event, groups in wanted if groups]
        if not wanted:
            return
        subjects = await self._subjects([event for event, _ in wanted])
        for event, groups in wanted:
            audience = audience_of(event)
            seeing = [g for g in groups if can_see_event(g.audience.viewer, audience)]
            # Every group's payload first, then the sends: a render that is ready does not wait
            # behind another group's thousands of sends.
            items = await asyncio.gather(*(self._render(g, event, g.audience.viewer, subjects) for g in seeing))
            for group, item in zip(seeing, items, strict=False):
                self._deliver(group.members.values(), event.seq, item)
            for group in groups:
                if group.audience.shared and group not in seeing:
                    await self._personal(group, event, audience, subjects)
            if self.on_delivered is not None and (committed := self.broker.committed_at(event.seq)) is not None:
                self.on_delivered(time.monotonic() - committed)

    @staticmethod
    async def _render(group: Group, event: Any, viewer: Person, subjects: Subjects) -> Any:
        try:
            return await group.render(event, viewer, subjects)
        except Exception:  # one group's failure must not cost the others their events
            log.exception("rendering event %s failed", event.seq)
            return None

    async def _subjects(self, batch: list[Any]) -> Subjects:
        try:
            async with self.broker.reader.connect() as conn:
                return await subjects_of(conn, batch)
        except Exception:  # each render then reads what it needs itself
            log.exception("reading the requests and actors of events failed")
            return Subjects({}, {})

    @staticmethod
    def _deliver(members_by_person: Iterable[list[Member]], seq: int, item: Any) -> None:
        for members in list(members_by_person):
            for member in list(members):
                if item is not None:
                    member.deliver(seq, item)
                else:
                    member.missed()

    async def _personal(self, group: Group, event: Any, audience: EventAudience, subjects: Subjects) -> None:
        """The few members who see this event only as its requester or a watcher."""
        for person_id in {audience.requester_id, *audience.watcher_ids}:
            members = group.members.get(person_id)
            if members and can_see_event(members[0].viewer, audience):
                item = await self._render(group, event, members[0].viewer, subjects)
                self._deliver([members], event.seq, item)
