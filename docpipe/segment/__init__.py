"""Segmentation: a document's cleaned paragraphs -> its structure and articles.

One model for every kind: the headings (:mod:`~docpipe.segment.headings`: a
numbering family set apart from running text, or a heading's style; on OCR
pages the blank around a line, :mod:`~docpipe.segment.spacing`) make a tree that
holds the paragraphs (:mod:`~docpipe.segment.tree`), and articles are read off
it at one level.  The kind is decided by structure and only chooses that level
and how an article ends: a book has chapters divided into ``一、`` sections
(articles at the sections), a digest numbered articles confirmed by a numbered
目录 or by their attributions (articles at the numbered headings, the source
line closing each), anything else is a general document cut at its own top
repeated heading level.  Whatever the kind,
:func:`~docpipe.segment.parts.complete_parts` then gives every paragraph no
article holds a front, body or back row; a document that is nothing but front
or back matter (a colophon page) is its own article.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace

from cleaners.records import Paragraph
from docpipe.segment.book import is_book, segment_book
from docpipe.segment.digest import is_digest, segment_digest
from docpipe.segment.general import segment_general
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import complete_parts
from docpipe.segment.spacing import Spacing, measure_spacing
from docpipe.settings import Settings

__all__ = ["Article", "SegmentedDocument", "Spacing", "measure_spacing", "segment_document"]


def segment_document(
    paragraphs: Sequence[Paragraph],
    *,
    printed_pages: Mapping[int, str | None] | None = None,
    spacings: Sequence[Spacing] = (),
    settings: Settings,
) -> SegmentedDocument:
    """Segment a document according to its kind, then give every paragraph a row.

    ``spacings``: the blank around each paragraph (:func:`~docpipe.segment.spacing.measure_spacing`),
    which tells a heading on an OCR page; without it only fonts, sizes and numbering do.
    ``settings``: the run's thresholds (heading sizes and lengths, the 目录, the kinds' tests).
    """
    if is_book(paragraphs, settings=settings):
        segmented = segment_book(paragraphs, printed_pages=printed_pages, settings=settings)
    else:
        segmented = segment_digest(paragraphs, printed_pages=printed_pages, settings=settings)
        if not is_digest(segmented, settings=settings):
            segmented = segment_general(paragraphs, spacings=spacings, settings=settings)
    completed = complete_parts(paragraphs, segmented, settings=settings)
    if not any(article.part == "body" for article in completed.articles):
        # Nothing but front or back matter (a colophon, a CIP page on its own): that is the document.
        articles = tuple(replace(article, part="body") for article in completed.articles)
        completed = replace(completed, articles=articles)
    return completed
