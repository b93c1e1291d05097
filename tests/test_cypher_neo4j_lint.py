"""Every query Neo4j would run parses and type-checks with Neo4j's own Cypher front end.

tools/cypherlint/lint.mjs runs @neo4j-cypher/language-support offline; see its header.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_DIR = ROOT / "tools" / "cypherlint"
NEAR = "point({latitude: a.lat, longitude: a.lon}), point({latitude: $lat, longitude: $lon})"

Lint = Callable[[Path], subprocess.CompletedProcess[str]]


@pytest.fixture(scope="session")
def lint() -> Lint:
    """Run lint.mjs on a folder, installing its node deps first if `make node-deps` did not."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node not found: install Node.js 20+ (the Cypher lint needs it)")
    if not (LINT_DIR / "node_modules" / "@neo4j-cypher" / "language-support").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm not found: cannot install tools/cypherlint's node deps")
        subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"], cwd=LINT_DIR, check=True, timeout=600
        )

    def run(cypher_dir: Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [node, str(LINT_DIR / "lint.mjs"), str(cypher_dir)],
            capture_output=True,
            text=True,
            timeout=300,
        )

    return run


def test_every_query_is_valid_neo4j_cypher(lint: Lint) -> None:
    result = lint(ROOT / "cypher")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cypherlint:" in result.stdout


def test_linter_rejects_falkordb_only_functions(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "find_near.cypher").write_text(
        f"// distances\nMATCH (a:Actor) RETURN distance({NEAR}) AS d\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "find_near.cypher:2:" in result.stdout
    assert "distance" in result.stdout

    (tmp_path / "neo4j").mkdir()
    (tmp_path / "neo4j" / "find_near.cypher").write_text(
        f"// distances\nMATCH (a:Actor) RETURN point.distance({NEAR}) AS d\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "cypherlint: 1 files, 0 errors" in result.stdout


def test_linter_rejects_syntax_errors(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "get_broken.cypher").write_text("// broken\nMATCH (a RETURN a\n")
    # FalkorDB-only setup is never sent to Neo4j, so it is not linted.
    (tmp_path / "setup.falkordb.cypher").write_text(
        "CALL db.idx.fulltext.createNodeIndex('Z', 'n');\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "get_broken.cypher:2:" in result.stdout
    assert "setup.falkordb" not in result.stdout
    assert "cypherlint: 1 files, 1 errors" in result.stdout


def test_linter_splits_neo4j_setup_into_statements(lint: Lint, tmp_path: Path) -> None:
    (tmp_path / "neo4j").mkdir()
    (tmp_path / "neo4j" / "setup.cypher").write_text(
        "// constraints\n"
        "CREATE CONSTRAINT zone_id IF NOT EXISTS FOR (n:Zone) REQUIRE n.id IS UNIQUE;\n"
        "CREATE INDEX ON :Zone(name);\n"
    )
    result = lint(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "neo4j/setup.cypher:3:" in result.stdout
    assert "cypherlint: 1 files, 1 errors" in result.stdout


def test_missing_dir_is_a_usage_error(lint: Lint, tmp_path: Path) -> None:
    assert lint(tmp_path / "nope").returncode == 2
