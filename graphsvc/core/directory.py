"""The directory of the care network: zones, actors, services and the two vocabularies."""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Self

from graphsvc.errors import InputError, NotFound
from graphsvc.store import Row, Store

MAX_PAGE = 1000
DEFAULT_PAGE = 100


class _FromRow:
    @classmethod
    def from_row(cls, row: Row) -> Self:
        """Build from a query row, ignoring columns the dataclass does not have."""
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: v for k, v in row.items() if k in names})


@dataclass(frozen=True)
class Zone(_FromRow):
    id: str
    name: str
    level: str
    population: int | None = None
    lat: float | None = None
    lon: float | None = None
    parent: str | None = None


@dataclass(frozen=True)
class Actor(_FromRow):
    id: str
    name: str
    kind: str
    line: str
    discipline: str | None = None
    languages: list[str] | None = None
    lat: float | None = None
    lon: float | None = None
    zone: str | None = None


@dataclass(frozen=True)
class Service(_FromRow):
    id: str
    name: str
    capacity: int | None  # None: unknown (capacity_provenance 'unknown')
    available: int
    status: str
    actor: str
    type: str
    capacity_provenance: str | None = None  # graphsvc.model.CAPACITY_PROVENANCES
    languages: list[str] | None = None
    eligibility: list[str] | None = None
    covers: list[str] | None = None


@dataclass(frozen=True)
class ServiceType(_FromRow):
    code: str
    name: str
    category: str | None = None
    broader: str | None = None


@dataclass(frozen=True)
class NeedType(_FromRow):
    code: str
    name: str
    domain: str
    met_by: list[str] | None = None


@dataclass(frozen=True)
class Page:
    """Offset pagination with a capped page size."""

    offset: int = 0
    limit: int = DEFAULT_PAGE

    def __post_init__(self) -> None:
        problems = []
        if self.offset < 0:
            problems.append(f"argument offset: {self.offset} is negative")
        if not 1 <= self.limit <= MAX_PAGE:
            problems.append(f"argument limit: {self.limit} is not between 1 and {MAX_PAGE}")
        if problems:
            raise InputError(problems)


def list_zones(store: Store, level: str | None, parent: str | None, page: Page) -> list[Zone]:
    """Zones by id order, optionally of one level or directly part of one zone."""
    if parent is not None:
        require_zone(store, parent)
    rows = store.run("list_zones", level=level, parent=parent, offset=page.offset,
                     limit=page.limit)  # fmt: skip
    return [Zone.from_row(r) for r in rows]


def get_zones(store: Store, ids: list[str]) -> dict[str, Zone]:
    """Zones by id in one round trip; unknown ids are absent from the result."""
    return {r["id"]: Zone.from_row(r) for r in store.run("get_zones", ids=ids)} if ids else {}


def require_zone(store: Store, zone_id: str, argument: str = "zoneId") -> Zone:
    """The zone, or NotFound naming the argument."""
    zone = get_zones(store, [zone_id]).get(zone_id)
    if zone is None:
        raise NotFound(f"argument {argument}: unknown zone {zone_id!r}")
    return zone


def zone_parts(store: Store, ids: list[str]) -> dict[str, list[Zone]]:
    """The direct parts of each zone, in one round trip."""
    parts: dict[str, list[Zone]] = {zone_id: [] for zone_id in ids}
    for row in store.run("list_zone_parts", ids=ids) if ids else []:
        parts[row["parent"]].append(Zone.from_row(row))
    return parts


def list_actors(
    store: Store, zone: str | None, line: str | None, kind: str | None, page: Page
) -> list[Actor]:
    """Actors located in a zone (or its parts), of a line and kind, by id order."""
    if zone is not None:
        require_zone(store, zone)
    rows = store.run("list_actors", zone=zone, line=line, kind=kind, offset=page.offset,
                     limit=page.limit)  # fmt: skip
    return [Actor.from_row(r) for r in rows]


def get_actors(store: Store, ids: list[str]) -> dict[str, Actor]:
    """Actors by id in one round trip; unknown ids are absent."""
    return {r["id"]: Actor.from_row(r) for r in store.run("get_actors", ids=ids)} if ids else {}


def services_of_actors(store: Store, ids: list[str]) -> dict[str, list[Service]]:
    """The services each actor provides, in one round trip."""
    result: dict[str, list[Service]] = {actor_id: [] for actor_id in ids}
    for row in store.run("list_services_of_actors", ids=ids) if ids else []:
        result[row["actor"]].append(Service.from_row(row))
    return result


def list_services(
    store: Store,
    actor: str | None,
    service_type: str | None,
    zone: str | None,
    status: str | None,
    page: Page,
) -> list[Service]:
    """Services by id order, filtered by provider, type (narrower included), zone and status."""
    if zone is not None:
        require_zone(store, zone)
    rows = store.run("list_services", actor=actor, type=service_type, zone=zone, status=status,
                     offset=page.offset, limit=page.limit)  # fmt: skip
    return [Service.from_row(r) for r in rows]


def list_service_types(store: Store) -> list[ServiceType]:
    """The whole service-type vocabulary."""
    return [ServiceType.from_row(r) for r in store.run("list_service_types")]


def list_need_types(store: Store) -> list[NeedType]:
    """The whole need-type vocabulary with the service types meeting each."""
    return [NeedType.from_row(r) for r in store.run("list_need_types")]


def counts(store: Store) -> dict[str, int]:
    """Nodes per label and relationships per type, in two round trips."""
    result: dict[str, Any] = {r["label"]: r["count"] for r in store.run("count_nodes")}
    result.update({r["type"]: r["count"] for r in store.run("count_relationships")})
    return result
