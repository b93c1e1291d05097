"""Helpers for the network and map tests: small hand-built bundles, the app served on loopback,
and a headless Chromium (Debian's `chromium`, driven by Playwright) that may reach nothing but
the app.

`python -m tests.maps_fixtures docs/map-leuven.png` takes the README screenshot with the same
tooling: it serves the leuven demo from a fresh embedded database and photographs
/maps/zone/leuven.
"""

from __future__ import annotations

import contextlib
import csv
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx2

from graphsvc.io.bundle_format import LIST_SEPARATOR, TABLES_BY_NAME

REPO = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
)
VIEWPORT = {"width": 1400, "height": 900}

# Seven actors, four lines, seven collaborations; the values of every measure are worked out by
# hand in tests/test_network_measures.py.
HAND_ACTORS = {
    "act-a": ("first", "hand-n"),
    "act-b": ("first", "hand-n"),
    "act-c": ("second", "hand-n"),
    "act-d": ("social", "hand-s"),
    "act-e": ("social", "hand-s"),
    "act-f": ("social", "hand-s"),
    "act-g": ("second", "hand-s"),
}
HAND_TIES = (
    ("act-a", "act-b"),
    ("act-b", "act-c"),
    ("act-c", "act-d"),
    ("act-c", "act-e"),
    ("act-d", "act-e"),
    ("act-d", "act-f"),
    ("act-e", "act-g"),
)
PATIENT = "a" * 64  # a pseudonym: 64 hex digits


def write_bundle(folder: Path, tables: Mapping[str, Sequence[Mapping[str, Any]]]) -> Path:
    """Write a native CSV bundle (only the tables given) in the documented column order."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, rows in tables.items():
        header = TABLES_BY_NAME[name].header
        with (folder / f"{name}.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator="\n")
            writer.writerow(header)
            for row in rows:
                writer.writerow([_cell(row.get(column)) for column in header])
    return folder


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def _actor(actor_id: str, line: str, zone: str) -> dict[str, Any]:
    name = actor_id.replace("-", " ").title()
    return {"id": actor_id, "name": name, "kind": "organisation", "line": line, "zone": zone}


def hand_bundle(folder: Path) -> Path:
    """Pilot zone `hand` (parts hand-n, hand-s) with the seven hand-worked actors."""
    zones = [
        {"id": "hand", "name": "Hand", "level": "pilot_zone"},
        {"id": "hand-n", "name": "Hand North", "level": "vicinity_network", "part_of": "hand"},
        {"id": "hand-s", "name": "Hand South", "level": "vicinity_network", "part_of": "hand"},
    ]
    actors = [_actor(a, line, zone) for a, (line, zone) in HAND_ACTORS.items()]
    ties = [{"source": a, "target": b, "kind": "referral", "since": 2020} for a, b in HAND_TIES]
    return write_bundle(folder, {"zones": zones, "actors": actors, "collaborations": ties})


def links_bundle(folder: Path) -> Path:
    """Pilot zone `links` for tie kinds and missing links.

    lx1, lx2 (first line, links-a) both run an active pharmacy over links-a and do not
    collaborate: a missing link. lx2 and lx3 overlap on links-b but collaborate. lx1 and lx4
    are in one team. lx5, located in another pilot zone, serves `links`; lx4 is the case manager
    of a patient that the test refers to lx5's service: they share a patient without
    collaborating. lx6 only has a closed service covering `links`: not in the network.
    """
    zones = [
        {"id": "links", "name": "Links", "level": "pilot_zone"},
        {"id": "links-a", "name": "Links A", "level": "vicinity_network", "part_of": "links"},
        {"id": "links-b", "name": "Links B", "level": "vicinity_network", "part_of": "links"},
        {"id": "other", "name": "Other", "level": "pilot_zone"},
    ]
    actors = [
        _actor("lx1", "first", "links-a"),
        _actor("lx2", "first", "links-a"),
        _actor("lx3", "first", "links-b"),
        _actor("lx4", "social", "links-b"),
        _actor("lx5", "second", "other"),
        _actor("lx6", "community", "other"),
    ]
    types = [
        {"code": "pharmacy", "name": "Pharmaceutical care"},
        {"code": "social-work", "name": "Social work"},
    ]
    services = [
        _service("lx1-ph", "lx1", "pharmacy", ["links-a"]),
        _service("lx2-ph", "lx2", "pharmacy", ["links"]),
        _service("lx3-ph", "lx3", "pharmacy", ["links-b"]),
        _service("lx5-sw", "lx5", "social-work", ["links"]),
        _service("lx6-sw", "lx6", "social-work", ["links"], status="closed"),
    ]
    return write_bundle(
        folder,
        {
            "zones": zones,
            "actors": actors,
            "service_types": types,
            "services": services,
            "collaborations": [{"source": "lx2", "target": "lx3", "kind": "shared_care"}],
            "networks": [{"id": "team-links", "name": "Team Links", "kind": "care_pathway"}],
            "memberships": [
                {"actor": "lx1", "network": "team-links", "role": "member"},
                {"actor": "lx4", "network": "team-links", "role": "member"},
            ],
            "patients": [{"id": PATIENT, "zone": "links-b", "case_manager": "lx4"}],
        },
    )


def _service(
    service_id: str, actor: str, kind: str, covers: list[str], status: str = "active"
) -> dict[str, Any]:
    return {
        "id": service_id,
        "actor": actor,
        "type": kind,
        "name": f"{kind} by {actor}",
        "capacity": 10,
        "available": 4 if status == "active" else 10,
        "status": status,
        "covers": covers,
    }


def refer(store: Any, patient: str, by: str, service: str) -> None:
    """Record a referral through the project's own write query (issue 4's lifecycle)."""
    store.run(
        "create_referrals",
        patient=patient,
        actor=by,
        now="2026-01-01T00:00:00Z",
        rows=[{"id": f"ref-{by}-{service}", "service": service, "note": None}],
        scope=None,
    )


# --- the app on loopback, and a browser that may reach nothing else -------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def graphsvc(
    *args: str, env: Mapping[str, str], timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run the `graphsvc` command (the real CLI, in a child process)."""
    return subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", *args],
        env={**os.environ, **env},
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@contextlib.contextmanager
def serve(env: Mapping[str, str], *args: str, timeout: float = 120) -> Iterator[str]:
    """`graphsvc serve` on a free loopback port; yields its base URL, stops it with SIGINT."""
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", "serve", "--port", str(port), *args],
        env={**os.environ, **env},
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx2.get(f"{base}/healthz", timeout=5).status_code == 200:
                    break
            except httpx2.TransportError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"graphsvc serve did not start: {server.stderr.read()}")  # type: ignore[union-attr]
            time.sleep(0.2)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(10)
        server.stderr.close()  # type: ignore[union-attr]


@dataclass
class MapVisit:
    """What the browser saw: the requests it made, the ones blocked, and the drawn map."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    state: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""
    canvas_box: dict[str, float] = field(default_factory=dict)


# Runs in the page: what vis-network holds and how much of its canvas has been drawn on.
PAGE_STATE = """() => {
  const canvas = document.querySelector('#mynetwork canvas');
  const context = canvas.getContext('2d');
  const pixels = context.getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { drawn += 1; } }
  const ids = network.body.data.nodes.getIds();
  const positions = network.getPositions();
  return {
    nodes: network.body.data.nodes.length,
    edges: network.body.data.edges.length,
    placed: Object.keys(positions).length,
    kinds: ids.reduce((n, id) => { const k = network.body.data.nodes.get(id).kind;
                                   n[k] = (n[k] || 0) + 1; return n; }, {}),
    red: ids.filter((id) => network.body.data.nodes.get(id).status === 'MISSING'),
    canvasWidth: canvas.width,
    canvasHeight: canvas.height,
    drawnPixels: drawn,
    rendered: document.body.getAttribute('data-rendered'),
  };
}"""


@contextlib.contextmanager
def browser(
    origin: str, profile: Path, *, bypass_csp: bool = True
) -> Iterator[tuple[Any, list[str], list[str]]]:
    """The one headless Chromium of the tests: a persistent context that may reach only
    `origin` (every other request is aborted, as if offline, and recorded) and accepts
    downloads; yields (context, blocked, errors), errors being what its pages log.

    `bypass_csp` (default): the page's own policy would block a remote load unseen; without
    it, any remote request the page makes reaches `route` and is recorded. The gap map's
    test keeps the policy on to check it allows what the page needs."""
    from playwright.sync_api import sync_playwright

    blocked: list[str] = []
    errors: list[str] = []
    with sync_playwright() as driver:
        context = driver.chromium.launch_persistent_context(
            str(profile),
            executable_path=CHROMIUM,
            args=list(CHROMIUM_FLAGS),
            headless=True,
            viewport=VIEWPORT,
            service_workers="block",
            accept_downloads=True,
            bypass_csp=bypass_csp,
        )

        def route(request_route: Any) -> None:
            target = request_route.request.url
            if target == origin or target.startswith((origin + "/", "data:")):
                request_route.continue_()
            else:
                blocked.append(target)
                request_route.abort("internetdisconnected")

        def watch(page: Any) -> None:
            page.on("pageerror", lambda error: errors.append(str(error)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)

        context.route("**/*", route)
        context.on("page", watch)
        try:
            yield context, blocked, errors
        finally:
            context.close()


def origin_of(url: str) -> str:
    """scheme://host:port of a URL."""
    from urllib.parse import urlsplit

    return "{0.scheme}://{0.netloc}".format(urlsplit(url))


def visit_map(url: str, profile: Path, screenshot: bool = True) -> MapVisit:
    """Open `url` in the tests' browser (only the URL's own origin reachable) and record
    what it requested, what was blocked, and what vis-network drew."""
    visit = MapVisit()
    with browser(origin_of(url), profile) as (context, blocked, errors):
        page = context.new_page()
        page.on("request", lambda request: visit.requests.append(request.url))
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200, response
        page.wait_for_selector("body[data-rendered=true]", timeout=60_000)
        page.evaluate("() => new Promise((done) => requestAnimationFrame(() => done()))")
        visit.state = page.evaluate(PAGE_STATE)
        box = page.locator("#mynetwork canvas").bounding_box()
        visit.canvas_box = dict(box or {})
        if screenshot:
            visit.screenshot = page.screenshot(type="png")
    visit.blocked, visit.errors = blocked, errors
    return visit


def take_readme_screenshot(path: Path) -> None:
    """Serve the leuven demo from a fresh embedded database and photograph its map."""
    with tempfile.TemporaryDirectory() as folder:
        env = {"GRAPHSVC_DB": f"embedded:{folder}/db", "GRAPHSVC_DEMO_SEEDS": "leuven"}
        with serve(env) as base:
            visit = visit_map(f"{base}/maps/zone/leuven", Path(folder) / "profile")
    if visit.blocked or visit.errors:
        raise SystemExit(f"map did not load cleanly: {visit.blocked} {visit.errors}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(visit.screenshot)
    print(f"wrote {path}: {visit.state['nodes']} nodes drawn", file=sys.stderr)


if __name__ == "__main__":
    take_readme_screenshot(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/map-leuven.png"))
