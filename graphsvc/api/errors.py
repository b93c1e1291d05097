"""What errors say to clients outside local mode: nothing about the server.

Only graphsvc's user-facing errors keep their message (bad input, unknown id, a refused
move, a role without access) and GraphQL's own request errors, without their "Did you
mean ...?" hints (they would list the schema to someone without introspection). A database
that is down or too slow gets a fixed sentence (still HTTP 503 for the first); everything else
becomes "Unexpected error.". No stack trace, database message or file path ever leaves:
the server logs the original (graphsvc.api.schema.GraphsvcSchema.process_errors).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from graphsvc.core.referrals import Conflict
from graphsvc.errors import DatabaseUnavailable, Forbidden, InputError, NotFound, QueryFailed

USER_FACING = (InputError, NotFound, Conflict, Forbidden)
UNEXPECTED = "Unexpected error."
UNAVAILABLE = "database unavailable: try again later"
TOO_SLOW = "the database took too long: the query was stopped (ask for less)"
_HINT = re.compile(r"\s*Did you mean\b.*$", re.DOTALL)


def without_hints(message: str) -> str:
    return _HINT.sub("", message)


def public_message(error: GraphQLError) -> str:
    original = error.original_error
    if original is None or isinstance(original, GraphQLError):
        return without_hints(error.message)  # a request error, or a permission refusal
    if isinstance(original, USER_FACING):
        return error.message
    if isinstance(original, DatabaseUnavailable):
        return UNAVAILABLE
    if isinstance(original, QueryFailed) and "timed out" in str(original).lower():
        return TOO_SLOW
    return UNEXPECTED


def public_error(error: GraphQLError) -> GraphQLError:
    message = public_message(error)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        original_error=error.original_error,  # kept for the HTTP status, never sent
        extensions={},
    )


class PublicErrors(SchemaExtension):
    """Rewrites every error of the result with `public_message` (outside local mode)."""

    def on_operation(self) -> Iterator[None]:
        yield
        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [public_error(e) for e in result.errors]
