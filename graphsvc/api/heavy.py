"""CPU-heavy fields (network measures and maps) within one request: memoised, and bounded.

Aliases or fragments asking `networkMeasures` (or the same `networkMap`) ten times compute it
once: the first asks, the others await the same task. Distinct heavy computations share one
budget per request, MAX_HEAVY (beyond: a clear error before anything is computed), so one
request cannot keep both cores busy for minutes and stall `/healthz`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from graphsvc.api.context import call
from graphsvc.errors import InputError

T = TypeVar("T")
MAX_HEAVY = 3
_TASKS = "_heavy_tasks"


async def heavy(info: Any, key: Hashable, work: Callable[[], T]) -> T:
    """`work()` in a thread, once per `key` per request; InputError past MAX_HEAVY."""
    context = info.context
    tasks: dict[Hashable, asyncio.Task] = context.__dict__.setdefault(_TASKS, {})
    task = tasks.get(key)
    if task is None:
        if len(tasks) >= MAX_HEAVY:
            raise InputError([
                f"{info.field_name}: at most {MAX_HEAVY} network measures or maps per request "
                "(aliases of the same one count once)"
            ])  # fmt: skip
        task = asyncio.ensure_future(call(work))
        tasks[key] = task
    return await asyncio.shield(task)
