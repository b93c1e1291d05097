"""FHIR R4 as real servers send it (issue 15 item 7): urn:uuid and contained references,
modifierExtension, DELETE entries, id-less resources, searchset pages, SSIN not stored. The
bundles are written here, each for one case."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.fhir import import_fhir
from graphsvc.io.sources import source_links
from graphsvc.io.sources_import import import_source
from graphsvc.store import Store
from tests.test_bundle import TINY

NURSING = {"coding": [{"system": "urn:graphsvc:service-type", "code": "home-nursing",
                       "display": "Home nursing"}]}  # fmt: skip


def _write(path: Path, data: dict) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _bundle(kind: str, *entries: dict, links: list | None = None) -> dict:
    return {"resourceType": "Bundle", "type": kind, "entry": list(entries),
            **({"link": links} if links else {})}  # fmt: skip


def _org(name: str, **more: object) -> dict:
    return {"resourceType": "Organization", "name": name, **more}


def _service(sid: str, provider: str, **more: object) -> dict:
    return {"resourceType": "HealthcareService", "id": sid, "name": f"Service {sid}",
            "providedBy": {"reference": provider}, "type": [NURSING], **more}  # fmt: skip


def test_urn_uuid_and_contained_references_are_resolved(tmp_path: Path) -> None:
    area = {"resourceType": "Location", "id": "area", "name": "Wijk Noord"}
    bundle = _bundle(
        "transaction",
        {"fullUrl": "urn:uuid:7d0c5b56-0d0e-4c3a-9a4e-000000000001",
         "resource": _org("Wijkgezondheidscentrum Noord"),
         "request": {"method": "POST", "url": "Organization"}},
        {"fullUrl": "urn:uuid:7d0c5b56-0d0e-4c3a-9a4e-000000000002",
         "resource": _service("s1", "urn:uuid:7d0c5b56-0d0e-4c3a-9a4e-000000000001",
                              contained=[area], coverageArea=[{"reference": "#area"}]),
         "request": {"method": "POST", "url": "HealthcareService"}},
    )  # fmt: skip
    imported = import_fhir(_write(tmp_path / "tx.json", bundle), prefix="tx")
    services = imported.bundle.tables["services"]
    assert [(s["id"], s["actor"]) for s in services] == [
        ("tx-s1", "tx-7d0c5b56-0d0e-4c3a-9a4e-000000000001")]  # fmt: skip
    assert services[0]["covers"] == ["tx-s1-area"]
    zones = {z["id"]: z["name"] for z in imported.bundle.tables["zones"]}
    assert zones["tx-s1-area"] == "Wijk Noord"
    assert imported.report.notes["resource without an id (its urn:uuid fullUrl taken)"] == 1


def test_modifier_extension_is_honoured_or_the_resource_refused(tmp_path: Path) -> None:
    suspended = {"url": "https://example.org/fhir/StructureDefinition/service-status",
                 "valueCode": "suspended"}  # fmt: skip
    unknown = {"url": "https://example.org/fhir/StructureDefinition/not-for-us",
               "valueBoolean": True}  # fmt: skip
    bundle = _bundle(
        "collection",
        {"resource": _org("Dienst Thuiszorg", id="o1")},
        {"resource": _service("paused", "Organization/o1", modifierExtension=[suspended])},
        {"resource": _service("odd", "Organization/o1", modifierExtension=[unknown])},
    )
    imported = import_fhir(_write(tmp_path / "m.json", bundle), prefix="m")
    services = {s["id"]: s["status"] for s in imported.bundle.tables["services"]}
    assert services == {"m-paused": "paused"}
    reason = ("resource with a modifierExtension graphsvc does not understand (refused: its "
              "meaning would change without it)")  # fmt: skip
    assert imported.report.skipped[reason] == 1
    assert "HealthcareService/odd" in imported.report.examples[reason][0]


def test_id_less_organizations_of_two_bundles_never_collide(tmp_path: Path) -> None:
    one = _bundle("collection", {"resource": _org("OCMW Leuven")})
    two = _bundle("collection", {"resource": _org("CAW Oost-Brabant")})
    first = import_fhir(_write(tmp_path / "one.json", one), prefix="p")
    second = import_fhir(_write(tmp_path / "two.json", two), prefix="p")
    again = import_fhir(_write(tmp_path / "one_again.json", one), prefix="p")
    a, b, c = (i.bundle.tables["actors"][0]["id"] for i in (first, second, again))
    assert a != b and a == c  # a stable content hash: the same resource, the same id
    assert first.report.notes["resource without an id (id from a hash of its content)"] == 1


def test_searchset_pages_are_read_together_and_a_dangling_next_is_reported(
    tmp_path: Path,
) -> None:
    pages = tmp_path / "pages"
    pages.mkdir()
    base = "https://fhir.example.org/HealthcareService?_count=1"
    _write(
        pages / "1.json",
        _bundle(
            "searchset",
            {"resource": _org("Huisartsenpraktijk Zuid", id="o1")},
            {"resource": _service("a", "Organization/o1")},
            links=[{"relation": "self", "url": base}, {"relation": "next", "url": base + "&p=2"}],
        ),
    )
    _write(pages / "2.json", _bundle(
        "searchset", {"resource": _service("b", "Organization/o1")},
        links=[{"relation": "self", "url": base + "&p=2"}]))  # fmt: skip
    together = import_fhir(pages, prefix="s")
    assert {s["id"] for s in together.bundle.tables["services"]} == {"s-a", "s-b"}
    assert not any("dangling" in reason for reason in together.report.notes)
    alone = import_fhir(pages / "1.json", prefix="s")
    assert [r for r in alone.report.notes if "dangling next link" in r]
    assert {s["id"] for s in alone.bundle.tables["services"]} == {"s-a"}


def test_ssin_is_not_stored_and_the_report_says_so(tmp_path: Path) -> None:
    person = {"resourceType": "Practitioner", "id": "p1", "name": [{"text": "Dr. An Peeters"}],
              "identifier": [{"system": "https://www.ehealth.fgov.be/standards/fhir/"
                              "NamingSystem/ssin", "value": "85073003328"}]}  # fmt: skip
    role = {"resourceType": "PractitionerRole", "id": "r1",
            "practitioner": {"reference": "Practitioner/p1"},
            "code": [{"text": "General practitioner"}]}  # fmt: skip
    bundle = _bundle("collection", {"resource": person}, {"resource": role})
    imported = import_fhir(_write(tmp_path / "ssin.json", bundle), prefix="x")
    assert imported.report.notes["SSIN/INSZ national number not stored (personal data)"] == 1
    assert "85073003328" not in json.dumps(imported.bundle.tables)


def test_delete_entries_of_a_transaction_apply_to_the_source_records(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_bundle(TINY))
    network = tmp_path / "net.json"
    _write(network, _bundle("collection", {"resource": _org("Thuisverpleging Oost", id="o1")},
                            {"resource": _service("s1", "Organization/o1")},
                            {"resource": _service("s2", "Organization/o1")}))  # fmt: skip
    import_source(store, network, "fhir", source="net", zone="north")
    change = tmp_path / "change.json"
    _write(
        change,
        _bundle(
            "transaction",
            {"request": {"method": "DELETE", "url": "HealthcareService/s2"}},
            {"request": {"method": "DELETE", "url": "HealthcareService?x=1"}},
        ),
    )
    lines = import_source(store, change, "fhir", source="net", prefix="net", zone="north")
    links = {r["source_id"]: r["gone"] for r in source_links(store, "net")}
    assert links == {"net-o1": False, "net-s1": False, "net-s2": True}
    assert any("1 newly no longer in the source" in line for line in lines)
    assert any("conditional deletes are not applied" in line for line in lines)


def test_graphql_shows_every_source_of_a_field_and_decides_matches(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    from starlette.testclient import TestClient

    from graphsvc.api.app import create_app
    from graphsvc.config import Settings
    from tests.conftest import LOCALHOST, gql

    store = make_store()
    write_bundle(store, read_bundle(TINY))
    nihdi = [{"system": "https://www.ehealth.fgov.be/standards/fhir/core/NamingSystem/"
                        "nihdi-organization", "value": "10712345"}]  # fmt: skip
    for source, name in (("one", "OCMW Leuven"), ("two", "OCMW van Leuven")):
        path = _write(tmp_path / f"{source}.json", _bundle(
            "collection", {"resource": _org(name, id="ocmw", identifier=nihdi)}))  # fmt: skip
        import_source(store, path, "fhir", source=source, prefix=source, zone="north")
    with TestClient(create_app(Settings(), store), base_url=LOCALHOST) as client:
        body = gql(client, '{ actor(id: "one-ocmw") { name sources { source field value kept } } }')
        actor = body["data"]["actor"]
        assert actor["name"] == "OCMW Leuven"  # the same rank: the value already there stays
        names = {s["source"]: (s["value"], s["kept"]) for s in actor["sources"]
                 if s["field"] == "name"}  # fmt: skip
        assert names == {"one": ("OCMW Leuven", True), "two": ("OCMW van Leuven", False)}
        refused = gql(client, 'mutation { decideMatch(sourceName: "two", sourceId: "x", '
                              "accept: true) { decision } }")  # fmt: skip
        assert "no such record queued for review" in refused["errors"][0]["message"]


def test_five_thousand_digit_numbers_are_refused_with_the_file(tmp_path: Path) -> None:
    import pytest

    from graphsvc.errors import InputError
    from graphsvc.io.hsds import import_hsds

    big = "9" * 5000
    text = json.dumps(_bundle("collection", {"resource": _org("Org", id="o1")}))
    path = tmp_path / "big.json"
    path.write_text(text.replace('"Org"', '"Org", "extension": [{"url": "u", "valueInteger": '
                                 + big + "}]"), encoding="utf-8")  # fmt: skip
    with pytest.raises(InputError, match=r"big\.json: a number with more than 4,300 digits"):
        import_fhir(path)
    folder = tmp_path / "hsds"
    folder.mkdir()
    (folder / "organizations.csv").write_text("id,name\no1,Org\n", encoding="utf-8")
    (folder / "services.csv").write_text("id,organization_id,name\ns1,o1,S\n", encoding="utf-8")
    (folder / "service_capacity.csv").write_text(f"id,service_id,available\nc1,s1,{big}\n")
    imported = import_hsds(folder)
    reason = "service capacity without a number of places (or a second one)"
    assert imported.report.examples[reason] == ["service_capacity.csv row 2"]
