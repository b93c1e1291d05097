"""Patient counts for planners: small cells suppressed (graphsvc.core.patient_counts)."""

from __future__ import annotations

import strawberry

from graphsvc.api.access import AGGREGATE, audited, counts_patients
from graphsvc.api.context import call
from graphsvc.api.types import Ctx, NeedType, Zone
from graphsvc.core import patient_counts as domain


@strawberry.type(
    description="A count of patients, or null with `suppressed` when it is below k or could "
    "be derived from other counts (complementary suppression)."
)
class SuppressedCount:
    value: int | None
    suppressed: bool

    @classmethod
    def from_domain(cls, count: domain.Count) -> SuppressedCount:
        return cls(value=count.value, suppressed=count.suppressed)


@strawberry.type(description="Patients of one zone with one need.")
class NeedCount:
    need_code: strawberry.ID
    patients: SuppressedCount

    @strawberry.field
    async def need(self, info: Ctx) -> NeedType | None:
        found = await info.context.need_types.load(str(self.need_code))
        return NeedType.from_domain(found) if found else None


@strawberry.type(description="Patients living in a zone (and its parts): in all and per need.")
class ZoneCounts:
    zone_id: strawberry.ID
    patients: SuppressedCount = strawberry.field(description="Distinct patients, any need.")
    needs: list[NeedCount] = strawberry.field(
        description="Per need (a patient with several needs counts in each)."
    )

    @classmethod
    def from_domain(cls, counts: domain.ZoneCounts) -> ZoneCounts:
        return cls(
            zone_id=strawberry.ID(counts.zone),
            patients=SuppressedCount.from_domain(counts.patients),
            needs=[
                NeedCount(need_code=strawberry.ID(code), patients=SuppressedCount.from_domain(c))
                for code, c in counts.needs
            ],
        )

    @strawberry.field
    async def zone(self, info: Ctx) -> Zone | None:
        found = await info.context.zones.load(str(self.zone_id))
        return Zone.from_domain(found) if found else None


@strawberry.type(
    description="Patients of a zone and of each of its parts. Counts below k are suppressed, "
    "and so are the counts that would let them be recovered by subtraction, the same way in "
    "every zone's table."
)
class PatientCounts:
    zone_id: strawberry.ID
    k: int = strawberry.field(description="Smallest count shown (GRAPHSVC_SUPPRESSION_K).")
    total: ZoneCounts
    parts: list[ZoneCounts]


@strawberry.type
class AggregatesQuery:
    @strawberry.field(
        description="How many patients live in a zone and each of its parts, in all and per "
        "need, with small counts suppressed (planners and admins).",
        extensions=counts_patients(),
    )
    async def patient_counts(self, info: Ctx, zone_id: strawberry.ID) -> PatientCounts:
        context = info.context

        async def work() -> domain.PatientCounts:
            return await call(
                domain.patient_counts, context.store, str(zone_id), context.suppression_k
            )

        found = await audited(info, AGGREGATE, None, work, lambda _: [None], zone=str(zone_id))
        return PatientCounts(
            zone_id=strawberry.ID(found.zone),
            k=found.k,
            total=ZoneCounts.from_domain(found.total),
            parts=[ZoneCounts.from_domain(p) for p in found.parts],
        )
