"""Sources, source records, re-imports that never damage, survivorship by field and the review
queue (issue 15 items 1, 3, 4, 5), on real directories (samples, to stay fast)."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from bench.derived_list import derive
from graphsvc.core.digest import graph_digest
from graphsvc.errors import InputError, NotFound
from graphsvc.io.bundle import write_bundle
from graphsvc.io.matching import MERGE_AT, REVIEW_AT, compare, score
from graphsvc.io.seeds import read_seed
from graphsvc.io.sources import conflicts, decide, list_sources, review_queue, source_links
from graphsvc.io.sources_import import import_source, prepare_import, record_import
from graphsvc.store import Store
from tests.test_bundle import dump

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"
MIAMI = SHARED / "hsds" / "miami_211_2019"
AFMPS = SHARED / "belgium" / "pharmacies_be_afmps_2022-03.csv"
pytestmark = pytest.mark.skipif(not MIAMI.is_dir() or not AFMPS.is_file(),
                                reason="../shared/data is not there")  # fmt: skip


def _read(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        return list(reader.fieldnames or []), list(reader)


def _write(path: Path, header: list[str], rows: list[dict[str, str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header)
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def miami_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The Miami 211 directory cut to the organizations with several services of one type
    (where re-imports used to give a service its sibling's data) and a few others."""
    out = tmp_path_factory.mktemp("miami") / "miami_sample"
    (out / "data").mkdir(parents=True)
    data = MIAMI / "data"
    _, services = _read(data / "services.csv")
    by_org: dict[str, int] = {}
    for s in services:
        by_org[s["organization_id"]] = by_org.get(s["organization_id"], 0) + 1
    orgs = sorted(o for o, n in by_org.items() if n >= 3)[:25] + sorted(by_org)[:10]
    keep_services = {s["id"] for s in services if s["organization_id"] in orgs}
    for file in sorted(data.glob("*.csv")):
        header, rows = _read(file)
        if "service_id" in header:
            rows = [r for r in rows if r["service_id"] in keep_services]
        elif file.name == "services.csv":
            rows = [r for r in rows if r["id"] in keep_services]
        elif "organization_id" in header:
            rows = [r for r in rows if r["organization_id"] in orgs]
        _write(out / "data" / file.name, header, rows)
    package = json.loads((MIAMI / "datapackage.json").read_text(encoding="utf-8"))
    (out / "datapackage.json").write_text(json.dumps(package), encoding="utf-8")
    return out


def _links(store: Store) -> tuple[dict, dict, dict]:
    """Every service's name, languages and type links (OF_TYPE and classifications)."""
    names, languages, types = {}, {}, {}
    for row in store.run("list_services_for_matching"):
        names[row["id"]] = row["name"]
        languages[row["id"]] = sorted(row["languages"] or [])
        types[row["id"]] = row["type"]
    _, rels = dump(store)
    classified = sorted(r[:3] for r in rels if r[0] in ("CLASSIFIED_AS", "OF_TYPE"))
    return names, languages, {"main": types, "links": classified}


def _copy(folder: Path, to: Path) -> Path:
    for item in folder.rglob("*"):
        if item.is_file():
            target = to / item.relative_to(folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(item.read_bytes())
    return to


@pytest.mark.parametrize("order", ["sample-copy-sample", "copy-sample-copy"])
def test_reimport_in_either_order_with_another_source_between_changes_nothing(
    make_store: Callable[..., Store], miami_sample: Path, tmp_path: Path, order: str
) -> None:
    """The other source is a second directory describing the same organizations (a copy
    under another name): every actor matches across sources, and nothing moves."""
    store = make_store()
    copy = _copy(miami_sample, tmp_path / "miami_copy")
    first, second = (miami_sample, copy) if order.startswith("sample") else (copy, miami_sample)
    import_source(store, first, "hsds")
    import_source(store, second, "hsds")
    before, digest = _links(store), graph_digest(store)
    lines = import_source(store, first, "hsds")
    assert graph_digest(store) == digest, lines
    assert _links(store) == before
    # every service of the sample keeps its own name (none took a sibling's)
    _, services = _read(miami_sample / "data" / "services.csv")
    names = before[0]
    canonical = {r["source_id"]: r["canonical_id"] for r in source_links(store, "miami_sample")
                 if r["table"] == "services"}  # fmt: skip
    assert len(canonical) == len(services) == len(set(canonical.values()))
    assert all(names[canonical[f"miami-sample-{s['id']}"]] == s["name"] for s in services)
    assert any("0 created" in line and "unchanged" in line for line in lines)
    assert {s["id"] for s in list_sources(store)} == {"miami_sample", "miami_copy"}


def test_a_changed_file_changes_exactly_what_changed(
    make_store: Callable[..., Store], miami_sample: Path, tmp_path: Path
) -> None:
    store = make_store()
    import_source(store, miami_sample, "hsds")
    before = _links(store)[0]
    changed = _copy(miami_sample, tmp_path / "miami_sample")
    header, services = _read(changed / "data" / "services.csv")
    services[0]["name"] = "Renamed in the source"
    gone = services.pop()
    _write(changed / "data" / "services.csv", header, services)
    lines = import_source(store, changed, "hsds")
    after = _links(store)[0]
    renamed = f"miami-sample-{services[0]['id']}"
    assert {k for k in before if before[k] != after.get(k)} == {renamed}
    assert after[renamed] == "Renamed in the source"
    links = {r["source_id"]: r for r in source_links(store, "miami_sample")}
    assert links[f"miami-sample-{gone['id']}"]["gone"] is True  # marked, not deleted
    assert f"miami-sample-{gone['id']}" in after
    assert any("1 newly no longer in the source" in line for line in lines)


@pytest.fixture(scope="module")
def leuven_pharmacies(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The AFMPS pharmacies of postcodes 30xx (Leuven and around)."""
    header, rows = _read(AFMPS)
    out = tmp_path_factory.mktemp("afmps") / "afmps_leuven.csv"
    _write(out, header, [r for r in rows if r["postcode"].startswith("30")])
    return out


def _pharmacies(store: Store) -> dict[str, tuple]:
    return {r["id"]: (r["name"], r["lat"], r["lon"]) for r in store.run("list_actors_for_matching")
            if r["id"].startswith("be-pharmacy-")}  # fmt: skip


def test_afmps_then_a_derived_list_changes_no_afmps_name_status_or_coordinates(
    make_store: Callable[..., Store], leuven_pharmacies: Path, tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_seed("belgium"))
    import_source(store, leuven_pharmacies, "pharmacies")
    actors = _pharmacies(store)
    statuses = {r["id"]: r["status"] for r in store.run("list_services_for_matching")}
    derived = tmp_path / "other_list.csv"
    derive(leuven_pharmacies, derived, seed=3)
    _, listed = _read(derived)
    assert any(r["status"] == "ACTIVE" for r in listed)
    imported, info = prepare_import(store, derived, "pharmacies")
    assert info.kind == "list" and imported.matched.merged
    record_import(store, imported, info)
    after = _pharmacies(store)
    assert {k: after[k] for k in actors} == actors  # zero names or coordinates changed
    now = {r["id"]: r["status"] for r in store.run("list_services_for_matching")}
    assert {k: now[k] for k in statuses} == statuses  # none reopened
    found = conflicts(store, "other_list")
    assert {c["field"] for c in found} >= {"name", "coordinates"}
    assert {c["kept_from"] for c in found} == {"afmps_leuven"}
    settled = imported.matched.settled
    assert len(settled.conflicts) == len(found)
    assert settled.counts["actors"]["updated"] == 0


def _in_review_band(pharmacy: dict[str, str]) -> dict[str, object]:
    """A record near a pharmacy whose score falls in the review band."""
    name, lat, lon = pharmacy["name"], float(pharmacy["lat"]), float(pharmacy["lon"])
    for cut in range(1, len(name) // 2):
        for metres in (60, 120, 180):
            mine = {"name": name[: len(name) - cut] + "qz", "lat": lat + metres / 111_320,
                    "lon": lon}  # fmt: skip
            if REVIEW_AT + 0.02 <= score(compare(mine, {"name": name, "lat": lat, "lon": lon})) \
                    < MERGE_AT - 0.02:  # fmt: skip
                return mine
    raise AssertionError(f"no variant of {name!r} in the review band")


def test_review_queue_and_decisions_survive_reimports(
    make_store: Callable[..., Store], leuven_pharmacies: Path, tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_seed("belgium"))
    import_source(store, leuven_pharmacies, "pharmacies")
    _, rows = _read(leuven_pharmacies)
    a, b = rows[0], rows[1]
    near = [{"id": str(n), **_in_review_band(p)} for n, p in enumerate((a, b), start=1)]
    listed = tmp_path / "review_list.csv"
    _write(listed, ["id", "name", "lat", "lon"], near)
    import_source(store, listed, "pharmacies")
    queue = review_queue(store, "review_list")
    assert [q["source_id"] for q in queue] == ["be-pharmacy-review-list-1",
                                               "be-pharmacy-review-list-2"]  # fmt: skip
    assert not any(k.startswith("be-pharmacy-review-list") for k in _pharmacies(store))
    decide(store, "review_list", "be-pharmacy-review-list-1", accept=True)
    decide(store, "review_list", "be-pharmacy-review-list-2", accept=False)
    with pytest.raises(NotFound, match="no such record queued"):
        decide(store, "review_list", "nothing", accept=True)
    import_source(store, listed, "pharmacies")
    links = {r["source_id"]: r for r in source_links(store, "review_list")}
    accepted = links["be-pharmacy-review-list-1"]
    assert accepted["how"] == "review"
    assert accepted["canonical_id"] == f"be-pharmacy-{a['authorization_id']}"
    assert links["be-pharmacy-review-list-2"]["how"] == "new"
    digest = graph_digest(store)
    import_source(store, listed, "pharmacies")  # and again: the decisions still hold
    assert graph_digest(store) == digest
    assert review_queue(store, "review_list") == []


def test_lenient_mode_imports_the_valid_rows_and_lists_the_rejected(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    write_bundle(store, read_seed("belgium"))
    listed = tmp_path / "partial.csv"
    rows = [{"name": "Apotheek Noord", "lat": "50.8830", "lon": "4.7010", "extra": "x"},
            {"name": "", "lat": "50.8790", "lon": "4.7050", "extra": ""},
            {"name": "Apotheek Zuid", "lat": "95", "lon": "4.7", "extra": ""},
            {"name": "Apotheek Oost", "lat": "50.8750", "lon": "4.7100", "extra": ""}]  # fmt: skip
    _write(listed, ["name", "lat", "lon", "extra"], rows)
    with pytest.raises(InputError) as refused:
        prepare_import(store, listed, "pharmacies")
    assert "partial.csv row 3 field name: required, but empty" in str(refused.value)
    assert "partial.csv row 4 field lat" in str(refused.value)
    rejects: list[tuple[str, str, str]] = []
    imported, info = prepare_import(store, listed, "pharmacies", rejects=rejects)
    assert [(w, f) for w, f, _ in rejects] == [("partial.csv row 3", "name"),
                                               ("partial.csv row 4", "lat")]  # fmt: skip
    assert imported.report.notes["unknown column 'extra' (not read)"] == 1
    record_import(store, imported, info)
    assert set(_pharmacies(store)) == {"be-pharmacy-partial-2", "be-pharmacy-partial-5"}
    with pytest.raises(InputError, match="--zone 'nowhere': no such zone"):
        prepare_import(store, MIAMI, "hsds", zone="nowhere")
    with pytest.raises(InputError, match="--source"):
        prepare_import(store, listed, "pharmacies", source="a|b")


def test_cli_sources_links_conflicts_review_and_rejects(tmp_path: Path) -> None:
    from tests.test_cli import graphsvc, one_line_error

    env = {"GRAPHSVC_DB": f"embedded:{tmp_path / 'db'}"}
    assert graphsvc("load", "belgium", env=env).returncode == 0
    listed = tmp_path / "city list.csv"
    _write(listed, ["id", "name", "lat", "lon", "status"], [
        {"id": "a1", "name": "Apotheek Centrum", "lat": "50.8790", "lon": "4.7005",
         "status": "ACTIVE"},
        {"id": "a2", "name": "", "lat": "50.8795", "lon": "4.7010", "status": "ACTIVE"},
    ])  # fmt: skip
    refused = graphsvc("import", "pharmacies", str(listed), env=env)
    assert "city list.csv row 3 field name: required, but empty" in refused.stderr
    assert one_line_error(refused).startswith("graphsvc: error:")
    done = graphsvc("import", "pharmacies", str(listed), "--skip-invalid", "--source", "city",
                    "--licence", "CC0", env=env)  # fmt: skip
    assert done.returncode == 0, done.stderr
    rejects = tmp_path / "city list.csv.rejects.csv"
    assert rejects.read_text().splitlines() == [
        "file,row,field,reason", "city list.csv,3,name,\"required, but empty\""]  # fmt: skip
    links = graphsvc("sources", "links", "city", "--format", "csv", env=env)
    assert links.returncode == 0, links.stderr
    assert links.stdout.splitlines()[:2] == [
        "source_id,canonical_id,how,score,table,gone",
        "be-pharmacy-city-a1,be-pharmacy-city-a1,new,,actors,False"]  # fmt: skip
    sources = graphsvc("sources", "--format", "json", env=env)
    assert [(s["id"], s["kind"], s["licence"]) for s in json.loads(sources.stdout)] == [
        ("city", "list", "CC0")]  # fmt: skip
    assert graphsvc("sources", "conflicts", "city", "--format", "csv", env=env).stdout == (
        "source,table,source_id,canonical_id,field,value,kept,kept_from\n"
    )
    queue = graphsvc("matches", "review", "--format", "csv", env=env)
    assert queue.returncode == 0 and queue.stdout.startswith("source,source_id,name,candidate")
    unknown = graphsvc("sources", "links", "nowhere", env=env)
    assert "source 'nowhere': no such source" in one_line_error(unknown)
    zone = graphsvc("import", "hsds", str(MIAMI), "--zone", "atlantis", env=env)
    assert one_line_error(zone) == "graphsvc: error: 1 problem(s); nothing was changed"
    assert "--zone 'atlantis': no such zone in the database" in zone.stderr
