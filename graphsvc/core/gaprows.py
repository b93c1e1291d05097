"""Gap rows, gap queries and the arithmetic on flat arrays (`Problem`), shared by the fetched
path (graphsvc.core.gaps) and the in-memory index (graphsvc.core.gapindex), which both import
this module and not each other (issue 20: no import cycle between them)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

import numpy as np

from graphsvc.core.capacity import DECLARED, ESTIMATED, check_mode
from graphsvc.core.coverage import (
    DEFAULT_BANDS,
    MISSING,
    NO_DEMAND,
    OVER,
    UNDER,
    UNKNOWN,
    Band,
    Thresholds,
    check_bands,
    sparse_catchment,
    status_codes,
    status_of,
)
from graphsvc.core.methods import CATCHMENT, METHODS, MethodParams
from graphsvc.errors import InputError
from graphsvc.gcpause import gc_paused

# AS_IS counts the active services; TO_BE adds the planned (to-be) services of action plans,
# except those of dropped actions (graphsvc/core/actionplan.py).
AS_IS, TO_BE = "AS_IS", "TO_BE"
SCENARIOS = (AS_IS, TO_BE)
SCENARIO_STATUSES: dict[str, tuple[str, ...]] = {AS_IS: ("active",), TO_BE: ("active", "planned")}
STATUSES = (MISSING, UNDER, "COVERED", OVER, NO_DEMAND, UNKNOWN)  # status_codes' order
PROVENANCES = (DECLARED, ESTIMATED, "unknown")  # graphsvc.model.CAPACITY_PROVENANCES
WORST_PARTS = 5


@dataclass(frozen=True)
class Contribution:
    """What one service adds to a row: places allotted to the row's demand, and its weight."""

    service: str
    name: str
    actor: str
    capacity: int | float | None  # None: unknown (and not estimated)
    weight: float
    places: float
    provenance: str = DECLARED  # of the capacity: declared, estimated or unknown


class GapRow(tuple):
    """Coverage of one need in one zone. `ratio` is places per person in need.

    `contributions` (what each service adds) is built on first access only: a national report
    has about 800,000 rows and millions of contributions, and most callers never look. A row
    is an immutable tuple underneath (built at C speed by `_make`); rows compare equal field
    by field, contributions included.
    """

    __slots__ = ()
    _make = classmethod(tuple.__new__)  # from a 16-tuple in field order

    def __new__(
        cls,
        zone: str,
        need: str,
        demand: int,
        supply: float,
        ratio: float,
        status: str,
        providers: int,
        contributions: tuple[Contribution, ...] | Callable[[], tuple[Contribution, ...]] = (),
        rollup: bool = False,
        worst_parts: tuple[tuple[str, float, str], ...] = (),
        estimated_supply: float = 0.0,
        unknown_services: int = 0,
        providers_per_10k: float | None = None,
        idle_capacity: float = 0.0,
        normalized: float | None = None,
        skipped_services: int = 0,
    ) -> GapRow:
        return tuple.__new__(cls, (zone, need, demand, supply, ratio, status, providers,
                                   contributions, rollup, worst_parts, estimated_supply,
                                   unknown_services, providers_per_10k, idle_capacity,
                                   normalized, skipped_services))  # fmt: skip

    zone = property(itemgetter(0))
    need = property(itemgetter(1))
    demand = property(itemgetter(2))
    supply = property(itemgetter(3))
    ratio = property(itemgetter(4))
    status = property(itemgetter(5))
    providers = property(itemgetter(6))
    rollup = property(itemgetter(8))
    worst_parts = property(itemgetter(9))
    estimated_supply = property(itemgetter(10))  # of `supply`, places from estimated capacity
    unknown_services = property(itemgetter(11))  # services reaching it, capacity unknown
    # distinct actors reaching it (whatever their capacity) per 10,000 people in need
    providers_per_10k = property(itemgetter(12))
    idle_capacity = property(itemgetter(13))  # places of services reaching it with no demand
    # ratio over the demand-weighted mean ratio of the need in the zone asked (1.0 = average)
    normalized = property(itemgetter(14))
    # services of the need left out because their provider has no coordinates (distance
    # methods; counted over the whole graph)
    skipped_services = property(itemgetter(15))

    @property
    def contributions(self) -> tuple[Contribution, ...]:
        found = self[7]
        if callable(found):
            return found()
        if len(found) == 2 and type(found[0]) is Problem:  # (problem, cell) of a cell row
            return found[0].cell_contributions(found[1])
        return found

    def _key(self) -> tuple:
        return (*self[:7], self.contributions, *self[8:])

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GapRow) and self._key() == other._key()

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"GapRow(zone={self.zone!r}, need={self.need!r}, demand={self.demand!r}, "
                f"ratio={self.ratio!r}, status={self.status!r}, providers={self.providers!r}, "
                f"rollup={self.rollup!r})")  # fmt: skip


@dataclass(frozen=True)
class GapQuery:
    """Checked arguments of a gap computation."""

    zone: str
    needs: tuple[str, ...] | None = None
    include_parts: bool = True
    method: str = CATCHMENT
    thresholds: Thresholds = field(default_factory=Thresholds)
    bands: tuple[Band, ...] = DEFAULT_BANDS
    statuses: tuple[str, ...] | None = None
    scenario: str = AS_IS
    capacity: str = DECLARED  # ESTIMATED fills unknown capacities from the default table
    params: MethodParams = field(default_factory=MethodParams)  # of the distance methods

    @property
    def reach_km(self) -> float:
        return self.params.reach(self.method, self.bands)

    def echo(self) -> dict[str, float | str]:
        """The method, its parameters and the capacity mode that shaped the answer."""
        return {**self.params.echo(self.method, self.bands), "capacity": self.capacity}

    def __post_init__(self) -> None:
        check_mode(self.capacity)
        if self.method not in METHODS:
            raise InputError([f"argument method: {self.method!r} is not one of {METHODS}"])
        if self.scenario not in SCENARIOS:
            raise InputError([f"argument scenario: {self.scenario!r} is not one of {SCENARIOS}"])
        check_bands(self.bands)
        for status in self.statuses or ():
            if status not in STATUSES:
                raise InputError([f"argument status: {status!r} is not one of {STATUSES}"])


class _Lazy:
    """The contributions of one row, built when GapRow.contributions is first read, then kept."""

    __slots__ = ("done", "index", "problem", "rollup")

    def __init__(self, problem: Problem, index: int, rollup: bool) -> None:
        self.problem, self.index, self.rollup, self.done = problem, index, rollup, None

    def __call__(self) -> tuple[Contribution, ...]:
        if self.done is None:
            if self.rollup:
                self.done = self.problem.rollup_contributions(self.index)
            else:
                self.done = self.problem.cell_contributions(self.index)
        return self.done


@dataclass
class Problem:
    """A gap computation as flat arrays: the zone's cells (in (zone, need) order), providers
    and the (provider, cell) pairs where a provider reaches a cell (DESIGN §4).

    Cells 0..len(zones)-1 are the zone's own and get rows; pair cells beyond them are outside
    cells, which only add to the demand providers share their capacity over. `outside` adds
    people a provider reaches that are not cells here at all. `describe(j)` gives provider j's
    (service, name, actor, capacity, provenance), asked only when contributions are read;
    `provenance` is its capacity's, as an index into PROVENANCES (None: all declared).
    """

    zones: list[str]
    needs: list[str]
    demand: list  # the cells' people as given (GapRow.demand)
    people: np.ndarray  # float, every cell (own ones first, then outside ones)
    capacity: np.ndarray  # float, per provider
    actor: np.ndarray  # int, per provider: actor number (for distinct counts)
    describe: Callable[[int], tuple[str, str, str, int | float | None, str]]
    pair_prov: np.ndarray
    pair_cell: np.ndarray
    pair_weight: np.ndarray | None = None  # None: every weight is 1 (declared catchment)
    outside: np.ndarray | None = None  # float per provider, or None
    # the pairs on the zone's own cells sorted by (cell, provider), when already at hand
    # (unweighted); otherwise taken from the pairs above
    own_pairs: tuple[np.ndarray, np.ndarray] | None = None
    provenance: np.ndarray | None = None
    skipped: dict[str, int] = field(default_factory=dict)  # per need: services not located

    def rows(self, query: GapQuery) -> list[GapRow]:
        n_cells, thresholds = len(self.zones), query.thresholds
        self.ratio, access = sparse_catchment(self.capacity, self.people, self.pair_prov,
                                              self.pair_cell, self.pair_weight,
                                              self.outside)  # fmt: skip
        access = access[:n_cells]
        if self.own_pairs is not None:
            self._prov, self._cell = self.own_pairs
            self._weight = None
        else:
            own = self.pair_cell < n_cells  # pairs on the zone's cells, by (cell, provider)
            prov, cell = self.pair_prov[own], self.pair_cell[own]
            weight = self.pair_weight[own] if self.pair_weight is not None else None
            order = np.lexsort((prov, cell))
            self._prov, self._cell = prov[order], cell[order]
            self._weight = weight[order] if weight is not None else None
        share = self.ratio[self._prov]
        if self._weight is not None:
            share = share * self._weight
        self._live = share > 0
        self._start: np.ndarray | None = None
        self._done: dict[int, tuple[Contribution, ...]] | None = None  # cell contributions
        need_codes = sorted(set(self.needs))
        need_of = _codes(self.needs, need_codes)
        actors = self._actors_per_cell(need_of, len(need_codes), n_cells)
        extra = self._extras(need_of, len(need_codes), n_cells)
        own_people = self.people[:n_cells]
        codes = status_codes(access, actors, thresholds, own_people, extra["unknown"])
        supply = own_people * access
        self._need_of = need_of
        ratios, supplies, counts = access.tolist(), supply.tolist(), actors.tolist()
        names = [STATUSES[k] for k in codes.tolist()]
        per10k = _per_10k(extra["reaching"], own_people)
        total = np.bincount(need_of, weights=supply, minlength=len(need_codes))
        people_per_need = np.bincount(need_of, weights=own_people, minlength=len(need_codes))
        mean = np.divide(total, people_per_need, out=np.zeros(len(need_codes)),
                         where=people_per_need > 0)  # fmt: skip
        self._mean = mean
        normalized = np.divide(access, mean[need_of], out=np.zeros(n_cells),
                               where=mean[need_of] > 0)  # fmt: skip
        normal = [
            v if m > 0 else None
            for v, m in zip(normalized.tolist(), mean[need_of].tolist(), strict=True)
        ]
        skipped = [self.skipped.get(n, 0) for n in need_codes]
        skips = np.asarray(skipped, dtype=np.int64)[need_of].tolist()
        with gc_paused():  # a national report makes ~800k rows: no collection passes meanwhile
            lazy = zip(repeat(self), range(n_cells), strict=False)  # (problem, cell): C speed
            parts = list(map(GapRow._make, zip(self.zones, self.needs, self.demand, supplies,
                                               ratios, names, counts, lazy, repeat(False),
                                               repeat(()), extra["estimated"].tolist(),
                                               extra["unknown"].tolist(), per10k,
                                               extra["idle"].tolist(), normal, skips,
                                               strict=False)))  # fmt: skip
        rollups, alone = self._rollups(query, need_codes, need_of, access, supply, parts, extra)
        if query.include_parts:
            result = rollups + parts
        else:
            result = rollups + [r for r, keep in zip(parts, alone[need_of], strict=True) if keep]
        if query.statuses is not None:
            result = [r for r in result if r.status in query.statuses]
        return result

    def _extras(self, need_of: np.ndarray, n_needs: int, n_cells: int) -> dict[str, np.ndarray]:
        """Per cell and per need: places from estimated capacities, services of unknown
        capacity reaching it, distinct actors reaching it whatever their capacity, and the
        idle places (capacity of services whose whole catchment has nobody in need)."""
        cell, prov = self._cell, self._prov
        code = self.provenance
        if code is None:
            code = np.zeros(len(self.capacity), dtype=np.int64)
        weight = self._weight if self._weight is not None else 1.0
        estimated = (code == 1)[prov]
        places = self.people[cell] * self.ratio[prov] * weight
        unknown = (code == 2)[prov]
        idle = ((self.ratio == 0) & (self.capacity > 0))[prov]
        prov_need = np.zeros(len(self.capacity), dtype=np.int64)
        prov_need[prov] = need_of[cell]
        reached = np.zeros(len(self.capacity), dtype=bool)
        reached[prov] = True
        per_need = np.flatnonzero(reached)
        seen = np.zeros((n_needs, int(self.actor.max(initial=0)) + 1), dtype=bool)
        seen[need_of[cell], self.actor[prov]] = True
        return {
            "estimated": np.bincount(cell[estimated], weights=places[estimated], minlength=n_cells),
            "unknown": np.bincount(cell[unknown], minlength=n_cells),
            "reaching": _distinct_counts(cell, self.actor[prov], n_cells),
            "idle": np.bincount(cell[idle], weights=self.capacity[prov[idle]], minlength=n_cells),
            "need_estimated": np.bincount(
                need_of[cell[estimated]], weights=places[estimated], minlength=n_needs
            ),
            "need_unknown": np.bincount(
                prov_need[per_need], weights=(code == 2)[per_need], minlength=n_needs
            ),
            "need_reaching": seen.sum(axis=1),
            "need_idle": np.bincount(
                prov_need[per_need],
                weights=np.where((self.ratio == 0)[per_need], self.capacity[per_need], 0.0),
                minlength=n_needs,
            ),
        }

    def _actors_per_cell(self, need_of: np.ndarray, n_needs: int, n_cells: int) -> np.ndarray:
        """Distinct actors with a live pair on each cell. Only an actor with several providers
        of the cell's need can be counted twice, so only those pairs are sorted."""
        cell, prov = self._cell[self._live], self._prov[self._live]
        if not len(cell):
            return np.zeros(n_cells, dtype=np.int64)
        prov_need = np.zeros(len(self.capacity), dtype=np.int64)
        prov_need[prov] = need_of[cell]  # a provider serves one need: that of its cells
        group = self.actor * n_needs + prov_need
        shared = np.bincount(group)[group] > 1  # per provider: its actor has another one
        several = shared[prov]
        single = np.bincount(cell[~several], minlength=n_cells)
        return single + _distinct_counts(cell[several], self.actor[prov[several]], n_cells)

    def _rollups(
        self,
        query: GapQuery,
        need_codes: list[str],
        need_of: np.ndarray,
        access: np.ndarray,
        supply: np.ndarray,
        parts: list[GapRow],
        extra: dict[str, np.ndarray],
    ) -> tuple[list[GapRow], np.ndarray]:
        """One roll-up row per need: demand-weighted mean of its cells, its worst cells."""
        n_needs = len(need_codes)
        count = np.bincount(need_of, minlength=n_needs)
        supplies = np.bincount(need_of, weights=supply, minlength=n_needs).tolist()
        demand = np.asarray(self.demand)
        demands = np.bincount(need_of, weights=demand, minlength=n_needs)  # in cell order
        if demand.dtype.kind in "iu":  # people counts: exact integers, kept as int
            demands = demands.astype(np.int64)
        demands = demands.tolist()
        live = self._live
        seen = np.zeros((n_needs, int(self.actor.max(initial=0)) + 1), dtype=bool)
        seen[need_of[self._cell[live]], self.actor[self._prov[live]]] = True
        actors = seen.sum(axis=1)
        alone = np.zeros(n_needs, dtype=bool)
        rows = []
        by_need = np.argsort(need_of, kind="stable")
        bounds = np.concatenate([[0], np.cumsum(count)])
        self._need_cells = [by_need[bounds[n] : bounds[n + 1]] for n in range(n_needs)]
        for n, need in enumerate(need_codes):
            members = self._need_cells[n]
            if len(members) == 1 and self.zones[members[0]] == query.zone:
                alone[n] = True
                continue
            demand = demands[n]
            ratio = supplies[n] / demand if demand else 0.0
            worst = members[np.argsort(access[members], kind="stable")[:WORST_PARTS]]
            unknown = int(extra["need_unknown"][n])
            reaching = int(extra["need_reaching"][n])
            rows.append(GapRow(query.zone, need, demand, demand * ratio, ratio,
                               status_of(ratio, int(actors[n]), query.thresholds, demand,
                                         unknown),
                               int(actors[n]), _Lazy(self, n, True), True,
                               tuple((parts[i].zone, parts[i].ratio, parts[i].status)
                                     for i in worst.tolist()),
                               float(extra["need_estimated"][n]), unknown,
                               reaching * 10_000 / demand if demand else None,
                               float(extra["need_idle"][n]),
                               1.0 if self._mean[n] > 0 else None,
                               self.skipped.get(need, 0)))  # fmt: skip
        return rows, alone

    def _slice(self, i: int) -> slice:
        if self._start is None:
            self._start = np.searchsorted(self._cell, np.arange(len(self.zones) + 1))
        return slice(int(self._start[i]), int(self._start[i + 1]))

    def _places(self, i: int) -> list[tuple[int, float, float]]:
        """(provider, weight, places) of the live pairs on cell i, in provider order."""
        part = self._slice(i)
        prov = self._prov[part]
        weight = self._weight[part] if self._weight is not None else np.ones(len(prov))
        places = self.people[i] * self.ratio[prov] * weight
        live = self._live[part]
        return list(zip(prov[live].tolist(), weight[live].tolist(), places[live].tolist(),
                        strict=True))  # fmt: skip

    def cell_contributions(self, i: int) -> tuple[Contribution, ...]:
        if self._done is None:
            self._done = {}
        kept = self._done.get(i)
        if kept is not None:
            return kept
        found = []
        for j, weight, places in self._places(i):
            found.append(_contribution(self.describe(j), weight, places))
        kept = self._done[i] = tuple(sorted(found, key=lambda c: (-c.places, c.service)))
        return kept

    def rollup_contributions(self, n: int) -> tuple[Contribution, ...]:
        merged: dict[str, Contribution] = {}
        for i in self._need_cells[n].tolist():
            for j, weight, places in self._places(i):
                described = self.describe(j)
                before = merged.get(described[0])
                total = places + (before.places if before else 0.0)
                merged[described[0]] = _contribution(described, weight, total)
        return tuple(sorted(merged.values(), key=lambda c: (-c.places, c.service)))


def _contribution(described: tuple, weight: float, places: float) -> Contribution:
    service, name, actor, capacity, provenance = described
    return Contribution(service, name, actor, capacity, weight, places, provenance)


def _per_10k(reaching: np.ndarray, people: np.ndarray) -> list[float | None]:
    """Distinct actors reaching a cell per 10,000 people in need (None where nobody is)."""
    rate = np.divide(reaching * 10_000.0, people, out=np.zeros(len(people)), where=people > 0)
    return [r if p > 0 else None for r, p in zip(rate.tolist(), people.tolist(), strict=True)]


def _codes(values: list[str], codes: list[str]) -> np.ndarray:
    position = {c: i for i, c in enumerate(codes)}
    return np.array([position[v] for v in values], dtype=np.int64)


def _distinct_counts(group: np.ndarray, member: np.ndarray, size: int) -> np.ndarray:
    """For each group 0..size-1, the number of distinct members among the (group, member)."""
    if not len(group):
        return np.zeros(size, dtype=np.int64)
    width = int(member.max()) + 1
    key = np.sort(group.astype(np.int64) * width + member)
    first = np.ones(len(key), dtype=bool)
    first[1:] = key[1:] != key[:-1]
    return np.bincount(key[first] // width, minlength=size)
