"""HSDS organization and organization_identifier -> Actor (kind organisation, line community)
with coordinates and languages from its locations (or its services' locations), and the
NIHDI/RIZIV, KBO/CBE, AFMPS identifiers graphsvc keeps; placeholders for missing providers."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphsvc.io.hsds.context import ID_RULE, OWN_ID, Ctx, text
from graphsvc.io.hsds.places import coordinates
from graphsvc.io.mapping import identifier_scheme, identifier_value


def map_organizations(ctx: Ctx) -> None:
    """Actors and their identifiers."""
    org_locations, services_of = organization_locations(ctx)
    for where, org in ctx.rows("organization"):
        oid = text(org, "id")
        aid = ctx.pid(oid, "organization")
        if aid is None:
            ctx.report.skip(f"organization without a usable id{ID_RULE}", where)
            continue
        if oid in ctx.actor_of:
            ctx.report.skip("duplicate organization id (first kept)", where)
            continue
        name = text(org, "name", "alternate_name")
        if not name:
            ctx.report.skip("organization without a name", where)
            continue
        ctx.actor_of[oid] = aid
        lat, lon, languages = located(ctx, oid, org_locations, services_of)
        ctx.out["actors"].append((where, actor(aid, name, languages, lat, lon, ctx.root)))
    for where, row in ctx.rows("organization_identifier"):
        aid = ctx.actor_of.get(text(row, "organization_id"))
        if text(row, "identifier_type") == OWN_ID:
            continue  # read by map_own_ids
        scheme = identifier_scheme(text(row, "identifier_scheme"), text(row, "identifier_type"))
        value = identifier_value(scheme, text(row, "identifier")) if scheme else None
        if aid is None:
            ctx.report.skip("organization identifier of an unknown organization", where)
        elif scheme is None or value is None:
            ctx.report.note("organization identifier of another scheme (kept as detail)", where)
        else:
            ctx.out["actor_identifiers"].append(
                (where, {"actor": aid, "scheme": scheme, "value": value})
            )


def organization_locations(ctx: Ctx) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Per HSDS organization id: its locations, and its services."""
    org_locations: dict[str, list[str]] = defaultdict(list)
    for lid, row in ctx.locations.items():
        if text(row, "organization_id"):
            org_locations[text(row, "organization_id")].append(lid)
    services_of: dict[str, list[str]] = defaultdict(list)
    for _, row in ctx.rows("service"):
        services_of[text(row, "organization_id")].append(text(row, "id"))
    return org_locations, services_of


def located(
    ctx: Ctx, oid: str, org_locations: dict[str, list[str]], services_of: dict[str, list[str]]
) -> tuple[Any, Any, list[str]]:
    """An organization's (or a placeholder's) coordinates, from its locations or its services'
    locations, and the languages of its own locations (sorted)."""
    key = lambda lid: ctx.pid(lid, "location") or lid  # noqa: E731  (graph ids: stable order)
    candidates = sorted(org_locations.get(oid, []), key=key) + sorted(
        (lid for sid in services_of.get(oid, []) for lid in ctx.service_locations.get(sid, [])),
        key=key,
    )
    lat, lon = coordinates(candidates, ctx.locations)
    languages = {c for lid in org_locations.get(oid, [])
                 for c in ctx.language_rows.get(("location", lid), [])}  # fmt: skip
    return lat, lon, sorted(languages)


def actor(aid: str, name: str, languages: list[str], lat: Any, lon: Any, zone: str) -> dict:
    """An actor record of an HSDS organization (or a placeholder)."""
    return {"id": aid, "name": name, "kind": "organisation", "line": "community",
            "discipline": None, "languages": languages, "lat": lat, "lon": lon,
            "zone": zone}  # fmt: skip


def placeholder_name(names: list[str]) -> str:
    """The best name for a missing organization from its services' records: the shared
    beginning of its location names ('M-DC CAHS - ACCION CENTER - IMMIGRATION' and
    'M-DC CAHS - ACCION CENTER - AFTER SCHOOL' -> 'M-DC CAHS - ACCION CENTER'), else the
    first name given."""
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
    return " - ".join(common) or names[0]
