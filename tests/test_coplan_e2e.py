"""Issue 10's "done when", end to end over the real HTTP server (uvicorn on a loopback port,
the demo seeds): a planner opens the leuven action plan, switches the gap report to TO_BE,
looks at the pathway coverage and the funding report, and prints a team feedback page.
The same walk as README's "For planners: co-creation"."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import httpx2
import pytest

from tests.coplan_fixtures import readme_rows

PLAN = """{ actionPlan(zoneId: "leuven") { zone { name }
  objectives { name children { name actions { id name status
    commitments { actor { name } role } plannedServices { id capacity status }
    gaps { zoneId needCode statusNow statusPlanned outcome } } } }
  gaps { zoneId needCode statusNow ratioNow statusPlanned ratioPlanned outcome actionIds } } }"""
GAPS = """query($s: Scenario!) { serviceGaps(zoneId: "leuven", scenario: $s,
  status: [MISSING, UNDER]) { zone { name } need { name } ratio status } }"""
REPORT = """query($s: Scenario!) { zoneReport(zoneId: "leuven", scenario: $s) { scenario
  worstGaps { zoneId needCode status } statusCounts { status count } } }"""
PATHWAY = """{ carePathways { id name steps { step typeCode day } }
  pathwayCoverage(pathwayId: "leuven-pad-diabetes-type-2", zoneId: "leuven") {
    cells { zone { name } zoneId missingSteps underSteps } } }"""
FUNDING = """{ fundingReport(zoneId: "leuven", from: "2026-01-01", to: "2026-12-31") {
  total { population total perInhabitant perUnmet missingCount underCount }
  parts { zoneId total perInhabitant perUnmet missingCount underCount } } }"""
TEAMS = """{ teams(zoneId: "leuven-vn-leuven-noord") { id name kind memberCount } }"""
GGZ = "leuven-mdt-ggz-noord"


class Planner:
    def __init__(self, client: httpx2.Client, base: str) -> None:
        self.client, self.base = client, base

    def ask(self, query: str, **variables: Any) -> dict:
        response = self.client.post(f"{self.base}/graphql",
                                    json={"query": query, "variables": variables})  # fmt: skip
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        return body["data"]

    def get(self, path: str, **params: str) -> httpx2.Response:
        response = self.client.get(f"{self.base}{path}", params=params)
        assert response.status_code == 200, response.text
        return response


@pytest.fixture
def planner(live_url: str) -> Iterator[Planner]:
    with httpx2.Client(timeout=60) as client:
        yield Planner(client, live_url.removesuffix("/graphql"))


def test_a_planner_walks_the_co_creation_flow(planner: Planner) -> None:
    documented = {(z, n): (now, planned, actions)
                  for z, n, now, planned, actions in readme_rows("tobe:leuven")}  # fmt: skip

    # 1. the leuven action plan: its tree and, per gap, what the plan does to it
    plan = planner.ask(PLAN)["actionPlan"]
    assert plan["zone"]["name"] == "Zorgzaam Leuven" and len(plan["objectives"]) == 3
    actions = {a["id"]: a for o in plan["objectives"] for c in o["children"]
               for a in c["actions"]}  # fmt: skip
    assert len(actions) == 6
    transport = actions["leuven-actie-buurtvervoer-noordrand"]
    assert transport["plannedServices"] == [
        {"id": "leuven-vervoerdienst-dijleland-adapted-transport-noordrand", "capacity": 150,
         "status": "PLANNED"}]  # fmt: skip
    assert {(g["zoneId"], g["needCode"]): (f"{g['statusNow']} ({g['ratioNow']:.2f})",
                                           f"{g['statusPlanned']} ({g['ratioPlanned']:.2f})",
                                           ", ".join(sorted(g["actionIds"])))
            for g in plan["gaps"]} == documented  # fmt: skip

    # 2. the gap report as is, then as planned (TO_BE): the plan closes four gaps
    as_is = planner.ask(GAPS, s="AS_IS")["serviceGaps"]
    to_be = planner.ask(GAPS, s="TO_BE")["serviceGaps"]
    assert len(as_is) == 6
    assert [(r["zone"]["name"], r["need"]["name"], r["status"]) for r in to_be] == [
        ("Kessel-Lo-Noord", "Depression or anxiety", "UNDER"),
        ("Wilsele", "Caregiver burden", "UNDER"),
    ]
    report = planner.ask(REPORT, s="TO_BE")["zoneReport"]
    assert report["scenario"] == "TO_BE"
    assert {(g["zoneId"], g["needCode"]) for g in report["worstGaps"]} == {
        ("leuven-vn-kessel-lo-noord", "depression-anxiety"), ("leuven-vn-wilsele",
                                                              "caregiver-burden")}  # fmt: skip
    assert "MISSING" not in {c["status"] for c in report["statusCounts"]}
    sheet = planner.get("/exports/gaps.csv", zone="leuven", scenario="TO_BE")
    rows = list(csv.DictReader(io.StringIO(sheet.content.decode("utf-8-sig"))))
    assert sorted((r["zone"], r["status"]) for r in rows
                  if r["status"] in ("MISSING", "UNDER")) == [
        ("leuven-vn-kessel-lo-noord", "UNDER"), ("leuven-vn-wilsele", "UNDER")]  # fmt: skip

    # 3. pathway coverage: the diabetes pathway's medication review (step 3)
    found = planner.ask(PATHWAY)
    assert {p["id"] for p in found["carePathways"]} == {
        "leuven-pad-diabetes-type-2", "leuven-pad-palliatieve-thuiszorg"}  # fmt: skip
    cells = found["pathwayCoverage"]["cells"]
    documented_steps = readme_rows("pathway:leuven-pad-diabetes-type-2")
    assert {c["zoneId"] for c in cells if 3 in c["missingSteps"]} == {
        z for z, step, _, status, _ in documented_steps if status == "MISSING"}  # fmt: skip
    assert len({c["zoneId"] for c in cells if 3 in c["missingSteps"]}) == 4

    # 4. the funding report beside the gap figures
    money = planner.ask(FUNDING)["fundingReport"]
    assert len(money["parts"]) == 9
    total = money["total"]
    assert total["perInhabitant"] == pytest.approx(total["total"] / total["population"], abs=0.01)
    assert (total["missingCount"], total["underCount"]) == (3, 3)
    gapless = [p for p in money["parts"] if p["missingCount"] + p["underCount"] == 0]
    assert gapless and all(p["perUnmet"] is None for p in gapless)

    # 5. the teams of a vicinity network, and one's printable feedback page
    teams = planner.ask(TEAMS)["teams"]
    assert GGZ in {t["id"] for t in teams}
    page = planner.get(f"/feedback/team/{GGZ}", **{"from": "2026-01-01", "to": "2026-12-31"})
    assert page.headers["content-type"].startswith("text/html")
    text = page.text
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "<script" not in text
    assert "Multidisciplinair team geestelijke gezondheid Leuven-Noord" in text
    assert "&lt; 10" in text  # small cells stay suppressed
    table = planner.get(f"/feedback/team/{GGZ}", format="csv",
                        **{"from": "2026-01-01", "to": "2026-12-31"})  # fmt: skip
    indicators = {r["indicator"]: r for r in
                  csv.DictReader(io.StringIO(table.content.decode("utf-8-sig")))}  # fmt: skip
    assert indicators["patients_followed"]["team"] == "< 10"
    assert indicators["collaboration_density"]["team"] == "0.29"
