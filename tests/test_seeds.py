"""The demo seeds: they load, load again with no change, match seeds/README.md, regenerate."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.directory import counts
from graphsvc.io.bundle import read_bundle
from graphsvc.store import Store
from tests.conftest import REPO, load
from tests.test_bundle import dump

SEEDS = ["leuven", "namur"]


def documented_counts(seed: str) -> dict[str, int]:
    readme = (REPO / "seeds" / "README.md").read_text()
    block = re.search(rf"<!-- counts:{seed} -->(.*?)<!-- /counts -->", readme, re.S)
    assert block, f"no counts table for {seed} in seeds/README.md"
    rows = re.findall(r"^\|\s*([A-Za-z_]+)\s*\|\s*([\d,]+)\s*\|", block.group(1), re.M)
    return {name: int(value.replace(",", "")) for name, value in rows if name != "item"}


@pytest.mark.parametrize("seed", SEEDS)
def test_seed_counts_match_the_readme_and_a_second_load_changes_nothing(
    make_store: Callable[..., Store], seed: str
) -> None:
    store = make_store()
    load(store, seed)
    first = dump(store)
    assert counts(store) == documented_counts(seed)
    load(store, seed)
    assert dump(store) == first


def test_both_seeds_share_one_database(demo_store: Store) -> None:
    found = counts(demo_store)
    expected = {
        k: documented_counts("leuven")[k] + documented_counts("namur").get(k, 0)
        for k in documented_counts("leuven")
    }  # fmt: skip (namur has no action plan)
    shared = read_bundle(REPO / "seeds" / "leuven").tables
    vocabulary = {"Zone": 1, "ServiceType": len(shared["service_types"]),
                  "NeedType": len(shared["need_types"]),
                  "BROADER": sum(1 for t in shared["service_types"] if t["broader"]),
                  "MET_BY": sum(len(n["met_by"]) for n in shared["need_types"])}  # fmt: skip
    for key, twice in vocabulary.items():
        expected[key] -= twice  # the country and the vocabularies are the same in both
    assert found == expected


def test_patient_ids_are_pseudonyms_only() -> None:
    for seed in SEEDS:
        for row in read_bundle(REPO / "seeds" / seed).tables["patients"]:
            assert re.fullmatch(r"[0-9a-f]{64}", row["id"])


def test_the_generator_reproduces_the_committed_seeds(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.demo.generate", "--out", str(tmp_path)],
        cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    for seed in SEEDS:
        for generated in sorted((tmp_path / seed).glob("*.csv")):
            committed = REPO / "seeds" / seed / generated.name
            assert generated.read_bytes() == committed.read_bytes(), f"{committed} is stale"
