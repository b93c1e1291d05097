"""Building blocks both demo seeds share: name pools, local first line, collaboration odds."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field

from graphsvc.demo.builder import Actor, Seed, Zone, slug

# Who a service is meant for (empty: open to everyone).
ELIGIBILITY: dict[str, tuple[str, ...]] = {
    "diabetes-education": ("chronic",),
    "palliative-home-care": ("chronic",),
    "geriatric-day-hospital": ("65plus",),
    "psychiatric-hospital-care": ("mental_health",),
    "mobile-psychiatric-team": ("mental_health",),
    "addiction-care": ("mental_health",),
    "dementia-support": ("65plus", "caregiver"),
    "social-assistance": ("low_income",),
    "debt-mediation": ("low_income",),
    "social-housing": ("low_income",),
    "housing-support": ("low_income", "homeless"),
    "humanitarian-aid": ("low_income", "homeless"),
    "home-help": ("65plus", "chronic", "disability"),
    "meals-on-wheels": ("65plus", "chronic", "disability"),
    "adapted-transport": ("65plus", "disability"),
    "caregiver-support": ("caregiver",),
    "case-management": ("chronic", "65plus", "mental_health", "disability"),
}


@dataclass(frozen=True)
class Wording:
    """How a seed's language names things."""

    labels: dict[str, str]  # service type code -> label
    places: tuple[str, ...]  # invented names for practices, pharmacies, centres
    first_names: tuple[str, ...]
    last_names: tuple[str, ...]
    gp_practice: str
    gp: str
    pharmacy: str
    physio_practice: str
    physio: str
    nurse: str
    psychologist: str
    case_manager: str
    occupational_therapist: str
    centre: str
    associations: tuple[str, ...]
    languages: tuple[tuple[float, tuple[str, ...]], ...]  # weight, languages of local actors


@dataclass(frozen=True)
class Local:
    """One vicinity network and how many local actors of each kind it has."""

    name: str
    lat: float
    lon: float
    population: int
    gps: int
    pharmacies: int
    physios: int
    nurses: int
    psychologists: int
    associations: int
    centre: tuple[str, ...] = ("community-activities", "home-help", "caregiver-support")
    paused: tuple[str, ...] = ()
    extra_languages: tuple[str, ...] = ()  # added to some local actors (e.g. "ar")
    factors: dict[str, float] = field(default_factory=dict)  # need domain -> demand factor


class Namer:
    """Draws names without repeats from a seed's pools."""

    def __init__(self, rng: random.Random, wording: Wording) -> None:
        self.rng = rng
        self.wording = wording
        self.used: set[str] = set()

    def place(self, pattern: str) -> str:
        """A pattern filled with an invented place name not used with it before."""
        options = [p for p in self.wording.places if pattern.format(p) not in self.used]
        name = pattern.format(self.rng.choice(options))
        self.used.add(name)
        return name

    def person(self, pattern: str) -> str:
        """A pattern filled with an invented person's name not used before in the seed."""
        while True:
            person = f"{self.rng.choice(self.wording.first_names)} "
            person += self.rng.choice(self.wording.last_names)
            if person not in self.used:
                self.used.add(person)
                return pattern.format(person)


def languages(rng: random.Random, wording: Wording, extra: Sequence[str] = ()) -> tuple[str, ...]:
    """Languages of a local actor, drawn from the seed's mix (extra ones added now and then)."""
    weights = [w for w, _ in wording.languages]
    chosen = rng.choices([langs for _, langs in wording.languages], weights=weights)[0]
    if extra and rng.random() < 0.4:
        chosen = (*chosen, *[x for x in extra if x not in chosen])
    return chosen


def add_zones(seed: Seed, region: Zone, pilot: Zone, locals_: dict[str, Local]) -> None:
    """Country be > region > pilot zone > vicinity networks `<pilot>-vn-<slug>`."""
    seed.zone(Zone("be", "Belgium", "country", 11763650, 50.6403, 4.6667))
    seed.zone(region)
    seed.zone(pilot)
    total = 0
    for key, local in locals_.items():
        seed.zone(
            Zone(
                key,
                local.name,
                "vicinity_network",
                local.population,
                local.lat,
                local.lon,
                pilot.id,
            )
        )
        total += local.population
    if total != pilot.population:
        raise ValueError(f"{pilot.id}: parts sum to {total}, not {pilot.population}")


def populate_local(seed: Seed, namer: Namer, zone_id: str, local: Local) -> None:
    """The first line, a community centre, associations and a case manager of one network."""
    rng, w = seed.rng, namer.wording
    prefix = seed.name

    def person_or_org(role: str, org_pattern: str, person_pattern: str, org: bool) -> Actor:
        langs = languages(rng, w, local.extra_languages)
        if org:
            name = namer.place(org_pattern)
            kind = "organisation"
        else:
            name = namer.person(person_pattern)
            kind = "professional"
        return seed.actor(
            f"{prefix}-{slug(name)}",
            name,
            kind,
            "first",
            DISCIPLINE[role],
            langs,
            zone_id,
            role=role,
        )

    for i in range(local.gps):
        gp = person_or_org("gp", w.gp_practice, w.gp, org=i == 0 or rng.random() < 0.5)
        big = gp.kind == "organisation"
        seed.service(gp, "general-practice", weight=rng.uniform(1.5, 2.5) if big else 0.8)
        if i == 0:
            seed.service(gp, "diabetes-education", eligibility=ELIGIBILITY["diabetes-education"])
    for _ in range(local.pharmacies):
        pharmacy = person_or_org("pharmacy", w.pharmacy, "", org=True)
        seed.service(pharmacy, "pharmacy", weight=rng.uniform(0.8, 1.2))
        if rng.random() < 0.35:
            seed.service(pharmacy, "medication-review", weight=0.3)
    for _ in range(local.physios):
        physio = person_or_org("physio", w.physio_practice, w.physio, org=rng.random() < 0.4)
        seed.service(physio, "physiotherapy", weight=rng.uniform(0.7, 1.3))
    for i in range(local.nurses):
        nurse = person_or_org("nurse", "", w.nurse, org=False)
        seed.service(nurse, "home-nursing", weight=rng.uniform(0.5, 0.9))
        if i == 0 or rng.random() < 0.5:
            seed.service(nurse, "wound-care", weight=0.4)
    for _ in range(local.psychologists):
        psychologist = person_or_org("psychologist", "", w.psychologist, org=False)
        seed.service(psychologist, "psychology-first-line", weight=rng.uniform(0.8, 1.2))
    centre_name = namer.place(w.centre)
    centre = seed.actor(
        f"{prefix}-{slug(centre_name)}",
        centre_name,
        "organisation",
        "community",
        DISCIPLINE["centre"],
        languages(rng, w, local.extra_languages),
        zone_id,
        role="centre",
    )
    for type_ in local.centre:
        paused = type_ in local.paused
        seed.service(
            centre,
            type_,
            eligibility=ELIGIBILITY.get(type_, ()),
            status="paused" if paused else "active",
            capacity=40 if paused else None,
            available=12 if paused else None,
            weight=0.6,
        )
    for i in range(local.associations):
        pattern = w.associations[(i + len(zone_id)) % len(w.associations)]
        name = namer.place(pattern)
        association = seed.actor(
            f"{prefix}-{slug(name)}",
            name,
            "organisation",
            "community",
            DISCIPLINE["association"],
            languages(rng, w, local.extra_languages),
            zone_id,
            role="association",
        )
        seed.service(association, "community-activities", weight=rng.uniform(0.5, 1.0))
    case_manager_name = namer.person(w.case_manager)
    case_manager = seed.actor(
        f"{prefix}-{slug(case_manager_name)}",
        case_manager_name,
        "professional",
        "coordination",
        DISCIPLINE["case_manager"],
        languages(rng, w, local.extra_languages),
        zone_id,
        role="case_manager",
    )
    seed.service(case_manager, "case-management", eligibility=ELIGIBILITY["case-management"])


DISCIPLINE: dict[str, str] = {
    "gp": "general_practice",
    "pharmacy": "pharmacy",
    "physio": "physiotherapy",
    "nurse": "nursing",
    "psychologist": "psychology",
    "centre": "community_centre",
    "association": "association",
    "case_manager": "case_management",
    "ot": "occupational_therapy",
}

LOCAL_TEAM_ROLES = ("gp", "nurse", "pharmacy", "physio", "psychologist", "centre", "case_manager")


def collaboration_odds(a: Actor, b: Actor) -> tuple[float, str]:
    """Chance that two actors collaborate and the kind of tie.

    Dense inside a vicinity network's first line, sparse between networks, with coordination
    actors bridging lines and zone-wide organisations tied to each other.
    """
    lines = {a.line, b.line}
    if a.wide and b.wide:
        if "coordination" in lines:
            return 0.6, "care_coordination"
        if lines == {"second"}:
            return 0.6, "agreement"
        return 0.3, "partnership"
    if a.wide or b.wide:
        wide, local = (a, b) if a.wide else (b, a)
        if "coordination" in lines:
            return 0.3, "care_coordination"
        if wide.line == "second" and local.role == "gp":
            return 0.25, "referral"
        if wide.line == "second":
            return 0.05, "referral"
        if wide.line == local.line:
            return 0.12, "shared_care"
        if wide.line == "social" and local.line == "community":
            return 0.2, "partnership"
        return 0.03, "referral"
    if a.zone == b.zone:
        if lines == {"first"}:
            return 0.35, "shared_care"
        if "coordination" in lines:
            return 0.75, "care_coordination"
        if lines <= {"community", "social"}:
            return 0.35, "partnership"
        return 0.08, "referral"
    if lines == {"first"}:
        return 0.012, "shared_care"
    if "coordination" in lines:
        return 0.04, "care_coordination"
    return 0.004, "partnership"


def neighbourhood_teams(seed: Seed, pattern: str, partners: Sequence[str]) -> None:
    """One vicinity-network team per network: its local actors, zone-wide partners."""
    excluded = {a for actors in seed.over_actor_sets().values() for a in actors}
    for zone_id in seed.vicinity_networks:
        zone = seed.zones[zone_id]
        network = seed.network(
            f"{seed.name}-team-{zone_id.rsplit('-vn-', 1)[1]}",
            pattern.format(zone.name),
            "vicinity_network_team",
        )
        for role in LOCAL_TEAM_ROLES:
            actors = [a.id for a in seed.by_role(role, zone_id) if a.id not in excluded]
            if role == "case_manager":
                seed.member(actors, network, "coordinator")
            elif role == "centre":
                seed.member(actors, network, "host")
            else:
                seed.member(actors, network, "member")
        seed.member(partners, network, "partner")
