"""Transport guards: loopback Host headers in local mode, anti-framing headers, and the
uvicorn settings that bound slow or idle connections.

- `LoopbackHostOnly` (local mode only): a request whose Host header is not `localhost`,
  `127.0.0.1` or `[::1]` (any port) is answered 421 before anything runs. A web page the
  browser loaded from elsewhere can point its own name at 127.0.0.1 (DNS rebinding), but it
  cannot make the browser send a loopback Host header for it.
- `FrameGuard`: every answer carries `X-Frame-Options: DENY` and a CSP with
  `frame-ancestors 'none'` (added to the page's own CSP when it has one): no page of graphsvc
  can be framed by another site (clickjacking).
- `server_options()`: uvicorn's connection cap (`limit_concurrency`: beyond it, 503), its
  keep-alive timeout, and `HeaderTimeoutH11Protocol`, uvicorn's HTTP/1.1 protocol with a
  deadline for the request line and headers (uvicorn has none of its own: a connection that
  never finishes its headers would stay open for ever). The body's own deadline is in
  graphsvc.api.auth (the body is read up front there).
"""

from __future__ import annotations

import asyncio
from typing import Any

from uvicorn.protocols.http.h11_impl import H11Protocol

from graphsvc.api.auth import ASGIApp, Message, Receive, Scope, Send

HEADER_TIMEOUT_S = 10.0
KEEP_ALIVE_S = 5
MAX_CONNECTIONS = 200
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "[::1]", "::1"})
FRAME_ANCESTORS = "frame-ancestors 'none'"


def host_of(header: str) -> str:
    """The host part of a Host header (`[::1]:8000` -> `[::1]`, `localhost:80` -> `localhost`)."""
    header = header.strip().lower()
    if header.startswith("["):
        return header.split("]", 1)[0] + "]"
    return header.rsplit(":", 1)[0] if header.count(":") == 1 else header


class LoopbackHostOnly:
    """ASGI middleware for local mode: only loopback Host headers reach the app."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket"):
            host = next((v.decode("latin-1") for k, v in scope.get("headers", ()) if k == b"host"),
                        "")  # fmt: skip
            if host_of(host) not in LOOPBACK_HOSTS:
                if scope["type"] == "websocket":
                    await send({"type": "websocket.close", "code": 1008})
                    return
                body = b'{"errors":[{"message":"local mode answers only to localhost"}]}'
                await send({"type": "http.response.start", "status": 421, "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ]})  # fmt: skip
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)


class FrameGuard:
    """ASGI middleware: anti-framing headers on every answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def guarded(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = _framing_headers(list(message.get("headers", [])))
            await send(message)

        await self.app(scope, receive, guarded)


def _framing_headers(headers: list[tuple[bytes, bytes]]) -> list[tuple[bytes, bytes]]:
    kept = [(k, v) for k, v in headers if k.lower() != b"x-frame-options"]
    csp = [(i, v) for i, (k, v) in enumerate(kept) if k.lower() == b"content-security-policy"]
    if csp:
        for i, value in csp:
            if b"frame-ancestors" not in value:
                kept[i] = (b"content-security-policy", value + b"; " + FRAME_ANCESTORS.encode())
    else:
        kept.append((b"content-security-policy", FRAME_ANCESTORS.encode()))
    kept.append((b"x-frame-options", b"DENY"))
    return kept


class HeaderTimeoutH11Protocol(H11Protocol):
    """uvicorn's h11 protocol, closing a connection whose request line and headers are not
    complete within HEADER_TIMEOUT_S of its opening (slow or half-open clients)."""

    header_timeout_s = HEADER_TIMEOUT_S

    def connection_made(self, transport: Any) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._header_deadline: asyncio.TimerHandle | None = self.loop.call_later(
            self.header_timeout_s, self._headers_too_slow
        )

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if self.cycle is not None and self._header_deadline is not None:
            self._header_deadline.cancel()  # the headers are in
            self._header_deadline = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._header_deadline is not None:
            self._header_deadline.cancel()
            self._header_deadline = None
        super().connection_lost(exc)

    def _headers_too_slow(self) -> None:
        self._header_deadline = None
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()


def server_options(tls_cert: str | None = None, tls_key: str | None = None) -> dict[str, Any]:
    """Keyword arguments of uvicorn.run / uvicorn.Config for graphsvc's server."""
    options: dict[str, Any] = {
        "http": HeaderTimeoutH11Protocol,
        "limit_concurrency": MAX_CONNECTIONS,
        "timeout_keep_alive": KEEP_ALIVE_S,
        "h11_max_incomplete_event_size": 16 * 1024,
        "server_header": False,
    }
    if tls_cert or tls_key:
        options.update(ssl_certfile=tls_cert, ssl_keyfile=tls_key)
    return options
