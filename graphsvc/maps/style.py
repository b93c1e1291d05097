"""How maps look: colours, shapes, edge styles, the layout's weights and vis-network options."""

from __future__ import annotations

from typing import Any

LAYERS = ("actors", "zones", "gaps", "overlaps")
DEFAULT_MAX_NODES = 1500
MAX_NODES_ENV = "GRAPHSVC_MAP_MAX_NODES"
LAYOUT_SEED = 7
TOP_LABELS = 10  # actors labelled at the default zoom: the most central by betweenness
PROPOSED_COLOUR = "#2ca02c"

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
    "proposed_actor": "dot",
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
    "aggregate": {"color": "#6f6f6f", "width": 2.0},
    "proposed": {"color": PROPOSED_COLOUR, "width": 2.5, "dashes": [8, 5]},
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
    "aggregate": 0.0,
    "proposed": 0.0,
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
