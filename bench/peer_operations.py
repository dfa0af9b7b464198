"""PostGraphile's documents for the same logical operations as bench.operations.

PostGraphile has no visibility rules, so each document fetches what the viewer's page shows
with plain conditions: the agent's list is their department's requests (Tandem adds the
requests the department has tasks on), the requester's list is their own requests with
public comments only (Tandem adds the requests they watch). Computed fields (the SLA clock,
an event's summary) are fetched as the columns they are computed from. The same fields,
relations, page sizes and orders otherwise.

Written in PostGraphile 5's names; `for_release` gives 4.x's (the same query). Answers that code
reads are aliased (`row: rowId`, `request: requestByRowId`), so they read the same from both.
"""

from __future__ import annotations

import re

# 5 -> 4: the Relay id is `nodeId` in 4 (`id` in 5), the primary key `id` (`rowId` in 5).
_V4_NAMES = (
    (re.compile(r"\bid\b"), "nodeId"),
    (re.compile(r"\browId\b"), "id"),
    (re.compile(r"ByRowId\b"), "ById"),
    (re.compile(r"\bROW_ID_"), "ID_"),
)


def for_release(document: str, major: int) -> str:
    """`document` (in 5's names) as PostGraphile `major` names things."""
    if major >= 5:
        return document
    for pattern, name in _V4_NAMES:
        document = pattern.sub(name, document)
    return document


# A self-service portal's request list, each with a preview of its latest comments.
PORTAL_REQUESTS = """
  allRequests(first: $first, orderBy: [CREATED_AT_DESC, ROW_ID_DESC], condition: $who) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number title status priority createdAt updatedAt
      responseDueAt resolutionDueAt firstResponseAt resolvedAt closedAt slaPausedAt
      serviceByServiceId { name }
      departmentByOwnerDepartmentId { name }
      personByRequesterId { name }
      personByAssigneeId { name }
      commentsByRequestId(last: $comments, orderBy: [CREATED_AT_ASC, ROW_ID_ASC], condition: $visible) {
        totalCount edges { node { body createdAt personByAuthorId { name } } } }
    } }
  }"""

PORTAL_LIST = (
    "query PortalList($first: Int!, $comments: Int!, $who: RequestCondition!, $visible: CommentCondition) {"
    + PORTAL_REQUESTS
    + "\n}"
)

# An agent opens a request: the conversation from the start, the latest of its timeline.
REQUEST_WITH_TIMELINE = """
  request: requestByRowId(rowId: $row) {
    id number title description status priority version createdAt updatedAt resolvedAt
    responseDueAt resolutionDueAt slaPausedAt firstResponseAt closedAt
    satisfactionScore satisfactionComment
    serviceByServiceId { name departmentByOwnerDepartmentId { name } }
    requestTypeByRequestTypeId { name fields }
    personByRequesterId { name email departmentByDepartmentId { name } }
    personByAssigneeId { name email }
    departmentByOwnerDepartmentId { name }
    fields
    tasksByRequestId(orderBy: [ROW_ID_ASC]) { nodes {
      title status createdAt completedAt departmentByDepartmentId { name } personByAssigneeId { name } } }
    watchersByRequestId { nodes { personByPersonId { name } } }
    commentsByRequestId(first: $page, orderBy: [CREATED_AT_ASC, ROW_ID_ASC]) {
      totalCount edges { node { body internal createdAt personByAuthorId { name } } } }
  }
  allEvents(condition: { requestId: $row }, last: $page, orderBy: [SEQ_ASC]) {
    totalCount edges { node { type payload occurredAt personByActorId { name } } }
  }"""

REQUEST_DETAIL = "query RequestDetail($row: BigInt!, $page: Int!) {" + REQUEST_WITH_TIMELINE + "\n}"

# An agent's working queue: the department's open work, most urgent first. (Tandem ranks
# priorities URGENT > HIGH > MEDIUM; PostGraphile can only sort the text column.)
DEPARTMENT_QUEUE = """
query DepartmentQueue($department: BigInt!, $first: Int!) {
  allRequests(first: $first,
              filter: { ownerDepartmentId: { equalTo: $department },
                        status: { in: ["NEW", "TRIAGED", "IN_PROGRESS"] },
                        priority: { in: ["MEDIUM", "HIGH", "URGENT"] } },
              orderBy: [PRIORITY_DESC, ROW_ID_DESC]) {
    totalCount
    edges { node {
      id number title status priority createdAt resolutionDueAt responseDueAt firstResponseAt
      serviceByServiceId { name } personByRequesterId { name } personByAssigneeId { name }
    } }
  }
}"""

# Writes: PostGraphile's generated CRUD mutations, one statement each, no rules, no events.
CREATE_REQUEST = """
mutation CreateRequest($request: RequestInput!) {
  createRequest(input: { request: $request }) { request { id row: rowId number status version } }
}"""

UPDATE_REQUEST = """
mutation UpdateRequest($row: BigInt!, $patch: RequestPatch!) {
  updated: updateRequestByRowId(input: { rowId: $row, requestPatch: $patch }) { request { id status version } }
}"""

CREATE_COMMENT = """
mutation CreateComment($comment: CommentInput!) {
  createComment(input: { comment: $comment }) { comment { id row: rowId createdAt personByAuthorId { name } } }
}"""
