"""Limits on what people type: titles and longer texts."""

from __future__ import annotations

from domain.errors import DomainError

MAX_TITLE = 200
MAX_BODY = 20_000


def check_title(title: str) -> str:
    title = title.strip()
    if not title:
        raise DomainError("Title must not be blank.", field=("title",))
    if len(title) > MAX_TITLE:
        raise DomainError(f"Title is longer than {MAX_TITLE} characters.", field=("title",))
    return title


def check_body(text: str, name: str, *, required: bool = False) -> str:
    text = text.strip()
    if required and not text:
        raise DomainError(f"{name.capitalize()} must not be blank.", field=(name,))
    if len(text) > MAX_BODY:
        raise DomainError(f"{name.capitalize()} is longer than {MAX_BODY} characters.", field=(name,))
    return text
