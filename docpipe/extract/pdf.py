"""Open PDFs, say why one cannot be read, and extract one page into the line model.

A page is read from its text layer when it has a usable one, and by OCR when it
has none or one that is garbage (mostly unmapped ``(cid:N)`` glyphs, private-use
characters, or mojibake: Latin-1 letters and symbols in runs); ``settings.ocr``
forces either way.  A few unmapped glyphs (a formula font) keep the page's text,
each marked ``□``.

PDFium is not thread-safe: the run reads pages in worker processes, one job at a
time each (``docpipe/extract/workers.py``), and every PDFium call made in a process
that may have other threads holds :data:`PDFIUM_LOCK`.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium

from cleaners.plausibility import find_doubts
from cleaners.records import ExtractionMethod, Page
from docpipe.extract.page_bounds import damaged_jpeg, looks_blank, render_megapixels, with_damage
from docpipe.extract.text_layer import (
    Char,
    group_chars_into_lines,
    pdfium_chars,
    pdfplumber_chars,
    reversed_runs,
)
from docpipe.settings import DEFAULT_SETTINGS, Settings

PDF_MAGIC = b"%PDF-"
#: Held around every PDFium call in a process that may run threads (the run's main
#: process, ``docpipe inspect``); page workers hold it too, uncontended.
PDFIUM_LOCK = threading.RLock()


class UnreadableDocument(Exception):
    """The file cannot be ingested at all; the message says why, for the documents dataset."""


@dataclass(frozen=True, slots=True)
class DocumentFile:
    path: Path
    doc_id: str  # sha256 of the bytes
    pages: int


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for block in iter(lambda: stream.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def open_document(path: Path) -> DocumentFile:
    """Check that ``path`` is a readable, unencrypted PDF with pages; raise :class:`UnreadableDocument`."""
    with path.open("rb") as stream:
        head = stream.read(1024)
    if PDF_MAGIC not in head:
        raise UnreadableDocument("not a PDF (no %PDF- header)")
    with PDFIUM_LOCK:
        return DocumentFile(path=path, doc_id=sha256_of(path), pages=_count_pages(path))


def _count_pages(path: Path) -> int:
    try:
        pdf = pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as error:
        message = str(error)
        if _page_count_by_pdfminer(path) == 0:
            # PDFium refuses a document with an empty page tree outright, and without
            # setting its last error: the message may be left from an earlier document.
            raise UnreadableDocument("PDF has no pages") from None
        if "password" in message.lower():
            raise UnreadableDocument("encrypted PDF: a password is required") from None
        raise UnreadableDocument(f"damaged or truncated PDF ({message})") from None
    try:
        page_count = len(pdf)
    finally:
        pdf.close()
    if page_count == 0:
        raise UnreadableDocument("PDF has no pages")
    return page_count


def _page_count_by_pdfminer(path: Path) -> int | None:
    try:
        import pdfplumber  # late: a run with nothing to do should not pay for importing it

        with pdfplumber.open(path) as pdf:
            return len(pdf.pages)
    except Exception:  # any parse failure means "not countable"; the caller reports damage
        return None


def choose_method(text: str, *, settings: Settings = DEFAULT_SETTINGS) -> ExtractionMethod:
    """Decide how to read a page from its text layer's content and ``settings.ocr``.

    >>> choose_method("在印度，电子政府已逐步从政府部门的办公电脑化")
    'text'
    >>> choose_method("")
    'ocr'
    >>> choose_method("(cid:3)(cid:4)(cid:5)(cid:6)(cid:7)(cid:8)")
    'ocr'
    >>> choose_method("êêêÆÆÆ###(((¯¯¯KKKêêêÆÆÆ###(((¯¯¯KKK")
    'ocr'
    >>> choose_method("勾股定理：a□+b□=c□，其中c为斜边的长度。")
    'text'
    """
    if settings.ocr == "always":
        return "ocr"
    if settings.ocr == "never":
        return "text"
    # Nearly empty, unmapped glyphs or mojibake (cleaners/plausibility.py).
    return "ocr" if find_doubts(text, settings.text_layer_limits()) else "text"


def needs_ocr(path: Path, *, settings: Settings = DEFAULT_SETTINGS) -> bool:
    """Whether any page of the PDF would be OCR'd: a quick look at its text layer, page by page.

    Unreadable files need nothing (they fail before any page is read).
    """
    if settings.ocr != "auto":
        return settings.ocr == "always"
    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(str(path))
        except pdfium.PdfiumError:
            return False
        try:
            for page in pdf:
                text = page.get_textpage().get_text_range()
                if choose_method(text, settings=settings) == "ocr":
                    return True
            return False
        finally:
            pdf.close()


def read_text_layer(path: Path, page_number: int, *, settings: Settings = DEFAULT_SETTINGS) -> Page:
    """Extract one page (1-based) from its text layer, with the reader ``settings.text_reader`` names."""
    [page] = read_text_layers(path, [page_number], settings=settings)
    return page


def read_text_layers(
    path: Path,
    page_numbers: Sequence[int],
    *,
    settings: Settings = DEFAULT_SETTINGS,
    on_page: Callable[[int], None] | None = None,
) -> list[Page]:
    """Extract several pages (1-based) from their text layers, opening the document once.

    ``on_page`` is told each page's number as its reading starts (a page job's
    timeout counts per page: :func:`docpipe.extract.workers.report_page_start`).

    pdfplumber lists every page of a document when it opens it, and keeps each
    page's parsed objects until the page is closed: a long document is opened
    once per batch and every page closed after use, so memory stays flat.
    """
    pages = []
    if settings.text_reader == "pdfplumber":
        import pdfplumber  # late: a run with nothing to do should not pay for importing it

        with pdfplumber.open(path) as pdf:
            for page_number in page_numbers:
                if on_page is not None:
                    on_page(page_number)
                started = time.perf_counter()
                plumber_page = pdf.pages[page_number - 1]
                chars, width, height = pdfplumber_chars(plumber_page)
                plumber_page.close()
                pages.append(_text_page(chars, width, height, page_number, started, settings))
        return pages
    with PDFIUM_LOCK:  # only the PDFium calls: grouping the characters needs no lock
        document = pdfium.PdfDocument(str(path))
    try:
        for page_number in page_numbers:
            if on_page is not None:
                on_page(page_number)
            started = time.perf_counter()
            with PDFIUM_LOCK:
                pdfium_page = document[page_number - 1]
                try:
                    chars, width, height = pdfium_chars(pdfium_page)
                finally:
                    pdfium_page.close()
            pages.append(_text_page(chars, width, height, page_number, started, settings))
    finally:
        with PDFIUM_LOCK:
            document.close()
    return pages


def _text_page(
    chars: list[Char], width: float, height: float, page_number: int, started: float, settings: Settings
) -> Page:
    lines = group_chars_into_lines(chars, page_number=page_number, settings=settings)
    raw_text = "\n".join(line.text for line in lines)
    # Text that still reads backwards after the page was turned upright (a
    # mirrored page) is kept, and flagged for an operator to look at.
    backwards = reversed_runs(raw_text)
    return Page(
        number=page_number,
        width=width,
        height=height,
        lines=tuple(lines),
        method="text",
        status=("low_confidence" if backwards else "ok") if lines else "blank",
        error=f"text reads backwards: {backwards[0]}" if backwards else None,
        raw_text=raw_text,
        seconds=time.perf_counter() - started,
    )


def read_text_pages(
    path: Path,
    page_numbers: Sequence[int],
    *,
    settings: Settings,
    on_page: Callable[[int], None] | None = None,
) -> list[Page | None]:
    """Text-layer pages of a batch, ``None`` for each page whose text layer calls for OCR.

    A page job run by the page workers: one job reads a batch of text pages.
    """
    return [
        page if choose_method(page.raw_text, settings=settings) == "text" else None
        for page in read_text_layers(path, page_numbers, settings=settings, on_page=on_page)
    ]


def read_page_by_ocr(path: Path, page_number: int, *, settings: Settings) -> Page:
    """OCR one page, unless it is too big to render (failed) or shows nothing (blank).

    A page job run by the page workers: one job per OCR page.
    """
    started = time.perf_counter()
    with PDFIUM_LOCK:
        pdf = pdfium.PdfDocument(str(path))
        try:
            pdf_page = pdf[page_number - 1]
            width, height = pdf_page.get_size()
            megapixels = render_megapixels(pdf_page, dpi=settings.render_dpi)
            too_big = megapixels > settings.max_render_megapixels
            blank = not too_big and looks_blank(
                pdf_page, dpi=settings.blank_check_dpi, ink_level=settings.blank_ink_level
            )
            damage = None if too_big else damaged_jpeg(pdf_page)
        finally:
            pdf.close()
        if too_big or blank:
            unread = Page(
                number=page_number,
                width=width,
                height=height,
                method="ocr",
                status="failed" if too_big else "blank",
                error=(
                    f"page too large to render: {megapixels:.0f} megapixels at {settings.render_dpi} dpi "
                    f"(max_render_megapixels {settings.max_render_megapixels:g})"
                    if too_big
                    else None
                ),
                seconds=time.perf_counter() - started,
            )
            return _maybe_damaged(unread, damage)
        from docpipe.extract.ocr import ocr_page  # imported late: text-only runs need no Tesseract

        return _maybe_damaged(ocr_page(path, page_number, settings=settings), damage)


def _maybe_damaged(page: Page, damage: str | None) -> Page:
    """A page whose scan is damaged is never ``ok`` or ``blank`` (PDFium decodes the damage silently)."""
    return page if damage is None else with_damage(page, damage)


def extract_page(path: Path, page_number: int, *, settings: Settings = DEFAULT_SETTINGS) -> Page:
    """Extract one page by the method its content (or ``settings.ocr``) calls for."""
    with PDFIUM_LOCK:
        [page] = read_text_pages(path, [page_number], settings=settings)
        return page if page is not None else read_page_by_ocr(path, page_number, settings=settings)
