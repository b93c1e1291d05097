"""Facilitator command: `graphsvc map`, an offline HTML network map of a zone or an actor."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from graphsvc.cli.common import say
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.store import open_store


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    cmd = sub.add_parser(
        "map",
        help="write an offline HTML network map of a zone, or of an actor's ego network",
        description="Write one self-contained HTML page (works without internet).",
    )
    which = cmd.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", help="zone id, e.g. leuven")
    which.add_argument("--actor", help="actor id: its ego network in its pilot zone")
    which.add_argument("--gaps", metavar="ZONE", help="zone id: gap map of its parts (--need)")
    cmd.add_argument("--need", help="need type code for --gaps, e.g. nursing-care")
    cmd.add_argument("--hops", type=int, help="ties from the actor, 1 to 4 (default 2)")
    cmd.add_argument("-o", "--output", default="map.html", help="file to write, - for stdout")
    cmd.add_argument(
        "--max-nodes",
        type=int,
        help="group actors by vicinity network above this many nodes "
        "(default GRAPHSVC_MAP_MAX_NODES or 1500)",
    )
    cmd.set_defaults(run=_map)


def _map(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core import network
    from graphsvc.maps import default_max_nodes, render_html

    if args.hops is not None:
        network.check_hops(args.hops)
        if args.zone is not None:
            raise GraphsvcError("--hops goes with --actor")
    if args.gaps is not None:
        from graphsvc.cli.zones import write_gap_map

        return write_gap_map(args, settings)
    max_nodes = default_max_nodes() if args.max_nodes is None else args.max_nodes
    store = open_store(settings)
    try:
        if args.actor is not None:
            hops = network.DEFAULT_HOPS if args.hops is None else args.hops
            found = network.actor_map(store, args.actor, hops, max_nodes=max_nodes)
        else:
            found = network.zone_map(store, args.zone, max_nodes=max_nodes)
    finally:
        store.close()
    page = render_html(found)
    if args.output == "-":
        sys.stdout.write(page)
        sys.stdout.flush()
    else:
        try:
            Path(args.output).write_text(page, encoding="utf-8")
        except OSError as exc:
            raise GraphsvcError(f"cannot write {args.output}: {exc.strerror}") from None
    counts = found.counts()
    what = (
        f"{counts.get('group', 0)} groups of actors"
        if found.grouped
        else (f"{counts.get('actor', 0)} actors")
    )
    say(
        f"wrote {args.output}: {found.title}: {what}, {counts.get('need', 0)} needs with gaps, "
        f"{len(found.nodes)} nodes, {len(found.edges)} edges"
    )
    return 0
