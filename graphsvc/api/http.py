"""GraphQL over HTTP: strawberry's ASGI view with graphsvc's context and status codes.

Speaks both media types of the GraphQL-over-HTTP spec. With `application/json` (older
clients) every GraphQL result is HTTP 200. With `application/graphql-response+json` (asked
for in `Accept`), a request error (unparsable, invalid, bad variables: no field ran) is HTTP
400 with no `data` entry. Either way, an unavailable database is HTTP 503.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse

from graphsvc.api.auth import principal_of
from graphsvc.api.context import Context
from graphsvc.config import Settings
from graphsvc.errors import DatabaseUnavailable
from graphsvc.security.audit import AuditLog, AuditTrail
from graphsvc.store import Store

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def wants_graphql_response(accept: str) -> bool:
    """True when the client prefers application/graphql-response+json over application/json."""
    ranked = []
    for position, part in enumerate(accept.split(",")):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        ranked.append((-quality, position, media.strip().lower()))
    for _, _, media in sorted(ranked):
        if media == GRAPHQL_RESPONSE:
            return True
        if media in (JSON, "application/*", "*/*"):
            return False
    return False


class GraphQLApp(GraphQL):
    """Strawberry's ASGI app with graphsvc's per-request context and HTTP semantics."""

    def __init__(
        self,
        store_getter: Callable[[], Store],
        audit_log: AuditLog | None = None,
        settings: Settings | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self._store_getter = store_getter
        self._audit_log = audit_log
        self._settings = settings or Settings()

    async def get_context(self, request: Any, response: Any) -> Context:  # type: ignore[override]
        response.graphql_response = wants_graphql_response(request.headers.get("accept", ""))
        request.state.sub_response = response
        principal = principal_of(request.scope)
        return Context(
            store=self._store_getter(),
            principal=principal,
            audit=AuditTrail(self._audit_log, principal),
            settings=self._settings,
        )

    async def process_result(  # type: ignore[override]
        self, request: Request, result: ExecutionResult
    ) -> GraphQLHTTPResponse:
        processed = await super().process_result(request, result)
        sub_response = request.state.sub_response
        errors = result.errors or []
        if any(isinstance(e.original_error, DatabaseUnavailable) for e in errors):
            sub_response.status_code = 503
        elif (
            sub_response.graphql_response
            and errors
            and result.data is None
            and all(e.path is None for e in errors)
        ):
            sub_response.status_code = 400  # a request error: nothing was executed
            processed.pop("data", None)  # type: ignore[misc]
        return processed

    def create_response(  # type: ignore[override]
        self, response_data: Any, sub_response: Response
    ) -> Response:
        response = super().create_response(response_data, sub_response)
        if getattr(sub_response, "graphql_response", False):
            response.headers["content-type"] = f"{GRAPHQL_RESPONSE}; charset=utf-8"
        return response
