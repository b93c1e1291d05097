"""Who is calling: bearer tokens on every route but /healthz, and a cap on request bodies.

In local mode (listening on loopback with no token configured) every request acts as
`graphsvc.security.roles.LOCAL`. Otherwise a request needs `Authorization: Bearer <token>`
with a current token of the tokens file (graphsvc.security.tokens), or gets HTTP 401 before
anything else runs. Whatever the mode, a request body above the limit gets HTTP 413 unread.
Each of these refusals is a line of the audit log (no token, an invalid or revoked token, a
body too large).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from graphsvc.security.audit import DENIED, AuditLog, AuditTrail, AuditUnavailable
from graphsvc.security.roles import LOCAL, Principal
from graphsvc.security.tokens import TokenFile, digest

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

PRINCIPAL = "graphsvc.principal"
PUBLIC_PATHS = frozenset({"/healthz"})
REALM = 'Bearer realm="graphsvc"'
BODY_TIMEOUT_S = 30.0  # the whole body, read up front (header deadline: graphsvc.api.transport)


def principal_of(scope: Scope) -> Principal:
    """The request's principal; a request that did not pass Authenticate is refused."""
    principal = scope.get(PRINCIPAL)
    if not isinstance(principal, Principal):
        raise PermissionError("request was not authenticated")
    return principal


def bearer(scope: Scope) -> str | None:
    for name, value in scope.get("headers", ()):
        if name == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token.strip() if kind.lower() == "bearer" else None
    return None


class Authenticate:
    """ASGI middleware: sets scope[PRINCIPAL], or answers 401 / 413 itself."""

    def __init__(
        self,
        app: ASGIApp,
        tokens: TokenFile | None,
        local: bool,
        max_body_bytes: int,
        audit_log: AuditLog | None = None,
    ) -> None:
        self.app = app
        self.tokens = tokens
        self.local = local
        self.max_body_bytes = max_body_bytes
        self.audit_log = audit_log

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket" and not self.local:
            await send({"type": "websocket.close", "code": 1008})  # no token on websockets
            return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.local:
            scope[PRINCIPAL] = LOCAL
        elif scope["path"] not in PUBLIC_PATHS:
            token = bearer(scope)
            principal = self.tokens.authenticate(token) if self.tokens else None
            if principal is None:
                await self._refused(scope, None, _why(token), token)
                await _answer(send, 401, _why(token), [(b"www-authenticate", _challenge(token))])
                return
            scope[PRINCIPAL] = principal
        try:
            body = await asyncio.wait_for(self._body(scope, receive), BODY_TIMEOUT_S)
        except TimeoutError:
            slow = f"request body not received within {BODY_TIMEOUT_S:g} s"
            await self._refused(scope, scope.get(PRINCIPAL), slow, None)
            await _answer(send, 408, slow, [(b"connection", b"close")])
            return
        if body is None:
            limit = f"request body larger than {self.max_body_bytes} bytes"
            await self._refused(scope, scope.get(PRINCIPAL), limit, None)
            await _answer(send, 413, limit)
            return
        await self.app(scope, _replay(body, receive), send)

    async def _refused(
        self, scope: Scope, principal: Principal | None, why: str, token: str | None
    ) -> None:
        """One audit line per refused request (the raw token is never written, only the
        start of its hash, so repeated attempts can be told apart)."""
        if self.audit_log is None:
            return
        trail = AuditTrail(self.audit_log, principal or Principal(role=None))
        presented = digest(token)[:12] if token else None
        trail.record(f"http {scope.get('method', '')} {scope.get('path', '')}"[:120], "request",
                     None, outcome=DENIED, reason=why, presented=presented)  # fmt: skip
        if principal is None:
            for event in trail.records:
                event["role"] = None  # nobody: not the local mode
        with contextlib.suppress(AuditUnavailable):  # refused anyway
            await asyncio.to_thread(trail.flush)

    async def _body(self, scope: Scope, receive: Receive) -> list[Message] | None:
        """The request's body messages, read up front; None when too large."""
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > self.max_body_bytes:
                return None
        if scope.get("method") in ("GET", "HEAD", "OPTIONS"):
            return []
        messages, size = [], 0
        while True:
            message = await receive()
            messages.append(message)
            if message["type"] != "http.request":
                return messages
            size += len(message.get("body", b""))
            if size > self.max_body_bytes:
                return None
            if not message.get("more_body", False):
                return messages


def _replay(messages: list[Message], receive: Receive) -> Receive:
    pending = list(messages)

    async def replayed() -> Message:
        if pending:
            return pending.pop(0)
        return await receive()

    return replayed


def _why(token: str | None) -> str:
    if token is None:
        return "authentication required: send Authorization: Bearer <token>"
    return "invalid or revoked token"


def _challenge(token: str | None) -> bytes:
    return (REALM if token is None else f'{REALM}, error="invalid_token"').encode()


async def _answer(
    send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]] | None = None
) -> None:
    body = json.dumps({"errors": [{"message": message}]}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                *(headers or []),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
