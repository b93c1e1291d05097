"""Outside local mode errors say nothing about the server: no stack trace, no "did you mean"
hint, no database message or file path (GraphQL, maps, exports and /healthz alike); GraphiQL
and introspection are off. The local mode keeps all of it for debugging.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from graphsvc.errors import DatabaseUnavailable, QueryCatalogError, QueryFailed
from graphsvc.store import Store
from tests.conftest import LOCALHOST, gql
from tests.security_fixtures import Secured, secure_demo_fixture, secured  # noqa: F401

SECRETS = ("/tmp/secret-data", "bolt://10.1.2.3", "Traceback", "redis", "falkordb", "cypher")


class FailingStore:
    """The real store, except that the named queries (and ping) fail with `error`."""

    def __init__(self, store: Store, error: Exception, names: set[str] | None = None) -> None:
        self._store = store
        self._error = error
        self._names = names

    def run(self, name: str, /, **params: Any) -> list[dict]:
        if self._names is None or name in self._names:
            raise self._error
        return self._store.run(name, **params)

    def ping(self) -> None:
        raise self._error

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def assert_says_nothing(text: str) -> None:
    for secret in SECRETS:
        assert secret.lower() not in text.lower(), (secret, text)


def test_no_did_you_mean_outside_local_mode(secure_demo: Secured, client: TestClient) -> None:
    for query in ["{ zones { nme } }", "{ zonez { id } }", "{ actors(line: FRST) { id } }"]:
        body = secure_demo.ask("planner", query)
        assert body["errors"] and "Did you mean" not in str(body), body
        assert "Did you mean" in str(gql(client, query))  # the local mode helps
    body = secure_demo.ask("planner", "query($l: ActorLine) { actors(line: $l) { id } }", l="FRST")
    assert body["errors"] and "Did you mean" not in str(body)


def test_introspection_and_graphiql_only_in_local_mode(
    secure_demo: Secured, client: TestClient
) -> None:
    query = "{ __schema { queryType { name } } }"
    assert "introspection has been disabled" in str(secure_demo.ask("admin", query))
    assert gql(client, query)["data"]["__schema"]["queryType"]["name"] == "Query"
    assert secure_demo.ask("admin", "{ __typename }")["data"] == {"__typename": "Query"}
    page = secure_demo.client.get(
        "/graphql",
        headers={"Accept": "text/html", "Authorization": f"Bearer {secure_demo.tokens['admin']}"},
    )
    assert "graphiql" not in page.text.lower()


@pytest.mark.parametrize(
    ("error", "says"),
    [
        (DatabaseUnavailable("database unavailable at embedded:/tmp/secret-data: refused"),
         "database unavailable: try again later"),
        (QueryFailed("query list_zones failed: Neo4j at bolt://10.1.2.3: Invalid cypher"),
         "Unexpected error."),
        (QueryFailed("query list_zones failed: Query timed out"), "the database took too long"),
        (QueryCatalogError("/tmp/secret-data/cypher/list_zones.cypher: cannot read"),
         "Unexpected error."),
        (RuntimeError("redis.exceptions.ResponseError at /tmp/secret-data"), "Unexpected error."),
    ],
)  # fmt: skip
def test_server_failures_are_masked(
    demo_store: Store, tmp_path: Path, error: Exception, says: str
) -> None:
    failing = FailingStore(demo_store, error, {"list_zones"})
    with secured(failing, tmp_path) as app:  # type: ignore[arg-type]
        response = app.post("planner", {"query": "{ zones { id } }"})
        assert_says_nothing(response.text)
        assert response.json()["errors"][0]["message"].startswith(says)
        expected = 503 if isinstance(error, DatabaseUnavailable) else 200
        assert response.status_code == expected
        # user-facing errors keep their message
        body = app.ask("planner", '{ actors(zoneId: "atlantis") { id } }')
        assert body["errors"][0]["message"] == "argument zoneId: unknown zone 'atlantis'"


def test_the_local_mode_says_what_went_wrong(demo_store: Store) -> None:
    from graphsvc.api.app import create_app
    from graphsvc.config import Settings

    error = DatabaseUnavailable("database unavailable at embedded:/tmp/secret-data: refused")
    failing = FailingStore(demo_store, error, {"list_zones"})
    with TestClient(create_app(Settings(), failing), base_url=LOCALHOST) as local:  # type: ignore[arg-type]
        body = local.post("/graphql", json={"query": "{ zones { id } }"}).json()
        assert "/tmp/secret-data" in body["errors"][0]["message"]
        assert local.get("/healthz").json()["error"].startswith("database unavailable at")


def test_healthz_maps_and_exports_say_nothing(demo_store: Store, tmp_path: Path) -> None:
    error = DatabaseUnavailable("database unavailable at embedded:/tmp/secret-data: refused")
    with secured(FailingStore(demo_store, error), tmp_path) as app:  # type: ignore[arg-type]
        health = app.client.get("/healthz")  # no token needed, no detail given
        assert health.status_code == 503 and health.json() == {"status": "unavailable"}
        headers = {"Authorization": f"Bearer {app.tokens['facilitator']}"}
        for path in ("/maps/zone/namur", "/exports/gaps.csv?zone=namur"):
            response = app.client.get(path, headers=headers)
            assert response.status_code == 503
            assert_says_nothing(response.text)
    with secured(demo_store, tmp_path / "ok") as app:
        assert app.client.get("/healthz").json() == {"status": "ok"}
