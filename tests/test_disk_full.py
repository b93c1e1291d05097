"""Disk full: writes fail clearly, no acknowledged write is lost, reads keep working, and the
service recovers when space returns.

The embedded database lives on an 8 MB tmpfs mounted for the test (needs root, as in CI and
on the developers' machines; skipped with the reason where mounting is not allowed). By hand:
`mkdir /tmp/small && mount -t tmpfs -o size=8m tmpfs /tmp/small`,
`GRAPHSVC_DB=embedded:/tmp/small/data graphsvc serve`, then fill /tmp/small.

`GRAPHSVC_DISK_FULL_ROUNDS` (default 1; `make soak` runs 10) repeats the whole check.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from graphsvc.config import Settings
from graphsvc.errors import DatabaseUnavailable
from graphsvc.store import Store, open_store
from graphsvc.store.embedded import PID_NAME, RESERVE_NAME

ROW = {"name": "x" * 2000, "level": "country", "population": 1, "lat": None, "lon": None}
ROUNDS = int(os.environ.get("GRAPHSVC_DISK_FULL_ROUNDS", "1"))
MB = 2**20


def zone(key: str) -> list[dict]:
    return [{**ROW, "id": key}]


def zone_count(store: Store) -> int:
    return sum(row["count"] for row in store.run("count_nodes") if row["label"] == "Zone")


@pytest.mark.parametrize("round_", range(ROUNDS))
def test_a_full_disk_loses_no_acknowledged_write(small_disk: Path, round_: int) -> None:
    data = small_disk / "data"
    settings = Settings(db=f"embedded:{data}", disk_reserve_mb=2)
    filler = small_disk / "filler"
    filler.write_bytes(b"\0" * 3 * MB)  # freed later: "space returns"
    store = open_store(settings)
    try:
        assert (data / RESERVE_NAME).stat().st_size == 2 * MB
        acknowledged = 0
        with pytest.raises(DatabaseUnavailable) as failure:
            for i in range(10_000):
                store.upsert("merge_zones", zone(f"z{i:05d}"))
                acknowledged = i + 1
        assert "disk" in str(failure.value), failure.value  # says why, on one line
        assert "\n" not in str(failure.value)
        assert 100 < acknowledged < 10_000
        assert not (data / RESERVE_NAME).exists()  # given to the database to restart

        # reads keep working, and every acknowledged write is there
        assert zone_count(store) == acknowledged
        # while space stays low, writes are refused before they reach the database, so the
        # restarted server keeps the room it needs and does not stop again
        pid = (data / PID_NAME).read_text()
        with pytest.raises(DatabaseUnavailable, match="writes are refused until space is freed"):
            store.upsert("merge_zones", zone("refused"))
        other = open_store(settings)  # a second process on the same database: refused too
        try:
            with pytest.raises(DatabaseUnavailable, match="writes are refused"):
                other.upsert("merge_zones", zone("refused"))
            assert zone_count(other) == acknowledged
        finally:
            other.close()
        assert zone_count(store) == acknowledged
        assert (data / PID_NAME).read_text() == pid

        # space returns: the reserve is taken back and writes succeed again
        filler.unlink()
        store.upsert("merge_zones", zone("after"))
        assert store.run("get_zones", ids=["after"])[0]["id"] == "after"
        assert (data / RESERVE_NAME).stat().st_size == 2 * MB
    finally:
        store.close()
    # and all of it is in the append-only file: a restart replays every acknowledged write
    store = open_store(settings)
    try:
        assert zone_count(store) == acknowledged + 1
    finally:
        store.close()
