"""HSDS tables -> bundle records: the mappers of each resource, in dependency order."""

from __future__ import annotations

from graphsvc.io.bundle import ExistingKeys, Record
from graphsvc.io.hsds.context import Ctx
from graphsvc.io.hsds.detail import map_detail
from graphsvc.io.hsds.organizations import map_organizations
from graphsvc.io.hsds.places import map_locations, map_zones
from graphsvc.io.hsds.read import Tables
from graphsvc.io.hsds.services import map_services
from graphsvc.io.hsds.taxonomy import map_own_ids, map_taxonomy
from graphsvc.io.mapping import ImportReport, records_count


def map_hsds(
    tables: Tables,
    prefix: str,
    title: str,
    report: ImportReport,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
) -> dict[str, list[Record]]:
    """Bundle records from normalised HSDS tables; what cannot be mapped goes in the report."""
    for table, rows in tables.items():
        report.read[table] = len(rows)
    ctx = Ctx(tables, prefix, title, report, zone, existing)
    map_own_ids(ctx)
    map_taxonomy(ctx)
    map_locations(ctx)
    map_zones(ctx)
    map_organizations(ctx)
    map_services(ctx)
    map_detail(ctx)
    report.mapped.update(records_count(ctx.out))
    return dict(ctx.out)
