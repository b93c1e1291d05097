"""Bearer tokens, stored only as SHA-256 hashes in a JSON file (GRAPHSVC_TOKENS).

    {"format": "graphsvc-tokens", "version": 1, "tokens": [
      {"id": "tok_3f9a1c2b", "sha256": "<hex>", "role": "case_manager",
       "actor": "namur-case-manager-antoine-piette", "created": "2026-...Z", "note": ""}]}

A token is `gsvc_` and 43 URL-safe characters (256 random bits): a plain SHA-256 is enough
to store it (nothing to brute-force), and the raw token is printed once, by
`graphsvc token create`, and never stored. The `id` names the token in the audit log and
for `graphsvc token revoke`. The file is written atomically with mode 0600; a running server
re-reads it when it changes, so new and revoked tokens count at once. A missing, unreadable
or malformed file holds no token: every request is then refused (fail closed).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import secrets
import tempfile
import threading
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path

from graphsvc.errors import ConfigError, InputError
from graphsvc.security.audit import fsync_dir
from graphsvc.security.files import private_dir
from graphsvc.security.roles import NEEDS_ACTOR, Principal, Role

FORMAT, VERSION = "graphsvc-tokens", 1
PREFIX = "gsvc_"
MAX_TOKEN_CHARS = 100


@dataclass(frozen=True)
class TokenEntry:
    id: str
    sha256: str
    role: str
    actor: str | None = None
    created: str = ""
    note: str = ""

    def principal(self) -> Principal:
        return Principal(role=Role(self.role), actor=self.actor, token_id=self.id)


def digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(32)


class TokenFile:
    """The tokens of one file, re-read whenever the file changes."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._by_hash: dict[str, TokenEntry] = {}

    # reading
    def entries(self) -> list[TokenEntry]:
        self._refresh()
        return sorted(self._by_hash.values(), key=lambda e: (e.created, e.id))

    def configured(self) -> bool:
        """True when the file holds at least one token."""
        return bool(self.entries())

    def authenticate(self, token: str | None) -> Principal | None:
        """The principal of a raw token, or None when it is not a current token."""
        if not token or len(token) > MAX_TOKEN_CHARS or not token.startswith(PREFIX):
            return None
        self._refresh()
        entry = self._by_hash.get(digest(token))
        return entry.principal() if entry else None

    def _refresh(self) -> None:
        try:
            stat = self.path.stat()
            stamp = (stat.st_mtime_ns, stat.st_size, stat.st_ino)
        except OSError:
            stamp = None
        with self._lock:
            if stamp == self._stamp:
                return
            self._by_hash = _parse(self.path) if stamp is not None else {}
            self._stamp = stamp

    # writing (the command line)
    def create(self, role: str, actor: str | None = None, note: str = "") -> tuple[str, TokenEntry]:
        """Add a token; return the raw token (shown once) and its stored entry."""
        problems = check_role(role, actor)
        if problems:
            raise InputError(problems)
        token = new_token()
        entry = TokenEntry(
            id=f"tok_{secrets.token_hex(4)}",
            sha256=digest(token),
            role=role,
            actor=actor,
            created=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            note=note,
        )
        self._write([*self._stored(), entry])
        return token, entry

    def revoke(self, token_id: str) -> TokenEntry:
        entries = self._stored()
        kept = [e for e in entries if e.id != token_id]
        if len(kept) == len(entries):
            raise InputError([f"no token with id {token_id!r} in {self.path}"])
        self._write(kept)
        return next(e for e in entries if e.id == token_id)

    def _stored(self) -> list[TokenEntry]:
        if not self.path.exists():
            return []
        found = _parse(self.path, strict=True)
        return sorted(found.values(), key=lambda e: (e.created, e.id))

    def _write(self, entries: list[TokenEntry]) -> None:
        private_dir(self.path.parent)  # 0700 when created here (the data folder)
        document = {
            "format": FORMAT,
            "version": VERSION,
            "tokens": [asdict(e) for e in entries],
        }
        fd, temporary = tempfile.mkstemp(prefix=".tokens-", dir=self.path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as out:
                json.dump(document, out, indent=1)
                out.write("\n")
                out.flush()
                os.fsync(out.fileno())
            os.chmod(temporary, 0o600)
            os.replace(temporary, self.path)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        fsync_dir(self.path.parent)


def check_role(role: str, actor: str | None) -> list[str]:
    roles = ", ".join(r.value for r in Role)
    if role not in {r.value for r in Role}:
        return [f"--role: {role!r} is not one of {roles}"]
    if Role(role) in NEEDS_ACTOR and not actor:
        return [f"--actor: a {role} token acts as an actor: give its id"]
    if Role(role) not in NEEDS_ACTOR and actor:
        return [f"--actor: only case_manager tokens act as an actor, not {role}"]
    return []


def _parse(path: Path, strict: bool = False) -> dict[str, TokenEntry]:
    """Entries by hash; a bad file holds none (or raises ConfigError when strict)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(document, Mapping) or document.get("format") != FORMAT:
            raise ValueError(f"not a {FORMAT} file")
        found = {}
        for raw in document.get("tokens", []):
            entry = TokenEntry(**{k: raw.get(k) for k in TokenEntry.__dataclass_fields__})
            if check_role(entry.role, entry.actor) or len(entry.sha256 or "") != 64:
                raise ValueError(f"token {entry.id!r} is malformed")
            found[entry.sha256] = entry
        return found
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        if strict:
            raise ConfigError(f"{path}: cannot read the tokens file ({exc})") from None
        return {}
