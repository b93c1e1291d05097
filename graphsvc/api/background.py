"""Serve an app with uvicorn on a free loopback port in a background thread (tests, benches)."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

import uvicorn
from starlette.applications import Starlette

from graphsvc.api.transport import server_options


@contextlib.contextmanager
def serving(app: Starlette, log_level: str = "warning") -> Iterator[str]:
    """Yield the app's /graphql URL while uvicorn serves it on 127.0.0.1."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level=log_level, lifespan="on",
                            **server_options())  # fmt: skip
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="graphsvc-test-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}/graphql"
    finally:
        server.should_exit = True
        thread.join(10)
