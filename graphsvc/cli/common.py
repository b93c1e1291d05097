"""Shared pieces of the command line: plain error lines, progress bars, result tables."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

# Piped output is not cut to 80 columns: tables stay whole in files and logs.
out = Console(width=None if sys.stdout.isatty() else 160)
err = Console(stderr=True)


def say(message: str) -> None:
    """One unwrapped line on stderr (messages must stay greppable, whatever the width)."""
    print(message, file=sys.stderr, flush=True)


@contextmanager
def progress(total: int, label: str) -> Iterator[Callable[[int], None]]:
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
