"""Open Referral HSDS: import 3.0 (CSV folder or JSON) and 1.x data packages; export 3.0
(and 3.1's capacity tables) CSV that validates against the official tabular package.

One module per job: `read` (files -> normalised tables), one mapper per resource
(`taxonomy`, `places`, `organizations`, `services`, `detail`, run in order by `mapper`),
`export` (graph -> HSDS). Mapping, in short (README *Data in and out* has the table):
organization -> Actor; service -> Service; taxonomy_term -> ServiceType namespaced by its
taxonomy; location -> Location (`(:Actor)-[:HAS_LOCATION]->`, `(:Service)-[:AT]->`);
service_area -> COVERS a zone (the GeoJSON extent kept in the service's `service_areas`);
phones, contacts, schedules, addresses, accessibility, funding, programs, required documents,
cost options, metadata -> typed detail properties of their owner.

Ids are prefixed (`PREFIX-sourceid`, kept when already prefixed), so two directories do not
collide and re-importing an export with the same prefix gives the same ids. Records that
cannot be mapped are counted in the report with examples, never dropped silently.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle import ExistingKeys, bundle_from_records
from graphsvc.io.hsds.export import export_hsds, hsds_tables, write_hsds
from graphsvc.io.hsds.mapper import map_hsds
from graphsvc.io.hsds.read import read_hsds
from graphsvc.io.mapping import Imported, ImportReport, slug
from graphsvc.io.matching import match_records

__all__ = ["export_hsds", "hsds_tables", "import_hsds", "map_hsds", "read_hsds", "write_hsds"]


def import_hsds(
    path: Path,
    prefix: str | None = None,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
    candidates: list[dict[str, Any]] | None = None,
) -> Imported:
    """Read, map, match (with `candidates`, the actors already there) and check an HSDS
    source; raise InputError when it cannot be imported."""
    problems: list[str] = []
    tables, title = read_hsds(Path(path), problems)
    if problems:
        raise InputError(problems)
    prefix = slug(title) if prefix is None else prefix
    report = ImportReport(str(path))
    records = map_hsds(tables, prefix, title, report, zone=zone, existing=existing)
    matched = match_records(records, candidates) if candidates is not None else None
    bundle = bundle_from_records(Path(path), records, [], existing)
    return Imported(bundle, report, matched)
