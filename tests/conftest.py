"""Shared fixtures: one real embedded FalkorDB for the session, a fresh graph per test.

Set GRAPHSVC_TEST_NEO4J_URI (and GRAPHSVC_TEST_NEO4J_USER / _PASSWORD) to run the store
contract tests against a Neo4j 5 server as well.
"""

from __future__ import annotations

import os
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.api.background import serving
from graphsvc.config import Settings, get_settings
from graphsvc.io.bundle import read_bundle, write_bundle
from graphsvc.io.seeds import resolve_seed
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "fixtures" / "tiny"
LOCALHOST = "http://localhost"  # local mode answers only to loopback Host headers
NEO4J_URI = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
BACKENDS = ["falkordb", pytest.param("neo4j", marks=pytest.mark.neo4j)]


@pytest.fixture(scope="session")
def embedded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EmbeddedServer]:
    """The session's embedded FalkorDB server (started in the main thread)."""
    server = EmbeddedServer(tmp_path_factory.mktemp("db"))
    server.ensure_running()
    yield server
    server.stop()


def _falkordb_settings(server: EmbeddedServer, graph: str) -> Settings:
    return Settings(db=f"embedded:{server.data_dir}", graph=graph)


@pytest.fixture
def make_store(embedded: EmbeddedServer) -> Iterator[Callable[..., Store]]:
    """Open stores on fresh, empty graphs; each is deleted after the test."""
    opened: list[Store] = []

    def make(backend: str = "falkordb", batch_size: int = 5000) -> Store:
        if backend == "neo4j":
            if not NEO4J_URI:
                pytest.skip("GRAPHSVC_TEST_NEO4J_URI is not set")
            settings = Settings(
                db=NEO4J_URI,
                db_user=os.environ.get("GRAPHSVC_TEST_NEO4J_USER", "neo4j"),
                db_password=os.environ.get("GRAPHSVC_TEST_NEO4J_PASSWORD"),
                batch_size=batch_size,
            )
        else:
            graph = f"test_{uuid.uuid4().hex[:12]}"
            settings = _falkordb_settings(embedded, graph)
            settings = settings.with_overrides(batch_size=batch_size)
        store = open_store(settings)
        store.run("delete_everything")
        opened.append(store)
        return store

    yield make
    for store in opened:
        store.run("delete_everything")
        store.close()


@pytest.fixture(params=BACKENDS)
def store(request: pytest.FixtureRequest, make_store: Callable[..., Store]) -> Store:
    """An empty store on every configured backend."""
    return make_store(request.param)


def load(store: Store, seed: str) -> None:
    """Load a shipped seed or bundle folder into a store."""
    write_bundle(store, read_bundle(resolve_seed(seed)))


@pytest.fixture(scope="session")
def demo_store(embedded: EmbeddedServer) -> Iterator[Store]:
    """Both demo seeds loaded once; tests using it must not write."""
    store = open_store(_falkordb_settings(embedded, "demo"))
    store.run("delete_everything")
    load(store, "leuven")
    load(store, "namur")
    yield store
    store.close()


@pytest.fixture
def client(demo_store: Store) -> Iterator[TestClient]:
    """The real HTTP app (ASGI, in-process) over the demo data, in local mode."""
    with TestClient(create_app(Settings(), demo_store), base_url=LOCALHOST) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def live_url(demo_store: Store) -> Iterator[str]:
    """The real app served by uvicorn on a loopback port over the demo data; its /graphql URL."""
    with serving(create_app(Settings(), demo_store)) as url:
        yield url


@pytest.fixture
def served_tiny(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[str, Store, Path]]:
    """The tiny bundle on its own embedded database (in tmp_path), served over HTTP with a
    pseudonym key: (GraphQL URL, store, data folder). For tests that write or kill."""
    monkeypatch.setenv("GRAPHSVC_PSEUDONYM_KEY", "test-pseudonym-key-0123456789")
    get_settings.cache_clear()
    store = open_store(Settings(db=f"embedded:{tmp_path}", db_timeout_s=10))
    load(store, str(TINY))
    try:
        with serving(create_app(Settings(), store), log_level="critical") as url:
            yield url, store, tmp_path
    finally:
        store.close()
        get_settings.cache_clear()


def gql(client: TestClient, query: str, **variables: object) -> dict:
    """POST a GraphQL query and return the JSON body."""
    response = client.post("/graphql", json={"query": query, "variables": variables})
    assert response.status_code in (200, 400), response.text
    return response.json()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """An 8 MB tmpfs (the disk-full checks), unmounted after; skipped where mounting is refused."""
    mount = tmp_path / "small"
    mount.mkdir()
    try:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)],
                                capture_output=True, text=True)  # fmt: skip
    except OSError as exc:  # no mount command
        pytest.skip(f"cannot mount a small tmpfs here: {exc}")
    if result.returncode != 0:
        pytest.skip(f"cannot mount a small tmpfs here: {result.stderr.strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)
