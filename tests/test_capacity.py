"""Capacity known, estimated or unknown, never silently 0 (issue 18, items 2 and 3)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.capacity import default_places
from graphsvc.core.directory import Page, list_services
from graphsvc.core.gaps import GapQuery, compute, fetch, zone_gaps
from graphsvc.errors import InputError
from graphsvc.io.belgium import import_pharmacies
from graphsvc.io.bundle import read_bundle, store_lookup, write_bundle
from graphsvc.io.matching import candidates_from
from graphsvc.io.prevalence import estimate_needs, read_prevalence, write_estimate
from graphsvc.io.seeds import read_seed
from graphsvc.store import Store
from tests.conftest import REPO, TINY, load
from tests.test_import_belgium import PHARMACIES, needs_shared

EXAMPLE = REPO / "examples" / "prevalence_be.csv"
SERVICES_HEADER = "id,actor,type,name,capacity,available,languages,eligibility,status,covers"


def tiny_with(tmp_path: Path, services: str) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    (folder / "services.csv").write_text(services)
    return folder


def test_a_service_without_capacity_is_unknown_not_zero(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    folder = tiny_with(
        tmp_path,
        f"{SERVICES_HEADER}\n"
        "a-home,nurses-a,home-nursing,Home nursing North,,0,nl,,active,north\n"
        "b-home,nurses-b,home-nursing,Home nursing South,10,0,nl,,active,south\n",
    )
    store = make_store()
    load(store, str(folder))
    found = {s.id: s for s in list_services(store, None, None, None, None, Page())}
    assert (found["a-home"].capacity, found["a-home"].capacity_provenance) == (None, "unknown")
    assert (found["b-home"].capacity, found["b-home"].capacity_provenance) == (10, "declared")
    for query in (GapQuery("pilot"), GapQuery("pilot", method="e2sfca")):
        for rows in (zone_gaps(store, "pilot", query), compute(fetch(store, query), query)):
            north = next(r for r in rows if r.zone == "north")
            # nurses-b's 10 places also reach north by distance, not by catchment
            assert north.unknown_services == 1
            assert north.status == ("UNKNOWN" if query.method == "catchment" else "UNDER")
            assert north.providers_per_10k == pytest.approx(
                (1 if query.method == "catchment" else 2) * 10_000 / 30
            )
    estimated = GapQuery("pilot", capacity="estimated")
    north = next(r for r in zone_gaps(store, "pilot", estimated) if r.zone == "north")
    places = default_places()["home-nursing"]
    assert north.ratio == pytest.approx(places / 30)  # a-home's catchment is north only
    assert north.estimated_supply == pytest.approx(places) and north.unknown_services == 0
    [contribution] = north.contributions
    assert (contribution.capacity, contribution.provenance) == (places, "estimated")


def test_provenance_and_capacity_must_agree(tmp_path: Path) -> None:
    folder = tiny_with(
        tmp_path,
        f"{SERVICES_HEADER},capacity_provenance\n"
        "a-home,nurses-a,home-nursing,A,,0,nl,,active,north,declared\n"
        "b-home,nurses-b,home-nursing,B,10,0,nl,,active,south,unknown\n",
    )
    with pytest.raises(InputError) as raised:
        read_bundle(folder)
    text = str(raised.value)
    assert "services.csv row 2 field capacity_provenance: 'declared' needs a capacity" in text
    assert "services.csv row 3 field capacity_provenance: 'unknown' needs no capacity" in text


def test_nobody_in_need_is_no_demand_and_its_places_idle(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    folder = tiny_with(
        tmp_path,
        f"{SERVICES_HEADER}\n"
        "a-home,nurses-a,home-nursing,Home nursing North,20,0,nl,,active,north\n"
        "b-home,nurses-b,home-nursing,Home nursing South,10,0,nl,,active,south\n",
    )
    (folder / "zone_needs.csv").write_text(
        "zone,need,people,year,source\nnorth,wound-care,30,2024,test\n"
        "south,wound-care,0,2024,test\n"
    )
    store = make_store()
    load(store, str(folder))
    rows = {(r.zone, r.rollup): r for r in zone_gaps(store, "pilot")}
    south = rows[("south", False)]
    assert (south.status, south.idle_capacity, south.providers_per_10k) == ("NO_DEMAND", 10, None)
    assert rows[("north", False)].idle_capacity == 0
    pilot = rows[("pilot", True)]
    assert pilot.supply == pytest.approx(20) and pilot.idle_capacity == pytest.approx(10)


def national_pharmacies(store: Store) -> Store:
    """`load belgium`, `import pharmacies` and `needs estimate` with the README's example."""
    write_bundle(store, read_seed("belgium"))
    imported = import_pharmacies(PHARMACIES, existing=store_lookup(store),
                                 candidates=candidates_from(store))  # fmt: skip
    write_bundle(store, imported.bundle)
    write_estimate(store, estimate_needs(store, "be", read_prevalence(EXAMPLE), 2024, "example"))
    return store


@needs_shared
def test_national_pharmacies_unknown_then_estimated(make_store: Callable[..., Store]) -> None:
    store = national_pharmacies(make_store())
    services = [s for s in store.run("list_bundle_services") if "pharmacy" in s["types"]]
    active = sum(s["status"] == "active" for s in services)
    assert services and all(s["capacity_provenance"] == "unknown" for s in services)
    assert all(s["capacity"] is None for s in services)
    need = ("medication-management",)
    [declared] = zone_gaps(store, "be", GapQuery("be", needs=need, include_parts=False))
    assert declared.status == "UNKNOWN" and declared.ratio == 0
    assert declared.unknown_services == active > 4000
    assert declared.providers_per_10k == pytest.approx(active * 10_000 / declared.demand)
    cells = zone_gaps(store, "be", GapQuery("be", needs=need))
    # nothing MISSING only because capacity is unknown
    assert not [r for r in cells if r.status == "MISSING" and r.unknown_services]
    query = GapQuery("be", needs=need, capacity="estimated")
    rows = zone_gaps(store, "be", query)
    national = next(r for r in rows if r.rollup)
    places = default_places()["pharmacy"]
    assert national.supply + national.idle_capacity == pytest.approx(active * places)
    assert national.estimated_supply == pytest.approx(national.supply)
    assert national.status in ("UNDER", "COVERED") and national.unknown_services == 0
    assert rows == compute(fetch(store, query), query)  # in memory and from Cypher alike


def test_services_without_coordinates_are_reported_skipped(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    folder = tiny_with(tmp_path, (TINY / "services.csv").read_text())
    actors = (folder / "actors.csv").read_text().replace(",50.86,4.7,south", ",,,south")
    (folder / "actors.csv").write_text(actors)
    store = make_store()
    load(store, str(folder))
    for method in ("e2sfca", "gaussian"):
        query = GapQuery("pilot", method=method)
        for rows in (zone_gaps(store, "pilot", query), compute(fetch(store, query), query)):
            assert rows and {r.skipped_services for r in rows} == {1}
            assert not any("b-home" in {c.service for c in r.contributions} for r in rows)
    assert {r.skipped_services for r in zone_gaps(store, "pilot")} == {0}  # catchment


def test_graphql_names_the_method_and_echoes_its_parameters(client) -> None:
    from tests.conftest import gql

    data = gql(
        client,
        """{ serviceGaps(zoneId: "leuven-vn-wijgmaal", method: GAUSSIAN,
        gaussianSigmaKm: 5, reachKm: 20, capacity: ESTIMATED, includeParts: false) {
        zoneId needCode ratio normalizedRatio status method providersPer10k
        methodParameters { name value } services { serviceId capacityProvenance } } }""",
    )
    rows = data["data"]["serviceGaps"]
    assert rows and {r["method"] for r in rows} == {"GAUSSIAN"}
    echoed = {p["name"]: p["value"] for p in rows[0]["methodParameters"]}
    assert echoed == {"reachKm": "20.0", "gaussianSigmaKm": "5.0", "capacity": "estimated"}
    # a one-cell zone is its own mean
    assert all(r["normalizedRatio"] == pytest.approx(1.0) for r in rows if r["ratio"] > 0)
    assert all(s["capacityProvenance"] == "DECLARED" for r in rows for s in r["services"])
    bad = gql(client, '{ serviceGaps(zoneId: "leuven", method: GRAVITY, gravityMinKm: 0) '
                      "{ ratio } }")  # fmt: skip
    assert (
        "argument gravityMinKm: 0.0 must be a positive number of at least 0.001 km"
        in (bad["errors"][0]["message"])
    )
