"""Action plans (issue 10): objectives, actions, planned to-be services, AS_IS vs TO_BE gaps,
the plan's tree and the gaps its actions address; bad plans write nothing."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.core import actionplan, directory, partners
from graphsvc.core.gaps import AS_IS, TO_BE, GapQuery, zone_gaps
from graphsvc.errors import InputError
from graphsvc.io.bundle import read_bundle
from graphsvc.io.coplan_write import save_records
from graphsvc.io.export import export_tables
from graphsvc.store import Store
from tests.conftest import gql
from tests.coplan_fixtures import (
    COPLAN,
    MakeStore,
    append_csv,
    assert_refused_whole,
    client_over,
    copy_seed,
    load_folder,
    readme_rows,
)
from tests.test_bundle import dump

SHORT = ("MISSING", "UNDER")


def documented_to_be() -> dict[tuple[str, str], tuple[str, str, str, str, set[str]]]:
    """(zone, need) -> (AS_IS status, ratio, TO_BE status, ratio, actions) from the README."""
    found = {}
    for zone, need, now, planned, actions in readme_rows("tobe:leuven"):
        status_now, ratio_now = now.rstrip(")").split(" (")
        status_planned, ratio_planned = planned.rstrip(")").split(" (")
        found[(zone, need)] = (status_now, ratio_now, status_planned, ratio_planned,
                               {a for a in actions.split(", ") if a})  # fmt: skip
    return found


def services_in(store: Store, zone: str) -> list[directory.Service]:
    return directory.list_services(store, None, None, zone, None, directory.Page(0, 1000))


def cells(store: Store, scenario: str) -> dict[tuple[str, str], tuple[str, str]]:
    rows = zone_gaps(store, "leuven", GapQuery("leuven", scenario=scenario))
    return {(r.zone, r.need): (r.status, f"{r.ratio:.2f}") for r in rows if not r.rollup}


def test_planned_services_close_exactly_the_documented_gaps(demo_store: Store) -> None:
    now, planned = cells(demo_store, AS_IS), cells(demo_store, TO_BE)
    flagged = {key for key in now if now[key][0] != "COVERED" or planned[key][0] != "COVERED"}
    documented = documented_to_be()
    assert flagged == set(documented)
    for key, (status_now, ratio_now, status_planned, ratio_planned, _) in documented.items():
        assert now[key] == (status_now, ratio_now)
        assert planned[key] == (status_planned, ratio_planned)
    closes = {k for k in flagged if now[k][0] in SHORT and planned[k][0] not in SHORT}
    assert closes == {
        ("leuven-vn-wijgmaal", "transport-need"),
        ("leuven-vn-wilsele-putkapel", "transport-need"),
        ("leuven-vn-heverlee-zuid", "social-isolation"),
        ("leuven-vn-leuven-noord", "chronic-follow-up"),
    }
    # the rest of the zone is unchanged, but the cells the to-be services reach
    changed = {k for k in now if now[k] != planned[k]}
    assert changed == closes | {("leuven-vn-kessel-lo-noord", "depression-anxiety")}


def test_as_is_is_identical_with_or_without_the_plan(
    demo_store: Store, make_store: MakeStore, tmp_path: Path
) -> None:
    bare, full = make_store(), make_store()
    load_folder(bare, copy_seed(tmp_path, drop=COPLAN))
    load_folder(full, copy_seed(tmp_path, name="full"))
    assert zone_gaps(bare, "leuven") == zone_gaps(demo_store, "leuven")
    e2sfca = GapQuery("leuven", method="e2sfca")  # (namur is near enough to change these)
    assert zone_gaps(bare, "leuven", e2sfca) == zone_gaps(full, "leuven", e2sfca)
    # without a plan, TO_BE is AS_IS
    assert zone_gaps(bare, "leuven", GapQuery("leuven", scenario=TO_BE)) == zone_gaps(
        bare, "leuven"
    )


def test_the_action_plan_tree_and_the_gaps_each_action_addresses(demo_store: Store) -> None:
    before = demo_store.calls
    plan = actionplan.action_plan(demo_store, "leuven")
    assert demo_store.calls - before == 8
    assert [o.id for o in plan.objectives] == [
        "leuven-doel-bereikbare-zorg",
        "leuven-doel-geestelijke-gezondheid",
        "leuven-doel-verbonden-buurten",
    ]
    assert all(o.level == "strategic" and o.parent is None for o in plan.objectives)
    children = {c.id: c for o in plan.objectives for c in o.children}
    assert all(c.level == "operational" for c in children.values()) and len(children) == 5
    actions = {a.id: a for a in plan.all_actions()}
    assert len(actions) == 6
    transport = actions["leuven-actie-buurtvervoer-noordrand"]
    assert transport.status == "running" and transport.start_date == "2026-01-01"
    assert {(c.actor, c.role) for c in transport.commitments} == {
        ("leuven-vervoerdienst-dijleland", "lead"),
        ("leuven-ocmw", "funder"),
        ("leuven-integratorteam", "coordinator"),
    }
    [service] = transport.services
    assert (service.type, service.capacity, service.status) == ("adapted-transport", 150, "planned")
    assert [(g.zone, g.status_now, g.status_planned, g.outcome) for g in transport.gaps] == [
        ("leuven-vn-wijgmaal", "MISSING", "COVERED", "closes"),
        ("leuven-vn-wilsele-putkapel", "MISSING", "COVERED", "closes"),
    ]
    # 150 places over 59 + 76 people: the dropped restart's 30 places do not count
    assert transport.gaps[0].ratio_planned == pytest.approx(150 / 135)
    idea = actions["leuven-actie-mantelzorgcafe-wilsele"]
    assert idea.services == () and [g.outcome for g in idea.gaps] == ["stays_open"]
    psychology = actions["leuven-actie-psycholoog-kessel-lo-noord"]
    assert [(g.status_planned, g.outcome) for g in psychology.gaps] == [("UNDER", "stays_open")]
    documented = documented_to_be()
    assert {(g.zone, g.need): set(g.actions) for g in plan.gaps} == {
        key: row[4] for key, row in documented.items()
    }
    # an action on a part of the zone: the plan of that part holds only its own objectives
    part = actionplan.action_plan(demo_store, "leuven-vn-wijgmaal")
    assert part.objectives == () and {(g.zone, g.need) for g in part.gaps} == {
        ("leuven-vn-wijgmaal", "transport-need")
    }


def test_planned_services_are_neither_listed_nor_offered_nor_exported_as_services(
    demo_store: Store,
) -> None:
    planned = {"leuven-vervoerdienst-dijleland-adapted-transport-noordrand",
               "leuven-ocmw-community-activities-heverlee-zuid"}  # fmt: skip
    listed = services_in(demo_store, "leuven")
    assert not planned & {s.id for s in listed} and {s.status for s in listed} <= {
        "active", "paused", "closed"}  # fmt: skip
    own = directory.services_of_actors(demo_store, ["leuven-ocmw"])["leuven-ocmw"]
    assert "leuven-ocmw-community-activities-heverlee-zuid" not in {s.id for s in own}
    found = partners.partners_for(demo_store, "leuven-vn-wijgmaal", ["transport-need"],
                                  eligibility=["65plus"], limit=100)  # fmt: skip
    assert found == []  # planned transport takes nobody yet
    tables = export_tables(demo_store)
    assert not planned & {s["id"] for s in tables["services"]}
    assert planned <= {s["id"] for s in tables["planned_services"]}


def test_dropping_an_action_removes_its_services_from_to_be(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    before = cells(store, TO_BE)[("leuven-vn-wijgmaal", "transport-need")]
    restart = {"id": "leuven-actie-vrijwilligersvervoer-herstart",
               "name": "Vrijwilligersvervoer Noordrand heropstarten",
               "objective": "leuven-doel-vervoer-noordrand", "status": "planned",
               "start_date": "2026-03-01", "end_date": "2026-09-30",
               "zones": ["leuven-vn-wijgmaal"], "needs": ["transport-need"]}  # fmt: skip
    save_records(store, {"actions": [restart]}, {"actions": "actions"})
    after = cells(store, TO_BE)[("leuven-vn-wijgmaal", "transport-need")]
    assert (before[1], after[1]) == ("1.11", f"{150 / 135 + 30 / 59:.2f}")
    assert cells(store, AS_IS)[("leuven-vn-wijgmaal", "transport-need")] == ("MISSING", "0.00")


def test_a_planned_service_that_opened_is_left_alone_on_reimport(
    make_store: MakeStore, tmp_path: Path
) -> None:
    opened = "leuven-ocmw-community-activities-heverlee-zuid"
    line = (f"{opened},leuven-ocmw,community-activities,Ontmoetingsruimte,360,360,nl,,active,"
            "leuven-vn-heverlee-zuid")  # fmt: skip
    both = copy_seed(tmp_path, name="both")
    append_csv(both, "services", line)
    with pytest.raises(InputError, match=f"field id: '{opened}' is also in services"):
        read_bundle(both)
    store = make_store()
    load_folder(store, copy_seed(tmp_path, name="plan"))
    now = copy_seed(tmp_path, drop=("planned_services",), name="opened")
    append_csv(now, "services", line)
    load_folder(store, now)  # the action is done: the service is active
    load_folder(store, copy_seed(tmp_path, name="again"))  # the old plan, imported again
    [row] = [s for s in services_in(store, "leuven-vn-heverlee-zuid") if s.id == opened]
    assert (row.status, row.available) == ("active", 360)
    assert cells(store, AS_IS)[("leuven-vn-heverlee-zuid", "social-isolation")][0] == "COVERED"


@pytest.mark.parametrize(
    ("table", "old", "new", "message"),
    [
        ("objectives", "leuven-doel-bereikbare-zorg,Zorg en welzijn bereikbaar voor iedereen,"
         "strategic,leuven,", "leuven-doel-bereikbare-zorg,Zorg en welzijn bereikbaar voor "
         "iedereen,operational,leuven,leuven-doel-huisartsen-noord",
         "objectives.csv row 2 field parent: 'leuven-doel-bereikbare-zorg' is part of a cycle "
         "leuven-doel-bereikbare-zorg -> leuven-doel-huisartsen-noord -> "
         "leuven-doel-bereikbare-zorg (with objectives.csv row 4)"),
        ("actions", "leuven-vn-kessel-lo-noord,depression-anxiety",
         "leuven-vn-atlantis,depression-anxiety",
         "actions.csv row 6 field zones: unknown zones reference 'leuven-vn-atlantis'"),
        ("actions", "2026-09-01,2027-08-31", "2027-09-01,2027-08-31",
         "actions.csv row 6 field end_date: 2027-08-31 is before start_date 2027-09-01"),
        ("actions", ",running,", ",ongoing,",
         "actions.csv row 2 field status: 'ongoing' is not one of idea, planned, running"),
        ("planned_services", ",150,", ",-150,",
         "planned_services.csv row 5 field capacity: -150 is negative"),
    ],
)  # fmt: skip
def test_bad_plans_are_refused_and_nothing_is_written(
    make_store: MakeStore, tmp_path: Path, table: str, old: str, new: str, message: str
) -> None:
    assert_refused_whole(make_store(), tmp_path, table, old, new, message)


def test_saving_a_plan_checks_like_an_import_and_writes_all_or_nothing(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    first = dump(store)
    with client_over(store) as client:
        mutation = """mutation($o: [ObjectiveInput!], $a: [ActionInput!]) {
            saveActionPlan(objectives: $o, actions: $a) { table count } }"""
        cycle = [{"id": "leuven-doel-bereikbare-zorg", "name": "Bereikbaar",
                  "level": "OPERATIONAL", "zoneId": "leuven",
                  "parentId": "leuven-doel-vervoer-noordrand"}]  # fmt: skip
        body = gql(client, mutation, o=cycle)
        assert body["errors"][0]["message"].endswith(
            "argument objectives[0] field parent: 'leuven-doel-bereikbare-zorg' would be part "
            "of a cycle leuven-doel-bereikbare-zorg -> leuven-doel-vervoer-noordrand -> "
            "leuven-doel-bereikbare-zorg"
        )
        action = {"id": "leuven-actie-nieuw", "name": "Nieuw", "objectiveId":
                  "leuven-doel-vervoer-noordrand", "status": "IDEA", "zoneIds": ["atlantis"],
                  "needCodes": ["transport-need"],
                  "commitments": [{"actorId": "leuven-ocmw", "role": "lead"},
                                  {"actorId": "nobody"}]}  # fmt: skip
        body = gql(client, mutation, a=[action])
        message = body["errors"][0]["message"]
        assert "argument actions[0] field zones: unknown zones reference 'atlantis'" in message
        assert "argument actions[0].commitments[1] field actor: unknown actors reference" in (
            message
        )
        assert dump(store) == first
        action.update(zoneIds=["leuven-vn-wijgmaal"], commitments=[{"actorId": "leuven-ocmw"}],
                      plannedServices=[{"id": "leuven-ocmw-adapted-transport-wijgmaal",
                                        "actorId": "leuven-ocmw", "typeCode":
                                        "adapted-transport", "name": "Taxicheques",
                                        "capacity": 60, "coversZoneIds":
                                        ["leuven-vn-wijgmaal"]}])  # fmt: skip
        body = gql(client, mutation, a=[action])
        assert body["data"]["saveActionPlan"] == [
            {"table": "actions", "count": 1},
            {"table": "action_commitments", "count": 1},
            {"table": "planned_services", "count": 1},
        ]
    plan = actionplan.action_plan(store, "leuven")
    [new] = [a for a in plan.all_actions() if a.id == "leuven-actie-nieuw"]
    assert new.status == "idea" and [s.id for s in new.services] == [
        "leuven-ocmw-adapted-transport-wijgmaal"
    ]
    assert new.gaps[0].ratio_planned == pytest.approx(150 / 135 + 60 / 59)


def test_graphql_action_plan_and_to_be_gaps(client: TestClient) -> None:
    body = gql(
        client,
        """{ serviceGaps(zoneId: "leuven", status: [MISSING, UNDER],
        scenario: TO_BE) { zoneId needCode status } }""",
    )
    assert body["data"]["serviceGaps"] == [
        {"zoneId": "leuven-vn-kessel-lo-noord", "needCode": "depression-anxiety",
         "status": "UNDER"},
        {"zoneId": "leuven-vn-wilsele", "needCode": "caregiver-burden", "status": "UNDER"},
    ]  # fmt: skip
    body = gql(
        client,
        """{ actionPlan(zoneId: "leuven") { zone { name }
        objectives { id level children { id actions { id status startDate
          commitments { actor { name } role }
          plannedServices { id capacity status }
          gaps { zoneId needCode statusNow ratioNow statusPlanned outcome } } } }
        gaps { zoneId needCode outcome actionIds need { name } } } }""",
    )
    plan = body["data"]["actionPlan"]
    assert plan["zone"]["name"] == "Zorgzaam Leuven"
    transport = plan["objectives"][0]["children"][1]["actions"][0]
    assert transport["id"] == "leuven-actie-buurtvervoer-noordrand"
    assert transport["startDate"] == "2026-01-01" and transport["status"] == "RUNNING"
    assert transport["gaps"][0] == {
        "zoneId": "leuven-vn-wijgmaal", "needCode": "transport-need", "statusNow": "MISSING",
        "ratioNow": 0.0, "statusPlanned": "COVERED", "outcome": "CLOSES",
    }  # fmt: skip
    outcomes = {(g["zoneId"], g["needCode"]): g["outcome"] for g in plan["gaps"]}
    assert sorted(outcomes.values()).count("CLOSES") == 4
    assert outcomes[("leuven-vn-centrum", "mobility-limitation")] == "NO_GAP"  # OVER both
    body = gql(client, '{ actionPlan(zoneId: "atlantis") { zoneId } }')
    assert "argument zoneId: unknown zone 'atlantis'" in body["errors"][0]["message"]


TRANSPORT = "leuven-vervoerdienst-dijleland-adapted-transport-noordrand"  # planned, 150 places


def documented_counts(column: int) -> dict[str, int]:
    """Status counts over the 162 leuven cells from the README (AS_IS: 2, TO_BE: 3)."""
    statuses = [row[column].split(" (")[0] for row in readme_rows("tobe:leuven")]
    counts = {s: statuses.count(s) for s in set(statuses) if s != "COVERED"}
    return {"COVERED": 162 - sum(counts.values()), **counts}


def test_zone_report_takes_the_scenario(client: TestClient) -> None:
    query = """query($s: Scenario!) { zoneReport(zoneId: "leuven", scenario: $s) { scenario
        worstGaps { zoneId needCode status ratio } statusCounts { status count } } }"""
    documented = documented_to_be()
    for scenario, column in (("AS_IS", 0), ("TO_BE", 2)):
        report = gql(client, query, s=scenario)["data"]["zoneReport"]
        assert report["scenario"] == scenario
        expected = {key: (row[column], row[column + 1]) for key, row in documented.items()
                    if row[column] in SHORT}  # fmt: skip
        assert {(g["zoneId"], g["needCode"]): (g["status"], f"{g['ratio']:.2f}")
                for g in report["worstGaps"]} == expected  # fmt: skip
        counts = {c["status"]: c["count"] for c in report["statusCounts"]}
        assert counts == documented_counts(2 if column == 0 else 3)
    # the default is AS_IS
    body = gql(client, '{ zoneReport(zoneId: "leuven") { scenario } }')
    assert body["data"]["zoneReport"]["scenario"] == "AS_IS"


def test_what_if_starts_from_the_scenario(client: TestClient) -> None:
    query = """query($s: Scenario!, $r: [ID!]) { whatIf(zoneId: "leuven", scenario: $s,
        removeServiceIds: $r) { zoneId needCode statusBefore statusAfter change rollup } }"""
    # TO_BE without the planned transport: the two transport gaps it closes appear again
    rows = gql(client, query, s="TO_BE", r=[TRANSPORT])["data"]["whatIf"]
    cells = {(r["zoneId"], r["needCode"]): (r["statusBefore"], r["statusAfter"], r["change"])
             for r in rows if not r["rollup"]}  # fmt: skip
    assert cells == {
        ("leuven-vn-wijgmaal", "transport-need"): ("COVERED", "MISSING", "APPEARS"),
        ("leuven-vn-wilsele-putkapel", "transport-need"): ("COVERED", "MISSING", "APPEARS"),
    }
    # AS_IS does not count it: removing it changes nothing
    assert gql(client, query, s="AS_IS", r=[TRANSPORT])["data"]["whatIf"] == []
    assert gql(client, query, s="TO_BE", r=[])["data"]["whatIf"] == []


def test_the_gaps_csv_takes_the_scenario(client: TestClient) -> None:
    documented = documented_to_be()
    for value, column in (("AS_IS", 0), ("TO_BE", 2), ("to-be", 2)):
        response = client.get("/exports/gaps.csv", params={"zone": "leuven", "scenario": value})
        assert response.status_code == 200, response.text
        named = "gaps-leuven-to-be.csv" if column == 2 else "gaps-leuven.csv"
        assert response.headers["content-disposition"] == f'attachment; filename="{named}"'
        records = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert len(records) == 18 + 162
        cells = [r for r in records if r["rollup"] == "False" and r["status"] != "COVERED"]
        flagged = {(r["zone"], r["need"]): (r["status"], f"{float(r['ratio']):.2f}")
                   for r in cells}  # fmt: skip
        assert flagged == {key: (row[column], row[column + 1]) for key, row in documented.items()
                           if row[column] != "COVERED"}  # fmt: skip
    bad = client.get("/exports/gaps.csv", params={"zone": "leuven", "scenario": "maybe"})
    assert bad.status_code == 400 and "argument scenario: 'MAYBE'" in bad.text


def test_a_planned_service_cannot_take_an_existing_services_id(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    first = dump(store)
    taken = "leuven-mantelzorgpunt-caregiver-support"  # active
    action = {"id": "leuven-actie-nieuw", "name": "Nieuw", "objectiveId":
              "leuven-doel-mantelzorg-wilsele", "status": "IDEA", "zoneIds": ["leuven-vn-wilsele"],
              "needCodes": ["caregiver-burden"],
              "plannedServices": [{"id": taken, "actorId": "leuven-ocmw", "typeCode":
                                   "caregiver-support", "name": "Overgenomen", "capacity": 1,
                                   "coversZoneIds": ["leuven-vn-wilsele"]}]}  # fmt: skip
    with client_over(store) as client:
        body = gql(client, """mutation($a: [ActionInput!]) { saveActionPlan(actions: $a) {
            table count } }""", a=[action])  # fmt: skip
    assert body["errors"][0]["message"].endswith(
        f"argument actions[0].plannedServices[0] field id: '{taken}' is an existing active "
        "service, not a planned one; give the to-be service an id of its own"
    )
    assert dump(store) == first
