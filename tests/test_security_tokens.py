"""Bearer tokens: only their SHA-256 is stored, the raw token is printed once, revocation and
new tokens count at once, and serving beyond loopback without tokens is refused."""

from __future__ import annotations

import hashlib
import json
import stat
from pathlib import Path

import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app, is_loopback
from graphsvc.config import Settings, settings_from_env
from graphsvc.errors import ConfigError, InputError
from graphsvc.security.roles import Principal, Role, ScopeError
from graphsvc.security.tokens import TokenFile
from graphsvc.store import Store
from tests.conftest import LOCALHOST
from tests.security_fixtures import ANTOINE, ANTOINE_PATIENT
from tests.test_cli import graphsvc, one_line_error

PATIENT = f'{{ patient(id: "{ANTOINE_PATIENT}") {{ id }} }}'


def test_only_hashes_are_stored(tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    raw, entry = tokens.create("case_manager", ANTOINE, note="Antoine's laptop")
    text = (tmp_path / "tokens.json").read_text()
    assert raw not in text and raw[5:] not in text
    assert entry.sha256 == hashlib.sha256(raw.encode()).hexdigest() and entry.sha256 in text
    assert stat.S_IMODE((tmp_path / "tokens.json").stat().st_mode) == 0o600
    assert raw.startswith("gsvc_") and len(raw) >= 40
    assert tokens.authenticate(raw) == Principal(Role.CASE_MANAGER, ANTOINE, entry.id)
    assert tokens.authenticate(raw + "x") is None and tokens.authenticate("") is None


@pytest.mark.parametrize(
    ("role", "actor", "problem"),
    [("root", None, "not one of"), ("case_manager", None, "acts as an actor"),
     ("planner", ANTOINE, "only case_manager tokens act as an actor")],
)  # fmt: skip
def test_roles_and_actors_are_checked(tmp_path: Path, role: str, actor: str, problem: str) -> None:
    with pytest.raises(InputError, match=problem):
        TokenFile(tmp_path / "tokens.json").create(role, actor)


def test_a_bad_tokens_file_lets_no_one_in(tmp_path: Path) -> None:
    path = tmp_path / "tokens.json"
    tokens = TokenFile(path)
    raw, _ = tokens.create("admin")
    path.write_text('{"format": "something else"}')
    assert tokens.authenticate(raw) is None  # fail closed, re-read on change
    with pytest.raises(ConfigError, match="cannot read the tokens file"):
        tokens.create("admin")


def test_scope_is_refused_to_roles_without_patients() -> None:
    assert Principal(Role.CASE_MANAGER, ANTOINE).scope == ANTOINE
    assert Principal(Role.ADMIN).scope is None and Principal(None).scope is None
    for role in (Role.PLANNER, Role.FACILITATOR):
        with pytest.raises(ScopeError):
            _ = Principal(role).scope


def test_new_and_revoked_tokens_count_at_once(demo_store: Store, tmp_path: Path) -> None:
    tokens = TokenFile(tmp_path / "tokens.json")
    first, _ = tokens.create("admin")
    settings = Settings(tokens_file=str(tokens.path), audit_log=str(tmp_path / "audit.jsonl"))
    with TestClient(create_app(settings, demo_store), base_url=LOCALHOST) as client:

        def status(token: str) -> int:
            headers = {"Authorization": f"Bearer {token}"}
            return client.post("/graphql", json={"query": PATIENT}, headers=headers).status_code

        assert status(first) == 200
        second, entry = TokenFile(tokens.path).create("admin")  # as `graphsvc token create`
        assert status(second) == 200
        TokenFile(tokens.path).revoke(entry.id)
        assert status(second) == 401 and status(first) == 200


def test_local_mode_is_loopback_without_tokens(demo_store: Store, tmp_path: Path) -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    empty = Settings(tokens_file=str(tmp_path / "none.json"), audit_log=str(tmp_path / "a.jsonl"))
    assert create_app(empty, demo_store).state.local
    TokenFile(tmp_path / "none.json").create("planner")
    assert not create_app(empty, demo_store).state.local  # a token configured: no local mode
    beyond = Settings(host="0.0.0.0")
    with TestClient(
        create_app(beyond, demo_store), base_url=LOCALHOST
    ) as client:  # no token: nobody gets in
        assert client.post("/graphql", json={"query": "{ zones { id } }"}).status_code == 401


def test_tokens_need_an_audit_log(demo_store: Store, tmp_path: Path) -> None:
    TokenFile(tmp_path / "tokens.json").create("admin")
    with pytest.raises(ConfigError, match="no audit log"):
        create_app(Settings(tokens_file=str(tmp_path / "tokens.json")), demo_store)


def test_files_default_beside_the_data() -> None:
    settings = settings_from_env({"GRAPHSVC_DB": "embedded:/srv/graphsvc"})
    assert settings.tokens_path == "/srv/graphsvc/tokens.json"
    assert settings.audit_path == "/srv/graphsvc/audit.jsonl"
    assert settings.with_overrides(db="embedded:/other").tokens_path == "/other/tokens.json"
    custom = settings_from_env({"GRAPHSVC_TOKENS": "/etc/t.json", "GRAPHSVC_SUPPRESSION_K": "5"})
    assert custom.tokens_path == "/etc/t.json" and custom.suppression_k == 5
    assert Settings().tokens_path is None and Settings().audit_path is None
    with pytest.raises(ConfigError, match="GRAPHSVC_SUPPRESSION_K=1 must be at least 2"):
        settings_from_env({"GRAPHSVC_SUPPRESSION_K": "1"})


def test_serve_refuses_to_listen_beyond_loopback_without_tokens(tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}"}
    result = graphsvc("serve", "--host", "0.0.0.0", "--port", "1", env=env)
    assert "refusing to listen on 0.0.0.0 without tokens" in one_line_error(result)
    assert not (tmp_path / "falkordb.pid").exists()  # refused before the database started


def test_token_create_prints_the_token_once(tmp_path: Path) -> None:
    env = {"GRAPHSVC_DB": f"embedded:{tmp_path}"}
    result = graphsvc("token", "create", "--role", "planner", "--note", "region", env=env)
    assert result.returncode == 0, result.stderr
    raw = result.stdout.strip()
    assert raw.startswith("gsvc_") and raw not in result.stderr
    stored = json.loads((tmp_path / "tokens.json").read_text())["tokens"]
    assert [t["role"] for t in stored] == ["planner"] and raw not in json.dumps(stored)
    assert TokenFile(tmp_path / "tokens.json").authenticate(raw) is not None
    listing = graphsvc("token", "list", env=env)
    assert stored[0]["id"] in listing.stdout and raw not in listing.stdout
    missing = graphsvc("token", "create", "--role", "case_manager", env=env)
    assert "acts as an actor" in missing.stderr
    revoked = graphsvc("token", "revoke", stored[0]["id"], env=env)
    assert revoked.returncode == 0 and TokenFile(tmp_path / "tokens.json").entries() == []


def test_websockets_are_closed_outside_local_mode(demo_store: Store, tmp_path: Path) -> None:
    from starlette.websockets import WebSocketDisconnect

    TokenFile(tmp_path / "tokens.json").create("admin")
    settings = Settings(tokens_file=str(tmp_path / "tokens.json"), audit_log=str(tmp_path / "a"))
    with TestClient(create_app(settings, demo_store), base_url=LOCALHOST) as client:
        with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect("/graphql"):
            pass
        assert closed.value.code == 1008
