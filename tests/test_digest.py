"""`graphsvc db digest` streams (issue 22): pages of node ids, sorted runs spilled to disk and
merged, the same digest as the whole dump sorted in memory (the oracle: the code it replaced).
"""

from __future__ import annotations

import hashlib
import tracemalloc
from collections.abc import Iterator

import pytest

from bench import national
from bench.bench_digest import whole_dump_digest  # the oracle: the code it replaced
from graphsvc.core import digest
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import Store


@pytest.fixture(scope="module")
def generated(embedded: object, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    """A generated primary care zone at national density (2,202 nodes, 15,000 links)."""
    from graphsvc.config import Settings
    from graphsvc.store import open_store

    folder = tmp_path_factory.mktemp("digest") / "elz19"
    national.write(folder, seed=7, scale=1.0, area="be-elz19")
    data_dir = embedded.data_dir  # type: ignore[attr-defined]
    store = open_store(Settings(db=f"embedded:{data_dir}", graph="digest_generated"))
    store.run("delete_everything")
    write_bundle(store, read_bundle(folder))
    yield store
    store.run("delete_everything")
    store.close()


def test_same_digest_as_the_whole_dump_on_the_seeds(demo_store: Store) -> None:
    expected = whole_dump_digest(demo_store)
    assert digest.graph_digest(demo_store) == expected
    assert digest.graph_digest(demo_store, page_nodes=37, run_chars=5_000) == expected


def test_same_digest_over_many_pages_and_spilled_runs(generated: Store) -> None:
    expected = whole_dump_digest(generated)
    [span] = generated.run("get_node_id_range")
    assert span["nodes"] > 2_000
    for page_nodes, run_chars in ((digest.PAGE_NODES, digest.RUN_CHARS), (250, 50_000), (3, 10**9),
                                  (4_000, 500)):  # fmt: skip
        before = generated.calls
        assert digest.graph_digest(generated, page_nodes, run_chars) == expected
        pages = span["top"] // page_nodes + 1
        assert generated.calls - before == 1 + 2 * pages  # the span, then nodes and links per page
    lines = list(digest.canonical_lines(generated, 250, 50_000))
    assert lines == sorted(lines) and len(lines) > 15_000


def test_memory_stays_bounded_by_a_page_and_a_run(generated: Store) -> None:
    tracemalloc.start()
    try:
        whole_dump_digest(generated)
        _, whole = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest.graph_digest(generated, page_nodes=25, run_chars=100_000)
        _, paged = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert paged < whole / 4, (paged, whole)


def test_an_empty_graph_has_the_digest_of_nothing(make_store) -> None:  # type: ignore[no-untyped-def]
    store = make_store()
    assert digest.graph_digest(store) == hashlib.sha256().hexdigest() == whole_dump_digest(store)
