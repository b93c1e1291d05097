"""Transport: loopback Host headers only in local mode (DNS rebinding), anti-framing headers on
every HTML page, half-open connections and slow bodies closed by their deadlines on a real
uvicorn server."""

from __future__ import annotations

import socket
import time
from urllib.parse import urlparse

import httpx2
import pytest
from starlette.testclient import TestClient

from graphsvc.api import auth, transport
from graphsvc.api.app import create_app
from graphsvc.api.background import serving
from graphsvc.config import Settings
from graphsvc.store import Store
from tests.conftest import LOCALHOST
from tests.security_fixtures import ANTOINE_PATIENT, Secured, secure_demo_fixture  # noqa: F401

GGZ = "leuven-mdt-ggz-noord"
PATIENT = {"query": f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'}


@pytest.mark.parametrize("host", ["attacker.example", "attacker.example:8000", "10.0.0.7",
                                  "localhost.attacker.example", ""])  # fmt: skip
def test_local_mode_refuses_other_host_headers(demo_store: Store, host: str) -> None:
    with TestClient(create_app(Settings(), demo_store), base_url=LOCALHOST) as client:
        before = demo_store.calls
        response = client.post("/graphql", json=PATIENT, headers={"host": host})
        assert response.status_code == 421
        assert "localhost" in response.json()["errors"][0]["message"]
        assert ANTOINE_PATIENT not in response.text
        assert demo_store.calls == before  # refused before anything ran


@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "127.0.0.1:8000", "[::1]:8000"])
def test_local_mode_answers_loopback_host_headers(demo_store: Store, host: str) -> None:
    with TestClient(create_app(Settings(), demo_store), base_url=LOCALHOST) as client:
        response = client.post("/graphql", json=PATIENT, headers={"host": host})
        assert response.status_code == 200 and "errors" not in response.json()


def test_host_of() -> None:
    assert transport.host_of("[::1]:8000") == "[::1]"
    assert transport.host_of("LocalHost:80") == "localhost"
    assert transport.host_of("127.0.0.1") == "127.0.0.1"


HTML_PAGES = [
    ("/maps/zone/namur", {}),
    (f"/feedback/team/{GGZ}", {"from": "2026-01-01", "to": "2026-03-31"}),
    ("/graphql", {}),  # GraphiQL in local mode
]


@pytest.mark.parametrize(("path", "params"), HTML_PAGES)
def test_every_html_page_refuses_to_be_framed(client: TestClient, path: str, params: dict) -> None:
    response = client.get(path, params=params, headers={"accept": "text/html"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in response.headers["content-security-policy"]


def test_token_mode_pages_refuse_to_be_framed_too(secure_demo: Secured) -> None:
    headers = {"Authorization": f"Bearer {secure_demo.tokens['planner']}"}
    response = secure_demo.client.get(
        f"/feedback/team/{GGZ}", params={"from": "2026-01-01", "to": "2026-03-31"},
        headers=headers,
    )  # fmt: skip
    assert response.status_code == 200
    assert response.headers["x-frame-options"] == "DENY"
    policy = response.headers["content-security-policy"]
    assert "frame-ancestors 'none'" in policy


def _connect(url: str) -> socket.socket:
    parsed = urlparse(url)
    return socket.create_connection((parsed.hostname, parsed.port), timeout=10)


def test_half_open_connections_are_closed_by_the_header_deadline(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transport.HeaderTimeoutH11Protocol, "header_timeout_s", 1.0)
    with serving(create_app(Settings(), demo_store)) as url:
        half_open = []
        for _ in range(50):
            s = _connect(url)
            s.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: applic")
            half_open.append(s)
        time.sleep(2.5)
        closed = 0
        for s in half_open:
            s.settimeout(5)
            try:
                closed += s.recv(1024) == b""
            except ConnectionResetError:
                closed += 1
            s.close()
        assert closed == 50
        answer = httpx2.post(url, json={"query": "{ needTypes { code } }"}, timeout=30)
        assert answer.status_code == 200  # the server still serves


def test_a_body_that_never_ends_is_refused(
    demo_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(auth, "BODY_TIMEOUT_S", 1.0)
    with serving(create_app(Settings(), demo_store)) as url:
        s = _connect(url)
        s.sendall(b"POST /graphql HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json"
                  b"\r\nContent-Length: 100\r\n\r\n{\"query\":")  # fmt: skip
        s.settimeout(10)
        answer = s.recv(4096)
        s.close()
    assert answer.startswith(b"HTTP/1.1 408")


def test_server_options_cap_connections_and_take_tls() -> None:
    options = transport.server_options()
    assert options["limit_concurrency"] == transport.MAX_CONNECTIONS
    assert options["http"] is transport.HeaderTimeoutH11Protocol
    assert "ssl_certfile" not in options
    tls = transport.server_options("cert.pem", "key.pem")
    assert (tls["ssl_certfile"], tls["ssl_keyfile"]) == ("cert.pem", "key.pem")
