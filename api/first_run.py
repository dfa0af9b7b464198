"""`tandem init`: the first admin of an empty database, and what to do next.

Nobody can make the first admin over the API (personCreate needs an admin), so the command
does, once: with an admin already there it changes nothing and says who to ask."""

from __future__ import annotations

from datetime import UTC, datetime

from api.settings import Settings
from db.engine import create_engine
from db.uow import SqlUnitOfWork
from domain.commands import CreateFirstAdmin
from domain.handlers.people import create_first_admin


async def init_admin(url: str, *, email: str, name: str | None) -> tuple[int, bool]:
    """(the admin's id, whether this run made them); DomainError when it may not."""
    engine = create_engine(url, pool_size=1)
    try:
        return await create_first_admin(
            CreateFirstAdmin(email=email, name=name), uow=SqlUnitOfWork(engine), now=datetime.now(UTC)
        )
    finally:
        await engine.dispose()


def next_steps(email: str, settings: Settings) -> str:
    sign_in = (
        f"  - sign in through your OpenID Connect provider as {email}"
        if settings.tandem_oidc_issuer
        else f"  - for development: `tandem token --email {email}` prints a bearer token"
    )
    return "\n".join(
        [
            "Next:",
            "  - start the server: `tandem serve`",
            sign_in,
            "  - then, as that admin, add departments and people (departmentCreate, personCreate), and API tokens "
            "for scripts and integrations (apiTokenCreate).",
        ]
    )
