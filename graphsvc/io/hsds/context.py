"""The state one HSDS import's mappers share: the tables read, the report, and what earlier
mappers found (term codes, locations, actors...)."""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from graphsvc.io.bundle import ExistingKeys, Record
from graphsvc.io.hsds.read import HsdsRow, Tables
from graphsvc.io.mapping import ImportReport, prefixed

ID_RULE = " (empty, or longer than 128 characters, or other than letters, digits, . _ : -)"
OWN_ID = "graphsvc id"  # identifier type / attribute link type carrying graphsvc's own id


def text(row: dict[str, Any], *names: str) -> str:
    """The first non-blank value of `names` in a row, stripped ('' when none)."""
    for name in names:
        value = row.get(name)
        if value is not None and str(value).strip():
            return str(value).strip()
    return ""


def number(value: Any) -> float | None:
    """A finite number, or None."""
    try:
        found = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return found if found == found and abs(found) != float("inf") else None


_TIME = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?(?::(\d{2}))?\s*([AaPp][Mm])?\s*$")
_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_HOST = re.compile(r"^[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+(/\S*)?$")


def clock_time(value: str) -> str | None:
    """'8:00am' -> '08:00:00' (HSDS 3.0 times), None when not a time of day."""
    found = _TIME.match(value)
    if not found:
        return None
    hour, minute, second = int(found[1]), int(found[2] or 0), int(found[3] or 0)
    if found[4]:
        hour = hour % 12 + (12 if found[4].lower() == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    return f"{hour:02d}:{minute:02d}:{second:02d}"


def web_address(value: str) -> str:
    """A web address without a scheme ('www.cdc.gov/') read as http (a 3.0 uri needs one)."""
    value = value.strip()
    return f"http://{value}" if not _SCHEME.match(value) and _HOST.match(value) else value


@dataclass
class Ctx:
    """One import: input tables, output records and the maps between them."""

    tables: Tables
    prefix: str
    title: str
    report: ImportReport
    zone: str | None = None
    existing: ExistingKeys | None = None
    out: dict[str, list[Record]] = field(default_factory=lambda: defaultdict(list))
    own_ids: dict[tuple[str, str], str] = field(default_factory=dict)  # (entity, hsds id) -> id
    code_of: dict[str, str] = field(default_factory=dict)  # term id -> service type code
    eligibility_terms: dict[str, str] = field(default_factory=dict)
    own_id_terms: set[str] = field(default_factory=set)
    seen_codes: set[str] = field(default_factory=set)
    locations: dict[str, dict[str, Any]] = field(default_factory=dict)
    location_of: dict[str, str] = field(default_factory=dict)  # hsds location id -> graph id
    language_rows: dict[tuple[str, str], list[str]] = field(
        default_factory=lambda: defaultdict(list)
    )
    service_locations: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    root: str = ""
    service_zones: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    actor_of: dict[str, str] = field(default_factory=dict)  # hsds organization id -> actor id
    service_of: dict[str, str] = field(default_factory=dict)  # hsds service id -> service id
    placeholders: dict[str, str] = field(default_factory=dict)

    def rows(self, table: str) -> list[HsdsRow]:
        """The rows of one normalised table ([] when the source has none)."""
        return self.tables.get(table, [])

    def pid(self, raw: Any, entity: str = "") -> str | None:
        """The graph id of a source id (graphsvc's own id when the source carries it)."""
        own = self.own_ids.get((entity, str(raw).strip())) if entity else None
        return prefixed(self.prefix, own if own else raw)
