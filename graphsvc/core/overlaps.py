"""Overlaps: several actors offering one service type in one zone, and whether they work
together (DESIGN §4). Two or more providers with no collaboration between them is
fragmentation.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations

from graphsvc.core.directory import list_service_types, require_zone
from graphsvc.errors import InputError, NotFound
from graphsvc.store import Store


@dataclass(frozen=True)
class OverlapRow:
    """Providers of one service type in one finest zone."""

    zone: str
    service_type: str
    providers: tuple[str, ...]
    services: tuple[str, ...]
    capacity: int
    demand: int
    collaborating_pairs: int
    pairs: int

    @property
    def capacity_ratio(self) -> float | None:
        """Combined capacity per person in the needs this type meets (None without demand)."""
        return self.capacity / self.demand if self.demand else None

    @property
    def collaboration_share(self) -> float:
        """Share of provider pairs that collaborate (1.0 with a single provider)."""
        return self.collaborating_pairs / self.pairs if self.pairs else 1.0

    @property
    def fragmented(self) -> bool:
        """Two or more providers and not one collaboration between them."""
        return len(self.providers) >= 2 and self.collaborating_pairs == 0


def check_types(store: Store, types: list[str] | None) -> list[str] | None:
    """The service type codes, or NotFound naming each unknown one."""
    if types is None:
        return None
    known = {t.code for t in list_service_types(store)}
    unknown = [code for code in types if code not in known]
    if unknown:
        raise NotFound(
            f"argument serviceTypeCodes: unknown service type(s) {', '.join(map(repr, unknown))}"
        )
    return types


def zone_overlaps(
    store: Store, zone_id: str, types: list[str] | None = None, min_providers: int = 2
) -> list[OverlapRow]:
    """Per finest zone and service type with at least `min_providers` distinct providers."""
    if min_providers < 1:
        raise InputError([f"argument minProviders: {min_providers} must be at least 1"])
    require_zone(store, zone_id)
    types = check_types(store, types)
    groups = []
    for row in store.run("list_zone_providers", zone=zone_id, types=types):
        services = {s["id"]: s for s in row["services"]}
        actors = tuple(sorted({s["actor"] for s in services.values()}))
        if len(actors) >= min_providers:
            groups.append((row["zone"], row["type"], actors, services))
    if not groups:
        return []
    zones = sorted({g[0] for g in groups})
    type_codes = sorted({g[1] for g in groups})
    demand = {(r["zone"], r["type"]): r["demand"]
              for r in store.run("list_type_demand", zones=zones, types=type_codes)}  # fmt: skip
    all_actors = sorted({a for g in groups for a in g[2]})
    pairs = {(r["source"], r["target"])
             for r in store.run("list_collaborations_among", ids=all_actors)}  # fmt: skip
    result = []
    for zone, service_type, actors, services in groups:
        possible = list(combinations(actors, 2))
        together = sum(1 for pair in possible if pair in pairs)
        capacity = sum(s["capacity"] or 0 for s in services.values())
        result.append(OverlapRow(zone, service_type, actors, tuple(sorted(services)), capacity,
                                 demand.get((zone, service_type), 0), together,
                                 len(possible)))  # fmt: skip
    return result
