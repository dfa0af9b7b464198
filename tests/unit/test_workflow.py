"""The request status workflow, checked against the table written out as the spec."""

from __future__ import annotations

import itertools
import re

import pytest

from db.tables import OPEN_WHERE
from domain.workflow import DONE, OPEN, TRANSITIONS, WORKING, RequestStatus, is_legal

S = RequestStatus

# The workflow as the product defines it, spelled out independently of domain.workflow.
SPEC: set[tuple[RequestStatus, RequestStatus]] = {
    (S.NEW, S.TRIAGED),
    (S.NEW, S.IN_PROGRESS),
    (S.NEW, S.WAITING_ON_REQUESTER),
    (S.NEW, S.RESOLVED),
    (S.NEW, S.CANCELLED),
    (S.TRIAGED, S.IN_PROGRESS),
    (S.TRIAGED, S.WAITING_ON_REQUESTER),
    (S.TRIAGED, S.WAITING_ON_DEPARTMENT),
    (S.TRIAGED, S.RESOLVED),
    (S.TRIAGED, S.CANCELLED),
    (S.IN_PROGRESS, S.WAITING_ON_REQUESTER),
    (S.IN_PROGRESS, S.WAITING_ON_DEPARTMENT),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.WAITING_ON_REQUESTER, S.IN_PROGRESS),
    (S.WAITING_ON_REQUESTER, S.RESOLVED),
    (S.WAITING_ON_REQUESTER, S.CANCELLED),
    (S.WAITING_ON_DEPARTMENT, S.IN_PROGRESS),
    (S.WAITING_ON_DEPARTMENT, S.CANCELLED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.RESOLVED, S.CLOSED),
}

ALL_PAIRS = list(itertools.product(RequestStatus, RequestStatus))


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS, ids=lambda s: s.value)
def test_is_legal_follows_the_spec_for_every_pair(source, target):
    # given a pair of statuses / when asked / then the answer is the spec's
    assert is_legal(source, target) is ((source, target) in SPEC)


def test_the_table_names_every_status_and_only_spec_moves():
    # given the table / then it covers every status and holds exactly the spec's moves
    assert set(TRANSITIONS) == set(RequestStatus)
    assert {(a, b) for a, targets in TRANSITIONS.items() for b in targets} == SPEC


def test_no_status_moves_to_itself():
    assert all(status not in TRANSITIONS[status] for status in RequestStatus)


def test_closed_and_cancelled_are_final():
    assert TRANSITIONS[S.CLOSED] == frozenset()
    assert TRANSITIONS[S.CANCELLED] == frozenset()


def test_open_and_done_split_the_statuses_and_working_is_open_but_not_new():
    assert set(RequestStatus) == OPEN | DONE
    assert frozenset() == OPEN & DONE
    assert OPEN - {S.NEW} == WORKING


@pytest.mark.parametrize("status", sorted(OPEN, key=lambda s: s.value), ids=lambda s: s.value)
def test_every_open_request_can_be_cancelled_and_all_but_one_resolved(status):
    assert is_legal(status, S.CANCELLED)
    # Waiting on a department means open tasks, and those block resolving anyway.
    assert is_legal(status, S.RESOLVED) is (status is not S.WAITING_ON_DEPARTMENT)


def test_a_resolved_request_is_reopened_or_closed_but_never_cancelled():
    assert TRANSITIONS[S.RESOLVED] == {S.IN_PROGRESS, S.CLOSED}


def test_every_status_is_reachable_from_new():
    # given the table / when walking it from NEW / then every status is reached
    reached, frontier = {S.NEW}, [S.NEW]
    while frontier:
        for target in TRANSITIONS[frontier.pop()]:
            if target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(RequestStatus)


def test_the_open_requests_indexes_cover_exactly_the_open_statuses():
    # the partial indexes' predicate (db.tables.OPEN_WHERE) names the open statuses, no more, no fewer
    named = set(re.findall(r"'(\w+)'", OPEN_WHERE))
    assert named == {s.value for s in OPEN}
