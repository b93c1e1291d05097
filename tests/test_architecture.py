"""The code's shape (issue 20): imports run one way between layers with no circles (the
import-linter contracts in pyproject.toml), and no module imports another's private names."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"
# issue 20: io/sources is h15's area this session; its private import is theirs to rename
PRIVATE_IMPORT_EXCEPTIONS = {("graphsvc.io.sources", "graphsvc.io.sources_authority", "_same")}


def test_import_contracts_are_kept() -> None:
    """`lint-imports` passes: an upward import or a circle fails here with its message."""
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_an_upward_import_breaks_the_contract(tmp_path: Path) -> None:
    """The contract is not vacuous: core importing maps (a layer above) is refused by name."""
    package = tmp_path / "graphsvc"
    subprocess.run(["cp", "-r", str(ROOT / "graphsvc"), str(package)], check=True)
    target = package / "core" / "overlaps.py"
    target.write_text(target.read_text() + "\nfrom graphsvc.maps import data as _upward\n")
    (tmp_path / "pyproject.toml").write_text((ROOT / "pyproject.toml").read_text())
    done = subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode != 0
    assert "graphsvc.core is not allowed to import graphsvc.maps" in done.stdout
    assert "graphsvc.core.overlaps -> graphsvc.maps.data" in done.stdout


def private_imports() -> set[tuple[str, str, str]]:
    """(importer, imported module, name) for every `from graphsvc.x import _name`."""
    found = set()
    for path in sorted((ROOT / "graphsvc").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("graphsvc"):
                for alias in node.names:
                    if alias.name.startswith("_") and not alias.name.startswith("__"):
                        found.add((module, node.module or "", alias.name))
    return found


def test_no_private_names_imported_across_modules() -> None:
    """A name starting with `_` stays in its module; what others need is public (and lives a
    layer down when two layers need it)."""
    assert private_imports() == PRIVATE_IMPORT_EXCEPTIONS
