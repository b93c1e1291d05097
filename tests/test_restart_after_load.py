"""Restart after a bulk load loads one compact base file, not a replay of the load's batches.

After every bulk load graphsvc rewrites the append-only file (BGREWRITEAOF), so a restart reads
the RDB base and an empty incr file. The trap: Redis starts rewrites of its own while a long
load makes the log grow; one still running when the load ends was forked before the last
batches, which then stay in the incr file and are replayed, slowly, at every restart (the
national bench once replayed 17 MB of them in 40 s). The rewrite must be our own, started
after the last write.

`make test` loads one primary care zone of the national bench bundle;
`GRAPHSVC_RESTART_SCALE=1` (`make soak`) loads the whole national bundle (a minute or two)
and prints how long the load and the restart took.
"""

from __future__ import annotations

import os
import re
import time
from pathlib import Path
from typing import Any

import pytest

from bench import national
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import LOG_NAME, REPLAY_COMPACT_BYTES

SCALE = float(os.environ.get("GRAPHSVC_RESTART_SCALE", "0"))  # 0: one primary care zone
LAST = {"id": "last-batch", "name": "Last", "level": "country", "population": 1,
        "lat": None, "lon": None}  # fmt: skip
SLOW_REWRITE_US = 3_000_000  # per key: the graph is one key


def aof_files(folder: Path) -> dict[str, tuple[str, int]]:
    """The manifest's files: name -> (type b/h/i, size in bytes)."""
    aof = folder / "appendonlydir"
    files = {}
    for line in (aof / "appendonly.aof.manifest").read_text().splitlines():
        fields = line.split()
        name, kind = fields[fields.index("file") + 1], fields[fields.index("type") + 1]
        files[name] = (kind, (aof / name).stat().st_size)
    return files


def assert_compact(folder: Path, incr_at_most: int = 0) -> None:
    """One RDB base, no history, and incr files with nothing (or next to nothing) in them."""
    files = aof_files(folder)
    bases = [name for name, (kind, _) in files.items() if kind == "b"]
    assert len(bases) == 1 and bases[0].endswith(".base.rdb"), files  # the RDB preamble
    assert all(kind in "bi" for kind, _ in files.values()), files  # no history left
    assert sum(size for kind, size in files.values() if kind == "i") <= incr_at_most, files


def last_start(folder: Path) -> str:
    """The database log since its last start."""
    log = (folder / LOG_NAME).read_text(errors="replace")
    return log[log.rindex("Redis is starting") :]


def contents(store: Store, digest: bool) -> Any:
    counts = (store.run("count_nodes"), store.run("count_relationships"))
    return (graph_digest(store), counts) if digest else counts


class RewriteAlreadyRunning:
    """A store whose compact() comes while a rewrite Redis started by itself is running,
    forked before the load's last batch, as Redis' automatic rewrites happen during a load."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.was_running = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def compact(self) -> None:
        db = self._store.connection  # type: ignore[attr-defined]
        db.execute_command("CONFIG", "SET", "rdb-key-save-delay", SLOW_REWRITE_US)
        db.execute_command("BGREWRITEAOF")  # forks now, with the slow setting
        db.execute_command("CONFIG", "SET", "rdb-key-save-delay", 0)  # later ones are not slow
        self._store.upsert("merge_zones", [LAST])  # the load's last batch, after that fork
        self.was_running = bool(db.info("persistence")["aof_rewrite_in_progress"])
        self._store.compact()


def test_a_rewrite_already_running_is_not_taken_for_ours(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    bundle = read_bundle(national.bundle(7, 1.0, tmp_path / "bundle", "be-elz19"))
    store = open_store(Settings(db=f"embedded:{folder}"))
    try:
        load = RewriteAlreadyRunning(store)
        write_bundle(load, bundle)  # type: ignore[arg-type]
        assert load.was_running  # the situation this test is about
        before = contents(store, digest=True)
    finally:
        store.close()
    assert_compact(folder)  # the last batch is in the base, not left in an incr file
    store = open_store(Settings(db=f"embedded:{folder}"), setup=False)
    try:
        assert "DB loaded from incr file" not in last_start(folder)
        assert contents(store, digest=True) == before
        assert store.run("get_zones", ids=["last-batch"])[0]["name"] == "Last"
    finally:
        store.close()


def test_restart_after_a_national_load_reads_only_the_base(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "db"
    if SCALE:
        source = national.bundle(1, SCALE)  # cached in bench/.cache, like `make bench`
        label = f"national bundle, scale {SCALE:g}"
    else:
        source = national.bundle(7, 1.0, tmp_path / "bundle", "be-elz19")
        label = "national bundle, one primary care zone"
    settings = Settings(db=f"embedded:{folder}", graph="national")
    store = open_store(settings)
    try:
        started = time.monotonic()
        written = write_bundle(store, read_bundle(source))
        load_s = time.monotonic() - started
        assert written["merge_zone_needs"] > 5000  # more than one batch of the largest table
        before = contents(store, digest=not SCALE)
    finally:
        store.close()
    assert_compact(folder)
    started = time.monotonic()
    store = open_store(settings, setup=False)
    restart_s = time.monotonic() - started
    try:
        log = last_start(folder)
        assert "DB loaded from base file" in log
        assert "DB loaded from incr file" not in log  # nothing replayed
        assert contents(store, digest=not SCALE) == before
    finally:
        store.close()
    loaded = re.search(r"DB loaded from base file \S+: ([\d.]+) seconds", log)
    with capsys.disabled():  # reported, not asserted: times on a shared machine are noise
        print(
            f"\n[restart after load] {label}: load {load_s:.1f} s, restart "
            f"{restart_s:.1f} s (base file read in {loaded[1] if loaded else '?'} s), "
            + ", ".join(f"{n} {size:,} B" for n, (_, size) in aof_files(folder).items())
        )


def test_a_start_that_replayed_a_long_log_compacts_it(tmp_path: Path) -> None:
    folder = tmp_path / "db"
    settings = Settings(db=f"embedded:{folder}")
    store = open_store(settings)
    try:  # many writes and no bulk load to compact them (or a load cut short)
        store.rewrite_budget_bytes = 0  # type: ignore[attr-defined]  # no rewrite on the way
        rows = [{**LAST, "id": f"z{i}", "name": "x" * 2000} for i in range(2500)]
        store.upsert("merge_zones", rows, batch_size=250)
        before = contents(store, digest=True)
    finally:
        store.close()
    replayed = sum(size for kind, size in aof_files(folder).values() if kind == "i")
    assert replayed > REPLAY_COMPACT_BYTES
    store = open_store(settings, setup=False)
    try:
        assert "DB loaded from incr file" in last_start(folder)  # replayed once...
        db = store.connection  # type: ignore[attr-defined]
        deadline = time.monotonic() + 120  # a guard against hanging, not a measurement
        while (info := db.info("persistence"))["aof_rewrites"] < 1 or info[
            "aof_rewrite_in_progress"
        ]:
            assert time.monotonic() < deadline, info
            time.sleep(0.05)
    finally:
        store.close()
    # FalkorDB appends the constraints it rebuilt during the replay to the log again (about
    # 1.6 KB here), which may come just after the rewrite began: next to nothing to replay
    assert_compact(folder, incr_at_most=4096)
    store = open_store(settings, setup=False)
    try:
        base = next(name for name, (kind, _) in aof_files(folder).items() if kind == "b")
        assert f"DB loaded from base file {base}" in last_start(folder)  # the new base
        assert contents(store, digest=True) == before
    finally:
        store.close()
