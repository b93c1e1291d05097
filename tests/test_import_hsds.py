"""Open Referral HSDS: the real Miami 211 directory (HSDS 1.x data package), 3.0 JSON, and
export to HSDS 3.0 CSV then import again giving the same graph."""

from __future__ import annotations

import csv
import json
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.digest import graph_digest
from graphsvc.core.directory import counts
from graphsvc.errors import InputError
from graphsvc.io.bundle import store_lookup, write_bundle
from graphsvc.io.hsds import export_hsds, import_hsds
from graphsvc.store import Store
from tests.conftest import load
from tests.test_bundle import dump

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MIAMI = SHARED / "hsds" / "miami_211_2019"
pytestmark = pytest.mark.skipif(not MIAMI.is_dir(), reason=f"{MIAMI} is not there")


def source_rows(name: str) -> list[dict[str, str]]:
    with (MIAMI / "data" / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def miami():
    return import_hsds(MIAMI)


def depth(parents: dict[str, str | None]) -> Counter[int]:
    found: Counter[int] = Counter()
    for code in parents:
        n, node = 0, parents[code]
        while node is not None:
            n, node = n + 1, parents.get(node)
        found[n] += 1
    return found


def test_miami_counts_in_equal_counts_out(miami) -> None:
    tables, report = miami.bundle.tables, miami.report
    organizations = {r["id"] for r in source_rows("organizations.csv")}
    services = source_rows("services.csv")
    assert len(organizations) == 1074 and len(services) == 4089
    assert len(tables["services"]) == 4089
    placeholders = {s["organization_id"] for s in services} - organizations
    assert len(tables["actors"]) == 1074 + len(placeholders)
    assert report.notes["placeholder organization made for the services above"] == len(placeholders)
    missing = sum(1 for s in services if s["organization_id"] not in organizations)
    assert (
        report.notes["service of an organization missing from the file (placeholder provider)"]
        == missing
    )
    # every eligibility row is reported (none names its service), none silently dropped
    assert report.skipped["eligibility without service_id"] == len(source_rows("eligibility.csv"))
    links = source_rows("services_taxonomy.csv")
    distinct = {(r["service_id"], r["taxonomy_id"]) for r in links}
    assert report.skipped["duplicate service-taxonomy link"] == len(links) - len(distinct)
    kept = len(tables["service_classifications"]) + sum(
        1 for s in tables["services"] if s["type"] == "unclassified"
    )
    typed = {s for s, _ in distinct}
    assert kept == len(distinct) + (4089 - len(typed))
    with_coordinates = {r["organization_id"] for r in source_rows("locations.csv")
                        if r["latitude"] and r["organization_id"] in organizations}  # fmt: skip
    assert sum(1 for a in tables["actors"] if a["lat"] is not None) >= len(with_coordinates)


def test_miami_taxonomy_depth_is_kept(miami) -> None:
    terms = source_rows("taxonomy.csv")
    source = {}
    for row in terms:
        source.setdefault(row["id"], row["parent_id"] or None)
    assert len(source) == 1991
    imported = {t["code"]: t["broader"] for t in miami.bundle.tables["service_types"]}
    space = "open211-miami-airs:"  # term codes are namespaced by their taxonomy (vocabulary)
    named = {space + c: (space + p if p else None) for c, p in source.items()}
    assert {code: imported[code] for code in named} == named
    assert depth(imported) == depth(source) + Counter({0: 1})  # + 'unclassified'
    assert miami.report.skipped["duplicate taxonomy term id (first kept)"] == len(terms) - 1991


def test_miami_loads_reimports_unchanged_and_round_trips_through_hsds_3(
    make_store: Callable[..., Store], miami, tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, miami.bundle)
    found = counts(store)
    assert found["Service"] == 4089 and found["PROVIDES"] == 4089 and found["OF_TYPE"] == 4089
    broader = sum(1 for t in miami.bundle.tables["service_types"] if t["broader"])
    assert found["ServiceType"] == 1992 and found["BROADER"] == broader == 1980
    assert found["Actor"] == len(miami.bundle.tables["actors"])
    first = dump(store)
    write_bundle(store, import_hsds(MIAMI, existing=store_lookup(store)).bundle)
    assert dump(store) == first
    # HSDS 3.0 CSV export, then import (same prefix) into an empty database
    written = export_hsds(store, tmp_path / "hsds")
    # + the term naming graphsvc's own ids (services and locations carry them as attributes)
    assert written["services.csv"] == 4089 and written["taxonomy_terms.csv"] == 1992 + 1
    package = json.loads((tmp_path / "hsds" / "datapackage.json").read_text())
    assert package["version"] == "3.0.0"
    reimported = import_hsds(tmp_path / "hsds", prefix="miami-211-2019")
    assert reimported.report.skipped_total == 0, reimported.report.lines()
    again = make_store()
    write_bundle(again, reimported.bundle)
    # the same graph: every node, link and detail value (read in the export's canonical form)
    assert counts(again) == found
    assert graph_digest(again) == graph_digest(store)
    assert dump(again) == first


def test_seed_exported_as_hsds_keeps_services_types_capacity_and_identifiers(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    load(store, "leuven")
    export_hsds(store, tmp_path / "hsds", version="3.1")  # 3.1: with service_capacity
    imported = import_hsds(tmp_path / "hsds", prefix="", zone="leuven",
                           existing=store_lookup(store))  # fmt: skip
    services = {s["id"]: s for s in imported.bundle.tables["services"]}
    assert len(services) == 222
    one = services["leuven-apotheek-de-bron-pharmacy"]
    assert (one["type"], one["capacity"], one["available"]) == ("pharmacy", 852, 174)
    # HSDS tables carry no order: languages are read as a sorted set
    assert one["languages"] == ["fr", "nl"] and one["covers"] == ["leuven-vn-kessel-lo"]
    assert "zones" not in imported.bundle.tables or not any(
        z["id"] == "leuven" for z in imported.bundle.tables["zones"]
    )


def hsds3_service(n: int, **extra) -> dict:
    return {
        "id": f"svc-{n}", "name": f"Counselling {n}", "status": "temporarily closed",
        "organization": {
            "id": "org-1", "name": "Example Counselling", "description": "x",
            "organization_identifiers": [
                {"id": "i1", "identifier_scheme": "BE-BCE_KBO", "identifier_type": "KBO",
                 "identifier": "0401.388.176"},
                {"id": "i2", "identifier_scheme": "GB-COH", "identifier_type": "Company",
                 "identifier": "123"}],
        },
        "languages": [{"id": "l1", "name": "Dutch", "code": "nl"}],
        "capacities": [{"id": "c1", "available": 3, "maximum": 12, "unit": {"id": "u"}}],
        "attributes": [{"id": "a1", "link_type": "service_type", "taxonomy_term_id": "t2",
                        "taxonomy_term": {"id": "t2", "code": "psy-first", "name": "Psychology",
                                          "parent_id": "t1", "taxonomy": "demo"}}],
        "service_at_locations": [{"id": "sal1", "location": {
            "id": "loc1", "location_type": "physical", "latitude": 50.88, "longitude": 4.7}}],
        **extra,
    }  # fmt: skip


def test_hsds_3_json_services(make_store: Callable[..., Store], tmp_path: Path) -> None:
    path = tmp_path / "services.json"
    path.write_text(json.dumps({"contents": [hsds3_service(1), hsds3_service(2)]}))
    imported = import_hsds(path)
    tables, report = imported.bundle.tables, imported.report
    assert [a["id"] for a in tables["actors"]] == ["services-org-1"]
    assert tables["actors"][0]["lat"] == 50.88
    assert tables["actor_identifiers"] == [
        {"actor": "services-org-1", "scheme": "kbo", "value": "0401388176"}
    ]
    one = tables["services"][0]
    assert (one["status"], one["capacity"], one["available"]) == ("paused", 12, 3)
    # a term without a taxonomy is namespaced by the import's prefix
    assert one["type"] == "demo:psy-first" and one["languages"] == ["nl"]
    assert report.notes["organization identifier of another scheme (kept as detail)"] == 1
    assert report.notes[
        "taxonomy term whose parent is not in the file (kept without parent)"] == 1  # fmt: skip
    store = make_store()
    write_bundle(store, imported.bundle)
    kbo = [r for r in store.run("list_bundle_actors") if r["kbo"]]
    assert [r["kbo"] for r in kbo] == ["0401388176"]


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("organizations.csv", "id,name,", "id,nmae,",
         "organizations.csv: row 1: missing column(s) name"),
        ("services_at_location.csv", "service_id", "servce_id",
         "services_at_location.csv: row 1: missing column(s) service_id"),
        ("services.csv", "id,organization_id", "", "not an HSDS folder"),
    ],
)  # fmt: skip
def test_bad_hsds_is_refused_with_a_precise_message(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = tmp_path / "hsds"
    (folder / "data").mkdir(parents=True)
    (folder / "datapackage.json").write_text((MIAMI / "datapackage.json").read_text())
    for name in ("organizations.csv", "services.csv", "services_at_location.csv"):
        text = (MIAMI / "data" / name).read_text(encoding="utf-8")
        if name == file:
            if new == "":
                continue
            text = text.replace(old, new, 1)
        (folder / "data" / name).write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as error:
        import_hsds(folder)
    assert any(message in p for p in error.value.problems), error.value.problems


def test_broken_hsds_json_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"contents": [{"id": "s1", "name": ')
    with pytest.raises(InputError, match="broken JSON at line 1 column 36: Expecting value"):
        import_hsds(path)
