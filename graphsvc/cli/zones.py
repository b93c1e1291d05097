"""Geography commands: `import zones FILE`, `export zones FILE.geojson`, `zones place` (actors
to their finest zone by coordinates) and `zones migrate-2025` (a database built with the 2019
Belgian municipalities, moved to the 2025 ones without losing anything attached to them)."""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from graphsvc.cli.common import add_force, output_path, phase, say
from graphsvc.config import Settings
from graphsvc.model import ZONE_LEVELS
from graphsvc.store import Store, open_store


def add_import(kinds: Any) -> None:
    """`import zones FILE ...` (called by cli/io.py, which owns `import`)."""
    zones = kinds.add_parser(
        "zones", help="a finer partition (sectors, neighbourhoods) from CSV or GeoJSON"
    )
    zones.add_argument("path", help="CSV table or GeoJSON FeatureCollection (properties)")
    zones.add_argument("--id-column", required=True, help="column with the zone's code")
    zones.add_argument("--name-column", required=True, help="column with the zone's name")
    zones.add_argument(
        "--parent-column",
        help="column with the parent's code (polygons without one: parent by containment)",
    )
    zones.add_argument("--population-column", help="column with the population, if any")
    zones.add_argument(
        "--weight-column",
        help="column to share the parent's population by (e.g. dwellings, area_km2); "
        "default: the polygons' areas",
    )
    zones.add_argument("--level", default="statistical_sector", choices=ZONE_LEVELS)
    zones.add_argument("--id-prefix", default="", help="prefix of the zone ids (e.g. be-sector-)")
    zones.add_argument("--parent-prefix", default="", help="prefix of parent ids (e.g. be-nis-)")
    zones.add_argument("--lat-column", help="latitude column (default: lat, centroid_lat, ...)")
    zones.add_argument("--lon-column", help="longitude column (default: lon, centroid_lon, ...)")
    zones.add_argument(
        "--locate-unknown-parents",
        action="store_true",
        help="a parent code that is no zone: take the zone of the same level holding the "
        "row's point or polygon (each one reported) instead of refusing the file",
    )
    zones.set_defaults(run=_import_zones)


def add_export(kinds: Any) -> None:
    """`export zones FILE.geojson` (called by cli/io.py, which owns `export`)."""
    zones = kinds.add_parser("zones", help="zones with their polygons as a GeoJSON file")
    zones.add_argument("path")
    zones.add_argument("--level", choices=ZONE_LEVELS, help="only zones of this level")
    zones.add_argument(
        "--simplify", type=float, default=None, help="simplify to about this many metres"
    )
    add_force(zones)
    zones.set_defaults(run=_export_zones)


def register(sub: Any) -> None:
    """Add the `zones` command area."""
    zones = sub.add_parser("zones", help="zone geography: place actors, migrate to 2025")
    cmds = zones.add_subparsers(title="zones commands")
    place = cmds.add_parser(
        "place", help="put every actor with coordinates in the finest zone holding them"
    )
    place.add_argument("--dry-run", action="store_true", help="report, write nothing")
    place.set_defaults(run=_place)
    migrate = cmds.add_parser(
        "migrate-2025",
        help="move a database built on the 2019 Belgian municipalities to the 2025 ones",
    )
    migrate.add_argument("--dry-run", action="store_true", help="check and report only")
    migrate.set_defaults(run=_migrate)


def after_mapping(
    store: Store, imported: Any, path: Path, prefix: str | None, extents: Any
) -> None:
    """An HSDS/FHIR import before writing: older zone codes resolved, service-area polygons
    turned into the zones each service covers (graphsvc/io/service_areas.py)."""
    from graphsvc.io.service_areas import apply_geography

    apply_geography(store, imported, extents(path, prefix) if extents else {})


def bundle_areas(store: Store, bundle: Any, path: Path) -> None:
    """A bundle folder's service_areas.geojson: each service COVERS the zones it overlaps."""
    from graphsvc.io.mapping import Imported, ImportReport
    from graphsvc.io.service_areas import apply_geography, bundle_extents

    if not path.is_dir():
        return
    services = {s["id"] for s in bundle.tables.get("services", [])}
    extents = bundle_extents(path, services)
    if extents:
        imported = Imported(bundle, ImportReport(str(path)))
        apply_geography(store, imported, extents, drop_placeholders=False)
        for line in imported.lines():
            say(f"  {line}")


def after_writing(store: Store, imported: Any) -> None:
    """An HSDS/FHIR import after writing: its actors and locations with coordinates in their
    finest zone."""
    from graphsvc.io.placement import place_actors, place_locations

    ids = [a["id"] for a in imported.bundle.tables.get("actors", [])]
    if ids:
        for line in place_actors(store, ids=ids).lines():
            say(f"  {line}")
    ids = [loc["id"] for loc in imported.bundle.tables.get("locations", [])]
    if ids:
        for line in place_locations(store, ids=ids).lines():
            say(f"  {line}")


def write_gap_map(args: argparse.Namespace, settings: Settings) -> int:
    """`graphsvc map --gaps ZONE --need CODE [-o FILE]`: the gap map page as a file."""
    import sys

    from graphsvc.errors import GraphsvcError
    from graphsvc.pages.gapmap import gap_map, render_gap_map

    if args.output != "-":
        output_path(args.output, args.force)

    def work(store: Store) -> int:
        found = gap_map(store, args.gaps, args.need)
        page = render_gap_map(found)
        if args.output == "-":
            sys.stdout.write(page)
        else:
            try:
                Path(args.output).write_text(page, encoding="utf-8")
            except OSError as exc:
                raise GraphsvcError(f"cannot write {args.output}: {exc.strerror}") from None
        say(f"wrote {args.output}: gaps for {found.need} in {found.zone_name}: "
            f"{found.filled} parts drawn, {len(found.unmapped)} without a polygon, "
            f"{len(found.providers)} providers")  # fmt: skip
        return 0

    return _with_store(settings, work)


def _with_store(settings: Settings, work: Any) -> int:
    store = open_store(settings)
    try:
        return work(store)
    finally:
        store.close()


def _import_zones(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.cli.io import write_and_report
    from graphsvc.io.zones import ZoneColumns, read_zone_file, write_zone_import

    cols = ZoneColumns(
        id=args.id_column, name=args.name_column, parent=args.parent_column,
        population=args.population_column, weight=args.weight_column, level=args.level,
        id_prefix=args.id_prefix, parent_prefix=args.parent_prefix, lat=args.lat_column,
        lon=args.lon_column, locate_unknown=args.locate_unknown_parents,
    )  # fmt: skip
    started = time.monotonic()

    def work(store: Store) -> int:
        imported = read_zone_file(Path(args.path), cols, store)
        for line in imported.lines():
            say(f"  {line}")
        write_zone_import(
            store,
            imported,
            lambda b: write_and_report(store, b, args.path, settings, started),
        )
        return 0

    return _with_store(settings, work)


def _export_zones(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.zone_export import write_zones_geojson

    target = output_path(args.path, args.force)

    def work(store: Store) -> int:
        with phase(f"reading the zones and writing {args.path}"):
            count = write_zones_geojson(store, target, args.level, args.simplify)
        say(f"exported {count:,} zones to {args.path}")
        return 0

    return _with_store(settings, work)


def _place(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.placement import place_actors

    def work(store: Store) -> int:
        report = place_actors(store, write=not args.dry_run)
        for line in report.lines():
            say(f"  {line}")
        return 0

    return _with_store(settings, work)


def _migrate(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.cli.common import audit_patients
    from graphsvc.io.export import PATIENT_TABLES
    from graphsvc.io.migrate import migrate_2025
    from graphsvc.security.audit import WRITE

    def audit(patients: set[str]) -> None:
        audit_patients(settings, "cli zones migrate-2025", WRITE, sorted(patients),
                       list(PATIENT_TABLES))  # fmt: skip

    def work(store: Store) -> int:
        for line in migrate_2025(store, write=not args.dry_run, audit=audit):
            say(f"  {line}")
        return 0

    return _with_store(settings, work)
