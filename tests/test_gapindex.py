"""The in-memory gap index (graphsvc.core.gapindex): built once, kept after writes that no gap
depends on, updated in place after a service's capacity or status changes, rebuilt otherwise;
always equal to the Cypher path (a property test over random write sequences).

Real embedded FalkorDB; round trips are counted (store.calls), never timed.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.core import gapindex
from graphsvc.core.gaps import GapQuery, compute, fetch, zone_gaps
from graphsvc.core.patients import register_patient
from graphsvc.store import Store
from tests.conftest import REPO, load
from tests.test_bundle import TINY

REBUILD = 1 + 1 + gapindex.REFRESH_QUERIES + 1  # zone, version, the queries, version again
WARM = 2  # zone, version
UPDATE = 1 + 1 + 1 + gapindex.UPDATE_QUERIES + 1  # zone, version, change log, queries, version
KEY = "a-pseudonym-key-for-tests-only"
A_HOME = {"id": "a-home", "actor": "nurses-a", "type": "home-nursing", "name": "Home nursing North",
          "capacity": 20, "available": 5, "languages": ["nl", "fr"], "eligibility": ["chronic"],
          "status": "active"}  # fmt: skip
B_HOME = {"id": "b-home", "actor": "nurses-b", "type": "home-nursing", "name": "Home nursing South",
          "capacity": 10, "available": 0, "languages": ["nl"], "eligibility": [],
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
    assert calls(tiny, lambda: north(tiny)) == UPDATE  # the one service re-read
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
    assert calls(tiny, lambda: north(tiny)) == UPDATE
    assert north(tiny) == pytest.approx(80 / 30 + 10 / 42)
    assert zone_gaps(tiny, "pilot") == compute(fetch(tiny, GapQuery("pilot")), GapQuery("pilot"))


def test_stores_that_cannot_tell_their_version_fetch_with_cypher(tiny: Store) -> None:
    class Unversioned:
        backend = "unknown"

        def __init__(self, store: Store) -> None:
            self.store = store

        def __getattr__(self, name: str) -> object:
            return getattr(self.store, name)

        def version(self, aggregates: object) -> None:  # keeps no change logs
            return None

    other = Unversioned(tiny)
    assert gapindex.version(other) is None  # type: ignore[arg-type]
    before = tiny.calls
    rows = zone_gaps(other, "pilot")  # type: ignore[arg-type]
    assert tiny.calls - before == 3  # the zone, its cells, the services reaching them
    assert rows == zone_gaps(tiny, "pilot")


def test_writes_no_gap_depends_on_leave_it_as_it_is(tiny: Store) -> None:
    north(tiny)
    patient = register_patient(
        tiny, None, {"external_id": "p-1", "zone": "north", "case_manager": "nurses-a",
                     "needs": [{"code": "wound-care"}]}, KEY,
    )  # fmt: skip
    tiny.run("merge_enrolments", rows=[])  # a patient write, even one that writes nothing
    tiny.upsert("merge_networks", [])
    assert patient.zone == "north"
    assert calls(tiny, lambda: north(tiny)) == WARM


def test_a_coverage_change_updates_a_new_service_or_need_record_rebuilds(tiny: Store) -> None:
    north(tiny)
    tiny.upsert("merge_service_coverage", [{"id": "a-home", "covers": ["north", "south"]}])
    assert calls(tiny, lambda: north(tiny)) == UPDATE  # its catchment again, in memory
    assert zone_gaps(tiny, "pilot") == compute(fetch(tiny, GapQuery("pilot")), GapQuery("pilot"))
    tiny.upsert("merge_services", [{**A_HOME, "id": "c-home"}])  # a provider more
    tiny.upsert("merge_service_coverage", [{"id": "c-home", "covers": ["south"]}])
    assert calls(tiny, lambda: north(tiny)) == REBUILD + 1 + gapindex.UPDATE_QUERIES  # tried
    tiny.upsert("merge_zone_needs", [{"zone": "north", "need": "wound-care", "people": 60,
                                      "year": 2024, "source": "test"}])  # fmt: skip
    assert calls(tiny, lambda: north(tiny)) == REBUILD
    assert zone_gaps(tiny, "pilot") == compute(fetch(tiny, GapQuery("pilot")), GapQuery("pilot"))


ZONES = ["north", "south", "pilot"]
WRITES = st.one_of(
    st.tuples(st.just("capacity"), st.sampled_from(["a-home", "b-home"]), st.integers(0, 60)),
    st.tuples(
        st.just("status"),
        st.sampled_from(["a-home", "b-home"]),
        st.sampled_from(["active", "planned", "closed"]),
    ),
    st.tuples(
        st.just("covers"),
        st.sampled_from(["a-home", "b-home"]),
        st.lists(st.sampled_from(ZONES), unique=True, max_size=3),
    ),
    st.tuples(st.just("need"), st.sampled_from(["north", "south"]), st.integers(0, 90)),
    st.tuples(st.just("patient"), st.just(""), st.just(0)),
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(WRITES, min_size=1, max_size=6))
def test_after_any_write_sequence_it_equals_the_cypher_path(tiny: Store, writes: list) -> None:
    services = {"a-home": dict(A_HOME), "b-home": dict(B_HOME)}
    for kind, key, value in writes:
        if kind in ("capacity", "status"):
            row = {**services[key], "capacity" if kind == "capacity" else "status": value}
            tiny.upsert("merge_services", [row])
            services[key] = row
        elif kind == "covers":
            tiny.upsert("merge_service_coverage", [{"id": key, "covers": value}])
        elif kind == "need":
            tiny.upsert("merge_zone_needs", [{"zone": key, "need": "wound-care", "people": value,
                                              "year": 2024, "source": "test"}])  # fmt: skip
        else:
            tiny.run("merge_enrolments", rows=[])
        for zone in ("pilot", "north"):
            query = GapQuery(zone, scenario="TO_BE")
            assert zone_gaps(tiny, zone, query) == compute(fetch(tiny, query), query)
            assert zone_gaps(tiny, zone) == compute(fetch(tiny, GapQuery(zone)), GapQuery(zone))
