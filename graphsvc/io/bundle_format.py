"""The native bundle format: a folder of CSV files, one per kind of record (seeds/README.md),
or the same tables in one JSON file (`schemas/bundle.schema.json`).

Each table lists its columns with a type; `|` separates list items in CSV (JSON uses arrays).
This module only describes the format; reading and checking it is in bundle.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphsvc.model import (
    ACTION_STATUSES,
    ACTOR_KINDS,
    ACTOR_LINES,
    CAPACITY_PROVENANCES,
    FUNDING_SCHEMES,
    NEED_DOMAINS,
    OBJECTIVE_LEVELS,
    SERVICE_STATUSES,
    ZONE_LEVELS,
)

LIST_SEPARATOR = "|"
# Identifiers an actor may carry from other registers, each kept as an actor property:
# NIHDI/RIZIV/INAMI number, KBO/CBE/BCE enterprise number, AFMPS/FAGG pharmacy authorisation.
IDENTIFIER_SCHEMES = ("nihdi", "kbo", "afmps")


@dataclass(frozen=True)
class Column:
    """One CSV column: its type, whether it may be empty, and what it refers to."""

    name: str
    kind: str = "str"  # str, id, int, float, list, date, pseudonym
    required: bool = True
    choices: tuple[str, ...] = ()
    ref: str | None = None  # table whose key this column (or each list item) refers to
    bounds: tuple[float, float] | None = None  # smallest and largest value of a number
    # a trailing column added later: files written before it may leave it out (read as empty)
    omissible: bool = False


@dataclass(frozen=True)
class Table:
    """One CSV file of a bundle: its columns and which columns form its unique key."""

    name: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    description: str = ""

    @property
    def file(self) -> str:
        return f"{self.name}.csv"

    @property
    def header(self) -> list[str]:
        return [c.name for c in self.columns]

    def padding(self, found: list[str]) -> int | None:
        """How many omissible trailing columns a file with header `found` leaves out (0 for
        the full header), or None if `found` is not an accepted header."""
        full = self.header
        if found == full:
            return 0
        left = len(full) - len(found)
        if (
            left > 0
            and found == full[: len(found)]
            and all(c.omissible for c in self.columns[len(found) :])
        ):
            return left
        return None


def _c(name: str, kind: str = "str", **kw: object) -> Column:
    return Column(name, kind, **kw)  # type: ignore[arg-type]


LAT = {"bounds": (-90.0, 90.0)}  # WGS 84 degrees
LON = {"bounds": (-180.0, 180.0)}

TABLES: tuple[Table, ...] = (
    Table("zones", (
        _c("id", "id"), _c("name"), _c("level", choices=ZONE_LEVELS),
        _c("population", "int", required=False), _c("lat", "float", required=False, **LAT),
        _c("lon", "float", required=False, **LON),
        _c("part_of", "id", required=False, ref="zones"),
    ), key=("id",)),
    Table("service_types", (
        _c("code", "id"), _c("name"), _c("category", required=False),
        _c("broader", "id", required=False, ref="service_types"),
    ), key=("code",)),
    Table("need_types", (
        _c("code", "id"), _c("name"), _c("domain", choices=NEED_DOMAINS),
        _c("met_by", "list", required=False, ref="service_types"),
    ), key=("code",)),
    Table("actors", (
        _c("id", "id"), _c("name"), _c("kind", choices=ACTOR_KINDS),
        _c("line", choices=ACTOR_LINES), _c("discipline", required=False),
        _c("languages", "list", required=False), _c("lat", "float", required=False, **LAT),
        _c("lon", "float", required=False, **LON), _c("zone", "id", ref="zones"),
    ), key=("id",)),
    Table("actor_identifiers", (
        _c("actor", "id", ref="actors"), _c("scheme", choices=IDENTIFIER_SCHEMES),
        _c("value", "id"),
    ), key=("actor", "scheme"), description="optional; identifiers from other registers"),
    Table("networks", (_c("id", "id"), _c("name"), _c("kind", required=False)), key=("id",)),
    Table("memberships", (
        _c("actor", "id", ref="actors"), _c("network", "id", ref="networks"),
        _c("role", required=False),
    ), key=("actor", "network")),
    Table("collaborations", (
        _c("source", "id", ref="actors"), _c("target", "id", ref="actors"),
        _c("kind", required=False), _c("since", "int", required=False),
    ), key=("source", "target")),
    Table("services", (
        _c("id", "id"), _c("actor", "id", ref="actors"), _c("type", "id", ref="service_types"),
        _c("name"), _c("capacity", "int", required=False), _c("available", "int"),
        _c("languages", "list", required=False), _c("eligibility", "list", required=False),
        _c("status", choices=SERVICE_STATUSES),
        _c("covers", "list", required=False, ref="zones"),
        _c("capacity_provenance", required=False, choices=CAPACITY_PROVENANCES, omissible=True),
    ), key=("id",)),
    Table("service_classifications", (
        _c("service", "id", ref="services"), _c("type", "id", ref="service_types"),
    ), key=("service", "type"), description="optional; every taxonomy term of a service"),
    Table("zone_needs", (
        _c("zone", "id", ref="zones"), _c("need", "id", ref="need_types"),
        _c("people", "int"), _c("year", "int", required=False), _c("source", required=False),
    ), key=("zone", "need")),
    Table("patients", (
        _c("id", "pseudonym"), _c("zone", "id", ref="zones"),
        _c("languages", "list", required=False), _c("eligibility", "list", required=False),
        _c("case_manager", "id", ref="actors"),
    ), key=("id",)),
    Table("patient_needs", (
        _c("patient", "pseudonym", ref="patients"), _c("need", "id", ref="need_types"),
        _c("since", "date", required=False),
    ), key=("patient", "need")),
)  # fmt: skip

# Co-creation (issue 10): loco-regional action plans, care pathways, funding and the vicinity
# network each team works in. All optional: bundles without them load unchanged.
COPLAN_TABLES: tuple[Table, ...] = (
    Table("objectives", (
        _c("id", "id"), _c("name"), _c("level", choices=OBJECTIVE_LEVELS),
        _c("zone", "id", ref="zones"), _c("parent", "id", required=False, ref="objectives"),
    ), key=("id",), description="optional; strategic and operational objectives"),
    Table("actions", (
        _c("id", "id"), _c("name"), _c("objective", "id", ref="objectives"),
        _c("status", choices=ACTION_STATUSES), _c("start_date", "date", required=False),
        _c("end_date", "date", required=False), _c("zones", "list", ref="zones"),
        _c("needs", "list", ref="need_types"),
    ), key=("id",), description="optional; actions of an action plan"),
    Table("action_commitments", (
        _c("action", "id", ref="actions"), _c("actor", "id", ref="actors"),
        _c("role", required=False),
    ), key=("action", "actor"), description="optional; actors committing to actions"),
    Table("planned_services", (
        _c("id", "id"), _c("action", "id", ref="actions"), _c("actor", "id", ref="actors"),
        _c("type", "id", ref="service_types"), _c("name"), _c("capacity", "int"),
        _c("languages", "list", required=False), _c("eligibility", "list", required=False),
        _c("covers", "list", ref="zones"),
    ), key=("id",), description="optional; to-be services (status planned) of actions"),
    Table("care_pathways", (
        _c("id", "id"), _c("name"), _c("need", "id", ref="need_types"),
        _c("share", "float", required=False, bounds=(0.0, 1.0)),
        _c("zone", "id", required=False, ref="zones"),
        _c("network", "id", required=False, ref="networks"),
    ), key=("id",), description="optional; care pathways"),
    Table("pathway_steps", (
        _c("pathway", "id", ref="care_pathways"), _c("step", "int"),
        _c("type", "id", ref="service_types"), _c("name"), _c("day", "int"),
    ), key=("pathway", "step"), description="optional; ordered steps of care pathways"),
    Table("enrolments", (
        _c("patient", "pseudonym", ref="patients"), _c("pathway", "id", ref="care_pathways"),
        _c("since", "date"), _c("completed", "int", required=False),
    ), key=("patient", "pathway"), description="optional; patients enrolled in pathways"),
    Table("funding", (
        _c("id", "id"), _c("zone", "id", required=False, ref="zones"),
        _c("network", "id", required=False, ref="networks"),
        _c("scheme", choices=FUNDING_SCHEMES), _c("amount", "int"),
        _c("start_date", "date"), _c("end_date", "date"), _c("source"),
    ), key=("id",), description="optional; funding of a zone, a network or a team"),
    Table("network_zones", (
        _c("network", "id", ref="networks"), _c("zone", "id", ref="zones"),
    ), key=("network",), description="optional; the zone a team or network works in"),
)  # fmt: skip
# Directory detail (issue 15, io/directory_bundle.py): HSDS locations and fields. Optional.
DIRECTORY_TABLES: tuple[Table, ...] = (
    Table("locations", (
        _c("id", "id"), _c("actor", "id", required=False, ref="actors"),
        _c("name", required=False), _c("lat", "float", required=False, **LAT),
        _c("lon", "float", required=False, **LON), _c("address", required=False),
        _c("accessibility", required=False), _c("detail", required=False),
    ), key=("id",), description="optional; places where services are given (HSDS location)"),
    Table("service_locations", (
        _c("service", "id", ref="services"), _c("location", "id", ref="locations"),
        _c("detail", required=False),
    ), key=("service", "location"), description="optional; services at locations"),
    Table("actor_details", (
        _c("actor", "id", ref="actors"), _c("detail"),
    ), key=("actor",), description="optional; directory detail of actors (JSON object)"),
    Table("service_details", (
        _c("service", "id", ref="services"), _c("detail"),
    ), key=("service",), description="optional; directory detail of services (JSON object)"),
)  # fmt: skip
TABLES = (*TABLES, *COPLAN_TABLES, *DIRECTORY_TABLES)

TABLES_BY_NAME = {t.name: t for t in TABLES}
REQUIRED_TABLES = ("zones",)
# Tables added after the first seeds: exports write them only when they hold rows.
OPTIONAL_TABLES = (
    "actor_identifiers",
    "service_classifications",
    *(t.name for t in COPLAN_TABLES),
    *(t.name for t in DIRECTORY_TABLES),
)
