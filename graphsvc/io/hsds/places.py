"""HSDS location, language, service_at_location and service_area: the import's own zone,
the zones services cover, and per location its coordinates and languages."""

from __future__ import annotations

from typing import Any

from graphsvc.io.bundle import Record
from graphsvc.io.hsds.context import Ctx, number, text
from graphsvc.io.mapping import language_codes, slug

ZONE_URI = "urn:graphsvc:zone:"


def map_locations(ctx: Ctx) -> None:
    """Locations by id, languages per service and location, locations per service."""
    ctx.locations = {text(r, "id"): r for _, r in ctx.rows("location") if text(r, "id")}
    for where, row in ctx.rows("language"):
        found = language_codes(text(row, "name"), text(row, "code"))
        if not found:
            shown = text(row, "name", "code")[:40]
            ctx.report.note(
                "language text naming no known language (kept as the text, no language code)",
                f"{where} {shown!r}",
            )
            continue
        for kind, key in (("service", "service_id"), ("location", "location_id")):
            if text(row, key):
                codes = ctx.language_rows[(kind, text(row, key))]
                codes += [code for code in found if code not in codes]
    for where, row in ctx.rows("service_at_location"):
        sid, lid = text(row, "service_id"), text(row, "location_id")
        if not sid or not lid:
            ctx.report.skip("service_at_location without service_id or location_id", where)
            continue
        ctx.service_locations[sid].append(lid)


def map_zones(ctx: Ctx) -> None:
    """The import's own zone (or `zone=`) and one per service area (by uri or by name)."""
    root = ctx.root = ctx.zone or ctx.prefix or "hsds"
    zones: dict[str, Record] = {}
    wanted = {text(r, "uri")[len(ZONE_URI) :] for _, r in ctx.rows("service_area")
              if text(r, "uri").startswith(ZONE_URI)}  # fmt: skip
    in_db = ctx.existing("zones", wanted | {root}) if ctx.existing else set()
    for where, row in ctx.rows("service_area"):
        sid = text(row, "service_id")
        uri, name = text(row, "uri"), text(row, "name", "description")
        if uri.startswith(ZONE_URI):
            zid = uri[len(ZONE_URI) :]
            if zid not in in_db and zid not in zones:
                zones[zid] = (where, {"id": zid, "name": name or zid, "level": "region",
                                      "part_of": None if zid == root else root})  # fmt: skip
        elif name:
            zid = ctx.pid(f"area-{slug(name)}") or ""
            if zid not in zones:
                zones[zid] = (where, {"id": zid, "name": name[:200], "level": "region",
                                      "part_of": root})  # fmt: skip
        else:
            ctx.report.skip("service area without a name or uri", where)
            continue
        if not sid:
            ctx.report.skip("service area without service_id", where)
            continue
        if zid not in ctx.service_zones[sid]:
            ctx.service_zones[sid].append(zid)
    if root not in in_db and root not in zones:
        named = {text(z, "id"): text(z, "name") for _, z in ctx.rows("graphsvc_zone")}
        zones[root] = (ctx.title, {"id": root, "name": named.get(root) or ctx.title or root,
                                   "level": "region", "part_of": None})  # fmt: skip
    ctx.out["zones"] = list(zones.values())


def coordinates(location_ids: list[str], locations: dict[str, dict]) -> tuple[Any, Any]:
    """The first valid latitude and longitude among some locations, or (None, None)."""
    for lid in location_ids:
        lat, lon = valid_point(locations.get(lid, {}))
        if lat is not None:
            return lat, lon
    return None, None


def valid_point(row: dict[str, Any]) -> tuple[float | None, float | None]:
    """A location row's WGS 84 point, or (None, None) when missing or out of range."""
    lat, lon = number(row.get("latitude")), number(row.get("longitude"))
    if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
        return lat, lon
    return None, None
