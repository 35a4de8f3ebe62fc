"""The ``ingest`` and ``retry`` flows: PDFs in a raw directory -> article, page and document datasets.

Each flow body reads as the table of contents of the job; each task does one
stage by calling plain functions in ``docpipe`` and ``cleaners``.  Pages are
extracted concurrently (Tesseract runs as a subprocess, so threads give real
parallelism) and cached, so a killed run resumes without redoing its OCR; only
tasks that touch the outside world retry.
"""

import os
import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import PrefectFuture
from prefect.task_runners import ThreadPoolTaskRunner

from docpipe import PIPELINE_VERSION
from docpipe.assemble import DocumentRows, assemble_document, failed_document_rows
from docpipe.copies import apply_copy_links
from docpipe.extract.pdf import DocumentFile, UnreadableDocument, extract_page, open_document, sha256_of
from docpipe.healing import count_attempts, pages_to_heal, previous_attempts, read_page_states
from docpipe.inventory import InventoryItem, count_changes, take_inventory
from docpipe.layout import Page
from docpipe.lock import output_lock
from docpipe.page_cache import load_any_page, load_page, save_page
from docpipe.progress import reporter
from docpipe.settings import DEFAULT_SETTINGS, Settings
from docpipe.writer import read_dataset, remove_document, write_dataset_rows, write_run

PROBLEM_STATUSES = ("failed", "low_confidence")


def current_flow_run_id() -> str | None:
    """The Prefect flow-run id when called inside a flow run, else None (for the runs dataset)."""
    from prefect.runtime import flow_run

    return str(flow_run.id) if flow_run.id else None


@dataclass
class RunSummary:
    """What a run did, for the runs dataset, the artifacts and the CLI."""

    run_id: str
    started: datetime
    raw_dir: str
    finished: datetime | None = None
    changes: Counter[str] = field(default_factory=Counter)
    documents: list[dict[str, object]] = field(default_factory=list)
    pages_by_status: Counter[str] = field(default_factory=Counter)
    problem_pages: list[dict[str, object]] = field(default_factory=list)
    articles_written: int = 0
    kind: str = "ingest"  # or "retry"
    flow_run_id: str | None = field(default_factory=current_flow_run_id)

    @property
    def failed_documents(self) -> int:
        return sum(1 for d in self.documents if d["status"] == "failed")

    @property
    def anything_failed(self) -> bool:
        return self.failed_documents > 0 or self.pages_by_status["failed"] > 0

    @property
    def wrote_nothing(self) -> bool:
        return not self.documents and not self.changes["removed"]


# --- tasks -------------------------------------------------------------------------


@task(name="take-inventory")
def take_inventory_task(raw_dir: Path, out_dir: Path, force: bool) -> list[InventoryItem]:
    return take_inventory(raw_dir, out_dir, force=force)


@task(name="open-document", retries=1, retry_delay_seconds=1)
def open_pdf(path: Path) -> DocumentFile:
    return open_document(path)


@task(name="extract-page", retries=2, retry_delay_seconds=[2, 10])
def extract_page_task(
    path: Path, doc_id: str, page_number: int, settings: Settings, out_dir: Path, use_cache: bool = True
) -> Page:
    """Extract one page (from the cache when this page was already extracted with these settings)."""
    if use_cache and (cached := load_page(out_dir, doc_id, page_number, settings)) is not None:
        return cached
    page = extract_page(path, page_number, settings=settings)
    save_page(out_dir, doc_id, page, settings)
    return page


@task(name="assemble-document")
def assemble_document_task(
    document: DocumentFile, source_file: str, pages: list[Page], settings: Settings
) -> DocumentRows:
    return assemble_document(
        doc_id=document.doc_id,
        source_file=source_file,
        pages=pages,
        settings=settings,
        ingested_at=datetime.now(UTC),
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


@task(name="record-removed")
def record_removed_task(out_dir: Path, item: InventoryItem, prune: bool) -> None:
    """Mark a document whose file has gone as ``removed``; with ``prune`` also drop its articles and pages."""
    documents = read_dataset(out_dir, "documents").to_pylist()
    previous = next(row for row in documents if row["source_file"] == item.source_file)
    if prune:
        remove_document(out_dir, item.source_file, datasets=["articles", "pages"])
    row = {
        **previous,
        "articles": 0 if prune else previous["articles"],  # what the articles dataset now holds
        "status": "removed",
        "ingested_at": datetime.now(UTC),
        "pipeline_version": PIPELINE_VERSION,
    }
    write_dataset_rows(out_dir, "documents", row.pop("doc_kind"), item.source_file, [row])


@task(name="link-copies")
def link_copies_task(out_dir: Path) -> list[str]:
    """Mark documents that are copies of one issue, so that each article is counted once."""
    return apply_copy_links(out_dir)


# --- flows ---------------------------------------------------------------------------


@flow(name="ingest")
def ingest(
    raw_dir: Path = Path("raw"),
    out_dir: Path = Path("parquet"),
    settings: dict[str, Any] | None = None,
    force: bool = False,
    prune: bool = False,
    wait_for_lock: bool = True,
) -> RunSummary:
    """Ingest new and changed PDFs under ``raw_dir`` into the datasets under ``out_dir``.

    ``settings`` overrides fields of :class:`~docpipe.settings.Settings` by name
    (plain JSON, so a deployment or the UI can set them).
    """
    resolved = resolve_settings(settings)
    summary = RunSummary(run_id=new_run_id(), started=datetime.now(UTC), raw_dir=str(raw_dir))
    with output_lock(out_dir, wait=wait_for_lock):
        inventory = take_inventory_task(raw_dir, out_dir, force)
        summary.changes.update(count_changes(inventory))
        # Failed pages of unchanged documents are tried again (bounded): transient failures heal.
        unchanged = {i.source_file: i.doc_id for i in inventory if i.change == "unchanged" and i.doc_id}
        heal = pages_to_heal(
            read_page_states(out_dir), unchanged=unchanged, max_attempts=resolved.retry_failed
        )
        for item in inventory:
            if item.change in ("new", "changed"):
                assert item.path is not None
                rows = ingest_document(item.path, item.source_file, out_dir=out_dir, settings=resolved)
                record_document(summary, rows)
            elif item.change == "unchanged" and item.source_file in heal:
                assert item.path is not None
                redo = heal[item.source_file]
                rows = ingest_document(
                    item.path, item.source_file, out_dir=out_dir, settings=resolved, redo_pages=redo
                )
                record_document(summary, rows)
            elif item.change == "removed":
                record_removed_task(out_dir, item, prune)
        link_copies_task(out_dir)
        finish_run(summary, out_dir)
    return summary


@flow(name="retry-pages")
def retry_pages(
    raw_dir: Path = Path("raw"),
    out_dir: Path = Path("parquet"),
    settings: dict[str, Any] | None = None,
    source_file: str | None = None,
    wait_for_lock: bool = True,
) -> RunSummary:
    """Re-extract only the failed and low-confidence pages, and rebuild their documents."""
    resolved = resolve_settings(settings)
    summary = RunSummary(run_id=new_run_id(), started=datetime.now(UTC), raw_dir=str(raw_dir), kind="retry")
    with output_lock(out_dir, wait=wait_for_lock):
        for document_file, pages in problem_pages_by_document(out_dir, source_file).items():
            rows = ingest_document(
                raw_dir / document_file, document_file, out_dir=out_dir, settings=resolved, redo_pages=pages
            )
            record_document(summary, rows)
        link_copies_task(out_dir)
        finish_run(summary, out_dir)
    return summary


def ingest_document(
    path: Path,
    source_file: str,
    *,
    out_dir: Path,
    settings: Settings,
    redo_pages: Sequence[int] | None = None,
) -> DocumentRows:
    """Open, extract page by page, assemble and write one document.

    ``redo_pages`` (a retry) are extracted afresh; every other page comes from
    the cache of any earlier extraction when there is one.
    """
    logger = get_run_logger()
    opened = open_pdf.submit(path).result(raise_on_failure=False)
    if isinstance(opened, BaseException):
        logger.warning("%s: failed: %s", source_file, describe(opened))
        rows = failed_document_rows(
            source_file=source_file,
            doc_id=_hash_or_none(path),
            error=describe(opened),
            ingested_at=datetime.now(UTC),
        )
    else:
        futures = {
            number: _submit_page(
                path,
                opened.doc_id,
                number,
                settings,
                out_dir,
                retrying=redo_pages is not None,
                redo=number in (redo_pages or ()),
            )
            for number in range(1, opened.pages + 1)
        }
        progress = reporter()
        progress.start_document(source_file, opened.pages)
        pages = []
        for number, future in futures.items():
            pages.append(_page_or_failure(future, number))
            progress.page_done(source_file)
        rows = assemble_document_task(opened, source_file, pages, settings)
        progress.finish_document(source_file)
        logger.info(
            "%s: %d pages, %d articles, status %s",
            source_file,
            len(pages),
            len(rows.articles),
            rows.document["status"],
        )
    if rows.pages:  # attempts across runs, for the bounded healing of failed pages
        previous = previous_attempts(out_dir, source_file, rows.pages[0]["doc_id"])
        rows = replace(rows, pages=count_attempts(rows.pages, previous, redone=redo_pages))
    write_document_task(out_dir, source_file, rows)
    return rows


def _submit_page(
    path: Path, doc_id: str, number: int, settings: Settings, out_dir: Path, *, retrying: bool, redo: bool
) -> PrefectFuture[Page] | Page:
    """A retry keeps the good pages as they were read, whatever settings read them."""
    if retrying and not redo and (earlier := load_any_page(out_dir, doc_id, number)) is not None:
        return earlier
    return extract_page_task.submit(path, doc_id, number, settings, out_dir, use_cache=not redo)


def problem_pages_by_document(out_dir: Path, source_file: str | None = None) -> dict[str, list[int]]:
    """Failed and low-confidence pages from the pages dataset, by document."""
    pages: dict[str, list[int]] = {}
    for row in read_dataset(out_dir, "pages").to_pylist():
        if row["status"] in PROBLEM_STATUSES and (source_file is None or row["source_file"] == source_file):
            pages.setdefault(row["source_file"], []).append(row["page"])
    return pages


# --- bookkeeping -----------------------------------------------------------------------


def record_document(summary: RunSummary, rows: DocumentRows) -> None:
    document = rows.document
    summary.documents.append(
        {
            "source_file": document["source_file"],
            "status": document["status"],
            "pages": document["pages"],
            "articles": document["articles"],
            "error": document["error"] or "",
        }
    )
    summary.pages_by_status.update(page["status"] for page in rows.pages)
    summary.problem_pages.extend(
        {
            "source_file": page["source_file"],
            "page": page["page"],
            "printed_page": page["printed_page"] or "",
            "method": page["method"],
            "status": page["status"],
            "confidence": "" if page["confidence"] is None else round(page["confidence"], 1),
            "error": page["error"] or "",
        }
        for page in rows.pages
        if page["status"] in PROBLEM_STATUSES
    )
    summary.articles_written += len(rows.articles)


def finish_run(summary: RunSummary, out_dir: Path) -> None:
    summary.finished = datetime.now(UTC)
    write_run(out_dir, run_row(summary))
    publish_artifacts(summary)
    logger = get_run_logger()
    if summary.wrote_nothing:
        logger.info("nothing to do: %d documents unchanged", summary.changes["unchanged"])


def run_row(summary: RunSummary) -> dict[str, object]:
    failed = summary.failed_documents
    return {
        "run_id": summary.run_id,
        "started": summary.started,
        "finished": summary.finished,
        "raw_dir": summary.raw_dir,
        "documents_new": summary.changes["new"],
        "documents_changed": summary.changes["changed"],
        "documents_skipped": summary.changes["unchanged"],
        "documents_failed": failed,
        "documents_removed": summary.changes["removed"],
        "pages_ok": summary.pages_by_status["ok"],
        "pages_blank": summary.pages_by_status["blank"],
        "pages_failed": summary.pages_by_status["failed"],
        "pages_low_confidence": summary.pages_by_status["low_confidence"],
        "articles_written": summary.articles_written,
        "kind": summary.kind,
        "flow_run_id": summary.flow_run_id,
        "pipeline_version": PIPELINE_VERSION,
    }


def publish_artifacts(summary: RunSummary) -> None:
    """A markdown summary, the run's documents and its problem pages, visible in the Prefect UI."""
    assert summary.finished is not None
    seconds = (summary.finished - summary.started).total_seconds()
    pages = ", ".join(f"{status} {count}" for status, count in sorted(summary.pages_by_status.items()))
    changes = ", ".join(f"{change} {count}" for change, count in sorted(summary.changes.items()) if count)
    create_markdown_artifact(
        key="ingest-summary",
        markdown=(
            f"# docpipe run {summary.run_id}\n\n"
            f"- documents: {changes or 'none'}; ingested {len(summary.documents)} "
            f"({summary.failed_documents} failed)\n"
            f"- pages: {pages or 'none'}\n"
            f"- articles written: {summary.articles_written}\n"
            f"- time: {seconds:.1f} s\n"
        ),
        description="What this run did",
    )
    if summary.documents:
        create_table_artifact(
            key="ingest-documents", table=summary.documents, description="Documents ingested"
        )
    if summary.problem_pages:
        create_table_artifact(
            key="problem-pages", table=summary.problem_pages, description="Failed and low-confidence pages"
        )


def resolve_settings(overrides: dict[str, Any] | None) -> Settings:
    return DEFAULT_SETTINGS.with_overrides(**(overrides or {}))


def run_with_workers(flow_fn, settings: Settings, /, **parameters: object) -> RunSummary:  # type: ignore[no-untyped-def]
    """Run a flow with one page worker per core (or ``settings.ocr_workers``)."""
    workers = settings.ocr_workers or os.cpu_count() or 1
    runner: ThreadPoolTaskRunner[Any] = ThreadPoolTaskRunner(max_workers=workers)
    overrides = {
        name: value for name, value in asdict(settings).items() if value != getattr(DEFAULT_SETTINGS, name)
    }
    summary: RunSummary = flow_fn.with_options(task_runner=runner)(settings=overrides, **parameters)
    return summary


def describe(error: BaseException) -> str:
    if isinstance(error, UnreadableDocument):
        return str(error)
    return f"{type(error).__name__}: {error}".strip()


def new_run_id() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ") + "-" + uuid.uuid4().hex[:6]


def _page_or_failure(result: PrefectFuture[Page] | Page, number: int) -> Page:
    page = result.result(raise_on_failure=False) if isinstance(result, PrefectFuture) else result
    if isinstance(page, BaseException):
        return Page(number=number, width=0.0, height=0.0, status="failed", error=describe(page))
    return page


def _hash_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None
