"""Referrals: activating partners for a patient and following the lifecycle of DESIGN §3.

    proposed -> sent -> accepted | declined;   accepted -> active -> closed;
    proposed, sent, accepted, active (the open states) -> cancelled.

An accepted or active referral holds one place of its service: accepting takes one
`available` place; closing or cancelling an accepted or active referral gives it back. Each
transition is one Cypher statement (cypher/set_referral_status.cypher) that checks the
current status and the free places and changes both, so it is atomic on FalkorDB (one
GRAPH.QUERY) and on Neo4j (one transaction holding write locks): under concurrent requests
`available` never goes below zero and never above `capacity`. A refused transition changes
nothing.

No free text reaches the graph: a referral's `note` is one code of NOTES (how to handle it)
and its `outcome` one code of OUTCOMES (why it ended), set only when it ends (declined,
closed, cancelled).

`actor_id` is the acting actor: new referrals are made BY it (by default the patient's case
manager). When given (a case manager's token), the patient or referral is first read with the
scoped queries (`$actor`: patients it manages or whose care circle it is in), so a referral
of any other patient is unknown to it. Only the patient's case manager makes referrals and
moves them; a provider in the circle moves only the referrals addressed to its own services.
Both rules are also in the statements that write (`$scope`), so a hand-over between the
check and the write refuses the write. None is unscoped.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from graphsvc.core import directory
from graphsvc.core.directory import Service
from graphsvc.core.patients import require_patient
from graphsvc.errors import Forbidden, GraphsvcError, InputError, NotFound
from graphsvc.model import REFERRAL_STATUSES
from graphsvc.store import Row, Store

STATUSES = REFERRAL_STATUSES
OPEN = ("proposed", "sent", "accepted", "active")
HOLDING = ("accepted", "active")  # states that hold one place of the service
ENDED = ("declined", "closed", "cancelled")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "proposed": ("sent", "cancelled"),
    "sent": ("accepted", "declined", "cancelled"),
    "accepted": ("active", "cancelled"),
    "active": ("closed", "cancelled"),
    "declined": (),
    "closed": (),
    "cancelled": (),
}
NOTES = (
    "urgent",
    "interpreter_needed",
    "home_visit",
    "accompaniment_needed",
    "after_hospital_discharge",
    "caregiver_exhausted",
)
OUTCOMES = (
    "goals_met",
    "partially_met",
    "no_capacity",
    "not_eligible",
    "out_of_area",
    "patient_declined",
    "patient_moved",
    "transferred",
    "need_resolved",
    "duplicate",
    "other",
)
MAX_SERVICES = 20
MOVE_REFUSED = (
    "argument id: only the patient's case manager (or an admin) moves its referrals; a "
    "provider moves only referrals addressed to its own services"
)


class Conflict(GraphsvcError):
    """The request was valid but the data changed meanwhile (no free place, new status)."""


@dataclass(frozen=True)
class Referral:
    id: str
    status: str
    created: str
    updated: str
    patient: str
    service: Service
    by: str | None = None
    note: str | None = None
    outcome: str | None = None
    meets: tuple[str, ...] = ()  # the patient's needs the service's type meets

    @classmethod
    def from_row(cls, row: Row) -> Referral:
        return cls(
            id=row["id"],
            status=row["status"],
            created=row["created"],
            updated=row["updated"],
            patient=row["patient"],
            service=Service.from_row(row["service"]),
            by=row.get("by"),
            note=row.get("note"),
            outcome=row.get("outcome"),
            meets=tuple(sorted(set(row.get("meets") or ()))),
        )

    @property
    def holds_place(self) -> bool:
        return self.status in HOLDING

    @property
    def allowed_next(self) -> tuple[str, ...]:
        return TRANSITIONS[self.status]


def places_change(current: str, new: str) -> int:
    """-1 when a transition takes a place, +1 when it gives one back, else 0."""
    return int(current in HOLDING) - int(new in HOLDING)


def get_referrals(
    store: Store, ids: Sequence[str], scope: str | None = None
) -> dict[str, Referral]:
    """Referrals by id in one round trip; unknown ids (and, with `scope`, referrals of
    patients outside that actor's scope) are absent."""
    wanted = list(dict.fromkeys(ids))
    if not wanted:
        return {}
    if scope is not None:
        rows = store.run("get_scoped_referrals", ids=wanted, actor=scope)
    else:
        rows = store.run("get_referrals", ids=wanted)
    return {r["id"]: Referral.from_row(r) for r in rows}


def require_referral(
    store: Store, referral_id: str, argument: str = "id", scope: str | None = None
) -> Referral:
    found = get_referrals(store, [referral_id], scope).get(referral_id)
    if found is None:
        raise NotFound(f"argument {argument}: unknown referral {referral_id!r}")
    return found


def referrals_of(
    store: Store, patient_ids: Sequence[str], scope: str | None = None
) -> dict[str, list[Referral]]:
    """Each patient's referrals (oldest first, then by service) in one round trip; with
    `scope`, only for patients that actor may see."""
    result: dict[str, list[Referral]] = {p: [] for p in patient_ids}
    if patient_ids:
        ids = list(dict.fromkeys(patient_ids))
        if scope is not None:
            rows = store.run("list_scoped_patient_referrals", ids=ids, actor=scope)
        else:
            rows = store.run("list_patient_referrals", ids=ids)
        for row in rows:
            result[row["patient"]].append(Referral.from_row(row))
    for found in result.values():  # made together: same time, so by service
        found.sort(key=lambda r: (r.created, r.service.id, r.id))
    return result


def activate_partners(
    store: Store,
    actor_id: str | None,
    patient_id: str,
    service_ids: Sequence[str],
    note: str | None = None,
) -> list[Referral]:
    """Create one `proposed` referral per service for the patient, made by the acting actor
    (default: the patient's case manager). All or nothing: every service must exist, be
    active, have a free place and have no open referral for this patient yet."""
    patient = require_patient(store, patient_id, scope=actor_id)
    if actor_id is not None and patient.case_manager != actor_id:
        raise Forbidden(
            "argument patientId: only the patient's case manager (or an admin) makes referrals"
        )
    problems = []
    if not service_ids:
        problems.append("argument serviceIds: give at least one service")
    if len(service_ids) > MAX_SERVICES:
        problems.append(f"argument serviceIds: at most {MAX_SERVICES} services at once")
    duplicates = sorted({s for s in service_ids if list(service_ids).count(s) > 1})
    problems += [f"argument serviceIds: {s!r} given twice" for s in duplicates]
    if note is not None and note not in NOTES:
        problems.append(f"argument note: {note!r} is not one of {', '.join(NOTES)}")
    by = actor_id or patient.case_manager
    if by is None:
        problems.append("the patient has no case manager: say which actor makes the referral")
    if problems:
        raise InputError(problems)
    if actor_id is not None and actor_id not in directory.get_actors(store, [actor_id]):
        raise NotFound(f"acting actor {actor_id!r} is unknown")
    rows = store.run(
        "get_referral_targets", ids=list(service_ids), patient=patient.id, statuses=list(OPEN)
    )
    found = {r["id"]: r for r in rows}
    unknown = [s for s in service_ids if s not in found]
    if unknown:
        raise NotFound(
            f"argument serviceIds: unknown service {unknown[0]!r}"
            + (f" (and {len(unknown) - 1} more)" if len(unknown) > 1 else "")
        )
    for service_id in service_ids:
        row = found[service_id]
        if row["status"] != "active":
            problems.append(f"service {service_id!r} is {row['status']}: it takes no referrals")
        elif row["available"] <= 0:
            problems.append(f"service {service_id!r} has no free place")
        if row["open"]:
            problems.append(f"service {service_id!r} already has an open referral for this patient")
    if problems:
        raise InputError(problems)
    new = [{"id": str(uuid.uuid4()), "service": s, "note": note} for s in service_ids]
    created = store.run(
        "create_referrals", patient=patient.id, actor=by, rows=new, now=_now(), scope=actor_id
    )
    if not created and actor_id is not None:
        require_patient(store, patient_id, scope=actor_id)  # NotFound if the scope was lost
    if len(created) != len(new):
        raise Conflict("the patient or a service disappeared while the referrals were made")
    found_referrals = get_referrals(store, [r["id"] for r in new], actor_id)
    return [found_referrals[r["id"]] for r in new]


def update_referral(
    store: Store,
    actor_id: str | None,
    referral_id: str,
    status: str,
    outcome: str | None = None,
) -> Referral:
    """Move a referral to `status` along the lifecycle, taking or giving back a place of its
    service in the same statement. Refused transitions raise InputError, a lost race
    (no free place left, status changed meanwhile) Conflict; both change nothing."""
    problems = []
    if status not in STATUSES:
        problems.append(f"argument status: {status!r} is not one of {', '.join(STATUSES)}")
    if outcome is not None and outcome not in OUTCOMES:
        problems.append(f"argument outcome: {outcome!r} is not one of {', '.join(OUTCOMES)}")
    if problems:
        raise InputError(problems)
    referral = require_referral(store, referral_id, scope=actor_id)
    if actor_id is not None and actor_id != referral.service.actor:
        manager = require_patient(store, referral.patient, scope=actor_id).case_manager
        if manager != actor_id:
            raise _move_refused(referral.patient)
    current = referral.status
    if status not in TRANSITIONS[current]:
        allowed = ", ".join(TRANSITIONS[current]) or "none (it has ended)"
        raise InputError(
            [
                f"argument status: referral {referral_id!r} cannot go from {current} "
                f"to {status}; allowed from {current}: {allowed}"
            ]
        )
    if outcome is not None and status not in ENDED:
        raise InputError(
            [
                f"argument outcome: only when a referral ends ({', '.join(ENDED)}), "
                f"not when it becomes {status}"
            ]
        )
    places = places_change(current, status)
    changed = store.run(
        "set_referral_status",
        id=referral_id,
        current=current,
        status=status,
        places=places,
        now=_now(),
        outcome=outcome,
        scope=actor_id,
    )
    if not changed:
        now = require_referral(store, referral_id, scope=actor_id)  # NotFound: scope lost
        if actor_id is not None and actor_id != now.service.actor:
            manager = require_patient(store, now.patient, scope=actor_id).case_manager
            if manager != actor_id:
                raise _move_refused(now.patient)
        if now.status != current:
            raise Conflict(f"referral {referral_id!r} changed meanwhile: it is now {now.status}")
        raise Conflict(
            f"service {now.service.id!r} has no free place left: "
            f"referral {referral_id!r} stays {current}"
        )
    # unscoped: a provider that just closed its last referral for the patient leaves the
    # circle with this very move, and still gets the answer to its own write
    return require_referral(store, referral_id)


def _move_refused(patient_id: str) -> Forbidden:
    error = Forbidden(MOVE_REFUSED)
    error.patient = patient_id  # type: ignore[attr-defined]  # for the audit log
    return error


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")
