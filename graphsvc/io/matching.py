"""Entity matching: an actor arriving from a second source is the same as one already in the
database when they share an id, else an establishment identifier (AFMPS, NIHDI), else the same
normalised name within a short distance. A match reuses the existing actor (and its service of
the same type) instead of making a duplicate; a record with several candidates is ambiguous,
left out and reported.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graphsvc.core.coverage import distance_km
from graphsvc.io.bundle import Record
from graphsvc.store.base import Row, Store

NAME_DISTANCE_KM = 0.25  # same normalised name within this distance: the same actor
UNIQUE_SCHEMES = ("afmps", "nihdi")  # identify one establishment or professional
# KBO/CBE identifies an enterprise, which may run many establishments: never matched alone.
_GENERIC = {
    "pharmacie", "apotheek", "apotheke", "pharmacy", "de", "la", "le", "les", "du", "des",
    "het", "d", "l", "sprl", "bvba", "srl", "bv", "sa", "nv", "scrl", "cvba", "sc", "cv",
    "asbl", "vzw", "the", "inc", "llc",
}  # fmt: skip


def normalised_name(name: str) -> str:
    """Lowercase ASCII words without legal forms, articles and the word 'pharmacy'."""
    plain = unicodedata.normalize("NFKD", name or "").encode("ascii", "ignore").decode().lower()
    words = [w for w in re.findall(r"[a-z0-9]+", plain) if w not in _GENERIC]
    return " ".join(words)


@dataclass
class MatchReport:
    """Which incoming actors were merged into existing ones, which are new, which ambiguous."""

    merged: dict[str, tuple[str, str]] = field(default_factory=dict)  # in -> (existing, how)
    new: list[str] = field(default_factory=list)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)  # in -> candidates

    def lines(self) -> list[str]:
        how: dict[str, int] = defaultdict(int)
        for _, way in self.merged.values():
            how[way] += 1
        ways = ", ".join(f"{n:,} by {w}" for w, n in sorted(how.items()))
        out = [f"matching: {len(self.merged):,} merged ({ways or 'none'}), {len(self.new):,} new, "
               f"{len(self.ambiguous):,} ambiguous (not imported)"]  # fmt: skip
        for incoming, candidates in sorted(self.ambiguous.items())[:10]:
            out.append(f"  ambiguous: {incoming} could be {', '.join(candidates)}")
        return out


def candidates_from(store: Store) -> list[Row]:
    """The actors already in the database, with what matching needs."""
    return store.run("list_actors_for_matching")


def match_records(records: dict[str, list[Record]], candidates: list[Row]) -> MatchReport:
    """Match the incoming actors against candidates and rewrite the records in place."""
    report = MatchReport()
    by_id = {c["id"]: c for c in candidates}
    by_identifier: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_name: dict[str, list[Row]] = defaultdict(list)
    for c in candidates:
        for scheme in UNIQUE_SCHEMES:
            if c.get(scheme):
                by_identifier[(scheme, str(c[scheme]))].append(c["id"])
        if c.get("name"):
            by_name[normalised_name(c["name"])].append(c)
    identifiers: dict[str, dict[str, str]] = defaultdict(dict)
    for _, row in records.get("actor_identifiers", []):
        identifiers[row["actor"]][row["scheme"]] = str(row["value"])
    rename: dict[str, str] = {}
    drop: set[str] = set()
    for _, actor in records.get("actors", []):
        aid = actor["id"]
        if aid in by_id:
            report.merged[aid] = (aid, "id")
            continue
        found = _by_identifier(identifiers.get(aid, {}), by_identifier)
        if found is not None:
            if len(found) == 1:
                report.merged[aid], rename[aid] = (found[0], "identifier"), found[0]
            else:
                report.ambiguous[aid], _ = found, drop.add(aid)
            continue
        near = _by_name(actor, identifiers.get(aid, {}), by_name)
        if len(near) == 1:
            report.merged[aid], rename[aid] = (near[0], "name and distance"), near[0]
        elif near:
            report.ambiguous[aid], _ = near, drop.add(aid)
        else:
            report.new.append(aid)
    _rewrite(records, rename, drop, by_id)
    return report


def _by_identifier(mine: dict[str, str], index: dict[tuple[str, str], list[str]]) -> Any:
    for scheme in UNIQUE_SCHEMES:
        if scheme in mine and (scheme, mine[scheme]) in index:
            return index[(scheme, mine[scheme])]
    return None


def _by_name(actor: dict[str, Any], mine: dict[str, str], by_name: dict[str, list[Row]]):
    name = normalised_name(actor.get("name") or "")
    if not name or actor.get("lat") is None or actor.get("lon") is None:
        return []
    found = []
    for c in by_name.get(name, []):
        if c.get("lat") is None or c.get("lon") is None:
            continue
        if any(c.get(s) and s in mine and str(c[s]) != mine[s] for s in UNIQUE_SCHEMES):
            continue  # a different establishment number: a different actor
        if distance_km(actor["lat"], actor["lon"], c["lat"], c["lon"]) <= NAME_DISTANCE_KM:
            found.append(c["id"])
    return sorted(found)


def _rewrite(
    records: dict[str, list[Record]], rename: dict[str, str], drop: set[str], by_id: dict
) -> None:
    """Point every reference to a merged actor at the existing one; reuse its service of the
    same type; leave out ambiguous actors and what depends on them."""
    service_rename: dict[str, str] = {}
    dropped_services: set[str] = set()
    existing_service = {
        (c["id"], s["type"]): s["id"] for c in by_id.values() for s in c.get("services") or []
    }
    kept = []
    for where, service in records.get("services", []):
        if service["actor"] in drop:
            dropped_services.add(service["id"])
            continue
        actor = rename.get(service["actor"], service["actor"])
        reuse = existing_service.get((actor, service["type"]))
        if reuse and reuse != service["id"]:
            service_rename[service["id"]] = reuse
        kept.append((where, {**service, "actor": actor,
                             "id": service_rename.get(service["id"], service["id"])}))  # fmt: skip
    records["services"] = kept
    columns = {"actors": ("id",), "actor_identifiers": ("actor",), "memberships": ("actor",),
               "collaborations": ("source", "target"), "patients": ("case_manager",),
               "locations": ("actor",), "actor_details": ("actor",)}  # fmt: skip
    for table, names in columns.items():
        rows = []
        for where, row in records.get(table, []):
            if any(row.get(n) in drop for n in names):
                continue
            rows.append((where, {**row, **{n: rename.get(row[n], row[n]) for n in names}}))
        records[table] = rows
    for table in ("service_classifications", "service_details", "service_locations"):
        if table in records:
            records[table] = [
                (w, {**r, "service": service_rename.get(r["service"], r["service"])})
                for w, r in records[table]
                if r["service"] not in dropped_services
            ]
    _dedupe(records, "actors", ("id",))
    _dedupe(records, "actor_identifiers", ("actor", "scheme"))
    _dedupe(records, "services", ("id",))
    _dedupe(records, "service_classifications", ("service", "type"))
    _dedupe(records, "actor_details", ("actor",))
    _dedupe(records, "service_details", ("service",))
    _dedupe(records, "service_locations", ("service", "location"))


def _dedupe(records: dict[str, list[Record]], table: str, key: tuple[str, ...]) -> None:
    """Two incoming records merged into one existing actor: keep the first."""
    seen: set[tuple] = set()
    rows = []
    for where, row in records.get(table, []):
        k = tuple(row[n] for n in key)
        if k not in seen:
            seen.add(k)
            rows.append((where, row))
    if table in records:
        records[table] = rows
