"""Filling a touchpoint's request form from its run.

A touchpoint's field values may name the run: `{subject}` (who the journey is for),
`{startDate}` (their start date, YYYY-MM-DD) and `{sponsor}` (the sponsor, for PERSON
fields). Values given when the run starts, by field key, fill every form with that key and
win over the map's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from domain.catalog import RequestType
from domain.errors import InvalidField
from domain.fields import validate_field_values

PLACEHOLDER = re.compile(r"\{(\w+)\}")
PLACEHOLDERS = ("subject", "startDate", "sponsor")
# What placeholders stand for while a map is checked, before any run exists.
_SAMPLE_SPONSOR = "\x00sponsor"
_SAMPLE = {"subject": "Someone", "startDate": "2000-01-01", "sponsor": _SAMPLE_SPONSOR}


@dataclass(frozen=True)
class Prefill:
    subject: str
    start_date: str
    sponsor_ref: str
    fields: Mapping[str, str] = field(default_factory=dict)

    @property
    def context(self) -> dict[str, str]:
        return {"subject": self.subject, "startDate": self.start_date, "sponsor": self.sponsor_ref}

    def values_for(self, field_values: Mapping[str, str], request_type: RequestType) -> dict[str, str | None]:
        values: dict[str, str | None] = {k: fill(v, self.context) for k, v in field_values.items()}
        values.update({k: v for k, v in self.fields.items() if request_type.field_by_key(k) is not None})
        return values

    def as_json(self) -> dict[str, Any]:
        return {
            "subject": self.subject,
            "startDate": self.start_date,
            "sponsor": self.sponsor_ref,
            "fields": dict(self.fields),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Prefill:
        return cls(
            subject=data["subject"],
            start_date=data["startDate"],
            sponsor_ref=data["sponsor"],
            fields=dict(data.get("fields") or {}),
        )


def fill(template: str, context: Mapping[str, str]) -> str:
    return PLACEHOLDER.sub(lambda m: context.get(m.group(1), m.group(0)), template)


def check_templates(
    field_values: Mapping[str, str], request_type: RequestType, *, person_exists: Callable[[str], bool]
) -> None:
    """A map's field values must fit the form once filled; required fields may wait for the run."""
    for key, value in field_values.items():
        for name in PLACEHOLDER.findall(value):
            if name not in PLACEHOLDERS:
                raise InvalidField(
                    f"Unknown placeholder {{{name}}}: use {{subject}}, {{startDate}} or {{sponsor}}.",
                    field=("fields", key),
                    code="UNKNOWN_PLACEHOLDER",
                )
    relaxed = replace(request_type, fields=[replace(f, required=False) for f in request_type.fields])
    filled = {k: fill(v, _SAMPLE) for k, v in field_values.items()}
    validate_field_values(relaxed, filled, person_exists=lambda v: v == _SAMPLE_SPONSOR or person_exists(v))


def literal_values(field_values: Iterable[Mapping[str, str]]) -> list[str]:
    """Values as written (placeholders left in): what may need checking as person references."""
    return [v for values in field_values for v in values.values()]
