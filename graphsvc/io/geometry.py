"""Zone shapes: valid WGS84 polygons, their display copy, a spatial index, service areas.

Shapely does the geometry. A zone's polygon is stored with the zone as GeoJSON text
(`Zone.geometry`, coordinates rounded to 6 decimals, about 0.1 m) with a simplified copy for
display (`Zone.geometry_display`, DISPLAY_TOLERANCE_M). Invalid source polygons are repaired
with `shapely.make_valid` (and the repair is reported by the caller).

`ZoneIndex` is an STRtree over the stored zone polygons: `place` gives each point the finest
zone (deepest in the PART_OF tree) whose polygon holds it, or None when it is outside every
zone. `covered_zones` intersects a service area with the finest zones: a zone is covered when
at least `min_share` of its area lies inside the service area (MIN_OVERLAP_SHARE by default).
Areas are compared in degrees squared scaled by cos(latitude), which is exact enough for
shares inside one country.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from graphsvc.errors import InputError

PRECISION = 6  # decimals kept in stored coordinates
DISPLAY_TOLERANCE_M = 50.0  # simplification of the display copy, metres
MIN_OVERLAP_SHARE = 0.5  # share of a zone's area a service area must hold to cover it
METRES_PER_DEGREE = 111_320.0
POLYGONAL = ("Polygon", "MultiPolygon")


class ShapeError(ValueError):
    """A geometry that cannot be used as a zone's polygon (the message says why)."""


def polygon_from_geojson(geometry: Any) -> tuple[BaseGeometry, bool]:
    """A (Multi)Polygon from a GeoJSON geometry (dict or text), valid, and whether it was
    repaired. Raises ShapeError for anything else (points, lines, bad coordinates, empty)."""
    if isinstance(geometry, str):
        try:
            geometry = json.loads(geometry)
        except ValueError:
            raise ShapeError("geometry is not JSON") from None
    if not isinstance(geometry, dict) or geometry.get("type") not in POLYGONAL:
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise ShapeError(f"geometry is a {kind}, not a Polygon or MultiPolygon")
    try:
        found = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException):
        raise ShapeError("geometry has malformed coordinates") from None
    if found.is_empty:
        raise ShapeError("geometry is empty")
    x0, y0, x1, y1 = found.bounds
    if not (-180 <= x0 <= x1 <= 180 and -90 <= y0 <= y1 <= 90):
        raise ShapeError("geometry is not in WGS84 degrees (longitude, latitude)")
    if found.is_valid:
        return found, False
    repaired = polygonal(shapely.make_valid(found))
    if repaired.is_empty:
        raise ShapeError("geometry is invalid and has no area once repaired")
    return repaired, True


def polygonal(geom: BaseGeometry) -> BaseGeometry:
    """Only the polygon parts of a geometry (make_valid and intersections may add lines)."""
    if geom.geom_type in POLYGONAL:
        return geom
    parts = [g for g in getattr(geom, "geoms", []) if g.geom_type in POLYGONAL]
    return shapely.union_all(parts) if parts else shapely.Polygon()


def to_geojson(geom: BaseGeometry) -> str:
    """Compact GeoJSON text with coordinates rounded to PRECISION decimals."""
    return geojson_texts([geom])[0]


def geojson_texts(geoms: Sequence[BaseGeometry]) -> list[str]:
    """GeoJSON texts of many geometries at once (GEOS writer), coordinates rounded to
    PRECISION decimals; a shape that rounding would make invalid is snapped with
    set_precision instead, and a sliver smaller than the grid kept as it is."""
    arr = np.asarray(geoms, dtype=object)
    rounded = shapely.transform(arr, lambda xy: np.round(xy, PRECISION))
    bad = ~shapely.is_valid(rounded)
    for i in np.flatnonzero(bad).tolist():
        snapped = shapely.set_precision(arr[i], 10**-PRECISION)
        rounded[i] = snapped if not snapped.is_empty else arr[i]
    return [str(t) for t in shapely.to_geojson(rounded)]


def simplified(geom: BaseGeometry, metres: float) -> BaseGeometry:
    """A copy for display, simplified to about `metres` (topology kept, never empty)."""
    if metres <= 0:
        return geom
    thinner = geom.simplify(metres / METRES_PER_DEGREE, preserve_topology=True)
    return thinner if not thinner.is_empty else geom


MAX_SIMPLIFY_M = 100_000.0


def geojson_value(text: str, simplify_m: float | None = None, argument: str = "simplify") -> Any:
    """A stored GeoJSON text as a value, simplified to about `simplify_m` metres if given."""
    if simplify_m is None or simplify_m == 0:
        return json.loads(text)
    if not math.isfinite(simplify_m) or not 0 < simplify_m <= MAX_SIMPLIFY_M:
        raise InputError([f"argument {argument}: {simplify_m:g} is not a tolerance in metres "
                          f"(0 to {MAX_SIMPLIFY_M:g})"])  # fmt: skip
    return mapping(simplified(shapely.from_geojson(text), simplify_m))


def area_km2(geom: BaseGeometry) -> float:
    """Approximate area in km² (degrees scaled at the shape's mean latitude)."""
    if geom.is_empty:
        return 0.0
    lat = (geom.bounds[1] + geom.bounds[3]) / 2
    scale = (METRES_PER_DEGREE / 1000) ** 2 * math.cos(math.radians(lat))
    return geom.area * scale


def shape_row(zone_id: str, geom: BaseGeometry) -> dict[str, Any]:
    """The row `set_zone_shapes` stores for one zone."""
    return shape_rows([zone_id], [geom])[0]


def shape_rows(ids: Sequence[str], geoms: Sequence[BaseGeometry]) -> list[dict[str, Any]]:
    """The rows `set_zone_shapes` stores: polygon, display copy and area of each zone."""
    full = geojson_texts(geoms)
    tolerance = DISPLAY_TOLERANCE_M / METRES_PER_DEGREE
    thin = shapely.simplify(np.asarray(geoms, dtype=object), tolerance, preserve_topology=True)
    thin = [t if not t.is_empty else g for t, g in zip(thin, geoms, strict=True)]
    display = geojson_texts(thin)
    return [{"id": zid, "geometry": f, "display": d, "area_km2": round(area_km2(g), 4)}
            for zid, g, f, d in zip(ids, geoms, full, display, strict=True)]  # fmt: skip


def read_features(path: Path) -> list[dict[str, Any]]:
    """The features of a GeoJSON FeatureCollection file (ShapeError when it is not one)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise ShapeError(
            f"{path}: not a readable GeoJSON file ({exc.__class__.__name__})"
        ) from None
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise ShapeError(f"{path}: not a GeoJSON FeatureCollection")
    features = data.get("features")
    if not isinstance(features, list):
        raise ShapeError(f"{path}: FeatureCollection without a features list")
    return features


# ------------------------------------------------------------------------------------ index
@dataclass
class ZoneIndex:
    """An STRtree over zone polygons, with each zone's depth in the zone tree."""

    ids: list[str]
    shapes: list[BaseGeometry]
    depth: list[int]
    tree: shapely.STRtree = field(init=False)
    _array: np.ndarray = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.tree = shapely.STRtree(self.shapes)
        self._array = np.asarray(self.shapes, dtype=object)
        shapely.prepare(self._array)

    @classmethod
    def from_rows(cls, rows: Iterable[dict[str, Any]]) -> ZoneIndex:
        """From `list_zone_shapes` rows (id, geometry, depth)."""
        ids, shapes, depth = [], [], []
        for row in rows:
            if not row.get("geometry"):
                continue
            ids.append(row["id"])
            shapes.append(shapely.from_geojson(row["geometry"]))
            depth.append(int(row.get("depth") or 0))
        return cls(ids, shapes, depth)

    def __len__(self) -> int:
        return len(self.ids)

    def place(self, points: Sequence[tuple[float, float]]) -> list[str | None]:
        """For each (lat, lon): the id of the deepest zone holding it, or None (outside)."""
        if not points or not self.ids:
            return [None] * len(points)
        arr = np.asarray(points, dtype=float)
        lat, lon = arr[:, 0], arr[:, 1]
        # bounding boxes from the tree, then an exact test on the prepared polygons
        point_at, zone_at = self.tree.query(shapely.points(lon, lat))
        if len(point_at):
            hit = shapely.intersects_xy(self._array[zone_at], lon[point_at], lat[point_at])
            point_at, zone_at = point_at[hit], zone_at[hit]
        best = np.full(len(points), -1, dtype=np.int64)
        if len(point_at):
            depth = np.asarray(self.depth, dtype=np.int64)[zone_at]
            order = np.lexsort((depth, point_at))  # by point, then depth: deepest last
            points_sorted, zones_sorted = point_at[order], zone_at[order]
            last = np.r_[points_sorted[1:] != points_sorted[:-1], True]
            best[points_sorted[last]] = zones_sorted[last]
        return [self.ids[i] if i >= 0 else None for i in best.tolist()]


def covered_zones(
    area: BaseGeometry, index: ZoneIndex, min_share: float = MIN_OVERLAP_SHARE
) -> list[tuple[str, float]]:
    """The zones of `index` that `area` covers: (zone id, share of the zone's area inside the
    service area), share >= min_share, sorted by id."""
    if area.is_empty or not len(index):
        return []
    found = []
    for i in sorted(set(index.tree.query(area, predicate="intersects").tolist())):
        zone = index.shapes[i]
        if zone.area <= 0:
            continue
        share = polygonal(zone.intersection(area)).area / zone.area
        if share >= min_share:
            found.append((index.ids[i], round(share, 4)))
    return sorted(found)
