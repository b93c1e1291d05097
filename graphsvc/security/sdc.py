"""Statistical disclosure control of linked tables: the attacker, and suppression checked by it.

Every figure of one answer is a *cell*; the answer also tells (or anyone knows) linear
relations between cells: a zone's count is the sum of its parts' and of the patients living
in it directly, a need's count is at most the patients', accepted plus declined referrals are
at most the proposed ones, a pilot's average times its teams is the sum of the teams'
figures. A `Relation` is `sum(coefficient * cell) == 0` (or `<= 0`).

The attacker (`attack`) knows every shown cell, every relation and that every unknown cell
is at least 1: zeros are shown, and a never-shown cell (`unlisted`: patients living directly
in a zone that has parts) is only a cell when it is not zero. For each unknown cell it
solves two integer programs (HiGHS through `scipy.optimize.milp`: minimise and maximise the
cell under all the relations), which is its exact feasible interval over the integers. A
cell is *disclosed* when that interval excludes 0 and every value >= k, i.e. lies within
1..k-1 (the protection standard of tau-Argus and sdcTable for frequency tables).

`protect` suppresses the primary cells (1 to k-1) and then, as long as the attacker
discloses something, one more complementary cell next to the first disclosed one (the
smallest non-zero shown cell sharing a relation with it); a table it cannot otherwise
protect loses every non-zero cell. Unknown cells are solved per connected component of the
relations, so the programs stay small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Key = Hashable
INFINITY = float("inf")
_BIG = 10**9  # an upper bound standing for "unbounded" in the integer programs


@dataclass(frozen=True)
class Relation:
    """`sum(coefficient * cell) == 0` when `equal`, else `<= 0`."""

    terms: tuple[tuple[Key, int], ...]
    equal: bool = True

    @classmethod
    def total(cls, total: Key, cells: Iterable[Key]) -> Relation:
        """`total` is the sum of `cells`."""
        return cls(((total, 1), *((c, -1) for c in cells)), True)

    @classmethod
    def at_most(cls, parts: Iterable[Key], whole: Key) -> Relation:
        """The sum of `parts` is at most `whole`."""
        return cls((*((p, 1) for p in parts), (whole, -1)), False)

    @property
    def keys(self) -> tuple[Key, ...]:
        return tuple(key for key, _ in self.terms)


def disclosed(interval: tuple[float, float], k: int) -> bool:
    """True when a cell's feasible interval lies within 1..k-1."""
    low, high = interval
    return low >= 1 and high <= k - 1


def attack(
    shown: Mapping[Key, float],
    relations: Sequence[Relation],
    hidden: Iterable[Key],
    unlisted: Iterable[Key] = (),
) -> dict[Key, tuple[float, float]]:
    """The feasible interval of every hidden and unlisted cell (each at least 1), given the
    shown ones and the relations. A cell in no relation is (1, infinity)."""
    lower = {key: 1 for key in (*unlisted, *hidden)}
    components = _components(lower, relations)
    result: dict[Key, tuple[float, float]] = {}
    for cells, rows in components:
        result.update(_solve(cells, rows, lower, shown))
    for key, low in lower.items():
        result.setdefault(key, (low, INFINITY))
    return result


def disclosures(
    values: Mapping[Key, int],
    relations: Sequence[Relation],
    hidden: Iterable[Key],
    unlisted: Iterable[Key],
    k: int,
) -> dict[Key, tuple[float, float]]:
    """The unknown cells the attacker narrows within 1..k-1, with their intervals."""
    hidden, unlisted = set(hidden), set(unlisted)
    shown = {key: v for key, v in values.items() if key not in hidden and key not in unlisted}
    found = attack(shown, relations, hidden, unlisted)
    return {key: found[key] for key in sorted(found, key=repr) if disclosed(found[key], k)}


def protect(
    values: Mapping[Key, int],
    relations: Sequence[Relation],
    k: int,
    unlisted: Iterable[Key] = (),
    primary: Iterable[Key] | None = None,
) -> set[Key]:
    """The cells to suppress so that no cell of 1..k-1 is shown or disclosed (`primary`: the
    cells to suppress first, by default those of 1..k-1).

    As every unknown cell is at least 1, a cell is disclosed exactly when no integer solution
    of the relations gives it k or more. One solution maximising a cell certifies every cell
    it gives k or more; hiding one more cell only widens the solutions (the old value stays
    possible), so certified cells stay certified while complementary cells are added."""
    unlisted = set(unlisted)
    publishable = [key for key in values if key not in unlisted]
    hidden = {key for key in publishable if 0 < values[key] < k}
    if primary is not None:
        hidden |= {key for key in primary if key not in unlisted}
    touching: dict[Key, list[Relation]] = defaultdict(list)
    for relation in relations:
        for key in relation.keys:
            touching[key].append(relation)
    certified: set[Key] = set()
    while True:
        exposed = _first_disclosed(values, relations, hidden, unlisted, k, certified)
        if exposed is None:
            return hidden
        added = _complement(exposed, values, touching, hidden, unlisted)
        if added is None:  # nothing shown next to a disclosed cell: hide every count
            return {key for key in publishable if values[key] > 0}
        hidden.add(added)


def _first_disclosed(
    values: Mapping[Key, int],
    relations: Sequence[Relation],
    hidden: set[Key],
    unlisted: set[Key],
    k: int,
    certified: set[Key],
) -> Key | None:
    """An unknown cell no solution gives k or more, or None (`certified` grows)."""
    lower = {key: 1 for key in (*unlisted, *hidden)}
    shown = {key: v for key, v in values.items() if key not in lower}
    for cells, rows in _components(lower, relations):
        todo = sorted((c for c in cells if c not in certified), key=repr)
        if not todo:
            continue
        problem = _Program(cells, rows, lower, shown)
        solution = problem.extreme(todo, maximise=True)  # one solution certifies many
        if solution is not None:
            certified.update(c for c, x in zip(cells, solution, strict=True) if x >= k - 0.5)
        for key in todo:
            if key in certified:
                continue
            solution = problem.extreme(key, maximise=True)
            if solution is None:
                continue  # contradictory figures: nothing to narrow
            certified.update(c for c, x in zip(cells, solution, strict=True) if x >= k - 0.5)
            if key not in certified:
                return key
    return None


def _complement(
    key: Key,
    values: Mapping[Key, int],
    touching: Mapping[Key, list[Relation]],
    hidden: set[Key],
    unlisted: set[Key],
) -> Key | None:
    """The smallest non-zero shown cell sharing a relation with `key` or with an unknown
    cell linked to it, or None."""
    seen, todo, candidates = {key}, [key], set()
    while todo:
        current = todo.pop()
        for relation in touching.get(current, ()):
            for other in relation.keys:
                if other in seen:
                    continue
                seen.add(other)
                if other in hidden or other in unlisted:
                    todo.append(other)
                elif values.get(other, 0) > 0:
                    candidates.add(other)
    if not candidates:
        return None
    return min(candidates, key=lambda c: (values[c], repr(c)))


def _components(
    lower: Mapping[Key, int], relations: Sequence[Relation]
) -> list[tuple[list[Key], list[Relation]]]:
    """Unknown cells grouped by the relations linking them, with those relations."""
    parent: dict[Key, Key] = {key: key for key in lower}

    def find(key: Key) -> Key:
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    used = []
    for relation in relations:
        unknown = [key for key in relation.keys if key in lower]
        if not unknown:
            continue
        used.append((relation, unknown[0]))
        for key in unknown[1:]:
            parent[find(key)] = find(unknown[0])
    cells: dict[Key, list[Key]] = defaultdict(list)
    for key in lower:
        cells[find(key)].append(key)
    rows: dict[Key, list[Relation]] = defaultdict(list)
    for relation, first in used:
        rows[find(first)].append(relation)
    return [(cells[root], rows[root]) for root in cells if rows[root]]


class _Program:
    """The integer program of one component: its cells, relations and bounds."""

    def __init__(
        self,
        cells: list[Key],
        relations: list[Relation],
        lower: Mapping[Key, int],
        shown: Mapping[Key, float],
    ) -> None:
        self.index = {key: i for i, key in enumerate(cells)}
        matrix = np.zeros((len(relations), len(cells)))
        upper_row = np.zeros(len(relations))
        lower_row = np.zeros(len(relations))
        for r, relation in enumerate(relations):
            constant = 0.0
            for key, coefficient in relation.terms:
                if key in self.index:
                    matrix[r, self.index[key]] += coefficient
                else:
                    constant += coefficient * shown.get(key, 0)
            upper_row[r] = -constant
            lower_row[r] = -constant if relation.equal else -np.inf
        self.constraint = LinearConstraint(matrix, lower_row, upper_row)
        self.bounds = Bounds([lower[key] for key in cells], [_BIG] * len(cells))
        self.integrality = np.ones(len(cells))

    def extreme(self, key: Key | list[Key], maximise: bool) -> np.ndarray | None:
        """An integer solution minimising (or maximising) `key` (or the sum of a list of
        cells), None if there is none."""
        objective = np.zeros(len(self.index))
        for each in key if isinstance(key, list) else [key]:
            objective[self.index[each]] = -1.0 if maximise else 1.0
        found = milp(
            objective, constraints=self.constraint, bounds=self.bounds,
            integrality=self.integrality,
        )  # fmt: skip
        return None if found.x is None else np.round(found.x)


def _solve(
    cells: list[Key],
    relations: list[Relation],
    lower: Mapping[Key, int],
    shown: Mapping[Key, float],
) -> dict[Key, tuple[float, float]]:
    problem = _Program(cells, relations, lower, shown)
    result = {}
    for key, i in problem.index.items():
        low = problem.extreme(key, maximise=False)
        high = problem.extreme(key, maximise=True)
        if low is None or high is None:  # infeasible: the shown figures contradict
            result[key] = (lower[key], INFINITY)
            continue
        top = high[i]
        result[key] = (low[i], INFINITY if top >= _BIG // 2 else top)
    return result
