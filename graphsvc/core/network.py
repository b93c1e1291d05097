"""Network analysis of a zone's actors (DESIGN §4 "Network measures"), computed with networkx.

The network of zone Z holds the actors located in Z or its parts and the actors with a service
(not closed) covering Z, one of its parts or a zone Z is part of. Two actors are tied when they
collaborate (COLLABORATES_WITH), are members of the same network or team (MEMBER_OF), or share
a patient (case manager, referring actor or provider of a referred-to service). Ties are
undirected and unweighted. One fetch (a fixed number of named queries, whatever the zone's size)
brings the subgraph; everything else is plain Python on it:

- density, degree and betweenness (networkx, normalised);
- communities: Louvain with a fixed seed, so the same input gives the same communities;
- brokerage roles after Gould & Fernandez (1989), with the actor's `line` as its group. For each
  broken path a - b - c (a and c not tied) b is a broker of a and c; every such path is counted
  in both directions, as for a symmetric graph: coordinator (a, b, c in one group), itinerant
  (a and c in one group, b in another), representative (a in b's group, c not), gatekeeper
  (c in b's group, a not), liaison (three different groups);
- structural holes after Burt: effective size and constraint (None for an isolated actor);
- missing links: pairs of actors that share a patient or both offer a service type in the same
  part of the zone, but do not collaborate; ranked by how much they have in common.

Patients never leave the database: the shared-patient query returns actor pairs only.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations
from typing import Any

import networkx as nx
import numpy as np

from graphsvc.config import get_settings
from graphsvc.errors import NotFound
from graphsvc.store import Store

ROLES = ("coordinator", "gatekeeper", "representative", "liaison", "itinerant")
TIE_KINDS = ("collaboration", "network", "patients")
LOUVAIN_SEED = 42


@dataclass(frozen=True)
class NetZone:
    id: str
    name: str
    level: str
    parent: str | None
    depth: int
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class NetActor:
    id: str
    name: str
    kind: str
    line: str
    discipline: str | None
    zone: str | None


@dataclass(frozen=True)
class NetService:
    id: str
    name: str
    type: str
    status: str
    capacity: int
    available: int
    covers: tuple[str, ...]


@dataclass(frozen=True)
class Tie:
    """An undirected tie between two actors (source < target) and what it is made of."""

    source: str
    target: str
    collaboration: str | None = None  # e.g. "shared_care since 2023"
    networks: tuple[str, ...] = ()  # names of the networks both are members of
    patients: bool = False

    @property
    def kinds(self) -> tuple[str, ...]:
        present = (self.collaboration is not None, bool(self.networks), self.patients)
        return tuple(kind for kind, yes in zip(TIE_KINDS, present, strict=True) if yes)


@dataclass(frozen=True)
class ZoneNetwork:
    """The fetched subgraph of one zone: plain values, no database objects."""

    zone: NetZone
    zones: tuple[NetZone, ...]  # the zone and its parts at every depth
    ancestors: tuple[NetZone, ...]  # the zones it is part of, nearest first
    actors: tuple[NetActor, ...]
    services: Mapping[str, tuple[NetService, ...]]  # by actor id
    ties: tuple[Tie, ...]
    memberships: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # actor -> names


@dataclass(frozen=True)
class Brokerage:
    coordinator: int = 0
    gatekeeper: int = 0
    representative: int = 0
    liaison: int = 0
    itinerant: int = 0

    @property
    def total(self) -> int:
        return sum(getattr(self, role) for role in ROLES)


@dataclass(frozen=True)
class ActorMeasures:
    id: str
    name: str
    line: str
    zone: str | None
    degree: int
    betweenness: float
    community: int
    effective_size: float | None
    constraint: float | None
    brokerage: Brokerage


@dataclass(frozen=True)
class Community:
    id: int
    actors: tuple[str, ...]


@dataclass(frozen=True)
class MissingLink:
    source: str
    target: str
    shared_patients: bool
    service_types: tuple[str, ...]  # types both offer (active) in the same part of the zone
    score: int  # 2 for shared patients + 1 per shared service type


@dataclass(frozen=True)
class NetworkMeasures:
    zone: str
    actor_count: int
    tie_count: int
    density: float
    communities: tuple[Community, ...]
    actors: tuple[ActorMeasures, ...]  # by actor id
    missing_links: tuple[MissingLink, ...]  # best ranked first

    def actor(self, actor_id: str) -> ActorMeasures | None:
        return next((a for a in self.actors if a.id == actor_id), None)


# --- fetching -----------------------------------------------------------------------------


def fetch_zone_network(store: Store, zone_id: str) -> ZoneNetwork:
    """The zone's actor subgraph in at most six round trips; NotFound for an unknown zone."""
    zone_rows = store.run("list_network_zones", zone=zone_id)
    if not zone_rows:
        raise NotFound(f"argument zoneId: unknown zone {zone_id!r}")
    zones = [
        NetZone(r["id"], r["name"], r["level"], r["parent"], r["depth"], r["lat"], r["lon"])
        for r in zone_rows
    ]
    zone = next(z for z in zones if z.depth == 0)
    inside = tuple(sorted((z for z in zones if z.depth >= 0), key=lambda z: (z.depth, z.id)))
    above = tuple(sorted((z for z in zones if z.depth < 0), key=lambda z: -z.depth))
    actors = tuple(
        NetActor(r["id"], r["name"], r["kind"], r["line"], r["discipline"], r["zone"])
        for r in store.run("list_network_actors", zone=zone_id)
    )
    ids = [a.id for a in actors]
    if not ids:
        return ZoneNetwork(zone, inside, above, (), {}, ())
    services: dict[str, list[NetService]] = defaultdict(list)
    for r in store.run("list_services_of_actors", ids=ids):
        services[r["actor"]].append(
            NetService(
                r["id"],
                r["name"],
                r["type"],
                r["status"],
                int(r["capacity"]),
                int(r["available"]),
                tuple(r["covers"] or ()),
            )
        )
    collaborations = {
        _pair(r["source"], r["target"]): f"{r['kind']} since {r['since']}"
        if r.get("since") is not None
        else str(r["kind"])
        for r in store.run("list_network_collaborations", ids=ids)
    }
    members: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    memberships: dict[str, list[str]] = defaultdict(list)
    for r in store.run("list_network_memberships", ids=ids):
        members[r["network"]].append(r["actor"])
        names[r["network"]] = r["name"]
        memberships[r["actor"]].append(r["name"])
    k = get_settings().suppression_k  # a tie shown for fewer patients would single them out
    shared = {
        _pair(r["source"], r["target"])
        for r in store.run("list_network_shared_patients", ids=ids, k=k)
    }
    return ZoneNetwork(
        zone=zone,
        zones=inside,
        ancestors=above,
        actors=actors,
        services={a: tuple(sorted(s, key=lambda s: s.id)) for a, s in sorted(services.items())},
        ties=build_ties(collaborations, {names[n]: m for n, m in members.items()}, shared),
        memberships={a: tuple(sorted(n)) for a, n in sorted(memberships.items())},
    )


def build_ties(
    collaborations: Mapping[tuple[str, str], str],
    networks: Mapping[str, Iterable[str]],
    shared_patients: Iterable[tuple[str, str]],
) -> tuple[Tie, ...]:
    """Merge the three kinds of tie into one undirected tie per pair, sorted by pair."""
    shared_networks: dict[tuple[str, str], set[str]] = defaultdict(set)
    for name, actors in networks.items():
        for a, b in combinations(sorted(set(actors)), 2):
            shared_networks[(a, b)].add(name)
    patients = {_pair(*p) for p in shared_patients}
    pairs = {_pair(*p) for p in collaborations} | set(shared_networks) | patients
    return tuple(
        Tie(
            a,
            b,
            collaborations.get((a, b)),
            tuple(sorted(shared_networks.get((a, b), ()))),
            (a, b) in patients,
        )
        for a, b in sorted(pairs)
        if a != b
    )


def _pair(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a <= b else (b, a)


# --- measures -----------------------------------------------------------------------------


def actor_graph(net: ZoneNetwork) -> nx.Graph:
    """The undirected actor graph, built in id order so every algorithm sees the same input."""
    graph = nx.Graph()
    for actor in sorted(net.actors, key=lambda a: a.id):
        graph.add_node(actor.id, line=actor.line)
    known = set(graph)
    for tie in net.ties:
        if tie.source in known and tie.target in known:
            graph.add_edge(tie.source, tie.target, kinds=tie.kinds)
    return graph


def brokerage_roles(graph: nx.Graph, group: str = "line") -> dict[str, Brokerage]:
    """Gould & Fernandez brokerage counts per node; each broken path counts both ways."""
    result = {}
    for broker in sorted(graph):
        counts = dict.fromkeys(ROLES, 0)
        mine = graph.nodes[broker].get(group)
        neighbours = sorted(graph[broker])
        for a, c in combinations(neighbours, 2):
            if graph.has_edge(a, c):
                continue
            for source, target in ((a, c), (c, a)):
                counts[
                    _role(graph.nodes[source].get(group), mine, graph.nodes[target].get(group))
                ] += 1
        result[broker] = Brokerage(**counts)
    return result


def _role(source: Any, broker: Any, target: Any) -> str:
    if source == broker == target:
        return "coordinator"
    if source == target:
        return "itinerant"
    if source == broker:
        return "representative"
    if target == broker:
        return "gatekeeper"
    return "liaison"


def louvain(graph: nx.Graph, seed: int = LOUVAIN_SEED) -> tuple[Community, ...]:
    """Louvain communities with a fixed seed, largest first (ties by smallest actor id)."""
    if graph.number_of_nodes() == 0:
        return ()
    found = nx.community.louvain_communities(graph, seed=seed)
    ordered = sorted((sorted(c) for c in found), key=lambda c: (-len(c), c[0]))
    return tuple(Community(i, tuple(members)) for i, members in enumerate(ordered, start=1))


def structural_holes(graph: nx.Graph) -> tuple[dict[str, float | None], dict[str, float | None]]:
    """Burt's effective size and constraint of every node (None for an isolated node).

    The same values as networkx's `effective_size` and `constraint` on an unweighted graph,
    with matrices instead of per-pair calls (those take minutes on a pilot zone). With
    p_ij = 1/degree(i) for a neighbour j, constraint c_i = sum over neighbours j of
    (p_ij + sum_q p_iq p_qj)^2; effective size = degree - 2 * (ties among neighbours) / degree.
    """
    nodes = list(graph)
    if not nodes:
        return {}, {}
    adjacency = nx.to_numpy_array(graph, nodelist=nodes, weight=None, dtype=float)
    np.fill_diagonal(adjacency, 0.0)
    degree = adjacency.sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = np.where(degree[:, None] > 0, adjacency / degree[:, None], 0.0)
    local = (p + p @ p) * (adjacency > 0)
    constraint = (local**2).sum(axis=1)
    triangles = nx.triangles(graph)
    effective: dict[str, float | None] = {}
    constraints: dict[str, float | None] = {}
    for i, node in enumerate(nodes):
        d = degree[i]
        if d == 0:
            effective[node] = constraints[node] = None
        else:
            effective[node] = float(d - 2.0 * triangles[node] / d)
            constraints[node] = float(constraint[i])
    return effective, constraints


def compute_measures(net: ZoneNetwork) -> NetworkMeasures:
    """All measures of a fetched zone network (pure: no database)."""
    graph = actor_graph(net)
    n = graph.number_of_nodes()
    betweenness = nx.betweenness_centrality(graph) if n else {}
    effective, constraint = structural_holes(graph)
    roles = brokerage_roles(graph)
    communities = louvain(graph)
    community_of = {a: c.id for c in communities for a in c.actors}
    actors = tuple(
        ActorMeasures(
            id=a.id,
            name=a.name,
            line=a.line,
            zone=a.zone,
            degree=graph.degree(a.id),
            betweenness=float(betweenness.get(a.id, 0.0)),
            community=community_of[a.id],
            effective_size=effective[a.id],
            constraint=constraint[a.id],
            brokerage=roles[a.id],
        )
        for a in sorted(net.actors, key=lambda a: a.id)
    )
    return NetworkMeasures(
        zone=net.zone.id,
        actor_count=n,
        tie_count=graph.number_of_edges(),
        density=nx.density(graph) if n > 1 else 0.0,
        communities=communities,
        actors=actors,
        missing_links=missing_links(net),
    )


def service_overlaps(net: ZoneNetwork) -> dict[tuple[str, str], tuple[str, ...]]:
    """Actor pairs with active services of one type covering a common finest part of the zone."""
    children: dict[str, list[str]] = defaultdict(list)
    for z in net.zones:
        if z.depth > 0 and z.parent is not None:
            children[z.parent].append(z.id)

    def leaves(zone_id: str) -> set[str]:
        parts = children.get(zone_id)
        return {leaf for p in parts for leaf in leaves(p)} if parts else {zone_id}

    inside = {z.id for z in net.zones}
    above = {z.id for z in net.ancestors}
    everything = leaves(net.zone.id)
    offered: dict[tuple[str, str], set[str]] = defaultdict(set)  # (type, leaf) -> actors
    for actor, services in net.services.items():
        for s in services:
            if s.status != "active":
                continue
            for covered in s.covers:
                reach = (
                    leaves(covered)
                    if covered in inside
                    else everything
                    if covered in above
                    else set()
                )
                for leaf in reach:
                    offered[(s.type, leaf)].add(actor)
    pairs: dict[tuple[str, str], set[str]] = defaultdict(set)
    for (service_type, _leaf), actors in offered.items():
        for a, b in combinations(sorted(actors), 2):
            pairs[(a, b)].add(service_type)
    return {p: tuple(sorted(types)) for p, types in sorted(pairs.items())}


def missing_links(net: ZoneNetwork) -> tuple[MissingLink, ...]:
    """Pairs that share patients or overlap on a service type but do not collaborate, ranked."""
    collaborating = {(t.source, t.target) for t in net.ties if t.collaboration is not None}
    patients = {(t.source, t.target) for t in net.ties if t.patients}
    overlaps = service_overlaps(net)
    links = []
    for pair in sorted((patients | set(overlaps)) - collaborating):
        types = overlaps.get(pair, ())
        shared = pair in patients
        links.append(MissingLink(pair[0], pair[1], shared, types, 2 * shared + len(types)))
    return tuple(sorted(links, key=lambda link: (-link.score, link.source, link.target)))


def network_measures(store: Store, zone_id: str) -> NetworkMeasures:
    """Fetch a zone's network and compute its measures."""
    return compute_measures(fetch_zone_network(store, zone_id))
