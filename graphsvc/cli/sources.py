"""Where data came from: `sources`, `sources links NAME`, `sources conflicts [NAME]`,
`matches review [--source NAME] [--accept ID | --reject ID]`."""

from __future__ import annotations

import argparse
from typing import Any

from graphsvc.cli.common import emit, say
from graphsvc.config import Settings
from graphsvc.store import open_store

FORMATS = ("table", "csv", "json")


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    sources = sub.add_parser("sources", help="the sources imported, their records and conflicts")
    sources.add_argument("--format", choices=FORMATS, default="table")
    sources.set_defaults(run=_sources)
    kinds = sources.add_subparsers(title="views")
    links = kinds.add_parser("links", help="source_id,canonical_id,how,score of every record")
    links.add_argument("name", help="the source (as `graphsvc sources` lists it)")
    links.add_argument("--format", choices=FORMATS, default="table")
    links.set_defaults(run=_links)
    conflicts = kinds.add_parser(
        "conflicts", help="fields where a source says something else than the value kept"
    )
    conflicts.add_argument("name", nargs="?", help="one source (default: every source)")
    conflicts.add_argument("--format", choices=FORMATS, default="table")
    conflicts.set_defaults(run=_conflicts)

    matches = sub.add_parser("matches", help="pairs of records queued for a steward's review")
    kinds = matches.add_subparsers(title="actions")
    review = kinds.add_parser(
        "review", help="list the queued pairs, or accept / reject one (kept for every re-import)"
    )
    review.add_argument("--source", help="only this source's pairs")
    decision = review.add_mutually_exclusive_group()
    decision.add_argument("--accept", metavar="SOURCE_ID", help="merge it (needs --source)")
    decision.add_argument("--reject", metavar="SOURCE_ID", help="keep it apart (needs --source)")
    review.add_argument("--format", choices=FORMATS, default="table")
    review.set_defaults(run=_review)


def _with(settings: Settings, work: Any) -> int:
    store = open_store(settings)
    try:
        return work(store)
    finally:
        store.close()


def _sources(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.sources import list_sources

    def work(store: Any) -> int:
        rows = list_sources(store)
        columns = ["id", "kind", "name", "records", "gone", "imported_at", "digest", "licence"]
        emit(args.format, columns, rows, "sources", hidden=("digest",), numeric=("records", "gone"))
        return 0

    return _with(settings, work)


def _links(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.sources import source_links

    def work(store: Any) -> int:
        rows = source_links(store, args.name)
        emit(args.format, ["source_id", "canonical_id", "how", "score", "table", "gone"], rows,
             f"records of {args.name}", numeric=("score",))  # fmt: skip
        return 0

    return _with(settings, work)


def _conflicts(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.sources import conflicts

    def work(store: Any) -> int:
        rows = conflicts(store, args.name)
        columns = ["source", "table", "source_id", "canonical_id", "field", "value", "kept",
                   "kept_from"]  # fmt: skip
        emit(args.format, columns, rows, "conflicts (value said, value kept)")
        return 0

    return _with(settings, work)


def _review(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.errors import InputError
    from graphsvc.io.sources import decide, review_queue

    chosen = args.accept or args.reject
    if chosen and not args.source:
        raise InputError(["--source: name the source of the record to accept or reject"])

    def work(store: Any) -> int:
        if chosen:
            pair = decide(store, args.source, chosen, accept=bool(args.accept))
            say(f"{pair['decision']}ed: {args.source} {chosen} -> {pair['candidate']}; applied "
                f"at the next `graphsvc import` of {args.source} and every one after")  # fmt: skip
            return 0
        rows = review_queue(store, args.source)
        columns = ["source", "source_id", "name", "candidate", "candidate_name", "score",
                   "decision"]  # fmt: skip
        emit(args.format, columns, rows, "pairs queued for review", numeric=("score",))
        return 0

    return _with(settings, work)
