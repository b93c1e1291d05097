"""Every GraphQL field that touches patients declares its permission: the whole schema is
walked, so a new field reaching patients (say `Actor.patients`) fails here until it does."""

from __future__ import annotations

import re

import pytest
from graphql import GraphQLNamedType, GraphQLObjectType, get_named_type

from graphsvc.api.access import (
    AGGREGATE_TYPES,
    PATIENT_TYPES,
    CountsPatients,
    PatientAccess,
    ReadsPatients,
    RoleAccess,
    WritesFunding,
    WritesPatients,
    WritesPlans,
)
from graphsvc.api.schema import schema
from graphsvc.security.roles import GRANTS, Role

PATIENTISH = re.compile(r"patient|enrol", re.IGNORECASE)
ROOTS = {"Query", "Mutation"}
HARMLESS = {"sharedPatients"}  # MissingLink: a yes/no about two actors, never a patient


def object_types() -> list[GraphQLObjectType]:
    return [
        t
        for name, t in schema._schema.type_map.items()
        if isinstance(t, GraphQLObjectType) and not name.startswith("__")
    ]


def patient_bearing_types() -> set[str]:
    """Declared ones, and any type with a field naming a patient (e.g. `patientId`)."""
    found = set(PATIENT_TYPES | AGGREGATE_TYPES)
    for t in object_types():
        if t.name in ROOTS:
            continue
        if any(PATIENTISH.search(name) and name not in HARMLESS for name in t.fields):
            found.add(t.name)
    return found


def permissions(type_name: str, field_name: str, kind: type = PatientAccess) -> list:
    field = schema._schema.type_map[type_name].fields[field_name]  # type: ignore[union-attr]
    definition = field.extensions["strawberry-definition"]
    return [
        permission
        for extension in definition.extensions
        for permission in getattr(extension, "permissions", [])
        if isinstance(permission, kind)
    ]


def patient_bearing_fields() -> list[tuple[str, str, str]]:
    """(type, field, why) of every field returning patient data or naming a patient."""
    bearing = patient_bearing_types()
    found = []
    for t in object_types():
        if t.name in bearing:
            continue  # its fields are guarded where the type is reached
        for name, field in t.fields.items():
            target: GraphQLNamedType = get_named_type(field.type)
            if target.name in bearing:
                found.append((t.name, name, f"returns {target.name}"))
            elif any(PATIENTISH.search(arg) for arg in field.args):
                found.append((t.name, name, "takes a patient argument"))
    return found


def test_every_patient_bearing_field_declares_its_permission() -> None:
    fields = patient_bearing_fields()
    assert len(fields) >= 9  # patient, myPatients, careCircle, partners, 4 mutations, counts
    missing = [
        f"{type_name}.{name} ({why})"
        for type_name, name, why in fields
        if not permissions(type_name, name)
    ]
    assert not missing, "patient-bearing fields without a permission: " + ", ".join(missing)


def test_the_declared_permissions_fit_what_the_field_returns() -> None:
    for type_name, name, _ in patient_bearing_fields():
        declared = permissions(type_name, name)
        target = get_named_type(schema._schema.type_map[type_name].fields[name].type)  # type: ignore[union-attr]
        if target.name in AGGREGATE_TYPES:
            assert all(isinstance(p, CountsPatients) for p in declared), (type_name, name)
        elif type_name == "Mutation":
            assert all(isinstance(p, WritesPatients) for p in declared), (type_name, name)
        else:
            assert all(isinstance(p, ReadsPatients) for p in declared), (type_name, name)


def test_every_mutation_declares_its_permission() -> None:
    """Writes are granted explicitly (DESIGN §6): no Mutation field open to every role."""
    mutation = schema._schema.type_map["Mutation"]
    assert isinstance(mutation, GraphQLObjectType)
    missing = [name for name in mutation.fields if not permissions("Mutation", name, RoleAccess)]
    assert not missing, "mutations without a permission: " + ", ".join(missing)


@pytest.mark.parametrize(
    ("field", "permission", "roles"),
    [
        ("saveActionPlan", WritesPlans, {Role.PLANNER, Role.ADMIN}),
        ("saveFunding", WritesFunding, {Role.ADMIN}),
        ("enrolPatient", WritesPatients, {Role.CASE_MANAGER, Role.ADMIN}),
    ],
)
def test_co_creation_writes_declare_who_may_write(
    field: str, permission: type[RoleAccess], roles: set[Role]
) -> None:
    declared = permissions("Mutation", field, RoleAccess)
    assert [type(p) for p in declared] == [permission]
    assert GRANTS[permission.capability] == roles
    assert Role.FACILITATOR not in GRANTS[permission.capability]


def test_planners_and_facilitators_never_read_patients() -> None:
    for capability in (ReadsPatients.capability, WritesPatients.capability):
        assert Role.PLANNER not in GRANTS[capability]
        assert Role.FACILITATOR not in GRANTS[capability]
    assert GRANTS[CountsPatients.capability] == {Role.PLANNER, Role.ADMIN}


def test_no_path_from_the_directory_to_patients() -> None:
    """Actors, services, zones and map or measure types lead to no patient-bearing type."""
    bearing = patient_bearing_types()
    start = ["Actor", "Service", "Zone", "NetworkMeasures", "NetworkMap", "GapRow", "OverlapRow"]
    seen, todo = set(), list(start)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        t = schema._schema.type_map[name]
        assert name not in bearing, f"{name} is reachable from {start}"
        if isinstance(t, GraphQLObjectType):
            todo.extend(get_named_type(f.type).name for f in t.fields.values())


def test_the_schema_shows_the_permissions() -> None:
    sdl = schema.as_str()
    assert re.search(r"patient\(id: ID!\): Patient @readsPatients", sdl)
    assert re.search(r"patientCounts\(zoneId: ID!\): PatientCounts! @countsPatients", sdl)
    assert "@writesPatients" in sdl
    assert re.search(r"saveActionPlan\(.*\): \[Saved!\]! @writesPlans", sdl)
    assert re.search(r"saveFunding\(.*\): \[Saved!\]! @writesFunding", sdl)
