"""graphsvc's FalkorDB parameter header is the falkordb client's own, character for character
(so exactly as safe: the same quoting and escapes), for every kind of value, and what it
carries comes back from the database verbatim."""

from __future__ import annotations

from typing import Any

import pytest
from falkordb.graph import Graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graphsvc.store import Store
from graphsvc.store.cypher_params import params_header

TRICKY = [
    "",
    '"',
    "\\",
    '\\"',
    '"\\',
    "x'}) DETACH DELETE n //",
    '"}) MATCH (n) DETACH DELETE n RETURN 1 //',
    "back\\\\slash\\",
    "Zoë 中文 😀 ﷽ אבג",
    "nul\x00byte",  # refused by every import before it gets here; still quoted the same
    "tab\tnew\nline\r",
    "`Zone`",
    "{}",
    "$rows",
]


def client_header(params: dict[str, Any]) -> str:
    """The falkordb client's header for the same parameters."""
    return Graph._build_params_header(Graph.__new__(Graph), params)


@pytest.mark.parametrize("text", TRICKY)
def test_strings_are_quoted_as_the_client_quotes_them(text: str) -> None:
    rows = [{"id": text, "name": text, "list": [text, text]}, {"id": "a", "name": text, "list": []}]
    params = {"rows": rows, "one": text, "many": [text] * 3}
    assert params_header(params) == client_header(params)


def test_every_kind_of_value_is_written_as_the_client_writes_it() -> None:
    params = {
        "rows": [
            {"i": 1, "f": 2.5, "b": True, "n": None, "s": "x", "l": [1, "a", None], "m": {"k": 1}},
            {"i": -7, "f": 1e-300, "b": False, "n": None, "s": "", "l": [], "m": {}},
        ],
        "keys": [{"b{": 1, "c}": 2, "{d}": 3}, {"b{": 4, "c}": 5, "{d}": 6}],
        "ragged": [{"a": 1}, {"b": 2}, {"a": 1, "b": 2}, {"b": 2, "a": 1}],
        "nested": [
            {"zone": "z", "needs": [{"need": "n", "people": 3}]},
            {"zone": "y", "needs": []},
        ],
        "tuple": (1, 2),
        "big": 2**63 - 1,
        "none": None,
        "empty": [],
    }
    assert params_header(params) == client_header(params)
    assert params_header({}) == client_header({}) == "CYPHER "


def test_keys_the_client_refuses_are_refused() -> None:
    for params in ({"": 1}, {"a`b": 1}, {"rows": [{"a`": 1}]}, {"rows": [{"": 1}]}):
        with pytest.raises(ValueError):
            client_header(params)
        with pytest.raises(ValueError):
            params_header(params)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(),
    st.sampled_from(TRICKY),
)
KEYS = st.text(min_size=1).filter(lambda k: "`" not in k)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dictionaries(
        KEYS,
        st.recursive(
            SCALARS,
            lambda inner: st.lists(inner, max_size=6) | st.dictionaries(KEYS, inner, max_size=4),
            max_leaves=25,
        ),
        max_size=4,
    ),
    st.lists(st.fixed_dictionaries({"id": st.text(), "n": SCALARS, "l": st.lists(st.text())})),
)
def test_any_parameters_give_the_client_header(params: dict[str, Any], rows: list) -> None:
    assert params_header(params) == client_header(params)
    assert params_header({"rows": rows}) == client_header({"rows": rows})


def test_what_is_sent_comes_back_verbatim(make_store: Any) -> None:
    store: Store = make_store(batch_size=4)
    names = [t for t in TRICKY if "\x00" not in t and "\r" not in t] * 2
    rows = [
        {"id": f"z{i}", "name": name, "level": "country", "population": i, "lat": None, "lon": 4.5}
        for i, name in enumerate(names)
    ]
    before = store.calls
    assert store.upsert("merge_zones", rows) == len(rows)
    assert store.calls - before == -(-len(rows) // 4)  # one round trip per batch of 4
    found = {r["id"]: r for r in store.run("get_zones", ids=[r["id"] for r in rows])}
    assert [found[r["id"]]["name"] for r in rows] == names
    assert found["z0"]["lon"] == 4.5 and found["z0"]["lat"] is None
