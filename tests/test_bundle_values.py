"""Numbers in bundles: only finite floats, coordinates on Earth and 64-bit whole numbers of
plain digits pass the checks, so nothing fails later in the database; a write that fails all
the same says how far it got."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.cli import main
from graphsvc.errors import InputError
from graphsvc.io.bundle import Bundle, WriteFailed, read_bundle, write_bundle
from graphsvc.store import Store
from tests.test_bundle import TINY, edit

MAX_INT = 2**63 - 1


@pytest.mark.parametrize(
    ("file", "old", "new", "message"),
    [
        ("zones.csv", "600,50.9,4.7", "600,nan,4.7", "zones.csv row 3 field lat: 'nan' is not"),
        ("actors.csv", "nl,50.86,4.7", "nl,50.86,inf", "actors.csv row 3 field lon: 'inf' is not"),
        ("zones.csv", "600,50.9,4.7", "600,1e999,4.7",
         "zones.csv row 3 field lat: '1e999' is not a finite number"),
        ("zones.csv", "600,50.9,4.7", "600,999,4.7",
         "zones.csv row 3 field lat: 999 is outside -90 to 90"),
        ("actors.csv", "nl|fr,50.9,4.7", "nl|fr,50.9,-180.5",
         "actors.csv row 2 field lon: -180.5 is outside -180 to 180"),
        ("zones.csv", "North,vicinity_network,600", "North,vicinity_network,1_000",
         "zones.csv row 3 field population: '1_000' is not a whole number"),
        ("zones.csv", "North,vicinity_network,600", "North,vicinity_network,9223372036854775808",
         "zones.csv row 3 field population: 9223372036854775808 is too large"),
        ("services.csv", "North,20,5", "North,+20,5",
         "services.csv row 2 field capacity: '+20' is not a whole number"),
        ("collaborations.csv", "referral,2021", "referral,\uff12\uff10\uff12\uff11",
         "collaborations.csv row 2 field since: '\uff12\uff10\uff12\uff11' is not a whole"),
        ("zones.csv", "600,50.9,4.7", "600,\u0665,4.7", "zones.csv row 3 field lat: '\u0665' is"),
    ],
)  # fmt: skip
def test_numbers_that_the_database_cannot_hold_are_refused(
    tmp_path: Path, file: str, old: str, new: str, message: str
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    edit(folder, file, old, new)
    with pytest.raises(InputError) as error:
        read_bundle(folder)
    assert [p for p in error.value.problems if message in p], error.value.problems


@pytest.mark.parametrize(
    ("field", "literal", "message"),
    [
        ("lat", "NaN", "field lat: nan is not a finite number"),
        ("lon", "-Infinity", "field lon: -inf is not a finite number"),
        ("lat", "1e999", "field lat: inf is not a finite number"),
        ("lat", "91", "field lat: 91 is outside -90 to 90"),
        ("lon", "1" + "0" * 400, "field lon: '1000000000000000000000000000000000000000'..."),
        ("population", str(2**63), f"field population: {2**63} is too large"),
        ("population", "1e19", "field population: 10000000000000000000 is too large"),
        ("name", '"No\\u2028rth"', "field name: control characters are not allowed"),
        ("name", '"\\ud800"', "field name: control characters are not allowed"),
    ],
)
def test_the_same_in_a_json_bundle(tmp_path: Path, field: str, literal: str, message: str):
    zone = {"id": "be", "name": "België", "level": "country", field: "@"}
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"zones": [zone]}).replace('"@"', literal))
    with pytest.raises(InputError) as error:
        read_bundle(path)
    problems = error.value.problems
    assert len(problems) == 1 and problems[0].startswith(f"b.json zones[0] {message}"), problems


def test_extreme_but_valid_numbers_are_stored_exactly(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    edit(folder, "zones.csv", "11492641,50.5,4.47", f"{MAX_INT},-90,180")
    edit(folder, "actors.csv", "nl,50.86,4.7", "nl,90.0,-180")
    store = make_store()
    write_bundle(store, read_bundle(folder))
    nodes = {(r["label"], r["props"].get("id")): r["props"] for r in store.run("list_node_dump")}
    assert nodes[("Zone", "be")]["population"] == MAX_INT
    assert (nodes[("Zone", "be")]["lat"], nodes[("Zone", "be")]["lon"]) == (-90.0, 180.0)
    assert (nodes[("Actor", "nurses-b")]["lat"], nodes[("Actor", "nurses-b")]["lon"]) == (90, -180)


def poisoned_tiny() -> Bundle:
    """TINY, checked, then given a value the database refuses in the last table written (a
    map property): what a bug in a check, or a database limit, would look like."""
    bundle = read_bundle(TINY)
    bundle.tables["patient_needs"][0]["since"] = {"day": 15}
    return bundle


def test_a_failing_write_says_how_far_it_got(
    make_store: Callable[..., Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "0")  # the UNWIND path, step by step
    store = make_store()
    with pytest.raises(WriteFailed) as error:
        write_bundle(store, poisoned_tiny())
    message = str(error.value)
    assert "\n" not in message and not isinstance(error.value, InputError)
    assert message.startswith(
        "writing tiny stopped at step 15 of 15 (merge_patient_needs, rows from patient_needs): "
        "0 of its 1 rows written; steps written completely: merge_service_types 2, "
        "merge_service_type_broader 2, merge_need_types 1, merge_need_met_by 1, merge_zones 4, "
        "merge_zone_parts 4,"
    ), message
    assert "merge_patients 1. The database holds part of the bundle" in message
    assert "Cause: query merge_patient_needs failed: Property values can only be" in message
    # what the message says was written is there
    nodes = {r["label"]: r["count"] for r in store.run("count_nodes")}
    assert nodes["Zone"] == 4 and nodes["Patient"] == 1


def test_a_failing_bulk_write_is_one_line_and_leaves_the_graph_empty(
    make_store: Callable[..., Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "1")
    store = make_store()
    with pytest.raises(WriteFailed) as error:
        write_bundle(store, poisoned_tiny())
    message = str(error.value)
    assert "\n" not in message and message.startswith("writing tiny in bulk failed"), message
    assert not store.run("count_nodes")


def test_a_failing_write_is_one_line_from_graphsvc_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import graphsvc.io.seeds

    monkeypatch.setattr(graphsvc.io.seeds, "read_seed", lambda name: poisoned_tiny())
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "0")  # the UNWIND path, step by step
    code = main(["--db", f"embedded:{tmp_path / 'db'}", "load", "tiny"])
    err = capsys.readouterr().err
    assert code == 1, err
    assert "Traceback" not in err and "nothing was changed" not in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("graphsvc: error: writing tiny stopped at step 15 of 15"), err
