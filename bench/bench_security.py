"""The cost of suppression and of the audit log: `python -m bench.bench_security`.

Side by side in one process, interleaved round by round (DESIGN §7: ratios, not times), over
an embedded FalkorDB with the demo seeds (leuven and namur):

  counts   `patientCounts(zoneId: "be")` with disclosure control (graphsvc.security.sdc:
           integer programs, memoised per distinct table) / with no suppression at all;
           `cold` is one first computation of the whole Belgian table (no memo), in seconds
  read     `patient(id)` as a case manager, audited (one fsynced append and its head) /
           with no audit log
  write    `updatePatient` as a case manager, audited (the intent fsynced before the write,
           the outcome after) / with no audit log

Target: with/without >= 0.8 for each.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from graphsvc.api.context import Context
from graphsvc.api.schema import build_schema
from graphsvc.config import Settings
from graphsvc.core import patient_counts
from graphsvc.security.audit import AuditLog, AuditTrail
from graphsvc.security.roles import Principal, Role
from graphsvc.store import Store, open_store

TARGET = 0.8
MANAGER = "namur-case-manager-antoine-piette"
PATIENT = "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
COUNTS = '{ patientCounts(zoneId: "be") { total { patients { value } } } }'
READ = f'{{ patient(id: "{PATIENT}") {{ id needs {{ code }} }} }}'
WRITE = f'mutation($l: [String!]) {{ updatePatient(id: "{PATIENT}", changes: {{languages: $l}}) {{ id }} }}'  # noqa: E501


def _no_suppression(values: Any, relations: Any, k: int, unlisted: Any = ()) -> set:
    return set()


async def _burst(schema: Any, make: Any, query: str, n: int, **variables: Any) -> float:
    started = time.perf_counter()
    for i in range(n):
        extra = {"l": ["fr"] if i % 2 else ["nl"]} if "mutation" in query else {}
        result = await schema.execute(query, context_value=make(), variable_values=extra or None)
        assert result.errors is None, result.errors
    return n / (time.perf_counter() - started)


def measure(store: Store, folder: Path, rounds: int = 15, per_round: int = 20) -> dict:
    schema = build_schema()
    manager = Principal(role=Role.CASE_MANAGER, actor=MANAGER, token_id="tok_bench")
    planner = Principal(role=Role.PLANNER, token_id="tok_bench")
    log = AuditLog(folder / "audit.jsonl")

    def context(principal: Principal, audited: bool) -> Any:
        return lambda: Context(store=store, principal=principal,
                               audit=AuditTrail(log if audited else None, principal))  # fmt: skip

    real = patient_counts.protect
    started = time.perf_counter()
    patient_counts._PROTECTED.clear()
    patient_counts.patient_counts(store, "be", 10)
    cold = time.perf_counter() - started

    memo = patient_counts._PROTECTED

    async def counts(suppressed: bool) -> float:
        patient_counts.protect = real if suppressed else _no_suppression  # type: ignore[assignment]
        patient_counts._PROTECTED = memo if suppressed else {}  # without: nothing remembered
        try:
            return await _burst(schema, context(planner, True), COUNTS, per_round)
        finally:
            patient_counts.protect = real  # type: ignore[assignment]
            patient_counts._PROTECTED = memo

    cases = {
        "counts": (lambda: counts(True), lambda: counts(False)),
        "read": (lambda: _burst(schema, context(manager, True), READ, per_round),
                 lambda: _burst(schema, context(manager, False), READ, per_round)),
        "write": (lambda: _burst(schema, context(manager, True), WRITE, per_round),
                  lambda: _burst(schema, context(manager, False), WRITE, per_round)),
    }  # fmt: skip

    async def run() -> dict:
        results: dict[str, dict[str, float]] = {}
        for name, (with_, without) in cases.items():
            await with_()
            await without()
            ratios, on, off = [], [], []
            for round_ in range(rounds):
                if round_ % 2:
                    b, a = await without(), await with_()
                else:
                    a, b = await with_(), await without()
                on.append(a)
                off.append(b)
                ratios.append(a / b)
            results[name] = {"with": statistics.median(on), "without": statistics.median(off),
                             "ratio": statistics.median(ratios)}  # fmt: skip
        results["counts"]["cold_s"] = cold
        return results

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--per-round", type=int, default=20)
    args = parser.parse_args(argv)
    from graphsvc.io.bundle import read_bundle, write_bundle
    from graphsvc.io.seeds import resolve_seed

    with tempfile.TemporaryDirectory(prefix="bench-security-") as folder:
        store = open_store(Settings(db=f"embedded:{folder}/db", graph="security"))
        try:
            for seed in ("leuven", "namur"):
                write_bundle(store, read_bundle(resolve_seed(seed)))
            results = measure(store, Path(folder), args.rounds, args.per_round)
        finally:
            store.close()
    print(f"{'case':8} {'with req/s':>11} {'without req/s':>14} {'ratio':>6}")
    for name, r in results.items():
        print(f"{name:8} {r['with']:11.1f} {r['without']:14.1f} {r['ratio']:6.2f}")
    cold = results["counts"]["cold_s"]
    print(f"suppression of the whole Belgian table, first time: {cold:.2f} s")
    worst = min(r["ratio"] for r in results.values())
    verdict = "ok" if worst >= TARGET else "SLOWER than the target"
    print(f"with/without ratio: {worst:.2f} (target >= {TARGET}): {verdict}")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    sys.exit(main())
