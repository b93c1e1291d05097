"""The database going away: clear 503s while it is down, recovery without restarting graphsvc."""

from __future__ import annotations

import os
import signal
from pathlib import Path

from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings
from graphsvc.core.digest import graph_digest
from graphsvc.model import NODE_KEYS
from graphsvc.store import open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import LOCALHOST, load
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
        with TestClient(create_app(settings, store), base_url=LOCALHOST) as client:
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


def digest_after_restart(folder: Path, action) -> tuple[str, str]:
    """Digest before `action(store)`+close, and after opening the folder again."""
    store = open_store(Settings(db=f"embedded:{folder}"))
    try:
        action(store)
        before = graph_digest(store)
    finally:
        store.close()
    store = open_store(Settings(db=f"embedded:{folder}"))
    try:
        return before, graph_digest(store)
    finally:
        store.close()


def test_restart_paths_keep_the_content(tmp_path: Path) -> None:
    def fill(store) -> None:
        load(store, "namur")  # ends with a rewrite: a restart loads only the RDB base

    before, after = digest_after_restart(tmp_path, fill)
    assert before == after
    assert not any(p.stat().st_size for p in (tmp_path / "appendonlydir").glob("*.incr.aof"))

    def change_after_rewrite(store) -> None:
        store.upsert("merge_zones", [{"id": "x", "name": "X", "level": "country",
                                      "population": 1, "lat": None, "lon": None}])  # fmt: skip
        store.run("delete_everything")
        load(store, str(TINY))  # replayed from the log on top of the base, indexes included

    before, after = digest_after_restart(tmp_path, change_after_rewrite)
    assert before == after


def test_constraints_and_indexes_survive_a_replay(tmp_path: Path) -> None:
    store = open_store(Settings(db=f"embedded:{tmp_path}", graph="fresh"))
    store.close()  # setup() wrote the indexes and constraints into the log, nothing rewritten
    store = open_store(Settings(db=f"embedded:{tmp_path}", graph="fresh"), setup=False)
    try:
        constraints = store.run("list_constraints")
        assert {(c["label"], c["status"]) for c in constraints} == {
            (label, "OPERATIONAL") for label in NODE_KEYS
        }
    finally:
        store.close()


def test_the_digest_sees_every_change(make_store) -> None:
    store = make_store()
    load(store, str(TINY))
    first = graph_digest(store)
    assert graph_digest(store) == first
    store.upsert("merge_zones", [{"id": "north", "name": "North!", "level": "vicinity_network",
                                  "population": 600, "lat": 50.9, "lon": 4.7}])  # fmt: skip
    assert graph_digest(store) != first
