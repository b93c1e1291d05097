"""Property-based fuzzing of the HTTP layer of /graphql: bodies, headers, encodings, methods
and variables, against the real app served by uvicorn over the demo data.

Every answer must be a GraphQL document (JSON with `data` or `errors`) with a status below 500,
and the server's log must hold no traceback: the test attaches a handler to the loggers the
server writes to (uvicorn's, strawberry's, graphsvc's and the root) and reads what they got.
Set GRAPHSVC_FUZZ_EXAMPLES to fuzz longer (`make soak` does).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.api.app import create_app
from graphsvc.api.background import serving
from graphsvc.config import Settings
from graphsvc.store import Store

EXAMPLES = int(os.environ.get("GRAPHSVC_FUZZ_EXAMPLES", "120"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=True,
                suppress_health_check=list(HealthCheck))  # fmt: skip
LOGGERS = ("", "uvicorn", "uvicorn.error", "uvicorn.asgi", "strawberry", "graphsvc")
QUERIES = (
    "{ zones { id } }",
    "query Z($n: Int) { actors(limit: $n) { id } }",
    "query A { zones { id } } query B { actors { id } }",
    "mutation { __typename }",
    "{ actors(limit: -5) { id } }",
    "{ actors(limit: " + "9" * 5000 + ") { id } }",
    '{ zone(id: "leuven") { id name } }',
    "query($z: String!) { zone(id: $z) { id } }",
    "{",
    "",
)
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "application/json; charset=latin-1",
    "application/graphql-response+json",
    "application/graphql",
    "text/plain",
    "multipart/form-data; boundary=x",
    "application/x-www-form-urlencoded",
    "",
)
ACCEPTS = (
    "application/json",
    "application/graphql-response+json",
    "application/graphql-response+json, application/json;q=0.9",
    "*/*",
    "text/html",
    "application/xml",
    "",
)
METHODS = ("POST", "POST", "POST", "GET", "GET", "PUT", "DELETE", "PATCH", "OPTIONS")

# JSON values as clients (and attackers) send them: long numbers, deep nesting, odd strings
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=10**30, max_value=10**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=50)
    | st.sampled_from(["\x00", "\u202e", "\ud7ff", "leuven", "x" * 5000])
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=20,
)


# header values a client can send at all (HTTP forbids control characters in them)
HEADER_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30).map(
    str.strip
)


def deep(depth: int) -> str:
    return "[" * depth + "]" * depth


@st.composite
def request_bodies(draw: st.DrawFn) -> bytes:
    """A body: a GraphQL request object (often bent), raw JSON text, or any bytes."""
    kind = draw(st.sampled_from(["request", "request", "request", "json", "text", "bytes"]))
    if kind == "bytes":
        return draw(st.binary(max_size=200))
    if kind == "text":
        return draw(
            st.sampled_from(
                [
                    '{"query": "{ zones { id } }", "variables": {"n": ' + "9" * 5000 + "}}",
                    '{"query": "{ zones { id } }", "variables": {"n": ' + deep(100_000) + "}}",
                    '{"query": "{ zones { id } }", "variables": {"n": NaN}}',
                    '{"query": "{ zones { id } }"',
                    "null",
                    "[]",
                    "5",
                    '"query"',
                    '{"query": "{ zones { id } }", "query": 5}',
                ]
            )
        ).encode()
    request: dict[str, Any] = {}
    if draw(st.booleans()):
        request["query"] = draw(st.sampled_from(QUERIES) | st.text(max_size=40) | JSON_VALUES)
    if draw(st.booleans()):
        request["variables"] = draw(
            st.dictionaries(st.sampled_from(["n", "z", "x"]), JSON_VALUES, max_size=3) | JSON_VALUES
        )
    if draw(st.booleans()):
        request["operationName"] = draw(st.sampled_from(["A", "B", "Z", "nope"]) | JSON_VALUES)
    if draw(st.booleans()):
        request["extensions"] = draw(JSON_VALUES)
    value: Any = request if kind == "request" else draw(JSON_VALUES)
    text = json.dumps(value, ensure_ascii=draw(st.booleans()))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.encode(encoding, errors="replace")


@st.composite
def query_params(draw: st.DrawFn) -> dict[str, str]:
    params = {}
    if draw(st.booleans()):
        params["query"] = draw(st.sampled_from(QUERIES) | st.text(max_size=40))
    if draw(st.booleans()):
        params["variables"] = draw(
            st.sampled_from(['{"n": ' + "9" * 5000 + "}", deep(10_000), "{", '{"n": -5}'])
            | JSON_VALUES.map(json.dumps)
        )
    if draw(st.booleans()):
        params["operationName"] = draw(st.text(max_size=10))
    return params


class Collected(logging.Handler):
    """Every record the server logs, kept with its traceback text."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        text = record.getMessage()
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append(f"{record.name}: {text}")


@pytest.fixture(scope="module")
def server(demo_store: Store) -> Iterator[tuple[httpx2.Client, str, Collected]]:
    collected = Collected()
    with serving(create_app(Settings(), demo_store)) as url:
        for name in LOGGERS:  # after uvicorn configured its own loggers
            logging.getLogger(name).addHandler(collected)
        try:
            with httpx2.Client(timeout=30) as client:
                yield client, url, collected
        finally:
            for name in LOGGERS:
                logging.getLogger(name).removeHandler(collected)
    tracebacks = [r for r in collected.records if "Traceback" in r]
    assert tracebacks == [], tracebacks[:3]


def check(response: httpx2.Response, method: str, collected: Collected) -> None:
    assert response.status_code < 500, response.text[:500]
    assert "Traceback" not in response.text
    tracebacks = [r for r in collected.records if "Traceback" in r]
    assert tracebacks == [], tracebacks[:1]
    if method == "HEAD" or response.headers.get("content-type", "").startswith("text/html"):
        return
    media = response.headers["content-type"].split(";")[0]
    assert media in ("application/json", "application/graphql-response+json"), media
    document = response.json()
    assert isinstance(document, dict) and ("data" in document or "errors" in document), document
    if response.status_code >= 400:
        assert (document.get("errors") and "data" not in document) or document["data"] is None
        assert all(isinstance(e.get("message"), str) for e in document["errors"])
    if response.status_code == 405:
        assert response.headers["allow"] in ("POST", "GET, POST")


@FUZZ
@given(
    method=st.sampled_from(METHODS),
    body=request_bodies(),
    params=query_params(),
    content_type=st.sampled_from(CONTENT_TYPES) | HEADER_TEXT,
    accept=st.sampled_from(ACCEPTS) | HEADER_TEXT,
    extra=st.dictionaries(
        st.sampled_from(["content-encoding", "x-forwarded-for", "origin", "cookie"]),
        HEADER_TEXT,
        max_size=2,
    ),
)
def test_http_requests_get_graphql_answers(
    server: tuple[httpx2.Client, str, Collected],
    method: str,
    body: bytes,
    params: dict[str, str],
    content_type: str,
    accept: str,
    extra: dict[str, str],
) -> None:
    client, url, collected = server
    headers = {**extra, "accept": accept}
    if content_type:
        headers["content-type"] = content_type
    if method == "GET":
        response = client.request(method, url, params=params, headers=headers)
    else:
        response = client.request(method, url, content=body, headers=headers)
    check(response, method, collected)


@pytest.mark.parametrize(
    "body",
    [
        b'{"query": "{ zones { id } }", "x": "\xff"}',
        b'{"query": "{ zones { id } }", "variables": {"n": ' + b"9" * 5000 + b"}}",
        b'{"query": "{ zones { id } }", "variables": {"n": ' + deep(100_000).encode() + b"}}",
        json.dumps({"query": "{ actors(limit: " + "9" * 5000 + ") { id } }"}).encode(),
    ],
    ids=["invalid-utf8", "5000-digit-variable", "100000-deep-variable", "5000-digit-literal"],
)
def test_the_reported_500s_are_4xx_documents(
    server: tuple[httpx2.Client, str, Collected], body: bytes
) -> None:
    client, url, collected = server
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json"}
    response = client.post(url, content=body, headers=headers)
    check(response, "POST", collected)
    assert response.status_code == 400
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    assert "9" * 100 not in response.text  # a long number is never echoed back whole
