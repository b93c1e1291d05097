"""`graphsvc zones migrate-2025`: a database on the 2019 municipalities (Galmaarden, Gooik and
Herne, merged into Pajottegem in 2025) keeps every actor, service, need, patient and team
attached, on the 2025 municipality; a second run changes nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.io.bundle import bundle_from_records, write_bundle
from graphsvc.io.export import export_tables
from graphsvc.io.migrate import migrate_2025
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.maps_fixtures import graphsvc

PATIENT = "b" * 64
OLD = ("be-nis-23023", "be-nis-23024", "be-nis-23032")
NEW = "be-nis-23106"


def _old_database(store: Store) -> None:
    zone = lambda i, name, level, parent, people=None: ("old", {  # noqa: E731
        "id": i, "name": name, "level": level, "population": people, "lat": None, "lon": None,
        "part_of": parent})  # fmt: skip
    records = {
        "zones": [zone("be", "Belgium", "country", None),
                  zone("vlaanderen", "Vlaanderen", "region", "be"),
                  zone("be-elz33", "Pajottenland", "primary_care_zone", "vlaanderen"),
                  zone("be-nis-23023", "Galmaarden", "municipality", "be-elz33", 8800),
                  zone("be-nis-23024", "Gooik", "municipality", "be-elz33", 9200),
                  zone("be-nis-23032", "Herne", "municipality", "be-elz33", 6700),
                  zone("be-wijk-2302301", "Galmaarden-Centrum", "vicinity_network",
                       "be-nis-23023")],
        "service_types": [("old", {"code": "nursing", "name": "Nursing", "category": None,
                                   "broader": None})],
        "need_types": [("old", {"code": "nursing-care", "name": "Nursing care",
                                "domain": "medical", "met_by": ["nursing"]})],
        "actors": [("old", {"id": "nurse", "name": "Nurse", "kind": "professional",
                            "line": "first", "zone": "be-nis-23024"})],
        "services": [("old", {"id": "nursing-1", "actor": "nurse", "type": "nursing",
                              "name": "Home nursing", "capacity": 10, "available": 2,
                              "status": "active", "covers": ["be-nis-23023", "be-nis-23032"]})],
        "zone_needs": [("old", {"zone": "be-nis-23023", "need": "nursing-care", "people": 100,
                                "year": 2023, "source": "a"}),
                       ("old", {"zone": "be-nis-23024", "need": "nursing-care", "people": 50,
                                "year": 2024, "source": "b"})],
        "patients": [("old", {"id": PATIENT, "zone": "be-nis-23032", "languages": ["nl"],
                              "eligibility": [], "case_manager": "nurse"})],
        "networks": [("old", {"id": "team", "name": "Team Pajot", "kind": "vicinity_team"})],
        "network_zones": [("old", {"network": "team", "zone": "be-nis-23023"})],
    }  # fmt: skip
    write_bundle(store, bundle_from_records(Path("old"), records, []))


def test_migration_keeps_everything_attached(make_store: Callable[..., Store]) -> None:
    store = make_store()
    _old_database(store)
    audited: list[set[str]] = []
    dry = migrate_2025(store, write=False)
    assert dry[0] == "3 zones with a 2019 code merged into 1 municipalities of 2025"
    assert dry[-1] == "dry run: nothing written"
    lines = migrate_2025(store, audit=audited.append)
    assert audited == [{PATIENT}]
    assert "needs summed where merged municipalities had the same need: 1" in lines
    assert lines[-1].startswith("3 zones with a 2019 code deleted")
    zones = {r["key"] for r in store.run("list_existing_zones", keys=[*OLD, NEW])}
    assert zones == {NEW}
    assert store.run("list_zone_links", ids=[NEW])
    links = {(r["type"], r["other"]) for r in store.run("list_zone_links", ids=[NEW])}
    assert {("LOCATED_IN", "nurse"), ("COVERS", "nursing-1"), ("HAS_NEED", "nursing-care"),
            ("LIVES_IN", PATIENT), ("WORKS_IN", "team"),
            ("PART_OF", "be-wijk-2302301")} <= links  # fmt: skip
    need = store.run("list_bundle_zone_needs")
    assert [(n["zone"], n["people"], n["year"]) for n in need] == [(NEW, 150, 2024)]
    services = {s["id"]: s for s in store.run("list_bundle_services")}
    assert services["nursing-1"]["covers"] == [NEW]  # two old municipalities, one new
    assert store.run("find_zone_aliases", codes=list(OLD)) == [{"alias": z, "id": NEW} for z in OLD]
    before = graph_digest(store)
    assert migrate_2025(store)[0] == "no 2019 municipality codes in the database: nothing to move"
    assert graph_digest(store) == before


def _attached(store: Store) -> dict[str, Any]:
    """Every actor, service, need and patient with the zones it hangs on (by id)."""
    tables = export_tables(store, patients=True)
    return {
        "actors": sorted((a["id"], a["zone"]) for a in tables["actors"]),
        "services": sorted((s["id"], tuple(s["covers"])) for s in tables["services"]),
        "needs": sum(n["people"] for n in tables["zone_needs"]),
        "need_zones": sorted({n["zone"] for n in tables["zone_needs"]}),
        "patients": sorted((p["id"], p["zone"]) for p in tables["patients"]),
        "teams": sorted((t["network"], t["zone"]) for t in tables["network_zones"]),
    }


def test_the_documented_command_keeps_every_actor_service_and_need(
    embedded: EmbeddedServer, tmp_path: Path
) -> None:
    """`graphsvc zones migrate-2025` as the README gives it (dry run first), in a child
    process: the same actors, services, needs and patients, each on a 2025 zone."""
    graph = f"mig_{uuid.uuid4().hex[:10]}"
    store = open_store(Settings(db=f"embedded:{embedded.data_dir}", graph=graph))
    audit_log = tmp_path / "audit.jsonl"
    env = {"GRAPHSVC_DB": f"embedded:{embedded.data_dir}", "GRAPHSVC_GRAPH": graph,
           "GRAPHSVC_AUDIT_LOG": str(audit_log)}  # fmt: skip
    try:
        _old_database(store)
        before = _attached(store)
        digest = graph_digest(store)
        dry = graphsvc("zones", "migrate-2025", "--dry-run", env=env)
        assert dry.returncode == 0, dry.stderr
        assert "dry run: nothing written" in dry.stderr and graph_digest(store) == digest
        done = graphsvc("zones", "migrate-2025", env=env)
        assert done.returncode == 0, done.stderr
        after = _attached(store)  # the 2025 geography brings its 272 hospitals along
        moved = lambda zone: NEW if zone in OLD else zone  # noqa: E731
        for table in ("actors", "patients", "teams", "services"):
            mine = {row[0] for row in before[table]}
            kept = [row for row in after[table] if row[0] in mine]
            if table == "services":
                assert kept == [("nursing-1", (NEW,))]  # two old zones, one new
            else:
                assert kept == [(i, moved(z)) for i, z in before[table]], table
        assert after["needs"] == before["needs"] == 150 and after["need_zones"] == [NEW]
        assert PATIENT in audit_log.read_text(encoding="utf-8")  # the rewrite is audited
        zones = {z["id"] for z in export_tables(store)["zones"]}
        assert not zones & set(OLD) and NEW in zones
    finally:
        store.run("delete_everything")
        store.close()
