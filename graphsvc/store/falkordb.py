"""FalkorDB store: named queries through the `falkordb` client (embedded or a server)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import redis
from falkordb import FalkorDB
from falkordb.query_result import QueryResult

from graphsvc.errors import DatabaseUnavailable, QueryFailed
from graphsvc.model import NODE_KEYS
from graphsvc.queries import CYPHER_DIR, Query, QueryCatalog, load_statements
from graphsvc.store.base import BaseStore, Progress, Row, batches
from graphsvc.store.cypher_params import params_header
from graphsvc.store.reserve import is_disk_error
from graphsvc.store.values import one_line, rows_to_plain

_ALREADY = ("already indexed", "already exists")
_LOST = (redis.ConnectionError, redis.TimeoutError, OSError)
# a bulk load rewrites the log whenever it has grown by this much since the last rewrite, so
# a crash at any moment leaves little to replay (replaying UNWIND batches is slow)
REWRITE_BUDGET_BYTES = 4 * 2**20
LOADS_KEY = "graphsvc:{graph}:loads"  # beside the graph, in the same log: load markers


class FalkorStore(BaseStore):
    """Runs read queries with GRAPH.RO_QUERY and writes with GRAPH.QUERY on one graph."""

    backend = "falkordb"

    def __init__(
        self,
        db: FalkorDB,
        graph: str,
        catalog: QueryCatalog,
        batch_size: int = 5000,
        where: str = "",
        on_close: Callable[[], None] | None = None,
        recover: Callable[[], str | None] | None = None,
        embedded: bool = False,
        write_refusal: Callable[[], str | None] | None = None,
        timeout_s: float | None = None,
        rewrite_budget_bytes: int = REWRITE_BUDGET_BYTES,
    ) -> None:
        super().__init__(catalog, batch_size)
        self._db = db
        self._graph = db.select_graph(graph)
        self._where = where
        self._on_close = on_close
        self._recover = recover  # embedded: restart the server if it died
        self._embedded = embedded
        self._write_refusal = write_refusal  # embedded: writes wait while the disk is full
        self._timeout_s = timeout_s  # GRAPHSVC_DB_TIMEOUT, for the message
        self.rewrite_budget_bytes = rewrite_budget_bytes
        self.rewrites = 0  # rewrites started during bulk loads (by the row budget)

    @property
    def connection(self) -> redis.Redis:
        """The underlying redis connection (for administrative commands)."""
        return self._db.connection

    def _command(self, query: Query, params: dict[str, Any]) -> list[Any]:
        verb = "GRAPH.QUERY" if query.writes else "GRAPH.RO_QUERY"
        text = params_header(params) + query.text  # the client's own header, written faster
        if self.query_timeout_ms and not query.writes:
            return [verb, self._graph.name, text, "TIMEOUT", self.query_timeout_ms, "--compact"]
        return [verb, self._graph.name, text, "--compact"]

    def _check_writable(self, query: Query) -> None:
        if query.writes and self._write_refusal is not None:
            refusal = self._write_refusal()
            if refusal:
                raise DatabaseUnavailable(refusal)

    def _execute(self, query: Query, params: dict[str, Any]) -> list[Row]:
        return self._send(query, self._command(query, params))

    def _send(
        self, query: Query, command: list[Any], sent: Callable[[], None] | None = None
    ) -> list[Row]:
        """Send one command and wait for its answer; `sent` is called in between, while
        the server works."""
        self._check_writable(query)
        try:
            response = self._round_trip(command, sent)
        except redis.ResponseError as exc:
            if str(exc).startswith(("MISCONF", "LOADING")) or "AOF" in str(exc):
                raise self._unavailable(exc) from None  # the server, not the query, failed
            raise QueryFailed(f"query {query.name} failed: {one_line(exc)}") from None
        except redis.TimeoutError as exc:
            raise self._hung(exc) from None  # alive but silent: asking again would wait again
        except _LOST as exc:
            reason = self._recover_or_raise(exc)
            self._check_writable(query)  # a full disk refuses the retry, not the server
            if query.writes and not query.name.startswith("merge_"):
                # it may or may not have been applied, and only upserts are safe to repeat
                raise self._unavailable(exc, reason) from exc
            try:
                response = self.connection.execute_command(*command)
            except redis.TimeoutError as again:
                raise self._hung(again) from None
            except _LOST as again:
                reason = self._recover_or_raise(again) or reason
                raise self._unavailable(again, reason) from again
        return _rows(QueryResult(self._graph, response), query.name)

    def _round_trip(self, command: list[Any], sent: Callable[[], None] | None) -> Any:
        if sent is None:
            return self.connection.execute_command(*command)
        pool = self.connection.connection_pool
        connection = pool.get_connection()
        try:
            connection.send_command(*command)
            sent()
            return connection.read_response()
        except redis.ResponseError:
            raise  # the query's error: the connection is fine
        except BaseException:
            connection.disconnect()  # half a command or half an answer: not reusable
            raise
        finally:
            pool.release(connection)

    def upsert(
        self,
        name: str,
        rows: Iterable[Row],
        batch_size: int | None = None,
        progress: Progress | None = None,
    ) -> int:
        """`UNWIND $rows` batches, one at a time and in order, each acknowledged before the
        next is sent; but once a batch is sent, a helper thread writes the next one's text
        while the server runs it (the client only waits for the answer meanwhile), so the
        database's work and the client's overlap."""
        query = self._query(name, {"rows": ()})
        pending = batches(rows, batch_size or self.batch_size)
        total = 0
        with ThreadPoolExecutor(1, thread_name_prefix="graphsvc-params") as helper:
            upcoming: list[Future[tuple[int, list[Any]] | None]] = []
            asked = False

            def encode() -> tuple[int, list[Any]] | None:  # rows made lazily are made here
                batch = next(pending, None)
                if batch is None:
                    return None
                return len(batch), self._command(query, {"rows": batch})

            def encode_next() -> None:  # once the batch before is sent
                nonlocal asked
                if not asked:
                    asked = True
                    upcoming.append(helper.submit(encode))

            encode_next()
            while (encoded := upcoming.pop().result()) is not None:
                count, command = encoded
                asked = False
                self.calls += 1
                self._send(query, command, sent=encode_next)
                encode_next()  # when the answer came another way (a send tried again)
                total += count
                if progress:
                    progress(count)
                if self._embedded and self.rewrite_budget_bytes:
                    self._keep_log_short()
        return total

    def _keep_log_short(self) -> None:
        """During a bulk load: start a log rewrite once the log has grown by the budget since
        the last one, and wait for a running rewrite when the log grows far past it, so the
        log a crash leaves behind replays in seconds (measured in bench/durability.py)."""
        try:
            info = self.connection.info("persistence")
            grown = info["aof_current_size"] - info["aof_base_size"]
            if grown < self.rewrite_budget_bytes:
                return
            if self._write_refusal is not None and self._write_refusal():
                return  # no room for a second base file
            if info.get("aof_rewrite_in_progress") or info.get("aof_rewrite_scheduled"):
                if grown > 3 * self.rewrite_budget_bytes:
                    from graphsvc.store.embedded import wait_for_rewrite

                    deadline = time.monotonic() + max(600.0, self._timeout_s or 0.0)
                    wait_for_rewrite(self.connection, deadline)
                return
            self.connection.execute_command("BGREWRITEAOF")
            self.rewrites += 1
        except redis.ResponseError:
            pass  # one just began (or is scheduled): the next batch looks again
        except redis.TimeoutError as exc:
            raise self._hung(exc) from None
        except _LOST:
            pass  # the server went away: the next batch finds out, and restarts it

    def _hung(self, exc: BaseException) -> DatabaseUnavailable:
        waited = f" within {self._timeout_s:g} s (GRAPHSVC_DB_TIMEOUT)" if self._timeout_s else ""
        return DatabaseUnavailable(
            f"database unavailable at {self._where}: it did not answer{waited}; not asked again"
        )

    def _unavailable(self, exc: BaseException, reason: str | None = None) -> DatabaseUnavailable:
        if is_disk_error(reason):
            return DatabaseUnavailable(
                f"disk full at {self._where}: the write was not saved ({reason}); reads keep "
                f"working, writes are refused until space is freed"
            )
        stopped = f" (the server had stopped: {reason}; it was restarted)" if reason else ""
        return DatabaseUnavailable(f"database unavailable at {self._where}: {exc}{stopped}")

    def _recover_or_raise(self, exc: BaseException) -> str | None:
        """Restart an embedded server that died and say why it stopped; else raise."""
        if self._recover is None:
            raise self._unavailable(exc) from exc
        return self._recover()

    def _execute_many(self, queries: list[tuple[Query, dict[str, Any]]]) -> list[list[Row]]:
        # MULTI/EXEC: no other client's command runs in between and the append-only file
        # holds all of them or none; queries are validated before, so none should fail.
        for query, _ in queries:
            self._check_writable(query)
        pipe = self.connection.pipeline(transaction=True)
        for query, params in queries:
            pipe.execute_command(*self._command(query, params))
        try:
            responses = pipe.execute()
        except redis.TimeoutError as exc:
            raise self._hung(exc) from None
        except redis.ResponseError as exc:
            # redis-py quotes the failing command, parameters included: keep only the reason
            reason = str(exc).rsplit(" of pipeline caused error: ", 1)[-1]
            raise QueryFailed(f"transaction failed, not rolled back: {one_line(reason)}") from None
        except _LOST as exc:
            reason = None
            if self._recover is not None:
                reason = self._recover()  # for the next call; this one is not acknowledged
            raise self._unavailable(exc, reason) from exc
        return [
            _rows(QueryResult(self._graph, response), query.name)
            for (query, _), response in zip(queries, responses, strict=True)
        ]

    def setup(self) -> None:
        created = False
        for statement in load_statements(CYPHER_DIR / "setup.falkordb.cypher"):
            created |= self._ignore_existing(self._graph.query, statement)
        existing = {row["label"] for row in self.run("list_constraints")}
        for label, key in NODE_KEYS.items():
            if label in existing:
                continue  # asking again would only fill the append-only file with errors
            created |= self._ignore_existing(
                self.connection.execute_command,
                "GRAPH.CONSTRAINT",
                "CREATE",
                self._graph.name,
                "UNIQUE",
                "NODE",
                label,
                "PROPERTIES",
                1,
                key,
            )
        if created and self._embedded:
            # indexes created in the log are not used while it is replayed (a crash before
            # the first rewrite replayed 6 MB of a load in 50 s): put them in the base now
            self.compact()

    @staticmethod
    def _ignore_existing(call: Any, *args: Any) -> bool:
        """Run a schema statement; False when what it creates exists already."""
        try:
            call(*args)
        except redis.ResponseError as exc:
            if not any(text in str(exc) for text in _ALREADY):
                raise
            return False
        return True

    @contextmanager
    def _answering(self) -> Iterator[None]:
        """A silent server is hung (asking again would wait again), a lost one unavailable."""
        try:
            yield
        except redis.TimeoutError as exc:
            raise self._hung(exc) from None
        except _LOST as exc:
            raise self._unavailable(exc) from exc

    def ping(self) -> None:
        try:
            with self._answering():
                self.connection.execute_command("GRAPH.LIST")
        except redis.ResponseError as exc:
            raise DatabaseUnavailable(
                f"{self._where} answers but is not a FalkorDB server ({one_line(exc)})"
            ) from exc

    def compact(self) -> None:
        """Embedded only: rewrite the append-only file so a restart loads a compact base.

        A shared server's persistence belongs to its operators, so it is left alone.
        """
        if not self._embedded:
            return
        from graphsvc.store.embedded import rewrite_append_only_file

        rewrite_append_only_file(self.connection)

    def mark_load(self, source: str, rows: int | None = None) -> None:
        """Record that a load of `source` started (rows: how many it writes) or, without
        rows, that it ended; kept in the database's own log beside the graph."""
        key = LOADS_KEY.format(graph=self._graph.name)
        try:
            if rows is None:
                self.connection.hdel(key, source)
            else:
                marker = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                          "rows": rows}  # fmt: skip
                self.connection.hset(key, source, json.dumps(marker))
        except redis.TimeoutError as exc:
            raise self._hung(exc) from None
        except _LOST as exc:
            raise self._unavailable(exc, self._recover() if self._recover else None) from exc

    def interrupted_loads(self) -> dict[str, dict[str, Any]]:
        """Loads that started and never ended: source -> {started, rows}."""
        with self._answering():
            found = self.connection.hgetall(LOADS_KEY.format(graph=self._graph.name))
        return {_text(k): json.loads(_text(v)) for k, v in found.items()}

    def snapshot(self, target: Path) -> None:
        """Write a consistent copy of the whole database to `target` (an RDB file)."""
        from graphsvc.store.aof import save_snapshot

        try:
            with self._answering():
                save_snapshot(self.connection, target, max(600.0, self._timeout_s or 0.0))
        except redis.ResponseError as exc:
            raise DatabaseUnavailable(
                f"snapshot refused by {self._where}: {one_line(exc)}"
            ) from None

    def close(self) -> None:
        try:
            self.connection.close()
        finally:
            if self._on_close:
                self._on_close()


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def _rows(result: QueryResult, name: str) -> list[Row]:
    columns = [column[1] for column in result.header]
    return rows_to_plain(columns, result.result_set, name)
