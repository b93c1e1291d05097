"""The in-memory gap index (graphsvc.core.gapindex): built once, rebuilt after any write.

Real embedded FalkorDB; round trips are counted (store.calls), never timed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest

from graphsvc.core import gapindex
from graphsvc.core.gaps import GapQuery, compute, fetch, zone_gaps
from graphsvc.store import Store
from tests.conftest import REPO, load
from tests.test_bundle import TINY

REBUILD = 1 + 1 + gapindex.REFRESH_QUERIES + 1  # zone, version, the queries, version again
WARM = 2  # zone, version
A_HOME = {"id": "a-home", "actor": "nurses-a", "type": "home-nursing", "name": "Home nursing North",
          "capacity": 20, "available": 5, "languages": ["nl", "fr"], "eligibility": ["chronic"],
          "status": "active"}  # fmt: skip


@pytest.fixture
def tiny(make_store: Callable[..., Store]) -> Store:
    store = make_store()
    load(store, str(TINY))
    return store


def north(store: Store) -> float:
    rows = zone_gaps(store, "pilot")
    return next(r.ratio for r in rows if r.zone == "north" and not r.rollup)


def calls(store: Store, action: Callable[[], object]) -> int:
    before = store.calls
    action()
    return store.calls - before


def test_built_once_then_answered_from_memory(tiny: Store) -> None:
    assert calls(tiny, lambda: north(tiny)) == REBUILD
    assert calls(tiny, lambda: north(tiny)) == WARM
    assert calls(tiny, lambda: zone_gaps(tiny, "north")) == WARM


def test_a_write_of_this_process_is_in_the_next_answer(tiny: Store) -> None:
    assert north(tiny) == pytest.approx(20 / 30 + 10 / 42)
    tiny.upsert("merge_services", [{**A_HOME, "capacity": 50}])
    assert calls(tiny, lambda: north(tiny)) == REBUILD
    assert north(tiny) == pytest.approx(50 / 30 + 10 / 42)
    tiny.write_all([("merge_services", {"rows": [{**A_HOME, "status": "closed"}]})])
    assert north(tiny) == pytest.approx(10 / 42)


def test_a_write_of_another_process_is_in_the_next_answer(tiny: Store, embedded) -> None:
    assert north(tiny) == pytest.approx(20 / 30 + 10 / 42)
    assert calls(tiny, lambda: north(tiny)) == WARM
    graph = tiny._graph.name  # type: ignore[attr-defined]
    script = (
        "from graphsvc.config import Settings\n"
        "from graphsvc.store import open_store\n"
        f"store = open_store(Settings(db='embedded:{embedded.data_dir}', graph='{graph}'))\n"
        f"store.upsert('merge_services', [{{**{A_HOME!r}, 'capacity': 80}}])\n"
        "store.close()\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, timeout=120)
    assert calls(tiny, lambda: north(tiny)) == REBUILD
    assert north(tiny) == pytest.approx(80 / 30 + 10 / 42)
    assert zone_gaps(tiny, "pilot") == compute(fetch(tiny, GapQuery("pilot")), GapQuery("pilot"))


def test_stores_that_cannot_tell_their_version_fetch_with_cypher(tiny: Store) -> None:
    class Unversioned:
        backend = "unknown"

        def __init__(self, store: Store) -> None:
            self.store = store

        def __getattr__(self, name: str) -> object:
            return getattr(self.store, name)

    other = Unversioned(tiny)
    assert gapindex.version(other) is None  # type: ignore[arg-type]
    before = tiny.calls
    rows = zone_gaps(other, "pilot")  # type: ignore[arg-type]
    assert tiny.calls - before == 3  # the zone, its cells, the services reaching them
    assert rows == zone_gaps(tiny, "pilot")
