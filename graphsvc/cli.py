"""The `graphsvc` command: serve, load, db status, schema."""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc import __version__
from graphsvc.config import Settings, get_settings
from graphsvc.errors import GraphsvcError, InputError
from graphsvc.store import Store, describe_url, open_store

out = Console()
err = Console(stderr=True)
MAX_PROBLEMS_SHOWN = 50


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the console script; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if not hasattr(args, "run"):
        parser.print_help()
        return 2
    try:
        settings = get_settings().with_overrides(db=args.db)
        return args.run(args, settings) or 0
    except InputError as exc:
        for problem in exc.problems[:MAX_PROBLEMS_SHOWN]:
            say(f"  {problem}")
        hidden = len(exc.problems) - MAX_PROBLEMS_SHOWN
        if hidden > 0:
            say(f"  ... and {hidden} more")
        say(f"graphsvc: error: {len(exc.problems)} problem(s); nothing was written")
        return 1
    except GraphsvcError as exc:
        say(f"graphsvc: error: {exc}")
        return 1
    except KeyboardInterrupt:
        return 130


def say(message: str) -> None:
    """One unwrapped line on stderr (messages must stay greppable, whatever the width)."""
    print(message, file=sys.stderr, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="graphsvc", description=__doc__)
    parser.add_argument("--version", action="version", version=f"graphsvc {__version__}")
    parser.add_argument("--db", help="database URL (default: GRAPHSVC_DB or embedded:./data)")
    sub = parser.add_subparsers(title="commands")

    serve = sub.add_parser("serve", help="serve GraphQL (loads the demo into an empty database)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default 8000)")
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo seed")
    serve.set_defaults(run=_serve)

    load = sub.add_parser("load", help="check and load a seed by name, or a bundle folder")
    load.add_argument("seed", help="seed name (leuven, namur) or path of a bundle folder")
    load.set_defaults(run=_load)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(title="db commands")
    status = db_sub.add_parser("status", help="where the database is and what it holds")
    status.set_defaults(run=_db_status)

    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(run=_schema)
    return parser


@contextmanager
def _progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar for long work; quiet when output is not a terminal."""
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(),
        console=err, transient=True, disable=not err.is_terminal,
    ) as bar:  # fmt: skip
        task = bar.add_task(label, total=total, rate="")
        started = time.monotonic()
        done = 0

        def advance(n: int) -> None:
            nonlocal done
            done += n
            rate = done / max(time.monotonic() - started, 1e-6)
            bar.update(task, advance=n, rate=f"{rate:,.0f} rows/s")

        yield advance


def load_into(store: Store, seed: str) -> None:
    """Check then load a seed, with a progress bar and a one-line summary."""
    from graphsvc.io.bundle import planned_rows, read_bundle, write_bundle
    from graphsvc.io.seeds import resolve_seed

    started = time.monotonic()
    bundle = read_bundle(resolve_seed(seed))
    with _progress(planned_rows(bundle), f"loading {seed}") as advance:
        written = write_bundle(store, bundle, advance)
    seconds = time.monotonic() - started
    say(
        f"loaded {seed}: {bundle.count():,} records, {sum(written.values()):,} rows written "
        f"in {seconds:.1f} s"
    )


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.bundle import read_bundle
    from graphsvc.io.seeds import resolve_seed

    read_bundle(resolve_seed(args.seed))  # fail on bad input before touching the database
    store = open_store(settings)
    try:
        load_into(store, args.seed)
    finally:
        store.close()
    return 0


def _db_status(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.directory import counts

    store = open_store(settings)
    try:
        found = counts(store)
    finally:
        store.close()
    table = Table(title=f"{describe_url(settings.db)} ({store.backend}, graph {settings.graph})")
    table.add_column("label or relationship")
    table.add_column("count", justify="right")
    for name, count in sorted(found.items()):
        table.add_row(name, f"{count:,}")
    out.print(table)
    return 0


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.api.schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.core.directory import counts

    settings = settings.with_overrides(host=args.host, port=args.port)
    _check_port_free(settings.host, settings.port)
    store = open_store(settings)
    try:
        if not args.no_demo and not counts(store):
            say(f"empty database: loading the {settings.demo_seed} demo seed")
            load_into(store, settings.demo_seed)
        app = create_app(settings, store)
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        print(f"graphsvc serving GraphQL at http://{host}:{settings.port}/graphql "
              f"(database {describe_url(settings.db)})", flush=True)  # fmt: skip
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    finally:
        store.close()
    return 0


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise GraphsvcError(f"cannot listen on {host}:{port}: {exc.strerror}") from None


if __name__ == "__main__":
    sys.exit(main())
