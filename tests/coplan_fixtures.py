"""Helpers shared by the co-creation tests (issue 10): README tables, seed copies, stores."""

from __future__ import annotations

import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.bundle_format import COPLAN_TABLES
from graphsvc.store import Store
from tests.conftest import LOCALHOST, REPO
from tests.test_bundle import dump

LEUVEN = REPO / "seeds" / "leuven"
COPLAN = tuple(t.name for t in COPLAN_TABLES)


def readme_rows(block: str) -> list[list[str]]:
    """The body rows of the machine-readable README table `<!-- block -->`, cells stripped."""
    readme = (REPO / "seeds" / "README.md").read_text()
    name = block.split(":")[0]
    found = re.search(rf"<!-- {re.escape(block)} -->(.*?)<!-- /{name} -->", readme, re.S)
    assert found, f"no {block} table in seeds/README.md"
    lines = [line for line in found.group(1).strip().splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def copy_seed(tmp_path: Path, drop: tuple[str, ...] = (), name: str = "leuven") -> Path:
    """A copy of the leuven seed folder without some tables."""
    folder = tmp_path / name
    shutil.copytree(LEUVEN, folder)
    for table in drop:
        (folder / f"{table}.csv").unlink()
    return folder


def edit_csv(folder: Path, table: str, old: str, new: str) -> None:
    """Replace text once in one CSV file of a bundle folder."""
    path = folder / f"{table}.csv"
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


def append_csv(folder: Path, table: str, *lines: str) -> None:
    path = folder / f"{table}.csv"
    path.write_text(path.read_text() + "".join(f"{line}\n" for line in lines))


def load_folder(store: Store, folder: Path) -> None:
    write_bundle(store, read_bundle(folder))


@contextmanager
def client_over(store: Store) -> Iterator[TestClient]:
    """The real app over a store a test may write to (the `client` fixture is read-only)."""
    with TestClient(create_app(Settings(), store), base_url=LOCALHOST) as client:
        yield client


MakeStore = Callable[..., Store]


def assert_refused_whole(store: Store, tmp_path: Path, table: str, old: str, new: str,
                         message: str) -> None:  # fmt: skip
    """The leuven seed with one CSV edit is refused with `message`, and nothing is written."""
    folder = copy_seed(tmp_path)
    edit_csv(folder, table, old, new)
    with pytest.raises(InputError) as caught:
        load_folder(store, folder)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems
    assert dump(store) == ([], [])
