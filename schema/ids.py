"""Opaque global IDs: base64url of 'Type:id'. Clients must not parse them."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Awaitable, Callable
from typing import Any

import strawberry

from domain.errors import NotFound


def encode(type_name: str, db_id: int) -> strawberry.ID:
    raw = f"{type_name}:{db_id}".encode()
    return strawberry.ID(base64.urlsafe_b64encode(raw).decode().rstrip("="))


def parse(global_id: str) -> tuple[str, int] | None:
    """(type, id) for a well-formed ID, None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(global_id + "=" * (-len(global_id) % 4)).decode()
        type_name, _, value = raw.partition(":")
        db_id = int(value)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        return None
    if not type_name or db_id <= 0 or db_id >= 2**63:
        return None
    return type_name, db_id


def decode(global_id: str, type_name: str, *, field: str) -> int:
    """The database id of a `type_name` ID; a malformed or foreign ID is NOT_FOUND on `field`."""
    parsed = parse(global_id)
    if parsed is None or parsed[0] != type_name:
        raise NotFound(f"No {type_name.lower()} has this ID.", field=(field,))
    return parsed[1]


MISSING = -1  # what a filter on an ID naming nothing becomes: it matches nothing


def decode_filter(global_id: str | None, type_name: str) -> int | None:
    """An ID in a list filter: a malformed or foreign one filters everything out, not an error."""
    if global_id is None:
        return None
    parsed = parse(global_id)
    return parsed[1] if parsed is not None and parsed[0] == type_name else MISSING


def decode_optional(global_id: str | None, type_name: str, *, field: str) -> int | None:
    return None if global_id is None else decode(global_id, type_name, field=field)


async def visible_id(global_id: str, type_name: str, *, field: str, load: Callable[[int], Awaitable[Any]]) -> int:
    """The database id of an argument naming something the viewer may see (`load` returns None
    otherwise): a top-level NOT_FOUND error for a malformed, foreign, unknown or hidden ID alike."""
    from schema.errors import ApiError  # schema.errors imports the domain; ids stays import-light

    parsed = parse(global_id)
    if parsed is None or parsed[0] != type_name or await load(parsed[1]) is None:
        raise ApiError(f"No {_spaced(type_name)} has this ID.", "NOT_FOUND")
    return parsed[1]


def _spaced(type_name: str) -> str:
    return "".join(f" {c.lower()}" if c.isupper() else c for c in type_name).strip()
