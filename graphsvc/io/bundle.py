"""Read, check and write a native bundle (a folder of CSV files or one JSON file; format in
bundle_format.py).

Everything is read and checked before anything is written: a bundle with any problem
writes nothing, and the error lists each problem with file, row and field. Importers of other
formats (HSDS, FHIR, Belgian open data) build the same typed tables through
`bundle_from_records`, so every source goes through the same checks and the one write path,
`write_bundle`.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle_format import (
    IDENTIFIER_SCHEMES,
    LIST_SEPARATOR,
    REQUIRED_TABLES,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Table,
)
from graphsvc.store.base import Row, Store

MAX_FILE_BYTES = 200 * 1024 * 1024
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


@dataclass
class Bundle:
    """Checked rows per table (values already typed), and where they came from."""

    source: Path
    tables: dict[str, list[Row]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)  # file line of each row
    # keys of rows with a bad field: already reported, so references to them are not
    broken_keys: dict[str, set[Any]] = field(default_factory=dict)
    # where each row came from ("zones.csv row 3", "bundle.json zones[2]"), when not a CSV line
    origins: dict[str, list[str]] = field(default_factory=dict)

    def where(self, table: str, index: int) -> str:
        """'file row N' (or the record's origin) for the index-th row of a table."""
        if table in self.origins:
            return self.origins[table][index]
        return f"{table}.csv row {self.lines[table][index]}"

    def count(self) -> int:
        """Number of records in all tables."""
        return sum(len(rows) for rows in self.tables.values())


# Looks up which of some keys of a table already exist in the database (see `store_lookup`).
ExistingKeys = Callable[[str, set[Any]], set[Any]]


def read_bundle(folder: Path, existing: ExistingKeys | None = None) -> Bundle:
    """Read and check a bundle folder (CSV) or JSON file; raise InputError listing all problems.

    References must resolve inside the bundle, or, when `existing` is given, in the database.
    """
    folder = Path(folder)
    if folder.is_file():
        from graphsvc.io.bundle_json import read_json_records

        problems: list[str] = []
        records = read_json_records(folder, problems)
        return bundle_from_records(folder, records, problems, existing)
    if not folder.is_dir():
        raise InputError([f"{folder}: not a folder (of CSV files) nor a JSON bundle file"])
    problems = []
    bundle = Bundle(folder)
    for table in TABLES:
        path = folder / table.file
        if not path.exists():
            if table.name in REQUIRED_TABLES:
                problems.append(f"{path}: missing (every bundle needs {table.file})")
            continue
        broken = bundle.broken_keys.setdefault(table.name, set())
        rows, lines = _read_table(path, table, problems, broken)
        bundle.tables[table.name], bundle.lines[table.name] = rows, lines
    check_bundle(bundle, problems, existing)
    return bundle


# One record of a table before checking: where it came from, and its values (strings as in a
# CSV file, or JSON values: numbers, lists of strings, null).
Record = tuple[str, dict[str, Any]]


def bundle_from_records(
    source: Path,
    records: dict[str, list[Record]],
    problems: list[str] | None = None,
    existing: ExistingKeys | None = None,
) -> Bundle:
    """Type and check records exactly as a CSV bundle's rows; raise InputError on any problem.

    `problems` may already hold problems found while reading the source; they are reported
    together with the ones found here.
    """
    problems = [] if problems is None else problems
    bundle = Bundle(Path(source))
    for name in records:
        if name not in TABLES_BY_NAME:
            problems.append(f"{source}: unknown table {name!r}")
    for table in TABLES:
        if table.name not in records:
            continue
        rows: list[Row] = []
        origins: list[str] = []
        broken = bundle.broken_keys.setdefault(table.name, set())
        seen: dict[Any, str] = {}
        for where, values in records[table.name]:
            row = _typed_record(where, table, values, problems)
            if row is None:
                raw = {c.name: values.get(c.name) for c in table.columns}
                broken.add(_keys(table.key, [raw])[0])
                continue
            key = _keys(table.key, [row])[0]
            if key in seen:
                problems.append(
                    f"{where} field {'+'.join(table.key)}: duplicate key {key!r} "
                    f"(first at {seen[key]})"
                )
                continue
            seen[key] = where
            rows.append(row)
            origins.append(where)
        bundle.tables[table.name], bundle.origins[table.name] = rows, origins
    check_bundle(bundle, problems, existing)
    return bundle


def check_bundle(bundle: Bundle, problems: list[str], existing: ExistingKeys | None = None) -> None:
    """References and meaning checks on typed tables; raise InputError when any problem."""
    known = {
        name: set(_keys(TABLES_KEY[name], rows)) | bundle.broken_keys.get(name, set())
        for name, rows in bundle.tables.items()
    }
    if existing is not None:
        _add_existing(bundle, known, existing)
    for table in TABLES:
        _check_references(bundle, table, known, problems)
    _check_semantics(bundle, problems)
    if problems:
        raise InputError(problems)


def _add_existing(bundle: Bundle, known: dict[str, set[Any]], existing: ExistingKeys) -> None:
    """Add to `known` the referenced keys missing from the bundle that the database holds."""
    wanted: dict[str, set[Any]] = defaultdict(set)
    for table in TABLES:
        for column in table.columns:
            if column.ref is None:
                continue
            targets = known.get(column.ref, set())
            for row in bundle.tables.get(table.name, []):
                value = row[column.name]
                for item in value if isinstance(value, list) else [value]:
                    if item is not None and item not in targets:
                        wanted[column.ref].add(item)
    for name, keys in wanted.items():
        known.setdefault(name, set()).update(existing(name, keys))


def _typed_record(
    where: str, table: Table, values: dict[str, Any], problems: list[str]
) -> Row | None:
    unknown = [name for name in values if name not in table.header]
    if unknown:
        problems.append(
            f"{where}: unknown field(s) {', '.join(map(str, unknown))} "
            f"(expected {','.join(table.header)})"
        )
        return None
    row: Row = {}
    ok = True
    for column in table.columns:
        try:
            row[column.name] = _convert_value(column, values.get(column.name))
        except ValueError as exc:
            problems.append(f"{where} field {column.name}: {exc}")
            ok = False
    return row if ok else None


def _convert_value(column: Column, value: Any) -> Any:
    """Like `_convert`, for a value that may already be a number, a list or null (JSON)."""
    if value is None:
        value = ""
    if isinstance(value, str):
        return _convert(column, value.strip())
    if column.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{value!r} is not a list of strings")
        items = [v.strip() for v in value]
        for item in items:
            if _CONTROL.search(item):
                raise ValueError("control characters are not allowed")
        items = [item for item in items if item]
        if column.required and not items:
            raise ValueError("required, but empty")
        return items
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not {_KIND_NAMES.get(column.kind, 'a string')}")
    if column.kind == "float":
        return float(value)
    if column.kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"{value!r} is not a whole number")
            value = int(value)
        if value < 0:
            raise ValueError(f"{value} is negative")
        return value
    raise ValueError(f"{value!r} is not {_KIND_NAMES.get(column.kind, 'a string')}")


_KIND_NAMES = {"int": "a whole number", "float": "a number", "list": "a list of strings"}


TABLES_KEY = {t.name: t.key for t in TABLES}


def _keys(key: tuple[str, ...], rows: list[Row]) -> list[Any]:
    return [row[key[0]] if len(key) == 1 else tuple(row[k] for k in key) for row in rows]


def _read_table(
    path: Path, table: Table, problems: list[str], broken: set[Any]
) -> tuple[list[Row], list[int]]:
    rows: list[Row] = []
    lines: list[int] = []
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB, refused")
        return rows, lines
    seen: dict[Any, int] = {}
    try:
        with path.open(encoding="utf-8", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.append(f"{path}: empty file, expected header {','.join(table.header)}")
                return rows, lines
            if header != table.header:
                problems.append(f"{path}: row 1: {_header_problem(header, table.header)}")
                return rows, lines
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                where = f"{path.name} row {line}"
                if len(values) != len(header):
                    problems.append(f"{where}: {len(values)} fields, expected {len(header)}")
                    continue
                row = _typed_row(where, table.columns, values, problems)
                if row is None:
                    raw = dict(zip(header, (v.strip() for v in values), strict=True))
                    broken.add(_keys(table.key, [raw])[0])
                    continue
                key = _keys(table.key, [row])[0]
                if key in seen:
                    problems.append(
                        f"{where} field {'+'.join(table.key)}: duplicate key {key!r} "
                        f"(first at row {seen[key]})"
                    )
                    continue
                seen[key] = line
                rows.append(row)
                lines.append(line)
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
    except csv.Error as exc:
        problems.append(f"{path}: malformed CSV: {exc}")
    return rows, lines


def _header_problem(found: list[str], expected: list[str]) -> str:
    unknown = [c for c in found if c not in expected]
    missing = [c for c in expected if c not in found]
    parts = []
    if unknown:
        parts.append(f"unknown column(s) {', '.join(unknown)}")
    if missing:
        parts.append(f"missing column(s) {', '.join(missing)}")
    if not parts:
        parts.append("columns out of order")
    return "; ".join(parts) + f" (expected {','.join(expected)})"


def _typed_row(
    where: str, columns: tuple[Column, ...], values: list[str], problems: list[str]
) -> Row | None:
    row: Row = {}
    ok = True
    for column, raw in zip(columns, values, strict=True):
        try:
            row[column.name] = _convert(column, raw.strip())
        except ValueError as exc:
            problems.append(f"{where} field {column.name}: {exc}")
            ok = False
    return row if ok else None


def _convert(column: Column, raw: str) -> Any:
    if _CONTROL.search(raw):
        raise ValueError("control characters are not allowed")
    if raw == "":
        if column.required:
            raise ValueError("required, but empty")
        return [] if column.kind == "list" else None
    if column.choices and raw not in column.choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(column.choices)}")
    return _CONVERTERS[column.kind](raw)


def _to_int(raw: str) -> int:
    try:
        value = int(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a whole number") from None
    if value < 0:
        raise ValueError(f"{value} is negative")
    return value


def _to_float(raw: str) -> float:
    try:
        return float(raw)
    except ValueError:
        raise ValueError(f"{raw!r} is not a number") from None


def _to_id(raw: str) -> str:
    if not _ID.match(raw):
        raise ValueError(f"{raw!r} is not a valid id (letters, digits, . _ : -; at most 128)")
    return raw


def _to_pseudonym(raw: str) -> str:
    if not _PSEUDONYM.match(raw):
        raise ValueError(
            "patient ids must be pseudonyms (64 lowercase hex characters, an HMAC-SHA256), "
            "never a name or national number"
        )
    return raw


def _to_date(raw: str) -> str:
    try:
        return dt.date.fromisoformat(raw).isoformat()
    except ValueError:
        raise ValueError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def _to_list(raw: str) -> list[str]:
    return [item.strip() for item in raw.split(LIST_SEPARATOR) if item.strip()]


_CONVERTERS: dict[str, Callable[[str], Any]] = {
    "str": str,
    "id": _to_id,
    "int": _to_int,
    "float": _to_float,
    "list": _to_list,
    "date": _to_date,
    "pseudonym": _to_pseudonym,
}


def _check_references(
    bundle: Bundle, table: Table, known: dict[str, set[Any]], problems: list[str]
) -> None:
    for column in table.columns:
        if column.ref is None:
            continue
        targets = known.get(column.ref, set())
        for index, row in enumerate(bundle.tables.get(table.name, [])):
            value = row[column.name]
            for item in value if isinstance(value, list) else [value]:
                if item is not None and item not in targets:
                    problems.append(
                        f"{bundle.where(table.name, index)} field {column.name}: "
                        f"unknown {column.ref} reference {item!r}"
                    )


def _check_semantics(bundle: Bundle, problems: list[str]) -> None:
    for index, service in enumerate(bundle.tables.get("services", [])):
        if service["available"] > service["capacity"]:
            problems.append(
                f"{bundle.where('services', index)} field available: {service['available']} is "
                f"more than capacity {service['capacity']}"
            )
    for index, collab in enumerate(bundle.tables.get("collaborations", [])):
        if collab["source"] == collab["target"]:
            problems.append(
                f"{bundle.where('collaborations', index)} field target: an actor cannot "
                "collaborate with itself"
            )
    _check_acyclic(bundle.tables.get("zones", []), "id", "part_of", "zones.csv", problems)
    _check_acyclic(
        bundle.tables.get("service_types", []), "code", "broader", "service_types.csv", problems
    )
    _check_double_counted_needs(bundle, problems)


def _check_acyclic(rows: list[Row], key: str, parent: str, file: str, problems: list[str]) -> None:
    parents = {row[key]: row[parent] for row in rows if row[parent]}
    for start in parents:
        seen, node = {start}, parents.get(start)
        while node is not None:
            if node in seen:
                problems.append(f"{file} field {parent}: {start!r} is part of a cycle")
                break
            seen.add(node)
            node = parents.get(node)


def _check_double_counted_needs(bundle: Bundle, problems: list[str]) -> None:
    """A zone with a need recorded on itself and on one of its parts would count people twice."""
    parents = {z["id"]: z["part_of"] for z in bundle.tables.get("zones", [])}
    recorded: dict[str, set[str]] = defaultdict(set)
    for row in bundle.tables.get("zone_needs", []):
        recorded[row["need"]].add(row["zone"])
    for need, zones in sorted(recorded.items()):
        for zone in sorted(zones):
            ancestor, seen = parents.get(zone), {zone}
            while ancestor is not None and ancestor not in seen:
                if ancestor in zones:
                    problems.append(
                        f"zone_needs.csv field zone: need {need!r} is recorded on {ancestor!r} "
                        f"and on its part {zone!r}; record it on the finest zones only"
                    )
                seen.add(ancestor)
                ancestor = parents.get(ancestor)


# Query per step, and how a step's rows come from the bundle's tables, in dependency order.
def _write_plan(bundle: Bundle) -> list[tuple[str, list[Row]]]:
    t = bundle.tables
    get = lambda name: t.get(name, [])  # noqa: E731
    return [
        ("merge_zones", [_pick(z, "id", "name", "level", "population", "lat", "lon")
                         for z in get("zones")]),
        ("merge_zone_parts", [{"id": z["id"], "part_of": z["part_of"]}
                              for z in get("zones") if z["part_of"]]),
        ("merge_service_types", [_pick(s, "code", "name", "category")
                                 for s in get("service_types")]),
        ("merge_service_type_broader", [{"code": s["code"], "broader": s["broader"]}
                                        for s in get("service_types") if s["broader"]]),
        ("merge_need_types", [_pick(n, "code", "name", "domain") for n in get("need_types")]),
        ("merge_need_met_by", [{"need": n["code"], "type": code}
                               for n in get("need_types") for code in n["met_by"]]),
        ("merge_actors", get("actors")),
        ("merge_actor_identifiers", _identifier_rows(get("actor_identifiers"))),
        ("merge_networks", get("networks")),
        ("merge_memberships", get("memberships")),
        ("merge_collaborations", get("collaborations")),
        ("merge_services", [{k: v for k, v in s.items() if k != "covers"}
                            for s in get("services")]),
        ("merge_service_classifications", _grouped(get("service_classifications"),
                                                   "service", "type", "types")),
        ("merge_service_coverage", [{"service": s["id"], "zone": zone}
                                    for s in get("services") for zone in s["covers"]]),
        ("merge_zone_needs", get("zone_needs")),
        ("merge_patients", get("patients")),
        ("merge_patient_needs", get("patient_needs")),
    ]  # fmt: skip


def _pick(row: Row, *names: str) -> Row:
    return {name: row[name] for name in names}


def _identifier_rows(rows: list[Row]) -> list[Row]:
    """One row per actor with a value (or null) for every identifier scheme."""
    by_actor: dict[str, Row] = {}
    for row in rows:
        entry = by_actor.setdefault(
            row["actor"], {"id": row["actor"], **dict.fromkeys(IDENTIFIER_SCHEMES)}
        )
        entry[row["scheme"]] = row["value"]
    return [by_actor[actor] for actor in sorted(by_actor)]


def _grouped(rows: list[Row], key: str, item: str, as_name: str) -> list[Row]:
    """Rows grouped by `key`, with the sorted `item` values as a list named `as_name`."""
    groups: dict[str, list[str]] = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row[item])
    return [{"id": k, as_name: sorted(v)} for k, v in sorted(groups.items())]


def planned_rows(bundle: Bundle) -> int:
    """How many rows writing the bundle sends (for progress bars)."""
    return sum(len(rows) for _, rows in _write_plan(bundle))


def write_bundle(
    store: Store, bundle: Bundle, progress: Callable[[int], None] | None = None
) -> dict[str, int]:
    """Upsert a checked bundle in batches, then compact the database; return rows per query."""
    written = {name: store.upsert(name, rows, progress=progress) for name, rows in
               _write_plan(bundle) if rows}  # fmt: skip
    store.compact()
    return written


def store_lookup(store: Store, batch: int = 5000) -> ExistingKeys:
    """An `ExistingKeys` that asks the database (one round trip per table and batch)."""

    def existing(table: str, keys: set[Any]) -> set[Any]:
        ordered = sorted(keys, key=str)
        found: set[Any] = set()
        for start in range(0, len(ordered), batch):
            chunk = ordered[start : start + batch]
            found |= {r["key"] for r in store.run(f"list_existing_{table}", keys=chunk)}
        return found

    return existing
