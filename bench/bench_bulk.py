"""Issue 22 item 4: the load into an empty graph through GRAPH.BULK against the UNWIND load of
the same bundle, side by side in one run (`python -m bench.bench_bulk [scale]`)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

from bench import national
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import open_store


def main(scale: float = 1.0) -> None:
    source = national.bundle(1, scale)
    started = time.monotonic()
    bundle = read_bundle(source)
    read_s = time.monotonic() - started
    with tempfile.TemporaryDirectory() as folder:
        settings = Settings(db=f"embedded:{Path(folder) / 'db'}", graph="bench")
        for mode in ("0", "1", "0", "1"):
            os.environ["GRAPHSVC_BULK_LOAD"] = mode
            store = open_store(settings)
            store.run("delete_everything")
            started = time.monotonic()
            write_bundle(store, bundle)
            write_s = time.monotonic() - started
            digest = graph_digest(store)[:12]
            print(
                f"{'bulk' if mode == '1' else 'unwind'}: read+check {read_s:.1f} s, write "
                f"{write_s:.1f} s, digest {digest}, load average {os.getloadavg()[0]:.1f}"
            )
            store.close()


if __name__ == "__main__":
    main(float(sys.argv[1]) if len(sys.argv) > 1 else 1.0)
