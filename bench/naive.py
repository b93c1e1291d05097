"""A naive GraphQL schema for P2: the same gap rows, but every nested field asks the store itself.

Kept only for comparison with graphsvc's batched resolvers (DataLoaders per request, one
round trip per list level): here a zone, a need type or a provider is fetched with one query
per row, the classic N+1 pattern. The root field calls the same domain function as
graphsvc's `serviceGaps`, so both schemas answer the same query text with the same data.
"""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.types import Info

from graphsvc.api.planner import GapStatus, gap_query
from graphsvc.api.types import ActorLine, ZoneLevel
from graphsvc.core import gaps
from graphsvc.store import Store


def _store(info: Info) -> Store:
    return info.context["store"]


def _zone(store: Store, zone_id: str | None) -> NaiveZone | None:
    if zone_id is None:
        return None
    rows = store.run("get_zones", ids=[zone_id])
    if not rows:
        return None
    r = rows[0]
    return NaiveZone(
        id=strawberry.ID(r["id"]),
        name=r["name"],
        level=ZoneLevel(r["level"]),
        population=r["population"],
        parent_id=r["parent"],
    )


@strawberry.type
class NaiveZone:
    id: strawberry.ID
    name: str
    level: ZoneLevel
    population: int | None
    parent_id: strawberry.Private[str | None]

    @strawberry.field
    def parent(self, info: Info) -> NaiveZone | None:
        return _zone(_store(info), self.parent_id)


@strawberry.type
class NaiveNeedType:
    code: strawberry.ID
    name: str
    domain: str


@strawberry.type
class NaiveActor:
    id: strawberry.ID
    name: str
    line: ActorLine
    zone_id: strawberry.Private[str | None]

    @strawberry.field
    def zone(self, info: Info) -> NaiveZone | None:
        return _zone(_store(info), self.zone_id)


@strawberry.type
class NaiveContribution:
    service_id: strawberry.ID
    name: str
    actor_id: strawberry.ID
    capacity: int
    weight: float
    places: float

    @strawberry.field
    def provider(self, info: Info) -> NaiveActor | None:
        rows = _store(info).run("get_actors", ids=[str(self.actor_id)])
        if not rows:
            return None
        r = rows[0]
        return NaiveActor(
            id=strawberry.ID(r["id"]), name=r["name"], line=ActorLine(r["line"]), zone_id=r["zone"]
        )


@strawberry.type
class NaiveGapRow:
    zone_id: strawberry.ID
    need_code: strawberry.ID
    demand: int
    supply: float
    ratio: float
    status: GapStatus
    provider_count: int
    rollup: bool
    services: list[NaiveContribution]

    @strawberry.field
    def zone(self, info: Info) -> NaiveZone | None:
        return _zone(_store(info), str(self.zone_id))

    @strawberry.field
    def need(self, info: Info) -> NaiveNeedType | None:
        rows = _store(info).run("get_need_types", codes=[str(self.need_code)])
        if not rows:
            return None
        r = rows[0]
        return NaiveNeedType(code=strawberry.ID(r["code"]), name=r["name"], domain=r["domain"])


@strawberry.type
class NaiveQuery:
    @strawberry.field
    def service_gaps(
        self, info: Info, zone_id: strawberry.ID, need_codes: list[strawberry.ID] | None = None
    ) -> list[NaiveGapRow]:
        query = gap_query(str(zone_id), need_codes)
        rows = gaps.zone_gaps(_store(info), str(zone_id), query)
        return [
            NaiveGapRow(
                zone_id=strawberry.ID(r.zone),
                need_code=strawberry.ID(r.need),
                demand=r.demand,
                supply=r.supply,
                ratio=r.ratio,
                status=GapStatus(r.status),
                provider_count=r.providers,
                rollup=r.rollup,
                services=[
                    NaiveContribution(
                        service_id=strawberry.ID(c.service),
                        name=c.name,
                        actor_id=strawberry.ID(c.actor),
                        capacity=c.capacity,
                        weight=c.weight,
                        places=c.places,
                    )
                    for c in r.contributions
                ],
            )
            for r in rows
        ]


naive_schema = strawberry.Schema(query=NaiveQuery)


def naive_context(store: Store) -> dict[str, Any]:
    return {"store": store}
