"""The access matrix: every role x every patient-bearing query and mutation, with tricks
(another case manager's known patient id, aliases, fragments, nested traversals, circles).
Nothing leaks: a refused or out-of-scope call returns no patient data and changes nothing.
"""

from __future__ import annotations

import re

import pytest

from graphsvc.core.digest import graph_digest
from graphsvc.store import Store
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    ANTOINE,
    ANTOINE_OTHER,
    ANTOINE_PATIENT,
    CPAS,
    CPAS_HOUSING,
    FATIMA,
    FATIMA_OTHER,
    FATIMA_PATIENT,
    LEUVEN_PATIENT,
    NOBODY,
    RecordingStore,
    Secured,
    secure_demo_fixture,
    secure_fresh_fixture,
    secured,
)

PSEUDONYM = re.compile(r"\b[0-9a-f]{64}\b")
ALL_PATIENTS = {ANTOINE_PATIENT, ANTOINE_OTHER, FATIMA_PATIENT, FATIMA_OTHER, LEUVEN_PATIENT}

READS = {
    "patient": "query($p: ID!) { patient(id: $p) { id needs { code } referrals { id } } }",
    "careCircle": "query($p: ID!) { careCircle(patientId: $p) { patientId members { roles } } }",
    "partners": "query($p: ID!) { partners(patientId: $p, limit: 3) { score service { id } } }",
}
# who sees which patient: True (its data), False (nothing, as if it did not exist), "forbidden"
SEES = {
    "admin": {ANTOINE_PATIENT: True, FATIMA_PATIENT: True, LEUVEN_PATIENT: True},
    "antoine": {ANTOINE_PATIENT: True, FATIMA_PATIENT: False, LEUVEN_PATIENT: False},
    "fatima": {ANTOINE_PATIENT: False, FATIMA_PATIENT: True, LEUVEN_PATIENT: False},
    "katrien": {ANTOINE_PATIENT: False, FATIMA_PATIENT: False, LEUVEN_PATIENT: True},
    "cpas": {ANTOINE_PATIENT: False, FATIMA_PATIENT: False, LEUVEN_PATIENT: False},
    "planner": dict.fromkeys((ANTOINE_PATIENT, FATIMA_PATIENT, LEUVEN_PATIENT), "forbidden"),
    "facilitator": dict.fromkeys((ANTOINE_PATIENT, FATIMA_PATIENT, LEUVEN_PATIENT), "forbidden"),
}
MATRIX = [(who, op, p) for who, seen in SEES.items() for op in READS for p in seen]
OWN = {
    "antoine": {ANTOINE_PATIENT, ANTOINE_OTHER},
    "fatima": {FATIMA_PATIENT, FATIMA_OTHER},
    "katrien": {LEUVEN_PATIENT},
}


def pseudonyms(body: dict) -> set[str]:
    return set(PSEUDONYM.findall(str(body)))


def assert_no_patient_data(body: dict, field: str, asked: str | None = None) -> None:
    data = body.get("data") or {}
    assert not data.get(field), body
    assert pseudonyms(body) <= ({asked} if asked else set()), body  # only what was asked


@pytest.mark.parametrize(("who", "op", "patient"), MATRIX)
def test_read_matrix(secure_demo: Secured, who: str, op: str, patient: str) -> None:
    body = secure_demo.ask(who, READS[op], p=patient)
    expected = SEES[who][patient]
    if expected is True:
        assert "errors" not in body, body
        assert body["data"][op], body
    else:
        assert_no_patient_data(body, op, patient)
        if expected == "forbidden":
            assert "forbidden" in body["errors"][0]["message"]
        elif op != "patient":  # a patient outside the scope is unknown, as a missing one
            assert "unknown patient" in body["errors"][0]["message"]


@pytest.mark.parametrize("who", ["antoine", "fatima", "katrien"])
def test_another_managers_patient_looks_exactly_like_no_patient(
    secure_demo: Secured, who: str
) -> None:
    for op, query in READS.items():
        for patient in ALL_PATIENTS - OWN[who]:
            hidden = secure_demo.ask(who, query, p=patient)
            missing = secure_demo.ask(who, query, p=NOBODY)
            assert str(hidden).replace(patient, "X") == str(missing).replace(NOBODY, "X"), op


def test_my_patients_is_the_tokens_own_caseload(secure_demo: Secured) -> None:
    query = "query($a: ID) { myPatients(actorId: $a) { id needs { code } } }"
    mine = secure_demo.ask("antoine", query)["data"]["myPatients"]
    assert {p["id"] for p in mine} == {ANTOINE_PATIENT, ANTOINE_OTHER}
    # another manager's caseload shows only the patients whose circle the caller is in
    assert secure_demo.ask("antoine", query, a=FATIMA)["data"]["myPatients"] == []
    assert secure_demo.ask("cpas", query, a=ANTOINE)["data"]["myPatients"] == []
    theirs = secure_demo.ask("admin", query, a=FATIMA)["data"]["myPatients"]
    assert {p["id"] for p in theirs} == {FATIMA_PATIENT, FATIMA_OTHER}
    for who in ("planner", "facilitator"):
        body = secure_demo.ask(who, query, a=ANTOINE)
        assert_no_patient_data(body, "myPatients")
        assert "forbidden" in body["errors"][0]["message"]
    body = secure_demo.ask("admin", query)  # an admin acts as no actor: it must say whose
    assert "argument actorId" in body["errors"][0]["message"]


def test_aliases_and_fragments_do_not_widen_the_scope(secure_demo: Secured) -> None:
    aliased = f"""{{
      a: patient(id: "{FATIMA_PATIENT}") {{ id needs {{ code }} }}
      b: patient(id: "{FATIMA_OTHER}") {{ id }}
      c: patient(id: "{ANTOINE_PATIENT}") {{ id }}
      d: careCircle(patientId: "{ANTOINE_PATIENT}") {{ patientId }}
    }}"""
    body = secure_demo.ask("antoine", aliased)
    assert body["data"]["a"] is None and body["data"]["b"] is None
    assert body["data"]["c"]["id"] == ANTOINE_PATIENT
    assert pseudonyms(body) <= {ANTOINE_PATIENT, FATIMA_PATIENT, FATIMA_OTHER}
    assert FATIMA_PATIENT not in str(body["data"])

    fragments = f"""query {{ ...Look }}
      fragment Look on Query {{ x: patient(id: "{FATIMA_PATIENT}") {{ ...P }} }}
      fragment P on Patient {{ id needs {{ code }} referrals {{ ...R }} }}
      fragment R on Referral {{ id patientId }}"""
    assert secure_demo.ask("antoine", fragments)["data"] == {"x": None}
    body = secure_demo.ask("planner", fragments)
    assert body["data"] == {"x": None} and "forbidden" in body["errors"][0]["message"]


def test_nested_traversals_reach_no_patient(secure_demo: Secured) -> None:
    """From actors, services, zones, maps and measures there is no way to a patient."""
    queries = [
        f'{{ actor(id: "{ANTOINE}") {{ id zone {{ id }} services {{ id provider {{ id }} }} }} }}',
        '{ networkMeasures(zoneId: "namur") { actors { actorId degree } '
        "missingLinks { sourceId targetId sharedPatients } } }",
        '{ networkMap(zoneId: "namur") { nodes { id kind title } edges { source target kind } } }',
        '{ zoneReport(zoneId: "namur") { needs { demand } worstGaps { zoneId } } }',
    ]
    for who in ("planner", "facilitator", "antoine", "admin"):
        for query in queries:
            body = secure_demo.ask(who, query)
            assert "errors" not in body, body
            assert not pseudonyms(body), (who, query)
    # the care circle goes on to actors, never to the other patients of those actors
    circle = secure_demo.ask(
        "antoine",
        f'{{ careCircle(patientId: "{ANTOINE_PATIENT}") {{ members {{ actor {{ id services '
        "{ id available } } } } } }",
    )
    assert pseudonyms(circle) == set()


def test_the_scope_is_in_the_cypher(demo_store: Store) -> None:
    """The scoped queries themselves match nothing outside the actor's patients."""
    assert demo_store.run("get_scoped_patients", ids=[FATIMA_PATIENT], actor=ANTOINE) == []
    mine = demo_store.run("get_scoped_patients", ids=[ANTOINE_PATIENT], actor=ANTOINE)
    assert [r["id"] for r in mine] == [ANTOINE_PATIENT]
    assert demo_store.run("list_scoped_caseload", manager=FATIMA, actor=ANTOINE) == []
    assert (
        demo_store.run("list_scoped_patient_referrals", ids=[FATIMA_PATIENT], actor=ANTOINE) == []
    )


def test_case_manager_requests_run_only_scoped_patient_queries(demo_store: Store, tmp_path) -> None:
    recording = RecordingStore(demo_store)
    unscoped = {"get_patients", "list_caseload", "list_patient_referrals", "get_referrals"}
    with secured(recording, tmp_path) as app:  # type: ignore[arg-type]
        for query in READS.values():
            app.ask("antoine", query, p=ANTOINE_PATIENT)
        app.ask("antoine", "{ myPatients { id referrals { id } } }")
        asked = set(recording.names)
        assert {"get_scoped_patients", "list_scoped_patient_referrals"} <= asked
        assert not asked & unscoped, asked & unscoped


WRITES = {
    "updatePatient": 'mutation($p: ID!) { updatePatient(id: $p, changes: {languages: ["fr"]}) '
    "{ id languages } }",
    "activatePartners": "mutation($p: ID!) { activatePartners(patientId: $p, "
    f'serviceIds: ["{CPAS_HOUSING}"]) {{ id }} }}',
}


@pytest.mark.parametrize("op", sorted(WRITES))
@pytest.mark.parametrize("who", ["planner", "facilitator", "fatima", "katrien", "cpas"])
def test_refused_writes_change_nothing(secure_fresh: Secured, who: str, op: str) -> None:
    before = graph_digest(secure_fresh.store)
    body = secure_fresh.ask(who, WRITES[op], p=ANTOINE_PATIENT)
    assert_no_patient_data(body, op, ANTOINE_PATIENT)
    message = body["errors"][0]["message"]
    assert (
        ("forbidden" in message)
        if who in ("planner", "facilitator")
        else ("unknown patient" in message)
    )
    assert graph_digest(secure_fresh.store) == before


def test_referral_moves_are_scoped(secure_fresh: Secured) -> None:
    made = secure_fresh.ask("antoine", WRITES["activatePartners"], p=ANTOINE_PATIENT)
    referral = made["data"]["activatePartners"][0]["id"]
    move = (
        "mutation($r: ID!, $s: ReferralStatus!) { updateReferral(id: $r, status: $s) { status } }"
    )
    before = graph_digest(secure_fresh.store)
    for who in ("planner", "facilitator", "fatima", "cpas"):
        body = secure_fresh.ask(who, move, r=referral, s="SENT")
        assert_no_patient_data(body, "updateReferral")
        assert graph_digest(secure_fresh.store) == before
    assert secure_fresh.ask("antoine", move, r=referral, s="SENT")["data"]["updateReferral"] == {
        "status": "SENT"
    }


def test_a_provider_sees_a_patient_while_in_its_circle(secure_fresh: Secured) -> None:
    made = secure_fresh.ask("antoine", WRITES["activatePartners"], p=ANTOINE_PATIENT)
    referral = made["data"]["activatePartners"][0]["id"]
    move = (
        "mutation($r: ID!, $s: ReferralStatus!) { updateReferral(id: $r, status: $s) { status } }"
    )
    look = READS["patient"]
    assert secure_fresh.ask("cpas", look, p=ANTOINE_PATIENT)["data"]["patient"] is None
    for status in ("SENT", "ACCEPTED"):
        secure_fresh.ask("antoine", move, r=referral, s=status)
    seen = secure_fresh.ask("cpas", look, p=ANTOINE_PATIENT)["data"]["patient"]
    assert seen["id"] == ANTOINE_PATIENT  # accepted: CPAS is in the care circle
    caseload = "query($a: ID) { myPatients(actorId: $a) { id } }"
    assert secure_fresh.ask("cpas", caseload, a=ANTOINE)["data"]["myPatients"] == [
        {"id": ANTOINE_PATIENT}
    ]  # of Antoine's caseload, only the patient whose circle it is in
    # a circle member reads but does not change the patient's record
    body = secure_fresh.ask("cpas", WRITES["updatePatient"], p=ANTOINE_PATIENT)
    assert "only the patient's case manager" in body["errors"][0]["message"]
    for status in ("ACTIVE", "CLOSED"):
        secure_fresh.ask("antoine", move, r=referral, s=status)
    assert secure_fresh.ask("cpas", look, p=ANTOINE_PATIENT)["data"]["patient"] is None


REGISTER = """mutation($x: String!, $m: ID) { registerPatient(patient: {externalId: $x,
  zoneId: "namur-vn-bouge", needs: [{code: "social-isolation"}], caseManagerId: $m}) {
  id caseManager { id } } }"""


def test_case_managers_register_their_own_patients(secure_fresh: Secured) -> None:
    mine = secure_fresh.ask("antoine", REGISTER, x="file-1")["data"]["registerPatient"]
    assert mine["caseManager"]["id"] == ANTOINE
    before = graph_digest(secure_fresh.store)
    body = secure_fresh.ask("antoine", REGISTER, x="file-2", m=FATIMA)
    refusal = body["errors"][0]["message"]
    assert "registration refused" in refusal
    # the same person registered again by another manager: no takeover, no overwrite, and
    # the same answer as any refusal (no membership oracle), audited under the pseudonym
    body = secure_fresh.ask("fatima", REGISTER, x="file-1")
    assert body["errors"][0]["message"] == refusal
    assert_no_patient_data(body, "registerPatient")
    probe = [r for r in secure_fresh.audit.read(mine["id"]) if r["actor"] == FATIMA]
    assert [(r["operation"], r["outcome"]) for r in probe] == [("registerPatient", "denied")]
    for who in ("planner", "facilitator"):
        body = secure_fresh.ask(who, REGISTER, x="file-3", m=ANTOINE)
        assert "forbidden" in body["errors"][0]["message"]
    assert graph_digest(secure_fresh.store) == before
    theirs = secure_fresh.ask("admin", REGISTER, x="file-4", m=FATIMA)["data"]["registerPatient"]
    assert theirs["caseManager"]["id"] == FATIMA


def test_handing_a_patient_over_ends_access(secure_fresh: Secured) -> None:
    hand_over = (
        f'mutation($p: ID!) {{ updatePatient(id: $p, changes: {{caseManagerId: "{FATIMA}"}}) '
        "{ id caseManager { id } } }"
    )
    body = secure_fresh.ask("antoine", hand_over, p=ANTOINE_OTHER)
    assert body["data"]["updatePatient"]["caseManager"]["id"] == FATIMA
    assert secure_fresh.ask("antoine", READS["patient"], p=ANTOINE_OTHER)["data"]["patient"] is None
    seen = secure_fresh.ask("fatima", READS["patient"], p=ANTOINE_OTHER)["data"]["patient"]
    assert seen["id"] == ANTOINE_OTHER


def test_patient_counts_are_for_planners_and_admins(secure_demo: Secured) -> None:
    query = '{ patientCounts(zoneId: "namur") { total { patients { value suppressed } } } }'
    for who in ("planner", "admin"):
        assert "errors" not in secure_demo.ask(who, query)
    for who in ("antoine", "facilitator", "cpas"):
        body = secure_demo.ask(who, query)
        assert body["data"] is None and "forbidden" in body["errors"][0]["message"]


def test_without_a_valid_token_nothing_runs(secure_demo: Secured) -> None:
    before = secure_demo.store.calls
    for who in (None, "gsvc_" + "x" * 43, "not-a-token"):
        response = secure_demo.post(
            who, {"query": f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert ANTOINE_PATIENT not in response.text
    paths = ("/maps/zone/namur", "/exports/gaps.csv?zone=namur")
    for path in paths:
        assert secure_demo.client.get(path).status_code == 401
    assert secure_demo.store.calls == before  # refused before anything ran
    headers = {"Authorization": f"Bearer {secure_demo.tokens['facilitator']}"}
    for path in paths:
        assert secure_demo.client.get(path, headers=headers).status_code == 200


def test_read_paths_use_read_only_queries(demo_store: Store, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Every query a GraphQL read sends is a read query (GRAPH.RO_QUERY, execute_read)."""
    recording = RecordingStore(demo_store)
    reads = [
        ("antoine", READS["patient"]),
        ("antoine", READS["careCircle"]),
        ("antoine", READS["partners"]),
        ("antoine", "{ myPatients { id referrals { service { provider { id } } } } }"),
        ("admin", READS["patient"]),
        ("planner", '{ patientCounts(zoneId: "namur") { total { patients { value } } } }'),
        ("planner", '{ serviceGaps(zoneId: "namur") { ratio } overlaps(zoneId: "namur") '
                    "{ providerCount } }"),
        ("facilitator", '{ networkMeasures(zoneId: "namur") { density } }'),
        ("facilitator", '{ zones { id parts { id } } actors(zoneId: "namur") { id } }'),
    ]  # fmt: skip
    with secured(recording, tmp_path) as app:  # type: ignore[arg-type]
        for who, query in reads:
            assert "errors" not in app.ask(who, query, p=ANTOINE_PATIENT), query
    assert recording.names
    writing = {n for n in recording.names if demo_store.catalog[n].writes}
    assert not writing, writing


def test_the_write_queries_check_the_scope_themselves(secure_fresh: Secured) -> None:
    """A scope lost between the resolver's check and the write (a race) is still refused by
    the write statement itself: the other case manager's patient gets no referral and no
    status change, while the same statements in scope (and unscoped) do write."""
    store = secure_fresh.store
    service = store.run("list_services", zone="namur", actor=None, type=None, status="active",
                        limit=1, offset=0)[0]["id"]  # fmt: skip
    new = {"id": "ref-race", "service": service, "note": None}
    now = "2026-01-01T00:00:00Z"
    before = graph_digest(store)
    refused = store.run("create_referrals", patient=FATIMA_PATIENT, actor=ANTOINE, rows=[new],
                        now=now, scope=ANTOINE)  # fmt: skip
    assert refused == [] and graph_digest(store) == before
    made = store.run("create_referrals", patient=FATIMA_PATIENT, actor=FATIMA, rows=[new],
                     now=now, scope=FATIMA)  # fmt: skip
    assert made == [{"id": "ref-race"}]
    move = {"id": "ref-race", "current": "proposed", "status": "accepted", "places": -1,
            "now": now, "outcome": None}  # fmt: skip
    before = graph_digest(store)
    assert store.run("set_referral_status", **move, scope=ANTOINE) == []
    assert graph_digest(store) == before
    assert store.run("set_referral_status", **move, scope=FATIMA)[0]["status"] == "accepted"
    back = {**move, "current": "accepted", "status": "declined", "places": 1}
    assert store.run("set_referral_status", **back, scope=None)[0]["status"] == "declined"
