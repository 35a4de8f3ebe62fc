"""From extracted pages to dataset rows: the clean and segment stages of one document.

Pure functions, no Prefect and no I/O: the flow extracts pages (I/O, OCR) in
tasks, hands them here, and writes what comes back.

    pages -> strip_page_furniture -> lift_footnotes -> join_wrapped_lines -> clean_text (per paragraph)
          -> segment (digest, book or general; every paragraph in one row: front, body or back)
          -> attach_footnotes (each note to the row that carries its marker)
          -> article, page and document rows (the document's coverage measured)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from cleaners import CleaningConfig, clean_text
from cleaners.columns import order_lines_by_columns
from cleaners.furniture import strip_page_furniture
from cleaners.records import Line, Page, Paragraph
from cleaners.wraps import join_wrapped_lines
from docpipe import PIPELINE_VERSION
from docpipe.schema import article_id
from docpipe.segment import Article, SegmentedDocument, measure_spacing, segment_document
from docpipe.segment.footnotes import attach_footnotes, lift_footnotes
from docpipe.segment.parts import measure_coverage
from docpipe.settings import DEFAULT_SETTINGS, Settings

Row = dict[str, Any]

#: Steps recorded in ``cleaning_steps`` by the line-level repairs, which are not text cleaners.
WRAP_STEP = "join_wrapped_lines"
FURNITURE_STEP = "strip_page_furniture"


@dataclass(frozen=True, slots=True)
class DocumentRows:
    """Everything one document contributes to the datasets."""

    doc_kind: str
    articles: list[Row]
    pages: list[Row]
    document: Row


def reading_lines(pages: Sequence[Page], *, settings: Settings = DEFAULT_SETTINGS) -> list[Line]:
    """The (furniture-free) lines of ``pages`` in reading order."""
    # Columns and sidebars read one after another; text-layer pages come so already.
    return [line for page in pages for line in order_lines_by_columns(page.lines, settings=settings)]


def clean_paragraphs(
    pages: Sequence[Page], *, settings: Settings = DEFAULT_SETTINGS, config: CleaningConfig | None = None
) -> list[Paragraph]:
    """Join the (furniture-free) lines of ``pages`` into paragraphs and clean each one's text."""
    lines = reading_lines(pages, settings=settings)
    furnished = {page.number for page in pages if page.header or page.footer or page.printed_page}
    read_by_ocr = {page.number for page in pages if page.method == "ocr"}
    config = config or CleaningConfig()
    paragraphs = []
    for paragraph in join_wrapped_lines(lines, settings=settings):
        spanned = range(paragraph.page_start, paragraph.page_end + 1)
        ocr = any(number in read_by_ocr for number in spanned)
        text, steps = _cleaned(paragraph.text, config._replace(ocr_fixes=ocr))
        line_steps = [WRAP_STEP] if paragraph.line_count > 1 else []
        if any(number in furnished for number in spanned):
            line_steps.insert(0, FURNITURE_STEP)
        paragraphs.append(replace(paragraph, text=text, cleaning_steps=(*line_steps, *steps)))
    return paragraphs


@lru_cache(maxsize=4096)
def _cleaned(text: str, config: CleaningConfig) -> tuple[str, tuple[str, ...]]:
    # Memoised: pages.text cleans each page's paragraphs again, mostly the texts the
    # document's paragraphs had (the cleaners are pure, and a worker ingests many documents).
    cleaned, steps = clean_text(text, config)
    return cleaned, tuple(steps)


def assemble_document(
    *,
    doc_id: str,
    source_file: str,
    pages: Sequence[Page],
    settings: Settings = DEFAULT_SETTINGS,
    config: CleaningConfig | None = None,
    ingested_at: datetime,
) -> DocumentRows:
    """Clean and segment a document's extracted pages into dataset rows."""
    pages = sorted(pages, key=lambda page: page.number)
    bare_pages = strip_page_furniture(pages, settings=settings)
    # Footnotes leave the page before wrap repair, so the sentence they interrupt joins up.
    text_pages, notes = lift_footnotes(bare_pages, settings=settings)
    paragraphs = clean_paragraphs(text_pages, settings=settings, config=config)
    printed = {page.number: page.printed_page for page in bare_pages}
    spacings = measure_spacing(reading_lines(text_pages, settings=settings), paragraphs)
    segmented = segment_document(paragraphs, printed_pages=printed, spacings=spacings, settings=settings)
    note_config = config or CleaningConfig()
    cleaned_notes = [replace(note, text=clean_text(note.text, note_config)[0]) for note in notes]
    segmented = replace(segmented, articles=attach_footnotes(segmented.articles, cleaned_notes))
    common = {"doc_id": doc_id, "source_file": source_file, "pipeline_version": PIPELINE_VERSION}
    articles = article_rows(segmented, bare_pages, common)
    page_rows_ = page_rows(bare_pages, common, settings=settings, config=config)
    failed = [page.number for page in bare_pages if page.status == "failed"]
    unsure = [page.number for page in bare_pages if page.status == "low_confidence"]
    warnings = list(segmented.warnings)
    if unsure:
        warnings.insert(0, f"pages with low OCR confidence: {', '.join(map(str, unsure))}")
    if failed:
        warnings.insert(0, f"pages failed: {', '.join(map(str, failed))}")
    if not any(row["part"] == "body" for row in articles):
        warnings.append("no articles found")
    coverage = measure_coverage(paragraphs, segmented, footnotes=[note.text for note in cleaned_notes])
    short = coverage < settings.coverage_floor
    if short:
        warnings.append(
            f"articles carry {100 * coverage:.1f}% of the document's text "
            f"(floor {100 * settings.coverage_floor:.0f}%)"
        )
    document = {
        **common,
        "doc_title": segmented.doc_title,
        "issue_date": segmented.issue_date,
        "issue_label": segmented.issue_label,
        "pages": len(pages),
        "articles": sum(row["part"] == "body" for row in articles),
        # parquet/README.md promises that partial covers low confidence too.
        "status": "partial" if failed or unsure or short else "ok",
        "error": None,
        "warnings": warnings,
        "coverage": coverage,
        "copy_of": None,  # linked across documents after the run (docpipe.copies)
        "ingested_at": ingested_at,
    }
    return DocumentRows(doc_kind=segmented.doc_kind, articles=articles, pages=page_rows_, document=document)


def failed_document_rows(
    *, source_file: str, doc_id: str | None, error: str, ingested_at: datetime, pages: int | None = None
) -> DocumentRows:
    """The rows of a document that could not be read at all: one ``failed`` documents row."""
    document: Row = {
        "doc_id": doc_id,
        "source_file": source_file,
        "doc_title": None,
        "issue_date": None,
        "issue_label": None,
        "pages": pages,
        "articles": 0,
        "status": "failed",
        "error": error,
        "warnings": [],
        "coverage": None,
        "copy_of": None,
        "pipeline_version": PIPELINE_VERSION,
        "ingested_at": ingested_at,
    }
    return DocumentRows(doc_kind="unknown", articles=[], pages=[], document=document)


def failed_pages_of(articles: Sequence[Article], pages: Sequence[Page]) -> list[list[int]]:
    """The failed pages each article touches.

    A failed page has no lines, so no article ends on it: it belongs to the
    article still open when it came (the last one starting at or before it),
    and to one that starts right after it, whose beginning it may hold.
    """
    failed = [page.number for page in pages if page.status == "failed"]
    touched: list[list[int]] = [[] for _ in articles]
    for number in failed:
        open_before = [i for i, a in enumerate(articles) if a.page_start <= number]
        if open_before:
            touched[open_before[-1]].append(number)
        following = [i for i, a in enumerate(articles) if a.page_start == number + 1]
        for index in following[:1]:
            touched[index].append(number)
    return touched


def article_rows(segmented: SegmentedDocument, pages: Sequence[Page], common: Row) -> list[Row]:
    by_number = {page.number: page for page in pages}
    touched = failed_pages_of(segmented.articles, pages)
    rows = []
    for article, failed in zip(segmented.articles, touched, strict=True):
        spanned = [by_number[n] for n in range(article.page_start, article.page_end + 1) if n in by_number]
        body = "\n".join(article.paragraphs)
        rows.append(
            {
                **common,
                "article_id": article_id(common["source_file"], article.seq, article.title),
                # A document without a cover title is known by its file name.
                "doc_title": segmented.doc_title or PurePosixPath(common["source_file"]).stem,
                "issue_date": segmented.issue_date,
                "issue_label": segmented.issue_label,
                "seq": article.seq,
                "number": article.number,
                "section": article.section,
                "title": article.title,
                "body": body,
                "source": article.source,
                "attribution": article.attribution,
                "footnotes": list(article.footnotes),
                "page_start": article.page_start,
                "page_end": article.page_end,
                "failed_pages": failed,
                "extraction": _extraction_of(spanned),
                "char_count": len(body),
                "cleaning_steps": list(article.cleaning_steps),
                "part": article.part,
                "heading_path": list(article.heading_path),
                "preferred": True,  # until docpipe.copies finds a better copy of the issue
            }
        )
    return rows


def page_rows(
    pages: Sequence[Page],
    common: Row,
    *,
    settings: Settings = DEFAULT_SETTINGS,
    config: CleaningConfig | None = None,
) -> list[Row]:
    rows = []
    for page in pages:
        paragraphs = clean_paragraphs([page], settings=settings, config=config) if page.lines else []
        text = "\n".join(p.text for p in paragraphs)
        rows.append(
            {
                **common,
                "page": page.number,
                "printed_page": page.printed_page,
                "method": page.method,
                "engine": page.engine,
                "ocr_model": page.ocr_model,
                "status": page.status,
                "error": page.error,
                "confidence": page.confidence,
                "header": " | ".join(page.header) or None,
                "footer": " | ".join(page.footer) or None,
                "char_count": len(text),
                "raw_text": page.raw_text,
                "text": text,
                "seconds": page.seconds,
                "attempts": 1,  # the flow counts the attempts of earlier runs (docpipe.healing)
                "dropped": list(page.dropped),
            }
        )
    return rows


def _extraction_of(pages: Sequence[Page]) -> str:
    methods = {page.method for page in pages if page.status != "failed"} or {page.method for page in pages}
    if methods == {"text"}:
        return "text"
    if methods == {"ocr"}:
        return "ocr"
    return "mixed"
