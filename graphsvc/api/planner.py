"""Planner queries: service gaps, overlaps, a zone report and what-if scenarios."""

from __future__ import annotations

from collections.abc import Sequence
from enum import Enum
from typing import Annotated

import strawberry

from graphsvc.api.context import call
from graphsvc.api.prefetch import now_or_later, prefetch, selects
from graphsvc.api.types import Actor, CapacityProvenance, Ctx, NeedType, ServiceType, Zone
from graphsvc.core import gaps, overlaps, report, whatif
from graphsvc.core.coverage import DEFAULT_OVERLAP, DEFAULT_TARGET, Band, Thresholds
from graphsvc.core.methods import MethodParams


@strawberry.enum(description="How coverage is computed.")
class CoverageMethod(Enum):
    CATCHMENT = "catchment"
    E2SFCA = "e2sfca"
    GRAVITY = "gravity"
    GAUSSIAN = "gaussian"
    THREE_SFCA = "3sfca"


@strawberry.type(description="A parameter of the method that computed a gap row.")
class MethodParameter:
    name: str
    value: str


@strawberry.enum(description="Coverage status of a need in a zone.")
class GapStatus(Enum):
    MISSING = "MISSING"
    UNDER = "UNDER"
    COVERED = "COVERED"
    OVER = "OVER"
    NO_DEMAND = "NO_DEMAND"
    UNKNOWN = "UNKNOWN"


@strawberry.enum(
    description="Which capacities count: DECLARED the ones given (a service of unknown capacity "
    "adds no places and is counted in unknownCapacityServices); ESTIMATED also fills unknown "
    "capacities from the table of default places per service type."
)
class CapacityMode(Enum):
    DECLARED = "declared"
    ESTIMATED = "estimated"


@strawberry.enum(
    description="Which services count: AS_IS the active ones; TO_BE also the planned (to-be) "
    "services of action plans, except those of dropped actions."
)
class Scenario(Enum):
    AS_IS = "AS_IS"
    TO_BE = "TO_BE"


@strawberry.enum(description="How a what-if scenario changes a row.")
class GapChange(Enum):
    APPEARS = "APPEARS"
    CLOSES = "CLOSES"
    WORSE = "WORSE"
    BETTER = "BETTER"


@strawberry.input(description="A distance band of the E2SFCA method.")
class BandInput:
    upper_km: float
    weight: float


@strawberry.input(description="A hypothetical service for a what-if scenario.")
class NewServiceInput:
    type_code: strawberry.ID
    capacity: int
    covers_zone_ids: list[strawberry.ID]
    name: str = "new service"


def zone_of(info: Ctx, zone_id: str) -> Zone | None:
    """The zone of an id through the request's loader (None when unknown): at once when a
    parent list prefetched it, else awaitable (graphsvc.api.prefetch)."""
    return now_or_later(info.context.zones, zone_id, Zone.from_domain)  # type: ignore[return-value]


def need_of(info: Ctx, need_code: str) -> NeedType | None:
    """The need type of a code through the request's loader (None when unknown)."""
    return now_or_later(info.context.need_types, need_code, NeedType.from_domain)  # type: ignore[return-value]


async def prefetch_gap_rows(info: Ctx, rows: Sequence[gaps.GapRow]) -> None:
    """Load what the selection asks of the rows, one round trip per level, so the rows'
    nested fields answer from the loaders at once."""
    context = info.context
    if selects(info, "zone"):
        zones = await prefetch(context.zones, (r.zone for r in rows))
        if selects(info, "zone", "parent"):
            await prefetch(context.zones, (z.parent for z in zones))
    if selects(info, "need"):
        await prefetch(context.need_types, (r.need for r in rows))
    if selects(info, "services", "provider"):
        actors = await prefetch(context.actors, (c.actor for r in rows for c in r.contributions))
        if selects(info, "services", "provider", "zone"):
            await prefetch(context.zones, (a.zone for a in actors))


@strawberry.type(description="What one service adds to a gap row.")
class Contribution:
    service_id: strawberry.ID
    name: str
    actor_id: strawberry.ID
    capacity: float | None = strawberry.field(description="Places counted (null: unknown).")
    capacity_provenance: CapacityProvenance
    weight: float = strawberry.field(description="Catchment or distance-band weight.")
    places: float = strawberry.field(description="Places allotted to this row's demand.")

    @classmethod
    def from_domain(cls, c: gaps.Contribution) -> Contribution:
        return cls(service_id=strawberry.ID(c.service), name=c.name,
                   actor_id=strawberry.ID(c.actor), capacity=c.capacity,
                   capacity_provenance=CapacityProvenance(c.provenance), weight=c.weight,
                   places=c.places)  # fmt: skip

    @strawberry.field(description="The providing actor.")
    def provider(self, info: Ctx) -> Actor | None:
        return now_or_later(info.context.actors, str(self.actor_id), Actor.from_domain)  # type: ignore[return-value]


STATUS = {status.value: status for status in GapStatus}


@strawberry.type(description="Ratio and status of one part of a rolled-up zone.")
class PartRatio:
    zone_id: strawberry.ID
    ratio: float
    status: GapStatus


@strawberry.type(description="Coverage of one need in one zone.")
class GapRow:
    zone_id: strawberry.ID
    need_code: strawberry.ID
    demand: int = strawberry.field(description="People in need.")
    supply: float = strawberry.field(description="Places reaching them.")
    ratio: float = strawberry.field(description="Places per person in need (A).")
    status: GapStatus
    provider_count: int = strawberry.field(description="Distinct actors contributing.")
    rollup: bool = strawberry.field(description="True for a zone summed over its parts.")
    estimated_supply: float = strawberry.field(
        description="Of supply, the places from estimated capacities (capacity: ESTIMATED)."
    )
    unknown_capacity_services: int = strawberry.field(
        description="Services reaching it whose capacity is unknown (they add no places)."
    )
    providers_per_10k: float | None = strawberry.field(
        description="Distinct actors reaching it, whatever their capacity, per 10,000 people in "
        "need (null when nobody is in need)."
    )
    idle_capacity: float = strawberry.field(
        description="Places of services reaching it whose whole catchment has nobody in need."
    )
    normalized_ratio: float | None = strawberry.field(
        description="ratio over the demand-weighted mean ratio of the need in the zone asked "
        "(1.0 = average; null when that mean is 0)."
    )
    skipped_services: int = strawberry.field(
        description="Services of the need left out because their provider has no coordinates "
        "(distance methods)."
    )
    method: CoverageMethod | None = strawberry.field(
        description="The method that computed the row (null where not recorded)."
    )
    row: strawberry.Private[gaps.GapRow]
    echo: strawberry.Private[tuple[MethodParameter, ...]] = ()

    @classmethod
    def from_domain(
        cls,
        row: gaps.GapRow,
        method: CoverageMethod | None = None,
        echo: tuple[MethodParameter, ...] = (),
    ) -> GapRow:
        """The API row; `method` and `echo` (query_echo) are shared by the rows of a query.
        Made without the dataclass __init__ (a national report has 1,100 to 800,000 rows)."""
        (
            zone,
            need,
            demand,
            supply,
            ratio,
            status,
            providers,
            _,
            rollup,
            _,
            estimated,
            unknown,
            per_10k,
            idle,
            normalized,
            skipped,
        ) = row  # gaps.GapRow's field order
        made = object.__new__(cls)
        made.__dict__ = {
            "zone_id": zone, "need_code": need, "demand": demand, "supply": supply,
            "ratio": ratio, "status": STATUS[status], "provider_count": providers,
            "rollup": rollup, "estimated_supply": estimated,
            "unknown_capacity_services": unknown, "providers_per_10k": per_10k,
            "idle_capacity": idle, "normalized_ratio": normalized,
            "skipped_services": skipped, "method": method, "row": row, "echo": echo,
        }  # fmt: skip
        return made

    @strawberry.field
    def worst_parts(self) -> list[PartRatio]:
        return [PartRatio(zone_id=strawberry.ID(z), ratio=r, status=STATUS[s])
                for z, r, s in self.row.worst_parts]  # fmt: skip

    @strawberry.field(description="The method's parameters and the capacity mode, by name.")
    def method_parameters(self) -> list[MethodParameter]:
        return list(self.echo)

    @strawberry.field(description="The contributing services (built only when selected).")
    def services(self) -> list[Contribution]:
        return [Contribution.from_domain(c) for c in self.row.contributions]

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))

    @strawberry.field
    def need(self, info: Ctx) -> NeedType | None:
        return need_of(info, str(self.need_code))


def query_echo(query: gaps.GapQuery) -> tuple[CoverageMethod | None, tuple[MethodParameter, ...]]:
    """The method of a query and its parameters (with the capacity mode), once per query."""
    echo = query.echo()
    method = echo.pop("method", None)
    parameters = tuple(MethodParameter(name=k, value=str(v)) for k, v in echo.items())
    return (CoverageMethod(method) if method else None), parameters


@strawberry.type(description="Several actors offering one service type in one zone.")
class OverlapRow:
    zone_id: strawberry.ID
    service_type_code: strawberry.ID
    provider_ids: list[strawberry.ID]
    service_ids: list[strawberry.ID]
    provider_count: int
    capacity: int = strawberry.field(description="Combined capacity of the services.")
    demand: int = strawberry.field(description="People in the needs this type meets.")
    capacity_ratio: float | None
    collaboration_share: float = strawberry.field(
        description="Share of provider pairs that collaborate."
    )
    fragmented: bool = strawberry.field(description="Two or more providers, no collaboration.")

    @classmethod
    def from_domain(cls, row: overlaps.OverlapRow) -> OverlapRow:
        return cls(
            zone_id=strawberry.ID(row.zone), service_type_code=strawberry.ID(row.service_type),
            provider_ids=[strawberry.ID(a) for a in row.providers],
            service_ids=[strawberry.ID(s) for s in row.services],
            provider_count=len(row.providers), capacity=row.capacity, demand=row.demand,
            capacity_ratio=row.capacity_ratio, collaboration_share=row.collaboration_share,
            fragmented=row.fragmented,
        )  # fmt: skip

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))

    @strawberry.field
    async def service_type(self, info: Ctx) -> ServiceType | None:
        found = await info.context.service_types.load(str(self.service_type_code))
        return ServiceType.from_domain(found) if found else None

    @strawberry.field
    async def providers(self, info: Ctx) -> list[Actor]:
        found = await info.context.actors.load_many([str(a) for a in self.provider_ids])
        return [Actor.from_domain(a) for a in found if a is not None]


@strawberry.type
class StatusCount:
    status: GapStatus
    count: int


@strawberry.type(description="A zone's planning summary.")
class ZoneReport:
    zone: Zone
    population: int | None
    scenario: Scenario = strawberry.field(description="Which services were counted.")
    needs: list[GapRow] = strawberry.field(description="Coverage of each need in the zone.")
    worst_gaps: list[GapRow] = strawberry.field(description="MISSING and UNDER parts, worst first.")
    fragmented_overlaps: list[OverlapRow]
    status_counts: list[StatusCount] = strawberry.field(description="Over the zone's parts.")


@strawberry.type(description="A (zone, need) whose coverage a scenario changes.")
class WhatIfRow:
    zone_id: strawberry.ID
    need_code: strawberry.ID
    demand: int
    ratio_before: float
    status_before: GapStatus
    ratio_after: float
    status_after: GapStatus
    rollup: bool
    change: GapChange

    @classmethod
    def from_domain(cls, r: whatif.WhatIfRow) -> WhatIfRow:
        return cls(zone_id=strawberry.ID(r.zone), need_code=strawberry.ID(r.need),
                   demand=r.demand, ratio_before=r.ratio_before,
                   status_before=GapStatus(r.status_before), ratio_after=r.ratio_after,
                   status_after=GapStatus(r.status_after), rollup=r.rollup,
                   change=GapChange(r.change))  # fmt: skip

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))

    @strawberry.field
    def need(self, info: Ctx) -> NeedType | None:
        return need_of(info, str(self.need_code))


def gap_query(
    zone_id: str,
    need_codes: list[strawberry.ID] | None = None,
    include_parts: bool = True,
    method: CoverageMethod = CoverageMethod.CATCHMENT,
    status: list[GapStatus] | None = None,
    target: float = DEFAULT_TARGET,
    overlap_threshold: float = DEFAULT_OVERLAP,
    bands: list[BandInput] | None = None,
    scenario: Scenario = Scenario.AS_IS,
    capacity: CapacityMode = CapacityMode.DECLARED,
    params: MethodParams | None = None,
) -> gaps.GapQuery:
    """Checked domain arguments from GraphQL arguments."""
    return gaps.GapQuery(
        zone=zone_id,
        needs=tuple(str(n) for n in need_codes) if need_codes is not None else None,
        include_parts=include_parts,
        method=method.value,
        thresholds=Thresholds(target, overlap_threshold),
        bands=tuple(Band(b.upper_km, b.weight) for b in bands) if bands else gaps.DEFAULT_BANDS,
        statuses=tuple(s.value for s in status) if status is not None else None,
        scenario=scenario.value,
        capacity=capacity.value,
        params=params or MethodParams(),
    )


REACH = (
    "Distance methods: the largest distance (km) a provider serves; default the last "
    "band's upper limit (E2SFCA, 3SFCA) or 30 km (GRAVITY, GAUSSIAN)."
)
CAPACITY = "DECLARED: capacities as given; ESTIMATED: unknown ones from the default table."
TARGET = f"Places per person in need below which a need is UNDER (default {DEFAULT_TARGET})."
OVERLAP = f"Ratio above which a need served by 2+ actors is OVER (default {DEFAULT_OVERLAP})."
SCENARIO = "AS_IS: active services; TO_BE: also the planned services of action plans."


@strawberry.type
class PlannerQuery:
    @strawberry.field(
        description="Coverage of a zone's needs: a roll-up per need for the zone, then one row "
        "per part (cell) when includeParts. CATCHMENT uses declared coverage; E2SFCA, GRAVITY, "
        "GAUSSIAN and THREE_SFCA use distances between providers and zones with banded, "
        "power-law, Gaussian or banded-and-selection weights (README, For planners)."
    )
    async def service_gaps(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        need_codes: list[strawberry.ID] | None = None,
        include_parts: bool = True,
        method: CoverageMethod = CoverageMethod.CATCHMENT,
        status: list[GapStatus] | None = None,
        target: Annotated[float, strawberry.argument(description=TARGET)] = DEFAULT_TARGET,
        overlap_threshold: Annotated[
            float, strawberry.argument(description=OVERLAP)
        ] = DEFAULT_OVERLAP,
        bands: list[BandInput] | None = None,
        scenario: Annotated[Scenario, strawberry.argument(description=SCENARIO)] = Scenario.AS_IS,
        capacity: Annotated[
            CapacityMode, strawberry.argument(description=CAPACITY)
        ] = CapacityMode.DECLARED,
        reach_km: Annotated[float | None, strawberry.argument(description=REACH)] = None,
        gravity_alpha: float = -1.0,
        gravity_scale_km: float = 1.0,
        gravity_min_km: float = 1.0,
        gaussian_sigma_km: float = 10.0,
    ) -> list[GapRow]:
        params = MethodParams(reach_km, gravity_alpha, gravity_scale_km, gravity_min_km,
                              gaussian_sigma_km)  # fmt: skip
        query = gap_query(str(zone_id), need_codes, include_parts, method, status, target,
                          overlap_threshold, bands, scenario, capacity, params)  # fmt: skip
        rows = await call(gaps.zone_gaps, info.context.store, str(zone_id), query)
        await prefetch_gap_rows(info, rows)
        method_used, echo = query_echo(query)
        return [GapRow.from_domain(r, method_used, echo) for r in rows]

    @strawberry.field(description="Service types offered by several actors in a zone's parts.")
    async def overlaps(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        service_type_codes: list[strawberry.ID] | None = None,
        min_providers: int = 2,
    ) -> list[OverlapRow]:
        types = [str(t) for t in service_type_codes] if service_type_codes is not None else None
        rows = await call(overlaps.zone_overlaps, info.context.store, str(zone_id), types,
                          min_providers)  # fmt: skip
        return [OverlapRow.from_domain(r) for r in rows]

    @strawberry.field(
        description="Population, coverage per need, worst gaps, fragmentation; TO_BE counts "
        "the planned services of action plans too."
    )
    async def zone_report(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        scenario: Annotated[Scenario, strawberry.argument(description=SCENARIO)] = Scenario.AS_IS,
    ) -> ZoneReport:
        query = gap_query(str(zone_id), scenario=scenario)
        found = await call(report.zone_report, info.context.store, str(zone_id), query)
        return ZoneReport(
            zone=Zone.from_domain(found.zone), population=found.zone.population,
            scenario=scenario,
            needs=[GapRow.from_domain(r) for r in found.needs],
            worst_gaps=[GapRow.from_domain(r) for r in found.worst_gaps],
            fragmented_overlaps=[OverlapRow.from_domain(o) for o in found.fragmented],
            status_counts=[StatusCount(status=GapStatus(s), count=n)
                           for s, n in found.status_counts.items()],
        )  # fmt: skip

    @strawberry.field(
        description="The rows of a zone whose coverage would change if actors or services were "
        "removed or services added; nothing is written. TO_BE starts from the action plans' "
        "planned services (which can be removed too)."
    )
    async def what_if(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        remove_actor_ids: list[strawberry.ID] | None = None,
        remove_service_ids: list[strawberry.ID] | None = None,
        add_services: list[NewServiceInput] | None = None,
        target: Annotated[float, strawberry.argument(description=TARGET)] = DEFAULT_TARGET,
        overlap_threshold: Annotated[
            float, strawberry.argument(description=OVERLAP)
        ] = DEFAULT_OVERLAP,
        scenario: Annotated[Scenario, strawberry.argument(description=SCENARIO)] = Scenario.AS_IS,
    ) -> list[WhatIfRow]:
        query = gap_query(str(zone_id), target=target, overlap_threshold=overlap_threshold,
                          scenario=scenario)  # fmt: skip
        added = [whatif.NewService(str(s.type_code), s.capacity,
                                   tuple(str(z) for z in s.covers_zone_ids), name=s.name)
                 for s in add_services or []]  # fmt: skip
        rows = await call(whatif.what_if, info.context.store, str(zone_id),
                          [str(a) for a in remove_actor_ids or []],
                          [str(s) for s in remove_service_ids or []], added, query)  # fmt: skip
        return [WhatIfRow.from_domain(r) for r in rows]
