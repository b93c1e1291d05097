"""Token-authenticated clients for the security tests (the shared conftest's `client` is the
local mode). Import the fixtures you use (`from tests.security_fixtures import
secure_demo_fixture`): each is registered under its name without `_fixture`.

`secured(store, folder)` serves the real app over `store` with a tokens file and an audit log
in `folder`, and one token per entry of TOKENS: `.ask(who, query, **variables)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from graphsvc.api.app import create_app
from graphsvc.config import Settings, get_settings
from graphsvc.security.audit import AuditLog
from graphsvc.security.tokens import TokenFile
from graphsvc.store import Store
from tests.conftest import LOCALHOST, load

KEY = "test-pseudonym-key-0123456789"
ANTOINE = "namur-case-manager-antoine-piette"  # manages ANTOINE_PATIENT and ANTOINE_OTHER
FATIMA = "namur-case-manager-fatima-piette"  # manages FATIMA_PATIENT and FATIMA_OTHER
KATRIEN = "leuven-casemanager-katrien-martens"  # manages LEUVEN_PATIENT
CPAS = "namur-cpas"  # a provider: in a circle once a referral to it is accepted
CPAS_HOUSING = "namur-cpas-housing-support"
ANTOINE_PATIENT = "6fcdc82362f86b94881e452a6b1faa155d472c0df2c995d44041ea179828b900"
ANTOINE_OTHER = "fa5de1bbae510637acdf045af7334936d76349dc10e4a2a8cf4e07a324d653ac"
FATIMA_PATIENT = "d9e2b60fcabdaea1c9d164d3abde4d29b8e5bd7757fe057d2ceda25bebe40927"
FATIMA_OTHER = "ffce4251b4780bec75779d060df84d6d771ea6bcedcd7768053b9023bcb27a03"
LEUVEN_PATIENT = "04a26620a5c7237a6c45f717ba8924f45d93dab08954c39e0c98a671fb28354f"
NOBODY = "0" * 64  # a well-formed pseudonym of no patient

TOKENS: dict[str, tuple[str, str | None]] = {
    "admin": ("admin", None),
    "planner": ("planner", None),
    "facilitator": ("facilitator", None),
    "antoine": ("case_manager", ANTOINE),
    "fatima": ("case_manager", FATIMA),
    "katrien": ("case_manager", KATRIEN),
    "cpas": ("case_manager", CPAS),
}


@dataclass
class Secured:
    client: TestClient
    tokens: dict[str, str]
    store: Store
    audit: AuditLog
    folder: Path

    def post(self, who: str | None, body: Any, **headers: str) -> httpx2.Response:
        if who is not None:
            headers["Authorization"] = f"Bearer {self.tokens.get(who, who)}"
        return self.client.post("/graphql", json=body, headers=headers)

    def ask(self, who: str | None, query: str, **variables: Any) -> dict:
        response = self.post(who, {"query": query, "variables": variables})
        assert response.status_code in (200, 400), response.text
        return response.json()

    def records(self, patient: str | None = None) -> list[dict]:
        return list(self.audit.read(patient))


@contextlib.contextmanager
def secured(store: Store, folder: Path, **changes: Any) -> Iterator[Secured]:
    """The real app over `store`, tokens required (one per TOKENS entry)."""
    folder.mkdir(parents=True, exist_ok=True)
    tokens_file = TokenFile(folder / "tokens.json")
    tokens = {who: tokens_file.create(role, actor)[0] for who, (role, actor) in TOKENS.items()}
    settings = Settings(
        tokens_file=str(folder / "tokens.json"), audit_log=str(folder / "audit.jsonl"), **changes
    )
    with TestClient(create_app(settings, store), base_url=LOCALHOST) as client:
        yield Secured(client, tokens, store, AuditLog(folder / "audit.jsonl"), folder)


@pytest.fixture(name="secure_demo")
def secure_demo_fixture(demo_store: Store, tmp_path: Path) -> Iterator[Secured]:
    """Tokens over the session's demo data (leuven and namur): read-only tests."""
    with secured(demo_store, tmp_path / "secure") as app:
        yield app


@contextlib.contextmanager
def pseudonym_key_set(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("GRAPHSVC_PSEUDONYM_KEY", KEY)
    get_settings.cache_clear()
    try:
        yield KEY
    finally:
        get_settings.cache_clear()


@pytest.fixture(name="fresh_namur")
def fresh_namur_fixture(make_store: Callable[..., Store]) -> Store:
    """The namur seed on a graph of its own: for tests that write."""
    store = make_store()
    load(store, "namur")
    return store


@pytest.fixture(name="secure_fresh")
def secure_fresh_fixture(
    make_store: Callable[..., Store], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Secured]:
    """Tokens over a writable copy of the namur seed, with a pseudonym key."""
    store = make_store()
    load(store, "namur")
    with pseudonym_key_set(monkeypatch), secured(store, tmp_path / "secure") as app:
        yield app


class RecordingStore:
    """The real store, recording the name of every query it is asked to run."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self.names: list[str] = []

    def run(self, name: str, /, **params: Any) -> list[dict]:
        self.names.append(name)
        return self._store.run(name, **params)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)
