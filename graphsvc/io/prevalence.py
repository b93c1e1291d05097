"""Population needs from a prevalence table, so gap queries run on real geography.

The table is a CSV file with the columns `need,share` (the share of the population with the
need, 0 to 1) and optionally `age_band,band_share`: then a need's share is the sum over its
bands of share x band_share (band_share: the share of the population in that age band).
Needs are recorded on the finest zones whose population is known: a zone whose parts all
have a population is split into them, otherwise it keeps the record (neighbourhoods without
population figures leave it on their municipality). Each such zone gets
`people = round(population x share)`. A need already recorded in or above the zone is
refused (it would count people twice); everything is checked before anything is written.
"""

from __future__ import annotations

import csv
import math
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from graphsvc.core.directory import require_zone
from graphsvc.core.gaps import check_needs
from graphsvc.errors import InputError
from graphsvc.store import Row, Store

COLUMNS = ("need", "share")
BAND_COLUMNS = ("need", "share", "age_band", "band_share")


@dataclass(frozen=True)
class Estimate:
    """What an estimate wrote (or would write)."""

    zones: int
    needs: int
    people: int
    rows: list[Row]


def read_prevalence(path: Path) -> dict[str, float]:
    """Need code -> share of the population; InputError naming file, row and field."""
    problems: list[str] = []
    shares: dict[str, float] = defaultdict(float)
    bands: dict[str, set[str]] = defaultdict(set)
    try:
        with Path(path).open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            header = tuple(reader.fieldnames or ())
            if header not in (COLUMNS, BAND_COLUMNS):
                raise InputError([f"{path}: row 1: columns must be {','.join(COLUMNS)} or "
                                  f"{','.join(BAND_COLUMNS)}, not {','.join(header)}"])  # fmt: skip
            for row in reader:
                where = f"{Path(path).name} row {reader.line_num}"
                share = _fraction(row["share"], f"{where} field share", problems)
                weight = 1.0
                if "band_share" in row:
                    weight = _fraction(row["band_share"], f"{where} field band_share", problems)
                    if row["age_band"] in bands[row["need"]]:
                        problems.append(f"{where} field age_band: {row['age_band']!r} repeated")
                    bands[row["need"]].add(row["age_band"])
                elif row["need"] in shares:
                    problems.append(f"{where} field need: {row['need']!r} repeated")
                shares[row["need"]] += share * weight
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise InputError([f"{path}: cannot read: {exc}"]) from None
    if problems:
        raise InputError(problems)
    if not shares:
        raise InputError([f"{path}: no rows"])
    return dict(shares)


def _fraction(raw: str, where: str, problems: list[str]) -> float:
    try:
        value = float(raw)
    except (TypeError, ValueError):
        problems.append(f"{where}: {raw!r} is not a number")
        return 0.0
    if not math.isfinite(value) or not 0 <= value <= 1:
        problems.append(f"{where}: {raw} is not a share between 0 and 1")
        return 0.0
    return value


def estimate_needs(
    store: Store, zone_id: str, shares: dict[str, float], year: int, source: str
) -> Estimate:
    """The HAS_NEED rows for every finest zone inside zone_id (checked, not written)."""
    require_zone(store, zone_id, "--zone")
    check_needs(store, sorted(shares))
    clashes = store.run("list_need_records_around", zone=zone_id, needs=sorted(shares))
    if clashes:
        raise InputError(
            [
                f"zone {c['zone']!r} already records need {c['need']!r}: estimating it again "
                "would count its people twice"
                for c in clashes[:20]
            ]
        )
    zones = estimation_zones(store.run("list_zone_population_tree", zone=zone_id), zone_id)
    rows = [{"zone": z["id"], "need": need, "people": round(z["population"] * share),
             "year": year, "source": source}
            for z in zones for need, share in sorted(shares.items())]  # fmt: skip
    return Estimate(len(zones), len(shares), sum(r["people"] for r in rows), rows)


def estimation_zones(tree: list[Row], root: str) -> list[Row]:
    """The deepest zones with a known population that together cover the root once."""
    parts: dict[str, list[Row]] = defaultdict(list)
    by_id = {row["id"]: row for row in tree}
    for row in tree:
        if row["parent"] is not None:
            parts[row["parent"]].append(row)
    if by_id[root]["population"] is None:
        raise InputError([f"argument --zone: zone {root!r} has no population"])
    chosen: list[Row] = []
    todo = [by_id[root]]
    while todo:
        zone = todo.pop()
        children = parts[zone["id"]]
        if children and all(child["population"] is not None for child in children):
            todo.extend(children)
        else:
            chosen.append(zone)
    return sorted(chosen, key=lambda row: row["id"])


def write_estimate(store: Store, estimate: Estimate) -> None:
    """Write the estimated needs, then compact the database like every bulk load."""
    store.upsert("merge_zone_needs", estimate.rows)
    store.compact()
