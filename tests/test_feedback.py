"""Team feedback (issue 10): indicators against a hand computation on the leuven seed, small
cells suppressed in the result, the HTML page and the CSV; bad periods and teams refused."""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import os
import re
import statistics
import subprocess
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.core import feedback, referrals
from graphsvc.errors import InputError, NotFound
from graphsvc.feedback_page import feedback_csv, feedback_html
from graphsvc.store import Store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import REPO, TINY, gql
from tests.coplan_fixtures import (
    LEUVEN,
    MakeStore,
    client_over,
    copy_seed,
    load_folder,
    readme_rows,
)

GGZ = "leuven-mdt-ggz-noord"
NOORD = "16c7f4a3e16bfd1e460610a8d4b2a35bc885ccc08186da3f7c6cb01e7f481488"  # leuven-noord
KLN = "dd30681c22911ad07c3351239f96c6fca6ffeced399d0cfe126eb6055b8357fd"  # kessel-lo-noord
MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
Q1 = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))  # a release period (what leaves graphsvc)
PATIENT_BASED = ("patients_followed", "referrals_proposed", "referrals_accepted",
                 "referrals_declined", "median_days_to_accept", "open_needs")  # fmt: skip


def table(name: str) -> list[dict[str, str]]:
    with (LEUVEN / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by_hand(made: list[dict], since: dt.date, until: dt.date) -> dict[str, dict]:
    """Every team's indicators from the seed's CSV files and the referrals a test made
    (dicts: id, patient, by, provider, status, created, accepted days; no suppression)."""
    kinds = {n["id"]: n["kind"] for n in table("networks")}
    teams = [t["network"] for t in table("network_zones") if kinds[t["network"]].endswith("team")]
    members: dict[str, set[str]] = defaultdict(set)
    for m in table("memberships"):
        members[m["network"]].add(m["actor"])
    links = {frozenset((c["source"], c["target"])) for c in table("collaborations")}
    managed: dict[str, set[str]] = defaultdict(set)
    for p in table("patients"):
        managed[p["case_manager"]].add(p["id"])
    needs: dict[str, list[str]] = defaultdict(list)
    for n in table("patient_needs"):
        needs[n["patient"]].append(n["need"])
    result = {}
    for team in teams:
        ids = members[team]
        mine = [r for r in made if (r["by"] in ids or r["provider"] in ids)
                and since <= r["created"] <= until]  # fmt: skip
        accepted = [r for r in mine if r["accepted"] is not None]
        followed = set().union(*(managed[a] for a in ids)) | {r["patient"] for r in mine}
        met = {(r["patient"], need) for r in made if r["status"] in ("proposed", "accepted")
               for need in r["meets"]}  # fmt: skip
        pairs = list(combinations(sorted(ids), 2))
        result[team] = {
            "patients_followed": len(followed),
            "referrals_proposed": len(mine),
            "referrals_accepted": len(accepted),
            "referrals_declined": sum(r["status"] == "declined" for r in mine),
            "median_days_to_accept": (
                statistics.median(r["accepted"] for r in accepted) if accepted else None
            ),
            "open_needs": sum(1 for p in followed for n in needs[p] if (p, n) not in met),
            "collaboration_density": sum(frozenset(p) in links for p in pairs) / len(pairs),
        }
    return result


def test_indicators_on_the_seed_by_hand(demo_store: Store) -> None:
    hand = by_hand([], *MARCH)
    assert len(hand) == 12
    for team, expected in hand.items():
        found = feedback.team_feedback(demo_store, team, *MARCH, k=1)
        assert found.teams == tuple(sorted(hand)) and found.pilot == "leuven"
        for indicator in found.indicators:
            want = expected[indicator.code]
            assert indicator.value == (None if want is None else pytest.approx(want, abs=1e-4))
            values = [h[indicator.code] for h in hand.values() if h[indicator.code] is not None]
            if indicator.code != "median_days_to_accept":
                assert indicator.pilot_average == pytest.approx(sum(values) / len(values), abs=1e-4)
    ggz = hand[GGZ]
    assert (ggz["patients_followed"], ggz["open_needs"]) == (2, 6)  # 4 + 2 needs, no referral


def test_the_readme_team_table_is_what_k_10_shows(demo_store: Store) -> None:
    for team, zone, members, density, patients in readme_rows("teams:leuven"):
        found = feedback.team_feedback(demo_store, team, *MARCH)
        assert (found.zone, str(found.members)) == (zone, members)
        assert f"{found.indicator('collaboration_density').value:.4f}" == density
        followed = found.indicator("patients_followed")
        assert ("< 10" if followed.suppressed else str(followed.value)) == patients


def test_round_trips(demo_store: Store) -> None:
    before = demo_store.calls
    feedback.team_feedback(demo_store, GGZ, *MARCH)
    assert demo_store.calls - before == 6


@pytest.fixture
def with_referrals(
    make_store: MakeStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Store, list[dict]]:
    """The leuven seed and four referrals made on 2 March 2026, accepted or declined later."""
    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    clock = {"now": dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)}
    monkeypatch.setattr(referrals, "_now", lambda: clock["now"].isoformat(timespec="milliseconds"))

    def at(days: float) -> None:
        clock["now"] = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC) + dt.timedelta(days=days)

    aid, ocmw, welfare, cgg = (
        "leuven-hulpcentrum-de-brug-humanitarian-aid", "leuven-ocmw-social-assistance",
        "leuven-welzijnshuis-social-work", "leuven-cgg-dijle-psychology-first-line")  # fmt: skip
    made = {r.service.id: r for r in referrals.activate_partners(store, None, NOORD,
                                                                 [aid, ocmw, welfare])}  # fmt: skip
    [psy] = referrals.activate_partners(store, None, KLN, [cgg])
    for referral, moves in ((made[aid], ((1, "sent"), (2, "accepted"))),
                            (made[ocmw], ((0.5, "sent"), (1, "declined"))),
                            (psy, ((1, "sent"), (5, "accepted")))):  # fmt: skip
        for days, status in moves:
            at(days)
            referrals.update_referral(store, None, referral.id, status)
    day = dt.date(2026, 3, 2)
    hand = [
        {"id": "aid", "patient": NOORD, "by": "leuven-casemanager-griet-hendrickx",
         "provider": "leuven-hulpcentrum-de-brug", "status": "accepted", "created": day,
         "accepted": 2, "meets": ["food-insecurity"]},
        {"id": "ocmw", "patient": NOORD, "by": "leuven-casemanager-griet-hendrickx",
         "provider": "leuven-ocmw", "status": "declined", "created": day, "accepted": None,
         "meets": ["financial-insecurity"]},
        {"id": "welfare", "patient": NOORD, "by": "leuven-casemanager-griet-hendrickx",
         "provider": "leuven-welzijnshuis", "status": "proposed", "created": day,
         "accepted": None, "meets": ["financial-insecurity"]},
        {"id": "psy", "patient": KLN, "by": "leuven-casemanager-joris-mertens",
         "provider": "leuven-cgg-dijle", "status": "accepted", "created": day, "accepted": 5,
         "meets": ["depression-anxiety"]},
    ]  # fmt: skip
    return store, hand


def test_referral_indicators_by_hand(with_referrals: tuple[Store, list[dict]]) -> None:
    store, made = with_referrals
    hand = by_hand(made, *MARCH)
    ggz = feedback.team_feedback(store, GGZ, *MARCH, k=1)
    values = {i.code: i.value for i in ggz.indicators}
    assert values == pytest.approx(hand[GGZ], abs=1e-4)
    assert values["referrals_proposed"] == 4 and values["median_days_to_accept"] == 3.5
    assert values["open_needs"] == 3  # chronic follow-up, housing, financial (KLN)
    for team in hand:
        found = feedback.team_feedback(store, team, *MARCH, k=1)
        assert {i.code: i.value for i in found.indicators} == pytest.approx(hand[team], abs=1e-4)
    # the pilot's median is over every acceptance: days 2 and 5
    assert ggz.indicator("median_days_to_accept").pilot_average == 3.5
    # another period: no referral counts, the patients managed still do
    april = feedback.team_feedback(store, GGZ, dt.date(2026, 4, 1), dt.date(2026, 4, 30), k=1)
    assert april.indicator("referrals_proposed").value == 0
    assert april.indicator("patients_followed").value == 2
    assert april.indicator("median_days_to_accept").value is None


def row_of(page: str, label: str) -> str:
    [row] = re.findall(rf"<tr><td>{re.escape(label)}</td>.*?</tr>", page, re.S)
    return row


def test_small_cells_stay_suppressed_in_html_and_csv(
    with_referrals: tuple[Store, list[dict]],
) -> None:
    store, _ = with_referrals
    raw = feedback.team_feedback(store, GGZ, *MARCH, k=1)
    shown = feedback.team_feedback(store, GGZ, *MARCH)  # k = 10
    page, sheet = feedback_html(shown), feedback_csv(shown)
    records = {r["indicator"]: r for r in csv.DictReader(io.StringIO(sheet))}
    for code in PATIENT_BASED:
        indicator = shown.indicator(code)
        assert indicator.suppressed and indicator.value is None, code
        assert records[code]["team"] == "< 10"
        row = row_of(page, indicator.label)
        secret = raw.indicator(code).value
        assert row.count("&lt; 10") >= 2  # the table cell and the chart
        team_cell = re.search(r'<td class="n">(.*?)</td>', row).group(1)
        assert team_cell == "&lt; 10" and f">{secret:g}<" not in row.split("pilot")[0]
        # the pilot's figure is the whole pilot's, or suppressed: never a partial mean
        pilot = indicator.pilot_average
        assert pilot is None or pilot == raw.indicator(code).pilot_average
        assert records[code]["pilot_average"] == (
            "< 10" if pilot is None else f"{round(pilot, 2):g}"
        )
    density = shown.indicator("collaboration_density")
    assert not density.suppressed and records["collaboration_density"]["team"] == "0.29"
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")


def test_a_lone_team_hides_its_pilot_figure_too(make_store: MakeStore, tmp_path: Path) -> None:
    folder = tmp_path / "tiny"
    folder.mkdir()
    for path in TINY.iterdir():
        (folder / path.name).write_bytes(path.read_bytes())
    (folder / "network_zones.csv").write_text("network,zone\nmdt,north\n")
    store = make_store()
    load_folder(store, folder)
    found = feedback.team_feedback(store, "mdt", *MARCH)
    followed = found.indicator("patients_followed")
    assert (followed.suppressed, followed.pilot_suppressed) == (True, True)  # 1 patient
    assert found.indicator("referrals_proposed").value == 0  # zero is shown
    assert (
        feedback.team_feedback(store, "mdt", *MARCH, k=1)
        .indicator("patients_followed")
        .pilot_average
        == 1
    )


def test_bad_arguments(demo_store: Store) -> None:
    with pytest.raises(InputError, match="argument from: 2026-03-31 is after to 2026-03-01"):
        feedback.team_feedback(demo_store, GGZ, MARCH[1], MARCH[0])
    with pytest.raises(NotFound, match="argument teamId: unknown team 'atlantis'"):
        feedback.team_feedback(demo_store, "atlantis", *MARCH)
    with pytest.raises(InputError, match="is a consortium, not a team"):
        feedback.team_feedback(demo_store, "leuven-consortium", *MARCH)
    with pytest.raises(InputError, match="works in no zone"):
        feedback.team_feedback(demo_store, "namur-team-jambes", *MARCH)


def test_graphql_team_feedback(client: TestClient) -> None:
    query = """query($t: ID!, $f: Date!, $to: Date!) { teamFeedback(teamId: $t, from: $f,
        to: $to) { teamId name zoneId pilotZoneId start end k memberCount teamsCompared
        indicators { code value suppressed pilotAverage pilotSuppressed countsPeople } } }"""
    body = gql(client, query, t=GGZ, f="2026-01-01", to="2026-03-31")
    found = body["data"]["teamFeedback"]
    assert (found["zoneId"], found["pilotZoneId"], found["k"], found["memberCount"]) == (
        "leuven-vn-leuven-noord",
        "leuven",
        10,
        12,
    )
    indicators = {i["code"]: i for i in found["indicators"]}
    assert indicators["patients_followed"] == {
        "code": "patients_followed", "value": None, "suppressed": True,
        "pilotAverage": None, "pilotSuppressed": True,  # 11 over 12 teams: pins ones
        "countsPeople": True}  # fmt: skip
    assert indicators["collaboration_density"]["value"] == 0.2879
    body = gql(client, query, t=GGZ, f="2026-03-31", to="2026-03-01")
    assert "argument from: 2026-03-31 is after to 2026-03-01" in body["errors"][0]["message"]
    body = gql(client, query, t="atlantis", f="2026-01-01", to="2026-03-31")
    assert "unknown team 'atlantis'" in body["errors"][0]["message"]


def test_cli_prints_the_page_and_the_csv(
    demo_store: Store, embedded: EmbeddedServer, tmp_path: Path
) -> None:
    env = {**os.environ, "GRAPHSVC_DB": f"embedded:{embedded.data_dir}", "GRAPHSVC_GRAPH": "demo"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "graphsvc.cli", "feedback", *args], env=env,
                              cwd=REPO, capture_output=True, text=True, timeout=120)  # fmt: skip

    page = tmp_path / "ggz.html"
    result = run("--team", GGZ, "--from", "2026-01-01", "--to", "2026-03-31", "-o", str(page))
    assert result.returncode == 0, result.stderr
    text = page.read_text()
    assert text.startswith("<!DOCTYPE html>") and "<svg" in text and "&lt; 10" in text
    result = run("--team", GGZ, "--format", "csv", "--from", "2026-01-01", "--to", "2026-03-31")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1] == "patients_followed,Patients followed,< 10,< 10,12,yes"
    result = run("--team", GGZ, "--from", "2026-04-01", "--to", "2026-03-01")
    assert result.returncode == 1
    assert "argument from: 2026-04-01 is after to 2026-03-01" in result.stderr


def test_the_page_and_the_csv_over_http_keep_small_cells_suppressed(
    with_referrals: tuple[Store, list[dict]],
) -> None:
    store, _ = with_referrals
    raw = feedback.team_feedback(store, GGZ, *Q1, k=1)
    shown = feedback.team_feedback(store, GGZ, *Q1)
    period = {"from": "2026-01-01", "to": "2026-03-31"}
    with client_over(store) as client:
        page = client.get(f"/feedback/team/{GGZ}", params=period)
        sheet = client.get(f"/feedback/team/{GGZ}", params={**period, "format": "csv"})
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert page.text == feedback_html(shown)  # the command line's page, byte for byte
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert sheet.status_code == 200
    assert sheet.headers["content-type"] == "text/csv; charset=utf-8"
    assert sheet.headers["content-disposition"] == (
        f'attachment; filename="team-feedback-{GGZ}-2026-01-01-2026-03-31.csv"'
    )
    text = sheet.content.decode("utf-8")
    assert text == "\ufeff" + feedback_csv(shown)
    records = {r["indicator"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    for code in PATIENT_BASED:
        secret = raw.indicator(code).value
        assert records[code]["team"] == "< 10", code
        assert f"{secret:g}" != records[code]["team"]
        assert row_of(page.text, shown.indicator(code).label).count("&lt; 10") >= 2


@pytest.mark.parametrize(
    ("path", "params", "status", "message"),
    [
        (f"/feedback/team/{GGZ}", {"from": "2026-03-31", "to": "2026-03-01"}, 400,
         "argument from: 2026-03-31 is after to 2026-03-01"),
        (f"/feedback/team/{GGZ}", {"from": "March"}, 400,
         "argument from: 'March' is not a date (YYYY-MM-DD)"),
        (f"/feedback/team/{GGZ}", {"format": "pdf"}, 400,
         "argument format: 'pdf' is not one of html, csv"),
        ("/feedback/team/atlantis", {}, 404, "argument teamId: unknown team 'atlantis'"),
        ("/feedback/team/leuven-consortium", {"format": "csv"}, 400,
         "is a consortium, not a team"),
    ],
)  # fmt: skip
def test_bad_feedback_requests_are_named(
    client: TestClient, path: str, params: dict, status: int, message: str
) -> None:
    response = client.get(path, params=params)
    assert response.status_code == status
    assert message in html.unescape(response.text)


def test_the_teams_of_a_zone(client: TestClient) -> None:
    query = "query($z: ID!) { teams(zoneId: $z) { id kind zoneId memberCount zone { name } } }"
    teams = gql(client, query, z="leuven")["data"]["teams"]
    kinds = {n["id"]: n["kind"] for n in table("networks")}
    expected = {t["network"]: t["zone"] for t in table("network_zones")
                if kinds[t["network"]].endswith("team")}  # fmt: skip
    assert len(expected) == 12 and {t["id"]: t["zoneId"] for t in teams} == expected
    ggz = next(t for t in teams if t["id"] == GGZ)
    assert ggz["memberCount"] == 12 and ggz["zone"]["name"] == "Leuven-Noord"
    part = gql(client, query, z="leuven-vn-leuven-noord")["data"]["teams"]
    assert {t["id"] for t in part} == {n for n, z in expected.items()
                                       if z == "leuven-vn-leuven-noord"}  # fmt: skip
    body = gql(client, query, z="atlantis")
    assert "argument zoneId: unknown zone 'atlantis'" in body["errors"][0]["message"]
