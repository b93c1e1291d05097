"""The directory detail of actors and services (HSDS fields kept as typed and JSON-text
properties, see io/directory_bundle.py) and their locations, read by id in one round trip
per kind, for GraphQL."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphsvc.store import Store

Props = dict[str, Any]


def _by_id(store: Store, query: str, ids: list[str]) -> dict[str, Props]:
    return {r["id"]: r["props"] for r in store.run(query, ids=ids)} if ids else {}


def actor_details(store: Store, ids: list[str]) -> dict[str, Props]:
    """Each actor's properties (its detail among them); unknown ids are absent."""
    return _by_id(store, "list_actor_detail_props", ids)


def service_details(store: Store, ids: list[str]) -> dict[str, Props]:
    """Each service's properties (its detail among them); unknown ids are absent."""
    return _by_id(store, "list_service_detail_props", ids)


def actor_locations(store: Store, ids: list[str]) -> dict[str, list[Props]]:
    """Each actor's locations: their properties with `zone` (the finest zone, or None)."""
    found: dict[str, list[Props]] = defaultdict(list)
    for r in store.run("list_actor_locations", ids=ids) if ids else []:
        found[r["actor"]].append({**r["props"], "zone": r["zone"]})
    return found


def service_locations(store: Store, ids: list[str]) -> dict[str, list[tuple[Props, Props]]]:
    """Where each service is offered: (location properties with `zone`, AT link properties)."""
    found: dict[str, list[tuple[Props, Props]]] = defaultdict(list)
    for r in store.run("list_service_locations", ids=ids) if ids else []:
        found[r["service"]].append(({**r["props"], "zone": r["zone"]}, r["at"] or {}))
    return found
