"""The audit log fails closed and its chain is anchored: every tampering case of issue 16 is
found by `graphsvc audit --verify` (exit 1) and refused by the next append; an unwritable
log refuses a patient write before the database is touched; refusals before authentication,
limit refusals and `graphsvc feedback` leave lines."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from graphsvc.core.digest import graph_digest
from graphsvc.security.audit import GENESIS, AuditLog, AuditTrail, AuditUnavailable, line_hash
from graphsvc.security.roles import LOCAL
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    ANTOINE_PATIENT,
    Secured,
    secure_demo_fixture,
    secure_fresh_fixture,
)


def _log(tmp_path: Path, records: int = 5) -> AuditLog:
    log = AuditLog(tmp_path / "audit.jsonl")
    for n in range(records):
        trail = AuditTrail(log, LOCAL)
        trail.record("patient", "read", f"{n:064d}")
        trail.flush()
    assert log.verify() == (records, [])
    return log


def _rechain(lines: list[bytes]) -> bytes:
    previous, out = GENESIS, []
    for raw in lines:
        record = json.loads(raw)
        record["prev"] = previous
        line = json.dumps(record, separators=(",", ":")).encode()
        previous = line_hash(line)
        out.append(line + b"\n")
    return b"".join(out)


def _cut(lines: list[bytes]) -> bytes:
    return b"".join(lines[:-2])


def _edit_last(lines: list[bytes]) -> bytes:
    return b"".join([*lines[:-1], lines[-1].replace(b'"read"', b'"write"')])


def _delete_and_rechain(lines: list[bytes]) -> bytes:
    return _rechain(lines[:2] + lines[3:])


TAMPERING = {"cut": _cut, "edited last line": _edit_last, "rechained": _delete_and_rechain}


@pytest.mark.parametrize("case", sorted(TAMPERING))
def test_tampering_is_found_and_refused(tmp_path: Path, case: str) -> None:
    log = _log(tmp_path)
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(TAMPERING[case](lines))
    _count, problems = log.verify()
    assert problems, case
    with pytest.raises(AuditUnavailable, match="does not match its head"):
        AuditLog(log.path).append([{"operation": "patient"}])  # a fresh process
    with pytest.raises(AuditUnavailable, match="does not match its head"):
        log.append([{"operation": "patient"}])  # the live server does not carry on either
    assert log.path.read_bytes() == TAMPERING[case](lines)


def test_a_deleted_log_is_found(tmp_path: Path) -> None:
    log = _log(tmp_path)
    log.path.unlink()
    assert log.verify() == (0, ["the log is missing, but its head says 5 records"])
    with pytest.raises(AuditUnavailable, match="does not match its head"):
        log.check_writable()


def test_the_head_is_small_private_and_kept_up_to_date(tmp_path: Path) -> None:
    log = _log(tmp_path, 3)
    head = log.read_head()
    last = log.path.read_bytes().splitlines()[-1]
    assert head is not None and (head.count, head.last) == (3, hashlib.sha256(last).hexdigest())
    assert os.stat(log.head_path).st_mode & 0o777 == 0o600


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GRAPHSVC_AUDIT_LOG": str(tmp_path / "audit.jsonl")}
    return subprocess.run([sys.executable, "-m", "graphsvc.cli", *args], env=env,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_graphsvc_audit_verify_prints_the_head_and_fails_on_a_cut(tmp_path: Path) -> None:
    log = _log(tmp_path)
    good = _cli(tmp_path, "audit", "--verify")
    assert good.returncode == 0, good.stderr
    head = log.read_head()
    assert head is not None and f"5 records, last {head.last}" in good.stderr
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(_cut(lines))
    bad = _cli(tmp_path, "audit", "--verify")
    assert bad.returncode == 1 and "cut off or removed" in bad.stderr
    log.path.unlink()
    gone = _cli(tmp_path, "audit", "--verify")
    assert gone.returncode == 1 and "the log is missing" in gone.stderr


UPDATE = (
    f'mutation {{ updatePatient(id: "{ANTOINE_PATIENT}", changes: {{languages: ["nl"]}}) '
    "{ id languages } }"
)


def test_an_unwritable_log_refuses_the_write_and_changes_nothing(secure_fresh: Secured) -> None:
    before = graph_digest(secure_fresh.store)
    path = secure_fresh.audit.path
    path.unlink()
    path.mkdir()  # the log cannot be appended to any more
    body = secure_fresh.ask("antoine", UPDATE)
    assert body["data"] is None
    assert "audit log unavailable" in body["errors"][0]["message"]
    assert graph_digest(secure_fresh.store) == before


def test_refusals_before_authentication_are_lines(secure_demo: Secured) -> None:
    before = len(secure_demo.records())
    query = {"query": f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'}
    for token in (None, "gsvc_" + "x" * 43):
        assert secure_demo.post(token, query).status_code == 401
    revoked = secure_demo.tokens["fatima"]
    tokens = secure_demo.folder / "tokens.json"
    from graphsvc.security.tokens import TokenFile

    entry = TokenFile(tokens).authenticate(revoked)
    assert entry is not None
    TokenFile(tokens).revoke(entry.token_id or "")
    assert secure_demo.post(revoked, query).status_code == 401
    new = secure_demo.records()[before:]
    assert [r["outcome"] for r in new] == ["denied"] * 3
    assert [r["reason"] for r in new] == [
        "authentication required: send Authorization: Bearer <token>",
        "invalid or revoked token",
        "invalid or revoked token",
    ]
    assert all(revoked not in json.dumps(r) for r in new)  # only the start of its hash
    assert secure_demo.audit.verify()[1] == []


def test_limit_refusals_are_lines(secure_demo: Secured) -> None:
    before = len(secure_demo.records())
    many = "{ " + " ".join(f"a{i}: needTypes {{ code }}" for i in range(25)) + " }"
    body = secure_demo.ask("planner", many)
    assert "aliases" in body["errors"][0]["message"]
    [line] = secure_demo.records()[before:]
    assert (line["outcome"], line["role"], line["operation"]) == ("denied", "planner", "request")
