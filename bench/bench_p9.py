"""P9 (issue 22): the first national gap request after a write, against one with no write,
and planners' latency with one write per second, in one run on the loaded national graph.

The writes go through graphsvc as a service would make them: a patient registration
(`core.patients.register_patient`: no gap depends on it) and a capacity change of one service
(`merge_services` of its bundle row with another capacity: the index updates that service).
"""

from __future__ import annotations

import csv
import statistics
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from graphsvc.core import gapindex, gaps
from graphsvc.core.patients import register_patient
from graphsvc.store import Store

KEY = "a-pseudonym-key-for-the-bench-only"
ROUNDS = 5  # writes then requests, per kind
LOAD_S = 20.0  # each phase of the planners' load


def _timed(action: Callable[[], Any]) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def _service_row(folder: Path) -> dict[str, Any]:
    with (folder / "services.csv").open(encoding="utf-8", newline="") as handle:
        for r in csv.DictReader(handle):
            if r["status"] == "active" and r["capacity"]:
                return {"id": r["id"], "actor": r["actor"], "type": r["type"], "name": r["name"],
                        "capacity": int(r["capacity"]), "available": int(r["available"] or 0),
                        "languages": [v for v in r["languages"].split("|") if v],
                        "eligibility": [v for v in r["eligibility"].split("|") if v],
                        "status": r["status"]}  # fmt: skip
    raise ValueError(f"{folder / 'services.csv'}: no active service with a capacity")


def _patient(folder: Path) -> tuple[str, str]:
    with (folder / "patients.csv").open(encoding="utf-8", newline="") as handle:
        first = next(csv.DictReader(handle))
    return first["zone"], first["case_manager"]


def measure(store: Store, folder: Path, top: str) -> dict[str, Any]:
    """The P9 figures (seconds), each kind of write interleaved with requests of no write."""
    zone, manager = _patient(folder)
    service = _service_row(folder)
    counter = iter(range(10**9))

    def patient_write() -> None:
        register_patient(store, None, {"external_id": f"bench-p9-{next(counter)}", "zone": zone,
                                       "case_manager": manager}, KEY)  # fmt: skip

    def capacity_write() -> None:
        service["capacity"] = service["capacity"] % 50 + 1
        store.upsert("merge_services", [service])

    request = lambda: gaps.zone_gaps(store, top)  # noqa: E731
    build_s = _timed(request)  # builds the index
    request()
    result: dict[str, Any] = {"build_s": build_s, "none": [], "patient": [], "capacity": []}
    calls: dict[str, list[int]] = {"patient": [], "capacity": []}
    for _ in range(ROUNDS):
        result["none"].append(_timed(request))
        for kind, write in (("patient", patient_write), ("capacity", capacity_write)):
            write()
            before = store.calls
            result[kind].append(_timed(request))
            calls[kind].append(store.calls - before)
    result["calls"] = calls
    both = [patient_write, capacity_write]
    result["load"] = {"none": _planners(store, top, None), "writes": _planners(store, top, both)}
    result["checked"] = gaps.zone_gaps(store, top) == gapindex.GapIndex.build(
        store,
        gapindex.version(store),  # type: ignore[arg-type]
    ).problem(gaps.GapQuery(top)).rows(gaps.GapQuery(top))
    return result


def _planners(store: Store, top: str, writes: list[Callable[[], None]] | None) -> list[float]:
    """4 planner threads asking for the national report for LOAD_S, with one write per second
    (alternating kinds) when writes are given; their latencies."""
    stop = time.monotonic() + LOAD_S
    latencies: list[float] = []
    lock = threading.Lock()

    def planner() -> None:
        while time.monotonic() < stop:
            seconds = _timed(lambda: gaps.zone_gaps(store, top))
            with lock:
                latencies.append(seconds)

    threads = [threading.Thread(target=planner) for _ in range(4)]
    for thread in threads:
        thread.start()
    n = 0
    while writes and time.monotonic() < stop:
        writes[n % len(writes)]()
        n += 1
        time.sleep(max(0.0, 1.0 - (time.monotonic() % 1.0)))
    for thread in threads:
        thread.join()
    return latencies


def p99(values: list[float]) -> float:
    return float(np.percentile(values, 99))


def median(values: list[float]) -> float:
    return statistics.median(values)
