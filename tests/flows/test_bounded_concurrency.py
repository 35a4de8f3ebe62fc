"""A direct call of the flow bounds its page work by itself, and a busy machine times nothing out."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

import flows.ingest
from docpipe.extract.workers import PagePool
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.page_pdfs import write_text_pdf

PAGES = 12
WORKERS = 2


class CountedPool(PagePool):
    """The flow's pool, kept for the test to read its count of concurrent jobs."""

    made: ClassVar[list[PagePool]] = []

    def __init__(self, workers: int, **options: object) -> None:
        super().__init__(workers, **options)  # type: ignore[arg-type]
        CountedPool.made.append(self)


@pytest.fixture()
def busy_machine() -> Iterator[None]:
    """One process spinning on every core for as long as the test runs."""
    spinners = [
        subprocess.Popen([sys.executable, "-c", "while True: pass"]) for _ in range(os.cpu_count() or 1)
    ]
    try:
        yield
    finally:
        for spinner in spinners:
            spinner.kill()
            spinner.wait()


@pytest.mark.slow
def test_a_direct_flow_call_on_a_busy_machine_runs_at_most_the_configured_pages_and_times_none_out(
    prefect_harness: None, busy_machine: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "parquet"
    raw.mkdir()
    write_text_pdf(raw / "first.pdf", PAGES // 2, size=(300.0, 420.0), lines_per_page=6)
    write_text_pdf(raw / "second.pdf", PAGES // 2, size=(420.0, 300.0), font_size=12, lines_per_page=4)
    CountedPool.made.clear()
    monkeypatch.setattr(flows.ingest, "PagePool", CountedPool)

    # Every page OCR'd (small pages at 150 dpi: seconds each even on a loaded machine)
    # under the default timeout; 12 pages on 2 workers, so the last pages wait for five
    # others each, a wait that the old runner counted against them.
    summary = ingest(
        raw_dir=raw,
        out_dir=out,
        settings={"ocr": "always", "ocr_engine": "tesseract", "ocr_workers": WORKERS, "render_dpi": 150},
    )

    [pool] = CountedPool.made
    assert pool.peak_running == WORKERS  # saturated, never above the setting
    assert pool.jobs_run >= PAGES  # (opening documents and text batches are jobs too)
    pages = read_dataset(out, "pages").to_pylist()
    assert len(pages) == PAGES
    assert [page for page in pages if page["status"] == "failed"] == []
    assert {page["method"] for page in pages} == {"ocr"}
    assert summary.pages_by_status["failed"] == 0
