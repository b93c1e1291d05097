"""graphsvc's own version of the graph, per aggregate (issue 22): what the indexes kept in
memory (graphsvc.core.gapindex) are keyed on.

Every write query names the aggregates it changes in its header (`// touches: supply(rows.id)`,
graphsvc.queries); a write without that line touches `*`. The store appends one entry per
touched aggregate to that aggregate's change log with the write (FalkorDB: a redis list beside
the graph, pipelined right after the GRAPH.QUERY in the same round trip, or inside the MULTI/EXEC
of `write_all`; not MULTI for single writes, whose logs FalkorDB 4 aborts replaying after an
index creation: only a server crash can separate the two, and a restart changes the epoch), so
the log's length is the aggregate's version, and its entries say which
keys changed (`null`: unknown, or more than `MAX_KEYS`). Any process writing through graphsvc
bumps it, and a reader sees it with one round trip (`Store.version()`), whichever process wrote.

A `Version` is (epoch, {aggregate: count}); the epoch changes when the server restarts (a
restored backup comes with its own logs), so counts are only compared within one epoch.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from graphsvc.queries import Query

EVERYTHING = "*"
MAX_KEYS = 1000  # beyond this, an entry records "unknown keys" (a bulk load: rebuild)
CHANGES_KEY = "graphsvc:{graph}:changes:{aggregate}"
Version = tuple[str, dict[str, int]]


def entries(query: Query, params: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(aggregate, JSON entry) for each aggregate the write changes, with its keys."""
    found = []
    for aggregate, where in query.touches:
        keys = _keys(params, where)
        found.append((aggregate, json.dumps(keys, ensure_ascii=False)))
    return found


def merged(many: Iterable[list[tuple[str, str]]]) -> list[tuple[str, str]]:
    """The entries of several writes in one transaction: one per aggregate, keys joined."""
    joined: dict[str, list[Any] | None] = {}
    for one in many:
        for aggregate, text in one:
            keys = json.loads(text)
            if aggregate in joined and (joined[aggregate] is None or keys is None):
                joined[aggregate] = None
            elif aggregate in joined:
                joined[aggregate] = [*joined[aggregate], *keys]  # type: ignore[misc]
            else:
                joined[aggregate] = keys
    return [(a, json.dumps(k if k is None or len(k) <= MAX_KEYS else None, ensure_ascii=False))
            for a, k in joined.items()]  # fmt: skip


def _keys(params: Mapping[str, Any], where: str | None) -> list[Any] | None:
    if where is None:
        return None
    if where.startswith("rows."):
        field = where.removeprefix("rows.")
        rows = params.get("rows")
        if not isinstance(rows, list) or len(rows) > MAX_KEYS:
            return None
        return sorted({str(r.get(field)) for r in rows if isinstance(r, dict)})
    value = params.get(where)
    if isinstance(value, list | tuple):
        return None if len(value) > MAX_KEYS else sorted({str(v) for v in value})
    return [str(value)]


def changed_keys(logs: Mapping[str, list[str]]) -> dict[str, set[str] | None]:
    """Per aggregate, the keys its log entries name (None: unknown, treat all as changed)."""
    result: dict[str, set[str] | None] = {}
    for aggregate, text_entries in logs.items():
        keys: set[str] | None = set()
        for text in text_entries:
            listed = json.loads(text)
            if listed is None:
                keys = None
                break
            keys.update(listed)  # type: ignore[union-attr]
        result[aggregate] = keys
    return result
