"""The numpy floor of the gap arithmetic, on arrays read once from a bundle (no database).

`Arrays.from_bundle(folder)` holds every demand cell (finest zone x need), every provider
(active service x need it meets, DESIGN §4) and every (provider, cell) catchment pair as flat
numpy arrays. `national_report(arrays)` then does the whole gap report of graphsvc.core.gaps
for every cell at once: R_j, A_i, supply, distinct contributing actors, status, and the
demand-weighted roll-up to every ancestor zone. It is the floor that P4 compares against.

`coverage_input(arrays, zone)` builds the very `CoverageInput` that graphsvc.core.gaps.fetch
would return for a zone, from memory, so `gaps.compute` can be timed without the database.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bench.national import needs_met
from graphsvc.core import gaps
from graphsvc.core.coverage import Thresholds
from graphsvc.io.bundle_format import LIST_SEPARATOR

STATUS_NAMES = np.array(["MISSING", "UNDER", "COVERED", "OVER"])


def _rows(folder: Path, name: str) -> list[dict[str, str]]:
    with (folder / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _list(raw: str) -> list[str]:
    return [item for item in raw.split(LIST_SEPARATOR) if item]


@dataclass
class Arrays:
    """Cells, providers and catchment pairs of a whole bundle as flat arrays."""

    zone_ids: list[str]
    zone_parent: np.ndarray  # zone index -> parent zone index, -1 at the top
    need_codes: list[str]
    cell_zone: np.ndarray  # cell -> zone index
    cell_need: np.ndarray  # cell -> need index
    cell_people: np.ndarray  # float
    prov_service: list[str]
    prov_name: list[str]
    prov_actor_id: list[str]
    prov_actor: np.ndarray  # provider -> actor index
    prov_need: np.ndarray
    prov_capacity: np.ndarray  # float
    pair_prov: np.ndarray  # catchment pairs (provider, cell)
    pair_cell: np.ndarray

    @classmethod
    def from_bundle(cls, folder: Path) -> Arrays:
        zones = _rows(folder, "zones")
        zone_ids = [z["id"] for z in zones]
        zindex = {z: i for i, z in enumerate(zone_ids)}
        parent = np.array([zindex.get(z["part_of"], -1) for z in zones], dtype=np.int64)
        need_rows = [{**n, "met_by": _list(n["met_by"])} for n in _rows(folder, "need_types")]
        need_codes = [n["code"] for n in need_rows]
        nindex = {c: i for i, c in enumerate(need_codes)}
        zone_needs = _rows(folder, "zone_needs")
        cell_zone = np.array([zindex[r["zone"]] for r in zone_needs], dtype=np.int64)
        cell_need = np.array([nindex[r["need"]] for r in zone_needs], dtype=np.int64)
        people = np.array([int(r["people"] or 0) for r in zone_needs], dtype=float)
        cell_of = np.full((len(zone_ids), len(need_codes)), -1, dtype=np.int64)
        cell_of[cell_zone, cell_need] = np.arange(len(zone_needs))
        under = _zones_under(parent, set(cell_zone.tolist()))
        met = needs_met(_rows(folder, "service_types"), need_rows)
        actor_ids = [a["id"] for a in _rows(folder, "actors")]
        aindex = {a: i for i, a in enumerate(actor_ids)}
        services, names, actor_of, need_of, capacity, pp, pc = [], [], [], [], [], [], []
        for s in _rows(folder, "services"):
            if s["status"] != "active":
                continue
            covered = [zindex[z] for z in _list(s["covers"])]
            reach = np.unique(np.concatenate([under[z] for z in covered])) if covered else None
            for code in met[s["type"]]:
                cells = cell_of[reach, nindex[code]] if reach is not None else np.empty(0, int)
                cells = cells[cells >= 0]
                if not len(cells):
                    continue  # reaches nobody in need: never returned by the query either
                pp.append(np.full(len(cells), len(services), dtype=np.int64))
                pc.append(cells)
                services.append(s["id"])
                names.append(s["name"])
                actor_of.append(aindex[s["actor"]])
                need_of.append(nindex[code])
                capacity.append(int(s["capacity"] or 0))
        return cls(
            zone_ids,
            parent,
            need_codes,
            cell_zone,
            cell_need,
            people,
            services,
            names,
            [actor_ids[a] for a in actor_of],
            np.array(actor_of, dtype=np.int64),
            np.array(need_of, dtype=np.int64),
            np.array(capacity, dtype=float),
            np.concatenate(pp) if pp else np.empty(0, np.int64),
            np.concatenate(pc) if pc else np.empty(0, np.int64),
        )

    def cells_in(self, zone_id: str) -> np.ndarray:
        """Indices of the cells in a zone (the zone itself or any zone under it)."""
        target = self.zone_ids.index(zone_id)
        inside = np.zeros(len(self.zone_ids), dtype=bool)
        inside[target] = True
        for z in range(len(self.zone_ids)):
            node = z
            while node >= 0 and not inside[node]:
                node = self.zone_parent[node]
            if node >= 0:
                inside[z] = True
        return np.flatnonzero(inside[self.cell_zone])

    def restricted(self, zone_id: str) -> Arrays:
        """The sub-problem of one zone: providers reaching its cells, with whole catchments."""
        cells = self.cells_in(zone_id)
        mask = np.zeros(len(self.cell_zone), dtype=bool)
        mask[cells] = True
        provs = np.unique(self.pair_prov[mask[self.pair_cell]])
        keep = np.isin(self.pair_prov, provs)
        renumber = np.full(len(self.prov_service), -1, dtype=np.int64)
        renumber[provs] = np.arange(len(provs))
        pick = provs.tolist()
        return Arrays(
            self.zone_ids,
            self.zone_parent,
            self.need_codes,
            self.cell_zone,
            self.cell_need,
            self.cell_people,
            [self.prov_service[p] for p in pick],
            [self.prov_name[p] for p in pick],
            [self.prov_actor_id[p] for p in pick],
            self.prov_actor[provs],
            self.prov_need[provs],
            self.prov_capacity[provs],
            renumber[self.pair_prov[keep]],
            self.pair_cell[keep],
        )


def _zones_under(parent: np.ndarray, with_cells: set[int]) -> list[np.ndarray]:
    """For every zone, the indices of the zones at or under it that record needs."""
    under: list[list[int]] = [[] for _ in range(len(parent))]
    for z in sorted(with_cells):
        node = z
        while node >= 0:
            under[node].append(z)
            node = parent[node]
    return [np.array(u, dtype=np.int64) for u in under]


@dataclass
class Report:
    """Per cell: A, supply, actors, status; per (ancestor zone, need): the roll-up ratio."""

    access: np.ndarray
    supply: np.ndarray
    actors: np.ndarray
    status: np.ndarray
    rollup_key: np.ndarray  # ancestor zone index * needs + need index
    rollup_ratio: np.ndarray


def national_report(a: Arrays, thresholds: Thresholds | None = None) -> Report:
    """The whole gap arithmetic for every cell and every ancestor zone, vectorised."""
    t = thresholds or Thresholds()
    n_cells, n_provs = len(a.cell_zone), len(a.prov_capacity)
    demand = a.cell_people
    reached = np.bincount(a.pair_prov, weights=demand[a.pair_cell], minlength=n_provs)
    ratio = np.divide(a.prov_capacity, reached, out=np.zeros(n_provs), where=reached > 0)
    access = np.bincount(a.pair_cell, weights=ratio[a.pair_prov], minlength=n_cells)
    supply = demand * access
    live = ratio[a.pair_prov] > 0
    n_actors = int(a.prov_actor.max()) + 1 if n_provs else 1
    key = np.sort(a.pair_cell[live] * n_actors + a.prov_actor[a.pair_prov[live]])
    first = np.ones(len(key), dtype=bool)  # distinct (cell, actor): sort, not np.unique's hash
    first[1:] = key[1:] != key[:-1]
    actors = np.bincount(key[first] // n_actors, minlength=n_cells)
    status = np.select(
        [access <= 0, access < t.target, (access > t.overlap) & (actors >= 2)], [0, 1, 3], 2
    )
    size = len(a.zone_ids) * len(a.need_codes)  # roll-ups on a dense (zone, need) grid
    dem, sup = np.zeros(size), np.zeros(size)
    node = a.zone_parent[a.cell_zone]
    while (node >= 0).any():
        up = node >= 0
        key = node[up] * len(a.need_codes) + a.cell_need[up]
        dem += np.bincount(key, weights=demand[up], minlength=size)
        sup += np.bincount(key, weights=supply[up], minlength=size)
        node = np.where(up, a.zone_parent[np.maximum(node, 0)], -1)
    rollup_key = np.flatnonzero(dem > 0)
    rollup_ratio = sup[rollup_key] / dem[rollup_key]
    return Report(access, supply, actors, status, rollup_key, rollup_ratio)


def coverage_input(a: Arrays, zone_id: str) -> gaps.CoverageInput:
    """What `gaps.fetch(store, GapQuery(zone_id))` returns, built from memory."""
    sub = a.restricted(zone_id)
    inside = sub.cells_in(zone_id)
    cells = [
        gaps.Cell(a.zone_ids[a.cell_zone[c]], a.need_codes[a.cell_need[c]], int(a.cell_people[c]))
        for c in inside
    ]
    cells.sort(key=lambda c: (c.zone, c.need))
    catchments: dict[int, dict[str, int]] = defaultdict(dict)
    for p, c in zip(sub.pair_prov.tolist(), sub.pair_cell.tolist(), strict=True):
        catchments[p][a.zone_ids[a.cell_zone[c]]] = int(a.cell_people[c])
    providers = [
        gaps.Provider(
            sub.prov_service[p],
            sub.prov_name[p],
            sub.prov_actor_id[p],
            int(sub.prov_capacity[p]),
            a.need_codes[sub.prov_need[p]],
            catchment=catchments[p],
        )
        for p in range(len(sub.prov_service))
    ]
    providers.sort(key=lambda p: (p.need, p.service))
    return gaps.CoverageInput(cells, providers, gaps.catchment_cells(providers))


def max_difference(a: Arrays, report: Report, rows: list[gaps.GapRow]) -> float:
    """Largest |A| difference between graphsvc's cell rows and the floor (a sanity check)."""
    index = {
        (a.zone_ids[z], a.need_codes[n]): i
        for i, (z, n) in enumerate(zip(a.cell_zone.tolist(), a.cell_need.tolist(), strict=True))
    }
    worst = 0.0
    for row in rows:
        i = index.get((row.zone, row.need))
        if i is not None and not row.rollup:
            worst = max(worst, abs(row.ratio - float(report.access[i])))
    return worst
