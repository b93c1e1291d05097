"""Network measures (issue 5) against values worked out by hand, on a real embedded FalkorDB.

The hand-built network (tests/maps_fixtures.py), lines in brackets:

    a[first] - b[first] - c[second] - d[social] - f[social]
                              \\        |
                               `---- e[social] - g[second]

Seven actors, seven ties: density 7 / (7*6/2) = 1/3.

Betweenness (shortest paths between two others passing through the actor; every path here is
unique), normalised by (n-1)(n-2)/2 = 15:
  b: a-c, a-d, a-e, a-f, a-g = 5 -> 1/3
  c: a-d, a-e, a-f, a-g, b-d, b-e, b-f, b-g = 8 -> 8/15
  d: a-f, b-f, c-f, e-f, f-g = 5 -> 1/3
  e: a-g, b-g, c-g, d-g, f-g = 5 -> 1/3;  a, f, g: 0

Brokerage (Gould & Fernandez), each broken path x - broker - y counted both ways:
  b brokers a, c: a>b>c representative (a in b's line, c not), c>b>a gatekeeper
  c brokers b-d and b-e (d, e are tied): first/second/social, 4 x liaison
  d brokers c-f and e-f: c>d>f gatekeeper, f>d>c representative, e>d>f and f>d>e coordinator
  e brokers c-g and d-g: c>e>g and g>e>c itinerant, d>e>g representative, g>e>d gatekeeper
  totals: coordinator 2, gatekeeper 3, representative 3, liaison 4, itinerant 2

Burt's constraint, p_ij = 1/degree(i): c_i = sum over neighbours j of (p_ij + sum_q p_iq p_qj)^2
  a: (1)^2 = 1;  b: (1/2)^2 + (1/2)^2 = 1/2 (a and c not tied)
  c (b, d, e): b (1/3)^2 = 1/9; d (1/3 + p_ce p_ed = 1/9)^2 = 16/81; e likewise -> 41/81
  d (c, e, f): likewise 41/81
Effective size: degree - 2 * (ties among neighbours) / degree: c = 3 - 2/3 = 7/3, b = 2, a = 1.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import networkx as nx
import pytest

from graphsvc.core import network
from graphsvc.errors import NotFound
from graphsvc.store import Store
from tests.conftest import load
from tests.maps_fixtures import HAND_ACTORS, HAND_TIES, PATIENT, hand_bundle, links_bundle
from tests.test_security_ties import share_patients

ROUND_TRIPS = 6  # zones, actors, services, collaborations, memberships, shared patients


def approx(value: Fraction) -> object:
    return pytest.approx(float(value), abs=1e-12)


def hand_graph() -> nx.Graph:
    graph = nx.Graph()
    for actor, (line, _zone) in HAND_ACTORS.items():
        graph.add_node(actor, line=line)
    graph.add_edges_from(HAND_TIES)
    return graph


def test_brokerage_roles_counted_by_hand() -> None:
    roles = network.brokerage_roles(hand_graph())
    assert roles["act-b"] == network.Brokerage(gatekeeper=1, representative=1)
    assert roles["act-c"] == network.Brokerage(liaison=4)
    assert roles["act-d"] == network.Brokerage(coordinator=2, gatekeeper=1, representative=1)
    assert roles["act-e"] == network.Brokerage(itinerant=2, gatekeeper=1, representative=1)
    for leaf in ("act-a", "act-f", "act-g"):
        assert roles[leaf].total == 0
    totals = {r: sum(getattr(b, r) for b in roles.values()) for r in network.ROLES}
    assert totals == {
        "coordinator": 2,
        "gatekeeper": 3,
        "representative": 3,
        "liaison": 4,
        "itinerant": 2,
    }


def test_structural_holes_match_hand_values_and_networkx() -> None:
    graph = hand_graph()
    graph.add_node("act-z", line="first")  # an isolated actor has neither measure
    effective, constraint = network.structural_holes(graph)
    assert constraint["act-a"] == approx(Fraction(1))
    assert constraint["act-b"] == approx(Fraction(1, 2))
    assert constraint["act-c"] == approx(Fraction(41, 81))
    assert constraint["act-d"] == approx(Fraction(41, 81))
    assert effective["act-c"] == approx(Fraction(7, 3))
    assert effective["act-b"] == approx(Fraction(2))
    assert effective["act-a"] == approx(Fraction(1))
    assert effective["act-z"] is None and constraint["act-z"] is None
    reference_e, reference_c = nx.effective_size(graph), nx.constraint(graph)
    for actor in HAND_ACTORS:
        assert effective[actor] == pytest.approx(reference_e[actor])
        assert constraint[actor] == pytest.approx(reference_c[actor])


def test_measures_of_the_hand_built_zone_from_the_database(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    load(store, str(hand_bundle(tmp_path / "hand")))
    before = store.calls
    found = network.network_measures(store, "hand")
    assert store.calls - before == ROUND_TRIPS
    assert (found.actor_count, found.tie_count) == (7, 7)
    assert found.density == approx(Fraction(1, 3))
    by_id = {a.id: a for a in found.actors}
    assert [a.id for a in found.actors] == sorted(HAND_ACTORS)
    expected = {
        "act-a": 0,
        "act-b": Fraction(1, 3),
        "act-c": Fraction(8, 15),
        "act-d": Fraction(1, 3),
        "act-e": Fraction(1, 3),
        "act-f": 0,
        "act-g": 0,
    }
    for actor, value in expected.items():
        assert by_id[actor].betweenness == approx(Fraction(value))
    assert {a: m.degree for a, m in by_id.items()} == {
        "act-a": 1,
        "act-b": 2,
        "act-c": 3,
        "act-d": 3,
        "act-e": 3,
        "act-f": 1,
        "act-g": 1,
    }
    assert by_id["act-c"].constraint == approx(Fraction(41, 81))
    assert by_id["act-c"].effective_size == approx(Fraction(7, 3))
    assert by_id["act-c"].brokerage == network.Brokerage(liaison=4)
    assert by_id["act-e"].brokerage == network.Brokerage(
        itinerant=2, gatekeeper=1, representative=1
    )
    assert by_id["act-c"].zone == "hand-n" and by_id["act-c"].line == "second"
    # every actor is in exactly one community
    members = [a for c in found.communities for a in c.actors]
    assert sorted(members) == sorted(HAND_ACTORS)
    assert {by_id[a].community for a in members} == {c.id for c in found.communities}
    assert found.missing_links == ()  # no shared patients, no services

    # a vicinity network's own network: its actors only, ties among them only
    north = network.network_measures(store, "hand-n")
    assert [a.id for a in north.actors] == ["act-a", "act-b", "act-c"]
    assert north.tie_count == 2


def test_louvain_is_seeded_and_finds_the_two_cliques() -> None:
    graph = nx.barbell_graph(5, 0)
    graph = nx.relabel_nodes(graph, {n: f"n{n}" for n in graph})
    found = network.louvain(graph)
    assert [set(c.actors) for c in found] == [
        {f"n{i}" for i in range(5)},
        {f"n{i}" for i in range(5, 10)},
    ]
    assert all(network.louvain(graph) == found for _ in range(3))


def test_same_zone_gives_the_same_measures(demo_store: Store) -> None:
    first = network.network_measures(demo_store, "leuven")
    again = network.network_measures(demo_store, "leuven")
    assert first == again
    assert first.actor_count == 161 and len(first.communities) > 1
    assert 0 < first.density < 1


def test_round_trips_do_not_grow_with_the_zone(demo_store: Store) -> None:
    def calls(zone: str) -> int:
        before = demo_store.calls
        network.fetch_zone_network(demo_store, zone)
        return demo_store.calls - before

    assert calls("leuven") == calls("leuven-vn-wijgmaal") == calls("be") == ROUND_TRIPS


def test_tie_kinds_and_ranked_missing_links(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    load(store, str(links_bundle(tmp_path / "links")))
    share_patients(store)  # k patients with accepted referrals: a shared-patient tie
    net = network.fetch_zone_network(store, "links")
    # lx5 serves the zone from elsewhere; lx6 only has a closed service
    assert [a.id for a in net.actors] == ["lx1", "lx2", "lx3", "lx4", "lx5"]
    ties = {(t.source, t.target): t.kinds for t in net.ties}
    assert ties == {
        ("lx1", "lx4"): ("network",),
        ("lx2", "lx3"): ("collaboration",),
        ("lx4", "lx5"): ("patients",),
    }
    found = network.compute_measures(net)
    assert found.missing_links == (
        network.MissingLink("lx4", "lx5", True, (), 2),
        network.MissingLink("lx1", "lx2", False, ("pharmacy",), 1),
    )
    assert PATIENT not in repr(net) + repr(found)


def test_unknown_zone_is_not_found(demo_store: Store) -> None:
    with pytest.raises(NotFound, match="argument zoneId: unknown zone 'atlantis'"):
        network.network_measures(demo_store, "atlantis")
