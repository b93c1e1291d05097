"""Case managers: patients, partner search with reasons, referrals and the care circle.

Resolvers only parse arguments, call one domain function (graphsvc.core.partners,
.referrals, .caseload, .patients) and convert. Every field here that touches a patient
declares its permission (graphsvc.api.access: case managers and admins) and records each
patient it read or wrote in the audit log. The acting actor is the token's: a case manager's
queries are scoped to it in Cypher (graphsvc.core.caseload); admin and local mode are
unscoped, and their referrals are made by the patient's case manager.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry

from graphsvc.api.access import READ, WRITE, audited, reads_patients, writes_patients
from graphsvc.api.context import call
from graphsvc.api.types import Actor, Ctx, Service, Zone
from graphsvc.core import caseload, partners, referrals

LIMIT = "Number of partners, 1 to 100 (default 10)."
DISTANCE = (
    "Also offer services that do not declare coverage of the zone but whose provider is "
    "within this many km of the zone's centre."
)


@strawberry.enum(description="Where a referral is in its lifecycle.")
class ReferralStatus(Enum):
    PROPOSED = "proposed"
    SENT = "sent"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    ACTIVE = "active"
    CLOSED = "closed"
    CANCELLED = "cancelled"


ReferralNote = strawberry.enum(
    Enum("ReferralNote", {n.upper(): n for n in referrals.NOTES}),  # type: ignore[misc]
    description="How a referral should be handled: a code, never free text.",
)
ReferralOutcome = strawberry.enum(
    Enum("ReferralOutcome", {o.upper(): o for o in referrals.OUTCOMES}),  # type: ignore[misc]
    description="Why a referral ended: a code, never free text.",
)


@strawberry.enum(description="Whether a patient's need is met by a referral.")
class NeedState(Enum):
    OPEN = "open"
    PENDING = "pending"
    COVERED = "covered"


@strawberry.enum(description="Why an actor is in a patient's care circle.")
class CircleRole(Enum):
    CASE_MANAGER = "case_manager"
    PARTNER = "partner"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


@strawberry.type(description="A referral of a patient to a service.")
class Referral:
    id: strawberry.ID
    status: ReferralStatus
    created: str = strawberry.field(description="When it was made (ISO 8601, UTC).")
    updated: str = strawberry.field(description="Its last change (ISO 8601, UTC).")
    note: ReferralNote | None  # type: ignore[valid-type]
    outcome: ReferralOutcome | None  # type: ignore[valid-type]
    patient_id: strawberry.ID
    service: Service
    meets: list[str] = strawberry.field(description="Codes of the patient's needs it meets.")
    allowed_next: list[ReferralStatus] = strawberry.field(
        description="The statuses it may move to next."
    )
    by_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, r: referrals.Referral) -> Referral:
        return cls(
            id=strawberry.ID(r.id),
            status=ReferralStatus(r.status),
            created=r.created,
            updated=r.updated,
            note=ReferralNote(r.note) if r.note else None,
            outcome=ReferralOutcome(r.outcome) if r.outcome else None,
            patient_id=strawberry.ID(r.patient),
            service=Service.from_domain(r.service),
            meets=list(r.meets),
            allowed_next=[ReferralStatus(s) for s in r.allowed_next],
            by_id=r.by,
        )

    @strawberry.field(description="The actor who made the referral.")
    async def by(self, info: Ctx) -> Actor | None:
        if self.by_id is None:
            return None
        found = await info.context.actors.load(self.by_id)
        return Actor.from_domain(found) if found else None


@strawberry.type(description="One of a patient's needs and whether a referral meets it.")
class PatientNeed:
    code: strawberry.ID
    since: dt.date | None
    state: NeedState
    referral_ids: list[strawberry.ID] = strawberry.field(
        description="Open referrals meeting this need."
    )


@strawberry.type(
    description="A pseudonymous patient: no name, national number, birth date or free text."
)
class Patient:
    id: strawberry.ID = strawberry.field(description="The pseudonym (HMAC-SHA256).")
    languages: list[str]
    eligibility: list[str]
    needs: list[PatientNeed]
    open_needs: list[str] = strawberry.field(
        description="Codes of the needs not covered by an accepted or active referral."
    )
    referrals: list[Referral]
    zone_id: strawberry.Private[str]
    case_manager_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, c: caseload.PatientCase) -> Patient:
        p = c.patient
        return cls(
            id=strawberry.ID(p.id),
            languages=list(p.languages),
            eligibility=list(p.eligibility),
            needs=[
                PatientNeed(
                    code=strawberry.ID(n.code),
                    since=_date(n.since),
                    state=NeedState(n.state),
                    referral_ids=[strawberry.ID(i) for i in n.referrals],
                )
                for n in c.needs
            ],
            open_needs=c.open_needs,
            referrals=[Referral.from_domain(r) for r in c.referrals],
            zone_id=p.zone,
            case_manager_id=p.case_manager,
        )

    @strawberry.field(description="The zone the patient lives in.")
    async def zone(self, info: Ctx) -> Zone | None:
        found = await info.context.zones.load(self.zone_id)
        return Zone.from_domain(found) if found else None

    @strawberry.field(description="The patient's case manager.")
    async def case_manager(self, info: Ctx) -> Actor | None:
        if self.case_manager_id is None:
            return None
        found = await info.context.actors.load(self.case_manager_id)
        return Actor.from_domain(found) if found else None


@strawberry.type(description="One part of a partner's score: points and why.")
class ScorePart:
    factor: str = strawberry.field(
        description="needs, circle, shared_patients, distance or capacity."
    )
    points: float
    detail: str


@strawberry.type(description="A service that can take the patient now, with its score.")
class Partner:
    service: Service
    score: float = strawberry.field(description="The sum of the points in `why`.")
    why: list[ScorePart]
    needs: list[str] = strawberry.field(description="The uncovered needs it meets.")
    distance_km: float | None = strawberry.field(
        description="From the provider to the zone's centre."
    )
    covers_zone: bool = strawberry.field(description="Whether it declares the zone covered.")
    circle_ties: list[strawberry.ID] = strawberry.field(
        description="Care-circle members the provider is or collaborates with."
    )

    @classmethod
    def from_domain(cls, p: partners.Partner) -> Partner:
        return cls(
            service=Service.from_domain(p.service),
            score=p.score,
            why=[ScorePart(factor=w.factor, points=w.points, detail=w.detail) for w in p.why],
            needs=list(p.needs),
            distance_km=None if p.distance_km is None else round(p.distance_km, 3),
            covers_zone=p.covers_zone,
            circle_ties=[strawberry.ID(t) for t in p.ties],
        )


@strawberry.type(description="A member of a patient's care circle.")
class CircleMember:
    roles: list[CircleRole]
    referrals: list[Referral] = strawberry.field(
        description="Accepted or active referrals to its services."
    )
    actor_id: strawberry.Private[str]

    @strawberry.field(description="The member.")
    async def actor(self, info: Ctx) -> Actor | None:
        found = await info.context.actors.load(self.actor_id)
        return Actor.from_domain(found) if found else None


@strawberry.type(description="A pair of actors, collaborating (with a kind) or not.")
class Link:
    kind: str | None
    source_id: strawberry.ID
    target_id: strawberry.ID

    @strawberry.field
    async def source(self, info: Ctx) -> Actor | None:
        found = await info.context.actors.load(str(self.source_id))
        return Actor.from_domain(found) if found else None

    @strawberry.field
    async def target(self, info: Ctx) -> Actor | None:
        found = await info.context.actors.load(str(self.target_id))
        return Actor.from_domain(found) if found else None


def _link(link: caseload.Link) -> Link:
    return Link(
        kind=link.kind, source_id=strawberry.ID(link.source), target_id=strawberry.ID(link.target)
    )


@strawberry.type(
    description="A patient's case manager and the actors with accepted or active referrals, "
    "their collaborations and the missing links between them."
)
class CareCircle:
    patient_id: strawberry.ID
    members: list[CircleMember]
    collaborations: list[Link]
    missing_links: list[Link] = strawberry.field(
        description="Pairs of members that do not collaborate."
    )

    @classmethod
    def from_domain(cls, c: caseload.CareCircle) -> CareCircle:
        return cls(
            patient_id=strawberry.ID(c.patient),
            members=[
                CircleMember(
                    roles=[CircleRole(r) for r in m.roles],
                    referrals=[Referral.from_domain(r) for r in m.referrals],
                    actor_id=m.actor,
                )
                for m in c.members
            ],
            collaborations=[_link(link) for link in c.collaborations],
            missing_links=[_link(link) for link in c.missing_links],
        )


@strawberry.input(description="A need of a patient; `since` defaults to today.")
class PatientNeedInput:
    code: strawberry.ID
    since: dt.date | None = None


@strawberry.input(description="A new patient. Only codes: no names, numbers or free text.")
class PatientInput:
    external_id: str = strawberry.field(
        description="Your own identifier for the person (e.g. the national number): only "
        "its keyed hash is stored, as the patient's id."
    )
    zone_id: strawberry.ID
    needs: list[PatientNeedInput] = strawberry.field(default_factory=list)
    languages: list[str] = strawberry.field(
        default_factory=list, description="Two-letter codes (ISO 639-1)."
    )
    eligibility: list[str] = strawberry.field(
        default_factory=list, description="Tags: chronic, 65plus, low_income, ..."
    )
    case_manager_id: strawberry.ID | None = strawberry.field(
        default=None,
        description="The managing actor: a case manager's token registers for itself; "
        "an admin (or the local mode) must say which actor.",
    )


@strawberry.input(description="Changes to a patient; a given list replaces the stored one.")
class PatientChanges:
    zone_id: strawberry.ID | None = None
    needs: list[PatientNeedInput] | None = None
    languages: list[str] | None = None
    eligibility: list[str] | None = None
    case_manager_id: strawberry.ID | None = None


def _needs(needs: list[PatientNeedInput] | None) -> list[dict] | None:
    if needs is None:
        return None
    return [{"code": str(n.code), "since": n.since} for n in needs]


def _fields(data: PatientInput | PatientChanges) -> dict:
    fields = {
        "zone": None if data.zone_id is None else str(data.zone_id),
        "needs": _needs(data.needs),
        "languages": data.languages,
        "eligibility": data.eligibility,
        "case_manager": None if data.case_manager_id is None else str(data.case_manager_id),
    }
    return {k: v for k, v in fields.items() if v is not None}


def _acting(info: Ctx) -> str | None:
    """The actor the request acts as (and is scoped to): a case manager's; else None."""
    return info.context.principal.scope


@strawberry.type
class CaseManagerQuery:
    @strawberry.field(
        description="Ranked services that can take the patient now for its uncovered needs; "
        "each says why (the parts of its score).",
        extensions=reads_patients(),
    )
    async def partners(
        self,
        info: Ctx,
        patient_id: strawberry.ID,
        limit: Annotated[int, strawberry.argument(description=LIMIT)] = 10,
        max_distance_km: Annotated[float | None, strawberry.argument(description=DISTANCE)] = None,
    ) -> list[Partner]:
        store, actor = info.context.store, _acting(info)

        async def work() -> list[partners.Partner]:
            return await call(
                partners.partners, store, actor, str(patient_id), limit, max_distance_km
            )

        found = await audited(info, READ, str(patient_id), work)
        return [Partner.from_domain(p) for p in found]

    @strawberry.field(
        description="Ranked services for an ad-hoc situation: a zone, needs, languages and "
        "eligibility tags (no patient is stored)."
    )
    async def partners_for(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        need_codes: list[strawberry.ID],
        languages: list[str] | None = None,
        eligibility: list[str] | None = None,
        limit: Annotated[int, strawberry.argument(description=LIMIT)] = 10,
        max_distance_km: Annotated[float | None, strawberry.argument(description=DISTANCE)] = None,
    ) -> list[Partner]:
        found = await call(
            partners.partners_for,
            info.context.store,
            str(zone_id),
            [str(c) for c in need_codes],
            languages or [],
            eligibility or [],
            limit,
            max_distance_km,
        )
        return [Partner.from_domain(p) for p in found]

    @strawberry.field(
        description="The patient's care circle, collaborations and missing links.",
        extensions=reads_patients(),
    )
    async def care_circle(self, info: Ctx, patient_id: strawberry.ID) -> CareCircle:
        store, actor = info.context.store, _acting(info)

        async def work() -> caseload.CareCircle:
            return await call(caseload.care_circle, store, actor, str(patient_id))

        found = await audited(info, READ, str(patient_id), work)
        return CareCircle.from_domain(found)

    @strawberry.field(
        description="A case manager's patients with the state of each need and their "
        "referrals: the token's own by default; another manager's shows only the patients "
        "whose care circle the token's actor is in. Admins say whose (actorId).",
        extensions=reads_patients(),
    )
    async def my_patients(self, info: Ctx, actor_id: strawberry.ID | None = None) -> list[Patient]:
        store, actor = info.context.store, _acting(info)
        manager = None if actor_id is None else str(actor_id)

        async def work() -> list[caseload.PatientCase]:
            return await call(caseload.my_patients, store, actor, manager)

        found = await audited(
            info, READ, None, work, lambda cases: [c.patient.id for c in cases], manager=manager
        )
        return [Patient.from_domain(c) for c in found]

    @strawberry.field(description="One patient by pseudonym, or null.", extensions=reads_patients())
    async def patient(self, info: Ctx, id: strawberry.ID) -> Patient | None:
        store, actor = info.context.store, _acting(info)

        async def work() -> caseload.PatientCase | None:
            return await call(caseload.find_patient_case, store, actor, str(id))

        found = await audited(info, READ, str(id), work)
        return Patient.from_domain(found) if found else None


@strawberry.type
class CaseManagerMutation:
    @strawberry.mutation(
        description="Register a patient under the pseudonym of its external identifier "
        "(needs GRAPHSVC_PSEUDONYM_KEY); the same identifier updates the same patient.",
        extensions=writes_patients(),
    )
    async def register_patient(self, info: Ctx, patient: PatientInput) -> Patient:
        store, actor = info.context.store, _acting(info)
        fields = {"external_id": patient.external_id, **_fields(patient)}

        async def work() -> caseload.PatientCase:
            key = info.context.settings.pseudonym_key
            return await call(caseload.register, store, actor, fields, key)

        found = await audited(info, WRITE, None, work, lambda c: [c.patient.id])
        return Patient.from_domain(found)

    @strawberry.mutation(
        description="Change a patient's zone, needs, tags or case manager (its case manager "
        "or an admin).",
        extensions=writes_patients(),
    )
    async def update_patient(
        self, info: Ctx, id: strawberry.ID, changes: PatientChanges
    ) -> Patient:
        store, actor = info.context.store, _acting(info)

        async def work() -> caseload.PatientCase:
            return await call(caseload.update, store, actor, str(id), _fields(changes))

        found = await audited(info, WRITE, str(id), work)
        return Patient.from_domain(found)

    @strawberry.mutation(
        description="Propose the patient to services: one referral each.",
        extensions=writes_patients(),
    )
    async def activate_partners(
        self,
        info: Ctx,
        patient_id: strawberry.ID,
        service_ids: list[strawberry.ID],
        note: ReferralNote | None = None,  # type: ignore[valid-type]
    ) -> list[Referral]:
        store, actor = info.context.store, _acting(info)

        async def work() -> list[referrals.Referral]:
            return await call(
                referrals.activate_partners,
                store,
                actor,
                str(patient_id),
                [str(s) for s in service_ids],
                note.value if note else None,
            )

        made = await audited(info, WRITE, str(patient_id), work)
        return [Referral.from_domain(r) for r in made]

    @strawberry.mutation(
        description="Move a referral along its lifecycle (proposed > sent > accepted | "
        "declined; accepted > active > closed; open > cancelled). Accepting takes a free "
        "place of the service, closing or cancelling an accepted one gives it back.",
        extensions=writes_patients(),
    )
    async def update_referral(
        self,
        info: Ctx,
        id: strawberry.ID,
        status: ReferralStatus,
        outcome: ReferralOutcome | None = None,  # type: ignore[valid-type]
    ) -> Referral:
        store, actor = info.context.store, _acting(info)

        async def work() -> referrals.Referral:
            return await call(
                referrals.update_referral,
                store,
                actor,
                str(id),
                status.value,
                outcome.value if outcome else None,
            )

        changed = await audited(info, WRITE, None, work, lambda r: [r.patient], referral=str(id))
        return Referral.from_domain(changed)
