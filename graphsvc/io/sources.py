"""Sources and source records (DESIGN §3): every import is a `Source {id, kind, name, digest,
imported_at, licence}`; every actor and service record it read is a `SourceRecord {key,
source, kind, table, source_id, canonical, how, score, values, gone}` that is RECORD_OF its
source and DESCRIBES the node it became.

The source id of a record is the id the importer gives it from the source's own id (HSDS and
FHIR ids with the import's prefix, the AFMPS authorisation number, a list's `id` column, else
its row number). `how` says how it found its node: id (the same id), identifier (AFMPS,
NIHDI), match (scored, see io/matching.py), review (a steward accepted the pair), new; a
record still queued for review has `how` queued, names its candidate and DESCRIBES nothing.
`values` is what the source said (JSON), kept even where survivorship kept another source's
value. A record no longer in the source is marked `gone` (not deleted). `imported_at` changes
only when the file's digest does: importing the same file twice leaves the graph, and its
digest, as they were.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphsvc.errors import InputError, NotFound
from graphsvc.io.matching import MatchReport
from graphsvc.io.sources_authority import FIELDS, rank, values_json
from graphsvc.store.base import Row, Store

MAX_NAME = 128


@dataclass
class SourceInfo:
    """One import's source."""

    id: str
    kind: str
    name: str
    digest: str
    licence: str | None = None


def source_name(path: Path, given: str | None) -> str:
    """`--source NAME`, else the file's name without extension, or the folder's name."""
    name = given if given is not None else (path.stem if path.is_file() else path.resolve().name)
    name = name.strip()
    if not name or len(name) > MAX_NAME or any(c in name for c in "|\n\r\t"):
        raise InputError([f"--source {name[:40]!r}: a source name is 1 to {MAX_NAME} characters "
                          "without '|', tabs or line breaks"])  # fmt: skip
    return name


def file_digest(path: Path) -> str:
    """sha256 of a file, or of a folder's files (relative names and contents, sorted)."""
    digest = hashlib.sha256()
    files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
    for file in files:
        digest.update(str(file.relative_to(path) if file != path else file.name).encode())
        with file.open("rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()


def source_info(path: Path, kind: str, given: str | None, licence: str | None) -> SourceInfo:
    """The Source of one import of `path`."""
    name = source_name(path, given)
    return SourceInfo(name, kind, path.name, file_digest(path), licence)


def record_rows(
    info: SourceInfo, matched: MatchReport, extra: dict[str, dict[str, Any]] | None = None
) -> dict[str, list[Row]]:
    """The source records of one import: actors, services, review (queued pairs)."""
    values = matched.settled.values if matched.settled else {}
    extra = extra or {}

    def row(table: str, sid: str, canonical: str, how: str, score: Any, own: dict) -> Row:
        return {"key": f"{info.id}|{table}|{sid}", "source": info.id, "kind": info.kind,
                "table": table, "source_id": sid, "canonical": canonical, "how": how,
                "score": score, "values": values_json(own)}  # fmt: skip

    actors = []
    for aid, (canonical, how) in sorted(matched.merged.items()):
        score = matched.scores.get(aid, (None, {}))[0]
        own = {**values.get(("actors", canonical), {}), **extra.get(aid, {}), "id": aid}
        actors.append(row("actors", aid, canonical, how, score, own))
    for aid in sorted(matched.new):
        own = {**values.get(("actors", aid), {}), **extra.get(aid, {})}
        actors.append(row("actors", aid, aid, "new", None, own))
    services = [
        row("services", sid, canonical, how, None,
            {**values.get(("services", canonical), {}), "id": sid})
        for sid, (canonical, how) in sorted(matched.services.items())
    ]  # fmt: skip
    review = []
    for aid, (candidate, score, fields) in sorted(matched.review.items()):
        _, actor = matched.held.get(aid, ("", {}))
        own = {**actor, **extra.get(aid, {}), "comparisons": fields}
        review.append(row("actors", aid, candidate, "queued", score, own))
    return {"actors": actors, "services": services, "review": review}


def write_sources(
    store: Store, info: SourceInfo, matched: MatchReport, extra: dict | None = None
) -> list[str]:
    """Write the Source and its records after the bundle; mark the records no longer in the
    source. Returns report lines."""
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    store.upsert("merge_sources", [{"id": info.id, "kind": info.kind, "name": info.name,
                                    "digest": info.digest, "imported_at": now,
                                    "licence": info.licence}])  # fmt: skip
    rows = record_rows(info, matched, extra)
    for query, table in (("merge_actor_records", "actors"), ("merge_service_records", "services"),
                         ("merge_review_records", "review")):  # fmt: skip
        if rows[table]:
            store.upsert(query, rows[table])
    if matched.partial:  # only what the source deletes is gone (FHIR transactions)
        keys = [f"{info.id}|{table}|{sid}" for table, sid in matched.deleted if sid]
        marked = store.run("set_source_records_deleted", keys=keys)[0]["marked"]
    else:
        seen = [r["key"] for table in rows.values() for r in table]
        marked = store.run("set_source_records_gone", source=info.id, seen=seen)[0]["marked"]
    total = {t: len(r) for t, r in rows.items()}
    return [f"source {info.id} ({info.kind}): {total['actors']:,} actor and "
            f"{total['services']:,} service records, {total['review']:,} queued for review, "
            f"{marked:,} newly no longer in the source (marked, not deleted)"]  # fmt: skip


def list_sources(store: Store) -> list[Row]:
    """Every source with its record counts."""
    return [{**r, "gone": int(r["gone"] or 0)} for r in store.run("list_sources")]


def _known(store: Store, name: str) -> None:
    if not any(s["id"] == name for s in store.run("list_sources")):
        raise NotFound(f"source {name!r}: no such source (`graphsvc sources` lists them)")


def source_links(store: Store, name: str) -> list[Row]:
    """`source_id, canonical_id, how, score` of every record of a source."""
    _known(store, name)
    return [{"source_id": r["source_id"], "canonical_id": r["canonical"], "how": r["how"],
             "score": r["score"], "table": r["table"], "gone": bool(r["gone"])}
            for r in store.run("list_source_links", source=name)]  # fmt: skip


def conflicts(store: Store, name: str | None = None) -> list[Row]:
    """Every field where a source record says something else than the value kept, with the
    value, the value kept and the sources the kept value may come from (by authority)."""
    if name is not None:
        _known(store, name)
    rows = store.run("list_source_conflicts", source=None)  # all: who else describes a node
    by_node: dict[str, list[Row]] = {}
    for r in rows:
        by_node.setdefault(r["canonical"], []).append(r)
    out = []
    for r in rows:
        if name is not None and r["source"] != name:
            continue
        own = json.loads(r["values"] or "{}")
        props = {**r["props"], "covers": r["covers"], "type": r["type"], "zone": r["zone"]}
        table = r["table"]
        for field_name, columns in FIELDS.get(table, {}).items():
            if not all(c in own for c in columns):
                continue
            said = [own[c] for c in columns]
            kept = [props.get(c) for c in columns]
            if all(v in (None, "", []) for v in said) or _equal(said, kept):
                continue
            others = [{"source": o["source"], "kind": o["kind"]} for o in
                      by_node[r["canonical"]] if o["source"] != r["source"]]  # fmt: skip
            best = min(others, key=lambda o: rank(o["kind"], table, field_name), default=None)
            out.append({
                "source": r["source"], "table": table, "source_id": r["source_id"],
                "canonical_id": r["canonical"], "field": field_name,
                "value": _shown(said), "kept": _shown(kept),
                "kept_from": best["source"] if best else "bundle"})  # fmt: skip
    return out


def _equal(a: list, b: list) -> bool:
    from graphsvc.io.sources_authority import _same

    return all(_same(x, y) for x, y in zip(a, b, strict=True))


def _shown(values: list) -> str:
    one = values[0] if len(values) == 1 else values
    return one if isinstance(one, str) else json.dumps(one, ensure_ascii=False)


def review_queue(store: Store, name: str | None = None) -> list[Row]:
    """Pairs queued for review: the record, what the source says, its candidate, the score
    and the decision (empty while undecided)."""
    if name is not None:
        _known(store, name)
    out = []
    for r in store.run("list_review_queue", source=name):
        own = json.loads(r["values"] or "{}")
        out.append({"source": r["source"], "source_id": r["source_id"],
                    "name": own.get("name"), "candidate": r["candidate"],
                    "candidate_name": r["candidate_name"], "score": r["score"],
                    "decision": r["decision"] or ""})  # fmt: skip
    return out


def decide(store: Store, name: str, source_id: str, accept: bool) -> Row:
    """Accept (merge) or reject (never propose again) a queued pair; the decision is kept and
    applied at this and every later import of the source."""
    queued = [r for r in review_queue(store, name) if r["source_id"] == source_id]
    if not queued:
        raise NotFound(f"{name} {source_id}: no such record queued for review "
                       "(`graphsvc matches review` lists them)")  # fmt: skip
    pair = queued[0]
    decision = "accept" if accept else "reject"
    store.upsert("merge_match_decisions", [{
        "key": f"{name}|actors|{source_id}", "source": name, "source_id": source_id,
        "canonical": pair["candidate"], "decision": decision,
        "decided_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")}])  # fmt: skip
    return {**pair, "decision": decision}


def records_of(store: Store, ids: list[str]) -> dict[str, list[Row]]:
    """The source records describing each node (actor or service id), one round trip."""
    found: dict[str, list[Row]] = {i: [] for i in ids}
    for r in store.run("list_node_source_records", ids=sorted(set(ids))):
        found.setdefault(r["canonical"], []).append(r)
    return found


def field_values(table: str, record: Row, current: dict[str, Any]) -> list[Row]:
    """Per field of the authority table: what one source record says, and whether it is the
    value kept (`current`: the node's values by column)."""
    own = json.loads(record["values"] or "{}")
    out = []
    for name, columns in FIELDS.get(table, {}).items():
        if not all(c in own for c in columns):
            continue
        said = [own[c] for c in columns]
        if all(v in (None, "", []) for v in said):
            continue
        kept = [current.get(c) for c in columns]
        out.append({"source": record["source"], "kind": record["kind"], "field": name,
                    "value": _shown(said), "kept": _equal(said, kept)})  # fmt: skip
    return out
