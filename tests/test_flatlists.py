"""Lists of plain objects answered in one pass (graphsvc.api.flatlists, issue 18 item 4): the
same answers and errors as graphql-core's field-by-field execution, taken where it applies."""

from __future__ import annotations

import asyncio
import math
from typing import Any

import pytest

from graphsvc.api import flatlists, planner
from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.store import Store

FLAT = build_schema(mask_internal_errors=False)
PLAIN = build_schema(mask_internal_errors=False, flat_lists=False)

QUERIES = [
    # the P8 selection, every method
    *(f'{{ serviceGaps(zoneId: "leuven", method: {m}, capacity: ESTIMATED) '
      "{ zoneId needCode ratio status rollup } }" for m in planner.CoverageMethod.__members__),
    # every leaf of a row, nullable ones included, aliases and __typename
    """{ serviceGaps(zoneId: "leuven", method: E2SFCA) { __typename z: zoneId needCode demand
         supply ratio status providerCount rollup estimatedSupply unknownCapacityServices
         providersPer10k idleCapacity normalizedRatio skippedServices method again: ratio } }""",
    # fragments, @skip/@include, nested lists (the rows' own fields go the ordinary way, their
    # services and parameters the flat way)
    """query ($no: Boolean = true) { serviceGaps(zoneId: "leuven", method: GRAVITY) {
         ...Row ratio @skip(if: $no) status @include(if: $no)
         methodParameters { name value } services { serviceId capacity capacityProvenance
         weight places provider { id } } worstParts { zoneId ratio status } } }
       fragment Row on GapRow { zoneId needCode }""",
    '{ zones { id name level population lat lon } actors { id name kind line lat lon } }',
    '{ serviceTypes { code name } needTypes { code name } }',
]  # fmt: skip


def run(schema: Any, store: Store, query: str) -> Any:
    return asyncio.run(schema.execute(query, context_value=Context(store=store)))


@pytest.mark.parametrize("query", QUERIES)
def test_the_same_answer_as_field_by_field(demo_store: Store, query: str) -> None:
    flat, plain = run(FLAT, demo_store, query), run(PLAIN, demo_store, query)
    assert plain.errors is None, plain.errors
    assert flat.errors is None and flat.data == plain.data
    assert any(isinstance(v, list) and v for v in flat.data.values())


def test_the_fast_path_is_taken(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[str, int]] = []
    original = flatlists.FlatListExecutionContext._complete_flat

    def spy(self: Any, item_type: Any, plan: Any, items: list) -> list:
        seen.append((item_type.name, len(items)))
        return original(self, item_type, plan, items)

    monkeypatch.setattr(flatlists.FlatListExecutionContext, "_complete_flat", spy)
    run(FLAT, demo_store, QUERIES[0])
    assert seen and seen[0][0] == "GapRow" and seen[0][1] > 9
    seen.clear()
    run(FLAT, demo_store, '{ serviceGaps(zoneId: "leuven") { zoneId zone { id } } }')
    assert [name for name, _ in seen] != ["GapRow"]  # a nested object: rows the ordinary way


def test_a_bad_value_is_reported_as_graphql_core_does(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A value the fast path cannot complete (NaN in a Float!, null in a non-null field) falls
    back to graphql-core, which names the field and path."""
    original = planner.GapRow.from_domain

    def broken(row: Any, *args: Any) -> planner.GapRow:
        made = original(row, *args)
        if made.zone_id == "leuven-vn-wijgmaal":
            made.ratio = math.nan
        return made

    monkeypatch.setattr(planner.GapRow, "from_domain", staticmethod(broken))
    query = '{ serviceGaps(zoneId: "leuven") { zoneId ratio } }'
    flat, plain = run(FLAT, demo_store, query), run(PLAIN, demo_store, query)
    assert plain.errors and flat.errors
    assert [e.message for e in flat.errors] == [e.message for e in plain.errors]
    assert [e.path for e in flat.errors] == [e.path for e in plain.errors]
    assert flat.data == plain.data
