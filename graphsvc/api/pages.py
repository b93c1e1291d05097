"""The pages a person opens first: a landing page at `/` and GraphiQL at `/graphql`, offline.

GraphiQL's own files (graphiql 3.8.3, react and react-dom 18.2.0, all MIT-licensed) come from
the npm registry at build time (`tools/graphiql/package.json`, pinned by its lock file and
installed by `make install`) and are served by the app under /graphiql/; the page loads
nothing from anywhere else, and its Content-Security-Policy says so to the browser.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, PlainTextResponse, Response
from starlette.routing import Route

from graphsvc.api.context import call
from graphsvc.core.directory import Page, list_zones
from graphsvc.errors import GraphsvcError
from graphsvc.store import Store

NODE_MODULES = Path(__file__).resolve().parents[2] / "tools" / "graphiql" / "node_modules"
STATIC = Path(__file__).resolve().parent / "static"
# the only files served under /graphiql/: name -> file on disk
ASSETS = {
    "react.production.min.js": NODE_MODULES / "react" / "umd" / "react.production.min.js",
    "react-dom.production.min.js": NODE_MODULES
    / "react-dom"
    / "umd"
    / "react-dom.production.min.js",
    "graphiql.min.js": NODE_MODULES / "graphiql" / "graphiql.min.js",
    "graphiql.min.css": NODE_MODULES / "graphiql" / "graphiql.min.css",
    "start.js": STATIC / "graphiql-start.js",
}
# GraphiQL sets element styles from script (allowed) and CodeMirror adds <style> elements
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}

GRAPHIQL_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>graphsvc GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/graphiql/graphiql.min.css">
<script src="/graphiql/react.production.min.js" defer></script>
<script src="/graphiql/react-dom.production.min.js" defer></script>
<script src="/graphiql/graphiql.min.js" defer></script>
<script src="/graphiql/start.js" defer></script>
</head>
<body style="margin: 0">
<div id="graphiql" style="height: 100vh">Loading GraphiQL...</div>
</body>
</html>
"""


def graphiql_page() -> HTMLResponse:
    """GraphiQL, with every file it needs served by this app."""
    missing = [name for name, path in ASSETS.items() if not path.is_file()]
    if missing:
        return HTMLResponse(
            "<!DOCTYPE html><title>GraphiQL not installed</title><p>GraphiQL's files are "
            "missing: run <code>make install</code> (it installs tools/graphiql).</p>",
            status_code=503,
            headers=HEADERS,
        )
    return HTMLResponse(GRAPHIQL_PAGE, headers=HEADERS)


async def asset(request: Request) -> Response:
    """One of GraphiQL's files (only the names of ASSETS: no path is taken from the URL)."""
    path = ASSETS.get(request.path_params["name"])
    if path is None or not path.is_file():
        return PlainTextResponse("not found", status_code=404, headers=HEADERS)
    return FileResponse(path, headers={**HEADERS, "Cache-Control": "max-age=3600"})


def landing_page(zones: list[tuple[str, str]], local: bool) -> str:
    """The page at `/`: where GraphiQL, the maps, the exports and the health check are."""
    rows = "\n".join(
        f"<li>{html.escape(name)} (<code>{html.escape(zone)}</code>): "
        f'<a href="/maps/zone/{html.escape(zone)}">map</a>, '
        f'<a href="/exports/gaps.csv?zone={html.escape(zone)}">gaps.csv</a>, '
        f'<a href="/exports/overlaps.csv?zone={html.escape(zone)}">overlaps.csv</a></li>'
        for zone, name in zones
    )
    zone_list = f"<ul>\n{rows}\n</ul>" if rows else "<p>No pilot zone is loaded yet.</p>"
    graphiql = (
        '<li><a href="/graphql">GraphiQL</a>: write and run GraphQL queries in the browser</li>'
        if local
        else "<li><code>POST /graphql</code>: the GraphQL API (bearer token)</li>"
    )
    return f"""<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><title>graphsvc</title><link rel="icon" href="data:,"></head>
<body>
<h1>graphsvc</h1>
<ul>
{graphiql}
<li><a href="/healthz">/healthz</a>: whether the database answers</li>
</ul>
<h2>Pilot zones</h2>
<p>Each zone's network map (<code>/maps/zone/ID</code>, an actor's with
<code>/maps/actor/ID</code>) and CSV exports (<code>/exports/gaps.csv?zone=ID</code>,
<code>/exports/overlaps.csv?zone=ID</code>).</p>
{zone_list}
</body>
</html>
"""


def page_routes(store_getter: Callable[[], Store], local: bool = True) -> list[Route]:
    """`/` and GraphiQL's files (the GraphiQL page itself is /graphql's, see api.http)."""

    async def landing(request: Request) -> HTMLResponse:
        try:
            found = await call(list_zones, store_getter(), "pilot_zone", None, Page(limit=1000))
            zones = [(z.id, z.name) for z in found]
        except GraphsvcError:
            zones = []  # the page still says where everything is; /healthz says why
        return HTMLResponse(landing_page(zones, local), headers=HEADERS)

    routes = [Route("/", landing, methods=["GET"])]
    if local:
        routes.append(Route("/graphiql/{name}", asset, methods=["GET"]))
    return routes
