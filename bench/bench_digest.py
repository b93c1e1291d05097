"""`graphsvc db digest` streaming against the whole dump sorted in memory (issue 22):
`python -m bench.bench_digest DB GRAPH` runs each in its own process on the same graph and
prints time, peak RSS of the process and round trips, and checks the digests are equal.
"""

from __future__ import annotations

import hashlib
import json
import resource
import subprocess
import sys
import time

from graphsvc.config import Settings
from graphsvc.core import digest
from graphsvc.store import Store, open_store


def whole_dump_digest(store: Store) -> str:
    """The digest as computed before issue 22: both dumps at once, sorted in memory."""
    nodes = (json.dumps(["node", r["label"], r["props"]], sort_keys=True, ensure_ascii=False)
             for r in store.run("list_node_dump"))  # fmt: skip
    relationships = (
        json.dumps(["rel", r["type"], r["source"], r["target"], r["props"]], sort_keys=True,
                   ensure_ascii=False)
        for r in store.run("list_relationship_dump")
    )  # fmt: skip
    hashed = hashlib.sha256()
    for line in sorted([*nodes, *relationships]):
        hashed.update(line.encode("utf-8") + b"\n")
    return hashed.hexdigest()


def one(db: str, graph: str, how: str) -> None:
    store = open_store(Settings(db=db, graph=graph))
    started = time.perf_counter()
    value = whole_dump_digest(store) if how == "whole" else digest.graph_digest(store)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"how": how, "digest": value, "s": seconds, "rss_mib": rss,
                      "calls": store.calls}))  # fmt: skip


def main(argv: list[str]) -> int:
    if len(argv) == 3:
        one(*argv)
        return 0
    db, graph = argv
    results = {}
    for how in ("streamed", "whole"):
        out = subprocess.run([sys.executable, "-m", "bench.bench_digest", db, graph, how],
                             check=True, capture_output=True, text=True).stdout  # fmt: skip
        results[how] = json.loads(out.splitlines()[-1])
    s, w = results["streamed"], results["whole"]
    for r in (s, w):
        print(f"{r['how']:<9} {r['s']:7.1f} s  peak RSS {r['rss_mib']:7.0f} MiB  "
              f"{r['calls']} round trips  {r['digest'][:16]}")  # fmt: skip
    print(f"RSS streamed / whole: {s['rss_mib'] / w['rss_mib']:.3f}x, time {s['s'] / w['s']:.2f}x; "
          f"digests {'equal' if s['digest'] == w['digest'] else 'DIFFER'}")  # fmt: skip
    return 0 if s["digest"] == w["digest"] else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
