"""The `CYPHER name=value ...` header that carries a FalkorDB query's parameters, written
exactly as the `falkordb` client writes it (`Graph._build_params_header` and
`helpers.stringify_param_value`), character for character, only faster.

FalkorDB takes parameters as Cypher literals in front of the query text. Strings are quoted
with `"` and only `\\` and `"` are escaped (a backslash first), map keys are quoted with
backticks, `None` is `null` and anything else is `str(value)`. The client builds that text one
value at a time in Python, which costs about a third of a 5,000-row bulk batch. Here the rows
of an `UNWIND $rows` batch (a list of maps with the same keys) are written a column at a time:
a column of strings is escaped with three `str.replace` calls over the whole column, numbers
with one `map(str, ...)`. Anything else goes through `_value`, the client's rules verbatim.
`tests/test_cypher_params.py` checks the output against the client's own function.
"""

from __future__ import annotations

from typing import Any

_SEP = "\x00"  # joins a column's strings for the bulk escape; used only when no value holds it


def params_header(params: dict[str, Any]) -> str:
    """`CYPHER `name`=literal ...` followed by a space, as the falkordb client writes it."""
    parts = ["CYPHER "]
    for key, value in params.items():
        parts.append(f"`{_key(key)}`={_value(value)} ")
    return "".join(parts)


def _key(key: Any) -> str:
    text = key.decode() if isinstance(key, bytes) else str(key)
    if text == "":
        raise ValueError("Cypher parameter or map key cannot be empty")
    if "`" in text:  # FalkorDB's parser has no escape for a backtick inside backticks
        raise ValueError(f"Cypher parameter or map key cannot contain a backtick: {text!r}")
    return text


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _value(value: Any) -> str:
    """One value as a literal: the falkordb client's `stringify_param_value`."""
    if isinstance(value, str):
        return _quote(value)
    if value is None:
        return "null"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_column(value)) + "]"
    if isinstance(value, dict):
        return "{" + ",".join(f"`{_key(k)}`:{_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _column(values: list[Any] | tuple[Any, ...]) -> list[str]:
    """The literals of several values (a list's items, or one key of many maps) at once."""
    kinds = set(map(type, values))
    if len(kinds) != 1:
        return list(map(_value, values))  # mixed (a string or null...): one at a time
    kind = kinds.pop()
    if kind is str:
        return _quoted(values)
    if kind is int or kind is float:  # bool is a subclass, not the same type: str(True)
        return list(map(str, values))
    if kind is dict:
        return _maps(values)
    if kind is list or kind is tuple:
        items = _column([item for value in values for item in value])
        literals, at = [], 0
        for value in values:
            literals.append("[" + ",".join(items[at : at + len(value)]) + "]")
            at += len(value)
        return literals
    return list(map(_value, values))


def _quoted(values: list[str] | tuple[str, ...]) -> list[str]:
    """Strings as quoted literals: the escapes done once over the column joined by `_SEP`."""
    joined = _SEP.join(values)
    if joined.count(_SEP) != len(values) - 1:  # a value holds the separator itself
        return list(map(_quote, values))
    escaped = joined.replace("\\", "\\\\").replace('"', '\\"')
    return ('"' + escaped.replace(_SEP, '"' + _SEP + '"') + '"').split(_SEP)


def _maps(values: list[dict[str, Any]] | tuple[dict[str, Any], ...]) -> list[str]:
    """Maps as literals; maps with the same keys in the same order a key at a time."""
    keys = tuple(values[0])
    if not keys or any(tuple(value) != keys for value in values):
        return list(map(_value, values))
    columns = [_column([value[key] for value in values]) for key in keys]
    # one str.format template per map: {`key`:{},...}, braces of a key doubled
    names = (_key(key).replace("{", "{{").replace("}", "}}") for key in keys)
    template = "{{" + ",".join(f"`{name}`:{{}}" for name in names) + "}}"
    return list(map(template.format, *columns))
