"""Service gaps of a zone: coverage per (zone, need) by declared catchment or by distance.

`fetch` gets the demand cells of the zone and the services reaching them in a constant number
of round trips (two for the catchment method, three for the distance method); `compute` then
does the arithmetic over (provider, cell) pairs with numpy (graphsvc.core.coverage), never
over a providers x cells matrix. `zone_gaps` answers every method on FalkorDB from the
arrays kept in memory (graphsvc.core.gapindex) instead of fetching. Rows, queries and the
arithmetic live in graphsvc.core.gaprows (re-exported here). A cell is a zone that
records a need (HAS_NEED people); a larger zone's coverage is the demand-weighted mean of its
cells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from graphsvc.core import gapindex
from graphsvc.core.capacity import ESTIMATED, default_places, provenance_of
from graphsvc.core.coverage import (
    DEFAULT_BANDS,
    EARTH_RADIUS_KM,
    pairs_within_km,
)
from graphsvc.core.directory import require_zone
from graphsvc.core.gaprows import (
    AS_IS,
    PROVENANCES,
    SCENARIO_STATUSES,
    SCENARIOS,
    STATUSES,
    TO_BE,
    WORST_PARTS,
    Contribution,
    GapQuery,
    GapRow,
    Problem,
)
from graphsvc.core.methods import (
    CATCHMENT,
    E2SFCA,
    METHODS,
    THREE_SFCA,
    distance_weights,
    selection_weights,
)
from graphsvc.errors import InputError, NotFound
from graphsvc.store import Row, Store

# re-exported: rows, queries and their arithmetic live in graphsvc.core.gaprows
__all__ = [
    "AS_IS", "BOX_MARGIN", "CATCHMENT", "DEFAULT_BANDS", "E2SFCA", "KM_PER_DEGREE", "METHODS",
    "PROVENANCES",
    "SCENARIOS", "SCENARIO_STATUSES", "STATUSES", "TO_BE", "WORST_PARTS", "Cell",
    "Contribution", "CoverageInput", "GapQuery", "GapRow", "Problem", "Provider",
    "catchment_cells", "check_needs", "compute", "fetch", "zone_gaps",
]  # fmt: skip

# km per degree of latitude on the haversine's own sphere (graphsvc.core.coverage), so the
# search box and the distances agree; BOX_MARGIN widens the box a little more, for rounding
KM_PER_DEGREE = EARTH_RADIUS_KM * math.pi / 180
BOX_MARGIN = 1.01


@dataclass
class Provider:
    """One service as a provider for one need: its catchment cells or its coordinates."""

    service: str
    name: str
    actor: str
    capacity: int | float | None  # None: unknown
    need: str
    catchment: dict[str, int] = field(default_factory=dict)
    lat: float | None = None
    lon: float | None = None
    # people in need it reaches besides the `catchment` cells (the rest of its declared
    # catchment, outside the zone asked for, as one sum): they share its capacity too
    outside: float = 0.0
    provenance: str | None = None  # of the capacity (None: declared if given, else unknown)
    type: str | None = None  # its own service type (for the default places table)


@dataclass(frozen=True)
class Cell:
    zone: str
    need: str
    people: int
    lat: float | None = None
    lon: float | None = None


@dataclass
class CoverageInput:
    """Everything the arithmetic needs, fetched once: root cells, outside cells, providers."""

    cells: list[Cell]
    providers: list[Provider]
    outside: dict[tuple[str, str], Cell] = field(default_factory=dict)
    skipped: dict[str, int] = field(default_factory=dict)  # per need: services not located


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
    return _fetch_by_distance(store, cells, query)


def catchment_cells(providers: Iterable[Provider]) -> dict[tuple[str, str], Cell]:
    """Every cell of the providers' catchments: those outside the zone still share R_j."""
    return {(zone, p.need): Cell(zone, p.need, people)
            for p in providers for zone, people in p.catchment.items()}  # fmt: skip


def _catchment_provider(row: Row, people: dict[tuple[str, str], int]) -> Provider:
    need = row["need"]
    catchment = {zone: people.get((zone, need), 0) for zone in row["cells"]}
    outside = (row["people"] or 0) - sum(catchment.values())
    return Provider(row["service"], row["name"], row["actor"], row["capacity"], need,
                    catchment=catchment, outside=outside, provenance=row.get("provenance"),
                    type=row.get("type"))  # fmt: skip


def _fetch_by_distance(store: Store, cells: list[Cell], query: GapQuery) -> CoverageInput:
    """Providers within reach of the zone's cells and the cells within reach of those, so that
    every provider's share is whole. 3SFCA also needs every provider reaching those cells
    (their selection weights): a box three reaches wide for providers, two for cells."""
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
    reach_km = query.reach_km
    wide = 3 if query.method == THREE_SFCA else 1
    edges = (min(lats), max(lats), min(lons), max(lons))
    box = _box(*edges, wide * reach_km)  # type: ignore[arg-type]
    wider = _box(*edges, (wide + 1) * reach_km)  # type: ignore[arg-type]
    providers, unlocated = [], defaultdict(set)
    for r in store.run("find_services_in_box", needs=needs,
                       statuses=list(SCENARIO_STATUSES[query.scenario]), **box):  # fmt: skip
        if r["lat"] is None or r["lon"] is None:
            unlocated[r["need"]].add(r["service"])
            continue
        providers.append(Provider(r["service"], r["name"], r["actor"], r["capacity"], r["need"],
                                  lat=r["lat"], lon=r["lon"], provenance=r.get("provenance"),
                                  type=r.get("type")))  # fmt: skip
    outside = {
        (r["zone"], r["need"]): Cell(r["zone"], r["need"], r["people"] or 0, r["lat"], r["lon"])
        for r in store.run("find_need_cells_in_box", needs=needs, **wider)
    }
    skipped = {need: len(services) for need, services in unlocated.items()}
    return CoverageInput(cells, providers, outside, skipped)


def _box(south: float, north: float, west: float, east: float, km: float) -> dict[str, float]:
    """A latitude/longitude box holding every point within `km` (haversine) of the box given.

    North-south, `km` is km / KM_PER_DEGREE degrees on the haversine's sphere. East-west, the
    widest longitude difference at distance d from latitude φ is asin(sin(d/R) / cos φ),
    taken at the box's latitude farthest from the equator. Both are widened by BOX_MARGIN.
    """
    reach = km * BOX_MARGIN
    dlat = reach / KM_PER_DEGREE
    widest = min(max(abs(south - dlat), abs(north + dlat)), 89.0)
    spread = math.sin(min(reach / EARTH_RADIUS_KM, math.pi / 2)) / math.cos(math.radians(widest))
    dlon = 180.0 if spread >= 1 else math.degrees(math.asin(spread))
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
    sized = [_sized(p, query.capacity) for p in providers]
    provenance = np.array([PROVENANCES.index(s[1]) for s in sized], dtype=np.int64)
    problem = Problem(
        zones=[c.zone for c in cells],
        needs=[c.need for c in cells],
        demand=[c.people for c in cells],
        people=demand,
        capacity=np.array([s[0] or 0 for s in sized], dtype=float),
        actor=np.array(
            [actors.setdefault(p.actor, len(actors)) for p in providers], dtype=np.int64
        ),
        describe=lambda j: (
            providers[j].service,
            providers[j].name,
            providers[j].actor,
            *sized[j],
        ),
        pair_prov=prov,
        pair_cell=cell,
        pair_weight=weight,
        outside=outside if outside.any() else None,
        provenance=provenance,
        skipped=data.skipped,
    )
    return problem.rows(query)


def _sized(provider: Provider, mode: str) -> tuple[int | float | None, str]:
    """(capacity, provenance) of a provider under the query's capacity mode."""
    provenance = provenance_of(provider.capacity, provider.provenance)
    if provider.capacity is None and mode == ESTIMATED:
        places = default_places().get(provider.type or "")
        if places is not None:
            return places, ESTIMATED
    return provider.capacity, "unknown" if provider.capacity is None else provenance


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
    reach = query.reach_km
    for need, js in provs_by_need.items():
        ids = cells_by_need.get(need)
        if not ids:
            continue
        near = [providers[j] for j in js]
        there = [every[i] for i in ids]
        pj, ci, distances = pairs_within_km(
            np.array([p.lat for p in near], dtype=float),
            np.array([p.lon for p in near], dtype=float),
            np.array([c.lat for c in there], dtype=float),
            np.array([c.lon for c in there], dtype=float),
            reach,
        )
        weight = distance_weights(distances, query.method, query.bands, query.params)
        live = weight > 0
        found_p.append(np.asarray(js, dtype=np.int64)[pj[live]])
        found_c.append(np.asarray(ids, dtype=np.int64)[ci[live]])
        found_w.append(weight[live])
    if not found_p:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, np.empty(0)
    prov, cell, weight = np.concatenate(found_p), np.concatenate(found_c), np.concatenate(found_w)
    if query.method == THREE_SFCA:
        weight = weight * selection_weights(cell, weight, len(every))
        live = weight > 0
        prov, cell, weight = prov[live], cell[live], weight[live]
    return prov, cell, weight


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
    index = gapindex.current(store)
    if index is not None and query.zone in index.zone_index:  # else made since: fetch
        if query.method == CATCHMENT:
            return index.problem(query).rows(query)
        return index.distance_problem(query).rows(query)
    return compute(fetch(store, query), query)
