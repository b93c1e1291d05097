"""Loco-regional action plans: objectives, actions, commitments and the gaps they address.

An action plan of a zone is a tree of objectives (strategic ones at the top, operational ones
REFINES their parent) for the zone or zones inside it. An action SERVES one objective,
TARGETS need types in zones (FOR_ZONE), has a status (idea, planned, running, done, dropped)
and dates, actors COMMITS_TO it with a role, and it may PLAN to-be services: Service nodes
with status `planned` that only the TO_BE scenario of gap queries counts (graphsvc.core.gaps;
those of a dropped action never count).

The gaps an action addresses are the demand cells (zones recording a need) inside the zones
it targets, for the needs it targets, with their coverage as is (AS_IS: active services) and
as planned (TO_BE: active and planned services). An action *closes* a cell that is MISSING or
UNDER as is and neither as planned. The plan lists every cell of the zone that is not COVERED
as is or as planned, with the actions addressing it: the gaps the plan closes, those it leaves
open and those no action addresses.

`action_plan` costs eight database round trips whatever the size of the plan: the zone, the
objectives, the actions, their services, and cells and services twice (as is, as planned).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field, replace

from graphsvc.core import gaps
from graphsvc.core.coverage import COVERED, MISSING, UNDER
from graphsvc.core.directory import require_zone
from graphsvc.store import Row, Store

SHORT = (MISSING, UNDER)  # statuses of a gap: no place or too few


@dataclass(frozen=True)
class Commitment:
    actor: str
    role: str | None = None


@dataclass(frozen=True)
class PlannedService:
    """A service an action plans; `status` is `planned` until it opens."""

    id: str
    name: str
    actor: str
    type: str
    capacity: int
    status: str
    covers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CellGap:
    """One demand cell's coverage as is and as planned."""

    zone: str
    need: str
    demand: int
    ratio_now: float
    status_now: str
    ratio_planned: float
    status_planned: str
    actions: tuple[str, ...] = ()  # the actions addressing it (in the plan)

    @property
    def closes(self) -> bool:
        """A gap now (MISSING or UNDER) that the plan's to-be services close."""
        return self.status_now in SHORT and self.status_planned not in SHORT

    @property
    def outcome(self) -> str:
        """closes, stays_open (a gap as planned too), appears (only as planned) or no_gap."""
        if self.closes:
            return "closes"
        if self.status_now in SHORT or self.status_planned in SHORT:
            return "stays_open" if self.status_now in SHORT else "appears"
        return "no_gap"


@dataclass(frozen=True)
class Action:
    id: str
    name: str
    objective: str
    status: str
    start_date: str | None
    end_date: str | None
    zones: tuple[str, ...]
    needs: tuple[str, ...]
    commitments: tuple[Commitment, ...] = ()
    services: tuple[PlannedService, ...] = ()
    gaps: tuple[CellGap, ...] = ()  # the cells it targets, every status


@dataclass(frozen=True)
class Objective:
    id: str
    name: str
    level: str
    zone: str
    parent: str | None
    children: tuple[Objective, ...] = ()
    actions: tuple[Action, ...] = ()


@dataclass(frozen=True)
class ActionPlan:
    zone: str
    objectives: tuple[Objective, ...]  # the roots of the tree (strategic objectives)
    gaps: tuple[CellGap, ...] = field(default=())  # cells not COVERED as is or as planned

    def all_actions(self) -> list[Action]:
        """Every action of the plan, depth first, in tree order."""
        found: list[Action] = []

        def walk(objective: Objective) -> None:
            found.extend(objective.actions)
            for child in objective.children:
                walk(child)

        for root in self.objectives:
            walk(root)
        return found


def action_plan(store: Store, zone_id: str) -> ActionPlan:
    """The action plan of a zone: its objective tree, actions and the gaps they address."""
    require_zone(store, zone_id)
    objective_rows = store.run("list_plan_objectives", zone=zone_id)
    ids = [r["id"] for r in objective_rows]
    action_rows = store.run("list_plan_actions", objectives=ids) if ids else []
    services: dict[str, list[PlannedService]] = defaultdict(list)
    if action_rows:
        for row in store.run("list_action_services", actions=[r["id"] for r in action_rows]):
            services[row["action"]].append(_service(row))
    cells = cell_gaps(store, zone_id)
    actions = [_action(row, services[row["id"]], cells) for row in action_rows]
    addressing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for action in actions:
        for gap in action.gaps:
            addressing[(gap.zone, gap.need)].append(action.id)
    plan_gaps = tuple(
        replace(gap, actions=tuple(addressing.get(key, ())))
        for key, gap in sorted(cells.items())
        if gap.status_now != COVERED or gap.status_planned != COVERED
    )
    return ActionPlan(zone_id, _tree(objective_rows, actions), plan_gaps)


def cell_gaps(store: Store, zone_id: str) -> dict[tuple[str, str], CellGap]:
    """Every demand cell of a zone with its status as is and as planned (four round trips)."""
    now, planned = (_cells(store, gaps.GapQuery(zone_id, scenario=scenario))
                    for scenario in (gaps.AS_IS, gaps.TO_BE))  # fmt: skip
    return {
        key: CellGap(row.zone, row.need, row.demand, row.ratio, row.status,
                     planned[key].ratio, planned[key].status)
        for key, row in now.items()
    }  # fmt: skip


def _cells(store: Store, query: gaps.GapQuery) -> dict[tuple[str, str], gaps.GapRow]:
    """The cell rows (not the roll-ups) of a gap query, by (zone, need)."""
    rows = gaps.compute(gaps.fetch(store, query), query)
    return {(r.zone, r.need): r for r in rows if not r.rollup}


def _service(row: Row) -> PlannedService:
    return PlannedService(row["id"], row["name"], row["actor"], row["type"],
                          row["capacity"] or 0, row["status"],
                          tuple(sorted(row["covers"] or ())))  # fmt: skip


def _action(
    row: Row, services: list[PlannedService], cells: dict[tuple[str, str], CellGap]
) -> Action:
    targeted = set(row["cells"] or ())
    needs = tuple(sorted(row["needs"] or ()))
    found = tuple(cell for (zone, need), cell in sorted(cells.items())
                  if zone in targeted and need in needs)  # fmt: skip
    commitments = tuple(
        sorted((Commitment(c["actor"], c.get("role")) for c in row["commitments"] or ()),
               key=lambda c: c.actor)
    )  # fmt: skip
    return Action(
        id=row["id"], name=row["name"], objective=row["objective"], status=row["status"],
        start_date=row["start_date"], end_date=row["end_date"],
        zones=tuple(sorted(row["zones"] or ())), needs=needs, commitments=commitments,
        services=tuple(services), gaps=found,
    )  # fmt: skip


def _tree(rows: list[Row], actions: list[Action]) -> tuple[Objective, ...]:
    """The objectives as a tree; an objective whose parent is outside the plan is a root."""
    known = {r["id"] for r in rows}
    children: dict[str | None, list[Row]] = defaultdict(list)
    for row in rows:
        parent = row["parent"] if row["parent"] in known else None
        children[parent].append(row)
    by_objective: dict[str, list[Action]] = defaultdict(list)
    for action in actions:
        by_objective[action.objective].append(action)

    def build(row: Row, seen: frozenset[str]) -> Objective:
        below = [build(c, seen | {row["id"]}) for c in children[row["id"]]
                 if c["id"] not in seen]  # fmt: skip
        return Objective(row["id"], row["name"], row["level"], row["zone"], row["parent"],
                         tuple(below), tuple(by_objective[row["id"]]))  # fmt: skip

    return tuple(build(row, frozenset()) for row in children[None])
