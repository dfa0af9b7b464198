"""PostGraphile's documents for the same logical operations as bench.operations.

PostGraphile has no visibility rules, so each document fetches what the viewer's page shows
with plain conditions: the agent's list is their department's requests (Tandem adds the
requests the department has tasks on), the requester's list is their own requests with
public comments only (Tandem adds the requests they watch). Computed fields (the SLA clock,
an event's summary) are fetched as the columns they are computed from. The same fields,
relations, page sizes and orders otherwise.
"""

# A self-service portal's request list, each with a preview of its latest comments.
PORTAL_LIST = """
query PortalList($first: Int!, $comments: Int!, $who: RequestCondition!, $visible: CommentCondition) {
  allRequests(first: $first, orderBy: [CREATED_AT_DESC, ID_DESC], condition: $who) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      nodeId number title status priority createdAt updatedAt
      responseDueAt resolutionDueAt firstResponseAt resolvedAt closedAt slaPausedAt
      serviceByServiceId { name }
      departmentByOwnerDepartmentId { name }
      personByRequesterId { name }
      personByAssigneeId { name }
      commentsByRequestId(last: $comments, orderBy: [CREATED_AT_ASC, ID_ASC], condition: $visible) {
        totalCount edges { node { body createdAt personByAuthorId { name } } } }
    } }
  }
}"""

# An agent opens a request: the conversation from the start, the latest of its timeline.
REQUEST_DETAIL = """
query RequestDetail($id: BigInt!, $page: Int!) {
  requestById(id: $id) {
    nodeId number title description status priority version createdAt updatedAt resolvedAt
    responseDueAt resolutionDueAt slaPausedAt firstResponseAt closedAt
    satisfactionScore satisfactionComment
    serviceByServiceId { name departmentByOwnerDepartmentId { name } }
    requestTypeByRequestTypeId { name fields }
    personByRequesterId { name email departmentByDepartmentId { name } }
    personByAssigneeId { name email }
    departmentByOwnerDepartmentId { name }
    fields
    tasksByRequestId(orderBy: [ID_ASC]) { nodes {
      title status createdAt completedAt departmentByDepartmentId { name } personByAssigneeId { name } } }
    watchersByRequestId { nodes { personByPersonId { name } } }
    commentsByRequestId(first: $page, orderBy: [CREATED_AT_ASC, ID_ASC]) {
      totalCount edges { node { body internal createdAt personByAuthorId { name } } } }
  }
  allEvents(condition: { requestId: $id }, last: $page, orderBy: [SEQ_ASC]) {
    totalCount edges { node { type payload occurredAt personByActorId { name } } }
  }
}"""

# An agent's working queue: the department's open work, most urgent first. (Tandem ranks
# priorities URGENT > HIGH > MEDIUM; PostGraphile can only sort the text column.)
DEPARTMENT_QUEUE = """
query DepartmentQueue($department: BigInt!, $first: Int!) {
  allRequests(first: $first,
              filter: { ownerDepartmentId: { equalTo: $department },
                        status: { in: ["NEW", "TRIAGED", "IN_PROGRESS"] },
                        priority: { in: ["MEDIUM", "HIGH", "URGENT"] } },
              orderBy: [PRIORITY_DESC, ID_DESC]) {
    totalCount
    edges { node {
      nodeId number title status priority createdAt resolutionDueAt responseDueAt firstResponseAt
      serviceByServiceId { name } personByRequesterId { name } personByAssigneeId { name }
    } }
  }
}"""

# Writes: PostGraphile's generated CRUD mutations, one statement each, no rules, no events.
CREATE_REQUEST = """
mutation CreateRequest($request: RequestInput!) {
  createRequest(input: { request: $request }) { request { nodeId id number status version } }
}"""

UPDATE_REQUEST = """
mutation UpdateRequest($id: BigInt!, $patch: RequestPatch!) {
  updateRequestById(input: { id: $id, requestPatch: $patch }) { request { nodeId status version } }
}"""

CREATE_COMMENT = """
mutation CreateComment($comment: CommentInput!) {
  createComment(input: { comment: $comment }) { comment { nodeId id createdAt personByAuthorId { name } } }
}"""
