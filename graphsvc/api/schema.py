"""The GraphQL schema: each user's area contributes its root fields from its own module.

Its extensions: error masking outside local mode (graphsvc.api.errors), the audit log's
flush (graphsvc.api.access), the request limits (graphsvc.api.limits), strawberry's parse
and validation caches, and introspection off outside local mode.
"""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, ParserCache, ValidationCache

from graphsvc.api.access import AuditFlush
from graphsvc.api.aggregates import AggregatesQuery
from graphsvc.api.casemanager import CaseManagerMutation, CaseManagerQuery
from graphsvc.api.coplan import CoPlanMutation, CoPlanQuery
from graphsvc.api.directory import DirectoryQuery
from graphsvc.api.errors import PublicErrors
from graphsvc.api.facilitator import FacilitatorQuery
from graphsvc.api.geography import GeographyQuery
from graphsvc.api.limits import DEFAULT_LIMITS, Limits, limit_extensions
from graphsvc.api.planner import PlannerQuery
from graphsvc.api.sources import SourcesMutation
from graphsvc.api.validation import NameArgumentsInErrors
from graphsvc.errors import GraphsvcError


@strawberry.type
class Query(
    DirectoryQuery,
    PlannerQuery,
    AggregatesQuery,
    CaseManagerQuery,
    FacilitatorQuery,
    CoPlanQuery,
    GeographyQuery,
):
    """Root query: the union of every area's fields."""


@strawberry.type
class Mutation(CaseManagerMutation, CoPlanMutation, SourcesMutation):
    """Root mutation: the union of every area's mutations."""


def _is_internal(error: GraphQLError) -> bool:
    """Hide everything but graphsvc's own user-facing errors and GraphQL validation errors."""
    original = error.original_error
    return original is not None and not isinstance(original, GraphsvcError | GraphQLError)


class GraphsvcSchema(strawberry.Schema):
    """Logs only internal errors: a user's bad query or unknown id is not a server problem."""

    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        internal = [error for error in errors if _is_internal(error)]
        if internal:
            super().process_errors(internal, execution_context)


CACHE_SIZE = 256  # distinct query texts kept parsed and validated


def build_schema(
    mask_internal_errors: bool = True,
    introspection: bool | None = None,
    limits: Limits | None = DEFAULT_LIMITS,
) -> strawberry.Schema:
    """The schema. Outside local mode (the default) errors are masked and introspection is
    off; local debugging (`mask_internal_errors=False`) shows both. `limits=None` drops the
    request limits (bench/bench_limits.py compares)."""
    extensions: list = [PublicErrors] if mask_internal_errors else []
    extensions += [
        AuditFlush,
        lambda: ParserCache(maxsize=CACHE_SIZE),
        NameArgumentsInErrors,
        lambda: ValidationCache(maxsize=CACHE_SIZE),
    ]
    if limits is not None:
        extensions += limit_extensions(limits)  # after ValidationCache: see its on_validate
    if not (introspection if introspection is not None else not mask_internal_errors):
        extensions.append(DisableIntrospection)
    return GraphsvcSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
