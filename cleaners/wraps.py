"""Wrap repair: join the visual lines of a document back into paragraphs.

Extraction gives one record per printed line, so a paragraph comes back broken
at every line end and again at every page break.  Chinese typesetting marks a
paragraph by a two-character first-line indent and ends it with a short last
line; headings differ in font, size or position.  These geometric marks decide
where paragraphs end -- never the wording.

Lines are joined without a space between Chinese characters and with one
between Latin words or numbers, the way the words were typeset.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median
from typing import Protocol

from cleaners.columns import ColumnSettings, column_blocks
from cleaners.records import Line, Paragraph

#: A contents entry ends in a page number after dot leaders, an ellipsis or a wide gap;
#: the last field of a line divided by a wide gap (a tab) is a page number or a table
#: cell even when it is one or two characters OCR misread (1 as 世), and ends the line.
_CONTENTS_ENTRY_END = re.compile(
    # leaders, a tab, or leaders that OCR read as letters (ppp) after the title
    r"(?:[.．·…⋯]{2,}|\t|(?<=[\u4e00-\u9fff）》”])\s*[a-z]{2,})\s*[\divxlcIVXLC]+\s*$"
    r"|\t\s*\S{1,2}\s*$"
)
#: Characters that join to the next line with a space: Latin letters and digits,
#: and the ASCII punctuation that ends an English word (``storage. The``).
_LATIN_END = re.compile(r"[A-Za-z0-9%][.,;:!?)\]'\"]*$")
_LATIN_START = re.compile(r"^[A-Za-z0-9]")
#: A paper's labelled front field (``关键词：``, ``Key words:``) opens a paragraph even after a
#: line that fills the measure (the abstract above it ended flush right).
_FIELD_LABEL = re.compile(
    r"^\s*(?:摘\s*要|关\s*键\s*词|关键字|Abstract|Key\s*words?|中图分类号|文献标识码|文章编号)\s*[:：]",
    re.IGNORECASE,
)


class WrapSettings(ColumnSettings, Protocol):
    """The thresholds wrap repair reads; ``docpipe.settings.Settings`` documents and holds them."""

    @property
    def indent_min_em(self) -> float: ...
    @property
    def short_line_em(self) -> float: ...
    @property
    def carry_over_em(self) -> float: ...
    @property
    def paragraph_gap_lines(self) -> float: ...
    @property
    def size_change(self) -> float: ...
    @property
    def ocr_size_change(self) -> float: ...
    @property
    def size_min_chars(self) -> int: ...
    @property
    def max_pitch_em(self) -> float: ...
    @property
    def column_edge_min_lines(self) -> int: ...
    @property
    def column_edge_tolerance_em(self) -> float: ...
    @property
    def column_measure_min_lines(self) -> int: ...
    @property
    def column_narrow_share(self) -> float: ...
    @property
    def indent_signal_min_ends(self) -> int: ...
    @property
    def indent_signal_share(self) -> float: ...
    @property
    def centre_tolerance_em(self) -> float: ...
    @property
    def centred_share(self) -> float: ...
    @property
    def centred_full_share(self) -> float: ...
    @property
    def centred_margin_em(self) -> float: ...
    @property
    def fallback_body_size(self) -> float: ...


@dataclass(frozen=True, slots=True)
class Column:
    """The text column of one page: where full lines start and end."""

    left: float
    right: float


def measure_columns(lines: Sequence[Line], *, settings: WrapSettings) -> dict[int, Column]:
    """Find each page's text column from the lines that fill it.

    Most lines of a page of running text start at the column's left edge and
    end at its right edge, so the most common left edge and the right edge of
    the widest lines measure the column.  Pages with too few lines, or whose
    lines nowhere fill the document's measure, take the document's median
    column, shifted to their own leftmost line when that is further left
    (mirrored margins, a skewed scan).
    """
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    em = body_em(lines, settings=settings)
    measured: dict[int, Column] = {}
    for page, page_lines in by_page.items():
        if len(page_lines) >= settings.column_measure_min_lines:
            measured[page] = _measure_column(page_lines, em, settings)
    if not measured:
        measured = {page: _measure_column(page_lines, em, settings) for page, page_lines in by_page.items()}
    width = median(c.right - c.left for c in measured.values())
    default_left = median(c.left for c in measured.values())
    columns: dict[int, Column] = {}
    for page, page_lines in by_page.items():
        # A page whose lines nowhere fill the document's measure (a short list of
        # references, a poem) measured its lines, not its column.
        if (
            page in measured
            and measured[page].right - measured[page].left >= settings.column_narrow_share * width
        ):
            columns[page] = measured[page]
        else:
            left = min(default_left, min(line.x0 for line in page_lines))
            columns[page] = Column(left=left, right=left + width)
    return columns


def measure_line_columns(lines: Sequence[Line], *, settings: WrapSettings) -> dict[int, Column]:
    """The text column each line is set in, keyed by ``id(line)``: its page's, or on a
    page set in columns (:func:`cleaners.columns.column_blocks`) its own column's.

    A line of the right-hand column starts far right of the page's column, and
    would read as indented; measured against its own column it is a wrap.
    """
    page_columns = measure_columns(lines, settings=settings)
    em = body_em(lines, settings=settings)
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    columns: dict[int, Column] = {}
    for page, page_lines in by_page.items():
        blocks = column_blocks(page_lines, settings=settings)
        for block in blocks:
            own = len(blocks) > 1 and len(block) >= settings.column_measure_min_lines
            column = _measure_column(block, em, settings) if own else page_columns[page]
            columns.update((id(line), column) for line in block)
    return columns


def body_em(lines: Sequence[Line], *, settings: WrapSettings) -> float:
    """The glyph size of body text: the size most characters are set in."""
    weights: Counter[float] = Counter()
    for line in lines:
        weights[round(line.size, 1)] += len(line.text)
    if not weights:
        return settings.fallback_body_size
    return weights.most_common(1)[0][0]


def join_wrapped_lines(lines: Sequence[Line], *, settings: WrapSettings) -> list[Paragraph]:
    """Join visual lines into paragraphs, across line ends and page breaks.

    A new paragraph starts where a line is indented, where the previous line
    stops short of the column's right edge or ends a contents entry, where the
    glyph size or font changes, or after a vertical gap wider than the usual
    line pitch.  A page break alone never ends a paragraph: a full last line
    followed by an unindented first line on the next page is one paragraph.
    Left alone: the text of each line (no normalisation happens here).

    A paragraph indented 2 em (x0 70 against a column at 50), wrapped once,
    then one that crosses from page 1 to page 2:

    >>> lines = [
    ...     Line("在印度，电子政府已逐步从政府部门的办", 1, 70.0, 100, 250.0, 110, 10.0),
    ...     Line("公电脑化，发展到推出以民众为中心的项目。", 1, 50.0, 115, 180.0, 125, 10.0),
    ...     Line("该计划旨在改善政府向公民、企业提供的公共", 1, 70.0, 130, 250.0, 140, 10.0),
    ...     Line("服务，其愿景如下：通过提供普遍性服务，确", 1, 50.0, 145, 250.0, 155, 10.0),
    ...     Line("保服务的效率。", 2, 50.0, 60, 120.0, 70, 10.0),
    ... ]
    >>> for paragraph in join_wrapped_lines(lines, settings=settings):
    ...     print(paragraph.page_start, paragraph.page_end, paragraph.text)
    1 1 在印度，电子政府已逐步从政府部门的办公电脑化，发展到推出以民众为中心的项目。
    1 2 该计划旨在改善政府向公民、企业提供的公共服务，其愿景如下：通过提供普遍性服务，确保服务的效率。
    """
    if not lines:
        return []
    columns = measure_line_columns(lines, settings=settings)
    em = body_em(lines, settings=settings)
    pitch = min(_line_pitch(lines), settings.max_pitch_em * em)
    centred = centred_pages(lines, em, settings=settings)
    carry_over = (
        settings.carry_over_em * em
        if marks_paragraphs_by_indent(lines, columns, em, settings=settings)
        else 0.0
    )
    page_breaks = _page_break_starts(lines, em, settings=settings)
    paragraphs: list[Paragraph] = []
    current: list[Line] = [lines[0]]
    for index, (previous, line) in enumerate(pairwise(lines), start=1):
        if (
            line.page in centred  # a poem's lines, also the first after a page break
            or index in page_breaks
            or _starts_paragraph(previous, line, columns, em, pitch, settings, carry_over=carry_over)
        ):
            paragraphs.append(_to_paragraph(current, columns, em, settings))
            current = [line]
        else:
            current.append(line)
    paragraphs.append(_to_paragraph(current, columns, em, settings))
    return paragraphs


def _page_break_starts(lines: Sequence[Line], em: float, *, settings: WrapSettings) -> frozenset[int]:
    """Indices of lines that open a new page and cannot continue the page before.

    A page break joins a paragraph only when the line before it fills the
    measure, and the measure of a page holding a single line (a cover, a half
    title) is borrowed from the other pages, so a short centred title there can
    seem to reach it.  A lone line narrower than the pages' widest lines ends
    its paragraph, and so does the last line of a page before a line centred on
    the next page's axis, narrower than that page's widest line and clear of its
    left edge (a poem's or a chapter's title): a paragraph's continuation is set
    flush left, so it is on the axis only when it (nearly) fills the line.
    """
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    widest = {page: max(line.width for line in page_lines) for page, page_lines in by_page.items()}
    measure = median(widest.values())
    tolerance = settings.centre_tolerance_em * em
    starts: set[int] = set()
    for index, (previous, line) in enumerate(pairwise(lines), start=1):
        if previous.page == line.page:
            continue
        lone = len(by_page[previous.page]) == 1 and previous.width < measure - settings.short_line_em * em
        axis = median((other.x0 + other.x1) / 2 for other in by_page[line.page])
        leftmost = min(other.x0 for other in by_page[line.page])
        centred = (
            abs((line.x0 + line.x1) / 2 - axis) < tolerance
            and line.width < widest[line.page] - 2 * tolerance
            and line.x0 - leftmost >= 2 * tolerance
        )
        if lone or centred:
            starts.add(index)
    return frozenset(starts)


def marks_paragraphs_by_indent(
    lines: Sequence[Line], columns: dict[int, Column], em: float, *, settings: WrapSettings
) -> bool:
    """Whether the document starts its paragraphs with an indent: its own paragraph signal.

    Counted where a paragraph surely ended (a line more than ``carry_over_em``
    short of the measure) and the text goes on in the same style: if the line
    after is indented nearly every time, the indent is what marks a paragraph,
    and a line only a character or two short (避头尾 pulled a character down,
    ragged-right setting) followed by an unindented line is a wrap.
    """
    indented = flush = 0
    for previous, line in pairwise(lines):
        if previous.page != line.page or _style_changes(previous, line, settings):
            continue
        if _CONTENTS_ENTRY_END.search(previous.text):
            continue  # a 目录 is a list, not paragraphs
        if columns[id(previous)].right - previous.x1 < settings.carry_over_em * em:
            continue
        if is_indented(line, columns[id(line)], em, settings=settings):
            indented += 1
        else:
            flush += 1
    return indented >= settings.indent_signal_min_ends and indented >= settings.indent_signal_share * (
        indented + flush
    )


def centred_pages(lines: Sequence[Line], em: float, *, settings: WrapSettings) -> frozenset[int]:
    """Pages set centred line by line (a poem, a cover, a list): every line is its own paragraph.

    Such a page has no text column: its lines share one axis but not a width, so
    a line a character shorter than the widest is no wrap.  A page of running
    text has lines of one width (the measure), whatever their axis.

    >>> verse = ("月光落在窗台上", "风从远山来", "一盏灯还亮着", "等一个晚归的人", "夜深了")
    >>> poem = [Line(t, 1, 100 - 5 * len(t), 10 * n, 100 + 5 * len(t), 10 * n + 10, 10.0)
    ...         for n, t in enumerate(verse)]
    >>> centred_pages(poem, 10.0, settings=settings)
    frozenset({1})
    >>> prose = [Line("在印度，电子政府已逐步从政府部门的办", 1, 50.0, 10 * n, 250.0, 10 * n + 10, 10.0)
    ...          for n in range(4)]
    >>> centred_pages(prose, 10.0, settings=settings)
    frozenset()
    """
    by_page: dict[int, list[Line]] = {}
    for line in lines:
        by_page.setdefault(line.page, []).append(line)
    centred: set[int] = set()
    for page, page_lines in by_page.items():
        if len(page_lines) < settings.column_measure_min_lines:
            continue
        axis = median((line.x0 + line.x1) / 2 for line in page_lines)
        tolerance = settings.centre_tolerance_em * em
        on_axis = sum(abs((line.x0 + line.x1) / 2 - axis) < tolerance for line in page_lines)
        widest = max(line.width for line in page_lines)
        full = sum(widest - line.width < tolerance for line in page_lines)
        if on_axis >= settings.centred_share * len(page_lines) and full < settings.centred_full_share * len(
            page_lines
        ):
            centred.add(page)
    return frozenset(centred)


def is_indented(line: Line, column: Column, em: float, *, settings: WrapSettings) -> bool:
    return line.x0 - column.left >= settings.indent_min_em * em


def is_centered(line: Line, column: Column, em: float, *, settings: WrapSettings) -> bool:
    """A line with wide, equal margins on both sides of the column (a centred heading)."""
    left_gap = line.x0 - column.left
    right_gap = column.right - line.x1
    margin = settings.centred_margin_em * em
    return left_gap > margin and right_gap > margin and abs(left_gap - right_gap) < margin


def sizes_differ(size: float, other: float, *, ratio: float) -> bool:
    """Whether two glyph sizes are different sizes: the larger exceeds the smaller by more
    than ``ratio`` of it.  docpipe passes ``Settings.size_change`` for text-layer sizes and
    ``Settings.ocr_size_change`` for sizes OCR measured from the glyphs' ink.

    >>> sizes_differ(12.0, 11.0, ratio=0.08), sizes_differ(10.5, 10.8, ratio=0.08)
    (True, False)
    """
    smaller, larger = sorted((size, other))
    return larger > 0 and larger - smaller > ratio * smaller


def join_line_texts(first: str, second: str) -> str:
    """Join two wrapped lines: no space in Chinese, one space between Latin words.

    >>> join_line_texts("发展到推出以民众为中", "心的项目")
    '发展到推出以民众为中心的项目'
    >>> join_line_texts("the IBM", "Watson platform")
    'the IBM Watson platform'
    >>> join_line_texts("at full charge for no longer than three months,", "and at half charge")
    'at full charge for no longer than three months, and at half charge'
    """
    first = first.rstrip()
    second = second.lstrip()
    if _LATIN_END.search(first) and _LATIN_START.search(second):
        return f"{first} {second}"
    return first + second


def _measure_column(page_lines: Sequence[Line], em: float, settings: WrapSettings) -> Column:
    # Each edge is the outermost position that several lines share: a single
    # line beyond it is an outlier (a hanging number, a page number left in a
    # corner, a speck OCR read as text), not the column.
    need = min(settings.column_edge_min_lines, len(page_lines))
    tolerance = settings.column_edge_tolerance_em * em
    lefts = sorted(line.x0 for line in page_lines)
    rights = sorted((line.x1 for line in page_lines), reverse=True)
    left = _shared_edge(lefts, need, tolerance, sign=1) if lefts else 0.0
    right = _shared_edge(rights, need, tolerance, sign=-1) if rights else 0.0
    return Column(left=left, right=right)


def _shared_edge(edges: Sequence[float], need: int, tolerance: float, *, sign: int) -> float:
    """The first of ``edges`` (sorted outermost first) that ``need`` edges share within half an em."""
    for index in range(len(edges) - need + 1):
        if sign * (edges[index + need - 1] - edges[index]) < tolerance:
            return edges[index]
    return edges[0]


def _line_pitch(lines: Sequence[Line]) -> float:
    steps = [b.top - a.top for a, b in pairwise(lines) if a.page == b.page and b.top > a.top]
    return median(steps) if steps else 0.0


def _starts_paragraph(
    previous: Line,
    line: Line,
    columns: dict[int, Column],
    em: float,
    pitch: float,
    settings: WrapSettings,
    *,
    carry_over: float = 0.0,
) -> bool:
    """Whether ``line`` starts a new paragraph after ``previous``.

    ``carry_over`` (points; 0 where the document does not mark paragraphs by
    indent): a line short of the measure by less than this, followed by an
    unindented line, is a wrap (避头尾 pulled a character down, or ragged-right).
    """
    column = columns[id(line)]
    previous_column = columns[id(previous)]
    if is_indented(line, column, em, settings=settings):
        return True
    shortfall = previous_column.right - previous.x1
    if shortfall >= settings.short_line_em * em and shortfall >= carry_over:
        return True
    if _CONTENTS_ENTRY_END.search(previous.text) or _FIELD_LABEL.match(line.text):
        return True
    if _style_changes(previous, line, settings):
        return True
    same_page = previous.page == line.page
    return same_page and pitch > 0 and line.top - previous.top > settings.paragraph_gap_lines * pitch


def _style_changes(previous: Line, line: Line, settings: WrapSettings) -> bool:
    short = min(len(previous.text), len(line.text)) < settings.size_min_chars
    if not (previous.font or line.font) and short:
        return False  # OCR measures a line's size from its glyphs: two glyphs (远。) say little
    measured_from_ink = not (previous.font or line.font)
    ratio = settings.ocr_size_change if measured_from_ink else settings.size_change
    if sizes_differ(previous.size, line.size, ratio=ratio):
        return True
    return bool(previous.font and line.font and previous.font != line.font)


def _to_paragraph(
    lines: Sequence[Line], columns: dict[int, Column], em: float, settings: WrapSettings
) -> Paragraph:
    text = lines[0].text.strip()
    for line in lines[1:]:
        text = join_line_texts(text, line.text)
    first = lines[0]
    column = columns[id(first)]
    return Paragraph(
        text=text,
        page_start=first.page,
        page_end=lines[-1].page,
        x0=first.x0,
        indent=first.x0 - column.left,
        size=first.size,
        font=first.font,
        line_count=len(lines),
        centered=len(lines) == 1 and is_centered(first, column, em, settings=settings),
    )
