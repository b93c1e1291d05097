"""The map in a real browser: Debian's headless Chromium opens the app served by uvicorn on
loopback, may reach nothing but that app, and must draw the map as issue 21 asks: frozen
server layout, top labels, aggregated ties that expand, focus/cluster/filter, saved views in
the URL, PNG and SVG export, and the workshop capture exported as a patch and imported back.

`make test` installs `chromium` when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import base64
import io
import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote
from xml.etree import ElementTree

import networkx as nx
import numpy as np
import pytest
from PIL import Image

from graphsvc import maps
from graphsvc.api.app import create_app
from graphsvc.api.background import serving
from graphsvc.config import Settings
from graphsvc.maps.workshop import import_workshop, read_patch
from graphsvc.store import Store
from tests.conftest import load
from tests.maps_fixtures import CHROMIUM, browser, origin_of, visit_map
from tests.test_maps import SEEDED_MISSING

ACTOR_TIES = ("collaboration", "network", "patients")


def near(pixels: np.ndarray, colour: str, tolerance: int = 12) -> int:
    """How many pixels are within `tolerance` of `colour` (#rrggbb) in every channel."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int(np.all(np.abs(pixels - rgb) <= tolerance, axis=1).sum())


@pytest.fixture
def base(live_url: str) -> str:
    """The app's base URL; fails (not skips) without the browser, which `make test` installs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    return live_url.removesuffix("/graphql")


def open_map(context: Any, url: str) -> Any:
    page = context.new_page()  # its errors go to the browser's list (tests.maps_fixtures)
    response = page.goto(url, wait_until="load")
    assert response is not None and response.status == 200, response
    page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
    return page


def actor_graph_of(found: maps.NetworkMap, kinds: tuple[str, ...] = ACTOR_TIES) -> nx.Graph:
    """The map's actor ties of `kinds` as a networkx graph (the oracle for focus)."""
    graph = nx.Graph()
    graph.add_nodes_from(n["id"] for n in found.nodes if n["kind"] == "actor")
    for e in found.edges:
        if e["kind"] in ACTOR_TIES and set(e["kinds"]) & set(kinds):
            graph.add_edge(e["from"], e["to"])
    return graph


VISIBLE_EDGES = """() => network.body.edgeIndices.filter(
  (id) => network.body.edges[id] && !network.body.edges[id].options.hidden).length"""


def test_zone_map_in_chromium(base: str, demo_store: Store, tmp_path: Path) -> None:
    expected = maps.zone_map(demo_store, "leuven")
    origin = origin_of(base)
    with browser(origin, tmp_path / "profile") as (context, blocked, errors):
        page = open_map(context, f"{base}/maps/zone/leuven")

        # frozen: physics off, every node exactly where the server put it
        assert page.evaluate("() => network.physics.options.enabled") is False
        placed = page.evaluate("() => exactPositions()")
        assert placed == {n["id"]: [n["x"], n["y"]] for n in expected.nodes}
        kinds = page.evaluate(
            "() => network.body.data.nodes.get().reduce((n, x) => "
            "{ n[x.kind] = (n[x.kind] || 0) + 1; return n; }, {})"
        )
        assert kinds == dict(Counter(n["kind"] for n in expected.nodes))
        red = page.evaluate(
            "() => network.body.data.nodes.get().filter((n) => n.status === 'MISSING')"
            ".map((n) => n.id)"
        )
        assert set(red) == SEEDED_MISSING

        # labels: the most central actors at the default zoom, every actor when zoomed in
        top = sorted(n["id"] for n in expected.nodes if n.get("top"))
        by_betweenness = sorted(expected.measures.values(), key=lambda m: (-m.betweenness, m.id))
        assert top == sorted(m.id for m in by_betweenness[: maps.build.TOP_LABELS])
        assert page.evaluate("() => labelledActors()") == top
        page.evaluate("() => { network.moveTo({ scale: fitScale * 3 }); labels(); }")
        assert len(page.evaluate("() => labelledActors()")) == 161
        page.evaluate("() => { network.fit(); labels(); }")
        assert page.evaluate("() => labelledActors()") == top

        # aggregated ties: one per pair of vicinity networks, the ties behind it hidden;
        # a click on it shows them
        assert expected.aggregates
        widest = max(expected.aggregates, key=lambda a: a["count"])
        hidden = page.evaluate(
            "(ids) => ids.filter((id) => network.body.data.edges.get(id).hidden).length",
            widest["members"],
        )
        assert hidden == widest["count"] > 1
        all_edges = page.evaluate(VISIBLE_EDGES)
        aggregated = sum(a["count"] for a in expected.aggregates)
        assert all_edges == len(expected.edges) - aggregated + len(expected.aggregates)
        page.evaluate(
            "(id) => { network.body.emitter.emit('click', { nodes: [], edges: [id] }); }",
            widest["id"],
        )
        assert (
            page.evaluate(
                "(ids) => ids.filter((id) => network.body.data.edges.get(id).hidden).length",
                widest["members"],
            )
            == 0
        )
        assert page.evaluate(VISIBLE_EDGES) == all_edges + widest["count"] - 1
        page.evaluate("() => applyState({})")
        assert page.evaluate(VISIBLE_EDGES) == all_edges

        # focus on the OCMW one step out over collaborations only: networkx says who
        others = sum(1 for n in expected.nodes if n["kind"] == "zone")
        collaborations = actor_graph_of(expected, ("collaboration",))
        near_ocmw = nx.ego_graph(collaborations, "leuven-ocmw", radius=1)
        count = page.evaluate(
            "() => { applyState({ focus: ['leuven-ocmw'], steps: 1, "
            "kinds: ['collaboration'] }); return visibleNodeCount(); }"
        )
        assert count == len(near_ocmw) + others
        two = nx.ego_graph(actor_graph_of(expected), "leuven-ocmw", radius=2)
        count = page.evaluate(
            "() => { applyState({ focus: ['leuven-ocmw'], steps: 2 }); return visibleNodeCount(); }"
        )
        assert count == len(two) + others

        # saved views: named in the URL, and the URL alone brings the view back
        page.evaluate("() => saveView('ocmw-2')")
        url = page.evaluate("() => location.href")
        assert "#" in url and "ocmw-2" in json.loads(unquote(url.split("#", 1)[1]))["views"]

        # cluster by line: each line's actors are one node
        page.evaluate("() => applyState({})")
        lines = {n["line"] for n in expected.nodes if n["kind"] == "actor"}
        count = page.evaluate(
            "() => { applyState({ cluster: 'line' }); return visibleNodeCount(); }"
        )
        assert count == len(expected.nodes) - 161 + len(lines)
        by_vicinity = {n["vicinity"] for n in expected.nodes if n["kind"] == "actor"} - {""}
        unplaced = sum(1 for n in expected.nodes if n["kind"] == "actor" and not n["vicinity"])
        count = page.evaluate(
            "() => { applyState({ cluster: 'vicinity' }); return visibleNodeCount(); }"
        )
        assert count == len(expected.nodes) - 161 + len(by_vicinity) + unplaced

        # filters: tie type and since-date hide exactly the ties networkx counts
        page.evaluate("() => applyState({ allTies: true })")
        actor_ties = [e for e in expected.edges if e["kind"] in ACTOR_TIES]
        other_edges = len(expected.edges) - len(actor_ties)
        assert page.evaluate(VISIBLE_EDGES) == len(expected.edges)
        only = page.evaluate(
            f"() => {{ applyState({{ allTies: true, kinds: ['patients'] }}); "
            f"return ({VISIBLE_EDGES})(); }}"
        )
        assert only == other_edges + sum(1 for e in actor_ties if "patients" in e["kinds"])
        since = page.evaluate(
            f"() => {{ applyState({{ allTies: true, since: 2015 }}); return ({VISIBLE_EDGES})(); }}"
        )
        assert since == other_edges + sum(1 for e in actor_ties if e.get("since", 0) <= 2015)
        assert since < len(expected.edges)

        # the saved view, opened from its URL in a new page
        second = open_map(context, url)
        assert second.evaluate("() => visibleNodeCount()") == len(two) + others
        second.close()

        # export: a PNG of the canvas and an SVG of the current view; after clusters and
        # filters every node is back where the server put it
        page.evaluate("() => applyState({})")
        assert page.evaluate("() => exactPositions()") == placed
        png = page.evaluate("() => exportPng()")
        assert png.startswith("data:image/png;base64,")
        image = Image.open(io.BytesIO(base64.b64decode(png.split(",", 1)[1]))).convert("RGB")
        pixels = np.asarray(image, dtype=np.int16).reshape(-1, 3)
        assert image.width > 500 and near(pixels, maps.STATUS_COLOURS["MISSING"]) > 30
        assert near(pixels, maps.LINE_COLOURS["first"]) > 30
        svg = ElementTree.fromstring(page.evaluate("() => exportSvg()"))
        circles = svg.findall(".//{http://www.w3.org/2000/svg}circle")
        assert len(circles) == page.evaluate("() => visibleNodeCount()") == len(expected.nodes)
        page.close()
    assert blocked == [] and errors == []


def test_ego_map_reports_its_own_figures(base: str, demo_store: Store, tmp_path: Path) -> None:
    expected = maps.actor_map(demo_store, "leuven-ocmw")  # default: 1 hop
    zone = maps.zone_map(demo_store, "leuven")
    ego = nx.ego_graph(actor_graph_of(zone), "leuven-ocmw", radius=1)
    assert expected.hops == 1
    assert expected.summary["actors"] == ego.number_of_nodes() < 161
    assert expected.summary["ties"] == ego.number_of_edges()
    assert expected.summary["density"] == round(nx.density(ego), 4)
    origin = origin_of(base)
    with browser(origin, tmp_path / "profile") as (context, blocked, errors):
        page = open_map(context, f"{base}/maps/actor/leuven-ocmw")
        figures = page.inner_text("#figures")
        assert figures.startswith(
            f"{ego.number_of_nodes()} actors · {ego.number_of_edges()} ties · "
            f"density {nx.density(ego):.3f}"
        )
        assert page.evaluate("() => visibleNodeCount()") == len(expected.nodes)
    assert blocked == [] and errors == []


def test_readme_screenshot_still_loads(base: str, tmp_path: Path) -> None:
    visit = visit_map(f"{base}/maps/zone/leuven", tmp_path / "profile", screenshot=False)
    assert visit.blocked == [] and visit.errors == []
    assert (
        visit.state["drawnPixels"] > 0.01 * visit.state["canvasWidth"] * visit.state["canvasHeight"]
    )


@pytest.fixture
def leuven_served(make_store: Callable[..., Store]) -> Iterator[tuple[str, Store]]:
    """The leuven seed alone in a fresh graph, served on loopback (for tests that write)."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    store = make_store()
    load(store, "leuven")
    with serving(create_app(Settings(), store), log_level="critical") as url:
        yield url.removesuffix("/graphql"), store


def test_workshop_patch_round_trip(leuven_served: tuple[str, Store], tmp_path: Path) -> None:
    base, store = leuven_served
    origin = origin_of(base)
    with browser(origin, tmp_path / "profile") as (context, blocked, errors):
        page = open_map(context, f"{base}/maps/zone/leuven")
        before = page.evaluate("() => exactPositions()")
        page.fill("#ws-id", "leuven-2026-12")
        page.fill("#ws-date", "2026-12-07")
        page.fill("#ws-facilitator", "An Peeters")
        page.select_option("#tie-source", "leuven-ocmw")
        page.select_option("#tie-target", "leuven-apotheek-de-bron")
        page.select_option("#tie-type", "referral")
        page.fill("#tie-note", "named at table 2")
        page.click("#tie-add")
        page.fill("#missing-name", "Buurtzorg Wijgmaal")
        page.select_option("#missing-line", "first")
        page.select_option("#missing-zone", "leuven-vn-wijgmaal")
        page.fill("#missing-note", "runs the Thursday walk-in")
        page.click("#missing-add")
        page.fill("#priority-text", "Transport to care in Wijgmaal")
        page.click("#priority-add")
        assert page.inner_text("#capture-count").startswith("1 ties, 1 missing actors, 1 prior")
        with page.expect_download() as download:
            page.click("#export-patch")
        patch_file = tmp_path / download.value.suggested_filename
        download.value.save_as(patch_file)
        page.close()
        captured = json.loads(patch_file.read_text(encoding="utf-8"))["missing_actors"]
        assert captured == [
            {
                "name": "Buurtzorg Wijgmaal",
                "line": "first",
                "zone": "leuven-vn-wijgmaal",
                "note": "runs the Thursday walk-in",
            }
        ]

        assert patch_file.name == "workshop-leuven-2026-12.json"
        report = import_workshop(store, read_patch(patch_file), str(patch_file))
        assert report.counts["ties"] == {"read": 1, "new": 1, "kept": 0, "skipped": 0}
        assert report.counts["missing_actors"]["new"] == report.counts["priorities"]["new"] == 1

        # the next map: both proposals shown as proposed, every node in the same place
        page = open_map(context, f"{base}/maps/zone/leuven")
        proposed = page.evaluate("() => MAP.proposedEdges.filter((e) => e.kind === 'proposed')")
        assert [(e["from"], e["to"], e["type"]) for e in proposed] == [
            ("leuven-apotheek-de-bron", "leuven-ocmw", "referral")
        ]
        assert page.evaluate("(id) => !network.body.data.edges.get(id).hidden", proposed[0]["id"])
        actors = page.evaluate("() => MAP.proposedNodes.map((n) => [n.label, n.zone])")
        assert actors == [["Buurtzorg Wijgmaal (proposed)", "leuven-vn-wijgmaal"]]
        title = page.evaluate("() => MAP.proposedNodes[0].title")
        assert title.endswith("runs the Thursday walk-in")  # the note, back on the next map
        assert "Transport to care in Wijgmaal" in page.inner_text("#priorities")
        assert page.evaluate("() => exactPositions()") == before
        # the diff view says what changed since that workshop: nothing in the graph itself
        assert page.evaluate("() => MAP.diff.workshop") == "leuven-2026-12"
        assert page.evaluate("() => MAP.diff.actors_added.length + MAP.diff.ties_added.length") == 0
        page.click("#diff-toggle")
        panel = page.inner_text("#diff-panel")
        assert (
            panel.startswith("Since workshop leuven-2026-12, 2026-12-07")
            and "0 actors added" in panel
        )
    assert blocked == [] and errors == []


def test_printable_a3_page_with_title_and_legend(base: str, tmp_path: Path) -> None:
    origin = origin_of(base)
    with browser(origin, tmp_path / "profile") as (context, blocked, errors):
        page = open_map(context, f"{base}/maps/zone/leuven")
        page.evaluate("() => { window.dispatchEvent(new Event('beforeprint')); }")
        page.emulate_media(media="print")
        page.wait_for_function("() => document.querySelector('#printed img').naturalWidth > 0")
        assert page.is_visible("#map-title") and page.is_visible("#legend")
        assert page.is_visible("#printed img") and not page.is_visible("#mynetwork")
        assert not page.is_visible("#select-menu") and not page.is_visible("#workshop")
        assert page.evaluate("() => document.querySelector('#printed img').naturalWidth") > 500
        pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert blocked == [] and errors == []
    assert pdf.startswith(b"%PDF")
    found = re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    boxes = {tuple(round(float(v)) for v in m.split()) for m in found}
    assert boxes == {(0, 0, 1191, 842)}  # A3 landscape in points (420 x 297 mm)
