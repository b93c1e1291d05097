"""`graphsvc import …`, `graphsvc export …` and `graphsvc load belgium` end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from tests.conftest import REPO
from tests.test_cli import graphsvc, one_line_error

TINY = REPO / "tests" / "fixtures" / "tiny"
FHIR = REPO / "tests" / "fixtures" / "fhir" / "brussels_network.json"
SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def status(env: dict[str, str]) -> str:
    result = graphsvc("db", "status", env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_import_export_round_trip_and_errors(tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path / 'db'}"}
    bad = tmp_path / "bad"
    shutil.copytree(TINY, bad)
    (bad / "actors.csv").write_text((bad / "actors.csv").read_text().replace(",south", ",nowhere"))
    refused = graphsvc("import", "bundle", str(bad), env=env)
    assert "actors.csv row 3 field zone: unknown zones reference 'nowhere'" in refused.stderr
    assert one_line_error(refused) == "graphsvc: error: 1 problem(s); nothing was changed"

    first = graphsvc("import", "bundle", str(TINY), env=env)
    assert first.returncode == 0, first.stderr
    assert "imported" in first.stderr and "rows/s" in first.stderr
    before = status(env)
    assert graphsvc("import", "bundle", str(TINY), env=env).returncode == 0
    assert status(env) == before  # a re-import changes nothing

    fhir = graphsvc("import", "fhir", str(FHIR), "--zone", "pilot", env=env)
    assert fhir.returncode == 0, fhir.stderr
    assert "1 x unsupported FHIR resource type Patient" in fhir.stderr

    out = tmp_path / "out.json"
    exported = graphsvc("export", "bundle", str(out), "--with-patients", env=env)
    assert exported.returncode == 0, exported.stderr
    data = json.loads(out.read_text())
    assert len(data["patients"]) == 1 and any(a["kind"] == "professional" for a in data["actors"])
    hsds = graphsvc("export", "hsds", str(tmp_path / "hsds"), env=env)
    assert hsds.returncode == 0 and (tmp_path / "hsds" / "datapackage.json").is_file()

    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x89PNG not json" * 1000)
    result = graphsvc("import", "bundle", str(garbage), env=env)
    assert "not a JSON bundle" in result.stderr and "Traceback" not in result.stderr

    missing = graphsvc("import", "hsds", str(tmp_path / "absent"), env=env)
    assert "no such file or folder" in one_line_error(missing) or "absent" in missing.stderr


def test_load_belgium(tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path / 'db'}"}
    loaded = graphsvc("load", "belgium", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded belgium" in loaded.stderr
    found = status(env)
    assert "3,372" in found  # zones: country, 3 regions, 57 ELZ, 581 municipalities, 2,730 wijken
