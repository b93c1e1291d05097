"""GraphQL over HTTP: graphql-http's audits pass, and each media type gets its status codes."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import httpx2
import pytest

from graphsvc.api.http import wants_graphql_response
from tests.conftest import REPO

AUDIT = REPO / "tools" / "graphqlhttp"


@pytest.fixture(scope="session")
def audit_tool() -> Path:
    node = shutil.which("node")
    assert node, "node not found: install Node.js 20+ (make test does)"
    if not (AUDIT / "node_modules" / "graphql-http").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=AUDIT,
                       check=True, timeout=300)  # fmt: skip
    return AUDIT / "audit.mjs"


def test_all_graphql_over_http_audits_pass(audit_tool: Path, live_url: str) -> None:
    result = subprocess.run(["node", str(audit_tool), live_url], capture_output=True, text=True,
                            timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "61 of 61 audits ok" in result.stdout


NEW = {"accept": "application/graphql-response+json", "content-type": "application/json"}
OLD = {"accept": "application/json", "content-type": "application/json"}


@pytest.mark.parametrize(
    ("headers", "body", "status", "has_data"),
    [
        (NEW, {"query": "{"}, 400, False),
        (NEW, {"query": "{ nope }"}, 400, False),
        (NEW, {"query": "query($n: Int!) { zones(limit: $n) { id } }",
               "variables": {"n": "many"}}, 400, False),
        (NEW, {"query": '{ zone(id: "leuven") { id } }'}, 200, True),
        (NEW, {"query": '{ actors(zoneId: "atlantis") { id } }'}, 200, True),  # field error
        (OLD, {"query": "{ nope }"}, 200, True),
    ],
)  # fmt: skip
def test_status_codes_per_media_type(
    live_url: str, headers: dict, body: dict, status: int, has_data: bool
) -> None:
    response = httpx2.post(live_url, json=body, headers=headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(headers["accept"])
    assert ("data" in response.json()) is has_data


@pytest.mark.parametrize(
    ("accept", "wanted"),
    [("application/graphql-response+json", True), ("application/json", False), ("", False),
     ("application/json;q=0.5, application/graphql-response+json", True),
     ("application/graphql-response+json;q=0.1, application/json", False), ("*/*", False)],
)  # fmt: skip
def test_accept_negotiation(accept: str, wanted: bool) -> None:
    assert wants_graphql_response(accept) is wanted
