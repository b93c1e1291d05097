"""Small-cell suppression of patient counts, with complementary suppression (DESIGN §6).

Counts come in *lines*: a total and the cells that add up to it (a zone's patients are the
sum of its parts' and of those living in the zone itself). Anyone can subtract published
cells from a published total, so suppressing the small cells alone is not enough:

1. primary: a cell with 0 < count < k is suppressed (zero is shown: it discloses nobody);
2. complementary, repeated over every line until nothing changes:
   - a line with a published total whose suppressed cells are one alone, or add up to
     less than k, gets its smallest non-zero published cell suppressed too (ties by key);
     when there is none left, its total is suppressed;
   - a line with a suppressed total and every cell published gets its smallest non-zero
     cell suppressed (else the total is their sum).
   A suppressed total is a cell of the line above it, so suppression climbs the hierarchy.
3. audit: the intervals an attacker can derive from every published value (each suppressed
   cell is at least 1, as zeros are shown) are propagated through all lines; a suppressed
   cell whose interval is one value gets its whole line suppressed, and the rules run again.

Suppression is computed once over a whole zone hierarchy, so a cell is shown or hidden
whichever zone's table it appears in: two tables cannot be differenced to recover it.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass

Key = Hashable
INFINITY = float("inf")
MAX_AUDIT_ROUNDS = 50


@dataclass(frozen=True)
class Line:
    """`total` is the sum of `cells`."""

    total: Key
    cells: tuple[Key, ...]


def suppress(values: Mapping[Key, int], lines: Sequence[Line], k: int) -> set[Key]:
    """The keys to hide so that no count below k can be shown or derived."""
    hidden = {key for key, value in values.items() if 0 < value < k}
    while True:
        _complement(values, lines, k, hidden)
        pinned = exposed(values, lines, hidden)
        if not pinned:
            return hidden
        before = len(hidden)
        for line in lines:  # the audit found a derivable cell: hide its lines whole
            members = (line.total, *line.cells)
            if any(m in pinned for m in members):
                hidden.update(m for m in members if values.get(m, 0) > 0)
        if len(hidden) == before:  # nothing left to hide around it: hide every count
            return {key for key, value in values.items() if value > 0}


def _complement(values: Mapping[Key, int], lines: Sequence[Line], k: int, hidden: set) -> None:
    changed = True
    while changed:
        changed = False
        for line in lines:
            cells = [c for c in line.cells if values.get(c, 0) > 0]
            shown = sorted(
                (c for c in cells if c not in hidden), key=lambda c: (values[c], repr(c))
            )
            concealed = [c for c in cells if c in hidden]
            if line.total in hidden:
                if cells and not concealed:
                    hidden.add(shown[0])
                    changed = True
                continue
            if not concealed:
                continue
            if len(concealed) >= 2 and sum(values[c] for c in concealed) >= k:
                continue
            hidden.add(shown[0] if shown else line.total)
            changed = True


def exposed(values: Mapping[Key, int], lines: Sequence[Line], hidden: Iterable[Key]) -> set[Key]:
    """Hidden keys whose value an attacker can derive exactly from the shown ones."""
    bounds = derive_bounds(values, lines, hidden)
    return {key for key, (low, high) in bounds.items() if low == high}


def derive_bounds(
    values: Mapping[Key, int], lines: Sequence[Line], hidden: Iterable[Key]
) -> dict[Key, tuple[float, float]]:
    """Interval of each hidden key, from the shown values and the lines (each hidden >= 1)."""
    hidden = set(hidden)
    low: dict[Key, float] = {}
    high: dict[Key, float] = {}
    for key, value in values.items():
        low[key], high[key] = (1, INFINITY) if key in hidden else (value, value)
    for line in lines:
        for key in (line.total, *line.cells):
            if key not in low:  # an absent cell counts zero
                low[key] = high[key] = 0
    for _ in range(MAX_AUDIT_ROUNDS):
        changed = False
        for line in lines:
            t, cells = line.total, line.cells
            sum_low = sum(low[c] for c in cells)
            finite_high = sum(high[c] for c in cells if high[c] != INFINITY)
            unbounded = sum(1 for c in cells if high[c] == INFINITY)
            sum_high = finite_high if unbounded == 0 else INFINITY
            if sum_low > low[t]:
                low[t], changed = sum_low, True
            if sum_high < high[t]:
                high[t], changed = sum_high, True
            for c in cells:
                rest_low = sum_low - low[c]
                if high[c] == INFINITY:
                    rest_high = finite_high if unbounded == 1 else INFINITY
                else:
                    rest_high = finite_high - high[c] if unbounded == 0 else INFINITY
                if high[t] - rest_low < high[c]:
                    high[c], changed = high[t] - rest_low, True
                if low[t] - rest_high > low[c]:
                    low[c], changed = low[t] - rest_high, True
        if not changed:
            break
    return {key: (low[key], high[key]) for key in hidden}
