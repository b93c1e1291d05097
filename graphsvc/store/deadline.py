"""One time budget for the database per HTTP request (GRAPHSVC_DB_TIMEOUT, for the whole
request, not per call).

The HTTP layer opens `within(seconds)` around a request; every redis connection made by
`bounded_pool` then reads its answers with at most the time left, refuses to send once none
is left, and the embedded server's restart waits only that long. Outside a request (the
command line, imports, benches) nothing changes: each call waits GRAPHSVC_DB_TIMEOUT once.
The budget is a context variable, so it follows `asyncio.to_thread` into worker threads.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import redis
from redis.utils import SENTINEL

_deadline: ContextVar[float | None] = ContextVar("graphsvc_db_deadline", default=None)


@contextmanager
def within(seconds: float | None) -> Iterator[None]:
    """Everything the database is asked inside this block shares `seconds` (None: no bound)."""
    token = _deadline.set(None if seconds is None else time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)


def remaining() -> float | None:
    """Seconds left for the database in this request (0.0 when used up), None outside one."""
    deadline = _deadline.get()
    return None if deadline is None else max(0.0, deadline - time.monotonic())


def bounded(seconds: float) -> float:
    """`seconds`, or less when the request has less left."""
    left = remaining()
    return seconds if left is None else min(seconds, left)


class OutOfTime(redis.TimeoutError):
    """The request's database time is used up: not sent, so nothing waits for it."""


class DeadlineConnection:
    """Mixed into a redis-py connection class: sends nothing once the request's time is used
    up, and waits for an answer (and for a connection) at most the time left."""

    socket_timeout: float | None
    socket_connect_timeout: float | None

    def send_packed_command(self, command: Any, check_health: bool = True) -> None:
        left = remaining()
        if left is None:
            return super().send_packed_command(command, check_health)  # type: ignore[misc]
        if left <= 0:
            raise OutOfTime("the request's time for the database (GRAPHSVC_DB_TIMEOUT) is up")
        configured = self.socket_connect_timeout
        self.socket_connect_timeout = min(configured or left, left)
        try:
            return super().send_packed_command(command, check_health)  # type: ignore[misc]
        finally:
            self.socket_connect_timeout = configured

    def read_response(self, disable_decoding: bool = False, *, timeout: Any = SENTINEL,
                      **options: Any) -> Any:  # fmt: skip
        left = remaining()
        if left is not None and timeout is SENTINEL:
            timeout = max(0.001, min(self.socket_timeout or left, left))
        if timeout is SENTINEL:
            return super().read_response(disable_decoding, **options)  # type: ignore[misc]
        return super().read_response(disable_decoding, timeout=timeout, **options)  # type: ignore[misc]


def bounded_pool(pool: redis.ConnectionPool) -> redis.ConnectionPool:
    """Make the pool's connections (current ones are dropped) deadline-aware, in place."""
    base = pool.connection_class
    if not issubclass(base, DeadlineConnection):
        pool.connection_class = type(f"Deadline{base.__name__}", (DeadlineConnection, base), {})
        pool.disconnect()
        pool.reset()
    return pool
