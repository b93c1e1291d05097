"""Workshop capture written back (issue 21 item 5) and pictures from the command line (item 4):
`graphsvc import workshop FILE` checks the whole patch first (an unknown actor or anything
about patients refuses it with the reason, nothing written), stores it with provenance, the
next map shows it as proposed, a planner's confirmation makes the tie a collaboration; and
`graphsvc map -o FILE.png|FILE.svg` draws the map offline."""

from __future__ import annotations

import copy
import hashlib
import io
import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from PIL import Image

from graphsvc import maps
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.maps.layout import load_layout
from graphsvc.maps.workshop import (
    check_patch,
    confirm,
    import_workshop,
    proposal_id,
    proposal_rows,
    read_patch,
    same_text,
    workshop_actor_id,
)
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import load
from tests.maps_fixtures import PATIENT, graphsvc

PATCH: dict[str, Any] = {
    "format": "graphsvc-workshop-patch",
    "version": 1,
    "zone": "leuven",
    "workshop": {"id": "leuven-ws-1", "date": "2026-12-07", "facilitator": "An Peeters"},
    "ties": [
        {
            "source": "leuven-ocmw",
            "target": "leuven-apotheek-de-bron",
            "type": "referral",
            "note": "named at table 2",
        }
    ],
    "missing_actors": [
        {"name": "Buurtzorg Wijgmaal", "line": "first", "zone": "leuven-vn-wijgmaal"}
    ],
    "priorities": [{"text": "Transport to care in Wijgmaal", "actor": "leuven-ocmw"}],
    "positions": {"leuven-ocmw": [10, 20]},
}


@pytest.fixture
def leuven(embedded: EmbeddedServer) -> Iterator[tuple[Store, dict[str, str]]]:
    """The leuven seed in a graph of its own, and the environment for the CLI on it."""
    graph = f"ws_{uuid.uuid4().hex[:10]}"
    store = open_store(Settings(db=f"embedded:{embedded.data_dir}", graph=graph))
    load(store, "leuven")
    try:
        yield store, {"GRAPHSVC_DB": f"embedded:{embedded.data_dir}", "GRAPHSVC_GRAPH": graph}
    finally:
        store.run("delete_everything")
        store.close()


def write(tmp_path: Path, patch: Any, name: str = "patch.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(patch), encoding="utf-8")
    return path


def test_import_shows_proposals_until_a_planner_confirms(
    leuven: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = leuven
    path = write(tmp_path, PATCH)
    result = graphsvc("import", "workshop", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert "ties: read 1, new 1, already there 0, skipped 0" in result.stderr
    again = graphsvc("import", "workshop", str(path), env=env)  # idempotent
    assert "ties: read 1, new 0, already there 1, skipped 0" in again.stderr

    found = maps.zone_map(store, "leuven")
    assert [
        (e["from"], e["to"], e["type"]) for e in found.proposed_edges if e["kind"] == "proposed"
    ] == [("leuven-apotheek-de-bron", "leuven-ocmw", "referral")]
    proposed_actor = next(n for n in found.proposed_nodes)
    assert proposed_actor["label"] == "Buurtzorg Wijgmaal (proposed)"
    assert "workshop leuven-ws-1 (2026-12-07, An Peeters)" in proposed_actor["title"]
    assert [p["text"] for p in found.priorities] == ["Transport to care in Wijgmaal"]
    ocmw = next(n for n in found.nodes if n["id"] == "leuven-ocmw")
    assert (ocmw["x"], ocmw["y"]) == (10, 20)  # the place the page had, kept
    page = maps.render_html(found)
    assert "Buurtzorg Wijgmaal (proposed)" in page and "Transport to care in Wijgmaal" in page
    rows = store.run("list_workshop_proposals", workshop="leuven-ws-1")
    assert {r["status"] for r in rows} == {"proposed"} and len(rows) == 3

    tie = next(r["id"] for r in rows if ":tie:" in r["id"])
    assert confirm(store, [tie], "planner Jo").confirmed == 1
    again = confirm(store, [tie], "planner Jo")  # already confirmed: skipped, and says so
    assert again.confirmed == 0 and again.skipped == [f"{tie}: already confirmed"]
    after = maps.zone_map(store, "leuven")
    assert not [e for e in after.proposed_edges if e["kind"] == "proposed"]
    edge = next(
        e for e in after.edges if {e["from"], e["to"]} == {"leuven-ocmw", "leuven-apotheek-de-bron"}
    )
    assert "collaboration" in edge["kinds"] and "referral since 2026" in edge["title"]
    assert after.proposed_nodes  # the missing actor waits for a planner to add it


def test_confirming_a_missing_actor_creates_it_with_its_workshop(
    leuven: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = leuven
    patch = copy.deepcopy(PATCH)
    patch["missing_actors"][0]["note"] = "runs the Thursday walk-in"
    assert graphsvc("import", "workshop", str(write(tmp_path, patch)), env=env).returncode == 0
    proposal = next(
        r["id"]
        for r in store.run("list_workshop_proposals", workshop="leuven-ws-1")
        if ":actor:" in r["id"]
    )
    before = maps.zone_map(store, "leuven")
    result = graphsvc("workshop", "confirm", proposal, "--planner", "planner Jo", env=env)
    assert result.returncode == 0, result.stderr
    made = workshop_actor_id("leuven", "Buurtzorg Wijgmaal")
    assert result.stderr.splitlines()[:2] == [
        "confirmed 1 proposals",
        f"  created actor {made} (provenance: its workshop)",
    ]
    # the next map: an actor (no longer proposed), in its vicinity network, nobody else moved
    after = maps.zone_map(store, "leuven")
    assert not after.proposed_nodes
    actor = next(n for n in after.nodes if n["id"] == made)
    assert actor["kind"] == "actor" and actor["label"] == "Buurtzorg Wijgmaal"
    assert actor["line"] == "first" and actor["vicinity"] == "leuven-vn-wijgmaal"
    placed = {n["id"]: (n["x"], n["y"]) for n in before.nodes}
    assert {n["id"]: (n["x"], n["y"]) for n in after.nodes if n["id"] in placed} == placed
    assert len(after.nodes) == len(before.nodes) + 1
    # provenance: a source record of the workshop's Source, with its date and facilitator
    (record,) = store.run("list_node_source_records", ids=[made])
    assert (record["source"], record["kind"], record["source_id"]) == (
        "workshop:leuven-ws-1",
        "workshop",
        proposal,
    )
    assert json.loads(record["values"]) == {
        "name": "Buurtzorg Wijgmaal", "line": "first", "zone": "leuven-vn-wijgmaal",
        "note": "runs the Thursday walk-in", "workshop": "leuven-ws-1", "date": "2026-12-07",
        "facilitator": "An Peeters", "confirmed_by": "planner Jo",
    }  # fmt: skip
    source = next(s for s in store.run("list_sources") if s["id"] == "workshop:leuven-ws-1")
    assert source["name"] == "workshop leuven-ws-1 (2026-12-07, An Peeters)"
    assert source["records"] == 1
    (row,) = store.run("list_workshop_proposals_by_id", ids=[proposal])
    assert (row["status"], row["actor"]) == ("confirmed", made)

    # a second workshop naming the same actor: confirmed onto the same actor, not a second one
    second = copy.deepcopy(PATCH)
    second["workshop"]["id"] = "leuven-ws-2"
    second["missing_actors"][0]["name"] = "BUURTZORG  Wijgmaal"
    import_workshop(store, second, "second.json")
    other = next(
        r["id"]
        for r in store.run("list_workshop_proposals", workshop="leuven-ws-2")
        if ":actor:" in r["id"]
    )
    report = confirm(store, [other, "leuven-ws-2:actor:nobody-000000000000"], "planner Jo")
    assert (report.confirmed, report.created, report.existing) == (1, [], [made])
    assert report.skipped == ["leuven-ws-2:actor:nobody-000000000000: no such proposal"]
    assert sum(1 for n in maps.zone_map(store, "leuven").nodes if n["id"] == made) == 1
    assert {r["source"] for r in store.run("list_node_source_records", ids=[made])} == {
        "workshop:leuven-ws-1",
        "workshop:leuven-ws-2",
    }


def test_proposal_ids_are_stable_and_collision_free(
    leuven: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, _env = leuven
    patch = copy.deepcopy(PATCH)
    # three names that made one slug ("cafe-zorg", "caf-zorg"), and two priorities with the
    # same text about different actors; then the same missing actor twice (case and spaces)
    patch["missing_actors"] = [
        {"name": name, "line": "community", "zone": "leuven-vn-wijgmaal"}
        for name in ("Café Zorg", "Cafe Zorg", "Cafè Zorg", "café  ZORG")
    ]
    patch["priorities"] = [
        {"text": "Transport", "actor": "leuven-ocmw"},
        {"text": "Transport", "actor": "leuven-apotheek-de-bron"},
        {"text": "Transport"},
    ]
    # actor ids may hold ':': ("x:y", "z") and ("x", "y:z") were one tie id
    checked = check_patch(store, patch, "patch.json")
    checked["ties"] = [
        {"source": "x:y", "target": "z", "type": "referral", "note": ""},
        {"source": "x", "target": "y:z", "type": "referral", "note": ""},
    ]
    rows, skipped = proposal_rows(checked)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == 2 + 3 + 3
    assert skipped == ["missing_actors[3]: the same proposal as missing_actors[0]"]
    assert [r["name"] for r in rows if r["kind"] == "actor"] == ["Café Zorg", "Cafe Zorg",
                                                                 "Cafè Zorg"]  # fmt: skip
    # stable: the same patch gives the same ids in another process, and ids are pinned
    # (a change of scheme would orphan the proposals already stored)
    assert proposal_rows(checked)[0] == rows
    assert proposal_id("leuven-ws-1", "actor", same_text("Café Zorg")) == next(
        r["id"] for r in rows if r["name"] == "Café Zorg"
    )
    assert proposal_id("leuven-ws-1", "actor", "café zorg") == (
        "leuven-ws-1:actor:caf-zorg-" + hashlib.sha256(
            json.dumps(["actor", "café zorg"], ensure_ascii=False).encode()
        ).hexdigest()[:12]
    )  # fmt: skip
    assert workshop_actor_id("leuven", "Café Zorg") != workshop_actor_id("leuven", "Cafe Zorg")
    assert workshop_actor_id("leuven", "Café Zorg") == workshop_actor_id("leuven", "CAFÉ zorg")
    assert workshop_actor_id("leuven", "Café Zorg") != workshop_actor_id("namur", "Café Zorg")
    # imported: every proposal stored on its own, the duplicate reported as skipped
    report = import_workshop(store, patch, "patch.json")
    assert report.counts["missing_actors"] == {"read": 4, "new": 3, "kept": 0, "skipped": 1}
    assert report.counts["priorities"] == {"read": 3, "new": 3, "kept": 0, "skipped": 0}
    assert "  skipped missing_actors[3]: the same proposal as missing_actors[0]" in (report.lines())
    stored = store.run("list_workshop_proposals", workshop="leuven-ws-1")
    assert len(stored) == 1 + 3 + 3


def refused(store: Store, tmp_path: Path, patch: Any) -> list[str]:
    before = store.run("list_workshop_proposals", workshop="leuven-ws-1")
    with pytest.raises(InputError) as caught:
        import_workshop(store, read_patch(write(tmp_path, patch)), "patch.json")
    assert store.run("list_workshop_proposals", workshop="leuven-ws-1") == before
    return caught.value.problems


def test_unknown_actors_and_patient_data_are_refused_with_the_reason(
    leuven: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = leuven
    bad = copy.deepcopy(PATCH)
    bad["ties"][0]["target"] = "leuven-nobody"
    assert refused(store, tmp_path, bad) == [
        "patch.json: field ties[0].target: unknown actor 'leuven-nobody'"
    ]
    bad = copy.deepcopy(PATCH)
    bad["ties"][0]["patient"] = PATIENT
    problems = refused(store, tmp_path, bad)
    assert (
        "patch.json: field ties[0].patient: patient data is never accepted in a workshop patch"
        in problems
    )
    bad = copy.deepcopy(PATCH)
    bad["priorities"][0]["text"] = f"follow up {PATIENT}"
    assert refused(store, tmp_path, bad) == [
        "patch.json: field priorities[0].text: looks like a patient pseudonym; patient data is "
        "never accepted in a workshop patch"
    ]
    bad = copy.deepcopy(PATCH)
    bad["missing_actors"][0]["line"] = "fourth"
    bad["workshop"]["date"] = "07/12/2026"
    bad["zone"] = "namur"
    problems = refused(store, tmp_path, bad)
    assert "patch.json: field zone: unknown zone 'namur'" in problems
    bad = copy.deepcopy(PATCH)
    bad["missing_actors"][0]["line"] = "fourth"
    bad["workshop"]["date"] = "07/12/2026"
    assert set(refused(store, tmp_path, bad)) == {
        "patch.json: field workshop.date: '07/12/2026' is not a date (YYYY-MM-DD)",
        "patch.json: field missing_actors[0].line: 'fourth' is not one of first, second, "
        "social, community, coordination",
    }
    # the command line: one line naming the file and field, nothing written, no traceback
    bad = copy.deepcopy(PATCH)
    bad["ties"][0]["source"] = "ghost"
    result = graphsvc("import", "workshop", str(write(tmp_path, bad, "bad.json")), env=env)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert "bad.json: field ties[0].source: unknown actor 'ghost'" in result.stderr
    (tmp_path / "junk.json").write_text("[1, 2", encoding="utf-8")
    result = graphsvc("import", "workshop", str(tmp_path / "junk.json"), env=env)
    assert (
        result.returncode != 0 and "junk.json: not a workshop patch (invalid JSON" in result.stderr
    )
    (tmp_path / "big.json").write_text('{"version": ' + "9" * 5000 + "}", encoding="utf-8")
    result = graphsvc("import", "workshop", str(tmp_path / "big.json"), env=env)
    assert result.returncode != 0 and "a number of 5000 digits" in result.stderr
    assert len(result.stderr) < 400
    assert store.run("list_workshop_proposals", workshop="leuven-ws-1") == []


def test_cli_draws_png_and_svg_offline(
    leuven: tuple[Store, dict[str, str]], tmp_path: Path
) -> None:
    store, env = leuven
    found = maps.zone_map(store, "leuven")
    for name in ("map.png", "map.svg"):
        result = graphsvc("map", "--zone", "leuven", "-o", str(tmp_path / name), env=env)
        assert result.returncode == 0, result.stderr
    image = Image.open(io.BytesIO((tmp_path / "map.png").read_bytes()))
    assert image.format == "PNG" and image.width > 1000 and image.height > 700
    colours = {c for _n, c in image.convert("RGB").getcolors(1 << 20) or []}
    assert (0xE1, 0x57, 0x59) in colours and (0x4E, 0x79, 0xA7) in colours  # gaps, first line
    svg = ElementTree.fromstring((tmp_path / "map.svg").read_text(encoding="utf-8"))
    ns = "{http://www.w3.org/2000/svg}"
    assert svg.find(f"{ns}title").text == "Network map: Zorgzaam Leuven"  # type: ignore[union-attr]
    texts = {t.text for t in svg.iter(f"{ns}text")}
    top = {n["label"] for n in found.nodes if n.get("top")}
    assert top <= texts and "Line of care" in texts
    lines = len(svg.findall(f"{ns}line"))
    drawn = len(found.edges) - sum(a["count"] for a in found.aggregates) + len(found.aggregates)
    assert lines == drawn + 4  # and the legend's four tie samples
    result = graphsvc("map", "--zone", "leuven", "-o", str(tmp_path / "map.pdf"), env=env)
    assert result.returncode != 0 and "must end in .html, .png or .svg" in result.stderr
    assert not (tmp_path / "map.pdf").exists()


def test_cli_saves_the_zone_layout(leuven: tuple[Store, dict[str, str]], tmp_path: Path) -> None:
    store, env = leuven
    assert load_layout(store, "leuven") is None
    result = graphsvc(
        "map", "--zone", "leuven", "--save-layout", "-o", str(tmp_path / "a.html"), env=env
    )
    assert result.returncode == 0 and "layout saved" in result.stderr, result.stderr
    saved = load_layout(store, "leuven")
    found = maps.zone_map(store, "leuven")
    assert saved is not None and saved.workshop is None
    assert dict(saved.positions) == {n["id"]: (n["x"], n["y"]) for n in found.nodes}
    result = graphsvc("map", "--actor", "leuven-ocmw", "--save-layout", env=env)
    assert result.returncode != 0 and "--save-layout goes with --zone" in result.stderr
