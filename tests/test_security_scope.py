"""Scope inside the write: a circle member changes nothing it does not own, a hand-over that
came first refuses a stale manager's write, two managers registering one person at once get
exactly one patient. Real app, real embedded FalkorDB, real threads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.core import patients, referrals
from graphsvc.core.coplan_write import enrol
from graphsvc.errors import Forbidden, GraphsvcError, NotFound
from graphsvc.store import Store
from tests.coplan_fixtures import copy_seed, load_folder
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    ANTOINE,
    ANTOINE_OTHER,
    ANTOINE_PATIENT,
    CPAS,
    CPAS_HOUSING,
    FATIMA,
    KEY,
    Secured,
    fresh_namur_fixture,
    secure_fresh_fixture,
)
from tests.test_pathways import DIABETES, WIJGMAAL
from tests.test_security_access import WRITES, graph_digest

ROUNDS = 40
OTHER_SERVICE = "namur-aidants-proches-namur-caregiver-support"  # not CPAS's
MOVE = "mutation($r: ID!, $s: ReferralStatus!) { updateReferral(id: $r, status: $s) { status } }"


def _accepted_cpas_referral(app: Secured) -> str:
    made = app.ask("antoine", WRITES["activatePartners"], p=ANTOINE_PATIENT)
    referral = made["data"]["activatePartners"][0]["id"]
    for status in ("SENT", "ACCEPTED"):
        assert "errors" not in app.ask("antoine", MOVE, r=referral, s=status)
    return referral


def test_a_circle_member_changes_only_referrals_to_its_own_services(secure_fresh: Secured) -> None:
    mine = _accepted_cpas_referral(secure_fresh)  # CPAS is now in the patient's circle
    made = secure_fresh.ask(
        "antoine",
        "mutation($p: ID!) { activatePartners(patientId: $p, "
        f'serviceIds: ["{OTHER_SERVICE}"]) {{ id }} }}',
        p=ANTOINE_PATIENT,
    )
    other = made["data"]["activatePartners"][0]["id"]  # fmt: skip
    before = graph_digest(secure_fresh.store)
    body = secure_fresh.ask("cpas", MOVE, r=other, s="CANCELLED")
    assert "only the patient's case manager" in body["errors"][0]["message"]
    body = secure_fresh.ask("cpas", WRITES["activatePartners"], p=ANTOINE_PATIENT)
    assert "only the patient's case manager" in body["errors"][0]["message"]
    assert graph_digest(secure_fresh.store) == before
    denied = [r for r in secure_fresh.audit.read(ANTOINE_PATIENT) if r["actor"] == CPAS]
    outcomes = [r["outcome"] for r in denied if r["outcome"] != "intent"]
    assert outcomes == ["denied", "denied"]  # each after its intent record
    # its own service's referral it moves
    assert secure_fresh.ask("cpas", MOVE, r=mine, s="ACTIVE")["data"]["updateReferral"] == {
        "status": "ACTIVE"
    }


def test_only_the_case_manager_enrols(make_store: Callable[..., Store], tmp_path: Path) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path, drop=("enrolments",)))
    manager = patients.require_patient(store, WIJGMAAL).case_manager
    education = "leuven-huisartsenpraktijk-de-sluis-diabetes-education"
    [made] = referrals.activate_partners(store, None, WIJGMAAL, [education])
    for status in ("sent", "accepted"):
        referrals.update_referral(store, None, made.id, status)
    provider = made.service.actor  # in the circle now: reads the patient
    assert patients.require_patient(store, WIJGMAAL, scope=provider).id == WIJGMAAL
    before = graph_digest(store)
    with pytest.raises(Forbidden, match="only the patient's case manager"):
        enrol(store, provider, WIJGMAAL, DIABETES, "2026-02-01", 1)
    assert store.run("merge_enrolment", patient=WIJGMAAL, pathway=DIABETES, since="2026-02-01",
                     completed=1, scope=provider) == [{"written": 0}]  # fmt: skip
    assert graph_digest(store) == before
    assert enrol(store, manager, WIJGMAAL, DIABETES, "2026-02-01", 1)["completed"] == 1


def test_the_scope_is_in_the_statement_that_writes(fresh_namur: Store) -> None:
    """The check in Python passed, the patient was handed over since: the statement alone
    must refuse (the window of a race, made certain)."""
    current = patients.require_patient(fresh_namur, ANTOINE_OTHER, scope=ANTOINE)
    patients.update_patient(fresh_namur, None, ANTOINE_OTHER, {"case_manager": FATIMA})
    rows = fresh_namur.run(
        "merge_patient", id=current.id, zone=current.zone, case_manager=ANTOINE,
        languages=["nl"], eligibility=[], needs=[], scope=ANTOINE, create=False,
    )  # fmt: skip
    assert rows == []
    after = patients.require_patient(fresh_namur, ANTOINE_OTHER)
    assert after.case_manager == FATIMA and after.languages == current.languages
    made = fresh_namur.run(
        "create_referrals", patient=current.id, actor=ANTOINE, scope=ANTOINE, now="2026-01-01",
        rows=[{"id": "r-stale", "service": CPAS_HOUSING, "note": None}],
    )  # fmt: skip
    assert made == []


def _race(first: Callable[[], object], second: Callable[[], object]) -> list[object]:
    """Run both at once (a barrier releases them together); each result or its error."""
    barrier = threading.Barrier(2)
    results: list[object] = [None, None]

    def run(i: int, work: Callable[[], object]) -> None:
        barrier.wait()
        try:
            results[i] = work()
        except GraphsvcError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate((first, second))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_a_stale_managers_update_never_undoes_a_hand_over(fresh_namur: Store) -> None:
    stale = 0
    for round_ in range(ROUNDS):
        manager = ANTOINE if round_ % 2 == 0 else FATIMA
        successor = FATIMA if manager == ANTOINE else ANTOINE
        languages = ["fr"] if round_ % 4 < 2 else ["nl"]
        update, hand_over = _race(
            lambda m=manager, lang=languages: patients.update_patient(
                fresh_namur, m, ANTOINE_OTHER, {"languages": lang}
            ),
            lambda s=successor: patients.update_patient(
                fresh_namur, None, ANTOINE_OTHER, {"case_manager": s}
            ),
        )
        assert not isinstance(hand_over, Exception), hand_over
        now = patients.require_patient(fresh_namur, ANTOINE_OTHER)
        stale += now.case_manager != successor
        assert isinstance(update, patients.Patient | Forbidden | GraphsvcError)
    assert stale == 0


def test_two_managers_registering_one_person_get_one_patient(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    from tests.conftest import load

    store = make_store()
    load(store, "namur")
    wins = []
    for round_ in range(ROUNDS):
        fields = {"external_id": f"race-{round_}", "zone": "namur-vn-bouge", "needs": []}
        results = _race(
            lambda f=fields: patients.register_patient(store, ANTOINE, dict(f), KEY),
            lambda f=fields: patients.register_patient(store, FATIMA, dict(f), KEY),
        )
        ok = [r for r in results if isinstance(r, patients.Patient)]
        refused = [r for r in results if isinstance(r, Forbidden)]
        assert len(ok) == 1 and len(refused) == 1, results
        stored = patients.require_patient(store, ok[0].id)
        assert stored.case_manager == ok[0].case_manager
        wins.append(ok[0].case_manager)
    assert len(wins) == ROUNDS


def test_referral_moves_by_a_provider_are_checked_in_the_statement(secure_fresh: Secured) -> None:
    referral = _accepted_cpas_referral(secure_fresh)
    moved = secure_fresh.store.run(
        "set_referral_status", id=referral, current="accepted", status="active", places=0,
        now="2026-01-01", outcome=None, scope=FATIMA,
    )  # fmt: skip
    assert moved == []  # neither the manager nor the provider
    with pytest.raises(NotFound):  # outside its scope: as if it did not exist
        referrals.update_referral(secure_fresh.store, FATIMA, referral, "active")
    moved = secure_fresh.store.run(
        "set_referral_status", id=referral, current="accepted", status="active", places=0,
        now="2026-01-01", outcome=None, scope=CPAS,
    )  # fmt: skip
    assert moved and moved[0]["status"] == "active"
