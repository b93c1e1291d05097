"""Bad input for every importer: a precise message, nothing written; 100 MB of garbage is
refused quickly with bounded memory."""

from __future__ import annotations

import json
import shutil
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, store_lookup
from graphsvc.io.export import export_bundle
from graphsvc.io.fhir import import_fhir
from graphsvc.io.hsds import import_hsds
from graphsvc.io.seeds import load_seed
from graphsvc.store import Store
from tests.test_bundle import TINY, edit

GARBAGE_BYTES = 100 * 1024 * 1024


@pytest.fixture(scope="module")
def garbage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """100 MB of binary garbage (a repeated random-looking block)."""
    path = tmp_path_factory.mktemp("garbage") / "garbage.bin"
    block = bytes((i * 7919 + 13) % 256 for i in range(1 << 20))
    with path.open("wb") as handle:
        for _ in range(GARBAGE_BYTES // len(block)):
            handle.write(block)
    return path


def refused(call: Callable[[], object]) -> list[str]:
    """Run an import expected to fail; return its problems, checking it was quick and small."""
    tracemalloc.start()
    started = time.monotonic()
    try:
        with pytest.raises(InputError) as error:
            call()
    finally:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert time.monotonic() - started < 20  # generous: the real bound is memory, below
    assert peak < 8 * 1024 * 1024, f"peak {peak / 2**20:.1f} MB"
    return error.value.problems


@pytest.mark.parametrize("name", ["bundle.json", "bundle-folder", "hsds.json", "hsds-folder",
                                  "fhir.json", "bundle.txt"])  # fmt: skip
def test_100_mb_of_garbage_is_refused_quickly_with_bounded_memory(
    garbage: Path, tmp_path: Path, name: str
) -> None:
    if name.endswith("-folder"):
        folder = tmp_path / name
        folder.mkdir()
        target = folder / ("zones.csv" if name.startswith("bundle") else "organizations.csv")
        (folder / "services.csv").write_text("id,name\n")
    else:
        folder = target = tmp_path / name
    target.symlink_to(garbage)
    importer = {"bundle": read_bundle, "hsds": import_hsds, "fhir": import_fhir}
    problems = refused(lambda: importer[name.split(".")[0].split("-")[0]](folder))
    text = "\n".join(problems)
    assert any(word in text for word in ("refused", "not UTF-8", "not a JSON", "not HSDS",
                                         "not FHIR", "malformed", "row 1")), text  # fmt: skip


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("zones.csv", "population", "popultion", "zones.csv: row 1: unknown column(s) popultion"),
        ("zones.csv", "North,vicinity_network,600", "North,vicinity_network,six hundred",
         "zones.csv row 3 field population: 'six hundred' is not a whole number"),
        ("actors.csv", "50.86,4.7,south", "50.86,4.7,nowhere",
         "actors.csv row 3 field zone: unknown zones reference 'nowhere'"),
        ("services.csv", "b-home,nurses-b", "a-home,nurses-b",
         "services.csv row 3 field id: duplicate key 'a-home' (first at row 2)"),
    ],
)  # fmt: skip
def test_bad_bundles_name_file_row_field_and_write_nothing(
    make_store: Callable[..., Store], tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    store = make_store()
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    edit(folder, file, old, new)
    with pytest.raises(InputError) as error:
        load_seed(store, str(folder))  # reads, checks, then writes
    assert any(message in p for p in error.value.problems), error.value.problems
    assert store.run("count_nodes") == []


def test_the_same_errors_in_a_json_bundle(make_store: Callable[..., Store], tmp_path: Path):
    store = make_store()
    export_source = make_store()
    from graphsvc.io.bundle import write_bundle

    write_bundle(export_source, read_bundle(TINY))
    path = tmp_path / "tiny.json"
    export_bundle(export_source, path, patients=True)
    data = json.loads(path.read_text())
    data["zones"][1]["population"] = "six hundred"
    data["actors"][1]["zone"] = "nowhere"
    data["services"].append(dict(data["services"][0]))
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as error:
        read_bundle(path, existing=store_lookup(store))
    text = "\n".join(error.value.problems)
    assert "tiny.json zones[1] field population: 'six hundred' is not a whole number" in text
    assert "tiny.json actors[1] field zone: unknown zones reference 'nowhere'" in text
    assert (
        "tiny.json services[2] field id: duplicate key 'a-home' (first at tiny.json services[0])"
        in text
    )
    with pytest.raises(InputError):
        load_seed(store, str(path))  # reads, checks, then writes
    assert store.run("count_nodes") == []
    path.write_text(path.read_text()[:-40])
    with pytest.raises(InputError, match=r"tiny.json: broken JSON at line \d+ column \d+"):
        read_bundle(path)
