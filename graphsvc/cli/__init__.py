"""The `graphsvc` command. Each area registers its subcommands from its own module."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from graphsvc import __version__
from graphsvc.cli import casemanager, coplan, data, io, maps, planner, security, sources, zones
from graphsvc.cli.common import os_error_line, say
from graphsvc.config import get_settings
from graphsvc.errors import ConfigError, GraphsvcError, InputError
from graphsvc.store.loads import set_command

MAX_PROBLEMS_SHOWN = 50
# commands that change what is stored (`db restore` and `db repair` say so themselves)
WRITES = frozenset({"serve", "load", "import", "token", "zones", "matches", "workshop"})
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
        settings = get_settings().with_overrides(db=getattr(args, "db", None))
        code = args.run(args, settings) or 0
        sys.stdout.flush()  # a full disk or closed pipe is this command's failure, said here
        return code
    except InputError as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            say(f"  {problem}")
        hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            say(f"  ... and {hidden} more")
        unchanged = "; nothing was changed" if getattr(args, "writes", False) else ""
        say(f"graphsvc: error: {len(exc.problems)} problem(s){unchanged}")
        return 1
    except GraphsvcError as exc:
        say(f"graphsvc: error: {exc}")
        return getattr(exc, "exit_code", 1)  # CompactionFailed: 3, the rows are all written
    except KeyboardInterrupt:
        return 130
    except OSError as exc:  # a path, disk or pipe the user gave: their file, not our bug
        _quiet_stdout()
        say(f"graphsvc: error: {os_error_line(exc)}")
        return 1
    except Exception as exc:  # a bug: still one line, with a way to see more
        if _debug():
            raise
        say(
            f"graphsvc: internal error: {type(exc).__name__}: {' '.join(str(exc).split())} "
            "(set GRAPHSVC_DEBUG=1 for a traceback)"
        )
        return 70


def _quiet_stdout() -> None:
    """After stdout failed, point it at /dev/null so the exit's own flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def _db_everywhere(parser: argparse.ArgumentParser) -> None:
    """`--db` accepted after every subcommand too (`graphsvc db status --db URL`)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                child.add_argument("--db", default=argparse.SUPPRESS, help=argparse.SUPPRESS)
                _db_everywhere(child)


class OneLineParser(argparse.ArgumentParser):
    """argparse, with a usage mistake said in one line (the usage is one `--help` away)."""

    def error(self, message: str) -> NoReturn:
        say(f"{self.prog}: error: {message} (see {self.prog} --help)")
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    """The parser with every area's subcommands."""
    parser = OneLineParser(prog="graphsvc", description=__doc__)
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    parser.add_argument("--db", help="database URL (default: GRAPHSVC_DB or embedded:./data)")
    sub = parser.add_subparsers(title="commands")
    for area in AREAS:
        area.register(sub)
    for name, child in sub.choices.items():
        child.set_defaults(writes=name in WRITES)
    _db_everywhere(parser)
    return parser


def _debug() -> bool:
    """GRAPHSVC_DEBUG set: a bug shows its traceback (a bad setting elsewhere does not hide it)."""
    try:
        return get_settings().debug
    except ConfigError:
        return False
