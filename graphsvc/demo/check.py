"""Pure-Python reference of the catchment-ratio coverage (DESIGN §4) and bundle counts.

Works on bundle rows as read from the CSV files (all values strings, lists joined with `|`)
or as typed by the loader (ints, floats, lists): both spellings are accepted.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

MISSING, UNDER, COVERED, OVER = "MISSING", "UNDER", "COVERED", "OVER"
TARGET = 1.0
OVERLAP = 1.5
FINEST_LEVEL = "vicinity_network"

FILES: tuple[str, ...] = (
    "zones",
    "service_types",
    "need_types",
    "actors",
    "networks",
    "memberships",
    "collaborations",
    "services",
    "zone_needs",
    "patients",
    "patient_needs",
    # co-creation (issue 10), optional
    "objectives",
    "actions",
    "action_commitments",
    "planned_services",
    "care_pathways",
    "pathway_steps",
    "enrolments",
    "funding",
    "network_zones",
)

BundleRows = Mapping[str, Sequence[Mapping[str, Any]]]


def as_list(value: Any) -> list[str]:
    """A list field as a list: `a|b` -> ['a', 'b'], '' -> []; lists pass through."""
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    if value is None:
        return []
    return [item for item in str(value).split("|") if item]


def load_bundle(folder: Path | str) -> dict[str, list[dict[str, str]]]:
    """Read a seed folder into rows of strings per file (no checking)."""
    rows: dict[str, list[dict[str, str]]] = {}
    for name in FILES:
        path = Path(folder) / f"{name}.csv"
        if path.exists():
            with path.open(encoding="utf-8", newline="") as handle:
                rows[name] = list(csv.DictReader(handle))
    return rows


def finest_zones(zones: Sequence[Mapping[str, Any]]) -> dict[str, list[str]]:
    """Each zone id mapped to the sorted vicinity networks it contains (itself if it is one)."""
    children: dict[str, list[str]] = defaultdict(list)
    for zone in zones:
        if zone["part_of"]:
            children[str(zone["part_of"])].append(str(zone["id"]))
    level = {str(z["id"]): str(z["level"]) for z in zones}

    def walk(zone_id: str) -> set[str]:
        found = {zone_id} if level[zone_id] == FINEST_LEVEL else set()
        for child in children[zone_id]:
            found |= walk(child)
        return found

    return {zone_id: sorted(walk(zone_id)) for zone_id in level}


def counting_types(bundle_rows: BundleRows) -> dict[str, set[str]]:
    """Each need code mapped to the service types meeting it: MET_BY types and all narrower."""
    children: dict[str, set[str]] = defaultdict(set)
    for row in bundle_rows["service_types"]:
        if row["broader"]:
            children[str(row["broader"])].add(str(row["code"]))

    def walk(code: str) -> set[str]:
        found = {code}
        for child in children[code]:
            found |= walk(child)
        return found

    return {
        str(need["code"]): set().union(*(walk(t) for t in as_list(need["met_by"])))
        for need in bundle_rows["need_types"]
    }


def classify(ratio: float, actors: int, target: float = TARGET, overlap: float = OVERLAP) -> str:
    """Status of one cell from its ratio A_i and the number of distinct actors reaching it."""
    if ratio == 0:
        return MISSING
    if ratio < target:
        return UNDER
    if ratio > overlap and actors >= 2:
        return OVER
    return COVERED


def coverage_status(
    bundle_rows: BundleRows, target: float = TARGET, overlap: float = OVERLAP
) -> dict[tuple[str, str], tuple[float, str]]:
    """(vicinity network, need) -> (A_i, status) for every vicinity network and need type.

    For need N an active service counts when its type is in MET_BY(N) or narrower; its
    catchment is the vicinity networks inside the zones it covers;
    R_j = capacity_j / sum of demand(k, N) over its catchment; A_i = sum of R_j reaching i.
    """
    finest = finest_zones(bundle_rows["zones"])
    cells = sorted({k for zone_ids in finest.values() for k in zone_ids})
    meets = counting_types(bundle_rows)
    demand: dict[tuple[str, str], int] = {
        (str(r["zone"]), str(r["need"])): int(r["people"]) for r in bundle_rows["zone_needs"]
    }
    result: dict[tuple[str, str], tuple[float, str]] = {}
    for need in sorted(meets):
        ratio: dict[str, float] = defaultdict(float)
        actors: dict[str, set[str]] = defaultdict(set)
        for service in bundle_rows["services"]:
            if service["status"] != "active" or service["type"] not in meets[need]:
                continue
            catchment = sorted({k for z in as_list(service["covers"]) for k in finest[z]})
            total = sum(demand.get((k, need), 0) for k in catchment)
            if not catchment or total == 0:
                continue
            share = int(service["capacity"]) / total
            for k in catchment:
                ratio[k] += share
                actors[k].add(str(service["actor"]))
        for k in cells:
            a = ratio.get(k, 0.0)
            result[(k, need)] = (a, classify(a, len(actors[k]), target, overlap))
    return result


def graph_counts(bundle_rows: BundleRows) -> dict[str, int]:
    """Nodes per label and relationships per type after loading the bundle into an empty graph."""
    rows = bundle_rows

    def n(name: str) -> int:
        return len(rows.get(name, ()))

    services = [*rows["services"], *rows.get("planned_services", ())]
    counts = {
        "Zone": n("zones"),
        "Actor": n("actors"),
        "ServiceType": n("service_types"),
        "NeedType": n("need_types"),
        "Service": len(services),
        "Network": n("networks"),
        "Patient": n("patients"),
        "PART_OF": sum(1 for z in rows["zones"] if z["part_of"]),
        "LOCATED_IN": sum(1 for a in rows["actors"] if a["zone"]),
        "PROVIDES": len(services),
        "OF_TYPE": len(services),
        "COVERS": sum(len(set(as_list(s["covers"]))) for s in services),
        "BROADER": sum(1 for t in rows["service_types"] if t["broader"]),
        "MET_BY": sum(len(set(as_list(t["met_by"]))) for t in rows["need_types"]),
        "HAS_NEED": n("zone_needs") + n("patient_needs"),
        "COLLABORATES_WITH": n("collaborations"),
        "MEMBER_OF": n("memberships"),
        "LIVES_IN": sum(1 for p in rows["patients"] if p["zone"]),
        "CASE_MANAGER_OF": sum(1 for p in rows["patients"] if p["case_manager"]),
    }
    counts.update(_plan_counts(rows))
    return {name: count for name, count in counts.items() if count or name in _ALWAYS}


_ALWAYS = ("Zone", "Actor", "ServiceType", "NeedType", "Service", "Network", "Patient",
           "PART_OF", "LOCATED_IN", "PROVIDES", "OF_TYPE", "COVERS", "BROADER", "MET_BY",
           "HAS_NEED", "COLLABORATES_WITH", "MEMBER_OF", "LIVES_IN", "CASE_MANAGER_OF")  # fmt: skip


def _plan_counts(rows: BundleRows) -> dict[str, int]:
    """Nodes and relationships of the co-creation tables (issue 10); absent ones count 0."""

    def get(name: str) -> Sequence[Mapping[str, Any]]:
        return rows.get(name, ())

    actions, funding = get("actions"), get("funding")
    pathways = get("care_pathways")
    return {
        "Objective": len(get("objectives")),
        "Action": len(actions),
        "CarePathway": len(pathways),
        "PathwayStep": len(get("pathway_steps")),
        "Funding": len(funding),
        "REFINES": sum(1 for o in get("objectives") if o["parent"]),
        "FOR_ZONE": len(get("objectives"))
        + sum(len(set(as_list(a["zones"]))) for a in actions)
        + sum(1 for p in pathways if p["zone"]),
        "SERVES": len(actions),
        "TARGETS": sum(len(set(as_list(a["needs"]))) for a in actions),
        "COMMITS_TO": len(get("action_commitments")),
        "PLANS": len(get("planned_services")),
        "FOR_NEED": len(pathways),
        "RUN_BY": sum(1 for p in pathways if p["network"]),
        "HAS_STEP": len(get("pathway_steps")),
        "STEP_TYPE": len(get("pathway_steps")),
        "ENROLLED_IN": len(get("enrolments")),
        "FUNDS": len(funding),
        "WORKS_IN": len(get("network_zones")),
    }
