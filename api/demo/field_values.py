"""Custom field values a requester would plausibly type, one sampler per catalog field."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from api.demo.organisation import Directory
from domain.catalog import FieldDefinition, FieldKind
from domain.people import Person
from schema import ids

# Optional fields are left blank this often, as people do on real forms.
OPTIONAL_SKIPPED = 0.35


@dataclass
class FieldDraw:
    """What a sampler may look at when it invents a value for one request."""

    rng: random.Random
    raised_on: date
    requester: Person
    directory: Directory
    # The request's values so far, for fields that depend on another (last day after first day).
    values: dict[str, str]


Sampler = Callable[[FieldDraw], str]


@dataclass(frozen=True)
class DemoField:
    """A field definition for the catalog, with how the demo fills it in."""

    definition: FieldDefinition
    sample: Sampler | None = None  # None: any of a CHOICE field's options

    def draw(self, draw: FieldDraw) -> str:
        if self.sample is not None:
            return self.sample(draw)
        return draw.rng.choice(self.definition.options or ("",))


def one_of(*values: str) -> Sampler:
    return lambda d: d.rng.choice(values)


def whole_number(low: int, high: int) -> Sampler:
    return lambda d: str(d.rng.randint(low, high))


def money(low: int, high: int) -> Sampler:
    return lambda d: str(Decimal(d.rng.randint(low * 100, high * 100)) / 100)


def code(prefix: str, digits: int) -> Sampler:
    return lambda d: f"{prefix}{d.rng.randrange(10 ** (digits - 1), 10**digits)}"


def days_ahead(low: int, high: int) -> Sampler:
    return lambda d: (d.raised_on + timedelta(days=d.rng.randint(low, high))).isoformat()


def days_ago(low: int, high: int) -> Sampler:
    return lambda d: (d.raised_on - timedelta(days=d.rng.randint(low, high))).isoformat()


def days_after(key: str, low: int, high: int) -> Sampler:
    def sample(d: FieldDraw) -> str:
        start = date.fromisoformat(d.values[key]) if key in d.values else d.raised_on
        return (start + timedelta(days=d.rng.randint(low, high))).isoformat()

    return sample


def month_start(d: FieldDraw) -> str:
    """A recent pay period: the first of this month or of the one before."""
    first = d.raised_on.replace(day=1)
    if d.rng.random() < 0.5:
        first = (first - timedelta(days=1)).replace(day=1)
    return first.isoformat()


def person_ref(person: Person) -> str:
    return ids.encode("Person", person.id)


def a_manager(d: FieldDraw) -> str:
    return person_ref(d.rng.choice(d.directory.managers))


def the_requester(d: FieldDraw) -> str:
    return person_ref(d.requester)


def a_colleague(d: FieldDraw) -> str:
    return person_ref(d.rng.choice([p for p in d.directory.requesters if p.id != d.requester.id]))


def field(
    key: str,
    label: str,
    kind: FieldKind,
    *,
    required: bool = False,
    options: tuple[str, ...] | None = None,
    sample: Sampler | None = None,
) -> DemoField:
    return DemoField(FieldDefinition(key, label, kind, required=required, options=options), sample)


def sample_fields(fields: Sequence[DemoField], draw: FieldDraw) -> dict[str, str]:
    """Every required field filled; optional ones now and then left out."""
    for demo_field in fields:
        definition = demo_field.definition
        if not definition.required and draw.rng.random() < OPTIONAL_SKIPPED:
            continue
        draw.values[definition.key] = demo_field.draw(draw)
    return draw.values


def display_values(fields: Sequence[DemoField], values: dict[str, str], directory: Directory) -> dict[str, str]:
    """Values as a person reads them (names, not IDs), for titles and descriptions."""
    names = {person_ref(p): p.name for p in directory.people}
    kinds = {f.definition.key: f.definition.kind for f in fields}
    return {key: names.get(value, value) if kinds[key] is FieldKind.PERSON else value for key, value in values.items()}
