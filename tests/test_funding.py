"""Funding (issue 10): per inhabitant and per person in unmet need, by vicinity network,
against a hand computation on the leuven seed; periods; bad funding writes nothing."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.core.funding import funding_report
from graphsvc.demo.check import coverage_status, load_bundle
from graphsvc.errors import InputError
from graphsvc.store import Store
from tests.conftest import gql
from tests.coplan_fixtures import LEUVEN, MakeStore, copy_seed, edit_csv, load_folder, readme_rows
from tests.test_bundle import dump


def rows(table: str) -> list[dict[str, str]]:
    with (LEUVEN / f"{table}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def by_hand(since: dt.date | None = None, until: dt.date | None = None) -> dict[str, dict]:
    """Each vicinity network's funding and unmet need, straight from the seed's CSV files."""
    population = {z["id"]: int(z["population"]) for z in rows("zones")}
    vns = sorted(z["id"] for z in rows("zones") if z["level"] == "vicinity_network")
    works_in = {n["network"]: n["zone"] for n in rows("network_zones")}
    money: dict[str, float] = defaultdict(float)
    for line in rows("funding"):
        amount = int(line["amount"])
        if since or until:
            first = dt.date.fromisoformat(line["start_date"])
            last = dt.date.fromisoformat(line["end_date"])
            inside = (min(last, until or last) - max(first, since or first)).days + 1
            amount *= max(inside, 0) / ((last - first).days + 1)
        target = line["zone"] or works_in[line["network"]]
        if target == "leuven":  # the pilot zone's lines: by population
            for vn in vns:
                money[vn] += amount * population[vn] / population["leuven"]
        else:
            money[target] += amount
    ratio = coverage_status(load_bundle(LEUVEN))  # the reference catchment ratios
    unmet: dict[str, float] = defaultdict(float)
    for need in rows("zone_needs"):
        people = int(need["people"])
        unmet[need["zone"]] += max(0.0, people - people * ratio[(need["zone"], need["need"])][0])
    return {vn: {"funding": money[vn], "population": population[vn], "unmet": unmet[vn]}
            for vn in vns}  # fmt: skip


def test_funding_per_inhabitant_and_per_unmet_need_by_hand(demo_store: Store) -> None:
    before = demo_store.calls
    report = funding_report(demo_store, "leuven")
    assert demo_store.calls - before == 6
    hand = by_hand()
    assert [p.zone for p in report.parts] == sorted(hand)
    for part in report.parts:
        expected = hand[part.zone]
        assert part.total == pytest.approx(expected["funding"])
        assert part.per_inhabitant == pytest.approx(expected["funding"] / expected["population"])
        assert part.unmet == pytest.approx(expected["unmet"])
        if expected["unmet"]:
            assert part.per_unmet == pytest.approx(expected["funding"] / expected["unmet"])
        else:
            assert part.per_unmet is None
    centrum = next(p for p in report.parts if p.zone == "leuven-vn-centrum")
    # its flat rate 20,000 + 2 x 17,800; 17.8% of the pilot's 1,500,000 + 180,000
    assert (centrum.direct, centrum.networks) == (55600, 0)
    assert centrum.shared == pytest.approx(0.178 * 1_680_000)
    kessel_lo = next(p for p in report.parts if p.zone == "leuven-vn-kessel-lo")
    assert kessel_lo.networks == 45000  # the diabetes team works there
    assert report.total.total == pytest.approx(sum(h["funding"] for h in hand.values()))
    assert report.total.total == sum(int(f["amount"]) for f in rows("funding"))
    assert report.unattributed == 0
    assert report.by_scheme == pytest.approx(
        {
            "bundled": 45000,
            "fee_for_service": 1_500_000,
            "flat_rate": 410_000,
            "project_grant": 240_000,
        }
    )
    assert (report.total.missing, report.total.under) == (3, 3)


def test_the_readme_table_is_the_report(demo_store: Store) -> None:
    report = {p.zone: p for p in funding_report(demo_store, "leuven").parts}
    documented = readme_rows("funding:leuven")
    assert [row[0] for row in documented] == sorted(report)
    for zone, population, money, per_inhabitant, unmet, per_unmet in documented:
        part = report[zone]
        assert (str(part.population), f"{part.total:,.2f}", f"{part.per_inhabitant:,.2f}",
                f"{part.unmet:.2f}") == (population, money, per_inhabitant, unmet)  # fmt: skip
        assert per_unmet == ("" if part.per_unmet is None else f"{part.per_unmet:,.2f}")


def test_a_period_counts_each_line_pro_rata(demo_store: Store) -> None:
    since, until = dt.date(2026, 1, 1), dt.date(2026, 3, 31)
    report = funding_report(demo_store, "leuven", since, until)
    hand = by_hand(since, until)
    for part in report.parts:
        assert part.total == pytest.approx(hand[part.zone]["funding"])
    grant = next(x for x in report.lines if x.id == "leuven-integratorteam-projectsubsidie")
    assert grant.counted == pytest.approx(180000 * 90 / 365)  # 2025-07-01 to 2026-06-30
    assert (report.start, report.end) == ("2026-01-01", "2026-03-31")
    nothing = funding_report(demo_store, "leuven", dt.date(2030, 1, 1), dt.date(2030, 12, 31))
    assert nothing.total.total == 0 and nothing.total.unmet == report.total.unmet
    with pytest.raises(InputError, match="argument from: 2026-03-31 is after to 2026-01-01"):
        funding_report(demo_store, "leuven", until, since)


def test_one_vicinity_network_alone(demo_store: Store) -> None:
    alone = funding_report(demo_store, "leuven-vn-leuven-noord")
    whole = {p.zone: p for p in funding_report(demo_store, "leuven").parts}
    assert alone.parts == (whole["leuven-vn-leuven-noord"],)
    assert alone.total.total == pytest.approx(whole["leuven-vn-leuven-noord"].total)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (",flat_rate,55600,", ",flat_rate,-55600,",
         "funding.csv row 2 field amount: -55600 is negative"),
        (",flat_rate,55600,2026-01-01,2026-12-31,", ",flat_rate,55600,2026-12-31,2026-01-01,",
         "funding.csv row 2 field end_date: 2026-01-01 is before start_date 2026-12-31"),
        ("leuven-forfait-centrum,leuven-vn-centrum,,", "leuven-forfait-centrum,,,",
         "funding.csv row 2 field zone: give either a zone or a network"),
        ("leuven-forfait-centrum,leuven-vn-centrum,,", "leuven-forfait-centrum,leuven-vn-centrum,"
         "leuven-team-centrum,", "funding.csv row 2 field zone: give either a zone or a network"),
        (",flat_rate,55600,", ",subsidy,55600,",
         "funding.csv row 2 field scheme: 'subsidy' is not one of flat_rate"),
        ("leuven-vn-centrum,,flat_rate", "leuven-vn-atlantis,,flat_rate",
         "funding.csv row 2 field zone: unknown zones reference 'leuven-vn-atlantis'"),
    ],
)  # fmt: skip
def test_bad_funding_is_refused_and_nothing_is_written(
    make_store: MakeStore, tmp_path: Path, old: str, new: str, message: str
) -> None:
    folder = copy_seed(tmp_path)
    edit_csv(folder, "funding", old, new)
    store = make_store()
    with pytest.raises(InputError) as caught:
        load_folder(store, folder)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems
    assert dump(store) == ([], [])


def test_saving_funding_through_the_api(make_store: MakeStore, tmp_path: Path) -> None:
    from tests.coplan_fixtures import client_over

    store = make_store()
    load_folder(store, copy_seed(tmp_path))
    first = dump(store)
    mutation = """mutation($l: [FundingInput!]!) { saveFunding(lines: $l) { table count } }"""
    line = {"id": "leuven-extra", "scheme": "PROJECT_GRANT", "amount": -1,
            "startDate": "2026-01-01", "endDate": "2025-12-31", "source": "Koning Boudewijn",
            "networkId": "leuven-team-wijgmaal"}  # fmt: skip
    with client_over(store) as client:
        message = gql(client, mutation, l=[line])["errors"][0]["message"]
        assert message.endswith("argument lines[0] field amount: -1 is negative")
        line.update(amount=10000)
        message = gql(client, mutation, l=[line])["errors"][0]["message"]
        assert message.endswith(
            "argument lines[0] field end_date: 2025-12-31 is before start_date 2026-01-01"
        )
        assert dump(store) == first
        line.update(endDate="2026-12-31")
        assert gql(client, mutation, l=[line])["data"]["saveFunding"] == [
            {"table": "funding", "count": 1}
        ]
    wijgmaal = next(p for p in funding_report(store, "leuven").parts
                    if p.zone == "leuven-vn-wijgmaal")  # fmt: skip
    assert wijgmaal.networks == 10000


def test_graphql_funding_report(client: TestClient) -> None:
    body = gql(
        client,
        """{ fundingReport(zoneId: "leuven", from: "2026-01-01",
        to: "2026-12-31") { start end unattributed total { total perInhabitant unmet perUnmet
        missingCount underCount } parts { zoneId zone { name } population total perInhabitant
        unmet perUnmet } lines { id scheme amount counted targetZoneId networkId }
        byScheme { scheme amount } } }""",
    )
    assert "errors" not in body, body["errors"]
    report = body["data"]["fundingReport"]
    assert (report["start"], report["end"], report["unattributed"]) == (
        "2026-01-01",
        "2026-12-31",
        0.0,
    )
    noord = next(p for p in report["parts"] if p["zoneId"] == "leuven-vn-leuven-noord")
    hand = by_hand(dt.date(2026, 1, 1), dt.date(2026, 12, 31))["leuven-vn-leuven-noord"]
    assert noord["total"] == pytest.approx(hand["funding"], abs=0.01)
    assert noord["perUnmet"] == pytest.approx(hand["funding"] / hand["unmet"], abs=0.01)
    team = next(x for x in report["lines"] if x["id"] == "leuven-mdt-ggz-noord-projectsubsidie")
    assert (team["scheme"], team["targetZoneId"], team["networkId"]) == (
        "PROJECT_GRANT",
        "leuven-vn-leuven-noord",
        "leuven-mdt-ggz-noord",
    )
    body = gql(
        client,
        """{ fundingReport(zoneId: "leuven", from: "2026-02-01",
        to: "2026-01-01") { zoneId } }""",
    )
    assert "argument from: 2026-02-01 is after to 2026-01-01" in body["errors"][0]["message"]
