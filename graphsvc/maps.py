"""Workshop maps: a zone's network as nodes and edges, and as one offline HTML page (pyvis).

Everything here is plain Python on data already fetched (DESIGN §8): `build_map` takes a
`ZoneNetwork`, its measures and the planner's gap and overlap rows (lists of dicts) and returns
a `NetworkMap`; `render_html` turns that into a single HTML file with vis-network, tom-select
and all styles inline (from the pyvis package), so it opens with no network at all. Nothing is
random: the layout is computed here with a fixed seed and drawn with physics off, and the same
input gives the same bytes. Patients never appear: the input holds none.
"""

from __future__ import annotations

import json
import math
import os
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from graphsvc.core.network import (
    ROLES,
    ActorMeasures,
    NetworkMeasures,
    ZoneNetwork,
    actor_graph,
)
from graphsvc.errors import ConfigError, InputError

LAYERS = ("actors", "zones", "gaps", "overlaps")
DEFAULT_MAX_NODES = 1500
MAX_NODES_ENV = "GRAPHSVC_MAP_MAX_NODES"
LAYOUT_SEED = 7
TEMPLATES = Path(__file__).resolve().parent / "templates"

LINE_COLOURS = {
    "first": "#4e79a7",
    "second": "#b07aa1",
    "social": "#59a14f",
    "community": "#9c755f",
    "coordination": "#76b7b2",
}
OTHER_LINE = "#bab0ac"
STATUS_COLOURS = {"MISSING": "#e15759", "UNDER": "#f28e2b"}
OVERLAP_COLOUR = "#edc948"
ZONE_COLOUR = "#8a8a8a"
GROUP_COLOUR = "#a0cbe8"
SHAPES = {
    "actor": "dot",
    "zone": "square",
    "need": "triangle",
    "service_type": "diamond",
    "group": "hexagon",
}
EDGE_STYLES: dict[str, dict[str, Any]] = {
    "collaboration": {"color": "#7f7f7f", "width": 1.2},
    "patients": {"color": "#b07aa1", "width": 1.0, "dashes": True},
    "network": {"color": "#d4d4d4", "width": 0.5},
    "located_in": {"color": "#e4e4e4", "width": 0.5, "dashes": [2, 4]},
    "part_of": {"color": "#c8c8c8", "width": 1.0},
    "gap": {"color": STATUS_COLOURS["MISSING"], "width": 2.0},
    "overlap": {"color": OVERLAP_COLOUR, "width": 1.5, "dashes": [6, 4]},
    "group": {"color": "#9d9d9d", "width": 1.0},
}
# Force-layout pull of each kind of edge: actors stay near the zone they are located in
# (zones are pinned where they lie on the ground), ties only bend them towards each other.
LAYOUT_WEIGHTS = {
    "collaboration": 0.1,
    "patients": 0.1,
    "network": 0.02,
    "located_in": 10.0,
    "part_of": 1.0,
    "gap": 10.0,
    "overlap": 0.05,
    "group": 0.1,
}
LAYOUT_K = 1.0  # the force layout's ideal distance, times 1/sqrt(number of nodes)
ASPECT = 2.0  # the map is wider than tall
VIS_OPTIONS: dict[str, Any] = {
    "layout": {"randomSeed": LAYOUT_SEED, "improvedLayout": False},
    "physics": {"enabled": False},
    "nodes": {"font": {"size": 12, "face": "sans-serif"}, "borderWidth": 1},
    "edges": {"smooth": False, "selectionWidth": 2},
    "interaction": {
        "hover": True,
        "tooltipDelay": 120,
        "navigationButtons": True,
        "keyboard": {"enabled": True, "bindToWindow": False},
        "multiselect": True,
    },
}


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
    hops: int = 2,
    max_nodes: int | None = None,
) -> NetworkMap:
    """Nodes and edges of a zone's map (or of `focus`'s ego network at `hops`), laid out."""
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
    zones = {z.id: z for z in net.zones}
    if focus is not None:  # the zones on the way from the focus' actors up to the map's zone
        keep = {net.zone.id}
        for actor_id in shown:
            zone_id = actors[actor_id].zone
            while zone_id in zones and zone_id not in keep:
                keep.add(zone_id)
                zone_id = zones[zone_id].parent
        zones = {k: z for k, z in zones.items() if k in keep}

    builder = _Builder()
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

    nodes, edges = builder.laid_out(zone_anchors(zones, net.zone.id))
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
    )


def _line_order(line: str) -> tuple[int, str]:
    order = list(LINE_COLOURS)
    return (order.index(line) if line in order else len(order), line)


class _Builder:
    """Collects nodes and edges (with layout weights), then lays them out deterministically."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.edges: dict[tuple[str, str], dict[str, Any]] = {}

    def node(
        self, node_id: str, kind: str, label: str, colour: str, size: float, title: str, **data: Any
    ) -> str:
        self.nodes[node_id] = {
            "id": node_id,
            "kind": kind,
            "label": label,
            "shape": SHAPES[kind],
            "color": colour,
            "size": round(size, 1),
            "title": title,
            **data,
        }
        return node_id

    def edge(self, a: str, b: str, kind: str, title: str, **extra: Any) -> None:
        key = (a, b) if a <= b else (b, a)
        style = EDGE_STYLES[kind]
        self.edges[key] = {
            "from": key[0],
            "to": key[1],
            "kind": kind,
            "title": title,
            "weight": LAYOUT_WEIGHTS[kind],
            **style,
            **extra,
        }

    def zone(self, z: Any, main: bool) -> None:
        self.node(
            z.id,
            "zone",
            z.name,
            ZONE_COLOUR,
            24 if main else 14,
            f"{z.name}\nzone ({z.level.replace('_', ' ')})",
            zone=z.id,
            font={"size": 30 if main else 24, "color": "#444444", "strokeWidth": 3},
        )

    def overlap(self, row: dict[str, Any], zones: Mapping[str, Any]) -> str:
        where = [f"  {zones[z].name}: {n} providers" for z, n in row["zones"]]
        return self.node(
            f"service_type:{row['service_type']}",
            "service_type",
            f"{row['name']} (fragmented)",
            OVERLAP_COLOUR,
            16,
            f"Fragmented overlap: {row['name']}\n"
            "several providers and no collaboration between them, in:\n" + "\n".join(where),
            zone=" ".join(z for z, _n in row["zones"]),
            fragmented=True,
        )

    def laid_out(
        self, anchors: Mapping[str, tuple[float, float]] | None = None
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Nodes with x, y from a seeded force layout (anchored nodes stay put) and edges."""
        anchors = {k: v for k, v in (anchors or {}).items() if k in self.nodes}
        graph = nx.Graph()
        graph.add_nodes_from(sorted(self.nodes))
        for (a, b), e in sorted(self.edges.items()):
            graph.add_edge(a, b, weight=e["weight"])
        positions: dict[str, Any] = {}
        if graph.number_of_nodes():
            rng = random.Random(LAYOUT_SEED)
            start = {}
            for node_id in graph:  # near the anchored neighbour if there is one
                near = [anchors[n] for n in sorted(graph[node_id]) if n in anchors]
                cx, cy = anchors.get(node_id) or (near[0] if near else (0.0, 0.0))
                spread = 0.0 if node_id in anchors else 0.25 if near else 1.0
                start[node_id] = (
                    cx + rng.uniform(-spread, spread),
                    cy + rng.uniform(-spread, spread),
                )
            positions = nx.spring_layout(
                graph,
                pos=start,
                fixed=sorted(anchors) or None,
                k=LAYOUT_K / math.sqrt(graph.number_of_nodes()),
                seed=LAYOUT_SEED,
                weight="weight",
                iterations=200,
            )
        scale = 60 * math.sqrt(max(graph.number_of_nodes(), 4))
        nodes = []
        for node_id in sorted(self.nodes):
            node = dict(self.nodes[node_id])
            x, y = positions[node_id]
            node["x"], node["y"] = round(float(x) * scale, 1), round(float(y) * scale, 1)
            nodes.append(node)
        edges = [
            {k: v for k, v in e.items() if k != "weight"} for _k, e in sorted(self.edges.items())
        ]
        return nodes, edges


def zone_anchors(zones: Mapping[str, Any], main: str) -> dict[str, tuple[float, float]]:
    """Fixed places for the map's zone (top) and its direct parts: where they lie on the ground
    when every part has coordinates, else on a circle; in a [-1, 1] square."""
    parts = sorted(
        (z for z in zones.values() if z.parent == main and z.id != main), key=lambda z: z.id
    )
    if not parts:
        return {}
    if len(parts) > 1 and all(z.lat is not None and z.lon is not None for z in parts):
        lat0 = sum(z.lat for z in parts) / len(parts)
        lon0 = sum(z.lon for z in parts) / len(parts)
        shrink = math.cos(math.radians(lat0))
        raw = {z.id: ((z.lon - lon0) * shrink, -(z.lat - lat0)) for z in parts}
        # each axis stretched to the square: north stays up and east right, and the
        # clusters use the whole screen even when the zone is long and thin
        width = max(abs(x) for x, _ in raw.values()) or 1.0
        height = max(abs(y) for _, y in raw.values()) or 1.0
        placed = {k: (ASPECT * x / width, y / height) for k, (x, y) in raw.items()}
    else:
        step = 2 * math.pi / len(parts)
        placed = {
            z.id: (ASPECT * math.cos(i * step), math.sin(i * step)) for i, z in enumerate(parts)
        }
    return {main: (0.0, -1.35), **placed}


def _gap_nodes(
    builder: _Builder,
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
    builder: _Builder,
    net: ZoneNetwork,
    shown: set[str],
    by_id: Mapping[str, ActorMeasures],
    focus: str | None,
    zones: Mapping[str, Any],
) -> None:
    top = max((by_id[a].betweenness for a in shown if a in by_id), default=0.0)
    for actor in sorted((a for a in net.actors if a.id in shown), key=lambda a: a.id):
        m = by_id.get(actor.id)
        share = math.sqrt(m.betweenness / top) if m is not None and top > 0 else 0.0
        colour = LINE_COLOURS.get(actor.line, OTHER_LINE)
        data: dict[str, Any] = {"line": actor.line, "zone": actor.zone or ""}
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
            builder.edge(tie.source, tie.target, kind, "\n".join(parts), kinds=list(tie.kinds))


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
    builder: _Builder,
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


# --- rendering ------------------------------------------------------------------------------

_SOURCE_MAP = re.compile(
    r"^\s*(//[#@]\s*sourceMappingURL=.*|/\*[#@]\s*sourceMappingURL=.*\*/)\s*$", re.MULTILINE
)


@cache
def _asset(*parts: str) -> str:
    """A file pyvis ships (vis-network, tom-select, its highlight helpers), minus source maps."""
    text = resources.files("pyvis").joinpath("templates", "lib", *parts).read_text("utf-8")
    text = _SOURCE_MAP.sub("", text)
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:
        raise ValueError(f"pyvis asset {'/'.join(parts)} cannot be inlined")
    return text


@lru_cache(maxsize=1)
def _environment() -> Any:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render_html(network_map: NetworkMap) -> str:
    """The map as one self-contained HTML page (no external scripts, styles or fonts)."""
    from markupsafe import Markup
    from pyvis.network import Network

    net = Network(
        height="100%",
        width="100%",
        directed=True,
        select_menu=True,
        filter_menu=True,
        heading=network_map.title,
        cdn_resources="in_line",
    )
    for node in network_map.nodes:
        options = {k: v for k, v in node.items() if k not in ("id", "label", "shape", "color")}
        net.add_node(
            node["id"], label=node["label"], shape=node["shape"], color=node["color"], **options
        )
    for edge in network_map.edges:
        options = {k: v for k, v in edge.items() if k not in ("from", "to")}
        net.add_edge(edge["from"], edge["to"], arrows="", **options)
    net.set_options(json.dumps(VIS_OPTIONS))
    nodes, edges, heading, _height, _width, options = net.get_network_data()
    lines = network_map.legend.get("lines", [])
    choices = sorted(((n["label"], n["id"]) for n in nodes), key=lambda c: (c[0].lower(), c[1]))
    template = _environment().get_template("network_map.html")
    return template.render(
        title=heading,
        map=network_map,
        summary=network_map.summary,
        lines=lines,
        status_colours=STATUS_COLOURS,
        overlap_colour=OVERLAP_COLOUR,
        zone_colour=ZONE_COLOUR,
        group_colour=GROUP_COLOUR,
        edge_styles=EDGE_STYLES,
        choices=choices,
        nodes=nodes,
        edges=edges,
        options=Markup(options),
        vis_css=Markup(_asset("vis-9.1.2", "vis-network.css")),
        vis_js=Markup(_asset("vis-9.1.2", "vis-network.min.js")),
        tom_css=Markup(_asset("tom-select", "tom-select.css")),
        tom_js=Markup(_asset("tom-select", "tom-select.complete.min.js")),
        utils_js=Markup(_asset("bindings", "utils.js")),
    )
