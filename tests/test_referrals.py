"""Referrals: lifecycle, capacity in the same statement, concurrency, care circle, GraphQL."""

from __future__ import annotations

import csv
import threading
import uuid
from collections.abc import Callable, Iterator
from itertools import product

import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings, get_settings
from graphsvc.core import caseload, referrals
from graphsvc.core.referrals import STATUSES, TRANSITIONS, Conflict
from graphsvc.errors import InputError, NotFound
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import LOCALHOST, REPO, gql

CENTRE = "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
SAINT_SERVAIS = "d9e2b60fcabdaea1c9d164d3abde4d29b8e5bd7757fe057d2ceda25bebe40927"
CPAS_HOUSING = "namur-cpas-housing-support"
RIVAGES = "namur-equipe-mobile-rivages-mobile-psychiatric-team"
GRANDS_PRES = "namur-centre-psychiatrique-grands-pres-psychiatric-hospital-care"
PATH = {  # how to reach each status from `proposed`
    "proposed": [],
    "sent": ["sent"],
    "accepted": ["sent", "accepted"],
    "declined": ["sent", "declined"],
    "active": ["sent", "accepted", "active"],
    "closed": ["sent", "accepted", "active", "closed"],
    "cancelled": ["cancelled"],
}
ALLOWED = {  # DESIGN §3, written out by hand: (from, to) -> change of the service's free places
    ("proposed", "sent"): 0,
    ("proposed", "cancelled"): 0,
    ("sent", "accepted"): -1,
    ("sent", "declined"): 0,
    ("sent", "cancelled"): 0,
    ("accepted", "active"): 0,
    ("accepted", "cancelled"): +1,
    ("active", "closed"): +1,
    ("active", "cancelled"): +1,
}


def namur_bundle(available: dict[str, int] | None = None):
    bundle = read_bundle(resolve_seed("namur"))
    for row in bundle.tables["services"]:
        if available and row["id"] in available:
            row["available"] = available[row["id"]]
    return bundle


@pytest.fixture
def namur(make_store: Callable[..., Store]) -> Store:
    store = make_store()
    write_bundle(store, namur_bundle())
    return store


def free(store: Store, service: str) -> int:
    [row] = store.run("get_referral_targets", ids=[service], patient=CENTRE, statuses=[])
    return row["available"]


def move(store: Store, referral: str, path: list[str]) -> referrals.Referral:
    current = referrals.require_referral(store, referral)
    for status in path:
        current = referrals.update_referral(store, None, referral, status)
    return current


def open_services(store: Store, count: int) -> list[str]:
    rows = store.run(
        "list_services", actor=None, type=None, zone=None, status="active", offset=0, limit=1000
    )
    return [r["id"] for r in rows if r["available"] >= 2][:count]


def test_lifecycle_allowed_transitions_work_and_all_others_change_nothing(namur: Store) -> None:
    pairs = list(product(STATUSES, STATUSES))
    services = open_services(namur, len(pairs))
    assert len(services) == len(pairs) == 49
    assert {(a, b) for a in TRANSITIONS for b in TRANSITIONS[a]} == set(ALLOWED)
    for (start, end), service in zip(pairs, services, strict=True):
        [made] = referrals.activate_partners(namur, None, CENTRE, [service])
        before = move(namur, made.id, PATH[start])
        assert before.status == start
        places = free(namur, service)
        if (start, end) in ALLOWED:
            after = referrals.update_referral(namur, None, made.id, end)
            assert after.status == end, (start, end)
            assert free(namur, service) == places + ALLOWED[start, end], (start, end)
            assert after.updated >= before.updated
        else:
            with pytest.raises(InputError, match=f"cannot go from {start} to {end}"):
                referrals.update_referral(namur, None, made.id, end)
            assert referrals.require_referral(namur, made.id) == before, (start, end)
            assert free(namur, service) == places, (start, end)


def test_outcome_and_note_are_codes_never_free_text(namur: Store) -> None:
    with pytest.raises(InputError, match="argument note: 'call her daughter' is not one of"):
        referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING], "call her daughter")
    [made] = referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING], "urgent")
    assert made.note == "urgent" and made.status == "proposed" and made.outcome is None
    assert made.by == "namur-case-manager-antoine-piette"  # default: the case manager
    referrals.update_referral(namur, None, made.id, "sent")
    with pytest.raises(InputError, match="argument outcome: 'she is fine' is not one of"):
        referrals.update_referral(namur, None, made.id, "declined", "she is fine")
    with pytest.raises(InputError, match="argument outcome: only when a referral ends"):
        referrals.update_referral(namur, None, made.id, "accepted", "goals_met")
    with pytest.raises(InputError, match="argument status: 'done' is not one of"):
        referrals.update_referral(namur, None, made.id, "done")
    done = referrals.update_referral(namur, None, made.id, "declined", "no_capacity")
    assert (done.status, done.outcome) == ("declined", "no_capacity")
    assert done.allowed_next == ()


def test_activation_errors_are_clear_and_write_nothing(namur: Store) -> None:
    def referral_count() -> int:
        return sum(r["label"] == "Referral" for r in namur.run("list_node_dump"))

    with pytest.raises(NotFound, match="argument patientId: unknown patient"):
        referrals.activate_partners(namur, None, "0" * 64, [CPAS_HOUSING])
    with pytest.raises(NotFound, match="argument serviceIds: unknown service 'nope'"):
        referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING, "nope"])
    with pytest.raises(InputError) as caught:
        referrals.activate_partners(
            namur,
            None,
            CENTRE,
            [
                "namur-housing-first-confluent-housing-support",
                "namur-antenne-assuetudes-du-plateau-addiction-care",
                "namur-navette-solidaire-belgrade-adapted-transport",
                CPAS_HOUSING,
            ],
        )
    assert caught.value.problems == [
        "service 'namur-housing-first-confluent-housing-support' has no free place",
        "service 'namur-antenne-assuetudes-du-plateau-addiction-care' is closed: it takes no "
        "referrals",
        "service 'namur-navette-solidaire-belgrade-adapted-transport' is paused: it takes no "
        "referrals",
    ]
    with pytest.raises(InputError, match="given twice"):
        referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING, CPAS_HOUSING])
    with pytest.raises(InputError, match="at least one service"):
        referrals.activate_partners(namur, None, CENTRE, [])
    assert referral_count() == 0
    referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING])
    with pytest.raises(InputError, match="already has an open referral for this patient"):
        referrals.activate_partners(namur, None, CENTRE, [CPAS_HOUSING])
    with pytest.raises(NotFound, match="argument id: unknown referral 'nope'"):
        referrals.update_referral(namur, None, "nope", "sent")
    assert referral_count() == 1


def test_giving_back_never_exceeds_capacity(make_store: Callable[..., Store]) -> None:
    store = make_store()
    write_bundle(store, namur_bundle({CPAS_HOUSING: 719}))  # all 719 places free
    [made] = referrals.activate_partners(store, None, CENTRE, [CPAS_HOUSING])
    move(store, made.id, ["sent", "accepted"])
    assert free(store, CPAS_HOUSING) == 718
    write_bundle(store, namur_bundle({CPAS_HOUSING: 719}))  # a refresh resets the places
    referrals.update_referral(store, None, made.id, "cancelled")
    assert free(store, CPAS_HOUSING) == 719


def test_the_last_place_is_taken_once(make_store: Callable[..., Store]) -> None:
    store = make_store()
    write_bundle(store, namur_bundle({CPAS_HOUSING: 1}))
    first, second = (
        referrals.activate_partners(store, None, p, [CPAS_HOUSING])[0]
        for p in (CENTRE, SAINT_SERVAIS)
    )
    move(store, first.id, ["sent"])
    move(store, second.id, ["sent", "accepted"])
    with pytest.raises(Conflict, match=r"has no free place left: referral .* stays sent"):
        referrals.update_referral(store, None, first.id, "accepted")
    assert referrals.require_referral(store, first.id).status == "sent"
    assert free(store, CPAS_HOUSING) == 0
    referrals.update_referral(store, None, second.id, "cancelled", "patient_moved")
    assert referrals.update_referral(store, None, first.id, "accepted").status == "accepted"


@pytest.fixture
def same_graph(embedded: EmbeddedServer) -> Iterator[Callable[[], Store]]:
    """Open several stores (separate connections) on one fresh graph."""
    settings = Settings(db=f"embedded:{embedded.data_dir}", graph=f"test_{uuid.uuid4().hex}")
    opened: list[Store] = []

    def make() -> Store:
        opened.append(open_store(settings))
        return opened[-1]

    yield make
    opened[0].run("delete_everything")
    for store in opened:
        store.close()


def test_concurrent_accepts_never_overbook(same_graph: Callable[[], Store]) -> None:
    store = same_graph()
    write_bundle(store, namur_bundle({CPAS_HOUSING: 3}))
    with (REPO / "seeds" / "namur" / "patients.csv").open() as f:
        patients = [row["id"] for row in csv.DictReader(f)][:8]
    sent = []
    for patient in patients:
        [made] = referrals.activate_partners(store, None, patient, [CPAS_HOUSING])
        sent.append(move(store, made.id, ["sent"]).id)
    stores = [same_graph() for _ in sent]
    barrier = threading.Barrier(len(sent))
    results: dict[str, str] = {}

    def accept(own: Store, referral: str) -> None:
        barrier.wait()
        try:
            results[referral] = referrals.update_referral(own, None, referral, "accepted").status
        except Conflict as exc:
            results[referral] = f"refused: {exc}"

    threads = [threading.Thread(target=accept, args=a) for a in zip(stores, sent, strict=True)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 8
    assert sorted(results.values()).count("accepted") == 3, results
    assert all("no free place" in r for r in results.values() if r != "accepted")
    assert free(store, CPAS_HOUSING) == 0
    states = [r.status for r in referrals.get_referrals(store, sent).values()]
    assert sorted(states) == ["accepted"] * 3 + ["sent"] * 5


def test_care_circle_members_links_and_missing_links(namur: Store) -> None:
    made = referrals.activate_partners(namur, None, SAINT_SERVAIS, [CPAS_HOUSING, GRANDS_PRES])
    circle = caseload.care_circle(namur, None, SAINT_SERVAIS)
    assert [(m.actor, m.roles) for m in circle.members] == [
        ("namur-case-manager-fatima-piette", ("case_manager",))
    ]  # proposed referrals do not count
    for referral in made:
        move(namur, referral.id, ["sent", "accepted"])
    move(namur, made[1].id, ["active"])
    circle = caseload.care_circle(namur, None, SAINT_SERVAIS)
    members = [m.actor for m in circle.members]
    assert members == [
        "namur-case-manager-fatima-piette",
        "namur-centre-psychiatrique-grands-pres",
        "namur-cpas",
    ]
    assert [r.id for m in circle.members for r in m.referrals] == [made[1].id, made[0].id]
    with (REPO / "seeds" / "namur" / "collaborations.csv").open() as f:
        linked = {frozenset((r["source"], r["target"])) for r in csv.DictReader(f)}
    pairs = [(a, b) for i, a in enumerate(members) for b in members[i + 1 :]]
    assert [(link.source, link.target) for link in circle.collaborations] == [
        p for p in pairs if frozenset(p) in linked
    ]
    assert [(link.source, link.target) for link in circle.missing_links] == [
        p for p in pairs if frozenset(p) not in linked
    ]
    assert circle.collaborations and circle.missing_links  # the seed has both here
    case = caseload.patient_case(namur, None, SAINT_SERVAIS)
    assert [(n.code, n.state) for n in case.needs] == [
        ("housing-insecurity", "covered"),
        ("severe-mental-illness", "covered"),
    ]
    assert case.open_needs == []


@pytest.fixture
def app_client(namur: Store, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("GRAPHSVC_PSEUDONYM_KEY", "workshop-secret-key-2026")
    get_settings.cache_clear()
    with TestClient(create_app(Settings(), namur), base_url=LOCALHOST) as client:
        yield client
    get_settings.cache_clear()


def test_case_manager_flow_over_graphql(app_client: TestClient) -> None:
    """Register, find partners, activate two, accept one, see the circle and the capacity."""
    register = """mutation($p: PatientInput!) { registerPatient(patient: $p) {
        id openNeeds zone { id } caseManager { id } needs { code since state } } }"""
    patient = {
        "externalId": "dossier-2026-0042",
        "zoneId": "namur-vn-saint-servais",
        "needs": [
            {"code": "housing-insecurity", "since": "2026-01-05"},
            {"code": "severe-mental-illness"},
        ],
        "languages": ["fr"],
        "eligibility": ["homeless", "mental_health"],
        "caseManagerId": "namur-case-manager-fatima-piette",
    }
    body = gql(app_client, register, p=patient)
    assert "errors" not in body, body
    registered = body["data"]["registerPatient"]
    pid = registered["id"]
    assert len(pid) == 64 and registered["openNeeds"] == [
        "housing-insecurity",
        "severe-mental-illness",
    ]
    assert "dossier-2026-0042" not in str(body)

    found = gql(
        app_client,
        """query($p: ID!) { partners(patientId: $p) {
        score service { id available } why { factor points } } }""",
        p=pid,
    )["data"]["partners"]
    assert [p["service"]["id"] for p in found] == [
        CPAS_HOUSING,
        RIVAGES,
        GRANDS_PRES,
        "namur-relais-social-confluent-housing-support",
    ]
    available = found[0]["service"]["available"]

    activate = """mutation($p: ID!, $s: [ID!]!) { activatePartners(patientId: $p, serviceIds: $s,
        note: URGENT) { id status note allowedNext by { id } service { id } } }"""
    made = gql(app_client, activate, p=pid, s=[CPAS_HOUSING, RIVAGES])["data"]["activatePartners"]
    assert [(r["status"], r["note"], r["allowedNext"]) for r in made] == [
        ("PROPOSED", "URGENT", ["SENT", "CANCELLED"])
    ] * 2
    assert made[0]["by"]["id"] == "namur-case-manager-fatima-piette"

    update = """mutation($id: ID!, $s: ReferralStatus!) { updateReferral(id: $id, status: $s) {
        status service { id available } } }"""
    for status in ("SENT", "ACCEPTED"):
        body = gql(app_client, update, id=made[0]["id"], s=status)
        assert "errors" not in body, body
    assert body["data"]["updateReferral"]["service"]["available"] == available - 1
    body = gql(app_client, update, id=made[0]["id"], s="PROPOSED")
    assert "cannot go from accepted to proposed" in body["errors"][0]["message"]

    circle = gql(
        app_client,
        """query($p: ID!) { careCircle(patientId: $p) {
        members { actor { id } roles } collaborations { source { id } target { id } kind }
        missingLinks { source { id } target { id } } } }""",
        p=pid,
    )["data"]["careCircle"]
    assert [(m["actor"]["id"], m["roles"]) for m in circle["members"]] == [
        ("namur-case-manager-fatima-piette", ["CASE_MANAGER"]),
        ("namur-cpas", ["PARTNER"]),
    ]
    assert circle["collaborations"][0]["kind"] == "care_coordination"

    mine = gql(
        app_client,
        """{ myPatients(actorId: "namur-case-manager-fatima-piette") {
        id openNeeds needs { code state referralIds } referrals { status service { id } } } }""",
    )
    me = next(p for p in mine["data"]["myPatients"] if p["id"] == pid)
    assert me["openNeeds"] == ["severe-mental-illness"]
    assert [(n["code"], n["state"]) for n in me["needs"]] == [
        ("housing-insecurity", "COVERED"),
        ("severe-mental-illness", "PENDING"),
    ]
    assert [r["status"] for r in me["referrals"]] == ["ACCEPTED", "PROPOSED"]

    # registering the same identifier again updates the same patient
    again = gql(app_client, register, p={**patient, "languages": ["fr", "ar"]})
    assert again["data"]["registerPatient"]["id"] == pid
    changed = gql(
        app_client,
        """mutation($id: ID!) { updatePatient(id: $id,
        changes: {eligibility: ["homeless"]}) { id eligibility languages } }""",
        id=pid,
    )
    assert changed["data"]["updatePatient"] == {
        "id": pid,
        "eligibility": ["homeless"],
        "languages": ["fr", "ar"],
    }


def test_graphql_refuses_personal_data_and_a_missing_key(
    namur: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("GRAPHSVC_PSEUDONYM_KEY", raising=False)
    get_settings.cache_clear()
    register = "mutation($p: PatientInput!) { registerPatient(patient: $p) { id } }"
    patient = {"externalId": "x-1", "zoneId": "namur-vn-bouge", "caseManagerId": "namur-cpas"}
    with TestClient(create_app(Settings(), namur), base_url=LOCALHOST) as client:
        body = gql(client, register, p=patient)
        assert "GRAPHSVC_PSEUDONYM_KEY is not set" in body["errors"][0]["message"]
        body = gql(client, register, p={**patient, "name": "Jean Dupont"})
        assert "name" in body["errors"][0]["message"]
        body = gql(client, register, p={**patient, "languages": ["85.07.30-123.45"]})
        assert "errors" in body
    get_settings.cache_clear()
    seeded = (REPO / "seeds" / "namur" / "patients.csv").read_text()
    stored = [r["props"]["id"] for r in namur.run("list_node_dump") if r["label"] == "Patient"]
    assert all(patient in seeded for patient in stored)
