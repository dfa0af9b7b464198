"""The GraphQL documents the scenarios send: what a portal, an agent workspace and a mobile
client ask for. Page sizes are variables, so statement counts can be compared across them."""

TYPENAME = "{ __typename }"

# A self-service portal's request list, each with a preview of its latest comments. Paged
# with "load more" (hasNextPage), no total: counting every visible request grows with the
# data, which is what the scale curve must not.
PORTAL_REQUESTS = """
  requests(first: $first) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id number title status priority createdAt updatedAt
      sla { breached }
      service { name }
      ownerDepartment { name }
      requester { name }
      assignee { name }
      comments(last: $comments) { totalCount edges { node { body createdAt author { name } } } }
    } }
  }"""

PORTAL_LIST = "query PortalList($first: Int!, $comments: Int!) {" + PORTAL_REQUESTS + "\n}"

# An agent opens a request: the conversation from the start, the latest of its timeline.
REQUEST_NODE = """
  node(id: $id) { id ... on Request {
    number title description status priority version createdAt updatedAt resolvedAt
    sla { responseDueAt resolutionDueAt paused breached }
    satisfaction { score comment }
    service { name ownerDepartment { name } }
    requestType { name fields { key label kind required options } }
    requester { name email department { name } }
    assignee { name email }
    ownerDepartment { name }
    fields { key value }
    tasks { title status createdAt completedAt department { name } assignee { name } }
    watchers { name }
    comments(first: $page) { totalCount edges { node { body internal createdAt author { name } } } }
    activity(last: $page) { totalCount edges { node { type summary occurredAt actor { name } } } }
  } }"""

REQUEST_DETAIL = "query RequestDetail($id: ID!, $page: Int!) {" + REQUEST_NODE + "\n}"

# An agent's working queue: the department's open work, most urgent first.
DEPARTMENT_QUEUE = """
query DepartmentQueue($department: ID!, $first: Int!) {
  requests(first: $first,
           filter: { ownerDepartmentId: $department, status: [NEW, TRIAGED, IN_PROGRESS],
                     priority: [MEDIUM, HIGH, URGENT] },
           orderBy: { field: PRIORITY, direction: DESC }) {
    totalCount
    edges { node {
      id number title status priority createdAt
      sla { breached resolutionDueAt }
      service { name } requester { name } assignee { name }
    } }
  }
}"""

REQUEST_CREATE = """
mutation RequestCreate($input: RequestCreateInput!) {
  requestCreate(input: $input) {
    request { id number status version }
    userErrors { field code message }
  }
}"""

REQUEST_TRANSITION = """
mutation RequestTransition($input: RequestTransitionInput!) {
  requestTransition(input: $input) {
    request { id status version }
    userErrors { field code message }
  }
}"""

REQUEST_VERSION = """
query RequestVersion($id: ID!) { node(id: $id) { ... on Request { status version } } }"""

COMMENT_ADD = """
mutation CommentAdd($input: CommentAddInput!) {
  commentAdd(input: $input) {
    comment { id createdAt author { name } }
    userErrors { field code message }
  }
}"""

# A goals wallboard: every shared goal the agent's department takes part in, each key result
# computed from the work (db.read.goal_values) with its breakdown by department.
GOALS_WALLBOARD = """
query GoalsWallboard {
  sharedGoals(first: 10) {
    edges { node {
      title progress status departments { name }
      keyResults { title metric target current sampleSize progress status
                   byDepartment { department { name } current sampleSize } }
    } }
  }
}"""
