"""Belgian geography with polygons: `python -m bench.geography` (also `make bench-geography`).

Into a throwaway embedded FalkorDB, side by side in one run (DESIGN §7: ratios to compare):

  G1  `load belgium` (2025 geography, 650 polygons, hospitals) / the same bundle without its
      polygons and aliases (the floor: what the polygons add)
  G2  `import zones` of ~20,000 generated statistical sectors with polygons (each 2025
      municipality cut by a grid; parent by code, population estimated by area): read and
      check, write. Target: under 30 s in all.
  G3  100,000 random points in Belgium placed in their finest zone (STRtree over all zones,
      sectors included). Target: under 5 s. Peer: the pure-Python ray casting of
      graphsvc/io/geo.py over the 581 published municipality polygons, per point.

Knobs: GRAPHSVC_BENCH_SECTORS (20000), GRAPHSVC_BENCH_POINTS (100000).
"""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from graphsvc.config import Settings
from graphsvc.io.belgium import POLYGONS, SHIPPED, load_belgium, read_belgium
from graphsvc.io.bundle import write_bundle
from graphsvc.io.geo import load_areas, locate
from graphsvc.io.zone_store import geometries, zone_index
from graphsvc.io.zones import ZoneColumns, read_zone_file, write_zone_import
from graphsvc.store import open_store

SECTORS = int(os.environ.get("GRAPHSVC_BENCH_SECTORS", "20000"))
POINTS = int(os.environ.get("GRAPHSVC_BENCH_POINTS", "100000"))
PEER_POINTS = 2000


def sectors(store, municipalities: list[str], wanted: int) -> dict:
    """About `wanted` sectors: each municipality cut by an n x n grid over its bounding box."""
    shapes = {z: shapely.from_geojson(r["geometry"]) for z, r in
              geometries(store, municipalities).items()}  # fmt: skip
    n = max(1, round(math.sqrt(wanted / len(shapes) / 0.7)))  # ~70% of the cells intersect
    features = []
    for zid, geom in sorted(shapes.items()):
        x0, y0, x1, y1 = geom.bounds
        xs, ys = np.linspace(x0, x1, n + 1), np.linspace(y0, y1, n + 1)
        cells = [shapely.box(xs[i], ys[j], xs[i + 1], ys[j + 1])
                 for i in range(n) for j in range(n)]  # fmt: skip
        for k, part in enumerate(shapely.intersection(geom, cells)):
            if (
                part.is_empty
                or part.area <= 0
                or part.geom_type
                not in (
                    "Polygon",
                    "MultiPolygon",
                )
            ):
                continue
            features.append({"type": "Feature", "geometry": shapely.geometry.mapping(part),
                             "properties": {"code": f"{zid[7:]}{k:03d}", "name": f"{zid} {k}",
                                            "nis": zid[7:]}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="graphsvc-bench-geo-"))
    settings = Settings(db=f"embedded:{folder / 'db'}")
    store = open_store(settings)
    rows = []
    try:
        store.run("delete_everything")
        started = time.perf_counter()
        bundle = read_belgium()
        write_bundle(store, bundle)
        floor = time.perf_counter() - started
        store.run("delete_everything")
        started = time.perf_counter()
        load_belgium(store, lambda b: write_bundle(store, b))
        full = time.perf_counter() - started
        rows.append(("G1 load belgium with polygons", f"{full:.1f} s",
                     f"{full / floor:.2f}x the load without polygons ({floor:.1f} s)"))  # fmt: skip

        municipalities = [z["id"] for z in bundle.tables["zones"] if z["level"] == "municipality"]
        collection = sectors(store, municipalities, SECTORS)
        path = folder / "sectors.geojson"
        path.write_text(json.dumps(collection))
        cols = ZoneColumns(id="code", name="name", parent="nis", id_prefix="be-sector-",
                           parent_prefix="be-nis-")  # fmt: skip
        started = time.perf_counter()
        imported = read_zone_file(path, cols, store)
        checked = time.perf_counter() - started
        write_zone_import(store, imported)
        total = time.perf_counter() - started
        count = len(collection["features"])
        rows.append((f"G2 import {count:,} sector polygons", f"{total:.1f} s",
                     f"check {checked:.1f} s + write {total - checked:.1f} s; "
                     f"target < 30 s: {'met' if total < 30 else 'NOT met'}"))  # fmt: skip

        started = time.perf_counter()
        index = zone_index(store)
        built = time.perf_counter() - started
        rng = np.random.default_rng(1)
        points = list(zip(rng.uniform(49.5, 51.5, POINTS), rng.uniform(2.55, 6.4, POINTS),
                          strict=True))  # fmt: skip
        started = time.perf_counter()
        found = index.place(points)
        placed = time.perf_counter() - started
        inside = sum(1 for z in found if z is not None)
        areas = load_areas(SHIPPED / POLYGONS, "nis")
        started = time.perf_counter()
        for lat, lon in points[:PEER_POINTS]:
            locate(areas, lat, lon)
        peer = (time.perf_counter() - started) / PEER_POINTS
        per_point = placed / POINTS
        rows.append((f"G3 place {POINTS:,} points ({len(index):,} zones)", f"{placed:.2f} s",
                     f"{POINTS / placed:,.0f} points/s, {inside:,} inside a zone; index built "
                     f"in {built:.1f} s; ray casting over 581 municipalities: "
                     f"{peer / per_point:,.0f}x slower per point; target < 5 s: "
                     f"{'met' if placed < 5 else 'NOT met'}"))  # fmt: skip
    finally:
        store.run("delete_everything")
        store.close()
    width = max(len(r[0]) for r in rows)
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>8}  {note}")


if __name__ == "__main__":
    main()
