"""Facilitator commands: `graphsvc map` (an offline HTML page, PNG or SVG of a zone's network
or of an actor's ego network) and `graphsvc import workshop FILE` (registered by cli.io)."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from graphsvc.cli.common import add_force, output_path, say
from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.store import open_store

FORMATS = {".html": "html", ".htm": "html", ".png": "png", ".svg": "svg"}


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    cmd = sub.add_parser(
        "map",
        help="write an offline network map (HTML page, PNG or SVG) of a zone or an actor",
        description="Write one self-contained HTML page (works without internet), or the same "
        "picture as PNG or SVG (by the output's extension).",
    )
    which = cmd.add_mutually_exclusive_group(required=True)
    which.add_argument("--zone", help="zone id, e.g. leuven")
    which.add_argument("--actor", help="actor id: its ego network in its pilot zone")
    which.add_argument("--gaps", metavar="ZONE", help="zone id: gap map of its parts (--need)")
    cmd.add_argument("--need", help="need type code for --gaps, e.g. nursing-care")
    cmd.add_argument("--hops", type=int, help="ties from the actor, 1 to 4 (default 1)")
    cmd.add_argument(
        "-o",
        "--output",
        default="map.html",
        help="FILE.html, FILE.png or FILE.svg; - for HTML on stdout",
    )
    add_force(cmd)
    cmd.add_argument(
        "--max-nodes",
        type=int,
        help="group actors by vicinity network above this many nodes "
        "(default GRAPHSVC_MAP_MAX_NODES or 1500)",
    )
    cmd.add_argument(
        "--save-layout",
        action="store_true",
        help="store this map's positions as the zone's layout: the next maps keep them",
    )
    cmd.set_defaults(run=_map)
    ws = sub.add_parser("workshop", help="workshop proposals: confirm them as a planner")
    steps = ws.add_subparsers(title="steps")
    confirm = steps.add_parser(
        "confirm",
        help="confirm proposals: a proposed tie becomes a collaboration, a missing actor an actor",
    )
    confirm.add_argument("ids", nargs="+", help="proposal ids (shown in the map's tooltips)")
    confirm.add_argument("--planner", required=True, help="who confirms (recorded)")
    confirm.set_defaults(run=_confirm)


def _confirm(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.maps.workshop import confirm

    store = open_store(settings)
    try:
        report = confirm(store, args.ids, args.planner)
    finally:
        store.close()
    for line in report.lines():
        say(line)
    return 0


def register_import(kinds: Any) -> None:
    """`graphsvc import workshop FILE` (kinds: the subparsers of `graphsvc import`)."""
    cmd = kinds.add_parser(
        "workshop",
        help="a workshop patch exported from a map page: proposed ties, missing actors, "
        "priorities, with provenance",
    )
    cmd.add_argument("path", help="the .json file the map page exported")
    cmd.set_defaults(run=_import_workshop)


def _format(output: str) -> str:
    if output == "-":
        return "html"
    found = FORMATS.get(Path(output).suffix.lower())
    if found is None:
        raise GraphsvcError(
            f"argument -o: {output!r} must end in .html, .png or .svg (or be - for stdout)"
        )
    return found


def _map(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc import maps
    from graphsvc.maps.layout import layout_of, save_layout

    if args.gaps is not None:
        from graphsvc.cli.zones import write_gap_map

        return write_gap_map(args, settings)
    kind = _format(args.output)
    if args.output != "-":
        output_path(args.output, args.force)  # before any work: no map made to be refused
    if args.hops is not None:
        maps.check_hops(args.hops)
        if args.zone is not None:
            raise GraphsvcError("--hops goes with --actor")
    if args.save_layout and args.actor is not None:
        raise GraphsvcError("--save-layout goes with --zone (a layout is the whole zone's)")
    max_nodes = settings.map_max_nodes if args.max_nodes is None else args.max_nodes
    store = open_store(settings)
    try:
        if args.actor is not None:
            hops = maps.DEFAULT_HOPS if args.hops is None else args.hops
            found = maps.actor_map(store, args.actor, hops, max_nodes=max_nodes)
        else:
            found = maps.zone_map(store, args.zone, max_nodes=max_nodes)
        if args.save_layout:
            positions, ties = layout_of(found.nodes, found.edges)
            now = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            save_layout(store, found.zone, positions, ties, now)
    finally:
        store.close()
    if kind == "html":
        content: str | bytes = maps.render_html(found)
    else:
        from graphsvc.maps import picture

        content = picture.to_png(found) if kind == "png" else picture.to_svg(found)
    if args.output == "-":
        sys.stdout.write(str(content))
        sys.stdout.flush()
    else:
        try:
            if isinstance(content, bytes):
                Path(args.output).write_bytes(content)
            else:
                Path(args.output).write_text(content, encoding="utf-8")
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
        + (f", {len(found.aggregates)} aggregated ties" if found.aggregates else "")
        + ("; layout saved" if args.save_layout else "")
    )
    return 0


def _import_workshop(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.maps.workshop import import_workshop, read_patch

    patch = read_patch(Path(args.path))
    store = open_store(settings)
    try:
        report = import_workshop(store, patch, source=args.path)
    finally:
        store.close()
    for line in report.lines():
        say(line)
    return 0
