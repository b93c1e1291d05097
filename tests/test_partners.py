"""Partner search on the namur seed: hand-checked rankings, reasons, filters, CLI, GraphQL.

Expected scores were checked by hand from seeds/namur (coordinates, places, collaborations):
e.g. for the Saint-Servais patient d9e2b60f, the CPAS (50.4633, 4.8652) is 2.35 km from the
zone's centre (50.4770, 4.8400): distance 2 x (1 - 2.35/10) = 1.53; it has 129 of 719 places
free: 0.18; the case manager collaborates with it: 2; it meets housing-insecurity: 10.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable

import pytest
from starlette.testclient import TestClient

from graphsvc.core import partners, referrals
from graphsvc.core.partners import FACTORS, Partner
from graphsvc.errors import InputError, NotFound
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.store import Store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import REPO, gql

SAINT_SERVAIS = "d9e2b60fcabdaea1c9d164d3abde4d29b8e5bd7757fe057d2ceda25bebe40927"
ERPENT = "526597f962fff5776a5d2eac82029cddf16d88e799024ef696914feb0bec30f5"
CENTRE = "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
SAINT_SERVAIS_2 = "ffce4251b4780bec75779d060df84d6d771ea6bcedcd7768053b9023bcb27a03"
WEPION = "b8c82d12229e507d2e94d1b5faba08147b225907088c45c67532951278f4bf8b"

# (service id, score, points per factor: needs, circle, shared_patients, distance, capacity)
EXPECTED = {
    SAINT_SERVAIS: [  # housing-insecurity, severe-mental-illness; fr|ar; homeless|mental_health
        ("namur-cpas-housing-support", 13.71, (10, 2, 0, 1.53, 0.18)),
        ("namur-equipe-mobile-rivages-mobile-psychiatric-team", 13.70, (10, 2, 0, 1.59, 0.11)),
        ("namur-centre-psychiatrique-grands-pres-psychiatric-hospital-care", 12.05,
         (10, 0, 0, 1.89, 0.16)),
        ("namur-relais-social-confluent-housing-support", 11.70, (10, 0, 0, 1.48, 0.22)),
    ],
    ERPENT: [  # caregiver-burden, memory-problems; fr; caregiver|65plus
        ("namur-maison-de-quartier-des-marronniers-caregiver-support", 14.01,
         (10, 2, 0, 1.84, 0.17)),
        ("namur-point-info-demence-dementia-support", 13.81, (10, 2, 0, 1.65, 0.16)),
        ("namur-clinique-des-coteaux-geriatric-day-hospital", 11.34, (10, 0, 0, 1.22, 0.12)),
        ("namur-aidants-proches-namur-caregiver-support", 11.28, (10, 0, 0, 1.16, 0.12)),
        ("namur-hopital-du-confluent-geriatric-day-hospital", 11.03, (10, 0, 0, 0.82, 0.21)),
    ],
    CENTRE: [  # addiction, food, housing, severe mental illness; fr; 3 tags, low_income too
        ("namur-cpas-housing-support", 14.14, (10, 2, 0, 1.96, 0.18)),
        ("namur-equipe-mobile-rivages-mobile-psychiatric-team", 14.04, (10, 2, 0, 1.93, 0.11)),
        ("namur-assuetudes-le-phare-addiction-care", 13.89, (10, 2, 0, 1.66, 0.23)),
        ("namur-relais-sante-confluent-humanitarian-aid", 12.13, (10, 0, 0, 1.98, 0.15)),
        ("namur-relais-social-confluent-housing-support", 12.12, (10, 0, 0, 1.9, 0.22)),
        ("namur-ssm-confluent-addiction-care", 12.06, (10, 0, 0, 1.9, 0.16)),
        ("namur-habitat-mosan-social-housing", 11.98, (10, 0, 0, 1.73, 0.25)),
        ("namur-rdr-nomade-addiction-care", 11.97, (10, 0, 0, 1.89, 0.08)),
        ("namur-abri-de-nuit-les-tilleuls-humanitarian-aid", 11.94, (10, 0, 0, 1.79, 0.15)),
        ("namur-epicerie-sociale-la-passerelle-humanitarian-aid", 11.72, (10, 0, 0, 1.53, 0.19)),
        ("namur-centre-psychiatrique-grands-pres-psychiatric-hospital-care", 11.68,
         (10, 0, 0, 1.52, 0.16)),
    ],
}  # fmt: skip


def parts(partner: Partner) -> tuple[float, ...]:
    return tuple(p.points for p in partner.why)


def check_reasons(found: list[Partner]) -> None:
    for p in found:
        assert [w.factor for w in p.why] == list(FACTORS)
        assert round(sum(parts(p)), 2) == p.score
        assert all(w.detail for w in p.why)


@pytest.mark.parametrize("patient", list(EXPECTED))
def test_hand_checked_ranking_on_the_namur_seed(demo_store: Store, patient: str) -> None:
    found = partners.partners(demo_store, None, patient, limit=100)
    got = [(p.service.id, p.score, parts(p)) for p in found]
    assert got == [(s, score, tuple(map(float, pts))) for s, score, pts in EXPECTED[patient]]
    check_reasons(found)


def test_equal_scores_are_ordered_by_service_id(demo_store: Store) -> None:
    found = partners.partners(demo_store, None, SAINT_SERVAIS_2, limit=2)
    assert [(p.service.id, p.score) for p in found] == [
        ("namur-potager-collectif-du-beffroi-community-activities", 14.07),
        ("namur-psychologue-veronique-noel-psychology-first-line", 14.07),
    ]
    assert parts(found[0]) != parts(found[1])  # same score from different parts


def test_reasons_say_why_in_words(demo_store: Store) -> None:
    top = partners.partners(demo_store, None, SAINT_SERVAIS, limit=1)[0]
    why = {w.factor: w.detail for w in top.why}
    assert why["needs"] == "meets 1 uncovered need (housing-insecurity): 1 x 10"
    assert why["circle"] == (
        "collaborates with namur-case-manager-fatima-piette (case manager): 1 x 2"
    )
    assert why["distance"] == (
        "covers namur-vn-saint-servais; 2.35 km from its centre: 2 x (1 - 2.35/10)"
    )
    assert why["capacity"] == "129 of 719 places free: 1 x 129/719"
    assert top.ties == ("namur-case-manager-fatima-piette",)


def test_filters_full_paused_closed_and_incompatible_services(demo_store: Store) -> None:
    offered = {p.service.id for p in partners.partners(demo_store, None, SAINT_SERVAIS, 100)}
    assert "namur-housing-first-confluent-housing-support" not in offered  # full (available 0)
    assert "namur-habitat-mosan-social-housing" not in offered  # for low_income only
    wepion = partners.partners(demo_store, None, WEPION, limit=100)
    assert not [p for p in wepion if "addiction" in p.needs]  # the antenna closed
    belgrade = partners.partners_for(demo_store, "namur-vn-belgrade", ["transport-need"])
    assert belgrade == []  # the shuttle is paused


def test_distance_widens_the_search_across_borders(demo_store: Store) -> None:
    assert partners.partners_for(demo_store, "namur-vn-wepion", ["addiction"]) == []
    assert partners.partners_for(demo_store, "namur-vn-wepion", ["addiction"],
                                 max_distance_km=3) == []  # fmt: skip
    found = partners.partners_for(demo_store, "namur-vn-wepion", ["addiction"], ["fr"],
                                  ["mental_health"], max_distance_km=8)  # fmt: skip
    assert [(p.service.id, p.score, p.covers_zone) for p in found] == [
        ("namur-assuetudes-le-phare-addiction-care", 11.33, False),
        ("namur-ssm-confluent-addiction-care", 11.15, False),
        ("namur-rdr-nomade-addiction-care", 10.86, False),
    ]
    assert found[0].why[3].detail.startswith("does not cover namur-vn-wepion but is within 8 km")
    assert all(p.distance_km is not None and p.distance_km <= 8 for p in found)
    check_reasons(found)
    # an ad-hoc search has no circle: those parts are zero and say so
    assert found[0].why[1].points == 0 and "ad-hoc" in found[0].why[1].detail


def test_ad_hoc_search_checks_language_and_eligibility(demo_store: Store) -> None:
    found = partners.partners_for(demo_store, "namur-vn-saint-servais", ["housing-insecurity"],
                                  ["fr"], ["homeless"], limit=100)  # fmt: skip
    assert [p.service.id for p in found] == [
        "namur-cpas-housing-support",
        "namur-relais-social-confluent-housing-support",
    ]
    found = partners.partners_for(demo_store, "namur-vn-saint-servais", ["housing-insecurity"],
                                  ["fr"], ["low_income"], limit=100)  # fmt: skip
    assert "namur-habitat-mosan-social-housing" in {p.service.id for p in found}
    nl_only = partners.partners_for(demo_store, "namur-vn-saint-servais",
                                    ["housing-insecurity"], ["de"], ["low_income"])  # fmt: skip
    assert nl_only == []


def test_bad_search_arguments(demo_store: Store) -> None:
    with pytest.raises(NotFound, match="argument zoneId: unknown zone 'atlantis'"):
        partners.partners_for(demo_store, "atlantis", ["addiction"])
    with pytest.raises(InputError, match="argument needCodes: unknown need type 'x'"):
        partners.partners_for(demo_store, "namur", ["x"])
    with pytest.raises(InputError, match="argument limit: 0 is not between 1 and 100"):
        partners.partners(demo_store, None, CENTRE, limit=0)
    with pytest.raises(InputError, match="argument maxDistanceKm"):
        partners.partners(demo_store, None, CENTRE, max_distance_km=-1)
    with pytest.raises(NotFound, match="argument patientId: unknown patient"):
        partners.partners(demo_store, None, "a" * 64)


def test_search_costs_a_constant_number_of_round_trips(demo_store: Store) -> None:
    before = demo_store.calls
    partners.partners(demo_store, None, CENTRE, limit=100)
    # patient, referrals, pathway steps, candidates, links, patients
    assert demo_store.calls - before == 6


def _namur_with(store: Store, available: dict[str, int]) -> None:
    bundle = read_bundle(resolve_seed("namur"))
    for row in bundle.tables["services"]:
        if row["id"] in available:
            row["available"] = available[row["id"]]
    write_bundle(store, bundle)


def test_covered_needs_are_not_searched_and_full_services_not_offered(
    make_store: Callable[..., Store],
) -> None:
    store = make_store()
    relais = "namur-relais-social-confluent-housing-support"
    _namur_with(store, {relais: 1})
    cpas = "namur-cpas-housing-support"

    [proposed] = referrals.activate_partners(store, None, SAINT_SERVAIS, [cpas])
    found = partners.partners(store, None, SAINT_SERVAIS, limit=100)
    ids = [p.service.id for p in found]
    assert cpas not in ids  # already has an open referral for this patient
    assert relais in ids  # housing is only pending: other partners may still be asked

    # another patient takes the relais's last place: it is no longer offered
    [other] = referrals.activate_partners(store, None, CENTRE, [relais])
    for status in ("sent", "accepted"):
        referrals.update_referral(store, None, other.id, status)
    assert relais not in {p.service.id for p in partners.partners(store, None, SAINT_SERVAIS)}

    for status in ("sent", "accepted", "active"):
        referrals.update_referral(store, None, proposed.id, status)
    found = partners.partners(store, None, SAINT_SERVAIS, limit=100)
    assert [p.service.id for p in found] == [  # housing is covered now: only the other need
        "namur-equipe-mobile-rivages-mobile-psychiatric-team",
        "namur-centre-psychiatrique-grands-pres-psychiatric-hospital-care",
    ]
    check_reasons(found)


def test_circle_ties_and_shared_patients_change_the_ranking(
    make_store: Callable[..., Store],
) -> None:
    store = make_store()
    _namur_with(store, {})
    other = "fa5de1bbae510637acdf045af7334936d76349dc10e4a2a8cf4e07a324d653ac"  # same manager
    ssm = "namur-ssm-confluent-psychology-first-line"
    for patient, service in ((CENTRE, "namur-cpas-housing-support"), (other, ssm)):
        [made] = referrals.activate_partners(store, None, patient, [service])
        for status in ("sent", "accepted"):
            referrals.update_referral(store, None, made.id, status)
    found = {p.service.id: p for p in partners.partners(store, None, CENTRE, limit=100)}
    assert "namur-cpas-housing-support" not in found  # housing is covered
    # the CPAS joined the circle: the harm-reduction team collaborates with it (11.97 before)
    rdr = found["namur-rdr-nomade-addiction-care"]
    assert rdr.ties == ("namur-cpas",) and rdr.score == 13.97
    assert rdr.why[1].detail == "collaborates with namur-cpas (partner): 1 x 2"
    # the SSM works with the case manager on another patient: shared patient, and a circle tie
    addiction = found["namur-ssm-confluent-addiction-care"]
    assert parts(addiction) == (10.0, 2.0, 1.0, 1.9, 0.16)
    assert addiction.why[2].detail == "works with the circle on 1 other patient: 1 x 1"
    assert addiction.score == 15.06
    assert next(iter(found)) == "namur-ssm-confluent-addiction-care"
    check_reasons(list(found.values()))


def test_graphql_partners_and_partners_for(client: TestClient) -> None:
    query = """query($p: ID!) { partners(patientId: $p, limit: 3) {
        score needs coversZone distanceKm circleTies why { factor points detail }
        service { id available provider { id name } } } }"""
    body = gql(client, query, p=CENTRE)
    assert "errors" not in body, body
    found = body["data"]["partners"]
    assert [p["service"]["id"] for p in found] == [s for s, _, _ in EXPECTED[CENTRE][:3]]
    assert found[0]["service"]["provider"]["name"] == "CPAS de Namur"
    assert round(sum(w["points"] for w in found[0]["why"]), 2) == found[0]["score"]
    query = """query { partnersFor(zoneId: "namur-vn-wepion", needCodes: ["addiction"],
        eligibility: ["mental_health"], maxDistanceKm: 5) { service { id } score } }"""
    body = gql(client, query)
    assert body["data"]["partnersFor"] == [
        {"service": {"id": "namur-assuetudes-le-phare-addiction-care"}, "score": 11.33}
    ]
    body = gql(client, '{ partners(patientId: "nope") { score } }')
    assert "not a patient pseudonym" in body["errors"][0]["message"]


def run_cli(embedded: EmbeddedServer, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHSVC_DB": f"embedded:{embedded.data_dir}",
           "GRAPHSVC_GRAPH": "demo", "COLUMNS": "250"}  # fmt: skip
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", "partners", *args], env=env,
                          cwd=REPO, capture_output=True, text=True, timeout=120)  # fmt: skip


def test_cli_prints_the_ranked_table_with_reasons(
    demo_store: Store, embedded: EmbeddedServer
) -> None:
    result = run_cli(embedded, "--patient", SAINT_SERVAIS)
    assert result.returncode == 0, result.stderr
    lines = result.stdout
    order = [lines.index(s) for s, _, _ in EXPECTED[SAINT_SERVAIS]]
    assert order == sorted(order)
    assert "13.71" in lines and "circle 2: collaborates with" in lines
    result = run_cli(embedded, "--zone", "namur-vn-wepion", "--needs", "addiction",
                     "--eligibility", "mental_health", "--max-distance-km", "5")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "namur-assuetudes-le-phare-addiction-care" in result.stdout
    result = run_cli(embedded, "--zone", "atlantis", "--needs", "addiction")
    assert result.returncode == 1
    assert result.stderr.strip() == "graphsvc: error: argument zoneId: unknown zone 'atlantis'"
