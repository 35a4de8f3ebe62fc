"""Segment a book: front matter, prefaces, 目录, chapters (第一章) and their sections (一、).

Each section becomes one article (``section`` = its chapter, ``title`` = the
section heading); the text of a chapter before its first section becomes an
article titled by the chapter; a heading before the 目录 that is followed by
running text (a 序言, 前言 …) becomes an article of its own.  Title pages and the
CIP data page have no such heading and stay out of the articles.  Subsection
headings （一） stay inside their section as paragraphs.

The body is the heading tree (:mod:`docpipe.segment.tree`) of the shared heading
rule (:func:`~docpipe.segment.headings.heading_of`): chapters (the ``chapter``
numbering family) at level 0, sections (``一、``, the ``cn-list`` family) at
level 1, the article level.  A chapter's opening text is an article of its own;
a section heading with nothing under it is carried by the next article.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from cleaners.records import Paragraph
from docpipe.segment.contents import ContentsEntry, find_contents, parse_contents, parse_contents_entry
from docpipe.segment.headings import (
    BodyStyle,
    body_style,
    heading_of,
    is_indented,
    is_set_apart,
    is_short_phrase,
    numbering_of,
)
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import is_back_heading, is_residue
from docpipe.segment.tree import ArticleEnds, Cut, Node, build_tree, cut_articles
from docpipe.settings import Settings

_NUMERALS = "一二三四五六七八九十百零〇两"
_CHAPTER = re.compile(rf"^\s*(?P<marker>第\s*[{_NUMERALS}\d]+\s*[章篇编])\s*(?P<name>.*)$")
_MARKER_SEPARATORS = " \u3000“”\"'，,、：:·.。"
CHAPTER, SECTION = "chapter", "cn-list"
#: 第N节: a level between the chapter and its 一、 sections.
PART_SECTION = "part-section"
CHAPTER_LEVEL, SECTION_LEVEL = 0, 1
BOOK_ENDS = ArticleEnds(intro=True, empty="carry")
#: Front matter before the 目录: one level of headings (序言, 前言), each with its text.
FRONT_LEVEL = 0
FRONT_ENDS = ArticleEnds(intro=False, empty="carry")


def is_book(paragraphs: Sequence[Paragraph], *, settings: Settings) -> bool:
    """A book has chapters (in its contents or its body) divided into ``一、`` sections.

    Chapters divided otherwise (a thesis's 1.1, 1.2; a textbook's 第一节 over its 一、)
    make a general document, cut at its top repeated heading level.
    """
    located = find_contents(paragraphs, settings=settings)
    style = body_style(paragraphs)
    families = {kind[0] for p in paragraphs if (kind := heading_of(p, style, settings=settings)) is not None}
    if located is not None:
        heading, end = located
        entries = parse_contents(paragraphs[heading + 1 : end])
        families |= {numbered[0] for e in entries if (numbered := numbering_of(e.title)) is not None}
    return {CHAPTER, SECTION} <= families and PART_SECTION not in families


def chapter_title(text: str) -> str | None:
    """The chapter heading in its conventional form, marker and name separated by a space.

    >>> chapter_title("第一章地方政府大数据发展政策概况")
    '第一章 地方政府大数据发展政策概况'
    >>> chapter_title("第一章”地方政府大数据发展政策概况")
    '第一章 地方政府大数据发展政策概况'
    >>> chapter_title("一、省级政府推动大数据发展的政策内容") is None
    True
    """
    match = _CHAPTER.match(text)
    if not match:
        return None
    marker = "".join(match["marker"].split())
    # The space after the marker is often read by OCR as a quote or a comma.
    name = match["name"].strip().lstrip(_MARKER_SEPARATORS).strip()
    return f"{marker} {name}" if name else marker


def segment_book(
    paragraphs: Sequence[Paragraph],
    *,
    printed_pages: Mapping[int, str | None] | None = None,
    settings: Settings,
) -> SegmentedDocument:
    """Cut a book's paragraphs into front-matter articles, chapter intros and sections."""
    located = find_contents(paragraphs, settings=settings)
    if located is None:
        front: Sequence[Paragraph] = []
        entries: list[ContentsEntry] = []
        offset = 0
    else:
        heading, offset = located
        front = paragraphs[:heading]
        entries = parse_contents(paragraphs[heading + 1 : offset])
    style = body_style(paragraphs)
    front_tree = _front_tree(front, style.size, settings)
    tree = _body_tree(paragraphs, offset, style, settings)
    residue: list[int] = []
    for node, _ in (*front_tree.walk(), *tree.walk()):
        if not node.part:  # a bare number left inside an article is furniture, not text
            residue += [i for i in node.body if is_residue(paragraphs[i].text)]
            node.body = [i for i in node.body if not is_residue(paragraphs[i].text)]
    articles: list[Article] = []
    for cut in cut_articles(front_tree, FRONT_LEVEL, FRONT_ENDS):
        articles.append(_front_article(front, cut, len(articles) + 1))
    for cut in cut_articles(tree, SECTION_LEVEL, BOOK_ENDS):
        articles.append(_section_article(paragraphs, cut, len(articles) + 1))
    warnings = _check_against_contents(articles, entries)
    return SegmentedDocument(
        doc_kind="book",
        doc_title=_doc_title(front or paragraphs),
        issue_date=None,
        issue_label=None,
        articles=tuple(articles),
        contents=tuple(entries),
        warnings=tuple(warnings),
        residue=tuple(sorted(residue)),
        body_start=offset,
    )


def _body_tree(paragraphs: Sequence[Paragraph], offset: int, style: BodyStyle, settings: Settings) -> Node:
    """Chapters (level 0) over ``一、`` sections (level 1); a back heading (参考文献, 后记 …)
    is a part node, never a section's text."""
    levels: dict[int, int] = {}
    parts: set[int] = set()
    for index in range(offset, len(paragraphs)):
        paragraph = paragraphs[index]
        kind = heading_of(paragraph, style, settings=settings)
        family = kind[0] if kind else None
        if family == CHAPTER:
            levels[index] = CHAPTER_LEVEL
        elif family == SECTION:
            levels[index] = SECTION_LEVEL
        elif is_back_heading(paragraph.text, settings=settings) and is_set_apart(
            paragraph, style, settings=settings
        ):
            levels[index] = SECTION_LEVEL
            parts.add(index)
    return build_tree(range(offset, len(paragraphs)), levels, parts=parts)


def _section_article(paragraphs: Sequence[Paragraph], cut: Cut, seq: int) -> Article:
    """A section under its chapter, or a chapter's opening text titled by the chapter."""
    own = paragraphs[cut.heading]
    chapter = chapter_title(paragraphs[cut.path[-1]].text.strip()) if cut.path else None
    path: tuple[str, ...] = ()
    section: str | None
    if cut.intro:
        title = chapter_title(own.text.strip()) or own.text.strip()
        section = title
    else:
        title, section = own.text.strip(), chapter
        path = (chapter,) if chapter else ()
    body = [paragraphs[i] for i in cut.body]
    steps: list[str] = []
    for paragraph in (own, *body):
        steps.extend(s for s in paragraph.cleaning_steps if s not in steps)
    return Article(
        seq=seq,
        title=title,
        section=section,
        paragraphs=tuple(p.text.strip() for p in body if p.text.strip()),
        page_start=own.page_start,
        page_end=max(p.page_end for p in (own, *body)),
        cleaning_steps=tuple(steps),
        heading_path=path,
        held=(*cut.headings, *cut.body),
        headings=cut.headings,
    )


def _front_tree(front: Sequence[Paragraph], size: float, settings: Settings) -> Node:
    """The front matter as a tree: a centred heading that running text follows (序言, 前言 …)
    is a node whose text is its article; the 目录's entries and other centred front lines
    (a title page's, the CIP page's heading) are part nodes: what follows them is no article's."""
    levels: dict[int, int] = {}
    parts: set[int] = set()
    for index, paragraph in enumerate(front):
        if _is_front_heading(front, index, size, settings):
            levels[index] = FRONT_LEVEL
        elif parse_contents_entry(paragraph.text) is not None or (
            paragraph.centered and is_short_phrase(paragraph, settings=settings)
        ):
            levels[index] = FRONT_LEVEL
            parts.add(index)
    return build_tree(range(len(front)), levels, parts=parts)


def _front_article(front: Sequence[Paragraph], cut: Cut, seq: int) -> Article:
    """The article of a front heading and its text."""
    heading, body = front[cut.heading], [front[i] for i in cut.body]
    steps: list[str] = []
    for paragraph in (heading, *body):
        steps.extend(s for s in paragraph.cleaning_steps if s not in steps)
    return Article(
        seq=seq,
        title=heading.text.strip(),
        paragraphs=tuple(p.text.strip() for p in body if p.text.strip()),
        page_start=heading.page_start,
        page_end=max(p.page_end for p in (heading, *body)),
        cleaning_steps=tuple(steps),
        held=(*cut.headings, *cut.body),
        headings=cut.headings,
    )


def _is_front_heading(front: Sequence[Paragraph], index: int, body_size: float, settings: Settings) -> bool:
    """A centred heading before the contents that running text follows (序言, 前言 …)."""
    paragraph = front[index]
    if not (paragraph.centered and len(paragraph.text.strip()) <= settings.front_heading_max_chars):
        return False
    following = []
    for later in front[index + 1 :]:
        if later.centered or parse_contents_entry(later.text) is not None:
            break
        following.append(later)
    running = [p for p in following if abs(p.size - body_size) <= settings.size_change * body_size]
    if not running or not is_indented(running[0], settings=settings):
        return False
    return sum(len(p.text) for p in running) >= settings.front_section_min_chars


def _doc_title(paragraphs: Sequence[Paragraph]) -> str | None:
    first_page = [p for p in paragraphs if p.page_start == paragraphs[0].page_start] if paragraphs else []
    if not first_page:
        return None
    return max(first_page, key=lambda p: p.size).text.strip()


def _squash(text: str) -> str:
    return re.sub(r"[\s\W_]+", "", text)


def _check_against_contents(articles: Sequence[Article], entries: Sequence[ContentsEntry]) -> list[str]:
    if not entries:
        return ["no contents (目录) found: chapters and sections were found from headings alone"]
    found = {_squash(a.title) for a in articles} | {_squash(a.section or "") for a in articles}
    warnings = []
    for article in articles:
        if article.section and _squash(article.title) not in {_squash(e.title) for e in entries}:
            warnings.append(f"section {article.title} is not in the contents")
    missing = [e.title for e in entries if _squash(e.title) not in found]
    if missing and len(missing) < len(entries):
        # A partial book (a scan of its opening) lists more than it contains; say how much.
        warnings.append(f"{len(missing)} of {len(entries)} contents entries have no text in this document")
    return warnings
