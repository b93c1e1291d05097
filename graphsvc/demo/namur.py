"""The namur seed: a French-language pilot zone shaped like Résinam (Namur).

Centred on case management for polyfragile patients (mental health and social insecurity).
District names are real; every organisation and person name is invented, except the public
CPAS de Namur.
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

NAME = "namur"
RNG_SEED = 20160101  # the pilots started in January 2016

LABELS: dict[str, str] = {
    "general-practice": "Médecine générale",
    "diabetes-education": "Éducation diabète",
    "nursing": "Soins infirmiers",
    "home-nursing": "Soins infirmiers à domicile",
    "wound-care": "Soins de plaies",
    "palliative-home-care": "Soins palliatifs à domicile",
    "pharmacy": "Soins pharmaceutiques",
    "medication-review": "Bilan de médication",
    "physiotherapy": "Kinésithérapie",
    "occupational-therapy": "Ergothérapie",
    "hospital-care": "Soins hospitaliers",
    "specialist-consultation": "Consultation spécialisée",
    "geriatric-day-hospital": "Hôpital de jour gériatrique",
    "mental-health-care": "Soins de santé mentale",
    "psychology-first-line": "Psychologie de première ligne",
    "mobile-psychiatric-team": "Équipe mobile psychiatrique",
    "psychiatric-hospital-care": "Hospitalisation psychiatrique",
    "addiction-care": "Accompagnement des assuétudes",
    "dementia-support": "Soutien démence",
    "social-work": "Service social",
    "social-assistance": "Aide sociale",
    "debt-mediation": "Médiation de dettes",
    "housing-support": "Accompagnement au logement",
    "social-housing": "Logement social",
    "humanitarian-aid": "Aide alimentaire et besoins de base",
    "home-help": "Aide familiale et aide à domicile",
    "meals-on-wheels": "Repas à domicile",
    "adapted-transport": "Transport adapté",
    "caregiver-support": "Soutien aux aidants proches",
    "community-activities": "Activités de quartier",
    "case-management": "Case management",
    "care-coordination": "Concertation multidisciplinaire",
}

WORDING = Wording(
    labels=LABELS,
    places=(
        "du Confluent", "des Tilleuls", "de la Citadelle", "du Grognon", "des Remparts",
        "du Vieux Moulin", "des Acacias", "de la Source", "du Beffroi", "des Hirondelles",
        "de la Meuse", "des Peupliers", "du Parc", "de l'Écluse", "des Vignes", "du Pont",
        "des Marronniers", "de la Colline", "du Centre", "des Saules", "de l'Horizon",
        "du Chemin Vert", "des Coquelicots", "de la Passerelle", "du Halage", "des Bateliers",
        "de l'Arbre d'Or", "des Lilas", "du Plateau", "des Ardoisiers", "de la Fontaine",
        "du Carrefour", "des Cerisiers", "de la Sambre", "du Bocq", "des Glycines",
        "de la Roseraie", "du Tilleul Rond", "de la Boussole", "des Alouettes", "de l'Étoile",
        "du Verger", "des Mésanges", "de la Charmille", "du Belvédère", "des Fraisiers",
    ),
    first_names=(
        "Marie", "Julie", "Nathalie", "Sophie", "Isabelle", "Catherine", "Véronique", "Luc",
        "Philippe", "Michel", "Christophe", "Benoît", "Olivier", "Nicolas", "Pierre", "Anne",
        "Céline", "Émilie", "Thomas", "Antoine", "Camille", "Sarah", "Karim", "Nadia", "Youssef",
        "Fatima", "Mehdi", "Amina", "Jean-Marc", "Laurence", "Damien", "Aurélie",
    ),
    last_names=(
        "Dubois", "Lambert", "Martin", "Dupont", "Simon", "Laurent", "Lejeune", "Leclercq",
        "Renard", "Collard", "François", "Mathieu", "Henrard", "Gillet", "Piette", "Thiry",
        "Marchal", "Hubert", "Noël", "Delvaux", "Poncelet", "Wauthier", "Bodart", "Remacle",
        "Benali", "El Idrissi", "Haddad", "Mertens", "Janssens", "Sacré",
    ),
    gp_practice="Maison médicale {}",
    gp="Docteur {}",
    pharmacy="Pharmacie {}",
    physio_practice="Cabinet de kinésithérapie {}",
    physio="Kinésithérapeute {}",
    nurse="Infirmière à domicile {}",
    psychologist="Psychologue {}",
    case_manager="Case manager {}",
    occupational_therapist="Ergothérapeute {}",
    centre="Maison de quartier {}",
    associations=(
        "Club sportif {}",
        "Cercle culturel {}",
        "Comité de quartier {}",
        "Amicale des aînés {}",
        "Maison des cultures {}",
        "Potager collectif {}",
    ),
    languages=(
        (50, ("fr",)),
        (20, ("fr", "en")),
        (15, ("fr", "nl", "en")),
        (10, ("fr", "ar")),
        (5, ("fr", "nl")),
    ),
)  # fmt: skip

_PRECARIOUS = {"social": 1.5, "mental": 1.4}
_MIXED = {"social": 1.25, "mental": 1.2}
_OLDER = {"medical": 1.1, "functional": 1.15, "social": 0.75, "mental": 0.85}

LOCALS: dict[str, Local] = {
    "namur-vn-namur-centre": Local(
        "Namur-Centre", 50.4650, 4.8660, 16500, 4, 3, 2, 2, 4, 3,
        extra_languages=("ar", "en"), factors=_PRECARIOUS,
    ),
    "namur-vn-jambes": Local("Jambes", 50.4530, 4.8760, 19800, 4, 4, 2, 2, 2, 2,
                             factors=_MIXED),
    "namur-vn-salzinnes": Local(
        "Salzinnes", 50.4620, 4.8440, 10200, 2, 2, 1, 1, 1, 2,
        extra_languages=("ar",), factors=_MIXED,
    ),
    "namur-vn-saint-servais": Local(
        "Saint-Servais", 50.4770, 4.8400, 17300, 3, 2, 2, 2, 1, 2,
        extra_languages=("ar",), factors=_PRECARIOUS,
    ),
    "namur-vn-bouge": Local("Bouge", 50.4780, 4.8920, 13900, 3, 2, 2, 1, 1, 1),
    "namur-vn-belgrade": Local("Belgrade", 50.4740, 4.8140, 9600, 2, 1, 1, 1, 1, 1),
    "namur-vn-erpent": Local("Erpent", 50.4430, 4.9000, 10400, 2, 1, 1, 1, 1, 1,
                             factors=_OLDER),
    "namur-vn-wepion": Local("Wépion", 50.4150, 4.8700, 12300, 2, 2, 1, 1, 1, 2,
                             factors=_OLDER),
}  # fmt: skip

ALL = ("namur",)
WITHOUT_WEPION = tuple(k for k in LOCALS if k != "namur-vn-wepion")
WITHOUT_BELGRADE = tuple(k for k in LOCALS if k != "namur-vn-belgrade")


def build() -> Seed:
    """The complete namur seed, capacities sized and statuses intended."""
    seed = Seed(NAME, RNG_SEED, LABELS)
    add_zones(
        seed,
        Zone("wallonie", "Wallonie", "region", 3682272, 50.4172, 4.8720, "be"),
        Zone("namur", "Résinam Namur", "pilot_zone", 110000, 50.4669, 4.8675, "wallonie"),
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
        "namur-vn-wepion",
        "addiction",
        MISSING,
        "no active addiction care: the Wépion antenna closed, the others stop at the Meuse",
    )
    seed.intend(
        "namur-vn-belgrade",
        "transport-need",
        MISSING,
        "no active adapted transport: the neighbourhood shuttle is paused",
    )
    seed.intend(
        "namur-vn-saint-servais",
        "depression-anxiety",
        UNDER,
        "one first-line psychologist for a precarious district",
        target=0.5,
    )
    seed.intend(
        "namur-vn-bouge",
        "social-isolation",
        UNDER,
        "one small association and the district house",
        target=0.6,
    )
    seed.intend(
        "namur-vn-erpent",
        "caregiver-burden",
        UNDER,
        "caregiver support only through a small district-house group",
        target=0.65,
    )
    seed.intend(
        "namur-vn-namur-centre",
        "depression-anxiety",
        OVER,
        "four psychologists and the mental health service in the centre, none collaborating",
        target=2.2,
    )
    seed.intend(
        "namur-vn-jambes",
        "medication-management",
        OVER,
        "four pharmacies without any collaboration between them",
        target=1.9,
    )


def _occupational_therapists(seed: Seed, namer: Namer) -> None:
    areas = (
        ("namur-vn-salzinnes", ("namur-vn-namur-centre", "namur-vn-salzinnes",
                                "namur-vn-saint-servais", "namur-vn-belgrade")),
        ("namur-vn-jambes", ("namur-vn-jambes", "namur-vn-bouge", "namur-vn-erpent",
                             "namur-vn-wepion")),
    )  # fmt: skip
    for zone_id, covers in areas:
        name = namer.person(WORDING.occupational_therapist)
        ot = seed.actor(
            f"namur-{slug(name)}",
            name,
            "professional",
            "first",
            "occupational_therapy",
            ("fr",),
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
        langs: tuple[str, ...] = ("fr", "nl", "en"),
        role: str = "",
    ) -> Actor:
        return seed.actor(
            f"namur-{key}", name, kind, line, discipline, langs, zone, wide=True, role=role or key
        )

    def svc(
        actor: Actor, type_: str, covers: tuple[str, ...] = ALL, weight: float = 1.5, **kw: Any
    ) -> Service:
        kw.setdefault("eligibility", ELIGIBILITY.get(type_, ()))
        return seed.service(actor, type_, covers, weight=weight, **kw)

    hospital = org(
        "hopital-du-confluent",
        "Hôpital du Confluent",
        "second",
        "general_hospital",
        "namur-vn-saint-servais",
        role="hospital",
    )
    for type_ in ("specialist-consultation", "geriatric-day-hospital", "diabetes-education"):
        svc(hospital, type_, weight=2.5)
    clinic = org(
        "clinique-des-coteaux",
        "Clinique des Coteaux",
        "second",
        "general_hospital",
        "namur-vn-bouge",
        role="hospital",
    )
    svc(clinic, "specialist-consultation", weight=1.5)
    svc(clinic, "geriatric-day-hospital", weight=1.0)
    psychiatric = org(
        "centre-psychiatrique-grands-pres",
        "Centre psychiatrique des Grands Prés",
        "second",
        "psychiatric_hospital",
        "namur-vn-saint-servais",
    )
    svc(psychiatric, "psychiatric-hospital-care", weight=2.0)
    mobile = org(
        "equipe-mobile-rivages",
        "Équipe mobile Rivages",
        "second",
        "mobile_psychiatric_team",
        "namur-vn-namur-centre",
        kind="team",
        langs=("fr", "nl", "en", "ar"),
    )
    svc(mobile, "mobile-psychiatric-team", weight=2.0)
    ssm = org(
        "ssm-confluent",
        "Service de santé mentale du Confluent",
        "second",
        "mental_health_centre",
        "namur-vn-namur-centre",
        langs=("fr", "en", "ar"),
    )
    svc(ssm, "psychology-first-line", weight=1.0)
    svc(ssm, "addiction-care", WITHOUT_WEPION, weight=1.0)
    phare = org(
        "assuetudes-le-phare",
        "Centre d'accompagnement en assuétudes Le Phare",
        "second",
        "addiction_care",
        "namur-vn-jambes",
    )
    svc(phare, "addiction-care", WITHOUT_WEPION, weight=1.5)
    nomade = org(
        "rdr-nomade",
        "Réduction des risques Nomade",
        "social",
        "harm_reduction",
        "namur-vn-namur-centre",
        kind="team",
        langs=("fr", "en", "ar"),
    )
    svc(nomade, "addiction-care", WITHOUT_WEPION, weight=0.8)
    antenna = seed.actor(
        "namur-antenne-assuetudes-du-plateau",
        "Antenne assuétudes du Plateau",
        "organisation",
        "second",
        "addiction_care",
        ("fr",),
        "namur-vn-wepion",
        role="antenna",
    )
    svc(antenna, "addiction-care", ("namur-vn-wepion",), status="closed", capacity=25)

    cpas = org(
        "cpas",
        "CPAS de Namur",
        "social",
        "public_social_welfare",
        "namur-vn-namur-centre",
        langs=("fr", "nl", "en", "ar"),
    )
    for type_ in (
        "social-assistance",
        "debt-mediation",
        "housing-support",
        "home-help",
        "meals-on-wheels",
    ):
        svc(cpas, type_, weight=2.0)
    svc(cpas, "adapted-transport", WITHOUT_BELGRADE, weight=1.5)
    housing = org(
        "habitat-mosan",
        "Habitat Mosan",
        "social",
        "social_housing",
        "namur-vn-jambes",
        langs=("fr",),
    )
    svc(housing, "social-housing", weight=2.5)
    housing_first = org(
        "housing-first-confluent",
        "Housing First Confluent",
        "social",
        "housing_first",
        "namur-vn-namur-centre",
        kind="team",
        langs=("fr", "en", "ar"),
    )
    svc(
        housing_first,
        "housing-support",
        weight=0.6,
        full=True,
        eligibility=("homeless", "mental_health"),
    )
    relais_social = org(
        "relais-social-confluent",
        "Relais social du Confluent",
        "social",
        "social_welfare",
        "namur-vn-namur-centre",
        langs=("fr", "en", "ar"),
    )
    svc(relais_social, "social-work", weight=1.0)
    svc(relais_social, "housing-support", weight=1.0)
    relais_sante = org(
        "relais-sante-confluent",
        "Relais Santé du Confluent",
        "social",
        "humanitarian_health",
        "namur-vn-namur-centre",
        langs=("fr", "en", "ar"),
    )
    svc(relais_sante, "humanitarian-aid", weight=1.0)
    svc(
        relais_sante,
        "general-practice",
        ("namur-vn-namur-centre",),
        weight=0.5,
        eligibility=("homeless", "low_income"),
    )
    shelter = org(
        "abri-de-nuit-les-tilleuls",
        "Abri de nuit Les Tilleuls",
        "social",
        "emergency_shelter",
        "namur-vn-salzinnes",
        langs=("fr", "ar"),
    )
    svc(shelter, "humanitarian-aid", weight=0.8)
    grocery = org(
        "epicerie-sociale-la-passerelle",
        "Épicerie sociale La Passerelle",
        "community",
        "social_grocery",
        "namur-vn-saint-servais",
        langs=("fr", "ar"),
    )
    svc(grocery, "humanitarian-aid", weight=0.8)
    for key, name in (
        ("mutualite-entraide", "Mutualité Entraide, service social"),
        ("mutualite-horizon", "Mutualité Horizon, service social"),
    ):
        insurer = org(
            key,
            name,
            "social",
            "health_insurer_social_service",
            "namur-vn-namur-centre",
            role="insurer",
        )
        svc(insurer, "social-work", weight=1.0)
    for key, name, zone in (
        ("soins-domicile-meuse-sambre", "Soins à domicile Meuse et Sambre", "namur-vn-jambes"),
        ("infirmieres-confluent", "Infirmières à domicile du Confluent", "namur-vn-saint-servais"),
    ):
        nursing = org(key, name, "first", "nursing", zone, role="nursing_org")
        svc(nursing, "home-nursing", weight=1.5)
    svc(seed.actors["namur-soins-domicile-meuse-sambre"], "wound-care", weight=0.5)
    palliative = org(
        "soutien-palliatif-mosan",
        "Équipe de soutien palliatif mosane",
        "first",
        "palliative_care",
        "namur-vn-bouge",
        kind="team",
    )
    svc(palliative, "palliative-home-care", weight=0.3)
    for key, name, zone in (
        ("aide-domicile-mosane", "Aide à domicile mosane", "namur-vn-salzinnes"),
        ("aide-familles-confluent", "Service d'aide aux familles du Confluent", "namur-vn-bouge"),
    ):
        help_ = org(key, name, "social", "family_care", zone, langs=("fr",), role="home_help")
        svc(help_, "home-help", weight=1.5)

    coordination = org(
        "coordination-soins-domicile",
        "Centre de coordination de soins à domicile du Confluent",
        "coordination",
        "home_care_coordination",
        "namur-vn-jambes",
    )
    svc(coordination, "care-coordination", weight=1.5)
    case_management = org(
        "case-management-resinam",
        "Case management Résinam",
        "coordination",
        "case_management",
        "namur-vn-namur-centre",
        kind="team",
        langs=("fr", "nl", "en", "ar"),
    )
    svc(case_management, "case-management", weight=2.0)
    org(
        "equipe-integration-resinam",
        "Équipe d'intégration Résinam",
        "coordination",
        "integrator",
        "namur-vn-namur-centre",
        kind="team",
    )
    dementia = org(
        "point-info-demence",
        "Point info démence namurois",
        "coordination",
        "dementia_expertise",
        "namur-vn-jambes",
        langs=("fr",),
    )
    svc(dementia, "dementia-support", weight=1.0)
    carers = org(
        "aidants-proches-namur",
        "Aidants proches Namur, antenne locale",
        "community",
        "caregiver_support",
        "namur-vn-salzinnes",
        langs=("fr",),
    )
    svc(carers, "caregiver-support", weight=0.8)
    transport = org(
        "handimobil",
        "Transport solidaire Handimobil",
        "social",
        "adapted_transport",
        "namur-vn-saint-servais",
        langs=("fr",),
    )
    svc(transport, "adapted-transport", WITHOUT_BELGRADE, weight=1.5)
    shuttle = seed.actor(
        "namur-navette-solidaire-belgrade",
        "Navette solidaire de Belgrade",
        "organisation",
        "community",
        "volunteer_transport",
        ("fr",),
        "namur-vn-belgrade",
        role="association",
    )
    svc(
        shuttle,
        "adapted-transport",
        ("namur-vn-belgrade",),
        status="paused",
        capacity=20,
        available=8,
    )


def _bridges(seed: Seed) -> None:
    """Case management and the integration team tie the lines together on purpose."""
    for case_manager in seed.by_role("case_manager"):
        seed.collaborate(
            "namur-case-management-resinam", case_manager.id, "care_coordination", 2016
        )
        seed.collaborate("namur-cpas", case_manager.id, "care_coordination", 2017)
        seed.collaborate("namur-equipe-mobile-rivages", case_manager.id, "care_coordination", 2017)
    for centre in seed.by_role("centre"):
        seed.collaborate("namur-cpas", centre.id, "partnership", 2012)
    for partner in (
        "namur-hopital-du-confluent",
        "namur-centre-psychiatrique-grands-pres",
        "namur-cpas",
        "namur-relais-social-confluent",
        "namur-case-management-resinam",
        "namur-ssm-confluent",
    ):
        seed.collaborate("namur-equipe-integration-resinam", partner, "care_coordination", 2016)
    for partner in (
        "namur-relais-sante-confluent",
        "namur-equipe-mobile-rivages",
        "namur-cpas",
        "namur-habitat-mosan",
        "namur-relais-social-confluent",
    ):
        seed.collaborate("namur-housing-first-confluent", partner, "care_coordination", 2018)


def _networks(seed: Seed) -> None:
    consortium = seed.network("namur-consortium", "Consortium Résinam", "consortium")
    seed.member(["namur-equipe-integration-resinam"], consortium, "lead")
    seed.member(sorted(a.id for a in seed.actors.values() if a.wide), consortium, "member")
    neighbourhood_teams(
        seed,
        "Réseau de proximité {}",
        ("namur-cpas", "namur-coordination-soins-domicile", "namur-case-management-resinam"),
    )
    over = {a for actors in seed.over_actor_sets().values() for a in actors}

    def local(role: str, zone: str) -> list[str]:
        return [a.id for a in seed.by_role(role, f"namur-vn-{zone}") if a.id not in over]

    team = seed.network(
        "namur-equipe-precarite-sante-mentale",
        "Équipe multidisciplinaire précarité et santé mentale",
        "multidisciplinary_team",
    )
    seed.member(["namur-case-management-resinam"], team, "coordinator")
    seed.member(
        local("case_manager", "namur-centre")
        + local("case_manager", "saint-servais")
        + local("case_manager", "salzinnes"),
        team,
        "coordinator",
    )
    seed.member(
        [
            "namur-relais-sante-confluent",
            "namur-housing-first-confluent",
            "namur-equipe-mobile-rivages",
            "namur-cpas",
            "namur-abri-de-nuit-les-tilleuls",
            "namur-rdr-nomade",
            "namur-relais-social-confluent",
            "namur-centre-psychiatrique-grands-pres",
        ],
        team,
    )
    team = seed.network(
        "namur-concertation-jambes", "Concertation de quartier Jambes", "multidisciplinary_team"
    )
    seed.member(local("case_manager", "jambes"), team, "coordinator")
    seed.member(local("gp", "jambes") + local("nurse", "jambes") + local("centre", "jambes"), team)
    pathway = seed.network("namur-trajet-diabete", "Trajet de soins diabète", "care_pathway")
    seed.member(["namur-hopital-du-confluent"], pathway, "lead")
    educators = sorted(
        {
            s.actor
            for s in seed.services.values()
            if s.type == "diabetes-education" and not seed.actors[s.actor].wide
        }
    )
    seed.member(educators, pathway)
    pathway = seed.network(
        "namur-filiere-logement-d-abord", "Filière logement d'abord", "care_pathway"
    )
    seed.member(["namur-housing-first-confluent"], pathway, "lead")
    seed.member(
        [
            "namur-habitat-mosan",
            "namur-cpas",
            "namur-relais-social-confluent",
            "namur-equipe-mobile-rivages",
            "namur-ssm-confluent",
        ],
        pathway,
    )


def _patients(seed: Seed) -> None:
    def case_manager(zone: str) -> str:
        return seed.by_role("case_manager", f"namur-vn-{zone}")[0].id

    plans = (
        ("namur-centre", ("fr",), ("mental_health", "homeless", "low_income"),
         ("severe-mental-illness", "housing-insecurity", "addiction", "food-insecurity")),
        ("namur-centre", ("fr", "ar"), ("low_income", "chronic"),
         ("financial-insecurity", "diabetes-self-management", "depression-anxiety")),
        ("saint-servais", ("fr",), ("mental_health", "low_income"),
         ("depression-anxiety", "financial-insecurity", "social-isolation")),
        ("saint-servais", ("fr", "ar"), ("homeless", "mental_health"),
         ("housing-insecurity", "severe-mental-illness")),
        ("wepion", ("fr",), ("mental_health", "low_income"),
         ("addiction", "financial-insecurity", "chronic-follow-up")),
        ("belgrade", ("fr",), ("65plus", "disability", "chronic"),
         ("transport-need", "specialist-follow-up", "adl-dependency")),
        ("bouge", ("fr", "nl"), ("65plus", "chronic"),
         ("social-isolation", "memory-problems", "nursing-care")),
        ("erpent", ("fr",), ("caregiver", "65plus"),
         ("caregiver-burden", "memory-problems")),
        ("jambes", ("fr",), ("chronic", "65plus"),
         ("medication-management", "complex-care-situation", "mobility-limitation")),
        ("salzinnes", ("fr", "en"), ("low_income", "mental_health"),
         ("food-insecurity", "depression-anxiety", "housing-insecurity")),
    )  # fmt: skip
    for zone, langs, eligibility, needs in plans:
        seed.patient(f"namur-vn-{zone}", langs, eligibility, case_manager(zone), needs)
