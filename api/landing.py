"""`GET /`: where to go from here, for whoever opens the server's address.

A browser gets a small page of links (no scripts: nothing here reaches a CDN); curl, scripts and
anything else get the same as JSON."""

from __future__ import annotations

import html

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

ABOUT = "GraphQL API for Enterprise Service Management"
DOCS = "docs/api.md in Tandem's source (every setting: docs/configuration.md)"


def wants_html(accept: str) -> bool:
    """What browsers send for a page they navigate to; curl's `*/*` and API clients get JSON."""
    for entry in accept.split(","):
        media_type, *params = (part.strip() for part in entry.split(";"))
        if media_type.lower() in ("text/html", "application/xhtml+xml") and "q=0" not in params:
            return True
    return False


def landing(*, graphiql: bool, metrics: bool = False):
    links = {
        "graphql": "/graphql",
        "graphiql": "/graphql" if graphiql else None,
        "health": "/healthz",
        "ready": "/readyz",
        "metrics": "/metrics" if metrics else None,
    }

    async def endpoint(request: Request) -> Response:
        if wants_html(request.headers.get("accept", "")):
            response: Response = HTMLResponse(_page(links))
        else:
            response = JSONResponse({"name": "Tandem", "about": ABOUT, **links, "docs": DOCS})
        response.headers["Vary"] = "Accept"
        return response

    return endpoint


def _page(links: dict[str, str | None]) -> str:
    items = [
        *([_link("GraphiQL", links["graphiql"]) + ": explore the API and run queries"] if links["graphiql"] else []),
        f"GraphQL endpoint: <code>POST {links['graphql']}</code> (also GET for queries)",
        _link(str(links["health"]), str(links["health"])) + ": the process is up",
        _link(str(links["ready"]), str(links["ready"])) + ": the database answers",
        *([_link(links["metrics"], links["metrics"]) + ": Prometheus metrics"] if links["metrics"] else []),
    ]
    rows = "\n".join(f"<li>{item}</li>" for item in items)
    return (
        "<!doctype html>\n<html lang=en><meta charset=utf-8><title>Tandem</title>\n"
        f"<h1>Tandem</h1>\n<p>{ABOUT}.</p>\n"
        f"<ul>\n{rows}\n</ul>\n<p>Documentation: {html.escape(DOCS)}.</p>\n"
    )


def _link(text: str, href: str) -> str:
    return f'<a href="{html.escape(href)}">{html.escape(text)}</a>'
