"""Who may ask what: a permission on every patient-bearing GraphQL field, and its audit.

Patient-bearing types are those in PATIENT_TYPES and AGGREGATE_TYPES and any type with a
field named like `patient...`; a field is patient-bearing when it returns one of them or
takes an argument named like `patient...` (tests/test_security_schema.py walks the schema
and fails on a patient-bearing field without one of these permissions):

- `ReadsPatients` and `WritesPatients`: case managers (scoped to their patients in Cypher,
  graphsvc.core.caseload) and admins;
- `CountsPatients`: suppressed patient counts, for planners and admins.

A refused call is recorded in the audit log (`denied`, with the patient when an argument
names one), a resolver records what it read or wrote (`audited`), and `AuditFlush` writes a
request's records, fsynced, before the answer leaves.

Writes that hold no patient data declare their permission too (every Mutation field declares
one; the schema test walks them): `WritesPlans` (action plans: planners and admins) and
`WritesFunding` (funding lines: admins). Their refusals are not audited: the audit log is the
record of patient data.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from typing import Any, ClassVar, TypeVar

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension
from strawberry.permission import BasePermission, PermissionExtension

from graphsvc.api.prefetch import fields_of
from graphsvc.errors import Forbidden, GraphsvcError, NotFound
from graphsvc.security.audit import DENIED, ERROR, NOT_FOUND, OK, READ, WRITE, AuditUnavailable
from graphsvc.security.roles import Capability

T = TypeVar("T")
PATIENT_TYPES = frozenset({"Patient", "PatientNeed", "Referral", "CareCircle", "CircleMember"})
AGGREGATE_TYPES = frozenset({"PatientCounts", "ZoneCounts", "NeedCount"})
PATIENT_ID_FIELDS = frozenset({"patient", "updatePatient"})  # where `id` is a patient's
AGGREGATE = "aggregate"


class RoleAccess(BasePermission):
    """Base of every graphsvc permission: the caller's role holds `capability`."""

    capability: ClassVar[Capability]

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        return bool(info.context.principal.can(self.capability))


class WritesPlans(RoleAccess):
    capability = Capability.WRITE_PLANS
    message = "forbidden: changing action plans takes a planner or admin token"


class WritesFunding(RoleAccess):
    capability = Capability.WRITE_FUNDING
    message = "forbidden: changing funding lines takes an admin token"


class PatientAccess(RoleAccess):
    """Base of the permissions patient-bearing fields must declare."""

    access: ClassVar[str]

    def has_permission(self, source: Any, info: Any, **kwargs: Any) -> bool:
        context = info.context
        if context.principal.can(self.capability):
            return True
        patient = kwargs.get("patient_id")
        if patient is None and info.field_name in PATIENT_ID_FIELDS:
            patient = kwargs.get("id")
        detail = {"referral": str(kwargs["id"])} if info.field_name == "updateReferral" else {}
        context.audit.record(info.field_name, self.access, _text(patient), outcome=DENIED, **detail)
        return False


class ReadsPatients(PatientAccess):
    capability = Capability.READ_PATIENTS
    access = READ
    message = "forbidden: reading patients takes a case_manager or admin token"


class WritesPatients(PatientAccess):
    capability = Capability.WRITE_PATIENTS
    access = WRITE
    message = "forbidden: changing patients or referrals takes a case_manager or admin token"


class CountsPatients(PatientAccess):
    capability = Capability.PATIENT_AGGREGATES
    access = AGGREGATE
    message = "forbidden: patient counts take a planner or admin token"


def reads_patients() -> list[Any]:
    return [PermissionExtension(permissions=[ReadsPatients()])]


def writes_patients() -> list[Any]:
    return [PermissionExtension(permissions=[WritesPatients()])]


def counts_patients() -> list[Any]:
    return [PermissionExtension(permissions=[CountsPatients()])]


def writes_plans() -> list[Any]:
    return [PermissionExtension(permissions=[WritesPlans()])]


def writes_funding() -> list[Any]:
    return [PermissionExtension(permissions=[WritesFunding()])]


def selected(info: Any) -> list[str]:
    """The names of the fields asked for under this field (through fragments)."""
    return sorted(
        {f.name for f in fields_of(s for f in info.selected_fields for s in f.selections)}
    )


async def audited(
    info: Any,
    access: str,
    patient: str | None,
    work: Callable[[], Awaitable[T]],
    patients_of: Callable[[T], Iterable[str]] | None = None,
    **detail: Any,
) -> T:
    """Run `work` and record it: one record per patient it read or wrote (`patients_of` the
    result, else `patient`), or the patient asked for with the outcome of a failure. A write
    first appends an `intent` record, fsynced: if the log cannot take it, nothing is written
    and the caller gets AuditUnavailable."""
    trail = info.context.audit
    operation = info.field_name
    if access == WRITE:  # the intent is on disk before the database is touched
        try:
            await asyncio.to_thread(trail.intent, operation, _text(patient), **detail)
        except AuditUnavailable as exc:  # says no path: shown as it is
            raise GraphQLError(f"{exc}: nothing was written") from None
    try:
        result = await work()
    except NotFound:
        trail.record(operation, access, _text(patient), outcome=NOT_FOUND, **detail)
        raise
    except Forbidden as exc:  # a refused registration names the person's pseudonym
        trail.record(operation, access, _text(getattr(exc, "patient", patient)), outcome=DENIED,
                     **detail)  # fmt: skip
        raise
    except GraphsvcError:
        trail.record(operation, access, _text(patient), outcome=ERROR, **detail)
        raise
    fields = selected(info)
    if result is None:
        trail.record(operation, access, _text(patient), fields, NOT_FOUND, **detail)
        return result
    found = list(patients_of(result)) if patients_of is not None else [patient]
    for each in dict.fromkeys(found):
        trail.record(operation, access, _text(each), fields, OK, **detail)
    return result


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def _refused_request(result: Any) -> bool:
    """A request refused before execution (limits, validation): errors, no data, no path."""
    errors = getattr(result, "errors", None) or []
    return bool(errors) and result.data is None and all(e.path is None for e in errors)


class AuditFlush(SchemaExtension):
    """Writes the request's audit records (fsynced) before the answer leaves; an answer whose
    records cannot be written is withheld."""

    async def on_operation(self) -> AsyncIterator[None]:  # type: ignore[override]
        yield
        context = self.execution_context.context
        trail = getattr(context, "audit", None)
        result = self.execution_context.result
        if trail is not None and not trail.records and _refused_request(result):
            first = str(result.errors[0].message)[:200]  # type: ignore[union-attr]
            trail.record("request", "request", None, outcome=DENIED, reason=first)
        if trail is None or not trail.records:
            return
        try:
            await asyncio.to_thread(trail.flush)
        except AuditUnavailable as exc:
            result = self.execution_context.result
            if result is not None:
                result.data = None
                result.errors = [GraphQLError(f"{exc}: the answer was withheld")]
