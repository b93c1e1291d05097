"""Every command of the README's command tables, given a bad argument, ends with one
`graphsvc...: error: ...` line: no traceback, no "internal error", a non-zero exit code.

The commands are read from the README: a command added there without a bad argument below
fails `test_every_readme_command_has_a_bad_argument` until one is added.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, TINY

TABLE_COMMAND = re.compile(r"^\| `graphsvc ([a-z]+)(?: ([a-z][a-z0-9-]*))?", re.MULTILINE)
# commands whose second word is a subcommand
GROUPS = {"db", "import", "export", "needs", "zones", "sources", "matches", "workshop"}
BAD = {
    "serve": ["serve", "--port", "99999"],
    "load": ["load", "no-such-seed"],
    "db status": ["db", "status", "--db", "nope://x"],
    "db digest": ["db", "digest", "--db", "nope://x"],
    "db backup": ["db", "backup", "/nonexistent/dir/b"],
    "db restore": ["db", "restore", "/nonexistent/b"],
    "db repair": ["db", "repair", "--db", "bolt://localhost:1"],
    "gaps": ["gaps", "--zone", "no-such-zone"],
    "overlaps": ["overlaps", "--zone", "no-such-zone"],
    "partners": ["partners", "--patient", "not-a-pseudonym"],
    "map": ["map", "--zone", "leuven", "-o", "/nonexistent/x.html"],
    "import": ["import", "bundle", "/nonexistent/b"],
    "import bundle": ["import", "bundle", "/nonexistent/b"],
    "import hsds": ["import", "hsds", "tests/fixtures/tiny", "--zone", "no-such-zone"],
    "import fhir": ["import", "fhir", "/nonexistent.json"],
    "import pharmacies": ["import", "pharmacies", "/nonexistent.csv"],
    "import workshop": ["import", "workshop", "/nonexistent.json"],
    "import zones": [
        "import",
        "zones",
        "/nonexistent.csv",
        "--id-column",
        "a",
        "--name-column",
        "b",
    ],
    "workshop confirm": ["workshop", "confirm", "p-1"],  # no --planner
    "zones place": ["zones", "place", "--dry-run", "--db", "nope://x"],
    "zones migrate-2025": ["zones", "migrate-2025", "--dry-run", "--db", "nope://x"],
    "sources": ["sources", "--db", "nope://x"],
    "sources links": ["sources", "links", "no-such-source"],
    "sources conflicts": ["sources", "conflicts", "no-such-source"],
    "matches review": ["matches", "review", "--accept", "x"],  # no --source
    "export": ["export", "bundle", "/nonexistent/dir/b"],
    "export bundle": ["export", "bundle", "/nonexistent/dir/b"],
    "export hsds": ["export", "hsds", "/nonexistent/dir/h"],
    "export zones": ["export", "zones", "/nonexistent/dir/z.geojson"],
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


# Every command writing a file or folder the user names: an existing one is refused (the
# error names it and --force) before the database is opened, and is left as it was.
WRITERS = {
    "export bundle json": ["export", "bundle", "{out}.json"],
    "export bundle folder": ["export", "bundle", "{out}"],
    "export hsds": ["export", "hsds", "{out}"],
    "export zones": ["export", "zones", "{out}.geojson"],
    "map html": ["map", "--zone", "pilot", "-o", "{out}.html"],
    "map png": ["map", "--zone", "pilot", "-o", "{out}.png"],
    "map svg": ["map", "--actor", "nurses-a", "-o", "{out}.svg"],
    "map gaps": ["map", "--gaps", "pilot", "--need", "nursing", "-o", "{out}.html"],
    "feedback": ["feedback", "--team", "mdt", "-o", "{out}.html"],
    "db backup": ["db", "backup", "{out}"],
}


def _existing(template: str, tmp_path: Path) -> Path:
    target = Path(template.format(out=tmp_path / "out"))
    if template.endswith("{out}"):  # a folder output: a non-empty folder
        target.mkdir()
        (target / "keep.txt").write_text("keep")
    else:
        target.write_text("keep")
    return target


@pytest.mark.parametrize("name", WRITERS)
def test_an_existing_output_is_refused_and_left_alone(name: str, tmp_path: Path) -> None:
    argv = [a.format(out=tmp_path / "out") for a in WRITERS[name]]
    target = _existing(WRITERS[name][-1], tmp_path)
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}/db", "PATH": "/usr/bin:/bin"}
    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", *argv],
        env=env, cwd=REPO, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and ONE_LINE.match(lines[0]), result.stderr
    assert str(target) in lines[0]
    if name != "db backup":  # a backup never replaces one: no --force there
        assert "--force" in lines[0]
    kept = target / "keep.txt" if target.is_dir() else target
    assert kept.read_text() == "keep"
    assert not (tmp_path / "db").exists()  # refused before the database was started


def test_force_replaces_the_outputs(tmp_path: Path) -> None:
    env = {**os.environ, "GRAPHSVC_DB": f"embedded:{tmp_path}/db"}

    def graphsvc(*argv: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "graphsvc.cli", *argv],
            env=env, cwd=REPO, capture_output=True, text=True, timeout=300,
        )  # fmt: skip

    assert graphsvc("load", str(TINY)).returncode == 0
    for name in ("export bundle json", "export zones", "map html", "map svg"):
        argv = [a.format(out=tmp_path / name.replace(" ", "-")) for a in WRITERS[name]]
        Path(argv[-1]).write_text("keep")
        result = graphsvc(*argv, "--force")
        assert result.returncode == 0, (name, result.stderr)
        assert Path(argv[-1]).read_text() != "keep", name
