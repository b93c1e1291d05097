"""GraphQL types of the directory detail (issue 15 item 2): what HSDS says of an organisation
(`Actor.directory`), a service (`Service.directory`), their locations (`Actor.locations`,
`Service.locations` with what the service-at-location link adds) and the phones, contacts,
schedules and addresses on each. Nested records keep every field they had in `fields` (JSON);
the common ones are typed. Read through one DataLoader per kind and request."""

from __future__ import annotations

import json
from typing import Any

import strawberry
from strawberry.dataloader import DataLoader
from strawberry.scalars import JSON

from graphsvc.api.context import call
from graphsvc.core import directory_detail

Props = dict[str, Any]


def _records(props: Props, key: str) -> list[dict[str, Any]]:
    """A JSON-text list property as its records ([] when absent or not a list of objects)."""
    try:
        found = json.loads(props.get(key) or "[]")
    except (TypeError, json.JSONDecodeError):
        return []
    return [r for r in found if isinstance(r, dict)] if isinstance(found, list) else []


def _text(record: dict[str, Any], *keys: str) -> str | None:
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return str(value)
    return None


@strawberry.type(description="A phone number (HSDS phone).")
class Phone:
    number: str | None
    extension: str | None
    type: str | None
    description: str | None
    fields: JSON = strawberry.field(description="Every field the source gave.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> Phone:
        return cls(number=_text(r, "number"), extension=_text(r, "extension"),
                   type=_text(r, "type"), description=_text(r, "description"),
                   fields=r)  # fmt: skip


@strawberry.type(description="A person or desk to contact (HSDS contact).")
class Contact:
    name: str | None
    title: str | None
    department: str | None
    email: str | None
    fields: JSON = strawberry.field(description="Every field the source gave.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> Contact:
        return cls(name=_text(r, "name"), title=_text(r, "title"),
                   department=_text(r, "department"), email=_text(r, "email"),
                   fields=r)  # fmt: skip


@strawberry.type(description="When a service or location is open (HSDS schedule: RRULE "
                 "fields; 1.x regular schedules become weekly rules).")  # fmt: skip
class Schedule:
    freq: str | None
    byday: str | None
    opens_at: str | None
    closes_at: str | None
    valid_from: str | None
    valid_to: str | None
    description: str | None
    fields: JSON = strawberry.field(description="Every field the source gave.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> Schedule:
        return cls(freq=_text(r, "freq"), byday=_text(r, "byday"),
                   opens_at=_text(r, "opens_at"), closes_at=_text(r, "closes_at"),
                   valid_from=_text(r, "valid_from"), valid_to=_text(r, "valid_to"),
                   description=_text(r, "description", "notes"), fields=r)  # fmt: skip


@strawberry.type(description="A postal or physical address (HSDS address).")
class Address:
    address_1: str | None
    address_2: str | None
    city: str | None
    region: str | None
    state_province: str | None
    postal_code: str | None
    country: str | None
    address_type: str | None
    fields: JSON = strawberry.field(description="Every field the source gave.")

    @classmethod
    def of(cls, r: dict[str, Any]) -> Address:
        return cls(address_1=_text(r, "address_1"), address_2=_text(r, "address_2"),
                   city=_text(r, "city"), region=_text(r, "region"),
                   state_province=_text(r, "state_province"),
                   postal_code=_text(r, "postal_code"), country=_text(r, "country"),
                   address_type=_text(r, "address_type"), fields=r)  # fmt: skip


def _whole(value: Any) -> int | None:
    """A whole number stored as int or float (HSDS numbers are read as floats)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and value == int(value):
        return int(value)
    return None


def _common(props: Props) -> dict[str, Any]:
    return {"phones": [Phone.of(r) for r in _records(props, "phones")],
            "contacts": [Contact.of(r) for r in _records(props, "contacts")],
            "metadata": _records(props, "metadata")}  # fmt: skip


@strawberry.type(description="A place where an organisation is or a service is offered.")
class Location:
    id: strawberry.ID
    name: str | None
    lat: float | None
    lon: float | None
    address: str | None = strawberry.field(description="The first address on one line.")
    accessibility: str | None
    zone_id: str | None = strawberry.field(
        description="The finest zone the coordinates fall in (null: none, or no coordinates)."
    )
    location_type: str | None
    url: str | None
    alternate_name: str | None
    description: str | None
    transportation: str | None
    external_identifier: str | None
    external_identifier_type: str | None
    language_codes: list[str]
    addresses: list[Address]
    schedules: list[Schedule]
    phones: list[Phone]
    contacts: list[Contact]
    accessibility_details: list[JSON]
    language_details: list[JSON]
    attributes: list[JSON]
    metadata: list[JSON]

    @classmethod
    def of(cls, p: Props) -> Location:
        codes = p.get("language_codes")
        return cls(
            id=strawberry.ID(p["id"]), name=p.get("name"), lat=p.get("lat"), lon=p.get("lon"),
            address=p.get("address"), accessibility=p.get("accessibility"),
            zone_id=p.get("zone"), location_type=p.get("location_type"), url=p.get("url"),
            alternate_name=p.get("alternate_name"), description=p.get("description"),
            transportation=p.get("transportation"),
            external_identifier=p.get("external_identifier"),
            external_identifier_type=p.get("external_identifier_type"),
            language_codes=list(codes) if isinstance(codes, list) else [],
            addresses=[Address.of(r) for r in _records(p, "addresses")],
            schedules=[Schedule.of(r) for r in _records(p, "schedules")],
            accessibility_details=_records(p, "accessibility_details"),
            language_details=_records(p, "language_details"),
            attributes=_records(p, "attributes"), **_common(p),
        )  # fmt: skip


@strawberry.type(description="A service at one location (HSDS service_at_location): the "
                 "location and the service's phones, contacts and schedules there.")  # fmt: skip
class ServiceLocation:
    location: Location
    description: str | None
    phones: list[Phone]
    contacts: list[Contact]
    schedules: list[Schedule]


@strawberry.type(description="What the directory says of an organisation (HSDS organization).")
class OrganizationDetail:
    alternate_name: str | None
    description: str | None
    email: str | None
    website: str | None
    tax_status: str | None
    tax_id: str | None
    year_incorporated: int | None
    legal_status: str | None
    logo: str | None
    uri: str | None
    parent_organization_id: str | None
    phones: list[Phone]
    contacts: list[Contact]
    funding: list[JSON]
    programs: list[JSON]
    identifiers: list[JSON] = strawberry.field(
        description="Identifiers other than the typed ones (NIHDI, KBO, AFMPS on the actor)."
    )
    attributes: list[JSON]
    metadata: list[JSON]

    @classmethod
    def of(cls, p: Props) -> OrganizationDetail:
        year = p.get("year_incorporated")
        return cls(
            alternate_name=p.get("alternate_name"), description=p.get("description"),
            email=p.get("email"), website=p.get("website"), tax_status=p.get("tax_status"),
            tax_id=p.get("tax_id"), year_incorporated=_whole(year),
            legal_status=p.get("legal_status"), logo=p.get("logo"), uri=p.get("uri"),
            parent_organization_id=p.get("parent_organization_id"),
            funding=_records(p, "funding"), programs=_records(p, "programs"),
            identifiers=_records(p, "identifiers"), attributes=_records(p, "attributes"),
            **_common(p),
        )  # fmt: skip


@strawberry.type(description="What the directory says of a service (HSDS service).")
class ServiceDetail:
    alternate_name: str | None
    description: str | None
    url: str | None
    email: str | None
    interpretation_services: str | None
    application_process: str | None
    fees_description: str | None
    wait_time: str | None
    fees: str | None
    accreditations: str | None
    licenses: str | None
    eligibility_description: str | None
    minimum_age: float | None
    maximum_age: float | None
    alert: str | None
    assured_date: str | None
    assurer_email: str | None
    last_modified: str | None
    program_id: str | None
    phones: list[Phone]
    contacts: list[Contact]
    schedules: list[Schedule]
    funding: list[JSON]
    required_documents: list[JSON]
    cost_options: list[JSON]
    service_areas: list[JSON]
    language_details: list[JSON]
    metadata: list[JSON]

    @classmethod
    def of(cls, p: Props) -> ServiceDetail:
        def num(key: str) -> float | None:
            try:
                return float(p[key]) if p.get(key) is not None else None
            except (TypeError, ValueError):
                return None

        texts = ("alternate_name", "description", "url", "email", "interpretation_services",
                 "application_process", "fees_description", "wait_time", "fees",
                 "accreditations", "licenses", "eligibility_description", "alert",
                 "assured_date", "assurer_email", "last_modified", "program_id")  # fmt: skip
        return cls(
            **{k: (str(p[k]) if p.get(k) is not None else None) for k in texts},
            minimum_age=num("minimum_age"), maximum_age=num("maximum_age"),
            schedules=[Schedule.of(r) for r in _records(p, "schedules")],
            funding=_records(p, "funding"), required_documents=_records(p, "required_documents"),
            cost_options=_records(p, "cost_options"), service_areas=_records(p, "service_areas"),
            language_details=_records(p, "language_details"), **_common(p),
        )  # fmt: skip


def _loader(info: Any, name: str, fn: Any) -> DataLoader:
    """One loader per kind and request, kept on the context: a list costs one trip."""
    context = info.context
    loaders = getattr(context, "_directory_loaders", None)
    if loaders is None:
        loaders = context._directory_loaders = {}
    if name not in loaders:

        async def load(ids: list[str]) -> list[Any]:
            found = await call(fn, context.store, ids)
            return [found.get(i) for i in ids]

        loaders[name] = DataLoader(load)
    return loaders[name]


async def organization_detail(info: Any, actor: str) -> OrganizationDetail | None:
    """The actor's directory detail (null when the actor is gone)."""
    props = await _loader(info, "actors", directory_detail.actor_details).load(actor)
    return OrganizationDetail.of(props) if props is not None else None


async def service_detail(info: Any, service: str) -> ServiceDetail | None:
    """The service's directory detail (null when the service is gone)."""
    props = await _loader(info, "services", directory_detail.service_details).load(service)
    return ServiceDetail.of(props) if props is not None else None


async def detail_text(info: Any, table: str, node: str) -> str | None:
    """The node's detail as the JSON its source records keep (for `sources`)."""
    from graphsvc.io.directory_bundle import detail_text as text

    fn = directory_detail.actor_details if table == "actors" else directory_detail.service_details
    props = await _loader(info, table, fn).load(node)
    return text("actor_details" if table == "actors" else "service_details", props or {})


async def actor_locations(info: Any, actor: str) -> list[Location]:
    """The actor's locations."""
    found = await _loader(info, "actor_locations", directory_detail.actor_locations).load(actor)
    return [Location.of(p) for p in found or []]


async def service_locations(info: Any, service: str) -> list[ServiceLocation]:
    """Where the service is offered, with the link's own detail."""
    fn = directory_detail.service_locations
    found = await _loader(info, "service_locations", fn).load(service)
    return [_at(place, at) for place, at in found or []]


def _at(place: Props, at: Props) -> ServiceLocation:
    return ServiceLocation(
        location=Location.of(place), description=at.get("description"),
        phones=[Phone.of(r) for r in _records(at, "phones")],
        contacts=[Contact.of(r) for r in _records(at, "contacts")],
        schedules=[Schedule.of(r) for r in _records(at, "schedules")],
    )  # fmt: skip
