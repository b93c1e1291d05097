"""The README's examples are tests: every GraphQL block runs against the demo seeds without an
error (and gives the JSON answer shown right after it, when there is one), every `$ graphsvc`
command runs against the seeds and prints every output line shown, in that order.

A block that cannot run here (`make run`, a mutation, a placeholder id) says so with a marker
on the line right before its fence, which must give a reason:

    <!-- readme-test: skip (starts a server) -->

A new block without a marker is run: it fails with the command or query, the line of the
README and the difference, so an example cannot go stale unnoticed.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from graphql import OperationDefinitionNode, parse, print_ast
from starlette.testclient import TestClient

from tests.conftest import REPO

FENCE = re.compile(r"^```(\w*)\n(.*?)^```\n", re.MULTILINE | re.DOTALL)
SKIP = re.compile(r"<!-- readme-test: skip \((?P<reason>[^)]+)\) -->\s*$")


@dataclass(frozen=True)
class Block:
    line: int
    lang: str
    text: str
    skip: str | None  # the marker's reason
    answer: str | None  # the JSON block right after a GraphQL block

    def __str__(self) -> str:
        return f"README.md line {self.line} ({self.lang or 'text'})"


def blocks(readme: str) -> list[Block]:
    found = list(FENCE.finditer(readme))
    result = []
    for index, match in enumerate(found):
        before = readme[: match.start()].rstrip("\n").rpartition("\n")[2]
        marker = SKIP.search(before)
        if "readme-test" in before and not marker:
            raise AssertionError(f"line {readme.count(chr(10), 0, match.start())}: bad marker")
        answer = None
        following = found[index + 1] if index + 1 < len(found) else None
        if following and following.start() == match.end() and following.group(1) == "json":
            answer = following.group(2)
        result.append(
            Block(
                line=readme.count("\n", 0, match.start()) + 1,
                lang=match.group(1),
                text=match.group(2),
                skip=marker.group("reason") if marker else None,
                answer=answer,
            )
        )
    return result


BLOCKS = blocks((REPO / "README.md").read_text())
GRAPHQL = [b for b in BLOCKS if b.lang == "graphql"]
COMMANDS = [b for b in BLOCKS if b.text.startswith("$ graphsvc")]
OTHERS = [b for b in BLOCKS if b.lang in ("sh", "") and b not in COMMANDS]


def ids(found: list[Block]) -> list[str]:
    return [f"line-{b.line}" for b in found]


def test_every_block_is_checked_or_marked() -> None:
    unmarked = [str(b) for b in OTHERS if b.skip is None]
    assert unmarked == [], "runnable blocks start with `$ graphsvc`; mark the others (see doc)"
    assert len(GRAPHQL) >= 8 and len(COMMANDS) >= 2


@pytest.mark.parametrize("block", GRAPHQL, ids=ids(GRAPHQL))
def test_graphql_block(block: Block, client: TestClient) -> None:
    if block.skip:
        pytest.skip(block.skip)
    operations = [
        d for d in parse(block.text).definitions if isinstance(d, OperationDefinitionNode)
    ]
    assert operations, block
    for operation in operations:
        query = print_ast(operation)
        body = client.post("/graphql", json={"query": query}).json()
        assert not body.get("errors"), (str(block), query, body["errors"])
        if block.answer is not None:
            assert len(operations) == 1, f"{block}: one operation before an answer"
            assert body == json.loads(block.answer), (str(block), query)


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """A fresh embedded database with the demo seeds, for the commands (read-only ones)."""
    folder = tmp_path_factory.mktemp("readme")
    env = {"GRAPHSVC_DB": f"embedded:{folder}/db"}
    for seed in ("leuven", "namur"):
        run(["load", seed], env)
    yield env


def run(argv: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    import os

    result = subprocess.run(
        [sys.executable, "-m", "graphsvc.cli", *argv],
        env={**os.environ, **env, "COLUMNS": "200"}, cwd=REPO,
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, (argv, result.stderr)
    return result


@pytest.mark.parametrize("block", COMMANDS, ids=ids(COMMANDS))
def test_command_block(block: Block, seeded: dict[str, str]) -> None:
    if block.skip:
        pytest.skip(block.skip)
    import shlex

    command, *shown = block.text.rstrip("\n").split("\n")
    argv = shlex.split(command.removeprefix("$ graphsvc "))
    printed = [line.rstrip() for line in run(argv, seeded).stdout.splitlines()]
    position = 0
    for line in (s.rstrip() for s in shown):
        assert line in printed[position:], (
            f"{block}: `{command}` no longer prints\n  {line}\nit prints:\n" + "\n".join(printed)
        )
        position = printed.index(line, position) + 1
