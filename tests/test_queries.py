"""The named-query catalog: every file loads, parameters are checked, bad files fail at load."""

from __future__ import annotations

from pathlib import Path

import pytest

from graphsvc.errors import QueryCatalogError
from graphsvc.queries import CYPHER_DIR, QueryCatalog


def write(folder: Path, name: str, text: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{name}.cypher").write_text(text)


@pytest.mark.parametrize("backend", ["falkordb", "neo4j"])
def test_every_query_file_loads_with_a_header_and_a_verb(backend: str) -> None:
    catalog = QueryCatalog.load(backend)
    assert len(catalog) == len([p for p in CYPHER_DIR.glob("*.cypher") if "setup" not in p.name])
    for name in catalog:
        query = catalog[name]
        assert query.doc, name
        assert query.writes == name.startswith(("merge_", "delete_", "set_", "create_"))


@pytest.mark.parametrize("backend", ["falkordb", "neo4j"])
def test_every_query_file_says_whether_it_may_be_repeated(backend: str) -> None:
    """`// idempotent: yes|no` in every header (issue 20): the store's retry after a lost
    connection reads it, not the name. A read is always safe to repeat."""
    catalog = QueryCatalog.load(backend)
    missing = [catalog[n].path.name for n in catalog if catalog[n].declared_idempotent is None]
    assert not missing, f"add `// idempotent: yes|no` to the header of {missing}"
    assert all(catalog[n].idempotent for n in catalog if not catalog[n].writes)
    assert catalog["merge_zones"].idempotent  # an upsert: twice is once
    assert not catalog["create_referrals"].idempotent  # twice is two
    assert "idempotent" not in catalog["merge_zones"].doc


def test_the_idempotent_line_is_read_and_a_missing_one_is_safe(tmp_path: Path) -> None:
    write(tmp_path, "set_x", "// Sets x.\n// idempotent: yes\nMATCH (n) SET n.x = 1")
    write(tmp_path, "set_y", "// Sets y.\nMATCH (n) SET n.y = n.y + 1")
    write(tmp_path, "get_z", "// Reads z.\nMATCH (n) RETURN n.z AS z")
    catalog = QueryCatalog.load("falkordb", tmp_path)
    assert (catalog["set_x"].idempotent, catalog["set_x"].doc) == (True, "Sets x.")
    assert (catalog["set_y"].idempotent, catalog["set_y"].declared_idempotent) == (False, None)
    assert catalog["get_z"].idempotent


def test_parameters_must_match_exactly() -> None:
    catalog = QueryCatalog.load("falkordb")
    catalog.check_params("get_zones", {"ids": []})
    with pytest.raises(QueryCatalogError, match=r"get_zones: missing \$ids"):
        catalog.check_params("get_zones", {})
    with pytest.raises(QueryCatalogError, match=r"undeclared \$extra"):
        catalog.check_params("get_zones", {"ids": [], "extra": 1})
    with pytest.raises(QueryCatalogError, match="unknown query 'nope'"):
        catalog.check_params("nope", {})


def test_parameters_in_strings_and_comments_do_not_count(tmp_path: Path) -> None:
    write(
        tmp_path,
        "get_x",
        "// uses $documented only in this comment\nRETURN '$notparam' AS x, $real AS y",
    )
    assert QueryCatalog.load("falkordb", tmp_path)["get_x"].params == {"real"}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("fetch_x", "// doc\nRETURN 1 AS x", "must start with one of"),
        ("get_x", "RETURN 1 AS x", "missing header comment"),
        ("get_x", "// doc\nMATCH (n) SET n.x = 1 RETURN n.x AS x", "must not write"),
        ("get_x", "// doc\nRETURN 1 AS x; RETURN 2 AS y", "one statement per file"),
        ("get_x", "// only a comment\n", "no Cypher statement"),
    ],
)
def test_malformed_files_fail_at_load(tmp_path: Path, name: str, text: str, message: str) -> None:
    write(tmp_path, name, text)
    with pytest.raises(QueryCatalogError, match=message) as error:
        QueryCatalog.load("falkordb", tmp_path)
    assert str(tmp_path) in str(error.value)


def test_overrides_replace_by_name_and_must_override_something(tmp_path: Path) -> None:
    write(tmp_path, "get_x", "// generic\nRETURN 1 AS x")
    write(tmp_path / "neo4j", "get_x", "// neo4j\nRETURN 2 AS x")
    assert QueryCatalog.load("neo4j", tmp_path)["get_x"].doc == "neo4j"
    assert QueryCatalog.load("falkordb", tmp_path)["get_x"].doc == "generic"
    write(tmp_path / "neo4j", "get_orphan", "// nothing to override\nRETURN 1 AS x")
    with pytest.raises(QueryCatalogError, match="overrides no query"):
        QueryCatalog.load("neo4j", tmp_path)


def test_missing_folder_and_unreadable_file_fail_at_load(tmp_path: Path) -> None:
    with pytest.raises(QueryCatalogError, match="folder not found"):
        QueryCatalog.load("falkordb", tmp_path / "absent")
    (tmp_path / "get_x.cypher").write_bytes(b"// doc\n\xff\xfe RETURN 1")
    with pytest.raises(QueryCatalogError, match="cannot read query file"):
        QueryCatalog.load("falkordb", tmp_path)


@pytest.mark.parametrize(
    ("text", "params"),
    [
        ("// doc\nMATCH (n) /* SET n.x = $hidden; */ RETURN n.id AS id", set()),
        ("// doc\nMATCH (n:`a//b` {id: $id}) RETURN n.set AS x", {"id"}),
        ("// doc\nMATCH (n) WHERE n.name = 'it\\'s // $no' RETURN n.id AS id", set()),
        ("  // indented doc\nRETURN $a AS a", {"a"}),
    ],
)
def test_comments_strings_and_quoted_names_are_not_code(
    tmp_path: Path, text: str, params: set[str]
) -> None:
    write(tmp_path, "get_x", text)
    assert QueryCatalog.load("falkordb", tmp_path)["get_x"].params == params


def test_generated_queries_match_their_generator() -> None:
    """The ten `list_existing_*` files are written by tools/generate_existing_queries.py."""
    import subprocess
    import sys

    script = CYPHER_DIR.parent / "tools" / "generate_existing_queries.py"
    done = subprocess.run([sys.executable, str(script), "--check"], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


# queries named by code in a computed form, and the one only tests use
COMPUTED = {
    "list_existing_": 'f"list_existing_{table}"',  # io.bundle.store_lookup, per table
    "create_": '"create_" + name.removeprefix("merge_")',  # io.bundle: first load of a table
}
# tests empty a shared graph between uses; whole-graph dumps compare graphs in tests (the
# digest reads the paged forms)
TESTS_ONLY = {"delete_everything", "list_node_dump", "list_relationship_dump"}


def test_every_query_file_is_referenced_by_code() -> None:
    """A query file nobody names is dead weight (issue 20); names built by code are listed."""
    code = "\n".join(
        p.read_text(encoding="utf-8") for p in (CYPHER_DIR.parent / "graphsvc").rglob("*.py")
    )
    unreferenced = []
    for name in QueryCatalog.load("falkordb"):
        if f'"{name}"' in code or f"'{name}'" in code or name in TESTS_ONLY:
            continue
        prefix = next((p for p in COMPUTED if name.startswith(p)), None)
        if prefix is None or COMPUTED[prefix] not in code:
            unreferenced.append(name)
    assert not unreferenced
