"""HSDS service, attribute (taxonomy links, eligibility tags), eligibility (1.x) and
service_capacity (3.1) -> Service: status, languages, eligibility tags, capacity, the provider,
and every taxonomy term (the first is its OF_TYPE, all of them its `classifications`)."""

from __future__ import annotations

from collections import defaultdict

from graphsvc.io.hsds.context import ID_RULE, Ctx, number, text
from graphsvc.io.hsds.organizations import (
    actor,
    located,
    organization_locations,
    placeholder_name,
)
from graphsvc.io.hsds.taxonomy import UNCLASSIFIED
from graphsvc.io.mapping import eligibility_tag

STATUS_IN = {"": "active", "active": "active", "inactive": "closed", "defunct": "closed",
             "temporarily closed": "paused", "temporarily_closed": "paused",
             "paused": "paused", "closed": "closed"}  # fmt: skip


def _links(ctx: Ctx) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """Taxonomy codes and eligibility tags per HSDS service id."""
    terms_of: dict[str, list[str]] = defaultdict(list)
    tags_of: dict[str, list[str]] = defaultdict(list)
    for where, row in ctx.rows("attribute"):
        link, term_id = text(row, "link_id"), text(row, "taxonomy_term_id")
        if (text(row, "link_entity") or "service") != "service" or term_id in ctx.own_id_terms:
            continue  # other entities' attributes are kept as detail (detail.py)
        if text(row, "link_type") == "eligibility" or term_id in ctx.eligibility_terms:
            tag = eligibility_tag(ctx.eligibility_terms.get(term_id) or text(row, "value"))
            if tag and tag not in tags_of[link]:
                tags_of[link].append(tag)
            elif not tag:
                ctx.report.skip("eligibility attribute that is not a short tag", where)
            continue
        code = ctx.code_of.get(term_id)
        if code is None:
            ctx.report.skip("attribute naming a taxonomy term not in the file", where)
        elif code in terms_of[link]:
            ctx.report.skip("duplicate service-taxonomy link", where)
        elif text(row, "link_type") == "service_type":  # the main type (as exported) first
            terms_of[link].insert(0, code)
        else:
            terms_of[link].append(code)
    for where, row in ctx.rows("eligibility"):
        sid = text(row, "service_id")
        tag = eligibility_tag(text(row, "eligibility"))
        if not sid:
            ctx.report.skip("eligibility without service_id", where)
        elif tag is None:
            ctx.report.note("free-text eligibility (kept as the service's eligibility text)",
                            where)  # fmt: skip
        elif tag not in tags_of[sid]:
            tags_of[sid].append(tag)
    return terms_of, tags_of


def _capacities(ctx: Ctx) -> dict[str, tuple[int, int]]:
    capacity_of: dict[str, tuple[int, int]] = {}
    for where, row in ctx.rows("service_capacity"):
        sid = text(row, "service_id")
        available, maximum = number(row.get("available")), number(row.get("maximum"))
        if sid in capacity_of or available is None or available < 0:
            ctx.report.skip("service capacity without a number of places (or a second one)",
                            where)  # fmt: skip
            continue
        capacity = max(int(maximum) if maximum is not None else 0, int(available))
        capacity_of[sid] = (capacity, int(available))
    return capacity_of


def map_services(ctx: Ctx) -> None:
    """Services, their classifications, and a placeholder provider per missing organization."""
    terms_of, tags_of = _links(ctx)
    capacity_of = _capacities(ctx)
    names_for: dict[str, list[str]] = defaultdict(list)
    unclassified = False
    for where, row in ctx.rows("service"):
        raw = text(row, "id")
        sid = ctx.pid(raw, "service")
        if sid is None:
            ctx.report.skip(f"service without a usable id{ID_RULE}", where)
            continue
        if raw in ctx.service_of:
            ctx.report.skip("duplicate service id (first kept)", where)
            continue
        name = text(row, "name", "alternate_name")
        if not name:
            ctx.report.skip("service without a name", where)
            continue
        ctx.service_of[raw] = sid
        oid = text(row, "organization_id")
        provider = ctx.actor_of.get(oid)
        if provider is None:
            provider = ctx.placeholders.get(oid) or ctx.pid(oid or "unknown-organization")
            if provider is None:
                ctx.report.skip("service whose organization_id is not a usable id", where)
                continue
            ctx.placeholders[oid] = provider
            names_for[oid] += [text(ctx.locations.get(lid, {}), "name")
                               for lid in ctx.service_locations.get(raw, [])]  # fmt: skip
            names_for[oid].append(text(row, "organization_name", "organization"))
            ctx.report.note("service of an organization missing from the file "
                            "(placeholder provider)", where)  # fmt: skip
        status_text = text(row, "status").lower()
        status = STATUS_IN.get(status_text)
        if status is None:
            ctx.report.note(f"unknown service status {status_text!r} (taken as active)", where)
            status = "active"
        codes = terms_of.get(raw, [])
        if not codes:
            unclassified = True
            ctx.report.note("service without taxonomy term (type 'unclassified')", where)
        capacity, available = capacity_of.get(raw, (0, 0))
        ctx.out["services"].append((where, {
            "id": sid, "actor": provider, "type": codes[0] if codes else UNCLASSIFIED,
            "name": name, "capacity": capacity, "available": available,
            "languages": sorted(ctx.language_rows.get(("service", raw), [])),
            "eligibility": tags_of.get(raw, []), "status": status,
            "covers": ctx.service_zones.get(raw) or [ctx.root]}))  # fmt: skip
        ctx.out["service_classifications"] += [
            (where, {"service": sid, "type": code}) for code in codes if code != UNCLASSIFIED
        ]
    org_locations, services_of = organization_locations(ctx)
    for oid, aid in sorted(ctx.placeholders.items()):
        name = placeholder_name(names_for[oid]) or f"Organization {oid or 'unknown'}"
        where = f"services.csv organization_id {oid!r}"
        lat, lon, languages = located(ctx, oid, org_locations, services_of)
        ctx.out["actors"].append((where, actor(aid, name, languages, lat, lon, ctx.root)))
        ctx.report.note("placeholder organization made for the services above",
                        f"organization {oid!r} named {name!r}")  # fmt: skip
    if unclassified and UNCLASSIFIED not in ctx.seen_codes:
        ctx.out["service_types"].append((ctx.title, {
            "code": UNCLASSIFIED, "name": "Unclassified service", "category": None,
            "broader": None}))  # fmt: skip
