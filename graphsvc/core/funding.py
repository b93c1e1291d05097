"""Funding of zones, networks and teams, per inhabitant and per person in unmet need.

A Funding line (scheme flat_rate, fee_for_service, bundled or project_grant; an amount in
whole euros; a period; a source) FUNDS a zone, or a network or team, which works in a zone
(WORKS_IN). `funding_report(zone)` attributes every line to the finest zones inside the zone
(its vicinity networks):

- a line on a finest zone, or on a network working in it, goes to that zone entirely
  (`direct` and `networks`);
- a line on a larger zone (the pilot zone, or a network working in it) is shared by
  population: a finest zone gets amount x its population / the funded zone's population
  (`shared`). Without both populations the line is counted as `unattributed`.

With a period (`start`, `end`, both inclusive) a line counts pro rata to the days of its own
period inside it; without one, every line counts fully.

Beside the money, each finest zone carries its gap figures (AS_IS catchment coverage,
graphsvc.core.gaps): how many cells are MISSING and UNDER, and `unmet`, the people in need
without a place summed over the needs: sum of max(0, demand - supply). `per_inhabitant` is
funding / population and `per_unmet` funding / unmet (null when there is no unmet need).
Six round trips whatever the zone's size.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from graphsvc.core import gaps
from graphsvc.core.coverage import MISSING, UNDER
from graphsvc.core.directory import require_zone
from graphsvc.errors import InputError
from graphsvc.store import Row, Store


@dataclass(frozen=True)
class FundingLine:
    id: str
    scheme: str
    amount: int
    start_date: str | None
    end_date: str | None
    source: str | None
    target: str  # the funded zone, or the zone the funded network works in
    network: str | None  # the funded network or team, if any
    counted: float  # the part of the amount inside the report's period
    attributed: float  # the part of `counted` that went to the report's finest zones


@dataclass(frozen=True)
class ZoneFunding:
    zone: str
    name: str
    population: int | None
    direct: float = 0.0
    networks: float = 0.0
    shared: float = 0.0
    unmet: float = 0.0
    missing: int = 0
    under: int = 0

    @property
    def total(self) -> float:
        return self.direct + self.networks + self.shared

    @property
    def per_inhabitant(self) -> float | None:
        return self.total / self.population if self.population else None

    @property
    def per_unmet(self) -> float | None:
        return self.total / self.unmet if self.unmet > 0 else None


@dataclass(frozen=True)
class FundingReport:
    zone: str
    start: str | None
    end: str | None
    parts: tuple[ZoneFunding, ...]  # one per finest zone
    total: ZoneFunding  # the zone as a whole (sums over its parts)
    lines: tuple[FundingLine, ...]
    by_scheme: dict[str, float] = field(default_factory=dict)  # attributed, per scheme

    @property
    def unattributed(self) -> float:
        return sum(line.counted - line.attributed for line in self.lines)


def check_period(start: dt.date | None, end: dt.date | None, names: tuple[str, str]) -> None:
    """InputError when a period ends before it starts."""
    if start is not None and end is not None and start > end:
        raise InputError([f"argument {names[0]}: {start} is after {names[1]} {end}"])


def period_share(
    start: str | None, end: str | None, since: dt.date | None, until: dt.date | None
) -> float:
    """The share of a line's period (inclusive dates) inside [since, until]; 1 without one."""
    if since is None and until is None:
        return 1.0
    if start is None or end is None:
        return 1.0  # a line without a period counts whole
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    days = (last - first).days + 1
    if days <= 0:
        return 0.0
    low = max(first, since) if since else first
    high = min(last, until) if until else last
    return max((high - low).days + 1, 0) / days


def funding_report(
    store: Store, zone_id: str, start: dt.date | None = None, end: dt.date | None = None
) -> FundingReport:
    """Funding per finest zone of a zone, per inhabitant and per person in unmet need."""
    check_period(start, end, ("from", "to"))
    zone = require_zone(store, zone_id)
    leaves = {r["id"]: r for r in store.run("list_zone_leaves", zone=zone_id)}
    rows = store.run("list_zone_funding", zone=zone_id)
    rows += store.run("list_network_funding", zone=zone_id)
    money: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    lines, by_scheme = [], defaultdict(float)
    for row in sorted(rows, key=lambda r: r["id"]):
        counted = row["amount"] * period_share(row["start_date"], row["end_date"], start, end)
        attributed = 0.0
        for leaf in row["leaves"]:
            share = _share(row, leaves[leaf]["population"], leaf)
            if share is None:
                continue
            kind = "networks" if row.get("network") else (
                "direct" if row["target"] == leaf else "shared")  # fmt: skip
            money[leaf][kind] += counted * share
            attributed += counted * share
        by_scheme[row["scheme"]] += attributed
        lines.append(FundingLine(row["id"], row["scheme"], row["amount"], row["start_date"],
                                 row["end_date"], row["source"], row["target"],
                                 row.get("network"), counted, attributed))  # fmt: skip
    cells = _gap_figures(store, zone_id)
    parts = tuple(
        ZoneFunding(leaf, row["name"], row["population"], **money[leaf], **cells[leaf])
        for leaf, row in sorted(leaves.items())
    )
    total = ZoneFunding(
        zone.id, zone.name, zone.population,
        direct=sum(p.direct for p in parts), networks=sum(p.networks for p in parts),
        shared=sum(p.shared for p in parts), unmet=sum(p.unmet for p in parts),
        missing=sum(p.missing for p in parts), under=sum(p.under for p in parts),
    )  # fmt: skip
    return FundingReport(zone.id, start.isoformat() if start else None,
                         end.isoformat() if end else None, parts, total, tuple(lines),
                         dict(sorted(by_scheme.items())))  # fmt: skip


def _share(row: Row, population: int | None, leaf: str) -> float | None:
    """The share of a line a finest zone gets: 1 for its own, else its population share."""
    if row["target"] == leaf:
        return 1.0
    if not population or not row["population"]:
        return None
    return population / row["population"]


def _gap_figures(store: Store, zone_id: str) -> dict[str, dict[str, float | int]]:
    """Per finest zone: unmet (people in need without a place), MISSING and UNDER cells."""
    query = gaps.GapQuery(zone_id)
    figures: dict[str, dict[str, float | int]] = defaultdict(
        lambda: {"unmet": 0.0, "missing": 0, "under": 0}
    )
    for row in gaps.compute(gaps.fetch(store, query), query):
        if row.rollup:
            continue
        found = figures[row.zone]
        found["unmet"] += max(0.0, row.demand - row.supply)
        found["missing"] += row.status == MISSING
        found["under"] += row.status == UNDER
    return figures
