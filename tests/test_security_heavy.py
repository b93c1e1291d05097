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


def test_distinct_heavy_fields_share_one_budget(client: TestClient) -> None:
    zones = ["leuven", "namur", "be", "vlaanderen"]
    many = " ".join(f'm{i}: networkMeasures(zoneId: "{z}") {{ actorCount }}'
                    for i, z in enumerate(zones))  # fmt: skip
    answer = gql(client, "{ " + many + " }")
    messages = [e["message"] for e in answer.get("errors", [])]
    assert any(f"at most {heavy.MAX_HEAVY} network measures" in m for m in messages), answer
