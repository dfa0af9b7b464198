"""The PostGraphile releases the bench runs beside Tandem, by major version: 5 is the peer to
beat, 4 (4.14.1) is kept beside it while both tell something."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from bench import postgraphile, postgraphile5
from tests.support.server import ServedProcess

DEFAULT = (5, 4)


@dataclass(frozen=True)
class Release:
    major: int
    install: Callable[[], object]
    version: Callable[[], str]
    server: Callable[..., ServedProcess]  # (database_url=, log_path=, cpu=)


RELEASES = {
    5: Release(5, postgraphile5.ensure_installed, postgraphile5.installed_version, postgraphile5.PostGraphile5),
    4: Release(4, postgraphile.ensure_installed, postgraphile.installed_version, postgraphile.PostGraphile4),
}


def label(major: int) -> str:
    """How tables name a release: PG5, PG4."""
    return f"PG{major}"


def install(majors: Iterable[int]) -> dict[int, str]:
    """Each release installed (npm, on first use), with its installed version."""
    versions = {}
    for major in majors:
        RELEASES[major].install()
        versions[major] = RELEASES[major].version()
    return versions


def start(
    majors: Iterable[int], *, database_url: str, log_dir: Path, cpu: int | None, tag: str = ""
) -> dict[int, ServedProcess]:
    """One server per release on `database_url`, logging to log_dir/postgraphile<major><tag>.log;
    call `wait_ready()` on each before use."""
    return {
        major: RELEASES[major].server(
            database_url=database_url, log_path=log_dir / f"postgraphile{major}{tag}.log", cpu=cpu
        )
        for major in majors
    }
