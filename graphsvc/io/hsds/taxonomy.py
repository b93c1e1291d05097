"""HSDS taxonomy and taxonomy_term -> ServiceType (every level, the parent as BROADER).

Term codes are namespaced by their taxonomy (`open211-miami-airs:BD-1800`; a term without a
taxonomy takes the import's prefix), so a directory's term `pharmacy` never renames graphsvc's
own type `pharmacy`. Terms of graphsvc's own taxonomies (uri `urn:graphsvc:taxonomy...`, as the
export writes them) keep their bare code; so do the eligibility tags and id terms the export
writes, which are read apart.
"""

from __future__ import annotations

from graphsvc.io.hsds.context import Ctx, text
from graphsvc.io.mapping import slug, valid_code

OWN_TAXONOMY = "urn:graphsvc:taxonomy"
ELIGIBILITY_TAXONOMY = "graphsvc eligibility"
ELIGIBILITY_URI = "urn:graphsvc:eligibility"
ID_TAXONOMY_URI = "urn:graphsvc:identifier"
UNCLASSIFIED = "unclassified"


def map_taxonomy(ctx: Ctx) -> None:
    """Service types from the terms; eligibility and id terms noted in the context."""
    taxonomies = {text(r, "id"): r for _, r in ctx.rows("taxonomy")}
    terms = []
    for where, term in ctx.rows("taxonomy_term"):
        term_id = text(term, "id")
        taxonomy = taxonomies.get(text(term, "taxonomy_id"), {})
        name = text(term, "taxonomy") or text(taxonomy, "name")
        uri = text(taxonomy, "uri")
        if name == ELIGIBILITY_TAXONOMY or uri == ELIGIBILITY_URI:
            ctx.eligibility_terms[term_id] = text(term, "code", "name")
            continue
        if uri == ID_TAXONOMY_URI:
            ctx.own_id_terms.add(term_id)
            continue
        raw = valid_code(text(term, "code")) or valid_code(term_id)
        own = uri.startswith(OWN_TAXONOMY)
        space = slug(name) or ctx.prefix or "hsds"
        code = raw if own or raw is None else valid_code(f"{space}:{raw}")
        if code is None:
            ctx.report.skip("taxonomy term without a usable id or code", where)
            continue
        if term_id in ctx.code_of:
            ctx.report.skip("duplicate taxonomy term id (first kept)", where)
            continue
        ctx.code_of[term_id] = code
        if not own and any(text(term, k) for k in ("description", "language", "term_uri")):
            ctx.report.note(
                "taxonomy term's description, language, term_uri not kept (a "
                "service type has a code, name, category and broader type)",
                where,
            )
        category = (name if uri != OWN_TAXONOMY else "") if own else name
        terms.append((where, term, code, category))
    used = {text(t, "taxonomy_id") for _, t in ctx.rows("taxonomy_term")}
    for where, row in ctx.rows("taxonomy"):
        if text(row, "uri").startswith("urn:graphsvc:"):
            continue
        if text(row, "id") not in used:
            ctx.report.skip("taxonomy no term of the source belongs to", where)
        else:
            ctx.report.note(
                "taxonomy kept as its name (the category of its terms; its "
                "description, uri and version are not kept)",
                where,
            )
    for where, term, code, category in terms:
        if code in ctx.seen_codes:
            continue
        ctx.seen_codes.add(code)
        parent_id = text(term, "parent_id")
        broader = ctx.code_of.get(parent_id) if parent_id else None
        if parent_id and broader is None:
            ctx.report.note("taxonomy term whose parent is not in the file (kept without parent)",
                            where)  # fmt: skip
        ctx.out["service_types"].append((where, {
            "code": code, "name": text(term, "name") or code, "category": category or None,
            "broader": broader}))  # fmt: skip


def map_own_ids(ctx: Ctx) -> None:
    """graphsvc's own ids carried by an export: organization identifiers of type 'graphsvc
    id', and service/location attributes naming the id term (read before anything else)."""
    from graphsvc.io.hsds.context import OWN_ID

    for _, row in ctx.rows("organization_identifier"):
        if text(row, "identifier_type") == OWN_ID and text(row, "identifier"):
            ctx.own_ids[("organization", text(row, "organization_id"))] = text(row, "identifier")
    taxonomies = {
        text(r, "id") for _, r in ctx.rows("taxonomy") if text(r, "uri") == ID_TAXONOMY_URI
    }
    id_terms = {text(t, "id") for _, t in ctx.rows("taxonomy_term")
                if text(t, "taxonomy_id") in taxonomies}  # fmt: skip
    for _, row in ctx.rows("attribute"):
        if text(row, "taxonomy_term_id") in id_terms and text(row, "value"):
            entity = text(row, "link_entity") or "service"
            ctx.own_ids[(entity, text(row, "link_id"))] = text(row, "value")
