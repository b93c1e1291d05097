"""The gap map: a zone's parts as a choropleth of one need's coverage (status and ratio), the
providers as points, a legend, hover details and click-through to each part's own map.

One self-contained HTML page (inline SVG, CSS and a few lines of JavaScript; no tiles, no
CDN), printable, with a PNG export drawn in the browser. Parts are drawn from their display
polygons (graphsvc/io/geometry.py), projected equirectangularly with the longitude scaled by
the cosine of the zone's mean latitude (true shapes at Belgian scale).
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely
from jinja2 import Environment, FileSystemLoader, select_autoescape

from graphsvc.core.directory import get_actors, require_zone, zone_parts
from graphsvc.core.gaps import GapQuery, zone_gaps
from graphsvc.errors import InputError
from graphsvc.io.zone_store import geometries
from graphsvc.store import Store

TEMPLATES = Path(__file__).resolve().parents[1] / "templates"
WIDTH, HEIGHT, MARGIN = 900.0, 640.0, 12.0
# Status colours (colour-blind safe, from ColorBrewer RdYlBu); UNDER is shaded by its ratio.
COLOURS = {
    "MISSING": "#d73027",
    "UNDER": "#fc8d59",
    "COVERED": "#91bfdb",
    "OVER": "#4575b4",
    "NO_DEMAND": "#e0e0e0",
}
UNDER_SHADES = ((0.25, "#f46d43"), (0.5, "#fc8d59"), (0.75, "#fdae61"), (1.01, "#fee090"))
OTHER = "#bdbdbd"  # any other status (a newer one this page does not know)


@dataclass
class Part:
    """One part of the zone as drawn: its gap figures and its SVG path (or none)."""

    id: str
    name: str
    status: str
    ratio: float | None
    demand: int
    supply: float
    providers: int
    colour: str
    path: str | None
    has_parts: bool


@dataclass
class GapMap:
    """Everything the page shows, as plain values."""

    zone_id: str
    zone_name: str
    need: str
    parts: list[Part]
    providers: list[dict[str, Any]]
    legend: list[tuple[str, str]]
    unmapped: list[Part] = field(default_factory=list)  # parts without a polygon

    @property
    def filled(self) -> int:
        return sum(1 for p in self.parts if p.path)


def colour_of(status: str, ratio: float | None) -> str:
    """The fill of a part: its status colour, UNDER shaded by how far below target it is."""
    if status == "UNDER" and ratio is not None:
        return next(c for limit, c in UNDER_SHADES if ratio < limit)
    return COLOURS.get(status, OTHER)


def gap_map(store: Store, zone_id: str, need: str | None) -> GapMap:
    """The gap map of a zone's direct parts for one need (NotFound, InputError)."""
    if not need:
        raise InputError(["argument need: required (a need type code, e.g. nursing-care)"])
    zone = require_zone(store, zone_id)
    rows = {r.zone: r for r in zone_gaps(store, zone_id, GapQuery(zone_id, (need,)))}
    parts = zone_parts(store, [zone_id]).get(zone_id, [])
    if not parts:
        parts = [zone]  # a finest zone: the map is the zone itself
    grand = zone_parts(store, [p.id for p in parts])
    shapes = geometries(store, [p.id for p in parts])
    geoms = {zid: shapely.from_geojson(r["display"] or r["geometry"]) for zid, r in shapes.items()
             if r.get("geometry")}  # fmt: skip
    project = _projection(list(geoms.values()))
    drawn, unmapped = [], []
    provider_ids: dict[str, dict[str, Any]] = {}
    for part in sorted(parts, key=lambda p: p.name):
        row = rows.get(part.id)
        status = row.status if row else "NO_DEMAND"
        ratio = row.ratio if row and math.isfinite(row.ratio) else None
        item = Part(part.id, part.name, status, ratio, row.demand if row else 0,
                    round(row.supply, 2) if row else 0.0, row.providers if row else 0,
                    colour_of(status, ratio), None, bool(grand.get(part.id)))  # fmt: skip
        if row:
            for c in row.contributions:
                entry = provider_ids.setdefault(c.actor, {"services": set(), "capacity": 0})
                if c.service not in entry["services"]:
                    entry["services"].add(c.service)
                    entry["capacity"] += c.capacity
        if part.id in geoms and project:
            item.path = _svg_path(geoms[part.id], project)
            drawn.append(item)
        else:
            unmapped.append(item)
    actors = get_actors(store, sorted(provider_ids))
    providers = []
    for aid, entry in sorted(provider_ids.items()):
        actor = actors.get(aid)
        if actor is None or actor.lat is None or actor.lon is None or not project:
            continue
        x, y = project(actor.lon, actor.lat)
        providers.append({"id": aid, "name": actor.name, "x": round(x, 1), "y": round(y, 1),
                          "capacity": entry["capacity"],
                          "services": len(entry["services"])})  # fmt: skip
    legend = [(s, COLOURS[s]) for s in ("MISSING", "UNDER", "COVERED", "OVER", "NO_DEMAND")]
    return GapMap(zone.id, zone.name, need, drawn, providers, legend, unmapped)


def _projection(shapes: list[Any]) -> Any:
    """lon, lat -> SVG x, y fitting all shapes in the drawing, or None without shapes."""
    if not shapes:
        return None
    x0, y0, x1, y1 = shapely.union_all([shapely.envelope(s) for s in shapes]).bounds
    k = math.cos(math.radians((y0 + y1) / 2))
    width, height = max((x1 - x0) * k, 1e-9), max(y1 - y0, 1e-9)
    scale = min((WIDTH - 2 * MARGIN) / width, (HEIGHT - 2 * MARGIN) / height)
    dx = (WIDTH - width * scale) / 2
    dy = (HEIGHT - height * scale) / 2

    def project(lon: float, lat: float) -> tuple[float, float]:
        return dx + (lon - x0) * k * scale, dy + (y1 - lat) * scale

    return project


def _svg_path(geom: Any, project: Any) -> str:
    """An SVG path (even-odd rings) of a (Multi)Polygon."""
    out = []
    polygons = getattr(geom, "geoms", [geom])
    for polygon in polygons:
        if polygon.geom_type != "Polygon":
            continue
        for ring in (polygon.exterior, *polygon.interiors):
            points = [project(x, y) for x, y in ring.coords]
            out.append("M" + "L".join(f"{x:.1f},{y:.1f}" for x, y in points) + "Z")
    return "".join(out)


def render_gap_map(found: GapMap, base: str = "/maps/gaps/") -> str:
    """The self-contained HTML page of a gap map."""
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
    details = {p.id: {"name": p.name, "status": p.status, "ratio": p.ratio, "demand": p.demand,
                      "supply": p.supply, "providers": p.providers}
               for p in found.parts + found.unmapped}  # fmt: skip
    return env.get_template("gap_map.html").render(
        map=found, width=int(WIDTH), height=int(HEIGHT), base=base,
        details=json.dumps(details).replace("</", "<\\/"),
        title=html.unescape(f"Gaps for {found.need} in {found.zone_name}"),
    )  # fmt: skip
