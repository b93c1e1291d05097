"""Security commands: `graphsvc token create|list|revoke` and `graphsvc audit`."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from rich.table import Table

from graphsvc.cli.common import out, say
from graphsvc.config import Settings
from graphsvc.errors import ConfigError, InputError
from graphsvc.security.audit import AuditLog
from graphsvc.security.roles import Role
from graphsvc.security.tokens import TokenFile


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    token = sub.add_parser("token", help="bearer tokens for the HTTP API (stored hashed)")
    token_sub = token.add_subparsers(title="token commands")
    create = token_sub.add_parser(
        "create",
        help="create a token and print it once",
        description="Create a bearer token and print it once on stdout; only its SHA-256 is "
        "stored (GRAPHSVC_TOKENS, default tokens.json beside the data).",
    )
    create.add_argument("--role", required=True, choices=[r.value for r in Role])
    create.add_argument("--actor", metavar="ID", help="the actor a case_manager token acts as")
    create.add_argument("--note", default="", help="a reminder of who holds it (no secret)")
    create.set_defaults(run=_create)
    listing = token_sub.add_parser("list", help="the tokens (ids, roles, actors; no secret)")
    listing.set_defaults(run=_list)
    revoke = token_sub.add_parser("revoke", help="revoke a token by its id (tok_...)")
    revoke.add_argument("id")
    revoke.set_defaults(run=_revoke)

    audit = sub.add_parser(
        "audit",
        help="read the audit log of patient data access",
        description="Read the audit log (GRAPHSVC_AUDIT_LOG, default audit.jsonl beside the "
        "data): every read and write of patient data, oldest first.",
    )
    audit.add_argument("--patient", metavar="ID", help="only this patient's pseudonym")
    audit.add_argument("--json", action="store_true", help="print the JSON lines as stored")
    audit.add_argument("--verify", action="store_true", help="check the hash chain")
    audit.set_defaults(run=_audit)


def _tokens(settings: Settings) -> TokenFile:
    if not settings.tokens_path:
        raise ConfigError("no tokens file: set GRAPHSVC_TOKENS")
    return TokenFile(settings.tokens_path)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    tokens = _tokens(settings)
    if args.actor:
        _check_actor(settings, args.actor)
    token, entry = tokens.create(args.role, args.actor, args.note)
    print(token, flush=True)
    acting = f", acting as {entry.actor}" if entry.actor else ""
    say(
        f"created token {entry.id} (role {entry.role}{acting}) in {tokens.path}; it is shown "
        "only now: give it to its holder (Authorization: Bearer <token>)"
    )
    return 0


def _check_actor(settings: Settings, actor: str) -> None:
    from graphsvc.core.directory import get_actors
    from graphsvc.store import open_store

    store = open_store(settings)
    try:
        if actor not in get_actors(store, [actor]):
            raise InputError([f"--actor: unknown actor {actor!r}"])
    finally:
        store.close()


def _list(args: argparse.Namespace, settings: Settings) -> int:
    tokens = _tokens(settings)
    table = Table(title=str(tokens.path))
    for column in ("id", "role", "actor", "created", "note"):
        table.add_column(column)
    for entry in tokens.entries():
        table.add_row(entry.id, entry.role, entry.actor or "", entry.created, entry.note)
    out.print(table)
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    tokens = _tokens(settings)
    entry = tokens.revoke(args.id)
    say(f"revoked token {entry.id} (role {entry.role}); a running server refuses it at once")
    return 0


def _audit(args: argparse.Namespace, settings: Settings) -> int:
    if not settings.audit_path:
        raise ConfigError("no audit log: set GRAPHSVC_AUDIT_LOG")
    log = AuditLog(settings.audit_path)
    if args.verify:
        count, problems = log.verify()
        head = log.read_head()
        anchored = f"{head.count} records, last {head.last}" if head else "none"
        say(f"head ({log.head_path}): {anchored}")  # note it elsewhere: it anchors the chain
        for problem in problems[:20]:
            say(f"  {problem}")
        if problems:
            say(f"graphsvc: error: {log.path}: {len(problems)} problem(s) in {count} records")
            return 1
        say(f"{log.path}: {count} records, chain intact up to the head")
        return 0
    records = list(log.read(args.patient))
    if args.json:
        for record in records:
            sys.stdout.write(json.dumps(record, separators=(",", ":")) + "\n")
        return 0
    table = Table(title=f"{log.path}" + (f": patient {args.patient}" if args.patient else ""))
    for column in ("time", "role", "actor / token", "operation", "access", "fields", "outcome"):
        table.add_column(column)
    if not args.patient:
        table.add_column("patient")
    for r in records:
        who = r.get("actor") or r.get("token") or ""
        fields = " ".join(r.get("fields") or [])
        row = [r.get("time", ""), r.get("role", ""), who, r.get("operation", ""),
               r.get("access", ""), fields, r.get("outcome", "")]  # fmt: skip
        if not args.patient:
            row.append(r.get("patient") or "")
        table.add_row(*row)
    out.print(table)
    say(f"{len(records)} record(s)")
    return 0
