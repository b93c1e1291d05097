"""Files for the owner only: folders 0700, files 0600, whatever the umask.

Patient data sits in the database's files, the exports that carry patients, the tokens file
and the audit log; none of them may be readable by another local account.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
CHILD_UMASK = 0o077  # for child processes (the database): what they create is the owner's


def private_dir(path: str | Path) -> Path:
    """Create a folder (and missing parents) 0700; a folder that exists is left as it is."""
    path = Path(path)
    missing = []
    for folder in (path, *path.parents):
        if folder.exists():
            break
        missing.append(folder)
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=PRIVATE_DIR)
        except FileExistsError:
            continue  # made meanwhile by another process
        os.chmod(folder, PRIVATE_DIR)  # mkdir's mode is masked by the umask
    return path


def private_file(path: str | Path) -> Path:
    """Create a file 0600 (or make an existing one 0600) before it is written, so it is never
    readable by others, not even for a moment; open it for writing afterwards."""
    path = Path(path)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE)
    try:
        os.fchmod(fd, PRIVATE_FILE)
    finally:
        os.close(fd)
    return path


def readable_by_others(path: str | Path) -> bool:
    """Whether anyone but the owner may read or enter the folder or file."""
    return bool(os.stat(path).st_mode & (stat.S_IRWXG | stat.S_IRWXO))


def mode_of(path: str | Path) -> str:
    """The permission bits, as `chmod` takes them (0755)."""
    return f"{stat.S_IMODE(os.stat(path).st_mode):04o}"
