"""Zones with their polygons as a GeoJSON FeatureCollection (`graphsvc export zones`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import shapely
from shapely.geometry import mapping

from graphsvc.io.geometry import simplified
from graphsvc.store import Store


def zone_features(
    store: Store, level: str | None = None, simplify_m: float | None = None
) -> dict[str, Any]:
    """A FeatureCollection of zones (a zone without a polygon is a Point at its centroid, or
    has no geometry); properties: id, name, level, population, population_estimated, parent,
    aliases."""
    features = []
    for row in store.run("list_zone_export", level=level):
        geometry: Any = None
        if row["geometry"]:
            geometry = json.loads(row["geometry"])
            if simplify_m:
                geometry = mapping(simplified(shapely.from_geojson(row["geometry"]), simplify_m))
        elif row["lat"] is not None and row["lon"] is not None:
            geometry = {"type": "Point", "coordinates": [row["lon"], row["lat"]]}
        features.append({"type": "Feature", "id": row["id"], "geometry": geometry,
                         "properties": {"id": row["id"], "name": row["name"],
                                        "level": row["level"], "population": row["population"],
                                        "population_estimated": row["estimated"],
                                        "parent": row["parent"],
                                        "aliases": row["aliases"] or []}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def write_zones_geojson(
    store: Store, path: Path, level: str | None = None, simplify_m: float | None = None
) -> int:
    """Write the zones as GeoJSON; return how many."""
    collection = zone_features(store, level, simplify_m)
    Path(path).write_text(json.dumps(collection, separators=(",", ":")), encoding="utf-8")
    return len(collection["features"])
