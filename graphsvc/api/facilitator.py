"""Workshop facilitator queries: network measures of a zone and its map as nodes and edges."""

from __future__ import annotations

from enum import Enum
from functools import partial
from typing import Annotated, Any

import strawberry

from graphsvc import maps
from graphsvc.api.heavy import heavy
from graphsvc.api.types import Actor, ActorLine, Ctx
from graphsvc.core import network
from graphsvc.maps import NetworkMap as DomainMap


@strawberry.enum(description="A layer of a network map.")
class MapLayer(Enum):
    ACTORS = "actors"
    ZONES = "zones"
    GAPS = "gaps"
    OVERLAPS = "overlaps"


@strawberry.enum(description="What a map node stands for (never a patient).")
class MapNodeKind(Enum):
    ACTOR = "actor"
    ZONE = "zone"
    NEED = "need"
    SERVICE_TYPE = "service_type"
    GROUP = "group"


@strawberry.type(
    description="Brokerage roles after Gould & Fernandez, with the line of care as the group: "
    "how often the actor links two actors that are not tied themselves (both directions "
    "of each broken path count)."
)
class BrokerageRoles:
    coordinator: int = strawberry.field(description="All three in one line.")
    gatekeeper: int = strawberry.field(description="Lets an outsider in to its own line.")
    representative: int = strawberry.field(description="Links its own line to another line.")
    liaison: int = strawberry.field(description="Links two other lines, three lines in all.")
    itinerant: int = strawberry.field(description="Links two actors of another, same line.")
    total: int

    @classmethod
    def from_domain(cls, b: network.Brokerage) -> BrokerageRoles:
        return cls(
            coordinator=b.coordinator,
            gatekeeper=b.gatekeeper,
            representative=b.representative,
            liaison=b.liaison,
            itinerant=b.itinerant,
            total=b.total,
        )


@strawberry.type(description="One actor's position in its zone's network.")
class ActorNetworkMeasures:
    actor_id: strawberry.ID
    name: str
    line: ActorLine
    zone_id: strawberry.ID | None = strawberry.field(description="Where the actor is located.")
    degree: int = strawberry.field(description="Number of actors it is tied to.")
    betweenness: float = strawberry.field(
        description="Normalised betweenness: share of shortest paths between two other actors "
        "that pass through it."
    )
    community: int = strawberry.field(description="Louvain community number (1 is the largest).")
    effective_size: float | None = strawberry.field(
        description="Burt's effective size: contacts minus their redundancy (null if isolated)."
    )
    constraint: float | None = strawberry.field(
        description="Burt's constraint: how much its contacts are tied to each other (null if "
        "isolated); low means brokerage over structural holes."
    )
    brokerage: BrokerageRoles

    @classmethod
    def from_domain(cls, m: network.ActorMeasures) -> ActorNetworkMeasures:
        return cls(
            actor_id=strawberry.ID(m.id),
            name=m.name,
            line=ActorLine(m.line),
            zone_id=strawberry.ID(m.zone) if m.zone else None,
            degree=m.degree,
            betweenness=m.betweenness,
            community=m.community,
            effective_size=m.effective_size,
            constraint=m.constraint,
            brokerage=BrokerageRoles.from_domain(m.brokerage),
        )

    @strawberry.field(description="The actor.")
    async def actor(self, info: Ctx) -> Actor | None:
        found = await info.context.actors.load(str(self.actor_id))
        return Actor.from_domain(found) if found else None


@strawberry.type(description="A community of actors found by Louvain (fixed seed).")
class NetworkCommunity:
    id: int
    size: int
    actor_ids: list[strawberry.ID]


@strawberry.type(
    description="Two actors that share patients or offer the same service type in the same "
    "part of the zone, but do not collaborate."
)
class MissingLink:
    source_id: strawberry.ID
    target_id: strawberry.ID
    shared_patients: bool = strawberry.field(description="They are involved with a same patient.")
    service_types: list[str] = strawberry.field(
        description="Codes of the service types both offer (active) in a same part of the zone."
    )
    score: int = strawberry.field(description="2 for shared patients, plus 1 per service type.")


@strawberry.type(
    description="Measures of a zone's actor network (ties: collaborations, "
    "shared networks and teams, shared patients)."
)
class NetworkMeasures:
    zone_id: strawberry.ID
    actor_count: int
    tie_count: int
    density: float
    communities: list[NetworkCommunity]
    actors: list[ActorNetworkMeasures] = strawberry.field(description="By actor id.")
    missing: strawberry.Private[tuple[network.MissingLink, ...]]

    @classmethod
    def from_domain(cls, m: network.NetworkMeasures) -> NetworkMeasures:
        return cls(
            zone_id=strawberry.ID(m.zone),
            actor_count=m.actor_count,
            tie_count=m.tie_count,
            density=m.density,
            communities=[
                NetworkCommunity(
                    id=c.id, size=len(c.actors), actor_ids=[strawberry.ID(a) for a in c.actors]
                )
                for c in m.communities
            ],
            actors=[ActorNetworkMeasures.from_domain(a) for a in m.actors],
            missing=m.missing_links,
        )

    @strawberry.field(description="Missing links, best ranked first.")
    def missing_links(self, limit: int = 100) -> list[MissingLink]:
        return [
            MissingLink(
                source_id=strawberry.ID(link.source),
                target_id=strawberry.ID(link.target),
                shared_patients=link.shared_patients,
                service_types=list(link.service_types),
                score=link.score,
            )
            for link in self.missing[: max(limit, 0)]
        ]


@strawberry.type(description="A node of a network map, laid out (x, y) and styled.")
class MapNode:
    id: strawberry.ID
    kind: MapNodeKind
    label: str
    title: str = strawberry.field(description="The tooltip text.")
    x: float
    y: float
    size: float
    color: str
    shape: str
    line: ActorLine | None
    zone_id: str | None = strawberry.field(description="The node's zone (space-separated ids).")
    status: str | None = strawberry.field(description="MISSING or UNDER, for a need.")
    fragmented: bool
    measures: ActorNetworkMeasures | None

    @classmethod
    def from_domain(cls, node: dict[str, Any], measures: Any) -> MapNode:
        colour = node["color"]
        line = node.get("line")
        return cls(
            id=strawberry.ID(node["id"]),
            kind=MapNodeKind(node["kind"]),
            label=node["label"],
            title=node["title"],
            x=node["x"],
            y=node["y"],
            size=node["size"],
            color=colour["background"] if isinstance(colour, dict) else colour,
            shape=node["shape"],
            line=ActorLine(line) if line in {x.value for x in ActorLine} else None,
            zone_id=node.get("zone") or None,
            status=node.get("status"),
            fragmented=bool(node.get("fragmented")),
            measures=ActorNetworkMeasures.from_domain(measures) if measures else None,
        )


@strawberry.type(description="An edge of a network map.")
class MapEdge:
    source: strawberry.ID
    target: strawberry.ID
    kind: str = strawberry.field(
        description="collaboration, network, patients (actor ties, the first kind present), "
        "located_in, part_of, gap, overlap or group."
    )
    kinds: list[str] = strawberry.field(description="For actor ties, every kind present.")
    title: str


@strawberry.type(description="A zone's network map (or an actor's ego view) for other front ends.")
class NetworkMap:
    zone_id: strawberry.ID
    title: str
    focus_actor_id: strawberry.ID | None
    hops: int | None
    grouped: bool = strawberry.field(description="Actors grouped: too many nodes for one map.")
    note: str | None
    nodes: list[MapNode]
    edges: list[MapEdge]

    @classmethod
    def from_domain(cls, m: DomainMap) -> NetworkMap:
        return cls(
            zone_id=strawberry.ID(m.zone),
            title=m.title,
            focus_actor_id=strawberry.ID(m.focus) if m.focus else None,
            hops=m.hops,
            grouped=m.grouped,
            note=m.note,
            nodes=[MapNode.from_domain(n, m.measures.get(n["id"])) for n in m.nodes],
            edges=[
                MapEdge(
                    source=strawberry.ID(e["from"]),
                    target=strawberry.ID(e["to"]),
                    kind=e["kind"],
                    kinds=list(e.get("kinds", [e["kind"]])),
                    title=e["title"],
                )
                for e in m.edges
            ],
        )


HOPS = "Ties from the focus actor, 1 to 4 (default 1)."


@strawberry.type
class FacilitatorQuery:
    @strawberry.field(description="Network measures of a zone's actors (zone and its parts).")
    async def network_measures(self, info: Ctx, zone_id: strawberry.ID) -> NetworkMeasures:
        found = await heavy(
            info,
            ("networkMeasures", str(zone_id)),
            partial(network.network_measures, info.context.store, str(zone_id)),
        )
        _audit_ties(info, zone_id)
        return NetworkMeasures.from_domain(found)

    @strawberry.field(
        description="A zone's network map as laid-out nodes and edges, or the ego view of "
        "focusActorId at `hops` ties (in zoneId's network, else its pilot zone's)."
    )
    async def network_map(
        self,
        info: Ctx,
        zone_id: strawberry.ID | None = None,
        include: list[MapLayer] | None = None,
        focus_actor_id: strawberry.ID | None = None,
        hops: Annotated[int | None, strawberry.argument(description=HOPS)] = None,
    ) -> NetworkMap:
        build = partial(
            maps.zone_map,
            info.context.store,
            None if zone_id is None else str(zone_id),
            focus=None if focus_actor_id is None else str(focus_actor_id),
            hops=hops,
            include=None if include is None else [layer.value for layer in include],
        )
        key = ("networkMap", str(zone_id), str(focus_actor_id), hops, str(include))
        built = await heavy(info, key, build)
        _audit_ties(info, zone_id)
        return NetworkMap.from_domain(built)


def _audit_ties(info: Ctx, zone_id: object) -> None:
    """Shared-patient ties rest on patients (at least k each): their reading is audited, as an
    aggregate read (no pseudonym)."""
    info.context.audit.record(info.field_name, "aggregate", None, ["sharedPatients"],
                              zone=str(zone_id))  # fmt: skip
