"""The GraphQL schema: each user's area contributes its root fields from its own module."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from graphsvc.api.casemanager import CaseManagerMutation, CaseManagerQuery
from graphsvc.api.directory import DirectoryQuery
from graphsvc.api.facilitator import FacilitatorQuery
from graphsvc.api.planner import PlannerQuery
from graphsvc.api.validation import NameArgumentsInErrors
from graphsvc.errors import GraphsvcError


@strawberry.type
class Query(DirectoryQuery, PlannerQuery, CaseManagerQuery, FacilitatorQuery):
    """Root query: the union of every area's fields."""


@strawberry.type
class Mutation(CaseManagerMutation):
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


def build_schema(mask_internal_errors: bool = True) -> strawberry.Schema:
    """The schema; internal errors are masked unless asked otherwise (local debugging)."""
    extensions: list = [NameArgumentsInErrors]
    if mask_internal_errors:
        extensions.append(lambda: MaskErrors(should_mask_error=_is_internal))
    return GraphsvcSchema(query=Query, mutation=Mutation, extensions=extensions)


schema = build_schema()
