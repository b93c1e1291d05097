"""Real Belgian geography (`load belgium`) and the AFMPS pharmacy list imported twice without
duplicates, both read from ../shared/data at run time."""

from __future__ import annotations

import csv
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.directory import counts
from graphsvc.errors import InputError
from graphsvc.io.belgium import MERGERS_2025, SHIPPED, import_pharmacies, read_belgium
from graphsvc.io.bundle import store_lookup, write_bundle
from graphsvc.io.matching import candidates_from
from graphsvc.io.seeds import available_seeds, read_seed
from graphsvc.store import Store
from tests.test_bundle import dump

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
BELGIUM = SHARED / "belgium"
PHARMACIES = BELGIUM / "pharmacies_be_afmps_2022-03.csv"
needs_shared = pytest.mark.skipif(not BELGIUM.is_dir(), reason=f"{BELGIUM} is not there")


@pytest.fixture(scope="module")
def belgium():
    return read_belgium()


def test_municipalities_sum_to_the_population_of_belgium(belgium) -> None:
    zones = belgium.tables["zones"]
    levels = Counter(z["level"] for z in zones)
    assert levels == {"country": 1, "region": 3, "province": 5, "arrondissement": 19,
                      "primary_care_zone": 57, "municipality": 565,
                      "vicinity_network": 2730}  # fmt: skip
    municipalities = [z for z in zones if z["level"] == "municipality"]
    assert sum(z["population"] for z in municipalities) == 11_492_641
    by_id = {z["id"]: z for z in zones}
    assert by_id["be"]["population"] == 11_492_641
    assert sum(by_id[r]["population"] for r in ("vlaanderen", "wallonie", "brussel")) == 11_492_641
    assert by_id["be-nis-24062"]["name"] == "Leuven"


def test_flemish_primary_care_zones_hold_their_municipalities(belgium) -> None:
    zones = {z["id"]: z for z in belgium.tables["zones"]}
    with (BELGIUM / "municipality_to_elz_2025.csv").open(encoding="utf-8") as handle:
        links = [r for r in csv.DictReader(handle) if r["is_technical_code"] == "0"]
    assert len(links) == 304
    for link in links:
        zone = zones[f"be-nis-{link['nis_2025']}"]
        assert zone["part_of"] == f"be-{link['elz_code']}"
        assert zone["population"] == int(link["population_2020_aggregated"])
    elz = [z for z in zones.values() if z["level"] == "primary_care_zone"]
    assert len([z for z in elz if z["part_of"] == "vlaanderen"]) == 56
    for zone in elz:  # each ELZ's population is the sum of its municipalities
        parts = [z["population"] for z in zones.values() if z["part_of"] == zone["id"]]
        assert sum(parts) == zone["population"], zone["id"]
    # every 2025 municipality is in exactly one ELZ or Walloon arrondissement
    municipalities = [z for z in zones.values() if z["level"] == "municipality"]
    above = Counter(zones[z["part_of"]]["level"] for z in municipalities)
    assert above == {"primary_care_zone": 304, "arrondissement": 261}
    for arr in (z for z in zones.values() if z["level"] == "arrondissement"):
        assert zones[arr["part_of"]]["level"] == "province"
        assert zones[zones[arr["part_of"]]["part_of"]]["id"] == "wallonie"
    assert zones["be-nis-82039"]["name"] == "Bastogne"
    assert zones["be-nis-82039"]["part_of"] == "be-arr-82000"
    neighbourhoods = [z for z in zones.values() if z["level"] == "vicinity_network"]
    assert all(zones[z["part_of"]]["level"] == "municipality" for z in neighbourhoods)


@needs_shared
def test_the_mergers_are_the_published_ones() -> None:
    with (BELGIUM / "municipality_mergers_2025.csv").open(encoding="utf-8") as handle:
        published = {(r["nis_2019"], r["nis_2025"]) for r in csv.DictReader(handle)}
    assert {(old, new) for old, new, _ in MERGERS_2025} == published
    assert len(published) == 30


def test_hospitals_are_second_line_actors_with_services(belgium) -> None:
    actors = belgium.tables["actors"]
    assert len(actors) == 272 and {a["line"] for a in actors} == {"second"}
    services = belgium.tables["services"]
    with (BELGIUM / "hospitals_be_eurostat_2020.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    emergency = sum(1 for r in rows if r["emergency"] == "yes")
    assert len(services) == 272 + emergency
    beds = sum(int(r["cap_beds"]) for r in rows if r["cap_beds"])
    assert sum(s["capacity"] for s in services) == beds


@needs_shared
def test_load_belgium_then_pharmacies_twice_without_duplicates(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    assert "belgium" in available_seeds()
    write_bundle(store, read_seed("belgium"))
    found = counts(store)
    assert found["Zone"] == 3380 and found["Actor"] == 272
    first = import_pharmacies(PHARMACIES, existing=store_lookup(store),
                              candidates=candidates_from(store))  # fmt: skip
    assert len(first.matched.new) == 5026 and not first.matched.merged
    write_bundle(store, first.bundle)
    after_first = dump(store)
    assert counts(store)["Actor"] == 272 + 5026
    second = import_pharmacies(PHARMACIES, existing=store_lookup(store),
                               candidates=candidates_from(store))  # fmt: skip
    assert len(second.matched.merged) == 5026 and not second.matched.new
    write_bundle(store, second.bundle)
    assert dump(store) == after_first
    # A second list of the same pharmacies without their AFMPS numbers (another source):
    # matched on a score of name and distance (or queued for review), never duplicated.
    with PHARMACIES.open(encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle) if r["postcode"].startswith("30")]
    other = tmp_path / "other.csv"
    with other.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ["name", "postcode", "lat", "lon", "status"])
        writer.writeheader()
        for r in rows:
            writer.writerow({"name": r["name"].upper(), "postcode": r["postcode"],
                             "lat": float(r["lat"]) + 0.0005, "lon": r["lon"],
                             "status": r["status"]})  # fmt: skip
    try:
        third = import_pharmacies(other, existing=store_lookup(store),
                                  candidates=candidates_from(store))  # fmt: skip
    finally:
        other.unlink()
    matched = third.matched
    assert len(matched.merged) + len(matched.review) == len(rows) > 50
    assert not matched.new
    assert {how for _, how in matched.merged.values()} == {"match"}
    write_bundle(store, third.bundle)
    assert counts(store)["Actor"] == 272 + 5026


@needs_shared
def test_pharmacies_need_belgium_first(make_store: Callable[..., Store]) -> None:
    store = make_store()
    with pytest.raises(InputError, match="run `graphsvc load belgium` first"):
        import_pharmacies(PHARMACIES, existing=store_lookup(store))


def test_the_geography_ships_with_graphsvc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRAPHSVC_SHARED_DATA", "/nonexistent")
    assert len(read_belgium().tables["zones"]) == 1 + 3 + 5 + 19 + 57 + 565 + 2730


@needs_shared
def test_the_shipped_open_data_is_the_published_data() -> None:
    for shipped in [*SHIPPED.glob("*.csv"), *SHIPPED.glob("*.geojson")]:
        assert shipped.read_bytes() == (BELGIUM / shipped.name).read_bytes(), shipped.name
