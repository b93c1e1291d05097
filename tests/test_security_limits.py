"""GraphQL limits: deep, wide, alias-bomb, fragment-cycle, fragment fan-out, huge list, long
string and very long queries are refused before any database call; the parse and validation
caches keep hitting with the limits on; reads get a server-side timeout.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.errors import TOO_SLOW, public_message
from graphsvc.api.limits import DEFAULT_LIMITS, validation_rules
from graphsvc.config import Settings
from graphsvc.errors import QueryFailed
from graphsvc.queries import parse_query
from graphsvc.store import Store
from tests.conftest import LOCALHOST, gql

LIMITS = DEFAULT_LIMITS


def refused(client: TestClient, store: Store, body: dict, expected: str) -> dict:
    """POST body; it must fail with `expected` in a message, with no database call."""
    before = store.calls
    response = client.post("/graphql", json=body)
    assert store.calls == before, "the database was asked"
    assert response.status_code in (200, 400, 413), response.text
    answer = response.json()
    messages = " | ".join(e["message"] for e in answer["errors"])
    assert expected in messages, messages
    assert not answer.get("data")
    return answer


def nested(depth: int) -> str:
    return '{ zone(id: "be") { ' + "parts { " * depth + "id" + " }" * depth + " } }"


def test_deep_queries(client: TestClient, demo_store: Store) -> None:
    assert "errors" not in gql(client, nested(LIMITS.max_depth - 1))
    refused(client, demo_store, {"query": nested(LIMITS.max_depth + 1)}, "maximum operation depth")
    # fragments do not hide depth
    query = (
        '{ zone(id: "be") { ...A } } fragment A on Zone { parts { ...B } } '
        + ("fragment B on Zone { " + "parts { " * LIMITS.max_depth + "id" + " }" * LIMITS.max_depth)
        + " }"
    )
    refused(client, demo_store, {"query": query}, "maximum operation depth")


def test_alias_bombs_also_through_fragments(client: TestClient, demo_store: Store) -> None:
    bomb = "{ " + " ".join(f"a{i}: zones {{ id }}" for i in range(LIMITS.max_aliases + 5)) + " }"
    refused(client, demo_store, {"query": bomb}, "aliases found")
    half = LIMITS.max_aliases // 2 + 1  # each alone passes, spread twice they do not
    fragment = "fragment F on Query { " + " ".join(f"x{i}: zones {{ id }}" for i in range(half))
    query = f"{{ ...F }} {fragment} }}"
    assert "aliases found" not in str(gql(client, query))
    twice = f"{{ ...F ...G }} {fragment} }} fragment G on Query {{ ...F }}"
    refused(client, demo_store, {"query": twice}, "aliases found")


def test_fragment_cycles(client: TestClient, demo_store: Store) -> None:
    query = (
        '{ zone(id: "be") { ...A } } fragment A on Zone { parts { ...B } } '
        "fragment B on Zone { parent { ...A } }"
    )
    refused(client, demo_store, {"query": query}, "Cannot spread fragment")


def test_fragment_fan_out_is_refused_not_expanded(client: TestClient, demo_store: Store) -> None:
    """Each fragment spreads the next one four times: 4^20 fields once expanded, a few hundred
    tokens written. Refused at once (before the recursive depth and alias counters run)."""
    levels = 20
    parts = [f"fragment F{n} on Zone {{ ...F{n + 1} ...F{n + 1} ...F{n + 1} ...F{n + 1} }}"
             for n in range(levels)]  # fmt: skip
    query = (
        '{ zone(id: "be") { ...F0 } } ' + " ".join(parts) + f" fragment F{levels} on Zone {{ id }}"
    )
    refused(client, demo_store, {"query": query}, "once fragments are expanded")
    chain = " ".join(f"fragment C{n} on Zone {{ ...C{n + 1} }}" for n in range(300))
    long_chain = '{ zone(id: "be") { ...C0 } } ' + chain + " fragment C300 on Zone { id }"
    refused(client, demo_store, {"query": long_chain}, "tokens")
    chain = " ".join(f"fragment C{n} on Zone {{ ...C{n + 1} }}" for n in range(100))
    shorter = '{ zone(id: "be") { ...C0 } } ' + chain + " fragment C100 on Zone { id }"
    assert gql(client, shorter)["data"]["zone"] == {"id": "be"}  # long, but harmless


def test_wide_and_long_queries(client: TestClient, demo_store: Store) -> None:
    wide = "{ zones { " + "id " * (LIMITS.max_tokens + 10) + "} }"
    refused(client, demo_store, {"query": wide}, "tokens")
    long = "{ zones { id } }" + " " * (LIMITS.max_query_chars + 1)
    refused(client, demo_store, {"query": long}, f"more than {LIMITS.max_query_chars} code points")
    operations = " ".join(
        f"query Q{i} {{ zones {{ id }} }}" for i in range(LIMITS.max_operations + 1)
    )
    refused(client, demo_store, {"query": operations, "operationName": "Q0"}, "operations")


def test_huge_lists(client: TestClient, demo_store: Store) -> None:
    refused(client, demo_store, {"query": "{ zones(limit: 1000000) { id } }"}, "not between 1")
    measures = 'query($n: Int!) { networkMeasures(zoneId: "leuven") { missingLinks(limit: $n) { score } } }'  # noqa: E501
    refused(client, demo_store, {"query": measures, "variables": {"n": 10**9}}, "$n")
    many = ", ".join(f'"need-{i}"' for i in range(LIMITS.max_list + 1))
    search = f'{{ partnersFor(zoneId: "leuven", needCodes: [{many}]) {{ score }} }}'
    refused(client, demo_store, {"query": search}, f"more than {LIMITS.max_list} items")
    variable = 'query($n: [ID!]!) { partnersFor(zoneId: "leuven", needCodes: $n) { score } }'
    codes = [f"need-{i}" for i in range(LIMITS.max_list + 1)]
    refused(client, demo_store, {"query": variable, "variables": {"n": codes}}, "items")


@pytest.mark.parametrize(
    "value",
    ["nul\u0000", "tab\there", "line\nbreak", "esc\u001b[2J", "del\u007f", "c1\u0085",
     "bidi\u202eevil", "x" * (LIMITS.max_string + 1)],
)  # fmt: skip
def test_strings_with_control_characters_or_too_long(
    client: TestClient, demo_store: Store, value: str
) -> None:
    query = "query($z: ID!) { zone(id: $z) { id } }"
    refused(client, demo_store, {"query": query, "variables": {"z": value}}, "variable $z")
    escaped = "".join(c if c.isalnum() or c in " [" else f"\\u{ord(c):04x}" for c in value)
    literal = f'{{ zone(id: "{escaped}") {{ id }} }}'
    refused(client, demo_store, {"query": literal}, "argument id")


def test_a_big_body_is_refused_unread(client: TestClient, demo_store: Store) -> None:
    before = demo_store.calls
    body = b'{"query": "{ zones { id } }", "pad": "' + b"x" * LIMITS.max_body_bytes + b'"}'
    response = client.post("/graphql", content=body, headers={"content-type": "application/json"})
    assert response.status_code == 413 and demo_store.calls == before


def test_the_parse_and_validation_caches_keep_hitting(client: TestClient) -> None:
    from strawberry.extensions.parser_cache import _get_parse_cache
    from strawberry.extensions.validation_cache import _get_validate_cache

    from graphsvc.api.schema import CACHE_SIZE

    query = '{ zone(id: "leuven") { parts { id name } } }'
    gql(client, query)
    parsed = _get_parse_cache(CACHE_SIZE).cache_info().hits
    validated = _get_validate_cache(CACHE_SIZE).cache_info().hits
    for _ in range(3):
        assert "errors" not in gql(client, query)
    assert _get_parse_cache(CACHE_SIZE).cache_info().hits == parsed + 3
    assert _get_validate_cache(CACHE_SIZE).cache_info().hits == validated + 3
    assert validation_rules(LIMITS) is validation_rules(LIMITS)  # one set of rule classes


def test_reads_get_a_server_side_timeout(make_store, demo_store: Store) -> None:  # type: ignore[no-untyped-def]
    with TestClient(create_app(Settings(query_timeout_s=12), demo_store), base_url=LOCALHOST):
        assert demo_store.query_timeout_ms == 12_000
    store = make_store()
    heavy = parse_query(
        "count_heavy", "// a slow read\nUNWIND range(1, 20000000) AS x RETURN count(x) AS n", Path()
    )
    write = parse_query("merge_nothing", "// a write\nMERGE (:Nothing {id: 1})", Path())
    store.query_timeout_ms = 1
    assert "TIMEOUT" in store._command(heavy, {})  # type: ignore[attr-defined]
    assert "TIMEOUT" not in store._command(write, {})  # type: ignore[attr-defined]
    with pytest.raises(QueryFailed, match="timed out") as failed:
        store._execute(heavy, {})  # type: ignore[attr-defined]
    store.query_timeout_ms = None
    assert store._execute(heavy, {}) == [{"n": 20000000}]  # type: ignore[attr-defined]

    from graphql import GraphQLError

    error = GraphQLError("x", original_error=failed.value)
    assert public_message(error) == TOO_SLOW
