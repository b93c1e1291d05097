"""Content: CSV exports neutralise spreadsheet formulas (OWASP), imports refuse bidirectional
overrides and control characters naming the file, row and field."""

from __future__ import annotations

import csv
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.export import export_bundle
from graphsvc.io.hsds import export_hsds
from graphsvc.security.inputs import formula_safe, text_problem
from graphsvc.store import Store
from tests.conftest import TINY


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("-4.35", "-4.35"),  # a number is not a formula
        ("+32", "+32"),
        ("Nurses A", "Nurses A"),
        ("", ""),
    ],
)
def test_formula_safe(value: str, written: str) -> None:
    assert formula_safe(value) == written


def test_text_problem() -> None:
    assert text_problem("Nurses \u202eA") == "contains a bidirectional control character (U+202E)"
    assert text_problem("two\nlines") == "contains a control character (U+000A)"
    assert text_problem("two\nlines", multiline=True) is None
    assert text_problem("Équipe مرحبا") is None


def _tiny(tmp_path: Path, name: str) -> Path:
    folder = tmp_path / "tiny"
    shutil.copytree(TINY, folder)
    actors = folder / "actors.csv"
    with actors.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[1][1] = name
    with actors.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows(rows)
    return folder


def test_exports_neutralise_formulas(make_store: Callable[..., Store], tmp_path: Path) -> None:
    store = make_store()
    write_bundle(store, read_bundle(_tiny(tmp_path, "=1+1")))
    export_bundle(store, tmp_path / "bundle")
    with (tmp_path / "bundle" / "actors.csv").open(encoding="utf-8", newline="") as handle:
        exported = list(csv.DictReader(handle))
    assert {r["name"] for r in exported if r["id"] == "nurses-a"} == {"'=1+1"}
    assert all(not r["name"].startswith(("=", "+", "-", "@")) for r in exported)
    export_hsds(store, tmp_path / "hsds")
    text = (tmp_path / "hsds" / "organizations.csv").read_text(encoding="utf-8")
    assert "'=1+1" in text and ",=1+1" not in text


@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\x07"])
def test_imports_refuse_bidi_and_control_characters(tmp_path: Path, char: str) -> None:
    folder = _tiny(tmp_path, f"Nurses {char}A")
    with pytest.raises(InputError) as refused:
        read_bundle(folder)
    message = "\n".join(refused.value.problems)
    assert "actors.csv" in message and "row 2" in message and "field name" in message
    assert "control characters are not allowed" in message
