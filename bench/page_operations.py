"""The documents of whole pages, as a portal or an agent workspace sends them: each page in one
operation, several root fields together (the viewer beside a list, the pickers beside a request),
which is what real front ends send. Page sizes are variables, as in bench.operations."""

from bench.operations import PORTAL_REQUESTS, REQUEST_NODE

# The portal's home: the signed-in person in the header, their requests below.
PORTAL_PAGE = (
    "query PortalPage($first: Int!, $comments: Int!) {"
    + """
  viewer { name department { name } }"""
    + PORTAL_REQUESTS
    + "\n}"
)

# The catalog: every service the viewer may request, by name, with its forms (request types),
# each form's fields and SLA, so the portal can render any form without another call.
CATALOG_PAGE = """
query CatalogPage($first: Int!) {
  services(first: $first, filter: { active: true }) {
    pageInfo { hasNextPage endCursor }
    edges { node {
      id name description
      ownerDepartment { name }
      requestTypes {
        id name
        sla { responseMinutes resolutionMinutes }
        fields { key label kind required options agentOnly }
      }
    } }
  }
}"""

# An agent's home: who they are, their department's numbers, and their own open work, the
# most pressing first. `$me` is the viewer's id, which the app has kept since signing in.
AGENT_HOME = """
query AgentHome($me: ID!, $first: Int!) {
  viewer {
    id name role
    department {
      id name
      stats { open slaBreached oldestOpenMinutes resolvedToday
              byStatus { status count } byPriority { priority count } }
    }
  }
  requests(first: $first,
           filter: { assigneeId: $me,
                     status: [TRIAGED, IN_PROGRESS, WAITING_ON_REQUESTER, WAITING_ON_DEPARTMENT] },
           orderBy: { field: RESOLUTION_DUE_AT, direction: ASC }) {
    totalCount
    edges { node {
      id number title status priority createdAt
      sla { breached resolutionDueAt }
      service { name } requester { name }
    } }
  }
}"""

# Journey runs, the newest first: where each one is and whether it is on time, stage by stage.
JOURNEY_RUNS_PAGE = """
query JourneyRunsPage($first: Int!) {
  journeyRuns(first: $first) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node {
      id subject status startAt startedAt completedAt onTrack
      map { name version }
      sponsor { name }
      currentStage { name position }
      stages { stage { name position targetMinutes } enteredAt leftAt minutes onTime }
    } }
  }
}"""

# The goals board: the shared goals of the viewer's department, each key result's live value,
# progress and status, and which departments share their figures.
GOALS_BOARD = """
query GoalsBoard($first: Int!) {
  viewer { name department { name } }
  sharedGoals(first: $first) {
    edges { node {
      id title description periodStart periodEnd progress status
      departments { name }
      participation { department { name } status decidedAt }
      keyResults { id title metric direction target current sampleSize withheld coverage progress status }
    } }
  }
}"""

# A request opened in the agent workspace: the request and its timeline, the agent and their
# department's people (the assignee picker), the departments (the hand-off picker).
REQUEST_PAGE = (
    "query RequestPage($id: ID!, $page: Int!) {"
    + REQUEST_NODE
    + """
  viewer { id name role department { name members { id name } } }
  departments(first: 50) { edges { node { id name } } }
}"""
)
