"""The tests' and the package's own hygiene (issue 20): every test asserts something, every
test module reading ../shared says so with a marker or a skip reason, and every third-party
package graphsvc imports is declared in pyproject.toml."""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions

from tests.conftest import REPO

TESTS = REPO / "tests"
CHECKS = ("raises", "warns")


def _asserts(function: ast.AST, helpers: set[str]) -> bool:
    """True when the test asserts, expects an exception, or calls an asserting helper."""
    for node in ast.walk(function):
        if isinstance(node, ast.Assert):
            return True
        if isinstance(node, ast.With):
            for item in node.items:
                call = item.context_expr
                if isinstance(call, ast.Call) and getattr(call.func, "attr", "") in CHECKS:
                    return True
        if isinstance(node, ast.Call):
            func = node.func
            name = getattr(func, "id", None) or getattr(func, "attr", "")
            if name.startswith(("assert", "check_", "expect")) or name in helpers:
                return True
    return False


def unasserted_tests(source: str) -> list[str]:
    """Names of the `test_*` functions in a module's source that check nothing."""
    tree = ast.parse(source)
    functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)]
    helpers = {
        f.name
        for f in functions
        if not f.name.startswith("test_") and any(isinstance(n, ast.Assert) for n in ast.walk(f))
    }
    return [f.name for f in functions if f.name.startswith("test_") and not _asserts(f, helpers)]


def test_the_check_flags_a_test_without_an_assertion() -> None:
    source = "def test_a():\n    x = 1\n\ndef test_b():\n    assert True\n"
    assert unasserted_tests(source) == ["test_a"]


def test_every_test_asserts_something() -> None:
    found = {
        path.name: names
        for path in sorted(TESTS.rglob("*.py"))
        if (names := unasserted_tests(path.read_text(encoding="utf-8")))
    }
    assert not found, f"tests that cannot fail: {found}"


def test_tests_reading_shared_data_say_so() -> None:
    """A module naming ../shared marks its tests `shared` or skips with a reason."""
    unmarked = [
        path.name
        for path in sorted(TESTS.glob("test_*.py"))
        if re.search(r"""["']shared["']""", text := path.read_text(encoding="utf-8"))
        and "mark.shared" not in text
        and "skipif(" not in text
    ]
    assert not unmarked


def test_every_imported_package_is_declared() -> None:
    """Direct imports of graphsvc/ are dependencies of its own, not luck of what else pulls."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower() for d in project["dependencies"]}
    distributions = packages_distributions()
    missing = set()
    for path in (REPO / "graphsvc").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "graphsvc" or top in sys.stdlib_module_names:
                    continue
                dists = {d.lower().replace("_", "-") for d in distributions.get(top, [top])}
                if not dists & {d.replace("_", "-") for d in declared}:
                    missing.add(f"{top} ({path.relative_to(REPO)})")
    assert not missing, sorted(missing)
