"""Collects a map's nodes and edges (with layout weights), then lays them out: a seeded force
layout with zones pinned where they lie on the ground and saved positions kept exactly."""

from __future__ import annotations

import math
import random
from collections.abc import Mapping
from typing import Any

import networkx as nx

from graphsvc.maps.style import (
    ASPECT,
    EDGE_STYLES,
    LAYOUT_K,
    LAYOUT_SEED,
    LAYOUT_WEIGHTS,
    OVERLAP_COLOUR,
    SHAPES,
    ZONE_COLOUR,
)


class Builder:
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
        pair = (a, b) if a <= b else (b, a)
        key = (*pair, "proposed") if kind == "proposed" else pair
        style = EDGE_STYLES[kind]
        self.edges[key] = {
            "id": extra.pop("id", f"{pair[0]}|{pair[1]}"),
            "from": pair[0],
            "to": pair[1],
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
        self,
        anchors: Mapping[str, tuple[float, float]] | None = None,
        saved: Mapping[str, tuple[float, float]] | None = None,
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Nodes with x, y from a seeded force layout and edges. Anchored nodes stay put;
        nodes with a `saved` position (page pixels) keep it exactly, and only the others move
        (pulled towards their zone)."""
        graph = nx.Graph()
        graph.add_nodes_from(sorted(self.nodes))
        for _key, e in sorted(self.edges.items()):
            if e["weight"] > 0:
                graph.add_edge(e["from"], e["to"], weight=e["weight"])
        scale = 60 * math.sqrt(max(graph.number_of_nodes(), 4))
        saved = {k: v for k, v in (saved or {}).items() if k in self.nodes}
        anchors = {k: v for k, v in (anchors or {}).items() if k in self.nodes and k not in saved}
        anchors |= {k: (x / scale, y / scale) for k, (x, y) in saved.items()}
        positions: dict[str, Any] = {}
        if len(saved) == graph.number_of_nodes():
            positions = dict(anchors)
        elif graph.number_of_nodes():
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
        nodes = []
        for node_id in sorted(self.nodes):
            node = dict(self.nodes[node_id])
            x, y = saved.get(node_id) or (
                positions[node_id][0] * scale,
                positions[node_id][1] * scale,
            )
            node["x"], node["y"] = round(float(x)), round(float(y))  # whole page pixels
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
