"""Open Referral HSDS: import 3.0 (CSV folder or JSON) and 1.x data packages; export 3.0 CSV.

Mapping (HSDS -> graph):
- organization -> Actor (kind organisation, line community unless the source says otherwise),
  coordinates and languages from its locations (or the locations of its services);
  organization_identifier -> NIHDI/RIZIV, KBO/CBE, AFMPS identifiers on the actor.
- service -> Service: status (active; inactive, defunct -> closed; temporarily closed ->
  paused), languages, eligibility (attributes of type eligibility), capacity from
  service_capacity (else 0 = unknown), the provider, and every taxonomy term: the first is its
  type (OF_TYPE), all of them its `classifications`.
- taxonomy_term (1.x: taxonomy) -> ServiceType, the parent as BROADER (every level is kept).
- service_area -> COVERS a zone; without any, the service covers the import's own zone.
  A service area whose uri is `urn:graphsvc:zone:ID` (as the export writes) is that zone.
- All actors are LOCATED_IN one zone: the import's own zone (id = the prefix, level region)
  or an existing zone given with `zone=`.

Ids are prefixed (`PREFIX-sourceid`, kept when already prefixed), so two directories do not
collide and re-importing an export with the same prefix gives the same ids. Records that
cannot be mapped are counted in the report with examples, never dropped silently; services of
an organization missing from the file get a placeholder provider (reported).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
from collections import defaultdict
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError
from graphsvc.io.bundle import ExistingKeys, Record, bundle_from_records
from graphsvc.io.mapping import (
    LANGUAGE_NAMES,
    Imported,
    ImportReport,
    eligibility_tag,
    identifier_scheme,
    identifier_value,
    language_codes,
    prefixed,
    read_csv_records,
    records_count,
    slug,
    valid_code,
)
from graphsvc.io.matching import match_records
from graphsvc.security.inputs import formula_safe
from graphsvc.store.base import Row, Store

MAX_JSON_BYTES = 64 * 1024 * 1024
ZONE_URI = "urn:graphsvc:zone:"
UNCLASSIFIED = "unclassified"
ELIGIBILITY_TAXONOMY = "graphsvc eligibility"
STATUS_IN = {"": "active", "active": "active", "inactive": "closed", "defunct": "closed",
             "temporarily closed": "paused", "temporarily_closed": "paused",
             "paused": "paused", "closed": "closed"}  # fmt: skip
STATUS_OUT = {"active": "active", "paused": "temporarily closed", "closed": "inactive"}
SCHEME_OUT = {"kbo": ("BE-BCE_KBO", "KBO/CBE enterprise number"),
              "nihdi": ("", "NIHDI/RIZIV/INAMI number"),
              "afmps": ("", "AFMPS/FAGG pharmacy authorisation")}  # fmt: skip

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
    "eligibility": ("eligibility.csv",),
}  # fmt: skip
# data package resource names of 1.x and 3.0 -> normalised table
RESOURCES = {"organization": "organization", "service": "service", "location": "location",
             "service_at_location": "service_at_location", "language": "language",
             "service_area": "service_area", "taxonomy_term": "taxonomy_term",
             "taxonomy": "taxonomy", "attribute": "attribute", "service_attribute": "attribute",
             "service_taxonomy": "service_taxonomy",
             "organization_identifier": "organization_identifier",
             "service_capacity": "service_capacity", "eligibility": "eligibility"}  # fmt: skip
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


# ----------------------------------------------------------------------------------- reading
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
    package = folder / "datapackage.json"
    places = [folder, folder / "data"]  # resources sit beside datapackage.json or in data/
    if package.is_file():
        try:
            meta = json.loads(package.read_text(encoding="utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(f"{package}: broken JSON: {exc}")
            return {}
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
    return _normalise(tables)


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
        row.setdefault("name", row.get("language", ""))
    for _, row in tables.get("service_area", []):
        row.setdefault("name", row.get("service_area", ""))
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
    tables["service"].append((where, row))
    sid = service.get("id")
    for key, table in (("languages", "language"), ("service_areas", "service_area"),
                       ("capacities", "service_capacity")):  # fmt: skip
        for item in service.get(key) or []:
            if isinstance(item, dict):
                tables[table].append((f"{where}.{key}", {**_flat(item), "service_id": sid}))
    for item in service.get("attributes") or []:
        if not isinstance(item, dict):
            continue
        term = item.get("taxonomy_term")
        if isinstance(term, dict) and _first_time(tables, "taxonomy_term", term):
            tables["taxonomy_term"].append((f"{where}.attributes", _flat(term)))
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
    for item in location.get("languages") or []:
        if isinstance(item, dict):
            tables["language"].append((where, {**_flat(item), "location_id": location.get("id")}))


# ----------------------------------------------------------------------------------- mapping
def _text(row: dict[str, Any], *names: str) -> str:
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def _number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) else None  # not NaN, nor a 5,000-digit number


def map_hsds(
    tables: Tables,
    prefix: str,
    title: str,
    report: ImportReport,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
) -> dict[str, list[Record]]:
    """Bundle records from normalised HSDS tables; what cannot be mapped goes in the report."""
    for table, rows in tables.items():
        report.read[table] = len(rows)
    pid = lambda raw: prefixed(prefix, raw)  # noqa: E731
    out: dict[str, list[Record]] = defaultdict(list)

    # Taxonomy terms -> service types (every level), eligibility terms kept apart.
    taxonomy_names = {_text(r, "id"): _text(r, "name") for _, r in tables.get("taxonomy", [])}
    code_of: dict[str, str] = {}  # term id -> service type code
    eligibility_terms: dict[str, str] = {}
    terms: list[tuple[str, dict[str, Any], str]] = []
    for where, term in tables.get("taxonomy_term", []):
        term_id = _text(term, "id")
        taxonomy = _text(term, "taxonomy") or taxonomy_names.get(_text(term, "taxonomy_id"), "")
        if taxonomy == ELIGIBILITY_TAXONOMY:
            eligibility_terms[term_id] = _text(term, "code", "name")
            continue
        code = valid_code(_text(term, "code")) or valid_code(term_id)
        if code is None:
            report.skip("taxonomy term without a usable id or code", where)
            continue
        if term_id in code_of:
            report.skip("duplicate taxonomy term id (first kept)", where)
            continue
        code_of[term_id] = code
        terms.append((where, term, code))
    seen_codes: set[str] = set()
    for where, term, code in terms:
        if code in seen_codes:
            continue
        seen_codes.add(code)
        parent_id = _text(term, "parent_id")
        broader = code_of.get(parent_id) if parent_id else None
        if parent_id and broader is None:
            report.note("taxonomy term whose parent is not in the file (kept without parent)",
                        where)  # fmt: skip
        taxonomy = _text(term, "taxonomy") or taxonomy_names.get(_text(term, "taxonomy_id"), "")
        out["service_types"].append((where, {
            "code": code, "name": _text(term, "name") or code, "category": taxonomy or None,
            "broader": broader}))  # fmt: skip

    # Locations: coordinates and languages per location.
    locations = {_text(r, "id"): r for _, r in tables.get("location", []) if _text(r, "id")}
    language_rows: dict[tuple[str, str], list[str]] = defaultdict(list)
    for where, row in tables.get("language", []):
        found = language_codes(_text(row, "name"), _text(row, "code"))
        if not found:
            text = _text(row, "name", "code")[:40]
            report.skip("language text naming no known language", f"{where} {text!r}")
            continue
        for kind, key in (("service", "service_id"), ("location", "location_id")):
            if _text(row, key):
                codes = language_rows[(kind, _text(row, key))]
                codes += [code for code in found if code not in codes]
    service_locations: dict[str, list[str]] = defaultdict(list)
    for where, row in tables.get("service_at_location", []):
        sid, lid = _text(row, "service_id"), _text(row, "location_id")
        if not sid or not lid:
            report.skip("service_at_location without service_id or location_id", where)
            continue
        service_locations[sid].append(lid)

    # Zones: the import's own zone, and service areas.
    root = zone or prefix or "hsds"
    zones: dict[str, Record] = {}
    service_zones: dict[str, list[str]] = defaultdict(list)
    wanted_uris = {
        _text(r, "uri")[len(ZONE_URI) :]
        for _, r in tables.get("service_area", [])
        if _text(r, "uri").startswith(ZONE_URI)
    }
    in_db = existing("zones", wanted_uris | {root}) if existing else set()
    for where, row in tables.get("service_area", []):
        sid = _text(row, "service_id")
        uri, name = _text(row, "uri"), _text(row, "name", "description")
        if uri.startswith(ZONE_URI):
            zid = uri[len(ZONE_URI) :]
            if zid not in in_db and zid not in zones:
                zones[zid] = (where, {"id": zid, "name": name or zid, "level": "region",
                                      "part_of": None if zid == root else root})  # fmt: skip
        elif name:
            zid = pid(f"area-{slug(name)}") or ""
            if zid not in zones:
                zones[zid] = (where, {"id": zid, "name": name[:200], "level": "region",
                                      "part_of": root})  # fmt: skip
        else:
            report.skip("service area without a name or uri", where)
            continue
        if not sid:
            report.skip("service area without service_id", where)
            continue
        if zid not in service_zones[sid]:
            service_zones[sid].append(zid)
    if root not in in_db and root not in zones:
        zones[root] = (title, {"id": root, "name": title or root, "level": "region",
                               "part_of": None})  # fmt: skip
    out["zones"] = list(zones.values())

    # Organizations -> actors.
    org_locations: dict[str, list[str]] = defaultdict(list)
    for lid, row in locations.items():
        if _text(row, "organization_id"):
            org_locations[_text(row, "organization_id")].append(lid)
    services_of: dict[str, list[str]] = defaultdict(list)
    for _, row in tables.get("service", []):
        services_of[_text(row, "organization_id")].append(_text(row, "id"))
    actor_of: dict[str, str] = {}
    for where, org in tables.get("organization", []):
        oid, aid = _text(org, "id"), pid(_text(org, "id"))
        if aid is None:
            report.skip("organization without a usable id", where)
            continue
        if oid in actor_of:
            report.skip("duplicate organization id (first kept)", where)
            continue
        name = _text(org, "name", "alternate_name")
        if not name:
            report.skip("organization without a name", where)
            continue
        actor_of[oid] = aid
        candidates = org_locations.get(oid, []) + [
            lid for sid in services_of.get(oid, []) for lid in service_locations.get(sid, [])
        ]
        lat, lon = _coordinates(candidates, locations)
        languages: list[str] = []
        for lid in org_locations.get(oid, []):
            languages += [c for c in language_rows.get(("location", lid), []) if c not in languages]
        out["actors"].append(
            (
                where,
                {
                    "id": aid,
                    "name": name,
                    "kind": "organisation",
                    "line": "community",
                    "discipline": None,
                    "languages": languages,
                    "lat": lat,
                    "lon": lon,
                    "zone": root,
                },
            )
        )
    for where, row in tables.get("organization_identifier", []):
        aid = actor_of.get(_text(row, "organization_id"))
        scheme = identifier_scheme(_text(row, "identifier_scheme"), _text(row, "identifier_type"))
        value = identifier_value(scheme, _text(row, "identifier")) if scheme else None
        if aid is None:
            report.skip("organization identifier of an unknown organization", where)
        elif scheme is None or value is None:
            report.skip("organization identifier of a scheme graphsvc does not keep", where)
        else:
            out["actor_identifiers"].append(
                (where, {"actor": aid, "scheme": scheme, "value": value})
            )

    # Services.
    terms_of: dict[str, list[str]] = defaultdict(list)
    tags_of: dict[str, list[str]] = defaultdict(list)
    for where, row in tables.get("attribute", []):
        link, term_id = _text(row, "link_id"), _text(row, "taxonomy_term_id")
        entity = _text(row, "link_entity") or "service"
        if entity != "service":
            report.skip(f"attribute of a {entity} (only service attributes are kept)", where)
            continue
        if _text(row, "link_type") == "eligibility" or term_id in eligibility_terms:
            tag = eligibility_tag(eligibility_terms.get(term_id) or _text(row, "value"))
            if tag and tag not in tags_of[link]:
                tags_of[link].append(tag)
            elif not tag:
                report.skip("eligibility attribute that is not a short tag", where)
            continue
        code = code_of.get(term_id)
        if code is None:
            report.skip("attribute naming a taxonomy term not in the file", where)
        elif code in terms_of[link]:
            report.skip("duplicate service-taxonomy link", where)
        else:
            terms_of[link].append(code)
    for where, row in tables.get("eligibility", []):
        sid = _text(row, "service_id")
        tag = eligibility_tag(_text(row, "eligibility"))
        if not sid:
            report.skip("eligibility without service_id", where)
        elif tag is None:
            report.skip("free-text eligibility (not a tag)", where)
        elif tag not in tags_of[sid]:
            tags_of[sid].append(tag)
    capacity_of: dict[str, tuple[int, int]] = {}
    for where, row in tables.get("service_capacity", []):
        sid = _text(row, "service_id")
        available, maximum = _number(row.get("available")), _number(row.get("maximum"))
        if sid in capacity_of or available is None or available < 0:
            report.skip("service capacity without a number of places (or a second one)", where)
            continue
        capacity = max(int(maximum) if maximum is not None else 0, int(available))
        capacity_of[sid] = (capacity, int(available))
    placeholders: dict[str, str] = {}
    placeholder_names: dict[str, list[str]] = defaultdict(list)
    unclassified = False
    seen_services: set[str] = set()
    for where, row in tables.get("service", []):
        raw, sid = _text(row, "id"), pid(_text(row, "id"))
        if sid is None:
            report.skip("service without a usable id", where)
            continue
        if raw in seen_services:
            report.skip("duplicate service id (first kept)", where)
            continue
        seen_services.add(raw)
        name = _text(row, "name", "alternate_name")
        if not name:
            report.skip("service without a name", where)
            continue
        oid = _text(row, "organization_id")
        actor = actor_of.get(oid)
        if actor is None:
            actor = placeholders.get(oid) or pid(oid or "unknown-organization")
            if actor is None:
                report.skip("service whose organization_id is not a usable id", where)
                continue
            placeholders[oid] = actor
            placeholder_names[oid] += [
                _text(locations.get(lid, {}), "name") for lid in service_locations.get(raw, [])
            ]
            report.note("service of an organization missing from the file (placeholder provider)",
                        where)  # fmt: skip
        status_text = _text(row, "status").lower()
        status = STATUS_IN.get(status_text)
        if status is None:
            report.note(f"unknown service status {status_text!r} (taken as active)", where)
            status = "active"
        codes = terms_of.get(raw, [])
        if not codes:
            unclassified = True
            report.note("service without taxonomy term (type 'unclassified')", where)
        capacity, available = capacity_of.get(raw, (0, 0))
        out["services"].append((where, {
            "id": sid, "actor": actor, "type": codes[0] if codes else UNCLASSIFIED,
            "name": name, "capacity": capacity, "available": available,
            "languages": language_rows.get(("service", raw), []),
            "eligibility": tags_of.get(raw, []), "status": status,
            "covers": service_zones.get(raw) or [root]}))  # fmt: skip
        out["service_classifications"] += [
            (where, {"service": sid, "type": code}) for code in codes if code != UNCLASSIFIED
        ]
    for oid, aid in sorted(placeholders.items()):
        name = _common_name(placeholder_names[oid]) or f"Organization {oid or 'unknown'}"
        out["actors"].append(
            (
                f"services.csv organization_id {oid!r}",
                {
                    "id": aid,
                    "name": name,
                    "kind": "organisation",
                    "line": "community",
                    "discipline": None,
                    "languages": [],
                    "lat": None,
                    "lon": None,
                    "zone": root,
                },
            )
        )
    if placeholders:
        for _ in placeholders:
            report.note("placeholder organization made for the services above")
    if unclassified and UNCLASSIFIED not in seen_codes:
        out["service_types"].append((title, {"code": UNCLASSIFIED, "name": "Unclassified service",
                                             "category": None, "broader": None}))  # fmt: skip
    report.mapped.update(records_count(out))
    return dict(out)


def _coordinates(location_ids: list[str], locations: dict[str, dict]) -> tuple[Any, Any]:
    for lid in location_ids:
        row = locations.get(lid, {})
        lat, lon = _number(row.get("latitude")), _number(row.get("longitude"))
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            return lat, lon
    return None, None


def _common_name(names: list[str]) -> str:
    """The shared beginning of location names ('M-DC CAHS - ACCION CENTER - IMMIGRATION' and
    'M-DC CAHS - ACCION CENTER - AFTER SCHOOL' -> 'M-DC CAHS - ACCION CENTER')."""
    names = [n for n in names if n]
    if not names:
        return ""
    parts = [n.split(" - ") for n in names]
    common = []
    for pieces in zip(*parts, strict=False):
        if len({p.strip() for p in pieces}) != 1:
            break
        common.append(pieces[0].strip())
    if len(names) == 1 and len(parts[0]) > 1:
        common = [p.strip() for p in parts[0][:-1]]
    return " - ".join(common)


def import_hsds(
    path: Path,
    prefix: str | None = None,
    zone: str | None = None,
    existing: ExistingKeys | None = None,
    candidates: list[dict[str, Any]] | None = None,
) -> Imported:
    """Read, map, match (with `candidates`, the actors already there) and check an HSDS
    source; raise InputError when it cannot be imported."""
    problems: list[str] = []
    tables, title = read_hsds(Path(path), problems)
    if problems:
        raise InputError(problems)
    prefix = slug(title) if prefix is None else prefix
    report = ImportReport(str(path))
    records = map_hsds(tables, prefix, title, report, zone=zone, existing=existing)
    matched = match_records(records, candidates) if candidates is not None else None
    bundle = bundle_from_records(Path(path), records, [], existing)
    return Imported(bundle, report, matched)


# ------------------------------------------------------------------------------------ export
HSDS_FILES: dict[str, tuple[str, tuple[str, ...]]] = {
    "organization": ("organizations.csv", (
        "id", "name", "alternate_name", "description", "email", "website", "tax_status",
        "tax_id", "year_incorporated", "legal_status", "logo", "uri", "parent_organization_id")),
    "organization_identifier": ("organization_identifiers.csv", (
        "id", "organization_id", "identifier_scheme", "identifier_type", "identifier")),
    "service": ("services.csv", (
        "id", "organization_id", "program_id", "name", "alternate_name", "description", "url",
        "email", "status", "interpretation_services", "application_process",
        "fees_description", "accreditations", "eligibility_description", "minimum_age",
        "maximum_age", "assured_date", "assurer_email", "alert", "last_modified")),
    "location": ("locations.csv", (
        "id", "location_type", "url", "organization_id", "name", "alternate_name",
        "description", "transportation", "latitude", "longitude", "external_identifier",
        "external_identifier_type")),
    "language": ("languages.csv", ("id", "service_id", "location_id", "phone_id", "name",
                                   "code", "note")),
    "service_area": ("service_areas.csv", ("id", "service_id", "service_at_location_id",
                                           "name", "description", "extent", "extent_type",
                                           "uri")),
    "taxonomy_term": ("taxonomy_terms.csv", ("id", "code", "name", "description", "parent_id",
                                             "taxonomy", "language", "taxonomy_id",
                                             "term_uri")),
    "attribute": ("attributes.csv", ("id", "link_id", "taxonomy_term_id", "link_type",
                                     "link_entity", "value", "label")),
    "unit": ("units.csv", ("id", "name", "scheme", "identifier", "uri")),
    "service_capacity": ("service_capacity.csv", ("id", "service_id", "unit_id", "available",
                                                  "maximum", "description", "updated")),
}  # fmt: skip
PLACE_UNIT = "graphsvc-place"


def hsds_tables(tables: dict[str, list[Row]], now: str | None = None) -> dict[str, list[dict]]:
    """HSDS 3.0 rows from a bundle's tables (as export_tables returns them)."""
    now = now or dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")
    zone_names = {z["id"]: z["name"] for z in tables.get("zones", [])}
    out: dict[str, list[dict]] = defaultdict(list)
    for actor in tables.get("actors", []):
        aid = actor["id"]
        out["organization"].append({"id": aid, "name": actor["name"], "description": ""})
        location = f"{aid}-location"
        out["location"].append(
            {
                "id": location,
                "location_type": "physical",
                "organization_id": aid,
                "name": actor["name"],
                "latitude": actor["lat"],
                "longitude": actor["lon"],
            }
        )
        out["language"] += [
            {"id": f"{location}-{code}", "location_id": location, "code": code,
             "name": LANGUAGE_NAMES.get(code, code)}
            for code in actor["languages"] or []
        ]  # fmt: skip
    for row in tables.get("actor_identifiers", []):
        scheme, label = SCHEME_OUT[row["scheme"]]
        out["organization_identifier"].append({
            "id": f"{row['actor']}-{row['scheme']}", "organization_id": row["actor"],
            "identifier_scheme": scheme, "identifier_type": label,
            "identifier": row["value"]})  # fmt: skip
    for term in tables.get("service_types", []):
        out["taxonomy_term"].append({
            "id": term["code"], "code": term["code"], "name": term["name"], "description": "",
            "parent_id": term["broader"], "taxonomy": term["category"]})  # fmt: skip
    extra: dict[str, list[str]] = defaultdict(list)
    for row in tables.get("service_classifications", []):
        extra[row["service"]].append(row["type"])
    tags: set[str] = set()
    for service in tables.get("services", []):
        sid = service["id"]
        out["service"].append({
            "id": sid, "organization_id": service["actor"], "name": service["name"],
            "status": STATUS_OUT[service["status"]]})  # fmt: skip
        codes = [service["type"]] + [c for c in sorted(extra[sid]) if c != service["type"]]
        out["attribute"] += [
            {"id": f"{sid}-type-{n}", "link_id": sid, "taxonomy_term_id": code,
             "link_type": "service_type", "link_entity": "service"}
            for n, code in enumerate(codes)
        ]  # fmt: skip
        for tag in service["eligibility"] or []:
            tags.add(tag)
            out["attribute"].append({
                "id": f"{sid}-eligibility-{tag}", "link_id": sid,
                "taxonomy_term_id": f"eligibility-{tag}", "link_type": "eligibility",
                "link_entity": "service", "value": tag})  # fmt: skip
        out["language"] += [
            {"id": f"{sid}-{code}", "service_id": sid, "code": code,
             "name": LANGUAGE_NAMES.get(code, code)}
            for code in service["languages"] or []
        ]  # fmt: skip
        out["service_area"] += [
            {"id": f"{sid}-area-{zone}", "service_id": sid, "name": zone_names.get(zone, zone),
             "extent_type": "text", "uri": f"{ZONE_URI}{zone}"}
            for zone in service["covers"]
        ]  # fmt: skip
        if service["capacity"] or service["available"]:
            out["service_capacity"].append({
                "id": f"{sid}-capacity", "service_id": sid, "unit_id": PLACE_UNIT,
                "available": service["available"], "maximum": service["capacity"],
                "description": "people served at once (maximum) and free places (available)",
                "updated": now})  # fmt: skip
    out["taxonomy_term"] += [
        {"id": f"eligibility-{tag}", "code": tag, "name": tag, "description": "",
         "taxonomy": ELIGIBILITY_TAXONOMY}
        for tag in sorted(tags)
    ]  # fmt: skip
    if out["service_capacity"]:
        out["unit"].append({"id": PLACE_UNIT, "name": "place (a person served at once)"})
    return dict(out)


def _field(value: Any) -> Any:
    """A CSV field, text neutralised for spreadsheets (OWASP: formula_safe)."""
    if value is None:
        return ""
    return formula_safe(value) if isinstance(value, str) else value


def write_hsds(folder: Path, rows: dict[str, list[dict]]) -> dict[str, int]:
    """Write HSDS 3.0 CSV files and their datapackage.json; return rows per file."""
    folder.mkdir(parents=True, exist_ok=True)
    resources, written = [], {}
    for table, (file, columns) in HSDS_FILES.items():
        with (folder / file).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(columns)
            for row in rows.get(table, []):
                writer.writerow([_field(row.get(c)) for c in columns])
        resources.append({"name": table, "path": file, "format": "csv",
                          "mediatype": "text/csv", "profile": "tabular-data-resource"})  # fmt: skip
        written[file] = len(rows.get(table, []))
    package = {
        "name": "graphsvc-export",
        "title": "graphsvc export (HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": "3.0.0",
        "resources": resources,
    }
    (folder / "datapackage.json").write_text(json.dumps(package, indent=2) + "\n")
    return written


def export_hsds(store: Store, folder: Path) -> dict[str, int]:
    """Export the graph's actors, services and service types as HSDS 3.0 CSV (no patients)."""
    from graphsvc.io.export import export_tables

    return write_hsds(Path(folder), hsds_tables(export_tables(store)))
