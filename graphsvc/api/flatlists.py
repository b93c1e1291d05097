"""Lists of plain objects answered without per-field resolution (issue 18, item 4).

graphql-core resolves every field of every list item through `execute_field` (resolve info,
resolver call, completion): about 4 us a field, 25 ms for the 1,130 national gap rows of five
fields, five times pysal `access`'s whole catchment computation. When a list's items are
objects whose selected fields are all *basic* strawberry fields (no resolver, no permission
class, no field extension, no arguments) of a scalar or enum type, the answer of each field is
`getattr(item, python_name)` coerced by the leaf type, exactly what graphql-core would do; this
execution context does that directly. Anything else (nested objects, resolvers, @defer/@stream,
middleware, is_type_of, a null or uncoercible value) goes the ordinary way, so the answers and
errors are graphql-core's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from enum import Enum
from operator import attrgetter
from typing import Any

from graphql import (
    GraphQLBoolean,
    GraphQLEnumType,
    GraphQLFloat,
    GraphQLID,
    GraphQLInt,
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLResolveInfo,
    GraphQLString,
    Undefined,
    is_leaf_type,
)
from graphql.pyutils import Path
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import GraphQLCoreConverter

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
# Values graphql-core's built-in scalars return unchanged: (python type, extra check)
PASSTHROUGH: dict[Any, tuple[type, Callable[[Any], bool] | None]] = {
    GraphQLFloat: (float, math.isfinite),
    GraphQLInt: (int, lambda v: INT_MIN <= v <= INT_MAX),
    GraphQLString: (str, None),
    GraphQLID: (str, None),
    GraphQLBoolean: (bool, None),
}


@dataclass(slots=True)
class FieldPlan:
    """How one selected field is answered: None getter for __typename."""

    response_name: str
    getter: Callable[[Any], Any] | None = None
    leaf: GraphQLLeafType | None = None
    non_null: bool = True
    fast_type: type | None = None  # values of exactly this type pass unchanged ...
    check: Callable[[Any], bool] | None = None  # ... when this holds
    memo: dict[Any, Any] | None = None  # enums: member -> name, filled as met


Plan = list[FieldPlan]


class _NotFlat(Exception):
    """A value the fast path does not complete (null in a non-null field, coercion failed)."""


def _field_plan(object_type: GraphQLObjectType, name: str, response_name: str) -> FieldPlan:
    """How to answer one field, or raise _NotFlat."""
    field_def = object_type.fields.get(name)
    if field_def is None or field_def.args:
        raise _NotFlat
    definition = (field_def.extensions or {}).get(GraphQLCoreConverter.DEFINITION_BACKREF)
    resolve = field_def.resolve
    if (
        definition is None
        or not getattr(definition, "is_basic_field", False)
        or not getattr(resolve, "_is_default", False)
        or getattr(definition, "default_resolver", None) is not getattr
    ):
        raise _NotFlat
    field_type = field_def.type
    non_null = isinstance(field_type, GraphQLNonNull)
    leaf = field_type.of_type if non_null else field_type
    if not is_leaf_type(leaf):
        raise _NotFlat
    fast_type, check = PASSTHROUGH.get(leaf, (None, None))
    return FieldPlan(
        response_name,
        attrgetter(definition.python_name),
        leaf,  # type: ignore[arg-type]
        non_null,
        fast_type,
        check,
        {} if isinstance(leaf, GraphQLEnumType) else None,
    )


def _coerce(leaf: Any, value: Any) -> Any:
    """graphql-core's completion of a leaf value, or _NotFlat where it would report an error."""
    try:
        coerced = leaf.coerce_output_value(value)
    except Exception as error:  # graphql-core reports it, with its path
        raise _NotFlat from error
    if coerced is Undefined or coerced is None:
        raise _NotFlat
    return coerced


class FlatListExecutionContext(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with lists of plain objects completed in one pass."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._flat_plans: dict[tuple[int, int], tuple[Any, Plan | None]] = {}

    def _plan(self, item_type: GraphQLObjectType, field_details_list: Any) -> Plan | None:
        key = (id(item_type), id(field_details_list))
        cached = self._flat_plans.get(key)
        if cached is not None:
            return cached[1]
        plan: Plan | None
        try:
            plan = self._make_plan(item_type, field_details_list)
        except _NotFlat:
            plan = None
        self._flat_plans[key] = (field_details_list, plan)  # keeps the list alive for its id
        return plan

    def _make_plan(self, item_type: GraphQLObjectType, field_details_list: Any) -> Plan:
        middleware = self.middleware_manager
        if item_type.is_type_of is not None or (middleware is not None and middleware.middlewares):
            raise _NotFlat
        grouped, new_defer_usages, forbidden = self.collect_subfields(item_type, field_details_list)
        if new_defer_usages or forbidden:
            raise _NotFlat
        plan: Plan = []
        for response_name, details in grouped.items():
            if any(d.defer_usage is not None or d.fragment_variable_values for d in details):
                raise _NotFlat
            node = details[0].node
            if node.arguments:
                raise _NotFlat
            name = node.name.value
            if name == "__typename":
                plan.append(FieldPlan(response_name))
                continue
            plan.append(_field_plan(item_type, name, response_name))
        return plan

    def _complete_flat(self, item_type: GraphQLObjectType, plan: Plan, items: list) -> list:
        typename = item_type.name
        steps = [(f.response_name, f.getter, f.fast_type, f.check, f.memo, f.leaf, f.non_null)
                 for f in plan]  # fmt: skip
        out = []
        append = out.append
        for item in items:
            if item is None:  # a nullable item (non-null ones were checked before)
                append(None)
                continue
            row = {}
            for name, getter, fast_type, check, memo, leaf, non_null in steps:
                if getter is None:
                    row[name] = typename
                    continue
                value = getter(item)
                if value is None:
                    if non_null:
                        raise _NotFlat
                    row[name] = None
                elif type(value) is fast_type and (check is None or check(value)):
                    row[name] = value
                elif memo is not None and isinstance(value, Enum):
                    coerced = memo.get(value)
                    if coerced is None:
                        memo[value] = coerced = _coerce(leaf, value)
                    row[name] = coerced
                else:
                    row[name] = _coerce(leaf, value)
            append(row)
        return out

    def complete_list_value(
        self,
        return_type: GraphQLList[GraphQLOutputType],
        field_details_list: Any,
        info: GraphQLResolveInfo,
        path: Path,
        result: Iterable[Any],
        position_context: Any,
    ) -> Any:
        item_type = return_type.of_type
        object_type = item_type.of_type if isinstance(item_type, GraphQLNonNull) else item_type
        if (
            isinstance(object_type, GraphQLObjectType)
            and isinstance(result, list | tuple)
            and not self.is_awaitable(result)
            and self.get_stream_usage(field_details_list, path) is None
        ):
            plan = self._plan(object_type, field_details_list)
            is_awaitable = self.is_awaitable
            if plan is not None and not any(
                (i is None and isinstance(item_type, GraphQLNonNull)) or is_awaitable(i)
                for i in result
            ):
                try:
                    return self._complete_flat(object_type, plan, list(result))
                except _NotFlat:
                    pass  # the ordinary way reports what is wrong, with the path
        return super().complete_list_value(
            return_type, field_details_list, info, path, result, position_context
        )
