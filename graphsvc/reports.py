"""Gap and overlap rows as flat tables, for CSV exports, JSON and terminal tables."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Any

from graphsvc.core.gaps import GapRow
from graphsvc.core.overlaps import OverlapRow
from graphsvc.security.inputs import formula_safe

GAP_COLUMNS = ("zone", "need", "demand", "supply", "ratio", "status", "providers", "rollup",
               "service_ids")  # fmt: skip
OVERLAP_COLUMNS = ("zone", "service_type", "provider_ids", "provider_count", "capacity", "demand",
                   "capacity_ratio", "collaboration_share", "fragmented")  # fmt: skip


def gap_records(rows: Sequence[GapRow]) -> list[dict[str, Any]]:
    """One flat record per gap row; contributing services joined with `|`."""
    return [
        {"zone": r.zone, "need": r.need, "demand": r.demand, "supply": round(r.supply, 2),
         "ratio": round(r.ratio, 4), "status": r.status, "providers": r.providers,
         "rollup": r.rollup, "service_ids": "|".join(c.service for c in r.contributions)}
        for r in rows
    ]  # fmt: skip


def overlap_records(rows: Sequence[OverlapRow]) -> list[dict[str, Any]]:
    """One flat record per overlap row; providers joined with `|`."""
    return [
        {"zone": r.zone, "service_type": r.service_type, "provider_ids": "|".join(r.providers),
         "provider_count": len(r.providers), "capacity": r.capacity, "demand": r.demand,
         "capacity_ratio": None if r.capacity_ratio is None else round(r.capacity_ratio, 4),
         "collaboration_share": round(r.collaboration_share, 4), "fragmented": r.fragmented}
        for r in rows
    ]  # fmt: skip


def to_csv(columns: Sequence[str], records: Sequence[dict[str, Any]], bom: bool = False) -> str:
    """CSV text with a header row; a byte-order mark helps spreadsheets detect UTF-8."""
    buffer = io.StringIO()
    if bom:
        buffer.write("\ufeff")
    writer = csv.DictWriter(buffer, fieldnames=list(columns), lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(
        {k: formula_safe(v) if isinstance(v, str) else v for k, v in r.items()} for r in records
    )
    return buffer.getvalue()
