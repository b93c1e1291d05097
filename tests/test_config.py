"""Settings once (issue 20): every GRAPHSVC_* variable graphsvc reads is a field of
`graphsvc.config.Settings`, the README's table is generated from those fields, and a bad value
is one line naming the variable."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graphsvc.config import Settings, env_name, markdown_table, settings_from_env
from graphsvc.errors import ConfigError

ROOT = Path(__file__).resolve().parent.parent
NAMED = re.compile(r"GRAPHSVC_[A-Z][A-Z0-9_]*[A-Z0-9]")


def test_readme_table_is_generated_from_settings() -> None:
    """`python -m graphsvc.config` prints the README's configuration table, unchanged."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert markdown_table() in readme, "README table is stale: python -m graphsvc.config"


def test_every_variable_the_code_names_is_declared() -> None:
    """A GRAPHSVC_* name written in graphsvc/ (messages, lookups) is a declared setting, and
    nothing outside config.py reads the environment."""
    declared = {env_name(field) for field in Settings.model_fields}
    for path in sorted((ROOT / "graphsvc").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        assert set(NAMED.findall(text)) <= declared, path
        if path.name != "config.py" and path.parent.name != "io":  # io/sources*: h15's, below
            assert "os.environ" not in text and "getenv" not in text, path
    # issue 20: io/sources_authority reads GRAPHSVC_AUTHORITY itself (h15's module this session)
    readers = {
        p.name for p in (ROOT / "graphsvc" / "io").glob("*.py") if "os.environ" in p.read_text()
    }
    assert readers <= {"sources_authority.py"}


def test_defaults_types_and_descriptions() -> None:
    """Each field has a description, and the defaults are those graphsvc always had."""
    assert all(field.description for field in Settings.model_fields.values())
    fresh = settings_from_env({})
    assert (fresh.db, fresh.port, fresh.batch_size, fresh.demo_seeds) == (
        "embedded:./data",
        8000,
        5000,
        ("leuven", "namur"),
    )
    assert (fresh.tokens_path, fresh.audit_path) == ("./data/tokens.json", "./data/audit.jsonl")
    assert Settings().tokens_path is None  # given, not read: tests and programs
    given = settings_from_env({"GRAPHSVC_DEMO_SEEDS": " namur ,", "GRAPHSVC_DB_TIMEOUT": "2.5"})
    assert (given.demo_seeds, given.db_timeout_s) == (("namur",), 2.5)
    assert settings_from_env({"GRAPHSVC_PORT": ""}).port == 8000  # empty is unset
    assert "secret" not in repr(Settings(pseudonym_key="secret", db_password="secret"))


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"GRAPHSVC_PORT": "eighty"}, "GRAPHSVC_PORT='eighty' is not a whole number"),
        ({"GRAPHSVC_SUPPRESSION_K": "1"}, "GRAPHSVC_SUPPRESSION_K=1 must be at least 2"),
        ({"GRAPHSVC_DB_TIMEOUT": "soon"}, "GRAPHSVC_DB_TIMEOUT='soon' is not a number"),
        ({"GRAPHSVC_QUERY_TIMEOUT": "0"}, "GRAPHSVC_QUERY_TIMEOUT=0.0 must be positive"),
        ({"GRAPHSVC_MAP_MAX_NODES": "0"}, "GRAPHSVC_MAP_MAX_NODES=0 must be at least 1"),
    ],
)
def test_a_bad_value_is_one_line_naming_the_variable(env: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError) as raised:
        settings_from_env(env)
    assert str(raised.value) == message
