"""Settings from GRAPHSVC_* environment variables, read once per process."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from functools import lru_cache

from graphsvc.errors import ConfigError

DEFAULT_DB = "embedded:./data"
BESIDE_DATA = "@data/"  # a path starting so is in the data folder, whatever --db says


@dataclass(frozen=True)
class Settings:
    """Everything graphsvc can be configured with; see the README for each variable."""

    db: str = DEFAULT_DB
    graph: str = "graphsvc"
    host: str = "127.0.0.1"
    port: int = 8000
    batch_size: int = 5000
    db_user: str | None = None
    db_password: str | None = None
    falkordb_bin: str | None = None
    start_timeout_s: float = 60.0
    db_timeout_s: float = 120.0
    disk_reserve_mb: int = 16
    demo_seeds: tuple[str, ...] = ("leuven", "namur")
    # secret for patient pseudonyms (HMAC-SHA256); kept out of repr so it is never logged
    pseudonym_key: str | None = field(default=None, repr=False)
    # security (issue 7). None means none (tests, programs); from the environment both
    # default to files beside the data (BESIDE_DATA: the database folder, see data_dir)
    tokens_file: str | None = None
    audit_log: str | None = None
    suppression_k: int = 10
    query_timeout_s: float | None = 30.0

    @property
    def data_dir(self) -> str:
        """The embedded database's folder, else ./data: where tokens and audit log live."""
        if self.db.startswith("embedded:"):
            return self.db.removeprefix("embedded:") or "./data"
        return "./data"

    @property
    def tokens_path(self) -> str | None:
        """The tokens file (GRAPHSVC_TOKENS), None when there is none."""
        return self._beside_data(self.tokens_file)

    @property
    def audit_path(self) -> str | None:
        """The audit log (GRAPHSVC_AUDIT_LOG), None when there is none."""
        return self._beside_data(self.audit_log)

    def _beside_data(self, path: str | None) -> str | None:
        if path is not None and path.startswith(BESIDE_DATA):
            return os.path.join(self.data_dir, path.removeprefix(BESIDE_DATA))
        return path

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the given non-None fields replaced (used for CLI flags)."""
        return replace(self, **{k: v for k, v in changes.items() if v is not None})


def _int(env: dict[str, str], name: str, default: int, minimum: int = 1) -> int:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a whole number") from None
    if value < minimum:
        raise ConfigError(f"{name}={value} must be at least {minimum}")
    return value


def _float(env: dict[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}={raw!r} is not a number") from None
    if value <= 0:
        raise ConfigError(f"{name}={value} must be positive")
    return value


def settings_from_env(env: dict[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (os.environ by default)."""
    env = dict(os.environ if env is None else env)
    settings = Settings(
        db=env.get("GRAPHSVC_DB") or DEFAULT_DB,
        graph=env.get("GRAPHSVC_GRAPH") or "graphsvc",
        host=env.get("GRAPHSVC_HOST") or "127.0.0.1",
        port=_int(env, "GRAPHSVC_PORT", 8000, minimum=1),
        batch_size=_int(env, "GRAPHSVC_BATCH_SIZE", 5000),
        db_user=env.get("GRAPHSVC_DB_USER") or None,
        db_password=env.get("GRAPHSVC_DB_PASSWORD") or None,
        falkordb_bin=env.get("GRAPHSVC_FALKORDB_BIN") or None,
        start_timeout_s=_float(env, "GRAPHSVC_START_TIMEOUT", 60.0),
        db_timeout_s=_float(env, "GRAPHSVC_DB_TIMEOUT", 120.0),
        disk_reserve_mb=_int(env, "GRAPHSVC_DISK_RESERVE_MB", 16, minimum=0),
        demo_seeds=tuple(
            seed.strip()
            for seed in (env.get("GRAPHSVC_DEMO_SEEDS") or "leuven,namur").split(",")
            if seed.strip()
        ),
        pseudonym_key=env.get("GRAPHSVC_PSEUDONYM_KEY") or None,
        suppression_k=_int(env, "GRAPHSVC_SUPPRESSION_K", 10, minimum=2),
        query_timeout_s=_float(env, "GRAPHSVC_QUERY_TIMEOUT", 30.0),
    )
    return replace(
        settings,
        tokens_file=env.get("GRAPHSVC_TOKENS") or f"{BESIDE_DATA}tokens.json",
        audit_log=env.get("GRAPHSVC_AUDIT_LOG") or f"{BESIDE_DATA}audit.jsonl",
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return settings_from_env()
