"""Reading HSDS: a CSV folder (3.0, or a 1.x data package) or a 3.0 JSON file, as normalised
tables (3.0 names, rows as dicts) each row with where it came from."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphsvc.io.mapping import read_csv_records

MAX_JSON_BYTES = 64 * 1024 * 1024

HsdsRow = tuple[str, dict[str, Any]]
Tables = dict[str, list[HsdsRow]]

# normalised table -> file names tried (3.0 names first, then 1.x), and required columns
FILES: dict[str, tuple[str, ...]] = {
    "organization": ("organizations.csv", "organization.csv"),
    "service": ("services.csv", "service.csv"),
    "location": ("locations.csv", "location.csv"),
    "service_at_location": ("service_at_location.csv", "services_at_location.csv",
                            "service_at_locations.csv", "services_at_locations.csv"),
    "language": ("languages.csv", "language.csv"),
    "service_area": ("service_areas.csv", "service_area.csv"),
    "taxonomy_term": ("taxonomy_terms.csv", "taxonomy_term.csv"),
    "taxonomy": ("taxonomies.csv", "taxonomy.csv"),
    "attribute": ("attributes.csv", "attribute.csv", "service_attributes.csv"),
    "service_taxonomy": ("services_taxonomy.csv", "service_taxonomy.csv"),
    "organization_identifier": ("organization_identifiers.csv", "organization_identifier.csv"),
    "service_capacity": ("service_capacity.csv", "service_capacities.csv"),
    "unit": ("units.csv", "unit.csv"),
    "eligibility": ("eligibility.csv",),
    "phone": ("phones.csv", "phone.csv"),
    "contact": ("contacts.csv", "contact.csv"),
    "schedule": ("schedules.csv", "schedule.csv"),
    "regular_schedule": ("regular_schedules.csv", "regular_schedule.csv"),
    "holiday_schedule": ("holiday_schedules.csv", "holiday_schedule.csv"),
    "address": ("addresses.csv", "address.csv"),
    "physical_address": ("physical_addresses.csv", "physical_address.csv"),
    "postal_address": ("postal_addresses.csv", "postal_address.csv"),
    "accessibility": ("accessibility.csv", "accessibility_for_disabilities.csv"),
    "program": ("programs.csv", "program.csv"),
    "funding": ("funding.csv", "fundings.csv"),
    "required_document": ("required_documents.csv", "required_document.csv"),
    "cost_option": ("cost_options.csv", "cost_option.csv"),
    "metadata": ("metadata.csv",),
    "meta_table_description": ("meta_table_descriptions.csv", "meta_table_description.csv"),
}  # fmt: skip
# data package resource names of 1.x and 3.0 -> normalised table
RESOURCES = {name: name for name in FILES} | {
    "service_attribute": "attribute", "services_at_location": "service_at_location",
    "accessibility_for_disabilities": "accessibility", "services_taxonomy": "service_taxonomy",
}  # fmt: skip
REQUIRED = {
    "organization": ("id", "name"),
    "service": ("id", "name"),
    "location": ("id",),
    "service_at_location": ("service_id", "location_id"),
    "taxonomy_term": ("id", "name"),
    "attribute": ("link_id", "taxonomy_term_id"),
    "service_taxonomy": ("service_id", "taxonomy_id"),
    "organization_identifier": ("organization_id", "identifier"),
    "service_capacity": ("service_id",),
}
# nested lists of a 3.0 JSON object -> (table, the field naming the parent)
NESTED = {
    "phones": "phone", "contacts": "contact", "schedules": "schedule", "addresses": "address",
    "accessibility": "accessibility", "funding": "funding", "cost_options": "cost_option",
    "required_documents": "required_document", "programs": "program", "languages": "language",
    "service_areas": "service_area", "capacities": "service_capacity", "metadata": "metadata",
}  # fmt: skip


def read_hsds(path: Path, problems: list[str]) -> tuple[Tables, str]:
    """The HSDS tables of a folder (CSV, 3.0 or 1.x data package) or a 3.0 JSON file, with
    their rows normalised to 3.0 field names; and a title for the source."""
    path = Path(path)
    if path.is_dir():
        return _read_folder(path, problems), path.resolve().name
    if path.is_file():
        return _read_json(path, problems), path.stem
    problems.append(f"{path}: no such folder or file")
    return {}, ""


def _read_folder(folder: Path, problems: list[str]) -> Tables:
    files: dict[str, Path] = {}
    extra: Tables = {}
    package = folder / "datapackage.json"
    places = [folder, folder / "data"]  # resources sit beside datapackage.json or in data/
    if package.is_file():
        raw = package.read_text(encoding="utf-8", errors="replace").strip()
        if raw and "{" not in raw and "\n" not in raw and (package.parent / raw).is_file():
            package = package.parent / raw  # a symbolic link checked out as text (git)
        try:
            meta = json.loads(package.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{package}: broken JSON: {exc}")
            return {}
        zones = meta.get("x-graphsvc-zones") if isinstance(meta, dict) else None
        if isinstance(zones, list):  # zone names of a graphsvc export
            named = [z for z in zones if isinstance(z, dict)]
            extra["graphsvc_zone"] = [(f"{package.name} x-graphsvc-zones", z) for z in named]
        for resource in meta.get("resources", []) if isinstance(meta, dict) else []:
            if not isinstance(resource, dict):
                continue
            table = RESOURCES.get(str(resource.get("name")))
            relative = str(resource.get("path", ""))
            where = next((p / relative for p in places if (p / relative).is_file()), None)
            if table and table not in files and where is not None:
                files[table] = where
    for table, names in FILES.items():
        if table not in files:
            found = next((p / n for p in places for n in names if (p / n).is_file()), None)
            if found is not None:
                files[table] = found
    if "organization" not in files or "service" not in files:
        problems.append(
            f"{folder}: not an HSDS folder (needs organizations.csv and services.csv, "
            "or a datapackage.json naming them)"
        )
        return {}
    tables: Tables = {}
    for table, path in files.items():
        rows = tables.setdefault(table, [])
        for line, row in read_csv_records(path, problems, REQUIRED.get(table, ())):
            rows.append((f"{path.name} row {line}", row))
    return _normalise({**tables, **extra})


def _normalise(tables: Tables) -> Tables:
    """1.x tables and field names -> 3.0 ones."""
    if "taxonomy_term" not in tables and any(
        "parent_id" in row or "vocabulary" in row for _, row in tables.get("taxonomy", [])[:1]
    ):  # 1.x: taxonomy.csv holds the terms, their vocabulary is the taxonomy
        tables["taxonomy_term"] = [
            (w, {**r, "taxonomy": r.get("taxonomy") or r.get("vocabulary", "")})
            for w, r in tables.pop("taxonomy")
        ]
    if "service_taxonomy" in tables:  # 1.x: one link per row
        tables.setdefault("attribute", []).extend(
            (w, {"link_id": r.get("service_id", ""), "link_entity": "service",
                 "link_type": "", "taxonomy_term_id": r.get("taxonomy_id", "")})
            for w, r in tables.pop("service_taxonomy")
        )  # fmt: skip
    for _, row in tables.get("language", []):
        if not str(row.get("name") or "").strip():  # 1.x: the language column is 3.0's name
            row["name"] = row.pop("language", "") or ""
        elif row.get("language") == row.get("name"):
            row.pop("language")
    for _, row in tables.get("service_area", []):  # 1.x: the service_area column is the name
        if not str(row.get("name") or "").strip():
            row["name"] = row.pop("service_area", "") or ""
        elif row.get("service_area") == row.get("name"):
            row.pop("service_area")
    return tables


def _read_json(path: Path, problems: list[str]) -> Tables:
    size = path.stat().st_size
    if size > MAX_JSON_BYTES:
        problems.append(f"{path}: larger than {MAX_JSON_BYTES // 2**20} MB, refused")
        return {}
    with path.open("rb") as handle:
        start = handle.read(4096).lstrip().removeprefix(b"\xef\xbb\xbf").lstrip()
    if start[:1] not in (b"{", b"["):
        problems.append(f"{path}: not HSDS JSON (a JSON object or array expected)")
        return {}
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except UnicodeDecodeError as exc:
        problems.append(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})")
        return {}
    except json.JSONDecodeError as exc:
        problems.append(f"{path}: broken JSON at line {exc.lineno} column {exc.colno}: {exc.msg}")
        return {}
    except ValueError:  # an integer literal of more than 4,300 digits
        problems.append(f"{path}: a number with more than 4,300 digits (not an HSDS value)")
        return {}
    tables: Tables = _Flat()
    name = path.name
    if isinstance(data, dict) and isinstance(data.get("contents"), list):
        data = data["contents"]  # a page of an HSDS API list
    if isinstance(data, dict) and not {"id", "name"} <= set(data):
        for key, rows in data.items():  # the tabular form: {"organization": [...], ...}
            table = RESOURCES.get(key.removesuffix("s")) or RESOURCES.get(key)
            if table is None or not isinstance(rows, list):
                problems.append(f"{name}: unknown HSDS table {key!r}")
                continue
            tables[table] += [(f"{name} {key}[{i}]", r) for i, r in enumerate(rows)
                              if isinstance(r, dict)]  # fmt: skip
        return _normalise(dict(tables))
    services = data if isinstance(data, list) else [data]
    for index, service in enumerate(services):
        if not isinstance(service, dict):
            problems.append(f"{name} [{index}]: a service object expected")
            continue
        _flatten_service(service, f"{name} [{index}]", tables)
    if not tables.get("service"):
        problems.append(f"{name}: no HSDS services found")
    return dict(tables)


def _flat(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if not isinstance(v, list | dict)}


def _flatten_service(service: dict[str, Any], where: str, tables: Tables) -> None:
    """A compiled 3.0 service object -> rows of the normalised tables (an organization,
    location or taxonomy term repeated in several services is taken once)."""
    row = _flat(service)
    org = service.get("organization")
    if isinstance(org, dict):
        row.setdefault("organization_id", org.get("id"))
        if _first_time(tables, "organization", org):
            tables["organization"].append((f"{where}.organization", _flat(org)))
            for item in org.get("organization_identifiers") or []:
                if isinstance(item, dict):
                    tables["organization_identifier"].append(
                        (f"{where}.organization", {**_flat(item), "organization_id": org.get("id")})
                    )
            for location in org.get("locations") or []:
                _flatten_location(location, f"{where}.organization", tables, org.get("id"))
            _nested(org, f"{where}.organization", tables, "organization_id")
    tables["service"].append((where, row))
    sid = service.get("id")
    _nested(service, where, tables, "service_id")
    for item in service.get("attributes") or []:
        if not isinstance(item, dict):
            continue
        term = item.get("taxonomy_term")
        if isinstance(term, dict) and _first_time(tables, "taxonomy_term", term):
            flat = _flat(term)
            taxonomy = term.get("taxonomy_detail")
            if isinstance(taxonomy, dict):  # 3.0: the term's taxonomy, nested
                flat.setdefault("taxonomy_id", taxonomy.get("id"))
                if _first_time(tables, "taxonomy", taxonomy):
                    tables["taxonomy"].append((f"{where}.attributes", _flat(taxonomy)))
            tables["taxonomy_term"].append((f"{where}.attributes", flat))
        term_id = item.get("taxonomy_term_id") or (term or {}).get("id")
        link = {"link_id": sid, "link_entity": "service", "taxonomy_term_id": term_id}
        tables["attribute"].append((f"{where}.attributes", {**_flat(item), **link}))
    for item in service.get("service_at_locations") or []:
        if not isinstance(item, dict):
            continue
        location = item.get("location")
        lid = item.get("location_id") or (location or {}).get("id")
        tables["service_at_location"].append(
            (f"{where}.service_at_locations", {"id": item.get("id"), "service_id": sid,
                                                "location_id": lid})
        )  # fmt: skip
        if isinstance(location, dict):
            _flatten_location(location, f"{where}.service_at_locations", tables, None)


def _first_time(tables: Tables, table: str, obj: dict[str, Any]) -> bool:
    """Whether an object with this id has not been flattened into `table` yet."""
    seen = tables.seen.setdefault(table, set())  # type: ignore[attr-defined]
    key = obj.get("id")
    if key is not None and str(key) in seen:
        return False
    seen.add(str(key))
    return True


class _Flat(defaultdict):
    """Normalised tables being filled from nested JSON, with the ids already taken."""

    def __init__(self) -> None:
        super().__init__(list)
        self.seen: dict[str, set[str]] = {}


def _flatten_location(location: Any, where: str, tables: Tables, org_id: Any) -> None:
    if not isinstance(location, dict) or not _first_time(tables, "location", location):
        return
    row = _flat(location)
    if org_id is not None:
        row.setdefault("organization_id", org_id)
    tables["location"].append((where, row))
    _nested(location, where, tables, "location_id")


def _nested(obj: dict[str, Any], where: str, tables: Tables, parent_field: str) -> None:
    """The nested lists of a JSON object (phones, schedules...) as rows naming their parent."""
    for key, table in NESTED.items():
        items = obj.get(key) or []
        for item in items if isinstance(items, list) else [items]:
            if isinstance(item, dict):
                row = {**_flat(item), parent_field: obj.get("id")}
                tables[table].append((f"{where}.{key}", row))
