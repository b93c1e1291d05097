"""Floating catchment arithmetic (DESIGN §4), vectorised with numpy; no database here.

Two-step floating catchment area (2SFCA): each provider j gets a ratio
`R_j = S_j / Σ_k P_k·W_jk` (supply over the weighted demand it reaches), and each demand
cell i gets its accessibility `A_i = Σ_j R_j·W_ji` (places per person in need).
With declared coverage W is 1 inside a service's catchment and 0 outside; with distances,
W is the enhanced-2SFCA band weight (Luo & Qi 2009) of the distance.
Invariant: Σ_i P_i·A_i = Σ_j S_j whenever every provider reaches some demand.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from graphsvc.errors import InputError

EARTH_RADIUS_KM = 6371.0088
MISSING, UNDER, COVERED, OVER = "MISSING", "UNDER", "COVERED", "OVER"
# NO_DEMAND: nobody in need there (whatever reaches it); UNKNOWN: no place reaches it, but
# services whose capacity is unknown do (so it is not known to be MISSING)
NO_DEMAND, UNKNOWN = "NO_DEMAND", "UNKNOWN"


@dataclass(frozen=True)
class Band:
    """Distances up to `upper` (and above the previous band's upper) get `weight`."""

    upper: float
    weight: float


DEFAULT_BANDS: tuple[Band, ...] = (Band(10.0, 1.0), Band(20.0, 0.68), Band(30.0, 0.22))


DEFAULT_TARGET = 1.0  # places per person in need below which a need is UNDER
DEFAULT_OVERLAP = 1.5  # ratio above which a need served by 2+ actors is OVER


@dataclass(frozen=True)
class Thresholds:
    """Status thresholds: below `target` is UNDER; above `overlap` with 2+ actors is OVER."""

    target: float = DEFAULT_TARGET
    overlap: float = DEFAULT_OVERLAP

    def __post_init__(self) -> None:
        problems = []
        for name, value in (("target", self.target), ("overlapThreshold", self.overlap)):
            if not isinstance(value, int | float) or not math.isfinite(value) or value <= 0:
                problems.append(f"argument {name}: {value!r} must be a positive number")
        if not problems and self.overlap < self.target:
            problems.append(
                f"argument overlapThreshold: {self.overlap} must not be below target {self.target}"
            )
        if problems:
            raise InputError(problems)


def check_bands(bands: Sequence[Band]) -> tuple[Band, ...]:
    """Bands with increasing upper limits and weights in [0, 1]; InputError otherwise."""
    problems = []
    if not bands:
        problems.append("argument bands: at least one band is needed")
    previous = 0.0
    for index, band in enumerate(bands):
        if not math.isfinite(band.upper) or band.upper <= previous:
            problems.append(
                f"argument bands[{index}].upper: {band.upper} must be greater than {previous} "
                "(upper limits must increase)"
            )
        if not math.isfinite(band.weight) or not 0 <= band.weight <= 1:
            problems.append(f"argument bands[{index}].weight: {band.weight} must be in [0, 1]")
        if math.isfinite(band.upper):
            previous = max(previous, band.upper)
    if problems:
        raise InputError(problems)
    return tuple(bands)


def band_weights(distances: np.ndarray, bands: Sequence[Band]) -> np.ndarray:
    """Weight of each distance: the first band whose upper limit it does not exceed, else 0."""
    weights = np.zeros_like(distances, dtype=float)
    lower = -np.inf
    for band in bands:
        inside = (distances > lower) & (distances <= band.upper)
        weights[inside] = band.weight
        lower = band.upper
    return weights


def haversine_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray
) -> np.ndarray:
    """Great-circle distances in km between every point 1 (rows) and point 2 (columns)."""
    p1, p2 = np.radians(lat1)[:, None], np.radians(lat2)[None, :]
    dlat = p2 - p1
    dlon = np.radians(lon2)[None, :] - np.radians(lon1)[:, None]
    h = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))


def _unit_vectors(lat: np.ndarray, lon: np.ndarray) -> np.ndarray:
    phi, lam = np.radians(lat), np.radians(lon)
    return np.column_stack([np.cos(phi) * np.cos(lam), np.cos(phi) * np.sin(lam), np.sin(phi)])


def pairs_within_km(
    lat1: np.ndarray, lon1: np.ndarray, lat2: np.ndarray, lon2: np.ndarray, km: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(i, j, haversine km) of every point 1 i and point 2 j at most `km` apart.

    A k-d tree (scipy) on unit vectors finds the candidates by chord length (2 sin(d / 2R),
    widened by a relative 1e-9), so the work grows with the pairs found, not with the product
    of the two sets; the distances of the candidates are then the haversine's, as
    haversine_km computes them, and those beyond `km` are dropped.
    """
    from scipy.spatial import cKDTree

    empty = np.empty(0, dtype=np.int64)
    if not len(lat1) or not len(lat2):
        return empty, empty, np.empty(0)
    chord = 2 * math.sin(min(km / (2 * EARTH_RADIUS_KM), math.pi / 2)) * (1 + 1e-9)
    near = cKDTree(_unit_vectors(lat1, lon1)).sparse_distance_matrix(
        cKDTree(_unit_vectors(lat2, lon2)), chord, output_type="ndarray"
    )
    i, j = near["i"].astype(np.int64), near["j"].astype(np.int64)
    p1, p2 = np.radians(lat1[i]), np.radians(lat2[j])
    dlon = np.radians(lon2[j]) - np.radians(lon1[i])
    h = np.sin((p2 - p1) / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    d = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(h, 0.0, 1.0)))
    keep = d <= km
    return i[keep], j[keep], d[keep]


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine) in km between two points."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def floating_catchment(
    supply: np.ndarray, demand: np.ndarray, weights: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(R, A) for a providers-by-cells weight matrix: R per provider, A per cell.

    A provider that reaches no demand gets R = 0 (nobody to serve), so it adds nothing.
    """
    reached = weights @ demand
    ratio = np.divide(supply, reached, out=np.zeros_like(supply, dtype=float), where=reached > 0)
    access = weights.T @ ratio
    return ratio, access


def sparse_catchment(
    supply: np.ndarray,
    demand: np.ndarray,
    pair_prov: np.ndarray,
    pair_cell: np.ndarray,
    pair_weight: np.ndarray | None = None,
    outside: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(R, A) as floating_catchment, over (provider, cell) pairs instead of a dense matrix.

    Pair k says provider pair_prov[k] reaches cell pair_cell[k] with weight pair_weight[k]
    (1 when None); `outside` adds demand a provider reaches beyond the cells given. Absent
    pairs weigh 0. Memory and time grow with the pairs, not with providers x cells.
    """
    n_provs, n_cells = len(supply), len(demand)
    reach = demand[pair_cell] if pair_weight is None else demand[pair_cell] * pair_weight
    reached = np.bincount(pair_prov, weights=reach, minlength=n_provs)
    if outside is not None:
        reached = reached + outside
    ratio = np.divide(supply, reached, out=np.zeros(n_provs, dtype=float), where=reached > 0)
    share = ratio[pair_prov] if pair_weight is None else ratio[pair_prov] * pair_weight
    access = np.bincount(pair_cell, weights=share, minlength=n_cells)
    return ratio, access


def status_codes(
    access: np.ndarray,
    providers: np.ndarray,
    thresholds: Thresholds,
    demand: np.ndarray | None = None,
    unknown: np.ndarray | None = None,
) -> np.ndarray:
    """status_of for arrays: 0 MISSING, 1 UNDER, 2 COVERED, 3 OVER, 4 NO_DEMAND, 5 UNKNOWN
    (the order of graphsvc.core.gaps.STATUSES)."""
    nobody = demand <= 0 if demand is not None else np.zeros(len(access), dtype=bool)
    unsized = unknown > 0 if unknown is not None else np.zeros(len(access), dtype=bool)
    return np.select(
        [nobody, (access <= 0) & unsized, access <= 0, access < thresholds.target,
         (access > thresholds.overlap) & (providers >= 2)],
        [4, 5, 0, 1, 3], 2,
    )  # fmt: skip


def status_of(
    ratio: float, providers: int, thresholds: Thresholds, demand: float = 1, unknown: int = 0
) -> str:
    """MISSING, UNDER, COVERED, OVER, NO_DEMAND or UNKNOWN for one accessibility value."""
    if demand <= 0:
        return NO_DEMAND
    if ratio <= 0:
        return UNKNOWN if unknown > 0 else MISSING
    if ratio < thresholds.target:
        return UNDER
    if ratio > thresholds.overlap and providers >= 2:
        return OVER
    return COVERED
