"""The catalog of named Cypher queries: `cypher/<name>.cypher`, loaded once at start-up.

A file starts with `//` comment lines (what it returns); the rest is one Cypher statement.
Values come in only as `$parameters`. The verb at the start of the name says whether the
query may write: `get_`, `find_`, `list_`, `count_` read; `merge_`, `delete_`, `set_` write.
A write query's header may say what it changes, for the version counters the stores keep
(graphsvc.store.versions): `// touches: supply(rows.id), places` names aggregates, each with
where in the parameters the changed keys are (`rows.FIELD` or `PARAM`); a write without the
line touches `*` (everything: every index kept in memory is rebuilt after it).
A backend may override a query with `cypher/<backend>/<name>.cypher`.

One header line says whether the query may be sent again after a lost connection, when it
is unknown whether it ran: `// idempotent: yes` (a read, or an upsert: twice is once) or
`// idempotent: no`. The store reads it from here; tests/test_queries.py checks every file
has it (a file without it counts as `no` when it writes, so a missing line is never unsafe).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from graphsvc.errors import QueryCatalogError

CYPHER_DIR = Path(__file__).resolve().parent.parent / "cypher"
READ_VERBS = ("get_", "find_", "list_", "count_")
WRITE_VERBS = ("merge_", "delete_", "set_", "create_")
_TOUCHES = re.compile(r"^touches:\s*(.*)$")
_AGGREGATE = re.compile(r"^([a-z*]+)(?:\((rows\.[A-Za-z_]+|[A-Za-z_]+)\))?$")
_IDEMPOTENT = re.compile(r"idempotent:\s*(yes|no)\s*$", re.IGNORECASE)
_PARAM = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
# a write clause keyword, unless it is a property name (`n.set`)
_WRITE_CLAUSE = re.compile(r"(?<![.\w])(MERGE|CREATE|SET|DELETE|REMOVE|DETACH)\b", re.IGNORECASE)
# what is not code: strings, `quoted names`, // and /* */ comments (leftmost match wins)
_NOT_CODE = re.compile(
    r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`[^`]*`|//[^\n]*|/\*.*?\*/", re.DOTALL
)


@dataclass(frozen=True)
class Query:
    """One named query: its text, its header comment, its parameters, whether it writes and
    whether it may be repeated (`idempotent`, from its header; None when the header lacks it)."""

    name: str
    text: str
    doc: str
    params: frozenset[str]
    writes: bool
    path: Path
    # (aggregate, where its changed keys are in the parameters, or None: not known)
    touches: tuple[tuple[str, str | None], ...] = ()
    declared_idempotent: bool | None = None

    @property
    def idempotent(self) -> bool:
        """Safe to send again when it is unknown whether it ran: as declared, else only reads."""
        if self.declared_idempotent is None:
            return not self.writes
        return self.declared_idempotent


def parse_query(name: str, source: str, path: Path) -> Query:
    """Parse one query file's text; raise QueryCatalogError naming the file when malformed."""
    if name.startswith(READ_VERBS):
        writes = False
    elif name.startswith(WRITE_VERBS):
        writes = True
    else:
        verbs = ", ".join(READ_VERBS + WRITE_VERBS)
        raise QueryCatalogError(f"{path}: query name must start with one of {verbs}")
    doc_lines = []
    idempotent: bool | None = None
    for line in source.splitlines():
        if not line.lstrip().startswith("//"):
            break
        comment = line.lstrip()[2:].strip()
        if found := _IDEMPOTENT.fullmatch(comment):
            idempotent = found.group(1).lower() == "yes"
        else:
            doc_lines.append(comment)
    body = code_only(source)
    if not body.strip():
        raise QueryCatalogError(f"{path}: the file holds no Cypher statement")
    if not doc_lines:
        raise QueryCatalogError(f"{path}: missing header comment saying what the query returns")
    if not writes and _WRITE_CLAUSE.search(body):
        raise QueryCatalogError(f"{path}: a read query ({name}) must not write")
    if ";" in body.strip().rstrip(";"):
        raise QueryCatalogError(f"{path}: one statement per file")
    return Query(
        touches=_touches(doc_lines, path) if writes else (),
        name=name,
        text=source.strip().rstrip(";"),
        doc=" ".join(doc_lines),
        params=frozenset(_PARAM.findall(body)),
        writes=writes,
        path=path,
        declared_idempotent=idempotent,
    )


def _touches(doc_lines: list[str], path: Path) -> tuple[tuple[str, str | None], ...]:
    """The `touches:` header line of a write query, parsed; `*` without one."""
    for line in doc_lines:
        found = _TOUCHES.match(line)
        if not found:
            continue
        parsed = []
        for part in (p.strip() for p in found.group(1).split(",")):
            item = _AGGREGATE.match(part)
            if item is None:
                raise QueryCatalogError(
                    f"{path}: touches: {part!r} is not aggregate or aggregate(rows.FIELD)"
                )
            parsed.append((item.group(1), item.group(2)))
        return tuple(parsed)
    return (("*", None),)


def code_only(source: str) -> str:
    """The Cypher with strings, quoted names and comments blanked out."""
    return _NOT_CODE.sub(" ", source)


class QueryCatalog(Mapping[str, Query]):
    """Named queries for one backend, with that backend's overrides applied."""

    def __init__(self, queries: dict[str, Query]) -> None:
        self._queries = queries

    @classmethod
    def load(cls, backend: str, directory: Path = CYPHER_DIR) -> QueryCatalog:
        """Read every query file once; a missing or unreadable file fails here, not later."""
        if not directory.is_dir():
            raise QueryCatalogError(f"{directory}: Cypher query folder not found")
        files = {p.stem: p for p in directory.glob("*.cypher") if not p.stem.startswith("setup")}
        override_dir = directory / backend
        if override_dir.is_dir():
            for path in override_dir.glob("*.cypher"):
                if path.stem.startswith("setup"):
                    continue
                if path.stem not in files:
                    raise QueryCatalogError(f"{path}: overrides no query in {directory}")
                files[path.stem] = path
        queries = {name: parse_query(name, _read(path), path) for name, path in files.items()}
        return cls(queries)

    def __getitem__(self, name: str) -> Query:
        try:
            return self._queries[name]
        except KeyError:
            raise QueryCatalogError(f"unknown query {name!r}: no cypher/{name}.cypher") from None

    def __iter__(self):
        return iter(sorted(self._queries))

    def __len__(self) -> int:
        return len(self._queries)

    def check_params(self, name: str, params: Mapping[str, object]) -> Query:
        """Return the query after checking the parameters match its `$names` exactly."""
        query = self[name]
        given = set(params)
        missing = sorted(query.params - given)
        unused = sorted(given - query.params)
        if missing or unused:
            parts = []
            if missing:
                parts.append(f"missing ${', $'.join(missing)}")
            if unused:
                parts.append(f"undeclared ${', $'.join(unused)}")
            raise QueryCatalogError(f"query {name}: {'; '.join(parts)}")
        return query


def load_statements(path: Path) -> list[str]:
    """Read a multi-statement setup file: statements end with `;`, `//` lines are comments."""
    text = "\n".join(
        line for line in _read(path).splitlines() if not line.lstrip().startswith("//")
    )
    return [s.strip() for s in text.split(";") if s.strip()]


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise QueryCatalogError(f"{path}: cannot read query file ({exc})") from exc
