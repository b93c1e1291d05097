"""Writing co-creation records from the API (workshops edit the plan live): objectives and
actions, funding lines, patient enrolments.

Records go through exactly the checks of a bundle import (graphsvc.io.bundle: types,
references to the bundle or the database, objective cycles, periods, funding targets), with
errors naming the argument, the record and the field (`argument actions[0] field zones:
unknown zones reference 'x'`). An objective cycle through objectives already stored is
refused too. Nothing is written unless everything is valid; then every record is written in
one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from graphsvc.core.pathways import require_pathway
from graphsvc.core.patients import require_patient
from graphsvc.errors import Forbidden, InputError
from graphsvc.io.bundle import Bundle, bundle_from_records, store_lookup, write_steps
from graphsvc.model import PLANNED
from graphsvc.store import Store

# per table, its records: a mapping, or (where it came from, mapping) for nested arguments
Records = Mapping[str, Sequence[Mapping[str, Any] | tuple[str, Mapping[str, Any]]]]


def save_records(store: Store, records: Records, arguments: Mapping[str, str]) -> dict[str, int]:
    """Check co-creation records like a bundle's tables, then write them in one transaction;
    return the records written per table. `arguments` names the argument of each table;
    a record given as (where, mapping) is named by `where` in errors."""
    typed = {
        table: [(f"argument {row[0]}", dict(row[1])) if isinstance(row, tuple)
                else (f"argument {arguments.get(table, table)}[{i}]", dict(row))
                for i, row in enumerate(rows)]
        for table, rows in records.items() if rows
    }  # fmt: skip
    if not typed:
        raise InputError(["nothing to save: give at least one record"])
    bundle = bundle_from_records(Path("graphql"), typed, existing=store_lookup(store))
    _check_stored_cycles(store, bundle)
    _check_planned_ids(store, bundle)
    store.write_all(write_steps(bundle))
    return {table: len(rows) for table, rows in bundle.tables.items() if rows}


def _check_stored_cycles(store: Store, bundle: Bundle) -> None:
    """An objective whose new parent leads back to it through stored REFINES links."""
    rows = bundle.tables.get("objectives", [])
    new = {row["id"]: row["parent"] for row in rows}
    wanted = sorted({p for p in new.values() if p})
    if not wanted:
        return
    parents = {r["id"]: r["parent"] for r in store.run("list_objective_ancestors", ids=wanted)}
    parents.update(new)  # the new links replace the stored ones
    problems = []
    for index, row in enumerate(rows):
        seen, node = [row["id"]], parents.get(row["id"])
        while node is not None and node not in seen:
            seen.append(node)
            node = parents.get(node)
        if node == row["id"]:
            loop = " -> ".join([*seen, row["id"]])
            problems.append(
                f"{bundle.where('objectives', index)} field parent: {row['id']!r} would be "
                f"part of a cycle {loop}"
            )
    if problems:
        raise InputError(problems)


def _check_planned_ids(store: Store, bundle: Bundle) -> None:
    """A planned service must not take the id of a service that is not planned (an existing
    one, or one that opened): the import leaves such a service alone, so saving it would
    silently change nothing."""
    rows = bundle.tables.get("planned_services", [])
    if not rows:
        return
    stored = {r["id"]: r["status"] for r in store.run("get_services", ids=[r["id"] for r in rows])}
    problems = [
        f"{bundle.where('planned_services', index)} field id: {row['id']!r} is an existing "
        f"{stored[row['id']]} service, not a planned one; give the to-be service an id of its own"
        for index, row in enumerate(rows)
        if stored.get(row["id"], PLANNED) != PLANNED
    ]
    if problems:
        raise InputError(problems)


def enrol(
    store: Store,
    actor_id: str | None,
    patient_id: str,
    pathway_id: str,
    since: str,
    completed: int = 0,
) -> dict[str, Any]:
    """Enrol a patient in a care pathway (or change its enrolment); return the enrolment.
    A case manager (`actor_id`) enrols only the patients it manages, checked again in the
    statement that writes (cypher/merge_enrolment.cypher)."""
    patient = require_patient(store, patient_id, scope=actor_id)
    if actor_id is not None and patient.case_manager != actor_id:
        raise Forbidden(
            "argument patientId: only the patient's case manager (or an admin) enrols it"
        )
    pathway = require_pathway(store, pathway_id)
    last = max((s.step for s in pathway.steps), default=0)
    if not 0 <= completed <= last:
        raise InputError([
            f"argument completedStep: {completed} is not between 0 and the last step ({last}) "
            f"of {pathway_id!r}"
        ])  # fmt: skip
    record = {"patient": patient_id, "pathway": pathway_id, "since": since, "completed": completed}
    written = store.run("merge_enrolment", scope=actor_id, **record)
    if not written or not written[0]["written"]:
        raise Forbidden(
            "argument patientId: only the patient's case manager (or an admin) enrols it"
        )
    return record
