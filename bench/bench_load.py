"""Bulk load: UNWIND batches against one row per query, side by side on the same rows.

Run with `make bench`. Prints absolute figures and the ratio; absolute times on shared
machines are noise, the ratio is what to compare between runs.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable

from graphsvc.config import Settings
from graphsvc.store import Store, open_store


def synthetic_zones(n: int) -> list[dict]:
    """n vicinity-network-like zones with plain values."""
    return [
        {"id": f"z{i:06d}", "name": f"Zone {i}", "level": "vicinity_network",
         "population": 1000 + i % 5000, "lat": 50.0 + i * 1e-5, "lon": 4.0 + i * 1e-5}
        for i in range(n)
    ]  # fmt: skip


def timed(action: Callable[[], object]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def measure(store: Store, rows: list[dict], batch_size: int) -> tuple[float, int]:
    """Seconds and round trips to upsert rows fresh, in batches of batch_size."""
    store.run("delete_everything")
    before = store.calls
    seconds = timed(lambda: store.upsert("merge_zones", rows, batch_size=batch_size))
    return seconds, store.calls - before


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=5000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        store = open_store(Settings(db=f"embedded:{folder}", graph="bench"))
        try:
            rows = synthetic_zones(args.rows)
            one_s, one_calls = measure(store, rows, 1)
            batch_s, batch_calls = measure(store, rows, args.batch)
        finally:
            store.close()
    print(f"{'case':<28}{'rows':>8}{'round trips':>13}{'seconds':>10}{'rows/s':>12}")
    for name, seconds, calls in (
        ("one row per query", one_s, one_calls),
        (f"UNWIND batch of {args.batch}", batch_s, batch_calls),
    ):
        print(f"{name:<28}{args.rows:>8}{calls:>13}{seconds:>10.3f}{args.rows / seconds:>12,.0f}")
    print(f"ratio (one row per query / batched): {one_s / batch_s:.1f}x  (target >= 20x)")


if __name__ == "__main__":
    main()
