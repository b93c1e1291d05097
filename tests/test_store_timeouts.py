"""Neo4j store: every transaction carries a server-side timeout from GRAPHSVC_DB_TIMEOUT
(GRAPHSVC_QUERY_TIMEOUT for reads when shorter), never more than the HTTP request has left.

The plumbing is checked without a server (the driver connects lazily); the real timeout runs
where GRAPHSVC_TEST_NEO4J_URI points at a Neo4j server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphsvc.errors import DatabaseUnavailable
from graphsvc.queries import Query, QueryCatalog
from graphsvc.store.deadline import within
from graphsvc.store.neo4j import Neo4jStore
from tests.conftest import NEO4J_URI


def offline_store(timeout_s: float | None) -> Neo4jStore:
    return Neo4jStore("bolt://127.0.0.1:9", QueryCatalog.load("neo4j"), timeout_s=timeout_s)


def test_every_transaction_gets_the_configured_timeout() -> None:
    store = offline_store(5.0)
    try:
        assert store.transaction_timeout_s(writes=True) == 5.0
        assert store.transaction_timeout_s(writes=False) == 5.0
        store.query_timeout_ms = 2000  # what the HTTP app sets from GRAPHSVC_QUERY_TIMEOUT
        assert store.transaction_timeout_s(writes=False) == 2.0
        assert store.transaction_timeout_s(writes=True) == 5.0  # writes: the DB timeout
        work = store._bounded(lambda tx: None, writes=False)
        assert work.timeout == 2.0  # the driver's unit_of_work carries it to the server
    finally:
        store.close()


def test_a_request_never_gives_a_transaction_more_than_it_has_left() -> None:
    store = offline_store(120.0)
    try:
        with within(1.0):
            left = store.transaction_timeout_s(writes=True)
            assert left is not None and 0 < left <= 1.0
        with within(0.0), pytest.raises(DatabaseUnavailable, match="is used up; not asked"):
            store.transaction_timeout_s(writes=True)
        none = offline_store(None)
        try:
            assert none.transaction_timeout_s(writes=True) is None  # the command line: none
        finally:
            none.close()
    finally:
        store.close()


@pytest.mark.neo4j
def test_a_slow_neo4j_query_is_stopped_by_its_timeout() -> None:
    if not NEO4J_URI:
        pytest.skip("GRAPHSVC_TEST_NEO4J_URI is not set")
    store = Neo4jStore(
        NEO4J_URI,
        QueryCatalog.load("neo4j"),
        user=os.environ.get("GRAPHSVC_TEST_NEO4J_USER", "neo4j"),
        password=os.environ.get("GRAPHSVC_TEST_NEO4J_PASSWORD"),
        timeout_s=1.0,
    )
    slow = Query("count_slow", "UNWIND range(1, 10000000000) AS x RETURN count(x) AS n", "",
                 frozenset(), False, Path("count_slow.cypher"))  # fmt: skip
    try:
        with pytest.raises(DatabaseUnavailable, match="did not finish within its timeout"):
            store._execute(slow, {})
    finally:
        store.close()
