"""GraphQL validation that names the argument in value errors.

graphql-core says `Float cannot represent non numeric value: "abc"`; users need to know
which argument: `argument target: Float cannot represent ...`. A 5,000-digit literal is not
echoed back.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from graphql import ArgumentNode, GraphQLError, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension

_LONG_NUMBER = re.compile(r"\d{21,}")


def shorten_numbers(message: str) -> str:
    """A number too long to read is named by its length, not echoed back whole."""
    return _LONG_NUMBER.sub(lambda m: f"<a {len(m.group())}-digit number>", message)


class ArgumentNamingValuesRule(ValuesOfCorrectTypeRule):
    """graphql-core's value checks, with the enclosing argument's name in each message."""

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self._arguments: list[str] = []

    def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._arguments.append(node.name.value)

    def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
        self._arguments.pop()

    def report_error(self, error: GraphQLError) -> None:
        message = shorten_numbers(error.message)
        if "integer string conversion" in message:  # Python's own int() limit, reworded
            found = message.rpartition("found: ")[2].rstrip(".")
            message = f"Int cannot represent non 32-bit signed integer value: {found}"
        if self._arguments:
            message = f"argument {self._arguments[-1]}: {message}"
        if message != error.message:
            error = GraphQLError(message, error.nodes)
        super().report_error(error)


class NameArgumentsInErrors(SchemaExtension):
    """Swap in ArgumentNamingValuesRule for graphql-core's ValuesOfCorrectTypeRule."""

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = tuple(
            ArgumentNamingValuesRule if rule is ValuesOfCorrectTypeRule else rule
            for rule in context.validation_rules
        )
        yield
