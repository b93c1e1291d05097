"""Concurrency: 8 writers and 32 readers on the real app; no errors, no lost update, memory
bounded. GRAPHSVC_LOAD_SECONDS sets the duration (`make soak` runs 60 s)."""

from __future__ import annotations

import os
import resource
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from bench.soak import report, run_load
from graphsvc.api.app import create_app
from graphsvc.config import Settings, get_settings
from graphsvc.store import Store, open_store
from tests.conftest import load
from tests.test_bundle import TINY

SECONDS = float(os.environ.get("GRAPHSVC_LOAD_SECONDS", "6"))


@pytest.fixture
def served(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[str, Store, Path]]:
    monkeypatch.setenv("GRAPHSVC_PSEUDONYM_KEY", "load-test-pseudonym-key-0123456789")
    get_settings.cache_clear()
    store = open_store(Settings(db=f"embedded:{tmp_path}"))
    load(store, str(TINY))
    server = uvicorn.Server(uvicorn.Config(create_app(Settings(), store), host="127.0.0.1",
                                           port=0, log_level="warning"))  # fmt: skip
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/graphql", store, tmp_path
    finally:
        server.should_exit = True
        thread.join(10)
        store.close()
        get_settings.cache_clear()


def patients(store: Store) -> set[str]:
    return {n["props"]["id"] for n in store.run("list_node_dump") if n["label"] == "Patient"}


def rss_kb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def test_concurrent_writers_and_readers(served: tuple[str, Store, Path]) -> None:
    url, store, folder = served
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
