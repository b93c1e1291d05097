"""Small geometry for imports: which polygon holds a point, distances on the sphere.

Pure Python on purpose (a few hundred polygons, a few thousand points): bounding boxes first,
then ray casting, holes respected. Invalid polygons (self-touching rings) still answer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Ring = list[tuple[float, float]]  # (lon, lat)


@dataclass
class Area:
    """One feature: its key and polygons (outer ring first, then holes), with a bounding box."""

    key: str
    polygons: list[list[Ring]]
    box: tuple[float, float, float, float]  # min lon, min lat, max lon, max lat

    def contains(self, lon: float, lat: float) -> bool:
        x0, y0, x1, y1 = self.box
        if not (x0 <= lon <= x1 and y0 <= lat <= y1):
            return False
        for rings in self.polygons:
            if _inside(rings[0], lon, lat) and not any(_inside(h, lon, lat) for h in rings[1:]):
                return True
        return False


def _inside(ring: Ring, x: float, y: float) -> bool:
    inside = False
    j = len(ring) - 1
    for i in range(len(ring)):
        xi, yi = ring[i]
        xj, yj = ring[j]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def load_areas(path: Path, key: str) -> list[Area]:
    """The features of a GeoJSON FeatureCollection of (Multi)Polygons, keyed by a property."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    areas = []
    for feature in data.get("features", []):
        geometry: dict[str, Any] = feature.get("geometry") or {}
        coords = geometry.get("coordinates") or []
        polygons = coords if geometry.get("type") == "MultiPolygon" else [coords]
        rings = [
            [[(float(x), float(y)) for x, y, *_ in ring] for ring in poly] for poly in polygons
        ]
        points = [p for poly in rings for ring in poly for p in ring]
        if not points:
            continue
        xs, ys = [p[0] for p in points], [p[1] for p in points]
        box = (min(xs), min(ys), max(xs), max(ys))
        areas.append(Area(str(feature["properties"][key]), rings, box))
    return areas


def locate(areas: list[Area], lat: float, lon: float) -> str | None:
    """The key of the area holding the point, or None."""
    for area in areas:
        if area.contains(lon, lat):
            return area.key
    return None
