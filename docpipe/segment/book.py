"""Segment a book: front matter, prefaces, 目录, chapters (第一章) and their sections (一、).

Each section becomes one article (``section`` = its chapter, ``title`` = the
section heading); the text of a chapter before its first section becomes an
article titled by the chapter; a heading before the 目录 that is followed by
running text (a 序言, 前言 …) becomes an article of its own.  Title pages and the
CIP data page have no such heading and stay out of the articles.  Subsection
headings （一） stay inside their section as paragraphs.

Headings are recognised by their numbering (``第…章``, ``一、``) together with
being set apart from body text (centred, another size, not indented), and the
目录, when there is one, confirms them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from cleaners.records import Paragraph
from docpipe.segment.contents import ContentsEntry, find_contents, parse_contents, parse_contents_entry
from docpipe.segment.model import Article, SegmentedDocument
from docpipe.segment.parts import is_back_heading
from docpipe.settings import DEFAULT_SETTINGS

_NUMERALS = "一二三四五六七八九十百零〇两"
_CHAPTER = re.compile(rf"^\s*(?P<marker>第\s*[{_NUMERALS}\d]+\s*[章篇编])\s*(?P<name>.*)$")
_BARE_NUMBER = re.compile(r"^(?:\d{1,4}|[ivxlcIVXLC]{1,6})$")
_SECTION = re.compile(rf"^\s*[{_NUMERALS}]+\s*、\s*\S")
_MARKER_SEPARATORS = " \u3000“”\"'，,、：:·.。"
#: A heading is a short paragraph: longer ones are running text whatever they start with.
MAX_HEADING_CHARS = 60
#: Relative size difference that sets a heading apart from body text.
#: (Settings' default: segment is not given the run's settings yet.)
HEADING_SIZE_RATIO = DEFAULT_SETTINGS.size_change
#: Running text after a front-matter heading: at least this many characters.
MIN_FRONT_SECTION_CHARS = 100


def is_book(paragraphs: Sequence[Paragraph]) -> bool:
    """A book has chapters (in its contents or its body) divided into ``一、`` sections.

    Chapters divided otherwise (a thesis's 1.1, 1.2) make a general document, cut at its chapters.
    """
    located = find_contents(paragraphs)
    body_size = _body_size(paragraphs)
    titles = [p.text for p in paragraphs if _is_heading(p, body_size)]
    if located is not None:
        heading, end = located
        titles += [entry.title for entry in parse_contents(paragraphs[heading + 1 : end])]
    return any(_CHAPTER.match(t) for t in titles) and any(_SECTION.match(t) for t in titles)


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
    paragraphs: Sequence[Paragraph], *, printed_pages: Mapping[int, str | None] | None = None
) -> SegmentedDocument:
    """Cut a book's paragraphs into front-matter articles, chapter intros and sections."""
    located = find_contents(paragraphs)
    if located is None:
        front: Sequence[Paragraph] = []
        entries: list[ContentsEntry] = []
        body: Sequence[Paragraph] = paragraphs
    else:
        heading, end = located
        front, body = paragraphs[:heading], paragraphs[end:]
        entries = parse_contents(paragraphs[heading + 1 : end])
    body_size = _body_size(paragraphs)
    builder = _ArticleBuilder()
    for index, paragraph in enumerate(front):
        if _is_front_heading(front, index, body_size):
            builder.start(title=paragraph.text.strip(), section=None, heading=paragraph, index=index)
        elif parse_contents_entry(paragraph.text) is not None or (
            paragraph.centered and _is_heading(paragraph, body_size)
        ):
            builder.close()  # the contents or another front page began (its heading may be unreadable)
            builder.pending.clear()  # front-matter lines are not headings of what follows
        elif builder.open:
            builder.add(paragraph, index)
    builder.close()
    builder.pending.clear()
    chapter: str | None = None
    offset = len(paragraphs) - len(body)
    for index, paragraph in enumerate(body, start=offset):
        text = paragraph.text.strip()
        title = chapter_title(text) if _is_heading(paragraph, body_size) else None
        if title is not None:
            chapter = title
            builder.start(title=title, section=title, heading=paragraph, index=index)
        elif _is_section_heading(paragraph, body_size):
            builder.start(title=text, section=chapter, heading=paragraph, index=index, path=chapter)
        elif is_back_heading(text) and _is_heading(paragraph, body_size):
            builder.close()  # 参考文献, 后记 …: back matter, given rows of its own, never a section's text
            builder.pending.clear()
        elif builder.open:
            builder.add(paragraph, index)
    builder.close()
    warnings = _check_against_contents(builder.articles, entries)
    return SegmentedDocument(
        doc_kind="book",
        doc_title=_doc_title(front or paragraphs),
        issue_date=None,
        issue_label=None,
        articles=tuple(builder.articles),
        contents=tuple(entries),
        warnings=tuple(warnings),
        residue=tuple(builder.residue),
        body_start=offset,
    )


@dataclass
class _ArticleBuilder:
    articles: list[Article]
    residue: list[int]
    #: Headings whose article had no text of its own (a chapter heading directly
    #: followed by its first section): held by the next article, as the path above it.
    pending: list[int]
    _title: str | None
    _section: str | None
    _path: str | None
    _heading: tuple[int, Paragraph] | None
    _paragraphs: list[tuple[int, Paragraph]]

    def __init__(self) -> None:
        self.articles, self.residue, self.pending = [], [], []
        self._title, self._section, self._path, self._heading, self._paragraphs = None, None, None, None, []

    @property
    def open(self) -> bool:
        return self._heading is not None

    def start(
        self, *, title: str, section: str | None, heading: Paragraph, index: int, path: str | None = None
    ) -> None:
        self.close()
        self._title, self._section, self._path = title, section, path
        self._heading, self._paragraphs = (index, heading), []

    def add(self, paragraph: Paragraph, index: int) -> None:
        if is_residue(paragraph.text):
            self.residue.append(index)
        else:
            self._paragraphs.append((index, paragraph))

    def close(self) -> None:
        heading, collected = self._heading, self._paragraphs
        self._heading = None
        if heading is None or self._title is None:
            return
        if not collected:
            self.pending.append(heading[0])  # a chapter heading directly followed by its first section
            return
        paragraphs = [p for _, p in collected]
        steps: list[str] = []
        for paragraph in (heading[1], *paragraphs):
            steps.extend(s for s in paragraph.cleaning_steps if s not in steps)
        structure, self.pending = self.pending, []
        self.articles.append(
            Article(
                seq=len(self.articles) + 1,
                title=self._title,
                section=self._section,
                paragraphs=tuple(p.text.strip() for p in paragraphs if p.text.strip()),
                page_start=heading[1].page_start,
                page_end=max(p.page_end for p in (heading[1], *paragraphs)),
                cleaning_steps=tuple(steps),
                heading_path=(self._path,) if self._path else (),
                held=(*structure, heading[0], *(i for i, _ in collected)),
                headings=(*structure, heading[0]),
            )
        )


def is_residue(text: str) -> bool:
    """What is left of page furniture or noise, never a paragraph: a bare number, a lone character.

    >>> [is_residue(t) for t in ("5", "vi", "人", "远。", "（一）政策目标")]
    [True, True, True, False, False]
    """
    visible = "".join(text.split())
    return len(visible) <= 1 or bool(_BARE_NUMBER.match(visible))


def _body_size(paragraphs: Sequence[Paragraph]) -> float:
    weights: dict[float, int] = {}
    for paragraph in paragraphs:
        key = round(paragraph.size, 1)
        weights[key] = weights.get(key, 0) + len(paragraph.text)
    return max(weights, key=lambda k: weights[k]) if weights else 0.0


def _is_heading(paragraph: Paragraph, body_size: float) -> bool:
    """Short, and set apart from body text: centred, another size, or not indented."""
    if len(paragraph.text) > MAX_HEADING_CHARS:
        return False
    if paragraph.centered:
        return True
    if body_size and abs(paragraph.size - body_size) / body_size > HEADING_SIZE_RATIO:
        return True
    return paragraph.indent < paragraph.size


def _is_section_heading(paragraph: Paragraph, body_size: float) -> bool:
    """A short ``一、…`` paragraph set apart from body text.

    The contents does not decide: OCR may have garbled its page, so a heading
    missing from it is a warning, not a rejection.
    """
    return bool(_SECTION.match(paragraph.text)) and _is_heading(paragraph, body_size)


def _is_front_heading(front: Sequence[Paragraph], index: int, body_size: float) -> bool:
    """A centred heading before the contents that running text follows (序言, 前言 …)."""
    paragraph = front[index]
    if not (paragraph.centered and len(paragraph.text.strip()) <= MAX_HEADING_CHARS // 4):
        return False
    following = []
    for later in front[index + 1 :]:
        if later.centered or parse_contents_entry(later.text) is not None:
            break
        following.append(later)
    running = [p for p in following if abs(p.size - body_size) <= HEADING_SIZE_RATIO * body_size]
    if not running or running[0].indent < running[0].size:
        return False
    return sum(len(p.text) for p in running) >= MIN_FRONT_SECTION_CHARS


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
