"""The directory-detail tables of a bundle (issue 15): locations, services at locations and
the detail of actors and services, with their checks and write steps. Called from bundle.py
and export.py, so they go through the same validate-everything-then-write path as every
other table.

| table | graph |
|---|---|
| `locations` | `(:Location {id, name, lat, lon, address, accessibility, ...detail})`, `(:Actor)-[:HAS_LOCATION]->` |
| `service_locations` | `(:Service)-[:AT {...detail}]->(:Location)` |
| `actor_details` | detail properties of the Actor (`description`, `email`, `phones`...) |
| `service_details` | detail properties of the Service (`description`, `fees`, `schedules`...) |

`detail` is a JSON object: text and number fields become typed properties; the lists of
nested records (phones, contacts, schedules...) become JSON-text properties of the same name.
Every known key is written (absent ones as null, which removes the property), so a re-import
leaves no old value behind.
"""  # noqa: E501

from __future__ import annotations

import json
from typing import Any

from graphsvc.io.records import Bundle
from graphsvc.store.base import Row

SCALARS = {
    "actor_details": ("alternate_name", "description", "email", "website", "tax_status",
                      "tax_id", "year_incorporated", "legal_status", "logo", "uri",
                      "parent_organization_id"),
    "service_details": ("alternate_name", "description", "url", "email",
                        "interpretation_services", "application_process", "fees_description",
                        "wait_time", "fees", "accreditations", "eligibility_description",
                        "minimum_age", "maximum_age", "assured_date", "assurer_email",
                        "licenses", "alert", "last_modified", "program_id"),
    "locations": ("location_type", "url", "alternate_name", "description", "transportation",
                  "external_identifier", "external_identifier_type", "language_codes"),
    "service_locations": ("description",),
}  # fmt: skip
LISTS = {
    "actor_details": ("phones", "contacts", "funding", "programs", "identifiers", "attributes",
                      "metadata"),
    "service_details": ("phones", "contacts", "schedules", "funding", "required_documents",
                        "cost_options", "service_areas", "language_details", "metadata"),
    "locations": ("addresses", "accessibility_details", "phones", "contacts", "schedules",
                  "language_details", "attributes", "metadata"),
    "service_locations": ("phones", "contacts", "schedules"),
}  # fmt: skip
NUMBERS = {"year_incorporated", "minimum_age", "maximum_age"}


def check_directory(bundle: Bundle, problems: list[str]) -> None:
    """Each `detail` is a JSON object with known keys: numbers, text, lists of records."""
    for table in LISTS:
        for index, row in enumerate(bundle.tables.get(table, [])):
            problem = _detail_problem(table, row.get("detail"))
            if problem:
                problems.append(f"{bundle.where(table, index)} field detail: {problem}")


def _detail_problem(table: str, text: str | None) -> str | None:
    if text is None:
        return None
    try:
        detail = json.loads(text)
    except json.JSONDecodeError as exc:
        return f"not JSON ({exc.msg} at column {exc.colno})"
    if not isinstance(detail, dict):
        return "a JSON object expected"
    for key, value in detail.items():
        if key in LISTS[table]:
            if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                return f"{key}: a list of objects expected"
        elif key == "language_codes":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                return f"{key}: a list of strings expected"
        elif key not in SCALARS[table]:
            return f"unknown key {key!r} (known: {', '.join(SCALARS[table] + LISTS[table])})"
        elif isinstance(value, bool) or not isinstance(value, str | int | float):
            return f"{key}: text or a number expected"
    return None


def properties(table: str, text: str | None) -> dict[str, Any]:
    """A detail as graph properties: every known key (null when absent), lists as JSON text."""
    detail = json.loads(text) if text else {}
    props: dict[str, Any] = dict.fromkeys(SCALARS[table] + LISTS[table])
    for key, value in detail.items():
        if key in LISTS[table]:
            value = json.dumps(value, sort_keys=True, ensure_ascii=True, separators=(",", ":"))
        props[key] = value
    return props


def detail_text(table: str, props: dict[str, Any]) -> str | None:
    """The detail JSON of a node's or link's properties (the inverse of `properties`)."""
    detail: dict[str, Any] = {}
    for key in SCALARS[table] + LISTS[table]:
        value = props.get(key)
        if value is None:
            continue
        detail[key] = json.loads(value) if key in LISTS[table] else value
    if not detail:
        return None
    return json.dumps(detail, sort_keys=True, ensure_ascii=True, separators=(",", ":"))


def directory_write_plan(bundle: Bundle) -> list[tuple[str, str, list[Row]]]:
    """Write steps of the directory tables, after actors and services."""
    get = lambda name: bundle.tables.get(name, [])  # noqa: E731
    return [
        ("merge_locations", "locations", [
            {**{k: r[k] for k in ("id", "actor", "name", "lat", "lon", "address",
                                  "accessibility")},
             "props": properties("locations", r["detail"])} for r in get("locations")]),
        ("merge_service_locations", "service_locations", [
            {"service": r["service"], "location": r["location"],
             "props": properties("service_locations", r["detail"])}
            for r in get("service_locations")]),
        ("merge_actor_details", "actor_details", [
            {"id": r["actor"], "props": properties("actor_details", r["detail"])}
            for r in get("actor_details")]),
        ("merge_service_details", "service_details", [
            {"id": r["service"], "props": properties("service_details", r["detail"])}
            for r in get("service_details")]),
    ]  # fmt: skip


def directory_tables(run: Any) -> dict[str, list[Row]]:
    """The directory tables of a bundle export, read with `run` (store.run)."""
    return {
        "locations": [
            {**{k: r[k] for k in ("id", "name", "lat", "lon", "address", "accessibility")},
             "actor": min(r["actors"]) if r["actors"] else None,
             "detail": detail_text("locations", r["props"])}
            for r in run("list_bundle_locations")],
        "service_locations": [
            {"service": r["service"], "location": r["location"],
             "detail": detail_text("service_locations", r["props"])}
            for r in run("list_bundle_service_locations")],
        "actor_details": [
            {"actor": r["id"], "detail": text} for r in run("list_bundle_actor_details")
            if (text := detail_text("actor_details", r["props"]))],
        "service_details": [
            {"service": r["id"], "detail": text} for r in run("list_bundle_service_details")
            if (text := detail_text("service_details", r["props"]))],
    }  # fmt: skip
