"""Neo4j 5 store through the official `neo4j` driver, with managed transaction functions."""

from __future__ import annotations

from typing import Any

import neo4j
from neo4j.exceptions import (
    AuthError,
    ConfigurationError,
    DriverError,
    Neo4jError,
    ServiceUnavailable,
    SessionExpired,
)

from graphsvc.errors import ConfigError, DatabaseUnavailable, QueryFailed
from graphsvc.queries import CYPHER_DIR, Query, QueryCatalog, load_statements
from graphsvc.store.base import BaseStore, Row
from graphsvc.store.urls import describe_url
from graphsvc.store.values import one_line, rows_to_plain

_UNAVAILABLE = (ServiceUnavailable, SessionExpired, OSError)


class Neo4jStore(BaseStore):
    """Reads go through `execute_read` (routed to followers), writes through `execute_write`."""

    backend = "neo4j"

    def __init__(
        self,
        url: str,
        catalog: QueryCatalog,
        user: str | None = None,
        password: str | None = None,
        database: str | None = None,
        batch_size: int = 5000,
        timeout_s: float | None = None,
    ) -> None:
        super().__init__(catalog, batch_size)
        auth = (user, password) if user else None
        self._url = describe_url(url)
        self._database = database
        try:
            # bounded waits: the configured timeout for connecting and for each answer, and
            # no retries of transactions hidden behind it (the driver's default is 30 s)
            limits = {} if timeout_s is None else {
                "connection_timeout": timeout_s,
                "connection_acquisition_timeout": timeout_s,
                "max_transaction_retry_time": 0.0,
            }  # fmt: skip
            self._driver = neo4j.GraphDatabase.driver(url, auth=auth, **limits)
        except (ConfigurationError, ValueError) as exc:
            raise ConfigError(f"GRAPHSVC_DB={self._url!r}: {one_line(exc)}") from None

    def _session(self) -> neo4j.Session:
        return self._driver.session(database=self._database)

    def _execute(self, query: Query, params: dict[str, Any]) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return _run(tx, query, params)

        if self.query_timeout_ms and not query.writes:
            work = neo4j.unit_of_work(timeout=self.query_timeout_ms / 1000)(work)
        return self._guard(lambda s: (s.execute_write if query.writes else s.execute_read)(work))

    def _execute_many(self, queries: list[tuple[Query, dict[str, Any]]]) -> list[list[Row]]:
        def work(tx: neo4j.ManagedTransaction) -> list[list[Row]]:
            return [_run(tx, query, params) for query, params in queries]

        return self._guard(lambda s: s.execute_write(work))

    def _guard(self, action: Any) -> Any:
        try:
            with self._session() as session:
                return action(session)
        except AuthError as exc:
            raise DatabaseUnavailable(f"Neo4j at {self._url} refused the credentials") from exc
        except _UNAVAILABLE as exc:
            raise DatabaseUnavailable(
                f"database unavailable at {self._url}: {one_line(exc)}"
            ) from exc
        except (Neo4jError, DriverError) as exc:
            raise QueryFailed(f"Neo4j at {self._url}: {one_line(exc)}") from None

    def setup(self) -> None:
        statements = load_statements(CYPHER_DIR / "neo4j" / "setup.cypher")
        for statement in statements:
            self._guard(lambda s, text=statement: s.run(text).consume())

    def ping(self) -> None:
        try:
            self._driver.verify_connectivity()
        except AuthError as exc:
            raise DatabaseUnavailable(f"Neo4j at {self._url} refused the credentials") from exc
        except (*_UNAVAILABLE, DriverError, ValueError) as exc:
            raise DatabaseUnavailable(
                f"database unavailable at {self._url}: {one_line(exc)}"
            ) from exc

    def close(self) -> None:
        self._driver.close()


def _run(tx: neo4j.ManagedTransaction, query: Query, params: dict[str, Any]) -> list[Row]:
    result = tx.run(query.text, params)
    columns = list(result.keys())
    return rows_to_plain(columns, [list(record.values()) for record in result], query.name)
