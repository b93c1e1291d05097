"""GraphQL over HTTP: strawberry's ASGI view with graphsvc's context and status codes.

Speaks both media types of the GraphQL-over-HTTP spec. With `application/json` (older
clients) every GraphQL result is HTTP 200. With `application/graphql-response+json` (asked
for in `Accept`), a request error (unparsable, invalid, bad variables: no field ran) is HTTP
400 with no `data` entry. Either way, an unavailable database is HTTP 503.

Whatever the request, the answer is a GraphQL error document in the negotiated media type:
a body that is not UTF-8 or not JSON, an integer of more than MAX_INT_DIGITS digits (refused
before `int()` sees it), JSON nested deeper than MAX_JSON_DEPTH, a body that is not an object,
an unsupported content type or batch are HTTP 400; a method other than GET and POST, or a
mutation sent with GET, is HTTP 405 with `Allow`. Nothing of that reaches the log.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from cross_web import HTTPException
from graphql import ExecutionResult
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.schema.exceptions import InvalidOperationTypeError

from graphsvc.api.auth import principal_of
from graphsvc.api.context import Context
from graphsvc.api.pages import graphiql_page
from graphsvc.config import Settings
from graphsvc.errors import DatabaseUnavailable
from graphsvc.security.audit import AuditLog, AuditTrail
from graphsvc.store import Store

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"
MAX_INT_DIGITS = 40  # digits of one integer in a JSON body: far above any Int or Float use
MAX_JSON_DEPTH = 32  # nesting of arrays and objects in a JSON body


class RequestRefused(HTTPException):
    """A request refused before any GraphQL ran, with the headers its status needs."""

    def __init__(self, status: int, reason: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(status, reason)
        self.headers = headers or {}


def _bounded_int(text: str) -> int:
    digits = len(text.lstrip("-"))
    if digits > MAX_INT_DIGITS:
        raise RequestRefused(
            400, f"a number in the request has {digits} digits: at most {MAX_INT_DIGITS}"
        )
    return int(text)


def _no_constant(name: str) -> float:
    raise RequestRefused(400, f"{name} is not JSON: unable to parse the request body")


def json_depth(value: object) -> int:
    """How deeply arrays and objects nest in a decoded JSON value (without recursion)."""
    deepest, stack = 0, [(value, 1)]
    while stack and deepest <= MAX_JSON_DEPTH:
        item, depth = stack.pop()
        if isinstance(item, dict):
            item = list(item.values())
        if isinstance(item, list):
            deepest = max(deepest, depth)
            stack.extend((child, depth + 1) for child in item)
    return deepest


def decode_request_json(data: str | bytes) -> object:
    """JSON of a request, bounded: UTF-8 only, short integers, shallow nesting."""
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError as exc:
        raise RequestRefused(
            400, f"the request body is not UTF-8 (byte {exc.start}): unable to parse it"
        ) from None
    try:
        value = json.loads(text, parse_int=_bounded_int, parse_constant=_no_constant)
    except RecursionError:
        value = None
        depth = MAX_JSON_DEPTH + 1
    else:
        depth = json_depth(value)
    if depth > MAX_JSON_DEPTH:
        raise RequestRefused(400, f"the request's JSON nests deeper than {MAX_JSON_DEPTH} levels")
    return value


def error_document(message: str, graphql_response: bool) -> tuple[bytes, str]:
    """A GraphQL error document for a refused request, and its content type."""
    body = json.dumps({"errors": [{"message": message}]}, separators=(",", ":")).encode()
    media = GRAPHQL_RESPONSE if graphql_response else JSON
    return body, f"{media}; charset=utf-8"


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

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope=scope, receive=receive)
        try:
            response = await self.run(request)
        except HTTPException as exc:
            headers = getattr(exc, "headers", {})
            if exc.status_code == 405 and not headers:
                headers = {"Allow": "GET, POST"}
            accept = request.headers.get("accept", "")
            body, media = error_document(exc.reason, wants_graphql_response(accept))
            response = Response(body, status_code=exc.status_code, headers=headers)
            response.headers["content-type"] = media
        await response(scope, receive, send)

    async def render_graphql_ide(self, request: Request) -> Response:  # type: ignore[override]
        return graphiql_page()  # served offline, with this app's own copy of GraphiQL

    def decode_json(self, data: str | bytes) -> object:
        return decode_request_json(data)

    async def parse_http_body(self, request: Any) -> Any:  # type: ignore[override]
        try:
            data = await super().parse_http_body(request)
        except AttributeError:  # strawberry calls `.get` on the decoded body: not an object
            raise RequestRefused(400, "the request body must be a JSON object") from None
        name = getattr(data, "operation_name", None)
        if name is not None and not isinstance(name, str):
            raise RequestRefused(400, "the operationName must be a string or null")
        return data

    async def execute_single(self, *args: Any, **kwargs: Any) -> Any:  # type: ignore[override]
        try:
            return await super().execute_single(*args, **kwargs)
        except HTTPException as exc:
            if isinstance(exc.__cause__, InvalidOperationTypeError):
                raise RequestRefused(405, exc.reason, {"Allow": "POST"}) from None
            raise

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
