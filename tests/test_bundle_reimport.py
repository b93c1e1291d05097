"""Re-importing changed data: the bundle's row is the truth for the keys it holds, so a moved
actor, a service's new type, provider or coverage, a zone's new parent or a need met by other
types leave no old relationship behind (no duplicates in listings, no double-counted demand)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import Store
from tests.test_bundle import TINY, dump, edit

PATIENT = "5f1e0b6f3c2a4d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"

# (file, old text, new text) per change; "moved" changes each single-valued link and list,
# "emptied" empties the optional ones (a top-level zone and type, no coverage, met by nothing)
CHANGES = {
    "moved": [
        ("actors.csv", "50.9,4.7,north", "50.9,4.7,south"),  # LOCATED_IN
        ("services.csv", "a-home,nurses-a,home-nursing", "a-home,nurses-b,nursing"),  # PROVIDES,
        ("services.csv", "active,north", "active,south|pilot"),  # OF_TYPE, COVERS
        ("services.csv", "active,south|north", "active,south"),  # COVERS (one fewer)
        ("zones.csv", "4.7,pilot\npilot", "4.7,be\npilot"),  # PART_OF: north now in be
        ("service_types.csv", "medical,nursing", "medical,"),  # BROADER
        ("service_types.csv", "nursing,Nursing,medical,", "nursing,Nursing,medical,home-nursing"),
        ("need_types.csv", "medical,nursing", "medical,home-nursing"),  # MET_BY
        ("patients.csv", f"{PATIENT},north", f"{PATIENT},south"),  # LIVES_IN
        ("patients.csv", "chronic,nurses-a", "chronic,nurses-b"),  # CASE_MANAGER_OF
    ],
    "emptied": [
        ("zones.csv", "4.7,pilot\npilot", "4.7,\npilot"),
        ("service_types.csv", "medical,nursing", "medical,"),
        ("need_types.csv", "medical,nursing", "medical,"),
        ("services.csv", "active,north", "active,"),
        ("services.csv", "active,south|north", "active,"),
    ],
}


def changed_tiny(folder: Path, change: str) -> Path:
    shutil.copytree(TINY, folder)
    for file, old, new in CHANGES[change]:
        edit(folder, file, old, new)
    return folder


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_reimporting_changed_data_gives_the_graph_of_the_new_data(
    store: Store, make_store: Callable[..., Store], tmp_path: Path, change: str
) -> None:
    new = read_bundle(changed_tiny(tmp_path / "changed", change))
    write_bundle(store, read_bundle(TINY))
    write_bundle(store, new)
    fresh = make_store(store.backend)
    write_bundle(fresh, new)
    assert dump(store) == dump(fresh)
    once = dump(store)
    write_bundle(store, new)
    assert dump(store) == once  # still idempotent


def test_moved_links_are_not_listed_twice(store: Store, tmp_path: Path) -> None:
    write_bundle(store, read_bundle(TINY))
    write_bundle(store, read_bundle(changed_tiny(tmp_path / "changed", "moved")))
    _, rels = dump(store)
    links = sorted((kind, source, target) for kind, source, target, _ in rels)

    def of(kind: str, source: str) -> list[str]:
        return [t for k, s, t in links if (k, s) == (kind, source)]

    assert of("LOCATED_IN", "Actor:nurses-a") == ["Zone:south"]
    assert of("OF_TYPE", "Service:a-home") == ["ServiceType:nursing"]
    assert of("COVERS", "Service:a-home") == ["Zone:pilot", "Zone:south"]
    assert of("COVERS", "Service:b-home") == ["Zone:south"]
    assert of("PART_OF", "Zone:north") == ["Zone:be"]
    assert of("BROADER", "ServiceType:home-nursing") == []
    assert of("MET_BY", "NeedType:wound-care") == ["ServiceType:home-nursing"]
    assert of("LIVES_IN", f"Patient:{PATIENT}") == ["Zone:south"]
    assert [s for k, s, t in links if (k, t) == ("PROVIDES", "Service:a-home")] == [
        "Actor:nurses-b"
    ]
    assert [s for k, s, t in links if (k, t) == ("CASE_MANAGER_OF", f"Patient:{PATIENT}")] == [
        "Actor:nurses-b"
    ]
