"""GraphQL types, each built from a domain dataclass; nested fields go through DataLoaders."""

from __future__ import annotations

from enum import Enum
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry.scalars import JSON
from strawberry.types import Info

from graphsvc.api.context import Context
from graphsvc.api.prefetch import now_or_later
from graphsvc.core import directory

if TYPE_CHECKING:
    from graphsvc.api.sources import FieldSource


@strawberry.enum(description="Administrative or care level of a zone.")
class ZoneLevel(Enum):
    COUNTRY = "country"
    REGION = "region"
    PROVINCE = "province"
    ARRONDISSEMENT = "arrondissement"
    PRIMARY_CARE_ZONE = "primary_care_zone"
    PILOT_ZONE = "pilot_zone"
    MUNICIPALITY = "municipality"
    VICINITY_NETWORK = "vicinity_network"
    STATISTICAL_SECTOR = "statistical_sector"
    NEIGHBOURHOOD = "neighbourhood"


@strawberry.enum(description="Line of care an actor belongs to.")
class ActorLine(Enum):
    FIRST = "first"
    SECOND = "second"
    SOCIAL = "social"
    COMMUNITY = "community"
    COORDINATION = "coordination"


@strawberry.enum(description="What kind of actor: an organisation, a professional or a team.")
class ActorKind(Enum):
    ORGANISATION = "organisation"
    PROFESSIONAL = "professional"
    TEAM = "team"


@strawberry.enum(
    description="Whether a service takes people now. PLANNED: a to-be service of an action "
    "plan, counted only by TO_BE gap scenarios; service listings leave it out (see "
    "actionPlan's plannedServices)."
)
class ServiceStatus(Enum):
    ACTIVE = "active"
    PAUSED = "paused"
    CLOSED = "closed"
    PLANNED = "planned"


Ctx = Info[Context, None]


@strawberry.type(description="A geographic or care zone; zones nest with PART_OF.")
class Zone:
    id: strawberry.ID
    name: str
    level: ZoneLevel
    population: int | None
    lat: float | None
    lon: float | None
    parent_id: strawberry.Private[str | None]
    resolved_from: str | None = strawberry.field(
        default=None,
        description="The older code asked for, when this zone was found by one of its "
        "aliases (a merged 2019 municipality asked by its code is its 2025 municipality).",
    )

    @classmethod
    def from_domain(cls, zone: directory.Zone, resolved_from: str | None = None) -> Zone:
        return cls(id=strawberry.ID(zone.id), name=zone.name, level=ZoneLevel(zone.level),
                   population=zone.population, lat=zone.lat, lon=zone.lon,
                   parent_id=zone.parent, resolved_from=resolved_from)  # fmt: skip

    @strawberry.field(
        description="The zone's polygon as a GeoJSON geometry (WGS84), or null without one. "
        "simplify: tolerance in metres (topology kept); display: the stored simplified copy "
        "(about 50 m) instead of the full polygon."
    )
    async def geometry(
        self, info: Ctx, simplify: float | None = None, display: bool = False
    ) -> JSON | None:
        from graphsvc.io.geometry import geojson_value

        found = await info.context.zone_shapes.load(str(self.id))
        if not found or not found.get("geometry"):
            return None
        text = found["display"] if display and found.get("display") else found["geometry"]
        return geojson_value(text, simplify, argument="simplify")

    @strawberry.field(description="Older codes of this zone that still resolve to it.")
    async def aliases(self, info: Ctx) -> list[str]:
        found = await info.context.zone_shapes.load(str(self.id))
        return list((found or {}).get("aliases") or [])

    @strawberry.field(
        description="How the population was estimated (e.g. 'area share of be-nis-24062'), or "
        "null when it is a published figure."
    )
    async def population_estimated(self, info: Ctx) -> str | None:
        found = await info.context.zone_shapes.load(str(self.id))
        return (found or {}).get("estimated")

    @strawberry.field(description="The zone this zone is part of.")
    def parent(self, info: Ctx) -> Zone | None:
        if self.parent_id is None:
            return None
        return now_or_later(info.context.zones, self.parent_id, Zone.from_domain)  # type: ignore[return-value]

    @strawberry.field(description="The zones directly part of this one, by id.")
    async def parts(self, info: Ctx) -> list[Zone]:
        return [Zone.from_domain(z) for z in await info.context.zone_parts.load(str(self.id))]


@strawberry.type(description="A kind of service, in a hierarchy (BROADER).")
class ServiceType:
    code: strawberry.ID
    name: str
    category: str | None
    broader: str | None = strawberry.field(description="Code of the broader service type.")

    @classmethod
    def from_domain(cls, t: directory.ServiceType) -> ServiceType:
        return cls(code=strawberry.ID(t.code), name=t.name, category=t.category, broader=t.broader)


@strawberry.type(description="A kind of population need and the service types that meet it.")
class NeedType:
    code: strawberry.ID
    name: str
    domain: str
    met_by: list[str] = strawberry.field(description="Codes of the service types meeting it.")

    @classmethod
    def from_domain(cls, n: directory.NeedType) -> NeedType:
        return cls(code=strawberry.ID(n.code), name=n.name, domain=n.domain,
                   met_by=n.met_by or [])  # fmt: skip


@strawberry.type(description="A service an actor provides, with its capacity and coverage.")
class Service:
    id: strawberry.ID
    name: str
    capacity: int = strawberry.field(description="People served at once.")
    available: int = strawberry.field(description="Free places now.")
    status: ServiceStatus
    languages: list[str]
    eligibility: list[str]
    actor_id: strawberry.Private[str]
    type_code: strawberry.Private[str]
    cover_ids: strawberry.Private[list[str]]

    @classmethod
    def from_domain(cls, s: directory.Service) -> Service:
        return cls(id=strawberry.ID(s.id), name=s.name, capacity=s.capacity,
                   available=s.available, status=ServiceStatus(s.status),
                   languages=s.languages or [], eligibility=s.eligibility or [],
                   actor_id=s.actor, type_code=s.type, cover_ids=s.covers or [])  # fmt: skip

    @strawberry.field(description="The actor providing this service.")
    async def provider(self, info: Ctx) -> Annotated[Actor, strawberry.lazy("graphsvc.api.types")]:
        found = await info.context.actors.load(self.actor_id)
        assert found is not None, f"service {self.id} has no provider"
        return Actor.from_domain(found)

    @strawberry.field(description="The service type.")
    async def type(self, info: Ctx) -> ServiceType | None:
        found = await info.context.service_types.load(self.type_code)
        return ServiceType.from_domain(found) if found else None

    @strawberry.field(description="The zones this service declares it covers.")
    async def covers(self, info: Ctx) -> list[Zone]:
        found = await info.context.zones.load_many(self.cover_ids)
        return [Zone.from_domain(z) for z in found if z is not None]

    @strawberry.field(description="What each source says of this service's fields.")
    async def sources(
        self, info: Ctx
    ) -> list[Annotated[FieldSource, strawberry.lazy("graphsvc.api.sources")]]:
        from graphsvc.api.sources import field_sources

        current = {"name": self.name, "status": self.status.value, "type": self.type_code,
                   "languages": self.languages, "eligibility": self.eligibility,
                   "capacity": self.capacity, "available": self.available,
                   "covers": self.cover_ids}  # fmt: skip
        return await field_sources(info, "services", str(self.id), current)


@strawberry.type(description="An organisation, professional or team in the care network.")
class Actor:
    id: strawberry.ID
    name: str
    kind: ActorKind
    line: ActorLine
    discipline: str | None
    languages: list[str]
    lat: float | None
    lon: float | None
    zone_id: strawberry.Private[str | None]

    @classmethod
    def from_domain(cls, a: directory.Actor) -> Actor:
        return cls(id=strawberry.ID(a.id), name=a.name, kind=ActorKind(a.kind),
                   line=ActorLine(a.line), discipline=a.discipline, languages=a.languages or [],
                   lat=a.lat, lon=a.lon, zone_id=a.zone)  # fmt: skip

    @strawberry.field(description="The zone the actor is located in.")
    def zone(self, info: Ctx) -> Zone | None:
        if self.zone_id is None:
            return None
        return now_or_later(info.context.zones, self.zone_id, Zone.from_domain)  # type: ignore[return-value]

    @strawberry.field(description="The services this actor provides.")
    async def services(self, info: Ctx) -> list[Service]:
        return [
            Service.from_domain(s) for s in await info.context.actor_services.load(str(self.id))
        ]

    @strawberry.field(description="What each source says of this actor's fields.")
    async def sources(
        self, info: Ctx
    ) -> list[Annotated[FieldSource, strawberry.lazy("graphsvc.api.sources")]]:
        from graphsvc.api.sources import field_sources

        current = {"name": self.name, "kind": self.kind.value, "line": self.line.value,
                   "discipline": self.discipline, "languages": self.languages,
                   "lat": self.lat, "lon": self.lon, "zone": self.zone_id}  # fmt: skip
        return await field_sources(info, "actors", str(self.id), current)
