"""The page scenarios: whole pages of a portal and an agent workspace, each one operation as a
front end sends it (bench.page_operations), side by side with PostGraphile where it has a
counterpart (bench.peer_page_operations); where it has none, the row has no peer column."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from bench import page_operations as ops
from bench import peer_page_operations as peer_ops
from bench import peer_scenarios as peer
from bench.load import Operate
from bench.scenarios import COMMENTS_PREVIEW, Rotating, Scenario, graphql
from bench.targets import Targets

PAGE = "page · "  # every page scenario's name starts so: `--only page` runs them all

Variables = Callable[[int], list[dict[str, Any]]]  # a page size -> the variables of each call in turn


def build_pages(
    targets: Targets, *, list_size: int = 50, detail_size: int = 20, short_size: int = 20, goals_size: int = 10
) -> list[Scenario]:
    """`list_size` rows in the portal and catalog, `short_size` in the agent's work and the journey
    runs, `detail_size` comments and events on a request, `goals_size` goals."""
    t, rows = targets, targets.rows

    def tandem(document: str, variables: Variables, token: str) -> Callable[[int], Operate]:
        return lambda size: Rotating([graphql(document, v, token=token) for v in variables(size)])

    def peers(document: str, variables: Variables, size: int) -> dict[int, peer.PeerSide]:
        def side(major: int) -> Operate:
            return peer.Rotating([peer.peer_graphql(document, v, major=major) for v in variables(size)])

        return peer.every_release(side)

    def page(name: str, size: int, make: Callable[[int], Operate], others: dict | None = None) -> Scenario:
        return Scenario(PAGE + name, "page", make(size), at_page_size=make, peers=others or {})

    def portal_peer(size: int) -> list[dict[str, Any]]:
        return [{**peer.portal_variables(rows, requester=True, first=size), "viewer": str(rows.requester)}]

    def request_peer(size: int) -> list[dict[str, Any]]:
        return [{"row": str(i), "page": size, "viewer": str(rows.agent)} for i in rows.details]

    return [
        page(
            "portal (requester)",
            list_size,
            tandem(ops.PORTAL_PAGE, lambda n: [{"first": n, "comments": COMMENTS_PREVIEW}], t.requester_token),
            peers(peer_ops.PORTAL_PAGE, portal_peer, list_size),
        ),
        page(
            "catalog with forms",
            list_size,
            tandem(ops.CATALOG_PAGE, lambda n: [{"first": n}], t.requester_token),
            peers(peer_ops.CATALOG_PAGE, lambda n: [{"first": n}], list_size),
        ),
        # Department stats: counts by status and priority, SLA breaches, the oldest open request.
        page(
            "agent home", short_size, tandem(ops.AGENT_HOME, lambda n: [{"me": t.agent_id, "first": n}], t.agent_token)
        ),
        page(
            "journey runs",
            short_size,
            tandem(ops.JOURNEY_RUNS_PAGE, lambda n: [{"first": n}], t.agent_token),
            peers(peer_ops.JOURNEY_RUNS_PAGE, lambda n: [{"first": n}], short_size),
        ),
        # Goal progress: every key result computed from the live work.
        page("goals board", goals_size, tandem(ops.GOALS_BOARD, lambda n: [{"first": n}], t.agent_token)),
        page(
            "request (agent)",
            detail_size,
            tandem(ops.REQUEST_PAGE, lambda n: [{"id": i, "page": n} for i in t.detail_ids], t.agent_token),
            peers(peer_ops.REQUEST_PAGE, request_peer, detail_size),
        ),
    ]
