"""The embedded FalkorDB: start, share, durability after kill -9, stale files, no orphans."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.errors import DatabaseUnavailable
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import EmbeddedServer, client_for, socket_path_for
from tests.conftest import load


@pytest.fixture
def data_dir(tmp_path: Path) -> Iterator[Path]:
    """A fresh data folder; any server left running in it is killed afterwards."""
    folder = tmp_path / "data"
    yield folder
    pid_file = folder / "falkordb.pid"
    if pid_file.exists():
        pid = int(pid_file.read_text())
        if alive(pid):
            os.kill(pid, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return status.exists() and "\nState:\tZ" not in status.read_text()


def wait_until(condition: Callable[[], bool], timeout_s: float = 10.0) -> bool:
    """True as soon as `condition()` holds, False if it still does not after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def wait_dead(pid: int, timeout_s: float = 10.0) -> bool:
    return wait_until(lambda: not alive(pid), timeout_s)


def open_embedded(folder: Path) -> Store:
    return open_store(Settings(db=f"embedded:{folder}"))


ZONE = {"name": "Z", "level": "vicinity_network", "population": 1, "lat": None, "lon": None}


def test_listens_on_a_unix_socket_only_with_fsync_always(data_dir: Path) -> None:
    store = open_embedded(data_dir)
    try:
        config = store.connection.config_get("*")  # type: ignore[attr-defined]
        assert config["port"] == "0"
        assert config["unixsocket"] == str(data_dir / "falkordb.sock")
        assert config["appendonly"] == "yes"
        assert config["appendfsync"] == "always"
        assert config["aof-use-rdb-preamble"] == "yes"
    finally:
        store.close()
    assert not (data_dir / "falkordb.sock").exists()
    assert not (data_dir / "falkordb.pid").exists()


def test_every_acknowledged_write_survives_kill_9(data_dir: Path) -> None:
    server = EmbeddedServer(data_dir)
    server.ensure_running()
    store = open_embedded(data_dir)  # connects to the running server
    for i in range(50):
        store.upsert("merge_zones", [{**ZONE, "id": f"z{i}"}])
    pid = server.pid
    assert pid is not None
    os.kill(pid, signal.SIGKILL)
    assert wait_dead(pid)
    server.stop()  # reaps the killed child
    store.close()
    restarted = open_embedded(data_dir)
    try:
        assert restarted.run("count_nodes") == [{"label": "Zone", "count": 50}]
    finally:
        restarted.close()


def test_a_second_process_connects_instead_of_starting_another(data_dir: Path) -> None:
    first = EmbeddedServer(data_dir)
    first.ensure_running()
    try:
        second = EmbeddedServer(data_dir)
        second.ensure_running()
        assert not second.started_here
        assert second.pid == first.pid
        second.stop()  # does nothing: it did not start the server
        assert first.pid is not None and alive(first.pid)
        code = "from graphsvc.cli import main; raise SystemExit(main(['db', 'status']))"
        result = subprocess.run(
            [sys.executable, "-c", code],
            env={**os.environ, "GRAPHSVC_DB": f"embedded:{data_dir}"},
            capture_output=True, text=True, timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert alive(first.pid)  # the CLI process did not stop the shared server
    finally:
        first.stop()


def test_stale_pid_and_socket_files_are_cleaned_up(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    dead = subprocess.Popen(["true"])
    dead.wait()
    (data_dir / "falkordb.pid").write_text(f"{dead.pid}\n")
    (data_dir / "falkordb.sock").write_text("stale")
    server = EmbeddedServer(data_dir)
    server.ensure_running()
    try:
        assert server.started_here
        assert int((data_dir / "falkordb.pid").read_text()) == server.pid
    finally:
        server.stop()


def test_a_pid_file_naming_another_program_is_stale(data_dir: Path) -> None:
    data_dir.mkdir(parents=True)
    (data_dir / "falkordb.pid").write_text(f"{os.getpid()}\n")  # alive, but not our server
    server = EmbeddedServer(data_dir)
    server.ensure_running()
    try:
        assert server.started_here
    finally:
        server.stop()


def test_the_server_dies_with_its_parent_even_on_kill_9(data_dir: Path) -> None:
    code = (
        "import sys, time\n"
        "from graphsvc.store.embedded import EmbeddedServer\n"
        f"s = EmbeddedServer({str(data_dir)!r}); s.ensure_running()\n"
        "print(s.pid, flush=True); time.sleep(60)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert parent.stdout is not None
    pid = int(parent.stdout.readline())
    assert alive(pid)
    parent.kill()
    parent.wait()
    parent.stdout.close()
    assert wait_dead(pid), "the database outlived graphsvc: an orphan"


def test_restart_after_loading_a_seed_is_fast(data_dir: Path) -> None:
    store = open_embedded(data_dir)
    load(store, "leuven")  # ends with an append-only file rewrite
    count = store.run("count_nodes")
    store.close()
    started = time.monotonic()
    store = open_embedded(data_dir)
    elapsed = time.monotonic() - started
    try:
        assert store.run("count_nodes") == count
    finally:
        store.close()
    assert elapsed < 2.0, f"restart took {elapsed:.2f} s"
    log = data_dir / "appendonlydir"
    assert sum(p.stat().st_size for p in log.glob("*.incr.aof")) < 1024, "load not compacted"
    assert max(p.stat().st_size for p in log.glob("*.base.rdb")) > 10_000, "no compact base"


def test_missing_binary_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatabaseUnavailable, match=r"binary missing: .*redis-server"):
        EmbeddedServer(tmp_path / "data", bin_dir=str(tmp_path / "nowhere")).ensure_running()


def test_a_server_that_cannot_start_says_why(tmp_path: Path) -> None:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "redis-server").write_text("#!/bin/sh\necho 'FATAL: broken build' >&2\nexit 3\n")
    (bin_dir / "redis-server").chmod(0o755)
    (bin_dir / "falkordb.so").write_text("")
    with pytest.raises(DatabaseUnavailable, match=r"exited \(code 3\): FATAL"):
        EmbeddedServer(tmp_path / "data", bin_dir=str(bin_dir)).ensure_running()


def test_long_data_paths_get_a_short_socket(tmp_path: Path) -> None:
    deep = tmp_path / ("x" * 60) / ("y" * 60)
    socket = socket_path_for(deep)
    assert len(str(socket)) < 100
    assert socket == socket_path_for(deep)  # a second process finds the same one


def test_an_external_falkordb_is_reached_by_url(embedded: EmbeddedServer) -> None:
    store = open_store(Settings(db=f"unix://{embedded.socket_path}", graph="external_url"))
    try:
        store.upsert("merge_zones", [{**ZONE, "id": "ext"}])
        assert store.run("get_zones", ids=["ext"])[0]["id"] == "ext"
        store.run("delete_everything")
    finally:
        store.close()
    assert embedded.pid is not None and alive(embedded.pid)  # closing did not stop it


def test_a_running_server_is_found_even_without_its_pid_file(data_dir: Path) -> None:
    first = EmbeddedServer(data_dir)
    first.ensure_running()
    try:
        (data_dir / "falkordb.pid").unlink()
        second = EmbeddedServer(data_dir)
        second.ensure_running()
        assert not second.started_here  # the owner lock, not the pid file, says who runs
        servers = subprocess.run(["pgrep", "-f", str(data_dir / "falkordb.sock")],
                                 capture_output=True, text=True).stdout.split()  # fmt: skip
        assert servers == [str(first.pid)]
    finally:
        first.stop()


def test_a_server_started_from_a_worker_thread_outlives_the_thread(data_dir: Path) -> None:
    import threading

    server = EmbeddedServer(data_dir)
    worker = threading.Thread(target=server.ensure_running)
    worker.start()
    tid = worker.native_id
    worker.join()
    try:
        # join() returns before the OS thread is gone; once its task has left /proc, a
        # parent-death signal tied to it has been sent (the kernel sends it on that exit)
        assert wait_until(lambda: not Path(f"/proc/self/task/{tid}").exists())
        assert server.pid is not None and alive(server.pid)
        client = client_for(server.socket_path, 5.0)
        assert client.ping()  # it still answers after the thread's exit
        client.close()
        assert "SIGTERM" not in server.log_path.read_text(errors="replace")
    finally:
        server.stop()
