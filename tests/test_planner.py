"""Planner: gaps, roll-ups, overlaps, what-if and exports on the seeds and a tiny bundle."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from graphsvc.core import directory
from graphsvc.core.gaps import E2SFCA, GapQuery, compute, fetch, zone_gaps
from graphsvc.core.overlaps import zone_overlaps
from graphsvc.core.whatif import NewService, what_if
from graphsvc.errors import InputError, NotFound
from graphsvc.store import Store
from tests.conftest import REPO, gql, load
from tests.test_bundle import TINY, dump


def documented_gaps(seed: str) -> dict[tuple[str, str], str]:
    readme = (REPO / "seeds" / "README.md").read_text()
    block = re.search(rf"<!-- gaps:{seed} -->(.*?)<!-- /gaps -->", readme, re.S)
    assert block, f"no gaps table for {seed}"
    rows = re.findall(r"^\| ([a-z0-9-]+) \| ([a-z0-9-]+) \| ([A-Z]+) \|", block.group(1), re.M)
    return {(zone, need): status for zone, need, status in rows}


@pytest.fixture
def tiny(make_store: Callable[..., Store]) -> Store:
    store = make_store()
    load(store, str(TINY))
    return store


@pytest.mark.parametrize("seed", ["leuven", "namur"])
def test_the_seeded_gaps_and_nothing_else(demo_store: Store, seed: str) -> None:
    cells = [r for r in zone_gaps(demo_store, seed) if not r.rollup]
    flagged = {(r.zone, r.need): r.status for r in cells if r.status != "COVERED"}
    assert flagged == documented_gaps(seed)
    assert len(cells) == 18 * len({r.zone for r in cells})  # every need in every part


def test_rollup_is_the_demand_weighted_mean_of_the_parts(demo_store: Store) -> None:
    rows = zone_gaps(demo_store, "leuven")
    for rollup in (r for r in rows if r.rollup):
        parts = [r for r in rows if not r.rollup and r.need == rollup.need]
        assert len(parts) == 9
        by_hand = sum(p.demand * p.ratio for p in parts) / sum(p.demand for p in parts)
        assert rollup.ratio == pytest.approx(by_hand, rel=1e-12)
        assert rollup.demand == sum(p.demand for p in parts)
        assert rollup.worst_parts[0][1] == min(p.ratio for p in parts)


def test_a_cell_does_not_depend_on_the_zone_asked_for(demo_store: Store) -> None:
    pilot = {(r.zone, r.need): r.ratio for r in zone_gaps(demo_store, "namur") if not r.rollup}
    part = zone_gaps(demo_store, "namur-vn-jambes")
    assert part and all(r.ratio == pytest.approx(pilot[(r.zone, r.need)]) for r in part)


def test_round_trips_do_not_grow_with_the_number_of_zones(demo_store: Store) -> None:
    def calls(zone: str, method: str = "catchment") -> int:
        before = demo_store.calls
        zone_gaps(demo_store, zone, GapQuery(zone, method=method))
        return demo_store.calls - before

    calls("leuven")  # the in-memory index is built once (graphsvc.core.gapindex)
    # the zone and the index's version check; from memory whatever the size of the zone
    assert calls("leuven") == calls("leuven-vn-wijgmaal") == calls("be") == 2
    # the distance methods too: the index keeps the coordinates (graphsvc.core.gapindex)
    assert (
        calls("leuven", E2SFCA) == calls("leuven-vn-wijgmaal", E2SFCA) == calls("be", E2SFCA) == 2
    )


def test_fetched_and_in_memory_answers_are_the_same(demo_store: Store) -> None:
    # compute(fetch(...)) asks Cypher for the zone (report, what-if, action plans); zone_gaps
    # answers from the in-memory index: both must give the very same rows
    for zone in ("leuven", "leuven-vn-wijgmaal", "namur", "be"):
        for query in (GapQuery(zone), GapQuery(zone, scenario="TO_BE"),
                      GapQuery(zone, needs=("transport-need",), include_parts=False),
                      GapQuery(zone, statuses=("MISSING", "OVER"))):  # fmt: skip
            fetched = compute(fetch(demo_store, query), query)
            assert zone_gaps(demo_store, zone, query) == fetched, (zone, query)
            assert fetched and all(r.contributions or r.status == "MISSING" for r in fetched)


def test_catchment_by_hand_on_the_tiny_bundle(tiny: Store) -> None:
    # a-home (20 places) covers north (30 people); b-home (10) covers north and south (12).
    rows = {(r.zone, r.rollup): r for r in zone_gaps(tiny, "pilot")}
    north, south = rows[("north", False)], rows[("south", False)]
    assert north.ratio == pytest.approx(20 / 30 + 10 / 42)
    assert south.ratio == pytest.approx(10 / 42)
    assert (north.status, south.status) == ("UNDER", "UNDER")
    assert north.providers == 2
    assert {c.service for c in north.contributions} == {"a-home", "b-home"}
    assert rows[("pilot", True)].supply == pytest.approx(30.0)  # all 30 places are allotted


def test_e2sfca_by_hand_on_the_tiny_bundle(tiny: Store) -> None:
    # Both providers lie within 10 km of both zones: every weight is 1.
    rows = zone_gaps(tiny, "pilot", GapQuery("pilot", method=E2SFCA, include_parts=True))
    cells = {r.zone: r for r in rows if not r.rollup}
    assert cells["north"].ratio == pytest.approx(30 / 42)
    assert cells["south"].ratio == pytest.approx(30 / 42)


def test_overlaps_find_the_seeded_fragmentation(demo_store: Store) -> None:
    rows = {(r.zone, r.service_type): r for r in zone_overlaps(demo_store, "leuven")}
    pharmacies = rows[("leuven-vn-kessel-lo", "pharmacy")]
    assert len(pharmacies.providers) == 4 and pharmacies.pairs == 6
    assert pharmacies.fragmented and pharmacies.collaboration_share == 0.0
    namur = {(r.zone, r.service_type): r for r in zone_overlaps(demo_store, "namur")}
    assert namur[("namur-vn-jambes", "pharmacy")].fragmented


def test_overlap_collaboration_share_by_hand(tiny: Store) -> None:
    [row] = zone_overlaps(tiny, "pilot")
    assert (row.zone, row.service_type, row.providers) == ("north", "home-nursing",
                                                           ("nurses-a", "nurses-b"))  # fmt: skip
    assert row.capacity == 30 and row.demand == 30  # wound care is met by nursing, a broader type
    assert row.collaboration_share == 1.0 and not row.fragmented


def test_what_if_changes_nothing_in_the_database(tiny: Store) -> None:
    before = dump(tiny)
    rows = what_if(tiny, "pilot", remove_services=["a-home"])
    assert {(r.zone, r.change) for r in rows if not r.rollup} == {("north", "WORSE")}
    added = what_if(tiny, "pilot", add_services=[NewService("home-nursing", 12, ("south",))])
    south = next(r for r in added if r.zone == "south")
    assert (south.status_before, south.status_after, south.change) == ("UNDER", "COVERED",
                                                                       "CLOSES")  # fmt: skip
    assert dump(tiny) == before


def test_removing_the_only_provider_opens_a_gap(demo_store: Store) -> None:
    rows = what_if(demo_store, "leuven", remove_actors=["leuven-ocmw"])
    assert rows and rows[0].change == "APPEARS"
    assert all(r.ratio_after <= r.ratio_before for r in rows)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda s: zone_gaps(s, "atlantis"), NotFound, "argument zoneId: unknown zone 'atlantis'"),
        (lambda s: zone_gaps(s, "pilot", GapQuery("pilot", needs=("nope",))), NotFound,
         "argument needCodes: unknown need type(s) 'nope'"),
        (lambda s: zone_overlaps(s, "pilot", ["nope"]), NotFound, "serviceTypeCodes"),
        (lambda s: what_if(s, "pilot", remove_actors=["ghost"]), NotFound, "removeActorIds"),
        (lambda s: what_if(s, "pilot", remove_services=["ghost"]), NotFound, "removeServiceIds"),
        (lambda s: what_if(s, "pilot", add_services=[NewService("nursing", -1, ("north",))]),
         InputError, "addServices[0].capacity"),
    ],
)  # fmt: skip
def test_bad_domain_arguments_are_named(tiny: Store, call, error, message: str) -> None:
    with pytest.raises(error) as raised:
        call(tiny)
    assert message in str(raised.value)


GAPS = """query($zone: ID!, $target: Float! = 1.0) {
  serviceGaps(zoneId: $zone, target: $target, status: [MISSING, UNDER, OVER]) {
    zoneId needCode demand supply ratio status providerCount rollup
    zone { name } need { name domain } services { serviceId places provider { name line } }
  } }"""


def test_service_gaps_over_graphql(client: TestClient, demo_store: Store) -> None:
    zone_gaps(demo_store, "leuven")  # the in-memory index is up to date (other tests write)
    before = demo_store.calls
    body = gql(client, GAPS, zone="leuven")
    assert "errors" not in body, body
    rows = body["data"]["serviceGaps"]
    assert {(r["zoneId"], r["needCode"]): r["status"] for r in rows} == documented_gaps("leuven")
    # gaps (the zone, the index's version) + nested zones, needs and providers (one each),
    # whatever the number of rows
    assert demo_store.calls - before == 5
    over = next(r for r in rows if r["status"] == "OVER")
    assert over["providerCount"] >= 2 and len(over["services"]) >= over["providerCount"]


def test_zone_report_and_what_if_over_graphql(client: TestClient) -> None:
    report = gql(
        client,
        """{ zoneReport(zoneId: "namur") { population needs { needCode ratio }
        worstGaps { zoneId needCode status } fragmentedOverlaps { zoneId serviceTypeCode }
        statusCounts { status count } } }""",
    )["data"]["zoneReport"]
    assert len(report["needs"]) == 18
    assert {(g["zoneId"], g["needCode"]) for g in report["worstGaps"]} == {
        key for key, status in documented_gaps("namur").items() if status != "OVER"}  # fmt: skip
    body = gql(
        client,
        """{ whatIf(zoneId: "namur", addServices: [{typeCode: "adapted-transport",
        capacity: 5000, coversZoneIds: ["namur-vn-belgrade"]}]) { zoneId needCode change } }""",
    )
    assert {"zoneId": "namur-vn-belgrade", "needCode": "transport-need",
            "change": "CLOSES"} in body["data"]["whatIf"]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ('{ serviceGaps(zoneId: "atlantis") { ratio } }', "argument zoneId: unknown zone"),
        ('{ serviceGaps(zoneId: "leuven", needCodes: ["x"]) { ratio } }', "argument needCodes"),
        ('{ serviceGaps(zoneId: "leuven", target: -1) { ratio } }', "argument target: -1.0"),
        ('{ serviceGaps(zoneId: "leuven", target: "high") { ratio } }',
         "argument target: Float cannot represent"),
        ('{ serviceGaps(zoneId: "leuven", method: E2SFCA, bands: [{upperKm: 20, weight: 1},'
         ' {upperKm: 10, weight: 0.5}]) { ratio } }', "argument bands[1].upper"),
        ('{ overlaps(zoneId: "leuven", minProviders: 0) { zoneId } }', "argument minProviders"),
    ],
)  # fmt: skip
def test_bad_graphql_arguments_are_named(client: TestClient, query: str, message: str) -> None:
    body = gql(client, query)
    assert message in body["errors"][0]["message"], body


def test_csv_exports(client: TestClient) -> None:
    response = client.get("/exports/gaps.csv", params={"zone": "leuven"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeffzone,need,demand,supply,ratio,status")
    assert len(text.strip().splitlines()) == 1 + 18 + 162
    overlaps = client.get("/exports/overlaps.csv", params={"zone": "leuven-vn-kessel-lo"})
    assert "leuven-vn-kessel-lo,pharmacy," in overlaps.text
    for params, message in [({}, "argument zone"), ({"zone": "atlantis"}, "unknown zone"),
                            ({"zone": "leuven", "target": "x"}, "argument target"),
                            ({"zone": "leuven", "method": "walk"}, "argument method")]:  # fmt: skip
        bad = client.get("/exports/gaps.csv", params=params)
        assert bad.status_code == 400 and message in bad.text


def test_cli_gaps_and_overlaps(tmp_path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}"}
    run = lambda *a: subprocess.run([sys.executable, "-m", "graphsvc.cli", *a], cwd=REPO,  # noqa: E731
                                    env={**__import__("os").environ, **env}, capture_output=True,
                                    text=True, timeout=120)  # fmt: skip
    assert run("load", str(TINY)).returncode == 0
    as_json = run("gaps", "--zone", "pilot", "--format", "json")
    assert as_json.returncode == 0, as_json.stderr
    assert {r["zone"] for r in json.loads(as_json.stdout)} == {"pilot", "north", "south"}
    as_csv = run("gaps", "--zone", "pilot", "--format", "csv", "--status", "UNDER")
    assert as_csv.stdout.splitlines()[0].startswith("zone,need,demand")
    table = run("overlaps", "--zone", "pilot")
    assert "home-nursing" in table.stdout
    for args, message in [
        (("gaps", "--zone", "atlantis"), "unknown zone 'atlantis'"),
        (("gaps", "--zone", "pilot", "--target", "-2"), "argument target"),
        (("gaps", "--zone", "pilot", "--needs", "nope"), "argument needCodes"),
    ]:
        bad = run(*args)
        assert bad.returncode == 1 and message in bad.stderr


def documented_fragmentation(seed: str) -> set[tuple[str, str]]:
    readme = (REPO / "seeds" / "README.md").read_text()
    block = re.search(rf"<!-- fragmented:{seed} -->(.*?)<!-- /fragmented -->", readme, re.S)
    assert block, f"no fragmented table for {seed}"
    return set(re.findall(r"^\| ([a-z0-9-]+) \| ([a-z0-9-]+) \| \d+ \|", block.group(1), re.M))


@pytest.mark.parametrize("seed", ["leuven", "namur"])
def test_only_the_seeded_overlaps_are_fragmented(demo_store: Store, seed: str) -> None:
    rows = zone_overlaps(demo_store, seed)
    assert {(r.zone, r.service_type) for r in rows if r.fragmented} == documented_fragmentation(
        seed
    )
    assert len(rows) > 20  # plenty of overlaps, coordinated ones


NESTED = """query($zone: ID!) { serviceGaps(zoneId: $zone) { ...row } }
fragment row on GapRow { zoneId zone { ...place } need { code }
  services { ... on Contribution { actorId provider { id zone { ...place } } } } }
fragment place on Zone { id parent { id } }"""


def test_gap_rows_prefetch_one_round_trip_per_selected_level(
    client: TestClient, demo_store: Store
) -> None:
    """The rows' zones, their parents, needs, providers and the providers' zones are each
    loaded once, also through fragments; a query that selects none of them loads none."""
    zone_gaps(demo_store, "leuven")

    def calls(query: str) -> tuple[int, dict]:
        before = demo_store.calls
        body = gql(client, query, zone="leuven")
        assert "errors" not in body, body
        return demo_store.calls - before, body

    bare, _ = calls("query($zone: ID!) { serviceGaps(zoneId: $zone) { zoneId ratio } }")
    assert bare == 2  # the zone check and the index's version
    providers, _ = calls(
        "query($zone: ID!) { serviceGaps(zoneId: $zone) { services { provider { zone { id } } } } }"
    )
    assert providers == bare + 2  # the providers, then their zones
    nested, body = calls(NESTED)
    # zones, their parents, needs, providers; the providers' zones are among the zones and
    # parents loaded already, so the loader has them without a trip
    assert nested == bare + 4
    zones = {z.id: z for z in directory.get_zones(demo_store, ["leuven-vn-wijgmaal"]).values()}
    rows = body["data"]["serviceGaps"]
    wijgmaal = next(r for r in rows if r["zoneId"] == "leuven-vn-wijgmaal")
    assert wijgmaal["zone"]["parent"]["id"] == zones["leuven-vn-wijgmaal"].parent
    actors = directory.get_actors(demo_store, [c["actorId"] for r in rows for c in r["services"]])
    for service in (c for r in rows for c in r["services"]):
        actor = actors[service["actorId"]]
        assert service["provider"]["id"] == actor.id
        assert (service["provider"]["zone"] or {}).get("id") == actor.zone
