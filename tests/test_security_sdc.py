"""Disclosure control of linked tables (graphsvc.security.sdc): the attacker and suppression.

The attacker solves integer programs (scipy's HiGHS) over every figure of an answer and the
relations between them; suppression must leave it no hidden cell within 1..k-1. The two
cases of issue 16 are here literally, then random zone trees and random team figures.
"""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graphsvc.core import feedback
from graphsvc.core.patient_counts import ALL, linked_table
from graphsvc.security.sdc import Relation, attack, disclosed, disclosures, protect

K = 10


def test_the_attacker_finds_the_zone_case_of_the_issue() -> None:
    """all = 30, A = 15, B hidden but B's housing = 14, C hidden: B + C = 15, B >= 14, so
    C = 1 (and that one patient has food insecurity)."""
    relations = [
        Relation.total("all", ["A", "B", "C"]),
        Relation.at_most(["B.housing"], "B"),
        Relation.at_most(["C.food"], "C"),
    ]
    shown = {"all": 30, "A": 15, "B.housing": 14}
    found = attack(shown, relations, ["B", "C", "C.food"])
    assert found["C"] == (1, 1) and found["C.food"] == (1, 1) and found["B"] == (14, 14)
    assert disclosed(found["C"], K)


def test_suppression_protects_the_zone_case_of_the_issue() -> None:
    children = {"Z": ["A", "B", "C"]}
    own = {ALL: {"A": 15, "B": 14, "C": 1}, "housing": {"B": 14}, "food": {"C": 1}}
    values, relations, unlisted = linked_table(["Z", "A", "B", "C"], children, own,
                                               (ALL, "food", "housing"))  # fmt: skip
    assert values[(ALL, "Z")] == 30
    hidden = protect(values, relations, K, unlisted)
    assert {(ALL, "C"), ("food", "C"), ("food", "Z")} <= hidden
    assert not disclosures(values, relations, hidden, unlisted, K)
    # primary suppression alone, as per-table suppression did, gives C = 1 away
    primary = {key for key, v in values.items() if 0 < v < K} | {(ALL, "B")}
    assert (ALL, "C") in disclosures(values, relations, primary, unlisted, K)


def _raw(counts: dict[str, int], patients: int) -> feedback._Raw:
    full = {code: None for code, _, _ in feedback.INDICATORS} | counts
    sizes = {code: min(int(full[code] or 0), patients) for code, _, _ in feedback.INDICATORS}
    return feedback._Raw(full, sizes, {})


def test_the_feedback_case_of_the_issue() -> None:
    """proposed 14, accepted 13, declined < 10 gives declined = 1: not any more."""
    team = _raw({"patients_followed": 14, "referrals_proposed": 14, "referrals_accepted": 13,
                 "referrals_declined": 1, "open_needs": 0}, patients=14)  # fmt: skip
    raw = {"t": team}
    values, relations, primary = linked_table_of(raw)
    assert primary == {("t", "referrals_declined")}
    assert ("t", "referrals_declined") in disclosures(values, relations, primary, (), K)
    hidden = feedback.suppressed_cells(raw, K)
    assert {("t", "referrals_declined"), ("t", "referrals_accepted")} <= hidden
    assert not disclosures(values, relations, hidden, (), K)


def linked_table_of(raw: dict) -> tuple[dict, list, set]:
    return feedback.linked_table(raw, K)


# random tables


@st.composite
def zone_trees(draw: st.DrawFn) -> tuple[list[str], dict, dict]:
    zones = ["r"]
    parent: dict[str, str] = {}
    for i in range(draw(st.integers(2, 7))):
        z = f"z{i}"
        parent[z] = draw(st.sampled_from(zones))
        zones.append(z)
    children: dict[str, list[str]] = defaultdict(list)
    for z, p in parent.items():
        children[p].append(z)
    own: dict[str, dict[str, int]] = {ALL: {}, "n1": {}, "n2": {}}
    for z in zones:
        if z in children and draw(st.booleans()):
            continue  # most zones with parts have no patient of their own
        patients = draw(st.integers(0, 12))
        own[ALL][z] = patients
        for need in ("n1", "n2"):
            own[need][z] = draw(st.integers(0, patients))
    return zones, dict(children), own


@settings(max_examples=40, deadline=None)
@given(zone_trees(), st.sampled_from([3, 5, 10]))
def test_no_suppressed_zone_count_is_narrowed_below_k(tree: tuple, k: int) -> None:
    zones, children, own = tree
    values, relations, unlisted = linked_table(zones, children, own, (ALL, "n1", "n2"))
    hidden = protect(values, relations, k, unlisted)
    shown = {key: v for key, v in values.items() if key not in hidden and key not in unlisted}
    assert all(v == 0 or v >= k for v in shown.values())
    intervals = attack(shown, relations, hidden, unlisted)
    for key, interval in intervals.items():
        assert interval[0] <= values[key] <= interval[1]
        assert not disclosed(interval, k), (key, interval, values)


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 15), st.integers(0, 15), st.integers(0, 15),
                          st.integers(1, 15)), min_size=1, max_size=5))  # fmt: skip
def test_no_suppressed_team_figure_is_narrowed_below_k(teams: list) -> None:
    raw = {}
    for i, (accepted, declined, other, patients) in enumerate(teams):
        proposed = accepted + declined + other
        raw[f"t{i}"] = _raw({"patients_followed": patients, "referrals_proposed": proposed,
                             "referrals_accepted": accepted, "referrals_declined": declined,
                             "open_needs": other}, patients)  # fmt: skip
    values, relations, primary = linked_table_of(raw)
    hidden = feedback.suppressed_cells(raw, K)
    assert primary <= hidden
    shown = {key: v for key, v in values.items() if key not in hidden}
    for key, interval in attack(shown, relations, [h for h in hidden if h in values]).items():
        assert interval[0] <= values[key] <= interval[1]
        assert not disclosed(interval, K), (key, interval)


@pytest.mark.parametrize("cells", [1, 2, 3])
def test_a_line_of_ones_takes_its_total(cells: int) -> None:
    names = [f"c{i}" for i in range(cells)]
    values = {"t": cells} | dict.fromkeys(names, 1)
    relations = [Relation.total("t", names)]
    assert protect(values, relations, K) == {"t", *names}


def test_team_feedback_is_released_for_fixed_periods_only(demo_store: object) -> None:
    import datetime as dt

    from graphsvc.errors import InputError

    team = "leuven-mdt-ggz-noord"
    for start, end in feedback.release_periods(2026):
        found = feedback.team_feedback(demo_store, team, start, end, released=True)  # type: ignore[arg-type]
        assert (found.start, found.end) == (start.isoformat(), end.isoformat())
    assert next(p for p in feedback.release_periods(2024) if p[1].month == 12)[1].day == 31
    overlapping = (dt.date(2025, 1, 1), dt.date(2026, 1, 5))  # the issue's two periods
    with pytest.raises(InputError, match=r"is not a release period.*2025-01-01 to 2025-03-31"):
        feedback.team_feedback(demo_store, team, *overlapping, released=True)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="not a release period"):
        feedback.team_feedback(demo_store, team, dt.date(2026, 3, 1), dt.date(2026, 3, 31),  # type: ignore[arg-type]
                               released=True)  # fmt: skip
