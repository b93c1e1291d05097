"""Property-based fuzzing of the GraphQL API from schema.graphql against the running app.

Valid and invalid queries alike must get a well-formed GraphQL answer: no 5xx, no stack
trace, no hang (each request has a deadline), and the server's memory stays bounded.
Set GRAPHSVC_FUZZ_EXAMPLES to fuzz longer (`make soak` does).
"""

from __future__ import annotations

import os
import resource
from collections.abc import Callable, Iterator

import graphql
import httpx2
import pytest
from hypothesis import HealthCheck, given, settings, strategies
from hypothesis_graphql import Mode, from_schema, nodes

from tests.conftest import REPO

SDL = (REPO / "schema.graphql").read_text()
EXAMPLES = int(os.environ.get("GRAPHSVC_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip
# custom scalars of the schema, as GraphQL literals
SCALARS = {"Date": strategies.dates().map(lambda d: nodes.String(d.isoformat()))}
QUERY_FIELDS = sorted(graphql.build_schema(SDL).query_type.fields)  # type: ignore[union-attr]
Post = Callable[[str], httpx2.Response]


@pytest.fixture(scope="module")
def post(live_url: str) -> Iterator[Post]:
    with httpx2.Client(timeout=30) as client:  # a hang fails the test
        yield lambda query: client.post(live_url, json={"query": query})


def check(post: Post, query: str) -> None:
    response = post(query)
    assert response.status_code < 500, (query, response.text)
    assert "Traceback" not in response.text
    body = response.json()
    assert "data" in body or "errors" in body


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@FUZZ
@given(query=from_schema(SDL, fields=QUERY_FIELDS, custom_scalars=SCALARS))
def test_valid_queries_get_answers(post: Post, query: str) -> None:
    check(post, query)


@FUZZ
@given(query=from_schema(SDL, fields=QUERY_FIELDS, mode=Mode.NEGATIVE, custom_scalars=SCALARS))
def test_invalid_queries_get_errors_not_crashes(post: Post, query: str) -> None:
    check(post, query)


def test_memory_stays_bounded(post: Post) -> None:
    heavy = "{ actors(limit: 1000) { id services { id covers { id parts { id } } } } }"
    check(post, heavy)
    before = rss_mb()
    for _ in range(30):
        check(post, heavy)
    assert rss_mb() - before < 100, "memory grows with repeated requests"
