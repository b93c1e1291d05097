"""The catchment arithmetic against DESIGN §4's worked example and its invariants."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.core.coverage import (
    DEFAULT_BANDS,
    Band,
    Thresholds,
    band_weights,
    check_bands,
    floating_catchment,
    haversine_km,
    sparse_catchment,
    status_codes,
    status_of,
)
from graphsvc.errors import InputError

# Zones A, B, C (demand) and providers X, Y (supply); distances provider x zone.
DEMAND = np.array([1000.0, 2000.0, 500.0])
SUPPLY = np.array([2.0, 1.0])
DISTANCE = np.array([[5.0, 15.0, 35.0], [25.0, 8.0, 18.0]])


def test_enhanced_2sfca_matches_the_worked_example() -> None:
    ratio, access = floating_catchment(SUPPLY, DEMAND, band_weights(DISTANCE, DEFAULT_BANDS))
    assert ratio == pytest.approx([1 / 1180, 1 / 2560], rel=1e-12)
    assert access == pytest.approx([0.933395e-3, 0.966896e-3, 0.265625e-3], rel=1e-6)


def test_plain_2sfca_matches_the_worked_example() -> None:
    _, access = floating_catchment(SUPPLY, DEMAND, band_weights(DISTANCE, [Band(30.0, 1.0)]))
    assert access == pytest.approx([1 / 1050, 1 / 1050, 1 / 3500], rel=1e-12)


def test_band_edges_belong_to_the_nearer_band() -> None:
    weights = band_weights(np.array([0.0, 10.0, 10.001, 20.0, 30.0, 30.001]), DEFAULT_BANDS)
    assert weights.tolist() == [1.0, 1.0, 0.68, 0.68, 0.22, 0.0]


def test_haversine_leuven_to_namur() -> None:
    km = haversine_km(np.array([50.8798]), np.array([4.7005]), np.array([50.4674]),
                      np.array([4.8720]))  # fmt: skip
    assert km[0, 0] == pytest.approx(47.4, abs=0.5)


@pytest.mark.parametrize(
    ("ratio", "providers", "status"),
    [(0.0, 0, "MISSING"), (0.5, 3, "UNDER"), (1.0, 1, "COVERED"), (1.5, 2, "COVERED"),
     (1.6, 1, "COVERED"), (1.6, 2, "OVER")],
)  # fmt: skip
def test_statuses(ratio: float, providers: int, status: str) -> None:
    assert status_of(ratio, providers, Thresholds()) == status


@pytest.mark.parametrize(
    ("bands", "message"),
    [
        ([Band(10, 1), Band(5, 0.5)], "bands[1].upper: 5 must be greater than 10"),
        ([Band(10, 1.5)], "bands[0].weight: 1.5 must be in [0, 1]"),
        ([], "at least one band"),
    ],
)
def test_bad_bands_are_named(bands: list[Band], message: str) -> None:
    with pytest.raises(InputError, match=message.replace("[", r"\[").replace("]", r"\]")):
        check_bands(bands)


@pytest.mark.parametrize("target", [-1.0, 0.0, float("nan"), float("inf")])
def test_bad_target_is_named(target: float) -> None:
    with pytest.raises(InputError, match="argument target"):
        Thresholds(target=target)


@st.composite
def small_graphs(draw: st.DrawFn) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    cells = draw(st.integers(1, 6))
    providers = draw(st.integers(1, 5))
    demand = np.array(draw(st.lists(st.integers(1, 5000), min_size=cells, max_size=cells)), float)
    supply = np.array(draw(st.lists(st.integers(0, 500), min_size=providers,
                                    max_size=providers)), float)  # fmt: skip
    flat = draw(st.lists(st.sampled_from([0.0, 0.22, 0.68, 1.0]), min_size=cells * providers,
                         max_size=cells * providers))  # fmt: skip
    return supply, demand, np.array(flat).reshape(providers, cells)


@settings(max_examples=200, deadline=None)
@given(small_graphs())
def test_all_supply_is_allocated_when_every_provider_reaches_someone(graph) -> None:
    supply, demand, weights = graph
    if (weights.sum(axis=1) == 0).any():
        return
    _, access = floating_catchment(supply, demand, weights)
    assert float(demand @ access) == pytest.approx(float(supply.sum()), rel=1e-9, abs=1e-9)


@settings(max_examples=200, deadline=None)
@given(small_graphs(), st.integers(1, 500), st.data())
def test_adding_a_service_never_lowers_and_removing_never_raises(graph, extra, data) -> None:
    supply, demand, weights = graph
    row = np.array(data.draw(st.lists(st.sampled_from([0.0, 0.22, 0.68, 1.0]),
                                      min_size=len(demand), max_size=len(demand))))  # fmt: skip
    _, before = floating_catchment(supply, demand, weights)
    _, after = floating_catchment(np.append(supply, extra), demand, np.vstack([weights, row]))
    assert (after >= before - 1e-12).all()
    _, removed = floating_catchment(supply[1:], demand, weights[1:])
    assert (removed <= before + 1e-12).all()


@settings(max_examples=200, deadline=None)
@given(small_graphs())
def test_the_sparse_form_equals_the_dense_one(graph) -> None:
    # graphsvc.core.gaps computes over (provider, cell) pairs: the same R and A as the matrix
    supply, demand, weights = graph
    prov, cell = np.nonzero(weights)
    dense = floating_catchment(supply, demand, weights)
    sparse = sparse_catchment(supply, demand, prov, cell, weights[prov, cell])
    for a, b in zip(dense, sparse, strict=True):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15)
    ones = (weights > 0).astype(float)
    _, access = sparse_catchment(supply, demand, prov, cell)  # no weights: all 1
    assert access == pytest.approx(floating_catchment(supply, demand, ones)[1], rel=1e-12)
    status = status_codes(access, np.full(len(access), 2), Thresholds())
    names = ("MISSING", "UNDER", "COVERED", "OVER")
    assert [names[s] for s in status] == [status_of(a, 2, Thresholds()) for a in access]
