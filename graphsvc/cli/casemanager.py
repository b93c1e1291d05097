"""Case-manager commands: `graphsvc partners` (ranked partner search with reasons)."""

from __future__ import annotations

import argparse
from typing import Any

from rich.table import Table

from graphsvc.cli.common import audit_patients, out
from graphsvc.config import Settings
from graphsvc.errors import InputError
from graphsvc.security.audit import READ
from graphsvc.store import open_store


def register(sub: Any) -> None:
    """Add this area's subcommands."""
    cmd = sub.add_parser(
        "partners",
        help="ranked partner services for a patient, or for a zone and needs, with reasons",
        description="Ranked services that can take a patient now (its uncovered needs), or an "
        "ad-hoc situation (--zone and --needs); each row says why (the parts of its score).",
    )
    who = cmd.add_mutually_exclusive_group(required=True)
    who.add_argument("--patient", metavar="ID", help="patient pseudonym")
    who.add_argument("--zone", metavar="ID", help="zone of an ad-hoc search (with --needs)")
    cmd.add_argument("--needs", metavar="CODE,CODE", help="need codes (with --zone)")
    cmd.add_argument("--languages", metavar="fr,nl", default="", help="with --zone")
    cmd.add_argument("--eligibility", metavar="TAG,TAG", default="", help="with --zone")
    cmd.add_argument("--limit", type=int, default=10, help="rows, 1 to 100 (default 10)")
    cmd.add_argument(
        "--max-distance-km",
        type=float,
        metavar="KM",
        help="also services not covering the zone whose provider is this near",
    )
    cmd.set_defaults(run=_partners)


def _split(raw: str | None) -> list[str]:
    return [item.strip() for item in (raw or "").split(",") if item.strip()]


def _partners(args: argparse.Namespace, settings: Settings) -> int:
    from graphsvc.core import partners

    if args.patient and (args.needs or args.languages or args.eligibility):
        raise InputError(["--needs, --languages and --eligibility go with --zone, not --patient"])
    if args.zone and not args.needs:
        raise InputError(["--zone needs --needs CODE,CODE"])
    store = open_store(settings)
    try:
        if args.patient:
            found = partners.partners(store, None, args.patient, args.limit, args.max_distance_km)
            title = f"partners for patient {args.patient}"
            audit_patients(settings, "cli partners", READ, [args.patient], ["partners"])
        else:
            found = partners.partners_for(
                store,
                args.zone,
                _split(args.needs),
                _split(args.languages),
                _split(args.eligibility),
                args.limit,
                args.max_distance_km,
            )
            title = f"partners in {args.zone} for {args.needs}"
    finally:
        store.close()
    if not found:
        out.print(f"{title}: no service can take this now")
        return 0
    table = Table(title=title, show_lines=True)
    table.add_column("#", justify="right")
    table.add_column("score", justify="right")
    table.add_column("service", no_wrap=True)
    table.add_column("free", justify="right")
    table.add_column("why (points: reason)")
    for rank, p in enumerate(found, 1):
        why = "\n".join(f"{w.factor} {w.points:g}: {w.detail}" for w in p.why)
        free = f"{p.service.available}/{p.service.capacity}"
        service = f"{p.service.id}\n{p.service.name}"
        table.add_row(str(rank), f"{p.score:.2f}", service, free, why)
    out.print(table)
    return 0
