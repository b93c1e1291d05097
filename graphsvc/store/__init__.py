"""Stores: the only code that talks to a database. `open_store` picks one by URL."""

from __future__ import annotations

from graphsvc.config import Settings
from graphsvc.errors import ConfigError, DatabaseUnavailable
from graphsvc.queries import QueryCatalog
from graphsvc.store.base import Row, Store
from graphsvc.store.urls import describe_url

__all__ = ["Row", "Store", "describe_url", "open_store"]

_SCHEMES = ("embedded:", "redis://", "rediss://", "unix://", "bolt://", "neo4j://", "neo4j+s://",
            "neo4j+ssc://", "bolt+s://", "bolt+ssc://")  # fmt: skip


def open_store(settings: Settings, setup: bool = True) -> Store:
    """Open the database named by settings.db, create the schema, and check it answers."""
    url = settings.db
    if not url.startswith(_SCHEMES):
        raise ConfigError(
            f"GRAPHSVC_DB={describe_url(url)!r}: expected embedded:PATH, redis://, rediss:// "
            "or bolt://, neo4j://, neo4j+s://"
        )
    if url.startswith(("bolt", "neo4j")):
        store = _open_neo4j(settings)
    else:
        store = _open_falkordb(settings)
    try:
        store.ping()
        if setup:
            store.setup()
    except BaseException:
        store.close()
        raise
    return store


def _open_neo4j(settings: Settings) -> Store:
    from graphsvc.store.neo4j import Neo4jStore

    try:
        return Neo4jStore(
            settings.db,
            QueryCatalog.load("neo4j"),
            user=settings.db_user,
            password=settings.db_password,
            batch_size=settings.batch_size,
            timeout_s=settings.db_timeout_s,
        )
    except ValueError as exc:
        raise ConfigError(f"GRAPHSVC_DB={describe_url(settings.db)!r}: {exc}") from exc


def _open_falkordb(settings: Settings) -> Store:
    from falkordb import FalkorDB

    from graphsvc.store.falkordb import FalkorStore

    catalog = QueryCatalog.load("falkordb")
    url = settings.db
    if url.startswith("embedded:"):
        from graphsvc.store.embedded import EmbeddedServer

        server = EmbeddedServer(
            url.removeprefix("embedded:") or "./data",
            bin_dir=settings.falkordb_bin,
            timeout_s=settings.start_timeout_s,
            reserve_bytes=settings.disk_reserve_mb * 2**20,
            db_timeout_s=settings.db_timeout_s,
        )
        socket = server.ensure_running()
        db = FalkorDB(
            unix_socket_path=str(socket),
            socket_timeout=settings.db_timeout_s,
            socket_connect_timeout=settings.db_timeout_s,
            retry=_no_retry(),
        )
        return FalkorStore(
            db,
            settings.graph,
            catalog,
            settings.batch_size,
            where=url,
            on_close=server.stop,
            recover=server.recover,
            embedded=True,
            write_refusal=server.write_refusal,
            timeout_s=settings.db_timeout_s,
        )
    kwargs = {}
    if settings.db_password and "@" not in url:
        kwargs = {"username": settings.db_user, "password": settings.db_password}
    try:
        db = FalkorDB.from_url(
            url,
            socket_connect_timeout=min(5.0, settings.db_timeout_s),
            socket_timeout=settings.db_timeout_s,
            retry=_no_retry(),
            **kwargs,
        )
    except ValueError as exc:
        raise ConfigError(f"GRAPHSVC_DB={describe_url(url)!r}: {exc}") from exc
    except Exception as exc:  # the client connects eagerly and raises redis errors
        raise DatabaseUnavailable(f"cannot reach database at {describe_url(url)}: {exc}") from exc
    return FalkorStore(
        db,
        settings.graph,
        catalog,
        settings.batch_size,
        where=describe_url(url),
        timeout_s=settings.db_timeout_s,
    )


def _no_retry() -> object:
    """redis-py retries a timed-out command 10 times by default: a hung database would then
    hold every request for ten timeouts. graphsvc waits once and answers 503."""
    from redis.backoff import NoBackoff
    from redis.retry import Retry

    return Retry(NoBackoff(), 0)
