"""PostGraphile 5, the peer to beat: it plans each operation with Grafast and needs Node.js 22
(bench.node). Installed from the npm registry into bench/.cache/postgraphile5 (not committed)
and run on the same database, pinned to the same CPU as Tandem, with the amber preset
(bench/postgraphile5.config.mjs).

Its names differ from 4.x's: a row's Relay id is `id` and its primary key `rowId`, so
`requestById(id:)` is `requestByRowId(rowId:)` and `ID_ASC` is `ROW_ID_ASC`
(bench.peer_operations writes its documents in these names).
"""

from __future__ import annotations

import json
import os
import shutil
import urllib.request
from pathlib import Path

from bench.node import ensure_node, npm_install
from tests.support.server import ServedProcess

MAJOR = 5
INSTALL_DIR = Path(__file__).resolve().parent / ".cache" / "postgraphile5"
PACKAGES = ("postgraphile@5.1.5", "postgraphile-plugin-connection-filter@4.0.1")
CLI = INSTALL_DIR / "node_modules" / "postgraphile" / "dist" / "cli-run.js"
CONFIG = Path(__file__).resolve().parent / "postgraphile5.config.mjs"


def ensure_installed() -> Path:
    """The `node` to run the CLI with; PostGraphile installed with npm on first use."""
    node = ensure_node()
    if CLI.exists():
        return node
    npm_install(INSTALL_DIR, PACKAGES, node=node)
    return node


def installed_version() -> str:
    package = INSTALL_DIR / "node_modules" / "postgraphile" / "package.json"
    return json.loads(package.read_text())["version"]


class PostGraphile5(ServedProcess):
    """PostGraphile 5's CLI serving `database_url` in a subprocess; call `wait_ready()` before use."""

    name = "postgraphile 5"

    def __init__(self, *, database_url: str, log_path: Path, cpu: int | None):
        node = ensure_installed()
        super().__init__(log_path=log_path, log_mode="wb")
        config = INSTALL_DIR / "graphile.config.mjs"
        shutil.copyfile(CONFIG, config)
        command = [
            str(node),
            str(CLI),
            "--config",
            str(config),
            "--connection",
            database_url,
            "--schema",
            "public",
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
