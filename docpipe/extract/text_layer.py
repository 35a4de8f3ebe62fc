"""Text-layer extraction: a page's characters grouped into :class:`~cleaners.records.Line` records.

``extract_text()`` is not enough: it drops the two-character indent that marks a
Chinese paragraph and loses the font and size that tell a heading from body text.
Here every line keeps its bounding box, its dominant font and size, so that
furniture, paragraph breaks and headings are decided from geometry downstream.

Characters are read by one of two readers into the same plain records
(:class:`Char`, pdfplumber's keys): PDFium's text page (:func:`pdfium_chars`,
the default: 5 to 20 times faster in ``benchmarks/text_reader.py``, pdfplumber
being pure Python) or pdfplumber (:func:`pdfplumber_chars`, the reference in
tests and the fallback setting).  Both give the loose box of a glyph: its
advance width, and the font's ascent to descent, in points from the top-left
corner of the frame in which the page's text stands upright.

Rows of characters are cut at wide gaps and joined again unless a column
gutter (:mod:`cleaners.columns`) runs between the pieces, so a page set in
columns comes out column after column.

A glyph whose font has no Unicode map (a formula font: pdfplumber's
``(cid:N)``, PDFium's "unicode map error") becomes :data:`UNMAPPED_GLYPH`, one
per glyph, so a reader sees where something is missing and no code leaks into
an article.
"""

from __future__ import annotations

import ctypes
import re
import unicodedata
from bisect import insort
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from itertools import pairwise
from statistics import median
from typing import Any

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from cleaners.columns import column_blocks
from cleaners.plausibility import UNMAPPED_GLYPH
from cleaners.records import Line
from docpipe.settings import DEFAULT_SETTINGS, Settings

Char = dict[str, Any]  # a character record with pdfplumber's keys (text, x0, top, x1, bottom, size, fontname)

#: Subset fonts carry a tag ("AAAAAB+") that differs between the subsets of one
#: font (a generator may split a CJK font into several 256-glyph subsets).
_SUBSET_TAG = re.compile(r"^[A-Z]{6}\+")
#: pdfplumber renders glyphs it cannot map to Unicode as "(cid:123)".
_CID = re.compile(r"\(cid:\d+\)")
_FONT_NAME_BUFFER = 256
#: ``FPDFText_GetTextObject`` answering the object's address as an int (None for no
#: object): compared for every character, where a ctypes pointer cast costs 3x the call.
_text_object_address = ctypes.CFUNCTYPE(ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int)(
    ctypes.cast(pdfium_c.FPDFText_GetTextObject, ctypes.c_void_p).value or 0
)
#: A line that is one bracketed run read backwards: ``】理管务政【``.
_REVERSED_BRACKETS = re.compile(r"】[^【】]+【|》[^《》]+《|）[^（）]+（|〕[^〔〕]+〔")
#: Punctuation that never starts a line of Chinese text (避头尾).
_NO_LINE_START = frozenset("。，、；：！？")
_BREAK_CODES = frozenset((0x0A, 0x0D))
_ORIENTATION_SAMPLE = 64
#: A glyph whose baseline leans more than this (tan of the angle, about 3 degrees)
#: is set at an angle, not along a page edge.
_SKEW_TOLERANCE = 0.05


def pdfplumber_chars(plumber_page: Any) -> tuple[list[Char], float, float]:
    """The characters of a pdfplumber page, in the frame where its text stands upright; and that frame's size.

    pdfplumber applies ``/Rotate``, so a page a scanner fed in upside down
    comes out with its text running right to left (``】理管务政【``); the
    characters are turned back as in :func:`pdfium_chars`.  ``(cid:N)`` glyphs
    are marked as :data:`UNMAPPED_GLYPH`.
    """
    # Coordinates from the crop box's corner, as a viewer shows the page (and as
    # PDFium and OCR give them); pdfplumber measures from the media box's.
    left, top_edge, right, bottom_edge = (float(v) for v in plumber_page.cropbox)
    width, height = right - left, bottom_edge - top_edge
    directions = [_quarter_turns(*char["matrix"][:2]) for char in plumber_page.chars]
    axis_aligned = Counter(direction for direction in directions if direction is not None)
    turns = axis_aligned.most_common(1)[0][0] if axis_aligned else 0
    chars: list[Char] = []
    for char, direction in zip(plumber_page.chars, directions, strict=True):
        x0, top, x1, bottom = _turned(
            char["x0"] - left,
            height - (char["bottom"] - top_edge),
            char["x1"] - left,
            height - (char["top"] - top_edge),
            width,
            height,
            turns,
        )
        text = UNMAPPED_GLYPH if _CID.fullmatch(char["text"]) else char["text"]
        chars.append(
            {
                **char,
                "text": text,
                "x0": x0,
                "top": top,
                "x1": x1,
                "bottom": bottom,
                "upright": direction == turns,
            }
        )
    if turns % 2:
        width, height = height, width
    return chars, width, height


def pdfium_chars(page: pdfium.PdfPage) -> tuple[list[Char], float, float]:
    """The characters of a PDFium page, in the frame where its text stands upright; and that frame's size.

    PDFium reports glyph boxes in the page's own (unrotated) space.  The frame
    is turned by a quarter turn for every quarter turn of the page's text, so a
    page whose content was drawn sideways and set upright by ``/Rotate`` and a
    page whose upright content a scanner turned with ``/Rotate 180`` both read
    in the order their text is written; the width and height returned are that
    frame's.  The line breaks PDFium infers are left out; the spaces it infers
    are kept, marked ``generated``, as word boundaries that never split a number.
    """
    textpage = page.get_textpage()
    try:
        left, bottom, right, top = page.get_cropbox()
        width, height = right - left, top - bottom
        count = textpage.count_chars()
        codes = _char_codes(textpage, count)
        turns = _text_quarter_turns(textpage, count)
        raw = textpage.raw  # the handle itself: the wrapper converts on every call
        box = pdfium_c.FS_RECTF()
        styles = _TextObjectStyles(raw, turns)
        # Called for every glyph: looked up once here, not on the module each time.
        has_map_error = pdfium_c.FPDFText_HasUnicodeMapError
        loose_box = pdfium_c.FPDFText_GetLooseCharBox
        texts: dict[int, str] = {}
        chars: list[Char] = []
        for index, code in enumerate(codes):
            if code in _BREAK_CODES:  # line breaks PDFium infers: not glyphs
                continue
            if has_map_error(raw, index) == 1:
                text = UNMAPPED_GLYPH
            else:
                text = texts.get(code) or texts.setdefault(code, _char_text(code))
                if not text:
                    continue
            loose_box(raw, index, box)
            fontname, size, upright = styles.of(index)
            if turns == 0:  # most pages: _turned's first case, inline
                x0, top_, x1, bottom_ = box.left - left, top - box.top, box.right - left, top - box.bottom
            else:
                x0, top_, x1, bottom_ = _turned(
                    box.left - left,
                    box.bottom - bottom,
                    box.right - left,
                    box.top - bottom,
                    width,
                    height,
                    turns,
                )
            chars.append(
                {
                    "text": text,
                    "x0": x0,
                    "top": top_,
                    "x1": x1,
                    "bottom": bottom_,
                    "size": size,
                    "fontname": fontname,
                    # Text in another direction (a label up the margin) is not read.
                    "upright": upright,
                    # PDFium stands a space it infers in for some of the PDF's own
                    # space glyphs (one drawn from another font subset than its
                    # neighbours): kept, zero wide, as a word boundary.
                    "generated": code == 0x20 and pdfium_c.FPDFText_IsGenerated(raw, index) == 1,
                }
            )
    finally:
        textpage.close()
    if turns % 2:
        width, height = height, width
    return chars, width, height


class _TextObjectStyles:
    """Font name, size and uprightness of a text page's characters, looked up once per text object.

    Every glyph of one PDF text object shares its font, size and matrix: asking
    PDFium for them glyph by glyph was most of the time spent reading a page.
    A character without a text object of its own (one PDFium generated) is
    looked up by itself.
    """

    def __init__(self, textpage: Any, turns: int) -> None:
        self.textpage = textpage
        self.turns = turns
        self.name = ctypes.create_string_buffer(_FONT_NAME_BUFFER)
        self.flags = ctypes.c_int()
        self.matrix = pdfium_c.FS_MATRIX()
        self.fonts: dict[bytes, str] = {}
        self.last_object: int | None = None
        self.last_style: tuple[str, float, bool] = ("", 0.0, True)

    def of(self, index: int) -> tuple[str, float, bool]:
        text_object = _text_object_address(self.textpage, index)
        if text_object is not None and text_object == self.last_object:
            return self.last_style
        pdfium_c.FPDFText_GetFontInfo(self.textpage, index, self.name, _FONT_NAME_BUFFER, self.flags)
        font = self.name.value
        if font not in self.fonts:
            self.fonts[font] = base_font_name(font.decode("utf-8", "replace"))
        pdfium_c.FPDFText_GetMatrix(self.textpage, index, self.matrix)
        style = (
            self.fonts[font],
            pdfium_c.FPDFText_GetFontSize(self.textpage, index),
            _quarter_turns(self.matrix.a, self.matrix.b) == self.turns,
        )
        self.last_object, self.last_style = text_object, style
        return style


def group_chars_into_lines(
    chars: Iterable[Char], *, page_number: int, settings: Settings = DEFAULT_SETTINGS
) -> list[Line]:
    """Group a page's characters into visual lines, in reading order: top to bottom, column by column.

    Two characters share a line when their vertical centres are within
    ``settings.line_tolerance_em`` of the line's glyph size.  Wide gaps inside a
    line become a tab (table cells, a contents title and its page number),
    narrower ones a space: between Latin letters and digits a gap of
    ``settings.word_gap_ratio`` of their own width or a space glyph of the PDF
    (``coverage and the depth``), between Chinese characters only a gap of
    ``settings.space_gap_em`` (letter-spacing never splits a word).
    """
    upright = [c for c in chars if c.get("upright", True) and c["text"] != ""]
    upright.sort(key=lambda c: (_centre(c), c["x0"]))
    rows = _gather_rows([c for c in upright if not c["text"].isspace()], settings.line_tolerance_em)
    spaces = [c for c in upright if c["text"].isspace()]
    # A row may run across a column gutter: cut it at every wide gap, let the
    # page's geometry say which cuts are gutters, and join the other pieces again.
    pieces: list[_Piece] = []
    for row_number, row in enumerate(rows):
        pieces += _row_pieces(row_number, row, _spaces_of_row(row, spaces), settings)
    by_line = {id(piece.line): piece for piece in pieces}
    lines: list[Line] = []
    for block in column_blocks([piece.line for piece in pieces], settings=settings):
        lines += _join_pieces([by_line[id(line)] for line in block], page_number, settings)
    return lines


def reversed_runs(text: str) -> list[str]:
    """The lines of ``text`` that read backwards, if the text reads backwards; else [].

    A page read in the wrong direction (a ``/Rotate`` a reader did not undo, a
    mirrored scan) turns ``【政务管理】`` into ``】理管务政【`` and puts a line's
    closing ``。`` first.  Evidence is a line that is one bracketed run, closing
    bracket first, or two lines starting with punctuation that Chinese
    typesetting never sets at a line start (避头尾); a line that merely starts
    with the ``）`` of a bracket opened on the line before is not evidence.

    >>> reversed_runs("】理管务政【\\n（人民日报）")
    ['】理管务政【']
    >>> reversed_runs("。明透开公心中为众民以\\n，展发府政子电度印")
    ['。明透开公心中为众民以', '，展发府政子电度印']
    >>> reversed_runs("【政务管理】\\n2020）》提出，（新华社）")
    []
    """
    lines = [line.strip() for line in text.splitlines()]
    bracketed = [line for line in lines if _REVERSED_BRACKETS.fullmatch(line)]
    forbidden_starts = [line for line in lines if line[:1] in _NO_LINE_START]
    return bracketed + (forbidden_starts if len(forbidden_starts) >= 2 else [])


def base_font_name(fontname: str) -> str:
    """The font's name without its subset tag.

    >>> base_font_name("AAAAAB+UMingCN-0")
    'UMingCN-0'
    """
    return _SUBSET_TAG.sub("", fontname)


# --- PDFium -------------------------------------------------------------------


def _char_text(code: int) -> str:
    if code == 0 or code in (0x0D, 0x0A):
        return ""
    text = chr(code)
    if text.isspace():
        return " "
    if unicodedata.category(text) == "Cc":
        return UNMAPPED_GLYPH  # a raw character code where a mapping was missing
    return text


def _char_codes(textpage: pdfium.PdfTextPage, count: int) -> list[int]:
    """The Unicode code point of every character index, read in one call where possible."""
    buffer = (ctypes.c_ushort * (count + 1))()
    written = pdfium_c.FPDFText_GetText(textpage, 0, count, buffer)
    units = list(buffer[: max(0, written - 1)])
    if len(units) == count and not any(0xD800 <= unit <= 0xDFFF for unit in units):
        return units
    # Characters beyond the BMP take two UTF-16 units: ask for each character.
    return [pdfium_c.FPDFText_GetUnicode(textpage, index) for index in range(count)]


def _text_quarter_turns(textpage: pdfium.PdfTextPage, count: int) -> int:
    """How many quarter turns (counter-clockwise) most of the page's glyphs are drawn at."""
    turns: Counter[int] = Counter()
    matrix = pdfium_c.FS_MATRIX()
    # A sample spread over the page decides as well as every glyph would.
    for index in range(0, count, max(1, count // _ORIENTATION_SAMPLE)):
        if pdfium_c.FPDFText_GetMatrix(textpage, index, matrix):
            direction = _quarter_turns(matrix.a, matrix.b)
            if direction is not None:
                turns[direction] += 1
    return turns.most_common(1)[0][0] if turns else 0


def _quarter_turns(a: float, b: float) -> int | None:
    """The quarter turns of a text matrix whose x axis (the way the text runs) is (a, b).

    None for text at any other angle (a diagonal watermark), which is not read.
    """
    small, large = sorted((abs(a), abs(b)))
    if small > _SKEW_TOLERANCE * large:
        return None
    if abs(a) >= abs(b):
        return 0 if a > 0 else 2
    return 1 if b > 0 else 3


def _turned(
    x_lo: float, y_lo: float, x_hi: float, y_hi: float, width: float, height: float, turns: int
) -> tuple[float, float, float, float]:
    """A box in PDF space (y up, origin bottom-left) as (x0, top, x1, bottom) in the frame
    where text drawn at ``turns`` quarter turns reads left to right, top to bottom."""
    if turns == 0:
        return x_lo, height - y_hi, x_hi, height - y_lo
    if turns == 1:  # text runs up the page: its "down" is +x
        return y_lo, x_lo, y_hi, x_hi
    if turns == 2:
        return width - x_hi, y_lo, width - x_lo, y_hi
    return height - y_hi, width - x_hi, height - y_lo, width - x_lo


# --- grouping -------------------------------------------------------------------


def _is_latin(char: str) -> bool:
    return (char.isascii() and char.isalnum()) or "\u00c0" <= char <= "\u024f"


def _space_gap(before: Char, after: Char, latin_width: float, settings: Settings) -> float:
    a, b = before["text"], after["text"]
    # Justification may spread the glyphs of a number; a space inside one would
    # turn 200 into "2 00", so digits need a wider gap to be separated.
    if a.isdigit() and b.isdigit():
        return 2 * settings.space_gap_em * before["size"]
    if _is_latin(a[-1]) and _is_latin(b[0]) and latin_width > 0:
        return settings.word_gap_ratio * latin_width
    return settings.space_gap_em * max(before["size"], after["size"])


def _centre(char: Char) -> float:
    return (char["top"] + char["bottom"]) / 2


def _gather_rows(chars: Sequence[Char], tolerance_em: float) -> list[list[Char]]:
    """Characters (sorted by centre) in rows: a character joins the row being gathered when its
    centre is within ``tolerance_em`` of the larger of its size and the row's median size from
    the row's median centre.

    Run for every glyph of a page: the row's centres and sizes are kept sorted,
    and their medians updated, as each character joins.
    """
    rows: list[list[Char]] = []
    row: list[Char] = []
    centres: list[float] = []
    sizes: list[float] = []
    middle_centre = middle_size = 0.0
    for char in chars:
        centre, size = (char["top"] + char["bottom"]) / 2, char["size"]
        if row and abs(centre - middle_centre) < tolerance_em * (size if size > middle_size else middle_size):
            row.append(char)
            insort(centres, centre)
            insort(sizes, size)
            half = len(centres) // 2
            if len(centres) % 2:
                middle_centre, middle_size = centres[half], sizes[half]
            else:
                middle_centre = (centres[half - 1] + centres[half]) / 2
                middle_size = (sizes[half - 1] + sizes[half]) / 2
        else:
            row, centres, sizes = [char], [centre], [size]
            middle_centre, middle_size = centre, size
            rows.append(row)
    return rows


def _spaces_of_row(row: Sequence[Char], spaces: Sequence[Char]) -> list[tuple[float, bool]]:
    """The x centres of the space glyphs that sit on ``row``, each with whether PDFium inferred it."""
    if not spaces:
        return []
    top = min(c["top"] for c in row)
    bottom = max(c["bottom"] for c in row)
    return [
        ((s["x0"] + s["x1"]) / 2, bool(s.get("generated"))) for s in spaces if top <= _centre(s) <= bottom
    ]


@dataclass(frozen=True, slots=True)
class _Piece:
    """A run of a row's characters between two wide gaps, with the separator that preceded it."""

    row: int
    chars: list[Char]
    text: str
    separator: str  # "" for the first piece of its row
    line: Line


def _row_pieces(
    row_number: int, row: list[Char], spaces: Sequence[tuple[float, bool]], settings: Settings
) -> list[_Piece]:
    row.sort(key=lambda c: c["x0"])
    size = median(c["size"] for c in row)
    gaps = [b["x0"] - a["x1"] for a, b in pairwise(row)]
    # Justified lines spread their slack over every glyph gap; measure a gap
    # against the line's usual one so letter-spacing never splits a word.
    usual_gap = max(0.0, median(gaps)) if gaps else 0.0
    latin = [c["x1"] - c["x0"] for c in row if _is_latin(c["text"])]
    latin_width = median(latin) if latin else 0.0
    pieces: list[_Piece] = []
    start, parts, separator = 0, [row[0]["text"]], ""
    tab_gap, column_gap = settings.tab_gap_em * size, settings.column_gap_em * size
    # No gap below this is a space (the least :func:`_space_gap` can be on this row):
    # most gaps of a line are settled without asking.
    least_space = settings.space_gap_em * min(c["size"] for c in row)
    if latin_width > 0:
        least_space = min(least_space, settings.word_gap_ratio * latin_width)
    for index, (previous, char, gap) in enumerate(zip(row[:-1], row[1:], gaps, strict=True), start=1):
        if gap >= tab_gap:
            between = "\t"
        elif not spaces and gap - usual_gap < least_space:
            between = ""
        elif gap - usual_gap >= _space_gap(previous, char, latin_width, settings) or (
            spaces
            and any(
                previous["x1"] - 0.5 <= x <= char["x0"] + 0.5
                # an inferred space never splits a number spread by justification
                and not (generated and previous["text"].isdigit() and char["text"].isdigit())
                for x, generated in spaces
            )
        ):
            between = " "
        else:
            between = ""
        if gap >= column_gap:
            pieces.append(_piece(row_number, row[start:index], "".join(parts), separator))
            start, parts, separator = index, [char["text"]], between
        else:
            parts += [between, char["text"]]
    pieces.append(_piece(row_number, row[start:], "".join(parts), separator))
    return pieces


def _piece(row_number: int, chars: list[Char], text: str, separator: str) -> _Piece:
    return _Piece(row_number, chars, text, separator, _line_of(chars, text, 0))


def _join_pieces(pieces: Sequence[_Piece], page_number: int, settings: Settings) -> list[Line]:
    """Lines of consecutive pieces of one row joined again, with the separators they had."""
    del settings  # the separators were decided when the row was cut
    lines: list[Line] = []
    run: list[_Piece] = []
    for piece in [*pieces, None]:
        if run and (piece is None or piece.row != run[-1].row or piece.line.x0 < run[-1].line.x1):
            if len(run) == 1:  # most lines: the piece's own line, on its page
                lines.append(replace(run[0].line, page=page_number))
            else:
                chars = [char for member in run for char in member.chars]
                text = run[0].text + "".join(member.separator + member.text for member in run[1:])
                lines.append(_line_of(chars, text, page_number))
            run = []
        if piece is not None:
            run.append(piece)
    return lines


def _line_of(chars: Sequence[Char], text: str, page_number: int) -> Line:
    fonts: Counter[str] = Counter()
    # Counted by name first: a line has a few fonts and many glyphs; ties go to the
    # font seen first, as they would counting base names glyph by glyph.
    for name, count in Counter(c.get("fontname", "") for c in chars).items():
        fonts[base_font_name(name)] += count
    return Line(
        text=text,
        page=page_number,
        x0=min(c["x0"] for c in chars),
        top=min(c["top"] for c in chars),
        x1=max(c["x1"] for c in chars),
        bottom=max(c["bottom"] for c in chars),
        size=round(median(c["size"] for c in chars), 2),
        font=fonts.most_common(1)[0][0],
    )
