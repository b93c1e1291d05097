"""The map in a real browser: Debian's headless Chromium opens /maps/zone/leuven from the app
served by uvicorn on loopback, may reach nothing but that app, and must draw the whole network.

`make test` installs `chromium` when /usr/bin/chromium is missing.
"""

from __future__ import annotations

import io
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import pytest
from PIL import Image

from graphsvc import maps
from graphsvc.core import network
from graphsvc.store import Store
from tests.maps_fixtures import CHROMIUM, visit_map
from tests.test_maps import SEEDED_MISSING


def near(pixels: np.ndarray, colour: str, tolerance: int = 12) -> int:
    """How many pixels are within `tolerance` of `colour` (#rrggbb) in every channel."""
    rgb = np.array([int(colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=np.int16)
    return int(np.all(np.abs(pixels - rgb) <= tolerance, axis=1).sum())


@pytest.fixture
def base(live_url: str) -> str:
    """The app's base URL; fails (not skips) without the browser, which `make test` installs."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    return live_url.removesuffix("/graphql")


def test_zone_map_renders_offline_in_chromium(base: str, demo_store: Store, tmp_path: Path) -> None:
    expected = network.zone_map(demo_store, "leuven")
    visit = visit_map(f"{base}/maps/zone/leuven", tmp_path / "profile")

    # nothing but the app was asked for, nothing was blocked, nothing failed
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(base))
    assert visit.blocked == [] and visit.errors == []
    assert visit.requests and all(r.startswith(origin + "/") for r in visit.requests)
    assert visit.requests[0] == f"{base}/maps/zone/leuven"

    # vis-network holds and has placed every node of the map
    state = visit.state
    assert state["rendered"] == "true"
    assert state["nodes"] == state["placed"] == len(expected.nodes) > 170
    assert state["edges"] == len(expected.edges)
    assert state["kinds"] == dict(Counter(n["kind"] for n in expected.nodes))
    assert set(state["red"]) == SEEDED_MISSING

    # the canvas has been drawn on: a fair share of its pixels are not transparent
    area = state["canvasWidth"] * state["canvasHeight"]
    assert state["drawnPixels"] > 0.01 * area, state

    # and the screenshot shows it: inside the canvas, the lines' colours and the red gaps
    shot = Image.open(io.BytesIO(visit.screenshot)).convert("RGB")
    box = visit.canvas_box
    canvas = shot.crop(
        (int(box["x"]), int(box["y"]), int(box["x"] + box["width"]), int(box["y"] + box["height"]))
    )
    pixels = np.asarray(canvas, dtype=np.int16).reshape(-1, 3)
    background = np.all(pixels == 255, axis=1).sum()
    assert background < 0.99 * len(pixels)
    for colour in (
        maps.LINE_COLOURS["first"],
        maps.LINE_COLOURS["social"],
        maps.STATUS_COLOURS["MISSING"],
    ):
        assert near(pixels, colour) > 30, colour


def test_ego_map_renders_offline_in_chromium(base: str, demo_store: Store, tmp_path: Path) -> None:
    expected = network.actor_map(demo_store, "leuven-ocmw", 1)
    visit = visit_map(
        f"{base}/maps/actor/leuven-ocmw?hops=1", tmp_path / "profile", screenshot=False
    )
    assert visit.blocked == [] and visit.errors == []
    assert visit.state["nodes"] == visit.state["placed"] == len(expected.nodes)
    assert visit.state["drawnPixels"] > 0
