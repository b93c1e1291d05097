"""graphsvc's own version per aggregate (graphsvc.store.versions): bumped in the write's own
transaction, only for the aggregates the query names, with the changed keys. Real FalkorDB."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from graphsvc.queries import CYPHER_DIR, QueryCatalog, parse_query
from graphsvc.store import Store, versions
from tests.conftest import load
from tests.test_bundle import TINY

AGGREGATES = ("*", "supply", "patients", "demand")


def _service(sid: str, capacity: int) -> dict:
    return {"id": sid, "actor": "nurses-a", "type": "home-nursing", "name": sid,
            "capacity": capacity, "available": 1, "languages": [], "eligibility": [],
            "status": "active"}  # fmt: skip


def test_writes_bump_only_what_they_touch_with_their_keys(
    make_store: Callable[..., Store],
) -> None:
    store = make_store()
    load(store, str(TINY))
    epoch, before = store.version(AGGREGATES)  # type: ignore[misc]
    store.upsert("merge_services", [_service("a-home", 7), _service("b-home", 8)])
    store.run("merge_enrolments", rows=[])
    coverage = {"rows": [{"id": "x-none", "covers": []}]}
    store.write_all([("merge_services", {"rows": [_service("a-home", 9)]}),
                     ("merge_service_coverage", coverage)])  # fmt: skip
    again, after = store.version(AGGREGATES)  # type: ignore[misc]
    assert again == epoch
    assert after["supply"] - before["supply"] == 2  # one upsert batch, one transaction
    assert after["patients"] - before["patients"] == 1
    assert after["demand"] == before["demand"] and after["*"] == before["*"]
    logs = store.changes({"supply": (before["supply"], after["supply"])})
    assert [json.loads(e) for e in logs["supply"]] == [["a-home", "b-home"], ["a-home", "x-none"]]
    assert versions.changed_keys(logs) == {"supply": {"a-home", "b-home", "x-none"}}
    store.run("delete_everything")
    assert store.version(AGGREGATES)[1]["*"] == after["*"] + 1  # type: ignore[index]


def test_a_bulk_write_records_unknown_keys() -> None:
    query = parse_query("merge_things", "// touches: supply(rows.id)\nRETURN 1", Path("x"))
    rows = [{"id": str(i)} for i in range(versions.MAX_KEYS + 1)]
    assert versions.entries(query, {"rows": rows}) == [("supply", "null")]
    assert versions.changed_keys({"supply": ['["a"]', "null"]}) == {"supply": None}


def test_a_write_query_without_touches_touches_everything() -> None:
    query = parse_query("merge_things", "// Returns nothing.\nRETURN 1", Path("x"))
    assert query.touches == (("*", None),)
    declared = {name for name, q in QueryCatalog.load("falkordb", CYPHER_DIR).items()
                if q.writes and q.touches == (("*", None),)}  # fmt: skip
    assert declared == {"delete_everything"}  # every other write says what it changes
