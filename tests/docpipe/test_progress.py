"""Progress bars on a terminal; nothing but log lines elsewhere."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from rich.console import Console

from docpipe.progress import SilentProgress, TerminalProgress, reporter, reporting
from tests.conftest import ROOT


def test_terminal_progress_counts_pages_per_document() -> None:
    screen = io.StringIO()
    with (
        TerminalProgress(Console(file=screen, force_terminal=True, width=100)) as progress,
        reporting(progress),
    ):
        reporter().start_document("digest-2014-05-09.pdf", pages=8)
        for _ in range(3):
            reporter().page_done("digest-2014-05-09.pdf")
        assert progress.completed("digest-2014-05-09.pdf") == 3
        reporter().finish_document("digest-2014-05-09.pdf")
        assert progress.completed("digest-2014-05-09.pdf") == 8
    assert "digest-2014-05-09.pdf" in screen.getvalue()
    assert isinstance(reporter(), SilentProgress)


def test_run_on_a_pipe_prints_no_bars(tmp_path: Path) -> None:
    (tmp_path / "raw").mkdir()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "docpipe.cli",
            "run",
            "--raw",
            str(tmp_path / "raw"),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "━" not in result.stdout + result.stderr
    assert "nothing to do" in result.stdout or "0 documents" in result.stdout
