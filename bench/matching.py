"""Matching quality on the AFMPS list against a list derived from it (bench/derived_list.py):
`python -m bench.matching [AFMPS.csv]`. Prints precision and recall of the automatic merges,
the review band and the rate, beside the old matcher's (exact normalised name within 250 m)
on the same pair.

Both lists go through `import_pharmacies` exactly as `graphsvc import pharmacies` does, without
a database: the AFMPS records become the candidates (with their addresses, as their source
records hold them), then the derived list is matched against them.
"""

from __future__ import annotations

import csv
import sys
import tempfile
import time
from pathlib import Path

from bench.derived_list import derive
from graphsvc.io.belgium import import_pharmacies
from graphsvc.io.matching import MatchContext, normalised_name

AFMPS = Path(__file__).resolve().parents[2] / "shared/data/belgium/pharmacies_be_afmps_2022-03.csv"


def _everything(table: str, keys: set) -> set:
    return set(keys)


def measure(afmps: Path = AFMPS, seed: int = 15) -> dict[str, float]:
    """Precision, recall, review share and records/s of matching the derived list."""
    base = import_pharmacies(afmps, existing=_everything)
    extra = base.extra or {}
    services = {s["id"]: s for s in base.bundle.tables["services"]}
    actors = [{**a, **extra.get(a["id"], {}), "afmps": a["id"].removeprefix("be-pharmacy-"),
               "records": []} for a in base.bundle.tables["actors"]]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "derived.csv"
        rows, dropped, added = derive(afmps, out, seed)
        with out.with_suffix(".truth.csv").open(encoding="utf-8") as handle:
            truth = {r["id"]: r["afmps"] for r in csv.DictReader(handle)}
        context = MatchContext(actors=actors, services=services, source="derived", kind="list")
        started = time.perf_counter()
        second = import_pharmacies(out, existing=_everything, candidates=context, source="derived")
        seconds = time.perf_counter() - started
        old = _old_matcher(actors, out)
    matched = second.matched
    prefix = "be-pharmacy-derived-"
    merged = {aid.removeprefix(prefix): existing.removeprefix("be-pharmacy-")
              for aid, (existing, _) in matched.merged.items()}  # fmt: skip
    correct = sum(1 for d, a in merged.items() if truth[d] == a)
    pairs = sum(1 for a in truth.values() if a)
    old_correct = sum(1 for d, a in old.items() if truth[d] == a)
    return {
        "rows": rows, "dropped": dropped, "added": added, "true pairs": pairs,
        "merged": len(merged), "precision": correct / max(len(merged), 1),
        "recall": correct / pairs, "review": len(matched.review) / rows,
        "new": len(matched.new), "records/s": rows / seconds,
        "old precision": old_correct / max(len(old), 1), "old recall": old_correct / pairs,
    }  # fmt: skip


def _old_matcher(actors: list[dict], derived: Path) -> dict[str, str]:
    """The matcher this replaced: the same normalised name within 250 m, one candidate."""
    from graphsvc.core.coverage import distance_km

    by_name: dict[str, list[dict]] = {}
    for a in actors:
        by_name.setdefault(normalised_name(a["name"]), []).append(a)
    out = {}
    with derived.open(encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            near = [
                a
                for a in by_name.get(normalised_name(r["name"]), [])
                if distance_km(float(r["lat"]), float(r["lon"]), a["lat"], a["lon"]) <= 0.25
            ]
            if len(near) == 1:
                out[r["id"]] = near[0]["id"].removeprefix("be-pharmacy-")
    return out


if __name__ == "__main__":
    result = measure(Path(sys.argv[1]) if len(sys.argv) > 1 else AFMPS)
    for key, value in result.items():
        print(f"{key:>15}: {value:,.4f}" if isinstance(value, float) else f"{key:>15}: {value:,}")
