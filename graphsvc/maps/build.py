"""Workshop maps: a zone's network as laid-out nodes and edges (`build_map`).

Plain Python on data already fetched (DESIGN §8): a `ZoneNetwork`, its measures, the planner's
gap and overlap rows, the zone's saved layout and its workshop proposals give a `NetworkMap`.
Nothing is random: the layout is a seeded force layout, nodes of a saved layout keep their
place, and the same input gives the same map. Ties between two vicinity networks are also
summed into one aggregated tie per pair (the page shows those by default). Patients never
appear: the input holds none.
"""

from __future__ import annotations

import math
import os
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import networkx as nx

from graphsvc.core.network import (
    ROLES,
    ActorMeasures,
    NetworkMeasures,
    ZoneNetwork,
    actor_graph,
    compute_measures,
)
from graphsvc.errors import ConfigError, InputError
from graphsvc.maps.builder import Builder, zone_anchors
from graphsvc.maps.layout import SavedLayout, diff
from graphsvc.maps.proposals import Proposal
from graphsvc.maps.style import (
    DEFAULT_MAX_NODES,
    EDGE_STYLES,
    GROUP_COLOUR,
    LAYERS,
    LINE_COLOURS,
    MAX_NODES_ENV,
    OTHER_LINE,
    PROPOSED_COLOUR,
    STATUS_COLOURS,
    TOP_LABELS,
)


@dataclass(frozen=True)
class NetworkMap:
    """A map ready to draw: vis-network nodes and edges as plain dicts, plus what the page says."""

    zone: str
    zone_name: str
    title: str
    nodes: list[dict[str, Any]]
    edges: list[dict[str, Any]]
    focus: str | None = None
    hops: int | None = None
    grouped: bool = False
    note: str | None = None
    summary: dict[str, Any] = field(default_factory=dict)
    legend: dict[str, Any] = field(default_factory=dict)
    measures: Mapping[str, ActorMeasures] = field(default_factory=dict)
    # one tie per pair of vicinity networks (or groups) summing the actor ties between them
    aggregates: list[dict[str, Any]] = field(default_factory=list)
    proposed_nodes: list[dict[str, Any]] = field(default_factory=list)
    proposed_edges: list[dict[str, Any]] = field(default_factory=list)
    priorities: list[dict[str, Any]] = field(default_factory=list)
    diff: dict[str, Any] | None = None  # since the saved layout (the last workshop)

    def counts(self) -> Counter[str]:
        return Counter(node["kind"] for node in self.nodes)


def default_max_nodes(env: Mapping[str, str] | None = None) -> int:
    """The node count above which a map groups actors (GRAPHSVC_MAP_MAX_NODES, default 1500)."""
    raw = (os.environ if env is None else env).get(MAX_NODES_ENV) or ""
    if not raw:
        return DEFAULT_MAX_NODES
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{MAX_NODES_ENV}={raw!r} is not a whole number") from None
    if value < 1:
        raise ConfigError(f"{MAX_NODES_ENV}={value} must be at least 1")
    return value


def check_layers(include: Iterable[str] | None) -> frozenset[str]:
    layers = frozenset(LAYERS if include is None else (str(x).lower() for x in include))
    unknown = sorted(layers - set(LAYERS))
    if unknown:
        raise InputError(
            [f"argument include: {', '.join(unknown)} is not one of {', '.join(LAYERS)}"]
        )
    return layers


# --- building -------------------------------------------------------------------------------


def build_map(
    net: ZoneNetwork,
    measures: NetworkMeasures,
    gaps: Sequence[Mapping[str, Any]] = (),
    overlaps: Sequence[Mapping[str, Any]] = (),
    *,
    include: Iterable[str] | None = None,
    focus: str | None = None,
    hops: int = 1,
    max_nodes: int | None = None,
    layout: SavedLayout | None = None,
    proposals: Sequence[Proposal] = (),
) -> NetworkMap:
    """Nodes and edges of a zone's map (or of `focus`'s ego network at `hops`), laid out;
    nodes of the saved `layout` stay where they were, new ones go near their zone."""
    layers = check_layers(include)
    max_nodes = default_max_nodes() if max_nodes is None else max_nodes
    if max_nodes < 1:
        raise InputError([f"argument maxNodes: {max_nodes} must be at least 1"])
    by_id = {m.id: m for m in measures.actors}
    actors = {a.id: a for a in net.actors}
    shown = set(actors)
    if focus is not None:
        if focus not in actors:
            raise InputError([f"argument focusActorId: {focus!r} is not in this network"])
        shown = set(nx.ego_graph(actor_graph(net), focus, radius=hops))
        measures = compute_measures(ego_network(net, shown))  # the ego map's own figures
        by_id = {m.id: m for m in measures.actors}
    zones = {z.id: z for z in net.zones}
    if focus is not None:  # the zones on the way from the focus' actors up to the map's zone
        keep = {net.zone.id}
        for actor_id in shown:
            zone_id = actors[actor_id].zone
            while zone_id in zones and zone_id not in keep:
                keep.add(zone_id)
                zone_id = zones[zone_id].parent
        zones = {k: z for k, z in zones.items() if k in keep}

    builder = Builder()
    if "zones" in layers:
        for z in sorted(zones.values(), key=lambda z: (z.depth, z.id)):
            builder.zone(z, main=z.id == net.zone.id)
            if z.depth > 0 and z.parent in zones:
                builder.edge(
                    z.id, z.parent, "part_of", f"{z.name} is part of {zones[z.parent].name}"
                )
    anchor = {z: z for z in zones} if "zones" in layers else {}
    if "gaps" in layers:
        _gap_nodes(builder, gaps, zones, anchor)
    overlap_rows = _overlap_rows(overlaps, zones, shown) if "overlaps" in layers else []

    grouped, note = False, None
    if "actors" in layers:
        planned = len(builder.nodes) + len(shown) + len(overlap_rows)
        if planned > max_nodes:
            grouped = True
            group_of, note = _groups(net, shown, zones, max_nodes, len(shown))
            _group_nodes(builder, net, shown, group_of, zones if "zones" in layers else {})
            owner = group_of
        else:
            _actor_nodes(builder, net, shown, by_id, focus, zones if "zones" in layers else {})
            owner = {a: a for a in shown}
        for row in overlap_rows:
            node_id = builder.overlap(row, zones)
            for provider in sorted({owner[p] for p in row["providers"] if p in owner}):
                builder.edge(node_id, provider, "overlap", f"{row['name']}: provider")
    else:
        for row in overlap_rows:
            node_id = builder.overlap(row, zones)
            for zone_id, _count in row["zones"]:
                if zone_id in anchor:
                    builder.edge(node_id, anchor[zone_id], "overlap", f"{row['name']}: here")

    saved = layout.positions if layout is not None else {}
    vicinity = vicinity_of(net, shown) if "zones" in layers and not grouped else {}
    known = set(shown) if "actors" in layers and not grouped else set()
    proposed = _proposal_nodes(builder, proposals, actors, shown, zones, owner_known=known)
    nodes, edges = builder.laid_out(zone_anchors(zones, net.zone.id), saved)
    for node in nodes:
        if node["kind"] == "actor":
            node["vicinity"] = vicinity.get(node["id"], "")
    proposed_nodes = [n for n in nodes if n["kind"] == "proposed_actor"]
    nodes = [n for n in nodes if n["kind"] != "proposed_actor"]

    def is_proposed(e: dict[str, Any]) -> bool:
        return e["kind"] == "proposed" or any(
            x.startswith("proposed:") for x in (e["from"], e["to"])
        )

    proposed_edges = [e for e in edges if is_proposed(e)]
    edges = [e for e in edges if not is_proposed(e)]
    aggregates = _aggregate(edges, vicinity, {n["id"] for n in nodes})
    present_lines = sorted({actors[a].line for a in shown}, key=_line_order)
    status_counts = Counter(n.get("status") for n in nodes if n["kind"] == "need")
    title = (
        f"Ego network of {actors[focus].name} ({hops} hop{'s' if hops > 1 else ''}) in "
        f"{net.zone.name}"
        if focus
        else f"Network map: {net.zone.name}"
    )
    return NetworkMap(
        zone=net.zone.id,
        zone_name=net.zone.name,
        title=title,
        nodes=nodes,
        edges=edges,
        focus=focus,
        hops=hops if focus else None,
        grouped=grouped,
        note=note,
        summary={
            "actors": len(shown),
            "ties": measures.tie_count,
            "density": round(measures.density, 4),
            "communities": len(measures.communities),
            "missing": status_counts.get("MISSING", 0),
            "under": status_counts.get("UNDER", 0),
            "fragmented": sum(1 for n in nodes if n["kind"] == "service_type"),
            "planner": bool(gaps or overlaps),
        },
        legend={"lines": [(line, LINE_COLOURS.get(line, OTHER_LINE)) for line in present_lines]},
        measures={a: by_id[a] for a in sorted(shown) if a in by_id},
        aggregates=aggregates,
        proposed_nodes=proposed_nodes,
        proposed_edges=proposed_edges,
        priorities=proposed,
        diff=diff(layout, nodes, edges) if layout is not None else None,
    )


def ego_network(net: ZoneNetwork, shown: set[str]) -> ZoneNetwork:
    """The zone network cut down to the actors shown (an ego map's own network)."""
    return replace(
        net,
        actors=tuple(a for a in net.actors if a.id in shown),
        ties=tuple(t for t in net.ties if t.source in shown and t.target in shown),
    )


def vicinity_of(net: ZoneNetwork, shown: set[str]) -> dict[str, str]:
    """Each shown actor's vicinity network: the nearest zone above its own that is a vicinity
    network or a direct part of the map's zone (actors of the zone itself have none)."""
    parent = {z.id: z.parent for z in net.zones}
    level = {z.id: z.level for z in net.zones}
    found = {}
    for actor in net.actors:
        zone_id = actor.zone
        while actor.id in shown and zone_id in parent and zone_id != net.zone.id:
            if level[zone_id] == "vicinity_network" or parent[zone_id] == net.zone.id:
                found[actor.id] = zone_id
                break
            zone_id = parent[zone_id]
    return found


def _aggregate(
    edges: list[dict[str, Any]], vicinity: Mapping[str, str], present: set[str]
) -> list[dict[str, Any]]:
    """Mark actor ties between two vicinity networks with their aggregate (`agg:A|B`) and
    return the aggregated ties: one per pair of vicinity networks, weighted by its ties."""
    members: dict[tuple[str, str], list[str]] = defaultdict(list)
    for e in edges:
        if e["kind"] not in ("collaboration", "network", "patients"):
            continue
        a, b = vicinity.get(e["from"]), vicinity.get(e["to"])
        if a is None or b is None or a == b or a not in present or b not in present:
            continue
        pair = (a, b) if a < b else (b, a)
        e["aggregate"] = f"agg:{pair[0]}|{pair[1]}"
        members[pair].append(e["id"])
    return [
        {
            "id": f"agg:{a}|{b}",
            "from": a,
            "to": b,
            "kind": "aggregate",
            "count": len(ids),
            "members": ids,
            "title": f"{len(ids)} ties between the two vicinity networks (click to show them)",
            "color": EDGE_STYLES["aggregate"]["color"],
            "width": round(1 + math.log2(len(ids)), 1),
        }
        for (a, b), ids in sorted(members.items())
    ]


def _proposal_nodes(
    builder: Builder,
    proposals: Sequence[Proposal],
    actors: Mapping[str, Any],
    shown: set[str],
    zones: Mapping[str, Any],
    owner_known: set[str],
) -> list[dict[str, Any]]:
    """Proposed ties and missing actors as nodes and edges (kinds `proposed`,
    `proposed_actor`); the priorities as rows for the page."""
    priorities = []
    for p in proposals:
        where = f"proposed at workshop {p.workshop} ({p.date}, {p.facilitator})\nproposal {p.id}"
        note = f"\n{p.note}" if p.note else ""
        if p.kind == "tie" and p.source in owner_known and p.target in owner_known:
            builder.edge(
                p.source,
                p.target,
                "proposed",
                f"proposed tie: {p.type}\n{where}{note}",
                proposal=p.id,
                type=p.type,
                id=f"proposed:{p.id}",
            )
        elif p.kind == "actor" and (p.zone in zones or not zones):
            node_id = builder.node(
                f"proposed:{p.id}",
                "proposed_actor",
                f"{p.name} (proposed)",
                {"background": "#ffffff", "border": PROPOSED_COLOUR},
                10,
                f"{p.name}\nmissing actor, {p.line} line\n{where}{note}",
                line=p.line,
                zone=p.zone or "",
                proposal=p.id,
                borderWidth=3,
                shapeProperties={"borderDashes": [4, 3]},
            )
            if p.zone in zones:
                builder.edge(node_id, p.zone, "located_in", f"{p.name} would be located here")
        elif p.kind == "priority":
            about = actors[p.actor].name if p.actor in actors else None
            priorities.append(
                {
                    "id": p.id,
                    "text": p.text,
                    "actor": p.actor,
                    "actor_name": about,
                    "workshop": p.workshop,
                    "date": p.date,
                    "facilitator": p.facilitator,
                }
            )
    return priorities


def _line_order(line: str) -> tuple[int, str]:
    order = list(LINE_COLOURS)
    return (order.index(line) if line in order else len(order), line)


def _gap_nodes(
    builder: Builder,
    gaps: Sequence[Mapping[str, Any]],
    zones: Mapping[str, Any],
    anchor: Mapping[str, str],
) -> None:
    rows = sorted((dict(g) for g in gaps), key=lambda g: (str(g.get("zone")), str(g.get("need"))))
    for g in rows:
        status = str(g.get("status", "")).upper()
        if status not in STATUS_COLOURS or g.get("zone") not in zones:
            continue
        zone, need = str(g["zone"]), str(g["need"])
        name = str(g.get("need_name") or need)
        access = g.get("access", g.get("ratio"))
        detail = (
            f"\naccess {float(access):.2f} places per person in need" if access is not None else ""
        )
        what = "no active service" if status == "MISSING" else "too few places"
        node_id = builder.node(
            f"need:{zone}:{need}",
            "need",
            name,
            STATUS_COLOURS[status],
            22 if status == "MISSING" else 15,
            f"{status}: {name} in {zones[zone].name}\n{what}{detail}",
            zone=zone,
            status=status,
            font={"color": STATUS_COLOURS[status], "size": 18, "strokeWidth": 3},
        )
        if zone in anchor:
            colour = STATUS_COLOURS[status]
            builder.edge(node_id, anchor[zone], "gap", f"{status}: {name}", color=colour)


def _providers(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Iterable):
        return sorted(str(p.get("id") if isinstance(p, Mapping) else p) for p in value)
    return []


def _overlap_rows(
    overlaps: Sequence[Mapping[str, Any]], zones: Mapping[str, Any], shown: set[str]
) -> list[dict[str, Any]]:
    """Fragmented overlaps on the map, one row per service type (its zones and providers)."""
    by_type: dict[str, dict[str, Any]] = {}
    for o in overlaps:
        if not o.get("fragmented") or o.get("zone") not in zones:
            continue
        providers = [p for p in _providers(o.get("providers")) if p in shown]
        if len(providers) < 2:
            continue
        code = str(o.get("service_type"))
        row = by_type.setdefault(code, {"service_type": code, "zones": [], "providers": set()})
        row["name"] = str(o.get("service_type_name") or row.get("name") or code)
        row["zones"].append((str(o["zone"]), len(providers)))
        row["providers"].update(providers)
    return [
        {**row, "zones": sorted(row["zones"]), "providers": sorted(row["providers"])}
        for _code, row in sorted(by_type.items())
    ]


def _actor_title(
    actor: Any,
    services: Sequence[Any],
    m: ActorMeasures | None,
    networks: Sequence[str],
    zones: Mapping[str, Any],
) -> str:
    lines = [actor.name]
    what = ", ".join(x for x in (actor.kind, actor.discipline) if x)
    lines.append(f"{actor.line} line" + (f" · {what}" if what else ""))
    if actor.zone:
        lines.append(f"located in {zones[actor.zone].name if actor.zone in zones else actor.zone}")
    if services:
        free = sum(s.available for s in services if s.status == "active")
        capacity = sum(s.capacity or 0 for s in services if s.status == "active")  # None: unknown
        lines.append(f"free places: {free} of {capacity}")
        lines.append("services (free / capacity):")
        for s in services:
            state = "" if s.status == "active" else f" [{s.status}]"
            lines.append(f"  {s.name}: {s.available} / {s.capacity}{state}")
    if m is not None:
        lines.append(
            f"betweenness {m.betweenness:.3f} · degree {m.degree} · community {m.community}"
        )
        roles = [f"{getattr(m.brokerage, r)} {r}" for r in ROLES if getattr(m.brokerage, r)]
        if roles:
            lines.append("brokerage: " + ", ".join(roles))
    if networks:
        lines.append("networks: " + ", ".join(networks))
    return "\n".join(lines)


def _actor_nodes(
    builder: Builder,
    net: ZoneNetwork,
    shown: set[str],
    by_id: Mapping[str, ActorMeasures],
    focus: str | None,
    zones: Mapping[str, Any],
) -> None:
    top = max((by_id[a].betweenness for a in shown if a in by_id), default=0.0)
    central = sorted(shown, key=lambda a: (-(by_id[a].betweenness if a in by_id else 0.0), a))
    labelled = set(central[:TOP_LABELS])
    for actor in sorted((a for a in net.actors if a.id in shown), key=lambda a: a.id):
        m = by_id.get(actor.id)
        share = math.sqrt(m.betweenness / top) if m is not None and top > 0 else 0.0
        colour = LINE_COLOURS.get(actor.line, OTHER_LINE)
        data: dict[str, Any] = {
            "line": actor.line,
            "zone": actor.zone or "",
            "top": actor.id in labelled,
            "kindOf": actor.kind,
        }
        if actor.discipline:
            data["discipline"] = actor.discipline
        if m is not None:
            data |= {
                "community": m.community,
                "degree": m.degree,
                "betweenness": round(m.betweenness, 4),
            }
        if actor.id == focus:
            data |= {"borderWidth": 4, "font": {"size": 16, "bold": True}}
            colour_value: Any = {"background": colour, "border": "#000000"}
        else:
            colour_value = colour
        builder.node(
            actor.id,
            "actor",
            actor.name,
            colour_value,
            8 + 30 * share,
            _actor_title(
                actor, net.services.get(actor.id, ()), m, net.memberships.get(actor.id, ()), zones
            ),
            **data,
        )
        if actor.zone in zones:
            builder.edge(
                actor.id,
                actor.zone,
                "located_in",
                f"{actor.name} is located in {zones[actor.zone].name}",
            )
    for tie in net.ties:
        if tie.source in shown and tie.target in shown:
            kind = tie.kinds[0]
            parts = []
            if tie.collaboration:
                parts.append(f"collaboration: {tie.collaboration}")
            if tie.networks:
                parts.append("same network: " + ", ".join(tie.networks))
            if tie.patients:
                parts.append("share patients")
            since = _SINCE.search(tie.collaboration or "")
            extra = {"since": int(since.group(1))} if since else {}
            builder.edge(
                tie.source, tie.target, kind, "\n".join(parts), kinds=list(tie.kinds), **extra
            )


_SINCE = re.compile(r"since (\d{4})")


def _groups(
    net: ZoneNetwork, shown: set[str], zones: Mapping[str, Any], max_nodes: int, count: int
) -> tuple[dict[str, str], str]:
    """Each shown actor's group: the vicinity network (or direct part of the zone) it is in."""
    parent = {z.id: z.parent for z in net.zones}
    level = {z.id: z.level for z in net.zones}
    has_parts = any(z.depth == 1 for z in net.zones)
    group_of = {}
    for actor in net.actors:
        if actor.id not in shown:
            continue
        if not has_parts:
            group_of[actor.id] = f"group:line:{actor.line}"
            continue
        zone_id, chosen = actor.zone, None
        while zone_id in parent:
            if level[zone_id] == "vicinity_network" or parent[zone_id] == net.zone.id:
                chosen = zone_id
                break
            zone_id = parent[zone_id]
        group_of[actor.id] = f"group:{chosen}" if chosen else "group:outside"
    by = "line of care" if not has_parts else "vicinity network"
    note = (
        f"This map would show more than {max_nodes:,} nodes ({count:,} actors), so actors are "
        f"grouped by {by}: each group is one node sized by its number of actors. "
        "Open the map of a smaller zone, or an actor's ego view, to see single actors."
    )
    return group_of, note


def _group_nodes(
    builder: Builder,
    net: ZoneNetwork,
    shown: set[str],
    group_of: Mapping[str, str],
    zones: Mapping[str, Any],
) -> None:
    members: dict[str, list[Any]] = defaultdict(list)
    for actor in net.actors:
        if actor.id in shown:
            members[group_of[actor.id]].append(actor)
    all_zones = {z.id: z for z in net.zones}
    for group_id, actors in sorted(members.items()):
        key = group_id.removeprefix("group:")
        if key.startswith("line:"):
            name = f"{key.removeprefix('line:')} line"
        elif key == "outside":
            name = "serving from outside the zone"
        else:
            name = all_zones[key].name if key in all_zones else key
        lines = Counter(a.line for a in actors)
        main = max(sorted(lines), key=lambda line: lines[line])
        detail = ", ".join(f"{lines[line]} {line}" for line in sorted(lines, key=_line_order))
        builder.node(
            group_id,
            "group",
            f"{name} ({len(actors)} actors)",
            LINE_COLOURS.get(main, GROUP_COLOUR),
            12 + 4 * math.sqrt(len(actors)),
            f"{name}: {len(actors)} actors\n{detail}",
            line=main,
            zone=key if key in all_zones else "",
            actors=len(actors),
        )
        if key in zones:
            builder.edge(group_id, key, "located_in", f"{name}: actors located here")
    between: Counter[tuple[str, str]] = Counter()
    for tie in net.ties:
        if tie.source in shown and tie.target in shown:
            a, b = group_of[tie.source], group_of[tie.target]
            if a != b:
                between[(a, b) if a < b else (b, a)] += 1
    for (a, b), n in sorted(between.items()):
        builder.edge(a, b, "group", f"{n} ties", width=round(1 + math.log2(n), 1))
