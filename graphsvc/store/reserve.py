"""A reserve of disk space for the embedded database.

With `appendfsync always`, redis stops when it cannot write its append-only file. A restart
then needs a little room of its own: its log lines, the tail of a short write cut off, and
FalkorDB appends its constraints to the log again right after replaying them (about 120
bytes each) — on a disk with no byte left, the restarted server dies a moment after it
starts answering. graphsvc therefore keeps a reserve file beside the data: when the disk
fills up, it deletes the reserve so the database can restart and serve reads, refuses writes
while free space stays low (so nothing eats the room the database needs), and takes the
reserve back once space has returned.

The state lives on disk, not in one process: the reserve file is there (writes allowed) or
it is not (writes refused until there is room to take it back). A second graphsvc process
connected to the same database therefore refuses writes too.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

DISK_ERRORS = ("No space left", "Short write", "AOF write error", "Errors writing to the AOF")


def is_disk_error(reason: str | None) -> bool:
    """True when a database failure reason says its disk was full."""
    return bool(reason) and any(text in reason for text in DISK_ERRORS)  # type: ignore[operator]


class DiskReserve:
    """A file of `size` bytes that can be given back when the disk is full."""

    def __init__(self, path: Path, size: int) -> None:
        self.path = path
        self.size = size

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path.parent)
        return stats.f_bavail * stats.f_frsize

    @property
    def held(self) -> bool:
        """Whether the reserve file is there (always, when the reserve is switched off)."""
        if self.size <= 0:
            return True
        try:
            return self.path.stat().st_size >= self.size
        except OSError:
            return False

    def take(self) -> bool:
        """Hold the reserve if it is missing and the disk has room for it and as much again
        for the data (so a nearly full disk does not get it back only to fill up at once);
        True when it is held."""
        if self.held:
            return True
        if self.free_bytes() <= 2 * self.size:
            return False
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600)
            try:
                os.posix_fallocate(fd, 0, self.size)
            finally:
                os.close(fd)
        except OSError:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()
            return False
        return True

    def release(self) -> None:
        """Give the reserved space back to the database."""
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()

    def refusal(self) -> str | None:
        """Why writes must wait (the reserve is given away and space has not returned), or
        None once the reserve is held again."""
        if self.take():
            return None
        return (
            f"disk full on {self.path.parent}: writes are refused until space is freed "
            f"(reads keep working; {self.free_bytes() / 2**20:.1f} MB free, more than "
            f"{2 * self.size / 2**20:.0f} MB needed)"
        )
