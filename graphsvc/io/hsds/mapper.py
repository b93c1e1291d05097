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

# the tables whose fields the mappers read by name; other tables keep every field as detail
CHECKED = ("organization", "service", "location", "service_at_location", "taxonomy_term")
LEGACY = {"organization": {"url"},  # HSDS 1.x columns read under their 3.0 meaning
          "taxonomy_term": {"parent_name", "taxonomy_facet", "vocabulary", "taxonomy"}}  # fmt: skip


def report_unknown_columns(tables: Tables, report: ImportReport) -> None:
    """A CSV column of a table read by name that neither HSDS 3.0 nor 1.x has: not read, and
    said so (the file and its header row)."""
    from graphsvc.io.hsds.export import package_spec

    known = {r["name"]: {f["name"] for f in r["schema"]["fields"]}
             for r in package_spec()["resources"]}  # fmt: skip
    for table in CHECKED:
        rows = tables.get(table) or []
        where = rows[0][0] if rows else ""
        if ".csv row" not in where:
            continue
        unknown = sorted(set(rows[0][1]) - known.get(table, set()) - LEGACY.get(table, set()))
        for column in unknown:
            report.note(f"unknown column {column[:40]!r} of {table} (not read)",
                        where.split(" row ")[0] + " row 1")  # fmt: skip


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
    report_unknown_columns(tables, report)
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
