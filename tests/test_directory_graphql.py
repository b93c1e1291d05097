"""The directory detail in GraphQL (issue 15 items 2 and 3): an HSDS 3.0 folder written here,
imported as two sources, read back through the real HTTP app: organisation, service,
locations, phones, contacts, schedules and addresses as the source gave them, and each
source's value of the detail beside the one kept (survivorship: the first directory stays)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.io.sources import conflicts
from graphsvc.io.sources_import import import_source
from graphsvc.store import Store
from tests.conftest import LOCALHOST, gql

TABLES = {
    "organizations.csv": [{"id": "o1", "name": "Wijkgezondheidscentrum De Ridder",
                           "description": "Primary care practice", "email": "info@ridder.be",
                           "website": "https://ridder.example", "year_incorporated": "1998"}],
    "services.csv": [{"id": "s1", "organization_id": "o1", "name": "Home nursing",
                      "status": "active", "description": "Nursing at home, seven days a week",
                      "fees_description": "Free with a prescription", "minimum_age": "18",
                      "application_process": "Call the desk"}],
    "locations.csv": [{"id": "l1", "organization_id": "o1", "name": "De Ridder main site",
                       "latitude": "50.8799", "longitude": "4.7005", "transportation": "Bus 2"}],
    "addresses.csv": [{"id": "ad1", "location_id": "l1", "address_1": "Ridderstraat 12",
                       "city": "Leuven", "postal_code": "3000", "country": "BE",
                       "address_type": "physical", "state_province": "Vlaams-Brabant"}],
    "service_at_location.csv": [{"id": "sal1", "service_id": "s1", "location_id": "l1",
                                 "description": "At the main site"}],
    "phones.csv": [
        {"id": "p1", "organization_id": "o1", "number": "+32 16 11 22 33", "type": "voice"},
        {"id": "p2", "service_id": "s1", "number": "+32 16 44 55 66", "type": "voice",
         "extension": "12"},
    ],
    "contacts.csv": [{"id": "c1", "service_id": "s1", "name": "An Peeters",
                      "title": "Head nurse", "email": "an@ridder.example"}],
    "schedules.csv": [
        {"id": "sc1", "service_at_location_id": "sal1", "freq": "WEEKLY", "byday": "MO,TU",
         "opens_at": "08:00:00", "closes_at": "17:00:00"},
        {"id": "sc2", "service_id": "s1", "freq": "WEEKLY", "byday": "SA",
         "opens_at": "09:00:00", "closes_at": "12:00:00", "description": "Saturday mornings"},
    ],
}  # fmt: skip

QUERY = """{ actor(id: "%s") { name
  directory { description email website yearIncorporated phones { number type } }
  locations { name lat lon address transportation
              addresses { address1 city postalCode country fields } }
  sources { source field value kept }
  services { name
    directory { description feesDescription minimumAge applicationProcess
                phones { number extension } contacts { name title email }
                schedules { freq byday opensAt closesAt description } }
    locations { description location { name } schedules { byday opensAt closesAt } }
    sources { source field value kept } } } }"""


def _folder(path: Path, description: str) -> Path:
    path.mkdir()
    for name, rows in TABLES.items():
        rows = [{**r, "description": description} if name == "services.csv" else r
                for r in rows]  # fmt: skip
        header = sorted({k for r in rows for k in r})
        with (path / name).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, header)
            writer.writeheader()
            writer.writerows(rows)
    return path


def test_directory_detail_and_its_sources_in_graphql(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    first = _folder(tmp_path / "ridder", "Nursing at home, seven days a week")
    second = _folder(tmp_path / "other", "Home care nurses")
    import_source(store, first, "hsds", prefix="wgc")
    lines = import_source(store, second, "hsds", prefix="other")
    assert any("services.details 1" in line for line in lines), lines
    digest = graph_digest(store)
    import_source(store, first, "hsds", prefix="wgc")
    assert graph_digest(store) == digest  # re-importing the first changes nothing
    with TestClient(create_app(Settings(), store), base_url=LOCALHOST) as client:
        body = gql(client, QUERY % "wgc-o1")
    assert "errors" not in body, body
    actor = body["data"]["actor"]
    assert actor["directory"] == {
        "description": "Primary care practice", "email": "info@ridder.be",
        "website": "https://ridder.example", "yearIncorporated": 1998,
        "phones": [{"number": "+32 16 11 22 33", "type": "voice"}]}  # fmt: skip
    (location,) = [loc for loc in actor["locations"] if loc["name"] == "De Ridder main site"][:1]
    assert (location["lat"], location["lon"], location["transportation"]) == (50.8799, 4.7005,
                                                                              "Bus 2")  # fmt: skip
    (address,) = location["addresses"]
    assert (address["address1"], address["city"], address["postalCode"]) == (
        "Ridderstraat 12", "Leuven", "3000")  # fmt: skip
    assert address["fields"]["state_province"] == "Vlaams-Brabant"  # every field kept
    (service,) = actor["services"]
    detail = service["directory"]
    assert detail["description"] == "Nursing at home, seven days a week"  # the first stays
    assert (detail["feesDescription"], detail["minimumAge"]) == ("Free with a prescription", 18)
    assert detail["phones"] == [{"number": "+32 16 44 55 66", "extension": "12"}]
    assert detail["contacts"] == [{"name": "An Peeters", "title": "Head nurse",
                                   "email": "an@ridder.example"}]  # fmt: skip
    assert detail["schedules"] == [{"freq": "WEEKLY", "byday": "SA", "opensAt": "09:00:00",
                                    "closesAt": "12:00:00",
                                    "description": "Saturday mornings"}]  # fmt: skip
    at = [s for s in service["locations"] if s["location"]["name"] == "De Ridder main site"]
    assert at[0]["description"] == "At the main site"
    assert at[0]["schedules"] == [{"byday": "MO,TU", "opensAt": "08:00:00",
                                   "closesAt": "17:00:00"}]  # fmt: skip
    said = {s["source"]: (json.loads(s["value"])["description"], s["kept"])
            for s in service["sources"] if s["field"] == "details"}  # fmt: skip
    assert said == {"ridder": ("Nursing at home, seven days a week", True),
                    "other": ("Home care nurses", False)}  # fmt: skip
    listed = [c for c in conflicts(store, "other") if c["field"] == "details"]
    assert [(c["table"], c["canonical_id"], c["kept_from"]) for c in listed] == [
        ("services", "wgc-s1", "ridder")]  # fmt: skip


def test_nothing_odd_is_accepted_silently(tmp_path: Path) -> None:
    """Issue 15 item 8: unknown columns, an over-long id, out-of-range coordinates, a time
    that is no time and a url that is no web address: each named with its file and row."""
    from graphsvc.io.hsds import import_hsds

    folder = tmp_path / "odd"
    folder.mkdir()
    long_id = "o" * 200
    (folder / "organizations.csv").write_text(
        f"id,name,colour\no1,Huis,blue\n{long_id},Too long,\n"
    )
    (folder / "services.csv").write_text(
        "id,organization_id,name,status,url\ns1,o1,Counter,active,release the silence\n"
    )
    (folder / "locations.csv").write_text(
        "id,organization_id,name,latitude,longitude\nl1,o1,Site,95.0,4.7\n"
    )
    (folder / "schedules.csv").write_text(
        "id,service_id,freq,byday,opens_at,closes_at\nsc1,s1,WEEKLY,MO,8:00am,6:300pm\n"
    )
    lines = "\n".join(import_hsds(folder, prefix="odd").lines())
    assert "unknown column 'colour' of organization (not read) (e.g. organizations.csv row 1)" in (
        lines
    )
    assert "organization without a usable id (empty, or longer than 128 characters" in lines
    assert "organizations.csv row 3" in lines
    assert "location coordinates out of range or not numbers (left empty) (e.g. locations.csv " \
           "row 2)" in lines  # fmt: skip
    assert "schedule closes_at that is not a time of day" in lines
    assert "schedules.csv row 2" in lines
    assert "url that is not a web address (left out) (e.g. services.csv row 2)" in lines
