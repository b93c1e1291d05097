"""A small in-memory builder for a demo seed: zones, actors, services, needs, network, patients.

Seed modules (leuven.py, namur.py) describe *what* is there; the builder sizes capacities so that
every (vicinity network, need) cell lands on its intended coverage status, and turns everything
into bundle rows (strings, in the exact column order of the bundle format).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import math
import random
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from itertools import combinations, pairwise

from graphsvc import vocab
from graphsvc.demo.check import COVERED, MISSING, OVER, UNDER, coverage_status
from graphsvc.demo.coplan import PLAN_TABLES

PSEUDONYM_KEY = b"graphsvc-demo-pseudonym-key"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

COLUMNS: dict[str, tuple[str, ...]] = {
    "zones": ("id", "name", "level", "population", "lat", "lon", "part_of"),
    "service_types": ("code", "name", "category", "broader"),
    "need_types": ("code", "name", "domain", "met_by"),
    "actors": ("id", "name", "kind", "line", "discipline", "languages", "lat", "lon", "zone"),
    "networks": ("id", "name", "kind"),
    "memberships": ("actor", "network", "role"),
    "collaborations": ("source", "target", "kind", "since"),
    "services": (
        "id",
        "actor",
        "type",
        "name",
        "capacity",
        "available",
        "languages",
        "eligibility",
        "status",
        "covers",
    ),
    "zone_needs": ("zone", "need", "people", "year", "source"),
    "patients": ("id", "zone", "languages", "eligibility", "case_manager"),
    "patient_needs": ("patient", "need", "since"),
    **PLAN_TABLES,  # co-creation tables (issue 10), written only by seeds that have a plan
}

Rows = dict[str, list[dict[str, str]]]


def pseudonym(seed: str, n: int) -> str:
    """The demo pseudonym of patient n of a seed (HMAC-SHA256 with the public demo key)."""
    message = f"{seed}-patient-{n:03d}".encode()
    return hmac.new(PSEUDONYM_KEY, message, hashlib.sha256).hexdigest()


def slug(text: str) -> str:
    """Lowercase ASCII slug of a name: 'Wépion' -> 'wepion', 'Saint-Servais' -> 'saint-servais'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


@dataclass
class Zone:
    """A zone row."""

    id: str
    name: str
    level: str
    population: int
    lat: float
    lon: float
    part_of: str = ""


@dataclass
class Actor:
    """An actor row."""

    id: str
    name: str
    kind: str
    line: str
    discipline: str
    languages: tuple[str, ...]
    lat: float
    lon: float
    zone: str
    wide: bool = False  # serves the whole pilot zone (not written)
    role: str = ""  # what the seed module made it as, e.g. "gp" (not written)


@dataclass
class Service:
    """A service row; capacity None means 'size me' (see Seed.size_capacities)."""

    id: str
    actor: str
    type: str
    name: str
    covers: tuple[str, ...]
    languages: tuple[str, ...]
    eligibility: tuple[str, ...]
    status: str = "active"
    capacity: int | None = None
    available: int | None = None
    weight: float = 1.0
    full: bool = False


@dataclass(frozen=True)
class Intended:
    """A deliberate non-COVERED cell: its status, the ratio to aim at and the story behind it."""

    zone: str
    need: str
    status: str
    why: str
    target: float = 0.0


@dataclass
class Patient:
    """A pseudonymous patient with needs (need code, since date)."""

    id: str
    zone: str
    languages: tuple[str, ...]
    eligibility: tuple[str, ...]
    case_manager: str
    needs: tuple[tuple[str, str], ...]


@dataclass
class Seed:
    """Everything in one seed, plus the random generator that makes it reproducible."""

    name: str
    rng_seed: int
    labels: dict[str, str]
    zones: dict[str, Zone] = field(default_factory=dict)
    actors: dict[str, Actor] = field(default_factory=dict)
    services: dict[str, Service] = field(default_factory=dict)
    networks: dict[str, tuple[str, str]] = field(default_factory=dict)
    memberships: dict[tuple[str, str], str] = field(default_factory=dict)
    collaborations: dict[tuple[str, str], tuple[str, int]] = field(default_factory=dict)
    demand: dict[tuple[str, str], int] = field(default_factory=dict)
    targets: dict[tuple[str, str], float] = field(default_factory=dict)
    intended: dict[tuple[str, str], Intended] = field(default_factory=dict)
    patients: list[Patient] = field(default_factory=list)
    no_collaboration: set[tuple[str, str]] = field(default_factory=set)
    notes: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.rng = random.Random(self.rng_seed)

    # -- zones ---------------------------------------------------------------------------
    def zone(self, zone: Zone) -> Zone:
        """Add a zone."""
        _require_new(self.zones, zone.id, "zone")
        self.zones[zone.id] = zone
        return zone

    @property
    def vicinity_networks(self) -> list[str]:
        """Ids of the finest zones, sorted."""
        return sorted(z.id for z in self.zones.values() if z.level == "vicinity_network")

    def catchment(self, covers: Iterable[str]) -> list[str]:
        """The vicinity networks inside a list of covered zones."""
        found: set[str] = set()
        for zone_id in covers:
            found |= set(self._parts(zone_id))
        return sorted(found)

    def _parts(self, zone_id: str) -> list[str]:
        if self.zones[zone_id].level == "vicinity_network":
            return [zone_id]
        children = [z.id for z in self.zones.values() if z.part_of == zone_id]
        return [k for child in children for k in self._parts(child)]

    # -- actors and services ---------------------------------------------------------------
    def actor(
        self,
        id: str,
        name: str,
        kind: str,
        line: str,
        discipline: str,
        languages: Iterable[str],
        zone: str,
        wide: bool = False,
        role: str = "",
    ) -> Actor:
        """Add an actor located in a zone, placed near the zone's centre."""
        _require_new(self.actors, id, "actor")
        where = self.zones[zone]
        lat = where.lat + self.rng.uniform(-0.006, 0.006)
        lon = where.lon + self.rng.uniform(-0.009, 0.009)
        actor = Actor(
            id, name, kind, line, discipline, tuple(languages), lat, lon, zone, wide, role
        )
        self.actors[id] = actor
        return actor

    def service(
        self,
        actor: Actor,
        type: str,
        covers: Iterable[str] | None = None,
        *,
        eligibility: Iterable[str] = (),
        status: str = "active",
        weight: float = 1.0,
        capacity: int | None = None,
        available: int | None = None,
        full: bool = False,
        label: str | None = None,
    ) -> Service:
        """Add a service of an actor; by default it covers the actor's own zone."""
        if type not in vocab.SERVICE_TYPE_CODES:
            raise ValueError(f"unknown service type {type!r}")
        service_id = f"{actor.id}-{type}"
        _require_new(self.services, service_id, "service")
        name = f"{label or self.labels[type]} - {actor.name}"
        service = Service(
            service_id,
            actor.id,
            type,
            name,
            tuple(covers) if covers is not None else (actor.zone,),
            actor.languages,
            tuple(eligibility),
            status,
            capacity,
            available,
            weight,
            full,
        )
        self.services[service_id] = service
        return service

    # -- needs and targets ----------------------------------------------------------------
    def estimate_demand(self, factors: dict[str, dict[str, float]]) -> None:
        """People in need per (vicinity network, need): population x prevalence x factors.

        factors maps a vicinity network to a factor per need domain (missing = 1.0).
        """
        domains = {code: domain for code, _, domain, _ in vocab.NEED_TYPES}
        for zone_id in self.vicinity_networks:
            population = self.zones[zone_id].population
            for need in vocab.NEED_CODES:
                factor = factors.get(zone_id, {}).get(domains[need], 1.0)
                jitter = self.rng.uniform(0.88, 1.12)
                people = round(population * vocab.PREVALENCE[need] * factor * jitter)
                self.demand[(zone_id, need)] = max(people, 5)

    def intend(self, zone: str, need: str, status: str, why: str, target: float = 0.0) -> None:
        """Declare a deliberate MISSING, UNDER or OVER cell."""
        if status not in (MISSING, UNDER, OVER):
            raise ValueError(status)
        self.intended[(zone, need)] = Intended(zone, need, status, why, target)

    def size_capacities(self, low: float = 1.08, high: float = 1.40) -> None:
        """Give every service without a capacity one, so each cell reaches its target ratio.

        Services already sized count as they are. For each need (in vocab.SOLVE_ORDER) the
        unsized services that meet it are sized widest catchment first: each takes its weight's
        share of the smallest remaining gap in its catchment; the last one in a vicinity network
        closes that network's gap exactly (so every network needs one local service, unless all
        services of the need share one catchment).
        """
        meets = vocab.counting_types()
        for zone_id in self.vicinity_networks:
            for need in vocab.NEED_CODES:
                intended = self.intended.get((zone_id, need))
                target = intended.target if intended else self.rng.uniform(low, high)
                self.targets[(zone_id, need)] = target
        for need in vocab.SOLVE_ORDER:
            active = [
                s
                for _, s in sorted(self.services.items())
                if s.status == "active" and s.type in meets[need]
            ]
            ratio: dict[str, float] = {k: 0.0 for k in self.vicinity_networks}
            for service in active:
                for k in self.catchment(service.covers):
                    intended = self.intended.get((k, need))
                    if intended and intended.status == MISSING:
                        raise ValueError(f"{service.id} reaches intended MISSING cell {k}/{need}")
            for service in active:
                if service.capacity is not None:
                    area = self.catchment(service.covers)
                    total = sum(self.demand[(k, need)] for k in area)
                    for k in area:
                        ratio[k] += service.capacity / total
            unsized = [s for s in active if s.capacity is None]
            unsized.sort(key=lambda s: (-len(self.catchment(s.covers)), s.id))
            for index, service in enumerate(unsized):
                area = self.catchment(service.covers)
                rest = unsized[index:]
                shares = []
                for k in area:
                    weight = sum(s.weight for s in rest if k in self.catchment(s.covers))
                    gap = self.targets[(k, need)] - ratio[k]
                    shares.append(gap * service.weight / weight)
                total = sum(self.demand[(k, need)] for k in area)
                service.capacity = max(1, math.ceil(max(min(shares), 0.0) * total))
                for k in area:
                    ratio[k] += service.capacity / total
        unsized_left = sorted(s.id for s in self.services.values() if s.capacity is None)
        if unsized_left:
            raise ValueError(f"services meeting no need must get a capacity: {unsized_left}")
        for service in sorted(self.services.values(), key=lambda s: s.id):
            if service.available is not None:
                continue
            cap = service.capacity or 0
            if service.full:
                service.available = 0
            elif service.status == "closed":
                service.available = cap
            else:
                service.available = self.rng.randint(max(1, cap // 12), max(1, cap // 4))

    def over_actor_sets(self) -> dict[tuple[str, str], list[str]]:
        """For each intended OVER cell, the actors whose active services reach it for its need."""
        meets = vocab.counting_types()
        found: dict[tuple[str, str], list[str]] = {}
        for (zone_id, need), intended in sorted(self.intended.items()):
            if intended.status != OVER:
                continue
            found[(zone_id, need)] = sorted(
                {
                    s.actor
                    for s in self.services.values()
                    if s.status == "active"
                    and s.type in meets[need]
                    and zone_id in self.catchment(s.covers)
                }
            )
        return found

    # -- network ----------------------------------------------------------------------------
    def forbid_collaboration_within(self, actor_ids: Iterable[str]) -> None:
        """No COLLABORATES_WITH between any two of these actors (fragmentation on purpose)."""
        for a, b in combinations(sorted(set(actor_ids)), 2):
            self.no_collaboration.add((a, b))

    def collaborate(self, a: str, b: str, kind: str, since: int) -> bool:
        """Record a collaboration once per pair (source < target); False if forbidden or known."""
        if a == b:
            return False
        pair = (min(a, b), max(a, b))
        if pair in self.no_collaboration or pair in self.collaborations:
            return False
        for actor_id in pair:
            if actor_id not in self.actors:
                raise ValueError(f"unknown actor {actor_id!r}")
        self.collaborations[pair] = (kind, since)
        return True

    def weave(self, odds: Callable[[Actor, Actor], tuple[float, str]]) -> None:
        """Draw a collaboration for every pair of actors with the probability odds() gives."""
        for a, b in combinations(sorted(self.actors), 2):
            chance, kind = odds(self.actors[a], self.actors[b])
            draw, since = self.rng.random(), self.rng.randint(2008, 2024)
            if draw < chance:
                self.collaborate(a, b, kind, since)

    def coordinate_co_providers(self, since: int = 2019) -> None:
        """Where several actors offer one service type in one vicinity network and none of
        them work together, tie them in a chain: overlap without fragmentation. Groups
        forbidden to collaborate (the deliberate fragmentation) stay apart. No random draw,
        so the rest of the seed does not change."""
        for actors in self.co_provider_groups().values():
            pairs = list(pairwise(actors))
            if any((a, b) in self.collaborations for a, b in combinations(actors, 2)):
                continue
            for a, b in pairs:
                self.collaborate(a, b, "service_coordination", since)

    def co_provider_groups(self) -> dict[tuple[str, str], list[str]]:
        """(vicinity network, service type) -> the distinct actors whose active services of
        that type reach it, for groups of two or more."""
        groups: dict[tuple[str, str], set[str]] = {}
        for service in self.services.values():
            if service.status != "active":
                continue
            for zone_id in self.catchment(service.covers):
                groups.setdefault((zone_id, service.type), set()).add(service.actor)
        return {key: sorted(actors) for key, actors in sorted(groups.items()) if len(actors) > 1}

    def fragmented_groups(self) -> list[tuple[str, str]]:
        """Co-provider groups with no collaboration between any two of them."""
        return [
            key
            for key, actors in self.co_provider_groups().items()
            if not any((a, b) in self.collaborations for a, b in combinations(actors, 2))
        ]

    def by_role(self, role: str, zone: str | None = None) -> list[Actor]:
        """Actors made as a role (optionally only those located in one zone), sorted by id."""
        return [
            a
            for _, a in sorted(self.actors.items())
            if a.role == role and (zone is None or a.zone == zone)
        ]

    def network(self, id: str, name: str, kind: str) -> str:
        """Add a network (consortium, team, pathway)."""
        _require_new(self.networks, id, "network")
        self.networks[id] = (name, kind)
        return id

    def member(self, actor_ids: Iterable[str], network: str, role: str = "member") -> None:
        """Add actors to a network with a role (the first role given to a pair is kept)."""
        if network not in self.networks:
            raise ValueError(f"unknown network {network!r}")
        for actor_id in actor_ids:
            if actor_id not in self.actors:
                raise ValueError(f"unknown actor {actor_id!r}")
            self.memberships.setdefault((actor_id, network), role)

    # -- patients -------------------------------------------------------------------------
    def patient(
        self,
        zone: str,
        languages: Iterable[str],
        eligibility: Iterable[str],
        case_manager: str,
        needs: Iterable[str],
    ) -> Patient:
        """Add the next pseudonymous patient; need start dates are drawn in 2025-2026."""
        n = len(self.patients) + 1
        start = dt.date(2025, 1, 6)
        dated = []
        for need in needs:
            since = start + dt.timedelta(days=self.rng.randint(0, 440))
            dated.append((need, since.isoformat()))
        patient = Patient(
            pseudonym(self.name, n),
            zone,
            tuple(languages),
            tuple(eligibility),
            case_manager,
            tuple(dated),
        )
        self.patients.append(patient)
        return patient

    # -- output -----------------------------------------------------------------------------
    def rows(self) -> Rows:
        """All bundle rows as strings, in column order, sorted."""
        out: Rows = {}
        out["zones"] = [
            _row(
                "zones",
                z.id,
                z.name,
                z.level,
                z.population,
                _coord(z.lat),
                _coord(z.lon),
                z.part_of,
            )
            for z in self.zones.values()
        ]
        out["service_types"] = [_row("service_types", *t) for t in vocab.SERVICE_TYPES]
        out["need_types"] = [
            _row("need_types", code, name, domain, _list(met_by))
            for code, name, domain, met_by in vocab.NEED_TYPES
        ]
        out["actors"] = [
            _row(
                "actors",
                a.id,
                a.name,
                a.kind,
                a.line,
                a.discipline,
                _list(a.languages),
                _coord(a.lat),
                _coord(a.lon),
                a.zone,
            )
            for a in self.actors.values()
        ]
        out["networks"] = [
            _row("networks", id, name, kind) for id, (name, kind) in self.networks.items()
        ]
        out["memberships"] = [
            _row("memberships", actor, network, role)
            for (actor, network), role in self.memberships.items()
        ]
        out["collaborations"] = [
            _row("collaborations", a, b, kind, since)
            for (a, b), (kind, since) in self.collaborations.items()
        ]
        out["services"] = [
            _row(
                "services",
                s.id,
                s.actor,
                s.type,
                s.name,
                s.capacity,
                s.available,
                _list(s.languages),
                _list(s.eligibility),
                s.status,
                _list(s.covers),
            )
            for s in self.services.values()
        ]
        out["zone_needs"] = [
            _row("zone_needs", zone, need, people, 2024, "demo estimate")
            for (zone, need), people in self.demand.items()
        ]
        out["patients"] = [
            _row(
                "patients",
                p.id,
                p.zone,
                _list(p.languages),
                _list(p.eligibility),
                p.case_manager,
            )
            for p in self.patients
        ]
        out["patient_needs"] = [
            _row("patient_needs", p.id, need, since)
            for p in self.patients
            for need, since in p.needs
        ]
        for name, rows in out.items():
            rows.sort(key=lambda r, cols=COLUMNS[name]: tuple(r[c] for c in cols))
        return out

    def verify(self, rows: Rows) -> dict[tuple[str, str], tuple[float, str]]:
        """Check references, slugs and every coverage cell against the intent; raise otherwise."""
        problems = _check_rows(rows)
        statuses = coverage_status(rows)
        for (zone_id, need), (ratio, status) in sorted(statuses.items()):
            intended = self.intended.get((zone_id, need))
            expected = intended.status if intended else COVERED
            if status != expected:
                problems.append(
                    f"{self.name}: {zone_id}/{need} is {status} (A={ratio:.3f}), "
                    f"intended {expected}"
                )
        missing = set(self.intended) - set(statuses)
        problems += [f"{self.name}: intended cell {cell} is not a cell" for cell in sorted(missing)]
        collaborating = {(r["source"], r["target"]) for r in rows["collaborations"]}
        for cell, actors in self.over_actor_sets().items():
            if len(actors) < 3:
                problems.append(f"{self.name}: OVER cell {cell} has fewer than 3 providers")
            for pair in combinations(actors, 2):
                if pair in collaborating:
                    problems.append(f"{self.name}: OVER cell {cell}: {pair} collaborate")
        statuses_by_kind = [s.status for s in self.services.values()]
        if statuses_by_kind.count("paused") != 1 or statuses_by_kind.count("closed") != 1:
            problems.append(f"{self.name}: want exactly one paused and one closed service")
        if [s.full for s in self.services.values()].count(True) != 1:
            problems.append(f"{self.name}: want exactly one full service (available 0)")
        if problems:
            raise AssertionError("seed check failed:\n  " + "\n  ".join(problems))
        return statuses


def _require_new(table: Mapping[str, object], key: str, what: str) -> None:
    if not SLUG.match(key):
        raise ValueError(f"{what} id {key!r} is not a lowercase slug")
    if key in table:
        raise ValueError(f"duplicate {what} id {key!r}")


def _coord(value: float) -> str:
    return f"{value:.4f}"


def _list(items: Iterable[str]) -> str:
    return "|".join(items)


def _row(table: str, *values: object) -> dict[str, str]:
    columns = COLUMNS[table]
    if len(values) != len(columns):
        raise ValueError(f"{table}: {len(values)} values for {len(columns)} columns")
    return {c: "" if v is None else str(v) for c, v in zip(columns, values, strict=True)}


_KEYS: dict[str, tuple[str, ...]] = {
    "zones": ("id",),
    "service_types": ("code",),
    "need_types": ("code",),
    "actors": ("id",),
    "networks": ("id",),
    "memberships": ("actor", "network"),
    "collaborations": ("source", "target"),
    "services": ("id",),
    "zone_needs": ("zone", "need"),
    "patients": ("id",),
    "patient_needs": ("patient", "need"),
}

_REFS: tuple[tuple[str, str, str, bool], ...] = (
    # table, column, referenced table, is a list
    ("zones", "part_of", "zones", False),
    ("service_types", "broader", "service_types", False),
    ("need_types", "met_by", "service_types", True),
    ("actors", "zone", "zones", False),
    ("memberships", "actor", "actors", False),
    ("memberships", "network", "networks", False),
    ("collaborations", "source", "actors", False),
    ("collaborations", "target", "actors", False),
    ("services", "actor", "actors", False),
    ("services", "type", "service_types", False),
    ("services", "covers", "zones", True),
    ("zone_needs", "zone", "zones", False),
    ("zone_needs", "need", "need_types", False),
    ("patients", "zone", "zones", False),
    ("patients", "case_manager", "actors", False),
    ("patient_needs", "patient", "patients", False),
    ("patient_needs", "need", "need_types", False),
)


def _check_rows(rows: Rows) -> list[str]:
    problems: list[str] = []
    for table, key in _KEYS.items():
        keys = [tuple(r[c] for c in key) for r in rows[table]]
        if len(set(keys)) != len(keys):
            problems.append(f"{table}: duplicate keys")
        for value in (v for k in keys for v in k):
            if not SLUG.match(value):
                problems.append(f"{table}: {value!r} is not a slug")
    for table, column, target, is_list in _REFS:
        known = {r[_KEYS[target][0]] for r in rows[target]}
        for row in rows[table]:
            values = [v for v in row[column].split("|") if v] if is_list else [row[column]]
            for value in values:
                if value and value not in known:
                    problems.append(f"{table}.{column}: unknown {target} {value!r}")
    for row in rows["collaborations"]:
        if not row["source"] < row["target"]:
            problems.append(f"collaborations: {row['source']} >= {row['target']}")
    for row in rows["services"]:
        if not 0 <= int(row["available"]) <= int(row["capacity"]):
            problems.append(f"services: {row['id']} available outside 0..capacity")
    return problems
