"""PostGraphile 4, the earlier peer (bench.postgraphile5 is the one to beat): installed from the
npm registry into bench/.cache (not committed) and run on the same database, pinned to the same
CPU as Tandem, on the machine's Node.js.

PostGraphile compiles each GraphQL query to one SQL statement building the JSON; it has no
notion of Tandem's visibility rules, so its documents (bench.peer_operations) ask for the
same data with plain conditions.
"""

from __future__ import annotations

import json
import os
import urllib.request
from pathlib import Path

from bench.node import npm_install
from tests.support.server import ServedProcess

MAJOR = 4
INSTALL_DIR = Path(__file__).resolve().parent / ".cache" / "postgraphile"
PACKAGES = ("postgraphile@4.14.1", "postgraphile-plugin-connection-filter@2.3.0")
BINARY = INSTALL_DIR / "node_modules" / ".bin" / "postgraphile"


def ensure_installed() -> Path:
    """The postgraphile CLI, installed with npm on first use."""
    if BINARY.exists():
        return BINARY
    npm_install(INSTALL_DIR, PACKAGES)
    return BINARY


def installed_version() -> str:
    package = INSTALL_DIR / "node_modules" / "postgraphile" / "package.json"
    return json.loads(package.read_text())["version"]


class PostGraphile4(ServedProcess):
    """`postgraphile` serving `database_url` in a subprocess; call `wait_ready()` before use."""

    name = "postgraphile 4"

    def __init__(self, *, database_url: str, log_path: Path, cpu: int | None):
        binary = ensure_installed()
        super().__init__(log_path=log_path, log_mode="wb")
        command = [
            str(binary),
            "--connection",
            database_url,
            "--schema",
            "public",
            "--append-plugins",
            "postgraphile-plugin-connection-filter",
            "--dynamic-json",
            "--disable-graphiql",
            "--disable-query-log",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
        ]
        prefix = ["taskset", "-c", str(cpu)] if cpu is not None else []
        self.start([*prefix, *command], env={**os.environ, "NODE_ENV": "production"}, cwd=INSTALL_DIR)

    def probe(self) -> urllib.request.Request:
        # Ready once it has introspected the database and answers a query.
        return urllib.request.Request(
            f"{self.url}/graphql", data=b'{"query": "{ __typename }"}', headers={"Content-Type": "application/json"}
        )
