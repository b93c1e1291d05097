"""The gap map page: /maps/gaps/{zoneId}?need=CODE (one self-contained HTML page)."""

from __future__ import annotations

import html
from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from graphsvc.api.context import call
from graphsvc.api.errors import UNAVAILABLE
from graphsvc.errors import DatabaseUnavailable, GraphsvcError, InputError, NotFound
from graphsvc.pages.gapmap import gap_map, render_gap_map
from graphsvc.store import Store

# Nothing from anywhere else: inline script and style, images only as data: (the PNG export).
CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data: blob:; font-src data:; base-uri 'none'; form-action 'none'"
)
HEADERS = {"Content-Security-Policy": CSP, "X-Content-Type-Options": "nosniff"}


def _error(status: int, message: str) -> HTMLResponse:
    text = html.escape(message)
    body = (
        f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>No gap map: '
        f"{text}</title></head>\n<body><h1>No gap map</h1><p>{text}</p></body></html>\n"
    )
    return HTMLResponse(body, status_code=status, headers=HEADERS)


def gap_map_routes(store: Callable[[], Store], local: bool = True) -> list[Route]:
    """The gap map route over the app's store (a getter: it opens in the lifespan)."""

    async def page(request: Request) -> HTMLResponse:
        zone_id = request.path_params["zone_id"]
        need = request.query_params.get("need")
        try:
            found = await call(gap_map, store(), zone_id, need)
            text = await call(render_gap_map, found)
        except NotFound as exc:
            return _error(404, str(exc).removeprefix("argument zoneId: "))
        except InputError as exc:
            return _error(400, "; ".join(exc.problems))
        except DatabaseUnavailable as exc:
            return _error(503, str(exc) if local else UNAVAILABLE)
        except GraphsvcError as exc:
            return _error(400, str(exc) if local else "the map could not be made")
        return HTMLResponse(text, headers=HEADERS)

    return [Route("/maps/gaps/{zone_id}", page, methods=["GET"])]
