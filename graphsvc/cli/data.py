"""Data and service commands: serve, load, db status/digest/backup/restore/repair, schema."""

from __future__ import annotations

import argparse
import json
import signal
import socket
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.table import Table

from graphsvc.cli.common import out, phase, port_number, say
from graphsvc.config import Settings
from graphsvc.errors import ConfigError, DatabaseUnavailable, GraphsvcError, InputError
from graphsvc.security.files import mode_of, private_dir, private_file, readable_by_others
from graphsvc.store import Store, describe_url, open_store

if TYPE_CHECKING:
    from graphsvc.io.bundle import Bundle

BACKUP_FILE = "graph.rdb"
BACKUP_INFO = "backup.json"


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    serve = sub.add_parser("serve", help="serve GraphQL (loads the demo into an empty database)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1)")
    serve.add_argument("--port", type=port_number, help="port (default 8000)")
    serve.add_argument("--no-demo", action="store_true", help="do not load the demo seed")
    serve.add_argument("--tls-cert", help="serve HTTPS with this PEM certificate (with --tls-key)")
    serve.add_argument("--tls-key", help="the PEM private key of --tls-cert")
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

    backup = db_sub.add_parser("backup", help="a consistent copy of the database, with digest")
    backup.add_argument("folder", help="new folder for the copy (graph.rdb, backup.json)")
    backup.set_defaults(run=_db_backup)

    restore = db_sub.add_parser("restore", help="replace the embedded database by a backup")
    restore.add_argument("folder", help="a folder written by `graphsvc db backup`")
    restore.set_defaults(run=_db_restore, writes=True)

    repair = db_sub.add_parser(
        "repair", help="back up, then repair a damaged or cut log of the embedded database"
    )
    repair.set_defaults(run=_db_repair, writes=True)

    schema = sub.add_parser("schema", help="print the GraphQL schema (SDL)")
    schema.set_defaults(run=_schema)


def load_into(
    store: Store,
    seed: str,
    settings: Settings,
    bundle: Bundle | None = None,
    started: float | None = None,
) -> None:
    """Check then load a seed (or its `bundle`, already read since `started`), with a progress
    bar, audit of its patients, a summary line."""
    from graphsvc.cli.io import write_and_report
    from graphsvc.io.seeds import read_seed

    started = time.monotonic() if started is None else started
    if seed == "belgium":  # the 2025 geography: the bundle, then polygons and old codes
        from graphsvc.io.belgium import load_belgium

        def write(checked: Bundle) -> None:
            end_reading()  # the bar of the writing follows
            write_and_report(store, checked, seed, settings, started, "load")

        with phase("reading and checking belgium with its polygons") as end_reading:
            load_belgium(store, write, say=say)
        return
    if bundle is None:
        with phase(f"reading and checking {seed}"):
            bundle = read_seed(seed)
    write_and_report(store, bundle, seed, settings, started, verb="load")


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.io.seeds import read_seed

    started = time.monotonic()
    bundle = None  # belgium is read (once) with its polygons, all checked before any write
    if args.seed != "belgium":
        with phase(f"reading and checking {args.seed}"):
            bundle = read_seed(args.seed)  # fail on bad input before touching the database
    store = open_store(settings)
    try:
        say_interrupted(store)
        load_into(store, args.seed, settings, bundle=bundle, started=started)
    finally:
        store.close()
    return 0


def say_interrupted(store: Store) -> dict[str, dict[str, Any]]:
    """Name the loads that started and never ended, and the command that finishes them; a
    load still running in another process is named as such (returned too)."""
    from graphsvc.store.loads import converging_command, is_running

    found = store.interrupted_loads()
    for source, marker in sorted(found.items()):
        command = converging_command(source, marker)
        if is_running(marker):
            say(
                f"note: the load of {source} started {marker.get('started', '?')} is still "
                f"running (process {marker.get('pid')}: `{command}`); the database holds part "
                f"of it until it ends"
            )
            continue
        say(
            f"warning: the load of {source} started {marker.get('started', '?')} "
            f"({marker.get('rows', 0):,} rows) was interrupted: the database holds part of "
            f"it. Run `{command}` again to complete it (re-running converges to the same graph)"
        )
    return found


def _db_status(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.directory import counts

    store = open_store(settings)
    try:
        found = counts(store)
        interrupted = say_interrupted(store)
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
    if interrupted:
        from graphsvc.store.loads import is_running

        for label, running in (("interrupted loads", False), ("loads running now", True)):
            names = sorted(s for s, m in interrupted.items() if is_running(m) == running)
            if names:
                out.print(f"{label}: {', '.join(names)}")
    return 0


def _db_digest(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.digest import graph_digest

    store = open_store(settings)
    try:
        with phase(f"reading graph {settings.graph} for its digest"):
            digest = graph_digest(store)
    finally:
        store.close()
    print(digest)
    return 0


def _embedded_folder(settings: Settings, command: str) -> Path:
    if not settings.db.startswith("embedded:"):
        raise ConfigError(
            f"`graphsvc db {command}` works on the embedded database only; "
            f"{describe_url(settings.db)} is a server: use its own tools"
        )
    return Path(settings.data_dir).resolve()


def _stopped(folder: Path, command: str) -> None:
    from graphsvc.store.embedded import EmbeddedServer

    if folder.exists() and EmbeddedServer(folder).server_alive():
        raise GraphsvcError(
            f"the database of {folder} is running: stop the graphsvc processes that use it "
            f"(serve, imports), then run `graphsvc db {command}` again"
        )


def _db_backup(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.digest import graph_digest
    from graphsvc.store.aof import file_sha256

    _embedded_folder(settings, "backup")
    target = Path(args.folder)
    if target.exists() and any(target.iterdir()):
        raise GraphsvcError(f"{target}: exists and is not empty; name a new folder")
    if not target.parent.is_dir():  # no folders made outside the one asked for
        raise GraphsvcError(f"{target}: no such folder {str(target.parent)!r} (create it first)")
    store = open_store(settings)
    try:
        with phase(f"backing up to {target}"):
            for _ in range(3):  # the digest of the snapshot: unchanged before and after it
                before = graph_digest(store)
                store.snapshot(private_dir(target) / BACKUP_FILE)  # type: ignore[attr-defined]
                if graph_digest(store) == before:
                    break
            else:
                raise GraphsvcError("the graph kept changing during the backup: try again")
    finally:
        store.close()
    info = {
        "graph": settings.graph,
        "digest": before,
        "file": BACKUP_FILE,
        "sha256": file_sha256(target / BACKUP_FILE),
        "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "database": describe_url(settings.db),
    }
    private_file(target / BACKUP_INFO).write_text(json.dumps(info, indent=1) + "\n")
    size = (target / BACKUP_FILE).stat().st_size
    say(f"backed up {describe_url(settings.db)} to {target} ({size:,} bytes): graph digest "
        f"{before}")  # fmt: skip
    return 0


def _db_restore(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core.digest import graph_digest
    from graphsvc.store.aof import file_sha256, install_snapshot

    folder = _embedded_folder(settings, "restore")
    source = Path(args.folder)
    try:
        info = json.loads((source / BACKUP_INFO).read_text())
        snapshot = source / info["file"]
        expected = info["sha256"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise GraphsvcError(f"{source}: not a graphsvc backup ({exc})") from None
    if not snapshot.is_file() or file_sha256(snapshot) != expected:
        raise GraphsvcError(f"{snapshot}: missing or changed since the backup (sha256 differs)")
    if info.get("graph") != settings.graph:
        raise GraphsvcError(
            f"{source} is a backup of graph {info.get('graph')!r}, this database's graph is "
            f"{settings.graph!r} (GRAPHSVC_GRAPH): nothing was changed"
        )
    _stopped(folder, "restore")
    _check_snapshot(snapshot, info, settings)  # before the live log is touched
    private_dir(folder)
    moved = install_snapshot(folder, snapshot)
    if moved:
        say(f"the log it replaces was moved to {moved}")
    store = open_store(settings)
    try:
        found = graph_digest(store)
    finally:
        store.close()
    if found != info.get("digest"):
        raise DatabaseUnavailable(
            f"restored {source} into {folder}, but the graph digest {found} is not the "
            f"backup's {info.get('digest')} (graph {settings.graph}; backup of graph "
            f"{info.get('graph')})"
        )
    say(f"restored {source} into {folder}: graph digest {found} (as backed up)")
    return 0


def _check_snapshot(snapshot: Path, info: dict, settings: Settings) -> None:
    """Start the snapshot in a private temporary folder and compare its graph's digest with
    the backup's, so a restore that would fail is refused with the data folder untouched."""
    import shutil
    import tempfile

    from graphsvc.core.digest import graph_digest
    from graphsvc.store.aof import install_snapshot

    trial = Path(tempfile.mkdtemp(prefix="graphsvc-restore-check-"))  # 0700
    try:
        install_snapshot(trial, snapshot)
        trial_settings = settings.with_overrides(db=f"embedded:{trial}")
        store = open_store(trial_settings, setup=False)
        try:
            found = graph_digest(store)
        finally:
            store.close()
    finally:
        shutil.rmtree(trial, ignore_errors=True)
    if found != info.get("digest"):
        raise GraphsvcError(
            f"{snapshot}: its graph {settings.graph!r} has digest {found}, not the backup's "
            f"{info.get('digest')}: nothing was changed"
        )


def _db_repair(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.store.aof import repair
    from graphsvc.store.embedded import binaries

    folder = _embedded_folder(settings, "repair")
    _stopped(folder, "repair")
    server, _ = binaries(settings.falkordb_bin)
    for line in repair(folder, server):
        say(line)
    return 0


def _check_private(settings: Settings) -> None:
    """Refuse to serve from a data folder that other local accounts can read."""
    if not settings.db.startswith("embedded:"):
        return
    folder = Path(settings.data_dir).resolve()
    if folder.exists() and readable_by_others(folder):
        raise ConfigError(
            f"refusing to serve: the data folder {folder} can be read by other users (mode "
            f"{mode_of(folder)}) and holds patient data; fix it with `chmod -R go-rwx "
            f"{folder}` (graphsvc creates it 0700)"
        )


def _schema(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.api.schema import schema

    sys.stdout.write(schema.as_str() + "\n")
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from graphsvc.api.app import create_app
    from graphsvc.api.transport import server_options
    from graphsvc.core.directory import counts

    settings = settings.with_overrides(host=args.host, port=args.port)
    _check_tokens_beyond_loopback(settings)
    _check_tls(args.tls_cert, args.tls_key)
    _check_port_free(settings.host, settings.port)
    _check_private(settings)
    # SIGTERM before uvicorn takes over its signals (while the database starts or the demo
    # loads) is a normal stop too: exit 0 through the `finally` that closes the store
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    store = open_store(settings)
    try:
        say_interrupted(store)
        if not args.no_demo and not counts(store):
            say(f"empty database: loading the demo seeds {', '.join(settings.demo_seeds)}")
            for seed in settings.demo_seeds:
                load_into(store, seed, settings)
        app = create_app(settings, store)
        host = f"[{settings.host}]" if ":" in settings.host else settings.host
        scheme = "https" if args.tls_cert else "http"
        print(f"graphsvc serving GraphQL at {scheme}://{host}:{settings.port}/graphql "
              f"(database {describe_url(settings.db)})", flush=True)  # fmt: skip
        if app.state.local:
            say("local mode: no token configured, loopback only; GraphiQL is on")
        else:
            say(f"bearer tokens required ({settings.tokens_path}); audit log {settings.audit_path}")
        uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning",
                    **server_options(args.tls_cert, args.tls_key))  # fmt: skip
    finally:
        store.close()
    return 0


def _check_tls(cert: str | None, key: str | None) -> None:
    from pathlib import Path

    if bool(cert) != bool(key):
        raise InputError(["--tls-cert and --tls-key: give both (a PEM certificate and its key)"])
    for flag, path in (("--tls-cert", cert), ("--tls-key", key)):
        if path and not Path(path).is_file():
            raise InputError([f"{flag}: {path}: no such file"])


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
