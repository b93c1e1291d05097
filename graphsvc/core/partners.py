"""Partner search (DESIGN §4, network activation): which services can take this patient now,
ranked by a documented score whose parts say why.

Candidates: active services with free places (`available` > 0) whose type, or a broader
one, is MET_BY one of the patient's needs that are not covered (see graphsvc.core.caseload:
open or pending needs); that cover the patient's zone (the zone itself or a zone it is part
of) or, when `max_distance_km` is given, whose provider is within that distance of the
zone's centre; compatible in language (the service lists none, the patient none, or they
share one) and eligibility (the service lists no tag, or the patient has one of its tags);
and without an open referral for this patient already.

Score: the sum of five parts, each rounded to 0.01 (so the parts add up to the score):

| part              | points                                                                |
|-------------------|-----------------------------------------------------------------------|
| `needs`           | 10 per uncovered need of the patient the service meets                |
| `circle`          | 2 per care-circle member the provider is or collaborates with (max 2) |
| `shared_patients` | 1 per other patient the provider and a circle member both work with   |
|                   | (as case manager, or provider of an accepted or active referral;      |
|                   | max 2)                                                                |
| `distance`        | 2 x (1 - d / 10 km), d from the provider to the zone's centre         |
|                   | (haversine); 0 from 10 km on, or when a position is unknown           |
| `capacity`        | 1 x available / capacity                                              |

All parts but `needs` add up to at most 9, less than one need: a service meeting more of
the patient's needs always ranks higher; among those the care circle's ties come first
(integrated care prefers partners who already work together), then nearness and free
capacity. Equal scores are ordered by service id.

Care pathways (graphsvc.core.pathways): for a patient enrolled in a care pathway, the next
step of each pathway (the first after the last one completed, unless an accepted or active
referral already goes to a service of its type) counts like one more need. A sixth part is
added to `why`, for enrolled patients only:

| part              | points                                                                |
|-------------------|-----------------------------------------------------------------------|
| `pathway`         | 10 per next pathway step the service provides (its type is the step's |
|                   | service type or a narrower one)                                       |

and the providers of a next step are candidates even when they meet none of the patient's
open needs (with 0 for `needs`). All parts but `needs` and `pathway` still add up to at most
9: a service meeting more needs or next steps always ranks higher.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from graphsvc.core import directory, pathways
from graphsvc.core.caseload import CircleMember, circle_members, collaborations, patient_case
from graphsvc.core.coverage import EARTH_RADIUS_KM, distance_km
from graphsvc.core.directory import Service
from graphsvc.core.patients import validate_codes
from graphsvc.core.referrals import HOLDING
from graphsvc.core.referrals import OPEN as LIVE
from graphsvc.errors import InputError
from graphsvc.store import Row, Store

NEED_POINTS = 10.0
CIRCLE_POINTS, CIRCLE_MAX = 2.0, 2
SHARED_POINTS, SHARED_MAX = 1.0, 2
DISTANCE_POINTS, DISTANCE_SCALE_KM = 2.0, 10.0
CAPACITY_POINTS = 1.0
FACTORS = ("needs", "circle", "shared_patients", "distance", "capacity")
PATHWAY_POINTS = 10.0
PATHWAY = "pathway"  # the sixth part, for patients enrolled in a care pathway
DEFAULT_LIMIT, MAX_LIMIT = 10, 100
MAX_DISTANCE_KM = 500.0


@dataclass(frozen=True)
class ScorePart:
    factor: str
    points: float
    detail: str


@dataclass(frozen=True)
class Partner:
    service: Service
    score: float
    why: tuple[ScorePart, ...]
    needs: tuple[str, ...]  # the uncovered needs it meets
    distance_km: float | None
    covers_zone: bool
    ties: tuple[str, ...] = ()  # circle members the provider is or collaborates with


@dataclass(frozen=True)
class Search:
    """What a search is for: a zone (with its centre), needs, the patient's tags and circle."""

    zone: str
    lat: float | None
    lon: float | None
    needs: tuple[str, ...]
    languages: tuple[str, ...] = ()
    eligibility: tuple[str, ...] = ()
    patient: str | None = None
    circle: dict[str, CircleMember] = field(default_factory=dict)
    exclude: frozenset[str] = frozenset()  # services with an open referral for the patient
    max_distance_km: float | None = None
    steps: tuple[pathways.NextStep, ...] = ()  # next steps of the patient's care pathways
    enrolled: bool = False  # enrolled in a care pathway: `why` gets a pathway part


def partners(
    store: Store,
    actor_id: str | None,
    patient_id: str,
    limit: int = DEFAULT_LIMIT,
    max_distance_km: float | None = None,
) -> list[Partner]:
    """Ranked partners for a patient's uncovered needs and next pathway steps (six round
    trips, seven when the patient has a next pathway step)."""
    _check(limit, max_distance_km)
    case = patient_case(store, actor_id, patient_id)
    patient = case.patient
    enrolments = pathways.next_steps(store, patient.id)
    held = {r.service.type for r in case.referrals if r.holds_place}
    search = Search(
        zone=patient.zone,
        lat=patient.lat,
        lon=patient.lon,
        needs=tuple(case.open_needs),
        languages=patient.languages,
        eligibility=patient.eligibility,
        patient=patient.id,
        circle=circle_members(patient, case.referrals),
        exclude=frozenset(r.service.id for r in case.referrals if r.status in LIVE),
        max_distance_km=max_distance_km,
        steps=tuple(e for e in enrolments if e.step is not None and not held & set(e.types)),
        enrolled=bool(enrolments),
    )
    return search_partners(store, search, limit)


def partners_for(
    store: Store,
    zone_id: str,
    need_codes: Sequence[str],
    languages: Sequence[str] = (),
    eligibility: Sequence[str] = (),
    limit: int = DEFAULT_LIMIT,
    max_distance_km: float | None = None,
) -> list[Partner]:
    """Ranked partners for an ad-hoc situation: a zone, needs, languages, eligibility tags."""
    _check(limit, max_distance_km)
    langs, tags = validate_codes(languages, eligibility)
    if not need_codes:
        raise InputError(["argument needCodes: give at least one need code"])
    zone = directory.require_zone(store, zone_id)
    known = {n.code for n in directory.list_need_types(store)}
    unknown = [c for c in need_codes if c not in known]
    if unknown:
        raise InputError([f"argument needCodes: unknown need type {c!r}" for c in unknown])
    search = Search(
        zone.id,
        zone.lat,
        zone.lon,
        tuple(dict.fromkeys(need_codes)),
        tuple(langs),
        tuple(tags),
        max_distance_km=max_distance_km,
    )
    return search_partners(store, search, limit)


def search_partners(store: Store, search: Search, limit: int = DEFAULT_LIMIT) -> list[Partner]:
    """Fetch the candidates, filter, then score them in Python (four round trips at most)."""
    step_types = sorted({t for step in search.steps for t in step.types})
    if not search.needs and not step_types:
        return []
    near = near_box(search)
    rows = []
    if search.needs:
        rows = store.run("find_partner_candidates", needs=list(search.needs), zone=search.zone,
                         near=near)  # fmt: skip
    if step_types:  # providers of a next pathway step that meet no open need
        known = {row["id"] for row in rows}
        rows += [row for row in store.run("find_step_candidates", types=step_types,
                                          zone=search.zone, near=near)
                 if row["id"] not in known]  # fmt: skip
    rows.sort(key=lambda row: (row["id"], row["type"], row["actor"]))  # the queries do not order
    candidates = [(row, _distance(search, row)) for row in rows]
    candidates = [(row, d) for row, d in candidates if _eligible(search, row, d)]
    if not candidates:
        return []
    providers = {row["actor"] for row, _ in candidates}
    links: dict[str, set[str]] = defaultdict(set)
    involved: dict[str, set[str]] = defaultdict(set)
    if search.circle:
        for link in collaborations(store, search.circle, providers):
            links[link.source].add(link.target)
            links[link.target].add(link.source)
        rows = store.run(
            "list_actor_patients",
            ids=sorted(set(search.circle) | providers),
            statuses=list(HOLDING),
        )
        for row in rows:
            involved[row["actor"]].add(row["patient"])
    ranked = [score(search, row, d, links, involved) for row, d in candidates]
    ranked.sort(key=lambda p: (-p.score, p.service.id))
    return ranked[:limit]


def score(
    search: Search,
    row: Row,
    distance_km: float | None,
    links: dict[str, set[str]],
    involved: dict[str, set[str]],
) -> Partner:
    """One candidate's score and the parts it is made of."""
    provider = row["actor"]
    needs = tuple(sorted(set(row["needs"]) & set(search.needs)))
    parts = [_needs_part(needs)]

    ties = tuple(m for m in search.circle if m == provider or m in links.get(provider, ()))
    parts.append(_circle_part(search, provider, ties))

    others = {m for m in search.circle if m != provider}
    shared = {
        p
        for p in involved.get(provider, ())
        if p != search.patient and any(p in involved.get(m, ()) for m in others)
    }
    parts.append(_shared_part(len(shared), bool(search.circle)))
    parts.append(_distance_part(search, row, distance_km))
    parts.append(_capacity_part(row["available"], row["capacity"]))
    if search.enrolled:
        parts.append(_pathway_part(search, row["type"]))

    service = Service.from_row(row)
    total = round(sum(p.points for p in parts), 2)
    return Partner(service, total, tuple(parts), needs, distance_km, row["covers_zone"], ties)


def near_box(search: Search) -> list[dict[str, float]]:
    """The latitude/longitude box holding every point within `max_distance_km` of the search's
    centre (haversine), as the candidate queries' `$near`: [] without a distance or a centre.

    Exact on the sphere, widened by a hair for rounding: a point at angular distance at most
    delta lies within delta of the centre's latitude, and within asin(sin delta / cos lat) of its
    longitude unless delta reaches a pole (then every longitude).
    """
    km, lat, lon = search.max_distance_km, search.lat, search.lon
    if km is None or lat is None or lon is None:
        return []
    delta = km / EARTH_RADIUS_KM * (1 + 1e-9) + 1e-12
    dlat = math.degrees(delta)
    south, north = lat - dlat, lat + dlat
    if north >= 90 or south <= -90:
        return [{"south": south, "north": north, "west": -180.0, "east": 180.0}]
    dlon = math.degrees(math.asin(min(1.0, math.sin(delta) / math.cos(math.radians(lat)))))
    west, east = lon - dlon, lon + dlon
    if west < -180 or east > 180:  # across the antimeridian: every longitude
        west, east = -180.0, 180.0
    return [{"south": south, "north": north, "west": west, "east": east}]


def _check(limit: int, max_distance_km: float | None) -> None:
    problems = []
    if not 1 <= limit <= MAX_LIMIT:
        problems.append(f"argument limit: {limit} is not between 1 and {MAX_LIMIT}")
    if max_distance_km is not None and not 0 < max_distance_km <= MAX_DISTANCE_KM:
        problems.append(
            f"argument maxDistanceKm: {max_distance_km} is not above 0 and at "
            f"most {MAX_DISTANCE_KM:g}"
        )
    if problems:
        raise InputError(problems)


def _distance(search: Search, row: Row) -> float | None:
    if None in (search.lat, search.lon, row.get("lat"), row.get("lon")):
        return None
    return distance_km(search.lat, search.lon, row["lat"], row["lon"])  # type: ignore[arg-type]


def _eligible(search: Search, row: Row, distance_km: float | None) -> bool:
    if row["id"] in search.exclude:
        return False
    if not row["covers_zone"]:
        limit = search.max_distance_km
        if limit is None or distance_km is None or distance_km > limit:
            return False
    languages = row.get("languages") or []
    if languages and search.languages and not set(languages) & set(search.languages):
        return False
    tags = row.get("eligibility") or []
    return not tags or bool(set(tags) & set(search.eligibility))


def _needs_part(needs: tuple[str, ...]) -> ScorePart:
    n = len(needs)
    detail = f"meets {n} uncovered need{'s' if n != 1 else ''} ({', '.join(needs)}): {n} x 10"
    return ScorePart("needs", round(NEED_POINTS * n, 2), detail)


def _circle_part(search: Search, provider: str, ties: Iterable[str]) -> ScorePart:
    ties = list(ties)
    if not search.circle:
        return ScorePart("circle", 0.0, "no care circle (ad-hoc search)")
    if not ties:
        return ScorePart("circle", 0.0, "no tie to the care circle")
    said = [
        "is in the care circle"
        if m == provider
        else f"collaborates with {m} ({', '.join(search.circle[m].roles).replace('_', ' ')})"
        for m in ties
    ]
    counted = min(len(ties), CIRCLE_MAX)
    cap = f" (at most {CIRCLE_MAX} count)" if len(ties) > CIRCLE_MAX else ""
    return ScorePart(
        "circle", round(CIRCLE_POINTS * counted, 2), f"{'; '.join(said)}: {counted} x 2{cap}"
    )


def _shared_part(shared: int, has_circle: bool) -> ScorePart:
    if not has_circle:
        return ScorePart("shared_patients", 0.0, "no care circle (ad-hoc search)")
    if not shared:
        return ScorePart("shared_patients", 0.0, "works with the circle on no other patient")
    counted = min(shared, SHARED_MAX)
    cap = f" (at most {SHARED_MAX} count)" if shared > SHARED_MAX else ""
    detail = f"works with the circle on {shared} other patient{'s' if shared != 1 else ''}"
    return ScorePart(
        "shared_patients", round(SHARED_POINTS * counted, 2), f"{detail}: {counted} x 1{cap}"
    )


def _distance_part(search: Search, row: Row, distance_km: float | None) -> ScorePart:
    where = (
        f"covers {search.zone}"
        if row["covers_zone"]
        else f"does not cover {search.zone} but is within {search.max_distance_km:g} km"
    )
    if distance_km is None:
        return ScorePart("distance", 0.0, f"{where}; position unknown: 0")
    if distance_km >= DISTANCE_SCALE_KM:
        return ScorePart("distance", 0.0, f"{where}; {distance_km:.2f} km from its centre: 0")
    points = round(DISTANCE_POINTS * (1 - distance_km / DISTANCE_SCALE_KM), 2)
    return ScorePart(
        "distance",
        points,
        f"{where}; {distance_km:.2f} km from its centre: 2 x (1 - {distance_km:.2f}/10)",
    )


def _pathway_part(search: Search, service_type: str) -> ScorePart:
    provided = [s for s in search.steps if service_type in s.types]
    if not provided:
        return ScorePart(PATHWAY, 0.0, "provides no next step of the patient's care pathways")
    said = "; ".join(
        f"step {s.step.step} '{s.step.name}' of {s.pathway} ({s.step.type})"  # type: ignore[union-attr]
        for s in provided
    )
    n = len(provided)
    return ScorePart(PATHWAY, round(PATHWAY_POINTS * n, 2), f"provides the next {said}: {n} x 10")


def _capacity_part(available: int, capacity: int) -> ScorePart:
    share = min(available / capacity, 1.0) if capacity > 0 else 1.0
    return ScorePart(
        "capacity",
        round(CAPACITY_POINTS * share, 2),
        f"{available} of {capacity} places free: 1 x {available}/{capacity}",
    )
