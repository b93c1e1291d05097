"""Workshop capture written back: read and check a patch exported by a map page, then store
it with its provenance (workshop id, date, facilitator) as proposals the next map shows until
a planner confirms them, and the positions the page had as the zone's saved layout.

A patch holds ties between known actors (type and note), missing actors (name, line of care,
zone) and priorities (text, optionally about an actor). Nothing about patients: a field that
names patients, or a value that looks like a patient pseudonym, refuses the whole patch.
Everything is checked before anything is written, and the writes are one transaction.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError, NotFound
from graphsvc.io.bundle import store_lookup
from graphsvc.io.sources_authority import values_json
from graphsvc.maps.data import zone_map
from graphsvc.maps.layout import layout_of, save_layout
from graphsvc.model import ACTOR_LINES
from graphsvc.store import Store

FORMAT = "graphsvc-workshop-patch"
MAX_BYTES = 8 * 1024 * 1024
MAX_DIGITS = 30
TOP_KEYS = {
    "format",
    "version",
    "zone",
    "workshop",
    "ties",
    "missing_actors",
    "priorities",
    "positions",
}
FIELDS = {
    "workshop": ({"id", "date", "facilitator"}, set()),
    "ties": ({"source", "target", "type"}, {"note"}),
    "missing_actors": ({"name", "line", "zone"}, {"note"}),
    "priorities": ({"text"}, {"actor", "note"}),
}
PATIENT_WORDS = re.compile(
    r"(^|[_\W])(patients?|pseudonyms?|referrals?|caseloads?|birth\w*|ssin|niss|insz)([_\W]|$)",
    re.I,
)
PSEUDONYM = re.compile(r"\b[0-9a-f]{64}\b", re.I)
WORKSHOP_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
TIE_TYPE = re.compile(r"[a-z][a-z_]{0,39}")
ID_DIGITS = 12  # hex digits of a proposal id's digest (48 bits)


@dataclass
class ImportReport:
    """What an import read, wrote new, found already there, and skipped (and why)."""

    source: str
    workshop: str
    zone: str
    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"imported workshop {self.workshop} into zone {self.zone} from {self.source}"]
        for table, c in self.counts.items():
            out.append(
                f"  {table}: read {c['read']}, new {c['new']}, already there {c['kept']}, "
                f"skipped {c['skipped']}"
            )
        out.extend(f"  skipped {s}" for s in self.skipped)
        out.append("the next map shows them as proposed until a planner confirms them")
        return out


def read_patch(path: Path) -> dict[str, Any]:
    """The patch file as JSON, or InputError naming the file and the reason."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([f"{path}: cannot read: {exc.strerror}"]) from None
    if len(raw) > MAX_BYTES:
        raise InputError([f"{path}: {len(raw):,} bytes, more than a patch can be ({MAX_BYTES:,})"])

    def whole(text: str) -> int:
        if len(text.lstrip("-")) > MAX_DIGITS:
            raise ValueError(f"a number of {len(text)} digits")
        return int(text)

    try:
        value = json.loads(raw.decode("utf-8"), parse_int=whole)
    except UnicodeDecodeError:
        raise InputError([f"{path}: not UTF-8 text"]) from None
    except RecursionError:
        raise InputError([f"{path}: nested too deeply"]) from None
    except ValueError as exc:
        raise InputError([f"{path}: not a workshop patch (invalid JSON: {exc})"]) from None
    if not isinstance(value, dict):
        raise InputError([f"{path}: not a workshop patch (expected a JSON object)"])
    return value


def _patient_fields(value: Any, where: str, found: list[str]) -> None:
    if isinstance(value, Mapping):
        for key, inner in value.items():
            here = f"{where}.{key}" if where else str(key)
            if PATIENT_WORDS.search(str(key)):
                found.append(f"field {here}: patient data is never accepted in a workshop patch")
            _patient_fields(inner, here, found)
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            _patient_fields(inner, f"{where}[{i}]", found)
    elif isinstance(value, str) and PSEUDONYM.search(value):
        found.append(
            f"field {where}: looks like a patient pseudonym; patient data is never "
            "accepted in a workshop patch"
        )


def _text(row: Mapping[str, Any], key: str, where: str, problems: list[str], most: int) -> str:
    value = row.get(key)
    if key == "note" and (value is None or value == ""):
        return ""  # a note is optional
    if not isinstance(value, str) or not value.strip():
        problems.append(f"field {where}.{key}: expected non-empty text")
        return ""
    if len(value) > most:
        problems.append(f"field {where}.{key}: longer than {most} characters")
    return value.strip()


def check_patch(store: Store, patch: Mapping[str, Any], source: str) -> dict[str, Any]:
    """The checked patch (plain values), or InputError listing every problem with its field."""
    problems: list[str] = []
    _patient_fields(patch, "", problems)
    if problems:
        raise InputError([f"{source}: {p}" for p in problems])
    unknown = sorted(set(patch) - TOP_KEYS)
    if unknown:
        problems.append(f"field {', '.join(unknown)}: not part of a workshop patch")
    if patch.get("format") != FORMAT or patch.get("version") != 1:
        problems.append(f"field format/version: expected {FORMAT!r} version 1")
    zone_id = patch.get("zone")
    zones: set[str] = set()
    if not isinstance(zone_id, str):
        problems.append("field zone: expected a zone id")
    else:
        zones = {r["id"] for r in store.run("list_network_zones", zone=zone_id) if r["depth"] >= 0}
        if not zones:
            problems.append(f"field zone: unknown zone {zone_id!r}")
    rows: dict[str, list[dict[str, Any]]] = {}
    for table, (needed, optional) in FIELDS.items():
        value = patch.get(table, {} if table == "workshop" else [])
        listed = [value] if table == "workshop" else value
        if not isinstance(listed, list) or not all(isinstance(r, dict) for r in listed):
            problems.append(f"field {table}: expected a list of objects")
            listed = []
        for i, row in enumerate(listed):
            where = table if table == "workshop" else f"{table}[{i}]"
            extra = sorted(set(row) - needed - optional)
            if extra:
                problems.append(f"field {where}.{extra[0]}: not part of a workshop patch")
            missing = sorted(needed - set(row))
            if missing:
                problems.append(f"field {where}.{missing[0]}: missing")
        rows[table] = listed
    if problems:
        raise InputError([f"{source}: {p}" for p in problems])

    ws = rows["workshop"][0]
    workshop = {
        "id": _text(ws, "id", "workshop", problems, 80),
        "date": _text(ws, "date", "workshop", problems, 10),
        "facilitator": _text(ws, "facilitator", "workshop", problems, 120),
    }
    if workshop["id"] and not WORKSHOP_ID.fullmatch(workshop["id"]):
        problems.append("field workshop.id: letters, digits, '.', '_' and '-' only")
    try:
        date.fromisoformat(workshop["date"])
    except ValueError:
        problems.append(f"field workshop.date: {workshop['date']!r} is not a date (YYYY-MM-DD)")
    named = {
        r.get(k)
        for t, k in (("ties", "source"), ("ties", "target"), ("priorities", "actor"))
        for r in rows[t]
        if isinstance(r.get(k), str)
    }
    known = {r["key"] for r in store.run("list_existing_actors", keys=sorted(named))}
    ties = []
    for i, r in enumerate(rows["ties"]):
        where = f"ties[{i}]"
        tie = {k: _text(r, k, where, problems, 200) for k in ("source", "target", "type")}
        tie["note"] = _text(r, "note", where, problems, 500)
        for end in ("source", "target"):
            if tie[end] and tie[end] not in known:
                problems.append(f"field {where}.{end}: unknown actor {tie[end]!r}")
        if tie["source"] and tie["source"] == tie["target"]:
            problems.append(f"field {where}: an actor cannot be tied to itself")
        if tie["type"] and not TIE_TYPE.fullmatch(tie["type"]):
            problems.append(f"field {where}.type: {tie['type']!r} is not a tie type (a_word)")
        ties.append(tie)
    actors = []
    for i, r in enumerate(rows["missing_actors"]):
        where = f"missing_actors[{i}]"
        actor = {k: _text(r, k, where, problems, 200) for k in ("name", "line", "zone")}
        actor["note"] = _text(r, "note", where, problems, 500)
        if actor["line"] and actor["line"] not in ACTOR_LINES:
            problems.append(
                f"field {where}.line: {actor['line']!r} is not one of {', '.join(ACTOR_LINES)}"
            )
        if actor["zone"] and actor["zone"] not in zones:
            problems.append(f"field {where}.zone: {actor['zone']!r} is not in zone {zone_id!r}")
        actors.append(actor)
    priorities = []
    for i, r in enumerate(rows["priorities"]):
        where = f"priorities[{i}]"
        about = r.get("actor") or None
        if about is not None and not isinstance(about, str):
            problems.append(f"field {where}.actor: expected an actor id (a string)")
            about = None
        elif about is not None and about not in known:
            problems.append(f"field {where}.actor: unknown actor {about!r}")
        priorities.append(
            {
                "text": _text(r, "text", where, problems, 500),
                "actor": about,
                "note": _text(r, "note", where, problems, 500),
            }
        )
    positions = patch.get("positions", {})
    if not isinstance(positions, dict):
        problems.append("field positions: expected an object of node id -> [x, y]")
        positions = {}
    for node_id, xy in positions.items():
        if not (
            isinstance(xy, list)
            and len(xy) == 2
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in xy)
            and all(math.isfinite(v) and abs(v) < 1e7 for v in xy)
        ):
            problems.append(f"field positions.{node_id}: expected [x, y] (two numbers)")
    if problems:
        raise InputError([f"{source}: {p}" for p in problems])
    return {
        "zone": zone_id,
        "workshop": workshop,
        "ties": ties,
        "missing_actors": actors,
        "priorities": priorities,
        "positions": positions,
    }


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:60].rstrip("-") or "x"


def same_text(text: str) -> str:
    """What makes two names or texts the same proposal: Unicode-normalised, case and runs of
    white space ignored ("OCMW  Leuven" is "ocmw leuven"; "Café" is not "Cafe")."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def _digest(*parts: str | None) -> str:
    return hashlib.sha256(json.dumps(parts, ensure_ascii=False).encode()).hexdigest()[:ID_DIGITS]


def proposal_id(workshop: str, kind: str, *identity: str | None) -> str:
    """`workshop:kind:readable-digest`: the digest is of the identity itself (not of the
    readable slug), so two different identities never share an id, and the same one always
    gets the same id (a re-import finds the same proposals)."""
    readable = _slug("-".join(p for p in identity if p))
    return f"{workshop}:{kind}:{readable}-{_digest(kind, *identity)}"


def workshop_actor_id(map_zone: str, name: str) -> str:
    """The id an actor confirmed from a missing-actor proposal gets: the same name in the same
    map zone is the same actor, whichever workshop proposed it."""
    return f"{map_zone}-{_slug(name)}-{_digest('actor', map_zone, same_text(name))}"


def proposal_rows(checked: Mapping[str, Any]) -> tuple[list[dict[str, Any]], list[str]]:
    """One row per proposal, with a stable, collision-free id; and what was left out (the
    same proposal twice in one patch: the first is kept)."""
    ws = checked["workshop"]
    base = {
        "workshop": ws["id"],
        "date": ws["date"],
        "facilitator": ws["facilitator"],
        "map_zone": checked["zone"],
    }
    empty = dict.fromkeys(("source", "target", "type", "name", "line", "zone", "actor", "text"))
    rows: list[dict[str, Any]] = []
    skipped: list[str] = []
    seen: dict[str, str] = {}

    def add(where: str, kind: str, identity: tuple, note: str | None, **fields: Any) -> None:
        pid = proposal_id(ws["id"], kind, *identity)
        if pid in seen:
            skipped.append(f"{where}: the same proposal as {seen[pid]}")
            return
        seen[pid] = where
        rows.append({**base, **empty, "id": pid, "kind": kind, **fields, "note": note or None})

    for i, t in enumerate(checked["ties"]):
        a, b = sorted((t["source"], t["target"]))
        add(f"ties[{i}]", "tie", (a, b, t["type"]), t["note"], source=a, target=b, type=t["type"])
    for i, m in enumerate(checked["missing_actors"]):
        add(f"missing_actors[{i}]", "actor", (same_text(m["name"]),), m["note"],
            name=m["name"], line=m["line"], zone=m["zone"])  # fmt: skip
    for i, p in enumerate(checked["priorities"]):
        add(f"priorities[{i}]", "priority", (same_text(p["text"]), p["actor"]), p["note"],
            text=p["text"], actor=p["actor"])  # fmt: skip
    return rows, skipped


def import_workshop(store: Store, patch: Mapping[str, Any], source: str) -> ImportReport:
    """Check the patch completely, then write it (one transaction) and save the layout."""
    checked = check_patch(store, patch, source)
    ws = checked["workshop"]
    rows, duplicates = proposal_rows(checked)
    before = {r["id"] for r in store.run("list_workshop_proposals", workshop=ws["id"])}
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    try:
        current = zone_map(store, checked["zone"])
    except NotFound as exc:  # the zone went away since the check
        raise InputError([f"{source}: field zone: {exc}"]) from None
    positions, ties = layout_of(current.nodes, current.edges, checked["positions"])
    store.write_all(
        [
            (
                "merge_workshop",
                {**ws, "zone": checked["zone"], "imported_at": now, "source": Path(source).name},
            ),
            ("merge_workshop_proposals", {"rows": rows}),
        ]
    )
    save_layout(store, checked["zone"], positions, ties, ws["date"], ws["id"])
    report = ImportReport(source, ws["id"], checked["zone"])
    for table, kind in (("ties", "tie"), ("missing_actors", "actor"), ("priorities", "priority")):
        mine = [r for r in rows if r["kind"] == kind]
        kept = sum(1 for r in mine if r["id"] in before)
        report.counts[table] = {
            "read": len(checked[table]),
            "new": len(mine) - kept,
            "kept": kept,
            "skipped": len(checked[table]) - len(mine),
        }
    report.skipped.extend(duplicates)
    unknown = sorted(set(checked["positions"]) - set(positions))
    report.counts["positions"] = {
        "read": len(checked["positions"]),
        "new": 0,
        "kept": len(checked["positions"]) - len(unknown),
        "skipped": len(unknown),
    }
    if unknown:
        report.skipped.append(
            f"{len(unknown)} positions of nodes no longer on the map (e.g. {unknown[0]!r})"
        )
    return report


@dataclass
class ConfirmReport:
    """What a planner's confirmation did: proposals confirmed, actors created from missing
    actors (or found already there), and ids left alone (and why)."""

    confirmed: int = 0
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"confirmed {self.confirmed} proposals"]
        out.extend(f"  created actor {a} (provenance: its workshop)" for a in self.created)
        out.extend(f"  actor {a} already there: kept as it is, provenance added"
                   for a in self.existing)  # fmt: skip
        out.extend(f"  skipped {s}" for s in self.skipped)
        return out


def _source_row(p: Mapping[str, Any], now: str) -> dict[str, Any]:
    """The Source of a workshop (kind `workshop`: ranks after every listed source kind)."""
    provenance = [p["workshop"], p["date"], p["facilitator"]]
    return {
        "id": f"workshop:{p['workshop']}",
        "kind": "workshop",
        "name": f"workshop {p['workshop']} ({p['date']}, {p['facilitator']})",
        "digest": hashlib.sha256(json.dumps(provenance).encode()).hexdigest(),
        "imported_at": now,
        "licence": None,
    }


def confirm(store: Store, proposal_ids: Sequence[str], planner: str) -> ConfirmReport:
    """A planner confirms proposals: their status becomes confirmed (the map stops showing
    them as proposed), a confirmed tie becomes a collaboration, and a confirmed missing actor
    becomes an Actor (kind organisation, in the proposal's zone) whose source record names the
    workshop, its date and facilitator. One transaction."""
    report = ConfirmReport()
    wanted = sorted(set(proposal_ids))
    if not wanted:
        return report
    found = {r["id"]: r for r in store.run("list_workshop_proposals_by_id", ids=wanted)}
    report.skipped.extend(f"{i}: no such proposal" for i in wanted if i not in found)
    report.skipped.extend(f"{i}: already {r['status']}" for i, r in found.items()
                          if r["status"] != "proposed")  # fmt: skip
    todo = [r for r in found.values() if r["status"] == "proposed"]
    actors = [r for r in todo if r["kind"] == "actor"]
    zones = store_lookup(store)("zones", {r["zone"] for r in actors})
    for r in [r for r in actors if r["zone"] not in zones]:
        report.skipped.append(f"{r['id']}: its zone {r['zone']!r} is no longer in the graph")
        todo.remove(r)
        actors.remove(r)
    made = {r["id"]: workshop_actor_id(r["map_zone"], r["name"]) for r in actors}
    there = store_lookup(store)("actors", set(made.values()))
    now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    new_actors: dict[str, dict[str, Any]] = {}
    records = []
    for r in actors:
        aid = made[r["id"]]
        if aid not in there:
            new_actors.setdefault(aid, {"id": aid, "name": r["name"], "kind": "organisation",
                                        "line": r["line"], "discipline": None, "languages": [],
                                        "lat": None, "lon": None, "zone": r["zone"]})  # fmt: skip
        said = {k: r[k] for k in ("name", "line", "zone", "note", "workshop", "date",
                                  "facilitator")}  # fmt: skip
        records.append({"key": f"workshop:{r['workshop']}|actors|{r['id']}",
                        "source": f"workshop:{r['workshop']}", "kind": "workshop",
                        "table": "actors", "source_id": r["id"], "canonical": aid,
                        "how": "id" if aid in there else "new", "score": None,
                        "values": values_json({**said, "confirmed_by": planner})})  # fmt: skip
    steps: list[tuple[str, dict[str, Any]]] = []
    if actors:
        sources = {r["workshop"]: _source_row(r, now) for r in actors}
        steps.append(("merge_sources", {"rows": list(sources.values())}))
        if new_actors:
            steps.append(("create_actors", {"rows": list(new_actors.values())}))
        steps.append(("merge_actor_records", {"rows": records}))
        became = [{"proposal": p, "actor": a} for p, a in made.items()]
        steps.append(("set_workshop_proposal_actors", {"rows": became}))
    if not todo:
        return report
    steps.append(("set_workshop_proposals_confirmed",
                  {"ids": [r["id"] for r in todo], "planner": planner, "at": now}))  # fmt: skip
    result = store.write_all(steps)
    report.confirmed = int(result[-1][0]["confirmed"]) if result[-1] else 0
    report.created = sorted(new_actors)
    report.existing = sorted({a for a in made.values() if a in there})
    return report
