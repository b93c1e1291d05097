"""P8: national gaps through GraphQL against pysal's `access` on the same inputs, side by side
in one run (`python -m bench.p8`; needs the `bench` extra and ../shared/data).

Inputs: `load belgium`, `import pharmacies` (AFMPS 2022-03) and `needs estimate` with
examples/prevalence_be.csv, capacity ESTIMATED (graphsvc/core/default_places.csv): the 565
municipalities of 2025 x 2 needs. graphsvc's time is a whole GraphQL `serviceGaps(zoneId: "be")`
selecting `zoneId needCode ratio status` (database reads, distances and arithmetic included);
`access`'s is its two_stage_fca / three_stage_fca on DataFrames prepared beforehand (demand,
supply and the (cell, provider) costs within 30 km: the preparation is not timed). Both are
the median of REPEATS runs after one warm-up; the answers are compared (max |difference|).
The GraphQL requests run on one event loop, as a server's do (a fresh `asyncio.run` per
request would add a new thread pool and signal handlers to every request: about 1-2 ms).
"""

from __future__ import annotations

import asyncio
import math
import statistics
import sys
import tempfile
import time
import tracemalloc
import warnings
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared" / "data" / "belgium"
PHARMACIES = SHARED / "pharmacies_be_afmps_2022-03.csv"
PREVALENCE = REPO / "examples" / "prevalence_be.csv"
NEEDS = ("medication-management", "mobility-limitation")
REPEATS = 9
WORLD = {"south": -90.0, "north": 90.0, "west": -180.0, "east": 180.0}
GQL_METHOD = {"catchment": "CATCHMENT", "e2sfca": "E2SFCA", "gravity": "GRAVITY",
              "gaussian": "GAUSSIAN", "3sfca": "THREE_SFCA"}  # fmt: skip
QUERY = """query ($method: CoverageMethod!) {
  serviceGaps(zoneId: "be", method: $method, capacity: ESTIMATED) {
    zoneId needCode ratio status rollup } }"""


def median_s(action: Any) -> float:
    action()  # warm-up
    times = []
    for _ in range(REPEATS):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def build(store: Any) -> None:
    from graphsvc.io.belgium import import_pharmacies
    from graphsvc.io.bundle import store_lookup, write_bundle
    from graphsvc.io.matching import candidates_from
    from graphsvc.io.prevalence import estimate_needs, read_prevalence, write_estimate
    from graphsvc.io.seeds import read_seed

    write_bundle(store, read_seed("belgium"))
    imported = import_pharmacies(PHARMACIES, existing=store_lookup(store),
                                 candidates=candidates_from(store))  # fmt: skip
    write_bundle(store, imported.bundle)
    estimate = estimate_needs(store, "be", read_prevalence(PREVALENCE), 2024, "bench P8")
    write_estimate(store, estimate)


def haversine(lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray):
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    h = (
        np.sin((p2 - p1) / 2) ** 2
        + np.cos(p1)
        * np.cos(p2)
        * np.sin((np.radians(lon2)[None, :] - np.radians(lon1)[:, None]) / 2) ** 2
    )
    return 2 * 6371.0088 * np.arcsin(np.sqrt(h))


def access_inputs(store: Any, need: str, method: str) -> tuple[Any, Any, Any]:
    """demand, supply and cost DataFrames for `access` (not timed)."""
    import pandas as pd

    from graphsvc.core.capacity import default_places

    table = default_places()
    cells = store.run("find_need_cells_in_box", needs=[need], **WORLD)
    demand = pd.DataFrame({"geoid": [c["zone"] for c in cells],
                           "demand": [float(c["people"] or 0) for c in cells]})  # fmt: skip
    if method == "catchment":
        rows = store.run("list_catchment_services", zone="be", needs=[need], statuses=["active"])
        supply = pd.DataFrame(
            {"supply": [float(r["capacity"] if r["capacity"] is not None
                              else table.get(r["type"], 0.0)) for r in rows]},
            index=pd.Index([r["service"] for r in rows], name="geoid"),
        )  # fmt: skip
        pairs = [(z, r["service"], 0.0) for r in rows for z in r["cells"]]
        return demand, supply, pd.DataFrame(pairs, columns=["origin", "dest", "cost"])
    providers = [p for p in store.run("find_services_in_box", needs=[need], statuses=["active"],
                                      **WORLD) if p["lat"] is not None]  # fmt: skip
    supply = pd.DataFrame(
        {"supply": [float(p["capacity"] if p["capacity"] is not None
                          else table.get(p["type"], 0.0)) for p in providers]},
        index=pd.Index([p["service"] for p in providers], name="geoid"),
    )  # fmt: skip
    d = haversine(np.array([c["lat"] for c in cells]), np.array([c["lon"] for c in cells]),
                  np.array([p["lat"] for p in providers]),
                  np.array([p["lon"] for p in providers]))  # fmt: skip
    i, j = np.nonzero(d <= 30.0)
    cost = pd.DataFrame({"origin": np.array([c["zone"] for c in cells])[i],
                         "dest": np.array([p["service"] for p in providers])[j],
                         "cost": d[i, j]})  # fmt: skip
    return demand, supply, cost


def run_access(inputs: tuple[Any, Any, Any], method: str) -> Any:
    from access import fca, weights

    demand, supply, cost = inputs
    bands = weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    fn = {"catchment": None, "e2sfca": bands, "3sfca": bands,
          "gravity": weights.gravity(1.0, -1.0, 1.0),
          "gaussian": weights.gaussian(10.0)}[method]  # fmt: skip
    run = fca.three_stage_fca if method == "3sfca" else fca.two_stage_fca
    max_cost = None if method == "catchment" else 30.0
    return run(demand, supply, cost, max_cost, demand_index="geoid", demand_name="demand",
               supply_name="supply", weight_fn=fn)  # fmt: skip


def main() -> int:
    from graphsvc.api.context import Context
    from graphsvc.api.schema import build_schema
    from graphsvc.config import Settings
    from graphsvc.core import gapindex
    from graphsvc.store import open_store

    warnings.filterwarnings("ignore", message="The inplace keyword")
    if not PHARMACIES.is_file():
        print(f"P8 needs {PHARMACIES}", file=sys.stderr)
        return 1
    schema = build_schema(mask_internal_errors=False)
    loop = asyncio.new_event_loop()
    with tempfile.TemporaryDirectory(prefix="p8-") as data:
        store = open_store(Settings(db=f"embedded:{data}", graph="p8"))
        try:
            build(store)
            tracemalloc.start()
            index = gapindex.current(store)
            current, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            arrays = sum(v.nbytes for v in vars(index).values() if isinstance(v, np.ndarray))
            print(f"P8  gap index: {index.pairs:,} catchment pairs, {len(index.cell_zone):,} "
                  f"cells, {len(index.service_ids):,} providers; numpy arrays "
                  f"{arrays / 2**20:.2f} MiB, Python heap held {current / 2**20:.1f} MiB "
                  f"(peak while building {peak / 2**20:.1f} MiB)")  # fmt: skip
            print("| id | case | graphsvc (GraphQL) | access | ratio | target | verdict | "
                  "max abs diff |\n|---|---|---|---|---|---|---|---|")  # fmt: skip
            cells = len(index.cell_zone) // len(NEEDS)
            for method in ("catchment", "e2sfca", "gravity", "gaussian", "3sfca"):
                answer: dict = {}

                def gql(method: str = method, answer: dict = answer) -> None:
                    result = loop.run_until_complete(schema.execute(
                        QUERY, variable_values={"method": GQL_METHOD[method]},
                        context_value=Context(store=store)))  # fmt: skip
                    if result.errors:
                        raise RuntimeError(result.errors[:1])
                    answer["rows"] = result.data["serviceGaps"]

                mine = median_s(gql)
                inputs = {need: access_inputs(store, need, method) for need in NEEDS}
                found: dict = {}

                def oracle(inputs: dict = inputs, method: str = method, found: dict = found):
                    for need, x in inputs.items():
                        found[need] = run_access(x, method)

                theirs = median_s(oracle)
                diff = 0.0
                for r in answer["rows"]:
                    if r["rollup"] or r["needCode"] not in found:
                        continue
                    other = found[r["needCode"]].get(r["zoneId"], 0.0)
                    other = 0.0 if isinstance(other, float) and math.isnan(other) else other
                    diff = max(diff, abs(r["ratio"] - other))
                ratio = mine / theirs
                target = "<= 1.0" if method in ("catchment", "e2sfca") else "report"
                verdict = ("met" if ratio <= 1.0 else f"MISSED ({ratio:.2f}x)") \
                    if target != "report" else "report"  # fmt: skip
                print(f"| P8 | national {method}, {cells} municipalities x {len(NEEDS)} needs | "
                      f"{mine * 1000:.0f} ms | {theirs * 1000:.0f} ms | {ratio:.3f}x | "
                      f"{target} | {verdict} | {diff:.1e} |", flush=True)  # fmt: skip
        finally:
            store.close()
            loop.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
