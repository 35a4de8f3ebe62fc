"""Page-worker jobs that do a document's work where its pages are read.

The run's main process schedules; the work per page and per document runs in the
page workers (``docpipe/extract/workers.py``).  One job opens a document, takes
what it can from the page cache (the pages OCR read), reads the rest of its text
pages, and, when no page is left for OCR, finishes the document (:func:`finish_document`:
clean and segment it, count its pages' attempts, write its rows).  So two
documents are read, assembled *and* written on two cores at once, and the main
process handles one task and one small message a document, where it used to run
a Prefect task per batch and per step and pass every page and row through them.

A long document's job reads only its first ``settings.text_batch_pages`` pages
and hands the rest back, for batches that every worker can take
(:func:`read_text_batch`); pages that need OCR go back as page numbers,
one job each; the pages then go to one :func:`finish_document` job.  Each page
read has the page timeout from its own start
(:func:`~docpipe.extract.workers.report_page_start`); finishing, pure Python and
I/O on pages already read, runs without one, as it did in the main process.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cleaners.records import Page
from docpipe.assemble import DocumentRows, assemble_document
from docpipe.extract.pdf import DocumentFile, UnreadableDocument, open_document, read_text_pages
from docpipe.extract.workers import report_page_start, report_pages_done
from docpipe.healing import attempts_by_page, count_attempts
from docpipe.keep_or_replace import keeps_previous, kept_document_row
from docpipe.page_cache import load_any_page, load_page
from docpipe.settings import Settings
from docpipe.storage import Location
from docpipe.tracebacks import traceback_if_wanted
from docpipe.writer import OutputUnwritable, read_document_rows, remove_document, write_dataset_rows


@dataclass(frozen=True, slots=True)
class Written:
    """What writing a document did: ``kept`` the previous rows over a worse result, or could not write."""

    kept: bool = False
    unwritable: str | None = None  # OutputUnwritable's message


@dataclass(frozen=True, slots=True)
class FinishedDocument:
    """A document's rows (their ``attempts`` counted) and what writing them did."""

    rows: DocumentRows
    written: Written


@dataclass(frozen=True, slots=True)
class Unreadable:
    """A document that cannot be read: why, and its traceback when ``--debug`` asks for it."""

    reason: str
    details: str = ""


@dataclass(frozen=True, slots=True)
class DocumentRead:
    """What one document job made of a document.

    ``finished`` when every page came from the cache or the text layer and the
    job assembled and wrote them.  Otherwise (``finished`` None) the ``pages`` it
    has, and the numbers of the pages still to read: ``ocr_pages`` by OCR,
    ``unread_pages`` from the text layer (beyond the job's share of a long document).
    """

    document: DocumentFile
    finished: FinishedDocument | None
    pages: tuple[Page, ...] = ()
    ocr_pages: tuple[int, ...] = ()
    unread_pages: tuple[int, ...] = ()
    #: How many of the document's pages came from the page cache (progress counts the others).
    cached: int = 0


def read_document(
    path: Path,
    source_file: str,
    *,
    out_dir: Location,
    settings: Settings,
    redo_pages: Sequence[int] | None = None,
    force: bool = False,
) -> DocumentRead | Unreadable:
    """Open, read (from the cache or the text layer) and, when nothing is left, finish a document.

    A page job.  The document is finished here only when no page needs OCR and
    the job read every page; a document that cannot be read at all is
    :class:`Unreadable`.  ``redo_pages``: see :func:`cached_pages`; ``force``: see
    :func:`write_document`.
    """
    try:
        document = open_document(path)
    except UnreadableDocument as error:
        return Unreadable(str(error), traceback_if_wanted(expected=True))
    pages = cached_pages(out_dir, document, settings=settings, redo_pages=redo_pages)
    cached = len(pages)
    to_read = [number for number in range(1, document.pages + 1) if number not in pages]
    if settings.ocr == "always":  # no text layer is read: every page left is OCR's
        known = tuple(pages[number] for number in sorted(pages))
        return DocumentRead(document, None, known, tuple(to_read), (), cached)
    share, unread = to_read[: settings.text_batch_pages], to_read[settings.text_batch_pages :]
    read = read_text_batch(path, share, settings=settings)
    ocr = []
    for number, page in zip(share, read, strict=True):
        if page is None:
            ocr.append(number)
        else:
            pages[number] = page
    if ocr or unread:
        known = tuple(pages[number] for number in sorted(pages))
        return DocumentRead(document, None, known, tuple(ocr), tuple(unread), cached)
    report_pages_done()
    finished = finish_document(
        document,
        source_file,
        list(pages.values()),
        settings=settings,
        out_dir=out_dir,
        redo_pages=redo_pages,
        force=force,
    )
    return DocumentRead(document, finished, cached=cached)


def finish_document(
    document: DocumentFile,
    source_file: str,
    pages: Sequence[Page],
    *,
    settings: Settings,
    out_dir: Location,
    redo_pages: Sequence[int] | None = None,
    force: bool = False,
) -> FinishedDocument:
    """Assemble a document's pages into rows, count its pages' attempts across runs, and write it.

    A page job, or part of one.  ``redo_pages``: the pages this run extracted, when
    not all of them (a retry).
    """
    rows = assemble_document(
        doc_id=document.doc_id,
        source_file=source_file,
        pages=pages,
        settings=settings,
        ingested_at=datetime.now(UTC),
    )
    previous_pages = read_document_rows(out_dir, "pages", source_file)  # once: attempts, then keep-or-replace
    if rows.pages:  # attempts across runs, for the bounded healing of failed pages
        attempts = attempts_by_page(previous_pages, source_file=source_file, doc_id=document.doc_id)
        rows = replace(rows, pages=count_attempts(rows.pages, attempts, redone=redo_pages))
    written = write_document(out_dir, source_file, rows, force=force, previous_pages=previous_pages)
    return FinishedDocument(rows, written)


def write_document(
    out_dir: Location,
    source_file: str,
    rows: DocumentRows,
    *,
    force: bool = False,
    duplicate: bool = False,
    previous_pages: list[dict[str, Any]] | None = None,
) -> Written:
    """Replace the document's rows, unless this result is worse than the rows it would replace.

    The documents row goes last, so a crash before it re-runs the document.
    See :mod:`docpipe.keep_or_replace` for "worse" and for what ``force`` allows.
    A ``duplicate`` (a second name for a file ingested under another) always
    replaces: its earlier articles are the other name's, counted twice.
    ``previous_pages``: the document's pages rows, when the caller has read them already.
    """
    try:
        documents = read_document_rows(out_dir, "documents", source_file)
        previous = documents[0] if documents else None
        if previous is None:
            previous_pages = []
        elif previous_pages is None:
            previous_pages = read_document_rows(out_dir, "pages", source_file)
        if not duplicate and keeps_previous(previous, previous_pages, rows.document, rows.pages, force=force):
            assert previous is not None  # keeps_previous is False without one
            row = kept_document_row(
                previous, previous_pages, rows.document, rows.pages, ingested_at=datetime.now(UTC)
            )
            write_dataset_rows(out_dir, "documents", previous["doc_kind"], source_file, [row])
            return Written(kept=True)
        if rows.doc_kind == "unknown":
            remove_document(out_dir, source_file, datasets=["articles", "pages"])
        else:
            write_dataset_rows(out_dir, "articles", rows.doc_kind, source_file, rows.articles)
            write_dataset_rows(out_dir, "pages", rows.doc_kind, source_file, rows.pages)
        write_dataset_rows(out_dir, "documents", rows.doc_kind, source_file, [rows.document])
    except OSError as error:
        return Written(unwritable=str(OutputUnwritable.from_os_error(out_dir, error)))
    return Written()


def read_text_batch(path: Path, page_numbers: Sequence[int], *, settings: Settings) -> list[Page | None]:
    """Read a batch of pages from their text layers; ``None`` for each page that needs OCR.

    A page job: each page has the job's timeout from its own start.  The pages
    are not cached (see :mod:`docpipe.page_cache`): reading a text layer again
    costs about what caching the page would.
    """
    return read_text_pages(path, page_numbers, settings=settings, on_page=report_page_start)


def cached_pages(
    out_dir: Location, document: DocumentFile, *, settings: Settings, redo_pages: Sequence[int] | None = None
) -> dict[int, Page]:
    """The pages of ``document`` the page cache holds, by number.

    ``redo_pages`` (a retry) are left out, to be read afresh; every other page
    of a retry comes from the latest extraction of any settings, since a retry
    keeps the good pages as they were read.  Otherwise only pages extracted with
    these settings count.
    """
    redo = set(redo_pages or ())
    pages = {}
    for number in range(1, document.pages + 1):
        if number in redo:
            continue
        if redo_pages is not None:
            known = load_any_page(out_dir, document.doc_id, number)
        else:
            known = load_page(out_dir, document.doc_id, number, settings)
        if known is not None:
            pages[number] = known
    return pages
