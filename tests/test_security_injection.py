"""Injection: Cypher-looking strings, quotes, backslashes, NUL bytes and unicode, in every
string argument of every query and mutation, are refused or handled as plain values, never
executed; values that are stored come back verbatim.
"""

from __future__ import annotations

import csv
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    GraphQLSchema,
)

from graphsvc.api.schema import schema
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.core.pseudonym import pseudonym
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import TINY, load
from tests.security_fixtures import KEY, Secured, secured

CYPHERISH = [
    "' OR 1=1 //",
    '" OR 1=1 //',
    "x'}) DETACH DELETE n //",
    'x"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "\\' RETURN 1 //",
    "back\\\\slash\\",
    "$ids",
    "`Zone`",
    "*/ MATCH (n) DELETE n /*",
    "Zoë 中文 😀 ﷽ אבג",
]
REFUSED = ["nul\u0000byte", "bidi\u202egnp.exe", "cr\rlf\n"]
GRAPHQL: GraphQLSchema = schema._schema


def sample(type_: Any, depth: int = 0) -> Any:
    """A plausible value of a GraphQL input type (so that the argument under test is reached)."""
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return [sample(type_.of_type, depth)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        return {
            name: sample(field.type, depth + 1)
            for name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and depth < 3
        }
    assert isinstance(type_, GraphQLScalarType)
    return {"ID": "namur", "String": "fr", "Int": 1, "Float": 1.0, "Boolean": False,
            "Date": "2025-01-01"}.get(type_.name, "x")  # fmt: skip


def is_text(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return isinstance(type_, GraphQLScalarType) and type_.name in ("ID", "String")


def string_slots() -> list[tuple[str, str, tuple[str, ...]]]:
    """(operation, root field, path to a string argument or input field) for every one."""
    slots = []
    for operation, root in (("query", GRAPHQL.query_type), ("mutation", GRAPHQL.mutation_type)):
        assert root is not None
        for name, field in root.fields.items():
            for arg, argument in field.args.items():
                named = argument.type
                while isinstance(named, GraphQLNonNull | GraphQLList):
                    named = named.of_type
                if is_text(argument.type):
                    slots.append((operation, name, (arg,)))
                elif isinstance(named, GraphQLInputObjectType):
                    for key, inner in named.fields.items():
                        if is_text(inner.type):
                            slots.append((operation, name, (arg, key)))
    return slots


def request(operation: str, field_name: str, path: tuple[str, ...], payload: str) -> dict:
    root = GRAPHQL.query_type if operation == "query" else GRAPHQL.mutation_type
    field = root.fields[field_name]  # type: ignore[union-attr]
    variables = {}
    definitions = []
    arguments = []
    for n, (arg, argument) in enumerate(field.args.items()):
        required = isinstance(argument.type, GraphQLNonNull)
        if arg != path[0] and not required:
            continue
        value = sample(argument.type)
        if arg == path[0]:
            value = _place(value, argument.type, path[1:], payload)
        variables[f"v{n}"] = value
        definitions.append(f"$v{n}: {argument.type}")
        arguments.append(f"{arg}: $v{n}")
    selection = "{ __typename }" if _is_object(field.type) else ""
    text = f"{operation}({', '.join(definitions)}) {{ {field_name}({', '.join(arguments)}) "
    return {"query": text + selection + " }", "variables": variables}


def _place(value: Any, type_: Any, rest: tuple[str, ...], payload: str) -> Any:
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(type_, GraphQLList):
        return [_place(value[0] if value else None, type_.of_type, rest, payload)]
    if not rest:
        return payload
    inner = dict(value or {})
    inner[rest[0]] = _place(inner.get(rest[0]), type_.fields[rest[0]].type, rest[1:], payload)
    return inner


def _is_object(type_: Any) -> bool:
    while isinstance(type_, GraphQLNonNull | GraphQLList):
        type_ = type_.of_type
    return hasattr(type_, "fields")


SLOTS = string_slots()


def test_every_string_argument_is_covered() -> None:
    names = {(field, path) for _, field, path in SLOTS}
    assert ("zone", ("id",)) in names and ("registerPatient", ("patient", "externalId")) in names
    assert ("whatIf", ("addServices", "name")) in names
    assert len(SLOTS) >= 30


@pytest.fixture(scope="module")
def shared(embedded: EmbeddedServer, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secured]:
    """One writable namur graph for every slot (each slot checks its own reads)."""
    store = open_store(
        Settings(db=f"embedded:{embedded.data_dir}", graph=f"test_{uuid.uuid4().hex[:12]}")
    )
    store.run("delete_everything")
    load(store, "namur")
    try:
        with secured(store, tmp_path_factory.mktemp("injection"), pseudonym_key=KEY) as app:
            yield app
    finally:
        store.run("delete_everything")
        store.close()


@pytest.mark.parametrize(("operation", "field", "path"), SLOTS)
def test_strings_are_values_never_code(
    shared: Secured, operation: str, field: str, path: tuple[str, ...]
) -> None:
    store = shared.store
    before = graph_digest(store) if operation == "query" else None
    zones = len(store.run("list_zone_tree"))
    for payload in CYPHERISH + REFUSED:
        response = shared.post("admin", request(operation, field, path, payload))
        assert response.status_code < 500, response.text
        assert "Traceback" not in response.text
        body = response.json()
        messages = [e["message"] for e in body.get("errors") or []]
        assert "Unexpected error." not in messages, (payload, body)
        if payload in REFUSED:
            assert any("control character" in m for m in messages), (payload, body)
    if before is not None:
        assert graph_digest(store) == before  # reads changed nothing
    assert len(store.run("list_zone_tree")) == zones  # nothing was deleted


def test_refused_strings_reach_no_resolver(shared: Secured) -> None:
    before = shared.store.calls
    for payload in REFUSED:
        body = shared.ask("admin", "query($z: ID!) { zone(id: $z) { id } }", z=payload)
        assert "control character" in body["errors"][0]["message"]
    assert shared.store.calls == before


@pytest.fixture
def tricky(make_store, tmp_path: Path) -> Store:  # type: ignore[no-untyped-def]
    """The tiny bundle plus actors whose ids and names are every payload."""
    bundle = tmp_path / "bundle"
    shutil.copytree(TINY, bundle)
    with open(bundle / "actors.csv", "a", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        for n, payload in enumerate(CYPHERISH):
            writer.writerow([f"weird-{n}", payload, "team", "first", payload, "", "", "", "north"])
    store = make_store()
    load(store, str(bundle))
    return store


def test_stored_values_come_back_verbatim(tricky: Store, tmp_path: Path) -> None:
    with secured(tricky, tmp_path / "app", pseudonym_key=KEY) as app:
        for n, payload in enumerate(CYPHERISH):
            body = app.ask("admin", "query($a: ID!) { actor(id: $a) { name discipline } }",
                           a=f"weird-{n}")  # fmt: skip
            assert body["data"]["actor"] == {"name": payload, "discipline": payload}
            register = """mutation($x: String!) { registerPatient(patient: {externalId: $x,
              zoneId: "north", caseManagerId: "nurses-a"}) { id } }"""
            made = app.ask("admin", register, x=payload)["data"]["registerPatient"]
            assert made["id"] == pseudonym(payload, KEY)  # only its keyed hash is stored
            found = app.ask("admin", "query($p: ID!) { patient(id: $p) { id } }", p=made["id"])
            assert found["data"]["patient"] == made
