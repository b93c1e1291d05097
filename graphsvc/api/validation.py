"""GraphQL validation that names the argument in value errors.

graphql-core says `Float cannot represent non numeric value: "abc"`; users need to know
which argument: `argument target: Float cannot represent ...`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from graphql import ArgumentNode, GraphQLError, ValuesOfCorrectTypeRule
from strawberry.extensions import SchemaExtension


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
        if self._arguments:
            error = GraphQLError(f"argument {self._arguments[-1]}: {error.message}", error.nodes)
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
