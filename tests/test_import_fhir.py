"""FHIR R4 import: Organization, Location, HealthcareService, PractitionerRole, validated with
fhir.resources; unsupported resources skipped and reported; Belgian identifiers kept."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, store_lookup, write_bundle
from graphsvc.io.fhir import import_fhir
from graphsvc.io.matching import candidates_from
from graphsvc.store import Store
from tests.test_bundle import TINY, dump

FIXTURE = Path(__file__).parent / "fixtures" / "fhir" / "brussels_network.json"
ORG = "brussels-network-wgc-marollen"


def test_fhir_bundle_maps_actors_services_zones_and_identifiers() -> None:
    imported = import_fhir(FIXTURE)
    tables, report = imported.bundle.tables, imported.report
    actors = {a["id"]: a for a in tables["actors"]}
    assert actors[ORG]["lat"] == 50.8395 and actors[ORG]["zone"] == "be-nis-21004"
    gp = actors["brussels-network-practitionerrole-gp-janssens-marollen"]
    assert (gp["name"], gp["kind"], gp["discipline"]) == (
        "Dr. Els Janssens", "professional", "General practitioner")  # fmt: skip
    assert gp["languages"] == ["nl"]
    identifiers = {(r["actor"], r["scheme"]): r["value"] for r in tables["actor_identifiers"]}
    assert identifiers[(ORG, "nihdi")] == "10712345"
    assert identifiers[(ORG, "kbo")] == "0456789123"
    assert identifiers[(gp["id"], "nihdi")] == "19876543004"
    services = {s["id"]: s for s in tables["services"]}
    nursing = services["brussels-network-marollen-home-nursing"]
    assert nursing["type"] == "home-nursing" and nursing["languages"] == ["nl", "fr"]
    assert nursing["eligibility"] == ["chronic"] and nursing["status"] == "active"
    assert set(nursing["covers"]) == {"be-nis-21004", "brussels-network-marollen-area"}
    assert services["brussels-network-marollen-social-work"]["status"] == "closed"
    assert report.skipped["unsupported FHIR resource type Patient"] == 1
    assert report.skipped["unsupported FHIR resource type Observation"] == 1
    zones = {z["id"]: z for z in tables["zones"]}
    assert zones["brussels-network-marollen-area"]["part_of"] == "be-nis-21004"


def test_fhir_import_into_an_existing_graph_reuses_its_zones_and_types(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_bundle(TINY))  # has home-nursing and zone 'north'
    data = json.loads(FIXTURE.read_text())
    for entry in data["entry"]:
        if entry["resource"].get("id") == "brussels-city":
            entry["resource"]["identifier"] = []
            entry["resource"]["id"] = "north"
        text = json.dumps(entry["resource"]).replace("Location/brussels-city", "Location/north")
        entry["resource"] = json.loads(text)
    path = tmp_path / "n.json"
    path.write_text(json.dumps(data))
    imported = import_fhir(path, prefix="", existing=store_lookup(store),
                           candidates=candidates_from(store))  # fmt: skip
    codes = {t["code"] for t in imported.bundle.tables["service_types"]}
    assert "home-nursing" not in codes  # the database's own type is referenced, not renamed
    assert not any(z["id"] == "north" for z in imported.bundle.tables["zones"])
    write_bundle(store, imported.bundle)
    names = {r["code"]: r["name"] for r in store.run("list_bundle_service_types")}
    assert names["home-nursing"] == "Home nursing"
    first = dump(store)
    again = import_fhir(path, prefix="", existing=store_lookup(store),
                        candidates=candidates_from(store))  # fmt: skip
    assert len(again.matched.merged) == 2 and not again.matched.new
    write_bundle(store, again.bundle)
    assert dump(store) == first


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r.update(active="maybe"),
         "entry[4] HealthcareService/marollen-home-nursing field active: Input should be a "
         "valid boolean"),
        (lambda r: r.update(colour="blue"),
         "entry[4] HealthcareService/marollen-home-nursing field colour: Extra inputs are not "
         "permitted"),
    ],
)  # fmt: skip
def test_invalid_fhir_resources_are_refused_precisely(tmp_path: Path, change, message) -> None:
    data = json.loads(FIXTURE.read_text())
    change(data["entry"][4]["resource"])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as error:
        import_fhir(path)
    assert any(message in p for p in error.value.problems), error.value.problems


def test_broken_fhir_json_and_non_fhir(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text('{"resourceType": "Bundle", "entry": [')
    with pytest.raises(InputError, match="broken JSON at line 1"):
        import_fhir(broken)
    other = tmp_path / "other.json"
    other.write_text('{"hello": "world"}')
    with pytest.raises(InputError, match="not a FHIR resource"):
        import_fhir(other)
