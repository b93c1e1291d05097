"""Zone polygons, aliases and population estimates in the database (the geometry itself is in
graphsvc/io/geometry.py): write them, read them back as a spatial index, resolve old codes."""

from __future__ import annotations

from typing import Any

from graphsvc.io.geometry import ZoneIndex
from graphsvc.store import Row, Store

SHAPE_BATCH = 500  # polygons are large values: smaller batches than plain rows


def write_shapes(store: Store, rows: list[Row]) -> int:
    """Store polygons (`geometry.shape_row` rows) on existing zones; return zones updated."""
    return store.upsert("set_zone_shapes", rows, batch_size=SHAPE_BATCH) if rows else 0


def write_aliases(store: Store, rows: list[Row]) -> int:
    """Store the older codes of zones (rows: id, aliases)."""
    return store.upsert("set_zone_aliases", rows) if rows else 0


def write_estimates(store: Store, rows: list[Row]) -> int:
    """Store estimated populations (rows: id, population, method)."""
    return store.upsert("set_zone_population_estimates", rows) if rows else 0


def resolve_aliases(store: Store, codes: set[str]) -> dict[str, str]:
    """Old code -> the zone it now means, for those of `codes` that are aliases."""
    if not codes:
        return {}
    rows = store.run("find_zone_aliases", codes=sorted(codes))
    return {r["alias"]: r["id"] for r in rows}


def depths(store: Store) -> tuple[dict[str, int], dict[str, str | None]]:
    """Each zone's depth in the PART_OF tree (top zones 0) and its parent."""
    parent = {r["id"]: r["parent"] for r in store.run("list_zone_tree")}
    depth: dict[str, int] = {}
    for start in parent:
        path, node = [], start
        while node is not None and node not in depth and node not in path:
            path.append(node)
            node = parent.get(node)
        level = depth.get(node, -1) if node is not None else -1
        for zone in reversed(path):
            level += 1
            depth[zone] = level
    return depth, parent


def zone_index(
    store: Store,
    leaves: bool = False,
    exclude: set[str] | None = None,
    levels: set[str] | None = None,
) -> ZoneIndex:
    """A spatial index over the zones with a polygon; `leaves`: only those none of whose parts
    has a polygon (the finest zones, for service-area coverage); `exclude`: zones left out;
    `levels`: only zones of these levels."""
    rows = [
        r
        for r in store.run("list_zone_shapes")
        if not (exclude and r["id"] in exclude) and not (levels and r["level"] not in levels)
    ]
    depth, _ = depths(store)
    if leaves:
        with_parts = {r["parent"] for r in rows if r["parent"] is not None}
        rows = [r for r in rows if r["id"] not in with_parts]
    return ZoneIndex.from_rows({**r, "depth": depth.get(r["id"], 0)} for r in rows)


def geometries(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    """id -> {geometry, display, area_km2, aliases, estimated} for the given zones."""
    if not ids:
        return {}
    return {r["id"]: r for r in store.run("get_zone_geometries", ids=list(dict.fromkeys(ids)))}
