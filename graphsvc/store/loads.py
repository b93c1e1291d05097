"""Who is loading: the load markers' process identity and the command that converges.

A marker records the process that wrote it (pid, its start time in clock ticks since boot,
the boot id), so a later reader can tell a load still running in another process from one
that died, and the command line that started it (`graphsvc import hsds DIR`, ...), so the
advice names the command whose re-run converges, not always `graphsvc load`.
"""

from __future__ import annotations

import os
import shlex
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_command: str | None = None
_VALUED = ("--db",)  # global options left out: a URL may hold a password; status uses its own


def set_command(argv: Sequence[str]) -> None:
    """Record this process's graphsvc command line (called once by the CLI)."""
    global _command
    kept: list[str] = []
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in _VALUED:
            skip = True
            continue
        if arg.startswith(tuple(f"{option}=" for option in _VALUED)):
            continue
        kept.append(arg)
    _command = "graphsvc " + shlex.join(kept)


def _start_ticks(pid: int) -> int | None:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return int(stat.rsplit(")", 1)[1].split()[19])  # field 22: starttime


def _boot_id() -> str:
    try:
        return Path("/proc/sys/kernel/random/boot_id").read_text().strip()
    except OSError:
        return ""


def this_process() -> dict[str, Any]:
    """The marker fields naming this process and its command."""
    pid = os.getpid()
    return {"pid": pid, "pid_start": _start_ticks(pid), "boot": _boot_id(), "command": _command}


def is_running(marker: dict[str, Any]) -> bool:
    """Whether the process that wrote the marker is still alive (same boot, same pid, same
    start time: a reused pid is another process)."""
    pid, start = marker.get("pid"), marker.get("pid_start")
    if not isinstance(pid, int) or start is None or marker.get("boot") != _boot_id():
        return False
    return _start_ticks(pid) == start


def converging_command(source: str, marker: dict[str, Any]) -> str:
    """The command whose re-run completes the load."""
    return marker.get("command") or f"graphsvc load {shlex.quote(source)}"
