"""The gap map page: /maps/gaps/{zoneId}?need=CODE (one self-contained HTML page)."""

from __future__ import annotations

from collections.abc import Callable

from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from graphsvc.api.maps_routes import html_page
from graphsvc.pages.gapmap import gap_map, render_gap_map
from graphsvc.store import Store


def gap_map_routes(store: Callable[[], Store], local: bool = True) -> list[Route]:
    """The gap map route over the app's store (a getter: it opens in the lifespan)."""

    async def page(request: Request) -> HTMLResponse:
        zone_id = request.path_params["zone_id"]
        need = request.query_params.get("need")
        return await html_page(
            lambda: render_gap_map(gap_map(store(), zone_id, need)), local, "gap map"
        )

    return [Route("/maps/gaps/{zone_id}", page, methods=["GET"])]
