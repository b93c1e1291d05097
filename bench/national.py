"""A Belgium-sized bundle for the benchmarks: real zones, generated actors and services.

`python -m bench.national [--seed 1] [--scale 1.0] [--area ID] [--out DIR]` writes (or finds
in the cache) a bundle in the native CSV format (seeds/README.md, graphsvc/io/bundle_format.py)
and prints its folder, counts and digest. Deterministic: the same seed and scale give the
same bytes.

Zones are the real ones from the project's shared data (../shared/data/belgium):
`be` > 3 regions > primary care zones (the 57 Flemish/Brussels eerstelijnszones; the 19
Walloon arrondissements stand in where no primary care zone exists) > 581 municipalities
(2020) > neighbourhoods (the 2,730 real wijken of Flanders and Brussels; generated quartiers
in Wallonia, one per ~2,900 people as in Flanders) > generated statistical sectors (one per
~580 people, like Statbel's ~19,800), the finest zones, which alone record HAS_NEED.
Populations are the real municipal ones (1/1/2020) spread over their parts.

Actors (a few real: the 581 OCMW/CPAS, 272 hospital sites from Eurostat/GISCO, EUPL-1.2;
all other names invented), services, capacities and needs are generated. At scale 1:
~24,000 zones, 60,000 actors, >150,000 services, 40 need types, >1,000,000 HAS_NEED + COVERS.
`scale` shrinks the generated parts (sectors, actors, services, patients) but keeps the real
zones above the sectors; a neighbourhood left without sectors is itself a finest zone.
`area` keeps one region, primary care zone or municipality (small bundles for tests).
The pilot-scale size is the leuven seed (`PILOT`, seeds/leuven), digested the same way.

Generated bundles go to bench/.cache/ (never committed) unless `out` is given.
"""

from __future__ import annotations

import argparse
import bisect
import csv
import hashlib
import hmac
import io
import math
import os
import random
import shutil
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import accumulate
from pathlib import Path

from graphsvc import vocab
from graphsvc.io.bundle_format import LIST_SEPARATOR, TABLES_BY_NAME

VERSION = 2  # bump when the generator's output changes: it names the cache folder
ROOT = Path(__file__).resolve().parent.parent
BELGIUM = Path(os.environ.get("GRAPHSVC_BELGIUM_DATA", ROOT.parent / "shared/data/belgium"))
CACHE = Path(os.environ.get("GRAPHSVC_BENCH_CACHE", ROOT / "bench" / ".cache"))
PILOT = ROOT / "seeds" / "leuven"  # the pilot-scale size
PEOPLE_PER_NEIGHBOURHOOD = 2900  # generated Walloon quartiers, like the Flemish wijken
PEOPLE_PER_SECTOR = 580  # Belgium: 11.5 M people in ~19,800 statistical sectors
ACTORS = 60_000
PATIENTS = 1_000
PSEUDONYM_KEY = b"graphsvc-bench-pseudonym-key"  # public: benchmark data only
WRITTEN = (
    "zones",
    "service_types",
    "need_types",
    "actors",
    "networks",
    "memberships",
    "collaborations",
    "services",
    "zone_needs",
    "patients",
    "patient_needs",
)

# Vocabulary: the demo seeds' 32 service types and 18 need types, plus these.
EXTRA_SERVICE_TYPES: tuple[tuple[str, str, str, str], ...] = (
    ("dietetics", "Dietetics", "medical", ""),
    ("dentistry", "Dental care", "medical", ""),
    ("podiatry", "Podiatry", "medical", ""),
    ("audiology", "Audiology", "medical", ""),
    ("optometry", "Optometry", "medical", ""),
    ("respiratory-care", "Respiratory care", "medical", ""),
    ("smoking-cessation", "Smoking cessation", "medical", ""),
    ("speech-therapy", "Speech therapy", "rehabilitation", ""),
    ("fall-prevention", "Fall prevention", "rehabilitation", "physiotherapy"),
    ("cardiac-rehabilitation", "Cardiac rehabilitation", "rehabilitation", "hospital-care"),
    ("oncology-care", "Oncology care", "hospital", "hospital-care"),
    ("pain-clinic", "Pain clinic", "hospital", "hospital-care"),
    ("incontinence-care", "Incontinence care", "nursing", "home-nursing"),
    ("legal-aid", "Legal aid", "social", ""),
    ("employment-support", "Employment support", "social", ""),
    ("interpreting", "Social interpreting", "social", ""),
    ("domestic-violence-support", "Domestic violence support", "social", "social-work"),
    ("digital-inclusion", "Digital inclusion", "community", ""),
    ("respite-care", "Respite care", "community", "caregiver-support"),
    ("child-care-support", "Child care support", "home_support", ""),
    ("home-adaptation", "Home adaptation", "home_support", ""),
    ("eating-disorder-care", "Eating disorder care", "mental_health", "mental-health-care"),
    ("youth-mental-health", "Youth mental health care", "mental_health", "mental-health-care"),
    ("vaccination", "Vaccination", "medical", "general-practice"),
)
EXTRA_NEED_TYPES: tuple[tuple[str, str, str, tuple[str, ...], float], ...] = (
    (
        "heart-failure-follow-up",
        "Heart failure follow-up",
        "medical",
        ("general-practice", "cardiac-rehabilitation"),
        0.02,
    ),
    (
        "copd-follow-up",
        "COPD follow-up",
        "medical",
        ("respiratory-care", "smoking-cessation"),
        0.03,
    ),
    ("cancer-survivorship", "Cancer survivorship", "medical", ("oncology-care",), 0.02),
    ("malnutrition", "Malnutrition", "medical", ("dietetics", "meals-on-wheels"), 0.015),
    ("oral-health", "Oral health", "medical", ("dentistry",), 0.06),
    ("foot-care", "Diabetic and chronic foot care", "medical", ("podiatry",), 0.02),
    ("chronic-pain", "Chronic pain", "medical", ("pain-clinic", "physiotherapy"), 0.04),
    ("palliative-needs", "Palliative care needs", "medical", ("palliative-home-care",), 0.004),
    ("chronic-wounds", "Chronic wounds", "medical", ("wound-care",), 0.006),
    ("hearing-loss", "Hearing loss", "functional", ("audiology",), 0.03),
    ("vision-loss", "Vision loss", "functional", ("optometry",), 0.02),
    (
        "fall-risk",
        "Fall risk",
        "functional",
        ("fall-prevention", "occupational-therapy", "home-adaptation"),
        0.03,
    ),
    ("incontinence", "Incontinence", "functional", ("incontinence-care",), 0.015),
    (
        "speech-swallowing",
        "Speech or swallowing problems",
        "functional",
        ("speech-therapy",),
        0.008,
    ),
    ("legal-problems", "Legal problems", "social", ("legal-aid",), 0.02),
    ("unemployment", "Long-term unemployment", "social", ("employment-support",), 0.03),
    ("digital-exclusion", "Digital exclusion", "social", ("digital-inclusion",), 0.04),
    ("language-barrier", "Language barrier in care", "social", ("interpreting",), 0.02),
    ("domestic-violence", "Domestic violence", "social", ("domestic-violence-support",), 0.005),
    (
        "childcare-burden",
        "Childcare burden of a sick parent",
        "social",
        ("child-care-support",),
        0.008,
    ),
    ("eating-disorder", "Eating disorder", "mental", ("eating-disorder-care",), 0.004),
    ("youth-mental-health", "Youth mental health", "mental", ("youth-mental-health",), 0.012),
)


@dataclass(frozen=True)
class Profile:
    """A kind of generated actor: what it offers (type, probability) and how far it reaches."""

    name: str
    label: str
    kind: str
    line: str
    weight: float
    offers: tuple[tuple[str, float], ...]
    scope: str  # "vn:K" (own + K-1 nearest neighbourhoods), "muni", "pcz"


PROFILES: tuple[Profile, ...] = (
    Profile(
        "gp",
        "Huisartsenpraktijk",
        "professional",
        "first",
        0.24,
        (
            ("general-practice", 1),
            ("vaccination", 0.9),
            ("diabetes-education", 0.6),
            ("smoking-cessation", 0.4),
            ("care-coordination", 0.3),
            ("wound-care", 0.25),
        ),
        "vn:2",
    ),
    Profile(
        "nurse",
        "Thuisverpleging",
        "professional",
        "first",
        0.16,
        (
            ("home-nursing", 1),
            ("wound-care", 0.8),
            ("incontinence-care", 0.6),
            ("palliative-home-care", 0.5),
            ("diabetes-education", 0.3),
        ),
        "vn:3",
    ),
    Profile(
        "physio",
        "Kinesitherapie",
        "professional",
        "first",
        0.12,
        (
            ("physiotherapy", 1),
            ("fall-prevention", 0.6),
            ("respiratory-care", 0.5),
            ("cardiac-rehabilitation", 0.2),
        ),
        "vn:2",
    ),
    Profile(
        "pharmacy",
        "Apotheek",
        "organisation",
        "first",
        0.08,
        (
            ("pharmacy", 1),
            ("medication-review", 0.8),
            ("smoking-cessation", 0.3),
            ("vaccination", 0.4),
        ),
        "vn:1",
    ),
    Profile(
        "psychologist",
        "Psycholoog",
        "professional",
        "first",
        0.07,
        (
            ("psychology-first-line", 1),
            ("youth-mental-health", 0.45),
            ("eating-disorder-care", 0.2),
            ("addiction-care", 0.15),
        ),
        "muni",
    ),
    Profile(
        "dentist",
        "Tandarts",
        "professional",
        "first",
        0.05,
        (("dentistry", 1), ("smoking-cessation", 0.2)),
        "vn:2",
    ),
    Profile(
        "dietitian",
        "Diëtist",
        "professional",
        "first",
        0.02,
        (("dietetics", 1), ("diabetes-education", 0.5)),
        "muni",
    ),
    Profile("podiatrist", "Podoloog", "professional", "first", 0.015, (("podiatry", 1),), "muni"),
    Profile(
        "speech", "Logopedist", "professional", "first", 0.02, (("speech-therapy", 1),), "muni"
    ),
    Profile(
        "ergo",
        "Ergotherapeut",
        "professional",
        "first",
        0.015,
        (("occupational-therapy", 1), ("home-adaptation", 0.5), ("fall-prevention", 0.3)),
        "muni",
    ),
    Profile("optician", "Optiek", "organisation", "first", 0.01, (("optometry", 1),), "muni"),
    Profile("audio", "Hoorcentrum", "organisation", "first", 0.008, (("audiology", 1),), "muni"),
    Profile(
        "homehelp",
        "Gezinszorg",
        "organisation",
        "social",
        0.02,
        (
            ("home-help", 1),
            ("meals-on-wheels", 0.6),
            ("child-care-support", 0.4),
            ("adapted-transport", 0.1),
        ),
        "muni",
    ),
    Profile(
        "social",
        "Sociaal huis",
        "organisation",
        "social",
        0.03,
        (
            ("social-work", 1),
            ("debt-mediation", 0.4),
            ("legal-aid", 0.3),
            ("employment-support", 0.3),
            ("interpreting", 0.25),
            ("domestic-violence-support", 0.15),
            ("housing-support", 0.3),
        ),
        "muni",
    ),
    Profile(
        "association",
        "Vereniging",
        "organisation",
        "community",
        0.04,
        (
            ("community-activities", 1),
            ("digital-inclusion", 0.45),
            ("caregiver-support", 0.4),
            ("respite-care", 0.25),
            ("humanitarian-aid", 0.3),
        ),
        "vn:3",
    ),
    Profile(
        "mentalhealth",
        "Centrum geestelijke gezondheidszorg",
        "organisation",
        "second",
        0.01,
        (
            ("mental-health-care", 1),
            ("addiction-care", 0.4),
            ("mobile-psychiatric-team", 0.3),
            ("dementia-support", 0.3),
        ),
        "pcz",
    ),
    Profile(
        "casemanager",
        "Casemanager",
        "professional",
        "coordination",
        0.02,
        (("case-management", 1), ("care-coordination", 0.3)),
        "muni",
    ),
    Profile(
        "transport",
        "Aangepast vervoer",
        "organisation",
        "social",
        0.006,
        (("adapted-transport", 1),),
        "pcz",
    ),
    Profile(
        "housing",
        "Sociale huisvesting",
        "organisation",
        "social",
        0.006,
        (("social-housing", 1), ("housing-support", 0.5)),
        "muni",
    ),
    Profile(
        "specialist",
        "Specialist",
        "professional",
        "second",
        0.03,
        (
            ("specialist-consultation", 1),
            ("pain-clinic", 0.3),
            ("oncology-care", 0.2),
            ("cardiac-rehabilitation", 0.15),
        ),
        "pcz",
    ),
)
OCMW_OFFERS = (
    ("social-assistance", 1),
    ("debt-mediation", 0.8),
    ("housing-support", 0.6),
    ("humanitarian-aid", 0.5),
    ("meals-on-wheels", 0.6),
    ("home-help", 0.5),
    ("social-housing", 0.4),
)
HOSPITAL_OFFERS = (
    ("hospital-care", 1),
    ("specialist-consultation", 0.9),
    ("geriatric-day-hospital", 0.6),
    ("oncology-care", 0.5),
    ("cardiac-rehabilitation", 0.4),
    ("pain-clinic", 0.4),
    ("dementia-support", 0.2),
)
PSYCHIATRIC_OFFERS = (
    ("psychiatric-hospital-care", 1),
    ("mobile-psychiatric-team", 0.6),
    ("addiction-care", 0.5),
    ("eating-disorder-care", 0.2),
)
FIRST_NAMES = (
    "An",
    "Bram",
    "Charlotte",
    "Dirk",
    "Els",
    "Frank",
    "Griet",
    "Hanne",
    "Ilse",
    "Jan",
    "Katrien",
    "Lien",
    "Marc",
    "Nele",
    "Olivier",
    "Pieter",
    "Rik",
    "Sofie",
    "Tom",
    "Veerle",
    "Wim",
    "Yasmina",
    "Aurélie",
    "Benoît",
    "Camille",
    "Damien",
    "Élodie",
    "François",
    "Julie",
    "Luc",
    "Manon",
    "Nadia",
    "Pascal",
    "Sarah",
    "Thierry",
)
LAST_NAMES = (
    "Peeters",
    "Janssens",
    "Maes",
    "Jacobs",
    "Mertens",
    "Willems",
    "Claes",
    "Goossens",
    "Wouters",
    "De Smet",
    "Dubois",
    "Lambert",
    "Dupont",
    "Martin",
    "Simon",
    "Laurent",
    "Leclercq",
    "Renard",
    "Lejeune",
    "Hermans",
    "Aerts",
    "El Amrani",
    "Yilmaz",
    "Vermeulen",
    "Van den Broeck",
    "Dumont",
    "Denis",
    "Michel",
    "Lemaire",
)
GERMAN_SPEAKING = {"63001", "63012", "63013", "63023", "63040", "63048", "63061", "63067", "63087"}


@dataclass
class Zone:
    id: str
    name: str
    level: str
    population: int | None
    lat: float | None
    lon: float | None
    part_of: str | None
    region: str = ""
    municipality: str = ""
    pcz: str = ""
    parts: list[str] = field(default_factory=list)


def size_for(scale: float, share: float = 1.0) -> dict[str, int]:
    """Counts the generator aims at for a scale and a share of the population (an area)."""
    return {
        "actors": max(40, round(ACTORS * scale * share)),
        "patients": max(5, round(PATIENTS * scale * share)),
    }


def _share(zones: dict[str, Zone]) -> float:
    """The part of Belgium's population in the zones kept (1.0 without an area)."""
    munis = [z.population or 0 for z in zones.values() if z.level == "municipality"]
    return sum(munis) / (zones["be"].population or 1)


def _read(name: str) -> list[dict[str, str]]:
    with (BELGIUM / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    return "-".join(p for p in out.split("-") if p)


def _coord(value: float) -> float:
    return round(value, 5)


def _split(rng: random.Random, total: int, n: int, sigma: float = 0.5) -> list[int]:
    """total split into n positive-ish integer parts with log-normal weights (sum kept)."""
    weights = [rng.lognormvariate(0, sigma) for _ in range(n)]
    scale = total / sum(weights)
    parts = [int(w * scale) for w in weights]
    for i in range(total - sum(parts)):
        parts[i % n] += 1
    return parts


def _jitter(rng: random.Random, lat: float, lon: float, km: float) -> tuple[float, float]:
    angle, dist = rng.uniform(0, 2 * math.pi), km * math.sqrt(rng.random())
    dlat = dist * math.sin(angle) / 111.32
    dlon = dist * math.cos(angle) / (111.32 * math.cos(math.radians(lat)))
    return _coord(lat + dlat), _coord(lon + dlon)


def _dist2(a: Zone, b: Zone) -> float:
    dx = (a.lon - b.lon) * math.cos(math.radians(a.lat))  # type: ignore[operator]
    return (a.lat - b.lat) ** 2 + dx**2  # type: ignore[operator]


def build_zones(rng: random.Random, scale: float, area: str | None = None) -> dict[str, Zone]:
    """The zone tree, with the real municipalities and wijken and generated sectors.

    With `area` (a region, primary care zone or municipality id), only that part of the
    country and its ancestors (small bundles for tests).
    """
    municipalities = _read("belgium_municipalities_2020_centroids.csv")
    to_elz = {r["nis_2019"]: r["elz_code"] for r in _read("municipality_to_elz_2019_2024.csv")}
    elz = {r["elz_code"]: r for r in _read("eerstelijnszones.csv")}
    zones: dict[str, Zone] = {}

    def add(zone: Zone) -> Zone:
        zones[zone.id] = zone
        if zone.part_of:
            zones[zone.part_of].parts.append(zone.id)
        return zone

    total = sum(int(m["population_2020"]) for m in municipalities)
    add(Zone("be", "Belgium", "country", total, 50.6403, 4.6667, None))
    regions = {
        "02000": ("be-vlaanderen", "Vlaanderen"),
        "03000": ("be-wallonie", "Wallonie"),
        "04000": ("be-brussel", "Brussel / Bruxelles"),
    }
    for rid, name in sorted(regions.values()):
        add(Zone(rid, name, "region", None, None, None, "be", region=rid))
    for m in sorted(municipalities, key=lambda r: r["nis"]):
        region = regions[m["reg_nis"]][0]
        if region == "be-wallonie":
            pcz, pname = f"be-arr-{m['arr_nis']}", m["arr_nl"]
            plat = plon = None
        else:
            code = to_elz[m["nis"]]
            pcz, pname = f"be-{code}", elz[code]["elz_name"]
            plat, plon = float(elz[code]["centroid_lat"]), float(elz[code]["centroid_lon"])
        if pcz not in zones:
            add(Zone(pcz, pname, "primary_care_zone", 0, plat, plon, region, region=region))
        zones[pcz].population += int(m["population_2020"])  # type: ignore[operator]
        name = m["name_fr"] if region == "be-wallonie" else m["name_nl"]
        add(
            Zone(
                f"be-nis-{m['nis']}",
                name,
                "municipality",
                int(m["population_2020"]),
                _coord(float(m["centroid_lat"])),
                _coord(float(m["centroid_lon"])),
                pcz,
                region=region,
                municipality=f"be-nis-{m['nis']}",
                pcz=pcz,
            )
        )
    for zone in zones.values():  # Walloon arrondissements: population-weighted centroid
        if zone.level == "primary_care_zone" and zone.lat is None:
            parts = [zones[p] for p in zone.parts]
            zone.lat = _coord(sum(p.lat * p.population for p in parts) / zone.population)  # type: ignore[operator]
            zone.lon = _coord(sum(p.lon * p.population for p in parts) / zone.population)  # type: ignore[operator]
    for zone in zones.values():
        if zone.level == "region":
            zone.population = sum(zones[p].population or 0 for p in zone.parts)
    if area is not None:
        _prune(zones, area)
    _add_neighbourhoods(rng, zones, add, {f"be-nis-{m['nis']}" for m in municipalities})
    _add_sectors(rng, zones, add, scale)
    return zones


def _prune(zones: dict[str, Zone], area: str) -> None:
    """Keep only `area`, the zones under it and its ancestors."""
    if area not in zones:
        raise ValueError(f"unknown area {area!r}: give a region, primary care zone or municipality")
    keep, node = set(), zones[area].part_of
    while node:
        keep.add(node)
        node = zones[node].part_of
    todo = [area]
    while todo:
        keep.add(todo[-1])
        todo.extend(zones[todo.pop()].parts)
    for zid in [z for z in zones if z not in keep]:
        del zones[zid]
    for zone in zones.values():
        zone.parts = [p for p in zone.parts if p in keep]


def _add_neighbourhoods(rng: random.Random, zones: dict[str, Zone], add, known: set[str]) -> None:
    munis = [z for z in zones.values() if z.level == "municipality"]
    wijken: dict[str, list[dict[str, str]]] = defaultdict(list)
    for w in _read("wijken_ggw7_2024_centroids.csv"):
        muni = f"be-nis-{w['nis_2019']}"
        if muni in known and muni not in zones:
            continue  # outside the area
        if muni not in zones:  # pre-2019 codes of merged municipalities: nearest in its zone
            here = Zone("", "", "", 0, float(w["centroid_lat"]), float(w["centroid_lon"]), None)
            same = [m for m in munis if m.pcz == f"be-{w['elz_code']}"]
            if not same:
                continue
            muni = min(same, key=lambda m: _dist2(here, m)).id
        wijken[muni].append(w)
    for muni in munis:
        found = sorted(wijken.get(muni.id, []), key=lambda w: w["wijk_code"])
        people = _split(rng, muni.population or 0, max(1, len(found)))
        if found:
            for w, pop in zip(found, people, strict=True):
                add(
                    Zone(
                        f"be-wijk-{w['wijk_code']}",
                        w["wijk_name"],
                        "vicinity_network",
                        pop,
                        _coord(float(w["centroid_lat"])),
                        _coord(float(w["centroid_lon"])),
                        muni.id,
                        region=muni.region,
                        municipality=muni.id,
                        pcz=muni.pcz,
                    )
                )
            continue
        n = max(1, round((muni.population or 0) / PEOPLE_PER_NEIGHBOURHOOD))
        radius = 1.5 + math.sqrt(n)
        for i, pop in enumerate(_split(rng, muni.population or 0, n), start=1):
            lat, lon = _jitter(rng, muni.lat, muni.lon, radius)  # type: ignore[arg-type]
            add(
                Zone(
                    f"{muni.id}-q{i:02d}",
                    f"{muni.name} quartier {i}",
                    "vicinity_network",
                    pop,
                    lat,
                    lon,
                    muni.id,
                    region=muni.region,
                    municipality=muni.id,
                    pcz=muni.pcz,
                )
            )


def _add_sectors(rng: random.Random, zones: dict[str, Zone], add, scale: float) -> None:
    for nb in [z for z in zones.values() if z.level == "vicinity_network"]:
        n = round(scale * (nb.population or 0) / PEOPLE_PER_SECTOR)
        if n < 2:
            continue  # the neighbourhood is itself the finest zone
        for i, pop in enumerate(_split(rng, nb.population or 0, n, sigma=0.4), start=1):
            lat, lon = _jitter(rng, nb.lat, nb.lon, 0.6)  # type: ignore[arg-type]
            add(
                Zone(
                    f"{nb.id}-s{i:02d}",
                    f"{nb.name} sector {i}",
                    "statistical_sector",
                    pop,
                    lat,
                    lon,
                    nb.id,
                    region=nb.region,
                    municipality=nb.municipality,
                    pcz=nb.pcz,
                )
            )


def vocabulary() -> tuple[list[dict], list[dict], dict[str, float]]:
    """Service types, need types (40) and the prevalence of each need."""
    types = [
        {"code": c, "name": n, "category": cat, "broader": b}
        for c, n, cat, b in (*vocab.SERVICE_TYPES, *EXTRA_SERVICE_TYPES)
    ]
    needs = [
        {"code": c, "name": n, "domain": d, "met_by": list(m)} for c, n, d, m in vocab.NEED_TYPES
    ]
    needs += [
        {"code": c, "name": n, "domain": d, "met_by": list(m)} for c, n, d, m, _ in EXTRA_NEED_TYPES
    ]
    prevalence = dict(vocab.PREVALENCE)
    prevalence.update({c: p for c, _, _, _, p in EXTRA_NEED_TYPES})
    return types, needs, prevalence


def needs_met(types: list[dict], needs: list[dict]) -> dict[str, list[str]]:
    """Service type -> the needs it meets (its type or a broader one is MET_BY the need)."""
    broader = {t["code"]: t["broader"] for t in types}
    met: dict[str, list[str]] = {}
    for t in types:
        chain, code = set(), t["code"]
        while code:
            chain.add(code)
            code = broader[code]
        met[t["code"]] = sorted(n["code"] for n in needs if chain & set(n["met_by"]))
    return met


class Picker:
    """Weighted random choice among items (cumulative weights, bisect)."""

    def __init__(self, items: Sequence, weights: Iterable[float]) -> None:
        self.items = list(items)
        self.cum = list(accumulate(weights))

    def __call__(self, rng: random.Random):
        return self.items[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]


def generate(seed: int = 1, scale: float = 1.0, area: str | None = None) -> dict[str, list[dict]]:
    """Every table of the bundle as rows of plain values (lists still lists)."""
    rng = random.Random(f"graphsvc-bench-national-{seed}")
    zones = build_zones(rng, scale, area)
    finest = [z for z in zones.values() if not z.parts]
    types, needs, prevalence = vocabulary()
    zone_needs = []
    for z in finest:
        for n in needs:
            people = max(
                1, round((z.population or 0) * prevalence[n["code"]] * rng.uniform(0.6, 1.5))
            )
            zone_needs.append(
                {
                    "zone": z.id,
                    "need": n["code"],
                    "people": people,
                    "year": 2024,
                    "source": "bench estimate",
                }
            )
    nbs = [z for z in zones.values() if z.level == "vicinity_network"]
    nearest = _nearest_neighbourhoods(zones, nbs)
    actors, offers = _actors(rng, zones, nbs, scale)
    services = _services(rng, zones, actors, offers, nearest, types, needs, zone_needs)
    networks, memberships, collaborations = _networks(rng, zones, actors)
    patients, patient_needs = _patients(rng, finest, actors, needs, scale, _share(zones))
    return {
        "zones": [
            {
                "id": z.id,
                "name": z.name,
                "level": z.level,
                "population": z.population,
                "lat": z.lat,
                "lon": z.lon,
                "part_of": z.part_of or "",
            }
            for z in zones.values()
        ],
        "service_types": types,
        "need_types": needs,
        "actors": [{k: v for k, v in a.items() if not k.startswith("_")} for a in actors],
        "networks": networks,
        "memberships": memberships,
        "collaborations": collaborations,
        "services": services,
        "zone_needs": zone_needs,
        "patients": patients,
        "patient_needs": patient_needs,
    }


def _nearest_neighbourhoods(zones: dict[str, Zone], nbs: list[Zone]) -> dict[str, list[str]]:
    """Each neighbourhood's neighbourhoods of the same municipality, nearest first."""
    by_muni: dict[str, list[Zone]] = defaultdict(list)
    for nb in nbs:
        by_muni[nb.municipality].append(nb)
    return {
        nb.id: [o.id for o in sorted(by_muni[nb.municipality], key=lambda o: (_dist2(nb, o), o.id))]
        for nb in nbs
    }


def _language(rng: random.Random, zone: Zone) -> list[str]:
    if zone.region == "be-brussel":
        return ["fr", "nl"] + (["en"] if rng.random() < 0.4 else [])
    if zone.region == "be-wallonie":
        first = "de" if zone.municipality.removeprefix("be-nis-") in GERMAN_SPEAKING else "fr"
        return [first] + (["nl"] if rng.random() < 0.15 else [])
    return ["nl"] + (["fr"] if rng.random() < 0.3 else []) + (["en"] if rng.random() < 0.2 else [])


def _actors(
    rng: random.Random, zones: dict[str, Zone], nbs: list[Zone], scale: float
) -> tuple[list[dict], dict[str, tuple[tuple[str, float], ...]]]:
    """Actors (with private `_scope`, `_nb` keys) and what each offers."""
    actors: list[dict] = []
    offers: dict[str, tuple[tuple[str, float], ...]] = {}
    pick_nb = Picker(nbs, [nb.population or 1 for nb in nbs])

    def home(nb: Zone) -> tuple[str, float, float]:
        cell = zones[rng.choice(nb.parts)] if nb.parts else nb
        lat, lon = _jitter(rng, cell.lat, cell.lon, 0.3)  # type: ignore[arg-type]
        return cell.id, lat, lon

    for muni in (z for z in zones.values() if z.level == "municipality"):
        nb = max((zones[p] for p in muni.parts), key=lambda z: (z.population or 0, z.id))
        zone, lat, lon = home(nb)
        public = "CPAS" if muni.region == "be-wallonie" else "OCMW"
        aid = f"{public.lower()}-{muni.id.removeprefix('be-nis-')}"
        actors.append(
            {
                "id": aid,
                "name": f"{public} {muni.name}",
                "kind": "organisation",
                "line": "social",
                "discipline": "social-assistance",
                "languages": _language(rng, nb),
                "lat": lat,
                "lon": lon,
                "zone": zone,
                "_scope": "muni",
                "_nb": nb.id,
            }
        )
        offers[aid] = OCMW_OFFERS
    nb_list = sorted(nbs, key=lambda z: z.id)
    for h in sorted(_read("hospitals_be_eurostat_2020.csv"), key=lambda r: r["id"]):
        here = Zone("", "", "", 0, float(h["lat"]), float(h["lon"]), None)
        nb = min(nb_list, key=lambda z: _dist2(here, z))
        if _dist2(here, nb) > (15 / 111.32) ** 2:
            continue  # outside the area of a partial bundle
        cell = min((zones[p] for p in nb.parts), key=lambda z: _dist2(here, z), default=nb)
        name = " - ".join(p.title() for p in (h["hospital_name"], h["site_name"]) if p)
        psychiatric = "psych" in h["facility_type"].lower() or "psych" in name.lower()
        aid = f"hospital-{h['id']}"
        actors.append(
            {
                "id": aid,
                "name": name,
                "kind": "organisation",
                "line": "second",
                "discipline": "psychiatric-hospital" if psychiatric else "hospital",
                "languages": _language(rng, nb),
                "lat": _coord(here.lat),
                "lon": _coord(here.lon),
                "zone": cell.id,
                "_scope": "pcz",
                "_nb": nb.id,
            }
        )
        offers[aid] = PSYCHIATRIC_OFFERS if psychiatric else HOSPITAL_OFFERS
    pick_profile = Picker(PROFILES, [p.weight for p in PROFILES])
    counters: dict[str, int] = defaultdict(int)
    for _ in range(size_for(scale, _share(zones))["actors"] - len(actors)):
        profile: Profile = pick_profile(rng)
        nb = pick_nb(rng)
        counters[profile.name] += 1
        aid = f"{profile.name}-{counters[profile.name]:06d}"
        person = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        zone, lat, lon = home(nb)
        actors.append(
            {
                "id": aid,
                "name": f"{profile.label} {person}",
                "kind": profile.kind,
                "line": profile.line,
                "discipline": profile.name,
                "languages": _language(rng, nb),
                "lat": lat,
                "lon": lon,
                "zone": zone,
                "_scope": profile.scope,
                "_nb": nb.id,
            }
        )
        offers[aid] = profile.offers
    return actors, offers


def _services(
    rng: random.Random,
    zones: dict[str, Zone],
    actors: list[dict],
    offers: dict[str, tuple[tuple[str, float], ...]],
    nearest: dict[str, list[str]],
    types: list[dict],
    needs: list[dict],
    zone_needs: list[dict],
) -> list[dict]:
    """Services with coverage, then capacities sized so coverage is about 1 on average."""
    drafts = []
    for actor in actors:
        nb = zones[actor["_nb"]]
        scope = actor["_scope"]
        for code, chance in offers[actor["id"]]:
            if rng.random() >= chance:
                continue
            if scope.startswith("vn:"):
                k = int(scope[3:]) + (1 if rng.random() < 0.3 else 0)
                covers = nearest[nb.id][:k]
            elif scope == "muni":
                covers = [nb.municipality]
            else:
                covers = [nb.pcz]
            drafts.append((actor, code, sorted(covers)))
    met = needs_met(types, needs)
    demand: dict[str, int] = defaultdict(int)
    for row in zone_needs:
        demand[row["need"]] += row["people"]
    offered: dict[str, int] = defaultdict(int)  # services meeting each need, nationally
    for _, code, _ in drafts:
        for need in met[code]:
            offered[need] += 1
    services = []
    for actor, code, covers in drafts:
        share = sum(demand[n] / offered[n] for n in met[code]) or 50
        capacity = max(1, round(share * rng.uniform(0.45, 1.75)))
        roll = rng.random()
        status = "active" if roll < 0.93 else "paused" if roll < 0.97 else "closed"
        available = capacity if status == "closed" else rng.randint(0, capacity // 3)
        eligibility = (
            rng.choice((["chronic"], ["65plus"], ["low_income"])) if rng.random() < 0.1 else []
        )
        name = next(t["name"] for t in types if t["code"] == code)
        services.append(
            {
                "id": f"{actor['id']}-{code}",
                "actor": actor["id"],
                "type": code,
                "name": f"{name} - {actor['name']}",
                "capacity": capacity,
                "available": available,
                "languages": actor["languages"],
                "eligibility": eligibility,
                "status": status,
                "covers": covers,
            }
        )
    return services


def _networks(
    rng: random.Random, zones: dict[str, Zone], actors: list[dict]
) -> tuple[list[dict], list[dict], list[dict]]:
    """A consortium per primary care zone, a team per municipality, collaborations nearby."""
    networks, memberships, collaborations = [], [], []
    by_muni: dict[str, list[dict]] = defaultdict(list)
    for actor in actors:
        by_muni[zones[actor["_nb"]].municipality].append(actor)
    for pcz in (z for z in zones.values() if z.level == "primary_care_zone"):
        networks.append(
            {"id": f"{pcz.id}-consortium", "name": f"Consortium {pcz.name}", "kind": "consortium"}
        )
    pairs: set[tuple[str, str]] = set()
    for muni_id, members in sorted(by_muni.items()):
        muni = zones[muni_id]
        team = f"{muni_id}-team"
        networks.append(
            {"id": team, "name": f"Zorgteam {muni.name}", "kind": "vicinity_network_team"}
        )
        for actor in members:
            if actor["kind"] == "organisation" or rng.random() < 0.35:
                memberships.append({"actor": actor["id"], "network": team, "role": "member"})
            if actor["kind"] == "organisation" and rng.random() < 0.5:
                memberships.append(
                    {"actor": actor["id"], "network": f"{muni.pcz}-consortium", "role": "partner"}
                )
            if len(members) < 2:
                continue
            for _ in range(2):
                other = rng.choice(members)
                if other is actor:
                    continue
                pair = tuple(sorted((actor["id"], other["id"])))
                if pair not in pairs:
                    pairs.add(pair)  # type: ignore[arg-type]
                    collaborations.append(
                        {
                            "source": pair[0],
                            "target": pair[1],
                            "kind": rng.choice(("referral", "shared_care")),
                            "since": rng.randint(2005, 2024),
                        }
                    )
    return networks, memberships, collaborations


def _patients(
    rng: random.Random,
    finest: list[Zone],
    actors: list[dict],
    needs: list[dict],
    scale: float,
    share: float,
) -> tuple[list[dict], list[dict]]:
    """Pseudonymous patients in finest zones, each with a case manager and 1-4 needs."""
    managers = [a for a in actors if a["discipline"] in ("casemanager", "social-assistance")]
    pick_zone = Picker(finest, [z.population or 1 for z in finest])
    codes = [n["code"] for n in needs]
    patients, patient_needs = [], []
    for n in range(1, size_for(scale, share)["patients"] + 1):
        pid = hmac.new(
            PSEUDONYM_KEY, f"national-patient-{n:05d}".encode(), hashlib.sha256
        ).hexdigest()
        zone = pick_zone(rng)
        patients.append(
            {
                "id": pid,
                "zone": zone.id,
                "languages": _language(rng, zone),
                "eligibility": sorted(
                    rng.sample(("chronic", "65plus", "low_income"), rng.randint(0, 2))
                ),
                "case_manager": rng.choice(managers)["id"],
            }
        )
        for code in sorted(rng.sample(codes, rng.randint(1, 4))):
            patient_needs.append(
                {
                    "patient": pid,
                    "need": code,
                    "since": f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
                }
            )
    return patients, patient_needs


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(v) for v in value)
    return str(value)


def render(tables: dict[str, list[dict]]) -> dict[str, bytes]:
    """File name -> CSV bytes, columns in the bundle format's order, rows sorted by key."""
    files = {}
    for name in WRITTEN:
        table = TABLES_BY_NAME[name]
        rows = sorted(tables[name], key=lambda r: tuple(str(r[k]) for k in table.key))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(table.header)
        writer.writerows([_cell(r.get(c)) for c in table.header] for r in rows)
        files[table.file] = buffer.getvalue().encode("utf-8")
    return files


def digest(folder: Path) -> str:
    """sha256 over the bundle's CSV files in name order (each file's name, then its bytes)."""
    h = hashlib.sha256()
    for path in sorted(folder.glob("*.csv")):
        h.update(path.name.encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()


def write(folder: Path, seed: int = 1, scale: float = 1.0, area: str | None = None) -> str:
    """Generate and write a bundle into folder (replaced); return its digest."""
    files = render(generate(seed, scale, area))
    tmp = folder.with_name(folder.name + ".partial")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    for name, data in files.items():
        (tmp / name).write_bytes(data)
    shutil.rmtree(folder, ignore_errors=True)
    tmp.rename(folder)
    return digest(folder)


def bundle(
    seed: int = 1, scale: float = 1.0, out: Path | None = None, area: str | None = None
) -> Path:
    """The bundle's folder, generated on first use (cached by seed, scale and VERSION)."""
    where = f"-{area}" if area else ""
    folder = out or CACHE / f"national-v{VERSION}-seed{seed}-scale{scale:g}{where}"
    marker = folder / "DIGEST"
    if not marker.is_file():
        marker_text = write(folder, seed, scale, area)
        marker.write_text(marker_text + "\n")
    return folder


def counts(folder: Path) -> dict[str, int]:
    """Rows per CSV file, and the HAS_NEED + COVERS total the issue sizes."""
    result = {}
    covers = 0
    for path in sorted(folder.glob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
        result[path.stem] = len(rows)
        if path.stem == "services":
            covers = sum(len([c for c in r["covers"].split(LIST_SEPARATOR) if c]) for r in rows)
    result["COVERS"] = covers
    result["HAS_NEED+COVERS"] = result.get("zone_needs", 0) + covers
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--out", type=Path, help="folder to write (default: the cache)")
    parser.add_argument("--area", help="only this region, primary care zone or municipality")
    args = parser.parse_args()
    folder = bundle(args.seed, args.scale, args.out, args.area)
    print(folder)
    for name, count in counts(folder).items():
        print(f"{name:<18}{count:>10,}")
    print(f"digest {digest(folder)}")


if __name__ == "__main__":
    main()
