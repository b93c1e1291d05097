"""The Store contract, run against every configured backend (embedded FalkorDB always)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from graphsvc.errors import QueryCatalogError
from graphsvc.store import Store

ZONES = [
    {"id": "be", "name": "België", "level": "country", "population": 10, "lat": 50.5, "lon": 4.4},
    {"id": "lv", "name": "Leuven", "level": "pilot_zone", "population": 7, "lat": None,
     "lon": None},
]  # fmt: skip


def test_rows_are_plain_dicts_of_plain_values(store: Store) -> None:
    store.upsert("merge_zones", ZONES)
    store.upsert("merge_zone_parts", [{"id": "lv", "part_of": "be"}])
    rows = store.run("list_zones", level=None, parent=None, offset=0, limit=10)
    assert rows == [
        {"id": "be", "name": "België", "level": "country", "population": 10, "lat": 50.5,
         "lon": 4.4, "parent": None},
        {"id": "lv", "name": "Leuven", "level": "pilot_zone", "population": 7, "lat": None,
         "lon": None, "parent": "be"},
    ]  # fmt: skip
    assert all(type(row) is dict for row in rows)
    dump = store.run("list_node_dump")
    assert all(type(row["props"]) is dict for row in dump)


def test_upsert_batches_and_is_idempotent(make_store: Callable[..., Store]) -> None:
    store = make_store(batch_size=2)
    rows = [{**ZONES[1], "id": f"z{i}"} for i in range(5)]
    before = store.calls
    assert store.upsert("merge_zones", rows) == 5
    assert store.calls - before == 3  # batches of 2, 2, 1
    store.upsert("merge_zones", rows)
    assert store.run("count_nodes") == [{"label": "Zone", "count": 5}]


def test_write_all_applies_every_step_in_one_round_trip(store: Store) -> None:
    before = store.calls
    results = store.write_all([
        ("merge_zones", {"rows": ZONES}),
        ("merge_zone_parts", {"rows": [{"id": "lv", "part_of": "be"}]}),
    ])  # fmt: skip
    assert store.calls - before == 1
    assert results == [[{"written": 2}], [{"written": 1}]]
    assert store.run("count_relationships") == [{"type": "PART_OF", "count": 1}]


def test_write_all_refuses_read_queries_before_writing(store: Store) -> None:
    with pytest.raises(ValueError, match="read query"):
        store.write_all([("merge_zones", {"rows": ZONES}), ("count_nodes", {})])
    assert store.run("count_nodes") == []


def test_parameters_are_checked_before_the_database_is_called(store: Store) -> None:
    before = store.calls
    with pytest.raises(QueryCatalogError, match="missing"):
        store.run("list_zones", level=None)
    assert store.calls == before


def test_values_are_data_never_code(store: Store) -> None:
    evil = 'x\'}) DETACH DELETE n //\\ "quoted" ünïcode 🏥'
    store.upsert("merge_zones", [{**ZONES[0], "name": evil}])
    assert store.run("get_zones", ids=["be"])[0]["name"] == evil


def test_setup_is_idempotent(store: Store) -> None:
    store.upsert("merge_zones", ZONES[:1])
    store.setup()
    store.setup()
    store.ping()
    assert [z["id"] for z in store.run("get_zones", ids=["be"])] == ["be"]


def test_graph_entities_never_leak_out_of_the_store() -> None:
    from graphsvc.store.values import to_plain

    class Node(dict):  # shaped like neo4j's Node: a Mapping of its properties
        pass

    with pytest.raises(QueryCatalogError, match="returned a graph Node"):
        to_plain([Node(id="x")], "get_x")
