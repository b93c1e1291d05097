"""Per-request context: the store, who calls (and their audit trail), one set of DataLoaders
(batching per list level)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader

from graphsvc.core import directory
from graphsvc.core.directory import Actor, NeedType, Service, ServiceType, Zone
from graphsvc.security.audit import AuditTrail
from graphsvc.security.roles import LOCAL, Principal
from graphsvc.store import Store

T = TypeVar("T")


async def call(fn: Callable[..., T], *args: Any) -> T:
    """Run a blocking domain function off the event loop."""
    return await asyncio.to_thread(fn, *args)


@dataclass
class Context:
    """What every resolver gets: the store, the caller, the audit trail, the loaders."""

    store: Store
    principal: Principal = LOCAL
    audit: AuditTrail = None  # type: ignore[assignment]  # made from principal by default
    suppression_k: int = 10
    zones: DataLoader[str, Zone | None] = field(init=False)
    zone_parts: DataLoader[str, list[Zone]] = field(init=False)
    actors: DataLoader[str, Actor | None] = field(init=False)
    actor_services: DataLoader[str, list[Service]] = field(init=False)
    service_types: DataLoader[str, ServiceType | None] = field(init=False)
    need_types: DataLoader[str, NeedType | None] = field(init=False)
    zone_shapes: DataLoader[str, dict[str, Any] | None] = field(init=False)

    def __post_init__(self) -> None:
        store = self.store
        if self.audit is None:
            self.audit = AuditTrail(None, self.principal)

        async def zones(ids: list[str]) -> list[Zone | None]:
            found = await call(directory.get_zones, store, ids)
            return [found.get(i) for i in ids]

        async def parts(ids: list[str]) -> list[list[Zone]]:
            found = await call(directory.zone_parts, store, ids)
            for zone in (z for zones in found.values() for z in zones):
                self.zones.prime(zone.id, zone)  # a part's own fields need no second trip
            return [found[i] for i in ids]

        async def actors(ids: list[str]) -> list[Actor | None]:
            found = await call(directory.get_actors, store, ids)
            return [found.get(i) for i in ids]

        async def services(ids: list[str]) -> list[list[Service]]:
            found = await call(directory.services_of_actors, store, ids)
            return [found[i] for i in ids]

        async def service_types(codes: list[str]) -> list[ServiceType | None]:
            found = {t.code: t for t in await call(directory.list_service_types, store)}
            return [found.get(c) for c in codes]

        async def need_types(codes: list[str]) -> list[NeedType | None]:
            found = {n.code: n for n in await call(directory.list_need_types, store)}
            return [found.get(c) for c in codes]

        async def zone_shapes(ids: list[str]) -> list[dict[str, Any] | None]:
            from graphsvc.io.zone_store import geometries

            found = await call(geometries, store, ids)
            return [found.get(i) for i in ids]

        self.zone_shapes = DataLoader(zone_shapes)
        self.zones = DataLoader(zones)
        self.zone_parts = DataLoader(parts)
        self.actors = DataLoader(actors)
        self.actor_services = DataLoader(services)
        self.service_types = DataLoader(service_types)
        self.need_types = DataLoader(need_types)
