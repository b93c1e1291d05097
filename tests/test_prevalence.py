"""Population needs estimated from a prevalence table (graphsvc needs estimate)."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core.gaps import zone_gaps
from graphsvc.errors import InputError, NotFound
from graphsvc.io.prevalence import (
    estimate_needs,
    estimation_zones,
    read_prevalence,
    write_estimate,
)
from graphsvc.store import Store
from tests.conftest import TINY, load


@pytest.fixture
def no_needs(make_store: Callable[..., Store], tmp_path: Path) -> Store:
    """The tiny bundle without its population needs."""
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    (folder / "zone_needs.csv").unlink()
    store = make_store()
    load(store, str(folder))
    return store


def table(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "prevalence.csv"
    path.write_text(text)
    return path


def test_needs_land_on_the_finest_zones_with_a_population(no_needs: Store, tmp_path) -> None:
    shares = read_prevalence(table(tmp_path, "need,share\nwound-care,0.05\n"))
    estimate = estimate_needs(no_needs, "pilot", shares, 2024, "test")
    assert [(r["zone"], r["people"]) for r in estimate.rows] == [("north", 30), ("south", 20)]
    write_estimate(no_needs, estimate)
    rows = {r.zone: r for r in zone_gaps(no_needs, "pilot")}
    assert rows["north"].demand == 30 and rows["south"].demand == 20
    with pytest.raises(InputError, match="would count its people twice"):
        estimate_needs(no_needs, "pilot", shares, 2024, "again")


def test_age_bands_weight_the_shares(tmp_path: Path) -> None:
    text = "need,share,age_band,band_share\nwound-care,0.10,65+,0.2\nwound-care,0.01,0-64,0.8\n"
    assert read_prevalence(table(tmp_path, text)) == {"wound-care": pytest.approx(0.028)}


def test_a_zone_without_population_keeps_the_record_on_its_parent() -> None:
    tree = [{"id": "m", "parent": None, "population": 100},
            {"id": "w1", "parent": "m", "population": 60},
            {"id": "w2", "parent": "m", "population": None}]  # fmt: skip
    assert [z["id"] for z in estimation_zones(tree, "m")] == ["m"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("need,rate\nwound-care,0.1\n", "row 1: columns must be need,share"),
        ("need,share\nwound-care,1.5\n", "row 2 field share: 1.5 is not a share between 0 and 1"),
        ("need,share\nwound-care,lots\n", "row 2 field share: 'lots' is not a number"),
        ("need,share\nwound-care,0.1\nwound-care,0.2\n", "row 3 field need: 'wound-care' repeated"),
    ],
)
def test_bad_tables_name_the_row_and_field(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError) as error:
        read_prevalence(table(tmp_path, text))
    assert any(message in problem for problem in error.value.problems), error.value.problems


def test_unknown_need_or_zone_writes_nothing(no_needs: Store) -> None:
    with pytest.raises(NotFound, match="unknown need type"):
        estimate_needs(no_needs, "pilot", {"nope": 0.1}, 2024, "test")
    with pytest.raises(NotFound, match="unknown zone 'atlantis'"):
        estimate_needs(no_needs, "atlantis", {"wound-care": 0.1}, 2024, "test")
    dump = no_needs.run("list_relationship_dump")
    assert not [r for r in dump if r["type"] == "HAS_NEED" and r["source"].startswith("Zone:")]
