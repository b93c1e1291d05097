"""Directory queries: zones, actors, services and the vocabularies."""

from __future__ import annotations

from typing import Annotated

import strawberry

from graphsvc.api.context import call
from graphsvc.api.types import (
    Actor,
    ActorKind,
    ActorLine,
    Ctx,
    NeedType,
    Service,
    ServiceStatus,
    ServiceType,
    Zone,
    ZoneLevel,
)
from graphsvc.core import directory

PAGE = "Page size, 1 to 1000 (default 100)."
OFFSET = "Rows to skip, for the next page."


def _value(enum: object) -> str | None:
    return None if enum is None else enum.value  # type: ignore[attr-defined]


@strawberry.type
class DirectoryQuery:
    @strawberry.field(description="Zones by id, optionally of one level or part of one zone.")
    async def zones(
        self,
        info: Ctx,
        level: ZoneLevel | None = None,
        parent_id: strawberry.ID | None = None,
        offset: Annotated[int, strawberry.argument(description=OFFSET)] = 0,
        limit: Annotated[int, strawberry.argument(description=PAGE)] = 100,
    ) -> list[Zone]:
        page = directory.Page(offset, limit)
        rows = await call(directory.list_zones, info.context.store, _value(level), parent_id, page)
        return [Zone.from_domain(z) for z in rows]

    @strawberry.field(
        description="One zone by id (or by an older code: then resolvedFrom says so), or null."
    )
    async def zone(self, info: Ctx, id: strawberry.ID) -> Zone | None:
        found = await info.context.zones.load(str(id))
        if found:
            return Zone.from_domain(found)
        from graphsvc.io.zone_store import resolve_aliases

        now = (await call(resolve_aliases, info.context.store, {str(id)})).get(str(id))
        found = await info.context.zones.load(now) if now else None
        return Zone.from_domain(found, resolved_from=str(id)) if found else None

    @strawberry.field(description="Actors located in a zone or its parts, by line and kind.")
    async def actors(
        self,
        info: Ctx,
        zone_id: strawberry.ID | None = None,
        line: ActorLine | None = None,
        kind: ActorKind | None = None,
        offset: Annotated[int, strawberry.argument(description=OFFSET)] = 0,
        limit: Annotated[int, strawberry.argument(description=PAGE)] = 100,
    ) -> list[Actor]:
        page = directory.Page(offset, limit)
        rows = await call(directory.list_actors, info.context.store, zone_id, _value(line),
                          _value(kind), page)  # fmt: skip
        return [Actor.from_domain(a) for a in rows]

    @strawberry.field(description="One actor by id, or null.")
    async def actor(self, info: Ctx, id: strawberry.ID) -> Actor | None:
        found = await info.context.actors.load(str(id))
        return Actor.from_domain(found) if found else None

    @strawberry.field(
        description="Services by provider, type (narrower types included), covered zone "
        "(a service covering a larger zone covers its parts) and status."
    )
    async def services(
        self,
        info: Ctx,
        actor_id: strawberry.ID | None = None,
        type_code: strawberry.ID | None = None,
        zone_id: strawberry.ID | None = None,
        status: ServiceStatus | None = None,
        offset: Annotated[int, strawberry.argument(description=OFFSET)] = 0,
        limit: Annotated[int, strawberry.argument(description=PAGE)] = 100,
    ) -> list[Service]:
        page = directory.Page(offset, limit)
        rows = await call(directory.list_services, info.context.store, actor_id, type_code,
                          zone_id, _value(status), page)  # fmt: skip
        return [Service.from_domain(s) for s in rows]

    @strawberry.field(description="The service-type vocabulary.")
    async def service_types(self, info: Ctx) -> list[ServiceType]:
        rows = await call(directory.list_service_types, info.context.store)
        return [ServiceType.from_domain(t) for t in rows]

    @strawberry.field(description="The need-type vocabulary.")
    async def need_types(self, info: Ctx) -> list[NeedType]:
        rows = await call(directory.list_need_types, info.context.store)
        return [NeedType.from_domain(n) for n in rows]
