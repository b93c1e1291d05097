"""One answer whatever zone is asked (issue 18, item 1): a cell's ratio and status are the same
through every zone containing it, by both methods and in both scenarios. The `edge` fixture puts
providers 29.97-30.03 km from cell c0 (the E2SFCA reach is 30 km) and a cell 59.95 km away
that shares their places."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.coverage import distance_km
from graphsvc.core.gaps import CATCHMENT, E2SFCA, GapQuery, compute, fetch, zone_gaps
from graphsvc.io.bundle import read_bundle
from graphsvc.store import Store
from tests.conftest import load

EDGE = Path(__file__).parent / "fixtures" / "edge"


@pytest.fixture
def edge(make_store: Callable[..., Store]) -> Store:
    store = make_store()
    load(store, str(EDGE))
    return store


def test_the_fixture_is_what_it_says() -> None:
    bundle = read_bundle(EDGE)
    zones = {z["id"]: z for z in bundle.tables["zones"]}
    c0 = zones["c0"]
    reach = sorted(distance_km(c0["lat"], c0["lon"], a["lat"], a["lon"])
                   for a in bundle.tables["actors"])  # fmt: skip
    assert reach[0] == pytest.approx(29.97, abs=1e-4)
    assert reach[-1] == pytest.approx(30.03, abs=1e-4)
    assert sum(r <= 30 for r in reach) == 5 and sum(r > 30 for r in reach) == 3
    far = distance_km(c0["lat"], c0["lon"], zones["far"]["lat"], zones["far"]["lon"])
    assert 59.93 <= far <= 60.0


def _containing(store: Store, zone: str) -> list[str]:
    chain, found = [], zone
    parents = {r["id"]: r["parent"] for r in store.run("list_zone_tree")}
    while found is not None:
        chain.append(found)
        found = parents.get(found)
    return chain


@pytest.mark.parametrize("method", [CATCHMENT, E2SFCA, "gravity", "gaussian", "3sfca"])
@pytest.mark.parametrize("scenario", ["AS_IS", "TO_BE"])
def test_a_cell_has_one_answer_through_every_zone(edge: Store, method: str, scenario: str) -> None:
    answers: dict[tuple[str, str], set[tuple[float, str]]] = {}
    for zone in ("be", "south-pilot", "north-pilot", "c0", "c1", "far"):
        query = GapQuery(zone, method=method, scenario=scenario)
        for rows in (zone_gaps(edge, zone, query), compute(fetch(edge, query), query)):
            for r in rows:
                if not r.rollup:
                    answers.setdefault((r.zone, r.need), set()).add((r.ratio, r.status))
    cells = {k: v for k, v in answers.items() if k[0] in ("c0", "c1", "far")}
    assert set(cells) == {("c0", "medication-management"), ("c1", "medication-management"),
                          ("far", "medication-management")}  # fmt: skip
    for key, seen in cells.items():
        assert len(seen) == 1, (key, seen)
    for zone in ("c0", "c1", "far"):
        assert len(_containing(edge, zone)) == 3  # asked through itself, its pilot and be


def test_e2sfca_counts_the_providers_within_30_km_and_only_those(edge: Store) -> None:
    [row] = [r for r in zone_gaps(edge, "c0", GapQuery("c0", method=E2SFCA))]
    assert {c.service for c in row.contributions} == {"p0-s", "p1-s", "p2-s", "p3-s", "pe-s"}
    assert {c.weight for c in row.contributions} == {0.22}


@pytest.mark.parametrize("method", [E2SFCA, "3sfca"])
def test_in_memory_and_fetched_distance_answers_agree(demo_store: Store, method: str) -> None:
    # zone_gaps answers from the index's coordinates, compute(fetch(...)) from Cypher boxes
    for zone in ("leuven", "leuven-vn-wijgmaal", "namur"):
        query = GapQuery(zone, method=method)
        memory = {(r.zone, r.need, r.rollup): r for r in zone_gaps(demo_store, zone, query)}
        fetched = {(r.zone, r.need, r.rollup): r for r in compute(fetch(demo_store, query), query)}
        assert memory.keys() == fetched.keys() and memory
        for key, row in memory.items():
            assert row.ratio == pytest.approx(fetched[key].ratio, rel=1e-12, abs=1e-15), key
            assert row.status == fetched[key].status, key
