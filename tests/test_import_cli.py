"""`graphsvc import …`, `graphsvc export …` and `graphsvc load belgium` end to end."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

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
    assert not (tmp_path / "hsds" / "service_capacity.csv").exists()
    hsds31 = graphsvc("export", "hsds", str(tmp_path / "hsds31"), "--version", "3.1", env=env)
    assert hsds31.returncode == 0 and "exported HSDS 3.1" in hsds31.stderr, hsds31.stderr
    assert (tmp_path / "hsds31" / "service_capacity.csv").is_file()
    assert (tmp_path / "hsds31" / "units.csv").is_file()

    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x89PNG not json" * 1000)
    result = graphsvc("import", "bundle", str(garbage), env=env)
    assert "not a JSON bundle" in result.stderr and "Traceback" not in result.stderr

    missing = graphsvc("import", "hsds", str(tmp_path / "absent"), env=env)
    assert "no such file or folder" in one_line_error(missing) or "absent" in missing.stderr


@pytest.mark.shared
def test_load_belgium(tmp_path: Path) -> None:
    """The new user's path: load belgium, import a neighbourhood file, estimate needs, open
    the gap map of a primary care zone, export the zones with their polygons."""
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path / 'db'}"}
    loaded = graphsvc("load", "belgium", env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded belgium" in loaded.stderr
    assert (
        "polygons for 650 zones; 38 older municipality codes are aliases, and 1 code of a "
        "published table's error" in loaded.stderr
    )
    found = status(env)
    # zones: country, 3 regions, 5 provinces, 19 arrondissements, 57 ELZ, 565 municipalities,
    # 2,730 wijken
    assert "3,380" in found
    wijken = SHARED / "belgium" / "wijken_ggw7_2024_centroids.csv"
    imported = graphsvc("import", "zones", str(wijken), "--id-column", "wijk_code",
                        "--name-column", "wijk_name", "--parent-column", "nis_2019",
                        "--id-prefix", "be-wijk-", "--parent-prefix", "be-nis-",
                        "--level", "vicinity_network", "--weight-column", "area_km2",
                        env=env)  # fmt: skip  # as the README has it: no --locate-unknown-parents
    assert imported.returncode == 0, imported.stderr
    assert "zones: 0 new, 2,730 updated (same id)" in imported.stderr
    assert "population estimated for 2,730 zones (marked estimated)" in imported.stderr
    assert status(env) == found  # updated, not duplicated
    prevalence = tmp_path / "prevalence.csv"
    prevalence.write_text("need,share\nnursing-care,0.04\n")
    estimated = graphsvc("needs", "estimate", "--prevalence", str(prevalence), env=env)
    assert estimated.returncode == 0, estimated.stderr
    page = tmp_path / "gaps.html"
    drawn = graphsvc("map", "--gaps", "be-elz21", "--need", "nursing-care", "-o", str(page),
                     env=env)  # fmt: skip
    assert drawn.returncode == 0, drawn.stderr
    assert "gaps for nursing-care in Leuven Zuid: 7 parts drawn" in drawn.stderr
    assert page.read_text().count('class="part"') == 7
    geojson = tmp_path / "municipalities.geojson"
    exported = graphsvc("export", "zones", str(geojson), "--level", "municipality", env=env)
    assert exported.returncode == 0, exported.stderr
    features = json.loads(geojson.read_text())["features"]
    assert len(features) == 565
    assert {f["geometry"]["type"] for f in features} <= {"Polygon", "MultiPolygon"}
    pajottegem = next(f for f in features if f["id"] == "be-nis-23106")["properties"]
    assert pajottegem["aliases"] == ["be-nis-23023", "be-nis-23024", "be-nis-23032"]
