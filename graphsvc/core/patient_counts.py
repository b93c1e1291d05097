"""Patient counts for planners: how many patients live in a zone and its parts, in all and
per need, with small cells suppressed (graphsvc.security.suppression, DESIGN §6).

Only counts leave the database (cypher/count_patients_by_zone.cypher). A zone's count is
its own patients (LIVES_IN the zone itself) plus its parts'. Suppression is computed over
the whole zone hierarchy the zone belongs to, separately for `all patients` and for each need
(a patient with several needs counts once in each: needs do not add up to the total), so a
count is shown or hidden the same way in every table it appears in. Patients living directly
in a zone that has parts are a cell of that zone's line that is never listed.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graphsvc.core import directory
from graphsvc.security.suppression import Line, suppress
from graphsvc.store import Store

ALL = ""  # the need key of `all patients`


@dataclass(frozen=True)
class Count:
    value: int | None  # None when suppressed
    suppressed: bool


@dataclass(frozen=True)
class ZoneCounts:
    zone: str
    patients: Count
    needs: tuple[tuple[str, Count], ...]  # (need code, count), by code


@dataclass(frozen=True)
class PatientCounts:
    zone: str
    k: int
    total: ZoneCounts
    parts: tuple[ZoneCounts, ...]


def patient_counts(store: Store, zone_id: str, k: int) -> PatientCounts:
    """Suppressed counts of a zone and of its direct parts (three round trips)."""
    zone = directory.require_zone(store, zone_id)
    parent = {row["id"]: row["parent"] for row in store.run("list_zone_tree")}
    need_codes = sorted(n.code for n in directory.list_need_types(store))
    own: dict[str, dict[str, int]] = defaultdict(dict)
    for row in store.run("count_patients_by_zone"):
        own[row["need"] or ALL][row["zone"]] = row["patients"]
    tree = _subtree(parent, _root(parent, zone.id))
    children: dict[str, list[str]] = defaultdict(list)
    for z in sorted(tree):
        if parent.get(z) in tree:
            children[parent[z]].append(z)
    shown: dict[str, dict[str, Count]] = {}
    for need in (ALL, *need_codes):
        shown[need] = _suppressed(tree, children, own.get(need, {}), k)
    parts = sorted(children.get(zone.id, []))

    def counts(z: str) -> ZoneCounts:
        return ZoneCounts(z, shown[ALL][z], tuple((n, shown[n][z]) for n in need_codes))

    return PatientCounts(zone.id, k, counts(zone.id), tuple(counts(p) for p in parts))


def _root(parent: dict[str, str | None], zone: str) -> str:
    seen = {zone}
    while parent.get(zone) and parent[zone] not in seen:  # type: ignore[operator]
        zone = parent[zone]  # type: ignore[assignment]
        seen.add(zone)
    return zone


def _subtree(parent: dict[str, str | None], root: str) -> set[str]:
    below: dict[str, list[str]] = defaultdict(list)
    for z, p in parent.items():
        if p is not None:
            below[p].append(z)
    found, todo = set(), [root]
    while todo:
        z = todo.pop()
        if z not in found:
            found.add(z)
            todo.extend(below.get(z, []))
    return found


def _suppressed(
    tree: Iterable[str], children: dict[str, list[str]], own: dict[str, int], k: int
) -> dict[str, Count]:
    """Each zone's count (own patients plus its parts'), shown or suppressed."""
    tree = set(tree)
    values: dict[object, int] = {}

    def total(z: str) -> int:
        if z not in values:
            values[z] = own.get(z, 0) + sum(total(c) for c in children.get(z, []))
        return values[z]

    lines = []
    for z in sorted(tree):
        total(z)
        if children.get(z):
            cells: list[object] = list(children[z])
            if own.get(z):
                values[("own", z)] = own[z]
                cells.append(("own", z))
            lines.append(Line(z, tuple(cells)))
    hidden = suppress(values, lines, k) if any(values.values()) else set()
    return {z: Count(None, True) if z in hidden else Count(values[z], False) for z in sorted(tree)}
