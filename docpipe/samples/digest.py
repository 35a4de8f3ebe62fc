"""Render the digest sample PDFs in ``raw/`` and write their golden JSON.

Two issues of 电子政务信息汇编 are recovered from their seed texts
(:mod:`docpipe.samples.seeds`) and typeset with reportlab in two different
house styles, so that docpipe's extraction, furniture removal, wrap repair and
segmentation meet the variety they will meet in real digests:

* layout A (07-28): A4, AR PL UMing body, WenQuanYi Zen Hei titles and 【】
  section headings, a centred running header over a rule, footer ``— 3 —``;
* layout B (05-09): JIS B5, Zen Hei body, AR PL UKai titles, no section
  headings in the body, running headers alternating by page parity, footer
  ``第 3 页``, and one article printed in traditional characters.

Every glyph is placed by this module (no reportlab flowables), so the
typesetting is known exactly and follows Chinese word-processor conventions:
2 em first-line indent, justified lines, Latin words and numbers unbroken,
line-breaking rules (禁则), paragraphs flowing across pages, titles kept with
their first line, no widow/orphan control.  The golden JSON holds the canonical text of each article
(:func:`docpipe.samples.canonical.canonicalize`) and the physical pages where
it starts and ends.  Output is byte-for-byte reproducible.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, Literal

import opencc
from reportlab.lib.pagesizes import A4
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from docpipe.samples.canonical import canonicalize
from docpipe.samples.seeds import DigestSeed, SeedArticle, parse_digest_seed

#: ``../shared/seeds`` next to the repository root.
DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
FONT_DIR = Path("/usr/share/fonts/truetype")

# --- Chinese line-breaking rules (禁则) -----------------------------------------

#: No line may start with these (closing punctuation, full- and half-width).
NO_LINE_START = frozenset("，。、；：？！）】》〉」』”’…,.;:?!)]}")
#: No line may end with these (opening punctuation).
NO_LINE_END = frozenset("（【《〈「『“‘([{")
#: A doubled dash or ellipsis (——, ……) is one mark and is never split.
INSEPARABLE_PAIRS = frozenset("—…")
#: At most this much (in em) of closing punctuation is squeezed into a full
#: line ("pulled" up) before a character is pushed down instead.
MAX_SQUEEZE_EM = 1.0

#: Latin words and numbers, with the joiners that keep ``23,588``,
#: ``12:49:27``, ``2014-2020``, ``P+R`` and ``20%`` in one unbreakable unit.
_UNIT = re.compile(r"[A-Za-z0-9]+(?:[.,:/\-+@_&'][A-Za-z0-9]+)*%?|.", re.DOTALL)

#: Slack (points) below which a width still "fits": guards against float rounding.
FIT_TOLERANCE = 1e-6
#: Vertical position of the baseline in an em box, for the CJK fonts used here.
EM_BOX_ASCENT = 0.88
#: First-line indent of a paragraph, in em of the body size.
PARAGRAPH_INDENT_EM = 2.0

LineRole = Literal[
    "cover",
    "header",
    "footer",
    "contents-heading",
    "contents-section",
    "contents-entry",
    "section",
    "title",
    "body",
    "source",
]
PageKind = Literal["cover", "contents", "body"]

_TO_TRADITIONAL = opencc.OpenCC("s2t")
_TO_SIMPLIFIED = opencc.OpenCC("t2s")


# --- fonts and text styles ------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FontFace:
    """One TrueType face of a font collection, registered with reportlab under ``name``."""

    name: str  # reportlab registration name (the PDF BaseFont is the face's own, e.g. UMingCN-0)
    family: str  # the family name written to the golden layout info
    path: Path
    subfont_index: int


UMING_CN = FontFace("ARPLUMingCN", "AR PL UMing CN", FONT_DIR / "arphic" / "uming.ttc", 0)
UKAI_CN = FontFace("ARPLUKaiCN", "AR PL UKai CN", FONT_DIR / "arphic" / "ukai.ttc", 0)
ZEN_HEI = FontFace("WenQuanYiZenHei", "WenQuanYi Zen Hei", FONT_DIR / "wqy" / "wqy-zenhei.ttc", 0)


class MissingGlyphError(ValueError):
    """A character the chosen font cannot draw; it would silently render as a box."""


@cache
def _registered_font(face: FontFace) -> TTFont:
    """Register a face once per process and return it."""
    if face.name not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(face.name, str(face.path), subfontIndex=face.subfont_index))
    font = pdfmetrics.getFont(face.name)
    assert isinstance(font, TTFont)
    return font


@cache
def _advance_em(face: FontFace, char: str) -> float:
    """Advance width of ``char`` in em; raises if the face has no glyph for it."""
    font = _registered_font(face)
    if ord(char) not in font.face.charToGlyph:
        raise MissingGlyphError(f"{face.family} has no glyph for {char!r} (U+{ord(char):04X})")
    return float(font.stringWidth(char, 1.0))


@dataclass(frozen=True, slots=True)
class TextStyle:
    """A face at a size."""

    face: FontFace
    size: float

    def width(self, text: str) -> float:
        """Natural width of ``text`` in points."""
        return sum(_advance_em(self.face, char) for char in text) * self.size


# --- layouts ----------------------------------------------------------------------

HeaderStyle = Literal["centered-with-rule", "alternating"]
ContentsStyle = Literal["dot-leaders", "blank-gap"]
Alignment = Literal["left", "center", "right"]


@dataclass(frozen=True, slots=True)
class DigestLayout:
    """The house style of one sample: page, fonts, furniture and numbering."""

    name: str
    page_size_name: str
    page_width: float
    page_height: float
    margin_top: float
    margin_bottom: float
    margin_left: float
    margin_right: float
    header_baseline: float  # from the top edge
    footer_baseline: float  # from the bottom edge
    body: TextStyle
    title: TextStyle
    section: TextStyle | None  # None: sections appear only in the contents
    furniture: TextStyle  # running header and footer
    cover_title: TextStyle
    contents_heading: TextStyle
    contents_section: TextStyle
    line_pitch_em: float  # baseline-to-baseline distance, in em of each line's own size
    space_before_section_em: float  # extra space, in em of the body size
    space_before_title_em: float
    numbering: str  # "{n}. " or "{n}、"
    header_style: HeaderStyle
    header_rule_width: float  # 0 for no rule under the header
    footer_format: str
    footer_align: Alignment
    contents_style: ContentsStyle
    contents_entry_indent_em: float
    traditional_article: str | None  # number of the article printed in traditional characters

    @property
    def column_left(self) -> float:
        return self.margin_left

    @property
    def column_width(self) -> float:
        return self.page_width - self.margin_left - self.margin_right

    @property
    def frame_bottom(self) -> float:
        """Lowest point (from the top edge) a body line's slot may reach."""
        return self.page_height - self.margin_bottom


LAYOUT_A = DigestLayout(
    name="A",
    page_size_name="A4",
    page_width=A4[0],
    page_height=A4[1],
    # Word's defaults for a Chinese A4 document: 2.54 cm top/bottom, 3.17 cm left/right.
    margin_top=25.4 * mm,
    margin_bottom=25.4 * mm,
    margin_left=31.75 * mm,
    margin_right=31.75 * mm,
    header_baseline=17 * mm,
    footer_baseline=14 * mm,
    body=TextStyle(UMING_CN, 10.5),
    title=TextStyle(ZEN_HEI, 12),
    section=TextStyle(ZEN_HEI, 13),
    furniture=TextStyle(UMING_CN, 9),
    cover_title=TextStyle(ZEN_HEI, 32),
    contents_heading=TextStyle(ZEN_HEI, 16),
    contents_section=TextStyle(ZEN_HEI, 11),
    line_pitch_em=1.7,
    space_before_section_em=1.2,
    space_before_title_em=0.8,
    numbering="{n}. ",
    header_style="centered-with-rule",
    header_rule_width=0.5,
    footer_format="— {n} —",
    footer_align="center",
    contents_style="dot-leaders",
    contents_entry_indent_em=0,
    traditional_article=None,
)

JIS_B5 = (182 * mm, 257 * mm)

LAYOUT_B = DigestLayout(
    name="B",
    page_size_name="JIS B5",
    page_width=JIS_B5[0],
    page_height=JIS_B5[1],
    # A narrow column (110 mm, 28 em of body text) with a wide binding margin: long titles wrap.
    margin_top=24 * mm,
    margin_bottom=22 * mm,
    margin_left=38 * mm,
    margin_right=34 * mm,
    header_baseline=15 * mm,
    footer_baseline=12 * mm,
    body=TextStyle(ZEN_HEI, 11),
    title=TextStyle(UKAI_CN, 13),
    section=None,
    furniture=TextStyle(UKAI_CN, 9),
    cover_title=TextStyle(UKAI_CN, 30),
    contents_heading=TextStyle(UKAI_CN, 16),
    contents_section=TextStyle(UKAI_CN, 12),
    line_pitch_em=1.6,
    space_before_section_em=1.0,
    space_before_title_em=1.0,
    numbering="{n}、",
    header_style="alternating",
    header_rule_width=0,
    footer_format="第 {n} 页",
    footer_align="right",
    contents_style="blank-gap",
    contents_entry_indent_em=1.0,
    traditional_article="9",
)

#: The laboratory whose 秘书处 issues the digest (seeds README); layout B's odd headers name it.
ISSUER_ORGANIZATION = "电子政务云计算应用技术国家工程实验室"

#: Sample stem -> (seed file, layout).
DIGEST_SAMPLES: dict[str, tuple[str, DigestLayout]] = {
    "digest-2014-07-28": ("digest-2014-07-28.txt", LAYOUT_A),
    "digest-2014-05-09": ("digest-2014-05-09.txt", LAYOUT_B),
}


# --- line breaking and justification ------------------------------------------


@dataclass(frozen=True, slots=True)
class Unit:
    """An unbreakable piece of a line: one Chinese character or mark, a Latin word or number, a space."""

    text: str
    advances: tuple[float, ...]  # width of each character, in points

    @property
    def width(self) -> float:
        return sum(self.advances)

    @property
    def is_space(self) -> bool:
        return self.text.isspace()


@dataclass(frozen=True, slots=True)
class Glyph:
    """One character and its left edge, relative to the line's left edge."""

    char: str
    x: float


def split_units(text: str, style: TextStyle) -> list[Unit]:
    """Cut text into unbreakable units.

    >>> [u.text for u in split_units("共23,588张 at 12:49:27", TextStyle(UMING_CN, 10))]
    ['共', '23,588', '张', ' ', 'at', ' ', '12:49:27']
    """
    return [Unit(piece, tuple(style.width(char) for char in piece)) for piece in _UNIT.findall(text)]


def _neighbour_text(units: Sequence[Unit], index: int, step: int) -> str:
    """The first non-space unit from ``index`` in direction ``step``, or ""."""
    while 0 <= index < len(units):
        if not units[index].is_space:
            return units[index].text
        index += step
    return ""


def can_break_before(units: Sequence[Unit], index: int) -> bool:
    """Whether a line may end before ``units[index]`` under the 禁则 rules."""
    before = _neighbour_text(units, index - 1, -1)
    after = _neighbour_text(units, index, 1)
    if not before or not after:
        return True
    if after[0] in NO_LINE_START or before[-1] in NO_LINE_END:
        return False
    return not (before[-1] == after[0] and after[0] in INSEPARABLE_PAIRS)


def _choose_break(units: Sequence[Unit], start: int, overflow_at: int, slack: float, em: float) -> int:
    """Where to end a line whose units ``start:overflow_at`` fit, leaving ``slack`` points.

    A single closing mark that does not fit is pulled up into the line when
    the squeeze stays under :data:`MAX_SQUEEZE_EM`; otherwise characters are
    pushed down to the next line until the break is allowed.
    """
    if can_break_before(units, overflow_at):
        return overflow_at
    pulled = overflow_at + 1
    is_closing_mark = units[overflow_at].text in NO_LINE_START
    squeeze = units[overflow_at].width - slack
    if is_closing_mark and squeeze <= MAX_SQUEEZE_EM * em and can_break_before(units, pulled):
        return pulled
    for candidate in range(overflow_at - 1, start, -1):
        if can_break_before(units, candidate):
            return candidate
    return overflow_at


def _strip_spaces(units: Sequence[Unit]) -> list[Unit]:
    """Drop spaces at both ends of a line: a space at a line break is not printed."""
    items = list(units)
    while items and items[0].is_space:
        items.pop(0)
    while items and items[-1].is_space:
        items.pop()
    return items


def break_lines(units: Sequence[Unit], *, measure: float, first_indent: float, em: float) -> list[list[Unit]]:
    """Break a paragraph's units into lines filling ``measure`` points (the first one indented)."""
    lines: list[list[Unit]] = []
    start = 0
    while start < len(units):
        while start < len(units) and units[start].is_space:
            start += 1
        available = measure - (first_indent if not lines else 0.0)
        end, width = start, 0.0
        while end < len(units) and width + units[end].width <= available + FIT_TOLERANCE:
            width += units[end].width
            end += 1
        if end < len(units):
            end = _choose_break(units, start, max(end, start + 1), available - width, em)
        line = _strip_spaces(units[start:end])
        if line:
            lines.append(line)
        start = end
    return lines


def justify(units: Sequence[Unit], *, indent: float, measure: float, stretch: bool) -> tuple[Glyph, ...]:
    """Place glyphs from ``indent``; when ``stretch``, spread the slack over the gaps between units.

    The slack goes between units only, so a Latin word or a number keeps its
    natural letter spacing and an extractor still reads it as one word.  A
    line that a pulled-up closing mark overfills is squeezed, stretch or not.
    """
    natural = sum(unit.width for unit in units)
    slack = measure - indent - natural
    gaps = len(units) - 1
    extra = slack / gaps if (stretch or slack < 0) and gaps > 0 else 0.0
    glyphs: list[Glyph] = []
    x = indent
    for unit in units:
        for char, advance in zip(unit.text, unit.advances, strict=True):
            glyphs.append(Glyph(char, x))
            x += advance
        x += extra
    return tuple(glyphs)


# --- typeset lines and pages -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetLine:
    """A typeset line: glyphs positioned relative to its left edge, in one style."""

    glyphs: tuple[Glyph, ...]
    style: TextStyle
    role: LineRole
    article: int | None = None  # seq of the article the line belongs to
    keep_with_next: bool = False  # never the last line of a page
    space_before: float = 0.0  # extra space above, dropped at the top of a page
    ends_paragraph: bool = False

    @property
    def text(self) -> str:
        return "".join(glyph.char for glyph in self.glyphs)


@dataclass(frozen=True, slots=True)
class PlacedLine:
    """A typeset line at its place on a page (points, origin top-left as in cleaners.records)."""

    line: SetLine
    x0: float
    baseline: float


@dataclass(frozen=True, slots=True)
class Rule:
    """A horizontal rule (points, origin top-left)."""

    x0: float
    x1: float
    y: float
    width: float


@dataclass(frozen=True, slots=True)
class PagePlan:
    """Everything drawn on one physical page."""

    number: int  # 1-based physical page
    kind: PageKind
    printed: int | None  # printed page number, None where none is printed
    lines: tuple[PlacedLine, ...]
    rules: tuple[Rule, ...] = ()


@dataclass(frozen=True, slots=True)
class DigestPlan:
    """The typeset document: its pages and where each article lies."""

    layout: DigestLayout
    seed: DigestSeed
    pages: tuple[PagePlan, ...]
    article_pages: dict[int, tuple[int, int]]  # seq -> (physical page of title, of last line)

    @property
    def contents_pages(self) -> tuple[int, ...]:
        return tuple(page.number for page in self.pages if page.kind == "contents")

    @property
    def first_body_page(self) -> int:
        return next(page.number for page in self.pages if page.kind == "body")


def _line_advance(line: SetLine, layout: DigestLayout) -> float:
    return line.style.size * layout.line_pitch_em


def _chain_height(lines: Sequence[SetLine], start: int, layout: DigestLayout, at_page_top: bool) -> float:
    """Height of ``lines[start]`` and the lines it is kept with (up to the first free line)."""
    height = 0.0
    for index in range(start, len(lines)):
        line = lines[index]
        before = 0.0 if (index == start and at_page_top) else line.space_before
        height += before + _line_advance(line, layout)
        if not line.keep_with_next:
            break
    return height


def paginate(lines: Sequence[SetLine], layout: DigestLayout) -> list[list[PlacedLine]]:
    """Flow lines down the text column, page after page, keeping ``keep_with_next`` chains together."""
    pages: list[list[PlacedLine]] = [[]]
    cursor = layout.margin_top
    for index, line in enumerate(lines):
        at_top = not pages[-1]
        chain = _chain_height(lines, index, layout, False)
        if not at_top and cursor + chain > layout.frame_bottom + FIT_TOLERANCE:
            pages.append([])
            cursor, at_top = layout.margin_top, True
        cursor += 0.0 if at_top else line.space_before
        advance = _line_advance(line, layout)
        baseline = cursor + (advance - line.style.size) / 2 + line.style.size * EM_BOX_ASCENT
        pages[-1].append(PlacedLine(line, layout.column_left, baseline))
        cursor += advance
    return pages


def set_paragraph(
    text: str,
    style: TextStyle,
    width: float,
    *,
    indent: float,
    role: LineRole,
    article: int | None,
    keep_with_next: bool = False,
    space_before: float = 0.0,
) -> list[SetLine]:
    """Typeset one paragraph (or title): lines filled and justified, the last one flush left."""
    units = split_units(text, style)
    broken = break_lines(units, measure=width, first_indent=indent, em=style.size)
    lines: list[SetLine] = []
    for number, line_units in enumerate(broken):
        is_last = number == len(broken) - 1
        glyphs = justify(
            line_units, indent=indent if number == 0 else 0.0, measure=width, stretch=not is_last
        )
        lines.append(
            SetLine(
                glyphs,
                style,
                role,
                article,
                keep_with_next=keep_with_next,
                space_before=space_before if number == 0 else 0.0,
                ends_paragraph=is_last,
            )
        )
    return lines


def set_line_aligned(text: str, style: TextStyle, width: float, align: Alignment, role: LineRole) -> SetLine:
    """A one-line text aligned in a column of ``width`` points, at natural spacing."""
    natural = style.width(text)
    offset = {"left": 0.0, "center": (width - natural) / 2, "right": width - natural}[align]
    return SetLine(
        justify(split_units(text, style), indent=offset, measure=width, stretch=False), style, role
    )


# --- the printed document -------------------------------------------------------


def printed_title(article: SeedArticle, layout: DigestLayout) -> str:
    """The title line as printed: numbering, then the title (traditional where the layout says so)."""
    return layout.numbering.format(n=article.number) + _as_printed(article.title, article, layout)


def printed_paragraphs(article: SeedArticle, layout: DigestLayout) -> tuple[str, ...]:
    """The paragraphs as printed, an own-line attribution last (traditional where the layout says so)."""
    paragraphs = article.paragraphs
    if article.attribution is not None and article.attribution.own_line:
        paragraphs = (*paragraphs, article.attribution.printed)
    return tuple(_as_printed(paragraph, article, layout) for paragraph in paragraphs)


def _as_printed(text: str, article: SeedArticle, layout: DigestLayout) -> str:
    if article.number != layout.traditional_article:
        return text
    traditional = str(_TO_TRADITIONAL.convert(text))
    if _TO_SIMPLIFIED.convert(traditional) != text:
        # The golden text is the simplified seed: it must come back exactly.
        raise ValueError(f"article {article.number} does not survive s2t -> t2s; choose another one")
    return traditional


def set_body(seed: DigestSeed, layout: DigestLayout) -> list[SetLine]:
    """All body lines of the digest, in reading order: section headings, titles, paragraphs."""
    width, em = layout.column_width, layout.body.size
    lines: list[SetLine] = []
    section: str | None = None
    for seq, article in enumerate(seed.articles, start=1):
        title_space = layout.space_before_title_em * em
        if layout.section is not None and article.section != section:
            heading = f"【{article.section}】"
            lines += set_paragraph(
                heading,
                layout.section,
                width,
                indent=0.0,
                role="section",
                article=None,
                keep_with_next=True,
                space_before=layout.space_before_section_em * em,
            )
            title_space = 0.0
        section = article.section
        lines += set_paragraph(
            printed_title(article, layout),
            layout.title,
            width,
            indent=0.0,
            role="title",
            article=seq,
            keep_with_next=True,
            space_before=title_space,
        )
        paragraphs = printed_paragraphs(article, layout)
        for number, paragraph in enumerate(paragraphs):
            own_line_source = number == len(paragraphs) - 1 and _is_own_line_attribution(article)
            lines += set_paragraph(
                paragraph,
                layout.body,
                width,
                indent=PARAGRAPH_INDENT_EM * em,
                role="source" if own_line_source else "body",
                article=seq,
            )
    return lines


def _is_own_line_attribution(article: SeedArticle) -> bool:
    return article.attribution is not None and article.attribution.own_line


def set_contents(seed: DigestSeed, layout: DigestLayout, printed_pages: dict[str, int]) -> list[SetLine]:
    """The 目录: heading, section lines, and one line per entry ending in its printed page number."""
    width, em = layout.column_width, layout.body.size
    heading = set_line_aligned(
        seed.contents_heading, layout.contents_heading, width, "center", "contents-heading"
    )
    lines = [heading]
    section: str | None = None
    for entry in seed.contents:
        if entry.section != section:
            section_line = set_line_aligned(
                f"【{entry.section}】", layout.contents_section, width, "left", "contents-section"
            )
            space = CONTENTS_SECTION_SPACE_EM * em
            lines.append(replace(section_line, keep_with_next=True, space_before=space))
            section = entry.section
        numbering = layout.numbering.format(n=entry.number)
        lines += _set_contents_entry(numbering, entry.title, str(printed_pages[entry.number]), layout)
    return lines


#: Extra space (in em of the body size) above a section line of the contents.
CONTENTS_SECTION_SPACE_EM = 0.6
#: Gap (in em) kept between a contents title and its leaders or page number.
CONTENTS_GAP_EM = 0.5
#: Room (in em) kept at the right of a contents title for the gap and the page
#: number, whatever the number: so the contents' length never depends on the
#: page numbers it prints, and one pass of the body fixes everything.
CONTENTS_NUMBER_ZONE_EM = 3.0
LEADER_DOT = "."


def _set_contents_entry(numbering: str, title: str, page: str, layout: DigestLayout) -> list[SetLine]:
    """``1. 标题 ……… 3`` (dot leaders) or ``1、标题        3`` (blank gap), the number flush right.

    A title too long for one line wraps with a hanging indent under the
    title, and the page number goes on its last line, as a word processor's
    contents field does.
    """
    style, width = layout.body, layout.column_width
    indent = layout.contents_entry_indent_em * style.size
    hang = style.width(numbering)
    available = width - indent - CONTENTS_NUMBER_ZONE_EM * style.size
    units = split_units(numbering + title, style)
    broken = break_lines(units, measure=available - hang, first_indent=-hang, em=style.size)
    lines = [
        SetLine(
            justify(line_units, indent=indent + (0.0 if number == 0 else hang), measure=width, stretch=False),
            style,
            "contents-entry",
            keep_with_next=number < len(broken) - 1,
        )
        for number, line_units in enumerate(broken)
    ]
    last = lines[-1]
    title_end = last.glyphs[-1].x + style.width(last.glyphs[-1].char)
    number_x = width - style.width(page)
    number_glyphs = justify(split_units(page, style), indent=number_x, measure=width, stretch=False)
    leaders: tuple[Glyph, ...] = ()
    if layout.contents_style == "dot-leaders":
        gap = CONTENTS_GAP_EM * style.size
        leaders = _leader_dots(title_end + gap, number_x - gap, style)
    lines[-1] = SetLine(last.glyphs + leaders + number_glyphs, style, "contents-entry")
    return lines


def _leader_dots(start: float, end: float, style: TextStyle) -> tuple[Glyph, ...]:
    """Leader dots at their natural pitch, the last one ending at ``end``."""
    pitch = style.width(LEADER_DOT)
    count = int((end - start) // pitch)
    return tuple(Glyph(LEADER_DOT, end - (count - k) * pitch) for k in range(count))


# --- page furniture and cover ---------------------------------------------------


def _placed(line: SetLine, layout: DigestLayout, baseline: float) -> PlacedLine:
    return PlacedLine(line, layout.column_left, baseline)


#: How far (in em of the header size) below the header's baseline its rule runs: clear of descenders.
HEADER_RULE_DROP_EM = 0.45


def header_lines(
    seed: DigestSeed, layout: DigestLayout, physical: int
) -> tuple[list[PlacedLine], list[Rule]]:
    """The running header of a contents or body page, and the rule under it if the layout has one."""
    width = layout.column_width
    if layout.header_style == "centered-with-rule":
        line = set_line_aligned(
            f"{seed.doc_title}\u3000{seed.issue_label}", layout.furniture, width, "center", "header"
        )
    elif physical % 2:
        line = set_line_aligned(
            f"{ISSUER_ORGANIZATION}{seed.issuer}", layout.furniture, width, "right", "header"
        )
    else:
        line = set_line_aligned(
            f"{seed.doc_title}\u3000{seed.issue_label}", layout.furniture, width, "left", "header"
        )
    rules = []
    if layout.header_rule_width:
        rule_y = layout.header_baseline + HEADER_RULE_DROP_EM * layout.furniture.size
        rules.append(Rule(layout.column_left, layout.column_left + width, rule_y, layout.header_rule_width))
    return [_placed(line, layout, layout.header_baseline)], rules


def footer_line(layout: DigestLayout, printed: int) -> PlacedLine:
    """The printed page number at the foot of a body page."""
    text = layout.footer_format.format(n=printed)
    line = set_line_aligned(text, layout.furniture, layout.column_width, layout.footer_align, "footer")
    return _placed(line, layout, layout.page_height - layout.footer_baseline)


#: Cover: type sizes in points, and each baseline as a fraction of the page height from the top.
COVER_DATE_SIZE = 15.0
COVER_LABEL_SIZE = 18.0
COVER_ISSUER_SIZE = 16.0
COVER_TITLE_AT = 0.30
COVER_DATE_AT = 0.38
COVER_LABEL_AT = 0.43
COVER_ISSUER_AT = 0.78
COVER_RULE_WIDTH = 1.5


def cover_page(seed: DigestSeed, layout: DigestLayout) -> PagePlan:
    """Cover: large title, date, issue label, issuer; no header or footer."""
    width, height = layout.column_width, layout.page_height
    small = TextStyle(layout.cover_title.face, COVER_DATE_SIZE)
    rows = [
        (seed.doc_title, layout.cover_title, COVER_TITLE_AT),
        (seed.date_text, small, COVER_DATE_AT),
        (seed.issue_label, TextStyle(layout.cover_title.face, COVER_LABEL_SIZE), COVER_LABEL_AT),
        (seed.issuer, TextStyle(layout.cover_title.face, COVER_ISSUER_SIZE), COVER_ISSUER_AT),
    ]
    lines = tuple(
        _placed(set_line_aligned(text, style, width, "center", "cover"), layout, height * at)
        for text, style, at in rows
    )
    rule_y = height * COVER_LABEL_AT + COVER_LABEL_SIZE
    rule = Rule(layout.column_left, layout.column_left + width, rule_y, COVER_RULE_WIDTH)
    return PagePlan(1, "cover", None, lines, (rule,))


# --- planning the whole document -------------------------------------------------


def plan_digest(seed: DigestSeed, layout: DigestLayout) -> DigestPlan:
    """Typeset a digest: cover, contents (with real page numbers), body.

    The body starts on a fresh page and its printed numbers count from that
    page, so they do not depend on the length of the contents; the contents
    are set after the body, with those numbers.  The physical pages in the
    golden JSON are then fixed by the contents' length.
    """
    body_pages = paginate(set_body(seed, layout), layout)
    printed_pages = _printed_title_pages(seed, body_pages)
    contents_pages = paginate(set_contents(seed, layout, printed_pages), layout)
    first_body = 2 + len(contents_pages)
    pages = [cover_page(seed, layout)]
    for offset, placed in enumerate(contents_pages):
        pages.append(_furnished_page(seed, layout, 2 + offset, "contents", None, placed))
    for offset, placed in enumerate(body_pages):
        pages.append(_furnished_page(seed, layout, first_body + offset, "body", offset + 1, placed))
    return DigestPlan(layout, seed, tuple(pages), _article_pages(body_pages, first_body))


def _furnished_page(
    seed: DigestSeed,
    layout: DigestLayout,
    physical: int,
    kind: PageKind,
    printed: int | None,
    placed: Sequence[PlacedLine],
) -> PagePlan:
    header, rules = header_lines(seed, layout, physical)
    footer = [footer_line(layout, printed)] if printed is not None else []
    return PagePlan(physical, kind, printed, (*header, *placed, *footer), tuple(rules))


def _printed_title_pages(seed: DigestSeed, body_pages: Sequence[Sequence[PlacedLine]]) -> dict[str, int]:
    """Article number -> printed page of its title."""
    pages: dict[str, int] = {}
    for printed, page in enumerate(body_pages, start=1):
        for placed in page:
            if placed.line.role == "title" and placed.line.article is not None:
                number = seed.articles[placed.line.article - 1].number
                pages.setdefault(number, printed)
    return pages


def _article_pages(body_pages: Sequence[Sequence[PlacedLine]], first_body: int) -> dict[int, tuple[int, int]]:
    """Article seq -> (physical page of its title, physical page of its last line)."""
    spans: dict[int, tuple[int, int]] = {}
    for offset, page in enumerate(body_pages):
        for placed in page:
            seq = placed.line.article
            if seq is not None:
                start = spans.get(seq, (first_body + offset, 0))[0]
                spans[seq] = (start, first_body + offset)
    return spans


# --- rendering ---------------------------------------------------------------------


def render_pdf(plan: DigestPlan, path: Path, *, title: str) -> None:
    """Draw the plan with reportlab, every glyph at its computed place; output is reproducible."""
    layout = plan.layout
    canvas = Canvas(
        str(path), pagesize=(layout.page_width, layout.page_height), invariant=1, pageCompression=1
    )
    canvas.setTitle(title)
    canvas.setAuthor(plan.seed.issuer)
    canvas.setCreator("docpipe.samples.digest")
    _assign_font_codes(canvas, plan)
    for page in plan.pages:
        for placed in page.lines:
            _draw_line(canvas, placed, layout.page_height)
        for rule in page.rules:
            canvas.setLineWidth(rule.width)
            canvas.line(rule.x0, layout.page_height - rule.y, rule.x1, layout.page_height - rule.y)
        canvas.showPage()
    canvas.save()


def _assign_font_codes(canvas: Canvas, plan: DigestPlan) -> None:
    """Give each face's most frequent characters its first font subsets.

    reportlab draws a TrueType font as subsets of 256 codes, handed out in
    order of first use, and every change of subset inside a line costs a
    ``Tf`` and a new text run.  Handing the codes out by frequency instead
    (ties by code point, so the output stays reproducible) keeps most
    neighbouring characters in the same subset.
    """
    counts: dict[FontFace, Counter[str]] = {}
    for page in plan.pages:
        for placed in page.lines:
            counts.setdefault(placed.line.style.face, Counter()).update(placed.line.text)
    for face, counter in counts.items():
        ordered = sorted(counter, key=lambda char: (-counter[char], char))
        _registered_font(face).splitString("".join(ordered), canvas._doc)


@dataclass(frozen=True, slots=True)
class GlyphRun:
    """Consecutive glyphs of a line separated by one constant extra spacing: one PDF text run."""

    x: float
    text: str
    char_space: float  # extra space between its glyphs (the PDF Tc operator), in points


@dataclass(frozen=True, slots=True)
class PlacedGlyph:
    """One glyph where it is drawn on the page (points, origin top-left)."""

    char: str
    x: float  # left edge
    baseline: float


#: Two glyph gaps closer than this (points) are the same gap.
GAP_TOLERANCE = 1e-4


def glyph_runs(line: SetLine, pieces: Sequence[int] = ()) -> list[GlyphRun]:
    """Group a line's glyphs into runs of constant spacing, none straddling a piece.

    ``pieces`` are the lengths of consecutive pieces of ``line.text`` that
    must start a run of their own: in :func:`_draw_line`, the font subsets
    reportlab draws with a ``Tj`` each.  Each run is positioned on its own,
    and the constant spacing applies between its glyphs only, so nothing
    depends on the ``Tc`` after the last glyph of a ``Tj`` (which pdfminer,
    unlike the PDF specification and pdfium, leaves out).  Grouping keeps
    the content stream short, which makes the samples quick to parse.
    """
    starts = {0}
    offset = 0
    for length in pieces:
        offset += length
        starts.add(offset)
    runs: list[GlyphRun] = []
    glyphs = line.glyphs
    start = 0
    while start < len(glyphs):
        end = start + 1
        char_space: float | None = None
        while end < len(glyphs) and end not in starts:
            gap = glyphs[end].x - glyphs[end - 1].x - line.style.width(glyphs[end - 1].char)
            if char_space is not None and abs(gap - char_space) > GAP_TOLERANCE:
                break
            char_space = gap
            end += 1
        text = "".join(glyph.char for glyph in glyphs[start:end])
        runs.append(GlyphRun(glyphs[start].x, text, char_space or 0.0))
        start = end
    return runs


def placed_glyphs(page: PagePlan) -> list[PlacedGlyph]:
    """Every glyph of a page at its computed place, in drawing order: what a PDF reader must find."""
    return [
        PlacedGlyph(glyph.char, placed.x0 + glyph.x, placed.baseline)
        for placed in page.lines
        for glyph in placed.line.glyphs
    ]


def _draw_line(canvas: Canvas, placed: PlacedLine, page_height: float) -> None:
    """Draw a line run by run: the first run at an absolute origin, the others by ``Td`` from it.

    Each ``Td`` is computed from the offset as written (not as intended), so
    the rounding of the numbers in the content stream never accumulates.
    """
    line, style = placed.line, placed.line.style
    font = _registered_font(style.face)
    pieces = [len(chunk) for _, chunk in font.splitString(line.text, canvas._doc)]
    text = canvas.beginText()
    text.setFont(style.face.name, style.size)
    origin: float | None = None  # x of the current text line, relative to the line's left edge
    char_space: str | None = None  # Tc as written; text state outlives BT ... ET, so set it once a line
    for run in glyph_runs(line, pieces):
        if origin is None:
            text.setTextOrigin(placed.x0 + run.x, page_height - placed.baseline)
            origin = run.x
        else:
            step = fp_str(run.x - origin)
            text.moveCursor(float(step), 0)
            origin += float(step)
        if len(run.text) > 1 and fp_str(run.char_space) != char_space:
            char_space = fp_str(run.char_space)
            text.setCharSpace(float(char_space))
        text.textOut(run.text)
    canvas.drawText(text)


# --- golden JSON -----------------------------------------------------------------


def golden_document(plan: DigestPlan, pdf_name: str) -> dict[str, Any]:
    """The golden expectations of a sample, per docs/CONTRACTS.md."""
    seed = plan.seed
    return {
        "source_file": pdf_name,
        "doc_kind": "digest",
        "doc_title": seed.doc_title,
        "issue_date": seed.issue_date.isoformat(),
        "issue_label": seed.issue_label,
        "layout": layout_info(plan),
        "pages": len(plan.pages),
        "articles": [
            golden_article(plan, seq, article) for seq, article in enumerate(seed.articles, start=1)
        ],
    }


def golden_article(plan: DigestPlan, seq: int, article: SeedArticle) -> dict[str, Any]:
    """One article in canonical text, with the physical pages of its title and last line."""
    page_start, page_end = plan.article_pages[seq]
    paragraphs = [canonicalize(p) for p in article.paragraphs_without_attribution]
    return {
        "seq": seq,
        "number": article.number,
        "section": article.section,
        "title": canonicalize(article.title),
        "paragraphs": [p for p in paragraphs if p],
        "source": canonicalize(article.attribution.source) if article.attribution else None,
        "page_start": page_start,
        "page_end": page_end,
    }


def layout_info(plan: DigestPlan) -> dict[str, Any]:
    """What the sample's typesetting is, for whoever reads the golden file."""
    layout = plan.layout
    return {
        "name": layout.name,
        "page_size": layout.page_size_name,
        "page_width_pt": round(layout.page_width, 2),
        "page_height_pt": round(layout.page_height, 2),
        "margins_mm": {
            side: round(getattr(layout, f"margin_{side}") / mm, 2)
            for side in ("top", "bottom", "left", "right")
        },
        "body_font": layout.body.face.family,
        "body_size": layout.body.size,
        "title_font": layout.title.face.family,
        "title_size": layout.title.size,
        "section_font": layout.section.face.family if layout.section else None,
        "section_headings_in_body": layout.section is not None,
        "line_pitch_em": layout.line_pitch_em,
        "header": layout.header_style,
        "footer": layout.footer_format,
        "numbering": layout.numbering.format(n=1),
        "contents_style": layout.contents_style,
        "contents_pages": list(plan.contents_pages),
        "first_body_page": plan.first_body_page,
        "traditional_article": layout.traditional_article,
    }


# --- entry points ------------------------------------------------------------------


def build_digest_sample(seed_path: Path, layout: DigestLayout, raw_dir: Path, stem: str) -> tuple[Path, Path]:
    """Write ``raw_dir/<stem>.pdf`` and ``raw_dir/<stem>.golden.json`` from one seed."""
    seed = parse_digest_seed(seed_path)
    plan = plan_digest(seed, layout)
    pdf_path = raw_dir / f"{stem}.pdf"
    golden_path = raw_dir / f"{stem}.golden.json"
    render_pdf(plan, pdf_path, title=f"{seed.doc_title} {seed.issue_label}")
    golden = golden_document(plan, pdf_path.name)
    golden_path.write_text(json.dumps(golden, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return pdf_path, golden_path


def build_digest_samples(raw_dir: Path, seeds_dir: Path = DEFAULT_SEEDS_DIR) -> list[Path]:
    """Write both digest samples and their golden JSON into ``raw_dir``; return the paths written."""
    raw_dir.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for stem, (seed_name, layout) in DIGEST_SAMPLES.items():
        written += build_digest_sample(seeds_dir / seed_name, layout, raw_dir, stem)
    return written


def iter_plans(seeds_dir: Path = DEFAULT_SEEDS_DIR) -> Iterator[tuple[str, DigestPlan]]:
    """(stem, plan) of each digest sample, without rendering: for tests and inspection."""
    for stem, (seed_name, layout) in DIGEST_SAMPLES.items():
        yield stem, plan_digest(parse_digest_seed(seeds_dir / seed_name), layout)


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m docpipe.samples.digest [RAW_DIR [SEEDS_DIR]]``."""
    args = list(sys.argv[1:] if argv is None else argv)
    raw_dir = Path(args[0]) if args else Path(__file__).resolve().parents[2] / "raw"
    seeds_dir = Path(args[1]) if len(args) > 1 else DEFAULT_SEEDS_DIR
    for path in build_digest_samples(raw_dir, seeds_dir):
        print(path)


if __name__ == "__main__":
    main()
