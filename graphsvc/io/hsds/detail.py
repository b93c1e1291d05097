"""Directory detail (HSDS 3.0; 1.x regular schedules and addresses) -> Location nodes, AT
links and the typed detail properties of actors, services, locations and AT links.

| HSDS | graph |
|---|---|
| location | `Location {id, name, lat, lon, address, accessibility}`, `(:Actor)-[:HAS_LOCATION]->` |
| service_at_location | `(:Service)-[:AT]->(:Location)` (its phones, contacts, schedules on the link) |
| organization fields | Actor properties (`description`, `email`, `website`, `tax_id`...) |
| service fields | Service properties (`description`, `url`, `fees_description`, `minimum_age`...) |
| phone, contact, schedule, address, accessibility, funding, program, required_document, cost_option, service_area, metadata, other attributes | JSON-text list properties of their owner (`phones`, `contacts`, `schedules`...) |

A nested record is kept with one owner (service_at_location, else service, else location,
else organization); its other links are dropped and counted in the report.

Values are read in the canonical form the 3.0 export writes, so that importing an export gives
the same graph: times of day as hh:mm:ss ('8:00am' -> '08:00:00'), web addresses without a
scheme as http, nested lists in a stable order, a location without a type 'physical'; the
export's fallbacks read as missing (address parts 'unknown', an organization description
that is its name); service areas naming graphsvc's own zones are the service's COVERS.
"""  # noqa: E501

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

from graphsvc.io.hsds.context import (
    ID_RULE,
    OWN_ID,
    Ctx,
    clock_time,
    number,
    text,
    web_address,
)
from graphsvc.io.hsds.places import ZONE_URI, valid_point
from graphsvc.io.mapping import ImportReport, identifier_scheme, identifier_value

ORGANIZATION_FIELDS = ("alternate_name", "description", "email", "website", "tax_status",
                       "tax_id", "year_incorporated", "legal_status", "logo", "uri",
                       "parent_organization_id")  # fmt: skip
SERVICE_FIELDS = ("alternate_name", "description", "url", "email", "interpretation_services",
                  "application_process", "fees_description", "wait_time", "fees",
                  "accreditations", "eligibility_description", "minimum_age", "maximum_age",
                  "assured_date", "assurer_email", "licenses", "alert", "last_modified",
                  "program_id")  # fmt: skip
LOCATION_FIELDS = ("location_type", "url", "alternate_name", "description", "transportation",
                   "external_identifier", "external_identifier_type")  # fmt: skip
NUMBERS = {"year_incorporated", "minimum_age", "maximum_age"}
WEB = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:[^\s\\]+$")  # a uri, as the 3.0 export checks it
UNKNOWN = "unknown"  # the export's value of a required address part the source had not
# nested tables -> the detail property holding them, and the owners they may have (first wins)
NESTED = {
    "phone": ("phones", ("service_at_location", "service", "location", "organization")),
    "contact": ("contacts", ("service_at_location", "service", "location", "organization")),
    "schedule": ("schedules", ("service_at_location", "service", "location")),
    "address": ("addresses", ("location",)),
    "accessibility": ("accessibility_details", ("location",)),
    "funding": ("funding", ("service", "organization")),
    "program": ("programs", ("organization",)),
    "required_document": ("required_documents", ("service",)),
    "cost_option": ("cost_options", ("service",)),
    "service_area": ("service_areas", ("service",)),
    "language": ("language_details", ("service", "location")),
}  # fmt: skip
LINKS = ("id", "organization_id", "service_id", "location_id", "service_at_location_id",
         "contact_id", "phone_id", "link_id", "resource_id")  # fmt: skip
LISTS = tuple(sorted({prop for prop, _ in NESTED.values()} | {"attributes", "metadata"}))
WEEKDAYS = {"1": "MO", "2": "TU", "3": "WE", "4": "TH", "5": "FR", "6": "SA", "7": "SU",
            "monday": "MO", "tuesday": "TU", "wednesday": "WE", "thursday": "TH",
            "friday": "FR", "saturday": "SA", "sunday": "SU"}  # fmt: skip


def _record(row: dict[str, Any]) -> dict[str, Any]:
    """A nested record: its non-empty fields but its links (the owner holds it)."""
    found = {k: v.strip() if isinstance(v, str) else v for k, v in sorted(row.items())
             if k not in LINKS and v is not None and str(v).strip() != ""}  # fmt: skip
    if "_id" in found:  # a program keeps its id: services name it
        found["id"] = found.pop("_id")
    return found


def _normalised_rows(ctx: Ctx) -> dict[str, list[tuple[str, dict[str, Any]]]]:
    """Nested tables with 1.x forms made 3.0 (regular schedules, physical/postal addresses)."""
    tables = {table: list(ctx.rows(table)) for table in NESTED}
    for _, row in tables["program"]:
        row["_id"] = ctx.pid(text(row, "id"), "program")
    for where, row in ctx.rows("regular_schedule"):
        day = WEEKDAYS.get(text(row, "weekday").lower(), text(row, "weekday"))
        tables["schedule"].append((where, {
            **{k: v for k, v in row.items() if k not in ("weekday", "original_text")},
            "freq": "WEEKLY", "byday": day,
            "description": text(row, "original_text")}))  # fmt: skip
    for _, row in ctx.rows("accessibility"):
        if "accessibility" in row and not text(row, "description"):
            row["description"] = row.pop("accessibility")
    for where, row in ctx.rows("contact"):  # 1.x: a contact's own phone number
        found = text(row, "phone_number")
        if found:
            area = text(row, "phone_areacode")
            tables["phone"].append((where, {
                **{k: row.get(k) for k in LINKS if k != "id"},
                "extension": row.get("phone_extension"),
                "number": f"({area}) {found}" if area else found,
                "description": f"contact {text(row, 'name')}".strip()}))  # fmt: skip
        for key in ("phone_number", "phone_areacode", "phone_extension"):
            row.pop(key, None)
    for kind in ("physical", "postal"):
        for where, row in ctx.rows(f"{kind}_address"):
            tables["address"].append((where, {**row, "address_type": kind}))
    return tables


def map_detail(ctx: Ctx) -> None:
    """Locations, AT links and the detail of actors, services and locations."""
    owners: dict[str, dict[str, dict[str, list]]] = {
        kind: defaultdict(lambda: defaultdict(list))
        for kind in ("organization", "service", "location", "service_at_location")
    }
    sal_of: dict[str, tuple[str, str]] = {}  # hsds service_at_location id -> (service, location)
    for _, row in ctx.rows("service_at_location"):
        if text(row, "id"):
            sal_of[text(row, "id")] = (text(row, "service_id"), text(row, "location_id"))
    known = {"organization": set(ctx.actor_of) | set(ctx.placeholders),
             "service": set(ctx.service_of), "location": set(ctx.locations),
             "service_at_location": set(sal_of)}  # fmt: skip
    graph_id = {
        "organization": lambda k: ctx.actor_of.get(k) or ctx.placeholders.get(k),
        "service": ctx.service_of.get,
        "location": lambda k: ctx.pid(k, "location"),
        "service_at_location": lambda k: (
            f"{ctx.service_of.get(sal_of[k][0])}|{ctx.pid(sal_of[k][1], 'location')}"
        ),
    }
    for table, rows in _normalised_rows(ctx).items():
        prop, kinds = NESTED[table]
        for where, row in rows:
            if table == "service_area" and text(row, "uri").startswith(ZONE_URI):
                continue  # the export's form of COVERS (places.py maps it)
            if table == "schedule":
                _times(ctx, row, where)
            if table == "address":
                row = {k: v for k, v in row.items() if text(row, k) != UNKNOWN}
            named = [(k, text(row, f"{k}_id")) for k in kinds if text(row, f"{k}_id")]
            links = [(k, key) for k, key in named if key in known[k]]
            if not links:
                ctx.report.skip(f"{table} linked to none of the {', '.join(kinds)} records in "
                                "the source", where)  # fmt: skip
                continue
            kind, key = links[0]
            record = _record(row)
            for other, other_key in links[1:]:  # kept with its first owner, naming the others
                record[f"also_{other}"] = graph_id[other](other_key)
            if len(named) > len(links) or text(row, "contact_id"):
                ctx.report.note(f"{table} link to a contact or to a record not in the source "
                                "(dropped)", where)  # fmt: skip
            owners[kind][key][prop].append(record)
            ctx.report.mapped[f"{table} (detail)"] += 1
    for where, row in ctx.rows("attribute"):
        entity = text(row, "link_entity") or "service"
        term = text(row, "taxonomy_term_id")
        if term in ctx.own_id_terms:
            continue  # graphsvc's own id, read by map_own_ids
        if entity in ("organization", "location"):
            owners[entity][text(row, "link_id")]["attributes"].append(
                {**_record(row), "taxonomy_term_id": ctx.code_of.get(term, term)}
            )
            ctx.report.mapped["attribute (detail)"] += 1
        elif entity != "service":
            ctx.report.skip(f"attribute of a {entity} (kept only for services, organizations, "
                            "locations)", where)  # fmt: skip
    for _, row in ctx.rows("organization_identifier"):
        oid = text(row, "organization_id")
        scheme = identifier_scheme(text(row, "identifier_scheme"), text(row, "identifier_type"))
        kept = scheme and identifier_value(scheme, text(row, "identifier"))
        if oid in ctx.actor_of and not kept and text(row, "identifier_type") != OWN_ID:
            owners["organization"][oid]["identifiers"].append(_record(row))
            ctx.report.mapped["organization_identifier (detail)"] += 1
    for where, row in ctx.rows("metadata"):
        kind = text(row, "resource_type").lower()
        if (
            kind in ("organization", "service", "location")
            and text(row, "resource_id") in known[kind]
        ):
            owners[kind][text(row, "resource_id")]["metadata"].append(_record(row))
            ctx.report.mapped["metadata (detail)"] += 1
        else:
            ctx.report.skip("metadata of a record not in the source (or another type)", where)
    for where, _ in ctx.rows("meta_table_description"):
        ctx.report.skip("meta_table_description (describes files, not records)", where)
    for where, _ in ctx.rows("holiday_schedule"):
        ctx.report.skip("1.x holiday schedule (no 3.0 equivalent)", where)
    for by_owner in owners.values():
        for lists in by_owner.values():
            for records in lists.values():
                records.sort(key=lambda r: json.dumps(r, sort_keys=True, default=str))
    _actors(ctx, owners["organization"])
    _services(ctx, owners["service"])
    _locations(ctx, owners["location"])
    _service_locations(ctx, owners["service_at_location"])


def _times(ctx: Ctx, row: dict[str, Any], where: str) -> None:
    """A schedule's opening times as hh:mm:ss; one that is not a time of day is left out."""
    for key in ("opens_at", "closes_at"):
        if text(row, key):
            row[key] = clock_time(text(row, key))
            if row[key] is None:
                ctx.report.note(f"schedule {key} that is not a time of day (left out; the "
                                "description keeps the source's text)", where)  # fmt: skip


def _fields(
    row: dict[str, Any], names: tuple[str, ...], report: ImportReport, where: str
) -> dict[str, Any]:
    found = {}
    for name in names:
        value = text(row, name)
        if name == "website":
            value = value or text(row, "url")
        if name in ("website", "url") and value:
            value = web_address(value)
            if not WEB.match(value):
                report.note(f"{name} that is not a web address (left out)", where)
                continue
        if value:
            found[name] = number(value) if name in NUMBERS and number(value) is not None else value
    return found


def detail_json(detail: dict[str, Any]) -> str | None:
    """The detail of one record as canonical JSON text (None when empty)."""
    return (
        json.dumps(detail, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        if detail
        else None
    )


def _actors(ctx: Ctx, nested: dict[str, dict[str, list]]) -> None:
    done: set[str] = set()
    for where, org in ctx.rows("organization"):
        oid = text(org, "id")
        aid = ctx.actor_of.get(oid)
        if aid is None or oid in done:
            continue
        done.add(oid)
        detail = {**_fields(org, ORGANIZATION_FIELDS, ctx.report, where), **nested.get(oid, {})}
        if detail.get("description") == text(org, "name", "alternate_name"):
            del detail["description"]  # the export's fallback for a required description
        parent = detail.get("parent_organization_id")
        if parent:  # graphsvc's id of an organization imported, else the source's
            detail["parent_organization_id"] = ctx.actor_of.get(parent, parent)
        if detail:
            ctx.out["actor_details"].append((where, {"actor": aid, "detail": detail_json(detail)}))


def _services(ctx: Ctx, nested: dict[str, dict[str, list]]) -> None:
    free_text: dict[str, list[str]] = defaultdict(list)
    for _, row in ctx.rows("eligibility"):
        if text(row, "service_id") and text(row, "eligibility"):
            free_text[text(row, "service_id")].append(text(row, "eligibility"))
    done: set[str] = set()
    for where, row in ctx.rows("service"):
        raw = text(row, "id")
        sid = ctx.service_of.get(raw)
        if sid is None or raw in done:
            continue
        done.add(raw)
        detail = {**_fields(row, SERVICE_FIELDS, ctx.report, where), **nested.get(raw, {})}
        if detail.get("program_id"):
            detail["program_id"] = ctx.pid(detail["program_id"], "program")
        if free_text.get(raw) and "eligibility_description" not in detail:
            detail["eligibility_description"] = "; ".join(free_text[raw])
        if detail:
            ctx.out["service_details"].append(
                (where, {"service": sid, "detail": detail_json(detail)})
            )


def address_line(address: dict[str, Any]) -> str | None:
    """One line of an address: street, city, region and postal code, country."""
    parts = [address.get("address_1"), address.get("address_2"), address.get("city"),
             " ".join(str(p) for p in (address.get("state_province"), address.get("postal_code"))
                      if p), address.get("country")]  # fmt: skip
    line = ", ".join(str(p) for p in parts if p)
    return line[:500] or None


def _locations(ctx: Ctx, nested: dict[str, dict[str, list]]) -> None:
    for where, row in ctx.rows("location"):
        lid = text(row, "id")
        gid = ctx.pid(lid, "location")
        if gid is None:
            ctx.report.skip(f"location without a usable id{ID_RULE}", where)
            continue
        if lid in ctx.location_of:
            ctx.report.skip("duplicate location id (first kept)", where)
            continue
        ctx.location_of[lid] = gid
        lat, lon = valid_point(row)
        if lat is None and (text(row, "latitude") or text(row, "longitude")):
            ctx.report.note("location coordinates out of range or not numbers (left empty)",
                            where)  # fmt: skip
        oid = text(row, "organization_id")
        detail = {**_fields(row, LOCATION_FIELDS, ctx.report, where), **nested.get(lid, {})}
        detail.setdefault("location_type", "physical")  # HSDS 3.0: required, physical or else
        if ctx.language_rows.get(("location", lid)):
            detail["language_codes"] = sorted(ctx.language_rows[("location", lid)])
        addresses = detail.get("addresses") or [{}]
        access = [
            text(a, "description", "accessibility") for a in detail.get("accessibility_details", [])
        ]
        ctx.out["locations"].append((where, {
            "id": gid, "actor": ctx.actor_of.get(oid) or ctx.placeholders.get(oid),
            "name": text(row, "name") or None, "lat": lat, "lon": lon,
            "address": address_line(addresses[0]),
            "accessibility": "; ".join(a for a in access if a)[:1000] or None,
            "detail": detail_json(detail)}))  # fmt: skip


def _service_locations(ctx: Ctx, nested: dict[str, dict[str, list]]) -> None:
    seen: set[tuple[str, str]] = set()
    for where, row in ctx.rows("service_at_location"):
        sid = ctx.service_of.get(text(row, "service_id"))
        lid = ctx.location_of.get(text(row, "location_id"))
        if sid is None or lid is None:
            ctx.report.skip("service_at_location of a service or location not imported", where)
            continue
        if (sid, lid) in seen:
            ctx.report.skip("duplicate service_at_location (first kept)", where)
            continue
        seen.add((sid, lid))
        detail = {**_fields(row, ("description",), ctx.report, where),
                  **nested.get(text(row, "id"), {})}  # fmt: skip
        ctx.out["service_locations"].append(
            (where, {"service": sid, "location": lid, "detail": detail_json(detail)})
        )
