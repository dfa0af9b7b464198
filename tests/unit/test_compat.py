"""compat: the version check, and the rules that keep dependencies from drifting — every library
imported is declared, private APIs are reached only through compat, compat's ranges are
pyproject's, and .ci/lowest.txt pins the lowest version of each."""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest

import compat
from compat import IncompatibleVersion, check_versions, satisfies

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ("api", "schema", "domain", "db")
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
GRAPHQL_CORE = compat.REQUIRED["graphql-core"]  # ">=3.3.2,<3.4"

# Where a library's public API lives: any other module of theirs is an internal, reached only in
# compat. For the rest, a module whose name has a part starting with "_" is internal.
PUBLIC_MODULES = {
    "graphql": {"graphql", "graphql.language", "graphql.pyutils"},
    "strawberry": {
        "strawberry",
        "strawberry.asgi",
        "strawberry.dataloader",
        "strawberry.exceptions",
        "strawberry.extensions",
        "strawberry.permission",
        "strawberry.relay",
        "strawberry.tools",
        "strawberry.types",
    },
    "uvicorn": {"uvicorn"},
    "sqlalchemy": {
        "sqlalchemy",
        "sqlalchemy.dialects",
        "sqlalchemy.dialects.postgresql",
        "sqlalchemy.engine",
        "sqlalchemy.exc",
        "sqlalchemy.ext.asyncio",
        "sqlalchemy.pool",
        "sqlalchemy.sql.visitors",
    },
}
# Private attributes of library objects that compat reaches for (strawberry's schema and execution
# context, SQLAlchemy's pool, uvicorn's protocol behind an ASGI send, strawberry's definitions).
PRIVATE_ATTRIBUTES = {
    "_schema",
    "_provided_operation_name",
    "_do_get",
    "_overflow",
    "_max_overflow",
    "_pool",
    "_timeout",
    "__self__",
    "__strawberry_definition__",
    "_implements_resolve",
}


def normalized(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def requirement(text: str) -> tuple[str, str]:
    """("sqlalchemy", ">=2.0.30,<2.2") from "sqlalchemy[asyncio]>=2.0.30,<2.2"."""
    found = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(\[[^]]*\])?\s*(.*)", text)
    assert found, text
    return normalized(found.group(1)), found.group(3).replace(" ", "")


def declared(*, extras: bool) -> dict[str, str]:
    project = PYPROJECT["project"]
    texts = list(project["dependencies"])
    if extras:
        texts += [t for group in project["optional-dependencies"].values() for t in group]
    return dict(requirement(t) for t in texts)


def tandem_modules() -> list[Path]:
    return [p for layer in LAYERS for p in sorted((ROOT / layer).rglob("*.py"))]


def imported(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.lineno, node.module))
    return found


def third_party(module: str) -> bool:
    top = module.split(".")[0]
    # _typeshed: the standard library's typing-only stubs (imported under TYPE_CHECKING).
    return top not in sys.stdlib_module_names and top not in (*LAYERS, "compat", "__future__", "_typeshed")


# --- the check ---------------------------------------------------------------------------------


def test_a_library_outside_its_range_is_named_with_the_range_and_what_was_found():
    versions = {"graphql-core": "3.2.6", "strawberry-graphql": "0.341.2", "uvicorn": "0.55.0", "sqlalchemy": "2.1.9"}

    with pytest.raises(IncompatibleVersion) as refused:
        check_versions(installed=versions.__getitem__)

    assert str(refused.value).startswith(f"Tandem needs graphql-core {GRAPHQL_CORE}; found 3.2.6.")
    assert "strawberry" not in str(refused.value)


def test_every_library_out_of_range_is_named_and_a_missing_one_too():
    def installed(name: str) -> str:
        if name == "uvicorn":
            raise metadata.PackageNotFoundError(name)
        return {"graphql-core": "3.4.0", "sqlalchemy": "1.4.54"}.get(name, "0.341.0")

    with pytest.raises(IncompatibleVersion) as refused:
        check_versions(installed=installed)

    message = str(refused.value)
    assert f"graphql-core {GRAPHQL_CORE}; found 3.4.0" in message
    assert "uvicorn " + compat.REQUIRED["uvicorn"] + "; it is not installed" in message
    assert "sqlalchemy >=2.0.30,<2.2; found 1.4.54" in message
    assert "pip install" in message


def test_the_installed_versions_pass():
    check_versions()


@pytest.mark.parametrize(
    ("version", "specifier", "inside"),
    [
        ("3.3.0", ">=3.3.0,<3.4", True),
        ("3.3.2", ">=3.3,<3.4", True),
        ("3.4.0", ">=3.3,<3.4", False),
        ("3.4.0a1", ">=3.3,<3.4", False),  # as pip: not a pre-release of the excluded version
        ("3.3.0rc1", ">=3.3.0,<3.4", False),
        ("3.2.6", ">=3.3,<3.4", False),
        ("0.341.2", ">=0.300,<0.342", True),
        ("0.342.0", ">=0.300,<0.342", False),
        ("2.0.30.post1", ">=2.0.30", True),
        ("1.0", "==1.0.0", True),
    ],
)
def test_versions_are_compared_by_their_numbers(version: str, specifier: str, inside: bool):
    assert satisfies(version, specifier) is inside


def test_importing_compat_with_a_wrong_version_fails_with_the_message(tmp_path: Path):
    # given an interpreter where graphql-core reports 3.2.6
    script = (
        "from importlib import metadata\n"
        "real = metadata.version\n"
        "metadata.version = lambda name: '3.2.6' if name == 'graphql-core' else real(name)\n"
        "import compat\n"
    )
    # when compat is imported
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    # then it refuses, saying what it needs and what it found
    assert done.returncode != 0
    assert f"compat.IncompatibleVersion: Tandem needs graphql-core {GRAPHQL_CORE}; found 3.2.6." in done.stderr


def test_tandem_refuses_a_wrong_version_in_one_line(tmp_path: Path):
    # given `tandem serve` in an interpreter where graphql-core reports 3.2.6
    script = (
        "import sys\n"
        "from importlib import metadata\n"
        "real = metadata.version\n"
        "metadata.version = lambda name: '3.2.6' if name == 'graphql-core' else real(name)\n"
        "from api.cli import main\n"
        "sys.exit(main(['serve']))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": "postgresql://nobody@127.0.0.1:1/none"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120
    )
    # then it exits 2 with one line saying what it needs and what it found, before doing anything
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        f"tandem: error: Tandem needs graphql-core {GRAPHQL_CORE}; found 3.2.6. Install Tandem again so that "
        "pip brings versions that fit: pip install . (or pip install -e '.[test]') from its checkout."
    ]
    assert list(tmp_path.iterdir()) == []


# --- the rules that keep dependencies true -----------------------------------------------------


def test_compat_ranges_are_pyprojects():
    runtime = declared(extras=False)

    assert {name: runtime.get(name) for name in compat.REQUIRED} == {
        name: specifier.replace(" ", "") for name, specifier in compat.REQUIRED.items()
    }


def test_every_library_the_code_imports_is_declared():
    names = metadata.packages_distributions()
    # The code may import an optional extra's libraries (tracing imports the `otel` extra's when
    # asked to), never the test extra's.
    runtime = declared(extras=False) | {
        name: spec
        for extra, group in PYPROJECT["project"]["optional-dependencies"].items()
        if extra != "test"
        for name, spec in (requirement(t) for t in group)
    }
    undeclared = {}
    for path in tandem_modules():
        for line, module in imported(path):
            if not third_party(module):
                continue
            distributions = {normalized(d) for d in names.get(module.split(".")[0], [module.split(".")[0]])}
            if not distributions & runtime.keys():
                undeclared[f"{path.relative_to(ROOT)}:{line}"] = module
    assert undeclared == {}


def test_every_dependency_has_a_lower_bound():
    for name, specifier in declared(extras=True).items():
        assert ">=" in specifier, f"{name} has no lower bound"


def test_library_internals_are_reached_only_through_compat():
    misuse = []
    for path in tandem_modules():
        where = path.relative_to(ROOT)
        for line, module in imported(path):
            if not third_party(module):
                continue
            top = module.split(".")[0]
            public = PUBLIC_MODULES.get(top)
            private = module not in public if public is not None else any(p.startswith("_") for p in module.split("."))
            if private:
                misuse.append(f"{where}:{line} imports {module}")
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Attribute) and node.attr in PRIVATE_ATTRIBUTES:
                misuse.append(f"{where}:{node.lineno} reaches .{node.attr}")
    assert misuse == []


def test_lowest_constraints_pin_every_dependency_to_its_lower_bound():
    pins = {}
    for text in (ROOT / ".ci" / "lowest.txt").read_text().splitlines():
        text = text.split("#")[0].strip()
        if text:
            name, _, version = text.partition("==")
            pins[normalized(name)] = version.strip()

    for name, specifier in declared(extras=True).items():
        lower = re.search(r">=([^,]+)", specifier).group(1)
        pinned = pins.get(name)
        assert pinned is not None and satisfies(pinned, f"=={lower}"), (
            f"{name}: .ci/lowest.txt pins {pinned}, not {lower}"
        )
