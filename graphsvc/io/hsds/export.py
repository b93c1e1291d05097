"""The graph as HSDS 3.0 CSV (`--version 3.1` adds unit and service_capacity) that validates
against the official tabular package (a copy in hsds-3.0.json).

- Ids: uuid5 of graphsvc's id (`urn:graphsvc:<kind>:<id>`), so the same graph gives the same
  files byte for byte; graphsvc's ids are kept as organization identifiers and service and
  location attributes of type 'graphsvc id' (read back by the importer).
- Required fields without a value take a documented fallback: an organization's or a term's
  description is its name; a location's type is 'physical'; an address's missing parts are
  'unknown' (type 'physical'). Values that do not have the field's format (an email, a uri, a
  date, a time, a number) are left out and counted (`invalid values left out`).
- No current-time fields: nothing in the files depends on when they were written.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import re
import uuid
from collections import Counter, defaultdict
from importlib import resources
from pathlib import Path
from typing import Any

from graphsvc.io.hsds.context import OWN_ID, clock_time, number
from graphsvc.io.hsds.places import ZONE_URI
from graphsvc.io.hsds.taxonomy import (
    ELIGIBILITY_TAXONOMY,
    ELIGIBILITY_URI,
    ID_TAXONOMY_URI,
    OWN_TAXONOMY,
)
from graphsvc.io.mapping import LANGUAGE_NAMES, slug
from graphsvc.security.inputs import formula_safe
from graphsvc.store.base import Row, Store

STATUS_OUT = {"active": "active", "paused": "temporarily closed", "closed": "inactive"}
SCHEME_OUT = {"kbo": ("BE-BCE_KBO", "KBO/CBE enterprise number"),
              "nihdi": ("", "NIHDI/RIZIV/INAMI number"),
              "afmps": ("", "AFMPS/FAGG pharmacy authorisation")}  # fmt: skip
UNKNOWN = "unknown"
PLACE_UNIT = "graphsvc-place"
CAPACITY_3_1 = [  # HSDS 3.1 tables graphsvc writes with --version 3.1
    {"name": "unit", "path": "units.csv", "schema": {"primaryKey": "id", "fields": [
        {"name": n, "type": "string", **({"format": "uuid", "constraints": {"required": True}}
                                          if n == "id" else {})}
        for n in ("id", "name", "scheme", "identifier", "uri")]}},
    {"name": "service_capacity", "path": "service_capacity.csv", "schema": {
        "primaryKey": "id", "fields": [
            {"name": "id", "type": "string", "format": "uuid", "constraints": {"required": True}},
            {"name": "service_id", "type": "string", "format": "uuid",
             "constraints": {"required": True}},
            {"name": "unit_id", "type": "string", "format": "uuid",
             "constraints": {"required": True}},
            {"name": "available", "type": "number", "constraints": {"required": True}},
            {"name": "maximum", "type": "number"}, {"name": "description", "type": "string"},
            {"name": "updated", "type": "datetime"}]}},
]  # fmt: skip
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$")


def package_spec() -> dict[str, Any]:
    """The official HSDS 3.0 tabular data package (resources with their table schemas)."""
    text = resources.files("graphsvc.io.hsds").joinpath("hsds-3.0.json").read_text("utf-8")
    return json.loads(text)


def uid(kind: str, key: str) -> str:
    """The stable UUID of one exported record."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"urn:graphsvc:{kind}:{key}"))


def _detail(row: Row) -> dict[str, Any]:
    return json.loads(row["detail"]) if row.get("detail") else {}


class _Out:
    """Rows per HSDS table being built, with nested records numbered per owner."""

    def __init__(self) -> None:
        self.rows: dict[str, list[dict[str, Any]]] = defaultdict(list)

    def nested(self, detail: dict[str, Any], owner_kind: str, owner: str, owner_uid: str,
               table_of: dict[str, str]) -> None:  # fmt: skip
        for prop, table in table_of.items():
            for n, record in enumerate(detail.get(prop) or []):
                row = {k: v for k, v in record.items() if not isinstance(v, list | dict)
                       and not k.startswith("also_")}  # fmt: skip
                row.update({f"{k[5:]}_id": uid(k[5:], v) for k, v in record.items()
                            if k.startswith("also_")})  # fmt: skip
                row.update(id=uid(table, f"{owner_kind}:{owner}:{n}"),
                           **{f"{owner_kind}_id": owner_uid})  # fmt: skip
                self.rows[table].append(row)
        for n, record in enumerate(detail.get("metadata") or []):
            self.rows["metadata"].append({**record, "resource_id": owner_uid,
                "id": uid("metadata", f"{owner_kind}:{owner}:{n}"),
                "resource_type": owner_kind})  # fmt: skip


NESTED_OUT = {"phones": "phone", "contacts": "contact", "schedules": "schedule",
              "funding": "funding", "required_documents": "required_document",
              "cost_options": "cost_option", "addresses": "address",
              "accessibility_details": "accessibility", "language_details": "language"}  # fmt: skip


def hsds_tables(tables: dict[str, list[Row]], version: str = "3.0") -> dict[str, list[dict]]:
    """HSDS rows (3.0 field names, uuid ids) from a bundle's tables (export_tables)."""
    out = _Out()
    rows = out.rows
    zone_names = {z["id"]: z["name"] for z in tables.get("zones", [])}
    actor_detail = {r["actor"]: _detail(r) for r in tables.get("actor_details", [])}
    service_detail = {r["service"]: _detail(r) for r in tables.get("service_details", [])}
    located = {loc["actor"] for loc in tables.get("locations", []) if loc["actor"]}
    actors = {a["id"] for a in tables.get("actors", [])}
    for actor in tables.get("actors", []):
        aid, detail = actor["id"], actor_detail.get(actor["id"], {})
        oid = uid("organization", aid)
        rows["organization"].append(
            {
                **detail,
                "id": oid,
                "name": actor["name"],
                "description": detail.get("description") or actor["name"],
                "parent_organization_id": _parent(detail.get("parent_organization_id"), actors),
            }
        )
        rows["organization_identifier"].append({"id": uid("organization_identifier", aid),
            "organization_id": oid, "identifier_type": OWN_ID, "identifier": aid})  # fmt: skip
        out.nested(detail, "organization", aid, oid, NESTED_OUT)
        rows["organization_identifier"] += [
            {
                **item,
                "id": uid("organization_identifier", f"{aid}:detail:{n}"),
                "organization_id": oid,
            }
            for n, item in enumerate(detail.get("identifiers") or [])
        ]
        for n, program in enumerate(detail.get("programs") or []):
            pid = program.get("id") or f"{aid}:{n}"
            _own_id(rows, "program", pid, uid("program", pid))
            rows["program"].append({**program, "organization_id": oid, "id": uid("program", pid),
                "description": program.get("description") or program.get("name") or UNKNOWN,
                "name": program.get("name") or UNKNOWN})  # fmt: skip
        if aid not in located and (actor["lat"] is not None or actor["languages"]):
            lid = uid("location", f"{aid}#actor")  # the actor's own place (no Location node)
            rows["location"].append({"id": lid, "location_type": "physical",
                "organization_id": oid, "name": actor["name"], "latitude": actor["lat"],
                "longitude": actor["lon"]})  # fmt: skip
            rows["language"] += [{"id": uid("language", f"{aid}#actor:{code}"),
                                  "location_id": lid, "code": code,
                                  "name": LANGUAGE_NAMES.get(code, code)}
                                 for code in actor["languages"] or []]  # fmt: skip
    for row in tables.get("actor_identifiers", []):
        scheme, label = SCHEME_OUT[row["scheme"]]
        rows["organization_identifier"].append({
            "id": uid("organization_identifier", f"{row['actor']}:{row['scheme']}"),
            "organization_id": uid("organization", row["actor"]), "identifier_scheme": scheme,
            "identifier_type": label, "identifier": row["value"]})  # fmt: skip
    _taxonomy(rows, tables)
    _services(out, tables, service_detail, zone_names)
    _locations(out, tables)
    rows["x-graphsvc-zones"] = [
        {"id": z["id"], "name": z["name"]} for z in tables.get("zones", [])
    ]  # the zones' names
    if version == "3.1":
        _capacity(rows, tables)
    return dict(rows)


def _parent(parent: str | None, actors: set[str]) -> str | None:
    """An organization's parent: the uuid of an actor exported, else the source's own id."""
    if not parent:
        return None
    return uid("organization", parent) if parent in actors else parent


def _taxonomy(rows: dict[str, list[dict]], tables: dict[str, list[Row]]) -> None:
    taxonomies: dict[str, dict[str, Any]] = {}
    for term in tables.get("service_types", []):
        space, _, raw = term["code"].rpartition(":")
        name = term["category"] or ("" if space else "graphsvc service types") or space
        uri = None if space else OWN_TAXONOMY + (f":{slug(name)}" if term["category"] else "")
        key = f"{name}|{uri}"
        tid = taxonomies.setdefault(key, {"id": uid("taxonomy", key), "name": name,
                                          "description": name, "uri": uri})["id"]  # fmt: skip
        rows["taxonomy_term"].append({"id": uid("taxonomy_term", term["code"]), "code": raw,
            "name": term["name"], "description": term["name"], "taxonomy": name,
            "taxonomy_id": tid, "parent_id": uid("taxonomy_term", term["broader"])
            if term["broader"] else None})  # fmt: skip
    tags = sorted({t for s in tables.get("services", []) for t in s["eligibility"] or []})
    if tags:
        taxonomies["eligibility"] = {"id": uid("taxonomy", "eligibility"),
            "name": ELIGIBILITY_TAXONOMY, "description": "graphsvc eligibility tags",
            "uri": ELIGIBILITY_URI}  # fmt: skip
        rows["taxonomy_term"] += [{"id": uid("taxonomy_term", f"eligibility:{tag}"),
            "code": tag, "name": tag, "description": tag, "taxonomy": ELIGIBILITY_TAXONOMY,
            "taxonomy_id": taxonomies["eligibility"]["id"]} for tag in tags]  # fmt: skip
    taxonomies["id"] = {
        "id": uid("taxonomy", "id"),
        "name": OWN_ID,
        "description": "graphsvc's own record ids",
        "uri": ID_TAXONOMY_URI,
    }
    rows["taxonomy_term"].append({"id": uid("taxonomy_term", "graphsvc:id"), "code": "id",
        "name": OWN_ID, "description": "graphsvc's own record id", "taxonomy": OWN_ID,
        "taxonomy_id": taxonomies["id"]["id"]})  # fmt: skip
    rows["taxonomy"] = list(taxonomies.values())


def _own_id(rows: dict[str, list[dict]], entity: str, gid: str, link: str) -> None:
    rows["attribute"].append({"id": uid("attribute", f"{entity}:{gid}:id"), "link_id": link,
        "taxonomy_term_id": uid("taxonomy_term", "graphsvc:id"), "link_type": OWN_ID,
        "link_entity": entity, "value": gid})  # fmt: skip


def _services(out: _Out, tables: dict[str, list[Row]], details: dict[str, dict],
              zone_names: dict[str, str]) -> None:  # fmt: skip
    rows = out.rows
    extra: dict[str, list[str]] = defaultdict(list)
    for row in tables.get("service_classifications", []):
        extra[row["service"]].append(row["type"])
    for service in tables.get("services", []):
        sid, detail = service["id"], details.get(service["id"], {})
        suid = uid("service", sid)
        rows["service"].append({**detail, "id": suid,
            "organization_id": uid("organization", service["actor"]),
            "program_id": uid("program", detail["program_id"])
            if detail.get("program_id") else None,
            "name": service["name"], "status": STATUS_OUT[service["status"]]})  # fmt: skip
        _own_id(rows, "service", sid, suid)
        codes = [service["type"]] + [c for c in sorted(extra[sid]) if c != service["type"]]
        rows["attribute"] += [{"id": uid("attribute", f"service:{sid}:type:{code}"),
            "link_id": suid, "taxonomy_term_id": uid("taxonomy_term", code),
            "link_type": "service_type" if code == service["type"] else "classification",
            "link_entity": "service"}
            for code in codes if code != "unclassified" or extra[sid]]  # fmt: skip
        if service["type"] == "unclassified" and not extra[sid]:
            rows["attribute"].append({"id": uid("attribute", f"service:{sid}:type:unclassified"),
                "link_id": suid, "taxonomy_term_id": uid("taxonomy_term", "unclassified"),
                "link_type": "service_type", "link_entity": "service"})  # fmt: skip
        for tag in service["eligibility"] or []:
            rows["attribute"].append({"id": uid("attribute", f"service:{sid}:eligibility:{tag}"),
                "link_id": suid, "taxonomy_term_id": uid("taxonomy_term", f"eligibility:{tag}"),
                "link_type": "eligibility", "link_entity": "service", "value": tag})  # fmt: skip
        out.nested(detail, "service", sid, suid, NESTED_OUT)
        if not detail.get("language_details"):
            rows["language"] += [{"id": uid("language", f"service:{sid}:{code}"),
                "service_id": suid, "code": code, "name": LANGUAGE_NAMES.get(code, code)}
                for code in service["languages"] or []]  # fmt: skip
        areas = detail.get("service_areas") or [
            {"name": zone_names.get(z, z), "extent_type": "text", "uri": f"{ZONE_URI}{z}"}
            for z in service["covers"]]  # fmt: skip
        rows["service_area"] += [{**area, "id": uid("service_area", f"{sid}:{n}"),
                                  "service_id": suid} for n, area in enumerate(areas)]  # fmt: skip


def _locations(out: _Out, tables: dict[str, list[Row]]) -> None:
    rows = out.rows
    for loc in tables.get("locations", []):
        lid, detail = loc["id"], _detail(loc)
        luid = uid("location", lid)
        rows["location"].append({**detail, "id": luid,
            "location_type": detail.get("location_type") or "physical",
            "organization_id": uid("organization", loc["actor"]) if loc["actor"] else None,
            "name": loc["name"], "latitude": loc["lat"], "longitude": loc["lon"]})  # fmt: skip
        _own_id(rows, "location", lid, luid)
        out.nested(detail, "location", lid, luid, NESTED_OUT)
        for n, attribute in enumerate(detail.get("attributes") or []):
            rows["attribute"].append({**attribute, "id": uid("attribute", f"location:{lid}:{n}"),
                "link_id": luid, "link_entity": "location",
                "taxonomy_term_id": uid("taxonomy_term",
                                        attribute["taxonomy_term_id"])})  # fmt: skip
    for link in tables.get("service_locations", []):
        key = f"{link['service']}|{link['location']}"
        detail = _detail(link)
        sal = uid("service_at_location", key)
        rows["service_at_location"].append({"id": sal,
            "service_id": uid("service", link["service"]),
            "location_id": uid("location", link["location"]),
            "description": detail.get("description")})  # fmt: skip
        out.nested(detail, "service_at_location", key, sal, NESTED_OUT)
    for row in rows.get("address", []):
        for name in ("address_1", "city", "state_province", "postal_code", "country"):
            row[name] = row.get(name) or UNKNOWN
        row["address_type"] = row.get("address_type") or "physical"


def _capacity(rows: dict[str, list[dict]], tables: dict[str, list[Row]]) -> None:
    for service in tables.get("services", []):
        if service["capacity"] or service["available"]:
            rows["service_capacity"].append(
                {
                    "id": uid("service_capacity", service["id"]),
                    "service_id": uid("service", service["id"]),
                    "unit_id": uid("unit", PLACE_UNIT),
                    "available": service["available"],
                    "maximum": service["capacity"],
                    "description": "people served at once (maximum) and free places (available)",
                }
            )
    if rows.get("service_capacity"):
        rows["unit"].append({"id": uid("unit", PLACE_UNIT),
                             "name": "place (a person served at once)"})  # fmt: skip


def _value(spec: dict[str, Any], value: Any, dropped: Counter[str]) -> str:
    """A value as the field's CSV text ('' when missing or not of the field's format)."""
    if value is None or value == "":
        return ""
    text = str(value).strip()
    kind, fmt = spec.get("type"), spec.get("format")
    good: str | None = text
    if kind == "number":
        found = number(text)
        good = None if found is None else (str(int(found)) if found.is_integer() else repr(found))
    elif kind == "date":
        good = _iso(text, dt.date.fromisoformat)
    elif kind == "datetime":
        good = _iso(text.replace("Z", "+00:00"), dt.datetime.fromisoformat) and text
    elif kind == "time":
        good = _time(text)
    elif fmt == "email":
        good = text if _EMAIL.match(text) else None
    elif fmt == "uri":
        good = text if _URI.match(text) else None
    if good is None:
        dropped[f"{spec['name']}"] += 1
        return ""
    return formula_safe(good) if kind == "string" else good  # spreadsheets (OWASP)


def _iso(text: str, parse: Any) -> str | None:
    try:
        parse(text)
    except ValueError:
        return None
    return text


def _time(text: str) -> str | None:
    return clock_time(text)


def write_hsds(folder: Path, rows: dict[str, list[dict]], version: str = "3.0") -> dict[str, int]:
    """Write the HSDS CSV files (the exact tables and columns of the version) and their
    datapackage.json with the table schemas; return rows per file (and values left out)."""
    folder.mkdir(parents=True, exist_ok=True)
    spec = package_spec()
    listed = spec["resources"] + (CAPACITY_3_1 if version == "3.1" else [])
    written: dict[str, int] = {}
    dropped: Counter[str] = Counter()
    for resource in listed:
        fields = resource["schema"]["fields"]
        ordered = sorted(rows.get(resource["name"], []), key=lambda r: r["id"])
        with (folder / resource["path"]).open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow([f["name"] for f in fields])
            for row in ordered:
                writer.writerow([_value(f, row.get(f["name"]), dropped) for f in fields])
        written[resource["path"]] = len(ordered)
    package = {k: v for k, v in spec.items() if k != "resources"}
    package.update(name="graphsvc-export", title=f"graphsvc export (HSDS {version})",
                   version=f"{version}.0")  # fmt: skip
    package["x-graphsvc-zones"] = rows.get("x-graphsvc-zones", [])
    package["resources"] = [
        {
            "name": r["name"],
            "path": r["path"],
            "format": "csv",
            "mediatype": "text/csv",
            "encoding": "utf-8",
            "profile": "tabular-data-resource",
            "schema": r["schema"],
        }
        for r in listed
    ]
    text = json.dumps(package, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    (folder / "datapackage.json").write_text(text, encoding="utf-8")
    written["invalid values left out"] = sum(dropped.values())
    return written


def export_hsds(store: Store, folder: Path, version: str = "3.0") -> dict[str, int]:
    """Export the directory (actors, services, locations, detail, types; no patients) as HSDS
    CSV with its datapackage.json."""
    from graphsvc.io.export import export_tables

    return write_hsds(Path(folder), hsds_tables(export_tables(store), version), version)
