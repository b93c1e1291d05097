"""Concurrency: 8 writers and 32 readers on the real app; no errors, no lost update, memory
bounded. GRAPHSVC_LOAD_SECONDS sets the duration (`make soak` runs 60 s)."""

from __future__ import annotations

import os
import resource
from pathlib import Path

from bench.soak import report, run_load
from graphsvc.store import Store

SECONDS = float(os.environ.get("GRAPHSVC_LOAD_SECONDS", "6"))


def patients(store: Store) -> set[str]:
    return {n["props"]["id"] for n in store.run("list_node_dump") if n["label"] == "Patient"}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_concurrent_writers_and_readers(served_tiny: tuple[str, Store, Path]) -> None:
    url, store, folder = served_tiny
    database = int((folder / "falkordb.pid").read_text())
    run_load(url, writers=2, readers=4, seconds=1)  # warm up caches and pools
    before = patients(store)
    service_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    database_before = rss_kb(database)
    stats = run_load(url, writers=8, readers=32, seconds=SECONDS)
    print(report(stats, SECONDS))
    assert not stats.errors, stats.errors[:5]
    assert len(stats.acknowledged) > 8 and len(stats.latency["read"]) > 32
    assert patients(store) == before | set(stats.acknowledged)  # no lost, no phantom write
    # memory grows with the data written, not with the number of requests
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - service_before < 150_000
    assert rss_kb(database) - database_before < 50_000 + 20 * len(stats.acknowledged)
