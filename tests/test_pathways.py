"""Care pathways (issue 10): step coverage per vicinity network, the seeded missing step,
enrolment and the partner search favouring the next step; bad pathways write nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.core import partners, pathways, referrals
from graphsvc.core.gaps import TO_BE
from graphsvc.core.partners import FACTORS, PATHWAY
from graphsvc.errors import NotFound
from graphsvc.io.coplan_write import enrol, save_records
from graphsvc.store import Store
from tests.conftest import gql
from tests.coplan_fixtures import (
    MakeStore,
    append_csv,
    assert_refused_whole,
    client_over,
    copy_seed,
    load_folder,
    readme_rows,
)

DIABETES = "leuven-pad-diabetes-type-2"
PALLIATIVE = "leuven-pad-palliatieve-thuiszorg"
WIJGMAAL = "3127814e52324e15e1afe2a7aa837d4061c9d30b60457430fdac4f9d6d02eb81"  # enrolled
CENTRUM = "e416f8ddefb7ea64a0608a66ddcc6b46bdcc6f56e4cb6573e65a1f55afd90ecf"


def flagged(coverage: pathways.PathwayCoverage) -> list[list[str]]:
    """The steps not COVERED, as the README lists them (by step, then zone)."""
    rows = [(s.step, cell.zone, s.type, s.status, f"{s.ratio:.2f}")
            for cell in coverage.cells for s in cell.steps if s.status != "COVERED"]  # fmt: skip
    return [[zone, str(step), kind, status, ratio] for step, zone, kind, status, ratio
            in sorted(rows)]  # fmt: skip


@pytest.mark.parametrize("pathway", [DIABETES, PALLIATIVE])
def test_step_coverage_matches_the_readme(demo_store: Store, pathway: str) -> None:
    before = demo_store.calls
    coverage = pathways.pathway_coverage(demo_store, pathway, "leuven")
    assert demo_store.calls - before == 4
    assert len(coverage.cells) == 9 and all(len(c.steps) == 4 for c in coverage.cells)
    assert flagged(coverage) == readme_rows(f"pathway:{pathway}")


def test_the_seeded_missing_step(demo_store: Store) -> None:
    coverage = pathways.pathway_coverage(demo_store, DIABETES, "leuven")
    missing = {(c.zone, step) for c in coverage.cells for step in c.missing}
    assert missing == {(f"leuven-vn-{z}", 3) for z in ("centrum", "heverlee", "wijgmaal",
                                                       "wilsele")}  # fmt: skip
    [centrum] = [c for c in coverage.cells if c.zone == "leuven-vn-centrum"]
    step = centrum.steps[2]
    assert (step.name, step.type, step.providers, step.services) == (
        "Medicatienazicht door de apotheker",
        "medication-review",
        0,
        (),
    )
    # a vicinity network asked alone gives the same cell (catchments reach beyond it)
    alone = pathways.pathway_coverage(demo_store, DIABETES, "leuven-vn-centrum")
    assert alone.cells == (centrum,)
    # a step counts narrower service types: the palliative team is home nursing too
    palliative = pathways.pathway_coverage(demo_store, PALLIATIVE, "leuven-vn-centrum")
    home = palliative.cells[0].steps[2]
    assert "leuven-palliatief-dijleland-palliative-home-care" in {s.service for s in home.services}
    # 4% of the people needing nursing care: the demand is their share
    assert palliative.cells[0].demand == pytest.approx(0.04 * 395)  # zone_needs.csv


def test_a_lower_target_and_a_planned_provider_close_the_step(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    lenient = pathways.pathway_coverage(store, DIABETES, "leuven", target=0.25)
    assert {(c.zone, s) for c in lenient.cells for s in c.under} == set()
    action = {
        "id": "leuven-actie-medicatienazicht",
        "name": "Medicatienazicht in Centrum",
        "objective": "leuven-doel-bereikbare-zorg",
        "status": "planned",
        "zones": ["leuven-vn-centrum"],
        "needs": ["medication-management"],
    }
    service = {"id": "leuven-apotheek-nazicht-centrum", "action": action["id"],
               "actor": "leuven-apotheek-de-bron", "type": "medication-review",
               "name": "Medicatienazicht Centrum", "capacity": 1000,
               "covers": ["leuven-vn-centrum"]}  # fmt: skip
    save_records(store, {"actions": [action], "planned_services": [service]}, {})
    as_is = pathways.pathway_coverage(store, DIABETES, "leuven-vn-centrum")
    to_be = pathways.pathway_coverage(store, DIABETES, "leuven-vn-centrum", scenario=TO_BE)
    assert as_is.cells[0].missing == (3,) and to_be.cells[0].missing == ()
    assert to_be.cells[0].steps[2].ratio == pytest.approx(1000 / 966)


def parts(partner: partners.Partner) -> dict[str, float]:
    return {w.factor: w.points for w in partner.why}


def test_enrolment_favours_the_next_step(
    demo_store: Store, make_store: MakeStore, tmp_path: Path
) -> None:
    [(patient, pathway, completed, next_step, favoured)] = readme_rows("enrolments:leuven")
    assert (patient.strip("`"), pathway, completed, next_step) == (
        WIJGMAAL,
        DIABETES,
        "1",
        "2 diabetes-education",
    )
    favoured_ids = favoured.split(", ")
    before = demo_store.calls
    found = partners.partners(demo_store, None, WIJGMAAL, limit=100)
    assert demo_store.calls - before == 7  # the next step's candidates: one more
    assert [p.service.id for p in found[:2]] == sorted(
        favoured_ids, key=lambda s: -next(p.score for p in found if p.service.id == s)
    )
    for p in found:
        assert [w.factor for w in p.why] == [*FACTORS, PATHWAY]
        assert round(sum(w.points for w in p.why), 2) == p.score
        assert parts(p)[PATHWAY] == (10 if p.service.id in favoured_ids else 0)
    top = found[0]
    assert top.why[-1].detail == (
        "provides the next step 2 'Diabeteseducatie' of leuven-pad-diabetes-type-2 "
        "(diabetes-education): 1 x 10"
    )
    # the same seed without the enrolment: five parts, ten points less, another order
    bare = make_store()
    load_folder(bare, copy_seed(tmp_path, drop=("enrolments",)))
    before = bare.calls
    plain = {p.service.id: p for p in partners.partners(bare, None, WIJGMAAL, limit=100)}
    assert bare.calls - before == 6
    assert all([w.factor for w in p.why] == list(FACTORS) for p in plain.values())
    for p in found:
        assert p.score == pytest.approx(plain[p.service.id].score + parts(p)[PATHWAY])
    ranked = sorted(plain.values(), key=lambda p: (-p.score, p.service.id))
    assert [p.service.id for p in ranked[:2]] != [p.service.id for p in found[:2]]
    # a patient who is not enrolled: the five parts as before
    assert all(len(p.why) == 5 for p in partners.partners(demo_store, None, CENTRUM))


def test_enrolling_through_the_api_and_a_step_in_progress(
    make_store: MakeStore, tmp_path: Path
) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path, drop=("enrolments",)))
    with client_over(store) as client:
        mutation = """mutation($p: ID!, $w: ID!, $c: Int!) { enrolPatient(patientId: $p,
            pathwayId: $w, since: "2026-02-01", completedStep: $c) {
            patientId pathwayId since completedStep } }"""
        body = gql(client, mutation, p=WIJGMAAL, w=DIABETES, c=7)
        assert body["errors"][0]["message"].endswith(
            "argument completedStep: 7 is not between 0 and the last step (4) of "
            "'leuven-pad-diabetes-type-2'"
        )
        body = gql(client, mutation, p=WIJGMAAL, w="leuven-pad-copd", c=0)
        assert (
            "argument pathwayId: unknown care pathway 'leuven-pad-copd'"
            in (body["errors"][0]["message"])
        )
        body = gql(client, mutation, p=WIJGMAAL, w=DIABETES, c=2)
        assert body["data"]["enrolPatient"] == {
            "patientId": WIJGMAAL, "pathwayId": DIABETES, "since": "2026-02-01",
            "completedStep": 2}  # fmt: skip
    [step] = pathways.next_steps(store, WIJGMAAL)
    assert (step.completed, step.step.step, step.step.type) == (2, 3, "medication-review")
    # no medication review reaches Wijgmaal: nothing to favour, within 10 km there is
    found = partners.partners(store, None, WIJGMAAL, limit=100)
    assert not any(parts(p)[PATHWAY] for p in found)
    near = partners.partners(store, None, WIJGMAAL, limit=100, max_distance_km=10)
    reviews = [p for p in near if parts(p)[PATHWAY]]
    assert reviews and all(p.service.type == "medication-review" and p.needs == ()
                           for p in reviews)  # fmt: skip
    # a review accepted: the step is in progress, no longer favoured
    enrol(store, None, WIJGMAAL, DIABETES, "2026-02-01", 1)
    education = "leuven-huisartsenpraktijk-de-sluis-diabetes-education"
    [made] = referrals.activate_partners(store, None, WIJGMAAL, [education])
    for status in ("sent", "accepted"):
        referrals.update_referral(store, None, made.id, status)
    again = partners.partners(store, None, WIJGMAAL, limit=100)
    assert not any(parts(p)[PATHWAY] for p in again) and len(again[0].why) == 6


def test_graphql_pathways(client: TestClient) -> None:
    body = gql(
        client,
        """{ carePathways { id needCode share networkId steps { step typeCode
        day } } }""",
    )
    [diabetes, palliative] = body["data"]["carePathways"]
    assert diabetes["id"] == DIABETES and diabetes["share"] is None
    assert [s["typeCode"] for s in diabetes["steps"]] == [
        "general-practice",
        "diabetes-education",
        "medication-review",
        "specialist-consultation",
    ]
    assert palliative["share"] == 0.04
    body = gql(
        client,
        """{ pathwayCoverage(pathwayId: "leuven-pad-diabetes-type-2",
        zoneId: "leuven") { scenario target pathway { name } cells { zoneId demand missingSteps
        underSteps zone { name } steps { step status ratio providerCount } } } }""",
    )
    coverage = body["data"]["pathwayCoverage"]
    assert coverage["scenario"] == "AS_IS" and coverage["pathway"]["name"] == (
        "Zorgtraject diabetes type 2"
    )
    cells = {c["zoneId"]: c for c in coverage["cells"]}
    assert cells["leuven-vn-wijgmaal"]["missingSteps"] == [3]
    assert cells["leuven-vn-kessel-lo"]["underSteps"] == [3]
    assert cells["leuven-vn-wijgmaal"]["steps"][2] == {
        "step": 3,
        "status": "MISSING",
        "ratio": 0.0,
        "providerCount": 0,
    }
    body = gql(
        client,
        """{ pathwayCoverage(pathwayId: "leuven-pad-copd", zoneId: "leuven")
        { zoneId } }""",
    )
    assert (
        "argument pathwayId: unknown care pathway 'leuven-pad-copd'"
        in (body["errors"][0]["message"])
    )
    body = gql(
        client,
        """{ pathwayCoverage(pathwayId: "leuven-pad-diabetes-type-2",
        zoneId: "leuven", target: -1) { zoneId } }""",
    )
    assert "argument target" in body["errors"][0]["message"]


@pytest.mark.parametrize(
    ("table", "old", "new", "message"),
    [
        ("pathway_steps", "leuven-pad-diabetes-type-2,3,medication-review",
         "leuven-pad-diabetes-type-2,3,podology",
         "pathway_steps.csv row 4 field type: unknown service_types reference 'podology'"),
        ("pathway_steps", "leuven-pad-diabetes-type-2,2,", "leuven-pad-diabetes-type-2,0,",
         "pathway_steps.csv row 3 field step: steps are numbered from 1"),
        ("care_pathways", ",nursing-care,0.04,", ",nursing-care,1.5,",
         "care_pathways.csv row 3 field share: 1.5 is outside 0 to 1"),
        ("enrolments", ",1\n", ",9\n",
         "enrolments.csv row 2 field completed: 9 is after the last step (4)"),
    ],
)  # fmt: skip
def test_bad_pathways_are_refused_and_nothing_is_written(
    make_store: MakeStore, tmp_path: Path, table: str, old: str, new: str, message: str
) -> None:
    assert_refused_whole(make_store(), tmp_path, table, old, new, message)


def test_reimported_steps_replace_the_stored_ones(make_store: MakeStore, tmp_path: Path) -> None:
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    folder = copy_seed(tmp_path, name="shorter")
    text = (folder / "pathway_steps.csv").read_text()
    (folder / "pathway_steps.csv").write_text(
        "".join(line + "\n" for line in text.splitlines()
                if not line.startswith("leuven-pad-diabetes-type-2,4,")))  # fmt: skip
    append_csv(folder, "pathway_steps", "leuven-pad-diabetes-type-2,5,hospital-care,Opname,400")
    load_folder(store, folder)
    [diabetes] = pathways.care_pathways(store, [DIABETES])
    assert [(s.step, s.type) for s in diabetes.steps] == [
        (1, "general-practice"), (2, "diabetes-education"), (3, "medication-review"),
        (5, "hospital-care")]  # fmt: skip
    with pytest.raises(NotFound, match="argument pathwayId: unknown care pathway 'nope'"):
        pathways.pathway_coverage(store, "nope", "leuven")
