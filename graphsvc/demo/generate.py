"""Regenerate the demo seeds: `python -m graphsvc.demo.generate [--out seeds] [--check]`.

Builds every seed from a fixed random seed, checks that each (vicinity network, need) cell has
exactly its intended coverage status, then writes the CSV files and seeds/README.md.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from graphsvc.demo import coplan, leuven, leuven_plan, namur
from graphsvc.demo.writer import Result, render_files, write_files

DEFAULT_OUT = Path(__file__).resolve().parent.parent.parent / "seeds"
SEEDS = (leuven, namur)
# co-creation data (issue 10): extra tables of a seed, made after it, from its own rows
PLANS = {leuven.NAME: leuven_plan}


def build_all() -> list[Result]:
    """Build and verify every seed (raises AssertionError when a cell is off its intent)."""
    results = []
    for module in SEEDS:
        seed = module.build()
        rows = seed.rows()
        result = Result(seed, rows, seed.verify(rows))
        plan = PLANS.get(seed.name)
        if plan is not None:
            tables = plan.build(seed, rows)
            result.plan = coplan.compute(rows, tables)
            plan.check(result.plan)
            rows.update(tables)  # new files only: the other tables stay as they were
        results.append(result)
    _check_shared(results)
    return results


def _check_shared(results: Sequence[Result]) -> None:
    """Rows that several seeds share (country zone, vocabularies) must be identical."""
    first = results[0].rows
    for result in results[1:]:
        for table in ("service_types", "need_types"):
            if result.rows[table] != first[table]:
                raise AssertionError(f"{result.seed.name}: {table} differs from {SEEDS[0].NAME}")
        shared = [z for z in result.rows["zones"] if z["id"] == "be"]
        if shared != [z for z in first["zones"] if z["id"] == "be"]:
            raise AssertionError(f"{result.seed.name}: zone be differs")


def main(argv: Sequence[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(prog="python -m graphsvc.demo.generate", description=__doc__)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="seeds folder to write")
    parser.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the folder differs"
    )
    args = parser.parse_args(argv)
    files = render_files(build_all())
    if args.check:
        stale = [
            name
            for name, text in sorted(files.items())
            if not (args.out / name).is_file()
            or (args.out / name).read_text(encoding="utf-8") != text
        ]
        for name in stale:
            print(f"out of date: {args.out / name}", file=sys.stderr)
        return 1 if stale else 0
    for path in write_files(args.out, files):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
