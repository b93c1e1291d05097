"""Export the graph as a native bundle: a folder of CSV files or one JSON file.

The export reads every node and relationship through `list_bundle_*` queries and writes the
same tables `read_bundle` reads, so exporting then importing gives the same graph. Patients
are left out unless asked for (they are pseudonymous, but still patient data).
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from graphsvc.io.bundle_format import (
    IDENTIFIER_SCHEMES,
    LIST_SEPARATOR,
    OPTIONAL_TABLES,
    TABLES,
    TABLES_BY_NAME,
)
from graphsvc.security.files import private_dir, private_file
from graphsvc.security.inputs import formula_safe
from graphsvc.store.base import Row, Store

PATIENT_TABLES = ("patients", "patient_needs", "enrolments")


def export_tables(store: Store, patients: bool = False) -> dict[str, list[Row]]:
    """Every table of a bundle, read from the database, as typed rows sorted like seeds."""
    run = store.run
    tables: dict[str, list[Row]] = {
        "zones": run("list_bundle_zones"),
        "service_types": run("list_bundle_service_types"),
        "need_types": [{**n, "met_by": sorted(n["met_by"])} for n in run("list_bundle_need_types")],
        "networks": run("list_bundle_networks"),
        "memberships": run("list_bundle_memberships"),
        "collaborations": run("list_bundle_collaborations"),
        "zone_needs": run("list_bundle_zone_needs"),
    }
    actors, identifiers = [], []
    for row in run("list_bundle_actors"):
        actors.append({**_pick(row, TABLES_BY_NAME["actors"].header), "zone": _first(row["zones"])})
        identifiers += [
            {"actor": row["id"], "scheme": scheme, "value": row[scheme]}
            for scheme in IDENTIFIER_SCHEMES
            if row.get(scheme) is not None
        ]
    tables["actors"], tables["actor_identifiers"] = actors, identifiers
    services, classifications = [], []
    for row in run("list_bundle_services"):
        service = _pick(row, TABLES_BY_NAME["services"].header)
        service.update(actor=_first(row["actors"]), type=_first(row["types"]))
        service["covers"] = sorted(row["covers"])
        services.append(service)
        classifications += [{"service": row["id"], "type": t} for t in row["classifications"] or []]
    tables["services"], tables["service_classifications"] = services, classifications
    if patients:
        tables["patients"] = [
            {**_pick(p, TABLES_BY_NAME["patients"].header), "zone": _first(p["zones"]),
             "case_manager": _first(p["managers"])}
            for p in run("list_bundle_patients")
        ]  # fmt: skip
        tables["patient_needs"] = run("list_bundle_patient_needs")
        tables["enrolments"] = run("list_bundle_enrolments")
    tables.update(coplan_tables(store))
    return {name: _sorted(name, rows) for name, rows in tables.items()}


def coplan_tables(store: Store) -> dict[str, list[Row]]:
    """The co-creation tables (issue 10) but enrolments: action plans, pathways, funding."""
    run = store.run
    tables: dict[str, list[Row]] = {
        "objectives": [
            {**_pick(o, ["id", "name", "level"]), "zone": _first(o["zones"]),
             "parent": _first(o["parents"])}
            for o in run("list_bundle_objectives")
        ],
        "actions": [
            {**_pick(a, TABLES_BY_NAME["actions"].header), "objective": _first(a["objectives"]),
             "zones": sorted(a["zones"]), "needs": sorted(a["needs"])}
            for a in run("list_bundle_actions")
        ],
        "action_commitments": run("list_bundle_action_commitments"),
        "planned_services": [
            {**_pick(s, TABLES_BY_NAME["planned_services"].header),
             "action": _first(s["actions"]), "actor": _first(s["actors"]),
             "type": _first(s["types"]), "covers": sorted(s["covers"])}
            for s in run("list_bundle_planned_services")
        ],
        "care_pathways": [
            {**_pick(p, ["id", "name", "share"]), "need": _first(p["needs"]),
             "zone": _first(p["zones"]),
             "network": _first(p["networks"])}
            for p in run("list_bundle_care_pathways")
        ],
        "pathway_steps": run("list_bundle_pathway_steps"),
        "funding": [
            {**_pick(f, TABLES_BY_NAME["funding"].header), "zone": _first(f["zones"]),
             "network": _first(f["networks"])}
            for f in run("list_bundle_funding")
        ],
        "network_zones": run("list_bundle_network_zones"),
    }  # fmt: skip
    return tables


def _first(values: list[Any]) -> Any:
    return min(values) if values else None


def _pick(row: Row, names: list[str]) -> Row:
    return {name: row.get(name) for name in names}


def _sorted(table: str, rows: list[Row]) -> list[Row]:
    header = TABLES_BY_NAME[table].header
    return sorted(rows, key=lambda r: tuple(csv_value(r.get(c)) for c in header))


def csv_value(value: Any) -> str:
    """A typed value as the text of a CSV field (the inverse of the bundle's conversions)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def csv_field(value: Any) -> str:
    """`csv_value`, neutralised for spreadsheets (graphsvc.security.inputs.formula_safe)."""
    return formula_safe(csv_value(value))


def write_csv_bundle(folder: Path, tables: dict[str, list[Row]]) -> list[Path]:
    """Write tables as a bundle folder (UTF-8, `\\n` line endings); return the files written."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for table in TABLES:
        if table.name not in tables:
            continue
        rows = tables[table.name]
        if not rows and table.name in OPTIONAL_TABLES:
            continue
        path = folder / table.file
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(table.header)
            for row in rows:
                writer.writerow([csv_field(row.get(c)) for c in table.header])
        written.append(path)
    return written


def export_bundle(store: Store, path: Path, patients: bool = False) -> dict[str, int]:
    """Write the graph to PATH (a `.json` file, else a folder of CSV); return rows per table."""
    tables = export_tables(store, patients=patients)
    write_bundle_file(Path(path), tables)
    return {name: len(rows) for name, rows in tables.items()}


def write_bundle_file(path: Path, tables: dict[str, list[Row]]) -> None:
    """Exported tables to PATH: a `.json` bundle file, else a folder of CSV files."""
    from graphsvc.io.bundle_json import write_json_bundle

    private = bool(patients_in(tables))  # patients: for the owner only (0600, folder 0700)
    if path.suffix.lower() == ".json":
        path.parent.mkdir(parents=True, exist_ok=True)
        if private:
            private_file(path)
        write_json_bundle(path, tables)
    else:
        if private:
            private_dir(path)
            for table in TABLES:
                if tables.get(table.name) or (
                    table.name in tables and table.name not in OPTIONAL_TABLES
                ):
                    private_file(path / table.file)
        write_csv_bundle(path, tables)


def patients_in(tables: dict[str, list[Row]]) -> set[str]:
    """The pseudonyms of the patients whose data the tables hold (for the audit log)."""
    found = {row["id"] for row in tables.get("patients", [])}
    for table in PATIENT_TABLES[1:]:
        found.update(row["patient"] for row in tables.get(table, []))
    return found
