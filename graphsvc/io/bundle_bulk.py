"""A checked bundle as FalkorDB bulk blobs: the graph the core write steps of `_write_plan`
would make in an empty database, node for node and relationship for relationship.

Each rule mirrors its Cypher (cypher/create_*.cypher, merge_*.cypher): a null property is left
unset, a MERGE keeps one relationship per pair with the last row's properties, a MATCH that
finds nothing writes nothing. `tests/test_bulk_load.py` proves the graph equal to the UNWIND
load's by digest.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graphsvc.io.bundle_format import IDENTIFIER_SCHEMES
from graphsvc.store.base import Row
from graphsvc.store.bulk import BulkGraph

# the write steps the bulk graph holds; the others (co-creation) go through UNWIND after it
BULK_STEPS = frozenset({
    "merge_service_types", "merge_service_type_broader", "merge_need_types",
    "merge_need_met_by", "merge_zones", "merge_zone_parts", "merge_actors",
    "merge_actor_identifiers", "merge_networks", "merge_memberships", "merge_collaborations",
    "merge_services", "merge_service_classifications", "merge_service_coverage",
    "merge_zone_needs", "merge_patients", "merge_patient_needs",
})  # fmt: skip


def bulk_graph(tables: dict[str, list[Row]]) -> BulkGraph:
    """The nodes and relationships of the core tables (`BULK_STEPS`)."""
    g = BulkGraph()
    get = lambda name: tables.get(name, [])  # noqa: E731
    _last = _last_by  # (short name)

    types = _last(get("service_types"), "code")
    g.nodes("ServiceType", "code", ("code", "name", "category"), types)
    needs = _last(get("need_types"), "code")
    g.nodes("NeedType", "code", ("code", "name", "domain"), needs)
    zones = _last(get("zones"), "id")
    g.nodes("Zone", "id", ("id", "name", "level", "population", "lat", "lon"), zones)
    identifiers: dict[str, dict[str, Any]] = {}
    for row in get("actor_identifiers"):
        identifiers.setdefault(row["actor"], {})[row["scheme"]] = row["value"]
    actors = [
        {**a, **identifiers.get(a["id"], {})}
        for a in _last(get("actors"), "id")
        if g.node_id("Zone", a["zone"]) is not None
    ]
    g.nodes("Actor", "id", ("id", "name", "kind", "line", "discipline", "languages", "lat",
                            "lon", *IDENTIFIER_SCHEMES), actors)  # fmt: skip
    g.nodes("Network", "id", ("id", "name", "kind"), _last(get("networks"), "id"))
    classified: dict[str, list[str]] = {}
    for row in get("service_classifications"):
        classified.setdefault(row["service"], []).append(row["type"])
    services = [
        {**s, "classifications": sorted(classified[s["id"]]) if s["id"] in classified else None}
        for s in _last(get("services"), "id")
        if g.node_id("Actor", s["actor"]) is not None
        and g.node_id("ServiceType", s["type"]) is not None
    ]
    g.nodes("Service", "id", ("id", "name", "capacity", "capacity_provenance", "available",
                              "languages", "eligibility", "status", "classifications"),
            services)  # fmt: skip
    patients = [
        p for p in _last(get("patients"), "id")
        if g.node_id("Zone", p["zone"]) is not None
        and g.node_id("Actor", p["case_manager"]) is not None
    ]  # fmt: skip
    g.nodes("Patient", "id", ("id", "languages", "eligibility"), patients)

    def pairs(rows: Iterable[tuple[str, Any, str, Any, Sequence[Any]]]) -> list:
        """(source label, key, target label, key, props) -> ids, once per pair (MERGE: the
        last row's properties), skipping an end that does not exist (MATCH)."""
        found: dict[tuple[int, int], Sequence[Any]] = {}
        for s_label, s_key, t_label, t_key, props in rows:
            s, t = g.node_id(s_label, s_key), g.node_id(t_label, t_key)
            if s is not None and t is not None:
                found[(s, t)] = props
        return [(s, t, props) for (s, t), props in found.items()]

    st, nt = "ServiceType", "NeedType"
    g.edges("BROADER", (), pairs((st, t["code"], st, t["broader"], ()) for t in types
                                  if t["broader"] is not None))  # fmt: skip
    g.edges("MET_BY", (), pairs((nt, n["code"], st, code, ()) for n in needs
                                 for code in n["met_by"]))  # fmt: skip
    g.edges("PART_OF", (), pairs(("Zone", z["id"], "Zone", z["part_of"], ()) for z in zones
                                  if z["part_of"] is not None))  # fmt: skip
    g.edges("HAS_NEED", ("people", "year", "source"), pairs(
        ("Zone", n["zone"], nt, n["need"], (n["people"], n["year"], n["source"]))
        for n in get("zone_needs")))  # fmt: skip
    g.edges("LOCATED_IN", (), pairs(("Actor", a["id"], "Zone", a["zone"], ()) for a in actors))
    g.edges("MEMBER_OF", ("role",), pairs(
        ("Actor", m["actor"], "Network", m["network"], (m["role"],))
        for m in get("memberships")))  # fmt: skip
    g.edges("COLLABORATES_WITH", ("kind", "since"), pairs(
        ("Actor", c["source"], "Actor", c["target"], (c["kind"], c["since"]))
        for c in get("collaborations")))  # fmt: skip
    g.edges("PROVIDES", (), pairs(("Actor", s["actor"], "Service", s["id"], ())
                                   for s in services))  # fmt: skip
    g.edges("OF_TYPE", (), pairs(("Service", s["id"], st, s["type"], ()) for s in services))
    g.edges("COVERS", (), pairs(("Service", s["id"], "Zone", z, ()) for s in services
                                 for z in s["covers"]))  # fmt: skip
    g.edges("LIVES_IN", (), pairs(("Patient", p["id"], "Zone", p["zone"], ())
                                   for p in patients))  # fmt: skip
    g.edges("CASE_MANAGER_OF", (), pairs(("Actor", p["case_manager"], "Patient", p["id"], ())
                                          for p in patients))  # fmt: skip
    g.edges("HAS_NEED", ("since",), pairs(
        ("Patient", n["patient"], nt, n["need"], (n["since"],))
        for n in get("patient_needs")))  # fmt: skip
    return g


def _last_by(rows: list[Row], key: str) -> list[Row]:
    """One row per key, the last one (MERGE then SET: the last row wins), in first order."""
    by_key: dict[Any, Row] = {}
    for row in rows:
        by_key[row[key]] = row
    return list(by_key.values())
