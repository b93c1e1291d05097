"""Shared pieces of the command line: plain error lines, progress bars, result tables."""

from __future__ import annotations

import argparse
import errno
import json
import sys
import threading
import time
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from graphsvc.config import Settings
from graphsvc.errors import GraphsvcError
from graphsvc.reports import to_csv

# Piped output is not cut to 80 columns: tables stay whole in files and logs.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def say(message: str) -> None:
    """One unwrapped line on stderr (messages must stay greppable, whatever the width)."""
    print(message, file=sys.stderr, flush=True)


def port_number(text: str) -> int:
    """argparse type of a TCP port: one line for `--port 99999` or `--port x`."""
    try:
        port = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1 to 65535)")
    return port


def add_force(parser: argparse.ArgumentParser) -> None:
    """The `--force` flag of a command that writes a file or folder."""
    parser.add_argument(
        "--force", action="store_true", help="replace the output if it exists already"
    )


def output_path(raw: str, force: bool = False) -> Path:
    """Where a command may write: refused when it exists (unless `force`) or when its parent
    folder does not exist (no folders are created outside the target)."""
    path = Path(raw)
    if path.exists() and not force:
        raise GraphsvcError(f"{raw}: exists already (add --force to replace it)")
    parent = path.parent
    if not parent.is_dir():
        raise GraphsvcError(f"{raw}: no such folder {str(parent)!r} (create it first)")
    return path


def os_error_line(exc: OSError) -> str:
    """An operating-system failure as one line naming the file and the reason."""
    reason = exc.strerror or errno.errorcode.get(exc.errno or 0, type(exc).__name__)
    where = exc.filename if exc.filename is not None else "output"
    if exc.filename is None and exc.errno in (errno.ENOSPC, errno.EPIPE):
        where = "standard output"
    return f"{where}: {reason}"


PHASE_QUIET_S = 1.0  # a step shorter than this is not announced
PLAIN_EVERY_S = 5.0  # seconds between two plain progress lines when stderr is no terminal


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    """A progress bar for long work on a terminal; elsewhere (a pipe, a log) a plain line
    every PLAIN_EVERY_S seconds with rows/s, and one when the work is done."""
    if not err.is_terminal:
        with _plain_progress(total, label) as advance:
            yield advance
        return
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


@contextmanager
def phase(label: str) -> Iterator[Callable[[], None]]:
    """A step with no row count (reading, checking): a spinner on a terminal, else a line
    when it starts and one with its seconds when it ends, so no part of a run is silent.
    Yields `end`, to end the step early (before a progress bar of the next one starts)."""
    started = time.monotonic()
    if err.is_terminal:
        status = err.status(label)
        status.start()
        try:
            yield status.stop
        finally:
            status.stop()
        return
    # only a step that lasts is announced: a quick one (or one that fails at once) stays quiet,
    # so a bad argument still ends with its one error line
    announce = threading.Timer(PHASE_QUIET_S, say, [f"{label} ..."])
    announce.daemon = True
    announce.start()
    ended = False

    def end() -> None:
        nonlocal ended
        if not ended:
            ended = True
            announce.cancel()
            if time.monotonic() - started >= PHASE_QUIET_S:
                say(f"{label}: done in {time.monotonic() - started:.1f} s")

    try:
        yield end
    finally:
        announce.cancel()
    end()


@contextmanager
def _plain_progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
    started = time.monotonic()
    last = started
    done = 0

    def line() -> str:
        elapsed = max(time.monotonic() - started, 1e-6)
        return f"{label}: {done:,}/{total:,} rows, {done / elapsed:,.0f} rows/s, {elapsed:.1f} s"

    def advance(n: int) -> None:
        nonlocal done, last
        done += n
        now = time.monotonic()
        if now - last >= PLAIN_EVERY_S:
            last = now
            say(line())

    yield advance
    if time.monotonic() - started >= PLAIN_EVERY_S or done:
        say(line() + " (done)")


def audit_patients(
    settings: Settings,
    operation: str,
    access: str,
    patients: Iterable[str],
    fields: list[str],
    **detail: str,
) -> None:
    """The command line reads and writes patient data too: one audit record per patient, as
    the OS user (role `local`), written and fsynced in one append."""
    import getpass

    from graphsvc.security.audit import AuditLog, AuditTrail
    from graphsvc.security.roles import LOCAL

    if not settings.audit_path:
        return
    trail = AuditTrail(AuditLog(settings.audit_path), LOCAL)
    user = getpass.getuser()
    for patient in sorted(set(patients)):
        trail.record(operation, access, patient, fields, user=user, **detail)
    trail.flush()


def emit(
    fmt: str,
    columns: Sequence[str],
    records: list[dict[str, Any]],
    title: str,
    hidden: Collection[str] = (),
    numeric: Collection[str] = (),
    no_wrap: Collection[str] = (),
) -> None:
    """Records on stdout as CSV, JSON or a table; the table leaves out `hidden` columns
    (lists do not fit a terminal), right-aligns `numeric` ones and never wraps `no_wrap` ones."""
    if fmt == "csv":
        sys.stdout.write(to_csv(columns, records))
    elif fmt == "json":
        sys.stdout.write(json.dumps(records, ensure_ascii=False, indent=1) + "\n")
    else:
        shown = [c for c in columns if c not in hidden]
        table = Table(title=title)
        for column in shown:
            table.add_column(column, justify="right" if column in numeric else "left",
                             no_wrap=column in no_wrap)  # fmt: skip
        for record in records:
            table.add_row(*("" if record[c] is None else str(record[c]) for c in shown))
        out.print(table)
