"""Service gaps of a zone: coverage per (zone, need) by declared catchment or by distance.

`fetch` gets the demand cells of the zone and the services reaching them in a constant number
of round trips (two for the catchment method, three for the distance method); `compute` then
does the arithmetic over (provider, cell) pairs with numpy (graphsvc.core.coverage), never
over a providers x cells matrix. `zone_gaps` answers the catchment method on FalkorDB from
the arrays kept in memory (graphsvc.core.gapindex) instead of fetching. A cell is a zone that
records a need (HAS_NEED people); a larger zone's coverage is the demand-weighted mean of its
cells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter

import numpy as np

from graphsvc.core.coverage import (
    DEFAULT_BANDS,
    MISSING,
    OVER,
    UNDER,
    Band,
    Thresholds,
    band_weights,
    check_bands,
    haversine_km,
    sparse_catchment,
    status_codes,
    status_of,
)
from graphsvc.core.directory import require_zone
from graphsvc.errors import InputError, NotFound
from graphsvc.gcpause import gc_paused
from graphsvc.store import Row, Store

CATCHMENT, E2SFCA = "catchment", "e2sfca"
METHODS = (CATCHMENT, E2SFCA)
# AS_IS counts the active services; TO_BE adds the planned (to-be) services of action plans,
# except those of dropped actions (graphsvc/core/actionplan.py).
AS_IS, TO_BE = "AS_IS", "TO_BE"
SCENARIOS = (AS_IS, TO_BE)
SCENARIO_STATUSES: dict[str, tuple[str, ...]] = {AS_IS: ("active",), TO_BE: ("active", "planned")}
STATUSES = (MISSING, UNDER, "COVERED", OVER)
WORST_PARTS = 5
KM_PER_DEGREE = 111.32


@dataclass(frozen=True)
class Contribution:
    """What one service adds to a row: places allotted to the row's demand, and its weight."""

    service: str
    name: str
    actor: str
    capacity: int
    weight: float
    places: float


class GapRow(tuple):
    """Coverage of one need in one zone. `ratio` is places per person in need.

    `contributions` (what each service adds) is built on first access only: a national report
    has about 800,000 rows and millions of contributions, and most callers never look. A row
    is an immutable tuple underneath (built at C speed by `_make`); rows compare equal field
    by field, contributions included.
    """

    __slots__ = ()
    _make = classmethod(tuple.__new__)  # from a 10-tuple in field order

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
    ) -> GapRow:
        return tuple.__new__(cls, (zone, need, demand, supply, ratio, status, providers,
                                   contributions, rollup, worst_parts))  # fmt: skip

    zone = property(itemgetter(0))
    need = property(itemgetter(1))
    demand = property(itemgetter(2))
    supply = property(itemgetter(3))
    ratio = property(itemgetter(4))
    status = property(itemgetter(5))
    providers = property(itemgetter(6))
    rollup = property(itemgetter(8))
    worst_parts = property(itemgetter(9))

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


@dataclass
class Provider:
    """One service as a provider for one need: its catchment cells or its coordinates."""

    service: str
    name: str
    actor: str
    capacity: int
    need: str
    catchment: dict[str, int] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    # people in need it reaches besides the `catchment` cells (the rest of its declared
    # catchment, outside the zone asked for, as one sum): they share its capacity too
    outside: float = 0.0


@dataclass(frozen=True)
class Cell:
    zone: str
    need: str
    people: int
    lat: float | None = None
    lon: float | None = None


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

    def __post_init__(self) -> None:
        if self.method not in METHODS:
            raise InputError([f"argument method: {self.method!r} is not one of {METHODS}"])
        if self.scenario not in SCENARIOS:
            raise InputError([f"argument scenario: {self.scenario!r} is not one of {SCENARIOS}"])
        check_bands(self.bands)
        for status in self.statuses or ():
            if status not in STATUSES:
                raise InputError([f"argument status: {status!r} is not one of {STATUSES}"])


@dataclass
class CoverageInput:
    """Everything the arithmetic needs, fetched once: root cells, outside cells, providers."""

    cells: list[Cell]
    providers: list[Provider]
    outside: dict[tuple[str, str], Cell] = field(default_factory=dict)


def check_needs(store: Store, needs: Sequence[str] | None) -> tuple[str, ...] | None:
    """The need codes, or NotFound naming each unknown one."""
    if needs is None:
        return None
    found = {r["code"] for r in store.run("get_need_types", codes=list(needs))}
    unknown = [code for code in needs if code not in found]
    if unknown:
        raise NotFound(f"argument needCodes: unknown need type(s) {', '.join(map(repr, unknown))}")
    return tuple(needs)


def fetch(store: Store, query: GapQuery) -> CoverageInput:
    """The cells of the zone and the providers reaching them, in constant round trips.

    Catchment method: each provider lists the cells inside the zone it reaches and carries the
    rest of its declared catchment as one number (`Provider.outside`), so the answer does not
    grow with the size of the zones services cover.
    """
    needs = list(query.needs) if query.needs is not None else None
    cells = [Cell(r["zone"], r["need"], r["people"] or 0, r["lat"], r["lon"])
             for r in store.run("list_need_cells", zone=query.zone, needs=needs)]  # fmt: skip
    if query.method == CATCHMENT:
        rows = store.run("list_catchment_services", zone=query.zone, needs=needs,
                         statuses=list(SCENARIO_STATUSES[query.scenario]))  # fmt: skip
        people = {(c.zone, c.need): c.people for c in cells}
        providers = [_catchment_provider(r, people) for r in rows]
        return CoverageInput(cells, providers, catchment_cells(providers))
    return _fetch_by_distance(store, cells, query.bands[-1].upper, query.scenario)


def catchment_cells(providers: Iterable[Provider]) -> dict[tuple[str, str], Cell]:
    """Every cell of the providers' catchments: those outside the zone still share R_j."""
    return {(zone, p.need): Cell(zone, p.need, people)
            for p in providers for zone, people in p.catchment.items()}  # fmt: skip


def _catchment_provider(row: Row, people: dict[tuple[str, str], int]) -> Provider:
    need = row["need"]
    catchment = {zone: people.get((zone, need), 0) for zone in row["cells"]}
    outside = (row["people"] or 0) - sum(catchment.values())
    return Provider(row["service"], row["name"], row["actor"], row["capacity"] or 0, need,
                    catchment=catchment, outside=outside)  # fmt: skip


def _fetch_by_distance(
    store: Store, cells: list[Cell], reach_km: float, scenario: str = AS_IS
) -> CoverageInput:
    located = [c for c in cells if c.lat is not None and c.lon is not None]
    missing = sorted({c.zone for c in cells} - {c.zone for c in located})
    if missing:
        raise InputError([f"zone {z!r} has no coordinates: the distance method needs lat/lon"
                          for z in missing])  # fmt: skip
    if not cells:
        return CoverageInput([], [])
    needs = sorted({c.need for c in cells})
    lats = [c.lat for c in located]
    lons = [c.lon for c in located]
    box = _box(min(lats), max(lats), min(lons), max(lons), reach_km)  # type: ignore[arg-type]
    wider = _box(min(lats), max(lats), min(lons), max(lons), 2 * reach_km)  # type: ignore[arg-type]
    providers = [
        Provider(r["service"], r["name"], r["actor"], r["capacity"] or 0, r["need"],
                 lat=r["lat"], lon=r["lon"])
        for r in store.run("find_services_in_box", needs=needs,
                           statuses=list(SCENARIO_STATUSES[scenario]), **box)
        if r["lat"] is not None and r["lon"] is not None
    ]  # fmt: skip
    outside = {
        (r["zone"], r["need"]): Cell(r["zone"], r["need"], r["people"] or 0, r["lat"], r["lon"])
        for r in store.run("find_need_cells_in_box", needs=needs, **wider)
    }
    return CoverageInput(cells, providers, outside)


def _box(south: float, north: float, west: float, east: float, km: float) -> dict[str, float]:
    dlat = km / KM_PER_DEGREE
    widest = max(abs(south - dlat), abs(north + dlat))
    dlon = km / (KM_PER_DEGREE * max(math.cos(math.radians(widest)), 0.01))
    return {"south": south - dlat, "north": north + dlat, "west": west - dlon, "east": east + dlon}


def compute(data: CoverageInput, query: GapQuery) -> list[GapRow]:
    """Gap rows for the zone: a roll-up per need, then (optionally) one row per cell.

    Sparse: the arithmetic runs over (provider, cell) pairs where a provider reaches a cell,
    never over a providers x cells matrix (graphsvc.core.coverage.sparse_catchment).
    """
    if not data.cells:
        return []
    order = sorted(range(len(data.cells)), key=lambda i: (data.cells[i].zone,
                                                          data.cells[i].need))  # fmt: skip
    cells = [data.cells[i] for i in order]
    index = {(c.zone, c.need): i for i, c in enumerate(cells)}
    people = [c.people for c in cells]
    extra = sorted(k for k in data.outside if k not in index)  # outside cells still share R_j
    for key in extra:
        index[key] = len(people)
        people.append(data.outside[key].people)
    demand = np.array(people, dtype=float)
    providers = data.providers
    if query.method == CATCHMENT:
        pair_prov, pair_cell = [], []
        for j, p in enumerate(providers):
            for zone in p.catchment:
                i = index.get((zone, p.need))
                if i is not None:
                    pair_prov.append(j)
                    pair_cell.append(i)
        prov = np.array(pair_prov, dtype=np.int64)
        cell = np.array(pair_cell, dtype=np.int64)
        weight = None
    else:
        prov, cell, weight = _distance_pairs(providers, cells, extra, data.outside, query)
    outside = np.array([p.outside for p in providers], dtype=float)
    actors: dict[str, int] = {}
    problem = Problem(
        zones=[c.zone for c in cells],
        needs=[c.need for c in cells],
        demand=[c.people for c in cells],
        people=demand,
        capacity=np.array([p.capacity for p in providers], dtype=float),
        actor=np.array(
            [actors.setdefault(p.actor, len(actors)) for p in providers], dtype=np.int64
        ),
        describe=lambda j: (
            providers[j].service,
            providers[j].name,
            providers[j].actor,
            providers[j].capacity,
        ),
        pair_prov=prov,
        pair_cell=cell,
        pair_weight=weight,
        outside=outside if outside.any() else None,
    )
    return problem.rows(query)


def _distance_pairs(
    providers: list[Provider],
    cells: list[Cell],
    extra: list[tuple[str, str]],
    outside: dict[tuple[str, str], Cell],
    query: GapQuery,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """E2SFCA: the (provider, cell) pairs within reach of each other, with their band weight."""
    every = cells + [outside[k] for k in extra]
    cells_by_need: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(every):
        cells_by_need[c.need].append(i)
    provs_by_need: dict[str, list[int]] = defaultdict(list)
    for j, p in enumerate(providers):
        provs_by_need[p.need].append(j)
    found_p, found_c, found_w = [], [], []
    for need, js in provs_by_need.items():
        ids = cells_by_need.get(need)
        if not ids:
            continue
        weights = _weights([providers[j] for j in js], [every[i] for i in ids], query)
        pj, ci = np.nonzero(weights)
        found_p.append(np.asarray(js, dtype=np.int64)[pj])
        found_c.append(np.asarray(ids, dtype=np.int64)[ci])
        found_w.append(weights[pj, ci])
    if not found_p:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    return np.concatenate(found_p), np.concatenate(found_c), np.concatenate(found_w)


def _weights(providers: list[Provider], cells: list[Cell], query: GapQuery) -> np.ndarray:
    distances = haversine_km(
        np.array([p.lat for p in providers], dtype=float),
        np.array([p.lon for p in providers], dtype=float),
        np.array([c.lat for c in cells], dtype=float),
        np.array([c.lon for c in cells], dtype=float),
    )
    return band_weights(distances, query.bands)


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
    (service, name, actor, capacity), asked only when contributions are read.
    """

    zones: list[str]
    needs: list[str]
    demand: list  # the cells' people as given (GapRow.demand)
    people: np.ndarray  # float, every cell (own ones first, then outside ones)
    capacity: np.ndarray  # float, per provider
    actor: np.ndarray  # int, per provider: actor number (for distinct counts)
    describe: Callable[[int], tuple[str, str, str, int]]
    pair_prov: np.ndarray
    pair_cell: np.ndarray
    pair_weight: np.ndarray | None = None  # None: every weight is 1 (declared catchment)
    outside: np.ndarray | None = None  # float per provider, or None
    # the pairs on the zone's own cells sorted by (cell, provider), when already at hand
    # (unweighted); otherwise taken from the pairs above
    own_pairs: tuple[np.ndarray, np.ndarray] | None = None

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
        codes = status_codes(access, actors, thresholds)
        supply = self.people[:n_cells] * access
        self._need_of = need_of
        ratios, supplies, counts = access.tolist(), supply.tolist(), actors.tolist()
        names = [STATUSES[k] for k in codes.tolist()]
        with gc_paused():  # a national report makes ~800k rows: no collection passes meanwhile
            lazy = zip(repeat(self), range(n_cells), strict=False)  # (problem, cell): C speed
            parts = list(map(GapRow._make, zip(self.zones, self.needs, self.demand, supplies,
                                               ratios, names, counts, lazy, repeat(False),
                                               repeat(()), strict=False)))  # fmt: skip
        rollups, alone = self._rollups(query, need_codes, need_of, access, supply, parts)
        if query.include_parts:
            result = rollups + parts
        else:
            result = rollups + [r for r, keep in zip(parts, alone[need_of], strict=True) if keep]
        if query.statuses is not None:
            result = [r for r in result if r.status in query.statuses]
        return result

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
            rows.append(GapRow(query.zone, need, demand, demand * ratio, ratio,
                               status_of(ratio, int(actors[n]), query.thresholds),
                               int(actors[n]), _Lazy(self, n, True), True,
                               tuple((parts[i].zone, parts[i].ratio, parts[i].status)
                                     for i in worst.tolist())))  # fmt: skip
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
            service, name, actor, capacity = self.describe(j)
            found.append(Contribution(service, name, actor, capacity, weight, places))
        kept = self._done[i] = tuple(sorted(found, key=lambda c: (-c.places, c.service)))
        return kept

    def rollup_contributions(self, n: int) -> tuple[Contribution, ...]:
        merged: dict[str, Contribution] = {}
        for i in self._need_cells[n].tolist():
            for j, weight, places in self._places(i):
                service, name, actor, capacity = self.describe(j)
                before = merged.get(service)
                total = places + (before.places if before else 0.0)
                merged[service] = Contribution(service, name, actor, capacity, weight, total)
        return tuple(sorted(merged.values(), key=lambda c: (-c.places, c.service)))


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


def zone_gaps(store: Store, zone_id: str, query: GapQuery | None = None) -> list[GapRow]:
    """Coverage rows of a zone (and its parts): checks arguments, then computes.

    Declared catchments on a store whose writes can be tracked are answered from the arrays
    kept in memory (graphsvc.core.gapindex: one cheap version check per request; after a
    write gaps depend on, an update or a rebuild of a constant number of round trips);
    otherwise fetched for the zone.
    """
    query = query or GapQuery(zone_id)
    require_zone(store, zone_id)
    check_needs(store, query.needs)
    if query.method == CATCHMENT:
        from graphsvc.core import gapindex

        index = gapindex.current(store)
        if index is not None and query.zone in index.zone_index:  # else made since: fetch
            return index.problem(query).rows(query)
    return compute(fetch(store, query), query)
