"""Bundle problems name their row, once: cycles, double-counted needs, malformed CSV, files
refused whole; Excel's byte order mark is not data; control characters are refused."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle
from tests.test_bundle import TINY, edit


@pytest.fixture
def bundle_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "bundle"
    shutil.copytree(TINY, folder)
    return folder


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as error:
        read_bundle(path)
    return error.value.problems


def test_a_cycle_is_reported_once_at_a_row_and_without_zones_leading_into_it(
    bundle_dir: Path,
) -> None:
    edit(bundle_dir, "zones.csv", "50.5,4.47,", "50.5,4.47,north")  # be -> north -> pilot -> be
    edit(
        bundle_dir,
        "service_types.csv",
        "nursing,Nursing,medical,",
        "nursing,Nursing,medical,nursing",
    )
    assert problems_of(bundle_dir) == [
        # south (row 5) is part of pilot, in the cycle, but not itself part of it
        "zones.csv row 2 field part_of: 'be' is part of a cycle be -> north -> pilot -> be "
        "(with zones.csv row 3, zones.csv row 4)",
        # home-nursing (row 2) has broader nursing: it leads into the cycle
        "service_types.csv row 3 field broader: 'nursing' is part of a cycle nursing -> nursing",
    ]


def test_a_cycle_in_a_json_bundle_names_its_records(tmp_path: Path) -> None:
    zones = [
        {"id": "a", "name": "A", "level": "region", "part_of": "b"},
        {"id": "x", "name": "X", "level": "region", "part_of": "a"},
        {"id": "b", "name": "B", "level": "region", "part_of": "a"},
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"zones": zones}))
    assert problems_of(path) == [
        "b.json zones[0] field part_of: 'a' is part of a cycle a -> b -> a (with b.json zones[2])"
    ]


def test_a_double_counted_need_names_both_rows(bundle_dir: Path) -> None:
    edit(bundle_dir, "zone_needs.csv", "south,wound-care,12", "pilot,wound-care,12")
    assert problems_of(bundle_dir) == [
        "zone_needs.csv row 3 field zone: need 'wound-care' is recorded on 'pilot' and on its "
        "part 'north' (at zone_needs.csv row 2); record it on the finest zones only"
    ]


def test_excel_csv_utf8_byte_order_marks_are_not_data(bundle_dir: Path) -> None:
    for path in bundle_dir.glob("*.csv"):
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert read_bundle(bundle_dir).tables == read_bundle(TINY).tables


def test_malformed_csv_names_its_row_and_line(bundle_dir: Path) -> None:
    edit(bundle_dir, "services.csv", "Home nursing South", "x" * 140_000)
    assert problems_of(bundle_dir) == [
        "services.csv row 3 (line 3): malformed CSV, file refused: field larger than field limit "
        "(131072)"
    ]
    # after a quoted field over two lines, the row and the line differ
    edit(bundle_dir, "services.csv", "x" * 140_000, "Home nursing South")
    edit(bundle_dir, "zones.csv", "North,", '"North\nside",')
    edit(bundle_dir, "zones.csv", "Pilot,", "y" * 140_000 + ",")
    assert problems_of(bundle_dir) == [  # a line break inside a name is refused too
        "zones.csv row 3 field name: control characters are not allowed",
        "zones.csv row 4 (line 5): malformed CSV, file refused: field larger than field limit "
        "(131072)",
    ]


@pytest.mark.parametrize(
    ("change", "problem"),
    [
        (lambda d: edit(d, "zones.csv", "population", "popultion"),
         "zones.csv: row 1: unknown column(s) popultion"),
        (lambda d: (d / "zones.csv").unlink(), "zones.csv: missing"),
        (lambda d: (d / "zones.csv").write_bytes(b"id,name\xff"), "zones.csv: not UTF-8 text"),
        (lambda d: (d / "need_types.csv").write_text(""), "need_types.csv: empty file"),
        (lambda d: edit(d, "actors.csv", "Nurses B", "y" * 140_000),
         "actors.csv row 3 (line 3): malformed CSV"),
    ],
)  # fmt: skip
def test_a_file_refused_whole_is_the_only_problem_reported(
    bundle_dir: Path, change, problem: str
) -> None:
    change(bundle_dir)
    found = problems_of(bundle_dir)
    assert len(found) == 1 and problem in found[0], found


def test_a_json_table_refused_whole_is_the_only_problem_reported(tmp_path: Path) -> None:
    path = tmp_path / "b.json"
    actor = {"id": "a", "name": "A", "kind": "team", "line": "first", "zone": "z"}
    path.write_text(json.dumps({"zones": "z", "actors": [actor]}))
    assert problems_of(path) == ["b.json field zones: a list of records expected"]


@pytest.mark.parametrize("char", ["\x85", "\x9f", "\u2028", "\u2029", "\x1b", "\x7f"])
def test_control_characters_are_refused(bundle_dir: Path, tmp_path: Path, char: str) -> None:
    edit(bundle_dir, "zones.csv", "North,vicinity", f"No{char}rth,vicinity")
    assert problems_of(bundle_dir) == [
        "zones.csv row 3 field name: control characters are not allowed"
    ]
    path = tmp_path / "b.json"
    path.write_text(json.dumps({"zones": [{"id": "z", "name": "Z", "level": "region",
                                           "part_of": None}],
                                "networks": [{"id": "n", "name": f"N{char}"}]}))  # fmt: skip
    assert problems_of(path) == [
        "b.json networks[0] field name: control characters are not allowed"
    ]
