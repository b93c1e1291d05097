"""CPU-heavy fields share one budget per request and are memoised within it."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from graphsvc.api import heavy
from graphsvc.core import network
from tests.conftest import gql


def test_aliases_of_network_measures_compute_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    real = network.network_measures

    def counted(store: object, zone: str) -> object:
        calls.append(zone)
        return real(store, zone)  # type: ignore[arg-type]

    monkeypatch.setattr(network, "network_measures", counted)
    aliases = " ".join(
        f'm{i}: networkMeasures(zoneId: "leuven") {{ actorCount }}' for i in range(10)
    )
    answer = gql(client, "{ " + aliases + " }")
    assert "errors" not in answer, answer
    assert len({v["actorCount"] for v in answer["data"].values()}) == 1
    assert calls == ["leuven"]


def test_distinct_heavy_fields_share_one_cost_based_budget(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CPU each computation took counts against the request's budget: with a budget
    that the first computation uses up, the others of the request are refused before they
    start, aliases of the first are still answered (memoised), and the next request has a
    budget of its own. No clock is asserted: any computation costs more than 1 ns of CPU."""
    calls: list[str] = []
    real = network.network_measures

    def counted(store: object, zone: str) -> object:
        calls.append(zone)
        return real(store, zone)  # type: ignore[arg-type]

    monkeypatch.setattr(network, "network_measures", counted)
    monkeypatch.setattr(heavy, "COMPUTE_BUDGET_S", 1e-9)
    zones = ["leuven", "namur", "be", "leuven"]
    many = " ".join(f'm{i}: networkMeasures(zoneId: "{z}") {{ actorCount }}'
                    for i, z in enumerate(zones))  # fmt: skip
    answer = gql(client, "{ " + many + " }")
    messages = [e["message"] for e in answer.get("errors", [])]
    assert calls == ["leuven"], calls  # one computed, the others refused before starting
    assert messages and all("compute budget" in m for m in messages), answer
    assert "used up by its other network measures" in messages[0]
    calls.clear()
    again = gql(client, '{ networkMeasures(zoneId: "namur") { actorCount } }')
    assert "errors" not in again and calls == ["namur"], again  # a budget per request


def test_many_cheap_heavy_fields_fit_the_default_budget(client: TestClient) -> None:
    zones = ["leuven", "namur", "be", "vlaanderen", "wallonie"]
    many = " ".join(f'm{i}: networkMeasures(zoneId: "{z}") {{ actorCount }}'
                    for i, z in enumerate(zones))  # fmt: skip
    answer = gql(client, "{ " + many + " }")
    assert "compute budget" not in str(answer.get("errors")), answer
