"""Planner commands: gaps and overlaps of a zone as a table, CSV or JSON."""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from graphsvc.cli.common import emit, say
from graphsvc.config import Settings
from graphsvc.core.coverage import DEFAULT_OVERLAP, DEFAULT_TARGET, Thresholds
from graphsvc.core.directory import get_zones
from graphsvc.core.gaps import GapQuery, zone_gaps
from graphsvc.core.methods import METHODS, MethodParams
from graphsvc.core.overlaps import zone_overlaps
from graphsvc.errors import InputError
from graphsvc.reports import (
    CAPACITY_COLUMNS,
    GAP_COLUMNS,
    OVERLAP_COLUMNS,
    gap_records,
    overlap_records,
)
from graphsvc.store import open_store

FORMATS = ("table", "csv", "json")


def _codes(raw: str | None) -> list[str] | None:
    return [c.strip() for c in raw.split(",") if c.strip()] if raw else None


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    gaps = sub.add_parser("gaps", help="coverage of a zone's needs (MISSING, UNDER, OVER)")
    gaps.add_argument("--zone", required=True, help="zone id, e.g. leuven")
    gaps.add_argument("--method", choices=METHODS, default="catchment",
                      help="catchment (declared coverage) or a distance method: e2sfca, "
                      "gravity, gaussian, 3sfca (README, For planners)")  # fmt: skip
    gaps.add_argument("--reach-km", type=float, help="distance methods: largest distance")
    gaps.add_argument("--gravity-alpha", type=float, default=-1.0)
    gaps.add_argument("--gravity-scale-km", type=float, default=1.0)
    gaps.add_argument("--gravity-min-km", type=float, default=1.0)
    gaps.add_argument("--gaussian-sigma-km", type=float, default=10.0)
    gaps.add_argument("--needs", help="comma-separated need codes (default: all)")
    gaps.add_argument("--status", help="comma-separated statuses to show, e.g. MISSING,UNDER")
    gaps.add_argument("--target", type=float, default=DEFAULT_TARGET,
                      help=f"places per person ({DEFAULT_TARGET})")  # fmt: skip
    gaps.add_argument("--overlap", type=float, default=DEFAULT_OVERLAP,
                      help=f"OVER threshold ({DEFAULT_OVERLAP})")  # fmt: skip
    gaps.add_argument("--no-parts", action="store_true", help="only the zone's own roll-up")
    gaps.add_argument("--scenario", choices=("as-is", "to-be"), default="as-is",
                      help="to-be also counts the planned services of action plans")  # fmt: skip
    gaps.add_argument("--capacity", choices=("declared", "estimated"), default="declared",
                      help="estimated fills unknown capacities from the default places table "
                      "(graphsvc/core/default_places.csv)")  # fmt: skip
    gaps.add_argument("--sort", choices=("zone", "ratio"), default="zone",
                      help="ratio: the least access first")  # fmt: skip
    gaps.add_argument("--limit", type=int, help="show only this many rows")
    gaps.add_argument("--format", choices=FORMATS, default="table")
    gaps.set_defaults(run=_gaps)

    overlaps = sub.add_parser("overlaps", help="service types offered by several actors")
    overlaps.add_argument("--zone", required=True, help="zone id, e.g. leuven")
    overlaps.add_argument("--types", help="comma-separated service type codes (default: all)")
    overlaps.add_argument("--min-providers", type=int, default=2)
    overlaps.add_argument("--fragmented", action="store_true", help="only uncoordinated ones")
    overlaps.add_argument("--format", choices=FORMATS, default="table")
    overlaps.set_defaults(run=_overlaps)

    needs = sub.add_parser("needs", help="population needs")
    needs_sub = needs.add_subparsers(title="needs commands")
    estimate = needs_sub.add_parser(
        "estimate", help="HAS_NEED on every finest zone from a prevalence table (CSV)"
    )
    estimate.add_argument("--prevalence", required=True, type=Path,
                          help="CSV: need,share[,age_band,band_share]")  # fmt: skip
    estimate.add_argument("--zone", default="be", help="estimate inside this zone (be)")
    estimate.add_argument("--year", type=int, default=2024)
    estimate.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
    estimate.set_defaults(run=_estimate)


def _gaps(args: argparse.Namespace, settings: Settings) -> int:
    statuses = tuple(s.upper() for s in _codes(args.status) or []) or None
    query = GapQuery(
        args.zone,
        needs=tuple(n) if (n := _codes(args.needs)) else None,
        include_parts=not args.no_parts,
        method=args.method,
        thresholds=Thresholds(args.target, args.overlap),
        statuses=statuses,
        scenario=args.scenario.upper().replace("-", "_"),
        capacity=args.capacity,
        params=MethodParams(
            args.reach_km,
            args.gravity_alpha,
            args.gravity_scale_km,
            args.gravity_min_km,
            args.gaussian_sigma_km,
        ),
    )
    if args.limit is not None and args.limit < 1:
        raise InputError([f"argument --limit: {args.limit} must be at least 1"])
    store = open_store(settings)
    try:
        rows = zone_gaps(store, args.zone, query)
        worst = {z for r in rows if r.rollup for z, _, _ in r.worst_parts}
        names = {z: found.name for z, found in get_zones(store, sorted(worst)).items()}
    finally:
        store.close()
    if args.sort == "ratio":  # roll-ups first, then the parts with the least access
        rows = sorted(rows, key=lambda r: (not r.rollup, r.status == "NO_DEMAND", r.ratio,
                                           r.providers_per_10k or 0.0, r.zone, r.need))  # fmt: skip
    if args.limit is not None:
        rows = rows[: args.limit]
    records = gap_records(rows, query)
    columns = GAP_COLUMNS
    if args.format == "table":  # the older columns, and the newer ones only when they say
        # something: NO_DEMAND/UNKNOWN, estimates, unknown or idle capacity, skipped services
        telling = any(r.estimated_supply or r.unknown_services or r.idle_capacity
                      or r.skipped_services for r in rows)  # fmt: skip
        columns = GAP_COLUMNS[:9] + (CAPACITY_COLUMNS[:4] if telling else ())
    _emit(args.format, columns, records, f"coverage of {args.zone}")
    if args.format == "table":
        if query.echo() != GapQuery(args.zone).echo():  # not the defaults: say what was used
            print("method: " + ", ".join(f"{k} {v}" for k, v in query.echo().items()))
        for r in (r for r in rows if r.rollup and r.worst_parts):
            least = "; ".join(f"{names.get(z, z)} ({z}) {ratio:.4g} {status}"
                              for z, ratio, status in r.worst_parts)  # fmt: skip
            print(f"least access to {r.need} in {args.zone}: {least}")
    return 0


def _overlaps(args: argparse.Namespace, settings: Settings) -> int:
    store = open_store(settings)
    try:
        rows = zone_overlaps(store, args.zone, _codes(args.types), args.min_providers)
    finally:
        store.close()
    if args.fragmented:
        rows = [r for r in rows if r.fragmented]
    _emit(args.format, OVERLAP_COLUMNS, overlap_records(rows), f"overlaps in {args.zone}")
    return 0


def _estimate(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.prevalence import estimate_needs, read_prevalence, write_estimate

    shares = read_prevalence(args.prevalence)
    store = open_store(settings)
    try:
        found = estimate_needs(store, args.zone, shares, args.year,
                               f"prevalence {args.prevalence.name}")  # fmt: skip
        if not args.dry_run:
            write_estimate(store, found)
    finally:
        store.close()
    verb = "would write" if args.dry_run else "wrote"
    say(f"{verb} {len(found.rows):,} needs: {found.needs} need types x {found.zones:,} zones "
        f"in {args.zone}, {found.people:,} people in need in all")  # fmt: skip
    return 0


_LISTS = {"service_ids", "provider_ids"}
_NUMERIC = {"demand", "supply", "ratio", "providers", "provider_count", "capacity",
            "capacity_ratio", "collaboration_share", *CAPACITY_COLUMNS}  # fmt: skip


def _emit(fmt: str, columns: Sequence[str], records: list[dict[str, Any]], title: str) -> None:
    emit(fmt, columns, records, title, hidden=_LISTS, numeric=_NUMERIC,
         no_wrap=("zone", "need", "service_type"))  # fmt: skip
