"""Actors placed in the finest zone holding their coordinates (point-in-polygon on the zone
polygons, graphsvc/io/geometry.py).

An actor moves when the zone found is its current zone's own part (finer), or when its current
zone has no polygon (an import's own zone); when the zone found lies elsewhere the actor keeps
its declared zone and the report says so; a point outside every zone is reported, never
guessed.
"""

from __future__ import annotations

from graphsvc.io.geometry import ZoneIndex
from graphsvc.io.mapping import ImportReport
from graphsvc.io.zone_store import depths, zone_index
from graphsvc.store import Store


def place_actors(store: Store, ids: list[str] | None = None, write: bool = True) -> ImportReport:
    """Place actors (all, or `ids`) and report what moved, stayed and was outside."""
    report = ImportReport("zones place")
    index = zone_index(store)
    if not len(index):
        report.note("no zone has a polygon: nothing placed (load belgium or import zones)")
        return report
    actors = store.run("list_actor_positions", ids=ids)
    report.read["actor with coordinates"] = len(actors)
    found = index.place([(a["lat"], a["lon"]) for a in actors])
    _, parent = depths(store)
    shaped = set(index.ids)
    moves = []
    for actor, zone in zip(actors, found, strict=True):
        where = f"actor {actor['id']}"
        current = actor["zone"]
        if zone is None:
            report.skip("coordinates outside every zone (zone kept)", where)
        elif zone == current:
            report.mapped["already in its finest zone"] += 1
        elif current is None or current not in shaped or _within(zone, current, parent):
            moves.append({"id": actor["id"], "zone": zone})
            report.mapped["placed in its finest zone"] += 1
        else:
            report.note(f"coordinates in another zone than the declared one (kept {current})",
                        where)  # fmt: skip
    if moves and write:
        store.upsert("set_actor_zones", moves)
    return report


def _within(zone: str, ancestor: str, parent: dict[str, str | None]) -> bool:
    node: str | None = zone
    seen = set()
    while node is not None and node not in seen:
        if node == ancestor:
            return True
        seen.add(node)
        node = parent.get(node)
    return False


_CACHE: dict[tuple[int, object], ZoneIndex] = {}


def place_points(store: Store, points: list[tuple[float, float]]) -> list[str | None]:
    """The finest zone holding each (lat, lon), or None: one index per graph version (kept
    while nothing is written, where the database can say so)."""
    from graphsvc.core.gapindex import version

    token = version(store)
    key = (id(store), token)
    index = _CACHE.get(key) if token is not None else None
    if index is None:
        index = zone_index(store)
        if token is not None:
            _CACHE.clear()
            _CACHE[key] = index
    return index.place(points)
