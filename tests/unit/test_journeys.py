"""Journey maps, runs and prefilled forms: the domain rules, without storage."""

from __future__ import annotations

from datetime import timedelta

import pytest

from domain.catalog import FieldDefinition, FieldKind, RequestType
from domain.errors import DomainError, InvalidField
from domain.journey_runs import JourneyRun, RunStatus, check_start, new_run, within_target
from domain.journeys import MapSpec, StageSpec, TouchpointSpec, check_spec, new_journey_map
from domain.prefill import Prefill, check_templates, fill
from tests.unit.example_org import ADMIN, EMPLOYEE, FACILITIES, HR, HR_AGENT, IT, NOW

LAPTOP_TYPE, CONTRACT_TYPE = 20, 21
OWNERS = {LAPTOP_TYPE: IT, CONTRACT_TYPE: HR}


def spec(**changes) -> MapSpec:
    stages = (
        StageSpec("Paperwork", target_minutes=60, touchpoints=(TouchpointSpec("Contract", HR, CONTRACT_TYPE),)),
        StageSpec(
            "Equipment",
            target_minutes=120,
            touchpoints=(TouchpointSpec("Laptop", IT, LAPTOP_TYPE), TouchpointSpec("Desk", FACILITIES)),
        ),
        StageSpec("Welcome", touchpoints=(TouchpointSpec("Lunch", HR),)),
    )
    return MapSpec(**{"name": "Onboarding", "stages": stages, **changes})


def journey(previous=None):
    return new_journey_map(
        spec(),
        id=7 if previous is None else 8,
        stage_ids=[1, 2, 3],
        touchpoint_ids=[1, 2, 3, 4],
        actor=ADMIN,
        now=NOW,
        previous=previous,
    )


def run_of(journey_map) -> JourneyRun:
    prefill = Prefill(subject="Jane", start_date="2024-12-09", sponsor_ref="P8")
    return new_run(
        id=1,
        journey=journey_map,
        subject=" Jane ",
        sponsor=EMPLOYEE,
        actor=HR_AGENT,
        start_at=NOW,
        prefill=prefill,
        now=NOW,
    )


@pytest.mark.parametrize(
    "changed, code",
    [
        (dict(stages=()), "NO_STAGES"),
        (dict(name=" "), "INVALID_INPUT"),
        (dict(stages=(StageSpec("Empty", touchpoints=()),)), "STAGE_WITHOUT_TOUCHPOINTS"),
        (dict(stages=(StageSpec("S", target_minutes=-5, touchpoints=(TouchpointSpec("T", HR),)),)), "INVALID_TARGET"),
        (
            dict(stages=(StageSpec("S", touchpoints=(TouchpointSpec("T", HR, LAPTOP_TYPE),)),)),
            "REQUEST_TYPE_NOT_IN_DEPARTMENT",
        ),
        (dict(stages=(StageSpec("S", touchpoints=(TouchpointSpec("T", HR, 99),)),)), "NOT_FOUND"),
        (
            dict(stages=(StageSpec("S", touchpoints=(TouchpointSpec("T", HR, field_values={"a": "b"}),)),)),
            "FIELDS_WITHOUT_REQUEST_TYPE",
        ),
        (dict(stages=(StageSpec("S", touchpoints=(TouchpointSpec("T", HR),)),) * 21), "TOO_MANY_STAGES"),
    ],
)
def test_a_map_spec_breaking_a_rule_is_refused_with_its_code(changed, code):
    with pytest.raises(DomainError) as refused:
        check_spec(spec(**changed), request_type_owners=OWNERS)
    assert refused.value.code == code


def test_a_new_map_is_version_one_and_a_revision_the_next_of_the_same_lineage():
    first = journey()
    assert (first.version, first.lineage_id, first.department_ids) == (1, 7, (IT, HR, FACILITIES))
    assert [s.position for s in first.stages] == [0, 1, 2]
    revised = journey(previous=first)
    assert (revised.version, revised.lineage_id, revised.replaces_id) == (2, 7, 7)
    first.retire(ADMIN, now=NOW)
    with pytest.raises(DomainError, match="already retired"):
        first.retire(ADMIN, now=NOW)


def test_a_run_leaves_a_stage_when_its_last_open_request_finishes():
    journey_map = journey()
    run = run_of(journey_map)
    run.enter(journey_map.stages[0], opened=[(1, 100)], skipped=[], actor=HR_AGENT, now=NOW)
    later = NOW + timedelta(minutes=30)
    assert run.request_changed(100, finished=True, actor=HR_AGENT, now=later) is True
    assert run.stages[0].left_at == later
    run.enter(journey_map.stages[1], opened=[(2, 101), (3, 102)], skipped=[], actor=HR_AGENT, now=later)
    assert run.request_changed(101, finished=True, actor=HR_AGENT, now=later) is False
    assert run.request_changed(101, finished=True, actor=HR_AGENT, now=later) is False  # no change, no step
    assert run.request_changed(100, finished=False, actor=HR_AGENT, now=later) is False  # an earlier stage
    assert run.request_changed(102, finished=True, actor=HR_AGENT, now=later) is True
    assert run.next_position(journey_map) == 2


def test_cancelling_marks_every_request_finished_and_only_an_active_run_can_be_cancelled():
    journey_map = journey()
    run = run_of(journey_map)
    run.enter(journey_map.stages[0], opened=[(1, 100)], skipped=[], actor=HR_AGENT, now=NOW)
    run.cancel(EMPLOYEE, now=NOW, reason="Offer withdrawn")
    assert (run.status, run.open_request_ids) == (RunStatus.CANCELLED, [])
    assert run.events[-1].payload["cancelledRequestIds"] == [100]
    with pytest.raises(DomainError) as refused:
        run.cancel(EMPLOYEE, now=NOW, reason=None)
    assert refused.value.code == "RUN_NOT_ACTIVE"


def test_a_stage_is_on_time_up_to_its_target_and_a_run_is_on_track_while_every_stage_is():
    assert within_target(NOW, NOW + timedelta(minutes=60), 60, end=NOW) is True
    assert within_target(NOW, None, 60, end=NOW + timedelta(minutes=61)) is False
    assert within_target(NOW, None, None, end=NOW + timedelta(days=9)) is True
    journey_map = journey()
    run = run_of(journey_map)
    run.enter(journey_map.stages[0], opened=[(1, 100)], skipped=[], actor=HR_AGENT, now=NOW)
    assert run.on_track(journey_map, NOW + timedelta(minutes=59)) is True
    assert run.on_track(journey_map, NOW + timedelta(minutes=61)) is False


def test_start_dates_are_limited_to_a_month_back_and_a_year_ahead():
    check_start(NOW - timedelta(days=30), now=NOW)
    for start, code in (
        (NOW - timedelta(days=31), "START_TOO_FAR_IN_PAST"),
        (NOW + timedelta(days=367), "START_TOO_FAR_AHEAD"),
    ):
        with pytest.raises(DomainError) as refused:
            check_start(start, now=NOW)
        assert refused.value.code == code


def test_a_retired_map_starts_no_run():
    journey_map = journey()
    journey_map.retire(ADMIN, now=NOW)
    with pytest.raises(DomainError) as refused:
        run_of(journey_map)
    assert refused.value.code == "MAP_RETIRED"


FORM = RequestType(
    id=LAPTOP_TYPE,
    service_id=10,
    name="New laptop",
    fields=[
        FieldDefinition("model", "Model", FieldKind.CHOICE, required=True, options=("13-inch", "15-inch")),
        FieldDefinition("needed_by", "Needed by", FieldKind.DATE),
        FieldDefinition("manager", "Manager", FieldKind.PERSON),
        FieldDefinition("notes", "Notes", FieldKind.TEXT),
    ],
)


def test_placeholders_are_filled_from_the_run_and_the_runs_own_values_win():
    prefill = Prefill(
        subject="Jane", start_date="2024-12-09", sponsor_ref="P8", fields={"model": "15-inch", "colour": "red"}
    )
    values = prefill.values_for({"model": "13-inch", "needed_by": "{startDate}", "notes": "For {subject}"}, FORM)
    assert values == {"model": "15-inch", "needed_by": "2024-12-09", "notes": "For Jane"}
    assert fill("{unknown} stays", prefill.context) == "{unknown} stays"
    assert Prefill.from_json(prefill.as_json()) == prefill


@pytest.mark.parametrize(
    "values, code",
    [
        ({"colour": "red"}, "UNKNOWN_FIELD"),
        ({"notes": "{salary}"}, "UNKNOWN_PLACEHOLDER"),
        ({"needed_by": "{sponsor}"}, "INVALID_FIELD"),
        ({"manager": "nobody"}, "INVALID_FIELD"),
    ],
)
def test_a_maps_field_values_must_fit_the_form(values, code):
    with pytest.raises(InvalidField) as refused:
        check_templates(values, FORM, person_exists=lambda v: False)
    assert refused.value.code == code


def test_required_fields_may_wait_for_the_run():
    check_templates({"needed_by": "{startDate}", "manager": "{sponsor}"}, FORM, person_exists=lambda v: False)
