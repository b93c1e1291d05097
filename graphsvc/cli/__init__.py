"""The `graphsvc` command. Each area registers its subcommands from its own module."""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Sequence

from graphsvc import __version__
from graphsvc.cli import casemanager, coplan, data, io, maps, planner, security, sources, zones
from graphsvc.cli.common import say
from graphsvc.config import get_settings
from graphsvc.errors import ConfigError, GraphsvcError, InputError
from graphsvc.store.loads import set_command

MAX_PROBLEMS_SHOWN = 50
AREAS = (data, planner, casemanager, maps, io, coplan, security, zones, sources)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    set_command(sys.argv[1:] if argv is None else argv)  # named by load markers
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # its failures reach us as errors
    try:
        settings = get_settings().with_overrides(db=args.db)
        return args.run(args, settings) or 0
    except InputError as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            say(f"  {problem}")
        hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            say(f"  ... and {hidden} more")
        say(f"graphsvc: error: {len(exc.problems)} problem(s); nothing was changed")
        return 1
    except GraphsvcError as exc:
        say(f"graphsvc: error: {exc}")
        return getattr(exc, "exit_code", 1)  # CompactionFailed: 3, the rows are all written
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # a bug: still one line, with a way to see more
        if _debug():
            raise
        say(
            f"graphsvc: internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
            "(set GRAPHSVC_DEBUG=1 for a traceback)"
        )
        return 70


def build_parser() -> argparse.ArgumentParser:
    """The parser with every area's subcommands."""
    parser = argparse.ArgumentParser(prog="graphsvc", description=__doc__)
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    parser.add_argument("--db", help="database URL (default: GRAPHSVC_DB or embedded:./data)")
    sub = parser.add_subparsers(title="commands")
    for area in AREAS:
        area.register(sub)
    return parser


def _debug() -> bool:
    """GRAPHSVC_DEBUG set: a bug shows its traceback (a bad setting elsewhere does not hide it)."""
    try:
        return get_settings().debug
    except ConfigError:
        return False
