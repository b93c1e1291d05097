"""Partner candidates start from the patient's zone (issue 22): the same answers as the
national scan they replaced, which is kept as the oracle (tests/fixtures/partner_oracle).

The oracle files are the old queries word for word, except that `$anywhere` became
`size($near) > 0`, so that swapping the store's catalog runs the whole partner search
(filters, scores, ties) on the old candidates.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from bench import national
from graphsvc.core import partners
from graphsvc.core.coverage import distance_km
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.queries import QueryCatalog, parse_query
from graphsvc.store import Row, Store
from tests.conftest import REPO

ORACLE = REPO / "tests" / "fixtures" / "partner_oracle"
QUERIES = ("find_partner_candidates", "find_step_candidates")
DISTANCES = (None, 2.0, 10.0, 40.0)


def oracle_catalog(store: Store) -> QueryCatalog:
    """The store's catalog with the old scans under the new names (and under `_scan`)."""
    queries = {name: store.catalog[name] for name in store.catalog}
    for name in QUERIES:
        path = ORACLE / f"{name}_scan.cypher"
        queries[name] = parse_query(name, path.read_text(encoding="utf-8"), path)
        queries[f"{name}_scan"] = parse_query(f"{name}_scan", path.read_text("utf-8"), path)
    return QueryCatalog(queries)


@contextmanager
def scanning(store: Store, catalog: QueryCatalog) -> Iterator[None]:
    """Within: the store runs the oracle catalog."""
    saved = store.catalog
    store.catalog = catalog
    try:
        yield
    finally:
        store.catalog = saved


@pytest.fixture(scope="module")
def generated(
    embedded: object, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, list[str]]]:
    """A generated primary care zone at national density: 534 actors, 1,356 services."""
    from graphsvc.config import Settings
    from graphsvc.store import open_store

    folder = tmp_path_factory.mktemp("partners") / "elz19"
    national.write(folder, seed=7, scale=1.0, area="be-elz19")
    store = open_store(Settings(db=f"embedded:{embedded.data_dir}", graph="partners_generated"))  # type: ignore[attr-defined]
    store.run("delete_everything")
    bundle = read_bundle(folder)
    write_bundle(store, bundle)
    yield store, [p["id"] for p in bundle.tables["patients"]]
    store.run("delete_everything")
    store.close()


def seed_patients() -> list[str]:
    return [p["id"] for seed in ("leuven", "namur")
            for p in read_bundle(resolve_seed(seed)).tables["patients"]]  # fmt: skip


def same_partners(store: Store, patients: list[str]) -> int:
    """Every patient's ranked partners, new query against the oracle; returns the count."""
    catalog = oracle_catalog(store)
    compared = 0
    for patient in patients:
        for km in DISTANCES:
            new = partners.partners(store, None, patient, limit=100, max_distance_km=km)
            with scanning(store, catalog):
                old = partners.partners(store, None, patient, limit=100, max_distance_km=km)
            assert new == old, (patient, km)
            compared += len(new)
    return compared


def norm(rows: list[Row]) -> list[Row]:
    rows = [{**r, "covers": sorted(r["covers"]), "needs": sorted(r["needs"])} for r in rows]
    return sorted(rows, key=lambda r: (r["id"], r["type"], r["actor"]))


def same_rows(store: Store, searches: int, seed: int) -> int:
    """Random zones, needs, types and distances: the rows a search keeps are the oracle's."""
    catalog = oracle_catalog(store)
    zones = store.run("list_zones", level=None, parent=None, limit=100_000, offset=0)
    needs = sorted(n["code"] for n in store.run("list_need_types"))
    with scanning(store, catalog):
        every = store.run("find_partner_candidates_scan", needs=needs, zone="", near=[{}])
    types = sorted({r["type"] for r in every})
    rng = random.Random(seed)
    kept_total = 0
    for _ in range(searches):
        zone = rng.choice(zones)
        km = rng.choice(DISTANCES)
        search = partners.Search(zone["id"], zone["lat"], zone["lon"], (), max_distance_km=km)
        near = partners.near_box(search)

        def keeps(row: Row, km: float | None = km, search: partners.Search = search) -> bool:
            if row["covers_zone"]:
                return True
            if km is None or None in (search.lat, row["lat"]):
                return False
            return distance_km(search.lat, search.lon, row["lat"], row["lon"]) <= km

        for name, args in (
            ("find_partner_candidates", {"needs": rng.sample(needs, rng.randint(1, 4))}),
            ("find_step_candidates", {"types": rng.sample(types, rng.randint(1, 3))}),
        ):
            new = store.run(name, zone=zone["id"], near=near, **args)
            with scanning(store, catalog):
                old = store.run(name, zone=zone["id"], near=near, **args)
            assert all(r["covers_zone"] or near for r in new)  # nothing far without a box
            kept = norm([r for r in new if keeps(r)])
            assert kept == norm([r for r in old if keeps(r)]), (name, zone["id"], args, km)
            kept_total += len(kept)
        codes = rng.sample(needs, rng.randint(1, 3))
        ad_hoc = partners.partners_for(store, zone["id"], codes, limit=100, max_distance_km=km)
        with scanning(store, catalog):
            old = partners.partners_for(store, zone["id"], codes, limit=100, max_distance_km=km)
        assert ad_hoc == old, (zone["id"], codes, km)
    return kept_total


def test_seed_partners_equal_the_national_scan(demo_store: Store) -> None:
    assert same_partners(demo_store, seed_patients()) > 50


def test_seed_candidate_rows_equal_the_national_scan(demo_store: Store) -> None:
    assert same_rows(demo_store, searches=40, seed=1) > 100


def test_generated_partners_equal_the_national_scan(generated: tuple[Store, list[str]]) -> None:
    store, patients = generated
    assert same_partners(store, patients) > 100


def test_generated_candidate_rows_equal_the_national_scan(
    generated: tuple[Store, list[str]],
) -> None:
    store, _ = generated
    assert same_rows(store, searches=40, seed=2) > 1000


def test_the_box_holds_every_point_within_the_distance() -> None:
    rng = random.Random(3)
    for _ in range(2000):
        lat, lon = rng.uniform(-85, 85), rng.uniform(-179, 179)
        km = rng.uniform(0.1, 500)
        [box] = partners.near_box(partners.Search("z", lat, lon, (), max_distance_km=km))
        bearing = rng.uniform(0, 360)
        # a point exactly km away (on the sphere of distance_km) in a random direction
        plat, plon = _destination(lat, lon, bearing, km)
        assert distance_km(lat, lon, plat, plon) == pytest.approx(km, rel=1e-9)
        wrapped = box["west"] == -180.0 and box["east"] == 180.0
        assert box["south"] <= plat <= box["north"]
        assert wrapped or box["west"] <= plon <= box["east"]
    assert partners.near_box(partners.Search("z", None, None, (), max_distance_km=5)) == []
    assert partners.near_box(partners.Search("z", 50.0, 4.0, ())) == []


def _destination(lat: float, lon: float, bearing: float, km: float) -> tuple[float, float]:
    import math

    from graphsvc.core.coverage import EARTH_RADIUS_KM

    d, b = km / EARTH_RADIUS_KM, math.radians(bearing)
    p1, l1 = math.radians(lat), math.radians(lon)
    p2 = math.asin(math.sin(p1) * math.cos(d) + math.cos(p1) * math.sin(d) * math.cos(b))
    l2 = l1 + math.atan2(math.sin(b) * math.sin(d) * math.cos(p1),
                         math.cos(d) - math.sin(p1) * math.sin(p2))  # fmt: skip
    return math.degrees(p2), (math.degrees(l2) + 540) % 360 - 180


def test_round_trips_with_and_without_a_distance(demo_store: Store) -> None:
    centre = "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
    for km in (None, 25.0):
        before = demo_store.calls
        found = partners.partners(demo_store, None, centre, limit=100, max_distance_km=km)
        # patient, referrals, pathway steps, candidates, links, patients
        assert demo_store.calls - before == 6 and found
    before = demo_store.calls
    partners.partners_for(demo_store, "namur", ["housing-insecurity"], max_distance_km=25.0)
    # zone, need types, candidates (no circle: no ties to look up)
    assert demo_store.calls - before == 3
