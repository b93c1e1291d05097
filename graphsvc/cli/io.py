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
    hsds = kinds.add_parser("hsds", help="Open Referral HSDS 3.0 (CSV folder, JSON) or 1.x")
    hsds.add_argument("path", help="folder (with or without datapackage.json) or JSON file")
    fhir = kinds.add_parser(
        "fhir",
        help="FHIR R4 JSON Bundle of Organization, Location, HealthcareService, PractitionerRole",
    )
    fhir.add_argument("path")
    for parser in (hsds, fhir):
        parser.add_argument("--prefix", help="id prefix (default: the file or folder name)")
        parser.add_argument(
            "--zone",
            help="existing zone to place actors in and to cover by "
            "default (default: a zone of the import's own)",
        )
    hsds.set_defaults(run=_import_hsds)
    fhir.set_defaults(run=_import_fhir)
    pharmacies = kinds.add_parser(
        "pharmacies", help="the AFMPS/FAGG pharmacy list (needs `load belgium` first)"
    )
    pharmacies.add_argument("path", help="CSV with name, lat, lon (authorization_id, ...)")
    pharmacies.set_defaults(run=_import_pharmacies)

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
    add_force(hsds)
    hsds.set_defaults(run=_export_hsds)


def _with_store(settings: Settings, work: Callable[[Store], int]) -> int:
    store = open_store(settings)
    try:
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
    from graphsvc.io.bundle import planned_rows, write_bundle
    from graphsvc.io.export import PATIENT_TABLES, patients_in

    started = time.monotonic() if started is None else started
    touched = patients_in(bundle.tables)
    if touched:  # recorded first: no patient written without its record, even if the load fails
        fields = [t for t in PATIENT_TABLES if bundle.tables.get(t)]
        audit_patients(settings, f"cli {verb}", WRITE, touched, fields, source=label)
    with progress(planned_rows(bundle), f"{verb}ing {label}") as advance:
        written = write_bundle(store, bundle, advance)
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
        write_and_report(store, bundle, str(path), settings, started)
        return 0

    return _with_store(settings, work)


def _report(lines: list[str]) -> None:
    for line in lines:
        say(f"  {line}")


def _import_hsds(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.hsds import import_hsds

    return _import_source(args, settings, import_hsds)


def _import_fhir(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.fhir import import_fhir

    return _import_source(args, settings, import_fhir)


def _import_source(args: argparse.Namespace, settings: Settings, importer: Any) -> int:
    """Map a directory source (HSDS, FHIR) against the database, report, then write."""
    from graphsvc.core.directory import get_zones
    from graphsvc.io.bundle import store_lookup
    from graphsvc.io.matching import candidates_from

    path = _must_exist(args.path)
    started = time.monotonic()

    def work(store: Store) -> int:
        if args.zone is not None and not get_zones(store, [args.zone]):
            raise InputError([f"--zone {args.zone}: no such zone (it must exist already)"])
        with phase(f"reading and matching {path}"):
            imported = importer(
                path,
                prefix=args.prefix,
                zone=args.zone,
                existing=store_lookup(store),
                candidates=candidates_from(store),
            )
        _report(imported.lines())
        write_and_report(store, imported.bundle, str(path), settings, started)
        return 0

    return _with_store(settings, work)


def _import_pharmacies(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.belgium import import_pharmacies
    from graphsvc.io.bundle import store_lookup
    from graphsvc.io.matching import candidates_from

    path = _must_exist(args.path)
    started = time.monotonic()

    def work(store: Store) -> int:
        imported = import_pharmacies(
            path, existing=store_lookup(store), candidates=candidates_from(store)
        )
        _report(imported.lines())
        write_and_report(store, imported.bundle, str(path), settings, started)
        return 0

    return _with_store(settings, work)


def _export_bundle(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.export import PATIENT_TABLES, export_tables, patients_in, write_bundle_file

    target = output_path(args.path, args.force)

    def work(store: Store) -> int:
        tables = export_tables(store, patients=args.with_patients)
        exported = patients_in(tables)
        if exported:  # recorded before the file exists: no unaudited copy, even on a crash
            audit_patients(settings, "cli export bundle", READ, exported, list(PATIENT_TABLES))
        write_bundle_file(target, tables)
        shown = ", ".join(f"{name} {len(rows):,}" for name, rows in tables.items() if rows)
        say(f"exported to {args.path}: {shown}")
        return 0

    return _with_store(settings, work)


def _export_hsds(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.hsds import export_hsds

    target = output_path(args.path, args.force)

    def work(store: Store) -> int:
        counts = export_hsds(store, target)
        shown = ", ".join(f"{name} {n:,}" for name, n in counts.items() if n)
        say(f"exported HSDS 3.0 to {args.path}: {shown}")
        return 0

    return _with_store(settings, work)
