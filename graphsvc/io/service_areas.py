"""Service areas as shapes, and older zone codes, applied to an imported directory source.

After an HSDS or FHIR source is mapped (graphsvc/io/hsds.py, fhir.py) and before it is
written, `apply_geography`:
- resolves zone ids that are older codes of a zone (a service area or coverage area naming a
  merged 2019 municipality, `be-nis-23023`, becomes `be-nis-23106`), and drops the placeholder
  zones the mapping made for them;
- turns service-area polygons into COVERS: HSDS `service_area.extent` (GeoJSON; extent_type
  geojson or empty), a bundle folder's `service_areas.geojson` (features with a `service`
  property) and FHIR coverage-area Locations carrying a GeoJSON boundary (extension
  `location-boundary-geojson`, base64 attachment) cover the finest zones with a polygon of
  which at least MIN_OVERLAP_SHARE (half) of the area lies inside the service area
  (geometry.covered_zones); a service whose area covers no zone keeps what the mapping gave it;
  placeholder zones no longer referenced are dropped.
Everything is reported in the import's report.
"""

from __future__ import annotations

import base64
import json
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle import Bundle
from graphsvc.io.geometry import (
    MIN_OVERLAP_SHARE,
    ShapeError,
    ZoneIndex,
    covered_zones,
    polygon_from_geojson,
    read_features,
)
from graphsvc.io.mapping import Imported, ImportReport, prefixed, slug
from graphsvc.io.zone_store import resolve_aliases, zone_index
from graphsvc.store import Row, Store

BOUNDARY_EXTENSION = "http://hl7.org/fhir/StructureDefinition/location-boundary-geojson"
ZONE_REFS = (("actors", "zone"), ("zones", "part_of"), ("zone_needs", "zone"))


def hsds_extents(path: Path, prefix: str | None) -> dict[str, list[tuple[str, Any]]]:
    """Service id (as the HSDS mapping names it) -> [(where, GeoJSON geometry)] of its
    service areas with an extent."""
    from graphsvc.io.hsds import read_hsds

    problems: list[str] = []
    tables, title = read_hsds(Path(path), problems)
    prefix = slug(title) if prefix is None else prefix
    out: dict[str, list[tuple[str, Any]]] = {}
    nested: Counter[str] = Counter()  # a JSON service's areas share one `where`: number them
    for where, row in tables.get("service_area", []):
        if " row " not in where:
            nested[where] += 1
            where = f"{where}[{nested[where] - 1}]"
        extent, kind = row.get("extent"), str(row.get("extent_type") or "").lower()
        if not extent or kind not in ("", "geojson"):
            continue
        sid = prefixed(prefix, row.get("service_id"))
        if sid:
            out.setdefault(sid, []).append((f"{where} field extent", extent))
    return out


def fhir_extents(path: Path, prefix: str | None) -> dict[str, list[tuple[str, Any]]]:
    """HealthcareService id (as the FHIR mapping names it) -> [(where, GeoJSON geometry)] of
    its coverage-area Locations with a GeoJSON boundary."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        return {}
    prefix = slug(Path(path).stem) if prefix is None else prefix
    entries = [e.get("resource") or {} for e in data.get("entry") or [] if isinstance(e, dict)]
    boundaries: dict[str, Any] = {}
    for resource in entries:
        if resource.get("resourceType") != "Location":
            continue
        for ext in resource.get("extension") or []:
            if ext.get("url") == BOUNDARY_EXTENSION:
                raw = (ext.get("valueAttachment") or {}).get("data")
                try:
                    boundaries[str(resource.get("id"))] = json.loads(base64.b64decode(raw or ""))
                except ValueError:
                    boundaries[str(resource.get("id"))] = "not base64 GeoJSON"
    out: dict[str, list[tuple[str, Any]]] = {}
    for n, resource in enumerate(entries):
        if resource.get("resourceType") != "HealthcareService":
            continue
        sid = prefixed(prefix, resource.get("id"))
        for ref in resource.get("coverageArea") or []:
            lid = str(ref.get("reference", "")).removeprefix("Location/")
            if sid and lid in boundaries:
                where = f"{Path(path).name} entry {n} coverageArea Location/{lid}"
                out.setdefault(sid, []).append((where, boundaries[lid]))
    return out


def _keep_zones(bundle: Bundle, keep: set[str]) -> int:
    """Keep only the zones of the bundle in `keep` (their origins too); return how many left."""
    rows = bundle.tables.get("zones", [])
    kept = [i for i, z in enumerate(rows) if z["id"] in keep]
    for extra in (bundle.origins, bundle.lines):
        if "zones" in extra and len(extra["zones"]) == len(rows):
            extra["zones"] = [extra["zones"][i] for i in kept]
    bundle.tables["zones"] = [rows[i] for i in kept]
    return len(rows) - len(kept)


BUNDLE_AREAS = "service_areas.geojson"


def bundle_extents(folder: Path, services: set[str]) -> dict[str, list[tuple[str, Any]]]:
    """A bundle folder's optional `service_areas.geojson` (features with a `service` property
    naming a service of the bundle, and a polygon) -> service id -> [(where, geometry)].
    Raises InputError naming the feature when one does not fit."""
    path = Path(folder) / BUNDLE_AREAS
    if not path.is_file():
        return {}
    try:
        features = read_features(path)
    except ShapeError as exc:
        raise InputError([str(exc)]) from None
    problems: list[str] = []
    out: dict[str, list[tuple[str, Any]]] = {}
    for n, feature in enumerate(features, start=1):
        where = f"{path.name} feature {n}"
        props = feature.get("properties") if isinstance(feature, dict) else None
        sid = str((props or {}).get("service") or "")
        if sid not in services:
            problems.append(f"{where} field service: {sid[:40]!r} is not a service of the bundle")
            continue
        try:
            polygon_from_geojson(feature.get("geometry"))
        except ShapeError as exc:
            problems.append(f"{where} field geometry: {exc}")
            continue
        out.setdefault(sid, []).append((where, feature["geometry"]))
    if problems:
        raise InputError(problems)
    return out


def resolve_bundle_aliases(store: Store, bundle: Bundle, report: ImportReport) -> None:
    """Replace zone ids that are older codes by their current zone, in place."""
    tables = bundle.tables
    ids = {z["id"] for z in tables.get("zones", [])}
    refs = {r[c] for t, c in ZONE_REFS for r in tables.get(t, []) if r.get(c)}
    refs |= {z for s in tables.get("services", []) for z in s.get("covers") or []}
    aliases = resolve_aliases(store, (ids | refs) - {None})
    if not aliases:
        return
    for table, column in ZONE_REFS:
        for row in tables.get(table, []):
            if row.get(column) in aliases:
                row[column] = aliases[row[column]]
    for service in tables.get("services", []):
        covers = [aliases.get(z, z) for z in service.get("covers") or []]
        if covers != service.get("covers"):
            report.note(f"zone named by an older code, mapped to its current zone "
                        f"({', '.join(sorted(set(service['covers']) & set(aliases)))})",
                        f"service {service['id']}")  # fmt: skip
        service["covers"] = list(dict.fromkeys(covers))
    _keep_zones(bundle, ids - set(aliases))


def cover_by_areas(
    tables: dict[str, list[Row]],
    extents: dict[str, list[tuple[str, Any]]],
    index: ZoneIndex,
    report: ImportReport,
    min_share: float = MIN_OVERLAP_SHARE,
) -> dict[str, list[tuple[str, float]]]:
    """Set each service's covers from its area polygons, in place; return service id ->
    [(zone, overlap share)]."""
    found: dict[str, list[tuple[str, float]]] = {}
    for service in tables.get("services", []):
        areas = extents.get(service["id"])
        if not areas:
            continue
        shares: dict[str, float] = {}
        for where, geometry in areas:
            try:
                shape, repaired = polygon_from_geojson(geometry)
            except ShapeError as exc:
                report.skip(f"service area extent not usable ({exc})", where)
                continue
            if repaired:
                report.note("invalid service area polygon repaired (make_valid)", where)
            for zone, share in covered_zones(shape, index, min_share):
                shares[zone] = max(share, shares.get(zone, 0.0))
        if not shares:
            report.note(f"service area covering no zone by at least {min_share:.0%} (kept the "
                        "mapped coverage)", areas[0][0])  # fmt: skip
            continue
        service["covers"] = sorted(shares)
        found[service["id"]] = sorted(shares.items())
        report.mapped["service area polygon -> zones"] += 1
    return found


def _drop_unused_zones(bundle: Bundle, keep: Iterable[str]) -> int:
    """Drop placeholder zones nothing refers to any more (but keep `keep`)."""
    tables = bundle.tables
    used = set(keep)
    used |= {r[c] for t, c in ZONE_REFS for r in tables.get(t, []) if r.get(c)}
    used |= {z for s in tables.get("services", []) for z in s.get("covers") or []}
    return _keep_zones(bundle, used)


def apply_geography(
    store: Store,
    imported: Imported,
    extents: dict[str, list[tuple[str, Any]]],
    min_share: float = MIN_OVERLAP_SHARE,
    drop_placeholders: bool = True,
) -> dict[str, list[tuple[str, float]]]:
    """Resolve older zone codes and service-area polygons of a mapped import (in place);
    `drop_placeholders`: drop the zones the mapping made for areas now covered by real zones
    (not for a native bundle, whose zones are all meant)."""
    tables = imported.bundle.tables
    report = imported.report
    resolve_bundle_aliases(store, imported.bundle, report)
    if not extents:
        return {}
    index = zone_index(store, leaves=True)
    if not len(index):
        report.note("service area polygons not used: no zone has a polygon (load belgium)")
        return {}
    covered = cover_by_areas(tables, extents, index, report, min_share)
    if covered and drop_placeholders:
        roots = {z["id"] for z in tables.get("zones", []) if z.get("part_of") is None}
        dropped = _drop_unused_zones(imported.bundle, roots)
        if dropped:
            report.note(f"{dropped} placeholder zone(s) of service areas replaced by real zones")
    return covered
