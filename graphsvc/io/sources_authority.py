"""Survivorship by field: when several sources describe one actor or service, each field keeps
the value of the source kind ranked most authoritative for it in `authority.csv` (an editable
table: `table,field,order`, kinds most authoritative first; a kind not listed ranks after all
listed ones; `GRAPHSVC_AUTHORITY` names another file).

An incoming record whose canonical node is already in the graph takes a field only when its
kind ranks strictly above every other source describing that node (a node no source record
describes came from a native bundle or seed: kind `bundle`), and only with a value (an empty
field never erases one). On a tie the value already in the graph stays. So a less
authoritative source never renames, moves, retypes nor reopens (suspended, closed) what a
better one said. Every field where the source says something else than what is kept is a
conflict: counted in the import report and listed by `graphsvc sources conflicts`; the
source's own value is kept on its source record (an alternate).
"""

from __future__ import annotations

import csv
import json
import os
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from graphsvc.errors import ConfigError
from graphsvc.io.bundle import Record

AUTHORITY = Path(__file__).with_name("authority.csv")
# field of the authority table -> the record columns it decides (coordinates go together)
FIELDS = {
    "actors": {"name": ("name",), "coordinates": ("lat", "lon"), "kind": ("kind",),
               "line": ("line",), "discipline": ("discipline",), "languages": ("languages",),
               "zone": ("zone",)},
    "services": {"name": ("name",), "status": ("status",), "type": ("type",),
                 "languages": ("languages",), "eligibility": ("eligibility",),
                 "capacity": ("capacity", "available"), "covers": ("covers",)},
}  # fmt: skip


@cache
def authority(path: str | None = None) -> dict[tuple[str, str], list[str]]:
    """(table, field) -> source kinds, most authoritative first."""
    where = Path(path or os.environ.get("GRAPHSVC_AUTHORITY") or AUTHORITY)
    try:
        with where.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except OSError as exc:
        raise ConfigError(f"{where}: cannot read the authority table ({exc.strerror})") from None
    table: dict[tuple[str, str], list[str]] = {}
    for line, row in enumerate(rows, start=2):
        key = (row.get("table") or "", row.get("field") or "")
        if key[0] not in FIELDS or key[1] not in FIELDS[key[0]]:
            raise ConfigError(f"{where} row {line}: unknown table/field {'/'.join(key)!r}")
        table[key] = (row.get("order") or "").split()
    return table


def rank(kind: str, table: str, name: str) -> int:
    """0 for the most authoritative kind of a field; kinds not listed rank after all."""
    order = authority().get((table, name), [])
    return order.index(kind) if kind in order else len(order)


@dataclass
class Conflict:
    """A field where the source says something else than the value kept."""

    table: str
    source_id: str
    canonical: str
    field: str
    value: Any
    kept: Any
    kept_from: str


@dataclass
class Settled:
    """What survivorship did to one import: per table created/updated/unchanged, the
    conflicts, and each record's own values (to keep on its source record)."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    conflicts: list[Conflict] = field(default_factory=list)
    values: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (t, id)

    def lines(self) -> list[str]:
        out = []
        for table, counter in sorted(self.counts.items()):
            shown = ", ".join(f"{counter[k]:,} {k}" for k in ("created", "updated", "unchanged"))
            out.append(f"{table}: {shown}")
        if self.conflicts:
            by_field = Counter(f"{c.table}.{c.field}" for c in self.conflicts)
            shown = ", ".join(f"{k} {n:,}" for k, n in sorted(by_field.items()))
            out.append(f"conflicts: {len(self.conflicts):,} fields kept from a more "
                       f"authoritative source ({shown}): `graphsvc sources conflicts`")  # fmt: skip
        return out


def _empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, list) and isinstance(b, list):
        return sorted(map(str, a)) == sorted(map(str, b))
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) < 1e-9
        except (TypeError, ValueError):
            return False
    return a == b


def other_kinds(existing: dict[str, Any], source: str | None) -> list[tuple[str, str]]:
    """(source, kind) of the other sources describing a node; a node no record describes came
    from a native bundle or seed."""
    records = existing.get("records") or []
    if not records:
        return [("bundle", "bundle")]
    return [(r["source"], r["kind"]) for r in records if r["source"] != source]


def settle(
    records: dict[str, list[Record]],
    existing: dict[str, dict[str, dict[str, Any]]],
    source: str | None,
    kind: str,
    source_ids: dict[tuple[str, str], str],
) -> Settled:
    """Apply survivorship to the records in place (see the module); `existing` holds, per
    table, the canonical rows already in the graph by id; `source_ids` maps (table, canonical)
    to the record's source id."""
    settled = Settled()
    kept_type: set[str] = set()
    for table in ("actors", "services"):
        counter = settled.counts.setdefault(table, Counter())
        rows = []
        for where, row in records.get(table, []):
            cid = row["id"]
            settled.values[(table, cid)] = dict(row)
            old = existing.get(table, {}).get(cid)
            if old is None:
                counter["created"] += 1
                rows.append((where, row))
                continue
            others = other_kinds(old, source)
            final = dict(row)
            for name, columns in FIELDS[table].items():
                if not all(c in row for c in columns):
                    continue
                mine = rank(kind, table, name)
                best = min(others, key=lambda o: rank(o[1], table, name), default=None)
                incoming = [row[c] for c in columns]
                wins = best is None or mine < rank(best[1], table, name)
                if wins and not all(_empty(v) for v in incoming):
                    continue
                current = [old.get(c) for c in columns]
                for c, value in zip(columns, current, strict=True):
                    final[c] = value
                if name == "type" and table == "services":
                    kept_type.add(cid)
                if not all(_empty(v) for v in incoming) and not all(
                    _same(a, b) for a, b in zip(incoming, current, strict=True)
                ):
                    settled.conflicts.append(Conflict(
                        table, source_ids.get((table, cid), cid), cid, name,
                        incoming if len(incoming) > 1 else incoming[0],
                        current if len(current) > 1 else current[0],
                        best[0] if best else ""))  # fmt: skip
            changed = any(not _same(final.get(c), old.get(c)) for cs in FIELDS[table].values()
                          for c in cs if c in final)  # fmt: skip
            counter["updated" if changed else "unchanged"] += 1
            rows.append((where, final))
        if table in records:
            records[table] = rows
    if kept_type and "service_classifications" in records:
        records["service_classifications"] = [
            (w, r) for w, r in records["service_classifications"] if r["service"] not in kept_type
        ]
    return settled


def values_json(values: dict[str, Any]) -> str:
    """A record's own values as canonical JSON (kept on its source record)."""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, default=str)
