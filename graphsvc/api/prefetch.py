"""Prefetching a list's nested objects into the request's loaders.

A large list (a gap report of thousands of service rows) asks for the same few nested objects
per row: the row's zone and need, each service's provider and the provider's zone. Through
DataLoaders that is already one round trip per list level, but every row's field is still an
awaitable that graphql-core schedules and completes on its own: most of a big answer's time.
So a list resolver that knows what its rows will ask for loads each level once, up front
(still one round trip per level, and only for the levels the query selects), and the nested
resolvers answer from the loader's cache at once (`now_or_later`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from typing import Any, TypeVar

from strawberry.dataloader import DataLoader
from strawberry.types.nodes import FragmentSpread, InlineFragment, SelectedField

K = TypeVar("K")
V = TypeVar("V")
R = TypeVar("R")


def now_or_later(
    loader: DataLoader[K, V | None], key: K, convert: Callable[[V], R]
) -> R | Awaitable[R | None] | None:
    """The converted value (None when the loader found nothing) at once when the loader
    already holds it, else a future of it (a sync resolver may return either: graphql-core
    awaits what needs awaiting)."""
    found = loader.cache_map.get(key)
    if found is not None and found.done() and not found.cancelled() and not found.exception():
        value = found.result()
        return None if value is None else convert(value)
    return _converted(loader.load(key), convert)


def _converted(pending: asyncio.Future[V | None], convert: Callable[[V], R]) -> asyncio.Future:
    """A future of the converted value. A future, not a coroutine: when an error elsewhere
    makes graphql-core drop a list half-way, what it never awaits is simply collected (a
    coroutine never awaited is reported as a RuntimeWarning)."""
    result: asyncio.Future = asyncio.get_running_loop().create_future()

    def done(source: asyncio.Future[V | None]) -> None:
        if result.done():
            return
        if source.cancelled():
            result.cancel()
        elif (error := source.exception()) is not None:
            result.set_exception(error)
        else:
            value = source.result()
            try:
                result.set_result(None if value is None else convert(value))
            except Exception as exc:  # a bad value: the field's error, as an await would give
                result.set_exception(exc)

    pending.add_done_callback(done)
    return result


def selects(info: Any, *path: str) -> bool:
    """Whether the current field's selection reaches `path` (GraphQL names, through
    fragments), e.g. `selects(info, "services", "provider", "zone")`."""
    level = fields_of(info.selected_fields)
    for name in path:
        level = [f for f in fields_of(s for f in level for s in f.selections) if f.name == name]
        if not level:
            return False
    return True


def fields_of(selections: Iterable[Any]) -> list[SelectedField]:
    """The fields among selections, fragments (spread or inline) replaced by theirs."""
    found: list[SelectedField] = []
    for selection in selections:
        if isinstance(selection, FragmentSpread | InlineFragment):
            found += fields_of(selection.selections)
        else:
            found.append(selection)
    return found


async def prefetch(loader: DataLoader[K, V], keys: Iterable[K | None]) -> list[V]:
    """Load the distinct keys in one batch; the values found (for the next level's keys)."""
    wanted = list(dict.fromkeys(k for k in keys if k is not None))
    return [v for v in await loader.load_many(wanted) if v is not None] if wanted else []
