"""The audit log: each patient read and write leaves exactly one record, fsynced before the
answer leaves; it survives kill -9 of the server, is hash-chained, and reads back by patient.
"""

from __future__ import annotations

import csv
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from pathlib import Path

import httpx2
import pytest

from graphsvc.cli import main
from graphsvc.config import get_settings
from graphsvc.security.audit import AuditLog, AuditTrail
from graphsvc.security.roles import LOCAL
from graphsvc.security.tokens import TokenFile
from graphsvc.store import open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import REPO
from tests.security_fixtures import (  # noqa: F401  (fixtures)
    ANTOINE,
    ANTOINE_OTHER,
    ANTOINE_PATIENT,
    CPAS_HOUSING,
    FATIMA_PATIENT,
    Secured,
    secure_demo_fixture,
    secure_fresh_fixture,
)
from tests.test_cli import free_port


def new_records(app: Secured, before: int) -> list[dict]:
    return app.records()[before:]


def one_request(records: list[dict]) -> list[dict]:
    assert len({r["request"] for r in records}) == 1, records
    return records


def test_each_patient_read_leaves_exactly_one_record(secure_demo: Secured) -> None:
    app = secure_demo
    before = len(app.records())
    twice = f"""query {{
      a: patient(id: "{ANTOINE_PATIENT}") {{ id }}
      b: patient(id: "{ANTOINE_PATIENT}") {{ ...Needs }}
    }} fragment Needs on Patient {{ needs {{ code }} referrals {{ id }} }}"""
    assert "errors" not in app.ask("antoine", twice)
    [record] = one_request(new_records(app, before))
    assert record["patient"] == ANTOINE_PATIENT and record["operation"] == "patient"
    assert record["fields"] == ["id", "needs", "referrals"] and record["outcome"] == "ok"
    assert (record["role"], record["actor"], record["access"]) == ("case_manager", ANTOINE, "read")
    assert record["token"].startswith("tok_") and record["time"].endswith("Z")

    for query, operation in [
        (
            f'{{ careCircle(patientId: "{ANTOINE_PATIENT}") {{ members {{ roles }} }} }}',
            "careCircle",
        ),
        (f'{{ partners(patientId: "{ANTOINE_PATIENT}") {{ score }} }}', "partners"),
    ]:
        before = len(app.records())
        assert "errors" not in app.ask("antoine", query)
        [record] = one_request(new_records(app, before))
        assert (record["operation"], record["patient"]) == (operation, ANTOINE_PATIENT)

    before = len(app.records())
    app.ask("antoine", "{ myPatients { id openNeeds } }")
    records = one_request(new_records(app, before))
    assert Counter(r["patient"] for r in records) == {ANTOINE_PATIENT: 1, ANTOINE_OTHER: 1}


def test_refusals_and_unknown_patients_are_recorded_too(secure_demo: Secured) -> None:
    app = secure_demo
    query = f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'
    before = len(app.records())
    app.ask("planner", query)
    app.ask("fatima", query)
    denied, hidden = new_records(app, before)
    assert (denied["role"], denied["outcome"], denied["patient"]) == (
        "planner", "denied", ANTOINE_PATIENT
    )  # fmt: skip
    assert (hidden["outcome"], hidden["patient"]) == ("not_found", ANTOINE_PATIENT)
    before = len(app.records())
    app.ask("antoine", '{ zones { id } actors(zoneId: "namur") { id } }')
    assert new_records(app, before) == []  # no patient data, no record


def test_each_patient_write_leaves_exactly_one_record(secure_fresh: Secured) -> None:
    app = secure_fresh
    steps = [
        ('mutation { registerPatient(patient: {externalId: "file-9", zoneId: "namur-vn-bouge"}) '
         "{ id } }", "registerPatient"),
        (f'mutation {{ updatePatient(id: "{ANTOINE_PATIENT}", changes: {{languages: ["fr"]}}) '
         "{ id } }", "updatePatient"),
        (f'mutation {{ activatePartners(patientId: "{ANTOINE_PATIENT}", '
         f'serviceIds: ["{CPAS_HOUSING}"]) {{ id }} }}', "activatePartners"),
    ]  # fmt: skip
    written = []
    for query, operation in steps:
        before = len(app.records())
        body = app.ask("antoine", query)
        assert "errors" not in body, body
        found = new_records(app, before)
        [intent] = [r for r in found if r["outcome"] == "intent"]  # appended before the write
        [record] = one_request([r for r in found if r["outcome"] != "intent"])
        assert found.index(intent) < found.index(record)
        assert (intent["request"], intent["operation"]) == (record["request"], operation)
        assert (record["operation"], record["access"], record["outcome"]) == (
            operation, "write", "ok"
        )  # fmt: skip
        written.append(body)
    done = [r for r in app.records() if r["outcome"] != "intent"]
    assert done[-3]["patient"] == written[0]["data"]["registerPatient"]["id"]
    referral = written[2]["data"]["activatePartners"][0]["id"]
    before = len(app.records())
    app.ask("antoine", f'mutation {{ updateReferral(id: "{referral}", status: SENT) {{ id }} }}')
    [_, record] = new_records(app, before)
    assert (record["patient"], record["referral"]) == (ANTOINE_PATIENT, referral)
    count, problems = app.audit.verify()
    assert problems == [] and count == len(app.records())


def test_records_are_fsynced_before_the_answer(
    secure_demo: Secured, monkeypatch: pytest.MonkeyPatch
) -> None:
    synced: list[str] = []
    real_fsync = os.fsync

    def fsync(fd: int) -> None:
        synced.append(os.readlink(f"/proc/self/fd/{fd}"))
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    secure_demo.ask("antoine", f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}')
    assert str(secure_demo.audit.path) in synced


def test_no_answer_leaves_without_its_record(secure_demo: Secured) -> None:
    path = secure_demo.audit.path
    path.unlink()
    path.mkdir()  # the log cannot be written any more
    body = secure_demo.ask(
        "antoine", f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id needs {{ code }} }} }}'
    )
    assert body["data"] is None
    assert "audit log unavailable" in body["errors"][0]["message"]
    assert ANTOINE_PATIENT not in json.dumps(body)


def test_the_log_survives_kill_9_of_the_server(tmp_path: Path) -> None:
    token, _ = TokenFile(tmp_path / "tokens.json").create("admin")
    port = free_port()
    env = {**os.environ, "GRAPHSVC_DB": f"embedded:{tmp_path}/db", "GRAPHSVC_DEMO_SEEDS": "namur",
           "GRAPHSVC_TOKENS": str(tmp_path / "tokens.json")}  # fmt: skip
    server = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", "serve", "--port", str(port)], env=env, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 120)
        assert ready, "serve printed nothing within 120 s"
        assert "/graphql" in server.stdout.readline()
        url = f"http://127.0.0.1:{port}/graphql"
        query = {"query": f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'}
        headers = {"Authorization": f"Bearer {token}"}
        body = wait_for(lambda: httpx2.post(url, json=query, headers=headers).json())
        assert body["data"]["patient"]["id"] == ANTOINE_PATIENT
        assert httpx2.post(url, json=query).status_code == 401  # tokens on loopback too
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait(30)
        server.stdout.close()  # type: ignore[union-attr]
        server.stderr.close()  # type: ignore[union-attr]
    log = AuditLog(tmp_path / "db" / "audit.jsonl")  # beside the data by default
    loaded, record = list(log.read(ANTOINE_PATIENT))  # the demo load, then the read
    assert loaded["operation"] == "cli load" and loaded["source"] == "namur"
    assert record["role"] == "admin" and record["outcome"] == "ok"
    records, problems = log.verify()
    assert problems == [] and records == 1 + len({r["patient"] for r in log.read()})


def wait_for(ask, seconds: float = 60):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while True:
        try:
            return ask()
        except httpx2.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_the_chain_shows_a_changed_or_removed_line(tmp_path: Path) -> None:
    log = AuditLog(tmp_path / "audit.jsonl")
    trail = AuditTrail(log, LOCAL)
    for n in range(5):
        trail.record("patient", "read", f"{n:064d}")
    trail.flush()
    assert log.verify() == (5, [])
    lines = log.path.read_bytes().splitlines(keepends=True)
    log.path.write_bytes(b"".join(lines[:2] + lines[3:]))  # one line removed
    assert log.verify()[1][0] == "line 3: does not follow line 2"
    log.path.write_bytes(b"".join(lines).replace(b'"read"', b'"write"', 1))  # one changed
    assert log.verify()[1] == ["line 2: does not follow line 1"]


def test_concurrent_writers_keep_the_chain(tmp_path: Path) -> None:
    path = tmp_path / "audit.jsonl"

    def write(n: int) -> None:
        log = AuditLog(path)  # one per thread, as separate server processes would
        for i in range(40):
            trail = AuditTrail(log, LOCAL)
            trail.record("patient", "read", f"{n}-{i}")
            trail.flush()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert AuditLog(path).verify() == (160, [])


def test_graphsvc_audit_reads_one_patient_back(
    secure_demo: Secured,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    for who in ("antoine", "fatima", "planner"):
        secure_demo.ask(who, f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}')
    secure_demo.ask("fatima", f'{{ patient(id: "{FATIMA_PATIENT}") {{ id }} }}')
    monkeypatch.setenv("GRAPHSVC_AUDIT_LOG", str(secure_demo.audit.path))
    get_settings.cache_clear()
    try:
        assert main(["audit", "--patient", ANTOINE_PATIENT, "--json"]) == 0
        lines = capsys.readouterr().out.splitlines()
        assert [json.loads(line)["outcome"] for line in lines] == ["ok", "not_found", "denied"]
        assert main(["audit", "--patient", ANTOINE_PATIENT]) == 0
        table = capsys.readouterr()
        assert ANTOINE in table.out and "3 record(s)" in table.err
        assert main(["audit", "--verify"]) == 0
        assert "chain intact" in capsys.readouterr().err
    finally:
        get_settings.cache_clear()


def test_the_command_line_is_audited_too(
    embedded: EmbeddedServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Loading, exporting with patients and `partners --patient` leave records, as the OS user;
    an export without patients leaves none."""
    with (REPO / "seeds/leuven/patients.csv").open() as patients:
        leuven = {row["id"] for row in csv.DictReader(patients)}
    monkeypatch.setenv("GRAPHSVC_DB", f"embedded:{embedded.data_dir}")
    monkeypatch.setenv("GRAPHSVC_GRAPH", f"test_{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("GRAPHSVC_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
    get_settings.cache_clear()
    log = AuditLog(tmp_path / "audit.jsonl")
    try:
        assert main(["load", "leuven"]) == 0
        loaded = list(log.read())
        assert {r["patient"] for r in loaded} == leuven and len(loaded) == len(leuven)
        assert {(r["operation"], r["access"], r["source"]) for r in loaded} == {
            ("cli load", "write", "leuven")
        }
        assert main(["export", "bundle", str(tmp_path / "plain")]) == 0
        assert len(list(log.read())) == len(leuven)
        assert main(["export", "bundle", str(tmp_path / "full.json"), "--with-patients"]) == 0
        exported = list(log.read())[len(leuven) :]
        assert {r["patient"] for r in exported} == leuven
        assert {r["operation"] for r in exported} == {"cli export bundle"}
        patient = sorted(leuven)[0]
        assert main(["partners", "--patient", patient]) == 0
        [record] = list(log.read())[2 * len(leuven) :]
        assert record["operation"] == "cli partners" and record["patient"] == patient
        assert all(r["user"] and r["role"] == "local" for r in log.read())
        assert log.verify() == (2 * len(leuven) + 1, [])
    finally:
        store = open_store(get_settings())
        store.run("delete_everything")
        store.close()
        get_settings.cache_clear()
