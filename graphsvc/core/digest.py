"""A canonical dump of the graph and its digest: equal content gives an equal digest.

Node and relationship order, property order and driver internals do not matter; every label,
key, property value and relationship does. Used to prove restarts and re-imports lose or
change nothing.

The dump is read in pages of internal node ids (each page's nodes, then the relationships
leaving them) and sorted externally: lines are kept in memory up to `run_chars`, then sorted
and spilled to a temporary file; the sorted runs are merged as they are hashed. Memory stays
bounded by one page and one run whatever the graph's size; the digest is the sha256 of the
same sorted lines as when the whole dump was read at once. The pages are separate reads: a
graph written to meanwhile gives a digest of no single moment (as before, when nodes and
relationships were two reads).
"""

from __future__ import annotations

import hashlib
import heapq
import json
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

from graphsvc.store import Store

PAGE_NODES = 1_000  # node ids per page (the relationships leaving them come with them)
RUN_CHARS = 32 * 1024 * 1024  # characters of lines sorted in memory before a spill
FAN_IN = 64  # sorted runs open at once: more are first merged into one


def dump_lines(store: Store, page_nodes: int = PAGE_NODES) -> Iterator[str]:
    """One JSON line per node and per relationship, unsorted, a page of node ids at a time
    (1 + 2 x pages round trips)."""
    [span] = store.run("get_node_id_range")
    top = span["top"]
    if top is None:
        return
    for start in range(0, top + 1, page_nodes):
        bounds = {"from": start, "to": start + page_nodes}
        for r in store.run("list_node_dump_page", **bounds):
            yield json.dumps(["node", r["label"], r["props"]], sort_keys=True, ensure_ascii=False)
        for r in store.run("list_relationship_dump_page", **bounds):
            yield json.dumps(["rel", r["type"], r["source"], r["target"], r["props"]],
                             sort_keys=True, ensure_ascii=False)  # fmt: skip


def sorted_lines(lines: Iterable[str], run_chars: int = RUN_CHARS) -> Iterator[str]:
    """The lines in sorted order, with at most about `run_chars` of them in memory (lines
    hold no newline: JSON escapes it)."""
    with tempfile.TemporaryDirectory(prefix="graphsvc-digest-") as folder:
        runs: list[Path] = []
        buffer: list[str] = []
        size = 0
        for line in lines:
            buffer.append(line)
            size += len(line)
            if size >= run_chars:
                buffer.sort()
                runs.append(_write(Path(folder) / f"run-{len(runs)}", buffer))
                buffer, size = [], 0
                if len(runs) >= FAN_IN:
                    with _opened(runs) as merged:
                        target = Path(folder) / f"run-{len(runs)}"
                        _write(target, heapq.merge(*merged))
                    for path in runs:
                        path.unlink()
                    runs = [target.rename(Path(folder) / "run-0")]
        buffer.sort()
        if not runs:
            yield from buffer
            return
        with _opened(runs) as merged:
            yield from heapq.merge(*merged, buffer)


def _write(path: Path, lines: Iterable[str]) -> Path:
    with path.open("w", encoding="utf-8", newline="\n") as out:
        for line in lines:
            out.write(line + "\n")
    return path


@contextmanager
def _opened(runs: list[Path]) -> Iterator[list[Iterator[str]]]:
    """The lines of sorted run files, without their newlines, the files closed on exit."""
    with ExitStack() as stack:
        handles = [stack.enter_context(p.open(encoding="utf-8", newline="\n")) for p in runs]
        yield [(line[:-1] for line in handle) for handle in handles]


def canonical_lines(
    store: Store, page_nodes: int = PAGE_NODES, run_chars: int = RUN_CHARS
) -> Iterator[str]:
    """One sorted JSON line per node and per relationship, in bounded memory."""
    return sorted_lines(dump_lines(store, page_nodes), run_chars)


def graph_digest(store: Store, page_nodes: int = PAGE_NODES, run_chars: int = RUN_CHARS) -> str:
    """sha256 of the canonical dump (each line followed by a newline), hashed as it streams."""
    digest = hashlib.sha256()
    for line in canonical_lines(store, page_nodes, run_chars):
        digest.update(line.encode("utf-8") + b"\n")
    return digest.hexdigest()
