"""One import of a directory source against the database, as `graphsvc import` runs it:
the source named, its earlier records and the review decisions read, the records mapped,
matched and settled (survivorship); then `record_import` writes the bundle and the source."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle import store_lookup, write_bundle
from graphsvc.io.mapping import Imported
from graphsvc.io.matching import candidates_from
from graphsvc.io.sources import SourceInfo, source_info, write_sources
from graphsvc.store.base import Store

KINDS = ("hsds", "fhir", "pharmacies")


def prepare_import(
    store: Store,
    path: Path,
    kind: str,
    source: str | None = None,
    licence: str | None = None,
    prefix: str | None = None,
    zone: str | None = None,
    rejects: list[tuple[str, str, str]] | None = None,
    new_zone: str | None = None,
) -> tuple[Imported, SourceInfo]:
    """Read, map, match and settle one source (nothing written); raise InputError.
    `zone` must exist; `new_zone` (a name) is a new top-level zone for the source's actors."""
    path = Path(path)
    lookup = store_lookup(store)
    if zone is not None and not lookup("zones", {zone}):
        raise InputError([f"--zone {zone[:60]!r}: no such zone in the database (to make one "
                          f"for this import: --create-zone NAME)"])  # fmt: skip
    if new_zone is not None:
        zone = _new_zone_id(new_zone, lookup)
    info = source_info(path, "list" if kind == "pharmacies" else kind, source, licence)
    if kind == "pharmacies":
        from graphsvc.io.belgium import import_pharmacies

        context = candidates_from(store, source=info.id)
        imported = import_pharmacies(path, existing=lookup, candidates=context, source=info.id,
                                     rejects=rejects)  # fmt: skip
        info.kind = context.kind or info.kind
        return imported, info
    if kind == "hsds":
        from graphsvc.io.hsds import import_hsds as importer
    elif kind == "fhir":
        from graphsvc.io.fhir import import_fhir as importer
    else:
        raise InputError([f"{kind!r}: not a source kind (one of {', '.join(KINDS)})"])
    context = candidates_from(store, source=info.id, kind=kind)
    imported = importer(path, prefix=prefix, zone=zone, existing=lookup, candidates=context)
    if new_zone is not None:  # the importer made the zone under the file's title: name it
        for row in imported.bundle.tables.get("zones", []):
            if row["id"] == zone:
                row["name"] = new_zone.strip()
    return imported, info


def _new_zone_id(name: str, lookup: Any) -> str:
    """The id of the zone `--create-zone NAME` makes: its name's slug, which must be new."""
    from graphsvc.io.mapping import slug

    zone_id = slug(name)
    shown = name[:60]
    if not zone_id:
        raise InputError([f"--create-zone {shown!r}: a zone name needs a letter or a digit"])
    if lookup("zones", {zone_id}):
        raise InputError([f"--create-zone {shown!r}: zone {zone_id!r} exists already "
                          f"(to place the actors in it: --zone {zone_id})"])  # fmt: skip
    return zone_id


def record_import(store: Store, imported: Imported, info: SourceInfo) -> list[str]:
    """Write a prepared import and its source records (tests and tools; the CLI writes the
    bundle with a progress bar, then calls `write_sources`)."""
    write_bundle(store, imported.bundle)
    return write_sources(store, info, imported.matched, imported.extra)


def import_source(store: Store, path: Path, kind: str, **options: Any) -> list[str]:
    """prepare_import then record_import; the report lines."""
    imported, info = prepare_import(store, path, kind, **options)
    return imported.lines() + record_import(store, imported, info)
