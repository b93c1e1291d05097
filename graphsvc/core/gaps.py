"""Service gaps of a zone: coverage per (zone, need) by declared catchment or by distance.

Fetches the demand cells of the zone and the services reaching them in a constant number of
round trips (two for the catchment method, three for the distance method), then computes
with numpy (graphsvc.core.coverage). A cell is a zone that records a need (HAS_NEED people);
a larger zone's coverage is the demand-weighted mean of its cells.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

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
    floating_catchment,
    haversine_km,
    status_of,
)
from graphsvc.core.directory import require_zone
from graphsvc.errors import InputError, NotFound
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


@dataclass(frozen=True)
class GapRow:
    """Coverage of one need in one zone. `ratio` is places per person in need."""

    zone: str
    need: str
    demand: int
    supply: float
    ratio: float
    status: str
    providers: int
    contributions: tuple[Contribution, ...]
    rollup: bool = False
    worst_parts: tuple[tuple[str, float, str], ...] = ()


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
    """The cells of the zone and the providers reaching them, in constant round trips."""
    needs = list(query.needs) if query.needs is not None else None
    cells = [Cell(r["zone"], r["need"], r["people"] or 0, r["lat"], r["lon"])
             for r in store.run("list_need_cells", zone=query.zone, needs=needs)]  # fmt: skip
    if query.method == CATCHMENT:
        rows = store.run("list_catchment_services", zone=query.zone, needs=needs,
                         statuses=list(SCENARIO_STATUSES[query.scenario]))  # fmt: skip
        providers = [_catchment_provider(r) for r in rows]
        return CoverageInput(cells, providers, catchment_cells(providers))
    return _fetch_by_distance(store, cells, query.bands[-1].upper, query.scenario)


def catchment_cells(providers: Iterable[Provider]) -> dict[tuple[str, str], Cell]:
    """Every cell of the providers' catchments: those outside the zone still share R_j."""
    return {(zone, p.need): Cell(zone, p.need, people)
            for p in providers for zone, people in p.catchment.items()}  # fmt: skip


def _catchment_provider(row: Row) -> Provider:
    catchment = {c["zone"]: c["people"] or 0 for c in row["catchment"]}
    return Provider(row["service"], row["name"], row["actor"], row["capacity"] or 0,
                    row["need"], catchment=catchment)  # fmt: skip


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
    """Gap rows for the zone: a roll-up per need, then (optionally) one row per cell."""
    by_need: dict[str, list[Cell]] = defaultdict(list)
    for cell in data.cells:
        by_need[cell.need].append(cell)
    providers_by_need: dict[str, list[Provider]] = defaultdict(list)
    for provider in data.providers:
        providers_by_need[provider.need].append(provider)
    rollups: list[GapRow] = []
    parts: list[GapRow] = []
    for need in sorted(by_need):
        cells = by_need[need]
        rows = _need_rows(need, cells, providers_by_need[need], data.outside, query)
        only_the_zone = len(cells) == 1 and cells[0].zone == query.zone
        if only_the_zone:
            parts.extend(rows)
            continue
        rollups.append(_rollup(query.zone, need, rows, query.thresholds))
        if query.include_parts:
            parts.extend(rows)
    result = rollups + sorted(parts, key=lambda r: (r.zone, r.need))
    if query.statuses is not None:
        result = [r for r in result if r.status in query.statuses]
    return result


def _need_rows(
    need: str,
    cells: list[Cell],
    providers: list[Provider],
    outside: dict[tuple[str, str], Cell],
    query: GapQuery,
) -> list[GapRow]:
    inside = {c.zone for c in cells}
    extra = sorted(c.zone for (z, n), c in outside.items() if n == need and z not in inside)
    all_cells = cells + [outside[(z, need)] for z in extra]
    demand = np.array([c.people for c in all_cells], dtype=float)
    supply = np.array([p.capacity for p in providers], dtype=float)
    weights = _weights(providers, all_cells, query)
    ratio, access = floating_catchment(supply, demand, weights)
    rows = []
    for i, cell in enumerate(cells):
        contributions = tuple(
            Contribution(p.service, p.name, p.actor, p.capacity, float(weights[j, i]),
                         float(cell.people * ratio[j] * weights[j, i]))
            for j, p in enumerate(providers) if weights[j, i] > 0 and ratio[j] > 0
        )  # fmt: skip
        rows.append(_row(cell.zone, need, cell.people, float(access[i]), contributions,
                         query.thresholds))  # fmt: skip
    return rows


def _weights(providers: list[Provider], cells: list[Cell], query: GapQuery) -> np.ndarray:
    if not providers or not cells:
        return np.zeros((len(providers), len(cells)))
    if query.method == CATCHMENT:
        index = {c.zone: i for i, c in enumerate(cells)}
        weights = np.zeros((len(providers), len(cells)))
        for j, provider in enumerate(providers):
            for zone in provider.catchment:
                if zone in index:
                    weights[j, index[zone]] = 1.0
        return weights
    distances = haversine_km(
        np.array([p.lat for p in providers], dtype=float),
        np.array([p.lon for p in providers], dtype=float),
        np.array([c.lat for c in cells], dtype=float),
        np.array([c.lon for c in cells], dtype=float),
    )
    return band_weights(distances, query.bands)


def _row(
    zone: str,
    need: str,
    demand: int,
    ratio: float,
    contributions: tuple[Contribution, ...],
    thresholds: Thresholds,
    rollup: bool = False,
    worst: tuple[tuple[str, float, str], ...] = (),
) -> GapRow:
    providers = len({c.actor for c in contributions})
    ordered = tuple(sorted(contributions, key=lambda c: (-c.places, c.service)))
    return GapRow(zone, need, demand, demand * ratio, ratio, status_of(ratio, providers,
                  thresholds), providers, ordered, rollup, worst)  # fmt: skip


def _rollup(zone: str, need: str, rows: list[GapRow], thresholds: Thresholds) -> GapRow:
    demand = sum(r.demand for r in rows)
    supply = sum(r.supply for r in rows)
    ratio = supply / demand if demand else 0.0
    merged: dict[str, Contribution] = {}
    for row in rows:
        for c in row.contributions:
            before = merged.get(c.service)
            places = c.places + (before.places if before else 0.0)
            merged[c.service] = Contribution(c.service, c.name, c.actor, c.capacity, c.weight,
                                             places)  # fmt: skip
    worst = tuple((r.zone, r.ratio, r.status)
                  for r in sorted(rows, key=lambda r: (r.ratio, r.zone))[:WORST_PARTS])  # fmt: skip
    return _row(zone, need, demand, ratio, tuple(merged.values()), thresholds, True, worst)


def zone_gaps(store: Store, zone_id: str, query: GapQuery | None = None) -> list[GapRow]:
    """Coverage rows of a zone (and its parts): checks arguments, fetches once, computes."""
    query = query or GapQuery(zone_id)
    require_zone(store, zone_id)
    check_needs(store, query.needs)
    return compute(fetch(store, query), query)
