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
from graphsvc.store.deadline import remaining
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
        self._timeout_s = timeout_s  # GRAPHSVC_DB_TIMEOUT: every transaction's own timeout
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

    def transaction_timeout_s(self, writes: bool) -> float | None:
        """The server-side timeout of one transaction (Neo4j's `unit_of_work(timeout=)`):
        GRAPHSVC_DB_TIMEOUT, GRAPHSVC_QUERY_TIMEOUT for reads when shorter, and never more
        than the HTTP request has left (graphsvc.store.deadline); None: no limit."""
        limits = [self._timeout_s] if self._timeout_s else []
        if self.query_timeout_ms and not writes:
            limits.append(self.query_timeout_ms / 1000)
        left = remaining()
        if left is not None:
            limits.append(left)
        if not limits:
            return None
        timeout = min(limits)
        if timeout <= 0:
            raise DatabaseUnavailable(
                f"database unavailable at {self._url}: this request's time for the database "
                f"(GRAPHSVC_DB_TIMEOUT) is used up; not asked"
            )
        return timeout

    def _bounded(self, work: Any, writes: bool) -> Any:
        timeout = self.transaction_timeout_s(writes)
        return work if timeout is None else neo4j.unit_of_work(timeout=timeout)(work)

    def _execute(self, query: Query, params: dict[str, Any]) -> list[Row]:
        def work(tx: neo4j.ManagedTransaction) -> list[Row]:
            return _run(tx, query, params)

        work = self._bounded(work, query.writes)
        return self._guard(lambda s: (s.execute_write if query.writes else s.execute_read)(work))

    def _execute_many(self, queries: list[tuple[Query, dict[str, Any]]]) -> list[list[Row]]:
        def work(tx: neo4j.ManagedTransaction) -> list[list[Row]]:
            return [_run(tx, query, params) for query, params in queries]

        return self._guard(lambda s: s.execute_write(self._bounded(work, True)))

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
            if "TransactionTimedOut" in str(getattr(exc, "code", "") or ""):
                raise DatabaseUnavailable(
                    f"database unavailable at {self._url}: the query did not finish within "
                    f"its timeout ({one_line(exc)})"
                ) from None
            raise QueryFailed(f"Neo4j at {self._url}: {one_line(exc)}") from None

    def setup(self) -> None:
        statements = load_statements(CYPHER_DIR / "neo4j" / "setup.cypher")
        for statement in statements:
            timeout = self.transaction_timeout_s(True)
            query = neo4j.Query(statement, timeout=timeout)  # type: ignore[arg-type]
            self._guard(lambda s, q=query: s.run(q).consume())

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
