"""Progress off a terminal: plain lines with rows/s, and long steps announced (issue 19)."""

from __future__ import annotations

import re
import time

import pytest

from graphsvc.cli import common


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
