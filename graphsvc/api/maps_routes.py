"""HTML network maps: /maps/zone/{id} and /maps/actor/{id}?hops=N (one self-contained page)."""

from __future__ import annotations

import html
from collections.abc import Callable
from functools import partial

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from graphsvc import maps
from graphsvc.api.context import call
from graphsvc.api.errors import UNAVAILABLE
from graphsvc.errors import DatabaseUnavailable, GraphsvcError, InputError, NotFound
from graphsvc.maps import NetworkMap, render_html
from graphsvc.store import Store

# The page needs nothing from anywhere: the browser is told so, and blocks any other load.
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}


def error_page(
    status: int, message: str, what: str = "map", headers: dict[str, str] = HEADERS
) -> HTMLResponse:
    """A short page saying why there is no map (or no other `what`)."""
    text = html.escape(message)
    body = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>No {what}: {text}</title></head>\n"
        f"<body><h1>No {what}</h1><p>{text}</p></body></html>\n"
    )
    return HTMLResponse(body, status_code=status, headers=headers)


async def html_page(make: Callable[[], str], local: bool = True, what: str = "map") -> HTMLResponse:
    """The page `make()` draws, or a short page saying why not: 404 for an unknown id, 400 for
    bad input, 503 when the database is away (details only in local mode)."""
    try:
        page = await call(make)
    except NotFound as exc:
        return error_page(
            404,
            str(exc).removeprefix("argument zoneId: ").removeprefix("argument focusActorId: "),
            what,
        )
    except InputError as exc:
        return error_page(400, "; ".join(exc.problems), what)
    except DatabaseUnavailable as exc:
        return error_page(503, str(exc) if local else UNAVAILABLE, what)
    except GraphsvcError as exc:
        return error_page(400, str(exc) if local else "the map could not be made", what)
    return HTMLResponse(page, headers=HEADERS)


async def _page(build: Callable[[], NetworkMap], local: bool = True) -> HTMLResponse:
    return await html_page(lambda: render_html(build()), local)


def parse_hops(raw: str | None) -> int:
    """The `hops` query parameter: 1 to 4, default 1."""
    if raw is None or raw == "":
        return maps.DEFAULT_HOPS
    try:
        hops = int(raw)
    except ValueError:
        raise InputError([f"argument hops: {raw!r} is not a whole number"]) from None
    return maps.check_hops(hops)


def map_routes(store: Callable[[], Store], local: bool = True) -> list[Route]:
    """The map routes, over the store the app opened (a getter: it opens in the lifespan);
    outside local mode, failures say nothing about the server."""

    async def zone_map(request: Request) -> HTMLResponse:
        zone_id = request.path_params["zone_id"]
        return await _page(partial(maps.zone_map, store(), zone_id), local)

    async def actor_map(request: Request) -> HTMLResponse:
        actor_id = request.path_params["actor_id"]
        try:
            hops = parse_hops(request.query_params.get("hops"))
        except InputError as exc:
            return error_page(400, "; ".join(exc.problems))
        return await _page(partial(maps.actor_map, store(), actor_id, hops), local)

    return [
        Route("/maps/zone/{zone_id}", zone_map, methods=["GET"]),
        Route("/maps/actor/{actor_id}", actor_map, methods=["GET"]),
    ]
