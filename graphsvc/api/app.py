"""The starlette app: /graphql, /healthz; the store opened once in the lifespan."""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graphsvc.api.context import call
from graphsvc.api.exports import export_routes
from graphsvc.api.http import GraphQLApp
from graphsvc.api.maps_routes import map_routes
from graphsvc.api.schema import build_schema
from graphsvc.config import Settings, get_settings
from graphsvc.errors import DatabaseUnavailable
from graphsvc.store import Store, open_store


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: the local (workshop, laptop) mode."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def create_app(settings: Settings | None = None, store: Store | None = None) -> Starlette:
    """The HTTP app. With no store given, the lifespan opens (and closes) one from settings."""
    settings = settings or get_settings()
    local = is_loopback(settings.host)
    state: dict[str, Store] = {}
    if store is not None:
        state["store"] = store

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if "store" in state:
            yield
            return
        opened = open_store(settings)
        state["store"] = opened
        try:
            yield
        finally:
            opened.close()

    async def healthz(request: Request) -> JSONResponse:
        current = state["store"]
        try:
            await call(current.ping)
        except DatabaseUnavailable as exc:
            return JSONResponse({"status": "unavailable", "error": str(exc)}, status_code=503)
        return JSONResponse({"status": "ok", "backend": current.backend})

    graphql = GraphQLApp(
        lambda: state["store"],
        schema=build_schema(mask_internal_errors=not local),
        graphql_ide="graphiql" if local else None,
    )
    return Starlette(
        routes=[
            Route("/graphql", graphql, methods=["GET", "POST"]),
            Route("/healthz", healthz),
            *export_routes(lambda: state["store"]),
            *map_routes(lambda: state["store"]),
        ],
        lifespan=lifespan,
    )
