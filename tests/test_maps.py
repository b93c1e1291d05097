"""Workshop maps (issue 5): offline pyvis pages, GraphQL networkMap/networkMeasures, routes, CLI.

The browser test is in test_maps_browser.py.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Callable
from html.parser import HTMLParser
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc import maps
from graphsvc.core import network
from graphsvc.errors import ConfigError, InputError, NotFound
from graphsvc.maps.build import MAX_NODES_ENV
from graphsvc.store import Store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import REPO, gql, load
from tests.maps_fixtures import PATIENT, graphsvc, links_bundle, refer

SEEDED_MISSING = {
    "need:leuven-vn-heverlee-zuid:social-isolation",
    "need:leuven-vn-wijgmaal:transport-need",
    "need:leuven-vn-wilsele-putkapel:transport-need",
}
KESSEL_LO_PHARMACIES = {
    "leuven-apotheek-de-bron",
    "leuven-apotheek-de-kastanje",
    "leuven-apotheek-den-boomgaard",
    "leuven-apotheek-het-spoor",
}


def patient_ids() -> set[str]:
    found = set()
    for seed in ("leuven", "namur"):
        with (REPO / "seeds" / seed / "patients.csv").open(encoding="utf-8") as handle:
            found |= {row["id"] for row in csv.DictReader(handle)}
    assert len(found) == 18
    return found


@pytest.fixture(scope="module")
def leuven(demo_store: Store) -> maps.NetworkMap:
    return maps.zone_map(demo_store, "leuven")


@pytest.fixture(scope="module")
def leuven_html(leuven: maps.NetworkMap) -> str:
    return maps.render_html(leuven)


class Resources(HTMLParser):
    """Everything in a page that could make a browser load something."""

    def __init__(self) -> None:
        super().__init__()
        self.references: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self.tags.append((tag, found))
        for name in ("src", "href", "srcset", "poster", "data", "action", "background"):
            if found.get(name):
                self.references.append(f"{tag} {name}={found[name]}")
        if found.get("style"):
            self.styles.append(found["style"] or "")
        self._in_style = tag == "style"

    def handle_endtag(self, tag: str) -> None:
        self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


REMOTE = re.compile(r"^\s*(https?:)?//", re.IGNORECASE)


def test_html_loads_nothing_from_the_network(leuven_html: str) -> None:
    page = Resources()
    page.feed(leuven_html)
    assert page.references == []  # no src= or href= at all: everything is inline
    assert not [t for t, a in page.tags if t in ("link", "iframe", "img", "object", "embed")]
    scripts = [a for t, a in page.tags if t == "script"]
    assert len(scripts) == 3 and not any(a.get("src") for a in scripts)
    css = "\n".join(page.styles)
    assert "@import" not in css
    for url in re.findall(r"url\(\s*['\"]?([^'\")]*)", css):
        assert url.startswith("data:"), url
    assert not re.search(r"(src|href)\s*=\s*['\"]?\s*(https?:)?//", leuven_html, re.IGNORECASE)
    assert "sourceMappingURL" not in leuven_html
    assert "default-src 'none'" in leuven_html  # the page forbids itself any other load
    assert "vis.Network" in leuven_html
    assert not REMOTE.match("data:image/png")  # the pattern itself is not vacuous
    assert REMOTE.match("https://cdn.jsdelivr.net/npm/bootstrap")


def test_same_zone_twice_gives_identical_html(demo_store: Store, leuven_html: str) -> None:
    again = maps.render_html(maps.zone_map(demo_store, "leuven"))
    assert again == leuven_html
    namur = maps.zone_map(demo_store, "namur")
    assert maps.render_html(namur) == maps.render_html(maps.zone_map(demo_store, "namur"))
    assert maps.render_html(namur) != leuven_html


def test_page_has_legend_menus_tooltips_and_line_colours(
    leuven: maps.NetworkMap, leuven_html: str
) -> None:
    for marker in (
        'id="legend"',
        'id="focus-actors"',
        'id="cluster-by"',
        'id="since"',
        'id="export-patch"',
        "Line of care",
        "need with no service (MISSING)",
        "fragmented overlap",
    ):
        assert marker in leuven_html
    actors = [n for n in leuven.nodes if n["kind"] == "actor"]
    assert len(actors) == 161
    assert {n["color"] for n in actors} == {maps.LINE_COLOURS[n["line"]] for n in actors}
    assert all(n["shape"] == "dot" for n in actors)
    assert {n["shape"] for n in leuven.nodes if n["kind"] == "zone"} == {"square"}
    ocmw = next(n for n in actors if n["id"] == "leuven-ocmw")
    assert ocmw["title"].startswith("OCMW Leuven\nsocial line")
    assert "free places:" in ocmw["title"] and "services (free / capacity):" in ocmw["title"]
    assert "betweenness" in ocmw["title"] and "brokerage:" in ocmw["title"]
    # size by betweenness: the top broker is the largest actor node
    top = max(leuven.measures.values(), key=lambda m: m.betweenness)
    assert max(actors, key=lambda n: n["size"])["id"] == top.id
    assert all(isinstance(n["x"], int) and isinstance(n["y"], int) for n in leuven.nodes)  # px


def test_seeded_gaps_are_red_and_fragmented_overlaps_marked(leuven: maps.NetworkMap) -> None:
    red = {n["id"] for n in leuven.nodes if n.get("status") == "MISSING"}
    assert red == SEEDED_MISSING
    for node_id in red:
        node = next(n for n in leuven.nodes if n["id"] == node_id)
        assert (node["shape"], node["color"]) == ("triangle", maps.STATUS_COLOURS["MISSING"])
        zone = node_id.split(":")[1]
        assert {"from": min(node_id, zone), "to": max(node_id, zone)}.items() <= next(
            e for e in leuven.edges if {e["from"], e["to"]} == {node_id, zone}
        ).items()
    pharmacy = next(n for n in leuven.nodes if n["id"] == "service_type:pharmacy")
    assert pharmacy["shape"] == "diamond" and pharmacy["fragmented"] is True
    tied = {
        e["to"] if e["from"] == pharmacy["id"] else e["from"]
        for e in leuven.edges
        if pharmacy["id"] in (e["from"], e["to"])
    }
    assert tied >= KESSEL_LO_PHARMACIES


def test_missing_needs_from_plain_gap_rows(demo_store: Store) -> None:
    """The map builder takes the planner's rows as plain input (no database)."""
    net = network.fetch_zone_network(demo_store, "leuven")
    measures = network.compute_measures(net)
    gaps = [
        {
            "zone": "leuven-vn-wijgmaal",
            "need": "transport-need",
            "status": "MISSING",
            "need_name": "Transport to care",
            "ratio": 0.0,
        },
        {"zone": "leuven-vn-wilsele", "need": "caregiver-burden", "status": "UNDER"},
        {"zone": "leuven-vn-centrum", "need": "nursing-care", "status": "COVERED"},
        {"zone": "namur-vn-wepion", "need": "addiction", "status": "MISSING"},  # not here
    ]
    overlaps = [
        {
            "zone": "leuven-vn-kessel-lo",
            "service_type": "pharmacy",
            "providers": sorted(KESSEL_LO_PHARMACIES),
            "fragmented": True,
        },
        {
            "zone": "leuven-vn-centrum",
            "service_type": "physiotherapy",
            "providers": ["leuven-kinepraktijk-de-horizon"],
            "fragmented": False,
        },
    ]
    built = maps.build_map(net, measures, gaps, overlaps)
    needs = {n["id"]: n for n in built.nodes if n["kind"] == "need"}
    assert set(needs) == {
        "need:leuven-vn-wijgmaal:transport-need",
        "need:leuven-vn-wilsele:caregiver-burden",
    }
    missing = needs["need:leuven-vn-wijgmaal:transport-need"]
    assert missing["color"] == "#e15759" and missing["label"] == "Transport to care"
    assert "MISSING: Transport to care in Wijgmaal" in missing["title"]
    assert needs["need:leuven-vn-wilsele:caregiver-burden"]["color"] == "#f28e2b"
    edge = next(e for e in built.edges if missing["id"] in (e["from"], e["to"]))
    assert {edge["from"], edge["to"]} == {missing["id"], "leuven-vn-wijgmaal"}
    assert edge["color"] == "#e15759"
    types = [n for n in built.nodes if n["kind"] == "service_type"]
    assert [n["id"] for n in types] == ["service_type:pharmacy"]
    assert built.summary["missing"] == 1 and built.summary["under"] == 1
    # without planner rows: no gap nodes, and the page says so
    bare = maps.build_map(net, measures)
    assert not [n for n in bare.nodes if n["kind"] in ("need", "service_type")]
    assert "gaps and overlaps not available" in maps.render_html(bare)


def test_no_patient_ever_appears(
    demo_store: Store,
    leuven_html: str,
    client: TestClient,
    make_store: Callable[..., Store],
    tmp_path: Path,
) -> None:
    patients = patient_ids()
    pages = [leuven_html, maps.render_html(maps.zone_map(demo_store, "namur"))]
    for manager in ("leuven-casemanager-katrien-martens", "namur-case-manager-antoine-piette"):
        pages.append(maps.render_html(maps.actor_map(demo_store, manager, 2)))
    body = client.get("/maps/zone/leuven").text
    pages.append(body)
    query = """query($z: ID!) { networkMap(zoneId: $z) { nodes { id kind label title zoneId }
        edges { source target title } } networkMeasures(zoneId: $z) {
        actors { actorId } missingLinks(limit: 1000) { sourceId targetId } } }"""
    for zone in ("leuven", "namur"):
        answer = gql(client, query, z=zone)
        assert "errors" not in answer, answer
        pages.append(str(answer))
        kinds = {n["kind"] for n in answer["data"]["networkMap"]["nodes"]}
        assert kinds <= {"ACTOR", "ZONE", "NEED", "SERVICE_TYPE"}
    for page in pages:
        assert not [p for p in patients if p in page]
        assert not re.search(r"\b[0-9a-f]{64}\b", page)  # no pseudonym of any kind
    # a shared patient makes a tie, and still the patient is nowhere on the map
    store = make_store()
    load(store, str(links_bundle(tmp_path / "links")))
    refer(store, PATIENT, "lx4", "lx5-sw")
    built = maps.zone_map(store, "links")
    page = maps.render_html(built)
    # one proposed referral ties nobody (ties need k patients with accepted or active
    # referrals: tests/test_security_ties.py)
    assert not any("patients" in (e.get("kinds") or []) for e in built.edges)
    assert PATIENT not in page and PATIENT not in repr(built)


def test_ego_view_of_an_actor(demo_store: Store) -> None:
    net = network.fetch_zone_network(demo_store, "leuven")
    graph = network.actor_graph(net)
    one = maps.actor_map(demo_store, "leuven-apotheek-de-bron", 1)
    two = maps.actor_map(demo_store, "leuven-apotheek-de-bron", 2)
    actors1 = {n["id"] for n in one.nodes if n["kind"] == "actor"}
    actors2 = {n["id"] for n in two.nodes if n["kind"] == "actor"}
    assert actors1 == {"leuven-apotheek-de-bron", *graph["leuven-apotheek-de-bron"]}
    assert actors1 < actors2 < {a.id for a in net.actors} | actors1
    focus = next(n for n in one.nodes if n["id"] == "leuven-apotheek-de-bron")
    assert focus["borderWidth"] == 4
    assert one.title == "Ego network of Apotheek De Bron (1 hop) in Zorgzaam Leuven"
    assert (one.focus, one.hops) == ("leuven-apotheek-de-bron", 1)
    # zones of the ego view: the pilot zone and the zones its actors are located in
    zones = {n["id"] for n in one.nodes if n["kind"] == "zone"}
    assert zones == {"leuven"} | {a.zone for a in net.actors if a.id in actors1}


def test_large_zones_group_actors_by_vicinity_network(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = maps.zone_map(demo_store, "leuven", max_nodes=50)
    assert small.grouped and not [n for n in small.nodes if n["kind"] == "actor"]
    groups = {n["id"]: n for n in small.nodes if n["kind"] == "group"}
    assert set(groups) == {
        f"group:{z}"
        for z in (
            "leuven-vn-centrum",
            "leuven-vn-heverlee",
            "leuven-vn-heverlee-zuid",
            "leuven-vn-kessel-lo",
            "leuven-vn-kessel-lo-noord",
            "leuven-vn-leuven-noord",
            "leuven-vn-wijgmaal",
            "leuven-vn-wilsele",
            "leuven-vn-wilsele-putkapel",
        )
    }
    assert sum(n["actors"] for n in groups.values()) == 161
    assert "grouped by vicinity network" in (small.note or "")
    page = maps.render_html(small)
    assert 'id="map-note"' in page and "more than 50 nodes" in page
    # fragmented overlaps now point at groups
    assert any(
        e["kind"] == "overlap" and e["from"].startswith("group:") and e["to"].startswith("service")
        for e in small.edges
    )
    assert not maps.zone_map(demo_store, "leuven").grouped  # default limit 1,500
    monkeypatch.setenv(MAX_NODES_ENV, "100")
    assert maps.default_max_nodes() == 100
    assert maps.zone_map(demo_store, "leuven").grouped
    monkeypatch.setenv(MAX_NODES_ENV, "lots")
    with pytest.raises(ConfigError, match="GRAPHSVC_MAP_MAX_NODES='lots'"):
        maps.default_max_nodes()


def test_layers_and_bad_arguments(demo_store: Store) -> None:
    only = maps.zone_map(demo_store, "leuven-vn-wijgmaal", include=["actors"])
    assert {n["kind"] for n in only.nodes} == {"actor"}
    gaps = maps.zone_map(demo_store, "leuven-vn-wijgmaal", include=["zones", "gaps"])
    assert {n["kind"] for n in gaps.nodes} == {"zone", "need"}
    with pytest.raises(InputError, match="argument include: people is not one of"):
        maps.zone_map(demo_store, "leuven", include=["people"])
    with pytest.raises(NotFound, match="unknown zone 'atlantis'"):
        maps.zone_map(demo_store, "atlantis")
    with pytest.raises(NotFound, match="unknown actor 'nobody'"):
        maps.actor_map(demo_store, "nobody", 2)
    for hops in (0, 5, -1):
        with pytest.raises(InputError, match=f"argument hops: {hops} is not between 1 and 4"):
            maps.actor_map(demo_store, "leuven-ocmw", hops)
    with pytest.raises(InputError, match="not in the network of zone 'namur'"):
        maps.zone_map(demo_store, "namur", focus="leuven-ocmw")


def test_http_routes(client: TestClient, leuven_html: str) -> None:
    page = client.get("/maps/zone/leuven")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text == leuven_html
    assert "default-src 'none'" in page.headers["content-security-policy"]
    ego = client.get("/maps/actor/leuven-ocmw", params={"hops": "1"})
    assert ego.status_code == 200 and "Ego network of OCMW Leuven (1 hop)" in ego.text
    assert "(1 hop)" in client.get("/maps/actor/leuven-ocmw").text  # the default (issue 19)
    assert "(2 hops)" in client.get("/maps/actor/leuven-ocmw", params={"hops": "2"}).text
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    cases = [
        ("/maps/zone/atlantis", 404, "unknown zone &#x27;atlantis&#x27;"),
        ("/maps/actor/nobody", 404, "unknown actor &#x27;nobody&#x27;"),
        ("/maps/actor/leuven-ocmw?hops=0", 400, "argument hops: 0 is not between 1 and 4"),
        ("/maps/actor/leuven-ocmw?hops=5", 400, "argument hops: 5 is not between 1 and 4"),
        ("/maps/actor/leuven-ocmw?hops=two", 400, "argument hops: &#x27;two&#x27; is not a"),
    ]
    for url, status, message in cases:
        response = client.get(url)
        assert response.status_code == status, url
        assert response.headers["content-type"].startswith("text/html")
        assert message in response.text and len(response.text) < 500, response.text
        assert "Traceback" not in response.text


def test_graphql_measures_and_map(client: TestClient, leuven: maps.NetworkMap) -> None:
    answer = gql(
        client,
        """{ networkMeasures(zoneId: "leuven-vn-kessel-lo") {
        zoneId actorCount tieCount density communities { id size actorIds }
        actors { actorId name line zoneId degree betweenness community effectiveSize constraint
                 brokerage { coordinator gatekeeper representative liaison itinerant total }
                 actor { id name } }
        missingLinks(limit: 500) { sourceId targetId sharedPatients serviceTypes score } } }""",
    )
    assert "errors" not in answer, answer
    found = answer["data"]["networkMeasures"]
    assert found["actorCount"] == len(found["actors"]) > 0
    assert sum(c["size"] for c in found["communities"]) == found["actorCount"]
    first = found["actors"][0]
    assert first["actor"]["id"] == first["actorId"]
    b = first["brokerage"]
    assert b["total"] == sum(b[r] for r in network.ROLES)
    pairs = {(m["sourceId"], m["targetId"]) for m in found["missingLinks"]}
    pharmacies = sorted(KESSEL_LO_PHARMACIES)
    assert {(a, c) for i, a in enumerate(pharmacies) for c in pharmacies[i + 1 :]} <= pairs
    scores = [m["score"] for m in found["missingLinks"]]
    assert scores == sorted(scores, reverse=True)

    answer = gql(
        client,
        """{ networkMap(zoneId: "leuven") { zoneId title grouped
        nodes { id kind label x y size color shape line zoneId status fragmented
                measures { betweenness } }
        edges { source target kind kinds } } }""",
    )
    assert "errors" not in answer, answer
    got = answer["data"]["networkMap"]
    assert len(got["nodes"]) == len(leuven.nodes) and len(got["edges"]) == len(leuven.edges)
    red = {n["id"] for n in got["nodes"] if n["status"] == "MISSING"}
    assert red == SEEDED_MISSING
    actor = next(n for n in got["nodes"] if n["id"] == "leuven-ocmw")
    assert actor["kind"] == "ACTOR" and actor["line"] == "SOCIAL"
    assert actor["measures"]["betweenness"] > 0

    answer = gql(
        client,
        """{ networkMap(focusActorId: "leuven-ocmw", hops: 1,
        include: [ACTORS]) { zoneId focusActorId hops nodes { kind } } }""",
    )
    ego = answer["data"]["networkMap"]
    assert (ego["zoneId"], ego["focusActorId"], ego["hops"]) == ("leuven", "leuven-ocmw", 1)
    assert {n["kind"] for n in ego["nodes"]} == {"ACTOR"}

    unknown_zone = "argument zoneId: unknown zone 'atlantis'"
    errors = [
        ('{ networkMeasures(zoneId: "atlantis") { density } }', unknown_zone),
        ('{ networkMap(zoneId: "atlantis") { title } }', unknown_zone),
        (
            '{ networkMap(focusActorId: "nobody") { title } }',
            "argument focusActorId: unknown actor 'nobody'",
        ),
        (
            '{ networkMap(focusActorId: "leuven-ocmw", hops: 9) { title } }',
            "argument hops: 9 is not between 1 and 4",
        ),
        ("{ networkMap { title } }", "argument zoneId: give a zone, or an actor to focus on"),
    ]
    for query, message in errors:
        answer = gql(client, query)
        assert message in answer["errors"][0]["message"], answer


def test_cli_writes_the_same_page(
    embedded: EmbeddedServer, demo_store: Store, leuven_html: str, tmp_path: Path
) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{embedded.data_dir}", "GRAPHSVC_GRAPH": "demo"}
    target = tmp_path / "map.html"
    result = graphsvc("map", "--zone", "leuven", "-o", str(target), env=env)
    assert result.returncode == 0, result.stderr
    assert target.read_text(encoding="utf-8") == leuven_html  # same bytes in another process
    assert "wrote" in result.stderr and "161 actors" in result.stderr
    ego = tmp_path / "ego.html"
    result = graphsvc("map", "--actor", "leuven-ocmw", "--hops", "1", "-o", str(ego), env=env)
    assert result.returncode == 0, result.stderr
    assert "Ego network of OCMW Leuven (1 hop)" in ego.read_text(encoding="utf-8")
    failures = {
        ("map", "--zone", "atlantis"): "graphsvc: error: argument zoneId: unknown zone 'atlantis'",
        ("map", "--actor", "nobody"): "graphsvc: error: argument focusActorId: unknown actor",
        ("map", "--actor", "leuven-ocmw", "--hops", "7"): "argument hops: 7 is not between 1",
    }
    for args, message in failures.items():
        result = graphsvc(*args, "-o", str(tmp_path / "bad.html"), env=env)
        assert result.returncode != 0 and "Traceback" not in result.stderr
        assert message in result.stderr, result.stderr
    assert not (tmp_path / "bad.html").exists()


def test_a_zone_without_actors_still_gets_a_page() -> None:
    zone = network.NetZone("empty", "Empty", "pilot_zone", None, 0)
    net = network.ZoneNetwork(zone, (zone,), (), (), {}, ())
    measures = network.compute_measures(net)
    assert (measures.actor_count, measures.density, measures.communities) == (0, 0.0, ())
    built = maps.build_map(net, measures)
    assert [n["id"] for n in built.nodes] == ["empty"] and built.edges == []
    assert "0 actors" in maps.render_html(built)
    with pytest.raises(InputError, match="argument focusActorId: 'ghost' is not in this network"):
        maps.build_map(net, measures, focus="ghost")
