"""Documents read and finished in the page workers: the same rows however the work is split,
and a page that hangs inside a document's job fails alone."""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

import flows.ingest
from cleaners.records import Page
from docpipe.assemble import assemble_document
from docpipe.extract import pdf
from docpipe.extract.pdf import extract_page, open_document
from docpipe.extract.workers import PagePool
from docpipe.settings import DEFAULT_SETTINGS, Settings
from docpipe.writer import read_dataset
from flows.ingest import ingest
from tests.page_pdfs import write_text_pdf

TEXT_ONLY = {"ocr": "never"}
HANGING_PAGE = 3
#: Seconds a page may take in the hanging test: ample for a text page on a busy machine.
SHORT_TIMEOUT = 10.0


def expected_rows(path: Path, source_file: str) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """Articles and pages of one document, extracted and assembled in this process without the flow."""
    settings = DEFAULT_SETTINGS.with_overrides(**TEXT_ONLY)
    document = open_document(path)
    pages = [extract_page(path, number, settings=settings) for number in range(1, document.pages + 1)]
    rows = assemble_document(
        doc_id=document.doc_id,
        source_file=source_file,
        pages=pages,
        settings=settings,
        ingested_at=datetime.now(UTC),
    )
    return article_keys(rows.articles), page_keys(rows.pages)


def article_keys(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted(
        (r["article_id"], r["part"], r["title"], r["body"], r["page_start"], r["page_end"]) for r in rows
    )


def page_keys(rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    return sorted((r["page"], r["status"], r["method"], r["text"], r["header"], r["footer"]) for r in rows)


@pytest.mark.parametrize(
    "split",
    [
        {},  # every document whole in one job
        {"text_batch_pages": 4},  # long documents: a first share, then batches, then a finishing job
        {"text_batch_pages": 1, "ocr_workers": 1, "documents_in_flight": 1},  # one page a job, one at a time
    ],
    ids=["whole", "batches-of-4", "page-by-page"],
)
def test_rows_are_the_same_however_a_document_is_split_across_jobs(
    prefect_harness: None, digest_samples: list[Path], tmp_path: Path, split: dict[str, Any]
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    for sample in digest_samples:
        shutil.copy(sample, raw / sample.name)
    write_text_pdf(raw / "generated.pdf", 9, size=(595.0, 420.0), font_size=12, lines_per_page=8)

    summary = ingest(raw_dir=raw, out_dir=out, settings={**TEXT_ONLY, **split})

    assert summary.failed_documents == 0 and not summary.problem_pages
    articles = read_dataset(out, "articles").to_pylist()
    pages = read_dataset(out, "pages").to_pylist()
    for path in sorted(raw.iterdir()):
        want_articles, want_pages = expected_rows(path, path.name)
        assert want_articles, path.name
        assert article_keys([r for r in articles if r["source_file"] == path.name]) == want_articles, (
            path.name
        )
        assert page_keys([r for r in pages if r["source_file"] == path.name]) == want_pages, path.name


# --- a page that hangs in a document's job ---------------------------------------------------


_REAL_TEXT_PAGE = pdf._text_page


def _hanging_text_page(
    chars: list[dict[str, Any]],
    width: float,
    height: float,
    page_number: int,
    started: float,
    settings: Settings,
) -> Page:
    if page_number == HANGING_PAGE:
        time.sleep(600)
    return _REAL_TEXT_PAGE(chars, width, height, page_number, started, settings)


def with_hanging_page(function: Any, /, *args: Any, **kwargs: Any) -> Any:
    """Run a page job in a worker where reading page ``HANGING_PAGE`` never returns."""
    pdf._text_page = _hanging_text_page  # the worker is the run's, stopped when it ends
    return function(*args, **kwargs)


class HangingPageWorkers(PagePool):
    """The flow's page workers, in which one page of every document hangs."""

    def submit(self, function: Any, /, *args: Any, timeout: float | None = None, **kwargs: Any) -> Any:
        return super().submit(with_hanging_page, function, *args, timeout=timeout, **kwargs)


@pytest.mark.slow
def test_a_page_that_hangs_in_a_documents_job_fails_alone(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    raw, out = tmp_path / "raw", tmp_path / "out"
    raw.mkdir()
    write_text_pdf(raw / "long.pdf", 8)
    monkeypatch.setattr(flows.ingest, "PagePool", HangingPageWorkers)

    summary = ingest(raw_dir=raw, out_dir=out, settings={**TEXT_ONLY, "page_timeout": SHORT_TIMEOUT})

    pages = {row["page"]: row for row in read_dataset(out, "pages").to_pylist()}
    assert sorted(pages) == list(range(1, 9))
    failed = {number for number, row in pages.items() if row["status"] == "failed"}
    assert failed == {HANGING_PAGE}
    assert pages[HANGING_PAGE]["method"] == "text" and "Timeout" in pages[HANGING_PAGE]["error"]
    # Its timeout counted from the page's own start, not the document's.
    assert SHORT_TIMEOUT <= pages[HANGING_PAGE]["seconds"] < 2 * SHORT_TIMEOUT
    assert all(row["status"] == "ok" and row["text"] for n, row in pages.items() if n != HANGING_PAGE)
    [document] = summary.documents
    assert document["status"] == "partial" and int(str(document["articles"])) >= 1
