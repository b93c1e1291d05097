"""The leuven seed: a Dutch-language pilot zone shaped like Zorgzaam Leuven.

Zones and neighbourhood names are real; every organisation and person name is invented,
except the public OCMW Leuven.
"""

from __future__ import annotations

from typing import Any

from graphsvc.demo.builder import OVER, UNDER, Actor, Seed, Service, Zone, slug
from graphsvc.demo.check import MISSING
from graphsvc.demo.common import (
    ELIGIBILITY,
    Local,
    Namer,
    Wording,
    add_zones,
    collaboration_odds,
    neighbourhood_teams,
    populate_local,
)

NAME = "leuven"
RNG_SEED = 20150701  # the integrated-care call: July 2015

LABELS: dict[str, str] = {
    "general-practice": "Huisartsenzorg",
    "diabetes-education": "Diabeteseducatie",
    "nursing": "Verpleegkundige zorg",
    "home-nursing": "Thuisverpleging",
    "wound-care": "Wondzorg",
    "palliative-home-care": "Palliatieve thuiszorg",
    "pharmacy": "Farmaceutische zorg",
    "medication-review": "Medicatienazicht",
    "physiotherapy": "Kinesitherapie",
    "occupational-therapy": "Ergotherapie",
    "hospital-care": "Ziekenhuiszorg",
    "specialist-consultation": "Specialistische raadpleging",
    "geriatric-day-hospital": "Geriatrisch dagziekenhuis",
    "mental-health-care": "Geestelijke gezondheidszorg",
    "psychology-first-line": "Eerstelijnspsychologische zorg",
    "mobile-psychiatric-team": "Mobiel team psychiatrie",
    "psychiatric-hospital-care": "Psychiatrische opname",
    "addiction-care": "Verslavingszorg",
    "dementia-support": "Dementieondersteuning",
    "social-work": "Maatschappelijk werk",
    "social-assistance": "Sociale dienstverlening",
    "debt-mediation": "Schuldbemiddeling",
    "housing-support": "Woonbegeleiding",
    "social-housing": "Sociale huisvesting",
    "humanitarian-aid": "Voedselhulp en basisnoden",
    "home-help": "Gezinszorg en thuishulp",
    "meals-on-wheels": "Warme maaltijden aan huis",
    "adapted-transport": "Aangepast vervoer",
    "caregiver-support": "Mantelzorgondersteuning",
    "community-activities": "Ontmoeting en activiteiten",
    "case-management": "Casemanagement",
    "care-coordination": "Multidisciplinair overleg",
}

WORDING = Wording(
    labels=LABELS,
    places=(
        "De Linde", "Het Anker", "De Wilg", "Den Boomgaard", "De Vijver", "Ter Beke", "De Molen",
        "Het Kruispunt", "De Zonnewijzer", "Ter Dijle", "De Kastanje", "Het Park", "De Lelie",
        "Den Hoek", "De Brug", "Het Plein", "De Horizon", "De Kapel", "Ter Vesten", "De Beuk",
        "De Es", "De Populier", "De Esdoorn", "Het Veld", "De Hoeve", "Ter Heide", "De Bron",
        "Het Bos", "De Meander", "De Wijngaard", "De Regenboog", "Het Kompas", "De Vlinder",
        "De Zwaluw", "De Reiger", "De Merel", "Het Klaverblad", "De Zonnebloem", "Het Baken",
        "De Poort", "De Toren", "De Kouter", "Ter Weyde", "Het Hof", "De Sleutel", "Het Zeil",
        "De Eik", "De Berk", "De Hazelaar", "Het Spoor", "De Sluis", "De Vaart", "Het Rad",
        "De Uil", "Het Schip", "De Tuin", "De Akker", "De Lente", "Het Zonnehuis", "De Notelaar",
    ),
    first_names=(
        "An", "Els", "Bart", "Koen", "Sofie", "Tom", "Lies", "Pieter", "Griet", "Jan", "Katrien",
        "Wim", "Hilde", "Joris", "Leen", "Dirk", "Inge", "Stijn", "Nele", "Geert", "Veerle",
        "Jef", "Eline", "Ruben", "Lotte", "Hanne", "Bram", "Femke", "Ward", "Lien", "Samir",
        "Yasmina", "Elif", "Tine",
    ),
    last_names=(
        "Peeters", "Janssens", "Maes", "Jacobs", "Mertens", "Willems", "Claes", "Goossens",
        "Wouters", "De Smet", "Vermeulen", "Van den Broeck", "Hermans", "Michiels", "Lemmens",
        "Aerts", "Verhaegen", "Smets", "Van Damme", "Coppens", "Stevens", "Vandenberghe",
        "Martens", "Bogaerts", "Claessens", "Hendrickx", "Leemans", "Thys", "El Amrani", "Yilmaz",
    ),
    gp_practice="Huisartsenpraktijk {}",
    gp="Huisarts {}",
    pharmacy="Apotheek {}",
    physio_practice="Kinepraktijk {}",
    physio="Kinesitherapeut {}",
    nurse="Thuisverpleegkundige {}",
    psychologist="Psycholoog {}",
    case_manager="Casemanager {}",
    occupational_therapist="Ergotherapeut {}",
    centre="Lokaal dienstencentrum {}",
    associations=(
        "Sportclub {}",
        "Cultuurkring {}",
        "Buurtvereniging {}",
        "Seniorenvereniging {}",
        "Wandelclub {}",
        "Zangkoor {}",
    ),
    languages=(
        (55, ("nl",)),
        (25, ("nl", "en")),
        (15, ("nl", "fr", "en")),
        (5, ("nl", "fr")),
    ),
)  # fmt: skip

_WITH_TRANSPORT = ("community-activities", "home-help", "caregiver-support", "adapted-transport")
_NO_TRANSPORT = ("community-activities", "home-help", "caregiver-support")
_POOR = {"social": 1.4, "mental": 1.3}
_OLD = {"medical": 1.1, "functional": 1.2, "social": 0.8}

LOCALS: dict[str, Local] = {
    "leuven-vn-centrum": Local(
        "Centrum", 50.8798, 4.7005, 17800, 5, 3, 4, 2, 2, 4, _WITH_TRANSPORT,
        factors={"medical": 0.85, "functional": 0.85, "mental": 1.2},
    ),
    "leuven-vn-heverlee": Local("Heverlee", 50.8640, 4.6960, 14200, 4, 3, 3, 2, 2, 3,
                                _WITH_TRANSPORT),
    "leuven-vn-heverlee-zuid": Local(
        "Heverlee-Zuid", 50.8480, 4.6890, 8900, 3, 2, 2, 1, 1, 0, _WITH_TRANSPORT,
        paused=("community-activities",), factors=_OLD,
    ),
    "leuven-vn-kessel-lo": Local("Kessel-Lo", 50.8860, 4.7270, 15600, 4, 4, 3, 2, 2, 3,
                                 _WITH_TRANSPORT),
    "leuven-vn-kessel-lo-noord": Local(
        "Kessel-Lo-Noord", 50.8960, 4.7350, 9800, 3, 2, 2, 1, 1, 2, _WITH_TRANSPORT,
        factors=_POOR,
    ),
    "leuven-vn-wilsele": Local("Wilsele", 50.9000, 4.6950, 8200, 3, 2, 2, 1, 1, 2,
                               _WITH_TRANSPORT),
    "leuven-vn-wilsele-putkapel": Local(
        "Wilsele-Putkapel", 50.9110, 4.7090, 5600, 2, 1, 1, 1, 1, 1, _NO_TRANSPORT,
        factors=_OLD,
    ),
    "leuven-vn-wijgmaal": Local("Wijgmaal", 50.9280, 4.6990, 5400, 2, 1, 1, 1, 1, 2,
                                _NO_TRANSPORT),
    "leuven-vn-leuven-noord": Local(
        "Leuven-Noord", 50.8930, 4.6890, 14500, 2, 3, 2, 2, 2, 3, _WITH_TRANSPORT,
        extra_languages=("fr", "ar"), factors=_POOR,
    ),
}  # fmt: skip

ALL = ("leuven",)
TRANSPORT_AREA = tuple(
    k for k in LOCALS if k not in ("leuven-vn-wijgmaal", "leuven-vn-wilsele-putkapel")
)


def build() -> Seed:
    """The complete leuven seed, capacities sized and statuses intended."""
    seed = Seed(NAME, RNG_SEED, LABELS)
    add_zones(
        seed,
        Zone("vlaanderen", "Vlaanderen", "region", 6821770, 51.0259, 4.4776, "be"),
        Zone("leuven", "Zorgzaam Leuven", "pilot_zone", 100000, 50.8798, 4.7005, "vlaanderen"),
        LOCALS,
    )
    seed.estimate_demand({k: local.factors for k, local in LOCALS.items()})
    _intend(seed)
    namer = Namer(seed.rng, WORDING)
    for zone_id, local in LOCALS.items():
        populate_local(seed, namer, zone_id, local)
    _occupational_therapists(seed, namer)
    _zone_wide(seed)
    seed.size_capacities()
    for actors in seed.over_actor_sets().values():
        seed.forbid_collaboration_within(actors)
    _bridges(seed)
    seed.weave(collaboration_odds)
    seed.coordinate_co_providers()
    _networks(seed)
    _patients(seed)
    return seed


def _intend(seed: Seed) -> None:
    seed.intend(
        "leuven-vn-wijgmaal",
        "transport-need",
        MISSING,
        "no active adapted transport: the volunteer transport service closed, the regional "
        "transport service stops at Wilsele",
    )
    seed.intend(
        "leuven-vn-wilsele-putkapel",
        "transport-need",
        MISSING,
        "no active adapted transport: the closed volunteer service was the only one",
    )
    seed.intend(
        "leuven-vn-heverlee-zuid",
        "social-isolation",
        MISSING,
        "no association, and the service centre's activities are paused",
    )
    seed.intend(
        "leuven-vn-kessel-lo-noord",
        "depression-anxiety",
        UNDER,
        "one first-line psychologist, full (available 0)",
        target=0.55,
    )
    seed.intend(
        "leuven-vn-leuven-noord",
        "chronic-follow-up",
        UNDER,
        "GP shortage: two small practices for a growing neighbourhood",
        target=0.62,
    )
    seed.intend(
        "leuven-vn-wilsele",
        "caregiver-burden",
        UNDER,
        "caregiver support only through a small service-centre group",
        target=0.7,
    )
    seed.intend(
        "leuven-vn-centrum",
        "mobility-limitation",
        OVER,
        "four physiotherapy practices and an occupational therapist, none collaborating",
        target=2.1,
    )
    seed.intend(
        "leuven-vn-kessel-lo",
        "medication-management",
        OVER,
        "four pharmacies without any collaboration between them",
        target=1.95,
    )


def _occupational_therapists(seed: Seed, namer: Namer) -> None:
    areas = (
        ("leuven-vn-heverlee", ("leuven-vn-centrum", "leuven-vn-heverlee",
                                "leuven-vn-heverlee-zuid")),
        ("leuven-vn-kessel-lo", ("leuven-vn-kessel-lo", "leuven-vn-kessel-lo-noord",
                                 "leuven-vn-leuven-noord")),
        ("leuven-vn-wilsele", ("leuven-vn-wilsele", "leuven-vn-wilsele-putkapel",
                               "leuven-vn-wijgmaal")),
    )  # fmt: skip
    for zone_id, covers in areas:
        name = namer.person(WORDING.occupational_therapist)
        ot = seed.actor(
            f"leuven-{slug(name)}",
            name,
            "professional",
            "first",
            "occupational_therapy",
            ("nl", "en"),
            zone_id,
            role="ot",
        )
        seed.service(ot, "occupational-therapy", covers, weight=0.5)


def _zone_wide(seed: Seed) -> None:
    def org(
        key: str,
        name: str,
        line: str,
        discipline: str,
        zone: str,
        kind: str = "organisation",
        langs: tuple[str, ...] = ("nl", "fr", "en"),
        role: str = "",
    ) -> Actor:
        return seed.actor(
            f"leuven-{key}", name, kind, line, discipline, langs, zone, wide=True, role=role or key
        )

    def svc(
        actor: Actor, type_: str, covers: tuple[str, ...] = ALL, weight: float = 1.5, **kw: Any
    ) -> Service:
        kw.setdefault("eligibility", ELIGIBILITY.get(type_, ()))
        return seed.service(actor, type_, covers, weight=weight, **kw)

    uz = org(
        "uz-dijleland",
        "Universitair Ziekenhuis Dijleland",
        "second",
        "university_hospital",
        "leuven-vn-heverlee",
        role="hospital",
    )
    for type_ in (
        "specialist-consultation",
        "geriatric-day-hospital",
        "diabetes-education",
        "psychiatric-hospital-care",
    ):
        svc(uz, type_, weight=2.5)
    az = org(
        "az-ter-vesten",
        "Algemeen Ziekenhuis Ter Vesten",
        "second",
        "general_hospital",
        "leuven-vn-centrum",
        role="hospital",
    )
    svc(az, "specialist-consultation", weight=1.5)
    svc(az, "geriatric-day-hospital", weight=1.0)
    pc = org(
        "pc-kesselberg",
        "Psychiatrisch Centrum Kesselberg",
        "second",
        "psychiatric_hospital",
        "leuven-vn-kessel-lo",
    )
    svc(pc, "psychiatric-hospital-care", weight=2.0)
    mobile = org(
        "mobiel-team-dijleland",
        "Mobiel Team Psychiatrie Dijleland",
        "second",
        "mobile_psychiatric_team",
        "leuven-vn-centrum",
        kind="team",
    )
    svc(mobile, "mobile-psychiatric-team", weight=1.5)
    cgg = org(
        "cgg-dijle",
        "Centrum Geestelijke Gezondheid Dijle",
        "second",
        "mental_health_centre",
        "leuven-vn-centrum",
    )
    svc(cgg, "psychology-first-line", weight=1.0)
    svc(cgg, "addiction-care", weight=1.0)
    addiction = org(
        "verslavingszorg-overstap",
        "Verslavingszorg De Overstap",
        "second",
        "addiction_care",
        "leuven-vn-leuven-noord",
        langs=("nl", "fr", "en", "ar"),
    )
    svc(addiction, "addiction-care", weight=1.5)

    ocmw = org(
        "ocmw",
        "OCMW Leuven",
        "social",
        "public_social_welfare",
        "leuven-vn-centrum",
        langs=("nl", "fr", "en", "ar"),
    )
    for type_ in (
        "social-assistance",
        "debt-mediation",
        "housing-support",
        "home-help",
        "meals-on-wheels",
    ):
        svc(ocmw, type_, weight=2.0)
    housing = org(
        "woonmaatschappij-dijleland",
        "Woonmaatschappij Dijleland",
        "social",
        "social_housing",
        "leuven-vn-kessel-lo",
        langs=("nl", "fr"),
    )
    svc(housing, "social-housing", weight=2.5)
    aid = org(
        "hulpcentrum-de-brug",
        "Hulpcentrum De Brug",
        "social",
        "humanitarian_aid",
        "leuven-vn-leuven-noord",
        langs=("nl", "fr", "en", "ar"),
    )
    svc(aid, "humanitarian-aid", weight=1.5)
    welfare = org(
        "welzijnshuis", "Welzijnshuis Leuven-Dijle", "social", "social_welfare", "leuven-vn-centrum"
    )
    svc(welfare, "social-work", weight=1.0)
    svc(welfare, "housing-support", weight=1.0)
    for key, name in (
        ("ziekenfonds-samenzorg", "Ziekenfonds Samenzorg, dienst maatschappelijk werk"),
        ("ziekenfonds-solidair", "Ziekenfonds Solidair, dienst maatschappelijk werk"),
    ):
        insurer = org(
            key,
            name,
            "social",
            "health_insurer_social_service",
            "leuven-vn-centrum",
            role="insurer",
        )
        svc(insurer, "social-work", weight=1.0)
    for key, name, zone in (
        ("thuisverpleging-dijlezorg", "Thuisverpleging Dijlezorg", "leuven-vn-heverlee"),
        ("thuisverpleging-zorgnet-oost", "Thuisverpleging Zorgnet Oost", "leuven-vn-kessel-lo"),
        ("thuisverpleging-ter-zorg", "Thuisverpleging Ter Zorg", "leuven-vn-wilsele"),
    ):
        nursing = org(key, name, "first", "nursing", zone, role="nursing_org")
        svc(nursing, "home-nursing", weight=1.5)
    svc(seed.actors["leuven-thuisverpleging-dijlezorg"], "wound-care", weight=0.5)
    palliative = org(
        "palliatief-dijleland",
        "Palliatief Thuiszorgteam Dijleland",
        "first",
        "palliative_care",
        "leuven-vn-heverlee",
        kind="team",
    )
    svc(palliative, "palliative-home-care", weight=0.3)
    for key, name, zone in (
        ("gezinszorg-dijleland", "Gezinszorg Dijleland", "leuven-vn-centrum"),
        ("thuishulp-zilverzorg", "Thuishulp Zilverzorg", "leuven-vn-kessel-lo"),
    ):
        help_ = org(key, name, "social", "family_care", zone, langs=("nl", "fr"), role="home_help")
        svc(help_, "home-help", weight=1.5)
    svc(seed.actors["leuven-thuishulp-zilverzorg"], "meals-on-wheels", weight=1.0)

    coordination = org(
        "thuiszorgcoordinatie",
        "Thuiszorgcoördinatie Dijleland",
        "coordination",
        "home_care_coordination",
        "leuven-vn-centrum",
    )
    svc(coordination, "care-coordination", weight=1.5)
    case_management = org(
        "casemanagement-zorgzaam",
        "Casemanagement Zorgzaam Leuven",
        "coordination",
        "case_management",
        "leuven-vn-centrum",
        kind="team",
    )
    svc(case_management, "case-management", weight=1.5)
    org(
        "integratorteam",
        "Integratorteam Zorgzaam Leuven",
        "coordination",
        "integrator",
        "leuven-vn-centrum",
        kind="team",
    )
    dementia = org(
        "dementiepunt-dijleland",
        "Dementie-aanspreekpunt Dijleland",
        "coordination",
        "dementia_expertise",
        "leuven-vn-heverlee",
    )
    svc(dementia, "dementia-support", weight=1.0)
    carers = org(
        "mantelzorgpunt",
        "Mantelzorgpunt Leuven",
        "community",
        "caregiver_support",
        "leuven-vn-kessel-lo",
        langs=("nl", "en"),
    )
    svc(carers, "caregiver-support", weight=0.8)
    transport = org(
        "vervoerdienst-dijleland",
        "Vervoerdienst Dijleland",
        "social",
        "adapted_transport",
        "leuven-vn-wilsele",
        langs=("nl",),
    )
    svc(transport, "adapted-transport", TRANSPORT_AREA, weight=1.5)
    volunteers = seed.actor(
        "leuven-vrijwilligersvervoer-noordrand",
        "Vrijwilligersvervoer Noordrand",
        "organisation",
        "community",
        "volunteer_transport",
        ("nl",),
        "leuven-vn-wijgmaal",
        role="association",
    )
    svc(
        volunteers,
        "adapted-transport",
        ("leuven-vn-wijgmaal", "leuven-vn-wilsele-putkapel"),
        status="closed",
        capacity=30,
    )
    (psychologist,) = seed.by_role("psychologist", "leuven-vn-kessel-lo-noord")
    seed.services[f"{psychologist.id}-psychology-first-line"].full = True


def _bridges(seed: Seed) -> None:
    """Coordination actors tie the lines together on purpose."""
    for case_manager in seed.by_role("case_manager"):
        seed.collaborate(
            "leuven-casemanagement-zorgzaam", case_manager.id, "care_coordination", 2016
        )
        seed.collaborate("leuven-thuiszorgcoordinatie", case_manager.id, "care_coordination", 2016)
    for centre in seed.by_role("centre"):
        seed.collaborate("leuven-ocmw", centre.id, "partnership", 2012)
    for partner in (
        "leuven-uz-dijleland",
        "leuven-az-ter-vesten",
        "leuven-ocmw",
        "leuven-cgg-dijle",
        "leuven-casemanagement-zorgzaam",
    ):
        seed.collaborate("leuven-integratorteam", partner, "care_coordination", 2016)


def _networks(seed: Seed) -> None:
    consortium = seed.network("leuven-consortium", "Consortium Zorgzaam Leuven", "consortium")
    seed.member(["leuven-integratorteam"], consortium, "lead")
    seed.member(sorted(a.id for a in seed.actors.values() if a.wide), consortium, "member")
    neighbourhood_teams(
        seed,
        "Buurtteam {}",
        ("leuven-ocmw", "leuven-thuiszorgcoordinatie", "leuven-casemanagement-zorgzaam"),
    )
    over = {a for actors in seed.over_actor_sets().values() for a in actors}

    def local(role: str, zone: str) -> list[str]:
        return [a.id for a in seed.by_role(role, f"leuven-vn-{zone}") if a.id not in over]

    team = seed.network(
        "leuven-mdt-diabetes-kessel-lo",
        "Multidisciplinair team diabetes Kessel-Lo",
        "multidisciplinary_team",
    )
    seed.member(local("gp", "kessel-lo"), team)
    seed.member(local("nurse", "kessel-lo"), team)
    seed.member(["leuven-uz-dijleland"], team, "specialist")
    team = seed.network(
        "leuven-mdt-dementie-heverlee",
        "Multidisciplinair team dementie Heverlee",
        "multidisciplinary_team",
    )
    seed.member(local("case_manager", "heverlee"), team, "coordinator")
    seed.member(local("gp", "heverlee") + local("centre", "heverlee"), team)
    seed.member(
        ["leuven-dementiepunt-dijleland", "leuven-az-ter-vesten", "leuven-mantelzorgpunt"],
        team,
        "partner",
    )
    team = seed.network(
        "leuven-mdt-ggz-noord",
        "Multidisciplinair team geestelijke gezondheid Leuven-Noord",
        "multidisciplinary_team",
    )
    seed.member(
        local("case_manager", "leuven-noord") + local("case_manager", "kessel-lo-noord"),
        team,
        "coordinator",
    )
    seed.member(
        local("psychologist", "leuven-noord")
        + local("psychologist", "kessel-lo-noord")
        + local("gp", "leuven-noord"),
        team,
    )
    seed.member(
        [
            "leuven-mobiel-team-dijleland",
            "leuven-cgg-dijle",
            "leuven-ocmw",
            "leuven-welzijnshuis",
            "leuven-hulpcentrum-de-brug",
        ],
        team,
        "partner",
    )
    pathway = seed.network(
        "leuven-zorgtraject-diabetes", "Zorgtraject diabetes type 2", "care_pathway"
    )
    seed.member(["leuven-uz-dijleland"], pathway, "lead")
    educators = sorted(
        {
            s.actor
            for s in seed.services.values()
            if s.type == "diabetes-education" and not seed.actors[s.actor].wide
        }
    )
    seed.member(educators, pathway)
    pathway = seed.network(
        "leuven-zorgpad-palliatief", "Zorgpad palliatieve thuiszorg", "care_pathway"
    )
    seed.member(["leuven-palliatief-dijleland"], pathway, "lead")
    seed.member(
        [a.id for a in seed.by_role("nursing_org")]
        + ["leuven-uz-dijleland", "leuven-az-ter-vesten", "leuven-thuiszorgcoordinatie"],
        pathway,
    )


def _patients(seed: Seed) -> None:
    def case_manager(zone: str) -> str:
        return seed.by_role("case_manager", f"leuven-vn-{zone}")[0].id

    plans = (
        ("centrum", ("nl",), ("chronic", "65plus"),
         ("nursing-care", "medication-management", "chronic-follow-up")),
        ("heverlee-zuid", ("nl", "fr"), ("chronic", "65plus"),
         ("social-isolation", "memory-problems", "adl-dependency")),
        ("wijgmaal", ("nl",), ("chronic", "disability"),
         ("transport-need", "specialist-follow-up", "diabetes-self-management")),
        ("kessel-lo-noord", ("nl", "en"), ("low_income", "mental_health"),
         ("depression-anxiety", "financial-insecurity")),
        ("leuven-noord", ("fr", "ar"), ("low_income", "chronic"),
         ("chronic-follow-up", "housing-insecurity", "food-insecurity", "financial-insecurity")),
        ("kessel-lo", ("nl",), ("chronic", "65plus"),
         ("medication-management", "adl-dependency")),
        ("wilsele", ("nl",), ("caregiver", "65plus"), ("caregiver-burden", "memory-problems")),
        ("heverlee", ("nl", "en"), ("mental_health", "homeless", "low_income"),
         ("severe-mental-illness", "housing-insecurity", "addiction")),
    )  # fmt: skip
    for zone, langs, eligibility, needs in plans:
        seed.patient(f"leuven-vn-{zone}", langs, eligibility, case_manager(zone), needs)
