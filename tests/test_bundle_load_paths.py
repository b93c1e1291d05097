"""The fast paths of a bulk load give exactly what the plain ones give.

Reading: a CSV file without problems is checked a column at a time (`_read_plain_table`); any
problem sends it through the row-by-row reader that names file, row and field, so both give
the same rows (or the plain one gives up). Writing: into a graph without zones, actors or
services those are created (create_*), zone needs go grouped by zone; the graph is the one
the merge queries make, and a key that exists after all is merged instead."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from graphsvc.io.bundle import (
    Bundle,
    _read_plain_table,
    _read_table_by_row,
    planned_rows,
    read_bundle,
    write_bundle,
    write_steps,
)
from graphsvc.io.bundle_format import TABLES_BY_NAME
from graphsvc.store import Store
from tests.test_bundle import TINY, dump
from tests.test_bundle_reimport import changed_tiny

HEADER = "id,name,level,population,lat,lon,part_of\n"
ZONES = [
    # plain values, repeated ones (the distinct-value path) and optional empties
    "".join(f"z{i},Zone {i},vicinity_network,{i},50.{i},4.5,{'' if i < 2 else 'z1'}\n"
            for i in range(12)),
    # spaces to strip, signs and forms of numbers the plain patterns leave to _convert
    "a, A ,country, 7 ,+50.5,-4.,\nb,B,region,0007,.5,1e1,a\nc,C,region,,,, a\n",
    # quoted fields with commas, quotes and a newline; a blank line; unicode
    'a,"Zoë, ""the"" zone",country,1,,,\n\nb,"two\nlines",region,2,,,a\n',
    # CRLF line ends and a byte order mark
    "\ufeffid,name,level,population,lat,lon,part_of\r\na,A,country,1,,,\r\n",
    # problems: the plain reader gives up, the row reader names them
    "a,A,country,-1,,,\nb,B,region,x,,,a\n",
    "a,A,country,1,91,,\na,A,country,1,,,\n",
    "a,No\x00rth,country,1,,,\nb,B,region,99999999999999999999,,,a\n",
    "a,A,planet,1,,,\n",
    "a,A,country,1,,\n",
    "a,,country,1,,,\n",
]  # fmt: skip


@pytest.mark.parametrize("body", ZONES)
def test_the_plain_reader_gives_the_rows_of_the_row_reader(tmp_path: Path, body: str) -> None:
    path = tmp_path / "zones.csv"
    text = body if body.startswith("\ufeff") else HEADER + body
    path.write_bytes(text.encode("utf-8"))
    table = TABLES_BY_NAME["zones"]
    problems: list[str] = []
    rows, lines, whole = _read_table_by_row(path, table, problems, set())
    plain = _read_plain_table(path, table)
    if problems or whole:
        assert plain is None
    else:
        assert plain == (rows, lines)
        assert plain is not None and len(plain[0]) >= 1


def test_list_values_are_not_shared_between_rows(tmp_path: Path) -> None:
    folder = tmp_path / "b"
    shutil.copytree(TINY, folder)
    services = read_bundle(folder).tables["services"]
    languages = [row["languages"] for row in services]
    assert len({id(value) for value in languages}) == len(languages)


class Recording:
    """A store proxy that keeps the name of every upsert and run."""

    def __init__(self, store: Store, empty: bool = False) -> None:
        self._store = store
        self.names: list[str] = []
        self.round_trips: dict[str, int] = {}  # per upserted query
        self.empty = empty  # say the graph holds no zones, actors or services

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)

    def run(self, name: str, /, **params: Any) -> list[dict]:
        self.names.append(name)
        if name == "count_load_targets" and self.empty:
            return [{"zones": 0, "actors": 0, "services": 0}]
        return self._store.run(name, **params)

    def upsert(self, name: str, rows: Any, batch_size: Any = None, progress: Any = None) -> int:
        self.names.append(name)
        before = self._store.calls
        written = self._store.upsert(name, rows, batch_size=batch_size, progress=progress)
        self.round_trips[name] = self.round_trips.get(name, 0) + self._store.calls - before
        return written


def test_a_load_into_an_empty_graph_creates_and_gives_the_merged_graph(
    store: Store, make_store: Callable[..., Store], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(
        "GRAPHSVC_BULK_LOAD", "0"
    )  # the UNWIND create path (GRAPH.BULK: test_bulk_load)
    bundle = read_bundle(TINY)
    recording = Recording(store)
    counted: list[int] = []
    written = write_bundle(recording, bundle, progress=counted.append)  # type: ignore[arg-type]
    assert {"create_zones", "create_actors", "create_services"} <= set(recording.names)
    assert not {"merge_zones", "merge_zone_parts", "merge_services"} & set(recording.names)
    assert sum(counted) == planned_rows(bundle) == sum(written.values())
    assert "merge_service_coverage" in written and "merge_zone_parts" in written
    merged = make_store(store.backend)
    merged.write_all(write_steps(bundle))  # the merge queries, one transaction
    assert dump(store) == dump(merged)


def test_a_key_that_exists_after_all_is_merged(
    make_store: Callable[..., Store], tmp_path: Path
) -> None:
    new = read_bundle(changed_tiny(tmp_path / "changed", "moved"))
    store = make_store()
    write_bundle(store, read_bundle(TINY))
    recording = Recording(store, empty=True)  # as if another writer came in between
    write_bundle(recording, new)  # type: ignore[arg-type]
    assert {"create_zones", "merge_zones", "merge_zone_parts"} <= set(recording.names)
    assert {"create_services", "merge_services", "merge_service_coverage"} <= set(recording.names)
    fresh = make_store()
    write_bundle(fresh, new)
    assert dump(store) == dump(fresh)  # no duplicate, no old link left


def needs_bundle(tmp_path: Path) -> Bundle:
    """TINY with 3 more need types recorded on north and south: 2 zones x 4 needs."""
    folder = tmp_path / "needs"
    shutil.copytree(TINY, folder)
    with (folder / "need_types.csv").open("a") as handle:
        handle.writelines(f"need-{i},Need {i},social,\n" for i in range(3))
    with (folder / "zone_needs.csv").open("a") as handle:
        handle.writelines(
            f"{z},need-{i},{i},2024,test\n" for z in ("north", "south") for i in range(3)
        )
    return read_bundle(folder)


def zone_needs(store: Store) -> dict[tuple[str, str], int]:
    return {(r["source"], r["target"]): r["props"]["people"]
            for r in store.run("list_relationship_dump")
            if r["type"] == "HAS_NEED" and r["source"].startswith("Zone:")}  # fmt: skip


@pytest.mark.parametrize("graph", ["empty", "with zones"])
def test_zone_needs_are_written_with_their_zones_or_grouped_by_zone(
    make_store: Callable[..., Store], tmp_path: Path, graph: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRAPHSVC_BULK_LOAD", "0")  # the UNWIND batches, not GRAPH.BULK
    bundle = needs_bundle(tmp_path)
    store = make_store(batch_size=4)
    if graph == "with zones":
        write_bundle(store, read_bundle(TINY))
    recording = Recording(store)
    counted: list[int] = []
    write_bundle(recording, bundle, progress=counted.append)  # type: ignore[arg-type]
    assert sum(counted) == planned_rows(bundle)
    assert "merge_zone_needs" not in recording.names
    if graph == "empty":  # with the zones, in batches of about 4 zones and needs
        assert "merge_zone_need_groups" not in recording.names
        assert recording.round_trips["create_zones"] == 1 + 1 + 2
    else:  # 2 zones of 4 needs, batches of about 4 needs: one zone per round trip
        assert recording.round_trips["merge_zone_need_groups"] == 2
    needs = zone_needs(store)
    assert len(needs) == 8
    assert needs[("Zone:north", "NeedType:need-2")] == 2
    assert needs[("Zone:south", "NeedType:wound-care")] == 12
