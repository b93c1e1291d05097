"""Where the directory's values came from: `sources { source kind field value kept }` on actors
and services (every source's value of each field, the alternates beside the one kept), and
the admin mutation `decideMatch` on a pair queued for review (graphsvc.io.sources)."""

from __future__ import annotations

from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.permission import PermissionExtension
from strawberry.types import Info

from graphsvc.api.access import RoleAccess
from graphsvc.api.context import call
from graphsvc.io import sources
from graphsvc.security.roles import Capability


@strawberry.type(description="What one source says of one field; `kept` when it is the value "
                 "the graph holds (survivorship by field: authority.csv).")  # fmt: skip
class FieldSource:
    source: str
    kind: str = strawberry.field(description="The source's kind (afmps, hsds, fhir, list...).")
    field: str = strawberry.field(description="name, coordinates, status, languages, ...")
    value: str = strawberry.field(description="The value, JSON for lists and coordinates.")
    kept: bool


def _loader(info: Any) -> DataLoader:
    """One loader per request (kept on the context), so a list of actors costs one trip."""
    context = info.context
    found = getattr(context, "_source_records", None)
    if found is None:

        async def load(ids: list[str]) -> list[list[dict]]:
            records = await call(sources.records_of, context.store, ids)
            return [records.get(i, []) for i in ids]

        found = DataLoader(load)
        context._source_records = found
    return found


async def field_sources(info: Any, table: str, node: str, current: dict) -> list[FieldSource]:
    """The FieldSource rows of one actor or service."""
    rows = await _loader(info).load(node)
    return [FieldSource(**v) for r in rows for v in sources.field_values(table, r, current)]


class DecidesMatches(RoleAccess):
    capability = Capability.DECIDE_MATCHES
    message = "forbidden: deciding entity matches takes an admin token"


@strawberry.type(description="A steward's decision on a pair queued for review.")
class MatchDecision:
    source: str
    source_id: str
    candidate: str = strawberry.field(description="The actor the record was proposed to be.")
    decision: str = strawberry.field(description="accept (merged) or reject (kept apart).")


@strawberry.type
class SourcesMutation:
    @strawberry.mutation(
        description="Accept or reject a pair queued for review (admins); kept and applied at "
        "the next and every later import of the source.",
        extensions=[PermissionExtension(permissions=[DecidesMatches()])],
    )
    async def decide_match(
        self, info: Info, source_name: str, source_id: str, accept: bool
    ) -> MatchDecision:
        pair = await call(sources.decide, info.context.store, source_name, source_id, accept)
        return MatchDecision(source=source_name, source_id=source_id, candidate=pair["candidate"],
                             decision=pair["decision"])  # fmt: skip
