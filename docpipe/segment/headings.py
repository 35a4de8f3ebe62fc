"""Headings of a document: which paragraphs are headings, and at what level.

A heading is a short paragraph that is not a sentence (it ends without 。；，：)
and is set apart from the body text either by its numbering (第N章, 第N节, 一、,
（一）, 1., 1.1, 1.1.1, （1）) standing flush with the column, or by its style
(a larger size, or another font at body size or above).  Centring alone does
not make a heading: the lines of a poem or a list are centred too.

Levels come from numbering families and styles: a larger size ranks higher
(a caption in bold body type never outranks a chapter), families of one size
rank in the order the document introduces them (a document opens with its
highest level), and 第N章 is always above 第N节, a dotted number always below a
shorter one: ``3.1`` sits under ``3.``, never beside it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import pairwise
from statistics import median

from cleaners.records import Paragraph
from docpipe.segment.contents import parse_contents_entry
from docpipe.segment.parts import is_back_heading, is_front_heading
from docpipe.segment.spacing import Spacing
from docpipe.settings import Settings

_NUMERALS = "一二三四五六七八九十百零〇两"
#: (family, pattern): the pattern's ``number`` group is what is counted.
_FAMILIES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("chapter", re.compile(rf"^第\s*(?P<number>[{_NUMERALS}\d]+)\s*[章篇编部](?:分)?(?:\s|$|[^\w])?")),
    ("part-section", re.compile(rf"^第\s*(?P<number>[{_NUMERALS}\d]+)\s*节")),
    ("cn-list", re.compile(rf"^(?P<number>[{_NUMERALS}]+)\s*、")),
    ("cn-paren", re.compile(rf"^[（(]\s*(?P<number>[{_NUMERALS}]+)\s*[)）]")),
    (
        "decimal",
        re.compile(r"^(?P<number>\d{1,3}(?:\s*[.．]\s*\d{1,3})*)(?:\s*[、.．](?!\d)|\s+|(?=[^\d\s.．、]))"),
    ),
    ("num-paren", re.compile(r"^[（(]\s*(?P<number>\d{1,3})\s*[)）]")),
)
#: The family of OCR headings recognised by the space around them, whatever their measured size.
ISOLATED = "isolated"
UNNUMBERED = ("style:", "ocr:")
#: Sentence punctuation a heading does not end with.
_SENTENCE_END = tuple("。；，：;,:、")


@dataclass(frozen=True, slots=True)
class Heading:
    index: int  # of the paragraph
    family: str  # numbering family, or "style:<size>:<font>" for an unnumbered heading
    number: str | None
    level: int = 0  # 0 is the document's top level


def numbering_of(text: str) -> tuple[str, str] | None:
    """The numbering family and number a heading starts with, or None.

    >>> numbering_of("第3章 系统设计")
    ('chapter', '3')
    >>> numbering_of("3.1 需求分析")
    ('decimal:2', '3.1')
    >>> numbering_of("3. 需求分析"), numbering_of("3、需求分析")
    (('decimal:1', '3'), ('decimal:1', '3'))
    >>> numbering_of("（二）政策目标"), numbering_of("二、主要任务")
    (('cn-paren', '二'), ('cn-list', '二'))
    >>> numbering_of("2014年工作总结") is None, numbering_of("3.5亿元") is None
    (True, True)
    >>> numbering_of("2x+3y=7（3.1）") is None, numbering_of("5G网络覆盖") is None
    (True, True)
    >>> numbering_of("1 Introduction")
    ('decimal:1', '1')
    """
    split = split_numbering(text)
    return (split[0], split[1]) if split else None


def split_numbering(text: str) -> tuple[str, str, str] | None:
    """``(family, number, title)`` of a numbered heading, or None.

    >>> split_numbering("12、纽约计划淘汰付费公用电话亭")
    ('decimal:1', '12', '纽约计划淘汰付费公用电话亭')
    >>> split_numbering("1. 印度电子政府发展")
    ('decimal:1', '1', '印度电子政府发展')
    """
    stripped = text.strip()
    for family, pattern in _FAMILIES:
        match = pattern.match(stripped)
        if match is None:
            continue
        number = re.sub(r"\s+", "", match["number"]).replace("．", ".")
        rest = stripped[match.end() :]
        if family == "decimal":
            if not rest or re.match(r"^[\d%年月日亿万元个项条次]", rest):
                return None  # a quantity or a date, not a numbered heading
            if re.match(r"^[A-Za-z]", stripped[len(match["number"]) :]):
                return None  # a formula or a name (2x+3y=7, 5G, 3D), not a number and its title
            family = f"decimal:{number.count('.') + 1}"
        return family, number, rest.strip()
    return None


def is_short_phrase(paragraph: Paragraph, *, settings: Settings) -> bool:
    """Short enough for a heading (``Settings.heading_max_chars``, ``heading_max_lines``), and no sentence."""
    text = "".join(paragraph.text.split())
    return (
        0 < len(text) <= settings.heading_max_chars
        and paragraph.line_count <= settings.heading_max_lines
        and not text.endswith(_SENTENCE_END)
    )


@dataclass(frozen=True, slots=True)
class BodyStyle:
    """The size and font most of a document's text is set in."""

    size: float
    font: str


def body_size(paragraphs: Sequence[Paragraph]) -> float:
    """The size most of the text is set in."""
    weights: dict[float, int] = {}
    for paragraph in paragraphs:
        key = round(paragraph.size, 1)
        weights[key] = weights.get(key, 0) + len(paragraph.text)
    return max(weights, key=lambda k: weights[k]) if weights else 0.0


def body_font(paragraphs: Sequence[Paragraph]) -> str:
    weights: dict[str, int] = {}
    for paragraph in paragraphs:
        weights[paragraph.font] = weights.get(paragraph.font, 0) + len(paragraph.text)
    return max(weights, key=lambda k: weights[k]) if weights else ""


def body_style(paragraphs: Sequence[Paragraph]) -> BodyStyle:
    return BodyStyle(body_size(paragraphs), body_font(paragraphs))


def size_change(paragraph: Paragraph, settings: Settings) -> float:
    """How much larger than the body a paragraph must be to be set in another size."""
    # OCR measures size from each line's ink height, which varies a few points line to line.
    return settings.size_change if paragraph.font else settings.ocr_size_change


def is_indented(paragraph: Paragraph, *, settings: Settings) -> bool:
    """Whether a paragraph's first line starts ``Settings.indent_min_em`` or more right of the
    column: the indent that opens a paragraph of running text, as wrap repair judges it."""
    return paragraph.indent >= settings.indent_min_em * paragraph.size


def is_styled(paragraph: Paragraph, body: BodyStyle, *, settings: Settings) -> bool:
    """Set in a heading's style: larger than the body, or in another font at body size or above.

    What makes an unnumbered line a heading; a smaller or merely bold-at-caption-size
    line is not one.  An OCR line's size is its box's height, which a bracket or a
    Latin descender stretches (``[1]王立.电子政务导论[M]…`` measures twice the body):
    larger alone makes only a short OCR line a heading.
    """
    if not paragraph.font and len("".join(paragraph.text.split())) > settings.ocr_heading_max_chars:
        return False
    larger = body.size > 0 and paragraph.size > body.size * (1 + size_change(paragraph, settings))
    other_font = bool(body.font and paragraph.font and paragraph.font != body.font)
    return larger or (other_font and paragraph.size >= body.size)


def is_set_apart(paragraph: Paragraph, body: BodyStyle, *, settings: Settings) -> bool:
    """Set apart from running text: centred, flush with the column (not indented like a
    paragraph), in another size (either way) or in another font.

    What a numbered line needs to be a heading: its number already says it is one
    unless it sits in running text, indented and in the body's type.
    """
    if paragraph.centered or not is_indented(paragraph, settings=settings):
        return True
    if body.size and abs(paragraph.size - body.size) / body.size > settings.size_change:
        return True
    return bool(body.font and paragraph.font and paragraph.font != body.font)


def is_isolated(paragraph: Paragraph, spacing: Spacing | None, *, settings: Settings) -> bool:
    """A single OCR line standing alone: more blank above it than
    ``Settings.heading_isolation`` usual line spaces, and less below (a heading sits
    closer to what it heads).  Text-layer lines are judged by their fonts instead."""
    if paragraph.font or paragraph.line_count != 1 or spacing is None or spacing.above is None:
        return False
    if spacing.above < settings.heading_isolation:
        return False
    return spacing.below is None or spacing.below < spacing.above


def indents_paragraphs(paragraphs: Sequence[Paragraph], *, settings: Settings) -> bool:
    """Whether a document starts its paragraphs with an indent (``Settings.indented_paragraph_share``
    of those of several lines)."""
    running = [p for p in paragraphs if p.line_count >= 2]
    indented = sum(is_indented(p, settings=settings) for p in running)
    return bool(running) and indented >= settings.indented_paragraph_share * len(running)


def opens_indented_text(
    paragraphs: Sequence[Paragraph], index: int, *, indents: bool, settings: Settings
) -> bool:
    """A short single flush line that an indented paragraph follows, in a document that indents
    its paragraphs (``indents``, :func:`indents_paragraphs`): on an OCR page a heading even
    where nothing else tells (at the top of a page the space above it is gone).  A list's
    items and a poem's lines follow one another (the last one too has another above it), a
    paragraph's last line is joined to it by wrap repair."""
    if not indents or not _is_short_flush_line(paragraphs[index], settings):
        return False
    previous = _neighbour(paragraphs, index, -1)
    if previous is not None and _is_short_flush_line(previous, settings):
        return False  # the last item of a list
    following = _neighbour(paragraphs, index, 1)
    return following is not None and following.line_count >= 2 and is_indented(following, settings=settings)


def _neighbour(paragraphs: Sequence[Paragraph], index: int, step: int) -> Paragraph | None:
    """The nearest paragraph with text before (``step`` -1) or after (1) the one at ``index``."""
    index += step
    while 0 <= index < len(paragraphs):
        if paragraphs[index].text.strip():
            return paragraphs[index]
        index += step
    return None


def _is_short_flush_line(paragraph: Paragraph, settings: Settings) -> bool:
    return (
        not paragraph.font
        and paragraph.line_count == 1
        and not is_indented(paragraph, settings=settings)
        and len("".join(paragraph.text.split())) <= settings.ocr_heading_max_chars
    )


def heading_of(
    paragraph: Paragraph,
    body: BodyStyle,
    spacing: Spacing | None = None,
    *,
    opens_text: bool = False,
    settings: Settings,
) -> tuple[str, str | None] | None:
    """``(family, number)`` when a paragraph is a heading, else None.

    A heading is a short phrase that is either numbered and set apart from running
    text (:func:`is_set_apart`) or unnumbered and styled as a heading (:func:`is_styled`)
    or, on an OCR page, standing alone (:func:`is_isolated`) or opening indented text
    (``opens_text``, :func:`opens_indented_text`); the family of an
    unnumbered one is its style, ``style:<size>:<font>`` (OCR sizes are noisy: an
    isolated OCR line's family is ``isolated``).
    """
    if not is_short_phrase(paragraph, settings=settings):
        return None
    numbering = numbering_of(paragraph.text)
    if numbering is not None:
        return numbering if is_set_apart(paragraph, body, settings=settings) else None
    if is_styled(paragraph, body, settings=settings):
        return f"style:{round(paragraph.size)}:{paragraph.font}", None
    if is_isolated(paragraph, spacing, settings=settings) or opens_text:
        return ISOLATED, None
    return None


def find_headings(
    paragraphs: Sequence[Paragraph],
    *,
    skip: frozenset[int] = frozenset(),
    spacings: Sequence[Spacing] = (),
    settings: Settings,
) -> list[Heading]:
    """The headings of a document, with levels; front and back headings (目录, 参考文献) excluded.

    ``spacings`` (:func:`~docpipe.segment.spacing.measure_spacing`, one per paragraph, or
    none) lets an OCR line standing alone be a heading.
    """
    body = body_style(paragraphs)
    page_sizes = ocr_page_body_sizes(paragraphs, settings=settings)
    openers = ocr_page_titles(paragraphs, settings=settings)
    indents = indents_paragraphs(paragraphs, settings=settings)
    found: list[Heading] = []
    for index, paragraph in enumerate(paragraphs):
        if index in skip:
            continue
        text = paragraph.text.strip()
        part_heading = is_front_heading(text, settings=settings) or is_back_heading(text, settings=settings)
        if part_heading or parse_contents_entry(text) is not None:
            continue
        spacing = spacings[index] if spacings else None
        opens_text = (
            opens_indented_text(paragraphs, index, indents=indents, settings=settings) or index in openers
        )
        own = max(body.size, page_sizes.get(paragraph.page_start, 0.0)) if not paragraph.font else body.size
        kind = heading_of(
            paragraph, BodyStyle(own, body.font), spacing, opens_text=opens_text, settings=settings
        )
        if kind is not None:
            found.append(Heading(index, kind[0], kind[1]))
    numbered = _without_lists(found, paragraphs, settings)
    return _with_levels(_group_ocr_styles(numbered, paragraphs, settings), paragraphs, settings)


def ocr_page_body_sizes(paragraphs: Sequence[Paragraph], *, settings: Settings) -> dict[int, float]:
    """The body size of each OCR page that holds at least ``Settings.ocr_page_body_min_lines`` lines.

    OCR measures a line's size from its ink, and a noisier scan of one page (the
    paper's grain binarised as ink along the lines) measures every line of it larger:
    a page of verse read 18 pt where the others read 10 would be all headings against
    the document's body.  Against the larger of the two a line must stand out on its
    own page too.
    """
    by_page: dict[int, list[Paragraph]] = {}
    for paragraph in paragraphs:
        if not paragraph.font and paragraph.text.strip():
            by_page.setdefault(paragraph.page_start, []).append(paragraph)
    return {
        page: body_size(page_paragraphs)
        for page, page_paragraphs in by_page.items()
        if sum(p.line_count for p in page_paragraphs) >= settings.ocr_page_body_min_lines
    }


def ocr_page_titles(paragraphs: Sequence[Paragraph], *, settings: Settings) -> frozenset[int]:
    """OCR lines that open a page set larger than every other line of it: a title at the top
    of a page after a full one, where no space above tells (a poem's title, 1.2 times the
    verse, under the size ratio that OCR's noisy sizes need elsewhere).

    Only a short single line that starts the page (not the end of a paragraph carried
    over), on a page of at least ``Settings.ocr_page_body_min_lines`` other lines, each smaller by
    more than ``Settings.size_change``: out of a page's many lines, OCR's noise makes the
    first the largest by that much only by chance.
    """
    by_page: dict[int, list[int]] = {}
    for index, paragraph in enumerate(paragraphs):
        if paragraph.text.strip():
            by_page.setdefault(paragraph.page_start, []).append(index)
    titles = set()
    for indexes in by_page.values():
        first, rest = paragraphs[indexes[0]], [paragraphs[i] for i in indexes[1:]]
        if (
            first.font
            or first.line_count != 1
            or (indexes[0] > 0 and paragraphs[indexes[0] - 1].page_end == first.page_start)
            or len("".join(first.text.split())) > settings.ocr_heading_max_chars
            or sum(p.line_count for p in rest) < settings.ocr_page_body_min_lines
            or any(p.font for p in rest)
        ):
            continue
        if all(first.size > p.size * (1 + settings.size_change) for p in rest):
            titles.add(indexes[0])
    return frozenset(titles)


def _without_lists(
    headings: Sequence[Heading], paragraphs: Sequence[Paragraph], settings: Settings
) -> list[Heading]:
    """The headings less the numbered families that are lists: a family in the body's style
    whose members mostly follow one another with no text between (``1.统一事项名称``,
    ``2.统一申请材料``) numbers the items of a list, and its items are text, not titles."""
    body = body_style(paragraphs)
    following: dict[int, int] = {}
    texts = [i for i, p in enumerate(paragraphs) if p.text.strip()]
    for current, after in pairwise(texts):
        following[current] = after
    families: dict[str, list[Heading]] = {}
    for heading in headings:
        families.setdefault(heading.family, []).append(heading)
    lists = set()
    for family, members in families.items():
        styled = any(is_styled(paragraphs[m.index], body, settings=settings) for m in members)
        if family.startswith(UNNUMBERED) or styled:
            continue
        indexes = {m.index for m in members}
        runs = sum(following.get(m.index) in indexes for m in members)
        if runs and runs >= settings.list_run_share * len(members):
            lists.add(family)
    return [h for h in headings if h.family not in lists]


def _group_ocr_styles(
    headings: Sequence[Heading], paragraphs: Sequence[Paragraph], settings: Settings
) -> list[Heading]:
    """Unnumbered OCR headings (no font; a size measured from boxes that vary by a fifth)
    form one family per run of sizes no further apart than ``Settings.ocr_heading_size_spread``:
    a poem's titles measured 16 and 23 pt are one level, the collection's 45 pt title another."""
    ocr = [h for h in headings if not paragraphs[h.index].font and h.number is None]
    sizes = sorted({paragraphs[h.index].size for h in ocr})
    group: dict[float, int] = {}
    for previous, size in zip([0.0, *sizes], sizes, strict=False):
        spread = size > previous * settings.ocr_heading_size_spread
        group[size] = group.get(previous, -1) + (previous <= 0 or spread)
    return [
        Heading(h.index, f"ocr:{group[paragraphs[h.index].size]}", None) if h in ocr else h for h in headings
    ]


def _with_levels(
    headings: Sequence[Heading], paragraphs: Sequence[Paragraph], settings: Settings
) -> list[Heading]:
    """Levels: larger families above smaller ones, numbered above unnumbered, then the order the
    document introduces them; 第N章 above 第N节 and dotted numbers by depth whatever their sizes."""
    sizes: dict[str, list[float]] = {}
    for heading in headings:
        sizes.setdefault(heading.family, []).append(paragraphs[heading.index].size)
    introduced = list(sizes)
    typical = {family: round(median(values) / settings.heading_size_step) for family, values in sizes.items()}
    # At one size a numbered family outranks an unnumbered one: a 前言 set like the chapters
    # is not the heading every chapter sits under.
    order = sorted(
        introduced,
        key=lambda family: (
            -typical[family],
            family.startswith(("style:", "ocr:")),
            introduced.index(family),
        ),
    )
    for group in (["chapter", "part-section"], sorted(f for f in order if f.startswith("decimal:"))):
        present = [family for family in group if family in order]
        slots = sorted(order.index(family) for family in present)
        for slot, family in zip(slots, present, strict=True):
            order[slot] = family
    level = {family: position for position, family in enumerate(order)}
    return _unnumbered_siblings(
        [Heading(h.index, h.family, h.number, level[h.family]) for h in headings], paragraphs, settings
    )


def _unnumbered_siblings(
    headings: Sequence[Heading], paragraphs: Sequence[Paragraph], settings: Settings
) -> list[Heading]:
    """An unnumbered text-layer heading set exactly like numbered ones (size and font) takes
    the level of the nearest numbered heading of that style before it: a thesis's 小结 after
    ``3.3``, in the same bold at the same size, is a section beside it, not under it."""

    def style(heading: Heading) -> tuple[int, str]:
        paragraph = paragraphs[heading.index]
        return round(paragraph.size / settings.heading_size_step), paragraph.font

    last_numbered: dict[tuple[int, str], int] = {}
    placed: list[Heading] = []
    for heading in sorted(headings, key=lambda h: h.index):
        font = paragraphs[heading.index].font
        if heading.number is not None:
            last_numbered[style(heading)] = heading.level
        elif font and heading.family.startswith("style:") and style(heading) in last_numbered:
            heading = Heading(heading.index, heading.family, None, last_numbered[style(heading)])
        placed.append(heading)
    order = {h.index: position for position, h in enumerate(headings)}
    return sorted(placed, key=lambda h: order[h.index])
