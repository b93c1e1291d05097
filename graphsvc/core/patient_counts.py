"""Patient counts for planners: how many patients live in a zone and its parts, in all and
per need, with small cells suppressed (graphsvc.security.suppression, DESIGN §6).

Only counts leave the database (cypher/count_patients_by_zone.cypher). A zone's count is
its own patients (LIVES_IN the zone itself) plus its parts'. Suppression is computed over
the whole zone hierarchy the zone belongs to, separately for `all patients` and for each need
(a patient with several needs counts once in each: needs do not add up to the total), so a
count is shown or hidden the same way in every table it appears in. All the counts of the
hierarchy, all patients and every need, are one linked table (`linked_table`): a zone is the
sum of its parts and of the patients living in it directly (a cell never shown), and a need's
count is at most the patients'. Suppression is checked by the attacker of
graphsvc.security.sdc over that whole table.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from graphsvc.core import directory
from graphsvc.security.sdc import Relation, protect
from graphsvc.store import Store

ALL = ""  # the need key of `all patients`
_CACHE_SIZE = 64
_LOCK = threading.Lock()
_PROTECTED: dict[tuple, frozenset] = {}  # suppression of a table is a function of its counts


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
    shown = _suppressed(tree, children, own, (ALL, *need_codes), k)
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


def linked_table(
    tree: Iterable[str],
    children: dict[str, list[str]],
    own: dict[str, dict[str, int]],
    needs: Iterable[str],
) -> tuple[dict[object, int], list[Relation], set[object]]:
    """Every count of a zone hierarchy as one linked table: (values, relations, unlisted).

    Cells `(need, zone)` (need ALL: all patients) and, never shown, `(need, "own", zone)`
    (patients living in a zone that has parts, when there are some). Relations: a zone is
    the sum of its parts and its own patients, per need; a need's count is at most the
    patients' in every zone (and in every own cell)."""
    tree = set(tree)
    values: dict[object, int] = {}
    unlisted: set[object] = set()
    relations: list[Relation] = []

    def total(need: str, z: str) -> int:
        key = (need, z)
        if key not in values:
            values[key] = own.get(need, {}).get(z, 0) + sum(
                total(need, c) for c in children.get(z, [])
            )
        return values[key]

    for need in needs:
        for z in sorted(tree):
            total(need, z)
            if need != ALL:
                relations.append(Relation.at_most([(need, z)], (ALL, z)))
            if not children.get(z):
                continue
            cells: list[object] = [(need, c) for c in children[z]]
            if own.get(need, {}).get(z):
                key = (need, "own", z)
                values[key] = own[need][z]
                unlisted.add(key)
                cells.append(key)
                if need != ALL:
                    relations.append(Relation.at_most([key], (ALL, "own", z)))
            relations.append(Relation.total((need, z), cells))
    return values, relations, unlisted


def _suppressed(
    tree: Iterable[str],
    children: dict[str, list[str]],
    own: dict[str, dict[str, int]],
    needs: Iterable[str],
    k: int,
) -> dict[str, dict[str, Count]]:
    """Each need's (and all patients') count per zone, shown or suppressed, checked by the
    attacker over the whole linked table."""
    tree = sorted(set(tree))
    needs = tuple(needs)
    values, relations, unlisted = linked_table(tree, children, own, needs)
    key = (k, tuple(sorted(values.items(), key=repr)),
           tuple((z, tuple(children.get(z, ()))) for z in tree))  # fmt: skip
    hidden = _PROTECTED.get(key)
    if hidden is None:  # the integer programs run once per distinct table
        hidden = frozenset(protect(values, relations, k, unlisted) if any(values.values())
                           else ())  # fmt: skip
        with _LOCK:
            if len(_PROTECTED) >= _CACHE_SIZE:
                _PROTECTED.pop(next(iter(_PROTECTED)))
            _PROTECTED[key] = hidden
    return {
        need: {
            z: Count(None, True) if (need, z) in hidden else Count(values[(need, z)], False)
            for z in tree
        }
        for need in needs
    }
