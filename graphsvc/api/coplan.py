"""Co-creation and population management: action plans, care pathways, funding and team
feedback (issue 10).

Resolvers only parse arguments, call one domain function (graphsvc.core.actionplan,
.pathways, .funding, .feedback, .coplan_write) and convert. Team feedback carries only the
figures that may be shown: a suppressed cell has `value: null` and `suppressed: true`.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from typing import Annotated

import strawberry

from graphsvc.api.access import (
    AGGREGATE,
    WRITE,
    audited,
    counts_patients,
    writes_funding,
    writes_patients,
    writes_plans,
)
from graphsvc.api.context import call
from graphsvc.api.planner import SCENARIO, Contribution, GapStatus, Scenario, need_of, zone_of
from graphsvc.api.types import Actor, Ctx, NeedType, ServiceStatus, Zone
from graphsvc.core import actionplan, coplan_write, feedback, funding, pathways
from graphsvc.model import ACTION_STATUSES, FUNDING_SCHEMES, OBJECTIVE_LEVELS


def _acting(info: Ctx) -> str | None:
    """The case manager a token is bound to (its scope), None for admins and local mode."""
    return info.context.principal.scope


ObjectiveLevel = strawberry.enum(
    Enum("ObjectiveLevel", {v.upper(): v for v in OBJECTIVE_LEVELS}),  # type: ignore[misc]
    description="Strategic objectives head the plan; operational ones refine them.",
)
ActionStatus = strawberry.enum(
    Enum("ActionStatus", {v.upper(): v for v in ACTION_STATUSES}),  # type: ignore[misc]
    description="Where an action is: idea, planned, running, done or dropped.",
)
FundingScheme = strawberry.enum(
    Enum("FundingScheme", {v.upper(): v for v in FUNDING_SCHEMES}),  # type: ignore[misc]
    description="How money comes: flat rate, fee for service, bundled payment, project grant.",
)


@strawberry.enum(description="What an action plan does to a gap.")
class GapOutcome(Enum):
    CLOSES = "closes"
    STAYS_OPEN = "stays_open"
    APPEARS = "appears"
    NO_GAP = "no_gap"


def _date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# -- action plans --------------------------------------------------------------------------


@strawberry.type(description="A demand cell's coverage as is and as planned.")
class PlanGap:
    zone_id: strawberry.ID
    need_code: strawberry.ID
    demand: int
    ratio_now: float = strawberry.field(description="Places per person in need, AS_IS.")
    status_now: GapStatus
    ratio_planned: float = strawberry.field(description="Places per person in need, TO_BE.")
    status_planned: GapStatus
    outcome: GapOutcome
    action_ids: list[strawberry.ID] = strawberry.field(description="Actions addressing it.")

    @classmethod
    def from_domain(cls, g: actionplan.CellGap) -> PlanGap:
        return cls(
            zone_id=strawberry.ID(g.zone), need_code=strawberry.ID(g.need), demand=g.demand,
            ratio_now=g.ratio_now, status_now=GapStatus(g.status_now),
            ratio_planned=g.ratio_planned, status_planned=GapStatus(g.status_planned),
            outcome=GapOutcome(g.outcome), action_ids=[strawberry.ID(a) for a in g.actions],
        )  # fmt: skip

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))

    @strawberry.field
    def need(self, info: Ctx) -> NeedType | None:
        return need_of(info, str(self.need_code))


@strawberry.type(description="An actor committed to an action, with its role.")
class Commitment:
    actor_id: strawberry.ID
    role: str | None

    @strawberry.field
    async def actor(self, info: Ctx) -> Actor | None:
        found = await info.context.actors.load(str(self.actor_id))
        return Actor.from_domain(found) if found else None


@strawberry.type(description="A to-be service an action plans (status planned until it opens).")
class PlannedService:
    id: strawberry.ID
    name: str
    actor_id: strawberry.ID
    type_code: strawberry.ID
    capacity: int
    status: ServiceStatus = strawberry.field(description="PLANNED until it opens.")
    covers_zone_ids: list[strawberry.ID]


@strawberry.type(description="An action of an action plan.")
class PlanAction:
    id: strawberry.ID
    name: str
    objective_id: strawberry.ID
    status: ActionStatus  # type: ignore[valid-type]
    start_date: dt.date | None
    end_date: dt.date | None
    zone_ids: list[strawberry.ID]
    need_codes: list[strawberry.ID]
    commitments: list[Commitment]
    planned_services: list[PlannedService]
    gaps: list[PlanGap] = strawberry.field(
        description="The cells it targets (its needs in its zones and their parts)."
    )

    @classmethod
    def from_domain(cls, a: actionplan.Action) -> PlanAction:
        return cls(
            id=strawberry.ID(a.id), name=a.name, objective_id=strawberry.ID(a.objective),
            status=ActionStatus(a.status), start_date=_date(a.start_date),
            end_date=_date(a.end_date), zone_ids=[strawberry.ID(z) for z in a.zones],
            need_codes=[strawberry.ID(n) for n in a.needs],
            commitments=[Commitment(actor_id=strawberry.ID(c.actor), role=c.role)
                         for c in a.commitments],
            planned_services=[PlannedService(
                id=strawberry.ID(s.id), name=s.name, actor_id=strawberry.ID(s.actor),
                type_code=strawberry.ID(s.type), capacity=s.capacity,
                status=ServiceStatus(s.status),
                covers_zone_ids=[strawberry.ID(z) for z in s.covers]) for s in a.services],
            gaps=[PlanGap.from_domain(g) for g in a.gaps],
        )  # fmt: skip


@strawberry.type(description="An objective, with the objectives refining it and its actions.")
class Objective:
    id: strawberry.ID
    name: str
    level: ObjectiveLevel  # type: ignore[valid-type]
    zone_id: strawberry.ID
    parent_id: strawberry.ID | None
    children: list[Objective]
    actions: list[PlanAction]

    @classmethod
    def from_domain(cls, o: actionplan.Objective) -> Objective:
        return cls(
            id=strawberry.ID(o.id), name=o.name, level=ObjectiveLevel(o.level),
            zone_id=strawberry.ID(o.zone),
            parent_id=strawberry.ID(o.parent) if o.parent else None,
            children=[Objective.from_domain(c) for c in o.children],
            actions=[PlanAction.from_domain(a) for a in o.actions],
        )  # fmt: skip


@strawberry.type(description="A zone's loco-regional action plan.")
class ActionPlan:
    zone_id: strawberry.ID
    objectives: list[Objective] = strawberry.field(description="The tree's roots.")
    gaps: list[PlanGap] = strawberry.field(
        description="Every cell not COVERED as is or as planned, with the actions addressing it."
    )

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))


# -- care pathways -------------------------------------------------------------------------


@strawberry.type(description="One step of a care pathway.")
class PathwayStep:
    step: int
    name: str
    type_code: strawberry.ID
    day: int | None = strawberry.field(description="Expected days after enrolment.")


@strawberry.type(description="An ordered list of steps for the people with one need.")
class CarePathway:
    id: strawberry.ID
    name: str
    need_code: strawberry.ID | None
    share: float | None = strawberry.field(
        description="The share of the people in the need it is for (null: all)."
    )
    zone_id: strawberry.ID | None
    network_id: strawberry.ID | None
    steps: list[PathwayStep]

    @classmethod
    def from_domain(cls, p: pathways.CarePathway) -> CarePathway:
        return cls(
            id=strawberry.ID(p.id), name=p.name,
            need_code=strawberry.ID(p.need) if p.need else None, share=p.share,
            zone_id=strawberry.ID(p.zone) if p.zone else None,
            network_id=strawberry.ID(p.network) if p.network else None,
            steps=[PathwayStep(step=s.step, name=s.name, type_code=strawberry.ID(s.type),
                               day=s.day) for s in p.steps],
        )  # fmt: skip


@strawberry.type(description="One step of a pathway in one zone.")
class StepCoverage:
    step: int
    name: str
    type_code: strawberry.ID
    ratio: float = strawberry.field(description="Places per person in the pathway.")
    supply: float
    status: GapStatus = strawberry.field(description="MISSING, UNDER or COVERED.")
    provider_count: int
    services: list[Contribution]


@strawberry.type(description="The steps of a pathway in one vicinity network.")
class PathwayCell:
    zone_id: strawberry.ID
    demand: float = strawberry.field(description="People in the pathway.")
    steps: list[StepCoverage]
    missing_steps: list[int] = strawberry.field(description="Steps no service reaches.")
    under_steps: list[int] = strawberry.field(description="Steps with too little capacity.")

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))


@strawberry.type(description="Coverage of every step of a care pathway, per vicinity network.")
class PathwayCoverage:
    pathway: CarePathway
    zone_id: strawberry.ID
    scenario: Scenario
    target: float
    cells: list[PathwayCell]

    @classmethod
    def from_domain(cls, c: pathways.PathwayCoverage) -> PathwayCoverage:
        return cls(
            pathway=CarePathway.from_domain(c.pathway), zone_id=strawberry.ID(c.zone),
            scenario=Scenario(c.scenario), target=c.target,
            cells=[PathwayCell(
                zone_id=strawberry.ID(cell.zone), demand=cell.demand,
                missing_steps=list(cell.missing), under_steps=list(cell.under),
                steps=[StepCoverage(
                    step=s.step, name=s.name, type_code=strawberry.ID(s.type), ratio=s.ratio,
                    supply=s.supply, status=GapStatus(s.status), provider_count=s.providers,
                    services=[Contribution.from_domain(x) for x in s.services],
                ) for s in cell.steps],
            ) for cell in c.cells],
        )  # fmt: skip


@strawberry.type(description="A patient's enrolment in a care pathway.")
class Enrolment:
    patient_id: strawberry.ID
    pathway_id: strawberry.ID
    since: dt.date
    completed_step: int


# -- funding -------------------------------------------------------------------------------


@strawberry.type(description="Funding and gap figures of one zone.")
class ZoneFunding:
    zone_id: strawberry.ID
    name: str
    population: int | None
    direct: float = strawberry.field(description="Lines funding the zone itself.")
    networks: float = strawberry.field(description="Lines funding teams working in it.")
    shared: float = strawberry.field(description="Its population share of larger zones' lines.")
    total: float
    per_inhabitant: float | None
    unmet: float = strawberry.field(
        description="People in need without a place, summed over needs (AS_IS)."
    )
    per_unmet: float | None = strawberry.field(description="Funding per person in unmet need.")
    missing_count: int = strawberry.field(description="Needs MISSING in the zone.")
    under_count: int = strawberry.field(description="Needs UNDER in the zone.")

    @classmethod
    def from_domain(cls, z: funding.ZoneFunding) -> ZoneFunding:
        return cls(
            zone_id=strawberry.ID(z.zone), name=z.name, population=z.population,
            direct=round(z.direct, 2), networks=round(z.networks, 2), shared=round(z.shared, 2),
            total=round(z.total, 2), per_inhabitant=_round(z.per_inhabitant),
            unmet=round(z.unmet, 2), per_unmet=_round(z.per_unmet), missing_count=z.missing,
            under_count=z.under,
        )  # fmt: skip

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


@strawberry.type(description="A funding line and how much of it the report counts.")
class FundingLine:
    id: strawberry.ID
    scheme: FundingScheme  # type: ignore[valid-type]
    amount: int = strawberry.field(description="Whole euros, for the line's whole period.")
    start_date: dt.date | None
    end_date: dt.date | None
    source: str | None
    target_zone_id: strawberry.ID = strawberry.field(
        description="The funded zone, or the zone the funded network works in."
    )
    network_id: strawberry.ID | None
    counted: float = strawberry.field(description="The part inside the report's period.")
    attributed: float = strawberry.field(description="The part given to the report's zones.")


@strawberry.type
class SchemeAmount:
    scheme: FundingScheme  # type: ignore[valid-type]
    amount: float


@strawberry.type(description="Funding per inhabitant and per person in unmet need, per part.")
class FundingReport:
    zone_id: strawberry.ID
    start: dt.date | None
    end: dt.date | None
    parts: list[ZoneFunding] = strawberry.field(description="One per vicinity network.")
    total: ZoneFunding
    lines: list[FundingLine]
    by_scheme: list[SchemeAmount]
    unattributed: float = strawberry.field(
        description="Counted money that went to no zone (a population is unknown)."
    )

    @classmethod
    def from_domain(cls, r: funding.FundingReport) -> FundingReport:
        return cls(
            zone_id=strawberry.ID(r.zone), start=_date(r.start), end=_date(r.end),
            parts=[ZoneFunding.from_domain(p) for p in r.parts],
            total=ZoneFunding.from_domain(r.total),
            lines=[FundingLine(
                id=strawberry.ID(x.id), scheme=FundingScheme(x.scheme), amount=x.amount,
                start_date=_date(x.start_date), end_date=_date(x.end_date), source=x.source,
                target_zone_id=strawberry.ID(x.target),
                network_id=strawberry.ID(x.network) if x.network else None,
                counted=round(x.counted, 2), attributed=round(x.attributed, 2),
            ) for x in r.lines],
            by_scheme=[SchemeAmount(scheme=FundingScheme(s), amount=round(a, 2))
                       for s, a in r.by_scheme.items()],
            unattributed=round(r.unattributed, 2),
        )  # fmt: skip


# -- team feedback -------------------------------------------------------------------------


@strawberry.type(description="One indicator of a team beside its pilot's average.")
class FeedbackIndicator:
    code: str
    label: str
    value: float | None = strawberry.field(description="Null when suppressed or unknown.")
    suppressed: bool = strawberry.field(description="Rests on 1 to k - 1 patients.")
    pilot_average: float | None = strawberry.field(
        description="Mean over the pilot's teams (the median: over all their acceptances); "
        "null when suppressed."
    )
    pilot_suppressed: bool
    teams_averaged: int
    counts_people: bool = strawberry.field(
        description="It counts people: the small-cell rule applies."
    )


@strawberry.type(description="Audit and feedback of a multidisciplinary team over a period.")
class TeamFeedback:
    team_id: strawberry.ID
    name: str
    kind: str | None
    zone_id: strawberry.ID
    pilot_zone_id: strawberry.ID
    start: dt.date
    end: dt.date
    k: int = strawberry.field(description="Cells resting on fewer patients are suppressed.")
    member_count: int
    teams_compared: list[strawberry.ID]
    indicators: list[FeedbackIndicator]

    @classmethod
    def from_domain(cls, f: feedback.TeamFeedback) -> TeamFeedback:
        return cls(
            team_id=strawberry.ID(f.team), name=f.name, kind=f.kind,
            zone_id=strawberry.ID(f.zone), pilot_zone_id=strawberry.ID(f.pilot),
            start=dt.date.fromisoformat(f.start), end=dt.date.fromisoformat(f.end), k=f.k,
            member_count=f.members, teams_compared=[strawberry.ID(t) for t in f.teams],
            indicators=[FeedbackIndicator(
                code=i.code, label=i.label, value=i.value, suppressed=i.suppressed,
                pilot_average=i.pilot_average, pilot_suppressed=i.pilot_suppressed,
                teams_averaged=i.teams_averaged, counts_people=i.patient_based,
            ) for i in f.indicators],
        )  # fmt: skip


@strawberry.type(description="A multidisciplinary or vicinity-network team (a Network).")
class Team:
    id: strawberry.ID
    name: str
    kind: str
    zone_id: strawberry.ID = strawberry.field(description="The zone it works in.")
    member_count: int

    @strawberry.field
    def zone(self, info: Ctx) -> Zone | None:
        return zone_of(info, str(self.zone_id))


FROM = strawberry.argument(name="from", description="First day (inclusive).")
TO = strawberry.argument(name="to", description="Last day (inclusive).")


@strawberry.type
class CoPlanQuery:
    @strawberry.field(
        description="The zone's action plan: objectives, actions, commitments, planned "
        "services, and per action the gaps it addresses with their status as is and as "
        "planned."
    )
    async def action_plan(self, info: Ctx, zone_id: strawberry.ID) -> ActionPlan:
        plan = await call(actionplan.action_plan, info.context.store, str(zone_id))
        return ActionPlan(
            zone_id=strawberry.ID(plan.zone),
            objectives=[Objective.from_domain(o) for o in plan.objectives],
            gaps=[PlanGap.from_domain(g) for g in plan.gaps],
        )

    @strawberry.field(description="Care pathways (all, or those with the given ids).")
    async def care_pathways(
        self, info: Ctx, ids: list[strawberry.ID] | None = None
    ) -> list[CarePathway]:
        wanted = [str(i) for i in ids] if ids is not None else None
        found = await call(pathways.care_pathways, info.context.store, wanted)
        return [CarePathway.from_domain(p) for p in found]

    @strawberry.field(
        description="For each vicinity network of a zone, which steps of a care pathway have "
        "no provider (MISSING) or too little capacity (UNDER) for the people in the pathway."
    )
    async def pathway_coverage(
        self,
        info: Ctx,
        pathway_id: strawberry.ID,
        zone_id: strawberry.ID,
        target: Annotated[
            float, strawberry.argument(description="Places per person in the pathway (1.0).")
        ] = 1.0,
        scenario: Annotated[Scenario, strawberry.argument(description=SCENARIO)] = Scenario.AS_IS,
    ) -> PathwayCoverage:
        found = await call(pathways.pathway_coverage, info.context.store, str(pathway_id),
                           str(zone_id), target, scenario.value)  # fmt: skip
        return PathwayCoverage.from_domain(found)

    @strawberry.field(
        description="Funding per inhabitant and per person in unmet need, by vicinity "
        "network, beside the gap figures; with a period, lines count pro rata."
    )
    async def funding_report(
        self,
        info: Ctx,
        zone_id: strawberry.ID,
        from_: Annotated[dt.date | None, FROM] = None,
        to: Annotated[dt.date | None, TO] = None,
    ) -> FundingReport:
        found = await call(funding.funding_report, info.context.store, str(zone_id), from_, to)
        return FundingReport.from_domain(found)

    @strawberry.field(
        description="The teams working in a zone or its parts: those teamFeedback (and the "
        "printable page /feedback/team/{id}) reports on."
    )
    async def teams(self, info: Ctx, zone_id: strawberry.ID) -> list[Team]:
        found = await call(feedback.zone_teams, info.context.store, str(zone_id))
        return [Team(id=strawberry.ID(t.id), name=t.name, kind=t.kind,
                     zone_id=strawberry.ID(t.zone), member_count=t.members)
                for t in found]  # fmt: skip

    @strawberry.field(
        description="Indicators of a team over a period beside its pilot's average; figures "
        "resting on 1 to k - 1 patients (k = GRAPHSVC_SUPPRESSION_K, 10) are suppressed "
        "(planners and admins). Printable: /feedback/team/{teamId}?from=&to=[&format=csv].",
        extensions=counts_patients(),
    )
    async def team_feedback(
        self,
        info: Ctx,
        team_id: strawberry.ID,
        from_: Annotated[dt.date, FROM],
        to: Annotated[dt.date, TO],
    ) -> TeamFeedback:
        context = info.context

        async def work() -> feedback.TeamFeedback:
            return await call(feedback.team_feedback, context.store, str(team_id), from_, to,
                              context.suppression_k, True)  # fmt: skip

        found = await audited(info, AGGREGATE, None, work, lambda _: [None], team=str(team_id))
        return TeamFeedback.from_domain(found)


@strawberry.input(description="An objective of an action plan.")
class ObjectiveInput:
    id: strawberry.ID
    name: str
    level: ObjectiveLevel  # type: ignore[valid-type]
    zone_id: strawberry.ID
    parent_id: strawberry.ID | None = None


@strawberry.input(description="An actor committing to an action.")
class CommitmentInput:
    actor_id: strawberry.ID
    role: str | None = None


@strawberry.input(description="A to-be service an action plans.")
class PlannedServiceInput:
    id: strawberry.ID
    actor_id: strawberry.ID
    type_code: strawberry.ID
    name: str
    capacity: int
    covers_zone_ids: list[strawberry.ID]
    languages: list[str] = strawberry.field(default_factory=list)
    eligibility: list[str] = strawberry.field(default_factory=list)


@strawberry.input(description="An action of an action plan.")
class ActionInput:
    id: strawberry.ID
    name: str
    objective_id: strawberry.ID
    status: ActionStatus  # type: ignore[valid-type]
    zone_ids: list[strawberry.ID]
    need_codes: list[strawberry.ID]
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    commitments: list[CommitmentInput] = strawberry.field(default_factory=list)
    planned_services: list[PlannedServiceInput] = strawberry.field(default_factory=list)


@strawberry.input(description="A funding line of a zone, or of a network or team.")
class FundingInput:
    id: strawberry.ID
    scheme: FundingScheme  # type: ignore[valid-type]
    amount: int = strawberry.field(description="Whole euros for the whole period.")
    start_date: dt.date
    end_date: dt.date
    source: str
    zone_id: strawberry.ID | None = None
    network_id: strawberry.ID | None = None


@strawberry.type(description="Records written, per table.")
class Saved:
    table: str
    count: int


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@strawberry.type
class CoPlanMutation:
    @strawberry.mutation(
        description="Save objectives and actions (with their commitments and planned "
        "services) of an action plan; checked like a bundle import, all or nothing "
        "(planners and admins).",
        extensions=writes_plans(),
    )
    async def save_action_plan(
        self,
        info: Ctx,
        objectives: list[ObjectiveInput] | None = None,
        actions: list[ActionInput] | None = None,
    ) -> list[Saved]:
        records = {
            "objectives": [
                {"id": str(o.id), "name": o.name, "level": o.level.value,
                 "zone": str(o.zone_id), "parent": _text(o.parent_id)}
                for o in objectives or []
            ],
            "actions": [
                {"id": str(a.id), "name": a.name, "objective": str(a.objective_id),
                 "status": a.status.value, "start_date": _iso(a.start_date),
                 "end_date": _iso(a.end_date), "zones": [str(z) for z in a.zone_ids],
                 "needs": [str(n) for n in a.need_codes]}
                for a in actions or []
            ],
            "action_commitments": [
                (f"actions[{i}].commitments[{j}]",
                 {"action": str(a.id), "actor": str(c.actor_id), "role": c.role})
                for i, a in enumerate(actions or []) for j, c in enumerate(a.commitments)
            ],
            "planned_services": [
                (f"actions[{i}].plannedServices[{j}]",
                 {"id": str(s.id), "action": str(a.id), "actor": str(s.actor_id),
                  "type": str(s.type_code), "name": s.name, "capacity": s.capacity,
                  "languages": list(s.languages), "eligibility": list(s.eligibility),
                  "covers": [str(z) for z in s.covers_zone_ids]})
                for i, a in enumerate(actions or []) for j, s in enumerate(a.planned_services)
            ],
        }  # fmt: skip
        saved = await call(coplan_write.save_records, info.context.store, records, {})
        return [Saved(table=t, count=n) for t, n in saved.items()]

    @strawberry.mutation(
        description="Save funding lines; checked like a bundle import, all or nothing (admins).",
        extensions=writes_funding(),
    )
    async def save_funding(self, info: Ctx, lines: list[FundingInput]) -> list[Saved]:
        records = {
            "funding": [
                {"id": str(x.id), "zone": _text(x.zone_id), "network": _text(x.network_id),
                 "scheme": x.scheme.value, "amount": x.amount,
                 "start_date": _iso(x.start_date), "end_date": _iso(x.end_date),
                 "source": x.source}
                for x in lines
            ]
        }  # fmt: skip
        saved = await call(coplan_write.save_records, info.context.store, records,
                           {"funding": "lines"})  # fmt: skip
        return [Saved(table=t, count=n) for t, n in saved.items()]

    @strawberry.mutation(
        description="Enrol a patient in a care pathway (or change its enrolment): partner "
        "search then favours the providers of its next step.",
        extensions=writes_patients(),
    )
    async def enrol_patient(
        self,
        info: Ctx,
        patient_id: strawberry.ID,
        pathway_id: strawberry.ID,
        since: dt.date,
        completed_step: Annotated[
            int, strawberry.argument(description="The last step done (0: none).")
        ] = 0,
    ) -> Enrolment:
        store, actor = info.context.store, _acting(info)

        async def work() -> dict:
            return await call(coplan_write.enrol, store, actor, str(patient_id),
                              str(pathway_id), since.isoformat(), completed_step)  # fmt: skip

        found = await audited(info, WRITE, str(patient_id), work)
        return Enrolment(patient_id=strawberry.ID(found["patient"]),
                         pathway_id=strawberry.ID(found["pathway"]),
                         since=dt.date.fromisoformat(found["since"]),
                         completed_step=found["completed"])  # fmt: skip
