"""The ``ingest`` and ``retry`` flows: PDFs in a raw directory -> article, page and document datasets.

Each flow body reads as the table of contents of the job; each task does one
stage by calling plain functions in ``docpipe`` and ``cleaners``.

Pages are read in the run's page-worker processes (``docpipe/extract/workers.py``):
at most ``settings.ocr_workers`` at once, each under ``settings.page_timeout`` of its
own work, whatever runs the flow (``docpipe run``, ``docpipe serve``, a deployment's
worker, a direct call); with a Dask task runner (``docpipe run --dask``) they are
read in the Dask workers instead (:mod:`docpipe.cluster`).  One worker job opens a
document, reads its text pages and, when none needs OCR, assembles and writes it
(:mod:`docpipe.document_job`); the pages of a long document beyond
``settings.text_batch_pages`` go that many to a job, OCR pages one job each, and the
document is then finished in a worker (task ``finish-document``).  On Dask each of
these jobs is a task run (``read <file>``, ``text <file> p.1-100``, ``extract <file>
p.N``), since tasks are how work reaches the cluster; otherwise they are plain calls
into the page workers (:class:`PageJobs`).  ``settings.documents_in_flight``
documents are read at once so workers never wait between documents.  OCR'd pages
are cached, so a killed run resumes without redoing its OCR; only tasks that touch
the outside world retry.
"""

import contextvars
import functools
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Generic, Self, TypeVar, cast

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.context import FlowRunContext
from prefect.futures import PrefectFuture
from prefect.states import Failed, State
from prefect.task_runners import TaskRunner, ThreadPoolTaskRunner
from prefect.utilities.annotations import quote

from cleaners.records import ExtractionMethod, Page
from docpipe import PIPELINE_VERSION
from docpipe.assemble import DocumentRows, failed_document_rows
from docpipe.cluster import (
    WorkerPages,
    connect_before_threads,
    on_dask_worker,
    runs_on_dask,
    worker_pages,
)
from docpipe.copies import apply_copy_links
from docpipe.document_job import (
    DocumentRead,
    FinishedDocument,
    Unreadable,
    Written,
    cached_pages,
    finish_document,
    read_document,
    read_text_batch,
    write_document,
)
from docpipe.extract.pdf import (
    DocumentFile,
    UnreadableDocument,
    open_document,
    read_page_by_ocr,
    sha256_of,
)
from docpipe.extract.workers import PageJobFailed, PagePool, default_worker_count
from docpipe.healing import pages_to_heal, read_page_states
from docpipe.inventory import (
    InventoryItem,
    count_changes,
    raw_paths,
    removed_with_rows,
    take_inventory,
)
from docpipe.lock import output_lock
from docpipe.page_cache import remove_leftover_temp_files as remove_leftover_cache_temp_files
from docpipe.page_cache import save_page
from docpipe.progress import reporter
from docpipe.raw_objects import local_copies
from docpipe.runs import RunSummary, new_run_id, run_row
from docpipe.settings import DEFAULT_SETTINGS, Settings
from docpipe.storage import Location
from docpipe.tracebacks import log_failure_details
from docpipe.writer import (
    OutputUnwritable,
    read_dataset,
    read_document_rows,
    remove_document,
    remove_leftover_temp_files,
    write_dataset_rows,
    write_run,
)

__all__ = ["RunSummary", "ingest", "retry_pages", "run_with_workers"]

T = TypeVar("T")

PROBLEM_STATUSES = ("failed", "low_confidence")
# Page and document tasks use no Prefect cache (cache_policy=NO_CACHE): pages have
# docpipe's own cache, and hashing every input (a document's 1,000 pages) for a key
# nobody reads costs time and memory.

#: Threads of the flow's own task runner.  Page tasks only wait on the page workers,
#: which bound the real work; enough threads keep every worker fed (Prefect's
#: default runner has no limit at all).  ``run_with_workers`` sizes it to the settings.
TASK_THREADS = 2 * (os.cpu_count() or 1) + 2


def flow_task_runner() -> TaskRunner[Any]:
    """The flow's own task runner: bounded, unlike Prefect's default."""
    return ThreadPoolTaskRunner(max_workers=TASK_THREADS)


_PAGE_POOL: contextvars.ContextVar[PagePool] = contextvars.ContextVar("docpipe_page_pool")


def on_dask() -> bool:
    """Whether the running flow's tasks run on Dask (where page work runs as task runs)."""
    context = FlowRunContext.get()
    return context is not None and runs_on_dask(context.task_runner)


@contextmanager
def page_workers(settings: Settings) -> Iterator[PagePool | None]:
    """The run's page-worker processes, visible to its tasks; stopped when the run ends.

    None when the flow's tasks run on Dask: they read pages in the Dask workers.
    """
    context = FlowRunContext.get()
    if on_dask():
        assert context is not None
        connect_before_threads(context.task_runner)
        yield None
        return
    pool = PagePool(default_worker_count(settings.ocr_workers), expected_failures=(UnreadableDocument,))
    token = _PAGE_POOL.set(pool)
    try:
        yield pool
    except BaseException:
        pool.close(cancel=True)  # a failing or interrupted run kills its pages, it does not wait
        raise
    finally:
        _PAGE_POOL.reset(token)
        pool.close()


def page_pool() -> PagePool | WorkerPages:
    try:
        return _PAGE_POOL.get()
    except LookupError:
        if on_dask_worker():
            return worker_pages(expected_failures=(UnreadableDocument,))
        raise RuntimeError("page tasks run inside a flow's page_workers()") from None


# --- tasks -------------------------------------------------------------------------


@task(name="take-inventory")
def take_inventory_task(
    raw_dir: Location, out_dir: Location, force: bool
) -> tuple[list[InventoryItem], dict[str, str]]:
    """What this run has to do, and each known document's kind (one read of the documents dataset);
    first, under the run's lock, sweep the temporary files of killed runs."""
    remove_leftover_temp_files(out_dir)
    remove_leftover_cache_temp_files(out_dir)
    documents = read_dataset(out_dir, "documents").to_pylist()
    return take_inventory(raw_dir, out_dir, force=force, documents=documents), doc_kinds(documents)


@task(name="open-document", cache_policy=NO_CACHE)
def open_pdf(path: Path, settings: Settings) -> DocumentFile | str:
    """The document, or why it cannot be read (an expected outcome: no traceback in the log).

    Opened in a worker: a PDF that crashes PDFium ends that worker, not the run.
    """
    try:
        return page_pool().run(open_document, path, timeout=settings.page_timeout)
    except PageJobFailed as failure:
        log_failure_details(get_run_logger(), path.name, failure)
        return failure.reason


@dataclass(frozen=True, slots=True)
class ReadFailed:
    """A document job that ended without a result: its worker crashed or a page hung or raised.

    The document is then read as batches and single pages, so the page that broke
    (``page``, where the job ended, when known) fails alone; ``reason`` is why.
    """

    reason: str
    page: int | None


@task(name="read-document", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_document_task(
    path: Path,
    source_file: str,
    settings: Settings,
    out_dir: Location,
    redo_pages: list[int] | None,
    force: bool,
) -> DocumentRead | Unreadable | ReadFailed:
    """Open a document, read its text pages and, when none needs OCR, finish it: one worker job.

    A document that cannot be read is :class:`~docpipe.document_job.Unreadable`.  Each
    page has the page timeout from its own start.
    """
    try:
        return page_pool().run(
            read_document,
            path,
            source_file,
            out_dir=out_dir,
            settings=settings,
            redo_pages=redo_pages,
            force=force,
            timeout=settings.page_timeout,
        )
    except PageJobFailed as failure:
        return ReadFailed(failure.reason, failure.page)


@task(name="read-text-pages", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def read_text_pages_task(path: Path, page_numbers: list[int], settings: Settings) -> list[Page | None]:
    """Read a batch of pages from their text layers; ``None`` for each page that needs OCR.

    Each page has the page timeout from its own start.  A batch that fails is
    read again page by page, so one bad page fails alone.
    """
    pool = page_pool()
    try:
        return pool.run(
            read_text_batch,
            path,
            page_numbers,
            settings=settings,
            timeout=settings.page_timeout,
        )
    except PageJobFailed as failure:
        if len(page_numbers) == 1:
            log_failure_details(get_run_logger(), f"{path.name} p.{page_numbers[0]}", failure)
            return [failed_page(page_numbers[0], failure, method="text", engine=None)]
        return [page for number in page_numbers for page in read_text_pages_task.fn(path, [number], settings)]


@task(name="ocr-page", retries=1, retry_delay_seconds=2, cache_policy=NO_CACHE)
def ocr_page_task(path: Path, doc_id: str, page_number: int, settings: Settings, out_dir: Location) -> Page:
    """OCR one page: opening, rendering and reading it all count against its timeout."""
    try:
        page = page_pool().run(
            read_page_by_ocr, path, page_number, settings=settings, timeout=settings.page_timeout
        )
    except PageJobFailed as failure:
        log_failure_details(get_run_logger(), f"{path.name} p.{page_number}", failure)
        return failed_page(page_number, failure, method="ocr", engine=settings.ocr_engine)
    if page.status != "failed":
        save_page(out_dir, doc_id, page, settings)
    return page


@task(name="finish-document", cache_policy=NO_CACHE)
def finish_document_task(
    document: DocumentFile,
    source_file: str,
    pages: list[Page],
    settings: Settings,
    out_dir: Location,
    redo_pages: list[int] | None,
    force: bool,
) -> FinishedDocument:
    """Assemble, count attempts and write a document whose pages the flow gathered, in a worker.

    Without a timeout, as in the main process: pure Python and I/O on pages already
    read.  A bug raises :class:`PageJobFailed` with its reason: the document fails,
    the run goes on.
    """
    return page_pool().run(
        finish_document,
        document,
        source_file,
        pages,
        settings=settings,
        out_dir=out_dir,
        redo_pages=redo_pages,
        force=force,
    )


@task(name="write-document", cache_policy=NO_CACHE)
def write_document_task(
    out_dir: Location,
    source_file: str,
    rows: DocumentRows,
    force: bool = False,
    duplicate: bool = False,
) -> Written:
    """Replace the document's rows, unless worse than those it would replace (:func:`write_document`)."""
    return write_document(out_dir, source_file, rows, force=force, duplicate=duplicate)


@task(name="record-removed")
def record_removed_task(out_dir: Location, source_file: str, prune: bool) -> Written:
    """Mark a document whose file has gone as ``removed``; with ``prune`` also drop its articles and pages.

    Pruning applies to a document removed in any earlier run too, and leaves its
    documents row saying ``articles: 0``, which is then true.
    """
    try:
        [previous, *_] = read_document_rows(out_dir, "documents", source_file)
        row = {**previous, "status": "removed"}
        if prune:
            remove_document(out_dir, source_file, datasets=["articles", "pages"])
            row["articles"] = 0
        elif previous["status"] == "removed":
            return Written()
        row.update(ingested_at=datetime.now(UTC), pipeline_version=PIPELINE_VERSION)
        write_dataset_rows(out_dir, "documents", row.pop("doc_kind"), source_file, [row])
    except OSError as error:
        return Written(unwritable=str(OutputUnwritable.from_os_error(out_dir, error)))
    return Written()


@task(name="link-copies", cache_policy=NO_CACHE)
def link_copies_task(out_dir: Location) -> list[str]:
    """Mark documents that are copies of one issue, so that each article is counted once."""
    return apply_copy_links(out_dir)


# --- flows ---------------------------------------------------------------------------


@flow(name="ingest", task_runner=flow_task_runner())
def ingest(
    raw_dir: Location = Path("raw"),
    out_dir: Location = Path("parquet"),
    settings: dict[str, Any] | None = None,
    force: bool = False,
    prune: bool = False,
    wait_for_lock: bool = True,
) -> RunSummary:
    """Ingest new and changed PDFs under ``raw_dir`` into the datasets under ``out_dir``.

    ``settings`` overrides fields of :class:`~docpipe.settings.Settings` by name
    (plain JSON, so a deployment or the UI can set them).  ``force`` re-processes
    every document; see :mod:`docpipe.keep_or_replace` for when its result may
    be worse than the rows it replaces.  When the datasets cannot be written
    (a full volume), the run stops and fails with :class:`OutputUnwritable`.
    """
    resolved = resolve_settings(settings)
    summary = RunSummary(run_id=new_run_id(), started=datetime.now(UTC), raw_dir=str(raw_dir))
    try:
        with output_lock(out_dir, wait=wait_for_lock), local_copies(raw_dir), page_workers(resolved):
            inventory, kinds = take_inventory_task(raw_dir, out_dir, force)
            summary.changes.update(count_changes(inventory))
            jobs = [
                functools.partial(
                    ingest_item,
                    item,
                    out_dir=out_dir,
                    settings=resolved,
                    force=force,
                    doc_kind=kinds.get(item.source_file),
                )
                for item in inventory
                if item.change in ("new", "changed")
            ]
            # Failed pages of unchanged documents are tried again (bounded): transient failures heal.
            for path, source_file, pages in healable(inventory, out_dir, resolved):
                jobs.append(
                    functools.partial(
                        ingest_document,
                        path,
                        source_file,
                        out_dir=out_dir,
                        settings=resolved,
                        redo_pages=pages,
                        doc_kind=kinds.get(source_file),
                    )
                )
            for rows in ingest_documents(jobs, settings=resolved):
                record_document(summary, rows)
            for item in inventory:
                if item.change == "removed":
                    _check_written(record_removed_task(out_dir, item.source_file, prune))
            if prune:
                for source_file in removed_with_rows(out_dir):
                    _check_written(record_removed_task(out_dir, source_file, prune))
                    get_run_logger().info("%s: pruned (removed in an earlier run)", source_file)
                    summary.pruned += 1
            link_copies_task(out_dir)
            finish_run(summary, out_dir)
    except OutputUnwritable as error:
        return _unwritable_run(error)
    except OSError as error:  # the lock file or the runs row, on the same volume
        return _unwritable_run(OutputUnwritable.from_os_error(out_dir, error))
    return summary


@flow(name="retry-pages", task_runner=flow_task_runner())
def retry_pages(
    raw_dir: Location = Path("raw"),
    out_dir: Location = Path("parquet"),
    settings: dict[str, Any] | None = None,
    source_file: str | None = None,
    wait_for_lock: bool = True,
) -> RunSummary:
    """Re-extract only the failed and low-confidence pages, and rebuild their documents."""
    resolved = resolve_settings(settings)
    summary = RunSummary(run_id=new_run_id(), started=datetime.now(UTC), raw_dir=str(raw_dir), kind="retry")
    try:
        with output_lock(out_dir, wait=wait_for_lock), local_copies(raw_dir), page_workers(resolved):
            problems = problem_pages_by_document(out_dir, source_file)
            # A source_file is not always the path as spelt on disk (escaped bytes, NFC).
            paths = raw_paths(raw_dir, problems)
            kinds = known_doc_kinds(out_dir)
            jobs = [
                functools.partial(
                    ingest_document,
                    paths[document_file],
                    document_file,
                    out_dir=out_dir,
                    settings=resolved,
                    redo_pages=pages,
                    doc_kind=kinds.get(document_file),
                )
                for document_file, pages in problems.items()
            ]
            for rows in ingest_documents(jobs, settings=resolved):
                record_document(summary, rows)
            link_copies_task(out_dir)
            finish_run(summary, out_dir)
    except OutputUnwritable as error:
        return _unwritable_run(error)
    except OSError as error:
        return _unwritable_run(OutputUnwritable.from_os_error(out_dir, error))
    return summary


def ingest_item(
    item: InventoryItem, *, out_dir: Location, settings: Settings, force: bool, doc_kind: str | None = None
) -> DocumentRows:
    """Ingest one new or changed entry of the raw directory; one that cannot be read is one failed row."""
    assert item.path is not None
    problem = item.problem
    if problem is None:
        try:
            return ingest_document(
                item.path,
                item.source_file,
                out_dir=out_dir,
                settings=settings,
                force=force,
                doc_kind=doc_kind,
            )
        except OutputUnwritable:
            raise
        except Exception as error:  # a docpipe bug on this one file must not stop the others
            problem = f"internal error, please report: {describe(error)}"
            get_run_logger().warning("%s: traceback of the internal error:", item.source_file, exc_info=True)
    get_run_logger().warning("%s: failed: %s", item.source_file, problem)
    rows = failed_document_rows(
        source_file=item.source_file, doc_id=item.doc_id, error=problem, ingested_at=datetime.now(UTC)
    )
    return _write_and_report(out_dir, item.source_file, rows, force=force, duplicate=item.duplicate)


def _write_and_report(
    out_dir: Location,
    source_file: str,
    rows: DocumentRows,
    *,
    force: bool,
    duplicate: bool = False,
) -> DocumentRows:
    """Write a document's rows (in the main process: a document that failed before any page job)."""
    written = write_document_task(out_dir, source_file, unwalked(rows), force, duplicate)
    return _report_written(source_file, rows, written)


def _report_written(source_file: str, rows: DocumentRows, written: Written) -> DocumentRows:
    """The rows a document contributed; rows left unwritten because the previous ones were kept say so."""
    _check_written(written)
    if not written.kept:
        return rows
    get_run_logger().warning(
        "%s: %s; kept its previous rows, to be retried by the next run",
        source_file,
        rows.document["error"] or f"{rows.document['status']} with more failed pages than before",
    )
    note = "previous rows kept, retried next run"
    error = f"{rows.document['error']} ({note})" if rows.document["error"] else note
    return DocumentRows(rows.doc_kind, [], rows.pages, {**rows.document, "error": error, "articles": 0})


def unwalked(value: T) -> T:
    """``value`` as a task argument that Prefect passes on without walking it.

    Prefect visits every item of a task's arguments looking for futures: for a
    document's pages or rows that cost more main-process time than the task.
    """
    return cast(T, quote(value))


def _check_written(written: Written) -> Written:
    if written.unwritable is not None:
        raise OutputUnwritable(written.unwritable)
    return written


def _unwritable_run(error: OutputUnwritable) -> RunSummary:
    """End the run Failed with one line (the state's message) and no traceback in the log."""
    state: State[Any] = Failed(message=str(error), data=error)
    return state  # type: ignore[return-value]  # Prefect raises ``error`` to the caller


def ingest_documents(
    jobs: Sequence[Callable[[], DocumentRows]], *, settings: Settings
) -> Iterator[DocumentRows]:
    """Run ``settings.documents_in_flight`` document jobs at a time; their rows, in the given order."""
    if not jobs:
        return
    in_flight = settings.documents_in_flight or default_worker_count(settings.ocr_workers) + 1
    with ThreadPoolExecutor(max_workers=in_flight, thread_name_prefix="docpipe-document") as executor:
        # A copy of this context per document: its tasks belong to this flow run and its pool.
        futures = [executor.submit(contextvars.copy_context().run, job) for job in jobs]
        for future in futures:
            yield future.result()


def ingest_document(
    path: Path,
    source_file: str,
    *,
    out_dir: Location,
    settings: Settings,
    redo_pages: Sequence[int] | None = None,
    force: bool = False,
    doc_kind: str | None = None,
) -> DocumentRows:
    """Open, extract page by page, assemble and write one document.

    ``redo_pages`` (a retry) are extracted afresh; every other page comes from
    the cache of any earlier extraction when there is one.  ``doc_kind``, when an
    earlier run found it, tags the document's page tasks.
    """
    logger = get_run_logger()
    kind_tag = [doc_kind] if doc_kind and doc_kind != "unknown" else []
    redone = None if redo_pages is None else list(redo_pages)
    read: DocumentRead | Unreadable | str | ReadFailed | BaseException
    if on_dask():  # tasks are how work reaches Dask
        read = (
            read_document_task.with_options(task_run_name=f"read {source_file}", tags=[*kind_tag, "text"])
            .submit(path, source_file, settings, out_dir, redone, force)
            .result(raise_on_failure=False)
        )
    else:
        # A plain call into the page workers, not a task run (see PageJobs for why).
        read = read_document_task.fn(path, source_file, settings, out_dir, redone, force)
    alone = None
    if isinstance(read, Unreadable):
        log_failure_details(logger, source_file, read)
        read = read.reason
    if isinstance(read, BaseException):  # not a page's failure: the task itself broke, twice
        read = ReadFailed(describe(read), page=None)
    if isinstance(read, ReadFailed):
        logger.warning("%s: read again in batches after: %s", source_file, read.reason)
        alone = read.page
        read = _open_for_pages(path, source_file, out_dir=out_dir, settings=settings, redo_pages=redo_pages)
    if not isinstance(read, DocumentRead):
        assert not isinstance(read, ReadFailed)
        reason = read if isinstance(read, str) else describe(read)
        logger.warning("%s: failed: %s", source_file, reason)
        rows = failed_document_rows(
            source_file=source_file, doc_id=_hash_or_none(path), error=reason, ingested_at=datetime.now(UTC)
        )
        return _write_and_report(out_dir, source_file, rows, force=force)
    document = read.document
    progress = reporter()
    progress.start_document(source_file, document.pages - read.cached)  # what runs, not the kept pages
    finished = read.finished
    if finished is None:
        pages = extract_pages(
            read, source_file, settings=settings, out_dir=out_dir, doc_kind=doc_kind, alone=alone
        )
        for page in pages:
            if page.status == "failed":
                logger.warning("%s p.%d: failed: %s", source_file, page.number, page.error)
        finished = finish_document_task(
            document,
            source_file,
            unwalked(pages),
            settings,
            out_dir,
            redone,
            force,
        )
    else:
        for _ in range(document.pages - read.cached):
            progress.page_done(source_file)
    progress.finish_document(source_file)
    rows = finished.rows
    logger.info(
        "%s: %d pages, %d articles, status %s",
        source_file,
        document.pages,
        sum(row["part"] == "body" for row in rows.articles),
        rows.document["status"],
    )
    return _report_written(source_file, rows, finished.written)


def _open_for_pages(
    path: Path,
    source_file: str,
    *,
    out_dir: Location,
    settings: Settings,
    redo_pages: Sequence[int] | None,
) -> DocumentRead | str | BaseException:
    """After a document job failed: the document opened on its own, every page not cached left to read."""
    opened = open_pdf.with_options(task_run_name=f"open {source_file}").submit(path, settings)
    document = opened.result(raise_on_failure=False)
    if not isinstance(document, DocumentFile):
        return document
    known = cached_pages(out_dir, document, settings=settings, redo_pages=redo_pages)
    unread = [number for number in range(1, document.pages + 1) if number not in known]
    known_pages = tuple(known[number] for number in sorted(known))
    return DocumentRead(document, None, known_pages, (), tuple(unread), cached=len(known))


def healable(
    inventory: Sequence[InventoryItem], out_dir: Location, settings: Settings
) -> list[tuple[Path, str, list[int]]]:
    """Unchanged documents with failed pages still under ``settings.retry_failed`` attempts."""
    unchanged = {i.source_file: i.doc_id for i in inventory if i.change == "unchanged" and i.doc_id}
    if not unchanged or not settings.retry_failed:
        return []
    heal = pages_to_heal(read_page_states(out_dir), unchanged=unchanged, max_attempts=settings.retry_failed)
    return [
        (item.path, item.source_file, heal[item.source_file])
        for item in inventory
        if item.source_file in heal and item.path is not None
    ]


def extract_pages(
    read: DocumentRead,
    source_file: str,
    *,
    out_dir: Location,
    settings: Settings,
    doc_kind: str | None = None,
    alone: int | None = None,
) -> list[Page]:
    """Every page of a document a job left unfinished: the pages it has, its unread pages
    from the text layer in batches, then one OCR task for each page that needs it.

    ``alone`` (the page a failed document job ended on) is read in a batch of its own.
    """
    document = read.document
    progress = reporter()
    pages = {page.number: page for page in read.pages}
    for _ in range(len(pages) - read.cached):  # read by the document's job; cached pages are not progress
        progress.page_done(source_file)
    kind_tag = [doc_kind] if doc_kind and doc_kind != "unknown" else []
    batch_size = max(1, settings.text_batch_pages)
    rest = [number for number in read.unread_pages if number != alone]
    batches = [[alone]] if alone in read.unread_pages else []
    batches += [rest[i : i + batch_size] for i in range(0, len(rest), batch_size)]
    with PageJobs(settings) as jobs:
        text_futures = [
            jobs.submit(
                read_text_pages_task,
                f"text {source_file} p.{_page_range(batch)}",
                [*kind_tag, "text"],
                document.path,
                batch,
                settings,
            )
            for batch in batches
        ]
        ocr_futures: dict[int, PageJob[Page]] = {}

        def ocr(number: int) -> None:
            ocr_futures[number] = jobs.submit(
                ocr_page_task,
                f"extract {source_file} p.{number}",
                [*kind_tag, "ocr", settings.ocr_engine],
                document.path,
                document.doc_id,
                number,
                settings,
                out_dir,
            )

        for number in read.ocr_pages:
            ocr(number)
        for batch, future in zip(batches, text_futures, strict=True):
            for number, page in zip(batch, _text_pages_or_failures(future, batch), strict=True):
                if page is None:
                    ocr(number)
                else:
                    pages[number] = page
                    progress.page_done(source_file)
        del text_futures
        for number, ocr_future in ocr_futures.items():
            pages[number] = _ocr_page_or_failure(ocr_future, number, settings)
            progress.page_done(source_file)
    return [pages[number] for number in sorted(pages)]


class PageJob(Generic[T]):
    """A page task submitted by :class:`PageJobs`: its result, or the exception it ended with."""

    def __init__(self, future: PrefectFuture[T] | Future[T]) -> None:
        self.future = future

    def outcome(self) -> T | BaseException:
        if isinstance(self.future, PrefectFuture):
            return cast("T | BaseException", self.future.result(raise_on_failure=False))
        return self.future.exception() or self.future.result()


class PageJobs:
    """Where a document's page tasks run: as Prefect task runs on Dask, where tasks are how work
    reaches the cluster; otherwise as plain calls, from threads, into the run's page workers.

    A task run costs the API server about 0.1 s of CPU (measured here): a fifth of
    what OCR'ing a page costs, on the same cores, for a record the pages dataset and
    the flow's log already keep.  A page job's own failures are pages ``failed``
    either way; what a task run's retry would have caught besides is a broken task,
    which fails its pages.
    """

    def __init__(self, settings: Settings) -> None:
        self.on_dask = on_dask()
        # Threads only wait on the page workers, which bound the work; one per worker keeps each fed.
        self.threads = ThreadPoolExecutor(
            max_workers=default_worker_count(settings.ocr_workers), thread_name_prefix="docpipe-page"
        )

    def submit(self, task: Task[..., T], run_name: str, tags: list[str], *args: Any) -> PageJob[T]:
        if self.on_dask:
            return PageJob(task.with_options(task_run_name=run_name, tags=tags).submit(*args))
        return PageJob(self.threads.submit(contextvars.copy_context().run, task.fn, *args))

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.threads.shutdown(cancel_futures=True)


def _page_range(numbers: Sequence[int]) -> str:
    return str(numbers[0]) if len(numbers) == 1 else f"{numbers[0]}-{numbers[-1]}"


def _text_pages_or_failures(job: PageJob[list[Page | None]], numbers: Sequence[int]) -> list[Page | None]:
    result = job.outcome()
    if isinstance(result, BaseException):  # not a page's failure: the task itself broke
        return [
            Page(number=number, width=0.0, height=0.0, method="text", status="failed", error=describe(result))
            for number in numbers
        ]
    return list(result)


def _ocr_page_or_failure(job: PageJob[Page], number: int, settings: Settings) -> Page:
    page = job.outcome()
    if isinstance(page, BaseException):
        return Page(
            number=number,
            width=0.0,
            height=0.0,
            method="ocr",
            engine=settings.ocr_engine,
            status="failed",
            error=describe(page),
        )
    return page


def failed_page(
    number: int,
    failure: PageJobFailed,
    *,
    method: ExtractionMethod,
    engine: str | None,
) -> Page:
    """A page that produced no result, with how it was being read and how long it ran."""
    return Page(
        number=number,
        width=0.0,
        height=0.0,
        method=method,
        engine=engine,
        status="failed",
        error=failure.reason,
        seconds=failure.seconds,
    )


def known_doc_kinds(out_dir: Location) -> dict[str, str]:
    """The document kind each file had when last ingested."""
    return doc_kinds(read_dataset(out_dir, "documents").to_pylist())


def doc_kinds(documents: Sequence[dict[str, Any]]) -> dict[str, str]:
    """The document kind of each documents row, by ``source_file``."""
    return {row["source_file"]: row["doc_kind"] for row in documents}


def problem_pages_by_document(out_dir: Location, source_file: str | None = None) -> dict[str, list[int]]:
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
    summary.articles_written += sum(row["part"] == "body" for row in rows.articles)  # not front/back rows


def finish_run(summary: RunSummary, out_dir: Location) -> None:
    summary.finished = datetime.now(UTC)
    write_run(out_dir, run_row(summary))
    publish_artifacts(summary)
    logger = get_run_logger()
    if summary.wrote_nothing:
        logger.info("nothing to do: %d documents unchanged", summary.changes["unchanged"])


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


def run_with_workers(  # type: ignore[no-untyped-def]
    flow_fn, settings: Settings, /, *, task_runner: TaskRunner[Any] | None = None, **parameters: object
) -> RunSummary:
    """Run a flow with ``settings`` (as overrides of the defaults) and task threads sized to its workers.

    ``task_runner`` replaces those threads (a ``DaskTaskRunner``: see :mod:`docpipe.cluster`).
    """
    workers = default_worker_count(settings.ocr_workers)
    in_flight = settings.documents_in_flight or workers + 1
    threads = max(TASK_THREADS, 2 * workers + in_flight)
    runner: TaskRunner[Any] = task_runner or ThreadPoolTaskRunner(max_workers=threads)
    overrides = {
        name: value for name, value in asdict(settings).items() if value != getattr(DEFAULT_SETTINGS, name)
    }
    summary: RunSummary = flow_fn.with_options(task_runner=runner)(settings=overrides, **parameters)
    return summary


def describe(error: BaseException) -> str:
    if isinstance(error, UnreadableDocument | PageJobFailed):
        return str(error)
    return f"{type(error).__name__}: {error}".strip()


def _hash_or_none(path: Path) -> str | None:
    try:
        return sha256_of(path)
    except OSError:
        return None
