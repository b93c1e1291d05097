"""`graphsvc import zones FILE`: a finer partition (statistical sectors, neighbourhoods) from a
CSV table or a GeoJSON FeatureCollection (columns are the features' properties).

Every row becomes a zone under its parent: the parent column's value (with --parent-prefix)
names an existing zone, a zone of the same file, or an older code of a zone (a merged 2019
municipality resolves to its 2025 one, and the report says so); without a parent value, a
polygon's parent is the finest existing zone holding it (containment). A zone whose id exists
is updated, not duplicated. Problems (unknown parent, duplicate code, unusable polygon, a part
outside its parent, bad numbers) are all collected with file, row (feature) and field, and
nothing is written if there is any. Invalid but repairable polygons are repaired with
`make_valid` and reported.

Population: a part without a figure gets an estimate from its parent's population, less the
parts of the same file that have figures, shared in proportion to the weight column (e.g.
dwellings or area_km2) or else to the polygon's area, rounded so the parts add up exactly. The
zone is marked `population_estimated` with how ("area share of be-nis-24062").
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import shapely

from graphsvc.errors import InputError
from graphsvc.io.belgium import alias_note
from graphsvc.io.bundle import Bundle, bundle_from_records, store_lookup
from graphsvc.io.geometry import (
    ShapeError,
    area_km2,
    polygon_from_geojson,
    read_features,
    shape_rows,
)
from graphsvc.io.mapping import ImportReport, read_csv_records
from graphsvc.io.zone_store import geometries, resolve_aliases, zone_index
from graphsvc.model import ZONE_LEVELS
from graphsvc.store import Row, Store

_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
LAT_COLUMNS = ("lat", "latitude", "centroid_lat", "y")
LON_COLUMNS = ("lon", "lng", "longitude", "centroid_lon", "x")
INSIDE_SHARE = 0.95  # a polygon part must lie at least this much inside its parent
POINT_SLACK_KM = 0.5  # a centroid this close to its parent's border still counts as inside


@dataclass
class ZoneColumns:
    """Which columns (properties) hold what, and how ids are made."""

    id: str
    name: str
    parent: str | None = None
    population: str | None = None
    weight: str | None = None
    level: str = "statistical_sector"
    id_prefix: str = ""
    parent_prefix: str = ""
    lat: str | None = None
    lon: str | None = None
    locate_unknown: bool = False  # an unknown parent code: find the parent by containment


@dataclass
class ZoneImport:
    """A checked zone file: the bundle of zones, their polygons and population estimates."""

    bundle: Bundle
    shapes: list[Row]
    estimates: list[Row]
    report: ImportReport
    new: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        head = [f"zones: {len(self.new):,} new, {len(self.updated):,} updated (same id)"]
        estimated = sum(1 for e in self.estimates if e["method"])
        if estimated:
            head.append(f"population estimated for {estimated:,} zones (marked estimated)")
        return head + self.report.lines()


def _read(path: Path, cols: ZoneColumns, problems: list[str]) -> list[tuple[str, dict, Any]]:
    """(where, properties, geometry or None) per row or feature."""
    if path.suffix.lower() in (".geojson", ".json"):
        try:
            features = read_features(path)
        except ShapeError as exc:
            problems.append(str(exc))
            return []
        out = []
        for n, feature in enumerate(features, start=1):
            where = f"{path.name} feature {n}"
            if not isinstance(feature, dict) or not isinstance(feature.get("properties"), dict):
                problems.append(f"{where}: not a Feature with properties")
                continue
            props = {k: "" if v is None else str(v) for k, v in feature["properties"].items()}
            out.append((where, props, feature.get("geometry")))
        needed = [c for c in _named(cols) if features and not any(c in p for _, p, _ in out)]
        if needed:
            problems.append(f"{path.name}: no feature has the property(ies) {', '.join(needed)}")
        return out
    return [(f"{path.name} row {n}", row, None)
            for n, row in read_csv_records(path, problems, tuple(_named(cols)))]  # fmt: skip


def _named(cols: ZoneColumns) -> list[str]:
    return [c for c in (cols.id, cols.name, cols.parent, cols.population, cols.weight) if c]


def _number(value: str, where: str, column: str, problems: list[str]) -> float | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number) or number < 0:
        problems.append(f"{where} field {column}: {value[:40]!r} is not a number >= 0")
        return None
    return number


def read_zone_file(path: Path, cols: ZoneColumns, store: Store) -> ZoneImport:
    """Read and check a zone file against the database; raise InputError naming every
    problem. Nothing is written here (see `write_zone_import`)."""
    path = Path(path)
    problems: list[str] = []
    if not path.is_file():
        raise InputError([f"{path}: no such file"])
    if cols.level not in ZONE_LEVELS:
        raise InputError(
            [f"argument --level: {cols.level!r} is not one of {', '.join(ZONE_LEVELS)}"]
        )
    report = ImportReport(str(path))
    rows = _read(path, cols, problems)
    if problems:
        raise InputError(problems)
    report.read["zone"] = len(rows)
    header = set().union(*(r[1].keys() for r in rows)) if rows else set()
    lat_col = cols.lat or next((c for c in LAT_COLUMNS if c in header), None)
    lon_col = cols.lon or next((c for c in LON_COLUMNS if c in header), None)

    seen: dict[str, str] = {}
    parsed: list[dict[str, Any]] = []
    for where, props, geometry in rows:
        raw_id = (props.get(cols.id) or "").strip()
        zid = f"{cols.id_prefix}{raw_id}"
        if not raw_id or not _ID.match(zid):
            problems.append(f"{where} field {cols.id}: {raw_id[:40]!r} is not a valid code")
            continue
        if zid in seen:
            problems.append(f"{where} field {cols.id}: duplicate code {raw_id!r} "
                            f"(also {seen[zid]})")  # fmt: skip
            continue
        seen[zid] = where
        name = (props.get(cols.name) or "").strip()
        if not name:
            problems.append(f"{where} field {cols.name}: required, but empty")
        raw_parent = (props.get(cols.parent) or "").strip() if cols.parent else ""
        shape = None
        if geometry is not None:
            try:
                shape, repaired = polygon_from_geojson(geometry)
            except ShapeError as exc:
                problems.append(f"{where} field geometry: {exc}")
            else:
                if repaired:
                    report.note("invalid polygon repaired (make_valid)", where)
        elif path.suffix.lower() in (".geojson", ".json"):
            problems.append(f"{where} field geometry: missing")
        lat = _number(props.get(lat_col, ""), where, lat_col, problems) if lat_col else None
        lon = _number(props.get(lon_col, ""), where, lon_col, problems) if lon_col else None
        if shape is not None and (lat is None or lon is None):
            point = shape.representative_point()
            lat, lon = round(point.y, 6), round(point.x, 6)
        if lat is not None and not -90 <= lat <= 90:
            problems.append(f"{where} field {lat_col}: {lat:g} is outside -90 to 90")
        people = weight = None
        if cols.population:
            people = _number(props.get(cols.population, ""), where, cols.population, problems)
        if cols.weight:
            weight = _number(props.get(cols.weight, ""), where, cols.weight, problems)
        parsed.append({"where": where, "id": zid, "name": name, "parent_raw": raw_parent,
                       "shape": shape, "lat": lat, "lon": lon, "people": people,
                       "weight": weight})  # fmt: skip
    if problems:
        raise InputError(problems)

    _resolve_parents(parsed, cols, store, report, problems)
    if problems:
        raise InputError(problems)
    parent_geoms = geometries(store, sorted({p["parent"] for p in parsed} - set(seen)))
    parent_info = _parents(store, sorted({p["parent"] for p in parsed}))
    _check_inside(parsed, parent_geoms, problems, report)
    estimates = _estimate(parsed, parent_info, cols, report, problems)
    if problems:
        raise InputError(problems)

    existing = store_lookup(store)
    known = existing("zones", set(seen))
    records = {"zones": [(p["where"], {
        "id": p["id"], "name": p["name"][:200], "level": cols.level,
        "population": None if p["people"] is None else round(p["people"]),
        "lat": p["lat"], "lon": p["lon"], "part_of": p["parent"]}) for p in parsed]}  # fmt: skip
    for _, row in records["zones"]:
        if row["id"] in estimates:
            row["population"] = estimates[row["id"]]["population"]
    marks = [
        estimates.get(row["id"])
        or {"id": row["id"], "population": row["population"], "method": None}
        for _, row in records["zones"]
    ]
    bundle = bundle_from_records(path, records, [], existing)
    with_shape = [p for p in parsed if p["shape"] is not None]
    shapes = shape_rows([p["id"] for p in with_shape], [p["shape"] for p in with_shape])
    report.mapped["zone"] = len(parsed)
    if shapes:
        report.mapped["polygon"] = len(shapes)
    return ZoneImport(bundle, shapes, marks, report,
                      new=sorted(set(seen) - known), updated=sorted(known))  # fmt: skip


def _resolve_parents(
    parsed: list[dict[str, Any]],
    cols: ZoneColumns,
    store: Store,
    report: ImportReport,
    problems: list[str],
) -> None:
    """Set each row's `parent`: by code (aliases resolved), else by containment."""
    in_file = {p["id"] for p in parsed}
    wanted = {f"{cols.parent_prefix}{p['parent_raw']}" for p in parsed if p["parent_raw"]}
    in_db = store_lookup(store)("zones", wanted - in_file)
    aliases = resolve_aliases(store, wanted - in_file - in_db)
    levels = _levels(store, {p for p in (wanted & in_db) | set(aliases.values())})
    located: dict[bool, Any] = {}
    for p in parsed:
        if p["parent_raw"]:
            code = f"{cols.parent_prefix}{p['parent_raw']}"
            if code in in_file or code in in_db:
                p["parent"] = code
                continue
            if code in aliases:
                p["parent"] = aliases[code]
                report.note(alias_note(code, aliases[code]), p["where"])
                continue
            if not cols.locate_unknown or (p["shape"] is None and p["lat"] is None):
                problems.append(f"{p['where']} field {cols.parent}: unknown parent "
                                f"{p['parent_raw']!r} (no zone {code!r})")  # fmt: skip
                continue
        elif p["shape"] is None and (p["lat"] is None or not cols.locate_unknown):
            field_name = cols.parent or "--parent-column"
            problems.append(f"{p['where']} field {field_name}: no parent code and no polygon "
                            "to find it by containment")  # fmt: skip
            continue
        same_level = bool(p["parent_raw"]) and bool(levels)
        if same_level not in located:
            located[same_level] = zone_index(store, exclude=in_file,
                                             levels=levels if same_level else None)  # fmt: skip
        point = p["shape"].representative_point() if p["shape"] is not None else None
        lat, lon = (point.y, point.x) if point is not None else (p["lat"], p["lon"])
        found = located[same_level].place([(lat, lon)])[0]
        field_name = "geometry" if point is not None else "lat, lon"
        if found is None:
            problems.append(f"{p['where']} field {field_name}: outside every zone (no parent "
                            "found by containment)")  # fmt: skip
            continue
        p["parent"] = found
        if p["parent_raw"]:
            report.note(f"unknown parent code: parent found by containment "
                        f"({p['parent_raw']} -> {found})", p["where"])  # fmt: skip
        else:
            report.note("parent found by containment", p["where"])


def _levels(store: Store, ids: set[str]) -> set[str]:
    from graphsvc.core.directory import get_zones

    return {z.level for z in get_zones(store, sorted(ids)).values()} if ids else set()


def _parents(store: Store, ids: list[str]) -> dict[str, Row]:
    from graphsvc.core.directory import get_zones

    return {zid: {"population": z.population, "level": z.level}
            for zid, z in get_zones(store, ids).items()}  # fmt: skip


def _check_inside(
    parsed: list[dict[str, Any]],
    parent_geoms: dict[str, Row],
    problems: list[str],
    report: ImportReport,
) -> None:
    """A polygon part must lie inside its parent (INSIDE_SHARE of its area). A row with only a
    point (a centroid: a label, not the shape; a concave part's centroid may lie outside it)
    more than POINT_SLACK_KM outside its parent is reported, not refused."""
    shapes = {}
    for zid, row in parent_geoms.items():
        if row.get("geometry"):
            shapes[zid] = shapely.from_geojson(row["geometry"])
            shapely.prepare(shapes[zid])
    for p in parsed:
        parent = shapes.get(p["parent"])
        if parent is None:
            continue
        if p["shape"] is not None:
            if parent.covers(p["shape"]):  # prepared: the usual case, without an overlay
                continue
            inside = p["shape"].intersection(parent).area / max(p["shape"].area, 1e-18)
            if inside < INSIDE_SHARE:
                problems.append(f"{p['where']} field geometry: a part outside its parent "
                                f"{p['parent']} (only {inside:.0%} of it inside)")  # fmt: skip
        elif p["lat"] is not None and p["lon"] is not None:
            point = shapely.Point(p["lon"], p["lat"])
            km = parent.distance(point) * 111.32
            if km > POINT_SLACK_KM:
                report.note(f"centroid more than {POINT_SLACK_KM} km outside its parent "
                            "(kept: the parent code decides)", p["where"])  # fmt: skip


def _estimate(
    parsed: list[dict[str, Any]],
    parents: dict[str, Row],
    cols: ZoneColumns,
    report: ImportReport,
    problems: list[str],
) -> dict[str, Row]:
    """id -> {id, population, method} for the parts without a population figure."""
    by_parent: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for p in parsed:
        by_parent[p["parent"]].append(p)
    out: dict[str, Row] = {}
    for parent, parts in sorted(by_parent.items()):
        unknown = [p for p in parts if p["people"] is None]
        total = (parents.get(parent) or {}).get("population")
        if not unknown or total is None:
            continue
        left = max(int(total) - int(sum(p["people"] or 0 for p in parts)), 0)
        if cols.weight:
            weights = [p["weight"] for p in unknown]
            how = f"{cols.weight} share of {parent}"
        else:
            weights = [area_km2(p["shape"]) if p["shape"] is not None else None for p in unknown]
            how = f"area share of {parent}"
        if any(w is None for w in weights) or not sum(w or 0 for w in weights):
            where = next(p["where"] for p, w in zip(unknown, weights, strict=True) if not w)
            column = cols.weight or "geometry"
            problems.append(f"{where} field {column}: no weight or area to estimate the "
                            f"population from {parent}")  # fmt: skip
            continue
        shares = _largest_remainder(left, [float(w or 0) for w in weights])
        for p, people in zip(unknown, shares, strict=True):
            out[p["id"]] = {"id": p["id"], "population": people, "method": how}
        report.note("population estimated from the parent", unknown[0]["where"])
    return out


def _largest_remainder(total: int, weights: list[float]) -> list[int]:
    """Whole numbers proportional to weights that add up to total exactly."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    floors = [math.floor(x) for x in exact]
    rest = total - sum(floors)
    order = sorted(range(len(weights)), key=lambda i: (floors[i] - exact[i], i))
    for i in order[:rest]:
        floors[i] += 1
    return floors


def write_zone_import(store: Store, imported: ZoneImport, write: Any = None) -> None:
    """Write a checked zone import: the zones (through `write`, default write_bundle), then
    their polygons and estimates."""
    from graphsvc.io.bundle import write_bundle
    from graphsvc.io.zone_store import write_estimates, write_shapes

    if write is None:
        write_bundle(store, imported.bundle)
    else:
        write(imported.bundle)
    write_shapes(store, imported.shapes)
    write_estimates(store, imported.estimates)
