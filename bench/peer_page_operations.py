"""PostGraphile's documents for the page scenarios (bench.page_operations), in PostGraphile 5's
names (bench.peer_operations.for_release gives 4.x's). Pages with figures Tandem computes in SQL
(department stats, goal progress) have none: PostGraphile has no counterpart to them.

Without visibility rules or a signed-in person, `viewer` is the person read by primary key, and
the catalog is every active service. Computed fields are fetched as the columns they come from:
a journey run's current stage, minutes per stage and on-time figures from its stages' times and
targets.
"""

from bench.peer_operations import PORTAL_REQUESTS, REQUEST_WITH_TIMELINE

# The portal's home: the signed-in person in the header, their requests below.
PORTAL_PAGE = (
    "query PortalPage($first: Int!, $comments: Int!, $viewer: BigInt!, $who: RequestCondition!,"
    " $visible: CommentCondition) {"
    + """
  viewer: personByRowId(rowId: $viewer) { name departmentByDepartmentId { name } }"""
    + PORTAL_REQUESTS
    + "\n}"
)

# The catalog: every active service by name, with its forms (request types) and their fields.
CATALOG_PAGE = """
query CatalogPage($first: Int!) {
  allServices(first: $first, condition: { active: true }, orderBy: [NAME_ASC, ROW_ID_ASC]) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name description
      departmentByOwnerDepartmentId { name }
      requestTypesByServiceId(orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes {
        id name responseMinutes resolutionMinutes fields } }
    } }
  }
}"""

# Journey runs, the newest first, each with its map, sponsor and every stage's times.
JOURNEY_RUNS_PAGE = """
query JourneyRunsPage($first: Int!) {
  allJourneyRuns(first: $first, orderBy: [STARTED_AT_DESC, ROW_ID_DESC]) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id subject status startAt startedAt completedAt currentPosition
      journeyMapByMapId { name version
        journeyStagesByMapId(orderBy: [POSITION_ASC]) { nodes { name position targetMinutes } } }
      personBySponsorId { name }
      journeyRunStagesByRunId(orderBy: [POSITION_ASC]) { nodes { position enteredAt leftAt } }
    } }
  }
}"""

# A request opened in the agent workspace: the request and its timeline, the agent and their
# department's people (the assignee picker), the departments (the hand-off picker).
REQUEST_PAGE = (
    "query RequestPage($row: BigInt!, $page: Int!, $viewer: BigInt!) {"
    + REQUEST_WITH_TIMELINE
    + """
  viewer: personByRowId(rowId: $viewer) {
    id name role
    departmentByDepartmentId { name peopleByDepartmentId(orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes { id name } } }
  }
  allDepartments(first: 50, orderBy: [NAME_ASC, ROW_ID_ASC]) { nodes { id name } }
}"""
)
