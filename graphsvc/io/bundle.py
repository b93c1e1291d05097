"""Read, check and write a native bundle (a folder of CSV files or one JSON file; format in
bundle_format.py).

Everything is read and checked before anything is written: a bundle with any problem
writes nothing, and the error lists each problem with file, row and field. Importers of other
formats (HSDS, FHIR, Belgian open data) build the same typed tables through
`bundle_from_records`, so every source goes through the same checks and the one write path,
`write_bundle`.

Writing is an upsert by key, and a row is the truth for its key: a relationship the row holds
one of (an actor's zone, a service's type and provider, a zone's parent...) or a list of
(a service's `covers`, a need type's `met_by`) replaces the one stored, so re-importing changed
data leaves no old link behind, and re-importing the same bundle changes nothing.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import math
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from graphsvc.errors import CompactionFailed, GraphsvcError, InputError, QueryFailed
from graphsvc.gcpause import gc_paused
from graphsvc.io.bundle_format import (
    IDENTIFIER_SCHEMES,
    LIST_SEPARATOR,
    REQUIRED_TABLES,
    TABLES,
    TABLES_BY_NAME,
    Column,
    Table,
)
from graphsvc.io.records import ID as _ID
from graphsvc.io.records import PSEUDONYM as _PSEUDONYM
from graphsvc.io.records import Bundle, ExistingKeys, Record  # also imported from here
from graphsvc.io.records import check_acyclic as _check_acyclic
from graphsvc.security.inputs import text_problem
from graphsvc.store.base import Row, Store

MAX_FILE_BYTES = 200 * 1024 * 1024
# text checks (controls, line breaks, bidi overrides): graphsvc.security.inputs.text_problem
MAX_INT = 2**63 - 1  # the largest whole number a database property holds (64-bit signed)
_DIGITS = re.compile(r"-?[0-9]+")  # ASCII digits only: not '1_000', '+1', ' 1' nor other scripts
_DECIMAL = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")
# Whole values that are already what `_convert` would make of them (no spaces to strip): the
# column-at-a-time check of `_plain_column` accepts only these and leaves anything else to it.
_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_PLAIN_INT = re.compile(r"[0-9]{1,19}")  # then <= MAX_INT; a sign or a 20th digit: per value
_PLAIN = {"id": _PLAIN_ID, "int": _PLAIN_INT, "float": _DECIMAL}


def read_bundle(folder: Path, existing: ExistingKeys | None = None) -> Bundle:
    """Read and check a bundle folder (CSV) or JSON file; raise InputError listing all problems.

    References must resolve inside the bundle, or, when `existing` is given, in the database.
    """
    folder = Path(folder)
    if folder.is_file():
        from graphsvc.io.bundle_json import read_json_records

        problems: list[str] = []
        rejected: set[str] = set()
        records = read_json_records(folder, problems, rejected)
        return bundle_from_records(folder, records, problems, existing, rejected)
    if not folder.is_dir():
        raise InputError([f"{folder}: not a folder (of CSV files) nor a JSON bundle file"])
    problems = []
    bundle = Bundle(folder)
    with gc_paused():
        for table in TABLES:
            path = folder / table.file
            if not path.exists():
                if table.name in REQUIRED_TABLES:
                    problems.append(f"{path}: missing (every bundle needs {table.file})")
                    bundle.rejected.add(table.name)
                continue
            broken = bundle.broken_keys.setdefault(table.name, set())
            rows, lines, whole = _read_table(path, table, problems, broken)
            bundle.tables[table.name], bundle.lines[table.name] = rows, lines
            if whole:
                bundle.rejected.add(table.name)
        check_bundle(bundle, problems, existing)
    return bundle


def bundle_from_records(
    source: Path,
    records: dict[str, list[Record]],
    problems: list[str] | None = None,
    existing: ExistingKeys | None = None,
    rejected: set[str] | None = None,
) -> Bundle:
    """Type and check records exactly as a CSV bundle's rows; raise InputError on any problem.

    `problems` may already hold problems found while reading the source; they are reported
    together with the ones found here. `rejected` names tables the source refused as a whole
    (already reported): references into them are not reported again.
    """
    with gc_paused():
        return _bundle_from_records(source, records, problems, existing, rejected)


def _bundle_from_records(
    source: Path,
    records: dict[str, list[Record]],
    problems: list[str] | None,
    existing: ExistingKeys | None,
    rejected: set[str] | None,
) -> Bundle:
    problems = [] if problems is None else problems
    bundle = Bundle(Path(source), rejected=set(rejected or ()))
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
    known = {  # the keys of each table that others refer to
        name: set(_keys(TABLES_KEY[name], rows)) | bundle.broken_keys.get(name, set())
        for name, rows in bundle.tables.items()
        if name in _REFERENCED
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
            items = _column_items(bundle.tables.get(table.name, []), column)
            missing = items - known.get(column.ref, set())
            if missing:
                wanted[column.ref] |= missing
    for name, keys in wanted.items():
        if name not in bundle.rejected:
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
        return _convert(column, value)
    if column.kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError(f"{value!r} is not a list of strings")
        for item in value:
            problem = text_problem(item.strip(" "))
            if problem:
                raise ValueError("control characters are not allowed")
        items = [v.strip() for v in value]
        items = [item for item in items if item]
        if column.required and not items:
            raise ValueError("required, but empty")
        return items
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{value!r} is not {_KIND_NAMES.get(column.kind, 'a string')}")
    if column.kind == "float":
        if isinstance(value, int) and abs(value) > 2**1023:  # float() would overflow
            raise ValueError(f"{_short(str(value))} is not a finite number")
        return _checked_float(column, float(value), repr(value))
    if column.kind == "int":
        if isinstance(value, float):
            if not value.is_integer():
                raise ValueError(f"{value!r} is not a whole number")
            value = int(value)
        return _checked_int(value)
    raise ValueError(f"{value!r} is not {_KIND_NAMES.get(column.kind, 'a string')}")


_KIND_NAMES = {"int": "a whole number", "float": "a number", "list": "a list of strings"}


TABLES_KEY = {t.name: t.key for t in TABLES}
_REFERENCED = {c.ref for t in TABLES for c in t.columns if c.ref is not None}


def _keys(key: tuple[str, ...], rows: list[Row]) -> list[Any]:
    return [row[key[0]] if len(key) == 1 else tuple(row[k] for k in key) for row in rows]


def _read_table(
    path: Path, table: Table, problems: list[str], broken: set[Any]
) -> tuple[list[Row], list[int], bool]:
    """The checked rows of one CSV file, their lines, and whether the file was refused whole
    (too large, not UTF-8, wrong header, malformed CSV)."""
    plain = _read_plain_table(path, table)
    if plain is not None:
        return plain[0], plain[1], False
    return _read_table_by_row(path, table, problems, broken)


def _read_plain_table(path: Path, table: Table) -> tuple[list[Row], list[int]] | None:
    """The rows and lines of a CSV file without any problem, checked a column at a time; None
    as soon as anything is off, and `_read_table_by_row` then finds and names every problem.

    The rows are exactly those `_read_table_by_row` makes of the same file (each value goes
    through `_convert`, or is one that `_convert` would return unchanged).
    """
    if path.stat().st_size > MAX_FILE_BYTES:
        return None
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            records = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error):
        return None
    pad = table.padding(records[0]) if records else None
    if pad is None:
        return None
    data = [values + [""] * pad if values else values for values in records[1:]] if pad else \
        records[1:]  # fmt: skip
    lines = list(range(2, len(data) + 2))
    if not all(data):  # blank lines: skipped, but counted
        lines = [line for line, values in zip(lines, data, strict=True) if values]
        data = [values for values in data if values]
    if not data:
        return [], []
    if set(map(len, data)) != {len(table.columns)}:
        return None
    columns: list[list[Any]] = []
    for column, raw in zip(table.columns, zip(*data, strict=True), strict=True):
        values = _plain_column(column, raw)
        if values is None:
            return None
        columns.append(values)
    at = [table.header.index(name) for name in table.key]
    keys = columns[at[0]] if len(at) == 1 else list(zip(*(columns[i] for i in at), strict=True))
    if len(set(keys)) != len(keys):
        return None  # a duplicate key
    names = table.header
    return [dict(zip(names, values, strict=True)) for values in zip(*columns, strict=True)], lines


def _plain_column(column: Column, raw: tuple[str, ...]) -> list[Any] | None:
    """A column's typed values, or None if any value has a problem."""
    distinct = set(raw)
    blank = "" in distinct
    if blank and column.required:
        return None
    filled = distinct - {""} if blank else distinct
    pattern = _PLAIN.get(column.kind)
    try:
        if pattern is not None and not column.choices and all(map(pattern.fullmatch, filled)):
            if column.kind == "id":
                return [value or None for value in raw] if blank else list(raw)
            return _plain_numbers(column, raw, filled)
        if column.kind == "str" and not column.choices:
            if text_problem(" ".join(filled)):  # each value is told apart by _convert
                return None
            values = list(map(str.strip, raw))
            if "" in values:
                if column.required:
                    return None
                values = [value or None for value in values]
            return values
        if len(distinct) * 2 <= len(raw):  # repeated values (references, codes): each once
            typed = {value: _convert(column, value) for value in distinct}
            values = list(map(typed.__getitem__, raw))
            return list(map(list, values)) if column.kind == "list" else values  # own lists
        return [_convert(column, value) for value in raw]
    except ValueError:
        return None


def _plain_numbers(column: Column, raw: tuple[str, ...], filled: set[str]) -> list[Any]:
    """Numbers of a column whose values all match `_PLAIN`; ValueError if out of range."""
    typed = {value: (int if column.kind == "int" else float)(value) for value in filled}
    numbers = typed.values()
    if numbers and column.kind == "int" and max(numbers) > MAX_INT:
        raise ValueError("too large")
    if numbers and column.kind == "float":
        low, high = column.bounds or (-math.inf, math.inf)
        if not all(map(math.isfinite, numbers)) or min(numbers) < low or max(numbers) > high:
            raise ValueError("not finite or out of bounds")
    return list(map(typed.get, raw))  # a blank (optional) value: None


def _read_table_by_row(
    path: Path, table: Table, problems: list[str], broken: set[Any]
) -> tuple[list[Row], list[int], bool]:
    """`_read_table` one row at a time, with every problem named by row and field."""
    rows: list[Row] = []
    lines: list[int] = []
    if path.stat().st_size > MAX_FILE_BYTES:
        problems.append(f"{path}: larger than {MAX_FILE_BYTES // 2**20} MB, refused")
        return rows, lines, True
    seen: dict[Any, int] = {}
    line = 0  # the last row read (the header is row 1)
    reader = None
    try:
        # utf-8-sig: Excel's "CSV UTF-8" starts with a byte order mark, which is not data
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader, None)
            if header is None:
                problems.append(f"{path}: empty file, expected header {','.join(table.header)}")
                return rows, lines, True
            pad = table.padding(header)
            if pad is None:
                problems.append(f"{path}: row 1: {_header_problem(header, table.header)}")
                return rows, lines, True
            line = 1
            for line, values in enumerate(reader, start=2):
                if not values:
                    continue
                if pad and len(values) == len(header):
                    values = values + [""] * pad
                where = f"{path.name} row {line}"
                if len(values) != len(table.header):
                    problems.append(f"{where}: {len(values)} fields, expected {len(header)}")
                    continue
                row = _typed_row(where, table.columns, values, problems)
                if row is None:
                    raw = dict(zip(table.header, (v.strip() for v in values), strict=True))
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
        return rows, lines, True
    except csv.Error as exc:
        at = f"line {reader.line_num}" if reader is not None else "start"
        problems.append(f"{path.name} row {line + 1} ({at}): malformed CSV, file refused: {exc}")
        return rows, lines, True
    return rows, lines, False


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
            row[column.name] = _convert(column, raw)
        except ValueError as exc:
            problems.append(f"{where} field {column.name}: {exc}")
            ok = False
    return row if ok else None


def _convert(column: Column, raw: str) -> Any:
    """A CSV field (or JSON string) as the column's type; spaces around it do not count."""
    # tabs and line breaks inside a name or identifier are refused (only spaces around it
    # are dropped); checked before strip(), which would drop U+2028 and U+0085 silently
    problem = text_problem(raw.strip(" "))
    if problem:
        raise ValueError("control characters are not allowed")
    raw = raw.strip()
    if raw == "":
        if column.required:
            raise ValueError("required, but empty")
        return [] if column.kind == "list" else None
    if column.choices and raw not in column.choices:
        raise ValueError(f"{raw!r} is not one of {', '.join(column.choices)}")
    if column.kind == "float":
        return _checked_float(column, _to_float(raw), repr(raw))
    return _CONVERTERS[column.kind](raw)


def _to_int(raw: str) -> int:
    if not _DIGITS.fullmatch(raw):
        raise ValueError(f"{_short(raw)} is not a whole number (digits 0-9 only)")
    if len(raw) > 20:  # int() of thousands of digits is slow, and refused past 4300
        raise ValueError(f"{_short(raw)} is too large (at most {MAX_INT})")
    return _checked_int(int(raw))


def _checked_int(value: int) -> int:
    if value < 0:
        raise ValueError(f"{value} is negative")
    if value > MAX_INT:
        raise ValueError(f"{value} is too large (at most {MAX_INT})")
    return value


def _to_float(raw: str) -> float:
    if not _DECIMAL.fullmatch(raw):
        raise ValueError(f"{_short(raw)} is not a number")
    return float(raw)


def _checked_float(column: Column, value: float, shown: str) -> float:
    """A finite number inside the column's bounds (latitudes, longitudes), or ValueError."""
    if not math.isfinite(value):
        raise ValueError(f"{shown} is not a finite number")
    if column.bounds is not None:
        low, high = column.bounds
        if not low <= value <= high:
            raise ValueError(f"{value:g} is outside {low:g} to {high:g}")
    return value


def _short(raw: str) -> str:
    """A value for a message: its repr, cut after 40 characters."""
    return repr(raw) if len(raw) <= 40 else repr(raw[:40]) + "..."


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
    "list": _to_list,
    "date": _to_date,
    "pseudonym": _to_pseudonym,
}


def _column_items(rows: list[Row], column: Column) -> set[Any]:
    """The distinct values of a column (the items, for a list column), None left out."""
    values = [row[column.name] for row in rows]
    if column.kind == "list":
        return set().union(*values)
    return set(values) - {None}


def _check_references(
    bundle: Bundle, table: Table, known: dict[str, set[Any]], problems: list[str]
) -> None:
    for column in table.columns:
        if column.ref is None or column.ref in bundle.rejected:
            continue  # a rejected table was reported once, not at every reference into it
        targets = known.get(column.ref, set())
        rows = bundle.tables.get(table.name, [])
        if _column_items(rows, column) <= targets:
            continue  # every reference resolves: no need to look for the rows that do not
        for index, row in enumerate(rows):
            value = row[column.name]
            for item in value if isinstance(value, list) else [value]:
                if item is not None and item not in targets:
                    problems.append(
                        f"{bundle.where(table.name, index)} field {column.name}: "
                        f"unknown {column.ref} reference {item!r}"
                    )


def _check_capacity(bundle: Bundle, index: int, service: dict, problems: list[str]) -> None:
    """A capacity and its provenance agree: `unknown` has none; declared/estimated have one.
    A missing provenance is `declared` with a capacity and `unknown` without."""
    provenance = service.get("capacity_provenance")
    if provenance is None:
        known = service["capacity"] is not None
        service["capacity_provenance"] = "declared" if known else "unknown"
    elif (provenance == "unknown") != (service["capacity"] is None):
        want = "no capacity" if provenance == "unknown" else "a capacity"
        problems.append(f"{bundle.where('services', index)} field capacity_provenance: "
                        f"{provenance!r} needs {want}")  # fmt: skip


def _check_semantics(bundle: Bundle, problems: list[str]) -> None:
    for index, service in enumerate(bundle.tables.get("services", [])):
        _check_capacity(bundle, index, service, problems)
        if service["capacity"] is not None and service["available"] > service["capacity"]:
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
    zones_acyclic = _check_acyclic(bundle, "zones", "id", "part_of", problems)
    _check_acyclic(bundle, "service_types", "code", "broader", problems)
    if zones_acyclic:  # in a cycle every zone is a part of every other: one problem is enough
        _check_double_counted_needs(bundle, problems)
    from graphsvc.io.coplan_bundle import check_coplan  # it uses this module's helpers

    check_coplan(bundle, problems)  # objectives, actions, pathways, funding (issue 10)
    from graphsvc.io.directory_bundle import check_directory

    check_directory(bundle, problems)  # the JSON detail of the directory tables (issue 15)


def _check_double_counted_needs(bundle: Bundle, problems: list[str]) -> None:
    """A zone with a need recorded on itself and on one of its parts would count people twice."""
    parents = {z["id"]: z["part_of"] for z in bundle.tables.get("zones", [])}
    rows = bundle.tables.get("zone_needs", [])
    if set(parents.values()).isdisjoint({row["zone"] for row in rows}):
        return  # no need is recorded on a zone that has parts
    recorded: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        recorded[row["need"]].add(row["zone"])
    chains = _ancestors(parents)
    doubled = []
    for need, zones in sorted(recorded.items()):
        # the zones above those recorded, from each distinct parent's chain (walked once)
        above = {parents.get(zone) for zone in zones} - {None}
        above = above.union(*(chains.get(parent, ()) for parent in above))
        if not above.isdisjoint(zones):
            doubled.append((need, zones))
    if not doubled:
        return
    index_of = {(row["zone"], row["need"]): index for index, row in enumerate(rows)}
    for need, zones in doubled:
        for zone in sorted(zones):
            ancestor, seen = parents.get(zone), {zone}
            while ancestor is not None and ancestor not in seen:
                if ancestor in zones:
                    problems.append(
                        f"{bundle.where('zone_needs', index_of[(ancestor, need)])} field zone: "
                        f"need {need!r} is recorded on {ancestor!r} and on its part {zone!r} "
                        f"(at {bundle.where('zone_needs', index_of[(zone, need)])}); record it "
                        "on the finest zones only"
                    )
                seen.add(ancestor)
                ancestor = parents.get(ancestor)


def _ancestors(parents: dict[str, str | None]) -> dict[str, list[str]]:
    """Each zone's larger zones, nearest first, each chain walked once (stops at a cycle)."""
    chains: dict[str, list[str]] = {}
    for start in parents:
        path: list[str] = []
        on_path: set[str] = set()
        node: str | None = start
        while node is not None and node not in chains and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents.get(node)
        above = [node, *chains[node]] if node in chains else []
        for zone in reversed(path):
            chains[zone] = above
            above = [zone, *above]
    return chains


# Query per step, the table its rows come from, and its rows, in dependency order (need types
# before zones: a load into a graph without zones records their needs with them). Relations
# a row holds one of (LOCATED_IN, OF_TYPE, PROVIDES, PART_OF, BROADER, LIVES_IN,
# CASE_MANAGER_OF) and lists (COVERS, MET_BY) replace what the database had for that key.
def _write_plan(bundle: Bundle) -> list[tuple[str, str, list[Row]]]:
    from graphsvc.io.coplan_bundle import coplan_write_plan
    from graphsvc.io.directory_bundle import directory_write_plan

    t = bundle.tables
    get = lambda name: t.get(name, [])  # noqa: E731
    return [
        ("merge_service_types", "service_types", [_pick(s, "code", "name", "category")
                                                  for s in get("service_types")]),
        ("merge_service_type_broader", "service_types", [
            {"code": s["code"], "broader": s["broader"]} for s in get("service_types")]),
        ("merge_need_types", "need_types", [_pick(n, "code", "name", "domain")
                                            for n in get("need_types")]),
        ("merge_need_met_by", "need_types", [{"need": n["code"], "types": n["met_by"]}
                                             for n in get("need_types")]),
        ("merge_zones", "zones", [_pick(z, "id", "name", "level", "population", "lat", "lon")
                                  for z in get("zones")]),
        ("merge_zone_parts", "zones", [{"id": z["id"], "part_of": z["part_of"]}
                                       for z in get("zones")]),
        ("merge_actors", "actors", get("actors")),
        ("merge_actor_identifiers", "actor_identifiers",
         _identifier_rows(get("actor_identifiers"))),
        ("merge_networks", "networks", get("networks")),
        ("merge_memberships", "memberships", get("memberships")),
        ("merge_collaborations", "collaborations", get("collaborations")),
        ("merge_services", "services", get("services")),  # (covers: the next steps)
        ("merge_service_classifications", "service_classifications",
         _grouped(get("service_classifications"), "service", "type", "types")),
        ("merge_service_coverage", "services", get("services")),
        ("merge_zone_needs", "zone_needs", get("zone_needs")),
        ("merge_patients", "patients", get("patients")),
        ("merge_patient_needs", "patient_needs", get("patient_needs")),
        *coplan_write_plan(bundle),  # objectives, actions, pathways, funding (issue 10)
        *directory_write_plan(bundle),  # locations, directory detail (issue 15)
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


def write_steps(bundle: Bundle) -> list[tuple[str, dict[str, Any]]]:
    """The write queries of a checked bundle with their rows, in dependency order, for one
    transaction (`store.write_all`); steps without rows are left out."""
    return [(name, {"rows": rows}) for name, _, rows in _write_plan(bundle) if rows]


def planned_rows(bundle: Bundle) -> int:
    """How many rows writing the bundle sends (for progress bars)."""
    return sum(len(rows) for _, _, rows in _write_plan(bundle))


class WriteFailed(GraphsvcError):
    """Writing a checked bundle failed part-way; the message says how far it got."""


def write_bundle(
    store: Store,
    bundle: Bundle,
    progress: Callable[[int], None] | None = None,
    compact: bool = True,
) -> dict[str, int]:
    """Upsert a checked bundle in batches, then compact the database (unless `compact` is
    False: the caller then calls `compact_after_load`, e.g. to show it as a step of its own);
    return rows per step (each step named by its merge query).

    Into a graph that holds no zones, actors or services yet, those are created rather than
    merged (`create_zones`, `create_actors`, `create_services`: nothing old to look for, and
    their links are made in the same query); the uniqueness constraints refuse a batch whose key
    exists after all, and the step is then merged. Either way the graph ends the same.

    Any failure is raised as one `WriteFailed` line naming the step and table that failed, the
    rows of it written before, and the steps written completely: the database then holds part
    of the bundle, and importing the same bundle again (idempotent) completes it.
    """
    written: dict[str, int] = {}
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        done += n
        if progress:
            progress(n)

    with gc_paused():
        plan = [(name, table, rows) for name, table, rows in _write_plan(bundle) if rows]
        # started/ended markers: a load cut short is named at the next start and in db status
        store.mark_load(str(bundle.source), sum(len(rows) for _, _, rows in plan))
        bulk = _bulk_written(store, bundle, plan)
        for name, _, rows in plan:
            if name in bulk:
                written[name] = len(rows)
                advance(len(rows))
        writer = _StepWriter(store, bundle, advance, {name for name, _, _ in plan})
        for step, (name, table, rows) in enumerate(plan, start=1):
            if name in bulk:
                continue
            done = 0
            try:
                writer.write(name, rows)
            except Exception as exc:
                complete = ", ".join(f"{n} {count:,}" for n, count in written.items()) or "none"
                raise WriteFailed(
                    f"writing {bundle.source.name} stopped at step {step} of {len(plan)} "
                    f"({name}, rows from {table}): {done:,} of its {len(rows):,} rows written; "
                    f"steps written completely: {complete}. The database holds part of the "
                    f"bundle: fix the cause and import it again to complete it. Cause: "
                    f"{_reason(exc)}"
                ) from None
            written[name] = len(rows)
    store.mark_load(str(bundle.source))  # every row is written: the load ended
    if compact:
        compact_after_load(store, bundle, written)
    return written


def compact_after_load(store: Store, bundle: Bundle, written: dict[str, int]) -> None:
    """Compact the database after `write_bundle` wrote every row; CompactionFailed if not."""
    try:
        store.compact()
    except Exception as exc:
        raise CompactionFailed(
            f"all {sum(written.values()):,} rows of {bundle.source.name} were written (the "
            f"load is complete), but compacting the database afterwards failed: "
            f"{_reason(exc)}; the next start replays the longer log and compacts it"
        ) from None


def _bulk_written(store: Store, bundle: Bundle, plan: list[tuple[str, str, list[Row]]]) -> set[str]:
    """Into an empty graph of a store that builds graphs in bulk (FalkorDB's GRAPH.BULK), the
    core steps at once; return the steps so written (none: the store cannot, or the graph holds
    something, and every step goes through UNWIND batches)."""
    from graphsvc.io.bundle_bulk import BULK_STEPS, bulk_graph

    bulk_create = getattr(store, "bulk_create", None)
    steps = {name for name, _, _ in plan} & BULK_STEPS
    if bulk_create is None or not steps or not bulk_enabled() or store.run("count_nodes"):
        return set()
    try:
        bulk_create(bulk_graph(bundle.tables))
    except Exception as exc:
        raise WriteFailed(
            f"writing {bundle.source.name} in bulk failed, nothing of it was kept: {_reason(exc)}"
        ) from None
    return steps


def bulk_enabled() -> bool:
    """GRAPHSVC_BULK_LOAD=0 loads an empty graph with UNWIND batches too (bench, tests)."""
    from graphsvc.config import settings_from_env

    return settings_from_env().bulk_load


class _StepWriter:
    """Writes the steps of `_write_plan`, each with the query that suits the graph."""

    def __init__(
        self, store: Store, bundle: Bundle, advance: Callable[[int], None], steps: set[str]
    ) -> None:
        self.store, self.bundle, self.advance = store, bundle, advance
        self.create: set[str] | None = None if steps & set(_CREATES) else set()
        self.written_with: dict[str, list[Row]] = {}  # step -> its rows written by another

    def write(self, name: str, rows: list[Row]) -> None:
        if self.create is None:  # which steps go into a graph without their kind: create
            counts = self.store.run("count_load_targets")[0]
            self.create = {step for step, kind in _CREATES.items() if counts[kind] == 0}
        if name in self.written_with:
            left = self.written_with.pop(name)  # rows the other step could not write
            self.advance(len(rows) - len(left))
            rows = left
        if not rows:
            return
        if name in self.create:
            self._create(name, rows)
        elif name == "merge_zone_needs":
            self._zone_needs(rows)
        else:
            self.store.upsert(name, rows, progress=self.advance)

    def _create(self, name: str, rows: list[Row]) -> None:
        """A step into a graph without its kind: create_* in place of merge_*, and the step
        whose links it also made (`written_with`) is then skipped."""
        tables = self.bundle.tables
        companions: dict[str, list[Row]] = {}  # step -> its rows left to it
        sizes: list[int | None] = []  # batch size per batch of rows (None: the store's)
        batches: list[Iterable[Row]]
        order: list[list[Row]]  # the rows of the batches, in the order they are sent
        if name == "merge_zones":  # parents first, with their PART_OF links and needs
            zones = tables["zones"]
            ids = {z["id"] for z in zones}
            needs: dict[str, list[Row]] = defaultdict(list)
            for need in tables.get("zone_needs", []):
                needs[need["zone"]].append(need)
            order = _by_depth(zones)
            batches = [_with_needs(level, needs) for level in order]  # made as they are sent
            size = getattr(self.store, "batch_size", 5000) or 5000
            for level in order:  # about the store's batch size in zones and needs
                weight = sum(1 + len(needs.get(z["id"], ())) for z in level)
                sizes.append(max(1, size * len(level) // weight))
            companions["merge_zone_parts"] = [
                {"id": z["id"], "part_of": z["part_of"]} for z in zones
                if z["part_of"] is not None and z["part_of"] not in ids
            ]  # fmt: skip
            companions["merge_zone_needs"] = [
                need for need in tables.get("zone_needs", []) if need["zone"] not in ids
            ]
        elif name == "merge_services":  # with their COVERS links (once per zone)
            batches = order = [[_once(s, "covers") for s in tables["services"]]]
            companions["merge_service_coverage"] = []
        else:
            batches = order = [rows]
        created = 0

        def advance(n: int) -> None:
            nonlocal created
            created += n
            self.advance(n)

        try:
            for batch, size in itertools.zip_longest(batches, sizes):
                query = "create_" + name.removeprefix("merge_")
                self.store.upsert(query, batch, batch_size=size, progress=advance)
        except QueryFailed:  # a key exists after all (a concurrent writer): merge what is left
            left = {row["id"] for row in list(itertools.chain(*order))[created:]}
            rows_left = [row for row in rows if row["id"] in left]
            self.store.upsert(name, rows_left, progress=self.advance)
            return
        self.written_with.update(companions)

    def _zone_needs(self, rows: list[Row]) -> None:
        """merge_zone_needs grouped by zone (`merge_zone_need_groups`), in batches of about
        the store's batch size in needs."""
        groups: dict[str, list[Row]] = defaultdict(list)
        for row in rows:
            groups[row["zone"]].append(row)  # the rows themselves: the query reads what it needs
        grouped = [{"zone": zone, "needs": needs} for zone, needs in groups.items()]
        size = getattr(self.store, "batch_size", 5000) or 5000
        per_batch = max(1, size * len(grouped) // len(rows))
        sizes = iter([len(g["needs"]) for g in grouped])

        def advance(n: int) -> None:  # groups written -> needs written
            self.advance(sum(next(sizes) for _ in range(n)))

        self.store.upsert("merge_zone_need_groups", grouped, batch_size=per_batch, progress=advance)


# Steps that may create instead of merge (tables keyed by `id`), and the count of
# count_load_targets that must be 0 for it
_CREATES = {"merge_zones": "zones", "merge_actors": "actors", "merge_services": "services"}


def _with_needs(zones: list[Row], needs: dict[str, list[Row]]) -> Iterator[Row]:
    """create_zones rows: each zone with its needs (need, people, year, source only)."""
    for zone in zones:
        yield {**zone, "needs": [
            {"need": n["need"], "people": n["people"], "year": n["year"], "source": n["source"]}
            for n in needs.get(zone["id"], ())
        ]}  # fmt: skip


def _once(row: Row, field: str) -> Row:
    """The row with each item of a list field once (CREATE, unlike MERGE, would repeat it)."""
    items = row[field]
    return row if len(set(items)) == len(items) else {**row, field: list(dict.fromkeys(items))}


def _by_depth(zones: list[Row]) -> list[list[Row]]:
    """Zones in batches by depth in the zone tree (top zones first), so each zone's parent
    is written before it; a parent outside the bundle counts as depth 0."""
    parents = {z["id"]: z["part_of"] for z in zones}
    depth: dict[str, int] = {}
    for start in parents:
        path, node = [], start
        while node in parents and node not in depth and node not in path:  # (no cycles)
            path.append(node)
            node = parents[node]
        level = depth.get(node, 0) if node is not None else 0
        for zone in reversed(path):
            level += 1
            depth[zone] = level
    levels: dict[int, list[Row]] = defaultdict(list)
    for zone in zones:
        levels[depth[zone["id"]]].append(zone)
    return [levels[level] for level in sorted(levels)]


def _reason(exc: Exception) -> str:
    """An exception as one line: its message, with its type when it is not one of ours."""
    text = " ".join(str(exc).split())
    return text if isinstance(exc, GraphsvcError) else f"{type(exc).__name__}: {text}"


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
