"""The bundle's record types and the checks its readers share (issue 20: one layer below them).

`bundle.py` (CSV folders and the checks), `bundle_json.py` (one JSON file), `coplan_bundle.py`
(the co-creation tables) and the importers of other formats all build or check these; keeping
them here lets each of those import downward instead of in a circle through `bundle.py`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.store.base import Row

# the shape of a key (`id` columns) and of a patient pseudonym (HMAC-SHA256, hex)
ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
PSEUDONYM = re.compile(r"^[0-9a-f]{64}$")

# One record of a table before checking: where it came from, and its values (strings as in a
# CSV file, or JSON values: numbers, lists of strings, null).
Record = tuple[str, dict[str, Any]]

# Looks up which of some keys of a table already exist in the database (see `store_lookup`).
ExistingKeys = Callable[[str, set[Any]], set[Any]]


@dataclass
class Bundle:
    """Checked rows per table (values already typed), and where they came from."""

    source: Path
    tables: dict[str, list[Row]] = field(default_factory=dict)
    lines: dict[str, list[int]] = field(default_factory=dict)  # file line of each row
    # keys of rows with a bad field: already reported, so references to them are not
    broken_keys: dict[str, set[Any]] = field(default_factory=dict)
    # where each row came from ("zones.csv row 3", "bundle.json zones[2]"), when not a CSV line
    origins: dict[str, list[str]] = field(default_factory=dict)
    # tables refused as a whole (already reported), so references into them are not
    rejected: set[str] = field(default_factory=set)

    def where(self, table: str, index: int) -> str:
        """'file row N' (or the record's origin) for the index-th row of a table."""
        if table in self.origins:
            return self.origins[table][index]
        return f"{table}.csv row {self.lines[table][index]}"

    def count(self) -> int:
        """Number of records in all tables."""
        return sum(len(rows) for rows in self.tables.values())


def check_acyclic(bundle: Bundle, table: str, key: str, parent: str, problems: list[str]) -> bool:
    """One problem per cycle of `parent` links, at the row of its first member in the file
    (rows that merely lead into a cycle are not part of it); True when there is none."""
    rows = bundle.tables.get(table, [])
    index_of = {row[key]: index for index, row in enumerate(rows)}
    parents = {row[key]: row[parent] for row in rows if row[parent]}
    done: set[Any] = set()
    acyclic = True
    for start in parents:
        path: list[Any] = []
        on_path: set[Any] = set()
        node = start
        while node in parents and node not in done and node not in on_path:
            path.append(node)
            on_path.add(node)
            node = parents[node]
        if node in on_path:
            acyclic = False
            cycle = path[path.index(node) :]
            first = min(range(len(cycle)), key=lambda i: index_of[cycle[i]])
            cycle = cycle[first:] + cycle[:first]
            loop = " -> ".join(str(k) for k in [*cycle, cycle[0]])
            others = ", ".join(bundle.where(table, index_of[k]) for k in cycle[1:])
            problems.append(
                f"{bundle.where(table, index_of[cycle[0]])} field {parent}: {cycle[0]!r} is part "
                f"of a cycle {loop}" + (f" (with {others})" if others else "")
            )
        done.update(path)
    return acyclic
