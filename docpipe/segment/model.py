"""The one structure every document kind fills: articles that hold the document's paragraphs.

A segmenter (digest, book, general) reads a document's cleaned paragraphs, fills
the heading tree (:mod:`docpipe.segment.tree`) and returns the :class:`Article`
records it reads off the tree.  Each article says which paragraphs it holds
(``held``, indexes into the document's paragraph list: its heading, the
structural headings above it it was the first to follow, and its body), which
*part* of the document it belongs to (front matter, body, back matter) and the
path of headings above it.  :mod:`docpipe.segment.parts` then gives every
paragraph no article holds a front, body or back row, so no text is lost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from docpipe.segment.contents import ContentsEntry

Part = Literal["front", "body", "back"]
PARTS: tuple[Part, ...] = ("front", "body", "back")


@dataclass(frozen=True, slots=True)
class Article:
    seq: int
    title: str
    paragraphs: tuple[str, ...]
    page_start: int
    page_end: int
    number: str | None = None
    section: str | None = None
    source: str | None = None
    #: The closing attribution as printed, when it says more than ``source`` (a date, a reposting site).
    attribution: str | None = None
    #: Footnotes set apart from the text they annotate, each with its marker, in order.
    footnotes: tuple[str, ...] = ()
    cleaning_steps: tuple[str, ...] = ()
    part: Part = "body"
    #: Headings above the article, outermost first, its own title excluded.
    heading_path: tuple[str, ...] = ()
    #: Indexes of the document paragraphs this article holds (heading, structure, body).
    held: tuple[int, ...] = ()
    #: Of ``held``, the paragraphs that are headings (its title, a section line above it);
    #: the others are its body (and source) text.
    headings: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class SegmentedDocument:
    doc_kind: str
    doc_title: str | None
    issue_date: date | None
    issue_label: str | None
    articles: tuple[Article, ...]
    contents: tuple[ContentsEntry, ...] = ()
    warnings: tuple[str, ...] = field(default=())
    #: Paragraph indexes that are residue of page furniture or noise (a bare page
    #: number the band did not catch, a lone character): held by no article.
    residue: tuple[int, ...] = ()
    #: Index of the first body paragraph: what precedes it (cover, 目录) is front matter.
    body_start: int = 0
    #: Paragraphs no article holds that open a row of their own (a title block after a
    #: masthead, the first text after a cover), besides those a front or back heading opens.
    row_starts: tuple[int, ...] = ()
