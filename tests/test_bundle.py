"""Bundle loading: checked completely before writing, idempotent, precise errors."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import Store

TINY = Path(__file__).parent / "fixtures" / "tiny"


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    return folder


def edit(folder: Path, file: str, old: str, new: str) -> None:
    path = folder / file
    text = path.read_text()
    assert old in text, f"{old!r} not in {file}"
    path.write_text(text.replace(old, new, 1))


def test_tiny_bundle_loads_every_node_and_relationship(store: Store) -> None:
    write_bundle(store, read_bundle(TINY))
    nodes = {r["label"]: r["count"] for r in store.run("count_nodes")}
    rels = {r["type"]: r["count"] for r in store.run("count_relationships")}
    assert nodes == {"Zone": 4, "ServiceType": 2, "NeedType": 1, "Actor": 2, "Network": 1,
                     "Service": 2, "Patient": 1}  # fmt: skip
    assert rels == {"PART_OF": 3, "BROADER": 1, "MET_BY": 1, "LOCATED_IN": 2, "MEMBER_OF": 1,
                    "COLLABORATES_WITH": 1, "PROVIDES": 2, "OF_TYPE": 2, "COVERS": 3,
                    "HAS_NEED": 3, "LIVES_IN": 1, "CASE_MANAGER_OF": 1}  # fmt: skip


def test_loading_twice_changes_nothing(store: Store) -> None:
    bundle = read_bundle(TINY)
    write_bundle(store, bundle)
    first = dump(store)
    write_bundle(store, bundle)
    assert dump(store) == first


def dump(store: Store) -> tuple[list, list]:
    nodes = sorted((r["label"], sorted(r["props"].items())) for r in store.run("list_node_dump"))
    rels = sorted(
        (r["type"], r["source"], r["target"], sorted(r["props"].items()))
        for r in store.run("list_relationship_dump")
    )
    return nodes, rels


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("zones.csv", "population", "popultion", "zones.csv: row 1: unknown column(s) popultion"),
        ("zones.csv", "north,North,vicinity_network,600", "north,North,vicinity_network,many",
         "zones.csv row 3 field population: 'many' is not a whole number"),
        ("zones.csv", "south,South,vicinity_network", "north,South,vicinity_network",
         "zones.csv row 5 field id: duplicate key 'north' (first at row 3)"),
        ("actors.csv", "50.86,4.7,south", "50.86,4.7,nowhere",
         "actors.csv row 3 field zone: unknown zones reference 'nowhere'"),
        ("services.csv", "active,south|north", "active,south|atlantis",
         "services.csv row 3 field covers: unknown zones reference 'atlantis'"),
        ("services.csv", "20,5", "20,50", "services.csv row 2 field available: 50 is more than"),
        ("actors.csv", "team,first", "team,fourth", "actors.csv row 2 field line: 'fourth' is not"),
        ("zone_needs.csv", "south,wound-care,12", "pilot,wound-care,12",
         "zone_needs.csv row 3 field zone: need 'wound-care' is recorded on 'pilot' and on its "
         "part 'north' (at zone_needs.csv row 2)"),
        ("zones.csv", "50.88,4.7,be", "50.88,4.7,north",
         "zones.csv row 3 field part_of: 'north' is part of a cycle north -> pilot -> north"),
        ("patients.csv", "5f1e0b6f3c2a4d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f,north",
         "85072512345,north", "patients.csv row 2 field id: patient ids must be pseudonyms"),
        ("zones.csv", "North,vicinity", "No\x00rth,vicinity", "control characters"),
    ],
)  # fmt: skip
def test_bad_input_names_file_row_and_field(
    bundle_dir: Path, file: str, old: str, new: str, message: str
) -> None:
    # that a bad bundle writes nothing is checked on a real database in test_cli.py
    edit(bundle_dir, file, old, new)
    with pytest.raises(InputError) as error:
        read_bundle(bundle_dir)
    assert any(message in problem for problem in error.value.problems), error.value.problems


def test_every_problem_is_reported_at_once(bundle_dir: Path) -> None:
    edit(bundle_dir, "zones.csv", ",600,", ",x,")
    edit(bundle_dir, "actors.csv", "team,first", "team,fourth")
    with pytest.raises(InputError) as error:
        read_bundle(bundle_dir)
    assert len(error.value.problems) == 2


def test_broken_files_are_reported_not_crashed_on(bundle_dir: Path) -> None:
    (bundle_dir / "services.csv").write_bytes(b"\xff\xfe\x00garbage")
    (bundle_dir / "networks.csv").write_text("")
    (bundle_dir / "zones.csv").unlink()
    with pytest.raises(InputError) as error:
        read_bundle(bundle_dir)
    text = "\n".join(error.value.problems)
    assert "services.csv: not UTF-8 text" in text
    assert "networks.csv: empty file" in text
    assert "zones.csv: missing" in text


def test_a_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not a folder"):
        read_bundle(tmp_path / "absent")
