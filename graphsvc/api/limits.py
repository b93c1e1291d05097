"""GraphQL request limits, checked before any resolver runs (so before any database call).

- tokens (strawberry's MaxTokensLimiter) and characters (graphql-core's max_source_length)
  of the query text, at parse time;
- depth (strawberry's QueryDepthLimiter) and aliases, counted through fragments (its
  MaxAliasesLimiter), operations per document, and selections once fragments are expanded,
  at validation time; fragment cycles are graphql-core's NoFragmentCyclesRule;
- input strings (no NUL or control characters, at most MAX_STRING characters) and lists (at
  most MAX_LIST items), and `limit`/`first` at most MAX_PAGE: literals at validation time,
  variables right after validation (a request error, like a bad variable type);
- the request body size (graphsvc.api.auth) and a server-side database timeout
  (GRAPHSVC_QUERY_TIMEOUT: FalkorDB's TIMEOUT, Neo4j's transaction timeout).

Strawberry's parse and validation caches (ParserCache, ValidationCache) key on the query text
and parse options, and on the document and the tuple of validation rule classes. Strawberry
builds extensions per request, and its limiters create a new rule class in every
constructor (strawberry issue #4635): used as factories they would miss the validation cache
on every request. Here the rule classes are created once per Limits (`validation_rules`) and
the per-request RequestGuard only appends those same classes, so both caches keep hitting;
its variable checks run after validation, outside the cache (bench/bench_limits.py
measures the cost: limits on / off).

Strawberry's depth and alias validators walk fragments once per spread, so a few nested
fragments spread twice each make them exponential; they run only once RequestShapeRule has
checked, in linear time, that the expanded document is small and acyclic.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    ObjectFieldNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    ValidationContext,
    ValidationRule,
    VariableNode,
)
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from graphsvc.security.inputs import MAX_LIST, MAX_STRING, string_problem, value_problems

PAGE_ARGUMENTS = ("limit", "first")


@dataclass(frozen=True)
class Limits:
    max_depth: int = 10
    max_aliases: int = 20
    max_tokens: int = 2000
    max_query_chars: int = 20_000
    max_operations: int = 3
    max_selections: int = 2000  # selections once fragments are expanded
    max_string: int = MAX_STRING
    max_list: int = MAX_LIST
    max_page: int = 1000  # `limit` and `first` arguments
    max_body_bytes: int = 256 * 1024


DEFAULT_LIMITS = Limits()


def page_problem(digits: str, max_page: int) -> str | None:
    """Why an integer literal (its text) is no page size, or None: one message whatever the
    value, checked on the text's length before `int()` (a 5,000-digit literal is refused
    without converting it, and not echoed back)."""
    if len(digits.lstrip("-")) <= len(str(max_page)) and 1 <= int(digits) <= max_page:
        return None
    shown = digits if len(digits) <= 12 else f"a {len(digits.lstrip('-'))}-digit number"
    return f"{shown} is not between 1 and {max_page}"


class TooComplex(Exception):
    pass


def shape_problems(document: DocumentNode, limits: Limits) -> tuple[list[str], bool]:
    """(problems, safe): safe when strawberry's recursive validators may run."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    fragments = {
        d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
    }
    problems = []
    if len(operations) > limits.max_operations:
        problems.append(
            f"{len(operations)} operations in one document: at most {limits.max_operations}"
        )
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                if name not in fragments or name in visiting:
                    raise TooComplex  # unknown or cyclic: graphql-core's rules say which
                if name not in sizes:
                    visiting.add(name)
                    sizes[name] = size(fragments[name].selection_set)
                    visiting.discard(name)
                total += sizes[name]
            if total > limits.max_selections:
                raise TooComplex(
                    f"more than {limits.max_selections} fields once fragments are expanded"
                )
        return total

    try:
        for definition in (*operations, *fragments.values()):
            size(definition.selection_set)
    except TooComplex as exc:
        problems.extend(str(a) for a in exc.args)
        return problems, False
    except RecursionError:
        problems.append("the query is nested too deeply")
        return problems, False
    return problems, not problems


@functools.cache
def validation_rules(limits: Limits) -> tuple[type[ValidationRule], ...]:
    """The limit rules for these limits: classes created once, so caches keep hitting."""
    # strawberry's limiters, built once: their rule classes are what they add per request
    depth_rule = QueryDepthLimiter(max_depth=limits.max_depth).validation_rules[0]
    alias_rule = MaxAliasesLimiter(max_alias_count=limits.max_aliases).validation_rules[0]

    class RequestShapeRule(ValidationRule):
        """Operations, expanded size, then depth and aliases; input literals."""

        def __init__(self, context: ValidationContext) -> None:
            super().__init__(context)
            self._arguments: list[str] = []
            problems, safe = shape_problems(context.document, limits)
            for problem in problems:
                context.report_error(GraphQLError(problem))
            if safe:
                depth_rule(context)
                alias_rule(context)

        def _where(self) -> str:
            return f"argument {self._arguments[-1]}" if self._arguments else "input"

        def enter_argument(self, node: ArgumentNode, *_args: Any) -> None:
            name = node.name.value
            self._arguments.append(name)
            value = node.value
            if name in PAGE_ARGUMENTS and isinstance(value, IntValueNode):
                problem = page_problem(value.value, limits.max_page)
                if problem:
                    self.report_error(GraphQLError(f"argument {name}: {problem}", node))

        def leave_argument(self, node: ArgumentNode, *_args: Any) -> None:
            self._arguments.pop()

        def enter_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
            self._arguments.append(node.name.value)

        def leave_object_field(self, node: ObjectFieldNode, *_args: Any) -> None:
            self._arguments.pop()

        def enter_string_value(self, node: StringValueNode, *_args: Any) -> None:
            problem = string_problem(node.value, limits.max_string)
            if problem:
                self.report_error(GraphQLError(f"{self._where()}: {problem}", node))

        def enter_list_value(self, node: ListValueNode, *_args: Any) -> None:
            if len(node.values) > limits.max_list:
                self.report_error(
                    GraphQLError(f"{self._where()}: more than {limits.max_list} items", node)
                )

    return (RequestShapeRule,)


class _PageVariables:
    """Names of the variables a document passes to `limit`/`first`, per document object."""

    def __init__(self, size: int = 512) -> None:
        self._size = size
        self._found: dict[int, tuple[DocumentNode, frozenset[str]]] = {}

    def __call__(self, document: DocumentNode) -> frozenset[str]:
        entry = self._found.get(id(document))
        if entry is not None and entry[0] is document:
            return entry[1]
        names = frozenset(_page_variables(document))
        if len(self._found) >= self._size:
            self._found.clear()
        self._found[id(document)] = (document, names)
        return names


def _page_variables(document: DocumentNode) -> Iterator[str]:
    stack: list[Any] = list(document.definitions)
    while stack:
        node = stack.pop()
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            stack.extend(selection_set.selections)
        for argument in getattr(node, "arguments", None) or ():
            if argument.name.value in PAGE_ARGUMENTS and isinstance(argument.value, VariableNode):
                yield argument.value.name.value


page_variables = _PageVariables()


class RequestGuard(MaxTokensLimiter):
    """strawberry's MaxTokensLimiter, which also caps the query's characters, adds the limit
    rules (the same classes on every request: AddValidationRules' job) and checks the
    variables once the document is valid: one extension, so three limits cost one set of
    hooks per request."""

    def __init__(
        self,
        limits: Limits = DEFAULT_LIMITS,
        rules: tuple[type[ValidationRule], ...] | None = None,
    ) -> None:
        super().__init__(max_token_count=limits.max_tokens)
        self.limits = limits
        self.rules = rules if rules is not None else validation_rules(limits)

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.parse_options["max_tokens"] = self.max_token_count
        context.parse_options["max_source_length"] = self.limits.max_query_chars
        context.validation_rules = (*context.validation_rules, *self.rules)
        yield

    def on_validate(self) -> Iterator[None]:
        # after ValidationCache in the extensions, so its errors are known here; strawberry
        # checks pre_execution_errors before the hooks' ends run, so this must come first
        context = self.execution_context
        # strawberry's `operation_name` falls back to the first operation's: the name sent
        if not context.pre_execution_errors and context._provided_operation_name is None:
            document = context.graphql_document
            count = sum(isinstance(d, OperationDefinitionNode) for d in document.definitions)
            if count > 1:  # GraphQL requires a name: strawberry would run the first one
                context.pre_execution_errors = [
                    GraphQLError(
                        f"the document has {count} operations: say which to run with operationName"
                    )
                ]
        if not context.pre_execution_errors and context.variables:
            problems = self.variable_problems(context.variables, context.graphql_document)
            if problems:  # a new list: the validation cache's own must stay as it is
                context.pre_execution_errors = [GraphQLError(p) for p in problems[:10]]
        yield

    def variable_problems(
        self, variables: dict[str, Any], document: DocumentNode | None
    ) -> list[str]:
        limits = self.limits
        problems = []
        for name, value in variables.items():
            problems += value_problems(
                value, f"variable ${name}", limits.max_string, limits.max_list
            )
        for name in page_variables(document) if document is not None else ():
            value = variables.get(name)
            if isinstance(value, int) and not isinstance(value, bool):
                problem = page_problem(str(value), limits.max_page)
                if problem:
                    problems.append(f"variable ${name}: {problem}")
        return problems


def limit_extensions(limits: Limits = DEFAULT_LIMITS) -> list[Any]:
    """Per-request factories for the limits (see the module doc for the caches); they go
    after strawberry's ValidationCache in a schema's extensions."""
    rules = validation_rules(limits)
    return [lambda: RequestGuard(limits, rules)]
