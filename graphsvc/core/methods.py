"""Distance-decay accessibility methods beside the declared catchment (issue 18, item 5).

Every method is a two-step floating catchment over (provider, cell) pairs (DESIGN §4,
graphsvc.core.coverage.sparse_catchment) with its own pair weight W_ij, for pairs within
`reach_km` (haversine) of each other:

- `e2sfca`   W = the distance band's weight (Luo & Qi 2009; default 0-10 km 1, 10-20 0.68,
             20-30 0.22).
- `gravity`  W = (max(d, min_km) / scale_km) ** alpha (alpha < 0: decays with distance).
- `gaussian` W = exp(-d² / (2 sigma_km²)) (f(0) = 1).
- `3sfca`    Wan, Zou & Sternberg (2012): the band weight times the selection weight
             G_ij = W_ij / Σ_k W_ik (k: the providers of the need within reach of cell i),
             in both steps, so a cell's demand is shared out among the providers it can reach.

These are the weight functions of pysal's `access` (weights.step_fn, gravity, gaussian; its
three_stage_fca), which the tests use as the oracle.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from graphsvc.core.coverage import Band, band_weights
from graphsvc.errors import InputError

CATCHMENT, E2SFCA, GRAVITY, GAUSSIAN, THREE_SFCA = (
    "catchment", "e2sfca", "gravity", "gaussian", "3sfca",
)  # fmt: skip
METHODS = (CATCHMENT, E2SFCA, GRAVITY, GAUSSIAN, THREE_SFCA)
DISTANCE_METHODS = METHODS[1:]
DEFAULT_REACH_KM = 30.0  # gravity and gaussian: pairs farther apart weigh 0
HALF_EARTH_KM = 20_015.0  # no two points on Earth are farther apart (haversine)
MIN_KM = 0.001  # smallest scale, minimum distance and sigma: keeps the weights finite


@dataclass(frozen=True)
class MethodParams:
    """Parameters of the distance methods (echoed in the answers)."""

    reach_km: float | None = None  # None: the last band's upper limit, or DEFAULT_REACH_KM
    gravity_alpha: float = -1.0
    gravity_scale_km: float = 1.0
    gravity_min_km: float = 1.0
    gaussian_sigma_km: float = 10.0

    def __post_init__(self) -> None:
        problems = []
        for name, value, low, high in (
            ("reachKm", self.reach_km, 0.0, HALF_EARTH_KM),
            ("gravityScaleKm", self.gravity_scale_km, MIN_KM, HALF_EARTH_KM),
            ("gravityMinKm", self.gravity_min_km, MIN_KM, HALF_EARTH_KM),
            ("gaussianSigmaKm", self.gaussian_sigma_km, MIN_KM, HALF_EARTH_KM),
        ):
            if value is None:
                continue
            if not isinstance(value, int | float) or not math.isfinite(value):
                problems.append(f"argument {name}: {value!r} must be a number")
            elif value <= low or value > high:
                problems.append(
                    f"argument {name}: {value!r} must be a positive number"
                    + (f" of at least {MIN_KM} km" if low else "")
                    + f", at most {HALF_EARTH_KM:g} km"
                )
        alpha = self.gravity_alpha
        if not isinstance(alpha, int | float) or not math.isfinite(alpha) or abs(alpha) > 10:
            problems.append(f"argument gravityAlpha: {alpha!r} must be a number from -10 to 10")
        if problems:
            raise InputError(problems)

    def reach(self, method: str, bands: tuple[Band, ...]) -> float:
        """The largest distance a pair may span for the method."""
        if self.reach_km is not None:
            return self.reach_km
        return bands[-1].upper if method in (E2SFCA, THREE_SFCA) else DEFAULT_REACH_KM

    def echo(self, method: str, bands: tuple[Band, ...]) -> dict[str, float | str]:
        """The parameters that shaped an answer of `method`, by name."""
        found: dict[str, float | str] = {"method": method}
        if method == CATCHMENT:
            return found
        found["reachKm"] = self.reach(method, bands)
        if method in (E2SFCA, THREE_SFCA):
            found["bands"] = ", ".join(f"{b.upper:g} km: {b.weight:g}" for b in bands)
        elif method == GRAVITY:
            found.update(gravityAlpha=self.gravity_alpha, gravityScaleKm=self.gravity_scale_km,
                         gravityMinKm=self.gravity_min_km)  # fmt: skip
        else:
            found["gaussianSigmaKm"] = self.gaussian_sigma_km
        return found


def distance_weights(
    distances: np.ndarray, method: str, bands: tuple[Band, ...], params: MethodParams
) -> np.ndarray:
    """W for each distance under the method (0 beyond the reach); 3SFCA's G comes later."""
    reach = params.reach(method, bands)
    if method in (E2SFCA, THREE_SFCA):
        weights = band_weights(distances, bands)
    elif method == GRAVITY:
        weights = (np.maximum(distances, params.gravity_min_km) / params.gravity_scale_km) ** (
            params.gravity_alpha
        )
    elif method == GAUSSIAN:
        weights = np.exp(-distances * distances / (2 * params.gaussian_sigma_km**2))
    else:
        raise InputError([f"argument method: {method!r} is not a distance method"])
    return np.where(distances <= reach, weights, 0.0)


def selection_weights(pair_cell: np.ndarray, weight: np.ndarray, n_cells: int) -> np.ndarray:
    """3SFCA: G = W / (sum of W over the cell's pairs), per pair (0 where a cell has none)."""
    total = np.bincount(pair_cell, weights=weight, minlength=n_cells)[pair_cell]
    return np.divide(weight, total, out=np.zeros(len(weight)), where=total > 0)
