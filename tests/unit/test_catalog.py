"""The service catalog: services and request types, and the rules on their definitions."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from domain.catalog import FieldDefinition, FieldKind, SlaPolicy, TaskTemplate, new_request_type, new_service
from domain.errors import DomainError
from tests.unit.example_org import FACILITIES, HR, IT, NOW, laptops, new_laptop

LATER = NOW + timedelta(hours=1)


# -- services -----------------------------------------------------------------------------
def test_a_new_service_is_active_trimmed_and_never_collaborates_with_its_owner():
    # when a service is made with messy input
    service = new_service(
        id=1,
        name="  Laptops ",
        description=" Laptops and bags ",
        owner_department_id=IT,
        collaborating_department_ids=[HR, IT, FACILITIES, HR],
        now=NOW,
    )
    # then it is trimmed, active, and its collaborators exclude the owner, deduplicated and sorted
    assert service.name == "Laptops"
    assert service.description == "Laptops and bags"
    assert service.active is True
    assert service.collaborating_department_ids == [HR, FACILITIES]
    assert service.created_at == service.updated_at == NOW


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_a_service_name_is_required_and_at_most_200_characters(name):
    with pytest.raises(DomainError) as raised:
        new_service(id=1, name=name, description="", owner_department_id=IT, collaborating_department_ids=[], now=NOW)
    assert raised.value.field == ("name",)


def test_a_200_character_name_is_fine():
    assert (
        len(
            new_service(
                id=1, name="x" * 200, description="", owner_department_id=IT, collaborating_department_ids=[], now=NOW
            ).name
        )
        == 200
    )


def test_updating_a_service_returns_what_changed_and_touches_it():
    # given a service
    service = laptops()
    # when several things change
    changes = service.update(
        name=" Laptops & bags ",
        description="All portable kit",
        active=False,
        collaborating_department_ids=[HR, FACILITIES, IT],
        now=LATER,
    )
    # then each change is applied and reported
    assert changes == {
        "name": "Laptops & bags",
        "description": "All portable kit",
        "active": False,
        "collaboratingDepartmentIds": [HR, FACILITIES],
    }
    assert (service.name, service.description, service.active) == ("Laptops & bags", "All portable kit", False)
    assert service.collaborating_department_ids == [HR, FACILITIES]
    assert service.updated_at == LATER


def test_an_update_that_repeats_the_current_values_changes_nothing():
    # given a service
    service = laptops()
    # when updated with its own values (whitespace aside, collaborators in another order)
    changes = service.update(
        name=" Laptops ",
        description=" Laptops and accessories ",
        active=True,
        collaborating_department_ids=[FACILITIES, FACILITIES],
        now=LATER,
    )
    # then nothing changed and it is not touched
    assert changes == {}
    assert service.updated_at == NOW
    assert service.description == "Laptops and accessories"


def test_a_blank_new_name_is_refused_and_leaves_the_service_as_it_was():
    service = laptops()
    with pytest.raises(DomainError) as raised:
        service.update(name="  ", active=False, now=LATER)
    assert raised.value.field == ("name",)
    assert service == laptops()


# -- request types ------------------------------------------------------------------------
def make_type(**overrides):
    arguments = dict(
        id=20,
        service=laptops(),
        name="New laptop",
        fields=list(new_laptop().fields),
        sla=SlaPolicy(60, 480),
        task_templates=[TaskTemplate("Set up desk", FACILITIES)],
        now=NOW,
    )
    arguments.update(overrides)
    return new_request_type(**arguments)


def test_a_request_type_belongs_to_its_service_and_keeps_its_definitions():
    request_type = make_type(name=" New laptop ")
    assert request_type.service_id == 10
    assert request_type.name == "New laptop"
    assert [f.key for f in request_type.fields] == ["model", "needed_by", "budget", "manager", "notes"]
    assert request_type.sla == SlaPolicy(60, 480)
    assert request_type.task_templates == [TaskTemplate("Set up desk", FACILITIES)]
    assert request_type.created_at == NOW


def test_a_field_is_found_by_its_key():
    request_type = make_type()
    assert request_type.field_by_key("budget").kind is FieldKind.NUMBER
    assert request_type.field_by_key("colour") is None


def test_a_request_type_may_have_no_fields_sla_or_tasks():
    request_type = make_type(fields=[], sla=None, task_templates=[])
    assert (request_type.fields, request_type.sla, request_type.task_templates) == ([], None, [])


@pytest.mark.parametrize(
    ("fields", "path"),
    [
        ([FieldDefinition("Model", "Model", FieldKind.TEXT)], ("fields", "0", "key")),
        ([FieldDefinition("1st", "First", FieldKind.TEXT)], ("fields", "0", "key")),
        ([FieldDefinition("a" * 41, "Long", FieldKind.TEXT)], ("fields", "0", "key")),
        (
            [FieldDefinition("notes", "Notes", FieldKind.TEXT), FieldDefinition("notes", "More", FieldKind.TEXT)],
            ("fields", "1", "key"),
        ),
        ([FieldDefinition("notes", "  ", FieldKind.TEXT)], ("fields", "0", "label")),
        ([FieldDefinition("model", "Model", FieldKind.CHOICE)], ("fields", "0", "options")),
        ([FieldDefinition("model", "Model", FieldKind.CHOICE, options=())], ("fields", "0", "options")),
        ([FieldDefinition("notes", "Notes", FieldKind.TEXT, options=("a",))], ("fields", "0", "options")),
        ([FieldDefinition("tag", "Tag", FieldKind.TEXT, required=True, agent_only=True)], ("fields", "0", "required")),
    ],
    ids=[
        "uppercase-key",
        "digit-first",
        "key-too-long",
        "duplicate-key",
        "blank-label",
        "choice-without-options",
        "choice-empty-options",
        "options-on-text",
        "required-agent-only",
    ],
)
def test_bad_field_definitions_are_refused_with_their_path(fields, path):
    with pytest.raises(DomainError) as raised:
        make_type(fields=fields)
    assert raised.value.code == "INVALID_FIELD_DEFINITION"
    assert raised.value.field == path


def test_a_40_character_snake_case_key_is_fine():
    key = "a" + "_b1" * 13
    assert len(key) == 40
    assert make_type(fields=[FieldDefinition(key, "Key", FieldKind.TEXT)]).fields[0].key == key


@pytest.mark.parametrize(
    "sla",
    [SlaPolicy(0, 480), SlaPolicy(-5, 480), SlaPolicy(60, 30)],
    ids=["zero", "negative", "response-after-resolution"],
)
def test_sla_minutes_must_be_positive_with_response_within_resolution(sla):
    with pytest.raises(DomainError) as raised:
        make_type(sla=sla)
    assert raised.value.code == "INVALID_SLA"
    assert raised.value.field == ("sla",)


def test_response_may_equal_resolution():
    assert make_type(sla=SlaPolicy(60, 60)).sla == SlaPolicy(60, 60)


def test_task_templates_need_titles():
    with pytest.raises(DomainError) as raised:
        make_type(task_templates=[TaskTemplate("Desk", FACILITIES), TaskTemplate(" ", HR)])
    assert raised.value.field == ("taskTemplates", "1", "title")


def test_a_request_type_needs_a_name():
    with pytest.raises(DomainError) as raised:
        make_type(name=" ")
    assert raised.value.field == ("name",)


def test_the_definitions_given_are_copied_not_shared():
    fields = [FieldDefinition("notes", "Notes", FieldKind.TEXT)]
    request_type = make_type(fields=fields)
    fields.append(replace(fields[0], key="more"))
    assert [f.key for f in request_type.fields] == ["notes"]
