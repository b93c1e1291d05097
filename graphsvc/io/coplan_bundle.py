"""The co-creation tables of a bundle (issue 10): checks beyond types and references, and the
write steps. Called from bundle.py, so they go through the same validate-everything-then-write
path as every other table.

| table | graph |
|---|---|
| `objectives` | `(:Objective {id, name, level})-[:FOR_ZONE]->(:Zone)`, `-[:REFINES]->(parent)` |
| `actions` | `(:Action {id, name, status, start_date, end_date})-[:SERVES]->(:Objective)`, `-[:FOR_ZONE]->(:Zone)` per zone, `-[:TARGETS]->(:NeedType)` per need |
| `action_commitments` | `(:Actor)-[:COMMITS_TO {role}]->(:Action)` |
| `planned_services` | `(:Service {status: 'planned', available: 0})` with PROVIDES, OF_TYPE, COVERS and `(:Action)-[:PLANS]->` |
| `care_pathways` | `(:CarePathway {id, name, share})-[:FOR_NEED]->(:NeedType)`, `-[:FOR_ZONE]->(:Zone)`, `-[:RUN_BY]->(:Network)` |
| `pathway_steps` | `(:CarePathway)-[:HAS_STEP]->(:PathwayStep {id: 'pathway:step', step, name, day})-[:STEP_TYPE]->(:ServiceType)` |
| `enrolments` | `(:Patient)-[:ENROLLED_IN {since, completed}]->(:CarePathway)` |
| `funding` | `(:Funding {id, scheme, amount, start_date, end_date, source})-[:FUNDS]->(:Zone or :Network)` |
| `network_zones` | `(:Network)-[:WORKS_IN]->(:Zone)` |
"""  # noqa: E501

from __future__ import annotations

from collections import defaultdict

from graphsvc.io.records import Bundle, check_acyclic
from graphsvc.store.base import Row


def step_id(pathway: str, step: int) -> str:
    """The key of a PathwayStep node: its pathway and rank."""
    return f"{pathway}:{step}"


def check_coplan(bundle: Bundle, problems: list[str]) -> None:
    """Meaning checks of the co-creation tables: objective tree, periods, funding targets."""
    t = bundle.tables
    check_acyclic(bundle, "objectives", "id", "parent", problems)
    for index, row in enumerate(t.get("objectives", [])):
        where = bundle.where("objectives", index)
        if row["level"] == "strategic" and row["parent"]:
            problems.append(f"{where} field parent: a strategic objective has no parent objective")
        if row["level"] == "operational" and not row["parent"]:
            problems.append(
                f"{where} field parent: an operational objective needs the objective it refines"
            )
    for table in ("actions", "funding"):
        for index, row in enumerate(t.get(table, [])):
            _check_period(bundle, table, index, row, problems)
    services = {row["id"] for row in t.get("services", [])}
    for index, row in enumerate(t.get("planned_services", [])):
        if row["id"] in services:
            problems.append(
                f"{bundle.where('planned_services', index)} field id: {row['id']!r} is also in "
                "services: a planned service is a new one"
            )
    steps: dict[str, list[int]] = defaultdict(list)
    for index, row in enumerate(t.get("pathway_steps", [])):
        steps[row["pathway"]].append(row["step"])
        if row["step"] < 1:
            problems.append(
                f"{bundle.where('pathway_steps', index)} field step: steps are numbered from 1"
            )
    for index, row in enumerate(t.get("enrolments", [])):
        done, known = row["completed"], steps.get(row["pathway"])
        if done is not None and known and done > max(known):
            problems.append(
                f"{bundle.where('enrolments', index)} field completed: {done} is after the "
                f"last step ({max(known)}) of {row['pathway']!r}"
            )
    for index, row in enumerate(t.get("care_pathways", [])):
        if row["share"] is not None and row["share"] <= 0:
            problems.append(
                f"{bundle.where('care_pathways', index)} field share: {row['share']:g} is not "
                "above 0 (the share of the people in the need the pathway is for)"
            )
    for index, row in enumerate(t.get("funding", [])):
        if (row["zone"] is None) == (row["network"] is None):
            problems.append(
                f"{bundle.where('funding', index)} field zone: give either a zone or a network "
                "(or team) it funds, not both and not neither"
            )


def _check_period(bundle: Bundle, table: str, index: int, row: Row, problems: list[str]) -> None:
    start, end = row["start_date"], row["end_date"]
    if start is not None and end is not None and end < start:
        problems.append(
            f"{bundle.where(table, index)} field end_date: {end} is before start_date {start}"
        )


def coplan_write_plan(bundle: Bundle) -> list[tuple[str, str, list[Row]]]:
    """The write steps of the co-creation tables, after every other table (dependency order)."""
    t = bundle.tables

    def get(name: str) -> list[Row]:
        return t.get(name, [])

    def pick(row: Row, *names: str) -> Row:
        return {name: row[name] for name in names}

    actions, funding = get("actions"), get("funding")
    return [
        ("merge_objectives", "objectives",
         [pick(o, "id", "name", "level", "zone") for o in get("objectives")]),
        ("merge_objective_parents", "objectives",
         [pick(o, "id", "parent") for o in get("objectives")]),
        ("merge_actions", "actions",
         [pick(a, "id", "name", "objective", "status", "start_date", "end_date")
          for a in actions]),
        ("merge_action_targets", "actions", [pick(a, "id", "zones", "needs") for a in actions]),
        ("merge_action_commitments", "action_commitments", get("action_commitments")),
        ("merge_planned_services", "planned_services", get("planned_services")),
        ("merge_care_pathways", "care_pathways",
         [pick(p, "id", "name", "need", "share") for p in get("care_pathways")]),
        ("merge_care_pathway_zones", "care_pathways",
         [pick(p, "id", "zone") for p in get("care_pathways")]),
        ("merge_care_pathway_networks", "care_pathways",
         [pick(p, "id", "network") for p in get("care_pathways")]),
        ("merge_pathway_steps", "pathway_steps", _steps(get("pathway_steps"))),
        ("merge_enrolments", "enrolments",
         [{**e, "completed": e["completed"] or 0} for e in get("enrolments")]),
        ("merge_funding", "funding",
         [pick(f, "id", "scheme", "amount", "start_date", "end_date", "source")
          for f in funding]),
        ("merge_funding_zones", "funding",
         [pick(f, "id", "zone") for f in funding if f["zone"] is not None]),
        ("merge_funding_networks", "funding",
         [pick(f, "id", "network") for f in funding if f["network"] is not None]),
        ("merge_network_zones", "network_zones", get("network_zones")),
    ]  # fmt: skip


def _steps(rows: list[Row]) -> list[Row]:
    """One row per pathway with its whole list of steps (the list replaces the stored one)."""
    by_pathway: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        step = {k: row[k] for k in ("step", "type", "name", "day")}
        by_pathway[row["pathway"]].append({"id": step_id(row["pathway"], row["step"]), **step})
    return [
        {"pathway": pathway, "steps": sorted(steps, key=lambda s: s["step"])}
        for pathway, steps in sorted(by_pathway.items())
    ]
