"""A canonical dump of the graph and its digest: equal content gives an equal digest.

Node and relationship order, property order and driver internals do not matter; every label,
key, property value and relationship does. Used to prove restarts and re-imports lose or
change nothing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator

from graphsvc.store import Store


def canonical_lines(store: Store) -> Iterator[str]:
    """One sorted JSON line per node and per relationship (two round trips)."""
    nodes = (json.dumps(["node", r["label"], r["props"]], sort_keys=True, ensure_ascii=False)
             for r in store.run("list_node_dump"))  # fmt: skip
    relationships = (
        json.dumps(["rel", r["type"], r["source"], r["target"], r["props"]], sort_keys=True,
                   ensure_ascii=False)
        for r in store.run("list_relationship_dump")
    )  # fmt: skip
    yield from sorted([*nodes, *relationships])


def graph_digest(store: Store) -> str:
    """sha256 of the canonical dump."""
    digest = hashlib.sha256()
    for line in canonical_lines(store):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
