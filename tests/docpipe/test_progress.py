"""Progress bars on a terminal; nothing but log lines elsewhere."""

from __future__ import annotations

import io
import shutil
import subprocess
from collections import Counter
from pathlib import Path

from rich.console import Console

from docpipe.extract.pdf import read_text_layers
from docpipe.page_cache import CACHE_DIR, save_page
from docpipe.progress import SilentProgress, TerminalProgress, reporter, reporting
from docpipe.settings import DEFAULT_SETTINGS
from docpipe.writer import read_dataset, write_dataset_rows
from flows.ingest import ingest, retry_pages
from tests.conftest import RAW, ROOT
from tests.processes import docpipe_command

TEXT_ONLY = {"ocr": "never"}


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
        docpipe_command("run", tmp_path / "raw", tmp_path / "out"),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "━" not in result.stdout + result.stderr
    assert "nothing to do" in result.stdout or "0 documents" in result.stdout


class RecordingProgress:
    """What the flow reports: the pages each document's bar is sized to, and the pages done."""

    def __init__(self) -> None:
        self.sized: dict[str, int] = {}
        self.done: Counter[str] = Counter()

    def start_document(self, name: str, pages: int) -> None:
        self.sized[name] = pages

    def page_done(self, name: str) -> None:
        self.done[name] += 1

    def finish_document(self, name: str) -> None:
        pass


def test_bars_count_only_the_pages_a_run_reads(prefect_harness: None, tmp_path: Path) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    sample = RAW / "digest-2014-05-09.pdf"
    shutil.copy(sample, raw)
    name = sample.name

    first = RecordingProgress()
    with reporting(first):
        ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert (first.sized, dict(first.done)) == ({name: 8}, {name: 8})
    assert not list((out / CACHE_DIR).glob("*/*.json")), "text pages are read again, never cached"

    # The pages the cache holds (OCR's, in a real run) are not read, so not counted: cache these.
    settings = DEFAULT_SETTINGS.with_overrides(**TEXT_ONLY)
    [doc_id] = read_dataset(out, "documents")["doc_id"].to_pylist()
    for page in read_text_layers(raw / name, range(1, 9), settings=settings):
        save_page(out, doc_id, page, settings)

    # Two pages recorded failed (as pages that timed out would be): a retry reads those two only.
    [kind] = {row["doc_kind"] for row in read_dataset(out, "documents").to_pylist()}
    pages = read_dataset(out, "pages").to_pylist()
    failed = [
        {**row, "status": "failed", "error": "Timeout"} if row["page"] in (3, 6) else row for row in pages
    ]
    write_dataset_rows(out, "pages", kind, name, failed)
    retried = RecordingProgress()
    with reporting(retried):
        summary = retry_pages(raw_dir=raw, out_dir=out, settings=TEXT_ONLY)
    assert len(summary.documents) == 1
    assert (retried.sized, dict(retried.done)) == ({name: 2}, {name: 2})

    # A forced run takes every page from its cache: a bar of no pages, none counted.
    forced = RecordingProgress()
    with reporting(forced):
        ingest(raw_dir=raw, out_dir=out, settings=TEXT_ONLY, force=True)
    assert (forced.sized, dict(forced.done)) == ({name: 0}, {})
