"""The native bundle as one JSON file: `{"format": "graphsvc-bundle", "version": 1, "zones":
[{...}], "actors": [...], ...}`, the same tables and column names as the CSV folder, with JSON
numbers, arrays of strings and null. `schemas/bundle.schema.json` is generated from
bundle_format.py by `python -m graphsvc.io.bundle_json` (a test keeps them in step).

Reading refuses quickly what cannot be a bundle (too large, not starting with `{`) before
parsing, so a huge garbage file costs neither time nor memory.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from graphsvc.io.bundle_format import OPTIONAL_TABLES, TABLES, TABLES_BY_NAME, Column, Table
from graphsvc.io.records import ID, PSEUDONYM, Record

FORMAT = "graphsvc-bundle"
VERSION = 1
MAX_JSON_BYTES = 64 * 1024 * 1024
SCHEMA_ID = "https://graphsvc.invalid/schemas/bundle.schema.json"

DESCRIPTIONS = {
    "zones": "Zones nested with part_of (PART_OF): country, region, primary care zone, pilot "
    "zone, municipality, vicinity network, statistical sector.",
    "service_types": "Service types, in a hierarchy (broader = BROADER).",
    "need_types": "Need types and the service types that meet them (met_by = MET_BY).",
    "actors": "Organisations, professionals and teams, located in a zone (LOCATED_IN).",
    "actor_identifiers": "Identifiers of actors in other registers (NIHDI/RIZIV, KBO/CBE, "
    "AFMPS), one per actor and scheme; kept as actor properties.",
    "networks": "Consortia, vicinity-network teams, multidisciplinary teams, care pathways.",
    "memberships": "Actor MEMBER_OF network, with a role.",
    "collaborations": "Actor COLLABORATES_WITH actor, once per pair (source < target).",
    "services": "Services an actor provides (PROVIDES), of one main type (OF_TYPE), covering "
    "zones (COVERS); capacity = people served at once, available = free places now.",
    "service_classifications": "Every taxonomy term of a service (its `classifications`).",
    "zone_needs": "Population need of a zone (HAS_NEED {people, year, source}); on the finest "
    "zones only.",
    "patients": "Pseudonymous patients (HMAC-SHA256 hex), their zone and case manager.",
    "patient_needs": "A patient's needs (HAS_NEED {since}).",
    # co-creation (issue 10)
    "objectives": "Strategic and operational objectives of a zone's action plan (FOR_ZONE); "
    "an operational objective refines its parent (REFINES).",
    "actions": "Actions serving an objective (SERVES), with a status and dates, targeting need "
    "types (TARGETS) in zones (FOR_ZONE).",
    "action_commitments": "Actor COMMITS_TO action, with a role.",
    "planned_services": "To-be services an action plans (PLANS): Services with status planned, "
    "counted by the TO_BE scenario of gap queries.",
    "care_pathways": "Care pathways for the people with one need type (FOR_NEED), offered in a "
    "zone (FOR_ZONE) and run by a network (RUN_BY).",
    "pathway_steps": "Ordered steps of a care pathway, each a service type and the expected "
    "day after enrolment.",
    "enrolments": "Patients enrolled in care pathways (ENROLLED_IN {since, completed}).",
    "funding": "Funding lines (scheme, whole euros, period, source) of a zone or a network or "
    "team (FUNDS).",
    "network_zones": "The zone a network or team works in (WORKS_IN).",
}


def read_json_records(
    path: Path, problems: list[str], rejected: set[str] | None = None
) -> dict[str, list[Record]]:
    """The records of a JSON bundle file per table; problems are appended, never raised.

    Tables refused as a whole (not a list) are added to `rejected`.
    """
    name = path.name
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        problems.append(
            f"{path}: {size / 2**20:.0f} MB, larger than {MAX_JSON_BYTES // 2**20} MB: refused "
            "(use a folder of CSV files for large bundles)"
        )
        return {}
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip()
    if start.startswith(b"\xef\xbb\xbf"):
        start = start[3:].lstrip()
    if not start.startswith(b"{"):
        problems.append(f"{path}: not a JSON bundle (a JSON object starting with '{{' expected)")
        return {}
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return {}
    except json.JSONDecodeError as exc:
        problems.append(f"{path}: broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        return {}
    except ValueError as exc:  # e.g. an integer of more than 4300 digits
        problems.append(f"{path}: not a usable JSON bundle: {' '.join(str(exc).split())[:200]}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{path}: a JSON bundle is an object of tables")
        return {}
    if data.get("format", FORMAT) != FORMAT:
        problems.append(f"{name} field format: {data.get('format')!r}, expected {FORMAT!r}")
    if data.get("version", VERSION) != VERSION:
        problems.append(f"{name} field version: {data.get('version')!r}, expected {VERSION}")
    records: dict[str, list[Record]] = {}
    for key, rows in data.items():
        if key in ("format", "version"):
            continue
        if key not in TABLES_BY_NAME:
            known = ", ".join(t.name for t in TABLES)
            problems.append(f"{name}: unknown table {key!r} (known: {known})")
            continue
        if not isinstance(rows, list):
            problems.append(f"{name} field {key}: a list of records expected")
            if rejected is not None:
                rejected.add(key)
            continue
        table: list[Record] = []
        for index, row in enumerate(rows):
            where = f"{name} {key}[{index}]"
            if not isinstance(row, dict):
                problems.append(f"{where}: a record (JSON object) expected")
                continue
            table.append((where, row))
        records[key] = table
    if "zones" not in records and not problems:
        problems.append(f"{name}: missing table 'zones' (every bundle needs zones)")
    return records


def write_json_bundle(path: Path, tables: dict[str, list[dict[str, Any]]]) -> None:
    """Write tables (typed rows) as one JSON bundle file, tables and rows in a stable order."""
    data: dict[str, Any] = {"format": FORMAT, "version": VERSION}
    for table in TABLES:
        rows = tables.get(table.name, [])
        if rows or table.name not in OPTIONAL_TABLES:
            data[table.name] = [{c: row.get(c) for c in table.header} for row in rows]
    text = json.dumps(data, ensure_ascii=False, indent=1)
    path.write_text(text + "\n", encoding="utf-8")


def _column_schema(column: Column) -> dict[str, Any]:
    if column.kind == "list":
        schema: dict[str, Any] = {"type": "array", "items": {"type": "string"}}
        if column.required:
            schema["minItems"] = 1
    elif column.kind == "int":
        schema = {"type": "integer", "minimum": 0}
    elif column.kind == "float":
        schema = {"type": "number"}
    else:
        schema = {"type": "string"}
        if column.kind == "id":
            schema["pattern"] = ID.pattern
        elif column.kind == "pseudonym":
            schema["pattern"] = PSEUDONYM.pattern
        elif column.kind == "date":
            schema["format"] = "date"
        elif column.required:
            schema["minLength"] = 1
        if column.choices:
            schema["enum"] = list(column.choices)
    if column.ref:
        item = "each item" if column.kind == "list" else "the value"
        schema["description"] = f"{item} is a key of {column.ref}"
    if not column.required:
        if "enum" in schema:
            schema["enum"] = [*schema["enum"], None]
        schema["type"] = [schema["type"], "null"]
    return schema


def _table_schema(table: Table) -> dict[str, Any]:
    description = DESCRIPTIONS.get(table.name, "")
    description += f" Unique key: {' + '.join(table.key)}."
    return {
        "description": description.strip(),
        "type": "array",
        "items": {
            "type": "object",
            "additionalProperties": False,
            "required": [c.name for c in table.columns if c.required],
            "properties": {c.name: _column_schema(c) for c in table.columns},
        },
    }


def bundle_json_schema() -> dict[str, Any]:
    """The JSON Schema of a JSON bundle (structure and types; references are checked on import)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "graphsvc bundle",
        "description": "Zones, actors, services, vocabularies, needs, networks and pseudonymous "
        "patients for graphsvc, as one JSON file. The same tables as a bundle folder of CSV "
        "files (one file per table, `|` between list items). Every reference must resolve in "
        "the bundle (or the database it is imported into); graphsvc checks that on import.",
        "type": "object",
        "additionalProperties": False,
        "required": ["zones"],
        "properties": {
            "format": {"const": FORMAT},
            "version": {"const": VERSION},
            **{table.name: _table_schema(table) for table in TABLES},
        },
    }


def schema_text() -> str:
    """The schema file's exact text."""
    return json.dumps(bundle_json_schema(), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    sys.stdout.write(schema_text())
