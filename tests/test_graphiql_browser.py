"""GraphiQL in a real browser, offline: headless Chromium opens /graphql of the app served on
loopback, may reach nothing but that app, renders the editor and runs `{ zones { id } }`.
The landing page at `/` links GraphiQL, the maps, the exports and the health check.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx2
import pytest

from graphsvc.api.pages import ASSETS, CSP
from graphsvc.store import Store
from tests.maps_fixtures import CHROMIUM, CHROMIUM_FLAGS, VIEWPORT

QUERY = "{ zones { id } }"


@pytest.fixture
def base(live_url: str) -> str:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    return live_url.removesuffix("/graphql")


def test_graphiql_files_are_installed_and_pinned() -> None:
    missing = [name for name, path in ASSETS.items() if not path.is_file()]
    assert missing == [], "run `make install` (tools/graphiql)"
    lock = (Path(__file__).parent.parent / "tools/graphiql/package-lock.json").read_text()
    assert '"node_modules/graphiql": {\n      "version": "3.8.3"' in lock


def test_graphiql_runs_a_query_offline_in_chromium(
    base: str, demo_store: Store, tmp_path: Path
) -> None:
    from playwright.sync_api import sync_playwright

    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    requests: list[str] = []
    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(tmp_path / "profile"),
            executable_path=CHROMIUM,
            args=list(CHROMIUM_FLAGS),
            headless=True,
            viewport=VIEWPORT,
            service_workers="block",
        )
        try:

            def route(request_route: Any) -> None:
                target = request_route.request.url
                if target.startswith(origin + "/"):
                    request_route.continue_()
                else:
                    blocked.append(target)
                    request_route.abort("internetdisconnected")

            context.route("**/*", route)
            page = context.new_page()
            page.on("request", lambda request: requests.append(request.url))
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on(
                "console",
                lambda message: errors.append(message.text) if message.type == "error" else None,
            )
            response = page.goto(f"{base}/graphql", wait_until="load")
            assert response is not None and response.status == 200
            assert response.headers["content-security-policy"] == CSP
            page.wait_for_selector(".graphiql-container .graphiql-query-editor", timeout=60_000)
            editor = page.locator(".graphiql-query-editor .CodeMirror").first
            editor.click()
            page.evaluate(
                "(q) => document.querySelector('.graphiql-query-editor .CodeMirror')"
                ".CodeMirror.setValue(q)",
                QUERY,
            )
            page.locator(".graphiql-execute-button").click()
            page.wait_for_function(
                "() => (document.querySelector('.result-window .CodeMirror')?.CodeMirror"
                "?.getValue() || '').includes('\"zones\"')",
                timeout=60_000,
            )
            result = page.evaluate(
                "() => document.querySelector('.result-window .CodeMirror').CodeMirror.getValue()"
            )
        finally:
            context.close()
    assert blocked == [] and errors == [], (blocked, errors)
    assert requests and all(r.startswith(origin + "/") for r in requests)
    zones = {z["id"] for z in json.loads(result)["data"]["zones"]}
    expected = {row["id"] for row in demo_store.run("list_zones", level=None, parent=None,
                                                    offset=0, limit=100)}  # fmt: skip
    assert zones == expected and "leuven" in zones


def test_landing_page_links_everything(live_url: str) -> None:
    base = live_url.removesuffix("/graphql")
    page = httpx2.get(f"{base}/", timeout=30)
    assert page.status_code == 200
    assert page.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
    for link in (
        'href="/graphql"',
        'href="/healthz"',
        'href="/maps/zone/leuven"',
        'href="/exports/gaps.csv?zone=leuven"',
        'href="/exports/overlaps.csv?zone=namur"',
    ):
        assert link in page.text, link
    for link in ("/healthz", "/maps/zone/leuven", "/exports/gaps.csv?zone=leuven"):
        assert httpx2.get(f"{base}{link}", timeout=60).status_code == 200, link


def test_graphiql_assets_only_by_name(live_url: str) -> None:
    base = live_url.removesuffix("/graphql")
    assert httpx2.get(f"{base}/graphiql/graphiql.min.js", timeout=30).status_code == 200
    for name in ("..%2F..%2Fpyproject.toml", "package.json", "react.development.js"):
        assert httpx2.get(f"{base}/graphiql/{name}", timeout=30).status_code == 404, name
