"""The one place where database driver values become plain Python values."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graphsvc.errors import QueryCatalogError

_PLAIN_SCALARS = (str, int, float, bool, type(None))
_GRAPH_ENTITIES = {"Node", "Edge", "Relationship", "Path"}


def to_plain(value: Any, query: str) -> Any:
    """Turn a driver value into str/int/float/bool/None, lists and dicts.

    Queries must return properties, not nodes or relationships (DESIGN §2), so graph
    entities raise an error naming the query instead of leaking driver objects.
    """
    if isinstance(value, _PLAIN_SCALARS):
        return value
    kind = type(value).__name__
    if kind in _GRAPH_ENTITIES:  # checked first: Neo4j's nodes are Mappings too
        raise QueryCatalogError(
            f"query {query} returned a graph {kind}; return its properties instead"
        )
    if isinstance(value, Mapping):
        return {str(k): to_plain(v, query) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_plain(v, query) for v in value]
    iso = getattr(value, "iso_format", None) or getattr(value, "isoformat", None)
    if callable(iso):  # Neo4j and Python temporal values
        return iso()
    if hasattr(value, "x") and hasattr(value, "y"):  # spatial points
        return {"x": value.x, "y": value.y}
    raise QueryCatalogError(f"query {query} returned an unsupported value of type {kind}")


def rows_to_plain(columns: list[str], rows: list[list[Any]], query: str) -> list[dict[str, Any]]:
    """Zip column names with each row, converting every value."""
    return [{c: to_plain(v, query) for c, v in zip(columns, row, strict=True)} for row in rows]


def one_line(error: object) -> str:
    """An error message folded onto one line."""
    return " ".join(str(error).split())
