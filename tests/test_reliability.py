"""The database going away: clear 503s while it is down, recovery without restarting graphsvc."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.store import open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import load
from tests.test_bundle import TINY
from tests.test_embedded import wait_dead

ZONES = "{ zones { id } }"


def test_graphql_says_unavailable_while_a_database_server_is_down(tmp_path: Path) -> None:
    server = EmbeddedServer(tmp_path / "db")
    server.ensure_running()
    settings = Settings(db=f"unix://{server.socket_path}", graph="down", db_timeout_s=5)
    store = open_store(settings)  # a server graphsvc does not own: it cannot restart it
    load(store, str(TINY))
    try:
        with TestClient(create_app(settings, store)) as client:
            assert client.post("/graphql", json={"query": ZONES}).status_code == 200
            server.stop()
            down = client.post("/graphql", json={"query": ZONES})
            assert down.status_code == 503
            assert down.json()["errors"][0]["message"].startswith("database unavailable at unix://")
            assert "Traceback" not in down.text
            health = client.get("/healthz")
            assert health.status_code == 503 and health.json()["status"] == "unavailable"
            server.ensure_running()  # it comes back, graphsvc keeps running
            again = client.post("/graphql", json={"query": ZONES})
            assert again.status_code == 200 and len(again.json()["data"]["zones"]) == 4
            assert client.get("/healthz").status_code == 200
    finally:
        store.close()
        server.stop()


def test_an_embedded_database_killed_under_graphsvc_is_restarted(tmp_path: Path) -> None:
    store = open_store(Settings(db=f"embedded:{tmp_path}"))
    try:
        load(store, str(TINY))
        pid = int((tmp_path / "falkordb.pid").read_text())
        os.kill(pid, signal.SIGKILL)
        assert wait_dead(pid)
        # the next read restarts the server from its append-only file and is answered
        assert len(store.run("get_zones", ids=["north", "south"])) == 2
        assert int((tmp_path / "falkordb.pid").read_text()) != pid
    finally:
        store.close()
