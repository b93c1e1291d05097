"""Small-cell suppression of one hierarchy of totals, the shape of patientCounts' tables.

Counts come in *lines*: a total and the cells that add up to it. `suppress` hides the counts
of 1 to k-1 and whatever complementary counts are needed so that the attacker of
graphsvc.security.sdc (integer programming over every line) narrows no hidden count to
1..k-1. Cells absent from `values` count zero (and are shown). Linked tables with other
relations (need counts at most the patients', ...) use graphsvc.security.sdc directly.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from graphsvc.security.sdc import Relation, attack, protect

Key = Hashable


@dataclass(frozen=True)
class Line:
    """`total` is the sum of `cells`."""

    total: Key
    cells: tuple[Key, ...]


def relations_of(lines: Sequence[Line]) -> list[Relation]:
    return [Relation.total(line.total, line.cells) for line in lines]


def suppress(values: Mapping[Key, int], lines: Sequence[Line], k: int) -> set[Key]:
    """The keys to hide so that no count below k can be shown or derived."""
    return protect(_complete(values, lines), relations_of(lines), k)


def derive_bounds(
    values: Mapping[Key, int], lines: Sequence[Line], hidden: Iterable[Key]
) -> dict[Key, tuple[float, float]]:
    """Interval of each hidden key, from the shown values and the lines (each hidden >= 1)."""
    hidden = set(hidden)
    shown = {key: v for key, v in _complete(values, lines).items() if key not in hidden}
    return attack(shown, relations_of(lines), hidden)


def _complete(values: Mapping[Key, int], lines: Sequence[Line]) -> dict[Key, int]:
    full = dict(values)
    for line in lines:
        for key in (line.total, *line.cells):
            full.setdefault(key, 0)
    return full
