"""Progress off a terminal: plain lines with rows/s, and long steps announced (issue 19)."""

from __future__ import annotations

import re
import sys
import time
import uuid
from pathlib import Path

import pytest

from graphsvc.cli import common
from graphsvc.config import Settings, get_settings
from graphsvc.store import open_store
from graphsvc.store.embedded import EmbeddedServer
from tests.conftest import TINY


def test_plain_progress_lines_with_rates(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(common, "PLAIN_EVERY_S", 0.0)
    assert not common.err.is_terminal
    with common.progress(30, "loading x") as advance:
        for _ in range(3):
            advance(10)
    lines = capsys.readouterr().err.splitlines()
    pattern = re.compile(r"^loading x: [\d,]+/30 rows, [\d,]+ rows/s, [\d.]+ s")
    assert len(lines) == 4 and all(pattern.match(line) for line in lines), lines
    assert lines[-1].startswith("loading x: 30/30 rows") and lines[-1].endswith("(done)")


def test_a_long_step_is_announced_and_a_quick_one_is_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with common.phase("reading quick"):
        pass
    assert capsys.readouterr().err == ""
    monkeypatch.setattr(common, "PHASE_QUIET_S", 0.05)
    with common.phase("reading slow"):
        time.sleep(0.3)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "reading slow ..."
    assert re.fullmatch(r"reading slow: done in 0\.\d s", lines[1]), lines


def test_every_step_of_a_load_an_export_and_a_digest_is_said(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    embedded: EmbeddedServer,
    tmp_path: Path,
) -> None:
    """Off a terminal, each step says when it is done (here every step counts as long): the
    reading, the checking, the writing with rows/s, the compaction after it, and for exports the
    reading of the graph and the writing of the file."""
    from graphsvc.cli import main

    graph = f"test_{uuid.uuid4().hex[:12]}"
    monkeypatch.setattr(common, "PHASE_QUIET_S", 0.0)
    runs = {
        "load": ["load", str(TINY)],
        "export bundle": ["export", "bundle", str(tmp_path / "b.json"), "--with-patients"],
        "export hsds": ["export", "hsds", str(tmp_path / "hsds")],
        "export zones": ["export", "zones", str(tmp_path / "z.geojson")],
        "digest": ["db", "digest"],
    }
    said = {}
    try:
        with monkeypatch.context() as env:
            env.setenv("GRAPHSVC_DB", f"embedded:{embedded.data_dir}")
            env.setenv("GRAPHSVC_GRAPH", graph)
            env.setenv("GRAPHSVC_AUDIT_LOG", str(tmp_path / "audit.jsonl"))
            get_settings.cache_clear()  # the settings of this environment
            for name, argv in runs.items():
                assert main(argv) == 0, (name, capsys.readouterr().err)
                said[name] = capsys.readouterr().err.splitlines()
    finally:
        get_settings.cache_clear()  # the environment as it was
        store = open_store(Settings(db=f"embedded:{embedded.data_dir}", graph=graph))
        store.run("delete_everything")
        store.close()

    def done(name: str, label: str) -> None:
        pattern = re.compile(rf"^{re.escape(label)}: done in \d+\.\d s$")
        assert any(pattern.match(line) for line in said[name]), (name, label, said[name])

    done("load", f"reading and checking {TINY}")
    done("load", "compacting the database")
    loaded = [line for line in said["load"] if line.startswith("loading ")]
    assert loaded[-1].startswith(f"loading {TINY}: 27/27 rows") and loaded[-1].endswith("(done)")
    # the compaction comes after the bar is done, and before the summary of the whole run
    lines = said["load"]
    compacted = next(
        i for i, line in enumerate(lines) if line.startswith("compacting the database:")
    )
    assert lines.index(loaded[-1]) < compacted < len(lines) - 1
    assert lines[-1].startswith(f"loaded {TINY}: 18 records, 27 rows written in "), lines
    done("export bundle", "reading the graph")
    done("export bundle", f"writing {tmp_path / 'b.json'}")
    assert re.search(r" in \d+\.\d s \([\d,]+ rows/s\)$", said["export bundle"][-1])
    done("export hsds", f"reading the graph and writing HSDS 3.0 to {tmp_path / 'hsds'}")
    assert re.search(r" in \d+\.\d s \([\d,]+ rows/s\)$", said["export hsds"][-1])
    done("export zones", f"reading the zones and writing {tmp_path / 'z.geojson'}")
    done("digest", f"reading graph {graph} for its digest")


def test_a_step_ended_early_says_so_once(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(common, "PHASE_QUIET_S", 0.05)
    with common.phase("reading belgium") as end:
        time.sleep(0.2)
        end()
        print("loading belgium: 7,936/7,936 rows", file=sys.stderr)
    lines = capsys.readouterr().err.splitlines()
    assert lines[0] == "reading belgium ..." and len(lines) == 3, lines
    assert re.fullmatch(r"reading belgium: done in 0\.\d s", lines[1]), lines
    assert lines[2].startswith("loading belgium")
