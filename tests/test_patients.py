"""Pseudonymous patients: pseudonyms, validation (no personal data), caseload."""

from __future__ import annotations

import hashlib
import hmac
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from graphsvc.config import settings_from_env
from graphsvc.core import caseload, patients
from graphsvc.core.pseudonym import pseudonym
from graphsvc.errors import ConfigError, InputError, NotFound
from graphsvc.store import Store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import load

KEY = "test-pseudonym-key-0123456789"
OTHER_KEY = "another-pseudonym-key-987654321"
MANAGER = "namur-case-manager-antoine-piette"
DEMO_KEY = "graphsvc-demo-pseudonym-key"


@pytest.fixture
def namur(make_store: Callable[..., Store]) -> Store:
    store = make_store()
    load(store, "namur")
    return store


def fields(external_id: str, **changes: object) -> dict:
    base = {
        "external_id": external_id,
        "zone": "namur-vn-bouge",
        "needs": [{"code": "social-isolation", "since": "2025-02-01"}, {"code": "nursing-care"}],
        "languages": ["fr"],
        "eligibility": ["65plus"],
        "case_manager": MANAGER,
    }
    base.update(changes)
    return base


def everything(store: Store) -> tuple[list, list]:
    nodes = sorted(str(r) for r in store.run("list_node_dump"))
    rels = sorted(str(r) for r in store.run("list_relationship_dump"))
    return nodes, rels


def snapshot(store: Store) -> tuple:
    """Counts of every label and relationship type, and every patient's properties."""
    nodes = store.run("count_nodes")
    rels = store.run("count_relationships")
    patient_props = sorted(
        str(r["props"]) for r in store.run("list_node_dump") if r["label"] == "Patient"
    )
    return nodes, rels, patient_props


def test_pseudonym_is_the_hmac_of_the_demo_seeds() -> None:
    expected = hmac.new(DEMO_KEY.encode(), b"namur-patient-001", hashlib.sha256).hexdigest()
    assert pseudonym("namur-patient-001", DEMO_KEY) == expected
    assert expected == "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
    assert pseudonym("  namur-patient-001 ", DEMO_KEY) == expected  # surrounding space ignored


def test_same_id_and_key_give_the_same_patient_another_key_another(
    namur: Store, embedded: EmbeddedServer
) -> None:
    raw = f"85.07.30-{uuid.uuid4().int % 1000:03d}.{uuid.uuid4().int % 100:02d}-ext"
    first = patients.register_patient(namur, None, fields(raw), KEY)
    again = patients.register_patient(namur, None, fields(raw, languages=["fr", "nl"]), KEY)
    assert first.id == again.id == pseudonym(raw, KEY)
    other = patients.register_patient(namur, None, fields(raw), OTHER_KEY)
    assert other.id != first.id
    ids = [r["props"]["id"] for r in namur.run("list_node_dump") if r["label"] == "Patient"]
    assert ids.count(first.id) == 1 and ids.count(other.id) == 1
    assert patients.get_patients(namur, [first.id])[first.id].languages == ("fr", "nl")

    # the raw identifier is nowhere: not in any property, not even in the append-only file
    nodes, rels = everything(namur)
    assert raw not in "".join(nodes + rels)
    aof = b"".join(p.read_bytes() for p in Path(embedded.data_dir).rglob("*.aof*"))
    assert aof and raw.encode() not in aof


def test_register_stores_only_codes_and_defaults_to_the_acting_actor(namur: Store) -> None:
    data = fields("file-42")
    del data["case_manager"]
    patient = patients.register_patient(namur, MANAGER, data, KEY)
    assert patient.case_manager == MANAGER
    assert [n.code for n in patient.needs] == ["nursing-care", "social-isolation"]
    stored = [r["props"] for r in namur.run("list_node_dump") if r["label"] == "Patient"]
    mine = next(p for p in stored if p["id"] == patient.id)
    assert set(mine) == {"id", "languages", "eligibility"}
    case = caseload.patient_case(namur, MANAGER, patient.id)
    assert [(n.code, n.state) for n in case.needs] == [
        ("nursing-care", "open"),
        ("social-isolation", "open"),
    ]


def test_update_replaces_lists_and_keeps_dates(namur: Store) -> None:
    patient = patients.register_patient(namur, None, fields("file-7"), KEY)
    since = {n.code: n.since for n in patient.needs}
    changed = patients.update_patient(
        namur,
        None,
        patient.id,
        {"zone": "namur-vn-jambes", "needs": [{"code": "social-isolation"}, {"code": "addiction"}]},
    )
    assert changed.zone == "namur-vn-jambes"
    again = patients.get_patients(namur, [patient.id])[patient.id]
    assert again.zone == "namur-vn-jambes" and again.case_manager == MANAGER
    kept = {n.code: n.since for n in again.needs}
    assert kept["social-isolation"] == since["social-isolation"] == "2025-02-01"
    assert set(kept) == {"social-isolation", "addiction"}
    rels = namur.run("list_relationship_dump")
    homes = [r for r in rels if r["type"] == "LIVES_IN" and r["source"] == f"Patient:{patient.id}"]
    assert len(homes) == 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Jean Dupont"}, "field name: not accepted"),
        ({"birth_date": "1950-01-01"}, "field birth_date: not accepted"),
        ({"address": "Rue de Fer 1"}, "field address: not accepted"),
        ({"languages": ["85073012345"]}, "field languages: looks like a national number"),
        ({"eligibility": ["85.07.30-123.45"]}, "field eligibility: looks like a national number"),
        ({"zone": "85073012345"}, "field zone: looks like a national number"),
        ({"needs": [{"code": "addiction", "note": "lives alone"}]}, "needs[0] field note"),
        ({"needs": [{"code": "addiction", "since": "2999-01-01"}]}, "not between 1900-01-01"),
        ({"needs": [{"code": "no-such-need"}]}, "unknown need type 'no-such-need'"),
        ({"languages": ["French"]}, "not a two-letter language code"),
        ({"eligibility": ["very poor"]}, "is not one of chronic"),
        ({"zone": "atlantis"}, "zone: unknown zone 'atlantis'"),
        ({"case_manager": "nobody"}, "case_manager: unknown actor 'nobody'"),
        ({"external_id": ""}, "external_id: required"),
    ],
)
def test_bad_patient_input_is_refused_and_writes_nothing(
    namur: Store, change: dict, message: str
) -> None:
    before = snapshot(namur)
    with pytest.raises(InputError) as caught:
        patients.register_patient(namur, None, {**fields("file-99"), **change}, KEY)
    assert message in str(caught.value)
    assert snapshot(namur) == before


def test_every_problem_is_listed_at_once(namur: Store) -> None:
    with pytest.raises(InputError) as caught:
        patients.register_patient(
            namur, None, fields("x", name="A", zone="atlantis", languages=["?"]), KEY
        )
    assert len(caught.value.problems) == 3


def test_missing_or_short_key_is_a_clear_error_and_writes_nothing(namur: Store) -> None:
    before = snapshot(namur)
    with pytest.raises(ConfigError, match="GRAPHSVC_PSEUDONYM_KEY is not set"):
        patients.register_patient(namur, None, fields("file-1"), None)
    with pytest.raises(ConfigError, match="too short"):
        patients.register_patient(namur, None, fields("file-1"), "short")
    assert snapshot(namur) == before


def test_key_comes_from_the_environment_and_is_not_shown() -> None:
    settings = settings_from_env({"GRAPHSVC_PSEUDONYM_KEY": KEY})
    assert settings.pseudonym_key == KEY
    assert KEY not in repr(settings)
    assert settings_from_env({}).pseudonym_key is None


def test_unknown_or_malformed_patient_ids(namur: Store) -> None:
    with pytest.raises(NotFound, match="argument patientId: unknown patient"):
        patients.require_patient(namur, "0" * 64)
    with pytest.raises(InputError, match="not a patient pseudonym") as caught:
        patients.require_patient(namur, "85073012345")
    assert "85073012345" not in str(caught.value)  # a mistyped identifier is not echoed
    with pytest.raises(NotFound, match="argument id: unknown patient"):
        patients.update_patient(namur, None, "f" * 64, {"languages": ["fr"]})
    with pytest.raises(InputError, match="field name: not accepted"):
        patients.update_patient(namur, None, "f" * 64, {"name": "x"})


def test_my_patients_lists_the_caseload_with_need_states(demo_store: Store) -> None:
    cases = caseload.my_patients(demo_store, MANAGER)
    assert [c.patient.id[:8] for c in cases] == ["6fcdc823", "fa5de1bb"]
    first = cases[0]
    assert first.open_needs == [
        "addiction",
        "food-insecurity",
        "housing-insecurity",
        "severe-mental-illness",
    ]
    assert all(n.state == "open" for n in first.needs) and first.referrals == ()
    assert caseload.my_patients(demo_store, "namur-cpas") == []
    with pytest.raises(NotFound, match="argument actorId: unknown actor 'nobody'"):
        caseload.my_patients(demo_store, "nobody")
    assert demo_store.run("list_caseload", actor=MANAGER)  # one query for the caseload
