"""The HTTP app and GraphQL skeleton over the demo seeds (real app, real embedded database)."""

from __future__ import annotations

from starlette.testclient import TestClient

from graphsvc.api.schema import schema
from graphsvc.config import Settings
from graphsvc.store import Store
from tests.conftest import LOCALHOST, REPO, gql

ZONES = "{ zones(limit: 1000) { id name level population } }"


def test_zones_lists_the_leuven_pilot_and_its_vicinity_networks(client: TestClient) -> None:
    body = gql(client, ZONES)
    assert "errors" not in body
    zones = {z["id"]: z for z in body["data"]["zones"]}
    assert zones["leuven"]["level"] == "PILOT_ZONE"
    body = gql(
        client, '{ zone(id: "leuven") { name parent { id } parts { id level population } } }'
    )
    leuven = body["data"]["zone"]
    assert len(leuven["parts"]) == 9
    assert {p["level"] for p in leuven["parts"]} == {"VICINITY_NETWORK"}
    assert sum(p["population"] for p in leuven["parts"]) == zones["leuven"]["population"]


def test_filters_and_pages(client: TestClient) -> None:
    query = """query($zone: ID, $offset: Int!, $limit: Int!) {
        actors(zoneId: $zone, line: SOCIAL, offset: $offset, limit: $limit) { id line } }"""
    everything = gql(client, query, zone="leuven", offset=0, limit=1000)["data"]["actors"]
    assert everything and {a["line"] for a in everything} == {"SOCIAL"}
    pages = [gql(client, query, zone="leuven", offset=o, limit=2)["data"]["actors"]
             for o in range(0, len(everything), 2)]  # fmt: skip
    assert [a for page in pages for a in page] == everything
    namur = gql(client, query, zone="namur", offset=0, limit=1000)["data"]["actors"]
    assert not {a["id"] for a in namur} & {a["id"] for a in everything}


def test_services_filter_by_type_includes_narrower_types(client: TestClient) -> None:
    types = gql(client, "{ serviceTypes { code broader } }")["data"]["serviceTypes"]
    broad = next(t["broader"] for t in types if t["broader"])
    narrower = {t["code"] for t in types if t["broader"] == broad} | {broad}
    query = "query($t: ID) { services(typeCode: $t, limit: 1000) { id type { code } } }"
    found = gql(client, query, t=broad)["data"]["services"]
    assert found and {s["type"]["code"] for s in found} <= narrower
    assert len({s["type"]["code"] for s in found}) > 1


def test_nested_lists_cost_one_round_trip_per_level(client: TestClient, demo_store: Store) -> None:
    query = """query($limit: Int!) { actors(zoneId: "leuven", limit: $limit) {
        id zone { name parent { id } } services { id type { code } provider { id } covers { id } }
    } }"""

    def calls(limit: int) -> int:
        before = demo_store.calls
        body = gql(client, query, limit=limit)
        assert "errors" not in body, body
        assert len(body["data"]["actors"]) == limit
        return demo_store.calls - before

    # actors; zones; services; then parents, types, providers and covered zones (the two zone
    # look-ups of the third level may or may not share a batch): never one per row
    assert calls(3) == calls(60) <= 7


def test_zone_parts_cost_one_round_trip_per_level(client: TestClient, demo_store: Store) -> None:
    before = demo_store.calls
    body = gql(client, '{ zone(id: "be") { parts { name parts { name parent { id } } } } }')
    assert demo_store.calls - before == 3  # the zone, its parts, their parts
    pilots = [p for region in body["data"]["zone"]["parts"] for p in region["parts"]]
    assert {p["name"] for p in pilots} >= {"Zorgzaam Leuven"}
    assert all(p["parent"]["id"] in ("vlaanderen", "wallonie") for p in pilots)


def test_bad_arguments_are_named(client: TestClient) -> None:
    body = gql(client, "{ zones(limit: 5000) { id } }")
    assert "argument limit: 5000 is not between 1 and 1000" in body["errors"][0]["message"]
    body = gql(client, '{ actors(zoneId: "atlantis") { id } }')
    assert body["errors"][0]["message"] == "argument zoneId: unknown zone 'atlantis'"
    body = gql(client, "{ zones(offset: -1) { id } }")
    assert "argument offset: -1 is negative" in body["errors"][0]["message"]
    assert gql(client, '{ zone(id: "atlantis") { id } }')["data"]["zone"] is None


def test_healthz_and_graphiql_in_local_mode(client: TestClient) -> None:
    assert client.get("/healthz").json() == {"status": "ok", "backend": "falkordb"}
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()


def test_no_graphiql_when_serving_beyond_loopback(demo_store: Store) -> None:
    app = create_app_for("0.0.0.0", demo_store)
    with TestClient(app, base_url=LOCALHOST) as remote:
        page = remote.get("/graphql", headers={"Accept": "text/html"})
        assert "graphiql" not in page.text.lower()


def create_app_for(host: str, store: Store):
    from graphsvc.api.app import create_app

    return create_app(Settings(host=host), store)


def test_schema_graphql_is_the_exported_schema() -> None:
    exported = (REPO / "schema.graphql").read_text()
    assert exported == schema.as_str() + "\n", "schema.graphql is stale: run `make schema`"
