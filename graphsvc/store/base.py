"""The Store interface: named queries in, plain rows out. Only stores talk to a database."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

from graphsvc.queries import Query, QueryCatalog

Row = dict[str, Any]
Progress = Callable[[int], None]


class Store(Protocol):
    """What the domain code may ask of a database."""

    backend: str
    catalog: QueryCatalog
    calls: int

    def run(self, name: str, /, **params: Any) -> list[Row]:
        """Run one named query (read or write by its verb) and return its rows."""

    def write_all(self, steps: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Row]]:
        """Run several named write queries in one transaction, in order."""

    def upsert(
        self,
        name: str,
        rows: Iterable[Row],
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """Run an `UNWIND $rows` write query over rows in batches; return the rows written."""

    def setup(self) -> None:
        """Create the uniqueness constraints and indexes of the model (idempotent)."""

    def ping(self) -> None:
        """Raise DatabaseUnavailable unless the database answers."""

    def compact(self) -> None:
        """After a bulk load: make a restart cheap (FalkorDB rewrites its append-only file)."""

    def mark_load(self, source: str, rows: int | None = None) -> None:
        """Record that a load of `source` started (with the rows it writes) or ended (no rows)."""

    def interrupted_loads(self) -> dict[str, dict[str, Any]]:
        """Loads that started and never ended: source -> {started, rows}."""

    def close(self) -> None:
        """Release connections and stop anything the store started."""


class BaseStore:
    """Shared parts: the catalog, parameter checks, the round-trip counter and batching."""

    backend = "base"

    def __init__(self, catalog: QueryCatalog, batch_size: int = 5000) -> None:
        self.catalog = catalog
        self.batch_size = batch_size
        self.calls = 0  # database round trips, counted so tests can assert batching
        # server-side limit on read queries, set by the HTTP app (FalkorDB TIMEOUT, Neo4j
        # transaction timeout); None: no limit (command line, imports, benches)
        self.query_timeout_ms: int | None = None

    def _query(self, name: str, params: dict[str, Any]) -> Query:
        return self.catalog.check_params(name, params)

    def run(self, name: str, /, **params: Any) -> list[Row]:
        query = self._query(name, params)
        self.calls += 1
        return self._execute(query, params)

    def write_all(self, steps: Sequence[tuple[str, dict[str, Any]]]) -> list[list[Row]]:
        queries = [(self._query(name, params), params) for name, params in steps]
        for query, _ in queries:
            if not query.writes:
                raise ValueError(f"write_all got read query {query.name}")
        self.calls += 1
        return self._execute_many(queries)

    def upsert(
        self,
        name: str,
        rows: Iterable[Row],
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        total = 0
        for batch in batches(rows, batch_size or self.batch_size):
            self.run(name, rows=batch)
            if progress:
                progress(len(batch))
            total += len(batch)
        return total

    def mark_load(self, source: str, rows: int | None = None) -> None:
        """Load markers are kept by stores that can (FalkorDB); others keep none."""

    def interrupted_loads(self) -> dict[str, dict[str, Any]]:
        """None known where no markers are kept."""
        return {}

    def compact(self) -> None:
        return None

    def _execute(self, query: Query, params: dict[str, Any]) -> list[Row]:
        raise NotImplementedError

    def _execute_many(self, queries: list[tuple[Query, dict[str, Any]]]) -> list[list[Row]]:
        raise NotImplementedError


def batches(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    """Rows in lists of `size` (the last one shorter); a list is sliced, not copied row by row."""
    if isinstance(rows, list):
        for start in range(0, len(rows), size):
            yield rows[start : start + size]
        return
    batch: list[Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch
