"""Saved layouts (issue 21 item 2): the same data plus one new actor moves no existing node,
the new one lands near its zone, and the diff says what was added; the layout round trip
through the graph; maps import the domain, never the reverse (issue 20)."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from graphsvc.core.network import NetActor, Tie, compute_measures, fetch_zone_network
from graphsvc.maps import build_map, zone_map
from graphsvc.maps.layout import SavedLayout, layout_of, load_layout, save_layout
from graphsvc.store import Store
from tests.conftest import REPO, load


def saved(found) -> SavedLayout:  # type: ignore[no-untyped-def]
    positions, ties = layout_of(found.nodes, found.edges)
    return SavedLayout(
        zone=found.zone,
        positions={k: (v[0], v[1]) for k, v in positions.items()},
        kinds={k: v[2] for k, v in positions.items()},
        ties={k: tuple(v) for k, v in ties.items()},
        saved_at="2026-12-01",
        workshop="ws-0",
    )


def test_one_new_actor_moves_no_existing_node(demo_store: Store) -> None:
    net = fetch_zone_network(demo_store, "leuven")
    first = build_map(net, compute_measures(net))
    layout = saved(first)
    neighbour = next(a for a in net.actors if a.zone == "leuven-vn-wijgmaal")
    new = NetActor("zz-new-actor", "New Actor", "organisation", "first", None, neighbour.zone)
    grown = replace(
        net,
        actors=(*net.actors, new),
        ties=(*net.ties, Tie(neighbour.id, new.id, collaboration="referral since 2026")),
    )
    second = build_map(grown, compute_measures(grown), layout=layout)
    where = {n["id"]: (n["x"], n["y"]) for n in second.nodes}
    assert {k: where[k] for k in layout.positions} == dict(layout.positions)
    # without the saved layout the force layout would have moved them
    fresh = build_map(grown, compute_measures(grown))
    assert any(
        (n["x"], n["y"]) != layout.positions[n["id"]]
        for n in fresh.nodes
        if n["id"] in layout.positions
    )
    # the newcomer is nearer its own zone than any other zone of the map
    x, y = where[new.id]
    zones = {
        n["id"]: math.dist((x, y), (n["x"], n["y"])) for n in second.nodes if n["kind"] == "zone"
    }
    assert min(zones, key=zones.__getitem__) == "leuven-vn-wijgmaal"
    assert second.diff is not None
    assert second.diff["actors_added"] == [new.id] and second.diff["actors_removed"] == []
    assert second.diff["ties_added"] == [f"{neighbour.id}|{new.id}"]
    assert second.diff["workshop"] == "ws-0"
    # the same data again: the same map, no diff
    again = build_map(net, compute_measures(net), layout=layout)
    assert again.nodes == first.nodes
    assert again.diff is not None and not any(
        again.diff[k] for k in ("actors_added", "actors_removed", "ties_added", "ties_removed")
    )


def test_layout_round_trip_through_the_graph(make_store: Callable[..., Store]) -> None:
    store = make_store()
    load(store, "leuven")
    zone_map(store, "leuven")  # the first map also builds the gap index kept in memory
    before = store.calls
    first = zone_map(store, "leuven")
    per_map = store.calls - before
    assert load_layout(store, "leuven") is None and first.diff is None
    positions, ties = layout_of(first.nodes, first.edges, {"leuven-ocmw": [12.0, -34.0]})
    save_layout(store, "leuven", positions, ties, "2026-12-07", "ws-1")
    back = load_layout(store, "leuven")
    assert back is not None and back.workshop == "ws-1" and back.saved_at == "2026-12-07"
    assert back.positions["leuven-ocmw"] == (12.0, -34.0)
    calls = store.calls
    second = zone_map(store, "leuven")
    ocmw = next(n for n in second.nodes if n["id"] == "leuven-ocmw")
    assert (ocmw["x"], ocmw["y"]) == (12.0, -34.0)
    moved = {n["id"]: (n["x"], n["y"]) for n in second.nodes}
    assert all(moved[k] == (v[0], v[1]) for k, v in positions.items() if k != "leuven-ocmw")
    assert second.diff is not None and second.diff["ties_added"] == []
    assert store.calls - calls == per_map  # a saved layout costs no extra round trip


def test_maps_import_core_and_core_never_imports_maps() -> None:
    for path in sorted((REPO / "graphsvc" / "core").glob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            assert not any(n.startswith("graphsvc.maps") or n == "graphsvc.maps" for n in names), (
                path
            )
            if isinstance(node, ast.ImportFrom) and node.module == "graphsvc":
                assert "maps" not in {a.name for a in node.names}, path
    assert Path(REPO / "graphsvc" / "maps" / "__init__.py").exists()
