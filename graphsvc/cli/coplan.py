"""Co-creation commands: the action plan, care pathway coverage, the funding report and the
team feedback page of a zone or team."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
from dataclasses import asdict
from typing import Any

from rich.table import Table
from rich.tree import Tree

from graphsvc.cli.common import add_force, emit, out, output_path, say
from graphsvc.config import Settings
from graphsvc.core import actionplan, feedback, funding, pathways
from graphsvc.core.coverage import DEFAULT_TARGET
from graphsvc.core.gaps import AS_IS, TO_BE
from graphsvc.errors import InputError
from graphsvc.feedback_page import feedback_csv, feedback_html
from graphsvc.store import open_store

FORMATS = ("table", "csv", "json")


def _date(raw: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{raw!r} is not a date (YYYY-MM-DD)") from None


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    plan = sub.add_parser("plan", help="a zone's action plan and the gaps its actions address")
    plan.add_argument("--zone", required=True, help="zone id, e.g. leuven")
    plan.add_argument("--format", choices=("table", "json"), default="table")
    plan.set_defaults(run=_plan)

    pathway = sub.add_parser("pathway", help="coverage of a care pathway's steps in a zone")
    pathway.add_argument("--id", help="care pathway id (without it: list the pathways)")
    pathway.add_argument("--zone", help="zone id, e.g. leuven")
    pathway.add_argument("--target", type=float, default=DEFAULT_TARGET,
                         help=f"places per person in the pathway ({DEFAULT_TARGET})")  # fmt: skip
    pathway.add_argument("--scenario", choices=("as-is", "to-be"), default="as-is")
    pathway.add_argument("--all", action="store_true", help="also the COVERED steps")
    pathway.add_argument("--format", choices=FORMATS, default="table")
    pathway.set_defaults(run=_pathway)

    money = sub.add_parser("funding", help="funding per inhabitant and per person in unmet need")
    money.add_argument("--zone", required=True, help="zone id, e.g. leuven")
    money.add_argument("--from", dest="start", type=_date, help="first day (YYYY-MM-DD)")
    money.add_argument("--to", dest="end", type=_date, help="last day (YYYY-MM-DD)")
    money.add_argument("--format", choices=FORMATS, default="table")
    money.set_defaults(run=_funding)

    team = sub.add_parser("feedback", help="a team's feedback page (HTML) or indicators (CSV)")
    team.add_argument("--team", required=True, help="team (network) id")
    team.add_argument("--from", dest="start", type=_date,
                      help="first day (default: 1 January of this year)")  # fmt: skip
    team.add_argument("--to", dest="end", type=_date, help="last day (default: today)")
    team.add_argument("--format", choices=("html", "csv"), default="html")
    team.add_argument("-o", "--output", help="file to write (default: stdout)")
    add_force(team)
    team.set_defaults(run=_feedback)


def _plan(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        found = actionplan.action_plan(store, args.zone)
    finally:
        store.close()
    if args.format == "json":
        sys.stdout.write(json.dumps(asdict(found), ensure_ascii=False, indent=1) + "\n")
        return 0
    tree = Tree(f"action plan of {found.zone}")

    def add(node: Tree, objective: actionplan.Objective) -> None:
        branch = node.add(f"[bold]{objective.name}[/] ({objective.id}, {objective.level})")
        for a in objective.actions:
            when = f", {a.start_date} to {a.end_date}" if a.start_date else ""
            leaf = branch.add(f"{a.name} ({a.id}, {a.status}{when})")
            leaf.add("committed: " + ", ".join(f"{c.actor} ({c.role})" for c in a.commitments))
            for s in a.services:
                leaf.add(f"plans {s.id}: {s.type}, capacity {s.capacity}, {s.status}")
            for g in a.gaps:
                leaf.add(f"{g.zone} {g.need}: {g.status_now} {g.ratio_now:.2f} -> "
                         f"{g.status_planned} {g.ratio_planned:.2f} ({g.outcome})")  # fmt: skip
        for child in objective.children:
            add(branch, child)

    for root in found.objectives:
        add(tree, root)
    out.print(tree)
    table = Table(title="gaps as is and as planned")
    for column in ("zone", "need", "as is", "ratio", "as planned", "ratio", "outcome", "actions"):
        table.add_column(column)
    for g in found.gaps:
        table.add_row(g.zone, g.need, g.status_now, f"{g.ratio_now:.2f}", g.status_planned,
                      f"{g.ratio_planned:.2f}", g.outcome, ", ".join(g.actions))  # fmt: skip
    out.print(table)
    return 0


PATHWAY_COLUMNS = ("zone", "demand", "step", "name", "service_type", "ratio", "supply",
                   "status", "providers")  # fmt: skip


def _pathway(args: argparse.Namespace, settings: Settings) -> int:
    if args.id is not None and args.zone is None:
        raise InputError(["argument --zone: give the zone whose vicinity networks to show"])
    store = open_store(settings)
    try:
        if args.id is None:
            listed = pathways.care_pathways(store)
        else:
            scenario = TO_BE if args.scenario == "to-be" else AS_IS
            found = pathways.pathway_coverage(store, args.id, args.zone, args.target, scenario)
    finally:
        store.close()
    if args.id is None:
        records = [{"id": p.id, "name": p.name, "need": p.need, "share": p.share,
                    "steps": " > ".join(f"{s.step}. {s.type}" for s in p.steps)}
                   for p in listed]  # fmt: skip
        emit(args.format, ("id", "name", "need", "share", "steps"), records, "care pathways")
        return 0
    records = [
        {"zone": cell.zone, "demand": round(cell.demand, 2), "step": s.step, "name": s.name,
         "service_type": s.type, "ratio": round(s.ratio, 4), "supply": round(s.supply, 2),
         "status": s.status, "providers": s.providers}
        for cell in found.cells for s in cell.steps if args.all or s.status != "COVERED"
    ]  # fmt: skip
    title = f"{found.pathway.name} in {found.zone} ({found.scenario}, target {found.target:g})"
    emit(args.format, PATHWAY_COLUMNS, records, title)
    return 0


FUNDING_COLUMNS = ("zone", "population", "direct", "networks", "shared", "total",
                   "per_inhabitant", "unmet", "per_unmet", "missing", "under")  # fmt: skip


def _funding(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        found = funding.funding_report(store, args.zone, args.start, args.end)
    finally:
        store.close()

    def record(z: funding.ZoneFunding) -> dict[str, Any]:
        def r(v: float | None) -> float | None:
            return None if v is None else round(v, 2)

        return {"zone": z.zone, "population": z.population, "direct": r(z.direct),
                "networks": r(z.networks), "shared": r(z.shared), "total": r(z.total),
                "per_inhabitant": r(z.per_inhabitant), "unmet": r(z.unmet),
                "per_unmet": r(z.per_unmet), "missing": z.missing, "under": z.under}  # fmt: skip

    records = [record(z) for z in (*found.parts, found.total)]
    period = f", {found.start or '...'} to {found.end or '...'}" if found.start or found.end else ""
    emit(args.format, FUNDING_COLUMNS, records, f"funding of {found.zone}{period}")
    if found.unattributed:
        say(f"not attributed (a population is unknown): {found.unattributed:,.2f}")
    return 0


def _audit_feedback(settings: Settings, found: feedback.TeamFeedback) -> None:
    """One aggregate read in the audit log, as the OS user (role `local`)."""
    import getpass

    from graphsvc.security.audit import AuditLog, AuditTrail
    from graphsvc.security.roles import LOCAL

    if not settings.audit_path:
        return
    trail = AuditTrail(AuditLog(settings.audit_path), LOCAL)
    trail.record("cli feedback", "aggregate", None, ["indicators"], user=getpass.getuser(),
                 team=found.team, start=found.start, end=found.end)  # fmt: skip
    trail.flush()


def _feedback(args: argparse.Namespace, settings: Settings) -> int:
    target = None if args.output is None else output_path(args.output, args.force)
    year = (args.end or args.start or dt.date.today()).year
    end = args.end or dt.date(year, 12, 31)  # default: the year (a release period)
    start = args.start or dt.date(end.year, 1, 1)
    k = getattr(settings, "suppression_k", feedback.SMALL_CELL_K)
    store = open_store(settings)
    try:
        found = feedback.team_feedback(store, args.team, start, end, k, released=True)
    finally:
        store.close()
    _audit_feedback(settings, found)  # before anything is printed: no record, no figures
    text = feedback_html(found) if args.format == "html" else feedback_csv(found)
    if target is None:
        sys.stdout.write(text)
    else:
        target.write_text(text, encoding="utf-8")
        say(f"wrote {args.output}")
    return 0
