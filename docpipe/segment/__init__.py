"""Segmentation: a document's cleaned paragraphs -> its structure and articles."""

from __future__ import annotations

from collections.abc import Sequence

from docpipe.layout import Paragraph
from docpipe.segment.book import is_book, segment_book
from docpipe.segment.digest import Article, SegmentedDocument, segment_digest

__all__ = ["Article", "SegmentedDocument", "segment_document"]


def segment_document(
    paragraphs: Sequence[Paragraph], *, printed_pages: dict[int, str | None] | None = None
) -> SegmentedDocument:
    """Segment a document according to its kind: a book has chapters, a digest numbered articles."""
    if is_book(paragraphs):
        return segment_book(paragraphs, printed_pages=printed_pages)
    return segment_digest(paragraphs, printed_pages=printed_pages)
