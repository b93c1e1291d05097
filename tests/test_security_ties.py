"""Shared-patient ties rest on accepted or active referrals only and appear only when k or
more patients support them; reading them through GraphQL is audited."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from graphsvc.core import network
from graphsvc.store import Store
from tests.conftest import load
from tests.maps_fixtures import PATIENT, links_bundle
from tests.security_fixtures import secured

K = 10


def _tie(store: Store) -> bool:
    net = network.fetch_zone_network(store, "links")
    return any(t.patients for t in net.ties if {t.source, t.target} == {"lx4", "lx5"})


def _accept(store: Store, referral: str) -> None:
    store.run("set_referral_status", id=referral, current="proposed", status="accepted",
              places=0, now="2026-01-02T00:00:00Z", outcome=None, scope=None)  # fmt: skip


def share_patients(store: Store, k: int = K) -> None:
    """lx4 (case manager) and lx5 (provider) share k patients with accepted referrals."""
    patients = [PATIENT] + [f"{i:064x}" for i in range(1, k)]
    for patient in patients[1:]:
        store.run("merge_patient", id=patient, zone="links-b", case_manager="lx4", languages=[],
                  eligibility=[], needs=[], scope=None, create=True)  # fmt: skip
    for patient in patients:
        store.run("create_referrals", patient=patient, actor="lx4", now="2026-01-01T00:00:00Z",
                  rows=[{"id": f"shared-{patient[-6:]}", "service": "lx5-sw", "note": None}],
                  scope=None)  # fmt: skip
        _accept(store, f"shared-{patient[-6:]}")


def test_ties_need_k_patients_with_accepted_referrals(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    store = make_store()
    load(store, str(links_bundle(tmp_path / "links")))
    patients = [PATIENT] + [f"{i:064x}" for i in range(1, K)]
    for patient in patients[1:]:
        store.run("merge_patient", id=patient, zone="links-b", case_manager="lx4", languages=[],
                  eligibility=[], needs=[], scope=None, create=True)  # fmt: skip
    for patient in patients:
        store.run("create_referrals", patient=patient, actor="lx4", now="2026-01-01T00:00:00Z",
                  rows=[{"id": f"ref-{patient[-4:]}", "service": "lx5-sw", "note": None}],
                  scope=None)  # fmt: skip
    assert not _tie(store)  # ten proposed referrals tie nobody
    for patient in patients[:-1]:
        _accept(store, f"ref-{patient[-4:]}")
    assert not _tie(store)  # nine patients: below k
    _accept(store, f"ref-{patients[-1][-4:]}")
    assert _tie(store)  # ten
    store.run("set_referral_status", id=f"ref-{patients[0][-4:]}", current="accepted",
              status="declined", places=0, now="2026-01-03T00:00:00Z", outcome=None,
              scope=None)  # fmt: skip
    assert not _tie(store)  # a declined referral ties nobody


def test_reading_ties_is_audited(demo_store: Store, tmp_path: Path) -> None:
    with secured(demo_store, tmp_path / "secure") as app:
        before = len(app.records())
        query = """{ networkMeasures(zoneId: "leuven") { missingLinks { sharedPatients } }
                     networkMap(zoneId: "leuven") { zoneId } }"""
        assert "errors" not in app.ask("facilitator", query)
        new = app.records()[before:]
    assert {(r["operation"], r["access"], r["role"]) for r in new} == {
        ("networkMeasures", "aggregate", "facilitator"),
        ("networkMap", "aggregate", "facilitator"),
    }
    assert all(r["patient"] is None and r["fields"] == ["sharedPatients"] for r in new)
