"""`graphsvc zones migrate-2025`: a database built on the 2019 Belgian municipalities (the
581 of `load belgium` before 2025) moved to the 2025 geography, nothing lost.

1. The whole database is read as a bundle (patients included) and every zone reference in it
   (actors' zone, services' covers, needs, patients, objectives, actions, pathways, funding,
   networks, parts) that names a merged municipality is rewritten to its 2025 municipality;
   needs of two merged municipalities for the same need are summed into one record.
2. The rewritten bundle is checked like any import (nothing written if anything is wrong),
   then written, then the 2025 geography itself (`load_belgium`: zones, polygons, aliases).
3. Before anything is deleted, every relationship of each old municipality is looked for on
   its 2025 municipality (same type, same other node); if one is missing, the old zones are
   kept and the command fails naming it. Then the old zones are deleted.
Running it again changes nothing.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from graphsvc.errors import GraphsvcError
from graphsvc.io.belgium import load_belgium, read_belgium, zone_aliases
from graphsvc.io.bundle import Record, bundle_from_records, write_bundle
from graphsvc.io.bundle_format import TABLES
from graphsvc.io.export import export_tables, patients_in
from graphsvc.store import Row, Store

# Relationships of an old zone that its 2025 zone need not repeat: its own PART_OF (the 2025
# geography decides it) and the parts that are themselves old zones (deleted with it).
RECREATED_BY_GEOGRAPHY = ("PART_OF",)


def migrate_2025(
    store: Store, write: bool = True, audit: Callable[[set[str]], None] | None = None
) -> list[str]:
    """Move the database to the 2025 municipalities; return the report lines. `audit` gets
    the pseudonyms of the patients read and rewritten, before anything is written."""
    aliases = zone_aliases()
    tables = export_tables(store, patients=True)
    present = sorted({z["id"] for z in tables.get("zones", [])} & set(aliases))
    geography = read_belgium()
    if not present:
        lines = ["no 2019 municipality codes in the database: nothing to move"]
        if write:
            load_belgium(store, lambda b: write_bundle(store, b))
            lines.append("2025 geography, polygons and aliases written (unchanged if present)")
        return lines
    before = _links(store, present)
    moved = Counter(f"{r['type']} ({r['label']})" for r in before)
    records, summed = _rewritten(tables, aliases, geography.tables["zones"])
    bundle = bundle_from_records(Path("migrate-2025"), records, [])
    lines = [
        f"{len(present)} zones with a 2019 code merged into "
        f"{len({aliases[z] for z in present})} municipalities of 2025",
        "links moved: " + ", ".join(f"{k} {v:,}" for k, v in sorted(moved.items())),
    ]
    if summed:
        lines.append(f"needs summed where merged municipalities had the same need: {summed}")
    if not write:
        return [*lines, "dry run: nothing written"]
    touched = patients_in(tables)
    if touched and audit is not None:
        audit(touched)
    write_bundle(store, bundle)
    load_belgium(store, lambda b: write_bundle(store, b))
    missing = _missing_links(store, before, aliases)
    if missing:
        raise GraphsvcError(
            f"migration stopped before deleting the 2019 zones: {len(missing)} link(s) not found "
            f"on the 2025 zone, e.g. {missing[0]} (nothing deleted; the rest is written)"
        )
    deleted = store.run("delete_zones", ids=present)[0]["deleted"]
    return [*lines, f"{deleted} zones with a 2019 code deleted (their codes resolve as aliases)"]


def _links(store: Store, ids: list[str]) -> list[Row]:
    return store.run("list_zone_links", ids=ids)


def _missing_links(store: Store, before: list[Row], aliases: dict[str, str]) -> list[str]:
    """The links of old zones that their 2025 zone does not have."""
    after = {(r["zone"], r["type"], r["outgoing"], r["other"])
             for r in _links(store, sorted({aliases[r["zone"]] for r in before}))}  # fmt: skip
    missing = []
    for r in before:
        if r["type"] in RECREATED_BY_GEOGRAPHY and (r["outgoing"] or r["other"] in aliases):
            continue
        other = aliases.get(r["other"], r["other"])
        if (aliases[r["zone"]], r["type"], r["outgoing"], other) not in after:
            missing.append(f"{r['zone']} {r['type']} {r['label']} {r['other']}")
    return missing


def _rewritten(
    tables: dict[str, list[Row]], aliases: dict[str, str], geography: list[Row]
) -> tuple[dict[str, list[Record]], int]:
    """The exported tables with zone references moved to 2025 and the geography's own zones
    replacing the old ones; and how many needs were summed."""
    refs = {t.name: [c for c in t.columns if c.ref == "zones"] for t in TABLES}
    out: dict[str, list[Record]] = {}
    for name, rows in tables.items():
        moved = []
        for n, row in enumerate(rows):
            row = dict(row)
            for column in refs.get(name, []):
                value = row.get(column.name)
                if isinstance(value, list):
                    row[column.name] = list(dict.fromkeys(aliases.get(v, v) for v in value))
                elif value in aliases:
                    row[column.name] = aliases[value]
            moved.append((f"database {name}[{n}]", row))
        out[name] = moved
    new_zones = {z["id"]: z for z in geography}
    zones: list[Record] = []
    for where, row in out.get("zones", []):
        if row["id"] in aliases:
            continue
        zones.append((where, dict(new_zones.get(row["id"], row))))
    have = {row["id"] for _, row in zones}
    zones += [("2025 geography", dict(z)) for z in geography if z["id"] not in have]
    out["zones"] = zones
    out["zone_needs"], summed = _summed_needs(out.get("zone_needs", []))
    return out, summed


def _summed_needs(rows: list[Record]) -> tuple[list[Record], int]:
    groups: dict[tuple[str, str], list[Record]] = defaultdict(list)
    for where, row in rows:
        groups[(row["zone"], row["need"])].append((where, row))
    out, summed = [], 0
    for group in groups.values():
        if len(group) == 1:
            out.append(group[0])
            continue
        summed += 1
        where, first = group[0]
        people = [r["people"] for _, r in group]
        sources = sorted({r.get("source") or "" for _, r in group} - {""})
        out.append((where, {**first,
                            "people": None if None in people else sum(people),
                            "year": max((r.get("year") or 0) for _, r in group) or None,
                            "source": "; ".join(sources) or None}))  # fmt: skip
    return out, summed
