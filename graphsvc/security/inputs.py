"""Checks every input string and list gets before anything else runs.

No input of graphsvc is free text (ids, codes, pseudonyms, tags, a what-if service name), so
strings are short and printable: NUL, other control characters (C0, DEL, C1), lone
surrogates and the bidirectional overrides that make text display other than it reads are
refused, as are strings longer than MAX_STRING and lists longer than MAX_LIST. Letters of
any script, accents and emoji are kept as they are.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from typing import Any

MAX_STRING = 256
MAX_LIST = 200
_BIDI = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
# embeddings, overrides and isolates: refused in imported text too (graphsvc.io.bundle)
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")  # OWASP CSV injection
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def string_problem(value: str, max_chars: int = MAX_STRING) -> str | None:
    """Why a string is refused, or None."""
    if len(value) > max_chars:
        return f"longer than {max_chars} characters"
    for char in value:
        category = unicodedata.category(char)
        if category in ("Cc", "Cs") or char in _BIDI:
            return f"contains a control character (U+{ord(char):04X})"
    return None


def value_problems(
    value: Any, where: str, max_chars: int = MAX_STRING, max_items: int = MAX_LIST, depth: int = 0
) -> Iterator[str]:
    """Problems of a JSON-like value (a GraphQL variable), each naming where it is."""
    if depth > 10:
        yield f"{where}: nested too deeply"
    elif isinstance(value, str):
        problem = string_problem(value, max_chars)
        if problem:
            yield f"{where}: {problem}"
    elif isinstance(value, list):
        if len(value) > max_items:
            yield f"{where}: more than {max_items} items"
            return
        for index, item in enumerate(value):
            yield from value_problems(item, f"{where}[{index}]", max_chars, max_items, depth + 1)
    elif isinstance(value, Mapping):
        if len(value) > max_items:
            yield f"{where}: more than {max_items} fields"
            return
        for key, item in value.items():
            yield from value_problems(str(key), f"{where} key", max_chars, max_items, depth + 1)
            yield from value_problems(item, f"{where}.{key}", max_chars, max_items, depth + 1)


def formula_safe(value: str) -> str:
    """A CSV field a spreadsheet will not run: text starting with `=`, `+`, `-`, `@`, a tab
    or a carriage return gets a leading `'` (the OWASP rule); a plain number is left as it
    is (`-4.35` is a longitude, not a formula)."""
    if value.startswith(FORMULA_PREFIXES) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def text_problem(value: str, multiline: bool = False) -> str | None:
    """Why imported text is refused (control characters, bidirectional embeddings,
    overrides and isolates; line breaks and tabs unless `multiline`), or None."""
    for char in value:
        if multiline and char in "\n\r\t":
            continue
        if unicodedata.category(char) in ("Cc", "Cs") or char in "\u2028\u2029":
            return f"contains a control character (U+{ord(char):04X})"
        if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
            return f"contains a bidirectional control character (U+{ord(char):04X})"
    return None
