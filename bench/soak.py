"""Concurrent load on a running graphsvc: writers register patients, readers ask for gaps.

`run_load(url, writers, readers, seconds)` is used by tests/test_load.py (short) and by
`python -m bench.soak` (60 s, prints p50/p99 latencies). Loopback only, bounded in time.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from dataclasses import dataclass, field

import httpx2

REGISTER = """mutation($id: String!) { registerPatient(patient: {externalId: $id, zoneId: "north",
    needs: [{code: "wound-care"}], caseManagerId: "nurses-a"}) { id } }"""
READ = '{ serviceGaps(zoneId: "pilot") { zoneId needCode ratio status } zones { id } }'


@dataclass
class Stats:
    """What happened: acknowledged writes, errors, latencies per kind (seconds)."""

    acknowledged: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    latency: dict[str, list[float]] = field(default_factory=lambda: {"write": [], "read": []})
    lock: threading.Lock = field(default_factory=threading.Lock)

    def percentile(self, kind: str, p: float) -> float:
        values = sorted(self.latency[kind])
        return values[min(len(values) - 1, int(p * len(values)))] if values else float("nan")


def _worker(url: str, kind: str, number: int, until: float, stats: Stats) -> None:
    with httpx2.Client(timeout=30) as client:
        count = 0
        while time.monotonic() < until:
            count += 1
            if kind == "write":
                body = {"query": REGISTER, "variables": {"id": f"load-{number}-{count}"}}
            else:
                body = {"query": READ}
            started = time.perf_counter()
            try:
                response = client.post(url, json=body)
                answer = response.json()
            except (httpx2.HTTPError, ValueError) as exc:
                with stats.lock:
                    stats.errors.append(f"{kind}: {exc}")
                continue
            elapsed = time.perf_counter() - started
            with stats.lock:
                stats.latency[kind].append(elapsed)
                if response.status_code != 200 or answer.get("errors"):
                    stats.errors.append(f"{kind}: {response.status_code} {answer}")
                elif kind == "write":
                    stats.acknowledged.append(answer["data"]["registerPatient"]["id"])


def run_load(url: str, writers: int = 8, readers: int = 32, seconds: float = 60.0) -> Stats:
    """Run the writers and readers against url for `seconds`; return what happened."""
    stats = Stats()
    until = time.monotonic() + seconds
    kinds = [("write", n) for n in range(writers)] + [("read", n) for n in range(readers)]
    threads = [threading.Thread(target=_worker, args=(url, kind, n, until, stats))
               for kind, n in kinds]  # fmt: skip
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(seconds + 60)
    return stats


def report(stats: Stats, seconds: float) -> str:
    """A small table of throughput and p50/p99 latencies."""
    lines = [f"{'kind':<8}{'requests':>10}{'per s':>9}{'p50 ms':>9}{'p99 ms':>9}"]
    for kind in ("write", "read"):
        done = len(stats.latency[kind])
        lines.append(f"{kind:<8}{done:>10}{done / seconds:>9.1f}"
                     f"{stats.percentile(kind, 0.5) * 1000:>9.1f}"
                     f"{stats.percentile(kind, 0.99) * 1000:>9.1f}")  # fmt: skip
    lines.append(f"errors: {len(stats.errors)}; mean write "
                 f"{statistics.fmean(stats.latency['write'] or [0]) * 1000:.1f} ms")  # fmt: skip
    return "\n".join(lines)


def main() -> None:
    """Serve the tiny bundle on a fresh embedded database and load it."""
    import os
    import tempfile

    from graphsvc.api.app import create_app
    from graphsvc.api.background import serving
    from graphsvc.config import Settings
    from graphsvc.io.bundle import read_bundle, write_bundle
    from graphsvc.store import open_store

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--writers", type=int, default=8)
    parser.add_argument("--readers", type=int, default=32)
    args = parser.parse_args()
    os.environ.setdefault("GRAPHSVC_PSEUDONYM_KEY", "soak-pseudonym-key-0123456789")
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Settings(db=f"embedded:{folder}"))
        write_bundle(store, read_bundle("tests/fixtures/tiny"))
        with serving(create_app(Settings(), store)) as url:
            stats = run_load(url, args.writers, args.readers, args.seconds)
        store.close()
    print(report(stats, args.seconds))


if __name__ == "__main__":
    main()
