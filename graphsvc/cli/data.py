"""Data and service commands: serve, load, db status, schema."""

from __future__ import annotations

import argparse
import socket
import sys
import time
from typing import Any

from rich.table import Table

from graphsvc.cli.common import out, phase, port_number, say
from graphsvc.config import Settings
from graphsvc.errors import ConfigError, GraphsvcError
from graphsvc.store import Store, describe_url, open_store


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    serve = sub.add_parser("serve", help="serve GraphQL (loads the demo into an empty database)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, help="port (default 8000)")
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo seed")
    serve.set_defaults(run=_serve)

    load = sub.add_parser("load", help="check and load a seed by name, or a bundle folder")
    load.add_argument(
        "seed", help="seed name (leuven, namur, belgium) or path of a bundle folder or JSON file"
    )
    load.set_defaults(run=_load)

    db = sub.add_parser("db", help="database commands")
    db_sub = db.add_subparsers(title="db commands")
    status = db_sub.add_parser("status", help="where the database is and what it holds")
    status.set_defaults(run=_db_status)

    digest = db_sub.add_parser("digest", help="sha256 of a canonical dump of the graph")
    digest.set_defaults(run=_db_digest)

    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(run=_schema)


def load_into(store: Store, seed: str, settings: Settings) -> None:
    """Check then load a seed, with a progress bar, audit of its patients, a summary line."""
    from graphsvc.cli.io import write_and_report
    from graphsvc.io.seeds import read_seed

    started = time.monotonic()
    with phase(f"reading and checking {seed}"):
        bundle = read_seed(seed)
    write_and_report(store, bundle, seed, settings, started, verb="load")


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.cli.io import write_and_report
    from graphsvc.io.seeds import read_seed

    started = time.monotonic()
    with phase(f"reading and checking {args.seed}"):
        bundle = read_seed(args.seed)  # fail on bad input before touching the database
    store = open_store(settings)
    try:
        write_and_report(store, bundle, args.seed, settings, started, verb="load")
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
    # the title on its own line: as a table title it would wrap mid-word in a narrow table
    out.print(f"{describe_url(settings.db)} ({store.backend}, graph {settings.graph})",
              soft_wrap=True, highlight=False)  # fmt: skip
    table = Table()
    table.add_column("label or relationship")
    table.add_column("count", justify="right")
    for name, count in sorted(found.items()):
        table.add_row(name, f"{count:,}")
    out.print(table)
    return 0


def _db_digest(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.digest import graph_digest

    store = open_store(settings)
    try:
        print(graph_digest(store))
    finally:
        store.close()
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
    _check_tokens_beyond_loopback(settings)
    _check_port_free(settings.host, settings.port)
    store = open_store(settings)
    try:
        if not args.no_demo and not counts(store):
            say(f"empty database: loading the demo seeds {', '.join(settings.demo_seeds)}")
            for seed in settings.demo_seeds:
                load_into(store, seed, settings)
        app = create_app(settings, store)
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        print(f"graphsvc serving GraphQL at http://{host}:{settings.port}/graphql "
              f"(database {describe_url(settings.db)})", flush=True)  # fmt: skip
        if app.state.local:
            say("local mode: no token configured, loopback only; GraphiQL is on")
        else:
            say(f"bearer tokens required ({settings.tokens_path}); audit log {settings.audit_path}")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning")
    finally:
        store.close()
    return 0


def _check_tokens_beyond_loopback(settings: Settings) -> None:
    """Listening beyond loopback needs tokens: without them anyone could read patients."""
    from graphsvc.api.app import is_loopback, tokens_configured

    if not is_loopback(settings.host) and not tokens_configured(settings):
        raise ConfigError(
            f"refusing to listen on {settings.host} without tokens: anyone who can reach it "
            f"could read patient data. Create one (`graphsvc token create --role admin`, "
            f"stored in {settings.tokens_path or 'GRAPHSVC_TOKENS'}) or listen on 127.0.0.1"
        )


def _check_port_free(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise GraphsvcError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
