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
the first), so `graphsvc audit --verify` finds a line changed or removed in the middle.
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
OK, NOT_FOUND, DENIED, ERROR = "ok", "not_found", "denied", "error"
READ, WRITE = "read", "write"
_TAIL = 8192


class AuditUnavailable(GraphsvcError):
    """The audit log cannot be written: nothing is answered without its record."""


def _now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def line_hash(line: bytes) -> str:
    return hashlib.sha256(line.rstrip(b"\n")).hexdigest()


class AuditLog:
    """An append-only, fsynced, hash-chained JSON-lines file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._known: tuple[int, str] | None = None  # (file size, hash of its last line)

    def check_writable(self) -> None:
        """Create the file (and its folder) if needed; AuditUnavailable if impossible."""
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
                    if records:
                        self._append_locked(fd, records)
                finally:
                    os.close(fd)  # also releases the lock
            if created:
                fsync_dir(self.path.parent)
        except OSError as exc:
            raise AuditUnavailable(f"audit log unavailable ({exc.strerror})") from exc

    def _append_locked(self, fd: int, records: list[dict[str, Any]]) -> None:
        size = os.fstat(fd).st_size
        if self._known is not None and self._known[0] == size:
            previous = self._known[1]
        else:
            previous = self._last_hash(size)
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
        os.fsync(fd)
        self._known = (size + len(data), previous)

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
        """(records, problems): each line must parse and chain to the one before."""
        problems: list[str] = []
        count = 0
        previous = GENESIS
        if not self.path.exists():
            return 0, []
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
