"""What-if: the gaps that appear or close if actors or services are removed or a service is
added, computed on the fetched data without changing the database.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

from graphsvc.core.coverage import MISSING, UNDER
from graphsvc.core.directory import get_actors, get_zones, require_zone
from graphsvc.core.gaps import (
    CATCHMENT,
    CoverageInput,
    GapQuery,
    GapRow,
    Provider,
    catchment_cells,
    compute,
    fetch,
)
from graphsvc.core.overlaps import check_types
from graphsvc.errors import InputError, NotFound
from graphsvc.store import Store

GAPS = (MISSING, UNDER)


@dataclass(frozen=True)
class NewService:
    """A hypothetical service: its type, capacity and the zones it would cover."""

    type: str
    capacity: int
    covers: tuple[str, ...]
    actor: str = "new-actor"
    name: str = "new service"


@dataclass(frozen=True)
class WhatIfRow:
    """One (zone, need) whose coverage changes, before and after."""

    zone: str
    need: str
    demand: int
    ratio_before: float
    status_before: str
    ratio_after: float
    status_after: str
    rollup: bool

    @property
    def change(self) -> str:
        """APPEARS (a gap opens), CLOSES (a gap closes), WORSE or BETTER."""
        was_gap, is_gap = self.status_before in GAPS, self.status_after in GAPS
        if is_gap and not was_gap:
            return "APPEARS"
        if was_gap and not is_gap:
            return "CLOSES"
        return "WORSE" if self.ratio_after < self.ratio_before else "BETTER"


def what_if(
    store: Store,
    zone_id: str,
    remove_actors: Sequence[str] = (),
    remove_services: Sequence[str] = (),
    add_services: Sequence[NewService] = (),
    query: GapQuery | None = None,
) -> list[WhatIfRow]:
    """The rows of the zone whose ratio or status would change, gaps first."""
    query = replace(query or GapQuery(zone_id), include_parts=True, statuses=None)
    if query.method != CATCHMENT:
        raise InputError(["argument method: what-if uses the declared catchment method"])
    require_zone(store, zone_id)
    _check(store, remove_actors, remove_services, add_services)
    data = fetch(store, query)
    before = compute(data, query)
    providers = [p for p in data.providers
                 if p.actor not in remove_actors and p.service not in remove_services]  # fmt: skip
    providers += _added_providers(store, add_services)
    after = compute(CoverageInput(data.cells, providers, catchment_cells(providers)), query)
    return _changes(before, after)


def _check(store: Store, actors: list[str], services: list[str], added: list[NewService]) -> None:
    unknown = sorted(set(actors) - set(get_actors(store, list(actors))))
    if unknown:
        raise NotFound(f"argument removeActorIds: unknown actor(s) {', '.join(unknown)}")
    found = {r["id"] for r in store.run("get_services", ids=list(services))} if services else set()
    unknown = sorted(set(services) - found)
    if unknown:
        raise NotFound(f"argument removeServiceIds: unknown service(s) {', '.join(unknown)}")
    if not added:
        return
    problems = [f"argument addServices[{i}].capacity: {s.capacity} must not be negative"
                for i, s in enumerate(added) if s.capacity < 0]  # fmt: skip
    problems += [f"argument addServices[{i}].covers: at least one zone is needed"
                 for i, s in enumerate(added) if not s.covers]  # fmt: skip
    if problems:
        raise InputError(problems)
    check_types(store, sorted({s.type for s in added}))
    zones = sorted({z for s in added for z in s.covers})
    unknown = sorted(set(zones) - set(get_zones(store, zones)))
    if unknown:
        raise NotFound(f"argument addServices.covers: unknown zone(s) {', '.join(unknown)}")


def _added_providers(store: Store, added: Sequence[NewService]) -> list[Provider]:
    if not added:
        return []
    specs = [{"key": f"new-{i}", "type": s.type, "zones": list(s.covers)}
             for i, s in enumerate(added)]  # fmt: skip
    catchments: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    for row in store.run("list_added_service_catchments", services=specs):
        catchments[(row["key"], row["need"])][row["zone"]] = row["people"] or 0
    providers = []
    for (key, need), catchment in sorted(catchments.items()):
        service = added[int(key.removeprefix("new-"))]
        providers.append(Provider(key, service.name, service.actor, service.capacity, need,
                                  catchment=catchment))  # fmt: skip
    return providers


def _changes(before: list[GapRow], after: list[GapRow]) -> list[WhatIfRow]:
    now = {(r.zone, r.need, r.rollup): r for r in after}
    rows = []
    for old in before:
        new = now[(old.zone, old.need, old.rollup)]
        if old.status == new.status and abs(old.ratio - new.ratio) < 1e-9:
            continue
        rows.append(WhatIfRow(old.zone, old.need, old.demand, old.ratio, old.status, new.ratio,
                              new.status, old.rollup))  # fmt: skip
    order = {"APPEARS": 0, "CLOSES": 1, "WORSE": 2, "BETTER": 3}
    return sorted(rows, key=lambda r: (order[r.change], not r.rollup, r.zone, r.need))
