"""The starlette app: /graphql, /healthz; the store opened once in the lifespan.

Local mode is listening on loopback with no token configured: every request acts as admin,
errors say everything, GraphiQL and introspection are on. Otherwise every route but /healthz
needs a bearer token (graphsvc.api.auth), errors are masked and /healthz says only whether
the database answers.
"""

from __future__ import annotations

import contextlib
import ipaddress
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from graphsvc.api.auth import Authenticate
from graphsvc.api.context import call
from graphsvc.api.exports import export_routes
from graphsvc.api.feedback_routes import feedback_routes
from graphsvc.api.gapmap_routes import gap_map_routes
from graphsvc.api.http import GraphQLApp
from graphsvc.api.limits import DEFAULT_LIMITS, Limits
from graphsvc.api.maps_routes import map_routes
from graphsvc.api.pages import page_routes
from graphsvc.api.schema import build_schema
from graphsvc.api.transport import DatabaseBudget, FrameGuard, LoopbackHostOnly
from graphsvc.config import Settings, get_settings
from graphsvc.errors import ConfigError, DatabaseUnavailable
from graphsvc.security.audit import AuditLog
from graphsvc.security.tokens import TokenFile
from graphsvc.store import Store, open_store


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses: the local (workshop, laptop) mode."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def tokens_configured(settings: Settings) -> bool:
    """True when the tokens file holds at least one token."""
    return settings.tokens_path is not None and TokenFile(settings.tokens_path).configured()


def create_app(
    settings: Settings | None = None, store: Store | None = None, limits: Limits = DEFAULT_LIMITS
) -> Starlette:
    """The HTTP app. With no store given, the lifespan opens (and closes) one from settings."""
    settings = settings or get_settings()
    tokens = TokenFile(settings.tokens_path) if settings.tokens_path else None
    with_tokens = tokens is not None and tokens.configured()
    local = is_loopback(settings.host) and not with_tokens
    audit_log = AuditLog(settings.audit_path) if settings.audit_path else None
    if with_tokens and audit_log is None:
        raise ConfigError("tokens are configured but no audit log: set GRAPHSVC_AUDIT_LOG")
    if audit_log is not None:
        audit_log.check_writable()
    state: dict[str, Store] = {}
    if store is not None:
        state["store"] = store
        _limit_queries(store, settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        if "store" in state:
            yield
            return
        opened = open_store(settings)
        _limit_queries(opened, settings)
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
            details = {"error": str(exc)} if local else {}  # paths and reasons: local only
            return JSONResponse({"status": "unavailable", **details}, status_code=503)
        details = {"backend": current.backend} if local else {}
        return JSONResponse({"status": "ok", **details})

    graphql = GraphQLApp(
        lambda: state["store"],
        audit_log=audit_log,
        settings=settings,
        schema=build_schema(mask_internal_errors=not local, limits=limits),
        graphql_ide="graphiql" if local else None,
    )
    app = Starlette(
        routes=[
            Route("/graphql", graphql),  # every method: GraphQLApp answers 405 itself
            Route("/healthz", healthz),
            *page_routes(lambda: state["store"], local=local),  # `/` and GraphiQL's files
            *export_routes(lambda: state["store"], local=local),
            *map_routes(lambda: state["store"], local=local, audit_log=audit_log),
            *gap_map_routes(lambda: state["store"], local=local),
            *feedback_routes(
                lambda: state["store"], audit_log, settings.suppression_k, local=local
            ),
        ],
        middleware=[
            # transport guards (graphsvc.api.transport), outermost first
            Middleware(FrameGuard),
            *([Middleware(LoopbackHostOnly)] if local else []),
            Middleware(
                Authenticate,
                tokens=tokens,
                local=local,
                max_body_bytes=limits.max_body_bytes,
                audit_log=audit_log,
            ),
            # innermost: the time starts once the body is in
            Middleware(DatabaseBudget, seconds=settings.db_timeout_s),
        ],
        lifespan=lifespan,
    )
    app.state.local = local
    return app


def _limit_queries(store: Store, settings: Settings) -> None:
    """The server-side timeout of every read the app makes (None: none)."""
    if settings.query_timeout_s and hasattr(store, "query_timeout_ms"):
        store.query_timeout_ms = max(1, round(settings.query_timeout_s * 1000))
