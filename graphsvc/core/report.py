"""A zone's planning summary: population, coverage per need, worst gaps, fragmented overlaps."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from graphsvc.core.coverage import MISSING, UNDER
from graphsvc.core.directory import Zone, require_zone
from graphsvc.core.gaps import GapQuery, GapRow, check_needs, compute, fetch
from graphsvc.core.overlaps import OverlapRow, zone_overlaps
from graphsvc.store import Store

WORST = 10


@dataclass(frozen=True)
class ZoneReport:
    zone: Zone
    needs: tuple[GapRow, ...]  # one row per need for the zone itself
    worst_gaps: tuple[GapRow, ...]  # MISSING and UNDER cells, lowest ratio first
    fragmented: tuple[OverlapRow, ...]
    status_counts: dict[str, int]  # over the cells


def zone_report(store: Store, zone_id: str, query: GapQuery | None = None) -> ZoneReport:
    """The summary a planner opens first."""
    zone = require_zone(store, zone_id)
    query = query or GapQuery(zone_id)
    check_needs(store, query.needs)
    rows = compute(fetch(store, query), query)
    cells = [r for r in rows if not r.rollup]
    own = [r for r in rows if r.rollup or r.zone == zone_id]
    worst = sorted((r for r in cells if r.status in (MISSING, UNDER)),
                   key=lambda r: (r.ratio, r.zone, r.need))[:WORST]  # fmt: skip
    overlaps = tuple(o for o in zone_overlaps(store, zone_id) if o.fragmented)
    counts = Counter(r.status for r in cells)
    return ZoneReport(zone, tuple(own), tuple(worst), overlaps, dict(sorted(counts.items())))
