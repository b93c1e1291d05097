"""Transport: loopback Host headers only in local mode (DNS rebinding), anti-framing headers on
every HTML page, half-open connections and slow bodies closed by their deadlines on a real
uvicorn server."""

from __future__ import annotations

import socket
import ssl
import time
from pathlib import Path
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


def self_signed(folder: Path) -> tuple[Path, Path]:
    """A certificate for localhost and 127.0.0.1 and its key (PEM), made here."""
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))  # fmt: skip
    key_path.chmod(0o600)
    return cert_path, key_path


def test_serve_with_tls_answers_https_and_refuses_plain_http(tmp_path: Path) -> None:
    """The real `graphsvc serve --tls-cert --tls-key`: one HTTPS request verified against
    the certificate; plain HTTP to the same port fails cleanly (no answer, no hang) and the
    server goes on serving HTTPS."""
    import os
    import subprocess
    import sys

    cert, key = self_signed(tmp_path)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "GRAPHSVC_DB": f"embedded:{tmp_path / 'data'}"}
    server = subprocess.Popen(
        [sys.executable, "-m", "graphsvc.cli", "serve", "--no-demo", "--port", str(port),
         "--tls-cert", str(cert), "--tls-key", str(key)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    try:
        assert server.stdout is not None
        line = server.stdout.readline()
        assert "serving GraphQL at https://" in line, line  # printed just before it listens
        for _ in range(600):
            with socket.socket() as knock:
                if knock.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert server.poll() is None, "serve exited"
            time.sleep(0.05)
        base = f"https://localhost:{port}"
        trusted = ssl.create_default_context(cafile=str(cert))
        health = httpx2.get(f"{base}/healthz", verify=trusted, timeout=30)
        assert health.status_code == 200 and health.json()["status"] == "ok", health.text
        with pytest.raises(httpx2.ConnectError):  # not our certificate: not trusted
            httpx2.get(f"{base}/healthz", timeout=30)
        with pytest.raises(httpx2.TransportError):
            httpx2.get(f"http://localhost:{port}/healthz", timeout=10)
        again = httpx2.post(f"{base}/graphql", json={"query": "{ zones { id } }"},
                            verify=trusted, timeout=30)  # fmt: skip
        assert again.status_code == 200 and "errors" not in again.json(), again.text
    finally:
        server.terminate()
        try:
            server.wait(30)
        finally:
            server.kill()
            server.wait(10)
            if server.stdout:
                server.stdout.close()
