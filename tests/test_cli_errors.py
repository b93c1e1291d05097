"""Every command of the README's command tables, given a bad argument, ends with one
`graphsvc...: error: ...` line: no traceback, no "internal error", a non-zero exit code.

The commands are read from the README: a command added there without a bad argument below
fails `test_every_readme_command_has_a_bad_argument` until one is added.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO

TABLE_COMMAND = re.compile(r"^\| `graphsvc ([a-z]+)(?: ([a-z]+))?", re.MULTILINE)
GROUPS = {"db", "import", "export", "needs"}  # commands whose second word is a subcommand
BAD = {
    "serve": ["serve", "--port", "99999"],
    "load": ["load", "no-such-seed"],
    "db status": ["db", "status", "--db", "nope://x"],
    "db digest": ["db", "digest", "--db", "nope://x"],
    "gaps": ["gaps", "--zone", "no-such-zone"],
    "overlaps": ["overlaps", "--zone", "no-such-zone"],
    "partners": ["partners", "--patient", "not-a-pseudonym"],
    "map": ["map", "--zone", "leuven", "-o", "/nonexistent/x.html"],
    "import": ["import", "bundle", "/nonexistent/b"],
    "import bundle": ["import", "bundle", "/nonexistent/b"],
    "import hsds": ["import", "hsds", "tests/fixtures/tiny", "--zone", "no-such-zone"],
    "import fhir": ["import", "fhir", "/nonexistent.json"],
    "import pharmacies": ["import", "pharmacies", "/nonexistent.csv"],
    "export": ["export", "bundle", "/nonexistent/dir/b"],
    "export bundle": ["export", "bundle", "/nonexistent/dir/b"],
    "export hsds": ["export", "hsds", "/nonexistent/dir/h"],
    "schema": ["schema", "--no-such-option"],
    "plan": ["plan", "--zone", "no-such-zone"],
    "pathway": ["pathway", "--id", "no-such-pathway", "--zone", "leuven"],
    "funding": ["funding", "--zone", "no-such-zone"],
    "feedback": ["feedback", "--team", "no-such-team", "-o", "/nonexistent/x.html"],
    "needs estimate": ["needs", "estimate", "--prevalence", "/nonexistent.csv"],
    "token": ["token", "revoke", "no-such-token"],
    "audit": ["audit", "--from", "not-a-date"],
}
ONE_LINE = re.compile(r"^graphsvc( [a-z-]+)*: error: \S")


def readme_commands() -> list[str]:
    found = []
    for word, sub in TABLE_COMMAND.findall((REPO / "README.md").read_text()):
        key = f"{word} {sub}" if word in GROUPS and sub else word
        if key not in found:
            found.append(key)
    return found


def test_every_readme_command_has_a_bad_argument() -> None:
    commands = readme_commands()
    assert len(commands) > 15
    assert [c for c in commands if c not in BAD] == []


@pytest.mark.parametrize("command", readme_commands())
def test_a_bad_argument_gets_one_error_line(command: str, tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}/db", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", *BAD[command]],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode not in (0, 70), (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines and ONE_LINE.match(lines[-1]), result.stderr
    # what precedes the error line is the detail it counts ("  file row 3: ..."), nothing else
    assert all(line.startswith("  ") for line in lines[:-1]), result.stderr
