"""Care pathways: ordered steps of service types, their coverage per vicinity network, and
the next step of an enrolled patient.

A CarePathway is for the people with one need type (FOR_NEED, e.g. diabetes type 2 for
`diabetes-self-management`), or a `share` of them (palliative home care: a few percent of the
people needing nursing care at home); each step is a service type with the day it is expected
after enrolment. The coverage of a step in a cell (a zone inside the asked zone that records
the pathway's need) is the catchment ratio of DESIGN §4 with the people in the pathway
(people in the need x share) as demand and the services of the step's type (or a narrower
one) as supply: each service shares its capacity over the people in the pathway in every
cell it covers. A step is MISSING in a
cell no service of its type reaches, UNDER below the target (default 1.0 place per person
in the pathway), else COVERED. `scenario: TO_BE` counts the planned services of action plans
too, as gap queries do.

A patient enrolled in a pathway (ENROLLED_IN {since, completed}) is at the first step after
`completed`; partner search (graphsvc.core.partners) favours the providers of that step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from graphsvc.core import gaps
from graphsvc.core.coverage import (
    COVERED,
    DEFAULT_OVERLAP,
    DEFAULT_TARGET,
    MISSING,
    OVER,
    UNDER,
    Thresholds,
)
from graphsvc.core.directory import require_zone
from graphsvc.errors import NotFound
from graphsvc.store import Row, Store


@dataclass(frozen=True)
class Step:
    step: int
    name: str
    type: str
    day: int | None = None


@dataclass(frozen=True)
class CarePathway:
    id: str
    name: str
    need: str | None
    zone: str | None
    network: str | None
    steps: tuple[Step, ...]
    share: float | None = None  # the share of the people in the need it is for (None: all)

    @classmethod
    def from_row(cls, row: Row) -> CarePathway:
        steps = sorted((Step(s["step"], s["name"], s["type"], s.get("day"))
                        for s in row["steps"] or ()), key=lambda s: s.step)  # fmt: skip
        return cls(row["id"], row["name"], row["need"], row["zone"], row["network"],
                   tuple(steps), row.get("share"))  # fmt: skip


@dataclass(frozen=True)
class StepCoverage:
    """One step of the pathway in one cell."""

    step: int
    name: str
    type: str
    ratio: float  # places per person in the pathway's need
    supply: float
    status: str  # MISSING, UNDER or COVERED
    providers: int
    services: tuple[gaps.Contribution, ...] = ()


@dataclass(frozen=True)
class CellCoverage:
    """The steps of a pathway in one zone (a vicinity network)."""

    zone: str
    demand: float  # people in the pathway: people in its need x its share
    steps: tuple[StepCoverage, ...]

    @property
    def missing(self) -> tuple[int, ...]:
        return tuple(s.step for s in self.steps if s.status == MISSING)

    @property
    def under(self) -> tuple[int, ...]:
        return tuple(s.step for s in self.steps if s.status == UNDER)


@dataclass(frozen=True)
class PathwayCoverage:
    pathway: CarePathway
    zone: str
    scenario: str
    target: float
    cells: tuple[CellCoverage, ...]


@dataclass(frozen=True)
class NextStep:
    """Where an enrolled patient is in a pathway: the next step (None when all are done)."""

    pathway: str
    name: str
    since: str | None
    completed: int
    step: Step | None
    types: tuple[str, ...] = ()  # the step's service type and the narrower ones


def care_pathways(store: Store, ids: list[str] | None = None) -> list[CarePathway]:
    """Care pathways by id (all when ids is None), in one round trip."""
    return [CarePathway.from_row(r) for r in store.run("get_care_pathways", ids=ids)]


def require_pathway(store: Store, pathway_id: str, argument: str = "pathwayId") -> CarePathway:
    found = care_pathways(store, [pathway_id])
    if not found:
        raise NotFound(f"argument {argument}: unknown care pathway {pathway_id!r}")
    return found[0]


def pathway_coverage(
    store: Store,
    pathway_id: str,
    zone_id: str,
    target: float = DEFAULT_TARGET,
    scenario: str = gaps.AS_IS,
) -> PathwayCoverage:
    """Coverage of every step of a pathway in each cell of a zone (four round trips)."""
    query = gaps.GapQuery(zone_id, thresholds=Thresholds(target, max(target, DEFAULT_OVERLAP)),
                          scenario=scenario)  # checks the arguments  # fmt: skip
    pathway = require_pathway(store, pathway_id)
    require_zone(store, zone_id)
    if pathway.need is None or not pathway.steps:
        return PathwayCoverage(pathway, zone_id, scenario, target, ())
    cell_rows = store.run("list_need_cells", zone=zone_id, needs=[pathway.need])
    share = pathway.share if pathway.share is not None else 1.0
    people = {r["zone"]: (r["people"] or 0) * share for r in cell_rows}
    rows = store.run("list_step_catchment_services", pathway=pathway.id, zone=zone_id,
                     statuses=list(gaps.SCENARIO_STATUSES[scenario]))  # fmt: skip
    # one pseudo-need per step: the gap arithmetic then runs unchanged
    cells = [gaps.Cell(zone, _key(s.step), n) for zone, n in people.items() for s in pathway.steps]
    providers = []
    for r in rows:
        inside = {zone: people.get(zone, 0.0) for zone in r["cells"]}
        providers.append(gaps.Provider(
            r["service"], r["name"], r["actor"], r["capacity"] or 0, _key(r["step"]),
            catchment=inside, outside=(r["people"] or 0) * share - sum(inside.values()),
        ))  # fmt: skip
    data = gaps.CoverageInput(cells, providers, gaps.catchment_cells(providers))
    found: dict[str, dict[int, gaps.GapRow]] = defaultdict(dict)
    for row in gaps.compute(data, query):
        if not row.rollup:
            found[row.zone][int(row.need)] = row
    result = []
    for zone, demand in sorted(people.items()):
        steps = tuple(_step(s, found[zone][s.step]) for s in pathway.steps)
        result.append(CellCoverage(zone, demand, steps))
    return PathwayCoverage(pathway, zone_id, scenario, target, tuple(result))


def _key(step: int) -> str:
    return str(step)


def _step(step: Step, row: gaps.GapRow) -> StepCoverage:
    status = COVERED if row.status == OVER else row.status  # plenty is not a problem here
    return StepCoverage(step.step, step.name, step.type, row.ratio, row.supply, status,
                        row.providers, row.contributions)  # fmt: skip


def next_steps(store: Store, patient_id: str) -> list[NextStep]:
    """The next step of each pathway the patient is enrolled in (one round trip)."""
    result = []
    for row in store.run("list_patient_next_steps", patient=patient_id):
        steps = sorted((s for s in row["steps"] or () if s), key=lambda s: s["step"])
        first = steps[0] if steps else None
        step, types = None, ()
        if first:
            step = Step(first["step"], first["name"], first["type"], first.get("day"))
            types = tuple(sorted(first["types"] or ()))
        result.append(NextStep(row["pathway"], row["name"], row["since"],
                               row["completed"] or 0, step, types))  # fmt: skip
    return result
