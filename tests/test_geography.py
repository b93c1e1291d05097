"""Belgium 2025 with polygons in the real embedded FalkorDB: aliases of the 2019 codes,
point-in-polygon, `import zones` (the real neighbourhood table and a generated polygon
partition), population estimates, and bad input named by file, feature and field."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import shapely
from shapely.geometry import box, mapping

from graphsvc.core.digest import graph_digest
from graphsvc.core.directory import get_zones
from graphsvc.errors import InputError
from graphsvc.io.belgium import (
    MERGERS_2019,
    MERGERS_2025,
    MISCODED,
    POLYGONS,
    SHIPPED,
    load_belgium,
    nis_2025,
)
from graphsvc.io.bundle import write_bundle
from graphsvc.io.geo import load_areas, locate
from graphsvc.io.geometry import ZoneIndex, polygon_from_geojson
from graphsvc.io.seeds import read_seed
from graphsvc.io.zone_store import depths, geometries, resolve_aliases, zone_index
from graphsvc.io.zones import ZoneColumns, read_zone_file, write_zone_import
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import LOCALHOST, _falkordb_settings

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "belgium"
WIJKEN = SHARED / "wijken_ggw7_2024_centroids.csv"
LEUVEN_ELZ = "be-elz18"  # Leuven's primary care zone


@pytest.fixture(scope="module")
def belgium(embedded: EmbeddedServer) -> Iterator[Store]:
    """Belgium 2025 with polygons, loaded once for this module (tests that write clean up)."""
    store = open_store(_falkordb_settings(embedded, f"geo_{uuid.uuid4().hex[:8]}"))
    store.run("delete_everything")
    load_belgium(store, lambda b: write_bundle(store, b))
    yield store
    store.run("delete_everything")
    store.close()


def test_every_zone_but_neighbourhoods_has_a_valid_polygon(belgium: Store) -> None:
    shapes = belgium.run("list_zone_shapes")
    assert Counter(r["level"] for r in shapes) == {
        "country": 1, "region": 3, "province": 5, "arrondissement": 19,
        "primary_care_zone": 57, "municipality": 565,
    }  # fmt: skip
    for row in shapes:
        geom = shapely.from_geojson(row["geometry"])
        assert geom.is_valid and geom.geom_type in ("Polygon", "MultiPolygon"), row["id"]
        x0, y0, x1, y1 = geom.bounds
        assert 2.5 < x0 < x1 < 6.5 and 49.4 < y0 < y1 < 51.6, row["id"]  # WGS84, in Belgium
    display = geometries(belgium, ["be-nis-24062"])["be-nis-24062"]
    assert len(display["display"]) < len(display["geometry"])
    assert shapely.from_geojson(display["display"]).is_valid
    # Merged municipality = union of its 2019 parts: Pajottegem's area is theirs summed.
    published = json.loads((SHIPPED / POLYGONS).read_text(encoding="utf-8"))["features"]
    area = {f["properties"]["nis"]: f["properties"]["area_km2"] for f in published}
    pajottegem = geometries(belgium, ["be-nis-23106"])["be-nis-23106"]
    assert pajottegem["area_km2"] == pytest.approx(
        area["23023"] + area["23024"] + area["23032"], rel=0.01
    )


def test_the_30_merged_2019_codes_resolve_to_their_2025_municipality(belgium: Store) -> None:
    codes = {f"be-nis-{old}": f"be-nis-{new}" for old, new, _ in MERGERS_2025}
    assert len(codes) == 30
    resolved = resolve_aliases(belgium, set(codes))
    in_db = set(get_zones(belgium, sorted(codes)))
    for old, new in codes.items():
        assert resolved.get(old, old if old in in_db else None) == new, old
    assert len(resolved) == 29 and in_db == {"be-nis-11002"}  # Antwerpen kept its code
    assert resolved["be-nis-23023"] == "be-nis-23106"
    # and the pre-2019 codes some tables still use (Deinze before its 2019 merger)
    assert resolve_aliases(belgium, {"be-nis-44011"}) == {"be-nis-44011": "be-nis-44083"}


def test_seed_actors_get_their_finest_zone_from_coordinates(belgium: Store) -> None:
    index = zone_index(belgium)
    actors = [a for a in read_seed("leuven").tables["actors"] if a["lat"] is not None]
    actors += [a for a in read_seed("namur").tables["actors"] if a["lat"] is not None]
    assert len(actors) > 20
    found = index.place([(a["lat"], a["lon"]) for a in actors])
    # Oracle: the pure-Python ray casting of io/geo.py over the published 2019 polygons,
    # mapped to 2025 codes.
    areas = load_areas(SHIPPED / POLYGONS, "nis")
    nis_2025 = {old: new for old, new, _ in MERGERS_2025}
    for actor, zone in zip(actors, found, strict=True):
        nis = locate(areas, actor["lat"], actor["lon"])
        assert zone == f"be-nis-{nis_2025.get(nis, nis)}", actor["id"]
    assert index.place([(52.5, 13.4)]) == [None]  # Berlin: outside every zone


@pytest.mark.shared
def test_the_neighbourhood_tables_code_11049_is_westerlo() -> None:
    """Why MISCODED holds 11049 -> 13049, from the published files alone: the table's only
    code that is neither a 2019 municipality nor an older code of MERGERS_2019 is 11049; no
    file knows a municipality 11049; its 8 neighbourhoods lie inside Westerlo (13049), which
    has no other neighbourhood, and are in Westerlo's primary care zone."""
    import csv

    def rows(name: str) -> list[dict[str, str]]:
        with (SHARED / name).open(encoding="utf-8", newline="") as handle:
            return list(csv.DictReader(handle))

    wijken = rows("wijken_ggw7_2024_centroids.csv")
    municipalities = {r["nis"] for r in rows("belgium_municipalities_2020_centroids.csv")}
    mergers = rows("municipality_mergers_2025.csv")
    known = municipalities | {old for old, _, _ in MERGERS_2019}
    assert {r["nis_2019"] for r in wijken} - known == {"11049"}
    assert {m for old, new, _ in MISCODED for m in (old, new)} == {"11049", "13049"}
    everywhere = municipalities | {r[k] for r in mergers for k in ("nis_2019", "nis_2025")}
    elz_2025 = {r["nis_2025"]: r["elz_code"] for r in rows("municipality_to_elz_2025.csv")}
    assert "11049" not in everywhere | set(elz_2025) and "13049" in municipalities
    westerlo = [r for r in wijken if r["nis_2019"] == "11049"]
    assert [r["wijk_code"] for r in westerlo] == [f"110490{i}" for i in range(1, 9)]
    assert not [r for r in wijken if r["nis_2019"] == "13049"]
    assert {r["elz_code"] for r in westerlo} == {elz_2025["13049"]} == {"elz56"}
    features = json.loads((SHARED / POLYGONS).read_text(encoding="utf-8"))["features"]
    (shape,) = [shapely.make_valid(shapely.geometry.shape(f["geometry"])) for f in features
                if f["properties"]["nis"] == "13049"]  # fmt: skip
    for r in westerlo:
        point = shapely.Point(float(r["centroid_lon"]), float(r["centroid_lat"]))
        assert shape.contains(point), r["wijk_code"]
    assert nis_2025("11049") == "13049"


@pytest.mark.shared
def test_neighbourhood_table_updates_and_gets_estimated_populations(belgium: Store) -> None:
    cols = ZoneColumns(id="wijk_code", name="wijk_name", parent="nis_2019",
                       weight="area_km2", level="vicinity_network", id_prefix="be-wijk-",
                       parent_prefix="be-nis-")  # fmt: skip
    imported = read_zone_file(WIJKEN, cols, belgium)  # as published, no --locate-unknown-parents
    assert len(imported.updated) == 2730 and not imported.new  # loaded by load belgium
    lines = "\n".join(imported.lines())
    assert (
        "parent code of a merged municipality resolved (be-nis-23023 is now be-nis-23106)" in lines
    )
    assert (
        "8 x parent code that no municipality has had, a known error of a published table, "
        "read as the municipality it means (be-nis-11049 is be-nis-13049)" in lines
    )
    assert {z["part_of"] for z in imported.bundle.tables["zones"]
            if z["id"].startswith("be-wijk-11049")} == {"be-nis-13049"}  # fmt: skip
    zones = {z["id"]: z for z in imported.bundle.tables["zones"]}
    galmaarden = [z for z in zones.values() if z["id"].startswith("be-wijk-23023")]
    assert galmaarden and {z["part_of"] for z in galmaarden} == {"be-nis-23106"}
    estimated = [e for e in imported.estimates if e["method"]]
    assert len(estimated) == 2730
    # the parts of one municipality add up to it exactly, shared by area
    leuven = [z for z in zones.values() if z["part_of"] == "be-nis-24062"]
    assert (
        sum(z["population"] for z in leuven)
        == get_zones(belgium, ["be-nis-24062"])["be-nis-24062"].population
    )
    write_zone_import(belgium, imported)
    rows = belgium.run("get_zone_geometries", ids=[leuven[0]["id"]])
    assert rows[0]["estimated"] == "area_km2 share of be-nis-24062"
    assert belgium.run("count_nodes")  # still one graph, no duplicates:
    assert Counter(r["label"] for r in belgium.run("list_node_dump"))["Zone"] == 3380


def _quadrants(store: Store, ids: list[str]) -> dict:
    """Each municipality cut into four parts by its bounding box's quadrants."""
    features = []
    for zid, row in geometries(store, ids).items():
        geom = shapely.from_geojson(row["geometry"])
        x0, y0, x1, y1 = geom.bounds
        xm, ym = (x0 + x1) / 2, (y0 + y1) / 2
        for n, cell in enumerate([box(x0, y0, xm, ym), box(xm, y0, x1, ym),
                                  box(x0, ym, xm, y1), box(xm, ym, x1, y1)]):  # fmt: skip
            part = geom.intersection(cell)
            if part.area > 0:
                features.append({"type": "Feature", "geometry": mapping(part),
                                 "properties": {"code": f"{zid[7:]}-{n}",
                                                "name": f"{zid} part {n}"}})  # fmt: skip
    return {"type": "FeatureCollection", "features": features}


def test_generated_polygon_partition_by_containment(belgium: Store, tmp_path: Path) -> None:
    municipalities = [z.id for z in get_zones(belgium, ["be-nis-24062", "be-nis-24038",
                                                         "be-nis-24086"]).values()]  # fmt: skip
    path = tmp_path / "parts.geojson"
    collection = _quadrants(belgium, municipalities)
    counted = next(f for f in collection["features"] if f["properties"]["code"].startswith("24062"))
    counted["properties"]["people"] = 1000  # one part with its own figure, the rest estimated
    path.write_text(json.dumps(collection))
    cols = ZoneColumns(id="code", name="name", id_prefix="be-part-", population="people")
    imported = read_zone_file(path, cols, belgium)
    parts = imported.bundle.tables["zones"]
    assert len(parts) == len(collection["features"]) >= 10 and len(imported.new) == len(parts)
    assert {p["part_of"] for p in parts} == set(municipalities)  # containment found them
    for p in parts:
        assert p["id"].startswith("be-part-" + p["part_of"][7:])
    write_zone_import(belgium, imported)
    try:
        index = zone_index(belgium)
        leuven = [a for a in read_seed("leuven").tables["actors"] if a["lat"] is not None]
        found = index.place([(a["lat"], a["lon"]) for a in leuven])
        _, parent = depths(belgium)
        for actor, zone in zip(leuven, found, strict=True):
            if parent.get(zone or "") in municipalities or zone in municipalities:
                assert zone.startswith("be-part-"), actor["id"]  # the finest zone wins
                point = shapely.Point(actor["lon"], actor["lat"])
                assert polygon_from_geojson(geometries(belgium, [zone])[zone]["geometry"])[
                    0
                ].covers(point)
        assert any(z and z.startswith("be-part-") for z in found)
        # populations of the parts: area shares of their municipality, summing exactly
        total = get_zones(belgium, ["be-nis-24062"])["be-nis-24062"].population
        mine = get_zones(belgium, [p["id"] for p in parts if p["part_of"] == "be-nis-24062"])
        assert sum(z.population for z in mine.values()) == total
        # marked: the counted part is not, the others say how they were estimated (GraphQL);
        # their shares follow the polygons' areas (geodesic areas on WGS84 by pyproj)
        from pyproj import Geod
        from starlette.testclient import TestClient

        from graphsvc.api.app import create_app
        from graphsvc.config import Settings
        from tests.conftest import gql

        own = "be-part-" + counted["properties"]["code"]
        with TestClient(create_app(Settings(), belgium), base_url=LOCALHOST) as client:
            shown = {
                zid: gql(client, f'{{ zone(id: "{zid}") {{ population populationEstimated }} }}')[
                    "data"
                ]["zone"]
                for zid in mine
            }
        assert shown.pop(own) == {"population": 1000, "populationEstimated": None}
        assert {z["populationEstimated"] for z in shown.values()} == {"area share of be-nis-24062"}
        geod = Geod(ellps="WGS84")
        area = {zid: abs(geod.geometry_area_perimeter(polygon_from_geojson(
                    geometries(belgium, [zid])[zid]["geometry"])[0])[0])
                for zid in shown}  # fmt: skip
        for zid, z in shown.items():
            share = (total - 1000) * area[zid] / sum(area.values())
            assert abs(z["population"] - share) <= 1 + 0.001 * share, (zid, z, share)
    finally:
        belgium.run("delete_zones", ids=[p["id"] for p in parts])


def test_bad_zone_files_name_file_feature_and_field(belgium: Store, tmp_path: Path) -> None:
    before = graph_digest(belgium)
    leuven = shapely.from_geojson(geometries(belgium, ["be-nis-24062"])["be-nis-24062"]["geometry"])
    inside = leuven.representative_point().buffer(0.002)
    far = shapely.Point(5.9, 50.3).buffer(0.01)  # in the Ardennes, not in Leuven
    bowtie = {"type": "Polygon", "coordinates": [[[4.70, 50.88], [4.71, 50.89], [4.71, 50.88],
                                                  [4.70, 50.89], [4.70, 50.88]]]}  # fmt: skip
    features = [
        ("a", "24062", mapping(inside)),
        ("a", "24062", mapping(inside)),  # duplicate code
        ("b", "99998", mapping(inside)),  # unknown parent
        ("c", "24062", {"type": "Point", "coordinates": [4.7, 50.88]}),  # not a polygon
        ("d", "24062", mapping(far)),  # outside its parent
        ("e", "24062", {"type": "Polygon", "coordinates": [[[4.7]]]}),  # malformed
    ]
    path = tmp_path / "bad.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"code": c, "name": c, "parent": p}}
        for c, p, g in features]}))  # fmt: skip
    cols = ZoneColumns(id="code", name="name", parent="parent", parent_prefix="be-nis-")
    with pytest.raises(InputError) as caught:
        read_zone_file(path, cols, belgium)
    problems = caught.value.problems
    assert "bad.geojson feature 2 field code: duplicate code 'a' (also bad.geojson feature 1)" in (
        problems
    )
    assert any(
        p.startswith("bad.geojson feature 4 field geometry: geometry is a Point") for p in problems
    )
    assert any(
        p.startswith("bad.geojson feature 6 field geometry: geometry has malformed")
        for p in problems
    )
    # unknown parents and parts outside their parent are found once the shapes are good
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"code": c, "name": c, "parent": p}}
        for c, p, g in (features[0], features[2], features[4],
                        ("f", "24062", bowtie))]}))  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_zone_file(path, cols, belgium)
    problems = caught.value.problems
    assert problems == [
        "bad.geojson feature 2 field parent: unknown parent '99998' (no zone 'be-nis-99998')"
    ]
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "geometry": g, "properties": {"code": c, "name": c, "parent": p}}
        for c, p, g in (features[0], features[4], ("f", "24062", bowtie))]}))  # fmt: skip
    with pytest.raises(InputError) as caught:
        read_zone_file(path, cols, belgium)
    assert caught.value.problems == [
        "bad.geojson feature 2 field geometry: a part outside its parent be-nis-24062 "
        "(only 0% of it inside)"
    ]
    csv_path = tmp_path / "bad.csv"
    csv_path.write_text("code,name,parent,people\nx,X,24062,many\ny,,24062,3\n")
    with pytest.raises(InputError) as caught:
        read_zone_file(csv_path, ZoneColumns(id="code", name="name", parent="parent",
                                             population="people", parent_prefix="be-nis-"),
                       belgium)  # fmt: skip
    assert caught.value.problems == [
        "bad.csv row 2 field people: 'many' is not a number >= 0",
        "bad.csv row 3 field name: required, but empty",
    ]
    assert graph_digest(belgium) == before  # nothing written


def test_zone_index_prefers_the_deepest_zone() -> None:
    outer, inner = box(0, 0, 2, 2), box(0, 0, 1, 1)
    index = ZoneIndex(["outer", "inner"], [outer, inner], [0, 1])
    assert index.place([(0.5, 0.5), (1.5, 1.5), (3, 3)]) == ["inner", "outer", None]


def test_graphql_geometry_aliases_and_points(belgium: Store) -> None:
    from starlette.testclient import TestClient

    from graphsvc.api.app import create_app
    from graphsvc.config import Settings
    from tests.conftest import gql

    with TestClient(create_app(Settings(), belgium), base_url=LOCALHOST) as client:
        body = gql(client, """{ zone(id: "be-nis-23023") { id name resolvedFrom aliases
            geometry(simplify: 200) } }""")  # fmt: skip
        zone = body["data"]["zone"]
        assert zone["id"] == "be-nis-23106" and zone["resolvedFrom"] == "be-nis-23023"
        assert zone["aliases"] == ["be-nis-23023", "be-nis-23024", "be-nis-23032"]
        simplified, repaired = polygon_from_geojson(zone["geometry"])
        full = shapely.from_geojson(
            geometries(belgium, ["be-nis-23106"])["be-nis-23106"]["geometry"]
        )
        assert not repaired and shapely.get_num_coordinates(
            simplified
        ) < shapely.get_num_coordinates(full)
        assert simplified.symmetric_difference(full).area / full.area < 0.02
        assert gql(client, '{ zone(id: "be-nis-24062") { resolvedFrom } }')["data"]["zone"] == {
            "resolvedFrom": None
        }
        # one more round trip for the polygons of a whole list of zones
        before = belgium.calls
        gql(client, """{ zones(parentId: "be-elz18") { id } }""")
        plain = belgium.calls - before
        before = belgium.calls
        body = gql(client, """{ zones(parentId: "be-elz18") { id geometry(display: true) } }""")
        parts = body["data"]["zones"]
        assert len(parts) >= 3 and all(p["geometry"]["type"] in ("Polygon", "MultiPolygon")
                                       for p in parts)  # fmt: skip
        assert belgium.calls - before == plain + 1
        body = gql(client, """{ zonesAt(points: [{lat: 50.8798, lon: 4.7005},
            {lat: 48.85, lon: 2.35}]) { zoneId outside zone { name level } } }""")  # fmt: skip
        leuven, paris = body["data"]["zonesAt"]
        assert leuven == {"zoneId": "be-nis-24062", "outside": False,
                          "zone": {"name": "Leuven", "level": "MUNICIPALITY"}}  # fmt: skip
        assert paris == {"zoneId": None, "outside": True, "zone": None}
        body = gql(client, '{ zone(id: "be") { geometry(simplify: -3) } }')
        assert "argument simplify: -3 is not a tolerance in metres" in body["errors"][0]["message"]


def _hsds_service(sid: str, capacity: int, areas: list[dict]) -> dict:
    return {"id": sid, "name": f"Home nursing {sid}", "status": "active",
            "organization": {"id": f"org-{sid}", "name": f"Nursing team {sid}"},
            "capacities": [{"id": f"cap-{sid}", "available": capacity, "maximum": capacity}],
            "attributes": [{"id": f"att-{sid}", "taxonomy_term": {
                "id": "term-nursing", "code": "nursing", "name": "Nursing care",
                "taxonomy_detail": {"id": "tx-graphsvc", "name": "graphsvc service types",
                                    "uri": "urn:graphsvc:taxonomy"}}}],
            "service_areas": areas}  # fmt: skip


def test_unusable_service_area_extents_are_named_and_skipped(
    belgium: Store, tmp_path: Path
) -> None:
    """An HSDS extent that is not JSON, or not a polygon, is skipped with file, row and field
    named; the service keeps the coverage its mapping gave it; nothing is written."""
    from graphsvc.io.bundle import store_lookup
    from graphsvc.io.hsds import import_hsds
    from graphsvc.io.service_areas import apply_geography, hsds_extents

    before = graph_digest(belgium)
    services = [
        _hsds_service("x", 5, [{"id": "area-x", "name": "Leuven", "extent": "{not json",
                                "extent_type": "geojson"}]),
        _hsds_service("y", 5, [{"id": "area-y", "name": "Herent",
                                "extent": json.dumps({"type": "Point",
                                                      "coordinates": [4.67, 50.9]}),
                                "extent_type": "geojson"}]),
    ]  # fmt: skip
    path = tmp_path / "bad-areas.json"
    path.write_text(json.dumps(services))
    imported = import_hsds(path, prefix="u", zone="be", existing=store_lookup(belgium))
    assert apply_geography(belgium, imported, hsds_extents(path, "u")) == {}
    skipped = [line for line in imported.lines() if "extent not usable" in line]
    assert len(skipped) == 2, imported.lines()
    assert (
        "service area extent not usable (geometry is not JSON) (e.g. bad-areas.json "
        "[0].service_areas[0] field extent)" in skipped[0]
    )
    assert "(e.g. bad-areas.json [1].service_areas[0] field extent)" in skipped[1]
    by_id = {s["id"]: s for s in imported.bundle.tables["services"]}
    assert by_id["u-x"]["covers"] == ["u-area-leuven"]  # the mapped (named) area stays
    assert graph_digest(belgium) == before


def test_hsds_service_area_polygons_cover_zones_and_gaps_match_by_hand(
    belgium: Store, tmp_path: Path
) -> None:
    """Last in this module: it adds services to the shared Belgium graph."""
    from graphsvc.core.gaps import GapQuery, zone_gaps
    from graphsvc.io.bundle import bundle_from_records, store_lookup
    from graphsvc.io.hsds import import_hsds
    from graphsvc.io.service_areas import apply_geography, hsds_extents

    shapes = geometries(belgium, ["be-nis-24062", "be-nis-24038", "be-nis-24055"])
    leuven, herent, kortenberg = (shapely.from_geojson(shapes[z]["geometry"]) for z in
                                  ("be-nis-24062", "be-nis-24038", "be-nis-24055"))  # fmt: skip
    both = shapely.union_all([leuven, herent]).buffer(0.0005)  # a little over the borders
    corner = kortenberg.intersection(shapely.box(*kortenberg.bounds).buffer(0)  # a third of it
                                     .intersection(shapely.box(kortenberg.bounds[0], 0,
                                                   kortenberg.bounds[0] + (kortenberg.bounds[2]
                                                   - kortenberg.bounds[0]) / 3, 90)))  # fmt: skip
    services = [
        _hsds_service("a", 30, [{"id": "area-a", "name": "Leuven and Herent",
                                 "extent": json.dumps(mapping(both)),
                                 "extent_type": "geojson"}]),
        _hsds_service("b", 10, [{"id": "area-b", "name": "West of Kortenberg",
                                 "extent": json.dumps(mapping(corner)),
                                 "extent_type": "geojson"}]),
        _hsds_service("c", 5, [{"id": "area-c", "name": "Galmaarden (2019 code)",
                                "uri": "urn:graphsvc:zone:be-nis-23023"}]),
    ]  # fmt: skip
    path = tmp_path / "areas.json"
    path.write_text(json.dumps(services))
    imported = import_hsds(path, prefix="t", zone="be", existing=store_lookup(belgium))
    covered = apply_geography(belgium, imported, hsds_extents(path, "t"))
    assert covered == {"t-a": [("be-nis-24038", 1.0), ("be-nis-24062", 1.0)]}
    by_id = {s["id"]: s for s in imported.bundle.tables["services"]}
    assert by_id["t-a"]["covers"] == ["be-nis-24038", "be-nis-24062"]
    # a third of Kortenberg: below the 50% share, so the mapped (named) area stays
    assert by_id["t-b"]["covers"] == ["t-area-west-of-kortenberg"]
    assert by_id["t-c"]["covers"] == ["be-nis-23106"]  # the 2019 code, mapped to 2025
    assert not {z["id"] for z in imported.bundle.tables.get("zones", [])} & {"be-nis-23023"}
    lines = "\n".join(imported.lines())
    assert "service area covering no zone by at least 50%" in lines
    assert "older code, mapped to its current zone (be-nis-23023)" in lines
    assert (by_id["t-a"]["type"], by_id["t-a"]["capacity"]) == ("nursing", 30), by_id["t-a"]
    write_bundle(belgium, imported.bundle)
    needs = bundle_from_records(tmp_path, {"zone_needs": [
        ("test", {"zone": "be-nis-24062", "need": "nursing-care", "people": 1000, "year": 2024,
                  "source": "test"}),
        ("test", {"zone": "be-nis-24038", "need": "nursing-care", "people": 500, "year": 2024,
                  "source": "test"})]}, [], store_lookup(belgium))  # fmt: skip
    write_bundle(belgium, needs)
    rows = {}
    for zone in get_zones(belgium, ["be-nis-24062", "be-nis-24038"]).values():
        query = GapQuery(zone.parent, ("nursing-care",))
        rows.update({r.zone: r for r in zone_gaps(belgium, zone.parent, query)})
    # by hand: 30 places over the 1,000 + 500 people of the two covered municipalities
    assert rows["be-nis-24062"].ratio == pytest.approx(30 / 1500)
    assert rows["be-nis-24038"].ratio == pytest.approx(30 / 1500)
    assert rows["be-nis-24062"].supply == pytest.approx(30 * 1000 / 1500)


def test_fhir_coverage_area_boundary_covers_zones(belgium: Store, tmp_path: Path) -> None:
    """A FHIR coverage-area Location with a GeoJSON boundary (the location-boundary-geojson
    extension, base64) covers the municipalities it holds at least half of."""
    import base64

    from graphsvc.io.bundle import store_lookup
    from graphsvc.io.fhir import import_fhir
    from graphsvc.io.service_areas import BOUNDARY_EXTENSION, apply_geography, fhir_extents

    fixture = Path(__file__).parent / "fixtures" / "fhir" / "brussels_network.json"
    data = json.loads(fixture.read_text())
    shapes = geometries(belgium, ["be-nis-21004", "be-nis-21015"])
    area = shapely.union_all([shapely.from_geojson(r["geometry"]) for r in shapes.values()])
    boundary = base64.b64encode(json.dumps(mapping(area)).encode()).decode()
    for entry in data["entry"]:
        resource = entry["resource"]
        if resource.get("id") == "marollen-area":
            resource["extension"] = [{"url": BOUNDARY_EXTENSION, "valueAttachment": {
                "contentType": "application/geo+json", "data": boundary}}]  # fmt: skip
        if resource.get("id") == "marollen-home-nursing":
            resource["coverageArea"] = [{"reference": "Location/marollen-area"}]
    path = tmp_path / "network.json"
    path.write_text(json.dumps(data))
    imported = import_fhir(path, existing=store_lookup(belgium))
    covered = apply_geography(belgium, imported, fhir_extents(path, None))
    service = next(s for s in imported.bundle.tables["services"]
                   if s["id"].endswith("marollen-home-nursing"))  # fmt: skip
    assert covered[service["id"]] == [("be-nis-21004", 1.0), ("be-nis-21015", 1.0)]
    assert service["covers"] == ["be-nis-21004", "be-nis-21015"]


def test_bundle_service_areas_geojson(belgium: Store, tmp_path: Path) -> None:
    from graphsvc.cli.zones import bundle_areas
    from graphsvc.io.bundle import read_bundle, store_lookup
    from tests.maps_fixtures import write_bundle as write_csv_bundle

    folder = write_csv_bundle(tmp_path / "b", {
        "zones": [{"id": "sa-zone", "name": "Somewhere", "level": "pilot_zone", "part_of": "be"}],
        "actors": [{"id": "sa-team", "name": "Team", "kind": "team", "line": "first",
                    "zone": "be-nis-24062"}],
        "services": [{"id": "sa-nursing", "actor": "sa-team", "type": "nursing",
                      "name": "Nursing", "capacity": 5, "available": 1, "status": "active",
                      "covers": ["be-nis-24062"]}],
    })  # fmt: skip
    herent = geometries(belgium, ["be-nis-24038"])["be-nis-24038"]["geometry"]
    feature = {"type": "Feature", "geometry": json.loads(herent),
               "properties": {"service": "sa-nursing"}}  # fmt: skip
    (folder / "service_areas.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    bundle = read_bundle(folder, existing=store_lookup(belgium))
    bundle_areas(belgium, bundle, folder)
    assert bundle.tables["services"][0]["covers"] == ["be-nis-24038"]
    bad = {**feature, "properties": {"service": "nope"}}
    (folder / "service_areas.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": [feature, bad]})
    )
    with pytest.raises(InputError) as caught:
        bundle_areas(belgium, read_bundle(folder, existing=store_lookup(belgium)), folder)
    assert caught.value.problems == [
        "service_areas.geojson feature 2 field service: 'nope' is not a service of the bundle"
    ]


def test_hsds_locations_get_their_finest_zone_and_the_report_names_those_outside(
    belgium: Store, tmp_path: Path
) -> None:
    """Issue 17: a directory's Location nodes placed by point-in-polygon (one in Leuven, one
    in Paris); placing again changes nothing. Writes a small directory into the shared graph
    (its services are unclassified: no gap of the other tests counts them)."""
    from graphsvc.io.placement import place_locations
    from graphsvc.io.sources_import import import_source

    folder = tmp_path / "dir"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name\no1,Huis Leuven\no2,Maison Paris\n")
    (folder / "services.csv").write_text(
        "id,organization_id,name,status\ns1,o1,Counter,active\ns2,o2,Desk,active\n"
    )
    (folder / "locations.csv").write_text(
        "id,organization_id,name,latitude,longitude\n"
        "l1,o1,Leuven site,50.8799,4.7005\nl2,o2,Paris site,48.8566,2.3522\n"
        "l3,o1,No coordinates,,\n"
    )
    import_source(belgium, folder, "hsds", prefix="geo-dir", zone="be")
    report = place_locations(belgium, ids=["geo-dir-l1", "geo-dir-l2", "geo-dir-l3"])
    assert report.read["location with coordinates"] == 2
    assert report.mapped["location placed in its finest zone"] == 1
    assert report.notes["location coordinates outside every zone (in no zone)"] == 1
    assert any("location geo-dir-l2" in line for line in report.lines())
    placed = {r["id"]: r["zone"] for r in belgium.run("list_location_positions", ids=None)
              if r["id"].startswith("geo-dir-")}  # fmt: skip
    assert placed == {"geo-dir-l1": "be-nis-24062", "geo-dir-l2": None}
    digest = graph_digest(belgium)
    again = place_locations(belgium, ids=["geo-dir-l1", "geo-dir-l2"])
    assert again.mapped["location already in its finest zone"] == 1
    assert graph_digest(belgium) == digest
