"""The accessibility methods against pysal's `access` (issue 18, item 5): the same cells,
providers and haversine distances in, ratios out, to 1e-9, on the leuven seed and nationally
(Belgian municipalities and the AFMPS pharmacies, capacity ESTIMATED)."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pandas as pd
import pytest
from access import fca, weights

from graphsvc.core.capacity import default_places
from graphsvc.core.gaps import GapQuery, zone_gaps
from graphsvc.core.methods import MethodParams
from graphsvc.store import Store
from tests.test_capacity import national_pharmacies
from tests.test_import_belgium import needs_shared

EARTH_RADIUS_KM = 6371.0088  # the mean Earth radius (IUGG), as graphsvc's haversine
WORLD = {"south": -90.0, "north": 90.0, "west": -180.0, "east": 180.0}
PARAMS = MethodParams(gravity_alpha=-1.5, gravity_scale_km=2.0, gravity_min_km=0.5,
                      gaussian_sigma_km=8.0)  # fmt: skip
METHODS = ("e2sfca", "gravity", "gaussian", "3sfca")
# access 1.1.10's three_stage_fca calls DataFrame.drop(inplace=True), deprecated in pandas 3.1
pytestmark = pytest.mark.filterwarnings("ignore:The inplace keyword in DataFrame.drop")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def weight_fn(method: str) -> Callable[[float], float]:
    if method in ("e2sfca", "3sfca"):
        return weights.step_fn({10: 1, 20: 0.68, 30: 0.22})
    if method == "gravity":
        return weights.gravity(PARAMS.gravity_scale_km, PARAMS.gravity_alpha,
                               PARAMS.gravity_min_km)  # fmt: skip
    return weights.gaussian(PARAMS.gaussian_sigma_km)


def by_access(store: Store, need: str, method: str, capacity: dict[str, float] | None = None
              ) -> pd.Series:  # fmt: skip
    """Access per cell zone by pysal `access`, from every cell and provider of the need."""
    cells = [r for r in store.run("find_need_cells_in_box", needs=[need], **WORLD)]
    providers = [r for r in store.run("find_services_in_box", needs=[need], statuses=["active"],
                                      **WORLD) if r["lat"] is not None]  # fmt: skip
    demand = pd.DataFrame({"geoid": [c["zone"] for c in cells],
                           "demand": [float(c["people"] or 0) for c in cells]})  # fmt: skip
    supply = pd.DataFrame(
        {"supply": [float(p["capacity"] if p["capacity"] is not None else capacity[p["type"]])
                    for p in providers]},
        index=pd.Index([p["service"] for p in providers], name="geoid"),
    )  # fmt: skip
    pairs = [(c["zone"], p["service"], km(c["lat"], c["lon"], p["lat"], p["lon"]))
             for c in cells for p in providers]  # fmt: skip
    cost = pd.DataFrame(pairs, columns=["origin", "dest", "cost"])
    cost = cost[cost["cost"] <= 30.0].reset_index(drop=True)
    run = fca.three_stage_fca if method == "3sfca" else fca.two_stage_fca
    found = run(demand, supply, cost, 30.0, demand_index="geoid", demand_name="demand",
                supply_name="supply", weight_fn=weight_fn(method))  # fmt: skip
    return found.reindex(demand["geoid"]).fillna(0.0)


def compare(
    store: Store, zone: str, need: str, method: str, table: dict[str, float] | None = None
) -> int:
    capacity = "estimated" if table else "declared"
    query = GapQuery(zone, needs=(need,), method=method, params=PARAMS, capacity=capacity)
    rows = [r for r in zone_gaps(store, zone, query) if not r.rollup]
    oracle = by_access(store, need, method, table)
    mine = pd.Series({r.zone: r.ratio for r in rows})
    assert len(mine) and (mine > 0).any()
    diff = np.abs(mine - oracle.reindex(mine.index)).max()
    assert diff <= 1e-9, (zone, need, method, diff)
    # normalised access: over the demand-weighted mean of the zone's cells
    people = pd.Series({r.zone: r.demand for r in rows}, dtype=float)
    mean = (oracle.reindex(mine.index) * people).sum() / people.sum()
    normal = pd.Series({r.zone: r.normalized for r in rows}, dtype=float)
    assert np.abs(normal - oracle.reindex(mine.index) / mean).max() <= 1e-9
    return len(rows)


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("need", ["medication-management", "transport-need", "social-isolation"])
def test_every_method_agrees_with_access_on_leuven(demo_store: Store, method: str, need: str):
    assert compare(demo_store, "leuven", need, method) == 9


@needs_shared
def test_every_method_agrees_with_access_nationally(make_store: Callable[..., Store]) -> None:
    store = national_pharmacies(make_store())
    for method in METHODS:
        n = compare(store, "be", "medication-management", method, default_places())
        assert n == 565  # the 2025 municipalities
