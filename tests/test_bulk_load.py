"""Issue 22 item 4: a load into an empty FalkorDB graph is built with GRAPH.BULK; it must
give the graph the UNWIND load gives (same digest), and the graph must survive a restart."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.digest import graph_digest
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.store import Store
from tests.conftest import TINY


def _digest(make_store: Callable[..., Store], folder: Path, bulk: bool, monkeypatch) -> tuple:
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "1" if bulk else "0")
    store = make_store()
    store.calls = 0
    write_bundle(store, read_bundle(folder))
    return graph_digest(store), store.calls


@pytest.mark.parametrize("seed", [str(TINY), "leuven", "namur"])
def test_bulk_and_unwind_loads_give_the_same_graph(make_store, monkeypatch, seed) -> None:
    folder = resolve_seed(seed)
    unwind, unwind_calls = _digest(make_store, folder, False, monkeypatch)
    bulk, bulk_calls = _digest(make_store, folder, True, monkeypatch)
    assert bulk == unwind
    assert bulk_calls < unwind_calls  # the bulk path really ran (fewer round trips)


def test_a_generated_bundle_gives_the_same_graph_both_ways(
    make_store, monkeypatch, tmp_path: Path
) -> None:
    from bench import national

    folder = national.bundle(7, 1.0, tmp_path / "bundle", "be-elz19")  # one primary care zone
    unwind, _ = _digest(make_store, folder, False, monkeypatch)
    bulk, _ = _digest(make_store, folder, True, monkeypatch)
    assert bulk == unwind


def test_into_a_graph_that_holds_something_the_load_merges(make_store, monkeypatch) -> None:
    digests = []
    for bulk in (False, True):
        monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "1" if bulk else "0")
        store = make_store()
        write_bundle(store, read_bundle(resolve_seed("leuven")))
        store.calls = 0
        write_bundle(store, read_bundle(resolve_seed("namur")))  # not empty: UNWIND batches
        assert store.calls > 10
        digests.append(graph_digest(store))
    assert digests[0] == digests[1]


def test_bulk_into_a_graph_with_nodes_is_refused(make_store) -> None:
    from graphsvc.errors import QueryFailed
    from graphsvc.store.bulk import BulkGraph

    store = make_store()
    write_bundle(store, read_bundle(TINY))
    before = graph_digest(store)
    graph = BulkGraph()
    graph.nodes("Zone", "id", ("id",), [{"id": "x"}])
    with pytest.raises(QueryFailed, match="not empty"):
        store.bulk_create(graph)
    assert graph_digest(store) == before


def test_a_bulk_load_moves_the_version_the_gap_index_is_keyed_on(make_store, monkeypatch) -> None:
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "1")
    store = make_store()
    before = store.version(["*"])
    write_bundle(store, read_bundle(TINY))  # GRAPH.BULK carries no per-write change-log append
    after = store.version(["*"])
    assert before is not None and after is not None
    assert after[1]["*"] > before[1]["*"]
