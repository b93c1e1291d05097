"""Data in and out: `import bundle|hsds|fhir|pharmacies PATH`, `export bundle|hsds PATH`.

Every import reads and checks its whole source first (references may resolve in the
database), reports what it could not map, and writes only when nothing is wrong.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from graphsvc.cli import zones
from graphsvc.cli.common import add_force, audit_patients, output_path, phase, progress, say
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.security.audit import READ, WRITE
from graphsvc.store import Store, open_store


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    imp = sub.add_parser("import", help="check then import data (native bundle, HSDS, FHIR)")
    kinds = imp.add_subparsers(title="formats")
    bundle = kinds.add_parser("bundle", help="a native bundle: folder of CSV files or .json")
    bundle.add_argument("path")
    bundle.set_defaults(run=_import_bundle)
    from graphsvc.cli.maps import register_import  # `import workshop FILE` (the maps area's)

    register_import(kinds)
    hsds = kinds.add_parser("hsds", help="Open Referral HSDS 3.0 (CSV folder, JSON) or 1.x")
    hsds.add_argument("path", help="folder (with or without datapackage.json) or JSON file")
    fhir = kinds.add_parser(
        "fhir",
        help="FHIR R4 JSON Bundle of Organization, Location, HealthcareService, PractitionerRole",
    )
    fhir.add_argument("path")
    for parser in (hsds, fhir):
        parser.add_argument("--prefix", help="id prefix (default: the file or folder name)")
        where = parser.add_mutually_exclusive_group()
        where.add_argument(
            "--zone",
            help="existing zone to place actors in and to cover by "
            "default (default: a zone of the import's own, id the prefix)",
        )
        where.add_argument(
            "--create-zone",
            metavar="NAME",
            help="a new top-level zone of this name (id: its slug) for the actors",
        )
    hsds.set_defaults(run=_import_hsds)
    fhir.set_defaults(run=_import_fhir)
    pharmacies = kinds.add_parser(
        "pharmacies", help="the AFMPS/FAGG pharmacy list (needs `load belgium` first)"
    )
    pharmacies.add_argument(
        "path", help="CSV: the AFMPS columns, or a list with name, lat, lon (id, address, ...)"
    )
    pharmacies.add_argument(
        "--skip-invalid",
        action="store_true",
        help="import the valid rows; write each rejected one (file, row, field, reason) to "
        "PATH.rejects.csv (default: any invalid row refuses the whole list)",
    )
    pharmacies.set_defaults(run=_import_pharmacies)
    zones.add_import(kinds)
    for parser in (hsds, fhir, pharmacies):
        parser.add_argument(
            "--source",
            help="the source's name (default: the file's name without extension, or the "
            "folder's name); a re-import updates that source's records and nothing else",
        )
        parser.add_argument("--licence", help="the source's licence text, kept on its Source")

    exp = sub.add_parser("export", help="write the database to a bundle or HSDS 3.0")
    kinds = exp.add_subparsers(title="formats")
    bundle = kinds.add_parser("bundle", help="a native bundle: PATH.json, else a CSV folder")
    bundle.add_argument("path")
    bundle.add_argument(
        "--with-patients",
        action="store_true",
        help="include the pseudonymous patients and their needs",
    )
    add_force(bundle)
    bundle.set_defaults(run=_export_bundle)
    hsds = kinds.add_parser("hsds", help="HSDS 3.0 CSV folder with datapackage.json")
    hsds.add_argument("path")
    hsds.add_argument("--version", choices=("3.0", "3.1"), default="3.0", dest="hsds_version",
                      help="3.1 adds the service_capacity and unit tables")  # fmt: skip
    add_force(hsds)
    hsds.set_defaults(run=_export_hsds)
    zones.add_export(kinds)


def _with_store(settings: Settings, work: Callable[[Store], int]) -> int:
    from graphsvc.cli.data import say_interrupted

    store = open_store(settings)
    try:
        say_interrupted(store)  # a load or import cut short earlier: named, with the fix
        return work(store)
    finally:
        store.close()


def write_and_report(
    store: Store,
    bundle: Any,
    label: str,
    settings: Settings,
    started: float | None = None,
    verb: str = "import",
) -> None:
    """Write a checked bundle with a progress bar, audit the patients it wrote, say the rate."""
    from graphsvc.io.bundle import compact_after_load, planned_rows, write_bundle
    from graphsvc.io.export import PATIENT_TABLES, patients_in

    started = time.monotonic() if started is None else started
    touched = patients_in(bundle.tables)
    if touched:  # recorded first: no patient written without its record, even if the load fails
        fields = [t for t in PATIENT_TABLES if bundle.tables.get(t)]
        audit_patients(settings, f"cli {verb}", WRITE, touched, fields, source=label)
    with progress(planned_rows(bundle), f"{verb}ing {label}") as advance:
        written = write_bundle(store, bundle, advance, compact=False)
    with phase("compacting the database"):  # a step of its own, after the bar (not in it)
        compact_after_load(store, bundle, written)
    seconds = time.monotonic() - started
    rows = sum(written.values())
    say(
        f"{verb}ed {label}: {bundle.count():,} records, {rows:,} rows written in "
        f"{seconds:.1f} s ({rows / max(seconds, 1e-6):,.0f} rows/s)"
    )


def _must_exist(path: str) -> Path:
    found = Path(path)
    if not found.exists():
        raise InputError([f"{path}: no such file or folder"])
    return found


def _import_bundle(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.bundle import check_bundle, read_bundle, store_lookup

    path = _must_exist(args.path)
    started = time.monotonic()
    # Everything but references to the database is checked before the database is opened.
    with phase(f"reading and checking {path}"):
        bundle = read_bundle(path, existing=lambda table, keys: set(keys))

    def work(store: Store) -> int:
        with phase(f"checking {path} against the database"):
            check_bundle(bundle, [], store_lookup(store))
        zones.bundle_areas(store, bundle, path)  # service_areas.geojson -> COVERS
        write_and_report(store, bundle, str(path), settings, started)
        return 0

    return _with_store(settings, work)


def _report(lines: list[str]) -> None:
    for line in lines:
        say(f"  {line}")


def _import_hsds(args: argparse.Namespace, settings: Settings) -> int:
    return _import_source(args, settings, "hsds")


def _import_fhir(args: argparse.Namespace, settings: Settings) -> int:
    return _import_source(args, settings, "fhir")


def _import_source(args: argparse.Namespace, settings: Settings, kind: str) -> int:
    """Map a directory source (HSDS, FHIR) against the database, report, then write."""
    return _import_kind(
        args, settings, kind, prefix=args.prefix, zone=args.zone, new_zone=args.create_zone
    )


def _import_kind(args: argparse.Namespace, settings: Settings, kind: str, **options: Any) -> int:
    from graphsvc.io.service_areas import fhir_extents, hsds_extents
    from graphsvc.io.sources import write_sources
    from graphsvc.io.sources_import import prepare_import

    path = _must_exist(args.path)
    started = time.monotonic()
    extents = {"hsds": hsds_extents, "fhir": fhir_extents}.get(kind)

    def work(store: Store) -> int:
        with phase(f"reading and matching {path}"):
            imported, info = prepare_import(
                store, path, kind, source=args.source, licence=args.licence, **options
            )
        if extents is not None:  # older zone codes, service areas
            zones.after_mapping(store, imported, path, options.get("prefix"), extents)
        _report(imported.lines())
        if options.get("rejects") is not None:
            _write_rejects(path, options["rejects"])
        write_and_report(store, imported.bundle, info.name, settings, started)
        if extents is not None:  # actors to their finest zone by coordinates
            zones.after_writing(store, imported)
        _report(write_sources(store, info, imported.matched, imported.extra))
        return 0

    return _with_store(settings, work)


def _import_pharmacies(args: argparse.Namespace, settings: Settings) -> int:
    rejects: list[tuple[str, str, str]] | None = [] if args.skip_invalid else None
    return _import_kind(args, settings, "pharmacies", rejects=rejects)


def _write_rejects(path: Path, rejects: list[tuple[str, str, str]]) -> None:
    """file,row,field,reason of every rejected record, beside the source (PATH.rejects.csv)."""
    import csv

    out = path.with_name(path.name + ".rejects.csv")
    with out.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "row", "field", "reason"])
        for where, field, reason in rejects:
            file, _, row = where.rpartition(" row ")
            writer.writerow([file, row, field, reason])
    say(f"  rejected: {len(rejects):,} rows, listed in {out}")


def _export_bundle(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.export import PATIENT_TABLES, export_tables, patients_in, write_bundle_file

    target = output_path(args.path, args.force)

    def work(store: Store) -> int:
        started = time.monotonic()
        with phase("reading the graph"):
            tables = export_tables(store, patients=args.with_patients)
        exported = patients_in(tables)
        if exported:  # recorded before the file exists: no unaudited copy, even on a crash
            audit_patients(settings, "cli export bundle", READ, exported, list(PATIENT_TABLES))
        with phase(f"writing {args.path}"):
            write_bundle_file(target, tables)
        shown = ", ".join(f"{name} {len(rows):,}" for name, rows in tables.items() if rows)
        rows = sum(len(rows) for rows in tables.values())
        say(f"exported to {args.path}: {shown}{_took(started, rows)}")
        return 0

    return _with_store(settings, work)


def _export_hsds(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.hsds import export_hsds

    target = output_path(args.path, args.force)

    def work(store: Store) -> int:
        started = time.monotonic()
        version = args.hsds_version
        with phase(f"reading the graph and writing HSDS {version} to {args.path}"):
            counts = export_hsds(store, target, version)
        shown = ", ".join(f"{name} {n:,}" for name, n in counts.items() if n)
        took = _took(started, sum(counts.values()))
        say(f"exported HSDS {version} to {args.path}: {shown}{took}")
        return 0

    return _with_store(settings, work)


def _took(started: float, rows: int) -> str:
    """' in 2.1 s (4,300 rows/s)' for the summary line of an export."""
    seconds = time.monotonic() - started
    return f" in {seconds:.1f} s ({rows / max(seconds, 1e-6):,.0f} rows/s)"
