"""The ``ingest`` flow: PDFs in a raw directory -> article, page and document datasets.

The flow body reads as the table of contents of the job; each task does one
stage by calling plain functions in ``docpipe`` and ``cleaners``.  Pages are
extracted concurrently (Tesseract runs as a subprocess, so threads give real
parallelism); only tasks that touch the outside world retry.
"""

from __future__ import annotations

import os
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from docpipe import PIPELINE_VERSION
from docpipe.assemble import DocumentRows, assemble_document, failed_document_rows
from docpipe.extract.pdf import DocumentFile, UnreadableDocument, extract_page, open_document, sha256_of
from docpipe.layout import Page
from docpipe.schema import source_file_of
from docpipe.settings import DEFAULT_SETTINGS, Settings
from docpipe.writer import remove_document, write_dataset_rows, write_run

PDF_SUFFIX = ".pdf"


@dataclass
class RunSummary:
    """What a run did, for the runs dataset, the artifacts and the CLI's exit status."""

    run_id: str
    started: datetime
    raw_dir: str
    finished: datetime | None = None
    documents: list[dict[str, object]] = field(default_factory=list)
    pages_by_status: Counter[str] = field(default_factory=Counter)
    articles_written: int = 0

    @property
    def failed_documents(self) -> int:
        return sum(1 for d in self.documents if d["status"] == "failed")

    @property
    def anything_failed(self) -> bool:
        return self.failed_documents > 0 or self.pages_by_status["failed"] > 0


# --- tasks -------------------------------------------------------------------------


@task(name="open-document")
def open_pdf(path: Path) -> DocumentFile:
    return open_document(path)


@task(name="extract-page", retries=2, retry_delay_seconds=[1, 5])
def extract_page_task(path: Path, page_number: int, settings: Settings) -> Page:
    return extract_page(path, page_number, settings=settings)


@task(name="assemble-document")
def assemble_document_task(
    document: DocumentFile, source_file: str, pages: list[Page], settings: Settings, ingested_at: datetime
) -> DocumentRows:
    return assemble_document(
        doc_id=document.doc_id,
        source_file=source_file,
        pages=pages,
        settings=settings,
        ingested_at=ingested_at,
    )


@task(name="write-document", retries=2, retry_delay_seconds=1)
def write_document_task(out_dir: Path, source_file: str, rows: DocumentRows) -> None:
    """Replace the document's rows; the documents row goes last, so a crash before it re-runs the document."""
    if rows.doc_kind == "unknown":
        remove_document(out_dir, source_file, datasets=["articles", "pages"])
    else:
        write_dataset_rows(out_dir, "articles", rows.doc_kind, source_file, rows.articles)
        write_dataset_rows(out_dir, "pages", rows.doc_kind, source_file, rows.pages)
    write_dataset_rows(out_dir, "documents", rows.doc_kind, source_file, [rows.document])


# --- the flow ------------------------------------------------------------------------


@flow(name="ingest", log_prints=True)
def ingest(
    raw_dir: Path = Path("raw"),
    out_dir: Path = Path("parquet"),
    settings: Settings = DEFAULT_SETTINGS,
) -> RunSummary:
    """Ingest every PDF under ``raw_dir`` into the datasets under ``out_dir``."""
    summary = RunSummary(run_id=_new_run_id(), started=datetime.now(UTC), raw_dir=str(raw_dir))
    for path in find_pdfs(raw_dir):
        rows = ingest_document(path, raw_dir=raw_dir, out_dir=out_dir, settings=settings)
        record_document(summary, rows)
    summary.finished = datetime.now(UTC)
    write_run(out_dir, run_row(summary))
    publish_artifacts(summary)
    return summary


def ingest_document(path: Path, *, raw_dir: Path, out_dir: Path, settings: Settings) -> DocumentRows:
    """Open, extract page by page, assemble and write one document."""
    logger = get_run_logger()
    source_file = source_file_of(path, raw_dir)
    ingested_at = datetime.now(UTC)
    opened = open_pdf.submit(path)
    document = opened.result(raise_on_failure=False)
    if isinstance(document, BaseException):
        logger.warning("%s: failed: %s", source_file, document)
        rows = failed_document_rows(
            source_file=source_file,
            doc_id=_hash_if_readable(path),
            error=_describe(document),
            ingested_at=ingested_at,
        )
    else:
        futures = [extract_page_task.submit(path, n, settings) for n in range(1, document.pages + 1)]
        pages = [_page_or_failure(future, number) for number, future in enumerate(futures, start=1)]
        rows = assemble_document_task(document, source_file, pages, settings, ingested_at)
        logger.info(
            "%s: %d pages, %d articles, status %s",
            source_file,
            len(pages),
            len(rows.articles),
            rows.document["status"],
        )
    write_document_task(out_dir, source_file, rows)
    return rows


def find_pdfs(raw_dir: Path) -> list[Path]:
    """Every file under ``raw_dir`` named ``*.pdf`` (any case), in a stable order."""
    return sorted(
        p
        for p in raw_dir.rglob("*")
        if p.is_file() and p.suffix.lower() == PDF_SUFFIX and not p.name.startswith(".")
    )


def record_document(summary: RunSummary, rows: DocumentRows) -> None:
    summary.documents.append(
        {
            "source_file": rows.document["source_file"],
            "status": rows.document["status"],
            "pages": rows.document["pages"],
            "articles": rows.document["articles"],
            "error": rows.document["error"] or "",
        }
    )
    summary.pages_by_status.update(page["status"] for page in rows.pages)
    summary.articles_written += len(rows.articles)


def run_row(summary: RunSummary) -> dict[str, object]:
    statuses = Counter(str(d["status"]) for d in summary.documents)
    return {
        "run_id": summary.run_id,
        "started": summary.started,
        "finished": summary.finished,
        "raw_dir": summary.raw_dir,
        "documents_new": len(summary.documents) - statuses["failed"],
        "documents_changed": 0,
        "documents_skipped": 0,
        "documents_failed": statuses["failed"],
        "documents_removed": 0,
        "pages_ok": summary.pages_by_status["ok"],
        "pages_blank": summary.pages_by_status["blank"],
        "pages_failed": summary.pages_by_status["failed"],
        "pages_low_confidence": summary.pages_by_status["low_confidence"],
        "articles_written": summary.articles_written,
        "pipeline_version": PIPELINE_VERSION,
    }


def publish_artifacts(summary: RunSummary) -> None:
    """A table of the run's documents and a markdown summary, visible in the Prefect UI."""
    if summary.documents:
        create_table_artifact(
            key="ingest-documents", table=summary.documents, description="Documents of this ingest run"
        )
    pages = ", ".join(f"{status} {count}" for status, count in sorted(summary.pages_by_status.items()))
    create_markdown_artifact(
        key="ingest-summary",
        markdown=(
            f"# Ingest run {summary.run_id}\n\n"
            f"- documents: {len(summary.documents)} ({summary.failed_documents} failed)\n"
            f"- pages: {pages or 'none'}\n"
            f"- articles written: {summary.articles_written}\n"
        ),
    )


def ingest_with_workers(raw_dir: Path, out_dir: Path, settings: Settings) -> RunSummary:
    """Run :func:`ingest` with one page worker per core (or ``settings.ocr_workers``)."""
    workers = settings.ocr_workers or os.cpu_count() or 1
    runner = ThreadPoolTaskRunner(max_workers=workers)  # type: ignore[type-var]
    return ingest.with_options(task_runner=runner)(raw_dir=raw_dir, out_dir=out_dir, settings=settings)


def _page_or_failure(future: PrefectFuture[Page], number: int) -> Page:
    result = future.result(raise_on_failure=False)
    if isinstance(result, BaseException):
        return Page(number=number, width=0.0, height=0.0, status="failed", error=_describe(result))
    return result


def _describe(error: BaseException) -> str:
    if isinstance(error, UnreadableDocument):
        return str(error)
    return f"{type(error).__name__}: {error}"


def _hash_if_readable(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None


def _new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]
