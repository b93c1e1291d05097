"""A case manager's view of patients: need states, caseload and the care circle.

A patient's need is
- `covered` when a referral holding a place (accepted or active) goes to a service whose type
  meets it (the type or a broader one is MET_BY the need);
- `pending` when only proposed or sent referrals meet it;
- `open` otherwise.
Partner search looks for partners for every need that is not covered (open or pending:
several partners may be asked at once), and never offers a service that already has an
open referral for the patient.

The care circle of a patient is its case manager and the providers of services with an
accepted or active referral for it; the circle's collaborations are the COLLABORATES_WITH
links among its members, and its missing links the pairs of members without one.

`actor_id` is the acting actor. When given (a case manager's token), every query here is
scoped to it in Cypher: a patient it neither manages nor has in its care circle is unknown,
exactly like a patient that does not exist. None (admin, local mode, command line) is
unscoped.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from graphsvc.core import directory
from graphsvc.core.patients import (
    Patient,
    caseload,
    get_patients,
    register_patient,
    require_patient,
    update_patient,
)
from graphsvc.core.referrals import OPEN as LIVE
from graphsvc.core.referrals import Referral, referrals_of
from graphsvc.errors import InputError, NotFound
from graphsvc.store import Store

COVERED, PENDING, OPEN = "covered", "pending", "open"
CASE_MANAGER, PARTNER = "case_manager", "partner"


@dataclass(frozen=True)
class NeedState:
    code: str
    since: str | None
    state: str  # covered, pending or open
    referrals: tuple[str, ...] = ()  # ids of the live referrals meeting it


@dataclass(frozen=True)
class PatientCase:
    """A patient with its needs' states and all its referrals (oldest first)."""

    patient: Patient
    needs: tuple[NeedState, ...]
    referrals: tuple[Referral, ...]

    @property
    def open_needs(self) -> list[str]:
        """Codes of the needs partner search looks for (not covered)."""
        return [n.code for n in self.needs if n.state != COVERED]


@dataclass(frozen=True)
class CircleMember:
    actor: str
    roles: tuple[str, ...]  # case_manager and/or partner
    referrals: tuple[Referral, ...] = ()  # accepted or active referrals to its services


@dataclass(frozen=True)
class Link:
    source: str
    target: str
    kind: str | None = None


@dataclass(frozen=True)
class CareCircle:
    patient: str
    members: tuple[CircleMember, ...]
    collaborations: tuple[Link, ...]
    missing_links: tuple[Link, ...]


def need_states(patient: Patient, referrals: Iterable[Referral]) -> tuple[NeedState, ...]:
    """The state of each of the patient's needs given its referrals."""
    live = [r for r in referrals if r.status in LIVE]
    states = []
    for need in patient.needs:
        meeting = [r for r in live if need.code in r.meets]
        if any(r.holds_place for r in meeting):
            state = COVERED
        elif meeting:
            state = PENDING
        else:
            state = OPEN
        states.append(NeedState(need.code, need.since, state, tuple(r.id for r in meeting)))
    return tuple(states)


def cases(store: Store, patients: list[Patient], scope: str | None = None) -> list[PatientCase]:
    """Need states and referrals of some patients, in one round trip."""
    referrals = referrals_of(store, [p.id for p in patients], scope)
    return [
        PatientCase(p, need_states(p, referrals[p.id]), tuple(referrals[p.id])) for p in patients
    ]


def patient_case(
    store: Store, actor_id: str | None, patient_id: str, argument: str = "patientId"
) -> PatientCase:
    """One patient with need states and referrals; NotFound if unknown."""
    patient = require_patient(store, patient_id, argument, scope=actor_id)
    return cases(store, [patient], actor_id)[0]


def find_patient_case(store: Store, actor_id: str | None, patient_id: str) -> PatientCase | None:
    """One patient with need states and referrals, or None if unknown."""
    found = get_patients(store, [patient_id], actor_id).get(patient_id)
    return cases(store, [found], actor_id)[0] if found else None


def my_patients(
    store: Store, actor_id: str | None, manager_id: str | None = None
) -> list[PatientCase]:
    """The caseload of a case manager (`manager_id`, by default the acting actor): its
    patients (by pseudonym) with open needs and referral states, in three round trips.
    An acting actor sees, of another manager's caseload, only the patients in its circles."""
    manager = manager_id or actor_id
    if manager is None:
        raise InputError(["argument actorId: say whose caseload (the case manager's actor id)"])
    if manager not in directory.get_actors(store, [manager]):
        raise NotFound(f"argument actorId: unknown actor {manager!r}")
    return cases(store, caseload(store, manager, scope=actor_id), actor_id)


def circle_members(patient: Patient, referrals: Iterable[Referral]) -> dict[str, CircleMember]:
    """The case manager and the providers with accepted or active referrals, by actor id."""
    roles: dict[str, list[str]] = {}
    held: dict[str, list[Referral]] = {}
    if patient.case_manager:
        roles[patient.case_manager] = [CASE_MANAGER]
    for referral in referrals:
        if referral.holds_place:
            actor = referral.service.actor
            if PARTNER not in roles.setdefault(actor, []):
                roles[actor].append(PARTNER)
            held.setdefault(actor, []).append(referral)
    return {
        actor: CircleMember(actor, tuple(roles[actor]), tuple(held.get(actor, ())))
        for actor in sorted(roles)
    }


def collaborations(store: Store, ids: Iterable[str], others: Iterable[str]) -> list[Link]:
    """COLLABORATES_WITH links between actors of `ids` and of `others`, each pair once."""
    ids, others = sorted(set(ids)), sorted(set(others))
    if not ids or not others:
        return []
    links: dict[tuple[str, str], Link] = {}
    for row in store.run("list_actor_collaborations", ids=ids, others=others):
        pair = (row["actor"], row["other"])
        key = (min(pair), max(pair))
        links.setdefault(key, Link(row["actor"], row["other"], row.get("kind")))
    return [links[k] for k in sorted(links)]


def care_circle(store: Store, actor_id: str | None, patient_id: str) -> CareCircle:
    """The patient's care circle, its collaborations and missing links (three round trips)."""
    patient = require_patient(store, patient_id, scope=actor_id)
    members = circle_members(patient, referrals_of(store, [patient.id], actor_id)[patient.id])
    links = collaborations(store, members, members)
    linked = {frozenset((link.source, link.target)) for link in links}
    missing = [
        Link(a, b) for a, b in combinations(sorted(members), 2) if frozenset((a, b)) not in linked
    ]
    links = [Link(*sorted((link.source, link.target)), link.kind) for link in links]
    return CareCircle(patient.id, tuple(members.values()), tuple(links), tuple(missing))


def register(
    store: Store, actor_id: str | None, fields: Mapping[str, Any], key: str | None
) -> PatientCase:
    """Register a patient (graphsvc.core.patients.register_patient) and return its case."""
    return cases(store, [register_patient(store, actor_id, fields, key)], actor_id)[0]


def update(
    store: Store, actor_id: str | None, patient_id: str, changes: Mapping[str, Any]
) -> PatientCase:
    """Change a patient (graphsvc.core.patients.update_patient) and return its case."""
    changed = update_patient(store, actor_id, patient_id, changes)
    if actor_id is not None and changed.case_manager != actor_id:
        return cases(store, [changed])[0]  # handed over: the answer of the write itself
    return cases(store, [changed], actor_id)[0]
