"""A reserve of disk space for the embedded database.

With `appendfsync always`, redis stops when it cannot write its append-only file, and on a
full disk it cannot even start again. graphsvc keeps a reserve file beside the data: when the
disk fills up, it deletes the reserve so the database can restart and serve reads, refuses
writes while free space stays low, and takes the reserve back once space has returned.
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
        self.exhausted = False  # the reserve was used: writes wait for free space

    def free_bytes(self) -> int:
        stats = os.statvfs(self.path.parent)
        return stats.f_bavail * stats.f_frsize

    def ensure(self) -> bool:
        """Create the reserve if missing and there is room; True when it exists."""
        if self.size <= 0:
            return True
        if self.path.exists() and self.path.stat().st_size >= self.size:
            return True
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
        self.exhausted = True

    def refusal(self) -> str | None:
        """Why writes must wait (disk still nearly full), or None once the reserve is back."""
        if not self.exhausted:
            return None
        if self.free_bytes() > 2 * self.size and self.ensure():
            self.exhausted = False
            return None
        return (
            f"disk full on {self.path.parent}: writes are refused until space is freed "
            "(reads keep working)"
        )
