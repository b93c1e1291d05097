"""The role x capability matrix, table-driven over every query and mutation of the schema.

For each root field, each role's token sends the field with placeholder arguments of the
right types; the expected answer comes from the table below (the README's role table), not
from the code: a role outside the field's permission gets `forbidden: ...`, a role inside it
never does (its answer may be "not found" or a bad-argument error: the placeholders point at
nothing). A new root field without a row here fails until it has one.
"""

from __future__ import annotations

from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    ObjectTypeDefinitionNode,
    get_named_type,
    parse,
)

from graphsvc.api.schema import schema
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    Secured,
    fresh_namur_fixture,
    secure_demo_fixture,
    secure_fresh_fixture,
)

ROLES = ("admin", "planner", "facilitator", "antoine")  # antoine: a case manager
EVERYONE = frozenset(ROLES)
PATIENTS = frozenset({"admin", "antoine"})  # @readsPatients, @writesPatients
COUNTS = frozenset({"admin", "planner"})  # @countsPatients
PLANS = frozenset({"admin", "planner"})  # @writesPlans
FUNDING = frozenset({"admin"})  # @writesFunding
BY_DIRECTIVE = {
    "readsPatients": PATIENTS,
    "writesPatients": PATIENTS,
    "countsPatients": COUNTS,
    "writesPlans": PLANS,
    "writesFunding": FUNDING,
}
SDL = schema.as_str()
# fields whose permission the schema does not show (yet): the README's row for them
UNDECLARED = {("Mutation", "decideMatch"): frozenset({"admin"})}  # entity matches: admins


def declared(root: str, name: str) -> frozenset[str]:
    """Who may run a root field, by the directive the schema shows for it (none: everyone)."""
    if (root, name) in UNDECLARED:
        return UNDECLARED[root, name]
    for definition in parse(SDL).definitions:
        if isinstance(definition, ObjectTypeDefinitionNode) and definition.name.value == root:
            for field in definition.fields or ():
                if field.name.value == name:
                    shown = {d.name.value for d in field.directives or ()} & set(BY_DIRECTIVE)
                    assert len(shown) <= 1, (root, name, shown)
                    return BY_DIRECTIVE[shown.pop()] if shown else EVERYONE
    raise AssertionError(f"{root}.{name} not found in the SDL")


def placeholder(kind: Any, depth: int = 0) -> str:
    """A GraphQL literal of the given input type, pointing at nothing."""
    if isinstance(kind, GraphQLNonNull):
        return placeholder(kind.of_type, depth)
    if isinstance(kind, GraphQLList):
        return f"[{placeholder(kind.of_type, depth)}]"
    if isinstance(kind, GraphQLEnumType):
        return next(iter(kind.values))
    if isinstance(kind, GraphQLInputObjectType):
        fields = [f"{n}: {placeholder(f.type, depth + 1)}" for n, f in kind.fields.items()
                  if isinstance(f.type, GraphQLNonNull)]  # fmt: skip
        return "{" + ", ".join(fields) + "}"
    assert isinstance(kind, GraphQLScalarType), kind
    return {"Int": "1", "Float": "1.0", "Boolean": "false", "Date": '"2026-01-01"'}.get(
        kind.name, '"no-such-thing"'
    )


def selection(kind: Any) -> str:
    target = get_named_type(kind)
    if isinstance(target, GraphQLObjectType):
        return " { __typename }"
    return ""


def request(root: str, name: str) -> str:
    field = schema._schema.type_map[root].fields[name]  # type: ignore[union-attr]
    args = [f"{a}: {placeholder(arg.type)}" for a, arg in field.args.items()
            if isinstance(arg.type, GraphQLNonNull)]  # fmt: skip
    call = f"{name}({', '.join(args)})" if args else name
    return f"{'mutation ' if root == 'Mutation' else ''}{{ {call}{selection(field.type)} }}"


def fields(root: str) -> list[str]:
    return sorted(schema._schema.type_map[root].fields)  # type: ignore[union-attr]


def check(app: Secured, root: str, name: str, who: str) -> None:
    body = app.ask(who, request(root, name))
    messages = [e["message"] for e in body.get("errors", [])]
    forbidden = any(m.startswith("forbidden") for m in messages)
    allowed = who in declared(root, name)
    assert forbidden != allowed, (root, name, who, request(root, name), messages)
    if allowed:
        syntax = [m for m in messages if "Syntax Error" in m or "Cannot query" in m]
        assert not syntax, (request(root, name), syntax)  # the request itself is valid


@pytest.mark.parametrize("name", fields("Query"))
def test_every_query_against_every_role(secure_demo: Secured, name: str) -> None:
    for who in ROLES:
        check(secure_demo, "Query", name, who)


@pytest.mark.parametrize("name", fields("Mutation"))
def test_every_mutation_against_every_role(secure_fresh: Secured, name: str) -> None:
    for who in ROLES:
        check(secure_fresh, "Mutation", name, who)


def test_the_matrix_covers_the_schema() -> None:
    assert len(fields("Query")) > 20 and len(fields("Mutation")) >= 8
    mutations = {n: declared("Mutation", n) for n in fields("Mutation")}
    assert all(roles != EVERYONE for roles in mutations.values()), mutations
