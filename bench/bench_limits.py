"""GraphQL throughput with the security limits on / off: `python -m bench.bench_limits`.

Three schemas answer the same requests, interleaved round by round in one process (DESIGN §7:
compare ratios, not absolute times), all with strawberry's parse and validation caches:

  off    no limits
  on     graphsvc's limits (graphsvc.api.limits): rule classes built once, caches hit
  naive  strawberry's QueryDepthLimiter / MaxAliasesLimiter / MaxTokensLimiter as per-request
         factories: a new rule class per request misses the validation cache every time
         (strawberry issue #4635)

Two requests: `pipeline` fails in its resolver before any database call (parse, validate,
execute, mask: the cost the limits add to), `typical` is a small zone query (two round trips
to an embedded FalkorDB with the leuven seed). The target is on/off >= 0.85 for both.
`measure(store)` returns the numbers for bench/run.py.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from typing import Any

from strawberry.extensions import (
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    ValidationCache,
)

from graphsvc.api.context import Context
from graphsvc.api.errors import PublicErrors
from graphsvc.api.limits import DEFAULT_LIMITS
from graphsvc.api.schema import CACHE_SIZE, GraphsvcSchema, Mutation, Query, build_schema
from graphsvc.api.validation import NameArgumentsInErrors
from graphsvc.config import Settings
from graphsvc.store import Store, open_store

QUERIES = {
    "pipeline": """query Pipeline { zones(limit: 0) { ...Z } }
        fragment Z on Zone { id name level population lat lon parent { id name level }
                             parts { id name population parts { id name } } }""",
    "typical": '{ zone(id: "leuven") { name population parts { id name population } } }',
}
TARGET = 0.85


def naive_schema() -> Any:
    """strawberry's limiters used the documented way, as per-request factories."""
    limits = DEFAULT_LIMITS
    return GraphsvcSchema(
        query=Query,
        mutation=Mutation,
        extensions=[
            PublicErrors,
            lambda: QueryDepthLimiter(max_depth=limits.max_depth),
            lambda: MaxAliasesLimiter(max_alias_count=limits.max_aliases),
            lambda: MaxTokensLimiter(max_token_count=limits.max_tokens),
            lambda: ParserCache(maxsize=CACHE_SIZE),
            NameArgumentsInErrors,
            lambda: ValidationCache(maxsize=CACHE_SIZE),
        ],
    )


async def _burst(schema: Any, store: Store, query: str, n: int) -> float:
    started = time.perf_counter()
    for _ in range(n):
        result = await schema.execute(query, context_value=Context(store=store))
        assert result.errors is None or result.data is not None or "zones" in query, result
    return n / (time.perf_counter() - started)


def measure(store: Store, rounds: int = 31, per_round: int = 40) -> dict[str, dict[str, float]]:
    """Per query: requests per second of each schema (median over rounds) and the ratios
    on/off and naive/off (median of each round's ratio: rounds pair the schemas in time, so
    a busy moment of a shared machine slows all three alike)."""
    schemas = {
        "off": build_schema(limits=None),
        "on": build_schema(limits=DEFAULT_LIMITS),
        "naive": naive_schema(),
    }

    async def run() -> dict[str, dict[str, float]]:
        results: dict[str, dict[str, float]] = {}
        for name, query in QUERIES.items():
            for schema in schemas.values():  # warm the caches and the connection
                await _burst(schema, store, query, 10)
            rates: dict[str, list[float]] = {label: [] for label in schemas}
            for round_ in range(rounds):
                order = list(schemas.items())
                if round_ % 2:
                    order.reverse()  # no schema always runs first
                for label, schema in order:
                    rates[label].append(await _burst(schema, store, query, per_round))
            found = {label: statistics.median(values) for label, values in rates.items()}
            for label in ("on", "naive"):
                paired = [a / b for a, b in zip(rates[label], rates["off"], strict=True)]
                found[f"{label}/off"] = statistics.median(paired)
            results[name] = found
        return results

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=31)
    parser.add_argument("--per-round", type=int, default=40)
    args = parser.parse_args(argv)
    from graphsvc.io.bundle import read_bundle, write_bundle
    from graphsvc.io.seeds import resolve_seed

    with tempfile.TemporaryDirectory(prefix="bench-limits-") as folder:
        store = open_store(Settings(db=f"embedded:{folder}", graph="limits"))
        try:
            write_bundle(store, read_bundle(resolve_seed("leuven")))
            results = measure(store, args.rounds, args.per_round)
        finally:
            store.close()
    ok = True
    print(f"{'request':10} {'off req/s':>10} {'on req/s':>10} {'naive req/s':>12} "
          f"{'on/off':>7} {'naive/off':>9}")  # fmt: skip
    for name, r in results.items():
        print(f"{name:10} {r['off']:10.0f} {r['on']:10.0f} {r['naive']:12.0f} "
              f"{r['on/off']:7.2f} {r['naive/off']:9.2f}")  # fmt: skip
        ok = ok and r["on/off"] >= TARGET
    worst = min(r["on/off"] for r in results.values())
    verdict = "ok" if ok else "SLOWER than the target"
    print(f"limits on/off throughput ratio: {worst:.2f} (target >= {TARGET}): {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
