"""The moments Tandem stores: those Python and PostgreSQL's timestamptz both hold as such.

Python cannot represent a moment whose UTC time falls outside years 1-9999 (a client may send
`9999-12-31T23:59:59-23:59`), and asyncpg stores Python's two extreme moments (the first and the
last microsecond of that range, in UTC) as -infinity and infinity, which read back as naive
datetimes. Every moment strictly between them is stored and read back as it was sent.
"""

from __future__ import annotations

from datetime import UTC, datetime

FIRST = datetime.min.replace(tzinfo=UTC)
LAST = datetime.max.replace(tzinfo=UTC)
RANGE = "after 0001-01-01T00:00:00Z and before 9999-12-31T23:59:59.999999Z"


def storable(moment: datetime) -> bool:
    """An aware moment strictly between FIRST and LAST (compared without converting to UTC, which
    is what overflows)."""
    return moment.tzinfo is not None and FIRST < moment < LAST
