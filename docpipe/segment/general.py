"""Segment a general document (a report, a thesis, a collection of poems) by its own headings.

The article level is the highest heading level that occurs more than once in
the body: a thesis is cut at its chapters (第1章), a collection at its poems'
titles, a report under one big title at its 一、 sections.  Headings above that
level become the article's ``heading_path``; headings below it stay in the
body as paragraphs, so ``3.1`` is text of article 3.  An article-level heading
directly followed by another has no body of its own: it is a line of the
article before it (a list set in heading style), never an empty article.
The body begins at the first article-level heading (with the higher headings
right above it); what precedes it is front matter, and front or back headings
(摘要, 目录, 参考文献, 致谢) end the article they follow: :mod:`parts` gives
those blocks their rows.  A document without headings is one article.

Front matter is told by structure, not by words: a first page of a few short
lines (:func:`find_cover`) is a cover, and a single title at the top of page 1
over a centred byline (:func:`find_title_block`) is a paper's title block; both
are ``front`` rows whose lines head no article.  A collection of papers, each
title followed by its own labelled abstract (:func:`find_paper_titles`), is
cut at each paper's sections, the paper's title block a front row.  Headings
that only appear inside back matter (an annex's own title,
:func:`headings_inside_back_matter`) are text of its back row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from cleaners.records import Paragraph
from docpipe.segment.contents import find_contents
from docpipe.segment.headings import Heading, body_size, find_headings, is_short_phrase, numbering_of
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import (
    is_back_field,
    is_back_heading,
    is_front_field,
    is_front_heading,
)
from docpipe.segment.spacing import Spacing
from docpipe.segment.tree import ArticleEnds, build_tree, cut_articles
from docpipe.settings import Settings

#: A chapter's opening text is an article of its own; a heading directly followed by the
#: next one (a list set in heading style) is the first line of its article.
GENERAL_ENDS = ArticleEnds(intro=True, empty="merge")


def segment_general(
    paragraphs: Sequence[Paragraph], *, spacings: Sequence[Spacing] = (), settings: Settings
) -> SegmentedDocument:
    """Cut a document into articles at its top repeated heading level (``spacings``: see
    :func:`~docpipe.segment.headings.find_headings`)."""
    located = find_contents(paragraphs, settings=settings)
    contents = frozenset(range(located[0], located[1])) if located else frozenset()
    # Front matter (a cover, 摘要, 目录) ends with its last block: its lines (a cover's
    # name and supervisor lines, large and repeated) take no part in the heading levels.
    front_end = 1 + max(
        (i for i, p in enumerate(paragraphs) if i in contents or is_front_heading(p.text, settings=settings)),
        default=-1,
    )
    skip = contents | frozenset(range(front_end))
    headings = find_headings(paragraphs, skip=skip, spacings=spacings, settings=settings)
    cover = find_cover(paragraphs, headings, settings=settings)
    if cover:
        skip |= cover
        headings = find_headings(paragraphs, skip=skip, spacings=spacings, settings=settings)
    back_own = headings_inside_back_matter(paragraphs, headings, skip=skip, settings=settings)
    if back_own:
        skip |= back_own
        headings = find_headings(paragraphs, skip=skip, spacings=spacings, settings=settings)
    level = _article_level(headings, settings)
    papers = find_paper_titles(paragraphs, headings, level, settings=settings)
    if papers:  # a collection of papers: each paper's sections are its articles
        level = min(h.level for h in headings if h.level > level)
    title_block = find_title_block(paragraphs, headings, level, skip=skip, settings=settings)
    headings = [h for h in headings if h.index not in title_block]
    # A title block, a paper's title or a cover is a front row of its own, whatever front
    # text comes before or after.
    after_cover = next(
        (i for i in range(max(cover, default=-1) + 1, len(paragraphs)) if paragraphs[i].text.strip()), None
    )
    opened = {*_firsts(title_block), *papers, *((after_cover,) if cover and after_cover is not None else ())}
    row_starts = tuple(sorted(opened))
    by_index = {h.index: h for h in headings if h.level <= level}
    doc_title = _doc_title(paragraphs, settings)
    if not any(h.level == level for h in headings):
        return _single_article(paragraphs, contents, doc_title, settings)
    first = min(h.index for h in headings if h.level == level)
    # The body opens at the first heading after the last front block (摘要, 目录) before `first`.
    barrier = max(
        (i for i in range(first) if i in contents or _is_part_heading(paragraphs[i].text, settings)),
        default=-1,
    )
    start = min(i for i in by_index if barrier < i <= first)
    start = min([start, *papers])  # the first paper's abstract is its own, no barrier before the body
    span = [i for i in range(start, len(paragraphs)) if i not in contents]
    # A front or back heading ends the article it follows: a part node at the article level.
    parts = {i for i in span if i not in by_index and _is_part_heading(paragraphs[i].text, settings)}
    levels = {**{i: h.level for i, h in by_index.items()}, **dict.fromkeys(parts, level)}
    tree = build_tree(span, levels, parts=parts)
    # A paper's title and the byline under it are its front row (complete_parts), not an article.
    cuts = [
        replace(cut, headings=tuple(i for i in cut.headings if i not in papers))
        for cut in cut_articles(tree, level, GENERAL_ENDS)
        if not (cut.intro and cut.heading in papers)
    ]
    articles = [
        _article(
            paragraphs,
            [*cut.headings, *cut.body],
            len(cut.headings),
            tuple(paragraphs[i].text.strip() for i in cut.path),
            seq,
        )
        for seq, cut in enumerate(cuts, start=1)
    ]
    return SegmentedDocument(
        doc_kind="general",
        doc_title=doc_title,
        issue_date=None,
        issue_label=None,
        articles=tuple(articles),
        body_start=start,
        row_starts=row_starts,
    )


def find_cover(
    paragraphs: Sequence[Paragraph], headings: Sequence[Heading], *, settings: Settings
) -> frozenset[int]:
    """The paragraphs of a cover: a first page holding only a few short lines (at most
    ``Settings.cover_max_lines``, each one line, no sentence, no numbered or front/back
    heading) before a document that goes on over later pages; empty when there is none.

    A collection's title and subtitle alone on its first page name the book; they head
    no poem, and their page is a ``front`` row.  A first page that holds a heading set
    like one on a later page (``headings``, found with the page) opens the text: a
    poem's title over its verse is an article, not a cover.
    """
    texts = [i for i, p in enumerate(paragraphs) if p.text.strip()]
    if not texts:
        return frozenset()
    page = paragraphs[texts[0]].page_start
    on_page = [i for i in texts if paragraphs[i].page_start == page]
    if len(on_page) == len(texts) or len(on_page) > settings.cover_max_lines:
        return frozenset()
    for index in on_page:
        paragraph = paragraphs[index]
        if (
            paragraph.page_end != page
            or paragraph.line_count != 1
            or not is_short_phrase(paragraph, settings=settings)
            or numbering_of(paragraph.text) is not None
            or _is_part_heading(paragraph.text, settings)
        ):
            return frozenset()
    later = {h.family for h in headings if h.index > on_page[-1]}
    if any(h.family in later for h in headings if h.index <= on_page[-1]):
        return frozenset()
    return frozenset(range(on_page[-1] + 1))


def find_title_block(
    paragraphs: Sequence[Paragraph],
    headings: Sequence[Heading],
    level: int,
    *,
    skip: frozenset[int] = frozenset(),
    settings: Settings,
) -> frozenset[int]:
    """A paper's title block: its title and byline, front matter like a journal's; empty if none.

    The first heading, alone above the article level, unnumbered, on the first page of
    the text, followed by one to ``Settings.byline_max_lines`` short centred single lines
    (authors, affiliations, a date) before the first heading or a front field (``摘要：``).
    A title followed by the text or straight by its sections is a heading above them.
    """
    if not headings:
        return frozenset()
    first = min(headings, key=lambda h: h.index)
    above = [h for h in headings if h.level < level]
    if above != [first] or first.number is not None:
        return frozenset()
    texts = [i for i, p in enumerate(paragraphs) if p.text.strip() and i not in skip]
    if paragraphs[first.index].page_start != paragraphs[texts[0]].page_start:
        return frozenset()
    following = min((h.index for h in headings if h.index > first.index), default=len(paragraphs))
    byline: list[int] = []
    for index in range(first.index + 1, following):
        paragraph = paragraphs[index]
        if not paragraph.text.strip():
            continue
        if _is_part_heading(paragraph.text, settings):
            break
        if not (
            paragraph.centered
            and paragraph.line_count == 1
            and is_short_phrase(paragraph, settings=settings)
            and numbering_of(paragraph.text) is None
        ):
            return frozenset()
        byline.append(index)
    if not 1 <= len(byline) <= settings.byline_max_lines:
        return frozenset()
    return frozenset({first.index, *byline})


def headings_inside_back_matter(
    paragraphs: Sequence[Paragraph],
    headings: Sequence[Heading],
    *,
    skip: frozenset[int] = frozenset(),
    settings: Settings,
) -> frozenset[int]:
    """Headings that belong to back matter: after the first back heading or field of the
    text (附件, 参考文献, 作者简介：; not a 目录 line, ``skip``), the unnumbered ones of a
    style no heading before it has.

    An annex's own title (larger than the report's 一、 sections) is text of the back
    row; it makes no level of the document.  A style seen before (a textbook's next
    chapter title after a chapter's 参考文献) or a numbered heading (its 第一节) is still
    structure.
    """
    back = [
        i
        for i, p in enumerate(paragraphs)
        if i not in skip and (is_back_heading(p.text, settings=settings) or is_back_field(p.text))
    ]
    if not back:
        return frozenset()
    before = {h.family for h in headings if h.index < back[0]}
    return frozenset(
        h.index for h in headings if h.index > back[0] and h.number is None and h.family not in before
    )


def find_paper_titles(
    paragraphs: Sequence[Paragraph], headings: Sequence[Heading], level: int, *, settings: Settings
) -> frozenset[int]:
    """The titles of the papers of a collection (proceedings, an issue of a journal): the
    headings at the article ``level`` when each is followed by its own labelled abstract or
    keywords (``摘要：``) before the next heading, and headings below them divide each paper.
    Empty when the document is not such a collection.
    """
    tops = sorted(h.index for h in headings if h.level == level)
    if len(tops) < settings.article_level_min_headings or not any(h.level > level for h in headings):
        return frozenset()
    starts = sorted(h.index for h in headings)
    for index in tops:
        following = next((i for i in starts if i > index), len(paragraphs))
        if not any(is_front_field(paragraphs[i].text) for i in range(index + 1, following)):
            return frozenset()
    return frozenset(tops)


def _firsts(block: frozenset[int]) -> set[int]:
    return {min(block)} if block else set()


def _is_part_heading(text: str, settings: Settings) -> bool:
    """A front or back heading, or a labelled front or back field (``摘要：…``, ``作者简介：…``)."""
    heading = is_back_heading(text, settings=settings) or is_front_heading(text, settings=settings)
    return heading or is_front_field(text) or is_back_field(text)


def _article_level(headings: Sequence[Heading], settings: Settings) -> int:
    counts: dict[int, int] = {}
    for heading in headings:
        counts[heading.level] = counts.get(heading.level, 0) + 1
    repeated = [level for level, count in counts.items() if count >= settings.article_level_min_headings]
    if repeated:
        return min(repeated)
    return min(counts, default=0)


def _article(
    paragraphs: Sequence[Paragraph], held: Sequence[int], headings: int, path: tuple[str, ...], seq: int
) -> Article:
    """An article from its held paragraphs: ``headings`` leading ones, the last of them its title."""
    own = held[headings - 1]
    title = paragraphs[own].text.strip()
    body = [paragraphs[i].text.strip() for i in held[headings:] if paragraphs[i].text.strip()]
    steps: list[str] = []
    for index in held:
        steps.extend(s for s in paragraphs[index].cleaning_steps if s not in steps)
    return Article(
        seq=seq,
        title=title,
        paragraphs=tuple(body),
        page_start=paragraphs[own].page_start,
        page_end=max(paragraphs[i].page_end for i in held),
        section=path[-1] if path else None,
        cleaning_steps=tuple(steps),
        heading_path=path,
        held=tuple(held),
        headings=tuple(held[:headings]),
    )


def _single_article(
    paragraphs: Sequence[Paragraph], contents: frozenset[int], doc_title: str | None, settings: Settings
) -> SegmentedDocument:
    """A document without headings: one article of all its text outside front and back blocks."""
    held: list[int] = []
    stopped = False
    for index, paragraph in enumerate(paragraphs):
        text = paragraph.text.strip()
        if index in contents or not text:
            continue
        if _is_part_heading(text, settings):
            stopped = True
            continue
        if not stopped or held:
            held.append(index)
    articles: tuple[Article, ...] = ()
    if held:
        first = paragraphs[held[0]].text.strip()
        size = body_size(paragraphs)
        short = len(first) <= settings.part_title_max_chars
        titled = short and (paragraphs[held[0]].size > size or len(held) > 1)
        title = first if titled else first[: settings.part_title_prefix_chars] + "…"
        body_from = 1 if titled else 0
        articles = (
            Article(
                seq=1,
                title=title,
                paragraphs=tuple(paragraphs[i].text.strip() for i in held[body_from:]),
                page_start=paragraphs[held[0]].page_start,
                page_end=max(paragraphs[i].page_end for i in held),
                held=tuple(held),
                headings=tuple(held[:body_from]),
            ),
        )
    return SegmentedDocument(
        doc_kind="general",
        doc_title=doc_title,
        issue_date=None,
        issue_label=None,
        articles=articles,
        body_start=held[0] if held else 0,
    )


def _doc_title(paragraphs: Sequence[Paragraph], settings: Settings) -> str | None:
    """The largest short paragraph of the first page that has text."""
    texts = [p for p in paragraphs if p.text.strip()]
    if not texts:
        return None
    first_page = [
        p
        for p in texts
        if p.page_start == texts[0].page_start and len(p.text.strip()) <= settings.part_title_max_chars
    ]
    if not first_page:
        return None
    return max(first_page, key=lambda p: p.size).text.strip()
