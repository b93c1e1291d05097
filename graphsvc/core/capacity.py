"""Capacity that is never silently zero (issue 18): provenance and the default places table.

A service's `capacity` is declared by its source, estimated from the table of default places
per service type (`default_places.csv` beside this module, editable, one source noted per row),
or unknown (null). Gap queries take `capacity`: DECLARED counts declared and already estimated
capacities and reports the services whose capacity is unknown; ESTIMATED also fills unknown
capacities from the table (a type without a row stays unknown).
"""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from graphsvc.errors import InputError

DECLARED, ESTIMATED = "declared", "estimated"
MODES = (DECLARED, ESTIMATED)
UNKNOWN = "unknown"
TABLE = Path(__file__).with_name("default_places.csv")
UNITS = ("provider",)  # places per provider; per-inhabitant rates are not implemented yet


def provenance_of(capacity: int | float | None, provenance: str | None) -> str:
    """The stored provenance, or the one a capacity implies (older graphs have none)."""
    if provenance:
        return provenance
    return UNKNOWN if capacity is None else DECLARED


@cache
def default_places(path: Path = TABLE) -> dict[str, float]:
    """Default places per provider by service type code, from the table (checked)."""
    table: dict[str, float] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for line, row in enumerate(csv.DictReader(handle), start=2):
            where = f"{path.name} row {line}"
            try:
                places = float(row["places"])
            except (TypeError, ValueError):
                problem = f"{where} field places: {row['places']!r} is not a number"
                raise InputError([problem]) from None
            if places < 0 or row["per"] not in UNITS or not row.get("source"):
                raise InputError([f"{where}: places must be >= 0, per one of {UNITS}, "
                                  "and a source given"])  # fmt: skip
            table[row["service_type"]] = places
    return table


def check_mode(mode: str) -> str:
    if mode not in MODES:
        raise InputError([f"argument capacity: {mode!r} is not one of {MODES}"])
    return mode
