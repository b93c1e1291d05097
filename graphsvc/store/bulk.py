"""FalkorDB's bulk format (`GRAPH.BULK`): nodes and relationships as binary blobs, built by the
server without parsing Cypher. Only into a graph that does not exist yet.

The encoding is the one the PyPI `falkordb-bulk-loader` writes (`entity_file.py`): per label or
relationship type a header (name, property count, property names, each null-terminated) and
then one record per entity; a relationship record starts with its two node ids (8-byte
unsigned), which are the nodes' positions in creation order across all blobs. A value is a
type byte and its payload; type 0 (null) leaves the property unset, as `CREATE` does.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

_NULL, _BOOL, _DOUBLE, _STRING, _LONG, _ARRAY = 0, 1, 2, 3, 4, 5
_CHUNK_BYTES = 32 * 2**20  # per GRAPH.BULK command (the loader's default buffer is 64 MB)
_NULL_BYTE = struct.pack("=B", _NULL)
_TRUE, _FALSE = struct.pack("=B?", _BOOL, True), struct.pack("=B?", _BOOL, False)


def encode(value: Any) -> bytes:
    """One property value in the bulk format."""
    if value is None:
        return _NULL_BYTE
    if value is True:
        return _TRUE
    if value is False:
        return _FALSE
    if isinstance(value, int):
        return struct.pack("=Bq", _LONG, value)
    if isinstance(value, float):
        return struct.pack("=Bd", _DOUBLE, value)
    if isinstance(value, str):
        return b"\x03" + value.encode() + b"\x00"
    if isinstance(value, list | tuple):
        return struct.pack("=Bq", _ARRAY, len(value)) + b"".join(map(encode, value))
    raise TypeError(f"no bulk encoding for {type(value).__name__}")


def _header(name: str, props: Sequence[str]) -> bytes:
    return b"".join(
        [name.encode() + b"\x00", struct.pack("=I", len(props)),
         *(p.encode() + b"\x00" for p in props)]
    )  # fmt: skip


@dataclass
class BulkGraph:
    """Nodes by label and relationships by type, to be sent with `GRAPH.BULK`; a node is
    referred to by (label, key) and gets its id from the order it was added in."""

    ids: dict[tuple[str, Any], int] = field(default_factory=dict)
    _nodes: list[tuple[str, tuple[str, ...], list[bytes]]] = field(default_factory=list)
    _edges: list[tuple[str, tuple[str, ...], list[bytes]]] = field(default_factory=list)
    node_count: int = 0
    edge_count: int = 0

    def nodes(self, label: str, key: str, props: Sequence[str], rows: Sequence[dict]) -> None:
        """Nodes of one label; `rows` hold `props` (the key among them)."""
        records = []
        for row in rows:
            self.ids[(label, row[key])] = self.node_count + len(records)
            records.append(b"".join(encode(row.get(p)) for p in props))
        self.node_count += len(records)
        self._nodes.append((label, tuple(props), records))

    def node_id(self, label: str, key: Any) -> int | None:
        return self.ids.get((label, key))

    def edges(
        self,
        rel_type: str,
        props: Sequence[str],
        pairs: Sequence[tuple[int, int, Sequence[Any]]],
    ) -> None:
        """Relationships of one type: (source id, target id, property values)."""
        records = [struct.pack("=QQ", s, t) + b"".join(map(encode, values))
                   for s, t, values in pairs]  # fmt: skip
        self.edge_count += len(records)
        self._edges.append((rel_type, tuple(props), records))

    def commands(self, graph: str) -> Iterator[list[Any]]:
        """The GRAPH.BULK commands: nodes first (ids are given in order), then relationships;
        each command at most about `_CHUNK_BYTES`, the first one with BEGIN."""
        first = True
        pending: list[bytes] = []
        counts = [0, 0]  # nodes, relationships in the pending command
        kinds = [0, 0]  # label blobs, type blobs
        size = 0

        def flush() -> list[Any]:
            nonlocal first, pending, counts, kinds, size
            command = ["GRAPH.BULK", graph, *(["BEGIN"] if first else []),
                       counts[0], counts[1], kinds[0], kinds[1], *pending]  # fmt: skip
            first, pending, counts, kinds, size = False, [], [0, 0], [0, 0], 0
            return command

        for which, groups in ((0, self._nodes), (1, self._edges)):
            for name, props, records in groups:
                header = _header(name, props)
                blob, blob_size = [header], len(header)
                for record in records:
                    if size + blob_size + len(record) > _CHUNK_BYTES and len(blob) > 1:
                        pending.append(b"".join(blob))
                        kinds[which] += 1
                        yield flush()
                        blob, blob_size = [header], len(header)
                    blob.append(record)
                    blob_size += len(record)
                    counts[which] += 1
                if len(blob) > 1:
                    pending.append(b"".join(blob))
                    kinds[which] += 1
                    size += blob_size
            if which == 0 and counts[0] and self._edges:
                yield flush()  # relationships only once every node they name exists
        if counts[0] or counts[1]:
            yield flush()
