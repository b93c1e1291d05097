"""CPU-heavy fields (network measures and maps) within one request: memoised, and bounded by
what they cost.

Aliases or fragments asking `networkMeasures` (or the same `networkMap`) ten times compute it
once: the first asks, the others await the same task. Distinct heavy computations of one
request run one after another and share its compute budget: the CPU seconds each one
actually took (`time.thread_time` of its worker) are added up, and once they reach the
budget (GRAPHSVC_QUERY_TIMEOUT, the limit of the request's database reads too; 30 s) the
next one is refused with a clear error before it starts. So ten cheap maps in one request
are fine, while one request cannot keep the cores busy for minutes and stall `/healthz`;
a computation already started runs to its end (threads cannot be stopped).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from graphsvc.api.context import call
from graphsvc.errors import InputError

T = TypeVar("T")
DEFAULT_BUDGET_S = 30.0  # without a query timeout (the store's) this is the budget
COMPUTE_BUDGET_S: float | None = None  # overrides the store's query timeout when set
_STATE = "_heavy_budget"


@dataclass
class _Budget:
    limit_s: float
    spent_s: float = 0.0
    tasks: dict[Hashable, asyncio.Task] = field(default_factory=dict)
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)

    async def run(self, name: str, work: Callable[[], T]) -> T:
        async with self.turn:  # one heavy computation at a time within a request
            if self.spent_s >= self.limit_s:
                raise InputError([
                    f"{name}: this request's compute budget ({self.limit_s:g} s of CPU, "
                    f"GRAPHSVC_QUERY_TIMEOUT) is used up by its other network measures or "
                    f"maps ({self.spent_s:.2f} s); ask for it in another request"
                ])  # fmt: skip
            cost = [0.0]

            def timed() -> T:
                began = time.thread_time()
                try:
                    return work()
                finally:
                    cost[0] = time.thread_time() - began

            try:
                return await call(timed)
            finally:
                self.spent_s += cost[0]


def _budget(context: Any) -> _Budget:
    budget = context.__dict__.get(_STATE)
    if budget is None:
        limit = COMPUTE_BUDGET_S
        if limit is None:
            timeout_ms = getattr(context.store, "query_timeout_ms", None)
            limit = timeout_ms / 1000 if timeout_ms else DEFAULT_BUDGET_S
        budget = context.__dict__[_STATE] = _Budget(limit)
    return budget


async def heavy(info: Any, key: Hashable, work: Callable[[], T]) -> T:
    """`work()` in a thread, once per `key` per request, while the request's compute budget
    lasts (InputError once it is used up)."""
    budget = _budget(info.context)
    task = budget.tasks.get(key)
    if task is None:
        task = asyncio.ensure_future(budget.run(info.field_name, work))
        budget.tasks[key] = task
    return await asyncio.shield(task)
