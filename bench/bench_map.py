"""Workshop map open time in headless Chromium: `python -m bench.bench_map` (issue 21).

The leuven seed's zone map (161 actors, 1,910 ties, 36 aggregated ties) and the ego map of
leuven-ocmw are written as self-contained pages and opened in Debian's headless Chromium
(/usr/bin/chromium, every outside request blocked), interleaved round by round with the floor:
the same page for a zone without actors (loading and parsing vis-network and the page's own
script, nothing to draw). Settled = the page's first drawing done with its labels set
(`data-settled-ms`, ms since navigation start; physics is off, so nothing moves after that).
Target: leuven settles in under 1 s; the ratio to the floor says what the map itself costs.
`--peer FILE.html` adds another page to the rounds, e.g. the map as an older graphsvc wrote it
(timed by the same observer: when `data-rendered` is set on the body).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
from pathlib import Path

from graphsvc import maps
from graphsvc.config import Settings
from graphsvc.core.network import NetZone, ZoneNetwork, compute_measures
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.store import open_store

CHROMIUM = "/usr/bin/chromium"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
TARGET_MS = 1000
# the same clock for every page, ours or not: ms since navigation when data-rendered appears
OBSERVER = """new MutationObserver(() => {
  if (!window.__settled && document.body && document.body.getAttribute('data-rendered') === 'true')
    { window.__settled = performance.now(); }
}).observe(document, { attributes: true, subtree: true, attributeFilter: ['data-rendered'] });"""


def pages(folder: Path) -> dict[str, Path]:
    """The pages to open: leuven's zone map, an ego map, and the empty floor page."""
    store = open_store(Settings(db=f"embedded:{folder}/db"))
    try:
        write_bundle(store, read_bundle(resolve_seed("leuven")))
        found = {
            "leuven zone map": maps.zone_map(store, "leuven"),
            "ego map leuven-ocmw (1 hop)": maps.actor_map(store, "leuven-ocmw"),
        }
    finally:
        store.close()
    zone = NetZone("empty", "Empty", "pilot_zone", None, 0)
    net = ZoneNetwork(zone, (zone,), (), (), {}, ())
    found["floor: empty map"] = maps.build_map(net, compute_measures(net))
    out = {}
    for i, (name, built) in enumerate(found.items()):
        path = folder / f"page{i}.html"
        path.write_text(maps.render_html(built), encoding="utf-8")
        out[name] = path
    return out


def measure(rounds: int = 5, peer: Path | None = None) -> dict[str, list[float]]:
    """Settle times (ms) per page over `rounds` interleaved rounds."""
    from playwright.sync_api import sync_playwright

    times: dict[str, list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as driver:
        found = pages(Path(tmp))
        if peer is not None:
            found[f"peer: {peer.name}"] = peer.resolve()
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        try:
            for _ in range(rounds):
                for name, path in found.items():
                    page = browser.new_page(viewport={"width": 1400, "height": 900})
                    page.route(
                        "**/*",
                        lambda r: r.continue_() if r.request.url.startswith("file:") else r.abort(),
                    )
                    page.add_init_script(OBSERVER)
                    page.goto(path.as_uri(), wait_until="load")
                    page.wait_for_selector("body[data-rendered=true]", timeout=120_000)
                    settled = float(page.evaluate("() => window.__settled"))
                    times.setdefault(name, []).append(settled)
                    page.close()
        finally:
            browser.close()
    return times


def results(times: dict[str, list[float]]) -> list[dict[str, object]]:
    """One row per page: median, min, max (ms), the floor's median, ratio, target, verdict."""
    floor = statistics.median(times["floor: empty map"])
    rows: list[dict[str, object]] = []
    for name, values in times.items():
        median = statistics.median(values)
        judged = not name.startswith(("floor", "peer"))
        rows.append(
            {
                "page": name,
                "median": median,
                "min": min(values),
                "max": max(values),
                "floor": floor,
                "ratio": median / floor,
                "target": f"< {TARGET_MS} ms" if judged else "-",
                "verdict": ("met" if median < TARGET_MS else "MISSED") if judged else "-",
            }
        )
    return rows


def load_average() -> str:
    """The machine's 1, 5 and 15 minute load averages, to note beside every figure."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--peer", type=Path, help="another map page to time alongside")
    args = parser.parse_args(argv)
    before = load_average()
    times = measure(args.rounds, args.peer)
    print(f"load average before {before}, after {load_average()}; {os.cpu_count()} cores")
    print("| page | settled (median ms) | min..max | floor (ms) | ratio | target | verdict |")
    print("|---|---|---|---|---|---|---|")
    for r in results(times):
        print(
            f"| {r['page']} | {r['median']:.0f} | {r['min']:.0f}..{r['max']:.0f} | "
            f"{r['floor']:.0f} | {r['ratio']:.2f}x | {r['target']} | {r['verdict']} |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
