"""One error path for every request: GraphQL error documents in the negotiated media type,
the statuses GraphQL-over-HTTP asks for, one status for an out-of-range value whatever it is."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON_HEADERS = {"content-type": "application/json", "accept": GRAPHQL_RESPONSE}


@pytest.mark.parametrize("limit", ["-5", "0", "1001", "1000000", "9" * 5000])
def test_out_of_range_limit_is_a_validation_error_whatever_the_value(
    client: TestClient, limit: str
) -> None:
    response = client.post(
        "/graphql", json={"query": f"{{ actors(limit: {limit}) {{ id }} }}"}, headers=JSON_HEADERS
    )
    assert response.status_code == 400
    body = response.json()
    assert "data" not in body
    assert body["errors"][0]["message"].startswith("argument limit: ")
    assert "is not between 1 and 1000" in body["errors"][0]["message"]
    assert "9" * 50 not in response.text


@pytest.mark.parametrize("value", [-5, 0, 1000000])
def test_out_of_range_limit_variable_is_a_request_error(client: TestClient, value: int) -> None:
    query = "query($n: Int) { actors(limit: $n) { id } }"
    response = client.post(
        "/graphql", json={"query": query, "variables": {"n": value}}, headers=JSON_HEADERS
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["message"] == (
        f"variable $n: {value} is not between 1 and 1000"
    )


def test_several_operations_need_an_operation_name(client: TestClient) -> None:
    query = "query A { zones { id } } query B { actors { id } }"
    refused = client.post("/graphql", json={"query": query}, headers=JSON_HEADERS)
    assert refused.status_code == 400
    assert "operationName" in refused.json()["errors"][0]["message"]
    chosen = client.post(
        "/graphql", json={"query": query, "operationName": "A"}, headers=JSON_HEADERS
    )
    assert chosen.status_code == 200 and "zones" in chosen.json()["data"]


@pytest.mark.parametrize("accept", [GRAPHQL_RESPONSE, "application/json"])
@pytest.mark.parametrize(
    ("content", "content_type", "message"),
    [
        (b"{nope", "application/json", "Unable to parse request body as JSON"),
        (b"query", "text/plain", "Unsupported content type"),
        (b'[{"query": "{ zones { id } }"}]', "application/json", "Batching is not enabled"),
        (b"5", "application/json", "the request body must be a JSON object"),
        (b'{"query": "\xff"}', "application/json", "the request body is not UTF-8"),
    ],
)
def test_request_errors_are_graphql_documents(
    client: TestClient, accept: str, content: bytes, content_type: str, message: str
) -> None:
    response = client.post(
        "/graphql", content=content, headers={"content-type": content_type, "accept": accept}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == f"{accept}; charset=utf-8"
    assert response.json()["errors"][0]["message"].startswith(message)


def test_get_mutation_is_405_with_allow_post(client: TestClient) -> None:
    response = client.get(
        "/graphql",
        params={"query": "mutation { __typename }"},
        headers={"accept": GRAPHQL_RESPONSE},
    )
    assert response.status_code == 405
    assert response.headers["allow"] == "POST"
    assert response.json()["errors"][0]["message"]


def test_other_methods_are_405_with_allow(client: TestClient) -> None:
    response = client.put("/graphql", json={"query": "{ zones { id } }"})
    assert response.status_code == 405
    assert response.headers["allow"] == "GET, POST"
    assert response.headers["content-type"].startswith("application/json")
    assert response.json()["errors"]
