"""Native bundle export: CSV folder and JSON file, export then import gives the same graph."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, store_lookup, write_bundle
from graphsvc.io.bundle_json import schema_text
from graphsvc.io.export import export_bundle, export_tables
from graphsvc.store import Store
from tests.conftest import REPO, load
from tests.test_bundle import TINY, dump

SCHEMA = REPO / "schemas" / "bundle.schema.json"


def typed(folder: Path) -> dict[str, list[dict]]:
    """A bundle's typed rows, in a canonical order (relationship lists have no order)."""
    tables = read_bundle(folder).tables
    for row in tables.get("need_types", []) + tables.get("services", []):
        for column in ("met_by", "covers"):
            if column in row:
                row[column] = sorted(row[column])
    return {name: sorted(rows, key=repr) for name, rows in tables.items()}


@pytest.mark.parametrize("target", ["folder", "bundle.json"])
def test_export_then_import_gives_the_same_graph(
    make_store: Callable[..., Store], tmp_path: Path, target: str
) -> None:
    source = make_store()
    load(source, "leuven")
    out = tmp_path / target
    counts = export_bundle(source, out, patients=True)
    assert counts["services"] == 222 and counts["patients"] == 8
    again = make_store()
    write_bundle(again, read_bundle(out))
    assert dump(again) == dump(source)


def test_exported_tables_equal_the_seed_tables(make_store: Callable[..., Store], tmp_path: Path):
    store = make_store()
    load(store, "namur")
    export_bundle(store, tmp_path / "out", patients=True)
    assert typed(tmp_path / "out") == typed(REPO / "seeds" / "namur")
    # same files as the seed, same header and same row order
    for path in sorted((REPO / "seeds" / "namur").glob("*.csv")):
        mine = (tmp_path / "out" / path.name).read_text().splitlines()
        theirs = path.read_text().splitlines()
        assert mine[0] == theirs[0] and len(mine) == len(theirs)
        assert [line.split(",")[0] for line in mine] == [line.split(",")[0] for line in theirs]


def test_patients_are_left_out_unless_asked_for(make_store: Callable[..., Store]) -> None:
    store = make_store()
    load(store, "leuven")
    tables = export_tables(store)
    assert "patients" not in tables and "patient_needs" not in tables
    assert len(tables["actors"]) == 161


def test_json_export_matches_the_checked_in_schema(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    assert SCHEMA.read_text() == schema_text(), "run: python -m graphsvc.io.bundle_json > " + str(
        SCHEMA.relative_to(REPO)
    )
    store = make_store()
    load(store, "leuven")
    export_bundle(store, tmp_path / "b.json", patients=True)
    schema = json.loads(SCHEMA.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(json.loads((tmp_path / "b.json").read_text()), schema)


def test_json_bundle_errors_name_table_index_and_field(tmp_path: Path) -> None:
    bundle = tmp_path / "b.json"
    data = {
        "format": "graphsvc-bundle",
        "version": 1,
        "zones": [
            {"id": "be", "name": "België", "level": "country", "population": "many"},
            {"id": "x", "name": "X", "level": "region", "part_of": "nowhere"},
            {"id": "x", "name": "X again", "level": "region"},
        ],
        "colours": [],
    }
    bundle.write_text(json.dumps(data))
    with pytest.raises(InputError) as error:
        read_bundle(bundle)
    text = "\n".join(error.value.problems)
    assert "b.json zones[0] field population: 'many' is not a whole number" in text
    assert "b.json zones[1] field part_of: unknown zones reference 'nowhere'" in text
    assert "b.json zones[2] field id: duplicate key 'x' (first at b.json zones[1])" in text
    assert "unknown table 'colours'" in text


def test_references_may_resolve_in_the_database(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_bundle(TINY))
    addition = tmp_path / "more.json"
    east = {"id": "east", "name": "East", "level": "vicinity_network", "part_of": "pilot"}
    addition.write_text(json.dumps({"zones": [east]}))
    with pytest.raises(InputError, match="unknown zones reference 'pilot'"):
        read_bundle(addition)
    write_bundle(store, read_bundle(addition, existing=store_lookup(store)))
    parts = {r["label"]: r for r in store.run("count_nodes")}
    assert parts["Zone"]["count"] == 5
