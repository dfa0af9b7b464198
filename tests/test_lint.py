"""The code stays lint-clean and formatted (ruff) and domain/ stays framework-free."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FRAMEWORKS = re.compile(r"^\s*(from|import)\s+(sqlalchemy|strawberry|starlette|asyncpg|api|schema|db)\b", re.M)


def test_ruff_finds_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "api", "bench", "db", "domain", "schema", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff_format_changes_nothing():
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--check", "api", "bench", "db", "domain", "schema", "tests"],
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_domain_imports_no_framework_and_no_outer_layer():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "domain").rglob("*.py") if FRAMEWORKS.search(p.read_text())]
    assert offenders == []
