"""The arrays of the gap arithmetic, kept in memory between requests (issue 9, P4).

`current(store)` gives the `GapIndex` of the store's graph: every demand cell (zone x need),
every provider (service x need it meets, DESIGN §4) and every (provider, cell) pair of the
declared catchments, as flat numpy arrays sorted both ways (by provider and by cell), built
with a constant number of round trips (six queries, with a version check before and after)
and rebuilt only when the graph has changed.
`GapIndex.problem(query)` then cuts a zone's sub-problem out of them in numpy, for
`graphsvc.core.gaps.Problem`: a national report is a few bincounts and sorts, not a fetch.

**Knowing when the graph changed** (issue 22). The version is graphsvc's own
(graphsvc.store.versions): every write query names the aggregates it changes, and the store
appends to their change logs in the same transaction as the write, whichever process sends it.
The index is keyed on the aggregates gaps depend on (`GAP_AGGREGATES`: zones, demand, types,
supply, plans, and `*` for a write that says nothing), so a referral moving, a patient
registered or a plan note leaves it as it is (one round trip to see that). A write to services
names the services: the index re-reads only those (two queries) and, when their providers
(service x need x actor) are the same as before, updates a copy: capacity, status and name in
place, and when their covered zones changed, the catchment pairs again in numpy from the
coverage it holds (no database read); anything else (a service added or gone, another type, a
zone, a need record, a need type, a plan) rebuilds it whole (six queries). A refresh reads the
version before and after and goes on from there if a write came in between (a re-read is
idempotent), so a snapshot is never labelled with a version it does not reflect. If its
queries fail (the read timeout on a very large graph), the request is answered from Cypher.

Writes that bypass graphsvc (another client on the same server) are not seen until the server
restarts (the version holds its run id).

Stores that keep no change logs (Neo4j, for now: `Store.version()` is None) get `None`: the
caller then fetches the zone's data with Cypher (graphsvc.core.gaps.fetch), as before.
"""

from __future__ import annotations

import dataclasses
import threading
import weakref
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from graphsvc.core.capacity import ESTIMATED, default_places, provenance_of
from graphsvc.core.coverage import pairs_within_km
from graphsvc.core.gaprows import PROVENANCES, SCENARIO_STATUSES, GapQuery, Problem
from graphsvc.core.methods import THREE_SFCA, distance_weights
from graphsvc.errors import InputError, QueryFailed
from graphsvc.gcpause import gc_paused
from graphsvc.store import Store
from graphsvc.store.versions import Version, changed_keys

KEPT_STATUSES = ("active", "planned")  # the statuses of every scenario (gaps.SCENARIO_STATUSES)
REFRESH_QUERIES = 6  # named queries of a rebuild (plus a version check before and after)
UPDATE_QUERIES = 2  # named queries of an update of some services (plus the change log read)
GAP_AGGREGATES = ("*", "zones", "demand", "types", "supply", "plans")
UPDATED_IN_PLACE = {"supply"}  # by the keys of the change log; any other: rebuild
_LOCK = threading.Lock()
_INDEXES: weakref.WeakKeyDictionary[Any, dict[str, GapIndex]] = weakref.WeakKeyDictionary()
_BUILDING: dict[tuple[int, str], threading.Lock] = {}


def version(store: Store) -> Version | None:
    """graphsvc's version of what gaps depend on (module docstring), or None where unknown."""
    asked = getattr(store, "version", None)
    if asked is None:
        return None
    try:
        return asked(GAP_AGGREGATES)
    except Exception:  # a store that cannot tell: answer from Cypher
        return None


def current(store: Store) -> GapIndex | None:
    """The up-to-date index of the store's graph (refreshed if a write came since), or None."""
    token = version(store)
    if token is None:
        return None
    connection, graph = store.connection, store._graph.name  # type: ignore[attr-defined]
    with _LOCK:
        indexes = _INDEXES.setdefault(connection, {})
        found = indexes.get(graph)
        building = _BUILDING.setdefault((id(connection), graph), threading.Lock())
    if found is not None and found.version == token:
        return found
    with building:  # one refresh at a time per graph; the others wait and take it
        found = indexes.get(graph)
        for _ in range(3):
            if found is not None and found.version == token:
                indexes[graph] = found
                return found
            try:
                found = refresh(store, found, token)
            except QueryFailed:  # e.g. the read timeout on a very large graph
                return None  # answer from Cypher this time
            after = version(store)
            if after is None:
                return None
            # a write came in between: found stays labelled `token`, the next turn applies
            # what came since (re-reading what changed is idempotent)
            token = after
        if found is not None and found.version == token:
            indexes[graph] = found
            return found
        return None  # the graph keeps changing: answer from Cypher this time


def refresh(store: Store, found: GapIndex | None, token: Version) -> GapIndex:
    """The index at version `token`: `found` as it is, updated, or rebuilt whole."""
    if found is None or found.version[0] != token[0]:
        return GapIndex.build(store, token)
    old, new = found.version[1], token[1]
    moved = {a: (old.get(a, 0), n) for a, n in new.items() if n != old.get(a, 0)}
    if not moved:
        return dataclasses.replace(found, version=token)
    if any(n < o for o, n in moved.values()) or set(moved) - UPDATED_IN_PLACE:
        return GapIndex.build(store, token)
    keys = changed_keys(store.changes(moved))
    services = keys.get("supply", set())
    if services is None:
        return GapIndex.build(store, token)
    updated = found.with_services(store, sorted(services), token)
    return updated if updated is not None else GapIndex.build(store, token)


def _ranges(starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """The concatenation of arange(starts[i], ends[i]) for every i."""
    lengths = ends - starts
    total = int(lengths.sum())
    if not total:
        return np.empty(0, dtype=np.int64)
    offsets = np.cumsum(lengths) - lengths
    return np.arange(total, dtype=np.int64) - np.repeat(offsets - starts, lengths)


@dataclass
class GapIndex:
    """Cells, providers and catchment pairs of one graph at one version (see the module)."""

    version: Version
    zone_ids: list[str]  # sorted
    zone_index: dict[str, int]
    tin: np.ndarray  # zone -> position in a depth-first walk of the PART_OF tree
    tout: np.ndarray  # zone -> end (exclusive) of its subtree's positions
    need_codes: list[str]  # sorted
    cell_zone: np.ndarray  # cells sorted by (zone id, need code)
    cell_need: np.ndarray
    cell_people: np.ndarray  # float
    cell_demand: np.ndarray  # people as stored (int64 unless some are fractional)
    service_ids: list[str]  # providers sorted by (need, service, actor)
    names: list[str]
    actor_ids: list[str]
    prov_actor: np.ndarray  # actor number
    prov_need: np.ndarray
    prov_capacity: np.ndarray  # float (0 where unknown)
    prov_capacity_raw: list[int | None]  # None: unknown
    prov_provenance: np.ndarray  # index into gaps.PROVENANCES
    prov_default: np.ndarray  # float: the default places of its type, NaN if the table has none
    prov_status: np.ndarray  # index into KEPT_STATUSES
    prov_dropped: np.ndarray  # bool
    zone_lat: np.ndarray  # float per zone, NaN where unknown
    zone_lon: np.ndarray
    prov_lat: np.ndarray  # float per provider (its actor's), NaN where unknown
    prov_lon: np.ndarray
    prov_start: np.ndarray  # provider p's cells: by_prov_cell[prov_start[p]:prov_start[p+1]]
    by_prov_cell: np.ndarray
    cell_start: np.ndarray  # cell c's providers: by_cell_prov[cell_start[c]:cell_start[c+1]]
    by_cell_prov: np.ndarray
    type_needs: dict[str, list[str]] = field(default_factory=dict)  # for updates
    covers: dict[str, list[int]] = field(default_factory=dict)  # service -> outermost zones
    by_service: dict[str, list[int]] = field(default_factory=dict)  # service -> providers

    @property
    def pairs(self) -> int:
        return len(self.by_prov_cell)

    @classmethod
    def build(cls, store: Store, token: Version) -> GapIndex:
        """Read the graph in six queries and lay it out as arrays."""
        with gc_paused():  # millions of small objects parsed: no collection passes meanwhile
            return cls._build(store, token)

    @classmethod
    def _build(cls, store: Store, token: Version) -> GapIndex:
        statuses = list(KEPT_STATUSES)
        tree = store.run("list_zone_tree")
        need_rows = store.run("list_every_need_cell")
        service_rows = store.run("list_every_service", statuses=statuses)
        coverage_rows = store.run("list_every_service_coverage", statuses=statuses)
        [dropped_row] = store.run("list_dropped_services") or [{"services": []}]
        type_rows = store.run("list_type_needs")

        zone_ids = sorted(r["id"] for r in tree)
        zone_index = {z: i for i, z in enumerate(zone_ids)}
        tin, tout = _walk(zone_ids, zone_index, {r["id"]: r["parent"] for r in tree})

        need_codes = sorted({r["need"] for r in need_rows} | {n for r in type_rows
                                                              for n in r["needs"]})  # fmt: skip
        need_index = {n: i for i, n in enumerate(need_codes)}
        zones, needs, people = [], [], []
        for r in need_rows:
            zones.extend(zone_index[z] for z in r["zones"])
            needs.extend([need_index[r["need"]]] * len(r["zones"]))
            people.extend(p or 0 for p in r["people"])
        cell_zone = np.array(zones, dtype=np.int64)
        cell_need = np.array(needs, dtype=np.int64)
        demand = np.array(people) if people else np.empty(0, dtype=np.int64)
        order = np.lexsort((cell_need, cell_zone))
        cell_zone, cell_need, demand = cell_zone[order], cell_need[order], demand[order]

        met = {r["type"]: r["needs"] for r in type_rows}
        dropped = set(dropped_row["services"] or ())
        offered: dict[tuple[str, str], dict[str, Any]] = {}
        for r in service_rows:
            entry = offered.setdefault((r["service"], r["actor"]), {**r, "needs": set()})
            entry["needs"].update(met.get(r["type"], ()))
        providers = sorted(
            (need_index[n], service, actor)
            for (service, actor), entry in offered.items()
            for n in entry["needs"]
        )
        service_ids = [s for _, s, _ in providers]
        actor_ids = [a for _, _, a in providers]
        entries = [offered[(s, a)] for _, s, a in providers]
        actor_number: dict[str, int] = {}
        prov_need = np.array([n for n, _, _ in providers], dtype=np.int64)
        capacity_raw = [e["capacity"] for e in entries]
        table = default_places()
        covers = _outermost(coverage_rows, zone_index, tin, tout)

        by_service: dict[str, list[int]] = {}
        for p, service in enumerate(service_ids):
            by_service.setdefault(service, []).append(p)
        prov_start, by_prov_cell, cell_start, by_cell_prov = _pairs(
            service_ids, covers, prov_need, cell_zone, cell_need, tin, tout
        )
        return cls(
            version=token,
            zone_ids=zone_ids,
            zone_index=zone_index,
            tin=tin,
            tout=tout,
            need_codes=need_codes,
            cell_zone=cell_zone,
            cell_need=cell_need,
            cell_people=demand.astype(float),
            cell_demand=demand,
            service_ids=service_ids,
            names=[e["name"] for e in entries],
            actor_ids=actor_ids,
            prov_actor=np.array(
                [actor_number.setdefault(a, len(actor_number)) for a in actor_ids], dtype=np.int64
            ),
            prov_need=prov_need,
            prov_capacity=np.array([c or 0 for c in capacity_raw], dtype=float),
            prov_capacity_raw=capacity_raw,
            prov_provenance=np.array(
                [
                    PROVENANCES.index(provenance_of(e["capacity"], e.get("provenance")))
                    if e["capacity"] is not None
                    else 2
                    for e in entries
                ],
                dtype=np.int64,
            ),
            prov_default=np.array([table.get(e["type"], np.nan) for e in entries], dtype=float),
            prov_status=np.array(
                [KEPT_STATUSES.index(e["status"]) for e in entries], dtype=np.int64
            ),
            prov_dropped=np.array([s in dropped for s in service_ids], dtype=bool),
            zone_lat=_floats(tree, "lat", zone_index),
            zone_lon=_floats(tree, "lon", zone_index),
            prov_lat=np.array([_float(e.get("lat")) for e in entries], dtype=float),
            prov_lon=np.array([_float(e.get("lon")) for e in entries], dtype=float),
            prov_start=prov_start,
            by_prov_cell=by_prov_cell,
            cell_start=cell_start,
            by_cell_prov=by_cell_prov,
            type_needs=met,
            covers=covers,
            by_service=by_service,
        )

    def with_services(self, store: Store, ids: list[str], token: Version) -> GapIndex | None:
        """A copy at `token` with these services re-read (two queries): capacity, status and
        name in place, their catchments again when their covered zones changed; None when a
        provider was added or is gone (rebuild instead)."""
        if not ids:
            return dataclasses.replace(self, version=token)
        statuses = list(KEPT_STATUSES)
        rows = store.run("list_services_by_id", ids=ids, statuses=statuses)
        cover_rows = store.run("list_service_coverage_by_id", ids=ids, statuses=statuses)
        need_index = {n: i for i, n in enumerate(self.need_codes)}
        covers = _outermost(cover_rows, self.zone_index, self.tin, self.tout)
        fresh: dict[str, dict[str, Any]] = {}
        offered: dict[str, set[tuple[int, str]]] = {s: set() for s in ids}
        for r in rows:
            fresh.setdefault(r["service"], r)
            for n in self.type_needs.get(r["type"], ()):
                if n not in need_index:
                    return None
                offered[r["service"]].add((need_index[n], r["actor"]))
        moved = False
        for service in ids:
            before = self.by_service.get(service, [])
            was = {(int(self.prov_need[p]), self.actor_ids[p]) for p in before}
            if was != offered[service]:
                return None  # a provider added or gone: rebuild
            moved |= covers.get(service, []) != self.covers.get(service, [])
        pairs: dict[str, Any] = {}
        if moved:  # the same providers, other zones: their catchments again, in numpy
            kept = {**self.covers, **{s: covers.get(s, []) for s in ids}}
            pairs = dict(covers={s: z for s, z in kept.items() if z}, **dict(zip(
                ("prov_start", "by_prov_cell", "cell_start", "by_cell_prov"),
                _pairs(self.service_ids, kept, self.prov_need, self.cell_zone, self.cell_need,
                       self.tin, self.tout), strict=True)))  # fmt: skip
        capacity, raw = self.prov_capacity.copy(), list(self.prov_capacity_raw)
        status, names = self.prov_status.copy(), list(self.names)
        for service, r in fresh.items():
            for p in self.by_service.get(service, []):
                raw[p] = r["capacity"] or 0
                capacity[p] = float(raw[p])
                status[p] = KEPT_STATUSES.index(r["status"])
                names[p] = r["name"]
        return dataclasses.replace(
            self, version=token, prov_capacity=capacity, prov_capacity_raw=raw,
            prov_status=status, names=names, **pairs,
        )  # fmt: skip

    def problem(self, query: GapQuery) -> Problem:
        """The sub-problem of query.zone as a gaps.Problem: its cells, the providers reaching
        them (of the query's scenario) with their whole catchments, and the pairs."""
        root = self.zone_index[query.zone]
        where = self.tin[self.cell_zone]
        inside = (where >= self.tin[root]) & (where < self.tout[root])
        if query.needs is not None:
            wanted = np.zeros(len(self.need_codes), dtype=bool)
            wanted[[self.need_codes.index(n) for n in query.needs if n in self.need_codes]] = True
            inside &= wanted[self.cell_need]
        own = np.flatnonzero(inside)
        allowed = np.isin(np.array(KEPT_STATUSES), SCENARIO_STATUSES[query.scenario])
        counted = allowed[self.prov_status] & ~self.prov_dropped
        # pairs on the zone's cells, by (cell, provider): the arithmetic's second step
        lengths = self.cell_start[own + 1] - self.cell_start[own]
        positions = _ranges(self.cell_start[own], self.cell_start[own + 1])
        own_prov = self.by_cell_prov[positions]
        own_cell = np.repeat(np.arange(len(own), dtype=np.int64), lengths)
        keep = counted[own_prov]
        own_prov, own_cell = own_prov[keep], own_cell[keep]
        reaching = np.zeros(len(self.service_ids), dtype=bool)
        reaching[own_prov] = True
        involved = np.flatnonzero(reaching)
        local = np.full(len(self.service_ids), -1, dtype=np.int64)
        local[involved] = np.arange(len(involved))
        # their whole catchments, inside the zone or not: the first step's demand
        lengths = self.prov_start[involved + 1] - self.prov_start[involved]
        cells = self.by_prov_cell[_ranges(self.prov_start[involved],
                                          self.prov_start[involved + 1])]  # fmt: skip
        provs = np.repeat(np.arange(len(involved), dtype=np.int64), lengths)
        cell_local = np.full(len(self.cell_zone), -1, dtype=np.int64)
        cell_local[own] = np.arange(len(own))
        mapped = cell_local[cells]
        if (mapped < 0).any():
            others = np.unique(cells[mapped < 0])
            cell_local[others] = len(own) + np.arange(len(others))
            mapped = cell_local[cells]
            every = np.concatenate([own, others])
        else:
            every = own
        zone_ids, need_codes = self.zone_ids, self.need_codes
        capacity, provenance = self._capacities(involved, query.capacity)
        return Problem(
            zones=[zone_ids[z] for z in self.cell_zone[own].tolist()],
            needs=[need_codes[n] for n in self.cell_need[own].tolist()],
            demand=self.cell_demand[own].tolist(),
            people=self.cell_people[every],
            capacity=capacity,
            actor=self.prov_actor[involved],
            describe=lambda j: self._describe(int(involved[j]), query.capacity),
            pair_prov=provs,
            pair_cell=mapped,
            own_pairs=(local[own_prov], own_cell),
            provenance=provenance,
        )

    def _capacities(self, involved: np.ndarray, mode: Any) -> tuple[np.ndarray, np.ndarray]:
        """Capacity and provenance of the involved providers; with ESTIMATED, unknown
        capacities (provenance 2) filled from the default table and marked estimated (1)."""
        capacity = self.prov_capacity[involved]
        provenance = self.prov_provenance[involved]
        if mode == ESTIMATED:
            fill = (provenance == 2) & ~np.isnan(self.prov_default[involved])
            capacity = np.where(fill, self.prov_default[involved], capacity)
            provenance = np.where(fill, 1, provenance)
        return capacity, provenance

    def distance_problem(self, query: GapQuery) -> Problem:
        """The sub-problem of query.zone for a distance method (graphsvc.core.methods), from
        the coordinates kept here: the providers within reach of the zone's cells, every
        cell within reach of those (their whole catchments) and, for 3SFCA, every provider
        within reach of those cells (the selection weights). Exact: no search box."""
        own = self._own_cells(query)
        lat, lon = self.zone_lat[self.cell_zone], self.zone_lon[self.cell_zone]
        unplaced = own[np.isnan(lat[own]) | np.isnan(lon[own])]
        if len(unplaced):
            raise InputError([f"zone {z!r} has no coordinates: the distance method needs lat/lon"
                              for z in sorted({self.zone_ids[self.cell_zone[c]]
                                               for c in unplaced.tolist()})])  # fmt: skip
        counted = self._counted(query)
        placed = ~(np.isnan(self.prov_lat) | np.isnan(self.prov_lon))
        cell_placed = ~(np.isnan(lat) | np.isnan(lon))
        reach = query.reach_km
        provs, cells, weights = [], [], []
        skipped: dict[str, int] = {}
        for n in np.unique(self.cell_need[own]).tolist():
            of_need = counted & (self.prov_need == n)
            lost = int((of_need & ~placed).sum())
            if lost:
                skipped[self.need_codes[n]] = lost
            pool = np.flatnonzero(of_need & placed)
            need_cells = np.flatnonzero((self.cell_need == n) & cell_placed)
            mine = own[self.cell_need[own] == n]

            def near(ps: np.ndarray, cs: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
                i, j, d = pairs_within_km(self.prov_lat[ps], self.prov_lon[ps], lat[cs],
                                          lon[cs], reach)  # fmt: skip
                w = distance_weights(d, query.method, query.bands, query.params)
                live = w > 0
                return ps[i[live]], cs[j[live]], w[live]

            reaching, _, _ = near(pool, mine)
            p, c, w = near(np.unique(reaching), need_cells)
            if query.method == THREE_SFCA:  # G over every provider of each of those cells
                _, c3, w3 = near(pool, np.unique(c))
                total = np.zeros(len(self.cell_zone))
                np.add.at(total, c3, w3)
                w = w * np.divide(w, total[c], out=np.zeros(len(w)), where=total[c] > 0)
                live = w > 0
                p, c, w = p[live], c[live], w[live]
            provs.append(p)
            cells.append(c)
            weights.append(w)
        pair_prov = np.concatenate(provs) if provs else np.empty(0, dtype=np.int64)
        pair_cell = np.concatenate(cells) if cells else np.empty(0, dtype=np.int64)
        pair_weight = np.concatenate(weights) if weights else np.empty(0)
        involved = np.unique(pair_prov)
        local = np.full(len(self.service_ids), -1, dtype=np.int64)
        local[involved] = np.arange(len(involved))
        cell_local = np.full(len(self.cell_zone), -1, dtype=np.int64)
        cell_local[own] = np.arange(len(own))
        others = np.setdiff1d(np.unique(pair_cell), own)
        cell_local[others] = len(own) + np.arange(len(others))
        every = np.concatenate([own, others])
        return self._problem(query, own, every, involved, local[pair_prov],
                             cell_local[pair_cell], pair_weight, skipped)  # fmt: skip

    def _own_cells(self, query: GapQuery) -> np.ndarray:
        root = self.zone_index[query.zone]
        where = self.tin[self.cell_zone]
        inside = (where >= self.tin[root]) & (where < self.tout[root])
        if query.needs is not None:
            wanted = np.zeros(len(self.need_codes), dtype=bool)
            wanted[[self.need_codes.index(n) for n in query.needs if n in self.need_codes]] = True
            inside &= wanted[self.cell_need]
        return np.flatnonzero(inside)

    def _counted(self, query: GapQuery) -> np.ndarray:
        allowed = np.isin(np.array(KEPT_STATUSES), SCENARIO_STATUSES[query.scenario])
        return allowed[self.prov_status] & ~self.prov_dropped

    def _problem(
        self,
        query: GapQuery,
        own: np.ndarray,
        every: np.ndarray,
        involved: np.ndarray,
        pair_prov: np.ndarray,
        pair_cell: np.ndarray,
        pair_weight: np.ndarray | None,
        skipped: dict[str, int],
    ) -> Problem:
        capacity, provenance = self._capacities(involved, query.capacity)
        zone_ids, need_codes = self.zone_ids, self.need_codes
        return Problem(
            zones=[zone_ids[z] for z in self.cell_zone[own].tolist()],
            needs=[need_codes[n] for n in self.cell_need[own].tolist()],
            demand=self.cell_demand[own].tolist(),
            people=self.cell_people[every],
            capacity=capacity,
            actor=self.prov_actor[involved],
            describe=lambda j: self._describe(int(involved[j]), query.capacity),
            pair_prov=pair_prov,
            pair_cell=pair_cell,
            pair_weight=pair_weight,
            provenance=provenance,
            skipped=skipped,
        )

    def _describe(self, p: int, mode: str) -> tuple[str, str, str, int | float | None, str]:
        capacity = self.prov_capacity_raw[p]
        provenance = PROVENANCES[int(self.prov_provenance[p])]
        if capacity is None and mode == ESTIMATED and not np.isnan(self.prov_default[p]):
            return self.service_ids[p], self.names[p], self.actor_ids[p], \
                float(self.prov_default[p]), ESTIMATED  # fmt: skip
        return self.service_ids[p], self.names[p], self.actor_ids[p], capacity, provenance


def _float(value: Any) -> float:
    return float(value) if value is not None else np.nan


def _floats(rows: list[dict], key: str, index: dict[str, int]) -> np.ndarray:
    found = np.full(len(index), np.nan)
    for r in rows:
        found[index[r["id"]]] = _float(r.get(key))
    return found


def _pairs(
    service_ids: list[str],
    covers: dict[str, list[int]],
    prov_need: np.ndarray,
    cell_zone: np.ndarray,
    cell_need: np.ndarray,
    tin: np.ndarray,
    tout: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The (provider, cell) catchment pairs, both ways: prov_start, by_prov_cell, cell_start,
    by_cell_prov (see GapIndex)."""
    # for each (provider, outermost covered zone), the cells of the provider's need whose
    # zone lies in that zone's subtree: a range of cells sorted by (need, tin)
    n_zones = max(len(tin), 1)
    key = cell_need * n_zones + tin[cell_zone] if len(cell_zone) else cell_zone
    by_key = np.argsort(key, kind="stable")
    sorted_key = key[by_key]
    span_prov, span_zone = [], []
    for p, service in enumerate(service_ids):
        for z in covers.get(service, ()):
            span_prov.append(p)
            span_zone.append(z)
    span_prov_a = np.array(span_prov, dtype=np.int64)
    span_zone_a = np.array(span_zone, dtype=np.int64)
    base = prov_need[span_prov_a] * n_zones if len(span_prov_a) else span_prov_a
    lo = np.searchsorted(sorted_key, base + tin[span_zone_a]) if len(base) else base
    hi = np.searchsorted(sorted_key, base + tout[span_zone_a]) if len(base) else base
    positions = _ranges(lo, hi)
    pair_prov = np.repeat(span_prov_a, hi - lo)
    pair_cell = by_key[positions] if len(positions) else positions
    n_cells, n_provs = len(cell_zone), len(service_ids)
    # pairs come grouped by provider already (spans in provider order); within one the
    # order does not matter: its demand is a sum of whole people
    by_prov_cell = pair_cell.astype(np.int32)  # int32: half the memory
    prov_start = np.searchsorted(pair_prov, np.arange(n_provs + 1))
    by_cell = np.sort(pair_cell * max(n_provs, 1) + pair_prov)
    by_cell_prov = (by_cell % max(n_provs, 1)).astype(np.int32)
    cell_start = np.searchsorted(by_cell // max(n_provs, 1), np.arange(n_cells + 1))
    return prov_start, by_prov_cell, cell_start, by_cell_prov


def _walk(
    zone_ids: list[str], zone_index: dict[str, int], parent: dict[str, str | None]
) -> tuple[np.ndarray, np.ndarray]:
    """Depth-first positions: zone z's subtree is the zones with tin in [tin[z], tout[z])."""
    children: list[list[int]] = [[] for _ in zone_ids]
    roots = []
    for z, i in zone_index.items():
        up = parent.get(z)
        if up is not None and up in zone_index:
            children[zone_index[up]].append(i)
        else:
            roots.append(i)
    tin = np.zeros(len(zone_ids), dtype=np.int64)
    tout = np.zeros(len(zone_ids), dtype=np.int64)
    clock = 0
    for root in roots:
        stack = [(root, False)]
        while stack:
            z, done = stack.pop()
            if done:
                tout[z] = clock
                continue
            tin[z] = clock
            clock += 1
            stack.append((z, True))
            stack.extend((c, False) for c in children[z])
    return tin, tout


def _outermost(
    rows: list[dict], zone_index: dict[str, int], tin: np.ndarray, tout: np.ndarray
) -> dict[str, list[int]]:
    """Per service, the zones it covers that no other zone it covers contains (a zone and its
    part would otherwise count the part's people twice)."""
    covered: dict[str, list[int]] = {}
    for r in rows:
        z = zone_index.get(r["zone"])
        if z is not None:
            covered.setdefault(r["service"], []).append(z)
    result = {}
    for service, zones in covered.items():
        if len(zones) == 1:
            result[service] = zones
            continue
        kept: list[int] = []
        for z in sorted(set(zones), key=lambda z: (tin[z], -tout[z])):
            if kept and tin[z] < tout[kept[-1]]:
                continue  # inside the last kept zone
            kept.append(z)
        result[service] = kept
    return result
