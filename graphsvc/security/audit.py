"""The audit log: one JSON line per read or write of patient data, appended and fsynced.

A record says when, who (token id, role, actor), which patient (its pseudonym), what
(operation: the GraphQL field or command; access: read or write; the fields asked for) and
how it ended (`ok`, `not_found` for a patient that does not exist or is outside the caller's
scope, `denied` for a role without access, `error`):

    {"time": "2026-03-01T10:15:02.113Z", "request": "9c1f0e2ab4d35e71", "token": "tok_3f9a1c2b",
     "role": "case_manager", "actor": "namur-case-manager-antoine-piette",
     "operation": "careCircle", "access": "read", "patient": "6fcdc823...", "fields":
     ["members", "missingLinks"], "outcome": "ok", "prev": "<sha256 of the previous line>"}

Within one request, the same patient, operation and outcome give one record (aliases and
fragments asking twice add their fields to it). The records of a request are written with one
`write` on a file opened with O_APPEND, under an exclusive `flock` (several server processes
may share the file), then `fsync`ed before the answer leaves: an answered request's records
survive a crash. Records are chained: `prev` is the SHA-256 of the line before (64 zeros for
the first), so `graphsvc audit --verify` finds a line changed or removed in the middle; the
chain is anchored by a head kept apart from the log (`<log>.head`: the number of records and
the last hash, fsynced after every append), so a cut, an edited last line, a deleted file or
a re-chained log is found too, and refused by the next append. A write of patient data
appends an `intent` record (fsynced) before the database write and its outcome after.
Aggregate reads (suppressed patient counts) are recorded with `"patient": null`.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import hashlib
import json
import os
import threading
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from graphsvc.errors import GraphsvcError
from graphsvc.security.files import private_dir
from graphsvc.security.roles import Principal

GENESIS = "0" * 64
OK, NOT_FOUND, DENIED, ERROR, INTENT = "ok", "not_found", "denied", "error", "intent"
READ, WRITE = "read", "write"
_TAIL = 8192


class AuditUnavailable(GraphsvcError):
    """The audit log cannot be written: nothing is answered without its record."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


HEAD_BYTES = 160  # the head is rewritten in place: one small write, within one disk sector


@dataclass(frozen=True)
class Head:
    """Where the chain ends: how many records and the hash of the last one."""

    count: int
    last: str

    def encode(self) -> bytes:
        line = json.dumps({"count": self.count, "last": self.last}, separators=(",", ":"))
        return line.encode("ascii").ljust(HEAD_BYTES - 1) + b"\n"


class AuditLog:
    """An append-only, fsynced, hash-chained JSON-lines file, anchored by a head file.

    The head (`<log>.head` unless given) holds the number of records and the last line's
    hash, rewritten and fsynced after every append. A log that no longer matches its head
    (lines cut off, the last line edited, the file deleted, lines removed and the rest
    re-chained) is detected by `verify` and refused by `append`: nothing more is written
    (and so no patient data is served) until someone looks."""

    def __init__(
        self, path: str | os.PathLike[str], head: str | os.PathLike[str] | None = None
    ) -> None:
        self.path = Path(path)
        self.head_path = Path(head) if head is not None else Path(f"{self.path}.head")
        self._lock = threading.Lock()
        self._known: tuple[int, int, str] | None = None  # (file size, records, last hash)

    def check_writable(self) -> None:
        """Create the file (and its folder) if needed; AuditUnavailable if impossible or if
        the log does not match its head."""
        self.append([])

    def append(self, records: Iterable[dict[str, Any]]) -> None:
        records = list(records)
        try:
            private_dir(self.path.parent)  # 0700 when created here (the data folder)
            created = not self.path.exists()
            with self._lock:
                fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX)
                    self._append_locked(fd, records)
                finally:
                    os.close(fd)  # also releases the lock
            if created:
                fsync_dir(self.path.parent)
        except OSError as exc:
            raise AuditUnavailable(f"audit log unavailable ({exc.strerror})") from exc

    def read_head(self) -> Head | None:
        """The head, or None when there is none yet."""
        try:
            raw = self.head_path.read_bytes()
        except FileNotFoundError:
            return None
        try:
            found = json.loads(raw)
            return Head(int(found["count"]), str(found["last"]))
        except (ValueError, KeyError, TypeError):
            return Head(-1, "unreadable")

    def _append_locked(self, fd: int, records: list[dict[str, Any]]) -> None:
        size = os.fstat(fd).st_size
        if self._known is not None and self._known[0] == size:
            _, count, previous = self._known
        else:
            count, previous = self._tail(size)
        head = self.read_head()
        if head is None and count > 0:
            head = Head(count, previous)  # a log from before heads: anchored from now on
        elif head is not None and head != Head(count, previous):
            raise AuditUnavailable(
                f"audit log {self.path} does not match its head ({head.count} records, last "
                f"{head.last[:12]}; found {count}, last {previous[:12]}): it was cut or "
                "edited; nothing is written until `graphsvc audit --verify` is looked at"
            )
        if not records and head is not None and self.head_path.exists():
            self._known = (size, count, previous)
            return
        lines = []
        for record in records:
            line = json.dumps({**record, "prev": previous}, separators=(",", ":"))
            encoded = line.encode("ascii")  # json.dumps escapes everything else
            previous = line_hash(encoded)
            lines.append(encoded + b"\n")
        data = b"".join(lines)
        written = 0
        while written < len(data):
            written += os.write(fd, data[written:])
        if data:
            os.fsync(fd)
        count += len(records)
        self._write_head(Head(count, previous))
        self._known = (size + len(data), count, previous)

    def _write_head(self, head: Head) -> None:
        created = not self.head_path.exists()
        fd = os.open(self.head_path, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            os.pwrite(fd, head.encode(), 0)
            os.fdatasync(fd)  # same size, in place: the data is all there is to sync
        finally:
            os.close(fd)
        if created:
            fsync_dir(self.head_path.parent)

    def _tail(self, size: int) -> tuple[int, str]:
        """(records, hash of the last line) of the file as it is."""
        if size == 0:
            return 0, GENESIS
        count = 0
        with open(self.path, "rb") as log:
            while block := log.read(1 << 20):
                count += block.count(b"\n")
        return count, self._last_hash(size)

    def _last_hash(self, size: int) -> str:
        if size == 0:
            return GENESIS
        with open(self.path, "rb") as log:
            block = b""
            position = size
            while position > 0:
                step = min(_TAIL, position)
                position -= step
                log.seek(position)
                block = log.read(step) + block
                stripped = block.rstrip(b"\n")
                if b"\n" in stripped or position == 0:
                    return line_hash(stripped.rsplit(b"\n", 1)[-1])
        return GENESIS

    def read(self, patient: str | None = None) -> Iterator[dict[str, Any]]:
        """Every record (or one patient's), oldest first."""
        if not self.path.exists():
            return
        with open(self.path, "rb") as log:
            for raw in log:
                if not raw.strip():
                    continue
                record = json.loads(raw)
                if patient is None or record.get("patient") == patient:
                    yield record

    def verify(self) -> tuple[int, list[str]]:
        """(records, problems): each line must parse and chain to the one before, and the
        last one must be where the head says the chain ends."""
        problems: list[str] = []
        count = 0
        previous = GENESIS
        head = self.read_head()
        if not self.path.exists():
            if head is not None and head.count != 0:
                problems.append(f"the log is missing, but its head says {head.count} records")
            return 0, problems
        with open(self.path, "rb") as log:
            for number, raw in enumerate(log, 1):
                count += 1
                try:
                    record = json.loads(raw)
                except ValueError:
                    problems.append(f"line {number}: not JSON")
                    previous = line_hash(raw)
                    continue
                if record.get("prev") != previous:
                    problems.append(f"line {number}: does not follow line {number - 1}")
                previous = line_hash(raw)
        if head is None:
            if count:
                problems.append(f"no head ({self.head_path}): the end of the chain is unknown")
        elif head.count != count:
            problems.append(
                f"the head says {head.count} records, the log has {count}: lines were "
                + ("cut off or removed" if count < head.count else "added outside graphsvc")
            )
        elif head.last != previous:
            problems.append(f"line {count}: the last line is not the one the head anchors")
        return count, problems


@dataclass
class AuditTrail:
    """One request's patient accesses, merged, written once when the request ends."""

    log: AuditLog | None
    principal: Principal
    request: str = field(default_factory=lambda: uuid.uuid4().hex[:16])
    _events: dict[tuple, dict[str, Any]] = field(default_factory=dict)

    def record(
        self,
        operation: str,
        access: str,
        patient: str | None,
        fields: Iterable[str] = (),
        outcome: str = OK,
        **detail: Any,
    ) -> None:
        detail = {k: v for k, v in detail.items() if v is not None}
        key = (operation, access, patient, outcome, tuple(sorted(detail.items())))
        event = self._events.get(key)
        if event is None:
            event = {
                "time": _now(),
                "request": self.request,
                "token": self.principal.token_id,
                "role": self.principal.name,
                "actor": self.principal.actor,
                "operation": operation,
                "access": access,
                "patient": patient,
                "fields": [],
                "outcome": outcome,
                **detail,
            }
            self._events[key] = event
        event["fields"] = sorted(set(event["fields"]) | set(fields))

    def intent(self, operation: str, patient: str | None, **detail: Any) -> None:
        """Append and fsync, now, that this request is about to write patient data: raises
        AuditUnavailable (and the caller writes nothing) when the log cannot take it."""
        if self.log is None:
            return
        detail = {k: v for k, v in detail.items() if v is not None}
        self.log.append([{
            "time": _now(), "request": self.request, "token": self.principal.token_id,
            "role": self.principal.name, "actor": self.principal.actor,
            "operation": operation, "access": WRITE, "patient": patient, "fields": [],
            "outcome": INTENT, **detail,
        }])  # fmt: skip

    @property
    def records(self) -> list[dict[str, Any]]:
        return list(self._events.values())

    def flush(self) -> None:
        """Write and fsync this request's records (AuditUnavailable if that fails)."""
        events, self._events = list(self._events.values()), {}
        if events and self.log is not None:
            self.log.append(events)


def fsync_dir(directory: Path) -> None:
    """Make a file just created in `directory` survive a crash (its entry is durable too)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
