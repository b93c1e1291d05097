"""Team-level audit and feedback: indicators of a multidisciplinary team over a period,
compared with the average of the teams of its pilot zone.

A team is a Network whose kind ends with `team` (vicinity_network_team,
multidisciplinary_team) tied to the zone it works in (WORKS_IN, a vicinity network). Its
pilot's teams are every team working in a zone inside the pilot zone above that zone.

Indicators, for a period `start` to `end` (dates, both inclusive):

| code | what |
|---|---|
| `patients_followed` | patients a member is case manager of, or who had a team referral made in the period |
| `referrals_proposed` | team referrals made in the period: made BY a member or TO a service a member provides |
| `referrals_accepted` | of those, the ones accepted (accepted, active or closed, or with an acceptance date) |
| `referrals_declined` | of those, the ones declined |
| `median_days_to_accept` | median days from proposal to acceptance of the accepted ones with a known acceptance date |
| `open_needs` | needs of the patients followed that no referral meets (state `open`, now) |
| `collaboration_density` | COLLABORATES_WITH links among the members / member pairs |

Small cells (DESIGN §6): every indicator that counts patients (all but the density) is
suppressed when it rests on 1 to k - 1 patients (k is 10 by default; zero is shown, as in
graphsvc.security.suppression): a count of patients below k, a count of referrals or needs
below k or concerning fewer than k patients, the median of fewer than k acceptances; its
value is then None and shows as `< k`. The pilot's figure is the mean over all its teams
(for the median: the median of all their acceptances); it is suppressed when it would give a
suppressed count away: one team's count suppressed, or the suppressed counts adding up to
less than k (the mean times the teams, minus the shown counts, is their sum). Six round
trips.
"""  # noqa: E501

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import combinations

from graphsvc.core.caseload import OPEN, collaborations, need_states
from graphsvc.core.directory import require_zone
from graphsvc.core.funding import check_period
from graphsvc.core.patients import get_patients
from graphsvc.core.referrals import referrals_of
from graphsvc.errors import InputError, NotFound
from graphsvc.security.sdc import Relation, protect
from graphsvc.store import Row, Store

SMALL_CELL_K = 10
ACCEPTED = ("accepted", "active", "closed")  # reached only through acceptance
# code, label, counts patients (suppressed below k)
INDICATORS: tuple[tuple[str, str, bool], ...] = (
    ("patients_followed", "Patients followed", True),
    ("referrals_proposed", "Referrals proposed", True),
    ("referrals_accepted", "Referrals accepted", True),
    ("referrals_declined", "Referrals declined", True),
    ("median_days_to_accept", "Median days from proposed to accepted", True),
    ("open_needs", "Open needs of the patients followed", True),
    ("collaboration_density", "Collaboration density of the team", False),
)
LABELS = {code: label for code, label, _ in INDICATORS}


@dataclass(frozen=True)
class Indicator:
    code: str
    label: str
    value: float | None  # None when suppressed or unknown
    suppressed: bool
    pilot_average: float | None  # mean over the pilot's teams with a shown value
    pilot_suppressed: bool
    teams_averaged: int
    patient_based: bool


@dataclass(frozen=True)
class TeamFeedback:
    team: str
    name: str
    kind: str | None
    zone: str
    pilot: str
    start: str
    end: str
    k: int
    members: int
    teams: tuple[str, ...]  # the pilot's teams compared (this one included)
    indicators: tuple[Indicator, ...]

    def indicator(self, code: str) -> Indicator:
        return next(i for i in self.indicators if i.code == code)


@dataclass(frozen=True)
class _Raw:
    """A team's unsuppressed figures: never leave this module."""

    counts: dict[str, float | None]
    sizes: dict[str, int]  # how many patients or referrals each figure rests on
    days: dict[str, tuple[str, float]]  # referral id -> (patient, days to acceptance)


@dataclass(frozen=True)
class Team:
    """A team a feedback page can be asked for: where it works and how many members."""

    id: str
    name: str
    kind: str
    zone: str
    members: int


def zone_teams(store: Store, zone_id: str) -> list[Team]:
    """The teams working in a zone or its parts, by id (two round trips)."""
    require_zone(store, zone_id)
    return [Team(r["id"], r["name"], r["kind"], r["zone"], r["members"] or 0)
            for r in store.run("list_zone_teams", zone=zone_id)]  # fmt: skip


def team_feedback(
    store: Store,
    team_id: str,
    start: dt.date,
    end: dt.date,
    k: int = SMALL_CELL_K,
    released: bool = False,
) -> TeamFeedback:
    """The indicators of a team over a period, beside its pilot's average (six round trips).
    `released` (every answer that leaves graphsvc): the period must be a release period."""
    check_period(start, end, ("from", "to"))
    if released:
        check_release_period(start, end)
    if k < 1:
        raise InputError([f"small-cell threshold k: {k} must be at least 1"])
    teams = store.run("list_pilot_teams", team=team_id)
    if not any(t["id"] == team_id for t in teams):
        found = store.run("get_networks", ids=[team_id])
        if not found:
            raise NotFound(f"argument teamId: unknown team {team_id!r}")
        if not (found[0]["kind"] or "").endswith("team"):
            raise InputError([f"argument teamId: {team_id!r} is a {found[0]['kind']}, not a team"])
        raise InputError([
            f"argument teamId: team {team_id!r} works in no zone (WORKS_IN); tie it to its "
            "vicinity network (bundle table network_zones)"
        ])  # fmt: skip
    raw = _raw_figures(store, teams, start, end)
    hidden = suppressed_cells(raw, k)
    team = next(t for t in teams if t["id"] == team_id)
    indicators = []
    for code, label, patient_based in INDICATORS:
        suppressed = (team_id, code) in hidden
        value = None if suppressed else raw[team_id].counts[code]
        average, pilot_hidden, used = _pilot(code, raw, hidden, k)
        indicators.append(Indicator(code, label, value, suppressed, average, pilot_hidden,
                                    used, patient_based))  # fmt: skip
    return TeamFeedback(team_id, team["name"], team["kind"], team["zone"], team["pilot"],
                        start.isoformat(), end.isoformat(), k, len(set(team["members"] or ())),
                        tuple(t["id"] for t in teams), tuple(indicators))  # fmt: skip


PILOT = "pilot"
LINKED = ("patients_followed", "referrals_proposed", "referrals_accepted", "referrals_declined",
          "open_needs")  # fmt: skip


def linked_table(
    raw: dict[str, _Raw], k: int
) -> tuple[dict[tuple[str, str], int], list[Relation], set[tuple[str, str]]]:
    """The counts of every team of a pilot and the pilot's sums as one linked table:
    (values, relations, primary cells). Cells `(team, code)` and `(PILOT, code)`; relations:
    accepted plus declined referrals are at most the proposed ones (per team and pilot), and
    the pilot's average times its teams is the sum of the teams' figures. Primary: a figure
    resting on 1 to k - 1 patients (a referral count rests on its referrals' patients)."""
    values: dict[tuple[str, str], int] = {}
    primary: set[tuple[str, str]] = set()
    relations: list[Relation] = []
    for code in LINKED:
        for team, figures in raw.items():
            values[(team, code)] = int(figures.counts[code] or 0)
            if 0 < figures.sizes[code] < k:
                primary.add((team, code))
        values[(PILOT, code)] = sum(values[(team, code)] for team in raw)
        relations.append(Relation.total((PILOT, code), [(team, code) for team in raw]))
    for owner in (*raw, PILOT):
        relations.append(Relation.at_most(
            [(owner, "referrals_accepted"), (owner, "referrals_declined")],
            (owner, "referrals_proposed"),
        ))  # fmt: skip
    return values, relations, primary


def suppressed_cells(raw: dict[str, _Raw], k: int) -> set[tuple[str, str]]:
    """`(team or PILOT, code)` cells not to show: primary ones, the median of fewer than k
    acceptances, and complementary cells until the attacker of graphsvc.security.sdc narrows
    no hidden figure to 1..k-1."""
    values, relations, primary = linked_table(raw, k)
    hidden = protect(values, relations, k, primary=primary)
    for team, figures in raw.items():
        for code, _, patient_based in INDICATORS:
            if code not in LINKED and patient_based and 0 < figures.sizes[code] < k:
                hidden.add((team, code))
    return hidden


def release_periods(year: int) -> list[tuple[dt.date, dt.date]]:
    """The periods team feedback is released for: calendar quarters, half-years, the year."""
    starts = [(1, 3), (4, 6), (7, 9), (10, 12), (1, 6), (7, 12), (1, 12)]
    return [(dt.date(year, a, 1), _last_day(year, b)) for a, b in starts]


def _last_day(year: int, month: int) -> dt.date:
    following = dt.date(year + (month == 12), month % 12 + 1, 1)
    return following - dt.timedelta(days=1)


def check_release_period(start: dt.date, end: dt.date) -> None:
    """InputError unless start to end is a calendar quarter, half-year or year: overlapping
    periods of any length would let two answers be subtracted (30 patients followed one
    way, 33 the other: 3 patients singled out)."""
    if (start, end) not in release_periods(start.year):
        quarter = (start.month - 1) // 3 * 3 + 1
        first, last = dt.date(start.year, quarter, 1), _last_day(start.year, quarter + 2)
        raise InputError([
            f"arguments from, to: {start} to {end} is not a release period; team feedback is "
            f"released for calendar quarters (e.g. {first} to {last}), half-years and years"
        ])  # fmt: skip


def _pilot(
    code: str, raw: dict[str, _Raw], hidden: set[tuple[str, str]], k: int
) -> tuple[float | None, bool, int]:
    """The pilot's figure for an indicator: (value, suppressed, teams it is over).

    Counts: the mean over all the pilot's teams, unless its sum is suppressed in the linked
    table. The median: over every acceptance of the pilot's teams, suppressed below k
    patients. The density: the mean over the teams that have one (it counts no patients)."""
    if code == "median_days_to_accept":
        pooled = {rid: found for r in raw.values() for rid, found in r.days.items()}
        patients = len({patient for patient, _ in pooled.values()})
        if 0 < min(len(pooled), patients) < k:
            return None, True, len(raw)
        days = [d for _, d in pooled.values()]
        return (round(statistics.median(days), 1) if days else None), False, len(raw)
    values = {team: r.counts[code] for team, r in raw.items() if r.counts[code] is not None}
    if not values:
        return None, False, 0
    if (PILOT, code) in hidden:
        return None, True, len(values)
    return round(sum(v or 0 for v in values.values()) / len(values), 4), False, len(values)


def _raw_figures(store: Store, teams: list[Row], start: dt.date, end: dt.date) -> dict[str, _Raw]:
    members = {t["id"]: set(t["members"] or ()) for t in teams}
    everyone = sorted(set().union(*members.values()))
    referrals = store.run("list_team_referrals", actors=everyone) if everyone else []
    managed: dict[str, set[str]] = defaultdict(set)
    for row in store.run("list_managed_patients", actors=everyone) if everyone else []:
        managed[row["actor"]].add(row["patient"])
    in_period = [r for r in referrals if start.isoformat() <= r["created"][:10] <= end.isoformat()]
    followed: dict[str, set[str]] = {}
    own: dict[str, list[Row]] = {}
    for team, ids in members.items():
        own[team] = [r for r in in_period if r["by"] in ids or r["provider"] in ids]
        followed[team] = set().union(*(managed[a] for a in ids)) | {r["patient"] for r in own[team]}
    open_needs = _open_needs(store, set().union(*followed.values()))
    links = {frozenset((link.source, link.target))
             for link in collaborations(store, everyone, everyone)}  # fmt: skip
    result = {}
    for team, ids in members.items():
        mine = own[team]
        accepted = [r for r in mine if r["status"] in ACCEPTED or r["accepted"]]
        days = {r["id"]: (r["patient"], _days(r["created"], r["accepted"]))
                for r in accepted if r["accepted"]}  # fmt: skip
        pairs = list(combinations(sorted(ids), 2))
        density = (sum(frozenset(p) in links for p in pairs) / len(pairs)) if pairs else None
        counts: dict[str, float | None] = {
            "patients_followed": len(followed[team]),
            "referrals_proposed": len(mine),
            "referrals_accepted": len(accepted),
            "referrals_declined": sum(r["status"] == "declined" for r in mine),
            "median_days_to_accept": (
                round(statistics.median(d for _, d in days.values()), 1) if days else None
            ),
            "open_needs": sum(open_needs.get(p, 0) for p in followed[team]),
            "collaboration_density": round(density, 4) if density is not None else None,
        }
        declined = [r for r in mine if r["status"] == "declined"]
        timed = [r for r in accepted if r["accepted"]]
        needy = [p for p in followed[team] if open_needs.get(p, 0)]
        sizes = {  # a count rests on the patients behind it: the smaller of both is its size
            "patients_followed": len(followed[team]),
            "referrals_proposed": _size(mine),
            "referrals_accepted": _size(accepted),
            "referrals_declined": _size(declined),
            "median_days_to_accept": _size(timed),
            "open_needs": min(int(counts["open_needs"] or 0), len(needy)),
            "collaboration_density": len(ids),
        }
        result[team] = _Raw(counts, sizes, days)
    return result


def _size(referrals: list[Row]) -> int:
    """The number of referrals, or of the patients they are for when fewer."""
    return min(len(referrals), len({r["patient"] for r in referrals}))


def _open_needs(store: Store, patient_ids: Iterable[str]) -> dict[str, int]:
    """Open needs per patient (needs no live referral meets), in two round trips."""
    ids = sorted(patient_ids)
    if not ids:
        return {}
    patients = get_patients(store, ids)
    found = referrals_of(store, list(patients))
    return {
        p.id: sum(state.state == OPEN for state in need_states(p, found[p.id]))
        for p in patients.values()
    }


def _days(created: str, accepted: str) -> float:
    first = dt.datetime.fromisoformat(created)
    last = dt.datetime.fromisoformat(accepted)
    return (last - first).total_seconds() / 86400
