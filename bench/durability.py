"""The worst crash of a bulk load, priced: `python -m bench.durability`.

Loads the national bench bundle (GRAPHSVC_BENCH_SCALE, default 0.25 here; 1 is Belgium) into
a throwaway embedded FalkorDB three times, side by side in one run:

  clean     the load as graphsvc runs it (log rewritten on a byte budget during the load)
  budget    the same, with kill -9 of redis-server at the worst moment: the batch at which the
            clean run's log (incr files) was largest; graphsvc restarts the database itself,
            the replay is timed from the database's own log, and the load carries on
  no budget the peer: rewrites only at the end (`rewrite_budget_bytes = 0`), killed after
            its last batch, before the final rewrite: the whole load's log is replayed

Prints the log left at the kill, the replay seconds, the load seconds, and the ratios
(replay without budget / with; write seconds without budget / with). Absolute times on a shared
machine are noise; the ratios are what to compare.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
import time
from pathlib import Path

from bench import national
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.io.bundle import Bundle, WriteFailed, read_bundle, write_bundle
from graphsvc.store import open_store
from graphsvc.store.embedded import PID_NAME


def incr_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in (folder / "appendonlydir").glob("*.incr.aof"))


def run(
    bundle: Bundle, folder: Path, budget: bool, kill_at: int | None, kill_bytes: int = 0
) -> dict:
    """Load; kill -9 the database after batch `kill_at` (-1: after the last one), or at the
    first batch after which its log holds `kill_bytes` or more."""
    store = open_store(Settings(db=f"embedded:{folder}", start_timeout_s=600))
    sizes: list[int] = []
    killed: dict = {}
    if not budget:
        store.rewrite_budget_bytes = 0  # type: ignore[attr-defined]

    def kill() -> None:
        killed["left"] = incr_bytes(folder)
        os.kill(int((folder / PID_NAME).read_text()), signal.SIGKILL)
        time.sleep(0.2)

    def progress(count: int) -> None:
        sizes.append(incr_bytes(folder))
        if "left" in killed:
            return
        if (kill_at is not None and len(sizes) == kill_at) or (
            kill_bytes and sizes[-1] >= kill_bytes
        ):
            kill()

    compact = store.compact
    marks: dict = {}

    def compact_after() -> None:
        marks["writes_s"] = time.monotonic() - began  # the rows, without the final rewrite
        if kill_at == -1:  # the load's end: everything is still in the log
            kill()
            store.run("count_nodes")  # graphsvc restarts it, replaying the whole log
        compact()

    store.compact = compact_after  # type: ignore[method-assign]
    began = time.monotonic()
    try:
        try:
            write_bundle(store, bundle, progress)
        except WriteFailed:  # the kill cut a write that is not safe to repeat (create_*):
            marks["reruns"] = 1  # the load says so, and loading it again completes it
            write_bundle(store, bundle)
        seconds = time.monotonic() - began
        digest = graph_digest(store)
    finally:
        store.close()
    log = (folder / "falkordb.log").read_text()
    replays = [float(s) for s in re.findall(r"DB loaded from append only file: ([\d.]+) s", log)]
    return {
        "load_s": marks.get("writes_s", seconds),
        "sizes": sizes,
        "left": killed.get("left", 0),
        "replay_s": max(replays, default=0.0),
        "digest": digest,
        "reruns": marks.get("reruns", 0),
    }


def main() -> None:
    scale = float(os.environ.get("GRAPHSVC_BENCH_SCALE", "0.25"))
    source = national.bundle(1, scale)
    bundle = read_bundle(source)
    work = Path(tempfile.mkdtemp(prefix="graphsvc-bench-durability-"))
    try:
        clean = run(bundle, work / "clean", budget=True, kill_at=None)
        worst = max(range(len(clean["sizes"])), key=lambda i: clean["sizes"][i]) + 1
        largest = max(clean["sizes"])
        crashed = run(bundle, work / "budget", budget=True, kill_at=worst, kill_bytes=largest)
        peer = run(bundle, work / "nobudget", budget=False, kill_at=-1)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    same = clean["digest"] == crashed["digest"] == peer["digest"]
    print(f"national bundle, scale {scale:g}: {sum(len(r) for r in bundle.tables.values()):,} "
          f"records; every run ends with the clean digest: {same}")  # fmt: skip
    print(f"{'run':<12}{'write s':>9}{'log left at kill':>20}{'replay s':>10}{'re-runs':>9}")
    for name, result in (("clean", clean), ("budget", crashed), ("no budget", peer)):
        print(f"{name:<12}{result['load_s']:>9.1f}{result['left'] / 2**20:>17.1f} MB"
              f"{result['replay_s']:>10.2f}{result['reruns']:>9}")  # fmt: skip
    print(
        f"worst kill: once the log reached the clean run's largest, "
        f"{largest / 2**20:.1f} MB (batch {worst} of {len(clean['sizes'])}), or at that batch"
    )
    ratio = peer["replay_s"] / max(crashed["replay_s"], 1e-3)
    print(f"replay after the worst kill, no budget / budget: {ratio:.1f}x")
    print(f"write seconds without budget / with (>= 1: the rewrites cost nothing): "
          f"{peer['load_s'] / max(clean['load_s'], 1e-3):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
