"""Scanned-book sample: 《中国地方政府大数据运用》 as a book scan, with its golden expectations.

The printed book is only available as a scan, so the sample is one: the seed text
(``shared/seeds/book-local-government-big-data.txt``) is parsed into the book's real
parts (cover, title page, CIP page, 序言, 目录 and the start of 第一章 with table 表1-1),
typeset the way a 16开 Chinese book is (Song body type, 2-em indents, justified lines
that obey the Chinese line-breaking rules, running heads, page numbers roman in the
front matter and arabic from the first chapter), rasterised page by page at a scanner
resolution, degraded like a scan (paper tone, gutter shadow, noise, skew, blur, JPEG)
and wrapped into an image-only PDF: one grayscale JPEG per page, no text layer.

The golden JSON next to it follows ``docs/CONTRACTS.md``.  Book-specific choices:

* ``section`` of a chapter's articles is ``"第一章 地方政府大数据发展政策概况"``: the
  chapter number, one ASCII space, the chapter title.  The chapter's introduction
  (the text before its first ``一、`` section) is an article whose ``title`` is that
  same string; each ``一、…`` section is one article titled ``"一、…"``.
* 序言 is an article with ``section`` null.
* Table 表1-1: its caption is a paragraph (``"表1-1我国…"``: canonical text has no space
  between a digit and a Chinese character), then the header row and every body row
  as a paragraph with the cells joined by ``\\t``.
* Extra keys for checking page furniture: ``printed_pages`` (physical page -> the
  number printed on it, or null), ``running_heads`` (physical page -> the running head,
  or null) and ``scan_dpi`` (physical page -> resolution of its image).

The extraction artifacts of the seed are removed (markdown headings, ``<b>``, ``---``
rules, the ``and`` slip, paragraphs split by page breaks, half-width punctuation and
spaces around digits inside Chinese); the print's own slips (``xinhupub``,
``2016.4.22``, ``各地的所采取的``) stay.  Everything is seeded: regenerating gives a
byte-identical PDF.

Regenerate with ``python -m docpipe.samples.book [--raw DIR] [--seeds DIR]``.
"""

from __future__ import annotations

import argparse
import functools
import io
import json
import math
import random
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

# --- files -------------------------------------------------------------------

SEED_NAME = "book-local-government-big-data.txt"
SAMPLE_STEM = "book-local-government-big-data"
DEFAULT_SEEDS_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "seeds"
DEFAULT_RAW_DIR = Path(__file__).resolve().parents[2] / "raw"

FontKey = Literal["song", "hei", "kai"]
#: (file, face index): AR PL UMing CN is a Ming/Song book face; Zen Hei stands in for 黑体.
FONT_FACES: dict[FontKey, tuple[str, int]] = {
    "song": ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    "hei": ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    "kai": ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0),
}
FONT_NAMES: dict[FontKey, str] = {
    "song": "AR PL UMing CN",
    "hei": "WenQuanYi Zen Hei",
    "kai": "AR PL UKai CN",
}

# --- page geometry (PDF points unless the name says otherwise) ------------------

MM_PER_INCH = 25.4
PT_PER_INCH = 72.0
PT_PER_MM = PT_PER_INCH / MM_PER_INCH

PAGE_WIDTH_MM = 170.0  # 16开 trimmed, from the CIP page's 710 × 1000 mm 1/16
PAGE_HEIGHT_MM = 240.0
PAGE_WIDTH = PAGE_WIDTH_MM * PT_PER_MM
PAGE_HEIGHT = PAGE_HEIGHT_MM * PT_PER_MM

BODY_SIZE = 10.5  # 五号, the usual body size of a Chinese book
BODY_PITCH = BODY_SIZE * 1.75  # baseline to baseline
CHARS_PER_LINE = 33
TEXT_WIDTH = CHARS_PER_LINE * BODY_SIZE  # a whole number of em, so full lines need no stretching
INNER_MARGIN = 25.0 * PT_PER_MM  # the binding side: left on a recto, right on a verso
OUTER_MARGIN = PAGE_WIDTH - INNER_MARGIN - TEXT_WIDTH
# The body stays clear of the top and bottom 12 % of the page, where furniture lives.
TEXT_TOP = 30.0 * PT_PER_MM
TEXT_BOTTOM = 208.0 * PT_PER_MM
BODY_HEIGHT = TEXT_BOTTOM - TEXT_TOP

FURNITURE_SIZE = 9.0
RUNNING_HEAD_BASELINE = 19.0 * PT_PER_MM
RUNNING_HEAD_RULE_Y = 21.0 * PT_PER_MM
RUNNING_HEAD_RULE_WIDTH = 0.5
FOLIO_BASELINE = 222.0 * PT_PER_MM

PARAGRAPH_INDENT_EM = 2
#: Where the baseline sits inside a glyph's em box, measured from its top (AR PL UMing: 0.88).
EM_BASELINE = 0.88
JUSTIFY_TOLERANCE = 0.01  # points a line may exceed the measure by, against float error

# --- headings -------------------------------------------------------------------

OPENER_SINK = 22.0 * PT_PER_MM  # a chapter, 序言 or 目录 opens this far down the text block
OPENER_HEADING_SIZE = 16.0  # 三号
OPENER_HEADING_HEIGHT = 2.0 * BODY_PITCH
OPENER_SPACE_AFTER = 1.5 * BODY_PITCH
SECTION_SIZE = 12.0  # 小四
SECTION_SPACE_BEFORE = 0.8 * BODY_PITCH
SECTION_HEIGHT = 1.6 * BODY_PITCH
SECTION_SPACE_AFTER = 0.4 * BODY_PITCH
SUBSECTION_SIZE = BODY_SIZE
#: Space between 序 and 言 in a two-character heading, as books set it.
IDEOGRAPHIC_SPACE = "\u3000"

# --- table ----------------------------------------------------------------------

TABLE_SIZE = 9.0  # 小五
TABLE_PITCH = TABLE_SIZE * 1.45
CAPTION_SIZE = 9.5
CAPTION_HEIGHT = 1.5 * BODY_PITCH
CAPTION_SPACE_BEFORE = 0.5 * BODY_PITCH
TABLE_SPACE_AFTER = 0.6 * BODY_PITCH
CELL_PAD_X = 3.0
CELL_PAD_Y = 3.0
TABLE_RULE_WIDTH = 0.6
#: Width in table em of every column but the document-name column, which takes the rest.
TABLE_FIXED_COLUMNS_EM: dict[int, float] = {0: 3.4, 1: 5.4, 3: 7.4}
TABLE_WIDE_COLUMN = 2
TABLE_CENTRED_COLUMNS = frozenset({0, 1, 3})

# --- contents -------------------------------------------------------------------

TOC_PITCH = BODY_SIZE * 1.5  # contents are set tighter than prose
TOC_LEVEL_INDENT_EM = 2
TOC_LEADER = "…"
TOC_LEADER_GAP_EM = 0.5
TOC_PAGE_COLUMN_EM = 2.5  # right-aligned page numbers end at the measure

# --- front matter ---------------------------------------------------------------

COVER_AUTHOR_BASELINE = 45.0 * PT_PER_MM
COVER_AUTHOR_SIZE = 12.0
COVER_TITLE_BASELINE = 85.0 * PT_PER_MM
COVER_TITLE_SIZE = 30.0
COVER_TITLE_PITCH = 1.5 * COVER_TITLE_SIZE
COVER_PINYIN_BASELINE = 120.0 * PT_PER_MM
COVER_PINYIN_SIZE = 11.0
COVER_PINYIN_PITCH = 1.6 * COVER_PINYIN_SIZE
PUBLISHER_BASELINE = 205.0 * PT_PER_MM
PUBLISHER_SIZE = 14.0
TITLE_PAGE_TITLE_BASELINE = 80.0 * PT_PER_MM
TITLE_PAGE_TITLE_SIZE = 22.0
TITLE_PAGE_AUTHOR_BASELINE = 105.0 * PT_PER_MM
TITLE_PAGE_AUTHOR_SIZE = 12.0
CIP_TOP = 32.0 * PT_PER_MM
CIP_HEADING_SIZE = 10.5
CIP_SIZE = 9.0
CIP_PITCH = 1.75 * CIP_SIZE
CIP_DATA_INDENT_EM = 2
CIP_BLOCK_GAP = 2.0 * CIP_PITCH
CIP_TITLE_SIZE = 12.0
CIP_GROUP_GAP = 0.5 * CIP_PITCH  # above and below the rule between two groups
CIP_RULE_WIDTH = 0.5

# --- scan simulation ------------------------------------------------------------

RANDOM_SEED = 20190401  # the book's month of publication; any constant will do
#: Resolution of each page's image, cycled over physical pages: mostly 200 dpi, some 240 and 300,
#: as when a book is scanned in several sessions.
SCAN_DPI_CYCLE = (200, 200, 300, 200, 200, 240, 200)
PAPER_LEVEL_RANGE = (226.0, 242.0)  # gray level of the paper
INK_LEVEL_RANGE = (18.0, 42.0)  # gray level of solid type
NOISE_SIGMA_RANGE = (2.0, 4.0)  # gray levels of sensor noise
SKEW_DEGREES_RANGE = (0.15, 0.8)  # magnitude; the sign is random too
SHIFT_MM_MAX = 1.5  # where the page lay on the glass
BLUR_MM = 0.06  # ink spread and optics, about half a pixel at 200 dpi
GUTTER_SHADOW_MM = 14.0  # the binding lifts the page off the glass
GUTTER_SHADOW_DEPTH = 24.0  # gray levels at the binding edge
JPEG_QUALITY_RANGE = (70, 82)

# --- parsing the seed -----------------------------------------------------------

CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’《》—…·"
_CIP_MARKER = re.compile(r"^#+\s*图书在版编目")
_PREFACE_MARKER = re.compile(r"^#\s*序\s*言\s*$")
_TOC_MARKER = re.compile(r"^#\s*目\s*录\s*$")
_CHAPTER_HEADING = re.compile(r"^#+\s*(第[一二三四五六七八九十]+章)\s*(.+?)\s*$")
_SECTION_HEADING = re.compile(r"^#+\s*([一二三四五六七八九十]+、.+?)\s*$")
_SUBSECTION_HEADING = re.compile(r"^#+\s*(（[一二三四五六七八九十]+）.+?)\s*$")
_CAPTION = re.compile(r"^表\s*(\d+\s*-\s*\d+)\s*(.+?)\s*$")
_MARKDOWN_HEADING = re.compile(r"^#+\s*")
_HTML_TAG = re.compile(r"</?b>")
_AUTOLINK = re.compile(r"<(https?://[^>]+)>")
_RULE_LINE = re.compile(r"^-{3,}$")
_TOC_LEADERS = re.compile(r"\s*\.{3,}\s*$")
_TOC_CHAPTER = re.compile(r"^第[一二三四五六七八九十]+章$")
_SENTENCE_END = re.compile(r"(?:[。！？]|……)[”’）」』]*$")
_AND_SLIP = re.compile(rf"(?<=[{CJK})])\s+and\s+(?=[{CJK}(])")
_SPACE_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}]) +(?=\S)|(?<=\S) +(?=[{CJK}])")
_HALF_WIDTH_PUNCTUATION = {",": "，", ";": "；", ":": "：", "!": "！", "?": "？", "(": "（", ")": "）"}
_HALF_WIDTH_NEXT_TO_CJK = re.compile(rf"(?<=[{CJK}])[,;:!?()]|[,;:!?()](?=[{CJK}])")

# --- Chinese line breaking (禁则) -------------------------------------------------

NO_LINE_START = frozenset("，。、；：？！）】》〉」』”’…—·％%,.;:?!)]")
NO_LINE_END = frozenset("（【《〈「『“‘([")
#: A Latin or digit run (2013.08.05, 4G, IC) is never broken; ——, …… are one mark each.
_TOKEN = re.compile(r"[0-9A-Za-z][0-9A-Za-z.%+/:-]*|——|……|.", re.DOTALL)


# ================================================================================
# The book's content
# ================================================================================

BlockKind = Literal["paragraph", "section", "subsection", "caption", "table_row"]


@dataclass(frozen=True, slots=True)
class Cover:
    author: str
    title_lines: tuple[str, ...]
    pinyin_lines: tuple[str, ...]
    publisher: str


@dataclass(frozen=True, slots=True)
class TitlePage:
    title: str
    author: str
    publisher: str


@dataclass(frozen=True, slots=True)
class CipPage:
    heading: str
    data_lines: tuple[str, ...]
    book_title: str
    groups: tuple[tuple[str, ...], ...]  # printed between rules


@dataclass(frozen=True, slots=True)
class TocEntry:
    level: int  # 1 chapter (or 后记), 2 section
    text: str
    page: str  # as printed in the book


@dataclass(frozen=True, slots=True)
class Block:
    """One unit of a chapter's body, with its canonical text."""

    kind: BlockKind
    text: str = ""
    cells: tuple[str, ...] = ()  # table rows only
    is_header: bool = False  # the table's header row
    printed: str = ""  # captions: the text as printed, where it differs from the canonical one


@dataclass(frozen=True, slots=True)
class Chapter:
    label: str  # 第一章
    title: str  # 地方政府大数据发展政策概况
    blocks: tuple[Block, ...]

    @property
    def section_name(self) -> str:
        """The golden ``section`` of the chapter's articles (and its introduction's title)."""
        return f"{self.label} {self.title}"


@dataclass(frozen=True, slots=True)
class BookSeed:
    cover: Cover
    title_page: TitlePage
    cip: CipPage
    preface_title: str
    preface: tuple[str, ...]
    toc_title: str
    toc: tuple[TocEntry, ...]
    chapter: Chapter

    @property
    def book_title(self) -> str:
        return self.title_page.title


# --- canonical text ---------------------------------------------------------------


def fix_and_slip(text: str) -> str:
    """Put back the 和 that the seed's extraction tool turned into an English ``and``.

    >>> fix_and_slip("政策文件中 and 主要任务进行内容分析")
    '政策文件中和主要任务进行内容分析'
    >>> fix_and_slip("“Big Data” and more")
    '“Big Data” and more'
    """
    return _AND_SLIP.sub("和", text)


def widen_punctuation(text: str) -> str:
    """Make ``, ; : ! ? ( )`` full-width where they touch Chinese, as the book prints them.

    Numbers (``2013.08.05``, ``23,588``) are left alone.

    >>> widen_punctuation("2015年9月,中国国务院印发了《促进大数据发展行动纲要》,对")
    '2015年9月，中国国务院印发了《促进大数据发展行动纲要》，对'
    >>> widen_punctuation("行动计划(纲要)政策，共23,588项")
    '行动计划（纲要）政策，共23,588项'
    """
    return _HALF_WIDTH_NEXT_TO_CJK.sub(lambda match: _HALF_WIDTH_PUNCTUATION[match.group()], text)


def remove_spaces_next_to_cjk(text: str) -> str:
    """Drop spaces beside a Chinese character or mark; spaces between Latin words stay.

    >>> remove_spaces_next_to_cjk("自 21 世纪以来，“Big Data”专刊，金融 IC 卡")
    '自21世纪以来，“Big Data”专刊，金融IC卡'
    """
    return _SPACE_NEXT_TO_CJK.sub("", text)


def canonicalize(text: str) -> str:
    """The seed's text as a perfect extraction of the printed book gives it.

    >>> canonicalize("2015 年 9 月,中国国务院 (国务院令 第 654 号) and 主要任务")
    '2015年9月，中国国务院（国务院令第654号）和主要任务'
    """
    text = remove_spaces_next_to_cjk(fix_and_slip(text.strip()))
    # Widening can put a full-width mark next to a space that was between two half-width ones.
    return remove_spaces_next_to_cjk(widen_punctuation(text))


def letter_space(text: str) -> str:
    """Set a two-character heading (``序 言``) the way books do, with an ideographic space."""
    compact = remove_spaces_next_to_cjk(text)
    return IDEOGRAPHIC_SPACE.join(compact) if len(compact) == 2 else compact


# --- seed parsing ---------------------------------------------------------------


def clean_markup(line: str) -> str:
    """Strip what the extraction tool added to a line: ``#`` headings, ``<b>``, ``<url>``, hard breaks."""
    line = _HTML_TAG.sub("", line)
    line = _AUTOLINK.sub(r"\1", line)
    return _MARKDOWN_HEADING.sub("", line).strip()


def split_seed_parts(lines: Sequence[str]) -> dict[str, list[str]]:
    """Cut the seed into its parts at their headings: front, cip, preface, toc, chapter."""
    markers = {
        "cip": _CIP_MARKER,
        "preface": _PREFACE_MARKER,
        "toc": _TOC_MARKER,
        "chapter": _CHAPTER_HEADING,
    }
    parts: dict[str, list[str]] = {"front": []}
    current = "front"
    for line in lines:
        for name, marker in markers.items():
            if name not in parts and marker.match(line.strip()):
                current = name
                parts[current] = []
        parts[current].append(line.rstrip("\n"))
    missing = set(markers) - set(parts)
    if missing:
        raise ValueError(f"seed lacks parts: {', '.join(sorted(missing))}")
    return parts


def non_empty(lines: Iterable[str]) -> list[str]:
    return [line.strip() for line in lines if line.strip()]


def join_page_broken_lines(lines: Iterable[str]) -> list[str]:
    """One entry per paragraph: a line that does not end a sentence continues on the next one.

    >>> join_page_broken_lines(["习近平总书记在", "", "主持中共中央政治局集体学习时。", "下一段。"])
    ['习近平总书记在主持中共中央政治局集体学习时。', '下一段。']
    """
    paragraphs: list[str] = []
    pending = ""
    for line in non_empty(lines):
        pending += line
        if _SENTENCE_END.search(pending):
            paragraphs.append(pending)
            pending = ""
    if pending:  # the seed stops in mid-sentence; so does the scan
        paragraphs.append(pending)
    return paragraphs


def parse_front(lines: Sequence[str]) -> tuple[Cover, TitlePage]:
    """The cover (author, title in two lines, pinyin, publisher) and the title page after it."""
    rows = non_empty(lines)
    heading_rows = [i for i, row in enumerate(rows) if row.startswith("#")]
    if len(heading_rows) != 2:
        raise ValueError("expected the cover's and the title page's headings")
    cover_heading, title_heading = heading_rows
    cover = Cover(
        author=" ".join(clean_markup(row) for row in rows[:cover_heading]),
        title_lines=tuple(clean_markup(rows[cover_heading]).split()),
        pinyin_lines=tuple(rows[cover_heading + 1 : title_heading - 1]),
        publisher=rows[title_heading - 1],
    )
    title_page = TitlePage(
        title=clean_markup(rows[title_heading]),
        author=rows[title_heading + 1],
        publisher=rows[title_heading + 2],
    )
    return cover, title_page


def parse_cip(lines: Sequence[str]) -> CipPage:
    """The CIP data block, then the book's imprint in groups that the seed separates by ``---``."""
    heading = canonicalize(clean_markup(lines[0]))
    title_at = next(i for i, line in enumerate(lines) if line.startswith("#") and i > 0)
    data_lines = tuple(clean_markup(line) for line in lines[1:title_at] if line.strip())
    groups: list[list[str]] = [[]]
    for line in lines[title_at + 1 :]:
        if _RULE_LINE.match(line.strip()):
            groups.append([])
        elif line.strip():
            groups[-1].append(clean_markup(line))
    return CipPage(
        heading=heading,
        data_lines=data_lines,
        book_title=clean_markup(lines[title_at]),
        groups=tuple(tuple(group) for group in groups if group),
    )


def parse_toc_entry(line: str) -> TocEntry:
    """``<b>第四章</b>\\t<b>大数据在…</b>\\t69`` or ``一、\\t省级… .....\\t1`` -> entry."""
    cells = [_TOC_LEADERS.sub("", cell).strip() for cell in clean_markup(line).split("\t")]
    cells = [cell for cell in cells if cell]
    *label_and_title, page = cells
    first = label_and_title[0]
    if _TOC_CHAPTER.match(first):
        return TocEntry(1, IDEOGRAPHIC_SPACE.join(canonicalize(cell) for cell in label_and_title), page)
    if len(label_and_title) == 1 and "、" not in first:
        return TocEntry(1, letter_space(first), page)  # 后 记
    return TocEntry(2, "".join(canonicalize(cell) for cell in label_and_title), page)


def parse_chapter(lines: Sequence[str]) -> Chapter:
    """The chapter heading, then headings, prose, the table caption and its rows, in order."""
    heading = _CHAPTER_HEADING.match(lines[0].strip())
    if heading is None:
        raise ValueError(f"not a chapter heading: {lines[0]!r}")
    blocks: list[Block] = []
    prose: list[str] = []

    def flush_prose() -> None:
        blocks.extend(Block("paragraph", canonicalize(text)) for text in join_page_broken_lines(prose))
        prose.clear()

    for raw in lines[1:]:
        line = raw.strip()
        if not line:
            continue
        section = _SECTION_HEADING.match(line)
        subsection = _SUBSECTION_HEADING.match(line)
        caption = _CAPTION.match(line)
        if section or subsection or caption or "\t" in line:
            flush_prose()
        if subsection:
            blocks.append(Block("subsection", canonicalize(subsection.group(1))))
        elif section:
            blocks.append(Block("section", canonicalize(section.group(1))))
        elif caption:
            number = re.sub(r"\s+", "", caption.group(1))
            text = canonicalize(caption.group(2))
            printed = f"表{number}{IDEOGRAPHIC_SPACE}{text}"
            blocks.append(Block("caption", f"表{number}{text}", printed=printed))
        elif "\t" in line:
            cells = tuple(canonicalize(cell) for cell in line.split("\t"))
            is_header = bool(blocks) and blocks[-1].kind == "caption"
            blocks.append(Block("table_row", "\t".join(cells), cells=cells, is_header=is_header))
        else:
            prose.append(line)
    flush_prose()
    return Chapter(label=heading.group(1), title=canonicalize(heading.group(2)), blocks=tuple(blocks))


def parse_book_seed(text: str) -> BookSeed:
    """The book's parts from the seed text, with the extraction tool's artifacts removed."""
    parts = split_seed_parts(text.splitlines())
    cover, title_page = parse_front(parts["front"])
    return BookSeed(
        cover=cover,
        title_page=title_page,
        cip=parse_cip(parts["cip"]),
        preface_title=remove_spaces_next_to_cjk(clean_markup(parts["preface"][0])),
        preface=tuple(canonicalize(p) for p in join_page_broken_lines(parts["preface"][1:])),
        toc_title=remove_spaces_next_to_cjk(clean_markup(parts["toc"][0])),
        toc=tuple(parse_toc_entry(line) for line in parts["toc"][1:] if line.strip()),
        chapter=parse_chapter(parts["chapter"]),
    )


def read_book_seed(seeds_dir: Path = DEFAULT_SEEDS_DIR) -> BookSeed:
    return parse_book_seed((seeds_dir / SEED_NAME).read_text(encoding="utf-8"))


# ================================================================================
# Typesetting
# ================================================================================


@dataclass(frozen=True, slots=True)
class Glyph:
    """A run of type drawn from its left end on its baseline."""

    x: float
    baseline: float
    text: str
    font: FontKey
    size: float


@dataclass(frozen=True, slots=True)
class Rule:
    """A straight line of the given stroke width."""

    x0: float
    y0: float
    x1: float
    y1: float
    width: float


DrawOp = Glyph | Rule


def shift(op: DrawOp, dx: float, dy: float) -> DrawOp:
    if isinstance(op, Glyph):
        return replace(op, x=op.x + dx, baseline=op.baseline + dy)
    return replace(op, x0=op.x0 + dx, y0=op.y0 + dy, x1=op.x1 + dx, y1=op.y1 + dy)


@functools.lru_cache(maxsize=64)
def load_font(key: FontKey, pixel_size: float) -> ImageFont.FreeTypeFont:
    path, index = FONT_FACES[key]
    return ImageFont.truetype(path, pixel_size, index=index)


MEASURE_PIXEL_SIZE = 1000.0  # measure at a large size so rounding in the rasteriser does not show


@functools.lru_cache(maxsize=8192)
def measure(text: str, font: FontKey, size: float) -> float:
    """Advance width of ``text`` in points."""
    return load_font(font, MEASURE_PIXEL_SIZE).getlength(text) * size / MEASURE_PIXEL_SIZE


def tokenize(text: str) -> list[str]:
    """Units a line may break between.

    >>> tokenize("于2013.08.05出台4G——")
    ['于', '2013.08.05', '出', '台', '4G', '——']
    """
    return _TOKEN.findall(text)


def break_lines(tokens: Sequence[str], widths: Sequence[float], *, measure_width: float,
                first_indent: float = 0.0) -> list[tuple[int, int]]:
    """Greedy line breaking with the Chinese rules: ``(start, end)`` token ranges per line.

    A line may not start with a closing mark (，。、”）…) nor end with an opening one (“（《):
    the last character of the full line is pushed down with it, as typesetters do.
    """
    lines: list[tuple[int, int]] = []
    start = 0
    while start < len(tokens):
        available = measure_width - (first_indent if not lines else 0.0)
        end, used = start, 0.0
        while end < len(tokens) and used + widths[end] <= available + JUSTIFY_TOLERANCE:
            used += widths[end]
            end += 1
        end = max(end, start + 1)  # a token wider than the measure gets a line of its own
        while end < len(tokens) and end - start > 1 and (
            tokens[end][0] in NO_LINE_START or tokens[end - 1][-1] in NO_LINE_END
        ):
            end -= 1
        lines.append((start, end))
        start = end
    return lines


def place_tokens(tokens: Sequence[str], widths: Sequence[float], *, x0: float, baseline: float,
                 font: FontKey, size: float, stretch_to: float | None) -> list[Glyph]:
    """Glyphs of one line; ``stretch_to`` spreads the slack evenly over the gaps (justification)."""
    natural = sum(widths)
    gaps = len(tokens) - 1
    stretches = stretch_to is not None and gaps > 0 and natural < stretch_to
    extra = (stretch_to - natural) / gaps if stretch_to is not None and stretches else 0.0
    glyphs: list[Glyph] = []
    x = x0
    for token, width in zip(tokens, widths, strict=True):
        if not token.isspace():
            glyphs.append(Glyph(x, baseline, token, font, size))
        x += width + extra
    return glyphs


Align = Literal["justify", "left", "center"]


def set_text(text: str, *, font: FontKey, size: float, measure_width: float, pitch: float,
             indent_em: float = 0.0, align: Align = "justify") -> list[list[Glyph]]:
    """Lines of glyphs for one paragraph, each relative to its line box's top-left."""
    tokens = tokenize(text)
    widths = [measure(token, font, size) for token in tokens]
    indent = indent_em * size
    baseline = (pitch - size) / 2 + EM_BASELINE * size
    ranges = break_lines(tokens, widths, measure_width=measure_width, first_indent=indent)
    lines: list[list[Glyph]] = []
    for number, (start, end) in enumerate(ranges):
        # A space where a line breaks (“Big | Data”) belongs to neither line.
        while start < end - 1 and tokens[start].isspace():
            start += 1
        while end - 1 > start and tokens[end - 1].isspace():
            end -= 1
        x0 = indent if number == 0 else 0.0
        available = measure_width - x0
        line_width = sum(widths[start:end])
        is_last = number == len(ranges) - 1
        if align == "center":
            x0 += (available - line_width) / 2
        stretch = available if align == "justify" and not is_last else None
        lines.append(place_tokens(tokens[start:end], widths[start:end], x0=x0, baseline=baseline,
                                  font=font, size=size, stretch_to=stretch))
    return lines


# --- flowing blocks into pages ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineBox:
    """A slice of a text flow that is never split across pages; ops are relative to its top-left."""

    height: float
    ops: tuple[DrawOp, ...] = ()
    article: int | None = None  # index into the golden articles
    keep_with_next: bool = False
    discardable: bool = False  # vertical space dropped when it would open a page


def spacer(height: float, *, keep_with_next: bool = False, discardable: bool = True) -> LineBox:
    return LineBox(height, keep_with_next=keep_with_next, discardable=discardable)


def text_boxes(text: str, *, article: int | None, font: FontKey = "song", size: float = BODY_SIZE,
               pitch: float = BODY_PITCH, indent_em: float = PARAGRAPH_INDENT_EM, align: Align = "justify",
               keep_with_next: bool = False) -> list[LineBox]:
    lines = set_text(text, font=font, size=size, measure_width=TEXT_WIDTH, pitch=pitch,
                     indent_em=indent_em, align=align)
    return [LineBox(pitch, tuple(line), article, keep_with_next) for line in lines]


def opener_boxes(heading: str, *, article: int | None) -> list[LineBox]:
    """The sunk, centred heading that opens a chapter, the 序言 or the 目录."""
    return [
        spacer(OPENER_SINK, discardable=False, keep_with_next=True),
        *text_boxes(heading, article=article, font="hei", size=OPENER_HEADING_SIZE,
                    pitch=OPENER_HEADING_HEIGHT, indent_em=0, align="center", keep_with_next=True),
        spacer(OPENER_SPACE_AFTER, keep_with_next=True),
    ]


def section_boxes(title: str, *, article: int) -> list[LineBox]:
    return [
        spacer(SECTION_SPACE_BEFORE, keep_with_next=True),
        *text_boxes(title, article=article, font="hei", size=SECTION_SIZE, pitch=SECTION_HEIGHT,
                    keep_with_next=True),
        spacer(SECTION_SPACE_AFTER, keep_with_next=True),
    ]


def table_column_widths(column_count: int) -> list[float]:
    fixed = {column: em * TABLE_SIZE for column, em in TABLE_FIXED_COLUMNS_EM.items()}
    wide = TEXT_WIDTH - sum(fixed.values())
    return [fixed.get(column, wide) for column in range(column_count)]


def table_row_box(cells: Sequence[str], *, header: bool, article: int) -> LineBox:
    """One ruled table row; cells wrap inside their column and are centred vertically."""
    widths = table_column_widths(len(cells))
    font: FontKey = "hei" if header else "song"
    cell_lines = [
        set_text(cell, font=font, size=TABLE_SIZE, measure_width=width - 2 * CELL_PAD_X, pitch=TABLE_PITCH,
                 align="center" if header or column in TABLE_CENTRED_COLUMNS else "left")
        for column, (cell, width) in enumerate(zip(cells, widths, strict=True))
    ]
    height = max(len(lines) for lines in cell_lines) * TABLE_PITCH + 2 * CELL_PAD_Y
    ops: list[DrawOp] = [Rule(0.0, 0.0, TEXT_WIDTH, 0.0, TABLE_RULE_WIDTH),
                         Rule(0.0, height, TEXT_WIDTH, height, TABLE_RULE_WIDTH)]
    left = 0.0
    for lines, width in zip(cell_lines, widths, strict=True):
        ops.append(Rule(left, 0.0, left, height, TABLE_RULE_WIDTH))
        top = (height - len(lines) * TABLE_PITCH) / 2
        for number, line in enumerate(lines):
            ops.extend(shift(glyph, left + CELL_PAD_X, top + number * TABLE_PITCH) for glyph in line)
        left += width
    ops.append(Rule(TEXT_WIDTH, 0.0, TEXT_WIDTH, height, TABLE_RULE_WIDTH))
    return LineBox(height, tuple(ops), article)


def chapter_boxes(chapter: Chapter, *, first_article: int) -> list[LineBox]:
    """The chapter as a flow; its introduction is ``first_article``, each section the next one."""
    article = first_article
    boxes = opener_boxes(f"{chapter.label}{IDEOGRAPHIC_SPACE}{chapter.title}", article=article)
    previous_kind: BlockKind | None = None
    for block in chapter.blocks:
        if block.kind == "section":
            article += 1
            boxes += section_boxes(block.text, article=article)
        elif block.kind == "subsection":
            boxes += text_boxes(block.text, article=article, font="hei", size=SUBSECTION_SIZE,
                                keep_with_next=True)
        elif block.kind == "caption":
            boxes += [spacer(CAPTION_SPACE_BEFORE, keep_with_next=True),
                      *text_boxes(block.printed, article=article, font="hei", size=CAPTION_SIZE,
                                  pitch=CAPTION_HEIGHT, indent_em=0, align="center", keep_with_next=True)]
        elif block.kind == "table_row":
            boxes.append(table_row_box(block.cells, header=block.is_header, article=article))
            boxes[-1] = replace(boxes[-1], keep_with_next=block.is_header)
        else:
            if previous_kind == "table_row":
                boxes.append(spacer(TABLE_SPACE_AFTER))
            boxes += text_boxes(block.text, article=article)
        previous_kind = block.kind
    return boxes


def toc_entry_box(entry: TocEntry) -> LineBox:
    """A contents line: title, a leader of …, and the page number flush right."""
    font: FontKey = "hei" if entry.level == 1 else "song"
    indent = (entry.level - 1) * TOC_LEVEL_INDENT_EM * BODY_SIZE
    baseline = (TOC_PITCH - BODY_SIZE) / 2 + EM_BASELINE * BODY_SIZE
    title_width = measure(entry.text, font, BODY_SIZE)
    page_width = measure(entry.page, "song", BODY_SIZE)
    leader_start = indent + title_width + TOC_LEADER_GAP_EM * BODY_SIZE
    leader_end = TEXT_WIDTH - TOC_PAGE_COLUMN_EM * BODY_SIZE
    leader_count = max(0, math.floor((leader_end - leader_start) / measure(TOC_LEADER, "song", BODY_SIZE)))
    ops: list[DrawOp] = [
        Glyph(indent, baseline, entry.text, font, BODY_SIZE),
        Glyph(TEXT_WIDTH - page_width, baseline, entry.page, "song", BODY_SIZE),
    ]
    if leader_count:
        ops.append(Glyph(leader_start, baseline, TOC_LEADER * leader_count, "song", BODY_SIZE))
    return LineBox(TOC_PITCH, tuple(ops))


def group_for_keep(boxes: Sequence[LineBox], start: int) -> float:
    """Height of the box at ``start`` and every box it is kept with."""
    end = start
    while end < len(boxes) - 1 and boxes[end].keep_with_next:
        end += 1
    return sum(box.height for box in boxes[start : end + 1])


def paginate(boxes: Sequence[LineBox]) -> list[list[tuple[float, LineBox]]]:
    """Fill pages of ``BODY_HEIGHT`` in order: ``(top, box)`` per page, kept groups together."""
    pages: list[list[tuple[float, LineBox]]] = [[]]
    y = 0.0
    for index, box in enumerate(boxes):
        if pages[-1] and y + group_for_keep(boxes, index) > BODY_HEIGHT + JUSTIFY_TOLERANCE:
            pages.append([])
            y = 0.0
        if not pages[-1] and box.discardable:
            continue
        pages[-1].append((y, box))
        y += box.height
    return pages


# --- pages ----------------------------------------------------------------------

PageKind = Literal["cover", "blank", "title", "cip", "preface", "toc", "chapter"]


@dataclass(frozen=True, slots=True)
class PageDraft:
    """One physical page before scanning, with what a furniture detector should find on it."""

    kind: PageKind
    ops: tuple[DrawOp, ...]
    printed_page: str | None = None
    running_head: str | None = None
    articles: frozenset[int] = frozenset()


@dataclass(frozen=True, slots=True)
class Article:
    """A golden article before its pages are known."""

    section: str | None
    title: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TypesetBook:
    pages: tuple[PageDraft, ...]
    articles: tuple[Article, ...]
    seed: BookSeed


def is_recto(physical_page: int) -> bool:
    """Odd physical pages are right-hand pages: the binding is on their left."""
    return physical_page % 2 == 1


def text_left(physical_page: int) -> float:
    return INNER_MARGIN if is_recto(physical_page) else OUTER_MARGIN


def centred(text: str, *, baseline: float, font: FontKey, size: float) -> Glyph:
    return Glyph((PAGE_WIDTH - measure(text, font, size)) / 2, baseline, text, font, size)


def roman(number: int) -> str:
    """Lower-case roman numeral, for front-matter pages.

    >>> [roman(n) for n in (1, 4, 9, 14)]
    ['i', 'iv', 'ix', 'xiv']
    """
    numerals = [(10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = ""
    for value, numeral in numerals:
        while number >= value:
            out += numeral
            number -= value
    return out


def cover_ops(cover: Cover) -> tuple[DrawOp, ...]:
    ops: list[DrawOp] = [centred(cover.author, baseline=COVER_AUTHOR_BASELINE, font="song",
                                 size=COVER_AUTHOR_SIZE)]
    ops += [centred(line, baseline=COVER_TITLE_BASELINE + i * COVER_TITLE_PITCH, font="hei",
                    size=COVER_TITLE_SIZE) for i, line in enumerate(cover.title_lines)]
    ops += [centred(line, baseline=COVER_PINYIN_BASELINE + i * COVER_PINYIN_PITCH, font="song",
                    size=COVER_PINYIN_SIZE) for i, line in enumerate(cover.pinyin_lines)]
    ops.append(centred(cover.publisher, baseline=PUBLISHER_BASELINE, font="kai", size=PUBLISHER_SIZE))
    return tuple(ops)


def title_page_ops(page: TitlePage) -> tuple[DrawOp, ...]:
    return (
        centred(page.title, baseline=TITLE_PAGE_TITLE_BASELINE, font="hei", size=TITLE_PAGE_TITLE_SIZE),
        centred(page.author, baseline=TITLE_PAGE_AUTHOR_BASELINE, font="song", size=TITLE_PAGE_AUTHOR_SIZE),
        centred(page.publisher, baseline=PUBLISHER_BASELINE, font="kai", size=PUBLISHER_SIZE),
    )


def cip_ops(cip: CipPage, *, physical_page: int) -> tuple[DrawOp, ...]:
    """The 版权页: CIP data, the book's title, then its imprint in ruled groups."""
    left = text_left(physical_page)
    ascent = EM_BASELINE * CIP_SIZE
    ops: list[DrawOp] = [Glyph(left, CIP_TOP, cip.heading, "hei", CIP_HEADING_SIZE)]
    y = CIP_TOP + CIP_PITCH
    for line in cip.data_lines:
        ops.append(Glyph(left + CIP_DATA_INDENT_EM * CIP_SIZE, y + ascent, line, "song", CIP_SIZE))
        y += CIP_PITCH
    y += CIP_BLOCK_GAP
    ops.append(centred(cip.book_title, baseline=y, font="hei", size=CIP_TITLE_SIZE))
    y += CIP_PITCH
    for number, group in enumerate(cip.groups):
        if number:
            y += CIP_GROUP_GAP
            ops.append(Rule(left, y, left + TEXT_WIDTH, y, CIP_RULE_WIDTH))
            y += CIP_GROUP_GAP
        for line in group:
            ops.append(Glyph(left, y + ascent, line, "song", CIP_SIZE))
            y += CIP_PITCH
    return tuple(ops)


def running_head_ops(text: str, *, physical_page: int) -> list[DrawOp]:
    left = text_left(physical_page)
    width = measure(text, "song", FURNITURE_SIZE)
    return [
        Glyph(left + (TEXT_WIDTH - width) / 2, RUNNING_HEAD_BASELINE, text, "song", FURNITURE_SIZE),
        Rule(left, RUNNING_HEAD_RULE_Y, left + TEXT_WIDTH, RUNNING_HEAD_RULE_Y, RUNNING_HEAD_RULE_WIDTH),
    ]


def folio_op(printed: str, *, physical_page: int) -> Glyph:
    """The page number at the outer corner, under the text block."""
    left = text_left(physical_page)
    width = measure(printed, "song", FURNITURE_SIZE)
    x = left + TEXT_WIDTH - width if is_recto(physical_page) else left
    return Glyph(x, FOLIO_BASELINE, printed, "song", FURNITURE_SIZE)


def flow_pages(boxes: Sequence[LineBox], *, kind: PageKind, first_physical: int,
               folios: Iterator[str], heads: tuple[str, str]) -> list[PageDraft]:
    """Pages of one flow with their furniture; ``heads`` are the (verso, recto) running heads.

    The opening page of the flow carries a folio but no running head, as books set it.
    """
    drafts: list[PageDraft] = []
    for offset, placed in enumerate(paginate(boxes)):
        physical = first_physical + offset
        left = text_left(physical)
        ops = [shift(op, left, TEXT_TOP + top) for top, box in placed for op in box.ops]
        printed = next(folios)
        head = None if offset == 0 else heads[is_recto(physical)]
        if head is not None:
            ops += running_head_ops(head, physical_page=physical)
        ops.append(folio_op(printed, physical_page=physical))
        articles = frozenset(box.article for _, box in placed if box.article is not None)
        drafts.append(PageDraft(kind, tuple(ops), printed, head, articles))
    return drafts


def pad_to_recto(pages: list[PageDraft], folios: Iterator[str] | None = None) -> None:
    """Add a blank verso so that the next part opens on a right-hand page; its number is not printed."""
    if len(pages) % 2 == 1:
        if folios is not None:
            next(folios)
        pages.append(PageDraft("blank", ()))


def roman_folios() -> Iterator[str]:
    number = 1
    while True:
        yield roman(number)
        number += 1


def arabic_folios() -> Iterator[str]:
    number = 1
    while True:
        yield str(number)
        number += 1


def golden_articles(seed: BookSeed) -> tuple[Article, ...]:
    """序言, the chapter's introduction, then each of its sections, in reading order."""
    chapter = seed.chapter
    articles = [Article(None, seed.preface_title, seed.preface)]
    title = chapter.section_name
    paragraphs: list[str] = []
    for block in chapter.blocks:
        if block.kind == "section":
            articles.append(Article(chapter.section_name, title, tuple(paragraphs)))
            title, paragraphs = block.text, []
        else:
            paragraphs.append(block.text)
    articles.append(Article(chapter.section_name, title, tuple(paragraphs)))
    return tuple(articles)


def typeset_book(seed: BookSeed) -> TypesetBook:
    """Every physical page of the book, from the cover to the end of the seed's text."""
    pages: list[PageDraft] = [
        PageDraft("cover", cover_ops(seed.cover)),
        PageDraft("blank", ()),
        PageDraft("title", title_page_ops(seed.title_page)),
    ]
    pages.append(PageDraft("cip", cip_ops(seed.cip, physical_page=len(pages) + 1)))

    front_folios = roman_folios()
    preface = opener_boxes(letter_space(seed.preface_title), article=0)
    for paragraph in seed.preface:
        preface += text_boxes(paragraph, article=0)
    heads = (seed.preface_title, seed.preface_title)
    pages += flow_pages(preface, kind="preface", first_physical=len(pages) + 1, folios=front_folios,
                        heads=heads)
    pad_to_recto(pages, front_folios)

    toc = opener_boxes(letter_space(seed.toc_title), article=None) + [toc_entry_box(e) for e in seed.toc]
    heads = (seed.toc_title, seed.toc_title)
    pages += flow_pages(toc, kind="toc", first_physical=len(pages) + 1, folios=front_folios, heads=heads)
    pad_to_recto(pages, front_folios)

    chapter_head = f"{seed.chapter.label}{IDEOGRAPHIC_SPACE}{seed.chapter.title}"
    pages += flow_pages(chapter_boxes(seed.chapter, first_article=1), kind="chapter",
                        first_physical=len(pages) + 1, folios=arabic_folios(),
                        heads=(seed.book_title, chapter_head))
    return TypesetBook(tuple(pages), golden_articles(seed), seed)


# ================================================================================
# Scanning
# ================================================================================


@dataclass(frozen=True, slots=True)
class ScanParameters:
    """How one page was scanned; drawn from the page's own seeded generator."""

    dpi: int
    paper_level: float
    ink_level: float
    noise_sigma: float
    skew_degrees: float
    shift_mm: tuple[float, float]
    jpeg_quality: int


@dataclass(frozen=True, slots=True)
class ScannedPage:
    jpeg: bytes
    dpi: int
    pixel_size: tuple[int, int]
    parameters: ScanParameters


def scan_parameters(physical_page: int, *, seed: int = RANDOM_SEED, dpi: int | None = None) -> ScanParameters:
    """How ``physical_page`` is scanned: at ``dpi``, or at the book's cycle of resolutions."""
    rng = random.Random(seed * 1000 + physical_page)
    return ScanParameters(
        dpi=dpi or SCAN_DPI_CYCLE[(physical_page - 1) % len(SCAN_DPI_CYCLE)],
        paper_level=rng.uniform(*PAPER_LEVEL_RANGE),
        ink_level=rng.uniform(*INK_LEVEL_RANGE),
        noise_sigma=rng.uniform(*NOISE_SIGMA_RANGE),
        skew_degrees=rng.choice((-1, 1)) * rng.uniform(*SKEW_DEGREES_RANGE),
        shift_mm=(rng.uniform(-SHIFT_MM_MAX, SHIFT_MM_MAX), rng.uniform(-SHIFT_MM_MAX, SHIFT_MM_MAX)),
        jpeg_quality=rng.randint(*JPEG_QUALITY_RANGE),
    )


def page_pixel_size(dpi: int) -> tuple[int, int]:
    return round(PAGE_WIDTH_MM / MM_PER_INCH * dpi), round(PAGE_HEIGHT_MM / MM_PER_INCH * dpi)


def rasterize(ops: Iterable[DrawOp], *, dpi: int) -> Image.Image:
    """The page as a clean print: black type on white, at ``dpi``."""
    scale = dpi / PT_PER_INCH
    image = Image.new("L", page_pixel_size(dpi), 255)
    draw = ImageDraw.Draw(image)
    for op in ops:
        if isinstance(op, Glyph):
            font = load_font(op.font, round(op.size * scale, 2))
            draw.text((op.x * scale, op.baseline * scale), op.text, font=font, fill=0, anchor="ls")
        else:
            stroke = max(1, round(op.width * scale))
            draw.line([(op.x0 * scale, op.y0 * scale), (op.x1 * scale, op.y1 * scale)], fill=0, width=stroke)
    return image


def gutter_shadow(width: int, height: int, *, dpi: int, binding_left: bool) -> np.ndarray:
    """Gray levels to subtract: darkest at the binding edge, fading out over ``GUTTER_SHADOW_MM``."""
    reach = GUTTER_SHADOW_MM / MM_PER_INCH * dpi
    distance = np.arange(width, dtype=np.float32)
    if not binding_left:
        distance = distance[::-1]
    profile = GUTTER_SHADOW_DEPTH * np.clip(1.0 - distance / reach, 0.0, 1.0) ** 2
    return np.broadcast_to(profile, (height, width))


def degrade(
    clean: Image.Image,
    parameters: ScanParameters,
    *,
    physical_page: int,
    seed: int = RANDOM_SEED,
    gutter: bool = True,
) -> Image.Image:
    """Blur, skew and shift the print, then give it paper, ink, a gutter shadow (a bound
    book's; not a loose sheet's, ``gutter=False``) and sensor noise."""
    dpi = parameters.dpi
    pixels_per_mm = dpi / MM_PER_INCH
    image = clean.filter(ImageFilter.GaussianBlur(BLUR_MM * pixels_per_mm))
    dx, dy = (round(offset * pixels_per_mm) for offset in parameters.shift_mm)
    image = image.rotate(parameters.skew_degrees, resample=Image.Resampling.BICUBIC,
                         translate=(dx, dy), fillcolor=255)
    coverage = 1.0 - np.asarray(image, dtype=np.float32) / 255.0
    tone = parameters.paper_level - coverage * (parameters.paper_level - parameters.ink_level)
    if gutter:
        tone -= gutter_shadow(image.width, image.height, dpi=dpi, binding_left=is_recto(physical_page))
    rng = np.random.default_rng(seed * 1000 + physical_page)
    tone += parameters.noise_sigma * rng.standard_normal(size=tone.shape, dtype=np.float32)
    return Image.fromarray(np.clip(np.rint(tone), 0, 255).astype(np.uint8), mode="L")


def scan_page(page: PageDraft, physical_page: int) -> ScannedPage:
    parameters = scan_parameters(physical_page)
    image = degrade(rasterize(page.ops, dpi=parameters.dpi), parameters, physical_page=physical_page)
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=parameters.jpeg_quality, dpi=(parameters.dpi, parameters.dpi))
    return ScannedPage(buffer.getvalue(), parameters.dpi, image.size, parameters)


def scan_book(book: TypesetBook, physical_pages: Iterable[int] | None = None) -> list[ScannedPage]:
    """Scan the given 1-based physical pages (all by default)."""
    numbers = range(1, len(book.pages) + 1) if physical_pages is None else physical_pages
    return [scan_page(book.pages[number - 1], number) for number in numbers]


# --- image-only PDF -------------------------------------------------------------


def pdf_text_string(text: str) -> str:
    """A PDF text string in UTF-16BE, so that Chinese metadata survives."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def pdf_number(value: float) -> str:
    return f"{value:.4f}".rstrip("0").rstrip(".")


def write_image_pdf(scans: Sequence[ScannedPage], *, title: str) -> bytes:
    """One page per scan, each showing its JPEG as-is (DCTDecode) at the scan's own resolution.

    Written by hand rather than with reportlab so that the JPEG bytes pass through untouched,
    every page keeps its own resolution, and nothing (dates, ids) varies between runs.
    """
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    for scan in scans:
        width_px, height_px = scan.pixel_size
        width, height = (pdf_number(px / scan.dpi * PT_PER_INCH) for px in (width_px, height_px))
        image_id, content_id, page_id = len(objects) + 1, len(objects) + 2, len(objects) + 3
        image_header = (f"<< /Type /XObject /Subtype /Image /Width {width_px} /Height {height_px} "
                        f"/ColorSpace /DeviceGray /BitsPerComponent 8 /Filter /DCTDecode "
                        f"/Length {len(scan.jpeg)} >>\nstream\n").encode()
        content = f"q {width} 0 0 {height} 0 0 cm /Im0 Do Q".encode()
        objects.append(image_header + scan.jpeg + b"\nendstream")
        objects.append(f"<< /Length {len(content)} >>\nstream\n".encode() + content + b"\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {width} {height}] "
                       f"/Resources << /XObject << /Im0 {image_id} 0 R >> >> "
                       f"/Contents {content_id} 0 R >>".encode())
        kids.append(f"{page_id} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    objects.append(f"<< /Title {pdf_text_string(title)} /Producer (docpipe.samples.book) >>".encode())
    info_id = len(objects)

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref_at = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info_id} 0 R >>\n"
            f"startxref\n{xref_at}\n%%EOF\n").encode()
    return bytes(out)


# ================================================================================
# Golden JSON and the entry point
# ================================================================================


def article_pages(book: TypesetBook, article: int) -> tuple[int, int]:
    pages = [number for number, page in enumerate(book.pages, start=1) if article in page.articles]
    return min(pages), max(pages)


def printed_form(text: str | None) -> str | None:
    """Furniture as an extraction reports it: the ideographic space of ``第一章　…`` as one space."""
    return None if text is None else text.replace(IDEOGRAPHIC_SPACE, " ")


def golden_document(book: TypesetBook) -> dict[str, object]:
    articles = []
    for index, article in enumerate(book.articles):
        page_start, page_end = article_pages(book, index)
        articles.append({
            "seq": index + 1,
            "number": None,
            "section": article.section,
            "title": article.title,
            "paragraphs": list(article.paragraphs),
            "source": None,
            "page_start": page_start,
            "page_end": page_end,
        })
    numbers = [str(number) for number in range(1, len(book.pages) + 1)]
    return {
        "source_file": f"{SAMPLE_STEM}.pdf",
        "doc_kind": "book",
        "doc_title": book.seed.book_title,
        "issue_date": None,
        "issue_label": None,
        "layout": {
            "page_size": f"16开 {PAGE_WIDTH_MM:g} × {PAGE_HEIGHT_MM:g} mm",
            "body_font": f"{FONT_NAMES['song']} {BODY_SIZE:g} pt",
            "header": "书名 on even pages, chapter title on odd pages (序言, 目录 in the front matter), "
                      "none on opening pages",
            "footer": "{n} at the outer corner; roman in the front matter",
            "numbering": "一、 sections, （一） subsections",
            "scan": "grayscale JPEG per page, no text layer",
        },
        "pages": len(book.pages),
        "printed_pages": dict(zip(numbers, (page.printed_page for page in book.pages), strict=True)),
        "running_heads": dict(zip(numbers, (printed_form(page.running_head) for page in book.pages),
                                  strict=True)),
        "scan_dpi": {number: scan_parameters(int(number)).dpi for number in numbers},
        "articles": articles,
    }


def build_book_samples(raw_dir: Path, seeds_dir: Path = DEFAULT_SEEDS_DIR) -> list[Path]:
    """Write ``raw/book-local-government-big-data.pdf`` and its golden JSON; return their paths."""
    book = typeset_book(read_book_seed(seeds_dir))
    scans = scan_book(book)
    raw_dir.mkdir(parents=True, exist_ok=True)
    pdf_path = raw_dir / f"{SAMPLE_STEM}.pdf"
    golden_path = raw_dir / f"{SAMPLE_STEM}.golden.json"
    pdf_path.write_bytes(write_image_pdf(scans, title=book.seed.book_title))
    golden = json.dumps(golden_document(book), ensure_ascii=False, indent=2)
    golden_path.write_text(golden + "\n", encoding="utf-8")
    return [pdf_path, golden_path]


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--raw", type=Path, default=DEFAULT_RAW_DIR, help="output directory")
    parser.add_argument("--seeds", type=Path, default=DEFAULT_SEEDS_DIR, help="directory of the seed texts")
    args = parser.parse_args(argv)
    for path in build_book_samples(args.raw, args.seeds):
        print(path)


if __name__ == "__main__":
    main()
