"""The access matrix of the co-creation writes and of the printable team feedback page:
every role x saveActionPlan, saveFunding and /feedback/team/{id} (HTML and CSV). Planners and
admins write action plans, only admins funding lines; the feedback page is guarded like
`teamFeedback` (planners and admins). A refused call changes nothing and shows no figure.
"""

from __future__ import annotations

import pytest

from graphsvc.core.digest import graph_digest
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    Secured,
    secure_demo_fixture,
    secure_fresh_fixture,
)

ROLES = ("admin", "planner", "facilitator", "antoine", "cpas")
OBJECTIVE = {"id": "namur-doel-toegang", "name": "Toegang tot zorg", "level": "STRATEGIC",
             "zoneId": "namur"}  # fmt: skip
ACTION = {"id": "namur-actie-vervoer", "name": "Vervoer Belgrade", "objectiveId":
          "namur-doel-toegang", "status": "IDEA", "zoneIds": ["namur-vn-belgrade"],
          "needCodes": ["transport-need"], "commitments": [{"actorId": "namur-cpas",
                                                            "role": "lead"}]}  # fmt: skip
LINE = {"id": "namur-financement-test", "scheme": "FLAT_RATE", "amount": 12000,
        "startDate": "2026-01-01", "endDate": "2026-12-31", "source": "test",
        "zoneId": "namur"}  # fmt: skip
WRITES = {
    "saveActionPlan": (
        "mutation($o: [ObjectiveInput!], $a: [ActionInput!]) { saveActionPlan(objectives: $o, "
        "actions: $a) { table count } }",
        {"o": [OBJECTIVE], "a": [ACTION]},
        [{"table": "objectives", "count": 1}, {"table": "actions", "count": 1},
         {"table": "action_commitments", "count": 1}],
    ),
    "saveFunding": (
        "mutation($l: [FundingInput!]!) { saveFunding(lines: $l) { table count } }",
        {"l": [LINE]},
        [{"table": "funding", "count": 1}],
    ),
}  # fmt: skip
MAY_WRITE = {"saveActionPlan": {"admin", "planner"}, "saveFunding": {"admin"}}
MESSAGES = {
    "saveActionPlan": "forbidden: changing action plans takes a planner or admin token",
    "saveFunding": "forbidden: changing funding lines takes an admin token",
}


@pytest.mark.parametrize("op", sorted(WRITES))
@pytest.mark.parametrize("who", ROLES)
def test_co_creation_write_matrix(secure_fresh: Secured, who: str, op: str) -> None:
    query, variables, saved = WRITES[op]
    before = graph_digest(secure_fresh.store)
    body = secure_fresh.ask(who, query, **variables)
    if who in MAY_WRITE[op]:
        assert "errors" not in body, body
        assert body["data"][op] == saved
        assert graph_digest(secure_fresh.store) != before
    else:
        assert body["data"] is None, body
        assert body["errors"][0]["message"] == MESSAGES[op]
        assert graph_digest(secure_fresh.store) == before


def test_without_a_token_nothing_is_written(secure_fresh: Secured) -> None:
    before = graph_digest(secure_fresh.store)
    for query, variables, _ in WRITES.values():
        response = secure_fresh.post(None, {"query": query, "variables": variables})
        assert response.status_code == 401
    assert graph_digest(secure_fresh.store) == before


GGZ = "leuven-mdt-ggz-noord"
MARCH = {"from": "2026-01-01", "to": "2026-03-31"}  # a release period: Q1
SEES_FEEDBACK = {"admin": True, "planner": True, "facilitator": False, "antoine": False,
                 "cpas": False}  # fmt: skip


@pytest.mark.parametrize("fmt", ["html", "csv"])
@pytest.mark.parametrize("who", ROLES)
def test_feedback_page_matrix(secure_demo: Secured, who: str, fmt: str) -> None:
    response = secure_demo.client.get(
        f"/feedback/team/{GGZ}",
        params={**MARCH, "format": fmt},
        headers={"Authorization": f"Bearer {secure_demo.tokens[who]}"},
    )
    [record] = [r for r in secure_demo.records() if r["operation"] == "teamFeedback"]
    assert (record["role"], record["team"], record["patient"]) == (
        "case_manager" if who in ("antoine", "cpas") else who, GGZ, None)  # fmt: skip
    if SEES_FEEDBACK[who]:
        assert response.status_code == 200, response.text
        assert "&lt; 10" in response.text if fmt == "html" else "< 10" in response.text
        assert "0.29" in response.text  # the collaboration density is no patient count
        assert (record["outcome"], record["access"]) == ("ok", "aggregate")
    else:
        assert response.status_code == 403
        assert "forbidden: team feedback takes a planner or admin token" in response.text
        assert "0.29" not in response.text and "Leuven-Noord" not in response.text
        assert record["outcome"] == "denied"


def test_feedback_page_needs_a_token(secure_demo: Secured) -> None:
    response = secure_demo.client.get(f"/feedback/team/{GGZ}", params=MARCH)
    assert response.status_code == 401
    assert "0.29" not in response.text
