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
