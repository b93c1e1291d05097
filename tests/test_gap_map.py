"""The gap map (/maps/gaps/{zoneId}?need=CODE and `graphsvc map --gaps`) over Belgium 2025 with
polygons: the expected filled polygons in headless Chromium with every outside request
blocked, the legend, hover details, click-through, PNG export; bad arguments as 400/404."""

from __future__ import annotations

import base64
import io
import re
import uuid
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from graphsvc.api.app import create_app
from graphsvc.api.background import serving
from graphsvc.config import Settings
from graphsvc.core.directory import zone_parts
from graphsvc.io.belgium import load_belgium
from graphsvc.io.bundle import bundle_from_records, store_lookup, write_bundle
from graphsvc.pages.gapmap import COLOURS, gap_map
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import LOCALHOST, _falkordb_settings
from tests.maps_fixtures import CHROMIUM, browser, origin_of

HERENT = "be-nis-24038"  # in Leuven Zuid (be-elz21) with six more municipalities
NEED = "nursing-care"


@pytest.fixture(scope="module")
def gaps_store(embedded: EmbeddedServer) -> Iterator[tuple[Store, str]]:
    """Belgium 2025; nursing needs (5% of the population) on the municipalities of Herent's
    primary care zone; one nursing service covering Herent and one more municipality."""
    store = open_store(_falkordb_settings(embedded, f"gapmap_{uuid.uuid4().hex[:8]}"))
    store.run("delete_everything")
    bundle = load_belgium(store, lambda b: write_bundle(store, b))
    zones = {z["id"]: z for z in bundle.tables["zones"]}
    elz = zones[HERENT]["part_of"]
    parts = sorted(z for z, row in zones.items() if row["part_of"] == elz)
    other = next(p for p in parts if p != HERENT)
    records = {
        "zone_needs": [("test", {"zone": p, "need": NEED, "year": 2024, "source": "test",
                                 "people": zones[p]["population"] // 20}) for p in parts],
        "actors": [("test", {"id": "gm-nurses", "name": "Herent nurses", "kind": "team",
                             "line": "first", "zone": HERENT, "lat": 50.9036, "lon": 4.6705})],
        "services": [("test", {"id": "gm-nursing", "actor": "gm-nurses", "type": "nursing",
                               "name": "Home nursing", "capacity": 400, "available": 10,
                               "status": "active", "covers": [HERENT, other]})],
    }  # fmt: skip
    write_bundle(store, bundle_from_records(Path("test"), records, [], store_lookup(store)))
    yield store, elz
    store.run("delete_everything")
    store.close()


def test_gap_map_values(gaps_store: tuple[Store, str]) -> None:
    store, elz = gaps_store
    found = gap_map(store, elz, NEED)
    parts = zone_parts(store, [elz])[elz]
    assert found.filled == len(parts) >= 3 and not found.unmapped
    statuses = Counter(p.status for p in found.parts)
    assert statuses["MISSING"] == len(parts) - 2 and statuses["MISSING"] >= 1
    covered = [p for p in found.parts if p.status != "MISSING"]
    demand = sum(p.demand for p in covered)
    for p in covered:  # 2SFCA by hand: 400 places over both municipalities' demand
        assert p.ratio == pytest.approx(400 / demand)
        assert p.colour != COLOURS["MISSING"]
    assert [a["id"] for a in found.providers] == ["gm-nurses"]


def _visit(url: str, profile: Path) -> dict[str, Any]:
    """What the tests' browser sees of the gap map, with the page's own CSP in force."""
    seen: dict[str, Any] = {"requests": []}
    with browser(origin_of(url), profile, bypass_csp=False) as (context, blocked, errors):
        seen["blocked"], seen["errors"] = blocked, errors
        page = context.new_page()
        page.on("request", lambda r: seen["requests"].append(r.url))
        response = page.goto(url, wait_until="load")
        assert response is not None and response.status == 200
        seen["filled"] = page.evaluate("""() => [...document.querySelectorAll('#map path.part')]
            .filter(p => { const f = getComputedStyle(p).fill; const b = p.getBBox();
                           return f && f !== 'none' && b.width > 0 && b.height > 0; })
            .map(p => [p.dataset.zone, p.dataset.status, getComputedStyle(p).fill])""")
        seen["legend"] = page.locator("#legend li").all_inner_texts()
        seen["providers"] = page.locator("#map circle.provider").count()
        page.hover(f'#map path.part[data-zone="{HERENT}"]')
        seen["details"] = page.locator("#details").inner_text()
        with page.expect_download() as download:
            page.click("#png")
        seen["png_name"] = download.value.suggested_filename
        seen["png"] = page.evaluate("() => window.gapMapPng")
        page.click(f'#map path.part[data-zone="{HERENT}"]')
        page.wait_for_url(f"**/maps/gaps/{HERENT}?need={NEED}")
        seen["clicked_title"] = page.title()
    return seen


def test_gap_map_renders_offline_in_chromium(gaps_store: tuple[Store, str], tmp_path: Path) -> None:
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    store, elz = gaps_store
    expected = gap_map(store, elz, NEED)
    with serving(create_app(Settings(), store)) as url:
        base = url.removesuffix("/graphql")
        seen = _visit(f"{base}/maps/gaps/{elz}?need={NEED}", tmp_path / "profile")
    assert seen["blocked"] == [] and seen["errors"] == []
    assert all(r.startswith(base + "/") or r.startswith("data:") for r in seen["requests"])
    assert len(seen["filled"]) == expected.filled  # every part drawn and filled
    by_status = Counter(status for _, status, _ in seen["filled"])
    assert by_status == Counter(p.status for p in expected.parts)
    missing_rgb = "rgb({}, {}, {})".format(
        *(int(COLOURS["MISSING"][i : i + 2], 16) for i in (1, 3, 5))
    )
    assert all(fill == missing_rgb for _, status, fill in seen["filled"] if status == "MISSING")
    assert seen["legend"][:5] == ["MISSING", "UNDER", "COVERED", "OVER", "NO_DEMAND"]
    assert seen["providers"] == 1
    assert seen["details"].startswith("Herent\nstatus: ") and "demand: " in seen["details"]
    assert seen["png_name"] == "gap-map.png" and seen["png"].startswith("data:image/png;base64,")
    image = Image.open(io.BytesIO(base64.b64decode(seen["png"].split(",", 1)[1]))).convert("RGB")
    assert image.size == (900, 640)
    pixels = np.asarray(image).reshape(-1, 3)
    red = int(np.all(pixels == (0xD7, 0x30, 0x27), axis=1).sum())
    assert red > 1000  # the MISSING parts are really painted in the export
    assert seen["clicked_title"] == f"Gaps for {NEED} in Herent"


def test_gap_map_bad_arguments(gaps_store: tuple[Store, str]) -> None:
    from starlette.testclient import TestClient

    store, elz = gaps_store
    with TestClient(create_app(Settings(), store), base_url=LOCALHOST) as client:
        response = client.get(f"/maps/gaps/{elz}")
        assert response.status_code == 400 and "argument need: required" in response.text
        response = client.get("/maps/gaps/nowhere?need=nursing-care")
        assert response.status_code == 404 and "nowhere" in response.text
        response = client.get(f"/maps/gaps/{elz}?need=no-such-need")
        assert response.status_code == 404 and "no-such-need" in response.text
        ok = client.get(f"/maps/gaps/{elz}?need={NEED}")
        assert (
            ok.status_code == 200 and "default-src 'none'" in ok.headers["content-security-policy"]
        )
        text = ok.text.replace('xmlns="http://www.w3.org/2000/svg"', "")  # a name, not a load
        assert "http://" not in text and "https://" not in text  # nothing to fetch


def test_gap_map_prints_on_one_landscape_page(
    gaps_store: tuple[Store, str], tmp_path: Path
) -> None:
    """Printable: in print media the map, title and legend are shown whole on one landscape
    page, the buttons and hover box are not, and every part is still filled."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} not found: `make test` installs Debian's chromium")
    store, elz = gaps_store
    expected = gap_map(store, elz, NEED)
    with serving(create_app(Settings(), store)) as url:
        base = url.removesuffix("/graphql")
        with browser(origin_of(base), tmp_path / "profile", bypass_csp=False) as (
            context,
            blocked,
            errors,
        ):
            page = context.new_page()
            response = page.goto(f"{base}/maps/gaps/{elz}?need={NEED}", wait_until="load")
            assert response is not None and response.status == 200
            # an A4 landscape sheet in CSS pixels (297 x 210 mm at 96 per inch), no margins
            page.set_viewport_size({"width": 1122, "height": 793})
            page.emulate_media(media="print")
            assert page.is_visible("h1") and page.is_visible("#legend")
            assert not page.is_visible("#png") and not page.is_visible("#details")
            boxes = page.evaluate("""() => ['#map', '#legend', 'h1'].map((s) => {
                const b = document.querySelector(s).getBoundingClientRect();
                return [s, b.left, b.right, b.bottom]; })""")
            for selector, left, right, bottom in boxes:
                assert left >= 0 and right <= 1122 and bottom <= 793, (selector, right, bottom)
            filled = page.evaluate("""() => [...document.querySelectorAll('#map path.part')]
                .filter((p) => getComputedStyle(p).fill !== 'none').length""")
            assert filled == expected.filled
            pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    assert blocked == [] and errors == []
    assert pdf.startswith(b"%PDF")
    pages = re.findall(rb"/Type\s*/Page\b", pdf)
    boxes_pt = {
        tuple(round(float(v)) for v in m.split())
        for m in re.findall(rb"/MediaBox\s*\[\s*([\d.\s]+)\]", pdf)
    }
    assert len(pages) == 1, f"{len(pages)} pages"
    ((_, _, width, height),) = boxes_pt
    assert width > height  # landscape
