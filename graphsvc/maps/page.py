"""A map as one self-contained HTML page: vis-network and tom-select inline (the copies the
pyvis package ships), the map's data as JSON, and the page's own script (templates/map.js):
frozen layout (no physics), labels by zoom, aggregated ties, focus, clusters, filters, saved
views in the URL, PNG/SVG export, A3 print and the workshop capture. Opens with no network."""

from __future__ import annotations

import json
import re
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from markupsafe import Markup

from graphsvc.maps.build import NetworkMap
from graphsvc.maps.style import (
    EDGE_STYLES,
    GROUP_COLOUR,
    LINE_COLOURS,
    OVERLAP_COLOUR,
    PROPOSED_COLOUR,
    STATUS_COLOURS,
    VIS_OPTIONS,
    ZONE_COLOUR,
)
from graphsvc.model import ACTOR_LINES

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
TIE_TYPES = (
    "referral",
    "shared_care",
    "care_coordination",
    "service_coordination",
    "partnership",
    "agreement",
)
_SOURCE_MAP = re.compile(
    r"^\s*(//[#@]\s*sourceMappingURL=.*|/\*[#@]\s*sourceMappingURL=.*\*/)\s*$", re.MULTILINE
)


@cache
def _asset(*parts: str) -> str:
    """A file pyvis ships (vis-network, tom-select), minus source maps."""
    text = resources.files("pyvis").joinpath("templates", "lib", *parts).read_text("utf-8")
    return _inline(_SOURCE_MAP.sub("", text), "/".join(parts))


@cache
def _own(name: str) -> str:
    return _inline((TEMPLATES / name).read_text("utf-8"), name)


def _inline(text: str, name: str) -> str:
    lowered = text.lower()
    if "</script" in lowered or "</style" in lowered:
        raise ValueError(f"asset {name} cannot be inlined")
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


def page_data(network_map: NetworkMap) -> dict[str, Any]:
    """What the page's script gets: vis nodes and edges as drawn by default, and the rest."""
    nodes = []
    for node in network_map.nodes:
        shown = dict(node)
        shown["name"] = node["label"]
        if node["kind"] == "actor" and not node.get("top") and node["id"] != network_map.focus:
            shown["label"] = ""
        nodes.append(shown)
    edges = [{**e, "hidden": bool(e.get("aggregate"))} for e in network_map.edges]
    return {
        "zone": network_map.zone,
        "title": network_map.title,
        "focus": network_map.focus,
        "nodes": nodes,
        "edges": edges,
        "aggregates": network_map.aggregates,
        "proposedNodes": network_map.proposed_nodes,
        "proposedEdges": network_map.proposed_edges,
        "priorities": network_map.priorities,
        "diff": network_map.diff,
        "options": VIS_OPTIONS,
        "tieTypes": list(TIE_TYPES),
        "lines": list(ACTOR_LINES),
        "lineColours": LINE_COLOURS,
        "proposedColour": PROPOSED_COLOUR,
    }


def render_html(network_map: NetworkMap) -> str:
    """The map as one self-contained HTML page (no external scripts, styles or fonts)."""
    data = page_data(network_map)
    years = sorted({e["since"] for e in network_map.edges if e.get("since") is not None})
    fields = sorted(
        {k for n in network_map.nodes if n["kind"] == "actor" for k in n}
        - {"id", "label", "title", "shape", "color", "size", "x", "y", "kind", "font", "top"}
        - {"borderWidth", "betweenness", "degree"}
    )
    template = _environment().get_template("network_map.html")
    return template.render(
        title=network_map.title,
        map=network_map,
        summary=network_map.summary,
        lines=network_map.legend.get("lines", []),
        status_colours=STATUS_COLOURS,
        overlap_colour=OVERLAP_COLOUR,
        zone_colour=ZONE_COLOUR,
        group_colour=GROUP_COLOUR,
        proposed_colour=PROPOSED_COLOUR,
        edge_styles=EDGE_STYLES,
        actors=sorted(
            ((n["label"], n["id"]) for n in network_map.nodes if n["kind"] == "actor"),
            key=lambda c: (c[0].lower(), c[1]),
        ),
        zones=[(n["label"], n["id"]) for n in network_map.nodes if n["kind"] == "zone"],
        fields=fields,
        years=years,
        tie_types=TIE_TYPES,
        actor_lines=ACTOR_LINES,
        data=Markup(_script_json(data)),
        vis_css=Markup(_asset("vis-9.1.2", "vis-network.css")),
        vis_js=Markup(_asset("vis-9.1.2", "vis-network.min.js")),
        map_js=Markup(_own("network_map.js")),
    )


def _script_json(value: Any) -> str:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, separators=(",", ":"), sort_keys=True)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
