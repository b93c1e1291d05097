"""Co-creation data of a demo seed (issue 10): action plan, care pathways, enrolments, funding
and the zone each team works in, as extra bundle tables, with pure-Python references of the
answers graphsvc must give (written to seeds/README.md, checked by the tests).

Nothing here draws from the seed's random stream or changes a row of its other tables: the
plan only adds new files. The references read bundle rows (strings) like check.py does.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

from graphsvc.demo.check import (
    COVERED,
    MISSING,
    UNDER,
    as_list,
    classify,
    coverage_status,
    finest_zones,
)

PLAN_TABLES: dict[str, tuple[str, ...]] = {
    "objectives": ("id", "name", "level", "zone", "parent"),
    "actions": ("id", "name", "objective", "status", "start_date", "end_date", "zones", "needs"),
    "action_commitments": ("action", "actor", "role"),
    "planned_services": ("id", "action", "actor", "type", "name", "capacity", "languages",
                         "eligibility", "covers"),
    "care_pathways": ("id", "name", "need", "share", "zone", "network"),
    "pathway_steps": ("pathway", "step", "type", "name", "day"),
    "enrolments": ("patient", "pathway", "since", "completed"),
    "funding": ("id", "zone", "network", "scheme", "amount", "start_date", "end_date", "source"),
    "network_zones": ("network", "zone"),
}  # fmt: skip
SHORT = (MISSING, UNDER)

Rows = dict[str, list[dict[str, str]]]
BundleRows = Mapping[str, Sequence[Mapping[str, Any]]]


@dataclass
class PlanResult:
    """A seed's co-creation tables and the references computed from them."""

    tables: Rows
    to_be: list[tuple[str, str, str, float, str, float, tuple[str, ...]]]
    pathways: dict[str, list[tuple[str, int, str, str, float]]]
    enrolments: list[dict[str, Any]]
    funding: list[dict[str, Any]]
    teams: list[dict[str, Any]]


def table_rows(table: str, records: Sequence[Mapping[str, object]]) -> list[dict[str, str]]:
    """Records as bundle rows of strings in column order, sorted by their columns."""
    columns = PLAN_TABLES[table]
    rows = []
    for record in records:
        unknown = set(record) - set(columns)
        if unknown:
            raise ValueError(f"{table}: unknown columns {sorted(unknown)}")
        rows.append({c: _text(record.get(c)) for c in columns})
    rows.sort(key=lambda r: tuple(r[c] for c in columns))
    return rows


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "|".join(str(v) for v in value)
    return str(value)


# -- references ---------------------------------------------------------------------------


def with_planned(rows: BundleRows, plan: Rows) -> dict[str, list[Mapping[str, Any]]]:
    """The bundle rows with the planned services of actions that are not dropped as active
    services (what the TO_BE scenario counts)."""
    dropped = {a["id"] for a in plan["actions"] if a["status"] == "dropped"}
    planned = [
        {**s, "available": "0", "status": "active"}
        for s in plan["planned_services"]
        if s["action"] not in dropped
    ]
    merged: dict[str, list[Mapping[str, Any]]] = {k: list(v) for k, v in rows.items()}
    merged["services"] = [*rows["services"], *planned]
    return merged


def to_be_table(
    rows: BundleRows, plan: Rows
) -> list[tuple[str, str, str, float, str, float, tuple[str, ...]]]:
    """Every (vicinity network, need) not COVERED as is or as planned: (zone, need, status
    as is, ratio as is, status as planned, ratio as planned, actions addressing it)."""
    now = coverage_status(rows)
    planned = coverage_status(with_planned(rows, plan))
    finest = finest_zones(rows["zones"])
    addressing: dict[tuple[str, str], list[str]] = defaultdict(list)
    for action in plan["actions"]:
        cells = {k for z in as_list(action["zones"]) for k in finest[z]}
        for need in as_list(action["needs"]):
            for cell in sorted(cells):
                addressing[(cell, need)].append(action["id"])
    found = []
    for key in sorted(now):
        (ratio, status), (ratio_to_be, status_to_be) = now[key], planned[key]
        if status == COVERED and status_to_be == COVERED:
            continue
        found.append((key[0], key[1], status, ratio, status_to_be, ratio_to_be,
                      tuple(sorted(addressing.get(key, ())))))  # fmt: skip
    return found


def narrower_types(service_types: Sequence[Mapping[str, Any]]) -> Callable[[str], set[str]]:
    """A service type code -> the code and every narrower one (BROADER read downwards)."""
    children: dict[str, set[str]] = defaultdict(set)
    for t in service_types:
        if t["broader"]:
            children[str(t["broader"])].add(str(t["code"]))

    def narrower(code: str) -> set[str]:
        found = {code}
        for child in children[code]:
            found |= narrower(child)
        return found

    return narrower


def pathway_table(
    rows: BundleRows, plan: Rows, pathway: str, target: float = 1.0
) -> list[tuple[str, int, str, str, float]]:
    """Every (vicinity network, step) of a pathway that is not COVERED (AS_IS): (zone, step,
    service type, status, ratio). The pathway's need is the demand; services of the step's
    type or a narrower one share their capacity over their catchment."""
    (row,) = [p for p in plan["care_pathways"] if p["id"] == pathway]
    need = row["need"]
    finest = finest_zones(rows["zones"])
    narrower = narrower_types(rows["service_types"])

    share = float(row["share"] or 1)
    demand = {str(z["zone"]): int(z["people"]) * share for z in rows["zone_needs"]
              if z["need"] == need}  # fmt: skip
    inside = set(finest[row["zone"]]) if row["zone"] else set(demand)
    cells = sorted(k for k in demand if k in inside)
    result = []
    for step in sorted(plan["pathway_steps"], key=lambda s: int(s["step"])):
        if step["pathway"] != pathway:
            continue
        types = narrower(step["type"])
        ratio: dict[str, float] = defaultdict(float)
        for service in rows["services"]:
            if service["status"] != "active" or service["type"] not in types:
                continue
            catchment = sorted({k for z in as_list(service["covers"]) for k in finest[z]})
            total = sum(demand.get(k, 0) for k in catchment)
            for k in catchment:
                if total:
                    ratio[k] += int(service["capacity"]) / total
        for k in cells:
            status = classify(ratio.get(k, 0.0), 1, target, float("inf"))
            if status != COVERED:
                result.append((k, int(step["step"]), step["type"], status, ratio.get(k, 0.0)))
    return result


def period_share(start: str, end: str, since: dt.date | None, until: dt.date | None) -> float:
    """The share of a period (inclusive dates) inside [since, until] (1 without bounds)."""
    if since is None and until is None:
        return 1.0
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    low, high = max(first, since or first), min(last, until or last)
    return max((high - low).days + 1, 0) / ((last - first).days + 1)


def funding_table(
    rows: BundleRows, plan: Rows, since: dt.date | None = None, until: dt.date | None = None
) -> list[dict[str, Any]]:
    """Per vicinity network: population, funding (own lines and teams working in it whole,
    lines on larger zones by population share), people in need without a place (sum over
    needs of max(0, demand - supply)), and the ratios."""
    zones = {str(z["id"]): z for z in rows["zones"]}
    finest = finest_zones(rows["zones"])
    works_in = {n["network"]: n["zone"] for n in plan["network_zones"]}
    money: dict[str, float] = defaultdict(float)
    for line in plan["funding"]:
        target = line["zone"] or works_in[line["network"]]
        amount = int(line["amount"]) * period_share(line["start_date"], line["end_date"],
                                                    since, until)  # fmt: skip
        for k in finest[target]:
            share = (
                1.0
                if k == target
                else int(zones[k]["population"]) / int(zones[target]["population"])
            )
            money[k] += amount * share
    status = coverage_status(rows)
    demand = {(str(z["zone"]), str(z["need"])): int(z["people"]) for z in rows["zone_needs"]}
    unmet: dict[str, float] = defaultdict(float)
    for (zone, need), (ratio, _) in status.items():
        people = demand.get((zone, need), 0)
        unmet[zone] += max(0.0, people - people * ratio)
    result = []
    for k in sorted({zone for zone, _ in status}):
        population = int(zones[k]["population"])
        result.append({
            "zone": k, "population": population, "funding": money[k],
            "per_inhabitant": money[k] / population, "unmet": unmet[k],
            "per_unmet": money[k] / unmet[k] if unmet[k] > 0 else None,
        })  # fmt: skip
    return result


def team_table(rows: BundleRows, plan: Rows) -> list[dict[str, Any]]:
    """Per team: its zone, members, collaboration density and patients its members manage."""
    kinds = {n["id"]: n["kind"] for n in rows["networks"]}
    members: dict[str, set[str]] = defaultdict(set)
    for m in rows["memberships"]:
        members[m["network"]].add(m["actor"])
    links = {frozenset((c["source"], c["target"])) for c in rows["collaborations"]}
    managed: dict[str, set[str]] = defaultdict(set)
    for p in rows["patients"]:
        managed[p["case_manager"]].add(p["id"])
    result = []
    for tie in sorted(plan["network_zones"], key=lambda t: t["network"]):
        team = tie["network"]
        if not str(kinds[team]).endswith("team"):
            continue
        pairs = list(combinations(sorted(members[team]), 2))
        density = sum(frozenset(p) in links for p in pairs) / len(pairs) if pairs else None
        patients = set().union(*(managed[a] for a in members[team]))
        result.append({"team": team, "zone": tie["zone"], "members": len(members[team]),
                       "density": density, "patients": len(patients)})  # fmt: skip
    return result


def next_step_partners(rows: BundleRows, plan: Rows) -> list[dict[str, Any]]:
    """For each enrolment: the next step, and the services partner search must favour for it
    (active, free places, of the step's type or narrower, covering the patient's zone, sharing
    a language, eligible)."""
    patients = {p["id"]: p for p in rows["patients"]}
    parents = {str(z["id"]): str(z["part_of"]) for z in rows["zones"]}
    narrower = narrower_types(rows["service_types"])

    result = []
    for enrolment in plan["enrolments"]:
        patient = patients[enrolment["patient"]]
        steps = sorted((s for s in plan["pathway_steps"]
                        if s["pathway"] == enrolment["pathway"]
                        and int(s["step"]) > int(enrolment["completed"] or 0)),
                       key=lambda s: int(s["step"]))  # fmt: skip
        step = steps[0] if steps else None
        around, zone = set(), str(patient["zone"])
        while zone:
            around.add(zone)
            zone = parents.get(zone, "")
        favoured = []
        for service in rows["services"] if step else ():
            langs, tags = as_list(service["languages"]), as_list(service["eligibility"])
            if (
                service["status"] == "active"
                and int(service["available"]) > 0
                and service["type"] in narrower(step["type"])
                and set(as_list(service["covers"])) & around
                and (not langs or set(langs) & set(as_list(patient["languages"])))
                and (not tags or set(tags) & set(as_list(patient["eligibility"])))
            ):
                favoured.append(service["id"])  # fmt: skip
        result.append({**enrolment, "step": step, "favoured": sorted(favoured)})
    return result


def compute(rows: BundleRows, plan: Rows) -> PlanResult:
    """Every reference answer of a seed's co-creation tables."""
    return PlanResult(
        tables=plan,
        to_be=to_be_table(rows, plan),
        pathways={p["id"]: pathway_table(rows, plan, p["id"]) for p in plan["care_pathways"]},
        enrolments=next_step_partners(rows, plan),
        funding=funding_table(rows, plan),
        teams=team_table(rows, plan),
    )


# -- seeds/README.md ----------------------------------------------------------------------


def _money(value: float | None) -> str:
    return "" if value is None else f"{value:,.2f}"


def plan_section(seed: str, result: PlanResult) -> str:
    """The README section of a seed's co-creation data, with machine-readable tables."""
    t = result.tables
    lines = [
        "Co-creation (action plan, care pathways, funding, team feedback; the optional tables",
        "`objectives`, `actions`, `action_commitments`, `planned_services`, `care_pathways`,",
        "`pathway_steps`, `enrolments`, `funding`, `network_zones`):",
        "",
        f'Action plan (`actionPlan(zoneId: "{seed}")`, `graphsvc plan --zone {seed}`):',
        "",
    ]
    by_objective: dict[str, list[dict[str, str]]] = defaultdict(list)
    for action in t["actions"]:
        by_objective[action["objective"]].append(action)
    commitments: dict[str, list[str]] = defaultdict(list)
    for c in t["action_commitments"]:
        commitments[c["action"]].append(f"{c['actor']} ({c['role']})")
    planned: dict[str, list[str]] = defaultdict(list)
    for s in t["planned_services"]:
        planned[s["action"]].append(
            f"`{s['id']}` ({s['type']}, capacity {s['capacity']}, covers {s['covers']})"
        )
    children: dict[str, list[dict[str, str]]] = defaultdict(list)
    for o in t["objectives"]:
        children[o["parent"]].append(o)

    def walk(parent: str, depth: int) -> None:
        for o in children[parent]:
            lines.append(f"{'  ' * depth}- {o['name']} (`{o['id']}`, {o['level']})")
            for a in by_objective[o["id"]]:
                when = (f", {a['start_date']} to {a['end_date']}"
                        if a["start_date"] else "")  # fmt: skip
                what = f"{a['needs'].replace('|', ', ')} in {a['zones'].replace('|', ', ')}"
                lines.append(f"{'  ' * (depth + 1)}- action `{a['id']}` ({a['status']}{when}): "
                             f"{a['name']}; targets {what}; "
                             f"committed: {', '.join(commitments[a['id']])}"
                             + (f"; plans {'; '.join(planned[a['id']])}"
                                if planned[a["id"]] else ""))  # fmt: skip
            walk(o["id"], depth + 1)

    walk("", 0)
    lines += [
        "",
        "Gaps as is and as planned: `serviceGaps(zoneId, scenario: TO_BE)` (`graphsvc gaps",
        "--scenario to-be`) also counts the planned services of actions that are not dropped",
        "(the dropped restart of the volunteer transport does not count). Every vicinity",
        "network x need that is not COVERED in one of them, with the actions addressing it:",
        "",
        f"<!-- tobe:{seed} -->",
        "| zone | need | AS_IS | TO_BE | actions |",
        "|---|---|---|---|---|",
    ]
    for zone, need, now, ratio, planned_status, planned_ratio, acts in result.to_be:
        lines.append(f"| {zone} | {need} | {now} ({ratio:.2f}) | {planned_status} "
                     f"({planned_ratio:.2f}) | {', '.join(acts)} |")  # fmt: skip
    lines += ["<!-- /tobe -->", ""]
    lines.append("Care pathways (`pathwayCoverage(pathwayId, zoneId)`, `graphsvc pathway`):")
    lines.append("")
    steps: dict[str, list[dict[str, str]]] = defaultdict(list)
    for step in t["pathway_steps"]:
        steps[step["pathway"]].append(step)
    for pathway in t["care_pathways"]:
        ordered = sorted(steps[pathway["id"]], key=lambda s: int(s["step"]))
        listed = ", ".join(f"{s['step']}. {s['type']} (day {s['day']})" for s in ordered)
        share = (f" ({float(pathway['share']):.0%} of the people in it)"
                 if pathway["share"] else "")  # fmt: skip
        lines.append(f"- `{pathway['id']}` {pathway['name']}, for {pathway['need']}{share}, "
                     f"run by {pathway['network']}: {listed}")  # fmt: skip
    for pathway in t["care_pathways"]:
        lines += [
            "",
            f"Steps of `{pathway['id']}` that are not COVERED (target: 1 place per person in "
            "the pathway):",
            "",
            f"<!-- pathway:{pathway['id']} -->",
            "| zone | step | service type | status | ratio |",
            "|---|---|---|---|---|",
        ]
        for zone, step, service_type, status, ratio in result.pathways[pathway["id"]]:
            lines.append(f"| {zone} | {step} | {service_type} | {status} | {ratio:.2f} |")
        lines.append("<!-- /pathway -->")
    lines += [
        "",
        "Enrolments: partner search gives the services of the next step a `pathway` part of",
        "10 (in `why`), like one more need:",
        "",
        f"<!-- enrolments:{seed} -->",
        "| patient | pathway | completed | next step | favoured services |",
        "|---|---|---|---|---|",
    ]
    for e in result.enrolments:
        step = e["step"]
        nxt = f"{step['step']} {step['type']}" if step else "none"
        lines.append(f"| `{e['patient']}` | {e['pathway']} | {e['completed']} | {nxt} | "
                     f"{', '.join(e['favoured'])} |")  # fmt: skip
    lines += [
        "<!-- /enrolments -->",
        "",
        "Funding (`fundingReport(zoneId)`, `graphsvc funding`): every line counted whole; a",
        "vicinity network gets its own lines and those of the teams working in it, and a share",
        "of the pilot zone's lines by population; `unmet` is the people in need without a",
        "place, summed over the needs (sum of max(0, demand - supply), AS_IS):",
        "",
        f"<!-- funding:{seed} -->",
        "| zone | population | funding | per inhabitant | unmet | per unmet |",
        "|---|---|---|---|---|---|",
    ]
    for row in result.funding:
        lines.append(f"| {row['zone']} | {row['population']} | {_money(row['funding'])} | "
                     f"{_money(row['per_inhabitant'])} | {row['unmet']:.2f} | "
                     f"{_money(row['per_unmet'])} |")  # fmt: skip
    lines += [
        "<!-- /funding -->",
        "",
        "Teams (`teamFeedback(teamId, from, to)`, `graphsvc feedback --team ID`): the zone each",
        "works in, members, collaboration density and the patients its members are case",
        "manager of, as shown at the default k = 10 (the seed holds no referral; a count of 1",
        "to 9 reads `< 10`, zero is shown):",
        "",
        f"<!-- teams:{seed} -->",
        "| team | zone | members | collaboration density | patients followed |",
        "|---|---|---|---|---|",
    ]
    for row in result.teams:
        density = "" if row["density"] is None else f"{row['density']:.4f}"
        patients = row["patients"]
        shown = "< 10" if 0 < patients < 10 else str(patients)
        lines.append(f"| {row['team']} | {row['zone']} | {row['members']} | {density} | "
                     f"{shown} |")  # fmt: skip
    lines.append("<!-- /teams -->")
    return "\n".join(lines) + "\n"
