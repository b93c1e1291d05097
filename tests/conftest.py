"""Shared fixtures: one real embedded FalkorDB for the session, a fresh graph per test.

Set GRAPHSVC_TEST_NEO4J_URI (and GRAPHSVC_TEST_NEO4J_USER / _PASSWORD) to run the store
contract tests against a Neo4j 5 server as well.
"""

from __future__ import annotations

import csv
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
from graphsvc.queries import QueryCatalog
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer

REPO = Path(__file__).resolve().parent.parent
TINY = REPO / "tests" / "fixtures" / "tiny"
SHARED_DATA = REPO.parent / "shared" / "data"  # real data sets beside the worktree, not shipped
LOCALHOST = "http://localhost"  # local mode answers only to loopback Host headers
NEO4J_URI = os.environ.get("GRAPHSVC_TEST_NEO4J_URI")
CSV_FIELD_LIMIT = csv.field_size_limit()  # frictionless raises it for the whole process


@pytest.fixture(autouse=True)
def _csv_field_limit() -> Iterator[None]:
    """Every test reads CSV with Python's own field limit, whichever test imported
    frictionless before it (the bundle reader's 'field larger than' messages depend on it)."""
    csv.field_size_limit(CSV_FIELD_LIMIT)
    yield


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
        settings = Settings(pseudonym_key="test-pseudonym-key-0123456789")
        with serving(create_app(settings, store), log_level="critical") as url:
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


def pytest_runtest_setup(item: pytest.Item) -> None:
    """`@pytest.mark.shared`: the test reads ../shared/data, skipped (saying so) without it."""
    if item.get_closest_marker("shared") and not SHARED_DATA.is_dir():
        pytest.skip(f"reads {SHARED_DATA} (real data sets), which is not there")


# Every named query is run by some test (issue 20): the catalog records the names asked for
# during the session, and a whole-suite run that passed lists the query files no test ran.
# Not yet failing: queries run only by graphsvc subprocesses (CLI tests) are not seen here;
# once a whole run lists none (or lists them in NOT_RUN_IN_PROCESS), set FAIL_ON_NEVER_RUN.
QUERIES_RUN: set[str] = set()
NOT_RUN_IN_PROCESS: set[str] = set()  # run only by graphsvc subprocesses, or only by bench/
FAIL_ON_NEVER_RUN = False


@pytest.fixture(scope="session", autouse=True)
def record_queries_run() -> Iterator[set[str]]:
    """Record each query name checked by the catalog (every store call goes through it)."""
    original = QueryCatalog.check_params

    def recording(self: QueryCatalog, name: str, params: dict) -> object:
        QUERIES_RUN.add(name)
        return original(self, name, params)

    QueryCatalog.check_params = recording  # type: ignore[method-assign]
    yield QUERIES_RUN
    QueryCatalog.check_params = original  # type: ignore[method-assign]


def _whole_suite(config: pytest.Config) -> bool:
    chosen = [Path(a).resolve() for a in config.args]
    everything = chosen in ([], [REPO / "tests"])
    return everything and not config.option.keyword and not config.option.markexpr


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if exitstatus != 0 or not _whole_suite(session.config):
        return
    never = sorted(set(QueryCatalog.load("falkordb")) - QUERIES_RUN - NOT_RUN_IN_PROCESS)
    if never:
        print(f"\nquery files no test ran in process (issue 20): {', '.join(never)}")
        if FAIL_ON_NEVER_RUN:
            session.exitstatus = pytest.ExitCode.TESTS_FAILED
