"""The leuven seed's co-creation data: a small loco-regional action plan, two care pathways,
one enrolment, funding for the vicinity networks and teams (the "Cappuccino" model: flat
rates per vicinity network on top of fee-for-service) and the zone each team works in.

Planned capacities are sized from the seed's own demand so that the to-be services close
exactly the gaps in CLOSES and leave those in STAYS_OPEN open; generate.py checks it. The
only random draw (the enrolment date) comes from a separate `random.Random`, so the seed's
other files do not change.
"""

from __future__ import annotations

import math
import random
from collections.abc import Sequence
from typing import Any

from graphsvc.demo.builder import Rows, Seed, pseudonym
from graphsvc.demo.check import MISSING, UNDER, coverage_status
from graphsvc.demo.coplan import PlanResult, table_rows

RNG_SEED = 20160101  # the action plans were due early 2016
YEAR = ("2026-01-01", "2026-12-31")
DIABETES = "leuven-pad-diabetes-type-2"
PALLIATIVE = "leuven-pad-palliatieve-thuiszorg"
# (zone, need) the plan's to-be services close, and the gaps it addresses but leaves open
CLOSES = {
    ("leuven-vn-wijgmaal", "transport-need"),
    ("leuven-vn-wilsele-putkapel", "transport-need"),
    ("leuven-vn-heverlee-zuid", "social-isolation"),
    ("leuven-vn-leuven-noord", "chronic-follow-up"),
}
STAYS_OPEN = {
    ("leuven-vn-kessel-lo-noord", "depression-anxiety"),  # more hours, still too few
    ("leuven-vn-wilsele", "caregiver-burden"),  # an idea, nothing planned yet
}
TEAM_ZONES = {
    "leuven-mdt-diabetes-kessel-lo": "leuven-vn-kessel-lo",
    "leuven-mdt-dementie-heverlee": "leuven-vn-heverlee",
    "leuven-mdt-ggz-noord": "leuven-vn-leuven-noord",
}


def _vn(name: str) -> str:
    return f"leuven-vn-{name}"


def _capacity(rows: Rows, cells: Sequence[str], need: str, target: float) -> int:
    """Places a new service covering `cells` needs to bring their ratio to `target` (rounded
    up to tens), given the ratio they have now."""
    status = coverage_status(rows)
    demand = {(z["zone"], z["need"]): int(z["people"]) for z in rows["zone_needs"]}
    total = sum(demand[(k, need)] for k in cells)
    supply = sum(demand[(k, need)] * status[(k, need)][0] for k in cells)
    return int(math.ceil((target * total - supply) / 10) * 10)


def build(seed: Seed, rows: Rows) -> Rows:
    """The co-creation tables of the leuven seed."""
    rng = random.Random(RNG_SEED)
    objectives = [
        ("leuven-doel-bereikbare-zorg", "Zorg en welzijn bereikbaar voor iedereen",
         "strategic", None),
        ("leuven-doel-vervoer-noordrand", "Aangepast vervoer in Wijgmaal en Wilsele-Putkapel",
         "operational", "leuven-doel-bereikbare-zorg"),
        ("leuven-doel-huisartsen-noord", "Genoeg huisartsen in Leuven-Noord", "operational",
         "leuven-doel-bereikbare-zorg"),
        ("leuven-doel-verbonden-buurten", "Niemand vereenzaamt: verbonden buurten",
         "strategic", None),
        ("leuven-doel-ontmoeting-heverlee-zuid", "Ontmoeting in Heverlee-Zuid", "operational",
         "leuven-doel-verbonden-buurten"),
        ("leuven-doel-mantelzorg-wilsele", "Mantelzorgers in Wilsele ondersteunen",
         "operational", "leuven-doel-verbonden-buurten"),
        ("leuven-doel-geestelijke-gezondheid", "Laagdrempelige geestelijke gezondheidszorg",
         "strategic", None),
        ("leuven-doel-psychologen-kessel-lo-noord",
         "Eerstelijnspsychologische zorg in Kessel-Lo-Noord", "operational",
         "leuven-doel-geestelijke-gezondheid"),
    ]  # fmt: skip
    transport = [_vn("wijgmaal"), _vn("wilsele-putkapel")]
    actions: list[dict[str, Any]] = [
        {"id": "leuven-actie-buurtvervoer-noordrand",
         "name": "Buurtvervoer Noordrand: Vervoerdienst Dijleland rijdt ook in Wijgmaal en "
                 "Wilsele-Putkapel",
         "objective": "leuven-doel-vervoer-noordrand", "status": "running",
         "start_date": YEAR[0], "end_date": YEAR[1], "zones": transport,
         "needs": ["transport-need"]},
        {"id": "leuven-actie-vrijwilligersvervoer-herstart",
         "name": "Vrijwilligersvervoer Noordrand heropstarten",
         "objective": "leuven-doel-vervoer-noordrand", "status": "dropped",
         "start_date": "2025-03-01", "end_date": "2025-09-30", "zones": [_vn("wijgmaal")],
         "needs": ["transport-need"]},
        {"id": "leuven-actie-praktijk-noord",
         "name": "Tweede vestiging van Huisartsenpraktijk Het Hof in Leuven-Noord",
         "objective": "leuven-doel-huisartsen-noord", "status": "planned",
         "start_date": "2026-03-01", "end_date": "2027-02-28", "zones": [_vn("leuven-noord")],
         "needs": ["chronic-follow-up"]},
        {"id": "leuven-actie-ontmoetingsruimte-heverlee-zuid",
         "name": "Ontmoetingsruimte van het OCMW in Heverlee-Zuid",
         "objective": "leuven-doel-ontmoeting-heverlee-zuid", "status": "planned",
         "start_date": "2026-04-01", "end_date": YEAR[1], "zones": [_vn("heverlee-zuid")],
         "needs": ["social-isolation"]},
        {"id": "leuven-actie-mantelzorgcafe-wilsele", "name": "Mantelzorgcafé in Wilsele",
         "objective": "leuven-doel-mantelzorg-wilsele", "status": "idea",
         "zones": [_vn("wilsele")], "needs": ["caregiver-burden"]},
        {"id": "leuven-actie-psycholoog-kessel-lo-noord",
         "name": "Extra uren eerstelijnspsychologie van het CGG in Kessel-Lo-Noord",
         "objective": "leuven-doel-psychologen-kessel-lo-noord", "status": "planned",
         "start_date": "2026-09-01", "end_date": "2027-08-31",
         "zones": [_vn("kessel-lo-noord")], "needs": ["depression-anxiety"]},
    ]  # fmt: skip
    commitments = [
        ("leuven-actie-buurtvervoer-noordrand", "leuven-vervoerdienst-dijleland", "lead"),
        ("leuven-actie-buurtvervoer-noordrand", "leuven-ocmw", "funder"),
        ("leuven-actie-buurtvervoer-noordrand", "leuven-integratorteam", "coordinator"),
        ("leuven-actie-vrijwilligersvervoer-herstart", "leuven-vrijwilligersvervoer-noordrand",
         "lead"),
        ("leuven-actie-praktijk-noord", "leuven-huisartsenpraktijk-het-hof", "lead"),
        ("leuven-actie-praktijk-noord", "leuven-ocmw", "partner"),
        ("leuven-actie-ontmoetingsruimte-heverlee-zuid", "leuven-ocmw", "lead"),
        ("leuven-actie-ontmoetingsruimte-heverlee-zuid", "leuven-lokaal-dienstencentrum-het-park",
         "partner"),
        ("leuven-actie-mantelzorgcafe-wilsele", "leuven-mantelzorgpunt", "lead"),
        ("leuven-actie-psycholoog-kessel-lo-noord", "leuven-cgg-dijle", "lead"),
        ("leuven-actie-psycholoog-kessel-lo-noord", "leuven-casemanager-joris-mertens",
         "partner"),
    ]  # fmt: skip
    labels = seed.labels
    planned = [
        ("leuven-vervoerdienst-dijleland-adapted-transport-noordrand",
         "leuven-actie-buurtvervoer-noordrand", "leuven-vervoerdienst-dijleland",
         "adapted-transport", "Buurtvervoer Noordrand", ("nl",), ("65plus", "disability"),
         transport, _capacity(rows, transport, "transport-need", 1.1)),
        ("leuven-vrijwilligersvervoer-noordrand-adapted-transport-herstart",
         "leuven-actie-vrijwilligersvervoer-herstart", "leuven-vrijwilligersvervoer-noordrand",
         "adapted-transport", "Vrijwilligersvervoer Noordrand (herstart)", ("nl",),
         ("65plus", "disability"), [_vn("wijgmaal")], 30),
        ("leuven-huisartsenpraktijk-het-hof-general-practice-noord",
         "leuven-actie-praktijk-noord", "leuven-huisartsenpraktijk-het-hof",
         "general-practice", f"{labels['general-practice']} - Het Hof, vestiging Noord",
         ("nl", "fr", "en"), (), [_vn("leuven-noord")],
         _capacity(rows, [_vn("leuven-noord")], "chronic-follow-up", 1.1)),
        ("leuven-ocmw-community-activities-heverlee-zuid",
         "leuven-actie-ontmoetingsruimte-heverlee-zuid", "leuven-ocmw",
         "community-activities", "Ontmoetingsruimte Heverlee-Zuid - OCMW Leuven",
         ("nl", "fr", "en", "ar"), (), [_vn("heverlee-zuid")],
         _capacity(rows, [_vn("heverlee-zuid")], "social-isolation", 1.1)),
        ("leuven-cgg-dijle-psychology-first-line-kessel-lo-noord",
         "leuven-actie-psycholoog-kessel-lo-noord", "leuven-cgg-dijle",
         "psychology-first-line", f"{labels['psychology-first-line']} - CGG Dijle, "
         "Kessel-Lo-Noord", ("nl", "fr", "en"), (), [_vn("kessel-lo-noord")],
         _capacity(rows, [_vn("kessel-lo-noord")], "depression-anxiety", 0.8)),
    ]  # fmt: skip
    pathways = [
        (DIABETES, "Zorgtraject diabetes type 2", "diabetes-self-management", None, "leuven",
         "leuven-zorgtraject-diabetes"),
        (PALLIATIVE, "Zorgpad palliatieve thuiszorg", "nursing-care", 0.04, "leuven",
         "leuven-zorgpad-palliatief"),
    ]  # fmt: skip
    steps = [
        (DIABETES, 1, "general-practice", "Startconsult bij de huisarts", 0),
        (DIABETES, 2, "diabetes-education", "Diabeteseducatie", 14),
        (DIABETES, 3, "medication-review", "Medicatienazicht door de apotheker", 30),
        (DIABETES, 4, "specialist-consultation", "Jaarlijks consult endocrinologie", 365),
        (PALLIATIVE, 1, "care-coordination", "Multidisciplinair overleg", 0),
        (PALLIATIVE, 2, "palliative-home-care", "Palliatief thuiszorgteam", 2),
        (PALLIATIVE, 3, "home-nursing", "Thuisverpleging", 2),
        (PALLIATIVE, 4, "caregiver-support", "Mantelzorgondersteuning", 14),
    ]
    # the Wijgmaal patient (diabetes self-management) had the start consult: next is step 2
    wijgmaal = pseudonym("leuven", 3)
    since = f"2025-{rng.randint(4, 9):02d}-{rng.randint(1, 28):02d}"
    enrolments = [{"patient": wijgmaal, "pathway": DIABETES, "since": since, "completed": 1}]
    funding = [
        {"id": f"leuven-forfait-{zone.removeprefix('leuven-vn-')}", "zone": zone,
         "scheme": "flat_rate", "amount": 20000 + 2 * seed.zones[zone].population,
         "start_date": YEAR[0], "end_date": YEAR[1],
         "source": "RIZIV: forfait per buurtnetwerk (proefproject geïntegreerde zorg)"}
        for zone in seed.vicinity_networks
    ]  # fmt: skip
    funding += [
        {"id": "leuven-prestaties-eerste-lijn", "zone": "leuven", "scheme": "fee_for_service",
         "amount": 1500000, "start_date": YEAR[0], "end_date": YEAR[1],
         "source": "RIZIV: nomenclatuur eerste lijn (raming)"},
        {"id": "leuven-integratorteam-projectsubsidie", "zone": "leuven",
         "scheme": "project_grant", "amount": 180000, "start_date": "2025-07-01",
         "end_date": "2026-06-30", "source": "FOD Volksgezondheid: proefproject Zorgzaam Leuven"},
        {"id": "leuven-mdt-diabetes-kessel-lo-zorgtraject", "network":
         "leuven-mdt-diabetes-kessel-lo", "scheme": "bundled", "amount": 45000,
         "start_date": YEAR[0], "end_date": YEAR[1], "source": "RIZIV: zorgtraject diabetes"},
        {"id": "leuven-mdt-ggz-noord-projectsubsidie", "network": "leuven-mdt-ggz-noord",
         "scheme": "project_grant", "amount": 60000, "start_date": YEAR[0],
         "end_date": YEAR[1], "source": "Vlaamse overheid: geestelijke gezondheid"},
        {"id": "leuven-mdt-dementie-heverlee-forfait", "network": "leuven-mdt-dementie-heverlee",
         "scheme": "flat_rate", "amount": 30000, "start_date": YEAR[0], "end_date": YEAR[1],
         "source": "Stad Leuven: dementievriendelijke buurt"},
    ]  # fmt: skip
    ties = {f"leuven-team-{zone.removeprefix('leuven-vn-')}": zone
            for zone in seed.vicinity_networks} | TEAM_ZONES  # fmt: skip
    return {
        "objectives": table_rows("objectives", [
            {"id": i, "name": n, "level": lv, "zone": "leuven", "parent": p}
            for i, n, lv, p in objectives]),
        "actions": table_rows("actions", actions),
        "action_commitments": table_rows("action_commitments", [
            {"action": a, "actor": b, "role": r} for a, b, r in commitments]),
        "planned_services": table_rows("planned_services", [
            {"id": i, "action": a, "actor": b, "type": t, "name": n, "languages": lang,
             "eligibility": elig, "covers": cov, "capacity": cap}
            for i, a, b, t, n, lang, elig, cov, cap in planned]),
        "care_pathways": table_rows("care_pathways", [
            {"id": i, "name": n, "need": need, "share": sh, "zone": z, "network": w}
            for i, n, need, sh, z, w in pathways]),
        "pathway_steps": table_rows("pathway_steps", [
            {"pathway": p, "step": s, "type": t, "name": n, "day": d}
            for p, s, t, n, d in steps]),
        "enrolments": table_rows("enrolments", enrolments),
        "funding": table_rows("funding", funding),
        "network_zones": table_rows("network_zones", [
            {"network": n, "zone": z} for n, z in sorted(ties.items())]),
    }  # fmt: skip


def check(result: PlanResult) -> None:
    """The plan closes exactly CLOSES, leaves STAYS_OPEN open, and the seeded missing pathway
    step is where README says; raise AssertionError otherwise."""
    closes = {(z, n) for z, n, now, _, planned, _, _ in result.to_be
              if now in (MISSING, UNDER) and planned not in (MISSING, UNDER)}  # fmt: skip
    still = {(z, n) for z, n, now, _, planned, _, acts in result.to_be
             if now in (MISSING, UNDER) and planned in (MISSING, UNDER) and acts}  # fmt: skip
    problems = []
    if closes != CLOSES:
        problems.append(f"leuven plan closes {sorted(closes)}, intended {sorted(CLOSES)}")
    if still != STAYS_OPEN:
        problems.append(f"leuven plan leaves open {sorted(still)}, intended {sorted(STAYS_OPEN)}")
    missing = {(z, s) for z, s, _, status, _ in result.pathways[DIABETES] if status == MISSING}
    if not missing or {s for _, s in missing} != {3}:
        problems.append(f"diabetes pathway: missing steps {sorted(missing)}, intended step 3")
    if problems:
        raise AssertionError("leuven co-creation check failed:\n  " + "\n  ".join(problems))
